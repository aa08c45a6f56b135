"""``dyxx addin install`` and ``uninstall`` (issue 14, points 9 and 10), without Excel.

The environment is made-up :class:`Facts` over temporary folders (a ``python.exe`` and xlwings'
DLL laid out as a Python install or a venv lays them out); the Excel session is replaced by a
stand-in step, and the VBA project by :mod:`tests.support.vbproject`.
"""

from __future__ import annotations

import tomllib
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
import xlwings
from typer.testing import CliRunner

import addin.cli.main  # noqa: F401 - registers every command
from addin.cli.app import app
from addin.ribbon import install as installer
from addin.ribbon import vbapatch
from addin.ribbon.build import ADDIN_NAME, TEMPLATE, read_config
from addin.ribbon.environment import Facts, problems
from addin.ribbon.install import (
    SCRATCH,
    InstallError,
    helper_modules,
    install,
    patch_project,
    uninstall,
)
from tests.support.vbproject import VBProjectStandIn

DLL = f"xlwings64-{xlwings.__version__}.dll"
ROOT = Path(__file__).resolve().parents[1]


def python_install(root: Path, venv: bool = False, dll: bool = True) -> Path:
    """A python.exe laid out as python.org's installer (or a venv) lays it out."""
    exe = root / ("Scripts" if venv else "") / "python.exe"
    exe.parent.mkdir(parents=True, exist_ok=True)
    exe.write_bytes(b"MZ")
    if dll:
        (root / DLL).write_bytes(b"MZ")  # pip puts xlwings' data files in sys.prefix
    return exe


def windows(tmp_path: Path, **changes) -> Facts:
    """A Windows PC that can take the add-in, unless ``changes`` say otherwise."""
    facts = Facts(
        platform="win32",
        version=(3, 12),
        bits=64,
        executable=python_install(tmp_path / "Python312"),
        entry=tmp_path / "Python312" / "Lib" / "site-packages" / "addin" / "ribbon" / "entry",
        dll=DLL,
        excel=True,
        wps=False,
        ansi="cp936",
    )
    return replace(facts, **changes)


# ------------------------------------------------------------------ checks (point 9)


def test_a_good_windows_pc_has_no_problem(tmp_path):
    assert problems(windows(tmp_path)) == []
    venv = python_install(tmp_path / "venv", venv=True)  # DLL in the venv's root
    assert problems(windows(tmp_path, executable=venv)) == []


@pytest.mark.parametrize(
    ("version", "ok"), [((3, 10), False), ((3, 11), True), ((3, 14), True), ((3, 15), False)]
)
def test_python_version_range(tmp_path, version, ok):
    found = problems(windows(tmp_path, version=version))
    assert (found == []) is ok
    if not ok:
        assert "3.11 至 3.14" in found[0] and "64 位" in found[0]


def test_32_bit_python_is_refused(tmp_path):
    (found,) = problems(windows(tmp_path, bits=32))
    assert "32 位" in found and "64-bit" in found


def test_wps_only_points_to_the_other_routes(tmp_path):
    (found,) = problems(windows(tmp_path, excel=False, wps=True))
    assert "只有 WPS" in found and "dyxx template" in found and "dyxx check" in found
    (found,) = problems(windows(tmp_path, excel=False))
    assert "没有找到 Microsoft Excel" in found
    assert problems(windows(tmp_path, wps=True)) == []  # Excel beside WPS is fine


def test_the_dll_must_be_where_the_vba_looks(tmp_path):
    user = python_install(tmp_path / "user", dll=False)  # pip install --user: DLL elsewhere
    (found,) = problems(windows(tmp_path, executable=user))
    assert DLL in found and "--user" in found and "--no-functions" in found
    assert problems(windows(tmp_path, executable=user), functions=False) == []


