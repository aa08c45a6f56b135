"""addin.model.safename: file and sheet names built from data are safe everywhere and distinct.

Each rule is checked by an independent predicate (``assert_safe_file_name`` in tests/support,
written from the Windows, macOS and Linux rules rather than from the module),
and every name is also created as a real file, with the longest suffix dyxx adds.
"""

from __future__ import annotations

import pytest

from addin.model.safename import PLACEHOLDER, Namer, file_stem, key, sheet_title, unique
from tests.support.names import RARE, assert_safe_file_name

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one ZWJ emoji
HOSTILE = [
    "--accept=socket,host=0.0.0.0,port=2002;urp;",
    "-rf",
    "-",
    "CON",
    "con.xlsx",
    "nul.txt",
    "COM1",
    "lpt9 .tar.gz",
    "AUX ",
    "..",
    ".",
    ".hidden",
    "...",
    RARE,
    "党支部" + FAMILY * 40,
    "旗\U0001f1e8\U0001f1f3",
    "第一\n支部",
    "第一\t支部\r",
    "支部\u202excod.exe",
    "\u2066隔离\u2069",
    "a/b\\c",
    "../../etc/passwd",
    "C:\\Windows\\x",
    'a<b>c:"d"|e?f*',
    "第二支部. . ",
    " 前后空格 ",
    "\x00\x1b[31m红\x7f\x85",
    "e\u0301",  # decomposed é
    "\ud800孤",  # a lone surrogate (from a badly decoded name)
    "",
    "   ",
    "\u200b\u200d",
    "A" * 600,
    '=HYPERLINK("http://x","点我")',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_every_stem_is_safe_and_can_be_created(text, tmp_path):
    stem = file_stem(text)
    numbered = f"{stem}(99).xlsx"
    for name in (f"{stem}.xlsx", numbered, f"{stem}.pdf"):
        assert_safe_file_name(name)
    (tmp_path / numbered).write_bytes(b"x")  # a real file system takes it (255 bytes a name)
    assert [p.name for p in tmp_path.iterdir()] == [numbered]


@pytest.mark.parametrize(
    ("text", "stem"),
    [
        (
            "--accept=socket,host=0.0.0.0,port=2002;urp;",
            "accept=socket,host=0.0.0.0,port=2002;urp;",
        ),
        ("-rf", "rf"),
        ("CON", "CON_"),
        ("con.xlsx", "con_.xlsx"),
        ("nul.txt", "nul_.txt"),
        ("AUX ", "AUX_"),
        ("COM10", "COM10"),  # not a device
        ("CONSOLE", "CONSOLE"),
        ("..", PLACEHOLDER),
        ("", PLACEHOLDER),
        ("\u200b", PLACEHOLDER),
        (".hidden", "hidden"),
        ("第一\n支部\t甲", "第一_支部_甲"),
        ("支部\u202excod.exe", "支部xcod.exe"),
        ("a/b\\c", "a_b_c"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("第二支部. . ", "第二支部"),
        ("e\u0301", "\u00e9"),
        ("第一/第二:联合支部", "第一_第二_联合支部"),
        ("党支部" + FAMILY, "党支部\U0001f468\U0001f469\U0001f467\U0001f466"),
    ],
)
def test_stems(text, stem):
    assert file_stem(text) == stem


def test_long_names_are_cut_between_characters():
    stem = file_stem(RARE)
    assert len(stem.encode("utf-8")) == 200 and RARE.startswith(stem)  # 50 whole characters
    assert len(stem.encode("utf-16-le")) // 2 == 100  # surrogate pairs kept whole
    mixed = file_stem("甲" * 66 + RARE)  # 198 bytes, then a 4-byte character does not fit
    assert mixed == "甲" * 66
    assert file_stem("a" * 600) == "a" * 200
    assert file_stem("甲" * 66 + ". " + "乙" * 10).endswith("甲")  # no trailing dot left by the cut


def test_repeats_are_numbered_whatever_their_case_or_width():
    names = ["Party A", "party a", "ＰＡＲＴＹ Ａ", "第1支部", "第１支部", "CON", "con", "Con"]
    assert unique(names) == [
        "Party A",
        "party a(2)",
        "ＰＡＲＴＹ Ａ(3)",
        "第1支部",
        "第１支部(2)",
        "CON_",
        "con_(2)",
        "Con_(3)",
    ]
    assert len({key(n) for n in unique(names)}) == len(names)


def test_a_name_already_numbered_is_not_taken_twice():
    assert unique(["甲(2)", "甲", "甲"]) == ["甲(2)", "甲", "甲(3)"]


def test_numbered_long_names_stay_within_the_limit():
    namer = Namer()
    stems = [namer(RARE) for _ in range(120)]
    assert len(set(stems)) == 120 and stems[-1].endswith("(120)")
    assert all(len(s.encode("utf-8")) <= 200 for s in stems)
    assert all(RARE.startswith(s.rsplit("(", 1)[0]) for s in stems[1:])


def test_stems_are_stable():
    for text in HOSTILE:
        assert file_stem(file_stem(text)) == file_stem(text)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("001 张三", "001 张三"),
        ("001 [张三]:*?/\\", "001 _张三______"),
        ("'引号'", "引号"),
        ("History", "History_"),
        ("HISTORY", "HISTORY_"),
        ("history2", "history2"),
        ("", PLACEHOLDER),
        ("001 甲\x0b乙", "001 甲_乙"),
        ("001 \u202e甲", "001 甲"),
        ('001 =HYPERLINK("http://x","点我")', '001 =HYPERLINK("http___x","点我")'),
        ("-rf", "-rf"),  # a sheet name is never a file or an option
    ],
)
def test_sheet_titles(text, title):
    assert sheet_title(text, set()) == title


def test_sheet_titles_are_short_and_unique_without_case():
    taken: set[str] = set()
    titles = [sheet_title(t, taken) for t in ("甲" * 40, "甲" * 40, "Ab", "aB", "ＡＢ", "𠀀" * 20)]
    assert titles[:5] == ["甲" * 31, "甲" * 28 + "(2)", "Ab", "aB(2)", "ＡＢ(3)"]
    assert titles[5] == "𠀀" * 15  # 30 UTF-16 units: Excel counts units
    assert all(len(t.encode("utf-16-le")) // 2 <= 31 for t in titles)
    assert not any(t[0] == "'" or t[-1] == "'" for t in titles)
