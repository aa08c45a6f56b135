"""Chinese all the way: every help page and every kind of usage error, at 80 columns.

The frame (``用法：``, panel titles, ``[必填]``, the help option, usage errors) comes from
:mod:`addin.cli.chinese`; what is left of English after it is only what a user types:
option and command names, environment variables, file extensions, product names.
"""

from __future__ import annotations

import enum
import itertools
import json
import re
from typing import Annotated

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from addin.cli.chinese import ChineseTyper, phrase
from addin.cli.cjkwrap import line_breaks
from addin.cli.workflow import share
from tests.support.books import good_member, good_org
from tests.support.cli import dyxx, registered_commands

NARROW = {"COLUMNS": "80"}
#: Names a user types or reads on the box: allowed in Chinese text.
NAMES = {
    "dyxx", "Excel", "WPS", "LibreOffice", "PDF", "JSON", "VBA", "Python", "PYTHONPATH",
    "xlwings", "DLL", "XLSTART", "macOS", "Windows", "xlsx", "xlsm", "xls", "xlam", "soffice",
    "templates", "dist",  # default folders: typed as they are
    "Ctrl",  # a key on the keyboard (Ctrl+C)
}  # fmt: skip
TYPED = re.compile(
    r"--?[A-Za-z][\w-]*"  # an option
    r"|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b"  # an environment variable
    r"|[\w.\-/]+\.(?:xlsx|xlsm|xls|xlam)\b"  # a file name
)
COMMANDS = sorted(registered_commands())


def english(text: str, *typed: str) -> set[str]:
    """The English words in ``text`` that are neither a name nor something the user typed."""
    words = set(re.findall(r"[A-Za-z]{2,}", TYPED.sub(" ", text)))
    allowed = NAMES | {w for c in COMMANDS for w in c.split()}
    allowed |= {w for t in typed for w in re.findall(r"[A-Za-z]{2,}", t)}
    return words - allowed


def assert_chinese(text: str, *typed: str) -> None:
    assert not english(text, *typed), text
    too_wide = [line for line in text.splitlines() if cell_len(line) > 80]
    assert not too_wide, "\n".join(too_wide)


@pytest.mark.parametrize("command", ["", "addin", *COMMANDS])
def test_every_help_page_is_chinese_and_fits_80_columns(command):
    ran = dyxx(*command.split(), "--help", env=NARROW)
    assert ran.returncode == 0, ran
    assert "用法：dyxx" in ran.stdout and "显示本帮助并退出" in ran.stdout
    assert_chinese(ran.output)


def test_no_argument_shows_the_chinese_help(tmp_path):
    for args in ([], ["addin"]):
        ran = dyxx(*args, env=NARROW)
        assert "用法：dyxx" in ran.output and "命令" in ran.output
        assert_chinese(ran.output)


def test_help_shows_what_is_required_and_the_defaults():
    ran = dyxx("merge", "--help", env=NARROW)
    assert "[必填]" in ran.stdout and "[默认：50]" in ran.stdout
    assert "[环境变量：DYXX_PASSWORD]" in ran.stdout
    assert "<日期>" in ran.stdout and "<工作簿...>" not in ran.stdout
    assert "{工作簿...}" in ran.stdout  # the usage line names the argument in Chinese


USAGE_ERRORS = {
    "missing option": (["merge", "a.xlsx"], "缺少选项 -o / --output"),
    "missing argument": (["check"], "缺少参数“工作簿...”"),
    "unknown command": (["chek"], "没有“chek”这个命令；您要的是不是 check？"),
    "unknown option": (["check", "a.xlsx", "--jsn"], "没有 --jsn 这个选项；您要的是不是 --json？"),
    "not an integer": (["check", "a.xlsx", "--limit", "many"], "“many”不是有效的整数"),
    "option without value": (["check", "a.xlsx", "--limit"], "选项 --limit 后面要给一个值"),
    "flag with a value": (["check", "a.xlsx", "--json=yes"], "选项 --json 后面不能带值"),
    "extra argument": (["verify", "a.xlsx", "b.xlsx"], "多余的参数：b.xlsx"),
    "bad date": (["merge", "a", "-o", "b", "--date", "2017.7"], "--date 的值不对：日期“2017.7”"),
    "bad ratio": (["sample", "a.xlsx", "-o", "b.xlsx", "--ratio", "10"], "要抽 10%，请写作 10%"),
    "no subcommand": (["addin", "biuld"], "没有“biuld”这个命令；您要的是不是 build？"),
}  # fmt: skip


