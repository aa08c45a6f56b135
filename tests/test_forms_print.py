"""`dyxx forms` at county size: the print version, LibreOffice in parallel, progress, finding it.

The PDFs are made from a print version of each branch's workbook (its forms on one sheet,
a page break after each), which LibreOffice converts about four times faster than one
sheet per form. Compared here page by page, as pixels, with the workbook itself.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from addin.read.reader import read_workbook
from addin.workflow import libreoffice
from addin.workflow.common import by_branch
from addin.workflow.forms_output import branch_workbook, print_workbook, write_forms
from tests.support.books import write_book
from tests.support.branches import TIMBER, branch_books, branch_org, member
from tests.support.cli import dyxx
from tests.support.tools import required


@pytest.fixture(scope="module")
def summary(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("forms")
    out = folder / "汇总.xlsx"
    assert dyxx("merge", *map(str, branch_books(folder / "报送")), "-o", str(out)).returncode == 1
    return out


def pages(pdf: Path, folder: Path) -> list[bytes]:
    """Each page of ``pdf`` rendered as a PNG."""
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(folder / "p")], check=True)
    return [page.read_bytes() for page in sorted(folder.glob("p-*.png"))]


@pytest.mark.office
def test_the_print_version_prints_the_same_pages_as_the_workbook(summary, tmp_path):
    program = required("soffice", "pdftoppm")
    [timber] = [b for b in by_branch(read_workbook(summary)) if b.name == TIMBER]
    forms = len(timber.orgs) + len(timber.members)
    assert forms >= 3 and timber.orgs  # an 附件1 and several 附件2, as a branch has
    made = {}
    printable = print_workbook(timber)
    assert printable is not None  # the usual forms: the fast print version
    for kind, book in (("sheets", branch_workbook(timber)), ("print", printable)):
        folder = tmp_path / kind
        folder.mkdir()
        book.save(folder / "book.xlsx")
        [pdf] = libreoffice.to_pdf([folder / "book.xlsx"], folder, program)
        made[kind] = pages(pdf, tmp_path / f"{kind}-pages")
    assert len(made["sheets"]) == forms  # one page per form
    assert made["print"] == made["sheets"]  # the same pixels, page for page


def test_the_print_version_breaks_the_page_after_each_form(summary):
    [timber] = [b for b in by_branch(read_workbook(summary)) if b.name == TIMBER]
    sheet = print_workbook(timber).active
    breaks = [b.id for b in sheet.row_breaks.brk]
    assert len(breaks) == len(timber.orgs) + len(timber.members)
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    firsts = [1] + [row + 1 for row in breaks[:-1]]
    titles = [sheet.cell(row + 1, 1).value for row in firsts]
    assert titles == ["党组织和所在单位基本信息采集表"] + ["党员基本信息采集表"] * len(
        timber.members
    )


def test_progress_is_told_after_each_workbook(summary, tmp_path):
    told = []
    written = write_forms(
        read_workbook(summary), summary, tmp_path / "out", None, progress=lambda *a: told.append(a)
    )
    total = sum(len(b.orgs) + len(b.members) for b, _p in written.workbooks)
    assert [step for step, _done, _total in told] == ["forms"] * len(written.workbooks)
    assert [done for _s, done, _t in told] == sorted(done for _s, done, _t in told)
    assert told[-1] == ("forms", total, total)


@pytest.mark.office
def test_two_libreoffice_processes_share_the_branches(summary, tmp_path):
    real = required("soffice", "pdftoppm")
    log = tmp_path / "started"
    wrapper = tmp_path / "soffice"
    wrapper.write_text(f"#!/bin/sh\necho started >> '{log}'\nexec '{real}' \"$@\"\n")
    wrapper.chmod(0o755)
    told = []
    written = write_forms(
        read_workbook(summary),
        summary,
        tmp_path / "out",
        None,
        program=str(wrapper),
        progress=lambda *a: told.append(a),
    )
    assert written.pdf_problem is None
    assert [p.stem for p in written.pdfs] == [p.stem for _b, p in written.workbooks]
    expected = min(libreoffice.POOL, os.cpu_count() or 1, len(written.pdfs))
    assert len(log.read_text().split()) == expected
    pdf_steps = [(done, total) for step, done, total in told if step == "pdf"]
    assert pdf_steps[-1] == (len(written.pdfs), len(written.pdfs))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        [p.name for p in written.pdfs] + [p.name for _b, p in written.workbooks]
    )


def test_the_terminal_shows_a_progress_bar(summary, tmp_path):
    ran = dyxx("forms", str(summary), "-o", str(tmp_path / "out"), "--no-pdf",
               env={"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"})  # fmt: skip
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "写采集表" in ran.stdout
    piped = dyxx("forms", str(summary), "-o", str(tmp_path / "again"), "--no-pdf")
    assert "写采集表" not in piped.stdout  # no bar in a pipe or a log


def test_libreoffice_is_found_where_its_installer_puts_it(tmp_path, monkeypatch):
    windows = libreoffice.installed("win32", {"ProgramFiles": r"D:\Apps"})
    assert [p.name for p in windows] == ["soffice.com", "soffice.exe"]
    assert all(str(p).startswith("D:") and "LibreOffice" in str(p) for p in windows)
    assert libreoffice.installed("win32", {})[0].parts[:2] == ("C:\\Program Files", "LibreOffice")
    mac = libreoffice.installed("darwin", {}, tmp_path)
    assert mac[0] == Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")
    assert libreoffice.installed("linux", {}) == []  # on Linux, the package puts it on PATH

    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    program = tmp_path / "LibreOffice" / "program" / "soffice.com"
    program.parent.mkdir(parents=True)
    assert libreoffice.soffice([program]) is None  # not installed there
    program.write_text("#!/bin/sh\n")
    assert libreoffice.soffice([program]) is None  # not a program
    program.chmod(0o755)
    assert libreoffice.soffice([program]) == str(program)


LONG_ADDRESS = "湖南省邵阳市邵阳县塘渡口镇资江路" + "幸福小区第十二栋二单元" * 30 + "1201室"


@pytest.fixture(scope="module")
def long_answer(tmp_path_factory) -> Path:
    """A branch where one member's 家庭住址 wraps over several lines of the form."""
    name = "中共邵阳县林业局机关支部委员会"
    members = [
        member("王芳", name, "19800101", "002"),
        member("李强", name, "19810202", "011", address=LONG_ADDRESS),
    ]
    return write_book(tmp_path_factory.mktemp("long") / "汇总.xlsx", members, [branch_org(name)])


def test_a_form_taller_than_usual_is_printed_from_the_workbook(long_answer):
    [branch] = by_branch(read_workbook(long_answer))
    assert print_workbook(branch) is None  # it might not fit its page at the width's scale


@pytest.mark.office
def test_a_long_answer_still_prints_one_page_per_form(long_answer, tmp_path):
    program = required("soffice", "pdftoppm")
    written = write_forms(read_workbook(long_answer), long_answer, tmp_path / "out", None,
                          program=program)  # fmt: skip
    assert written.pdf_problem is None
    [pdf] = written.pdfs
    assert len(pages(pdf, tmp_path / "pages")) == 3  # 附件1 and two 附件2, one page each
