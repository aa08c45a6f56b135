"""The 附件1/附件2 collection forms: one record per sheet, printable on A4.

The items, their order and wording, the tick boxes, the signature/date lines
and the closing note follow the seed notice; the code tables printed after
each form in the notice follow on a second page, generated from ``codes/``.
Answer cells get the same dropdowns and formats as the summary tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from openpyxl.styles import Alignment, Border, Font, Protection, Side
from openpyxl.workbook import Workbook
from openpyxl.worksheet.pagebreak import Break, RowBreak
from openpyxl.worksheet.worksheet import Worksheet

from addin.model.a1 import column_letter
from addin.model.fields import FIELDS
from addin.model.fields import get as get_field
from addin.values import codes
from addin.write import cellstyle
from addin.write.cellstyle import Look
from addin.write.dataentry import validation
from addin.write.entry import number_format
from addin.write.printing import fit_rows, print_setup

LINE = Side(style="thin")
UNDERLINE = Border(bottom=LINE)
BOX = Border(left=LINE, right=LINE, top=LINE, bottom=LINE)
WRAP = Alignment(vertical="center", wrap_text=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
FONT = "宋体"
DATE_BLANKS = {"day": "　　　　年　　月　　日", "month": "　　　　年　　月"}
SUB_ITEM = "　　"  # a line belonging to the item above: indented, not numbered
WIDTHS = (40, 16, 16, 16)  # label column, then three answer columns
ANNEX = Look(font=Font(name=FONT, size=12), alignment=WRAP)
HEADING = Look(font=Font(name=FONT, size=18, bold=True), alignment=CENTER)
SIGNATURE = Look(font=Font(name=FONT, size=12), alignment=WRAP)
DATE_LINE = Look(font=Font(name=FONT, size=12), alignment=CENTER)
NOTE = Look(font=Font(name=FONT, size=10), alignment=WRAP)
SECTION = Look(font=Font(name=FONT, size=12, bold=True), alignment=WRAP)
REMARK = Look(font=Font(name=FONT, size=9), alignment=WRAP)
UNDERLINED = Look(border=UNDERLINE)
LABEL = Look(font=Font(name=FONT, size=11), alignment=WRAP, border=BOX)
ANSWER = Look(font=Font(name=FONT, size=11), alignment=WRAP, protection=Protection(locked=False))
BOXED = Look(border=BOX)
CODE_TITLE = Look(font=Font(name=FONT, size=12, bold=True), alignment=CENTER)
CODE = Look(number_format="@", alignment=CENTER)
CODE_HEAD = (Look(alignment=CENTER), Look(font=Font(name=FONT, bold=True), border=BOX))
CODE_ENTRY = (Look(alignment=WRAP), Look(font=Font(name=FONT, size=10), border=BOX))


@dataclass(frozen=True)
class Item:
    label: str
    key: str | None = None  # the table field the answer belongs to
    blank: str = ""  # what the empty answer cell shows when printed
    section: bool = False  # a section heading (党组织信息, 所在单位信息)


def ticks(table_key: str) -> str:
    """Tick boxes for an enumeration, as on the paper form: □男　　□女."""
    return "　　".join(f"□{e.name}" for e in codes.table(table_key).entries)


def _code_hint(table_key: str) -> str:
    return f"（参照{codes.table(table_key).reference}填写相应代码）"


def field_item(kind: str, key: str, number: int | None) -> Item:
    """A field's item: its wording on the form (numbered, or a sub-line) and empty answer."""
    item = get_field(kind, key)
    label = f"{number}.{item.form}" if number else SUB_ITEM + item.form
    if item.form_code and item.codes:
        label += _code_hint(item.codes)
    blank = item.form_blank
    if item.ticked and item.codes:
        blank = ticks(item.codes)
    elif item.date:
        blank = DATE_BLANKS[item.date]
    return Item(label, key, blank)


