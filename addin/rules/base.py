"""What every check shares: placing problems at cells, what reading a table found,
required fields, dates."""

from __future__ import annotations

from calendar import monthrange
from datetime import date

from addin.model.a1 import column_letter
from addin.model.fields import KIND_TITLES, field_label
from addin.model.findings import Finding, Problem, rule
from addin.read.reader import Record, Table, Unplaced
from addin.values import codes
from addin.values.cells import is_blank, text, visible
from addin.values.codes import Entry

REQUIRED = rule(
    "field.required",
    "error",
    "必填项未填写",
    "“{field}”未填写，请按采集表补充",
)
REQUIRED_LOST = rule(
    "field.required_lost",
    "warning",
    "失联党员信息不全",
    "“{field}”未填写；失联党员可先采集已知信息，取得联系后请及时补充",
)
MISSING_COLUMN = rule(
    "table.missing_column",
    "warning",
    "表格缺少列",
    "表格中没有“{fields}”列，这些项目无法校验；请使用官方模板（附件3/附件4）的列",
)
ROWS_AFTER_GAP = rule(
    "table.rows_after_gap",
    "warning",
    "空行后还有数据",
    "第{row}行起还有数据，但与上方表格之间隔着空行，未被校验；请删除中间的空行后重新校验",
)
FORMULA_UNCACHED = rule(
    "cell.formula_uncached",
    "warning",
    "公式没有保存计算结果",
    "单元格是公式“{formula}”，但文件里没有保存它的计算结果（文件可能由程序生成、"
    "未在 Excel 中保存过），无法校验其值；请在 Excel 或 WPS 中打开并保存后再校验",
)

ROW_NOT_READ = rule(
    "table.row_not_read",
    "error",
    "有内容的行没有读取",
    "第{row}行{where}，没有作为{what}读取；{fix}",
)
STRAY_VALUE = rule(
    "table.stray_value",
    "warning",
    "表格下面有零星内容",
    "第{row}行只有一个单元格有内容（“{value}”），不像一个{what}的信息，没有读取；"
    "如果是{what}，请把这一行补全；如果不是，请删除",
)
ERROR_VALUE = rule(
    "cell.error_value",
    "error",
    "单元格是错误值",
    "单元格显示的是错误值“{value}”{meaning}，不是有效内容，无法校验；"
    "请改为正确的值（如果是公式算出的，请检查公式，或直接填写）",
)
ERROR_MEANINGS = {
    "#N/A": "（公式查找的值不存在）",
    "#REF!": "（公式引用的单元格已被删除）",
    "#VALUE!": "（公式中的值类型不对）",
    "#DIV/0!": "（公式除以零）",
    "#NAME?": "（公式中有无法识别的名称）",
    "#NUM!": "（公式算出的数值无效）",
    "#NULL!": "（公式引用的区域不相交）",
    "#SPILL!": "（公式结果放不下）",
    "#CALC!": "（公式无法计算）",
    "#GETTING_DATA": "（数据还没有取回）",
}


class RowFindings:
    """Collects the problems of one record and places them at their cells."""

    def __init__(self, table: Table, record: Record) -> None:
        self.table = table
        self.record = record
        self.items: list[Finding] = []

    def raw(self, key: str) -> object:
        return self.record.values.get(key)

    def has_column(self, key: str) -> bool:
        return key in self.table.columns

    def add(self, key: str, problem: Problem) -> None:
        table, label = self.table, field_label(self.table.kind, key)
        column = table.columns.get(key)
        self.items.append(
            Finding.at(table, self.record.row, column, label, text(self.raw(key)), problem)
        )

    def add_all(self, key: str, problems: tuple[Problem, ...] | list[Problem]) -> None:
        for problem in problems:
            self.add(key, problem)

    def code(self, key: str, table_key: str) -> Entry | None:
        """Look the cell up in a code table, adding its problems; None when blank or unknown."""
        raw = self.raw(key)
        if is_blank(raw):
            return None
        found = codes.table(table_key).lookup(raw)
        self.add_all(key, found.problems)
        return found.entry

    def present(self, key: str, *, lenient: bool = False) -> bool:
        """True when the cell holds a value; adds a ``field.required`` finding otherwise."""
        if not self.has_column(key):
            return False
        if not is_blank(self.raw(key)):
            return True
        label = field_label(self.table.kind, key)
        self.add(key, (REQUIRED_LOST if lenient else REQUIRED).problem(field=label))
        return False


