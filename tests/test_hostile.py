"""Broken, hostile and encrypted workbooks: a clear exit 2, never a traceback, never damage.

Files built to exhaust a reader (entities, a zip bomb, a million rows) are checked by a child
process with a timeout, so a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from addin.engine.check import check_files
from addin.model.errors import WorkbookError
from addin.read.reader import read_workbook
from addin.write.outputs import encrypt
from tests.support.books import TODAY, good_member, good_org, person_id, write_book
from tests.support.cli import (
    TIMEOUT,
    assert_refused,
    console_script,
    dyxx,
    dyxx_process,
    reading_commands,
)
from tests.support.xlsx import rewrite, shrink_declared_size


@pytest.fixture
def sample(book):
    return book(
        members=[
            good_member(),
            good_member(
                name="王芳",
                gender="女",
                id_number=person_id("430523", "19700101", "022"),
                birth_date=None,
            ),
        ],
        orgs=[good_org()],
    )


# ---- XML attacks ---------------------------------------------------------------------------

SHEET = "xl/worksheets/sheet2.xml"  # the 附件4 sheet of the sample
LAUGHS = b"""<!DOCTYPE worksheet [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>"""
EXTERNAL = b"""<!DOCTYPE worksheet [<!ENTITY lol9 SYSTEM "file:///etc/passwd">]>"""


def with_entity(xml: bytes, dtd: bytes) -> bytes:
    """Declare the DTD after the XML declaration and use the entity in a cell."""
    head, rest = xml.split(b"?>", 1) if b"?>" in xml else (b"<?xml version='1.0'", xml)
    assert "李建国".encode() in rest
    return head + b"?>" + dtd + rest.replace("李建国".encode(), b"&lol9;", 1)


@pytest.mark.e2e
@pytest.mark.parametrize("dtd", [LAUGHS, EXTERNAL], ids=["billion-laughs", "external-entity"])
def test_xml_entities_are_refused(sample, tmp_path, dtd):
    with zipfile.ZipFile(sample) as archive:
        xml = archive.read(SHEET)
    bad = rewrite(sample, tmp_path / "实体.xlsx", {SHEET: with_entity(xml, dtd)})
    result = dyxx_process("check", str(bad), "-o", str(tmp_path / "out.xlsx"))
    assert_refused(result, "实体.xlsx", "XML 实体声明")
    assert "root:" not in result.stdout and not (tmp_path / "out.xlsx").exists()


@pytest.mark.e2e
def test_zip_bomb_is_refused(sample, tmp_path):
    bomb = b"<x>" + b" " * (400 * 1024**2) + b"</x>"  # 400 MB of spaces, ~400 KB compressed
    bad = rewrite(sample, tmp_path / "炸弹.xlsx", {"xl/styles.xml": bomb})
    assert bad.stat().st_size < 5 * 1024**2
    assert_refused(dyxx_process("check", str(bad)), "炸弹.xlsx", "压缩炸弹")


def test_lying_size_header_is_refused(sample, tmp_path):
    """A member whose header claims fewer bytes than it holds (bypasses size checks)."""
    bad = tmp_path / "谎报.xlsx"
    bad.write_bytes(shrink_declared_size(sample.read_bytes(), "xl/worksheets/sheet2.xml"))
    assert_refused(dyxx("check", str(bad)), "谎报.xlsx", "损坏")


# ---- broken and odd files --------------------------------------------------------------------


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9, 0.999])
def test_truncated_workbook(sample, tmp_path, cut):
    data = sample.read_bytes()
    bad = tmp_path / "截断.xlsx"
    bad.write_bytes(data[: int(len(data) * cut)])
    out = tmp_path / "out.xlsx"
    assert_refused(dyxx("check", str(bad), "-o", str(out)), "截断.xlsx")
    assert not out.exists() and not list(tmp_path.glob(".dyxx-*"))


def test_a_zip_version_python_cannot_read_is_refused_cleanly(sample, tmp_path):
    """A central directory asking for zip version 23.7 (found by the fuzz test): Python's
    zipfile raises NotImplementedError, which must not escape as an internal error."""
    data = bytearray(sample.read_bytes())
    entry = data.index(b"PK\x01\x02")  # the first central directory entry
    data[entry + 6 : entry + 8] = (237).to_bytes(2, "little")  # "version needed to extract"
    bad = tmp_path / "版本.xlsx"
    bad.write_bytes(bytes(data))
    out = tmp_path / "out.xlsx"
    assert_refused(dyxx("check", str(bad), "-o", str(out)), "版本.xlsx", "损坏")
    assert not out.exists()


def test_wrong_extension_is_read_by_content(sample, tmp_path):
    renamed = tmp_path / "名单.xls"
    renamed.write_bytes(sample.read_bytes())
    result = dyxx("check", str(renamed))
    assert result.returncode == 1 and "共检查 3 行" in result.stdout and "G7" in result.stdout


def test_empty_workbook(tmp_path):
    path = tmp_path / "空白.xlsx"
    openpyxl.Workbook().save(path)
    assert_refused(
        dyxx("check", str(path)), "空白.xlsx", "没有找到附件3或附件4表格", "公民身份证号"
    )


def test_chinese_folder_with_spaces(tmp_path):
    folder = tmp_path / "林业局 党委" / "2017年 信息采集"
    folder.mkdir(parents=True)
    path = write_book(folder / "附件4 汇总表.xlsx", [good_member()], [good_org()])
    out = folder / "标注 副本.xlsx"
    result = dyxx("check", str(path), "-o", str(out))
    assert result.returncode == 0 and out.exists()


def test_hidden_rows_and_merged_branch_column(book, tmp_path):
    members = [
        good_member(id_number=person_id("430523", "19680312", f"{n:03d}")) for n in (11, 13, 15)
    ]
    path = book(members=members, orgs=[good_org()])
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["党员基本信息汇总表"]
    sheet.row_dimensions[7].hidden = True
    sheet["C7"] = sheet["C8"] = None
    sheet.merge_cells("C6:C8")  # one branch name for three members
    sheet["B7"] = "张3"  # a mistake in the hidden row is still found
    workbook.save(path)
    report = check_files([path], today=TODAY)
    assert report.rows == 4 and report.flatten(["cell", "rule"]) == [["B7", "name.chars"]]


def test_formulas_with_and_without_saved_results(book, tmp_path):
    path = book(members=[good_member()], orgs=[good_org()])
    workbook = openpyxl.load_workbook(path)
    workbook["党员基本信息汇总表"]["G6"] = "=DATE(1968,3,12)"  # openpyxl saves no result
    workbook.save(path)
    report = check_files([path], today=TODAY)
    assert report.flatten(["cell", "rule"]) == [
        ["G6", "cell.formula_uncached"],
        ["G6", "date.format"],
    ]
    assert "DATE(1968,3,12)" in report.findings[0].message
    # the same formula with a result saved, as Excel and LibreOffice write it
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet2.xml")
    cached = xml.replace(b"<f>DATE(1968,3,12)</f><v />", b"<f>DATE(1968,3,12)</f><v>24909</v>")
    assert cached != xml
    fixed = rewrite(path, tmp_path / "有结果.xlsx", {"xl/worksheets/sheet2.xml": cached})
    assert check_files([fixed], today=TODAY).findings == []


@pytest.mark.e2e
def test_a_million_used_rows(tmp_path):
    """The used range reaches row 1,048,576 (a stray mark at the bottom of the sheet)."""
    path = write_book(tmp_path / "百万行.xlsx", [good_member()], [good_org()])
    workbook = openpyxl.load_workbook(path)
    workbook["党员基本信息汇总表"]["T1048576"] = "。"
    workbook.save(path)
    result = dyxx_process("check", str(path), "--json", "--today", "2024-06-01")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["rows"] == 2


def test_cells_of_32767_characters(check):
    long_address = "邵阳县塘渡口镇资江路12号" + "很" * 32_754
    long_name = "李" * 32_767
    report = check(members=[good_member(address=long_address, name=long_name)])
    assert report.flatten(["cell", "rule"]) == [["B6", "name.long"]]
    assert len(report.findings[0].message) < 300


# ---- writing -------------------------------------------------------------------------------


def test_output_through_a_link_to_the_input_is_refused(sample, tmp_path):
    link = tmp_path / "链接.xlsx"
    os.link(sample, link)
    before = hashlib.sha256(sample.read_bytes()).hexdigest()
    assert_refused(dyxx("check", str(sample), "-o", str(link)), "不能与输入的文件相同")
    assert hashlib.sha256(sample.read_bytes()).hexdigest() == before


def test_input_is_never_opened_for_writing(sample, tmp_path):
    os.chmod(sample, 0o444)
    before = sample.stat().st_mtime_ns
    result = dyxx("check", str(sample), "-o", str(tmp_path / "out.xlsx"), "--today", "2024-06-01")
    assert result.returncode == 1 and sample.stat().st_mtime_ns == before


# ---- encrypted workbooks -------------------------------------------------------------------


@pytest.fixture
def locked(sample, tmp_path):
    path = tmp_path / "加密.xlsx"
    path.write_bytes(encrypt(sample.read_bytes(), "dangyuan2017"))
    return path


def test_encrypted_workbook_needs_its_password(locked, tmp_path):
    assert_refused(dyxx("check", str(locked)), "加密.xlsx", "打开密码", "--password")
    assert_refused(dyxx("check", str(locked), "--password", "wrong"), "密码不正确")
    with pytest.raises(WorkbookError):
        read_workbook(locked)


def test_encrypted_workbook_is_checked_and_its_copy_stays_encrypted(locked, tmp_path):
    out = tmp_path / "标注.xlsx"
    result = dyxx(
        "check",
        str(locked),
        "-o",
        str(out),
        "--today",
        "2024-06-01",
        env={"DYXX_PASSWORD": "dangyuan2017"},
    )
    assert result.returncode == 1 and "G7" in result.stdout  # 王芳's missing 出生日期
    assert out.read_bytes().startswith(b"\xd0\xcf\x11\xe0")  # not a plain zip on disk
    assert "dangyuan2017" not in result.stdout + result.stderr
    marked = openpyxl.load_workbook(_decrypt(out, "dangyuan2017"))
    assert marked["校验结果"].max_row > 1


def test_encrypt_option_writes_an_encrypted_copy(sample, tmp_path):
    out = tmp_path / "加密副本.xlsx"
    result = dyxx(
        "check", str(sample), "-o", str(out), "--encrypt", env={"DYXX_OUTPUT_PASSWORD": "mima-123"}
    )
    assert result.returncode == 1
    assert "mima-123" not in result.stdout + result.stderr
    assert out.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted container
    with pytest.raises(zipfile.BadZipFile):
        openpyxl.load_workbook(out)
    marked = openpyxl.load_workbook(_decrypt(out, "mima-123"))
    assert "校验记录" in marked.sheetnames


def test_encrypt_without_a_password_writes_nothing(sample, tmp_path):
    out = tmp_path / "x.xlsx"
    result = dyxx("check", str(sample), "-o", str(out), "--encrypt", input="")
    assert result.returncode == 2 and not out.exists()
    assert "DYXX_OUTPUT_PASSWORD" in result.stdout + result.stderr


def _decrypt(path: Path, password: str) -> io.BytesIO:
    import msoffcrypto

    office = msoffcrypto.OfficeFile(path.open("rb"))
    office.load_key(password=password)
    out = io.BytesIO()
    office.decrypt(out)
    out.seek(0)
    return out


# ---- personal data -------------------------------------------------------------------------


def test_mask_hides_ids_and_phones_in_json_and_terminal(book):
    member = good_member(id_number="430523196803120118", mobile="1380739123")
    path = book(members=[member], orgs=[good_org()])
    for args in (["--json"], []):
        result = dyxx("check", str(path), "--mask", *args)
        assert result.returncode == 1
        assert "430523196803120118" not in result.stdout
        assert "430523********0118" in result.stdout
        assert "1380739123" not in result.stdout


def test_internal_errors_show_no_cell_values(monkeypatch, book):
    """The last line of defence: an unexpected error message is never printed."""
    import addin.cli.check as command

    def broken(*_args, **_kwargs):
        raise ValueError("invalid literal: '430523196803120118'")

    monkeypatch.setattr(command, "check_sources", broken)
    result = dyxx("check", book(members=[good_member()]), env={"DYXX_DEBUG": None})
    assert result.returncode == 2 and "内部错误" in result.stderr and "ValueError" in result.stderr
    assert "430523" not in result.output


def test_markup_like_values_are_shown_literally(book, tmp_path):
    """Values and sheet names with [brackets] are printed as typed, never as styling."""
    path = book(members=[good_member(name="[bold]张[/]")], name="[red]名单.xlsx")
    result = dyxx("check", str(path), "--today", "2024-06-01")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "[bold]张[/]" in result.stdout and "[red]名单.xlsx" in result.stdout


def run_in_terminal(args: list[str], answers: list[str]) -> tuple[int, str]:
    """Run dyxx on a real pseudo-terminal, typing ``answers`` at its prompts."""
    import fcntl
    import pty
    import select
    import termios

    master, slave = pty.openpty()

    def controlling_terminal() -> None:
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        [*console_script(), *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        preexec_fn=controlling_terminal,
        env={**os.environ, "COLUMNS": "200"},
    )
    os.close(slave)
    screen = b""
    answered_at = 0  # only a prompt printed after the last answer gets the next one
    pending = list(answers)
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
        fresh = screen[answered_at:].strip()
        if pending and fresh.endswith("：".encode()):
            os.write(master, (pending.pop(0) + "\n").encode())
            answered_at = len(screen)
    os.close(master)
    return process.wait(timeout=TIMEOUT), screen.decode("utf-8", "replace")


@pytest.mark.e2e
def test_password_prompt_on_a_terminal(locked, tmp_path):
    out = tmp_path / "标注.xlsx"
    code, screen = run_in_terminal(
        ["check", str(locked), "-o", str(out), "--encrypt", "--today", "2024-06-01"],
        ["dangyuan2017", "new-secret", "new-secret"],
    )
    assert code == 1, screen
    assert "请输入“加密.xlsx”的打开密码" in screen and "请设置输出文件的打开密码" in screen
    assert "dangyuan2017" not in screen and "new-secret" not in screen  # never echoed
    assert openpyxl.load_workbook(_decrypt(out, "new-secret"))["校验记录"]["B8"].value == "未通过"


# ---- every command that reads a workbook ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("截断.xlsx", None, ["截断.xlsx", "损坏"]),
        ("空.xlsx", b"", ["空.xlsx", "空的"]),
        ("网页.xlsx", b"<!DOCTYPE html><html><body>404</body></html>", ["网页"]),
    ],
)
def test_every_reading_command_refuses_bad_files(sample, tmp_path, name, content, words):
    bad = tmp_path / name
    bad.write_bytes(sample.read_bytes()[:3000] if content is None else content)
    out = tmp_path / "输出.xlsx"
    for command, args in reading_commands(bad, out).items():
        result = dyxx(*args)
        assert_refused(result, *words)
        assert not out.exists(), command
