"""The ``dyxx`` command line: one Typer app, one module per command group."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from addin.cli.chinese import ChineseTyper
from addin.cli.cjkwrap import as_chinese_text
from addin.model.celltext import for_terminal
from addin.model.errors import WorkbookError
from addin.values.cells import parse_date
from addin.xlsx.source import is_encrypted

app = ChineseTyper(
    help="党员信息校验：检查党组织和党员基本信息汇总表（附件3、附件4）。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
SEVERITY_STYLE = {"error": ("错误", "bold red"), "warning": ("警告", "yellow")}


@app.callback()
def _root() -> None:
    """党员信息校验（dyxx）：检查附件3、附件4汇总表。"""


def shown(text: object) -> str:
    """Text from data or a file name, safe to print: no markup, no control sequence."""
    return escape(for_terminal(str(text)))


def shown_text(text: object) -> Text:
    """:func:`shown` as rich Text for a table cell, its lines broken like Chinese."""
    return as_chinese_text(Text(for_terminal(str(text))))


def fail(console: Console, exc: WorkbookError) -> typer.Exit:
    """Print a file problem in Chinese (no traceback); the caller raises the returned exit 2."""
    console.print(f"[bold red]无法处理[/] {shown(exc.path)}：{shown(exc.problem)}", highlight=False)
    return typer.Exit(2)


def without_lock_files(console: Console, files: list[Path]) -> list[Path]:
    """The inputs less Excel's lock files (``~$名单.xlsx``), each skipped with a note.

    Excel leaves one beside every open workbook; ``*.xlsx`` picks it up. When
    nothing else is left, it is a file problem (exit 2), not an empty batch.
    """
    kept = [f for f in files if not f.name.startswith("~$")]
    for lock in (f for f in files if f.name.startswith("~$")):
        if kept:
            console.print(
                f"跳过 {shown(lock.name)}：这是 Excel 打开工作簿时留下的锁定文件，不是工作簿",
                highlight=False,
            )
        else:
            raise fail(
                console,
                WorkbookError(
                    lock, "这是 Excel 打开工作簿时留下的锁定文件，不是工作簿；请给出工作簿本身"
                ),
            )
    return kept


def output_path(
    raw: str, default_name: str, suffixes: tuple[str, ...] = (".xlsx", ".xlsm")
) -> Path:
    """Where ``-o`` points; a folder (existing, trailing slash, no extension) gets ``default_name``.

    >>> output_path("结果/", "名册_校验.xlsx"), output_path("a.xlsx", "b.xlsx")
    (PosixPath('结果/名册_校验.xlsx'), PosixPath('a.xlsx'))
    """
    path = Path(raw)
    if raw.endswith(("/", "\\", os.sep)) or path.is_dir() or not path.suffix:
        return path / default_name
    if path.suffix.lower() not in suffixes:
        wanted = "（或带宏的 .xlsm）" if ".xlsm" in suffixes else ""
        raise WorkbookError(path, f"输出文件应为 .xlsx{wanted} 工作簿，或一个文件夹")
    return path


def copy_suffix(file: Path) -> str:
    """The extension of a copy of ``file``: macros stay in an .xlsm, all else is .xlsx."""
    return ".xlsm" if file.suffix.lower() == ".xlsm" else ".xlsx"


def day(value: str) -> date:
    """The parser of every date option: the spellings a date cell may hold.

    ``2017-07-10``, ``2017/7/10``, ``2017.7.10``, ``2017年7月10日``, ``20170710``
    (:func:`addin.values.cells.parse_date`, any day, also a future one); otherwise a
    usage error (exit 2) saying what is wrong with it.

    >>> day("2017/7/10"), day("2017年7月10日"), day("20170710")
    (datetime.date(2017, 7, 10), datetime.date(2017, 7, 10), datetime.date(2017, 7, 10))
    """
    parsed = parse_date(value, today=date.max)
    if parsed.value is not None:
        return parsed.value
    blank = "没有给出日期，请写作年月日，例如 2017-07-10"
    raise typer.BadParameter(parsed.problems[0].message if parsed.problems else blank)


def date_option(name: str, help: str, *, hidden: bool = False):
    """A ``--name 日期`` option, parsed by :func:`day` (None when not given)."""
    return typer.Option(name, parser=day, metavar="<日期>", help=help, hidden=hidden)


TodayOption = Annotated[
    date | None, date_option("--today", "按指定日期校验，默认今天", hidden=True)
]
OUTPUT_PASSWORD_VARIABLE = "DYXX_OUTPUT_PASSWORD"

PasswordOption = Annotated[
    str | None,
    typer.Option(
        "--password",
        envvar="DYXX_PASSWORD",
        show_envvar=True,
        help="加密工作簿的打开密码；不提供时在终端提示输入（输入内容不显示）",
    ),
]
EncryptOption = Annotated[
    bool,
    typer.Option(
        "--encrypt",
        help=f"输出的工作簿加密保存：密码取自环境变量 {OUTPUT_PASSWORD_VARIABLE}，否则提示输入",
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help="允许覆盖已有的、不是 dyxx 写出的（或写出后被改动过的）同名文件；"
        "输入的文件永远不会被覆盖",
    ),
]
LimitOption = Annotated[
    int, typer.Option("--limit", help="屏幕上每个工作表最多列出的问题数（0 表示全部）")
]
MaskOption = Annotated[
    bool,
    typer.Option("--mask", help="屏蔽身份证号和电话号码的中间几位（报告外发时使用）"),
]


def input_passwords(files: Iterable[Path], password: str | None) -> dict[Path, str]:
    """The opening password of every encrypted input, asked for when not given."""
    passwords: dict[Path, str] = {}
    for file in files:
        if not is_encrypted(file):
            continue
        if password:
            passwords[file] = password
        elif sys.stdin.isatty():
            passwords[file] = getpass.getpass(f"请输入“{for_terminal(file.name)}”的打开密码：")
    return passwords


def output_password(encrypt: bool, inherited: dict[Path, str]) -> str | None:
    """The password for output workbooks: --encrypt, or the input's own password.

    An encrypted input never yields an unencrypted copy: without --encrypt the
    copy is protected with the same password as its source.
    """
    if not encrypt:
        if len(set(inherited.values())) > 1:  # which one would the officer expect? ask
            raise typer.BadParameter(
                "输入的文件用了不同的打开密码，输出用哪一个无法确定："
                "请加 --encrypt 为输出另设一个密码"
            )
        return next(iter(inherited.values()), None)
    if os.environ.get(OUTPUT_PASSWORD_VARIABLE):
        return os.environ[OUTPUT_PASSWORD_VARIABLE]
    if not sys.stdin.isatty():
        raise typer.BadParameter(f"--encrypt 需要密码：请设置环境变量 {OUTPUT_PASSWORD_VARIABLE}")
    first = getpass.getpass("请设置输出文件的打开密码：")
    if not first or getpass.getpass("请再输入一次：") != first:
        raise typer.BadParameter("两次输入的密码不一致（或为空），未写出任何文件")
    return first