def numbered(kind: str, keys: tuple[str | tuple[str, ...], ...], start: int = 1) -> list[Item]:
    """Items numbered from ``start``; a tuple of keys is an item with its sub-lines."""
    found: list[Item] = []
    for number, entry in enumerate(keys, start=start):
        first, *subs = (entry,) if isinstance(entry, str) else entry
        found.append(field_item(kind, first, number))
        found.extend(field_item(kind, sub, None) for sub in subs)
    return found


def org_items() -> tuple[Item, ...]:
    return (
        Item("党组织信息", section=True),
        *numbered(
            "orgs", ("org_name", "secretary", "contact", "phone", "org_category", "unit_situation")
        ),
        Item(
            "（备注：“与上级党组织相同”指本党组织所在的法人单位与上级党组织所在的法人单位相同，"
            "如勾选此项，则以下所在单位信息不用填写；“联合支部”指本党组织为多个单位共建的"
            "联合党支部，如勾选此项，则以下应填写多个所在单位信息，不够可另附页。）"
        ),
        Item("所在单位信息", section=True),
        *numbered("orgs", ("unit_name", "unit_nature", "unit_party_org", "unit_code"), start=7),
    )


def member_items() -> tuple[Item, ...]:
    order = (
        *("name", "gender", "ethnicity", "id_number", "birth_date", "education", "category"),
        *("branch", "join_date", "full_date", "job", ("mobile", "landline"), "address"),
        *("status", ("lost", "lost_date"), ("mobile_flow", "destination")),
    )
    return tuple(numbered("members", order))


def printed_codes(kind: str) -> tuple[str, ...]:
    """The code tables printed after a form, as in the notice."""
    return tuple(f.codes for f in FIELDS[kind] if f.form_code and f.codes)


FORMS = {
    "orgs": (
        "附件1",
        "党组织和所在单位基本信息采集表",
        org_items,
        ("信息采集员（签字）：", "党组织书记（签字）：", "基层党委（盖章）："),
        "注：软件系统中信息齐全的，此表可直接从软件系统中导出打印，再交由党支部（党总支、党委）"
        "初核，基层党委复核。",
        printed_codes("orgs"),
    ),
    "members": (
        "附件2",
        "党员基本信息采集表",
        member_items,
        ("党员（签字）：", "党支部书记（签字）：", "信息采集员（签字）：", "基层党委（盖章）："),
        "注：软件系统中信息齐全的，此表可直接从软件系统中导出打印，再交由党员本人确认，"
        "党支部（党总支、党委）初核，基层党委复核。",
        printed_codes("members"),
    ),
}


def add_form(workbook: Workbook, kind: str, title: str, ranges: Mapping[str, str]) -> Worksheet:
    """Add the 附件1 (``orgs``) or 附件2 (``members``) form as a new sheet."""
    *_frame, note, tables = FORMS[kind]
    sheet, row = form_frame(
        workbook, kind, title, lambda s, r, item: _item(s, r, kind, item, ranges)
    )
    write_line(sheet, row + 1, note, NOTE, height=32)
    last_form_row = row + 1
    _setup(sheet, last_form_row)
    _code_tables(sheet, last_form_row + 2, tables)
    fit_rows(sheet, 1, sheet.max_row)  # LibreOffice does not grow rows for wrapped text
    return sheet


def form_frame(
    workbook: Workbook, kind: str, title: str, write_item: Callable[[Worksheet, int, Item], None]
) -> tuple[Worksheet, int]:
    """A new sheet with the form's 附件 line, heading, items and signature/date lines.

    ``write_item(sheet, row, item)`` fills one item's row (with formulas for the
    template, with a member's values for ``dyxx forms``). Returns the sheet and
    the row after the signature lines.
    """
    sheet = form_sheet(workbook, title)
    return sheet, write_frame(sheet, 1, kind, write_item)


def form_sheet(workbook: Workbook, title: str) -> Worksheet:
    """A new sheet with the forms' column widths."""
    sheet = workbook.create_sheet(title)
    for col, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[column_letter(col)].width = width
    return sheet