def table_findings(table: Table) -> list[Finding]:
    """Findings about the table as a whole (missing columns, rows cut off by a gap)."""
    items: list[Finding] = []
    if table.missing:
        labels = "”“".join(field_label(table.kind, key) for key in table.missing)
        problem = MISSING_COLUMN.problem(fields=labels)
        items.append(Finding.at(table, table.header_row, 1, "表头", "", problem))
    for row, column, formula in table.uncached:
        problem = FORMULA_UNCACHED.problem(formula=formula[:60])
        items.append(Finding.at(table, row, column, _label_at(table, column), "", problem))
    if table.rows_after_gap:
        problem = ROWS_AFTER_GAP.problem(row=table.rows_after_gap)
        items.append(Finding.at(table, table.rows_after_gap, 1, "", "", problem))
    return items


def read_findings(table: Table) -> list[Finding]:
    """What reading a table found: rows with data that are not records (below a footer
    line, or outside the table's columns), and cells holding an Excel error."""
    items = [_unplaced(table, item) for item in table.unplaced]
    for row, column, value in table.errors:
        problem = ERROR_VALUE.problem(value=value, meaning=ERROR_MEANINGS.get(value, ""))
        items.append(Finding.at(table, row, column, _label_at(table, column), value, problem))
    return items


def _unplaced(table: Table, item: Unplaced) -> Finding:
    what = "党员" if table.kind == "members" else "党组织"
    if item.stray:
        problem = STRAY_VALUE.problem(row=item.row, value=item.value, what=what)
        label = _label_at(table, item.column)
        return Finding.at(table, item.row, item.column, label, item.value, problem)
    if item.footer is not None:
        row, line = item.footer
        where = f"在表尾“{visible(line[:20])}”（第{row}行）的下面"
        fix = f"如果是{what}，请把这一行移到表尾的上面，紧接着表格中的数据；如果不是，请删除"
    else:
        letters = "、".join(column_letter(c) for c in item.columns[:5])
        letters += "等" if len(item.columns) > 5 else ""
        where = f"只在{letters}列有内容，这些列不是{KIND_TITLES[table.kind]}的列（表头中没有）"
        fix = f"如果是{what}的信息，请填到表头对应的列中；如果不需要，请删除这些内容"
    problem = ROW_NOT_READ.problem(row=item.row, where=where, what=what, fix=fix)
    return Finding.at(table, item.row, item.column, "", "", problem)


def _label_at(table: Table, column: int) -> str:
    key = next((k for k, c in table.columns.items() if c == column), None)
    return field_label(table.kind, key) if key else ""


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February).

    >>> add_years(date(2016, 2, 29), 1), add_years(date(2017, 6, 15), 2)
    (datetime.date(2017, 2, 28), datetime.date(2019, 6, 15))
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (as Excel's EDATE).

    >>> add_months(date(1946, 8, 31), 6), add_months(date(2016, 2, 29), 12)
    (datetime.date(1947, 2, 28), datetime.date(2017, 2, 28))
    """
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    if day.day <= 28:  # every month has the day (fast: no calendar)
        return day.replace(year=year, month=month)
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


def age_on(birth: date, day: date) -> int:
    """Whole years of age on ``day``.

    >>> age_on(date(1999, 6, 16), date(2017, 6, 15)), age_on(date(1999, 6, 15), date(2017, 6, 15))
    (17, 18)
    """
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
