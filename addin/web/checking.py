"""The 校验 page's work: ``dyxx check`` through the same engine functions.

The report is made from the uploads' paths in the private folder; what the
page and ``POST /api/check`` see names each file by its upload name, as
``dyxx check --json 名册.xlsx`` run beside the file would (:func:`relabelled`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from addin.engine.check import check_tables, load_files, paused_gc
from addin.engine.report import Report
from addin.model.findings import Finding
from addin.read.reader import Table, read_source
from addin.rules import RULES
from addin.values.cells import is_blank, text
from addin.web.jobs import Job
from addin.web.steps import Given
from addin.write import outputs

MARKABLE = (".xlsx", ".xlsm")
RowKey = tuple[str, str, int]


def run_check(job: Job, given: Given) -> None:
    """Check the uploads as one submission; offer the marked copies and the JSON report."""
    files = given.files["files"]
    passwords = given.passwords(files)
    mask = given.flag("mask")
    with outputs.run(files), paused_gc():
        report, tables, loaded = check_paths(job, files, passwords, keep=len(files) == 1)
        people = row_people(tables)
        del tables
        if mask:
            report = report.masked()
        public = relabelled(report)
        job.report_json = public.to_json_bytes()
        job.result = result_of(public, people)
        job.progress("写出标注副本", len(files), len(files))
        write_copies(job, loaded, report, given)
    stem = files[0].stem if len(files) == 1 else "校验报告"
    target = given.out / f"{stem}_校验报告.json"
    outputs.write_atomically(target, job.report_json)
    job.offer("校验报告（JSON）", target)


def check_paths(
    job: Job | None, files: list[Path], passwords: dict[Path, str], *, keep: bool
) -> tuple[Report, list[Table], list]:
    """Read every file (progress per file) and check them as one, like ``check_sources``."""
    tables: list[Table] = []
    loaded = []
    for index, source in enumerate(load_files(files, passwords, keep=keep)):
        if job is not None:
            job.progress(f"读取第 {index + 1} 个文件", index, len(files))
        tables.extend(read_source(source))
        loaded.append(source)
    if job is not None:
        job.progress("校验", len(files), len(files))
    return check_tables(tables), tables, loaded


def relabelled(report: Report) -> Report:
    """The report with each file named as uploaded (its file name), not by its private path."""
    name = {f: Path(f).name for f in {t.file for t in report.tables}}
    name.update({f.file: Path(f.file).name for f in report.findings if f.file not in name})
    return replace(
        report,
        tables=[replace(t, file=name[t.file]) for t in report.tables],
        findings=[replace(f, file=name[f.file]) for f in report.findings],
        prints=[],
    )


def row_people(tables: list[Table]) -> dict[RowKey, tuple[str, str]]:
    """(file name, sheet, row) → (姓名 or 党组织名称, 所在党支部) of every record."""
    people: dict[RowKey, tuple[str, str]] = {}
    for table in tables:
        who = table.column("name" if table.kind == "members" else "org_name")
        branch = table.column("branch") if table.kind == "members" else who
        file = Path(table.file).name
        for record, person, where in zip(table.records, who, branch, strict=True):
            people[(file, table.sheet, record.row)] = (_text(person), _text(where))
    return people


def _text(raw: object) -> str:
    return "" if is_blank(raw) else text(raw)


def result_of(report: Report, people: dict[RowKey, tuple[str, str]]) -> dict[str, object]:
    """What the page shows: the verdict, the counts, each table found and every finding."""
    verdict = "通过" if report.passed else "未通过"
    files = len({t.file for t in report.tables})
    return {
        "verdict": {"ok": report.passed, "text": verdict},
        "lines": [
            f"共检查 {files} 个文件、{report.rows} 行：错误 {report.errors} 个，"
            f"警告 {report.warnings} 个。结论：{verdict}"
        ],
        "counts": {"rows": report.rows, "errors": report.errors, "warnings": report.warnings},
        "tables": [
            grid(
                "读到的表格",
                ["文件", "工作表", "表格", "行数"],
                [[t.file, t.sheet, t.title, t.rows] for t in report.tables],
            )
        ],
        **findings_of(report, people),
    }


def findings_of(
    report: Report, people: dict[RowKey, tuple[str, str]] | None = None
) -> dict[str, object]:
    """The findings table of the page and the titles of the rules it names."""
    people = people or {}
    return {
        "findings": [finding_row(f, people) for f in report.findings],
        "rules": {code: RULES[code].title for code in sorted({f.rule for f in report.findings})},
    }


def grid(title: str, headers: list[str], rows: list[list[object]]) -> dict[str, object]:
    """A table of the page (cells shown as text)."""
    return {"title": title, "headers": headers, "rows": [[str(c) for c in row] for row in rows]}


def finding_row(finding: Finding, people: dict[RowKey, tuple[str, str]]) -> dict[str, object]:
    """One row of the findings table; 姓名 from the finding when it carries one."""
    who, branch = people.get((finding.file, finding.sheet, finding.row), ("", ""))
    return {
        "name": getattr(finding, "name", None) or who,
        "branch": branch,
        "file": finding.file,
        "sheet": finding.sheet,
        "cell": finding.cell,
        "field": finding.field,
        "severity": finding.severity,
        "rule": finding.rule,
        "value": finding.value,
        "message": finding.message,
    }


def write_copies(job: Job, loaded: list, report: Report, given: Given) -> None:
    """A marked copy of each .xlsx/.xlsm upload (a legacy .xls cannot be marked)."""
    from addin.model.safename import Namer
    from addin.write.marked.annotate import write_annotated  # openpyxl: only when writing

    namer = Namer()
    secret = given.secret()
    for source in loaded:
        path = source.path
        if path.suffix.lower() not in MARKABLE:
            continue
        suffix = ".xlsm" if path.suffix.lower() == ".xlsm" else ".xlsx"
        target = given.out / f"{namer(f'{path.stem}_校验')}{suffix}"
        own = [p for p in report.prints if p.file == str(path)]
        write_annotated(path, target, report, encrypt_with=secret, prints=own, loaded=source)
        job.offer(f"标注副本：{path.name}", target)
