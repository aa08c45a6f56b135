"""``dyxx split``: the checked summary sent back to each branch (:mod:`addin.workflow.split`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from addin.cli.app import (
    EncryptOption,
    ForceOption,
    PasswordOption,
    app,
    fail,
    input_passwords,
    output_password,
    shown,
)
from addin.model.errors import WorkbookError
from addin.write import outputs

NO_MASK = (
    "dyxx split 不能与 --mask 一起使用：拆分出的工作簿是发给党支部日常管理用的附件3、附件4，"
    "必须保留完整的身份证号和电话，屏蔽后既无法使用，再汇总时也会毁掉数据。"
    "发送途中要保护个人信息，请用 --encrypt 加密输出的工作簿"
    "（输入已加密时输出自动用同一密码加密）。"
    "未写出任何文件"
)


@app.command()
def split(
    file: Annotated[
        Path, typer.Argument(metavar="汇总表", help="校核后的汇总表（含附件3、附件4）")
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="输出文件夹：每个党支部一个工作簿")
    ],
    password: PasswordOption = None,
    encrypt: EncryptOption = False,
    force: ForceOption = False,
    mask: Annotated[
        bool, typer.Option("--mask", help="不适用：拆分结果须保留完整数据（给出时报错）")
    ] = False,
) -> None:
    """拆分：把汇总表按党支部拆开，每个党支部一个工作簿（本支部的附件3和附件4），发回日常管理。

    每个工作簿的格式与官方附件3、附件4相同，表头（基层党委、汇总日期）与汇总表一致，
    序号重新编排。所在党支部与附件3中党组织名称对应不上（或没有填写）的党员放在
    “未匹配党支部的党员.xlsx”中，不会丢失；各文件人数之和等于汇总表的人数。
    所有文件要么全部写出，要么一个也不写。
    退出码：0 成功；1 有未匹配党支部的党员；2 文件无法处理。
    """
    from addin.workflow.common import read_all
    from addin.workflow.split import plan, write_split

    console = Console()
    if mask:
        console.print(f"[bold red]无法拆分[/]：{NO_MASK}", highlight=False)
        raise typer.Exit(2)
    with outputs.run([file], force=force):
        try:
            passwords = input_passwords([file], password)
            tables = read_all([file], passwords)
            secret = output_password(encrypt, passwords)
            done = plan(tables, file, output)
            write_split(done, file, output, secret)
        except WorkbookError as exc:
            raise fail(console, exc) from None
    table = RichTable("党支部", "附件3", "党员", "工作簿", title="拆分结果")
    for part in done.parts:
        name = f"[bold red]{shown(part.name)}[/]" if part.unmatched else shown(part.name)
        table.add_row(name, str(len(part.orgs)), str(len(part.members)), shown(part.path.name))
    console.print(table)
    branches = len(done.parts) - (done.unmatched is not None)
    orgs, members = done.totals["orgs"], done.totals["members"]
    console.print(
        f"已在 {shown(output)} 写出 {len(done.parts)} 个工作簿（{branches} 个党支部）："
        f"合计附件3 {done.written('orgs')} 行、附件4 {done.written('members')} 名党员，"
        f"与汇总表一致（附件3 {orgs} 行、附件4 {members} 行）",
        highlight=False,
    )
    if done.by_name:
        console.print(
            "[yellow]注意[/]：汇总表中没有附件3，已按附件4中填写的所在党支部名称分组；"
            "名称写法不一的同一党支部会分成几个文件，请核对",
            highlight=False,
        )
    if done.unplaced:
        console.print(
            f"[yellow]注意[/]：表格中有 {done.unplaced} 行不是党员或党组织记录"
            "（如表尾说明以下的内容、表格列以外的数据），未分到各文件；可用 dyxx check 查看",
            highlight=False,
        )
    unmatched = done.unmatched
    if unmatched is None:
        return
    where = shown(unmatched.path.name)
    if unmatched.orgs:
        console.print(
            f"[bold red]附件3中有 {len(unmatched.orgs)} 行没有填写党组织名称[/]，已放在“{where}”中",
            highlight=False,
        )
    if unmatched.members:
        console.print(
            f"[bold red]有 {len(unmatched.members)} 名党员未分到党支部[/]："
            f"他们的所在党支部与附件3中任何党组织名称都不一致（或没有填写），已放在“{where}”中：",
            highlight=False,
        )
        for item in done.unknown:
            console.print(f"  {item.members} 名：{shown(item.reason)}", highlight=False)
    console.print("请在汇总表中改正（与附件3完全一致）后重新拆分", highlight=False)
    raise typer.Exit(1)
