"""The field registry (addin.model.fields) is the one definition of every column.

Everything else that knows a fact about a column (code tables, required fields, dates,
text formats, masking, prompts, printed headers, form items) is checked against it here,
and no module outside addin/model keeps a table of columns of its own.
"""

from __future__ import annotations

import ast
import importlib
from datetime import date
from pathlib import Path

import pytest

from addin.engine.check import check_tables
from addin.engine.mask import mask_field
from addin.model import fields
from addin.model.fields import FIELDS, columns, header_key
from addin.read.reader import find_tables
from addin.values import codes
from addin.workflow.forms_output import answer
from addin.write import dataentry, entry, forms, layout

ADDIN = Path(__file__).resolve().parents[1] / "addin"
TODAY = date(2024, 6, 1)
ALL = [(kind, f) for kind, items in FIELDS.items() for f in items]
IDS = [f.key for _kind, f in ALL]


def test_keys_are_unique_and_printed_headers_read_as_their_label():
    assert len(set(IDS)) == len(IDS)
    for _kind, f in ALL:
        assert header_key(f.printed) == header_key(f.label), f.key
        assert f.codes is None or f.codes in codes.KEYS, f.key


@pytest.mark.parametrize(("kind", "item"), ALL, ids=IDS)
def test_every_field_is_consistent(kind, item):
    assert bool(item.prompt) != bool(item.codes)  # a coded column's message comes from its table
    assert not item.ticked or item.codes
    assert not item.form_code or (item.codes and not item.ticked)
    assert not (item.date == "day" and item.text)  # a date to the day is a real date
    assert item.personal != "number" or item.text


@pytest.mark.parametrize(("kind", "item"), ALL, ids=IDS)
def test_input_aids_follow_the_registry(kind, item):
    made = dataentry.validation(kind, item.key, {k: "$A$1:$A$2" for k in codes.KEYS})
    if item.codes:
        assert made.type == "list"
        assert made.errorStyle == ("stop" if item.ticked else "warning")
    elif item.date == "day":
        assert made.type == "date" and made.prompt == item.prompt
    else:
        assert made.type is None and made.prompt == item.prompt
        assert (made.imeMode == "off") == item.text
    assert made.promptTitle == item.label
    expected = "@" if item.text else "yyyy-mm-dd" if item.date == "day" else None
    assert entry.number_format(item.key) == expected


@pytest.mark.parametrize(("kind", "item"), ALL, ids=IDS)
def test_masking_follows_the_registry(kind, item):
    expected = {None: "五月六日", "number": "*五月六日", "date": "****"}[item.personal]
    assert mask_field(item.label, "五月六日") == expected  # no pattern: by the field alone


def test_printed_tables_follow_the_registry():
    for kind in FIELDS:
        assert layout.columns(kind) == tuple((f.printed, f.key) for f in columns(kind))
        grouped = [f.key for f in columns(kind) if f.group]
        spans = [k for _t, a, b in layout.GROUPS[kind] for k in range(a, b + 1)]
        assert [layout.columns(kind)[c - 1][1] for c in spans] == grouped
    assert layout.GROUPS["orgs"] == (("党组织信息", 3, 7), ("单位信息", 8, 11))
    assert layout.GROUPS["members"] == (("联系电话", 13, 14),)


def test_every_field_is_on_its_form_once():
    for kind, make in (("orgs", forms.org_items), ("members", forms.member_items)):
        items = [i for i in make() if i.key]
        assert sorted(i.key for i in items) == sorted(f.key for f in FIELDS[kind])
        for i in items:
            item = fields.get(kind, i.key)
            assert item.form in i.label
            assert ("填写相应代码" in i.label) == item.form_code
            assert i.blank.startswith("□") == item.ticked
        assert forms.FORMS[kind][-1] == tuple(f.codes for f in FIELDS[kind] if f.form_code)


def test_form_answers_name_or_code_as_the_form_asks():
    ethnicity = forms.field_item("members", "ethnicity", 3)
    education = forms.field_item("members", "education", 6)
    assert answer("members", ethnicity, "01") == "汉族"
    assert answer("members", education, "21") == "21 大学"
    lost = forms.field_item("members", "lost_date", None)
    assert answer("members", lost, "2015.3") == "2015年03月"