def write_frame(
    sheet: Worksheet, top: int, kind: str, write_item: Callable[[Worksheet, int, Item], None]
) -> int:
    """The form written from row ``top`` down; the row after its signature lines."""
    annex, heading, items, signatures, _note, _tables = FORMS[kind]
    write_line(sheet, top, annex, ANNEX)
    write_line(sheet, top + 1, heading, HEADING, height=40)
    row = top + 3
    for item in items():
        write_item(sheet, row, item)
        row += 1
    row += 1
    for signature in signatures:
        write_line(sheet, row, signature, SIGNATURE, height=34, span=2)
        DATE_LINE.apply(sheet.cell(row=row, column=3, value="　　年　　月　　日"))
        cellstyle.merge(sheet, row, 3, row, len(WIDTHS))
        row += 1
    return row


def write_line(
    sheet: Worksheet,
    row: int,
    text: str,
    look: Look,
    *,
    height: float | None = None,
    span: int = len(WIDTHS),
) -> None:
    look.apply(sheet.cell(row=row, column=1, value=text))
    if span > 1:
        cellstyle.merge(sheet, row, 1, row, span)
    if height:
        sheet.row_dimensions[row].height = height


def write_label(sheet: Worksheet, row: int, item: Item) -> bool:
    """Write a section heading, a note line or an item's label; True when it has an answer."""
    if item.section or item.key is None:
        look = SECTION if item.section else REMARK
        write_line(sheet, row, item.label, look, height=24 if item.section else 48)
        if item.section:
            UNDERLINED.apply(sheet.cell(row=row, column=1))
        return False
    LABEL.apply(sheet.cell(row=row, column=1, value=item.label))
    return True


def box_answer(sheet: Worksheet, row: int) -> None:
    """Box an item's answer cells and merge them into one, as on the paper form."""
    for col in range(2, len(WIDTHS) + 1):
        BOXED.apply(sheet.cell(row=row, column=col))
    cellstyle.merge(sheet, row, 2, row, len(WIDTHS))
    sheet.row_dimensions[row].height = 30


def _item(sheet: Worksheet, row: int, kind: str, item: Item, ranges: Mapping[str, str]) -> None:
    if not write_label(sheet, row, item):
        return
    answer = sheet.cell(row=row, column=2, value=item.blank or None)
    ANSWER.apply(answer)
    fmt = number_format(item.key or "")
    if fmt:
        answer.number_format = fmt
    box_answer(sheet, row)
    check = validation(kind, item.key, ranges)
    if check is not None:
        check.add(answer.coordinate)
        sheet.add_data_validation(check)


def _setup(sheet: Worksheet, last_row: int) -> None:
    print_setup(sheet, landscape=False, margin=0.6)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.top = sheet.page_margins.bottom = 0.7
    sheet.row_breaks = RowBreak(brk=[Break(id=last_row)])
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.sheet_view.showGridLines = False


def _code_tables(sheet: Worksheet, row: int, tables: tuple[str, ...]) -> None:
    """The code tables printed after the form, as in the notice."""
    for key in tables:
        table = codes.table(key)
        write_line(sheet, row, table.reference, CODE_TITLE, span=2)
        row += 1
        _code_row(sheet, row, "代码", "名称", CODE_HEAD)
        row += 1
        for entry in table.entries:
            indent = "　　" if entry.parent else ""
            _code_row(sheet, row, entry.code, indent + entry.name, CODE_ENTRY)
            row += 1
        row += 1


def _code_row(sheet: Worksheet, row: int, code: str, name: str, looks: tuple[Look, Look]):
    name_look, boxed = looks
    CODE.apply(sheet.cell(row=row, column=1, value=code))
    name_look.apply(sheet.cell(row=row, column=2, value=name))
    for col in range(1, len(WIDTHS) + 1):
        boxed.apply(sheet.cell(row=row, column=col))
    cellstyle.merge(sheet, row, 2, row, len(WIDTHS))
