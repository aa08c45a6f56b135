"""`dyxx split` (issue 15, point 1): the checked summary sent back, one workbook per 党支部.

Real workbooks are written, split by the command as a user runs it, and read back by
dyxx's own reader: every input row lands in exactly one file, in the branch its
所在党支部 names, numbered afresh under the summary's header; nothing else is touched.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from addin.read.reader import read_workbook
from addin.write import outputs
from addin.write.layout import DATA_ROW
from tests.support.books import BRANCH, good_member, good_org, person_id, write_book
from tests.support.branches import FARM, ORGAN, RETIRED, TIMBER, branch_books
from tests.support.cli import console_script, dyxx
from tests.support.names import assert_safe_file_name
from tests.support.xlsx import digest

ROOT = Path(__file__).resolve().parents[1]
UNMATCHED = "未匹配党支部的党员.xlsx"
OLE = b"\xd0\xcf\x11\xe0"
HYPERLINK = '=HYPERLINK("http://x","点我")'
LONG = "中共邵阳县林业局" + "很长的" * 60 + "支部委员会"
HOSTILE = ["../x", "CON", HYPERLINK, LONG, "Party A", "party a", "a/b", "a_b", "-rf", "第一\n支部"]


NAMES = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"


def name_of(n: int) -> str:
    return "李" + NAMES[n % len(NAMES)] + NAMES[n // len(NAMES) % len(NAMES)]


def member(n: int, branch: object, **changes: object) -> dict[str, object]:
    """The ``n``-th correct member (distinct ID, n < 500) of ``branch``."""
    number = person_id("430523", "19680312", f"{2 * n + 1:03d}")
    return good_member(name=name_of(n), branch=branch, id_number=number, **changes)


def summary(path: Path, branches: list[str], per_branch: int = 2, extra=()) -> Path:
    """附件3 with one row per branch, 附件4 with ``per_branch`` members each, then ``extra``."""
    count = range(per_branch)
    members = [member(i * per_branch + j, b) for i, b in enumerate(branches) for j in count]
    members += [member(400 + n, b) for n, b in enumerate(extra)]
    return write_book(path, members, [good_org(org_name=b) for b in branches])


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): digest(p) for p in folder.rglob("*") if p.is_file()}


def read_back(path: Path, password: str | None = None) -> dict[str, list[dict]]:
    """Each table kind's records (values by field key) as dyxx reads the file."""
    found: dict[str, list[dict]] = {"orgs": [], "members": []}
    for table in read_workbook(path, password):
        found[table.kind] += [r.values for r in table.records]
    return found


def ids(rows: list[dict]) -> Counter:
    return Counter(str(r.get("id_number")) for r in rows)


def assert_nothing_lost(source: Path, folder: Path, password: str | None = None) -> None:
    """The files hold exactly the input's rows (as multisets: duplicates kept)."""
    given = read_back(source, password)
    split = [read_back(p, password) for p in folder.glob("*.xlsx")]
    assert sum((ids(s["members"]) for s in split), Counter()) == ids(given["members"])
    names = Counter(str(r.get("org_name")) for s in split for r in s["orgs"])
    assert names == Counter(str(r.get("org_name")) for r in given["orgs"])


# -- the committee's summary, split --------------------------------------------------------------


@pytest.fixture
def merged(tmp_path) -> Path:
    books = branch_books(tmp_path / "各支部报送")
    target = tmp_path / "汇总.xlsx"
    done = dyxx("merge", *books, "-o", target, "--date", "2024-08-10", "--today", "2024-06-01")
    assert done.returncode == 1, done  # the fixtures carry errors on purpose
    return target


