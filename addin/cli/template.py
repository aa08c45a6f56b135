"""``dyxx template`` and ``dyxx prepare``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from addin.cli.app import (
    ForceOption,
    PasswordOption,
    app,
    copy_suffix,
    fail,
    input_passwords,
    output_path,
    shown,
)
from addin.model.errors import WorkbookError
from addin.model.fields import KIND_TITLES
from addin.write import outputs

if TYPE_CHECKING:
    from addin.write.dataentry import Equipped


@app.command()
def template(
    directory: Annotated[Path, typer.Option("-d", "--dir", help="模板所在的文件夹")] = Path(
        "templates"
    ),
    check: Annotated[
        bool,
        typer.Option("--check", help="不写文件，只检查文件夹中的模板是否与重新生成的完全一致"),
    ] = False,
    force: ForceOption = False,
) -> None:
    """生成发给各党支部的模板：附件1、附件2 采集表，附件3、附件4 汇总表（带下拉列表和实时检查）。

    退出码：0 成功（--check：模板是最新的）；1 --check 发现模板缺失或已过期。
    """
    from addin.write import template as templates

    console = Console()
    if check:
        stale = templates.stale(directory)
        if stale:
            names = "、".join(stale)
            console.print(
                f"[bold red]模板缺失或已过期[/]：{shown(names)}。请运行 dyxx template 重新生成",
                highlight=False,
            )
            raise typer.Exit(1)
        console.print(f"{shown(directory)} 中的模板是最新的", highlight=False)
        return
    try:
        with outputs.run([], force=force):
            written = templates.write(directory)
    except WorkbookError as exc:
        raise fail(console, exc) from None
    for path in written:
        console.print(f"已生成 {shown(path)}", highlight=False)


@app.command()
def prepare(
    file: Annotated[
        Path, typer.Argument(metavar="汇总表", help="已有的汇总表（如从共产党员网下载的 .xlsx）")
    ],
    output: Annotated[
        str | None,
        typer.Option(
            "-o", "--output", help="写出的新工作簿（或文件夹）；默认为原文件名加“_带校验”"
        ),
    ] = None,
    password: PasswordOption = None,
    force: ForceOption = False,
) -> None:
    """给已有的附件3、附件4 汇总表加上下拉列表、文本/日期格式和实时检查。

    原有的内容、格式、合并单元格、其他工作表和原有的下拉列表都保留，原文件不会被修改；
    对加过的工作簿再运行一次不会重复添加。退出码：0 成功；2 文件无法处理。
    """
    console = Console()
    default = f"{file.stem}_带校验{copy_suffix(file)}"
    try:
        target = output_path(output, default) if output else file.with_name(default)
        secret = input_passwords([file], password).get(file)
        from addin.workflow.prepare import prepare as prepare_workbook

        with outputs.run([file], force=force):
            done = prepare_workbook(file, target, secret)
    except WorkbookError as exc:
        raise fail(console, exc) from None
    for item in done:
        console.print(describe(item), highlight=False)
    console.print(f"已写出 {shown(target)}", highlight=False)


def describe(item: Equipped) -> str:
    title = KIND_TITLES[item.kind]
    parts = [f"工作表“{shown(item.sheet)}”（{title}，第{item.first}–{item.last}行）"]
    if item.dropdowns:
        parts.append(f"新增下拉列表 {len(item.dropdowns)} 列（{'、'.join(item.dropdowns)}）")
    if item.kept:
        parts.append(f"保留原有的数据有效性 {len(item.kept)} 列（{'、'.join(item.kept)}）")
    checks = f"实时检查 {item.checks} 项"
    if item.checks_present:
        checks += f"（另有 {item.checks_present} 项已存在）"
    parts.append(checks)
    return "：".join(parts[:1]) + "：" + "；".join(parts[1:])
