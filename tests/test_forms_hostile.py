"""`dyxx forms` over hostile names: nothing from the data becomes an option, a formula or a path.

The summary's branch names are attacks on LibreOffice's command line
(``--accept=…`` makes it listen on every interface), on file systems
(``CON``, ``..``, 300 rare characters, newlines, right-to-left overrides) and on
spreadsheets (``=HYPERLINK(…)``). The real LibreOffice converts the forms;
a wrapper placed first on PATH records the arguments it was given and then
runs it, and a watcher reads the kernel's socket table while it runs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from addin.model.errors import WorkbookError
from addin.read.reader import read_workbook
from addin.workflow.forms_output import by_branch, write_forms
from addin.workflow.libreoffice import soffice_command
from addin.write import outputs
from tests.support.books import good_member, good_org, write_book
from tests.support.cli import dyxx, dyxx_process
from tests.support.names import RARE, assert_safe_file_name
from tests.support.tools import required

ROOT = Path(__file__).resolve().parents[1]
PORT = 47211  # the port the crafted branch name asks LibreOffice to listen on
ATTACK = f"--accept=socket,host=0.0.0.0,port={PORT};urp;"
BRANCHES = [
    ATTACK,
    "-rf",
    "CON",
    "nul.txt",
    "..",
    ".hidden",
    RARE,
    "党支部\U0001f468\u200d\U0001f469\u200d\U0001f467\U0001f1e8\U0001f1f3",
    "第一\n支部\t甲",
    "支部\u202excod.exe",
    "第二/第三\\支部",
    "第四支部. . ",
    "Party A",
    "party a",
    "Ａ支部",
    "a支部",
    "=1+1",
]
FORMULAS = ['=HYPERLINK("http://x","点我")', "+86 138", "-1", "@SUM(A1)", "=1+1"]
OPTIONS = {
    "--headless",
    "--invisible",
    "--nologo",
    "--nodefault",
    "--norestore",
    "--nolockcheck",
    "--convert-to",
    "pdf",
    "--outdir",
}


def as_strings(path: Path) -> Path:
    """The workbook with every text that looks like a formula stored as the text it is."""
    book = openpyxl.load_workbook(path)
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    book.save(path)
    return path


def hostile_summary(folder: Path) -> Path:
    folder.mkdir()
    members = [
        good_member(branch=branch, name=FORMULAS[n % len(FORMULAS)], address="=1+1")
        for n, branch in enumerate(BRANCHES)
    ]
    members.append(good_member(branch="=1+1", name="甲_x000B_乙", address="路\x09号"))
    orgs = [good_org(org_name=ATTACK, secretary='=HYPERLINK("http://x","点我")')]
    return as_strings(write_book(folder / "汇总.xlsx", members, orgs))


def formula_elements(folder: Path) -> list[str]:
    found = []
    for book in folder.glob("*.xlsx"):
        with zipfile.ZipFile(book) as package:
            for part in package.namelist():
                if b"<f>" in package.read(part) or b"<f " in package.read(part):
                    found.append(f"{book.name}:{part}")
    return found


def test_the_summary_holds_what_the_attack_needs(tmp_path):
    tables = read_workbook(hostile_summary(tmp_path / "in"))
    names = [r.values.get("name") for t in tables for r in t.records if t.kind == "members"]
    assert names[0] == FORMULAS[0] and "甲\x0b乙" in names  # text, and a vertical tab
    branches = by_branch(tables)
    assert branches[0].name == ATTACK and len(branches) == len(BRANCHES)


def test_data_is_text_in_every_form(tmp_path):
    summary = hostile_summary(tmp_path / "in")
    out = tmp_path / "out"
    result = dyxx("forms", str(summary), "-o", str(out), "--no-pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    assert formula_elements(out) == []
    branches = by_branch(read_workbook(summary))
    assert len(list(out.glob("*.xlsx"))) == len(branches)
    book = openpyxl.load_workbook(out / "=1+1.xlsx")
    first = book.worksheets[0]
    name = FORMULAS[(len(BRANCHES) - 1) % len(FORMULAS)]
    assert first["B4"].value == name and first["B4"].data_type == "s"
    tab = book["002 甲_乙"]  # the vertical tab is no sheet-name character
    assert tab["B4"].value == "甲␋乙"  # and shown, not dropped, in the form
    secretary = openpyxl.load_workbook(out / f"{ATTACK[2:]}.xlsx")["附件1 党组织"]["B6"]
    assert secretary.value == '=HYPERLINK("http://x","点我")' and secretary.data_type == "s"


def wrapper(folder: Path, log: Path) -> Path:
    """An ``soffice`` that records its arguments (NUL-separated) and runs the real one."""
    real = shutil.which("soffice")
    folder.mkdir()
    script = folder / "soffice"
    script.write_text(f"#!/bin/sh\nprintf '%s\\0' \"$@\" >> '{log}'\nexec '{real}' \"$@\"\n")
    script.chmod(0o755)
    return folder


def listening_ports() -> set[int]:
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as lines:
            for line in list(lines)[1:]:
                local, state = line.split()[1], line.split()[3]
                if state == "0A":  # LISTEN
                    ports.add(int(local.rsplit(":", 1)[1], 16))
    return ports


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if not p.is_dir()}


@pytest.mark.e2e
@pytest.mark.office
def test_hostile_names_with_pdfs_in_the_current_folder(tmp_path):
    required("soffice")
    summary = hostile_summary(tmp_path / "in")
    out, temp, home, log = tmp_path / "out", tmp_path / "tmp", tmp_path / "home", tmp_path / "argv"
    for folder in (out, temp, home):
        folder.mkdir()
    bin_dir = wrapper(tmp_path / "bin", log)
    before = files_under(tmp_path)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
        "TMPDIR": str(temp),
        "HOME": str(home),
    }
    heard: set[int] = set()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            heard.update(listening_ports())
            done.wait(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        # a child process: its own TMPDIR and HOME, and relative paths from its own folder
        result = dyxx_process("forms", "../in/汇总.xlsx", "-o", ".", cwd=out, env=env, timeout=600)
    finally:
        done.set()
        watcher.join()
    assert result.returncode == 0, result.stdout + result.stderr
    assert PORT not in heard, "LibreOffice listened on the port the data asked for"

    argv = log.read_bytes().split(b"\0")[:-1]
    args = [a.decode() for a in argv]
    assert not any(a.startswith("-") and "accept" in a for a in args)
    profile = [a for a in args if a.startswith("-env:UserInstallation=file:///")]
    assert 1 <= len(profile) <= 2 and len(set(profile)) == len(profile)  # one per process
    assert all(str(temp) in p for p in profile)  # private, in the system temp
    data = [a for a in args if a not in OPTIONS and a not in profile]
    assert data and all(a.startswith("/") and Path(a).is_absolute() for a in data), data

    branches = by_branch(read_workbook(summary))
    books = sorted(out.glob("*.xlsx"))
    pdfs = sorted(out.glob("*.pdf"))
    assert len(books) == len(branches) == len(pdfs) == len(BRANCHES)
    assert {p.stem for p in books} == {p.stem for p in pdfs}  # every branch got its PDF
    assert {p.name for p in files_under(out)} == {p.name for p in books + pdfs}
    for path in books + pdfs:
        assert_safe_file_name(path.name)
        assert outputs.dyxx_wrote(path)  # written (and signed) by dyxx, so a rerun may replace
    assert f"已生成 {len(pdfs)} 个 PDF" in result.stdout
    assert formula_elements(out) == []
    after = files_under(tmp_path) - files_under(out) - {log}
    assert after == before, after - before  # nothing outside the output folder
    assert list(temp.iterdir()) == []  # the profile and the staging folder are gone


def test_a_data_argument_that_looks_like_an_option_is_refused(tmp_path):
    profile = tmp_path / "p"
    good = soffice_command("soffice", profile, tmp_path, [tmp_path / "-rf.xlsx"])
    assert good[-1] == str(tmp_path / "-rf.xlsx") and "--accept" not in " ".join(good)
    for bad in (Path("-rf.xlsx"), Path("--accept=socket;urp;.xlsx"), Path("a.xlsx")):
        with pytest.raises(ValueError):
            soffice_command("soffice", profile, tmp_path, [bad])
    with pytest.raises(ValueError):
        soffice_command("soffice", profile, Path("-o"), [tmp_path / "a.xlsx"])


def test_a_refused_name_leaves_no_partial_output(tmp_path):
    summary = hostile_summary(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    theirs = out / "rf.pdf"  # the branch's own file, of the name its PDF would take
    theirs.write_bytes(b"%PDF-1.4 not dyxx's")
    silent = tmp_path / "soffice"  # a LibreOffice that makes no PDF
    silent.write_text("#!/bin/sh\nexit 0\n")
    silent.chmod(0o755)
    silent = str(silent)
    with pytest.raises(WorkbookError, match="--force"):
        write_forms(read_workbook(summary), summary, out, None, program=silent)
    assert list(out.iterdir()) == [theirs] and theirs.read_bytes() == b"%PDF-1.4 not dyxx's"
    written = write_forms(read_workbook(summary), summary, out, None)  # no PDFs: no conflict
    assert len(written.workbooks) == len(BRANCHES)
    theirs.unlink()
    again = write_forms(read_workbook(summary), summary, out, None, program=silent)  # replaced
    assert [p for _b, p in again.workbooks] == [p for _b, p in written.workbooks]
    assert again.pdfs == [] and "没有生成" in again.pdf_problem  # the workbooks stay


def test_a_foreign_workbook_is_not_overwritten(tmp_path):
    summary = hostile_summary(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    theirs = out / "CON_.xlsx"
    theirs.write_bytes(b"PK their own")
    result = dyxx("forms", str(summary), "-o", str(out), "--no-pdf")
    assert result.returncode == 2 and "CON_.xlsx" in result.stdout
    assert list(out.iterdir()) == [theirs]


def running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has stopped


def test_a_hanging_libreoffice_is_stopped_with_all_it_started(tmp_path, monkeypatch):
    """A stand-in that starts a child and hangs: both are gone when to_pdf gives up."""
    from addin.workflow import libreoffice

    pids, modes = tmp_path / "pids", tmp_path / "modes"
    program = tmp_path / "soffice"
    program.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do case "$prev" in --outdir) stat -c %a "$a" "$(dirname "$a")"'
        f" > '{modes}';; esac; prev=$a; done\n"
        f"sleep 300 & echo $! > '{pids}'\necho $$ >> '{pids}'\nsleep 300\n"
    )
    program.chmod(0o755)
    monkeypatch.setattr(libreoffice, "TIMEOUT", 3)
    monkeypatch.setattr(libreoffice, "PER_WORKBOOK", 0)  # 3 seconds in all
    book = tmp_path / "a.xlsx"
    book.write_bytes(b"PK")
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    with pytest.raises(RuntimeError, match="秒内未完成转换"):
        libreoffice.to_pdf([book], tmp_path, str(program))
    assert modes.read_text().split() == ["700", "700"]  # staging and its private folder
    started = [int(pid) for pid in pids.read_text().split()]
    deadline = time.monotonic() + 10  # a killed process may take a moment to go
    while any(map(running, started)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(running, started))
    assert list((tmp_path / "tmp").iterdir()) == []  # the private folder is removed
    assert not (tmp_path / "a.pdf").exists()