def test_each_branch_gets_its_own_rows_and_the_unmatched_member_is_kept(merged, tmp_path):
    out = tmp_path / "各支部"
    done = dyxx("split", merged, "-o", f"{out}/")
    assert done.returncode == 1, done
    names = {p.name for p in out.iterdir()}
    assert names == {f"{n}.xlsx" for n in (ORGAN, FARM, TIMBER)} | {UNMATCHED}
    farm = read_back(out / f"{FARM}.xlsx")
    assert [r["org_name"] for r in farm["orgs"]] == [FARM]
    assert {r["branch"] for r in farm["members"]} == {FARM} and len(farm["members"]) == 5
    organ = read_back(out / f"{ORGAN}.xlsx")
    assert [r["org_name"] for r in organ["orgs"]] == [ORGAN, ORGAN]  # its repeated row too
    left = read_back(out / UNMATCHED)
    assert [(r["name"], r["branch"]) for r in left["members"]] == [("黄磊", RETIRED)]
    assert_nothing_lost(merged, out)
    assert "有 1 名党员未分到党支部" in done.stdout and RETIRED in done.stdout
    assert "附件3 4 行、附件4 13 名党员，与汇总表一致" in done.stdout


def test_the_layout_and_header_are_the_summarys_and_numbers_start_again(merged, tmp_path):
    out = tmp_path / "各支部"
    dyxx("split", merged, "-o", out)
    book = openpyxl.load_workbook(out / f"{TIMBER}.xlsx")
    given = openpyxl.load_workbook(merged)
    assert book.sheetnames == ["附件3 党组织汇总表", "附件4 党员汇总表"]
    for title in book.sheetnames:
        sheet, source = book[title], given[title]
        head = [[c.value for c in row] for row in sheet.iter_rows(max_row=DATA_ROW - 1)]
        assert head == [[c.value for c in row] for row in source.iter_rows(max_row=DATA_ROW - 1)]
        assert sheet.merged_cells.ranges == source.merged_cells.ranges
    members = book["附件4 党员汇总表"]
    assert [members.cell(DATA_ROW + n, 1).value for n in range(4)] == [1, 2, 3, None]
    assert "汇总日期：2024年8月10日" in [c.value for c in members[3]]
    assert "基层党委：中共邵阳县林业局委员会" == members["A3"].value


def test_the_unmatched_file_says_why(tmp_path):
    source = summary(
        tmp_path / "汇总.xlsx", [BRANCH], extra=["中共邵阳县林业局机关支布委员会", None]
    )
    out = tmp_path / "out"
    done = dyxx("split", source, "-o", out)
    assert done.returncode == 1, done
    checked = dyxx("check", out / UNMATCHED, "--today", "2024-06-01")
    assert "submission.empty_table" not in checked.stdout  # its one error: 所在党支部 blank
    assert "所在党支部" in checked.stdout and "共检查 2 行：错误 1 个，警告 0 个" in checked.stdout
    book = openpyxl.load_workbook(out / UNMATCHED)
    assert book.sheetnames == ["附件4 党员汇总表", "未匹配原因"]  # no empty 附件3 to warn about
    reasons = book["未匹配原因"]
    rows = [[c.value for c in row] for row in reasons.iter_rows(min_row=6, max_col=3)]
    assert rows == [
        [
            "中共邵阳县林业局机关支布委员会",
            1,
            f"附件3中没有名为“中共邵阳县林业局机关支布委员会”的党组织（是否应为“{BRANCH}”？）",
        ],
        ["（未填所在党支部）", 1, "没有填写所在党支部"],
    ]
    assert "2 名党员未分到党支部" in done.stdout and "没有填写所在党支部" in done.stdout
    assert len(read_back(out / f"{BRANCH}.xlsx")["members"]) == 2


def test_a_clean_summary_splits_with_exit_0_and_no_unmatched_file(tmp_path):
    source = summary(tmp_path / "汇总.xlsx", [BRANCH, FARM], per_branch=3)
    out = tmp_path / "out"
    done = dyxx("split", source, "-o", out)
    assert done.returncode == 0, done
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{BRANCH}.xlsx", f"{FARM}.xlsx"])
    assert "未分到" not in done.stdout
    assert_nothing_lost(source, out)
    for book in out.iterdir():  # each file passes dyxx check as its branch's own submission
        assert dyxx("check", book, "--today", "2024-06-01").returncode == 0


def test_a_branch_without_members_still_gets_its_row(tmp_path):
    members = [member(1, BRANCH)]
    source = write_book(tmp_path / "汇总.xlsx", members, [good_org(), good_org(org_name=FARM)])
    out = tmp_path / "out"
    assert dyxx("split", source, "-o", out).returncode == 0
    assert read_back(out / f"{FARM}.xlsx") == {
        "orgs": [read_back(source)["orgs"][1]],
        "members": [],
    }


