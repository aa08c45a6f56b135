"""The committee's workflow: ``dyxx merge``, ``sample``, ``diff``, ``forms``, ``verify``, ``clean``.

Each command reads workbooks through :func:`addin.read.reader.read_workbook` (or
:func:`addin.xlsx.source.load`), so an unreadable or hostile file ends with a
Chinese message and exit code 2; each written workbook is written atomically
and encrypted with ``--encrypt`` (or the input's own password).
"""

from __future__ import annotations

import math
import unicodedata
from datetime import date
from pathlib import Path
from typing import Annotated, ClassVar

import typer
from rich.console import Console
from rich.table import Table as RichTable

from addin.cli.app import (
    EncryptOption,
    ForceOption,
    LimitOption,
    MaskOption,
    PasswordOption,
    TodayOption,
    app,
    date_option,
    fail,
    input_passwords,
    output_password,
    output_path,
    shown,
    without_lock_files,
)
from addin.cli.check import print_report
from addin.model.celltext import for_terminal
from addin.model.errors import WorkbookError
from addin.write import outputs

OutputOption = Annotated[Path, typer.Option("-o", "--output", help="写出的工作簿（.xlsx）")]


def _written(console: Console, path: Path) -> None:
    console.print(f"已写出 {shown(path)}", highlight=False)


@app.command()
def merge(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="工作簿...", help="各党支部报送的工作簿（含附件3和/或附件4），可给任意多个"
        ),
    ],
    output: OutputOption,
    committee: Annotated[
        str | None,
        typer.Option("--committee", help="基层党委名称；默认取各文件表头上方“基层党委：”中的名称"),
    ] = None,
    summary_date: Annotated[
        date | None, date_option("--date", "汇总日期，如 2017-07-10 或 2017年7月10日；默认今天")
    ] = None,
    password: PasswordOption = None,
    encrypt: EncryptOption = False,
    force: ForceOption = False,
    mask: MaskOption = False,
    limit: LimitOption = 50,
    today: TodayOption = None,
) -> None:
    """汇总：把各党支部的工作簿合并为一份附件3和一份附件4，并作为一次报送整体校验。

    汇总表中序号重新编排，每行的来源文件和行号列在“数据来源”表；另有“问题清单”
    “统计核对”（与党统半年报核对）和“数据质量”（各党支部错误率及图表）工作表。
    重复或不一致的党员、党组织都保留并报告，不会被删除或覆盖。
    退出码：0 没有错误；1 有错误；2 文件无法处理。
    """
    from addin.workflow.common import day_text
    from addin.workflow.merge import merge_files
    from addin.workflow.summary import quality, statistics, write_summary

    console = Console()
    files = without_lock_files(console, files)
    day = summary_date or date.today()
    with outputs.run(files, force=force):
        try:
            passwords = input_passwords(files, password)
            merged = merge_files(files, passwords, today)
            secret = output_password(encrypt, passwords)
            report = merged.report.masked() if mask else merged.report
            name = merged.committee if committee is None else committee
            write_summary(
                merged, output, committee=name, summary_date=day_text(day), mask=mask, secret=secret
            )
        except WorkbookError as exc:
            raise fail(console, exc) from None
        print_report(console, report, limit)
        table = RichTable(
            "报送文件", "行数", "有错误的行", "错误", "警告", "错误率", title="数据质量"
        )
        for item in quality(merged, report):
            counts = (item.rows, item.error_rows, item.errors, item.warnings)
            table.add_row(shown(item.label), *map(str, counts), f"{item.rate:.1%}")
        console.print(table)
        counts = {kind: len(rows) for kind, rows in merged.rows.items()}
        people = statistics(merged)[-1].distinct
        console.print(
            f"汇总 {len(files)} 个文件：党组织 {counts['orgs']} 个，党员 {counts['members']} 行"
            f"（不重复 {people} 人）",
            highlight=False,
        )
        _written(console, output)
        raise typer.Exit(0 if report.passed else 1)


def share(value: str) -> float:
    """The parser of ``--ratio``: ``10%`` (also ``10％``) or a fraction such as ``0.1``.

    A bare number above 1 is refused rather than read as a percentage: "1" would then
    mean 100% or 1%, so the officer writes the % sign.

    >>> share("10%"), share("0.1"), share("１２.５％"), share("1")
    (0.1, 0.1, 0.125, 1.0)
    """
    text = unicodedata.normalize("NFKC", str(value)).strip()
    value = for_terminal(str(value))
    percent = text.endswith("%")
    try:
        number = float(text.removesuffix("%").strip())
    except ValueError:
        number = math.nan
    ratio = number / 100 if percent else number
    if 0 < ratio <= 1:
        return ratio
    if not percent and 1 < number <= 100:
        raise typer.BadParameter(f"抽样比例“{value}”大于 1；要抽 {number:g}%，请写作 {number:g}%")
    raise typer.BadParameter(
        f"抽样比例“{value}”不对：应大于 0、不超过 100%，写作百分数如 10%，或小数如 0.1"
    )


