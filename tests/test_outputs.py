"""No run destroys a file: inputs, foreign files and permissions stay safe (issue 11: 2, 3, 6).

Each command is run as a user runs it; what is on disk before and after is compared.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from addin.write import outputs
from tests.support.books import good_member, good_org, write_book
from tests.support.cli import console_script, dyxx
from tests.support.xlsx import digest

ROOT = Path(__file__).resolve().parents[1]
OLE = b"\xd0\xcf\x11\xe0"


def roster(path: Path, **changes: object) -> Path:
    return write_book(path, [good_member(**changes)], [good_org()])


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): digest(p) for p in folder.rglob("*") if p.is_file()}


# -- point 2: no run overwrites one of its own inputs -----------------------------------------


def test_check_never_writes_its_marked_copy_over_another_input(tmp_path):
    first = roster(tmp_path / "机关.xlsx")
    second = roster(tmp_path / "机关_校验.xlsx", name="李四")
    before = snapshot(tmp_path)
    result = dyxx("check", "机关.xlsx", "机关_校验.xlsx", "-o", ".", cwd=tmp_path)
    assert result.returncode == 2, result.output
    assert "机关_校验.xlsx" in result.output and "输入的文件相同" in result.output
    assert snapshot(tmp_path) == before  # nothing written, not even the other copy
    assert first.exists() and second.exists()


@pytest.mark.parametrize(
    "command",
    [
        ["merge", "a.xlsx", "b.xlsx", "-o", "b.xlsx"],
        ["sample", "a.xlsx", "-o", "./a.xlsx"],
        ["diff", "a.xlsx", "b.xlsx", "-o", "a.xlsx"],
        ["clean", "a.xlsx", "-o", "a.xlsx"],
        ["prepare", "a.xlsx", "-o", "a.xlsx"],
        ["check", "a.xlsx", "-o", "link.xlsx"],
    ],
)
def test_no_command_writes_over_an_input(tmp_path, command):
    roster(tmp_path / "a.xlsx")
    roster(tmp_path / "b.xlsx", name="李四")
    (tmp_path / "link.xlsx").hardlink_to(tmp_path / "a.xlsx")
    before = snapshot(tmp_path)
    result = dyxx(*command, cwd=tmp_path)
    assert result.returncode == 2, result.output
    assert snapshot(tmp_path) == before


# -- point 3: no run silently replaces an unrelated existing file ----------------------------


def test_template_does_not_replace_a_filled_workbook(tmp_path):
    folder = tmp_path / "模板"
    assert dyxx("template", "-d", str(folder)).returncode == 0
    [filled] = [p for p in folder.iterdir() if p.suffix == ".xlsx"]
    book = openpyxl.load_workbook(filled)  # the officer fills it in and saves it
    book.worksheets[-1]["C6"] = "张三"
    book.save(filled)
    kept = digest(filled)
    result = dyxx("template", "-d", str(folder))
    assert result.returncode == 2
    assert "文件已存在" in result.output and "--force" in result.output
    assert digest(filled) == kept
    forced = dyxx("template", "-d", str(folder), "--force")
    assert forced.returncode == 0 and digest(filled) != kept


def test_a_rerun_replaces_its_own_unchanged_output(tmp_path):
    source = roster(tmp_path / "名册.xlsx", gender="女")  # one finding: the copy is marked
    target = tmp_path / "名册_校验.xlsx"
    assert dyxx("check", str(source), "-o", str(target)).returncode == 1
    assert outputs.dyxx_wrote(target)
    first = digest(target)
    roster(source, gender="男")  # fixed
    assert dyxx("check", str(source), "-o", str(target)).returncode == 0
    assert digest(target) != first and outputs.dyxx_wrote(target)


@pytest.mark.office
def test_an_output_saved_by_an_office_suite_is_no_longer_replaced(tmp_path):
    source = roster(tmp_path / "名册.xlsx")
    target = tmp_path / "名册_校验.xlsx"
    assert dyxx("check", str(source), "-o", str(target)).returncode == 0
    saved = tmp_path / "saved"
    subprocess.run(
        [
            shutil.which("soffice") or "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(saved),
            str(target),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    shutil.copyfile(saved / target.name, target)  # the officer opened it and saved
    kept = digest(target)
    result = dyxx("check", str(source), "-o", str(target))
    assert result.returncode == 2 and "文件已存在" in result.output
    assert digest(target) == kept


def test_clean_keeps_an_existing_file_of_the_default_name(tmp_path):
    source = roster(tmp_path / "名册.xlsx")
    theirs = roster(tmp_path / "名册_导入.xlsx", name="王五")
    kept = digest(theirs)
    result = dyxx("clean", str(source))
    assert result.returncode == 2 and "--force" in result.output
    assert digest(theirs) == kept


def test_outputs_of_one_run_get_distinct_names(tmp_path):
    (tmp_path / "一支部").mkdir()
    (tmp_path / "二支部").mkdir()
    first = roster(tmp_path / "一支部" / "机关.xlsx")
    second = roster(tmp_path / "二支部" / "机关.xlsx", gender="女")
    out = tmp_path / "结果"
    result = dyxx("check", str(first), str(second), "-o", str(out))
    assert result.returncode == 1, result.output
    assert sorted(p.name for p in out.iterdir()) == ["机关_校验(2).xlsx", "机关_校验.xlsx"]
    marked = openpyxl.load_workbook(out / "机关_校验(2).xlsx")
    assert any(s.title == "校验结果" for s in marked.worksheets)  # the second file's findings


# -- point 6: temporaries and permissions -------------------------------------------------------


def test_an_output_is_never_more_readable_than_its_input(tmp_path):
    source = roster(tmp_path / "名册.xlsx")
    source.chmod(0o600)
    target = tmp_path / "名册_校验.xlsx"
    assert dyxx("check", str(source), "-o", str(target)).returncode == 0
    assert target.stat().st_mode & 0o777 == 0o600


def test_an_existing_outputs_permissions_are_not_widened(tmp_path):
    source = roster(tmp_path / "名册.xlsx")
    source.chmod(0o644)
    target = tmp_path / "名册_校验.xlsx"
    assert dyxx("check", str(source), "-o", str(target)).returncode == 0
    target.chmod(0o600)
    assert dyxx("check", str(source), "-o", str(target)).returncode == 0
    assert target.stat().st_mode & 0o777 == 0o600


KILLED_WRITE = """
import os, signal, sys
from pathlib import Path
from addin.write import outputs
os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)  # killed before the rename
data = Path(sys.argv[1]).read_bytes()
with outputs.run([Path(sys.argv[1])]):
    outputs.write_atomically(Path(sys.argv[2]), data, encrypt_with="密码")