def test_names_written_differently_still_match_as_everywhere_in_dyxx(tmp_path):
    org = "中共邵阳县林场第1支部委员会"
    members = [
        member(1, " 中共邵阳县林场 第1支部委员会 "),
        member(2, "中共邵阳县林场第１支部委员会"),
    ]
    source = write_book(tmp_path / "汇总.xlsx", members, [good_org(org_name=org)])
    out = tmp_path / "out"
    assert dyxx("split", source, "-o", out).returncode == 0
    assert [p.name for p in out.iterdir()] == [f"{org}.xlsx"]
    assert len(read_back(out / f"{org}.xlsx")["members"]) == 2


def test_members_only_are_split_by_the_branch_as_written(tmp_path):
    source = write_book(
        tmp_path / "导出.xlsx", [member(1, BRANCH), member(2, FARM), member(3, BRANCH)], None
    )
    out = tmp_path / "out"
    done = dyxx("split", source, "-o", out)
    assert done.returncode == 0, done
    assert "没有附件3" in done.stdout
    assert len(read_back(out / f"{BRANCH}.xlsx")["members"]) == 2
    assert_nothing_lost(source, out)


# -- hostile and awkward input -------------------------------------------------------------------


def test_hostile_branch_names_become_safe_distinct_files_inside_the_folder(tmp_path):
    source = summary(tmp_path / "汇总.xlsx", HOSTILE)
    out = tmp_path / "out"
    done = dyxx("split", source, "-o", out)
    assert done.returncode == 0, done
    written = sorted(out.iterdir())
    assert len(written) == len(HOSTILE)  # colliding safe names numbered, none replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "汇总.xlsx"]  # ../x stayed in
    for path in written:
        assert_safe_file_name(path.name)
        assert len(path.name) <= 60  # Excel opens paths of up to 218 characters
        book = read_back(path)
        [org] = book["orgs"]
        assert {m["branch"] for m in book["members"]} == {org["org_name"]}
        assert len(book["members"]) == 2
    assert {"CON_.xlsx", "Party A.xlsx", "party a(2).xlsx", "a_b.xlsx", "a_b(2).xlsx"} <= {
        p.name for p in written
    }
    assert_nothing_lost(source, out)
    with zipfile.ZipFile(out / "=HYPERLINK(_http___x_,_点我_).xlsx") as package:
        assert not any(b"<f>" in package.read(p) for p in package.namelist())
    cell = openpyxl.load_workbook(out / "=HYPERLINK(_http___x_,_点我_).xlsx")["附件3 党组织汇总表"]
    assert cell["B6"].value == HYPERLINK and cell["B6"].data_type == "s"
    assert "\x1b" not in done.stdout


def test_a_branch_named_like_the_unmatched_file_does_not_take_its_name(tmp_path):
    source = summary(tmp_path / "汇总.xlsx", ["未匹配党支部的党员"], extra=["别处"])
    out = tmp_path / "out"
    assert dyxx("split", source, "-o", out).returncode == 1
    assert read_back(out / UNMATCHED)["members"][0]["branch"] == "别处"
    assert len(read_back(out / "未匹配党支部的党员(2).xlsx")["members"]) == 2


def test_blank_rows_are_skipped_not_copied(tmp_path):
    source = summary(tmp_path / "汇总.xlsx", [BRANCH, FARM], per_branch=3)
    book = openpyxl.load_workbook(source)
    book["党员基本信息汇总表"].insert_rows(DATA_ROW + 2, amount=3)
    book["党员基本信息汇总表"].insert_rows(DATA_ROW + 7, amount=1)
    book.save(source)
    out = tmp_path / "out"
    assert dyxx("split", source, "-o", out).returncode == 0
    sheet = openpyxl.load_workbook(out / f"{BRANCH}.xlsx")["附件4 党员汇总表"]
    names = [sheet.cell(DATA_ROW + n, 2).value for n in range(4)]
    assert names == [name_of(0), name_of(1), name_of(2), None]
    assert_nothing_lost(source, out)