@app.command()
def sample(
    file: Annotated[
        Path,
        typer.Argument(metavar="汇总表", help="汇总表（含附件3、附件4，如 dyxx merge 的结果）"),
    ],
    output: OutputOption,
    ratio: Annotated[
        float,
        typer.Option(
            "--ratio",
            parser=share,
            metavar="<比例>",
            help="抽样比例：百分数如 10%，或 0 到 1 之间的小数如 0.1",
        ),
    ] = 0.1,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="随机种子（非负整数）；相同的数据、比例和种子抽样结果相同"),
    ] = None,
    password: PasswordOption = None,
    encrypt: EncryptOption = False,
    force: ForceOption = False,
    mask: MaskOption = False,
) -> None:
    """检查验收：按比例随机抽取党组织和党员，每个党支部至少抽到一条，生成抽查清单。

    抽查清单每条记录有“信息是否完整/准确/规范”“核对人”“核对日期”栏；抽样比例、
    随机种子和数据指纹记在“抽样说明”中，可以复现。不给 --seed 时随机选一个并记下。
    退出码：0 成功；2 文件无法处理。
    """
    import secrets

    from addin.workflow.common import read_all
    from addin.workflow.sample import draw, write_sample

    console = Console()
    if seed is not None and seed < 0:
        raise typer.BadParameter("随机种子应为非负整数")
    chosen_seed = secrets.randbelow(1_000_000) if seed is None else seed
    with outputs.run([file], force=force):
        try:
            passwords = input_passwords([file], password)
            tables = read_all([file], passwords)
            drawn = draw(file, tables, ratio, chosen_seed)
            write_sample(drawn, output, mask=mask, secret=output_password(encrypt, passwords))
        except WorkbookError as exc:
            raise fail(console, exc) from None
        table = RichTable(
            "党组织（党支部）", "党员", "抽查党员", "抽查党组织信息", title="覆盖情况"
        )
        for branch in drawn.branches:
            table.add_row(
                shown(branch.name),
                str(branch.members),
                str(branch.drawn_members),
                "是" if branch.org_drawn else "",
            )
        console.print(table)
        console.print(
            f"从 {drawn.totals['orgs']} 个党组织、{drawn.totals['members']} 名党员中抽取"
            f"党组织 {len(drawn.orgs)} 个、党员 {len(drawn.members)} 名，"
            f"覆盖全部 {len(drawn.branches)} 个党组织（党支部）；"
            f"抽样比例 {ratio * 100:g}%，随机种子 {chosen_seed}",
            highlight=False,
        )
        _written(console, output)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(metavar="原汇总表", help="原来的汇总表")],
    new: Annotated[Path, typer.Argument(metavar="新汇总表", help="现在的汇总表")],
    output: OutputOption,
    password: PasswordOption = None,
    encrypt: EncryptOption = False,
    force: ForceOption = False,
    mask: MaskOption = False,
) -> None:
    """更新维护：比较两份汇总表，列出新增、减少和每一处信息变动。

    党员按身份证号、党组织按名称对应；转正、组织关系转移、停止党籍、失联、流动等
    变动分别标明，每处变动一行，附原值和新值，另有变动统计。
    退出码：0 没有变动；1 有变动；2 文件无法处理。
    """
    from addin.workflow.common import read_all
    from addin.workflow.diff import SUBJECTS, compare, write_diff

    console = Console()
    with outputs.run([old, new], force=force):
        try:
            passwords = input_passwords([old, new], password)
            found = compare(old, read_all([old], passwords), new, read_all([new], passwords))
            write_diff(found, output, mask=mask, secret=output_password(encrypt, passwords))
        except WorkbookError as exc:
            raise fail(console, exc) from None
        table = RichTable("对象", "变动类型", "条数", "涉及", title="变动统计")
        for kind, (was, now) in found.totals.items():
            table.add_row(SUBJECTS[kind], "总数（原 → 新）", f"{was} → {now}", "")
        for kind, event, rows, concerned in found.counts():
            table.add_row(SUBJECTS[kind], event, str(rows), str(concerned))
        console.print(table)
        for kind, repeated in found.ambiguous.items():
            console.print(
                f"[yellow]注意[/]：{repeated} 个{SUBJECTS[kind]}的身份证号或名称出现不止一次，"
                "已按出现顺序对应；请先用 dyxx check 处理重复",
                highlight=False,
            )
        console.print(f"共 {len(found.changes)} 处变动", highlight=False)
        _written(console, output)
        raise typer.Exit(1 if found.changes else 0)


