"""``dyxx fix``: a copy with the corrections dyxx knows exactly, and a 修改记录 sheet."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from addin.cli.app import (
    EncryptOption,
    ForceOption,
    PasswordOption,
    TodayOption,
    app,
    copy_suffix,
    fail,
    input_passwords,
    output_password,
    output_path,
    shown,
    without_lock_files,
)
from addin.model.errors import WorkbookError


@app.command()
def fix(
    file: Annotated[Path, typer.Argument(metavar="工作簿", help="要修正的工作簿（.xlsx/.xlsm）")],
    output: Annotated[
        str | None,
        typer.Option("-o", "--output", help="写出的修正副本（或文件夹）；默认为原文件名加“_修正”"),
    ] = None,
    password: PasswordOption = None,
    encrypt: EncryptOption = False,
    force: ForceOption = False,
    limit: Annotated[
        int, typer.Option("--limit", help="屏幕上最多列出的未自动修改的单元格数（0 表示全部）")
    ] = 50,
    today: TodayOption = None,
) -> None:
    """自动修正：另存一份改正了写法问题的工作簿，每处修改列在“修改记录”工作表。

    只改 dyxx 能确定怎样改才对的：身份证号和电话号码中的空格、全角数字、小写x、撇号和
    不可见字符，15位身份证号改为18位，代码列丢失的开头的0、民族名称缺“族”字（按本列
    通用的写法：代码、名称或“代码 名称”），文本格式的日期改为日期。其他内容、格式和
    工作表都不变；无法确定的不改，列在“修改记录”中请信息员核对。原文件不会被修改。
    退出码：0 成功（没有可改的内容时不写文件）；2 文件无法处理。
    """
    from addin.engine.check import paused_gc
    from addin.workflow.fix import fix_workbook
    from addin.write import outputs

    console = Console()
    (file,) = without_lock_files(console, [file])
    default = f"{file.stem}_修正{copy_suffix(file)}"
    with paused_gc(), outputs.run([file], force=force):
        try:
            target = output_path(output, default) if output else file.with_name(default)
            passwords = input_passwords([file], password)
            secret = output_password(encrypt, passwords)
            done = fix_workbook(file, target, passwords.get(file), secret, today)
        except WorkbookError as exc:
            raise fail(console, exc) from None
    if done.changes:
        _print_changes(console, done.changes)
    _print_left(console, done.left, limit)
    if done.marked:
        console.print(
            "[yellow]注意[/]：输入的是标注副本，其中的标注和“校验结果”是修正之前的；"
            "请对修正副本重新校验（dyxx check -o），旧的标注会被换掉。",
            highlight=False,
        )
    if done.written:
        console.print(f"已写出修正副本 {shown(target)}（修改明细见其中的“修改记录”工作表）")
    else:
        console.print("没有可以自动修改的内容，未写出文件。", highlight=False)


def _print_changes(console: Console, changes) -> None:
    counts = Counter((change.rule, change.title) for change in changes)
    # the title, not the rule's code: codes are for --json and ``dyxx rules``
    table = RichTable("修改内容", "处数", title="已自动修改", title_justify="left")
    for (_rule, title), count in sorted(counts.items()):
        table.add_row(shown(title), str(count))
    console.print(table)
    console.print(f"共修改 {len(changes)} 个单元格。", highlight=False)


def _print_left(console: Console, left, limit: int) -> None:
    if not left:
        return
    shown_items = left if limit <= 0 else left[:limit]
    table = RichTable(
        "单元格",
        "姓名或党组织",
        "字段",
        "填写内容",
        "原因",
        title="未自动修改，请人工核对",
        title_justify="left",
    )
    for item in shown_items:
        table.add_row(
            shown(f"{item.sheet}!{item.cell}"),
            shown(item.person),
            shown(item.field),
            shown(item.value),
            shown(item.reason),
        )
    console.print(table)
    if len(left) > len(shown_items):
        console.print(
            f"……另有 {len(left) - len(shown_items)} 处未列出：用 --limit 0 列出全部，"
            "或看修正副本的“修改记录”工作表。",
            highlight=False,
        )