@pytest.mark.office
def test_a_summary_saved_by_libreoffice_splits_the_same(office, tmp_path):
    plain = summary(tmp_path / "汇总.xlsx", [BRANCH, FARM, "CON"], per_branch=4, extra=["别处"])
    resaved = tmp_path / "另存.xlsx"
    office.call("evaluate", path=str(plain), values={}, rows={}, save_as=str(resaved))
    outs = {}
    for source in (plain, resaved):
        outs[source] = tmp_path / f"out-{source.stem}"
        assert dyxx("split", source, "-o", outs[source]).returncode == 1
        assert_nothing_lost(source, outs[source])
    assert sorted(p.name for p in outs[plain].iterdir()) == sorted(
        p.name for p in outs[resaved].iterdir()
    )
    for path in outs[resaved].iterdir():
        assert read_back(path) == read_back(outs[plain] / path.name)
    cells = {"附件4 党员汇总表": ["A6", "C6", "D6", "A9"], "附件3 党组织汇总表": ["B6"]}
    seen = office.call("inspect", path=str(outs[resaved] / "CON_.xlsx"), cells=cells)["cells"]
    members = seen["附件4 党员汇总表"]
    assert [members[a]["string"] for a in ("A6", "C6", "A9")] == ["1", "CON", "4"]
    assert members["D6"]["string"] == person_id("430523", "19680312", "017")  # text, whole
    assert seen["附件3 党组织汇总表"]["B6"]["string"] == "CON"


# -- options and what is on disk ---------------------------------------------------------------


def test_mask_is_refused_in_chinese_and_nothing_is_written(tmp_path):
    source = summary(tmp_path / "汇总.xlsx", [BRANCH])
    out = tmp_path / "out"
    done = dyxx("split", source, "-o", out, "--mask")
    assert done.returncode == 2
    assert (
        "--mask" in done.stdout and "--encrypt" in done.stdout and "未写出任何文件" in done.stdout
    )
    assert not out.exists()


def test_an_encrypted_summary_gives_encrypted_files_with_its_password(tmp_path):
    plain = summary(tmp_path / "明文.xlsx", [BRANCH, FARM])
    source = tmp_path / "汇总.xlsx"
    source.write_bytes(outputs.encrypt(plain.read_bytes(), "dangyuan2017"))
    out = tmp_path / "out"
    assert dyxx("split", source, "-o", out).returncode == 2  # no password, no terminal to ask
    assert not out.exists()
    done = dyxx("split", source, "-o", out, "--password", "dangyuan2017")
    assert done.returncode == 0, done
    for path in out.iterdir():
        assert path.read_bytes().startswith(OLE)
        assert len(read_back(path, "dangyuan2017")["members"]) == 2


def test_encrypt_uses_the_output_password(tmp_path):
    source = summary(tmp_path / "汇总.xlsx", [BRANCH])
    out = tmp_path / "out"
    done = dyxx("split", source, "-o", out, "--encrypt", env={"DYXX_OUTPUT_PASSWORD": "m-1"})
    assert done.returncode == 0, done
    [path] = out.iterdir()
    assert path.read_bytes().startswith(OLE) and read_back(path, "m-1")["orgs"]


def test_the_input_is_never_overwritten_even_when_a_branch_has_its_name(tmp_path):
    source = summary(tmp_path / f"{FARM}.xlsx", [BRANCH, FARM])
    before = snapshot(tmp_path)
    done = dyxx("split", source, "-o", tmp_path, "--force")
    assert done.returncode == 2 and "输入的文件相同" in done.stdout
    assert snapshot(tmp_path) == before  # not even the other branch's file