@app.command()
def forms(
    file: Annotated[Path, typer.Argument(metavar="汇总表", help="汇总表（含附件3、附件4）")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="输出文件夹：每个党支部一个工作簿（和 PDF）")
    ],
    pdf: Annotated[
        bool, typer.Option("--pdf/--no-pdf", help="用 LibreOffice 同时生成 PDF（默认生成）")
    ] = True,
    password: PasswordOption = None,
    encrypt: EncryptOption = False,
    force: ForceOption = False,
) -> None:
    """采集表：按汇总表为每个党组织生成附件1、为每名党员生成附件2，供打印后本人确认签字。

    每个党支部一个工作簿，每人一张工作表（一页 A4）；勾选项显示为 ☑/☐，代码项显示
    代码和名称。装有 LibreOffice 时同时生成每个党支部的 PDF（加密输出时不生成 PDF，
    以免留下未加密的副本）。退出码：0 成功；1 PDF 生成失败；2 文件无法处理。
    """
    from addin.workflow.common import read_all
    from addin.workflow.forms_output import write_forms
    from addin.workflow.libreoffice import soffice

    console = Console()
    with outputs.run([file], force=force), _Bar(console) as bar:
        try:
            passwords = input_passwords([file], password)
            tables = read_all([file], passwords)
            secret = output_password(encrypt, passwords)
            program = soffice() if pdf and not secret else None
            written = write_forms(tables, file, output, secret, program=program, progress=bar)
        except WorkbookError as exc:
            raise fail(console, exc) from None
    table = RichTable("党支部", "附件1", "附件2", "工作簿", title="采集表")
    for branch, path in written.workbooks:
        table.add_row(
            shown(branch.name), str(len(branch.orgs)), str(len(branch.members)), shown(path.name)
        )
    console.print(table)
    sheets = sum(len(b.orgs) + len(b.members) for b, _p in written.workbooks)
    console.print(f"已在 {shown(output)} 生成 {len(written.workbooks)} 个工作簿、{sheets} 张采集表")
    if not pdf:
        return
    if secret:
        console.print("输出已加密：未生成 PDF（PDF 无法加密，以免留下未加密的副本）")
    elif program is None:
        console.print("未找到 LibreOffice（soffice），未生成 PDF；工作簿可直接在 Excel、WPS 中打印")
    elif written.pdf_problem:
        console.print(f"[bold red]PDF 生成失败[/]：{shown(written.pdf_problem)}", highlight=False)
        raise typer.Exit(1)
    else:
        console.print(f"已生成 {len(written.pdfs)} 个 PDF", highlight=False)


