"""The install-time patch of xlwings' VBA (issue 14, point 5a), against xlwings' own text.

``xlwings/xlwings_custom_addin.bas`` is the ``xlwings`` module of the ribbon template (only its
``Attribute VB_Name`` line differs), so the pure patch is tested on it. There is no Excel on
Linux: the COM applier is tested through ``tests.support.vbproject.CodeModuleStandIn``, which
keeps a module's lines and answers the three members the applier uses, as ``CodeModule`` does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import xlwings

from addin.ribbon import vbapatch
from addin.ribbon.vbapatch import PatchError, apply, patch
from tests.support.vbproject import CodeModuleStandIn

BAS = Path(xlwings.__file__).parent / "xlwings_custom_addin.bas"


def template_lines() -> list[str]:
    """The module as Excel's CodeModule shows it: CRLF lines, no Attribute lines."""
    text = BAS.read_bytes().decode("utf-8")
    return [line for line in text.split("\r\n") if not line.startswith("Attribute VB_")]


def test_the_reference_text_is_the_installed_xlwings_template():
    lines = template_lines()
    assert f'Public Const XLWINGS_VERSION As String = "{xlwings.__version__}"' in lines
    assert 'Public Const PROJECT_NAME As String = "myaddin"' in lines


def test_patch_changes_exactly_the_six_lines_it_names():
    before = template_lines()
    after = patch(before)
    assert len(after) == len(before)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 6
    for i in changed:
        assert before[i].strip() in {rule.old for rule in vbapatch.RULES}
        assert after[i].strip() in {rule.new for rule in vbapatch.RULES}
        indent = len(before[i]) - len(before[i].lstrip())
        assert after[i][:indent] == before[i][:indent] and after[i][indent] != " "


def test_after_the_patch_nothing_reads_the_active_workbook_config_or_code():
    text = "\n".join(patch(template_lines()))
    assert "If SheetExists(ActiveWorkbook, PROJECT_NAME" not in text
    assert 'If source = "" Or source = "directory" Then' not in text
    assert "For i = 1 To 2" not in text
    # the workbook names no longer enter prepare_sys_path's ";"-separated list
    assert not re.search(r"PYTHONPATH = AddExcelDir & \";\" & Active", text)
    assert text.count('PYTHONPATH = AddExcelDir & ";;;"') == 3
    # the add-in's own sheet and the user's own file are still read
    assert 'If SheetExists(ThisWorkbook, PROJECT_NAME & ".conf") = True Then' in text
    assert 'If source = "" Or source = "user" Then' in text


def test_patch_is_idempotent():
    once = patch(template_lines())
    assert patch(once) == once


@pytest.mark.parametrize("rule", vbapatch.RULES, ids=lambda r: r.old[:30])
def test_a_missing_line_fails_closed(rule):
    lines = [line for line in template_lines() if line.strip() != rule.old]
    with pytest.raises(PatchError, match="xlwings 的 VBA 与 dyxx 所知的版本不同"):
        patch(lines)


def test_a_doubled_line_fails_closed():
    lines = template_lines()
    i = next(i for i, line in enumerate(lines) if line.strip() == "For i = 1 To 2")
    with pytest.raises(PatchError):
        patch([*lines[: i + 1], lines[i], *lines[i + 1 :]])


def test_a_half_patched_module_fails_closed():
    lines = template_lines()
    i = next(i for i, line in enumerate(lines) if line.strip() == "For i = 1 To 2")
    half = patch(lines)
    half[i] = lines[i]  # one rule undone, the others applied
    assert patch(half) == patch(lines)
    both = [*half[: i + 1], patch(lines)[i], *half[i + 1 :]]  # old and new side by side
    with pytest.raises(PatchError):
        patch(both)


def test_apply_through_a_code_module():
    module = CodeModuleStandIn(template_lines())
    assert apply(module) == 6
    assert module.lines == patch(template_lines())
    assert len(module.replaced) == 6
    assert apply(module) == 0  # a second install finds it done


def test_apply_refuses_a_module_that_did_not_take_the_change():
    module = CodeModuleStandIn(template_lines(), takes_changes=False)
    with pytest.raises(PatchError, match="读回"):
        apply(module)


def test_apply_refuses_an_unexpected_module_without_writing():
    module = CodeModuleStandIn(["Sub Other()", "End Sub"])
    with pytest.raises(PatchError):
        apply(module)
    assert module.replaced == []