def test_a_foreign_file_is_kept_unless_force_and_a_rerun_replaces_its_own(tmp_path):
    source = summary(tmp_path / "汇总.xlsx", [BRANCH, FARM])
    out = tmp_path / "out"
    out.mkdir()
    theirs = out / f"{FARM}.xlsx"
    theirs.write_bytes(b"the branch's own notes")
    done = dyxx("split", source, "-o", out)
    assert done.returncode == 2 and "--force" in done.stdout
    assert snapshot(out) == {f"{FARM}.xlsx": digest(theirs)}  # nothing else appeared
    assert dyxx("split", source, "-o", out, "--force").returncode == 0
    first = snapshot(out)
    assert len(first) == 2 and all(outputs.dyxx_wrote(out / name) for name in first)
    assert read_back(theirs)["orgs"][0]["org_name"] == FARM
    summary(source, [BRANCH, FARM], per_branch=3)  # the summary changed since
    assert dyxx("split", source, "-o", out).returncode == 0  # its own outputs: replaced
    assert snapshot(out).keys() == first.keys()
    assert len(read_back(theirs)["members"]) == 3


def test_an_output_that_is_a_file_is_refused(tmp_path):
    source = summary(tmp_path / "汇总.xlsx", [BRANCH])
    (tmp_path / "out").write_bytes(b"x")
    done = dyxx("split", source, "-o", tmp_path / "out")
    assert done.returncode == 2 and "文件夹" in done.stdout


def test_a_failed_rename_puts_every_earlier_output_back(tmp_path, monkeypatch):
    source = summary(tmp_path / "汇总.xlsx", [BRANCH, FARM, TIMBER])
    out = tmp_path / "out"
    assert dyxx("split", source, "-o", out).returncode == 0
    before = snapshot(out)
    summary(source, [BRANCH, FARM, TIMBER], per_branch=3)  # the summary changed since
    real, renamed = os.replace, []

    def third_fails(src, dst):
        if str(src).endswith(".tmp"):
            renamed.append(dst)
            if len(renamed) == 3:
                raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(os, "replace", third_fails)
    done = dyxx("split", source, "-o", out)
    monkeypatch.undo()
    assert done.returncode == 2 and "未写出任何内容" in done.stdout, done
    assert len(renamed) == 3
    assert snapshot(out) == before  # the two placed are taken back, the old ones restored
    assert [p.name for p in out.iterdir() if p.name.startswith(".dyxx-")] == []


@pytest.mark.e2e
def test_a_full_disk_leaves_no_file_at_all(tmp_path):
    source = summary(tmp_path / "汇总.xlsx", [f"第{n}支部" for n in range(40)], per_branch=1)
    disk = tmp_path / "disk"
    disk.mkdir()
    script = (
        f"mount -t tmpfs -o size=96k tmpfs {disk} && "
        f"{shlex.join(console_script())} split {source} -o {disk}/各支部; "
        f"echo rc=$?; find {disk} -mindepth 1 | wc -l"
    )
    done = subprocess.run(
        ["unshare", "--map-root-user", "--mount", "sh", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert "rc=2" in done.stdout and "磁盘空间不足" in done.stdout, done.stdout + done.stderr
    assert "内部错误" not in done.stdout + done.stderr
    assert "第0支部.xlsx" not in done.stdout  # the disk filled after some files were staged
    assert done.stdout.strip().endswith("0")  # neither a file nor the folder stayed


def test_the_help_documents_the_exit_codes():
    done = dyxx("split", "--help")
    assert done.returncode == 0 and "未匹配党支部的党员.xlsx" in done.stdout


def test_an_empty_summary_is_a_file_problem(tmp_path):
    source = write_book(tmp_path / "空表.xlsx", [], [])
    done = dyxx("split", source, "-o", tmp_path / "out")
    assert done.returncode == 2 and "没有可拆分的内容" in done.stdout and "空表.xlsx" in done.stdout
    assert not (tmp_path / "out").exists()


def test_rows_that_are_no_record_are_counted_and_named(tmp_path):
    source = summary(tmp_path / "汇总.xlsx", [BRANCH])
    book = openpyxl.load_workbook(source)
    sheet = book["党员基本信息汇总表"]
    sheet.cell(DATA_ROW + 3, 1, "填表人：张三")
    sheet.cell(DATA_ROW + 4, 2, "王五")
    sheet.cell(DATA_ROW + 4, 4, person_id("430523", "19700101", "123"))
    book.save(source)
    done = dyxx("split", source, "-o", tmp_path / "out")
    assert done.returncode == 0, done
    assert "1 行不是党员或党组织记录" in done.stdout