class _Bar:
    """``dyxx forms``' progress on a terminal: a bar per step (silent in a pipe or a log)."""

    STEPS: ClassVar[dict[str, str]] = {"forms": "写采集表", "pdf": "生成 PDF"}

    def __init__(self, console: Console) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self.progress = Progress(
            "{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        self.tasks: dict[str, object] = {}

    def __call__(self, step: str, done: int, total: int) -> None:
        if step not in self.tasks:
            self.tasks[step] = self.progress.add_task(self.STEPS[step], total=total)
        self.progress.update(self.tasks[step], completed=done, total=total)

    def __enter__(self) -> _Bar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


@app.command()
def verify(
    file: Annotated[
        Path, typer.Argument(metavar="工作簿", help="dyxx check -o 或 Excel 插件校验过的工作簿")
    ],
    password: PasswordOption = None,
) -> None:
    """验收：核对工作簿的数据是否仍与“校验记录”中记下的一致，并列出校验后改动的行。

    校验记录中只有每行数据的哈希值（不含数据本身）。
    退出码：0 数据未变动且校验结论为通过；1 数据有变动或校验未通过；2 文件无法读取或没有校验记录。
    """
    from addin.read.ownsheets import STAMP_TOOL
    from addin.workflow.verify import describe, verify
    from addin.write.marked.format import CHECKED_AT, ERRORS, VERDICT, WARNINGS

    console = Console()
    try:
        verdict = verify(file, input_passwords([file], password).get(file))
    except WorkbookError as exc:
        raise fail(console, exc) from None
    stamp = verdict.stamp
    counts = f"错误 {stamp.text(ERRORS) or '?'} 个，警告 {stamp.text(WARNINGS) or '?'} 个"
    console.print(
        f"校验记录：{shown(stamp.text(CHECKED_AT))}，{shown(stamp.text(STAMP_TOOL))}，"
        f"{counts}，结论：{shown(stamp.text(VERDICT) or '未知')}",
        highlight=False,
    )
    if verdict.unchanged:
        console.print(f"[green]数据与校验时一致[/]（{verdict.rows} 行）", highlight=False)
    elif verdict.whole_only:
        console.print(
            "[bold red]数据在校验后有变动[/]（校验记录中没有行指纹，无法指出是哪些行）",
            highlight=False,
        )
    else:
        console.print("[bold red]数据在校验后有变动[/]：", highlight=False)
        for change in verdict.changes:
            console.print(f"  {shown(describe(change))}", highlight=False)
    if verdict.codes_changed:
        console.print(
            f"[yellow]注意[/]：代码表已更新（{shown('、'.join(verdict.codes_changed))}），建议重新校验",
            highlight=False,
        )
    if verdict.accepted:
        console.print("[bold green]验收通过[/]", highlight=False)
        return
    reason = "校验结论为未通过" if verdict.unchanged else "校验后数据有变动，请重新校验"
    console.print(f"[bold red]验收未通过[/]：{reason}", highlight=False)
    raise typer.Exit(1)


@app.command()
def clean(
    file: Annotated[
        Path,
        typer.Argument(metavar="工作簿", help="dyxx check -o、dyxx prepare 或 dyxx merge 的结果"),
    ],
    output: Annotated[
        str | None,
        typer.Option("-o", "--output", help="写出的工作簿（或文件夹）；默认为原文件名加“_导入”"),
    ] = None,
    password: PasswordOption = None,
    encrypt: EncryptOption = False,
    force: ForceOption = False,
) -> None:
    """导入准备：另存一份去掉 dyxx 所加内容的工作簿，供导入全国党员管理信息系统。

    去掉标注（填充色、批注）、校验结果和校验记录工作表、代码表、下拉列表、实时检查
    和 dyxx 给空单元格设的文本/日期格式，以及 dyxx merge 的统计、质量、问题、来源工作表；
    信息员填写的内容和官方表格结构保持不变。
    退出码：0 成功；1 有标注无法恢复（单元格在校验后被改动或移动）；2 文件无法处理。
    """
    from addin.workflow.clean import clean as clean_workbook

    console = Console()
    default = f"{file.stem}_导入{file.suffix or '.xlsx'}"
    with outputs.run([file], force=force):
        try:
            target = output_path(output, default) if output else file.with_name(default)
            passwords = input_passwords([file], password)
            secret = output_password(encrypt, passwords)
            done = clean_workbook(file, target, passwords.get(file), secret)
        except WorkbookError as exc:
            raise fail(console, exc) from None
        if done.sheets:
            console.print(f"删除工作表：{shown('、'.join(done.sheets))}", highlight=False)
        if done.marks or done.notes:
            how = "逐字节恢复原样" if done.exact else "恢复原有填充色"
            console.print(
                f"去掉标注：{done.marks} 个单元格（{how}），批注 {done.notes} 条", highlight=False
            )
        if done.validations or done.conditional_formats or done.number_formats:
            console.print(
                f"去掉 dyxx prepare 所加：下拉列表等数据有效性 {done.validations} 项、"
                f"实时检查 {done.conditional_formats} 项、空单元格格式 {done.number_formats} 个",
                highlight=False,
            )
        if not done.anything:
            console.print("没有发现 dyxx 添加的内容，已原样另存", highlight=False)
        _written(console, target)
        if done.stray_notes:
            cells = _listed(done.stray_notes)
            console.print(
                f"[bold red]注意[/]：{len(done.stray_notes)} 条 dyxx 的批注所在单元格在校验后被移动"
                f"（{shown(cells)}），批注已删除，但无法确定原来的填充色，请检查这些单元格",
                highlight=False,
            )
        if done.skipped:
            cells = _listed(done.skipped)
            console.print(
                f"[bold red]注意[/]：{len(done.skipped)} 个标注未能恢复（{shown(cells)}）："
                "这些单元格在校验后被改动或移动，请检查其填充色",
                highlight=False,
            )
        if done.skipped or done.stray_notes:
            raise typer.Exit(1)


def _listed(cells: list[str]) -> str:
    return "、".join(cells[:10]) + ("等" if len(cells) > 10 else "")