@pytest.mark.parametrize(
    "folder",
    [
        r"C:\Program Files (x86)\Python 3.12",  # spaces and brackets
        r"D:\张三 的文件\Python312",  # Chinese, on a Chinese Windows (GBK)
        r"C:\Users\张三\OneDrive - 某某党委\Python312",  # a OneDrive folder is a local folder
        r"D:\A&B\Python312",  # & is escaped by the VBA
        r"\\server\share\Python312",  # UNC: the VBA uses pushd
    ],
)
def test_paths_the_command_line_takes(tmp_path, folder):
    facts = windows(tmp_path)
    paths = {"executable": Path(folder) / "python.exe", "entry": Path(folder) / "entry"}
    found = problems(replace(facts, **paths))
    assert [p for p in found if DLL not in p] == []  # (no DLL in these made-up folders)


@pytest.mark.parametrize(
    ("where", "folder", "words"),
    [
        ("executable", r"C:\Py%PATH%", "%"),  # cmd expands %NAME% even between quotes
        ("entry", r"C:\a;b\entry", ";"),  # splits prepare_sys_path's list
        ("entry", r"C:\$HOME\entry", "$"),  # expanded by os.path.expandvars
        ("entry", r"C:\a^b\entry", "^"),  # eaten by cmd outside quotes
    ],
)
def test_paths_the_command_line_rewrites(tmp_path, where, folder, words):
    path = Path(folder) / ("python.exe" if where == "executable" else "")
    found = [p for p in problems(windows(tmp_path, **{where: path})) if DLL not in p]
    assert len(found) == 1 and words in found[0] and "命令行" in found[0]


def test_a_semicolon_in_the_interpreter_is_quoted(tmp_path):
    exe = python_install(tmp_path / "a;b")
    assert problems(windows(tmp_path, executable=exe)) == []


def test_characters_outside_the_ansi_code_page_stop_only_the_functions(tmp_path):
    exe = python_install(tmp_path / "张三")
    assert problems(windows(tmp_path, executable=exe, ansi="cp1252"), functions=False) == []
    (found,) = problems(windows(tmp_path, executable=exe, ansi="cp1252"))
    assert "cp1252" in found and "--no-functions" in found
    korean = python_install(tmp_path / "한글")
    assert problems(windows(tmp_path, executable=korean, ansi="cp936"))
    assert problems(windows(tmp_path, executable=korean, ansi="utf-8")) == []


def test_other_systems_check_only_python(tmp_path):
    facts = windows(tmp_path, platform="darwin", excel=False, executable=tmp_path / "x%")
    assert problems(facts) == []
    assert problems(replace(facts, version=(3, 10)))


# ------------------------------------------------------------------ install


def step_stand_in(calls: list, target: Path, fail: Exception | None = None):
    """The Excel session, replaced: records what it was given, checks the target is untouched."""

    def step(path: Path, functions: bool):
        calls.append((path, functions))
        assert path.parent.name.startswith(SCRATCH) and path.parent.parent == target.parent
        assert path.name == ADDIN_NAME and zipfile.is_zipfile(path)
        if fail:
            raise fail
        return ["已修补插件的 VBA"], []

    return step


def test_windows_install_patches_before_the_add_in_is_put_in_place(tmp_path):
    folder = tmp_path / "XLSTART"
    calls: list = []
    done = install(
        folder,
        platform="win32",
        facts=windows(tmp_path),
        excel=step_stand_in(calls, folder / ADDIN_NAME),
    )
    assert len(calls) == 1 and calls[0][1] is True
    assert done.path == folder / ADDIN_NAME and done.path.is_file()
    assert "已修补插件的 VBA" in done.notes
    assert sorted(p.name for p in folder.iterdir()) == [ADDIN_NAME]  # no scratch left