@pytest.mark.parametrize(("args", "said"), USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_every_usage_error_is_chinese_with_a_chinese_hint(args, said):
    ran = dyxx(*args, env=NARROW)
    assert ran.returncode == 2, ran
    assert said in ran.stderr
    assert "─ 错误 ─" in ran.stderr and "Error" not in ran.stderr
    assert_chinese(ran.stderr, *args)


def test_a_usage_error_in_context_shows_the_chinese_usage_and_help_hint():
    ran = dyxx("merge", "a.xlsx", env=NARROW)
    assert "用法：dyxx merge [选项] {工作簿...}" in ran.stderr
    assert "运行 dyxx merge --help 查看帮助。" in ran.stderr


def test_a_hostile_value_in_a_usage_error_stays_text():
    ran = dyxx("check", "a.xlsx", "--limit", "[red]x\x1b]52;c;aGk=\x07", env=NARROW)
    assert ran.returncode == 2 and "\x1b]52" not in ran.stderr and "[red]x" in ran.stderr


class Kind(enum.Enum):
    org = "org"
    member = "member"


def test_a_new_command_gets_the_chinese_frame_without_doing_anything(capsys):
    """A command another module adds (here a throwaway app) is localised like the rest."""
    app = ChineseTyper(add_completion=False)

    @app.command()
    def pick(
        kind: Annotated[Kind, typer.Option("--kind", help="种类")],
        count: Annotated[int, typer.Argument(help="数量")] = 1,
    ) -> None:
        """选一种。"""

    @app.command()
    def other() -> None:
        """另一个命令。"""

    for args, said in [
        (["pick", "--kind", "party"], "选项 --kind 的值不对：“party”不是可选的值：org、member"),
        (["pick", "--kind", "org", "x"], "参数“整数”的值不对：“x”不是有效的整数"),
        (["pick"], "缺少选项 --kind"),
    ]:
        with pytest.raises(SystemExit) as exit:
            app(args, prog_name="dyxx")
        assert exit.value.code == 2
        assert said in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit:
        app(["pick", "--help"], prog_name="dyxx")
    assert exit.value.code == 0
    shown = capsys.readouterr().out
    assert "用法：dyxx pick [选项] [整数]" in shown and "─ 选项 ─" in shown and "─ 参数 ─" in shown
    assert not english(shown, "pick", "org", "member")


ENGLISH = [
    "No such command 'chek'.",
    "No such command 'chek'. Did you mean 'check', 'clean'?",
    "Got unexpected extra argument (b)",
    "Got unexpected extra arguments (b c)",
    "Missing command.",
    "Option '--limit' requires an argument.",
    "Option '--pair' requires 2 arguments.",
    "Option '--json' does not take a value.",
    "Argument 'pair' takes 2 values.",
    "'maybe' is not a valid boolean. Recognized values: 0, 1, false, true",
    "'x' is not a valid integer.",
    "'x' is not a valid float.",
    "5 is not in the range 0<=x<=3.",
    "'party' is not one of 'org', 'member'.",
    "Path '名册.xlsx' does not exist.",
    "File '名册' is a directory.",
    "Directory '名册.xlsx' is a file.",
    "File '名册.xlsx' is not readable.",
    "Directory '结果' is not writable.",
    "Takes 2 values but 1 given.",
    "2 values are required, but 1 given.",
]


@pytest.mark.parametrize("message", ENGLISH)
def test_every_click_message_has_its_chinese(message):
    said = phrase(message)
    assert said != message and re.search("[\u4e00-\u9fff]", said)
    typed = ["chek", "check", "clean", "maybe", "false", "true", "party", "org", "member", "pair"]
    assert not english(said, *typed)


def test_a_message_already_chinese_is_left_as_it_is():
    assert phrase("抽样比例应大于 0") == "抽样比例应大于 0"


@pytest.mark.parametrize(
    ("given", "ratio"),
    [("10%", 0.1), ("10％", 0.1), ("12.5%", 0.125), ("0.1", 0.1), ("１", 1.0), ("100%", 1.0)],
)
def test_the_ratio_takes_a_percentage_or_a_fraction(given, ratio):
    assert share(given) == pytest.approx(ratio)


@pytest.mark.parametrize("given", ["10", "0", "150%", "-5%", "abc", "nan", "inf", ""])
def test_a_ratio_out_of_range_is_refused_in_chinese(given):
    with pytest.raises(typer.BadParameter, match="抽样比例"):
        share(given)


def test_a_percentage_ratio_samples_that_share(book, tmp_path):
    path = book(members=[good_member()], orgs=[good_org()])
    out = tmp_path / "抽查.xlsx"
    ran = dyxx("sample", path, "--ratio", "10%", "--seed", "7", "-o", out)
    assert ran.returncode == 0, ran
    assert "抽样比例 10%" in ran.stdout and out.exists()


@pytest.mark.parametrize("as_json", [False, True])
def test_check_o_says_where_it_wrote_the_copy(book, tmp_path, as_json):
    path = book(members=[good_member()], orgs=[good_org()])
    out = tmp_path / "标注.xlsx"
    ran = dyxx("check", path, "-o", out, *(["--json"] if as_json else []))
    assert ran.returncode == 0, ran
    said = ran.stderr if as_json else ran.stdout
    assert f"已写出标注副本 {out}" in said.replace("\n", "") and out.exists()
    if as_json:
        json.loads(ran.stdout)  # the report alone on stdout


def test_a_full_width_space_is_named_on_the_terminal(book):
    """A 全角空格 looks like a space and is not one: the officer sees its name, not U+3000."""
    path = book(members=[good_member(name="李\u3000建国")], orgs=[good_org()])
    ran = dyxx("check", path, "--limit", "0")
    assert ran.returncode in (0, 1), ran
    assert "李〔全角空格〕建国" in ran.stdout
    assert "\u3000" not in ran.stdout and "U+3000" not in ran.stdout


@given(st.text(alphabet="允许覆盖（）“”，。、 dyxx-o", max_size=60), st.integers(2, 30))
def test_chinese_lines_keep_every_character_and_fit(text, width):
    breaks = line_breaks(text, width)
    assert all(0 < a < b for a, b in itertools.pairwise([*breaks, len(text)]))
    cuts = [0, *breaks, len(text)]
    pieces = [text[a:b] for a, b in itertools.pairwise(cuts)]
    assert "".join(pieces) == text
    assert all(cell_len(piece.rstrip()) <= width for piece in pieces)


def test_the_findings_table_at_80_columns_breaks_lines_like_chinese(book):
    wrong = good_member(branch="林业局机关支部", gender="女", mobile="0739-682123")
    ran = dyxx("check", book(members=[wrong], orgs=[good_org()]), env=NARROW)
    assert ran.returncode == 1, ran
    cells = [c.strip() for line in ran.stdout.splitlines() for c in line.split("│")[1:-1]]
    assert any("请核对" in c for c in cells)
    assert not [c for c in cells if c and c[0] in "，。、；：）”"], ran.stdout
    assert all(cell_len(line) <= 80 for line in ran.stdout.splitlines())
