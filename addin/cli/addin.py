"""``dyxx addin build`` and ``dyxx addin install``: the Excel add-in dyxx.xlam."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from addin.cli.app import ForceOption, app, fail, shown
from addin.model.errors import WorkbookError
from addin.write import outputs

addin_app = typer.Typer(
    help="Excel 插件 dyxx.xlam：功能区“党员信息”选项卡和“校验”按钮、工作表函数。",
    no_args_is_help=True,
)
app.add_typer(addin_app, name="addin")

InterpreterOption = Annotated[
    str | None,
    typer.Option(
        "--interpreter",
        help="插件使用的 Python 解释器的完整路径（默认：运行本命令的 Python）",
    ),
]
PythonPathOption = Annotated[
    str | None,
    typer.Option("--pythonpath", help="插件的 PYTHONPATH（默认：dyxx 安装位置中的入口文件夹）"),
]


@addin_app.command()
def build(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="生成的插件文件，文件名必须是 dyxx.xlam")
    ] = Path("dist/dyxx.xlam"),
    interpreter: InterpreterOption = None,
    pythonpath: PythonPathOption = None,
    force: ForceOption = False,
) -> None:
    """生成 Excel 插件 dyxx.xlam（由 xlwings 自带的功能区插件模板生成，VBA 工程不变）。

    同样的设置生成的文件逐字节相同。退出码：0 成功；2 无法生成。
    """
    from addin.ribbon.build import ADDIN_NAME, TemplateError
    from addin.ribbon.build import build as build_addin

    console = Console()
    config = _config(interpreter, pythonpath)
    try:
        with outputs.run([], force=force):
            path = build_addin(output, config)
    except WorkbookError as exc:
        raise fail(console, exc) from None
    except (ValueError, TemplateError, OSError) as exc:
        problem = f"插件文件名必须是 {ADDIN_NAME}" if isinstance(exc, ValueError) else str(exc)
        console.print(f"[bold red]无法生成插件[/]：{shown(problem)}", highlight=False)
        raise typer.Exit(2) from None
    console.print(f"已生成 {shown(str(path))}", highlight=False)
    console.print(
        "此文件的 VBA 未经修补（见 dyxx addin install），只供检查；请在使用的电脑上运行 "
        "dyxx addin install。",
        highlight=False,
    )
    for key, value in config.rows()[:6]:
        if value:
            console.print(f"  {key}: {shown(str(value))}", highlight=False)


@addin_app.command()
def install(
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="放入哪个文件夹（默认：Excel 的启动文件夹 XLSTART）"),
    ] = None,
    interpreter: InterpreterOption = None,
    functions: Annotated[
        bool,
        typer.Option(
            "--functions/--no-functions",
            help="Windows：通过 Excel 把工作表函数导入插件（需要信任对 VBA 工程的访问；默认导入）",
        ),
    ] = True,
    unpatched: Annotated[
        bool,
        typer.Option(
            "--unpatched",
            help="仅 macOS：无法修补插件的 VBA 时仍然安装（收到的工作簿可能借插件运行程序）",
        ),
    ] = False,
) -> None:
    """把 Excel 插件装到本机：Excel 启动时自动加载，功能区出现“党员信息”选项卡。

    先检查 Python 版本、Excel、xlwings 的 DLL 和路径，有问题时什么都不写。插件使用运行本命令的
    Python（即安装了 dyxx 的那个）。退出码：0 成功；2 无法安装。
    """
    import sys

    from addin.ribbon.install import InstallError
    from addin.ribbon.install import install as install_addin

    console = Console()
    config = _config(interpreter, None)
    try:
        done = install_addin(directory, config, sys.platform, functions, unpatched=unpatched)
    except InstallError as exc:
        _refused(console, "无法安装插件", exc)
    console.print(f"已安装插件：{shown(str(done.path))}", highlight=False)
    for note in done.notes:
        console.print(shown(note), highlight=False)
    if done.steps:
        console.print("[bold]还需要您做：[/]", highlight=False)
        for number, step in enumerate(done.steps, start=1):
            console.print(f"  {number}. {shown(step)}", highlight=False)


@addin_app.command()
def uninstall(
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="从哪个文件夹删除（默认：Excel 的启动文件夹 XLSTART）"),
    ] = None,
) -> None:
    """删除 dyxx addin install 装上的插件（连同其中的 VBA 模块、工作表函数和配置表）。

    只删除 dyxx 生成的 dyxx.xlam，其他文件不动；重复运行无害。退出码：0 成功；2 无法删除。
    """
    import sys

    from addin.ribbon.install import InstallError
    from addin.ribbon.install import uninstall as uninstall_addin

    console = Console()
    try:
        done = uninstall_addin(directory, sys.platform)
    except InstallError as exc:
        _refused(console, "无法删除插件", exc)
    if not done.removed:
        console.print("没有找到已安装的 dyxx 插件，什么也没有删除。", highlight=False)
    for path in done.removed:
        console.print(f"已删除 {shown(str(path))}", highlight=False)
    if done.removed:
        console.print(
            "插件中的 VBA 模块、工作表函数和配置表随插件文件一起删除；请重新打开 Excel。",
            highlight=False,
        )
    for note in done.kept:
        console.print(shown(note), highlight=False)


def _refused(console: Console, title: str, exc: Exception) -> NoReturn:
    """Print each problem on its own line and exit 2."""
    messages = getattr(exc, "messages", None) or [str(exc)]
    console.print(f"[bold red]{title}[/]：", highlight=False)
    for message in messages:
        console.print(f"  {shown(message)}", highlight=False)
    raise typer.Exit(2)


def _config(interpreter: str | None, pythonpath: str | None):
    """This computer's config; ``--interpreter`` is the Mac interpreter on macOS, else Windows'."""
    import sys
    from dataclasses import replace

    from addin.ribbon.build import local_config

    config = local_config(sys.platform)
    if interpreter is not None:
        field = "interpreter_mac" if sys.platform == "darwin" else "interpreter_win"
        config = replace(config, **{field: interpreter})
    if pythonpath is not None:
        config = replace(config, pythonpath=pythonpath)
    return config
