"""The ``dyxx`` command line: one Typer app, one module per command group."""

from __future__ import annotations

import typer
from rich.console import Console

from addin.reader import WorkbookError

app = typer.Typer(
    help="党员信息校验：检查党组织和党员基本信息汇总表（附件3、附件4）。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
SEVERITY_STYLE = {"error": ("错误", "bold red"), "warning": ("警告", "yellow")}


@app.callback()
def _root() -> None:
    """党员信息校验（dyxx）：检查附件3、附件4汇总表。"""


def fail(console: Console, exc: WorkbookError) -> typer.Exit:
    """Print a file problem in Chinese (no traceback); the caller raises the returned exit 2."""
    console.print(f"[bold red]无法处理[/] {exc.path}：{exc.problem}", highlight=False)
    return typer.Exit(2)
