"""``dyxx check`` and ``dyxx rules``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from addin.cli.app import (
    SEVERITY_STYLE,
    EncryptOption,
    ForceOption,
    LimitOption,
    MaskOption,
    PasswordOption,
    TodayOption,
    app,
    copy_suffix,
    fail,
    input_passwords,
    output_password,
    output_path,
    shown,
    shown_text,
    without_lock_files,
)
from addin.engine.check import check_sources, load_files, paused_gc
from addin.engine.report import Report
from addin.model.findings import Finding
from addin.read.reader import WorkbookError
from addin.rules import RULES
from addin.xlsx.source import Source


@app.command()
def check(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="工作簿...", help="要校验的工作簿（.xlsx/.xlsm/.xls），可一次给多个"
        ),
    ],
    json_output: Annotated[bool, typer.Option("--json", help="以 JSON 格式输出全部问题")] = False,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help="写出标注副本：文件名，或文件夹（多个文件时）；原文件不会被修改",
        ),
    ] = None,
    password: PasswordOption = None,
    encrypt: EncryptOption = False,
    mask: MaskOption = False,
    force: ForceOption = False,
    limit: LimitOption = 200,
    today: TodayOption = None,
) -> None:
    """校验一个或多个工作簿：多个文件视为一次报送，交叉检查重复身份证号、所在党支部和两处不一致的记录。

    退出码：0 没有错误；1 有错误；2 文件无法校验。
    """
    from addin.write import outputs

    files = without_lock_files(Console(stderr=json_output), files)
    with paused_gc(), outputs.run(files, force=force):  # values stay alive until reported
        _check(files, json_output, output, password, encrypt, mask, limit, today)


def _check(
    files: list[Path],
    json_output: bool,
    output: str | None,
    password: str | None,
    encrypt: bool,
    mask: bool,
    limit: int,
    today: date | None,
) -> None:
    console = Console(stderr=json_output)
    try:
        passwords = input_passwords(files, password)
        # Each file is read once: a marked copy is made from the bytes checked (and, of a
        # single file, from the sheets as the reader inflated them; of many, that would
        # keep every file's sheets in memory at once)
        loaded = load_files(files, passwords, keep=output is not None and len(files) == 1)
        if output is not None:
            loaded = list(loaded)
        report = check_sources(loaded, today)
        if mask:
            report = report.masked()
        written = []
        if output is not None:
            secret = output_password(encrypt, passwords)
            written = _write_outputs(loaded, output, report, secret)
    except WorkbookError as exc:
        raise fail(console, exc) from None
    if json_output:
        sys.stdout.flush()
        sys.stdout.buffer.write(report.to_json_bytes())
        sys.stdout.buffer.flush()
    else:
        print_report(console, report, limit)
    for path in written:
        console.print(f"已写出标注副本 {shown(path)}", highlight=False)
    raise typer.Exit(0 if report.passed else 1)


@app.command()
def rules() -> None:
    """列出全部校验规则：规则代码、级别和名称。"""
    table = RichTable("规则代码", "级别", "名称")
    for code, item in sorted(RULES.items()):
        label, style = SEVERITY_STYLE[item.severity]
        table.add_row(code, f"[{style}]{label}[/]", item.title)
    Console().print(table)


def _write_outputs(
    loaded: list[Source], output: str, report: Report, secret: str | None
) -> list[Path]:
    from addin.write import outputs
    from addin.write.marked.annotate import write_annotated  # openpyxl: imported only when writing

    files = [source.path for source in loaded]
    if len(files) == 1:
        targets = {files[0]: output_path(output, f"{files[0].stem}_校验{copy_suffix(files[0])}")}
    else:
        targets = _targets(files, Path(output))
    outputs.claim(targets.values(), secret)  # every target checked before any is written
    by_path = {source.path: source for source in loaded}
    for file, target in targets.items():
        own = [p for p in report.prints if p.file == str(file)]
        source = by_path[file]
        write_annotated(file, target, report, encrypt_with=secret, prints=own, loaded=source)
    return list(targets.values())


def _targets(files: list[Path], output: Path) -> dict[Path, Path]:
    if output.suffix.lower() in (".xlsx", ".xlsm"):
        raise WorkbookError(output, "校验多个文件时，-o 应为一个文件夹，每个文件各写一份标注副本")
    from addin.model.safename import Namer

    namer = Namer()
    return {file: output / (namer(f"{file.stem}_校验") + copy_suffix(file)) for file in files}


def print_report(console: Console, report: Report, limit: int = 0) -> None:
    """Findings grouped by file and sheet (at most ``limit`` per sheet; 0 = all), then counts."""
    by_sheet: dict[tuple[str, str], list[Finding]] = {}
    for finding in report.findings:
        by_sheet.setdefault((finding.file, finding.sheet), []).append(finding)
    for file in dict.fromkeys(t.file for t in report.tables):
        console.rule(f"[bold]{shown(file)}")
        for sheet in dict.fromkeys(t.sheet for t in report.tables if t.file == file):
            summaries = [t for t in report.tables if t.file == file and t.sheet == sheet]
            _print_sheet(console, summaries, by_sheet.get((file, sheet), []), limit)
    _print_counts(console, report)


def _print_sheet(console: Console, summaries, found: list[Finding], limit: int) -> None:
    described = "、".join(f"{t.title}，{t.rows} 行" for t in summaries)
    title = f"工作表“{shown(summaries[0].sheet)}”：{shown(described)}"
    if not found:
        console.print(f"{title}：[green]未发现问题[/]", highlight=False)
        return
    hidden = len(found) - limit if 0 < limit < len(found) else 0
    found = found[: len(found) - hidden]
    table = RichTable(title=title, title_justify="left", show_lines=False)
    table.add_column("单元格", no_wrap=True)
    table.add_column("姓名/名称", max_width=12, overflow="fold")
    table.add_column("字段", max_width=10, overflow="fold")
    table.add_column("级别", no_wrap=True)
    table.add_column("填写内容", max_width=20, overflow="fold")
    table.add_column("问题及修改方法", ratio=1, overflow="fold")
    for finding in found:
        label, style = SEVERITY_STYLE[finding.severity]
        value = finding.value if len(finding.value) <= 40 else finding.value[:40] + "…"
        table.add_row(
            finding.cell,
            shown_text(finding.name),
            shown_text(finding.field),
            f"[{style}]{label}[/]",
            shown_text(value),
            shown_text(finding.message),
        )
    console.print(table)
    if hidden:
        console.print(
            f"……本工作表另有 {hidden} 个问题未列出：用 --limit 0 列出全部，"
            "或用 -o 写出标注副本、用 --json 输出全部问题。",
            highlight=False,
        )


def _print_counts(console: Console, report: Report) -> None:
    if report.findings:
        # the rule's title, not its code: codes are for --json and ``dyxx rules``
        table = RichTable("问题", "级别", "数量", title="按问题统计", title_justify="left")
        counts = sorted(report.rule_counts().items(), key=lambda c: (c[0][1] != "error", -c[1]))
        for (code, severity), count in counts:
            label, style = SEVERITY_STYLE[severity]
            table.add_row(shown(RULES[code].title), f"[{style}]{label}[/]", str(count))
        console.print(table)
    verdict = "[bold green]通过[/]" if report.passed else "[bold red]未通过[/]"
    counts = f"错误 {report.errors} 个，警告 {report.warnings} 个"
    console.print(f"共检查 {report.rows} 行：{counts}。结论：{verdict}", highlight=False)
