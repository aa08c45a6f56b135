"""The data-entry aids as plain data: the code sheet's layout, dropdown options, formats.

Three writers put the same aids into a workbook: :mod:`addin.write.dataentry` with
openpyxl (templates), ``dyxx prepare`` by editing XML, and the Excel add-in through
xlwings (:mod:`addin.excel.aids`). This module is what they share; it loads no
openpyxl, so the add-in's worksheet-function process never does either.

>>> options("gender"), options("education")[:2]
(['男', '女'], ['11 博士研究生', '12 硕士研究生'])
>>> number_format("id_number"), number_format("join_date"), number_format("name")
('@', 'yyyy-mm-dd', None)
"""

from __future__ import annotations

from addin.model.fields import DATE_FIELDS, ENUMERATIONS, TEXT_FORMAT_FIELDS
from addin.values import codes

CODE_SHEET = "代码表"
CODE_FIRST_ROW = 4  # entries start here; rows 1-3: marker, table title, column heads
CODE_HEADS = ("代码", "名称", "下拉选项")  # the three columns of each code table
DATA_ROWS = 2000  # rows prepared below the header
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"


def options(table_key: str) -> list[str]:
    """The dropdown values: names for enumerations, "code name" for the specific codes."""
    table = codes.table(table_key)
    if table_key in ENUMERATIONS:
        return [e.name for e in table.entries]
    parents = {e.parent for e in table.entries}
    return [table.display(e) for e in table.entries if e.code not in parents]


def number_format(key: str) -> str | None:
    """The number format of a field's input cells (None: leave it as it is)."""
    if key in TEXT_FORMAT_FIELDS:
        return TEXT_FORMAT
    return DATE_FORMAT if key in DATE_FIELDS else None