@pytest.mark.parametrize(
    "fail",
    [
        InstallError("Excel 不允许 dyxx 修改插件中的 VBA。"),
        vbapatch.PatchError("xlwings 的 VBA 不同"),
    ],
)
def test_a_failed_patch_writes_nothing_and_keeps_the_old_add_in(tmp_path, fail):
    folder = tmp_path / "XLSTART"
    folder.mkdir()
    old = folder / ADDIN_NAME
    old.write_bytes(b"the add-in installed before")
    step = step_stand_in([], old, fail)
    with pytest.raises((InstallError, vbapatch.PatchError)):
        install(folder, platform="win32", facts=windows(tmp_path), excel=step)
    assert old.read_bytes() == b"the add-in installed before"
    assert sorted(p.name for p in folder.iterdir()) == [ADDIN_NAME]


def test_a_problem_found_writes_nothing(tmp_path):
    folder = tmp_path / "XLSTART"
    calls: list = []
    with pytest.raises(InstallError) as raised:
        install(
            folder,
            platform="win32",
            facts=windows(tmp_path, bits=32, excel=False, wps=True),
            excel=step_stand_in(calls, folder / ADDIN_NAME),
        )
    assert len(raised.value.messages) == 2 and calls == [] and not folder.exists()


def test_macos_refuses_an_unpatched_add_in_unless_asked(tmp_path, monkeypatch):
    monkeypatch.setattr(installer, "_mac_runpython", lambda: "AppleScript")
    facts = windows(tmp_path, platform="darwin")
    folder = tmp_path / "Excel"
    with pytest.raises(InstallError, match="--unpatched"):
        install(folder, platform="darwin", facts=facts)
    assert not folder.exists()
    done = install(folder, platform="darwin", facts=facts, unpatched=True)
    assert done.path.is_file() and "AppleScript" in done.notes


def run_cli(*args: str):
    return CliRunner().invoke(app, list(args))


def test_cli_install_refuses_with_one_sentence_per_problem(tmp_path, monkeypatch):
    facts = windows(tmp_path, version=(3, 15), excel=False, wps=True)
    monkeypatch.setattr(installer, "gather", lambda platform: facts)
    result = run_cli("addin", "install", "--dir", str(tmp_path / "XLSTART"))
    assert result.exit_code == 2
    assert "无法安装插件" in result.output
    output = result.output.replace("\n", "")  # rich wraps long lines
    assert "3.11 至 3.14" in output and "只有 WPS" in output
    assert not (tmp_path / "XLSTART").exists()


# ------------------------------------------------------------------ VBA helper modules

NOTES_BAS = (
    'Attribute VB_Name = "DyxxNotes"\r\n'
    "Public Sub DyxxNotes(ws As Object, addresses As Variant, texts As Variant)\r\n"
    "End Sub\r\n"
)


def template_project() -> VBProjectStandIn:
    bas = Path(xlwings.__file__).parent / "xlwings_custom_addin.bas"
    lines = [
        line
        for line in bas.read_bytes().decode("utf-8").split("\r\n")
        if not line.startswith("Attribute VB_")
    ]
    return VBProjectStandIn({"xlwings": lines, "RibbonMyAddin": ["Sub Run()", "End Sub"]})


def test_every_shipped_bas_is_imported_beside_the_patch(tmp_path):
    """Placeholder helper: the notes helper of issue 14 lands in addin/ribbon/ in another branch."""
    (tmp_path / "notes.bas").write_bytes(NOTES_BAS.encode())
    (tmp_path / "readme.txt").write_text("not a module")
    project = template_project()
    assert patch_project(project, helper_modules(tmp_path)) == ["DyxxNotes"]
    components = project.VBComponents
    assert "DyxxNotes" in components.items
    assert components("DyxxNotes").CodeModule.Lines(1, 1).startswith("Public Sub DyxxNotes(")
    assert len(components("xlwings").CodeModule.replaced) == 6  # patched as well
    # a second install replaces the module instead of adding "DyxxNotes1"
    assert patch_project(project, helper_modules(tmp_path)) == ["DyxxNotes"]
    assert sorted(components.items) == ["DyxxNotes", "RibbonMyAddin", "xlwings"]