@pytest.mark.parametrize("kind", FIELDS)
def test_a_blank_row_reports_exactly_the_required_fields(kind):
    header = [f.label for f in columns(kind)]
    anchor = "张三" if kind == "members" else "中共某某支部委员会"
    row = [1, anchor] + [None] * (len(header) - 2)
    tables = find_tables([header, row], file="", sheet="")
    found = check_tables(tables, TODAY).findings
    required = {f.label for f in FIELDS[kind] if f.required} - {header[1]}
    blank = {f.field for f in found if f.rule in ("field.required", "field.required_lost")}
    assert blank == required


# ---- no second table of columns ---------------------------------------------------------------

OLD_TABLES = {
    "addin.rules.member": ("CODED", "REQUIRED"),
    "addin.rules.org": ("CODED", "REQUIRED", "UNIT_FIELDS"),
    "addin.write.dataentry": (
        "CODED",
        "DATE_FIELDS",
        "ENUMERATIONS",
        "IME_OFF",
        "PROMPTS",
        "TEXT_FORMAT_FIELDS",
    ),
    "addin.write.layout": ("TEXT_FIELDS",),
    "addin.write.template": ("WIDTHS",),
    "addin.engine.mask": ("PERSONAL_FIELDS", "BIRTH_FIELDS"),
    "addin.workflow.common": ("MONTH_FIELDS", "DATE_FIELDS", "CODED"),
    "addin.workflow.forms_output": ("PLAIN_NAMES",),
}


@pytest.mark.parametrize(("module", "names"), OLD_TABLES.items())
def test_the_old_tables_are_gone(module, names):
    loaded = importlib.import_module(module)
    for name in names:
        if hasattr(loaded, name):  # only as the registry's own, imported
            assert getattr(loaded, name) is getattr(fields, name), f"{module}.{name}"


# Literals that name several fields and are not a table of what the columns are.
ALLOWED = {
    ("rules/member.py", "_parse"): "the rules: the checker of each column with one of its own",
    ("write/forms.py", "org_items"): "the form's layout: the order of its items",
    ("write/forms.py", "member_items"): "the form's layout: the order of its items",
    ("values/codes.py", ""): "code-table names, some of which are also field keys",
    ("web/checking.py", "finding_row"): "the page's findings row: JSON keys, not columns",
}


def _field_names() -> set[str]:
    return {s for _kind, f in ALL for s in (f.key, *f.spellings)}


def _column_tables(path: Path) -> list[tuple[str, int]]:
    """(enclosing function, line) of every dict or set literal keyed by two fields or
    more, and every tuple or list literal of three fields or more."""
    names = _field_names()
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, scope: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            scope = node.name
        items, least = (), 0
        if isinstance(node, ast.Dict):
            items, least = node.keys, 2
        elif isinstance(node, ast.Set):
            items, least = node.elts, 2
        elif isinstance(node, ast.Tuple | ast.List):
            items, least = node.elts, 3
        hits = [n for n in items if isinstance(n, ast.Constant) and n.value in names]
        if least and len(hits) >= least:
            found.append((scope, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, scope)

    visit(ast.parse(path.read_text(encoding="utf-8")), "")
    return found


def test_no_module_outside_the_model_keeps_a_table_of_columns():
    offenders = []
    for path in sorted(ADDIN.rglob("*.py")):
        name = path.relative_to(ADDIN).as_posix()
        if name.startswith("model/"):
            continue
        for scope, line in _column_tables(path):
            if (name, scope) not in ALLOWED:
                offenders.append(f"{name}:{line} ({scope or 'module'})")
    assert offenders == []


def test_the_scan_finds_a_table_of_columns(tmp_path):
    """The scan above is not vacuous: the old CODED of rules/org.py is what it catches."""
    old = tmp_path / "old.py"
    old.write_text('CODED = {"org_category": "org_category", "unit_nature": "unit_nature"}\n')
    assert _column_tables(old) == [("", 1)]


def test_written_tables_format_text_columns_as_text():
    book = layout.new_workbook()
    for kind in FIELDS:
        sheet = layout.add_table(book, kind, [{}])
        for col, item in enumerate(columns(kind), start=1):
            cell = sheet.cell(layout.DATA_ROW, col)
            assert (cell.number_format == "@") == (item.text and not item.date), item.key
