"""The sheets that come with a summary: 统计核对, 数据质量 (with its chart), 数据来源, 问题清单.

- 统计核对: per branch file and in total, member rows and distinct members (不重复人数,
  by 公民身份证号: the figure the 党统 half-year report counts) with the rows that repeat
  one, members by 人员类别, 失联, 流动 and 停止党籍, organisations by 组织类别: the
  figures a committee reconciles with its 党统 half-year report before it submits;
- 数据质量: per branch file, rows, errors, warnings, error rate and the most frequent
  problems, with a native bar chart of the error rates;
- 数据来源: the source file, sheet and row of every summary row;
- 问题清单: every finding, with its place in the branch file and in the summary.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.chart import BarChart, Reference
from openpyxl.workbook import Workbook

from addin.engine.report import Report
from addin.model.findings import RULES, Finding, rule_title
from addin.rules.org import organisation_items
from addin.values import codes, ric
from addin.values.cells import is_blank, text
from addin.workflow.common import enumerated, save
from addin.workflow.merge import Merged
from addin.workflow.sheets import OFFICIAL_TITLES, bold_row, link, official_sheet, report_sheet
from addin.write.layout import DATA_ROW, new_workbook

STATISTICS_SHEET, QUALITY_SHEET = "统计核对", "数据质量"
SOURCES_SHEET, FINDINGS_SHEET = "数据来源", "问题清单"
SUMMARY_SHEETS = (STATISTICS_SHEET, QUALITY_SHEET, FINDINGS_SHEET, SOURCES_SHEET)
TOTAL = "合计"
UNKNOWN_CATEGORY = "组织类别不明"
TOP_RULES = 3
SEVERITY = {"error": "错误", "warning": "警告"}


def write_summary(
    merged: Merged,
    target: Path,
    *,
    committee: str,
    summary_date: str,
    mask: bool = False,
    secret: str | None = None,
) -> None:
    """The summary workbook: 附件3, 附件4, 数据来源, 问题清单, 统计核对, 数据质量.

    ``mask`` masks ID and phone numbers in the 问题清单 (the tables keep the data).
    """
    report = merged.report.masked() if mask else merged.report
    workbook = new_workbook()
    for kind in ("orgs", "members"):
        official_sheet(
            workbook,
            kind,
            merged.values(kind),
            committee=committee,
            summary_date=summary_date,
        )
    statistics_sheet(workbook, merged)
    quality_sheet(workbook, merged, report)
    findings_sheet(workbook, merged, report)
    sources_sheet(workbook, merged, report)
    save(workbook, target, merged.files, secret)


@dataclass
class Counts:
    """The 统计核对 figures of one branch file (or of all)."""

    label: str
    members: int = 0  # rows
    distinct: int = 0  # members: rows of one 公民身份证号 count once
    full: int = 0
    probationary: int = 0
    category_unknown: int = 0
    lost: int = 0
    flowing: int = 0
    stopped: int = 0
    orgs: int = 0
    org_categories: Counter[str] = field(default_factory=Counter)

    def add(self, other: Counts) -> None:
        for name in COUNTED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.org_categories.update(other.org_categories)

    @property
    def repeats(self) -> int:
        """Rows that repeat a member counted already."""
        return self.members - self.distinct


COUNTED = ("members", "full", "probationary", "category_unknown", "lost", "flowing", "stopped")
COUNTED += ("orgs",)


@dataclass
class Quality:
    """The 数据质量 figures of one branch file (or of all)."""

    label: str
    rows: int = 0
    error_rows: int = 0
    errors: int = 0
    warnings: int = 0
    rules: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        """Share of rows with at least one error."""
        return self.error_rows / self.rows if self.rows else 0.0

    def top(self) -> str:
        return "；".join(f"{RULES[c].title} {n} 处" for c, n in self.rules.most_common(TOP_RULES))


def org_category_columns() -> list[tuple[str, str]]:
    """(code, header) of every specific 组织类别 (611 党委 …), from the code table."""
    table = codes.table("org_category")
    parents = {e.parent for e in table.entries}
    return [(e.code, table.display(e)) for e in table.entries if e.code not in parents]


def statistics(merged: Merged) -> list[Counts]:
    """One :class:`Counts` per branch file, then the total."""
    per_file = {str(f): Counts(Path(f).name) for f in merged.files}
    leaves = {code for code, _header in org_category_columns()}
    seen: dict[str, set[str]] = {name: set() for name in per_file}
    for table, record in merged.rows["members"]:
        counts = per_file[table.file]
        counts.members += 1
        person = person_key(record.values.get("id_number"))
        if person is None or person not in seen[table.file]:
            counts.distinct += 1  # a row without an ID cannot be told to repeat another
        if person is not None:
            seen[table.file].add(person)
        category = enumerated("member_category", record.values.get("category"))
        if category == "正式党员":
            counts.full += 1
        elif category == "预备党员":
            counts.probationary += 1
        else:
            counts.category_unknown += 1
        counts.lost += enumerated("yes_no", record.values.get("lost")) == "是"
        counts.flowing += enumerated("yes_no", record.values.get("mobile_flow")) == "是"
        counts.stopped += enumerated("party_status", record.values.get("status")) == "停止党籍"
    for table, record in organisation_items(merged.tables):  # a 联合支部's unit rows: no 党组织
        counts = per_file[table.file]
        counts.orgs += 1
        code = enumerated("org_category", record.values.get("org_category"))
        counts.org_categories[code if code in leaves else UNKNOWN_CATEGORY] += 1
    total = Counts(TOTAL)
    for counts in per_file.values():
        total.add(counts)
    keys = [person_key(record.values.get("id_number")) for _t, record in merged.rows["members"]]
    total.distinct = keys.count(None) + len(set(keys) - {None})
    return [*per_file.values(), total]


def person_key(raw: object) -> str | None:
    """The 公民身份证号 a member is counted by (its 18-digit form, spaces and marks
    dropped); None when blank."""
    if is_blank(raw):
        return None
    return ric.check(raw).number or ric.compact(text(raw))


def quality(merged: Merged, report: Report) -> list[Quality]:
    """One :class:`Quality` per branch file, then the total."""
    per_file = {str(f): Quality(Path(f).name) for f in merged.files}
    for items in merged.rows.values():
        for table, _record in items:
            per_file[table.file].rows += 1
    error_rows: dict[str, set[tuple[str, int]]] = {name: set() for name in per_file}
    for finding in report.findings:
        item = per_file.get(finding.file)
        if item is None:
            continue
        item.rules[finding.rule] += 1
        if finding.severity == "error":
            item.errors += 1
            if merged.position(finding) is not None:
                error_rows[finding.file].add((finding.sheet, finding.row))
        else:
            item.warnings += 1
    total = Quality(TOTAL)
    for name, item in per_file.items():
        item.error_rows = len(error_rows[name])
        total.rows += item.rows
        total.error_rows += item.error_rows
        total.errors += item.errors
        total.warnings += item.warnings
        total.rules.update(item.rules)
    return [*per_file.values(), total]


def statistics_sheet(workbook: Workbook, merged: Merged) -> None:
    categories = org_category_columns()
    header = [
        "报送文件",
        "党员行数",
        "不重复人数",
        "重复行数",
        "正式党员",
        "预备党员",
        "人员类别不明",
        "失联党员",
        "流动党员",
        "停止党籍",
        "党组织",
        *(name for _code, name in categories),
        UNKNOWN_CATEGORY,
    ]
    rows = [
        [
            c.label,
            c.members,
            c.distinct,
            c.repeats,
            c.full,
            c.probationary,
            c.category_unknown,
            c.lost,
            c.flowing,
            c.stopped,
            c.orgs,
            *(c.org_categories[code] for code, _name in categories),
            c.org_categories[UNKNOWN_CATEGORY],
        ]
        for c in statistics(merged)
    ]
    written = report_sheet(
        workbook,
        STATISTICS_SHEET,
        "统计核对：党员和党组织数量（报送前与党统半年报核对）",
        [
            "按报送文件统计，最后一行为合计。“不重复人数”按公民身份证号计：同一身份证号的多行"
            "只算一人（合计行跨文件去重），“重复行数”为多出的行，与党统半年报核对党员人数时用"
            "不重复人数，重复的行请按问题清单核实后删除；其余各列按行计数。"
            "“人员类别不明”“组织类别不明”为填写内容无法识别的行，"
            "请先按问题清单改正；失联、流动、停止党籍按“是”“停止党籍”计数。"
        ],
        header,
        rows,
        [28, *([10] * (len(header) - 1))],
    )
    bold_row(written.sheet, written.last, len(header))


def quality_sheet(workbook: Workbook, merged: Merged, report: Report) -> None:
    header = ["报送文件", "行数", "有错误的行", "错误", "警告", "错误率", "主要问题"]
    items = quality(merged, report)
    rows = [[q.label, q.rows, q.error_rows, q.errors, q.warnings, q.rate, q.top()] for q in items]
    written = report_sheet(
        workbook,
        QUALITY_SHEET,
        "数据质量：各报送文件的错误率",
        [
            "错误率 = 有错误的行数 ÷ 行数（附件3、附件4 合计）。错误率高的党支部，"
            "应按问题清单自查整改后重新报送。"
        ],
        header,
        rows,
        [28, 8, 10, 8, 8, 9, 60],
    )
    sheet = written.sheet
    for row in range(written.first, written.last + 1):
        sheet.cell(row=row, column=6).number_format = "0.0%"
    bold_row(sheet, written.last, len(header))
    chart = _rate_chart(sheet, written.header_row, written.last - 1)  # the total row left out
    sheet.add_chart(chart, f"A{written.last + 3}")


def _rate_chart(sheet, header_row: int, last: int) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    chart.title = "各报送文件错误率"
    chart.y_axis.title = "错误率"
    chart.y_axis.numFmt = "0%"
    chart.y_axis.scaling.min = 0
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend = None
    chart.height, chart.width = 9, max(14, 2.2 * (last - header_row))
    data = Reference(sheet, min_col=6, min_row=header_row, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=header_row + 1, max_row=last))
    return chart


def sources_sheet(workbook: Workbook, merged: Merged, report: Report) -> None:
    notes: dict[tuple[str, str, int], list[str]] = {}
    for finding in report.findings:
        if finding.rule in NOTED_RULES:
            place = (finding.file, finding.sheet, finding.row)
            notes.setdefault(place, []).append(RULES[finding.rule].title)
    rows = []
    for kind in ("orgs", "members"):
        for index, origin in enumerate(merged.origins(kind)):
            noted = "、".join(dict.fromkeys(notes.get((origin.file, origin.sheet, origin.row), [])))
            row = [OFFICIAL_TITLES[kind], DATA_ROW + index, index + 1]
            rows.append([*row, Path(origin.file).name, origin.sheet, origin.row, noted])
    written = report_sheet(
        workbook,
        SOURCES_SHEET,
        "数据来源：汇总表每一行来自哪个文件的哪一行",
        ["“说明”列标出与其他行重复或不一致的行：这些行都保留在汇总表中，请核实后删改。"],
        ["汇总表", "汇总表行号", "序号", "来源文件", "来源工作表", "来源行号", "说明"],
        rows,
        [20, 10, 8, 30, 24, 10, 36],
    )
    for offset, row in enumerate(rows):
        cell = written.sheet.cell(row=written.first + offset, column=2)
        link(cell, str(row[0]), f"A{row[1]}")


NOTED_RULES = frozenset(
    {"member.duplicate_id", "org.duplicate_name", "merge.member_conflict", "merge.org_conflict"}
)


def findings_sheet(workbook: Workbook, merged: Merged, report: Report) -> None:
    rows = [_finding_row(n, f, merged) for n, f in enumerate(report.findings, start=1)]
    written = report_sheet(
        workbook,
        FINDINGS_SHEET,
        "问题清单：汇总后的全部校验问题",
        [
            f"共 {report.rows} 行：错误 {report.errors} 个，警告 {report.warnings} 个。"
            "“来源位置”是报送文件中的单元格，“汇总表位置”可点击跳转。"
        ],
        [
            *("序号", "级别", "来源文件", "来源位置", "汇总表位置", "字段", "规则", "填写内容"),
            *("问题", "姓名或名称"),
        ],
        [row[0] for row in rows],
        [6, 6, 24, 22, 22, 14, 24, 22, 70, 16],
    )
    for offset, (_row, target) in enumerate(rows):
        if target is not None:
            link(written.sheet.cell(row=written.first + offset, column=5), *target)


def _finding_row(
    number: int, finding: Finding, merged: Merged
) -> tuple[list[object], tuple[str, str] | None]:
    target = merged.position(finding)
    shown_target = f"{target[0]}!{target[1]}" if target else ""
    return (
        [
            number,
            SEVERITY[finding.severity],
            merged.file_of(finding),
            f"{finding.sheet}!{finding.cell}",
            shown_target,
            finding.field,
            rule_title(finding.rule),
            finding.value,
            finding.message,
            finding.name,
        ],
        target,
    )