def test_a_project_with_unexpected_xlwings_code_gets_no_helpers(tmp_path):
    (tmp_path / "notes.bas").write_bytes(NOTES_BAS.encode())
    project = VBProjectStandIn({"xlwings": ["Sub Other()", "End Sub"]})
    with pytest.raises(vbapatch.PatchError):
        patch_project(project, helper_modules(tmp_path))
    assert project.VBComponents.imported == []


def test_shipped_bas_files_are_packaged():
    """A non-editable install must carry addin/ribbon/*.bas for install to import them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "*.bas" in config["tool"]["setuptools"]["package-data"]["addin.ribbon"]
    assert helper_modules() == sorted((ROOT / "addin" / "ribbon").glob("*.bas"))


# ------------------------------------------------------------------ uninstall (point 10)


def installed(tmp_path: Path) -> Path:
    folder = tmp_path / "XLSTART"
    install(folder, platform="linux", facts=windows(tmp_path, platform="linux"))
    (folder / "mine.xlsx").write_bytes(b"the officer's own file")
    return folder


def test_uninstall_removes_the_add_in_and_nothing_else(tmp_path):
    folder = installed(tmp_path)
    leftover = folder / f"{SCRATCH}abc"  # an install killed half-way
    leftover.mkdir()
    (leftover / ADDIN_NAME).write_bytes(b"half")
    foreign = folder / f"{SCRATCH}other"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("not ours")
    done = uninstall(folder, platform="win32")
    assert done.removed == [folder / ADDIN_NAME, leftover]
    assert sorted(p.name for p in folder.iterdir()) == [f"{SCRATCH}other", "mine.xlsx"]
    assert (foreign / "keep.txt").read_text() == "not ours"
    assert uninstall(folder, platform="win32").removed == []  # safe to run twice
    assert uninstall(tmp_path / "missing", platform="win32").removed == []


def test_uninstall_leaves_a_dyxx_xlam_dyxx_did_not_build(tmp_path):
    folder = tmp_path / "XLSTART"
    folder.mkdir()
    other = folder / ADDIN_NAME
    other.write_bytes(TEMPLATE.read_bytes())  # an xlwings add-in someone named dyxx.xlam
    with pytest.raises(InstallError, match="不是 dyxx 生成的插件"):
        uninstall(folder, platform="win32")
    assert other.read_bytes() == TEMPLATE.read_bytes()


def test_uninstall_on_macos_says_what_it_leaves(tmp_path):
    folder = installed(tmp_path)
    done = uninstall(folder, platform="darwin")
    assert done.removed == [folder / ADDIN_NAME]
    assert any("AppleScript" in kept for kept in done.kept)


def test_cli_uninstall(tmp_path):
    folder = installed(tmp_path)
    assert read_config(folder / ADDIN_NAME)["UDF Modules"] == "addin.udfs"
    result = run_cli("addin", "uninstall", "--dir", str(folder))
    assert result.exit_code == 0, result.output
    assert "已删除" in result.output and ADDIN_NAME in result.output
    assert not (folder / ADDIN_NAME).exists() and (folder / "mine.xlsx").exists()
    again = run_cli("addin", "uninstall", "--dir", str(folder))
    assert again.exit_code == 0 and "什么也没有删除" in again.output


def test_the_notes_helper_the_button_calls_is_shipped_and_imported():
    """The button calls DyxxWriteNotes/DyxxReadNotes in module DyxxNotes (addin.ribbon.desktop):
    install finds that module among the shipped helpers, under that name."""
    from addin.ribbon import desktop

    shipped = {installer.module_name(bas): bas for bas in installer.helper_modules()}
    assert "DyxxNotes" in shipped
    source = shipped["DyxxNotes"].read_text("utf-8")
    assert source == desktop.helper_source()
    for macro in ("DyxxWriteNotes", "DyxxReadNotes"):
        assert f"Sub {macro}(" in source or f"Function {macro}(" in source