"""


@pytest.mark.e2e
def test_a_killed_write_leaves_only_an_encrypted_temporary_that_the_next_run_removes(tmp_path):
    source = roster(tmp_path / "名册.xlsx")
    out = tmp_path / "out"
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_WRITE, str(source), str(out / "名册_校验.xlsx")],
        cwd=ROOT,
        capture_output=True,
    )
    assert killed.returncode == -signal.SIGKILL
    [left] = list(out.iterdir())
    assert left.name.startswith(".dyxx-") and left.read_bytes().startswith(OLE)
    assert left.stat().st_mode & 0o777 == 0o600
    assert dyxx("check", str(source), "-o", str(out / "另一个.xlsx")).returncode == 0
    assert [p.name for p in out.iterdir()] == ["另一个.xlsx"]


def test_a_temporary_of_a_running_dyxx_is_left_alone(tmp_path):
    mine = tmp_path / f".dyxx-{os.getppid()}-abc.tmp"  # the parent process is alive
    mine.write_bytes(b"x")
    assert outputs.remove_stale(tmp_path) == []
    dead = tmp_path / ".dyxx-999999999-abc.tmp"
    dead.write_bytes(b"x")
    assert outputs.remove_stale(tmp_path) == [dead]


TERMINATED_WRITE = """
import os, signal, sys
sys.argv = ["dyxx", "template", "-d", sys.argv[1]]
os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGTERM)  # terminated mid-write
from addin.cli.main import run
run()
"""


@pytest.mark.e2e
def test_a_terminated_write_removes_its_temporary(tmp_path):
    out = tmp_path / "模板"
    done = subprocess.run(
        [sys.executable, "-c", TERMINATED_WRITE, str(out)], cwd=ROOT, capture_output=True
    )
    assert done.returncode == 130
    assert "已中断" in done.stderr.decode()
    assert list(out.iterdir()) == []


@pytest.mark.e2e
def test_a_full_disk_names_the_output_in_chinese(tmp_path):
    source = roster(tmp_path / "名册.xlsx")
    disk = tmp_path / "disk"
    disk.mkdir()
    script = (
        f"mount -t tmpfs -o size=4k tmpfs {disk} && "
        f"exec {shlex.join(console_script())} check {source} -o {disk}/名册_校验.xlsx"
    )
    done = subprocess.run(
        ["unshare", "--map-root-user", "--mount", "sh", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "磁盘空间不足" in done.stdout and "名册_校验.xlsx" in done.stdout
    assert "内部错误" not in done.stdout + done.stderr
    assert list(disk.iterdir()) == []  # the tmpfs is gone with the namespace: nothing on disk


# -- point 8: the terminal shows data, never runs it --------------------------------------------


def test_escape_sequences_from_cells_are_shown_not_emitted(tmp_path):
    hostile = "张三\x1b]52;c;ZXZpbA==\x07\x1b]0;标题\x07\u202e"
    source = roster(tmp_path / "名册.xlsx", name=hostile, gender="女")
    result = dyxx("check", str(source), "--limit", "0")
    assert result.returncode == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\u202e" not in result.output and "〔U+202E〕" in result.output


def test_a_file_name_with_an_escape_sequence_is_shown_safely(tmp_path):
    path = tmp_path / "名册\x1b[2J.xlsx"
    path.write_bytes(b"not a workbook")
    result = dyxx("check", str(path))
    assert result.returncode == 2
    assert "\x1b" not in result.output and "名册␛[2J.xlsx" in result.output


def test_forms_refuses_to_replace_a_branchs_own_submission(tmp_path):
    summary = write_book(
        tmp_path / "汇总.xlsx", [good_member()], [good_org(org_name=good_member()["branch"])]
    )
    first = dyxx("forms", str(summary), "-o", str(tmp_path / "采集表"), "--no-pdf")
    assert first.returncode == 0, first.output
    [made] = (tmp_path / "采集表").glob("*.xlsx")
    theirs = write_book(made, [good_member(name="李四")])  # the branch's own file, same name
    kept = digest(theirs)
    again = dyxx("forms", str(summary), "-o", str(tmp_path / "采集表"), "--no-pdf")
    assert again.returncode == 2 and "--force" in again.output
    assert digest(theirs) == kept


def test_a_signature_does_not_survive_a_change(tmp_path):
    source = roster(tmp_path / "名册.xlsx")
    target = tmp_path / "名册_校验.xlsx"
    assert dyxx("check", str(source), "-o", str(target)).returncode == 0
    signature = zipfile.ZipFile(target).comment
    changed = tmp_path / "改过.xlsx"
    with zipfile.ZipFile(target) as old, zipfile.ZipFile(changed, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            new.writestr(item, data + b" " if item.filename == "docProps/app.xml" else data)
        new.comment = signature  # a tool that keeps the comment still loses the signature
    changed.replace(target)
    assert not outputs.dyxx_wrote(target)


# -- issue 12.7: inputs with different passwords --------------------------------------------


def test_inputs_with_different_passwords_need_encrypt(tmp_path, monkeypatch):
    from addin.cli import workflow

    books = []
    for name, password in (("一.xlsx", "甲密码"), ("二.xlsx", "乙密码")):
        plain = roster(tmp_path / f"明文{name}")
        (tmp_path / name).write_bytes(outputs.encrypt(plain.read_bytes(), password))
        books.append((tmp_path / name, password))
    # Stands in for the officer typing each file's password at the terminal prompt.
    monkeypatch.setattr(workflow, "input_passwords", lambda files, given: dict(books))
    out = tmp_path / "汇总.xlsx"
    result = dyxx("merge", *(str(p) for p, _ in books), "-o", str(out))
    assert result.returncode == 2 and "不同的打开密码" in result.output
    assert "--encrypt" in result.output
    assert not out.exists()
