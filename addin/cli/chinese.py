"""The command line's own frame in Chinese: help pages, usage lines and usage errors.

typer 0.28 (pinned) carries its own copy of click, without gettext, so there is no message
catalogue to install. The frame is made Chinese where typer lets it be changed:

- ``typer.rich_utils``' settings: panel titles, ``[默认：…]``, ``[必填]``, the help hint,
  and its highlighter, which here also breaks lines between Chinese characters instead of
  cutting a sentence off with "…";
- the click command tree built from the app, before it runs (:func:`localise`): usage
  metavars, the help option's text, value type names, the ``用法：`` prefix;
- the usage errors, each put in Chinese from what the exception carries (:func:`reworded`)
  and shown in typer's own error panel.

A command added to the app needs nothing more: every command and parameter of the tree is
localised, and ``tests/test_cli_chinese.py`` renders every help page and error kind. Give an
argument a Chinese ``metavar`` (``工作簿...``; else it is named after its type, ``路径``) and let
a ``--x/--no-x`` switch's help say its default (typer would print the bare option name).
"""

from __future__ import annotations

import copy
import inspect
import re
import sys
from collections.abc import Callable
from typing import Any

import typer
import typer.main
from rich.text import Text
from typer import rich_utils
from typer._click import exceptions as errors  # typer's own click: its exceptions have no alias
from typer._click.core import Parameter
from typer._click.formatting import HelpFormatter
from typer.core import TyperArgument as Argument
from typer.core import TyperGroup as Group

from addin.cli.cjkwrap import as_chinese_text

USAGE = "用法："
HELP_TEXT = "显示本帮助并退出"
OPTIONS = "[选项]"
SUBCOMMAND = "命令 [参数]..."
#: What a value of each click type is called (``<整数>`` in help, "不是有效的整数" in errors).
TYPE_NOUNS = {
    "text": "文本",
    "str": "文本",
    "string": "文本",
    "int": "整数",
    "integer": "整数",
    "float": "数字",
    "path": "路径",
    "file": "文件",
    "directory": "文件夹",
    "choice": "选项值",
    "uuid": "UUID",
    "datetime": "日期时间",
}
SETTINGS = {
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "DEFAULT_STRING": "[默认：{}]",
    "ENVVAR_STRING": "[环境变量：{}]",
    "REQUIRED_LONG_STRING": "[必填]",
    "DEPRECATED_STRING": "（已停用）",
    "ABORTED_TEXT": "已取消。",
    "RICH_HELP": "运行 [blue]{command_path} {help_option}[/] 查看帮助。",
}


class ChineseHighlighter(rich_utils.OptionHighlighter):
    """typer's highlighter, whose text breaks its lines like Chinese (:mod:`addin.cli.cjkwrap`).

    Rich breaks lines at spaces only; a table column cuts a longer run with "…", which
    for Chinese (no spaces) is most of a sentence.
    """

    def __call__(self, text: str | Text) -> Text:
        return as_chinese_text(super().__call__(text))


class ChineseFormatter(HelpFormatter):
    """click's help formatter with a Chinese usage prefix."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, USAGE if prefix is None else prefix)


class ChineseContext(typer.Context):
    formatter_class = ChineseFormatter


def install() -> None:
    """Set typer's rich settings to Chinese (idempotent)."""
    for name, value in SETTINGS.items():
        setattr(rich_utils, name, value)
    rich_utils.highlighter = ChineseHighlighter()


def localise(command: Any) -> None:
    """Make ``command`` and everything under it speak Chinese (usage, help option, types)."""
    if command.options_metavar == "[OPTIONS]":
        command.options_metavar = OPTIONS
    command.context_class = ChineseContext
    if command.help:
        command.help = reflowed(command.help)
    help_option = command.get_help_option(ChineseContext(command, info_name=command.name))
    if help_option is not None:
        help_option.help = HELP_TEXT
    for param in command.params:
        _localise_param(param)
    if isinstance(command, Group):
        command.subcommand_metavar = SUBCOMMAND
        for sub in command.commands.values():
            localise(sub)


def reflowed(help: str) -> str:
    """A docstring's paragraphs as one line each, but for breaks after a sentence (``。！？``).

    A docstring is wrapped to fit the source file; typer keeps those breaks in every paragraph
    but the first, where it puts a space. Chinese joins without one; a Latin word keeps its.

    >>> reflowed("汇总：合并\\n各支部。\\n\\n序号重新编排\\n（见“数据来源”）。\\n退出码：0 成功")
    '汇总：合并各支部。\\n\\n序号重新编排（见“数据来源”）。\\n退出码：0 成功'
    >>> reflowed("不生成\\nPDF，以免留下\\n未加密的副本。")
    '不生成 PDF，以免留下未加密的副本。'
    """
    paragraphs = inspect.cleandoc(help).split("\n\n")
    return "\n\n".join(
        p if p.startswith("\b") else _joined(p, first=i == 0) for i, p in enumerate(paragraphs)
    )


def _joined(paragraph: str, *, first: bool) -> str:
    lines = paragraph.split("\n")
    text = lines[0]
    for line in lines[1:]:
        if not first and text.endswith(("。", "！", "？")):
            text += "\n" + line
        elif text[-1:].isascii() or line[:1].isascii():
            text += " " + line
        else:
            text += line
    return text


def _localise_param(param: Parameter) -> None:
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        if param.secondary_opts:  # typer would show "[默认：pdf]": the help says it instead
            param.show_default = False
        return
    noun = TYPE_NOUNS.get(param.type.name)
    if noun is not None:  # a copy: click shares one type object between parameters
        param.type = copy.copy(param.type)
        param.type.name = noun
    if isinstance(param, Argument) and param.metavar is None:
        param.metavar = (noun or "值") + ("..." if param.nargs != 1 else "")


def name_of(param: Parameter | None, hint: object = None) -> str:
    """How an error names a parameter: its option names, or an argument's metavar."""
    if param is None:
        return " / ".join(hint) if isinstance(hint, list | tuple) else str(hint or "")
    if isinstance(param, Argument):
        return f"参数“{param.human_readable_name}”"
    return "选项 " + " / ".join(param.opts)


def _listed(quoted: str) -> str:
    """``'a', 'b'`` (click's list of suggestions or choices) as ``a、b``."""
    return "、".join(part.strip().strip("'\"") for part in quoted.split(","))


def _noun(type_name: str) -> str:
    return TYPE_NOUNS.get(type_name, type_name)


def _command(m: re.Match[str]) -> str:
    text = f"没有“{m[1]}”这个命令"
    return text + (f"；您要的是不是 {_listed(m[2])}？" if m[2] else "")


#: click's and typer's English messages, in Chinese. Each pattern matches one whole message.
PHRASES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"No such command '(.*)'\.(?: Did you mean (.*)\?)?"), _command),
    (
        re.compile(r"Got unexpected extra argument(?:\(s\)|s)? \((.*)\)"),
        lambda m: f"多余的参数：{m[1]}（文件名中有空格时请加引号；选项名是否写错？）",
    ),
    (re.compile(r"Missing command\."), lambda m: "缺少命令"),
    (re.compile(r"Option '(.*)' requires an argument\."), lambda m: f"选项 {m[1]} 后面要给一个值"),
    (
        re.compile(r"Option '(.*)' requires (\d+) arguments\."),
        lambda m: f"选项 {m[1]} 后面要给 {m[2]} 个值",
    ),
    (re.compile(r"Option '(.*)' does not take a value\."), lambda m: f"选项 {m[1]} 后面不能带值"),
    (
        re.compile(r"Argument '(.*)' takes (\d+) values\."),
        lambda m: f"参数 {m[1]} 要给 {m[2]} 个值",
    ),
    (re.compile(r"'(.*)' is not a valid boolean\..*"), lambda m: f"“{m[1]}”应为是或否"),
    (re.compile(r"'(.*)' is not a valid (.+)\."), lambda m: f"“{m[1]}”不是有效的{_noun(m[2])}"),
    (re.compile(r"(.*) is not in the range (.*)\."), lambda m: f"{m[1]} 不在 {m[2]} 范围内"),
    (
        re.compile(r"'(.*)' is not one of (.*)\."),
        lambda m: f"“{m[1]}”不是可选的值：{_listed(m[2])}",
    ),
    (re.compile(r"\S+ '(.*)' does not exist\."), lambda m: f"“{m[1]}”不存在"),
    (re.compile(r"\S+ '(.*)' is a directory\."), lambda m: f"“{m[1]}”是文件夹，应为文件"),
    (re.compile(r"\S+ '(.*)' is a file\."), lambda m: f"“{m[1]}”是文件，应为文件夹"),
    (re.compile(r"\S+ '(.*)' is not readable\."), lambda m: f"“{m[1]}”没有读取权限"),
    (re.compile(r"\S+ '(.*)' is not writable\."), lambda m: f"“{m[1]}”没有写入权限"),
    (
        re.compile(r"(?:Takes )?(\d+) values (?:are required, )?but (\d+) given\."),
        lambda m: f"要给 {m[1]} 个值，给了 {m[2]} 个",
    ),
]


def phrase(message: str) -> str:
    """A click message in Chinese; one dyxx raised (already Chinese) as it is."""
    for pattern, chinese in PHRASES:
        match = pattern.fullmatch(message)
        if match:
            return chinese(match)
    return message


def reworded(exc: errors.ClickException) -> str:
    """What a usage error says, in Chinese."""
    if isinstance(exc, errors.MissingParameter):
        return f"缺少{name_of(exc.param, exc.param_hint)}"
    if isinstance(exc, errors.BadParameter):
        text = phrase(exc.message)
        if exc.param is None and exc.param_hint is None:
            return text
        name = name_of(exc.param, exc.param_hint)
        return f"{name}{'' if name.endswith('”') else ' '}的值不对：{text}"
    if isinstance(exc, errors.NoSuchOption):
        text = f"没有 {exc.option_name} 这个选项"
        if exc.possibilities:
            text += f"；您要的是不是 {'、'.join(sorted(exc.possibilities))}？"
        return text
    return phrase(exc.message)


def show_error(exc: errors.ClickException) -> int:
    """Print a usage error in Chinese (typer's panel, Chinese usage and hint); its exit code."""
    if not isinstance(exc, errors.NoArgsIsHelpError):  # that one has printed the help already
        shown = errors.UsageError(reworded(exc), getattr(exc, "ctx", None))
        rich_utils.rich_format_error(shown)
    return exc.exit_code


class ChineseTyper(typer.Typer):
    """A Typer app whose help, usage and usage errors are Chinese."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        install()
        command = typer.main.get_command(self)
        localise(command)
        try:
            # not standalone: usage errors come back here to be put in Chinese
            done = command.main(*args, standalone_mode=False, **kwargs)
        except errors.ClickException as exc:
            code = show_error(exc)
        except typer.Abort:
            rich_utils.rich_abort_error()
            code = 1
        else:  # an exit code (typer.Exit), or a command's return value (dyxx's return None)
            code = done if isinstance(done, int) else 0
        sys.exit(code)  # outside the handlers: no click exception as the exit's context
