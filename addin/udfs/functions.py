"""The worksheet functions as plain Python: what Excel calls, before any xlwings decoration.

Names are ASCII (Excel-safe, and valid VBA identifiers for the generated
wrappers); docstrings and argument descriptions are Chinese, because Excel's
function wizard shows them (at most 255 characters each). Each function is a
thin wrapper over :mod:`addin.excel.functions`.
"""

from __future__ import annotations

from typing import Any

from addin.excel import functions as logic

CATEGORY = "党员信息校验"
# Argument descriptions shown in the function wizard: function -> {argument: text}.
ARGUMENTS: dict[str, dict[str, str]] = {
    "DYID": {"id": "公民身份证号：单元格或文字"},
    "DYBIRTH": {"id": "公民身份证号：单元格或文字"},
    "DYSEX": {"id": "公民身份证号：单元格或文字"},
    "DYAGE": {
        "id": "公民身份证号：单元格或文字",
        "on_date": "按哪一天计算年龄（可省略，默认今天），如 2017-06-15",
    },
    "DYDATE": {"value": "要检查的日期：单元格或文字，如 2017.06.15、2017年6月15日"},
    "DYCODE": {
        "table": "代码表名称或列名，如 学历、工作岗位、民族、组织类别、单位类别、性别",
        "value": "要检查的值：代码、名称或两者，如 21、大学、21 大学",
    },
    "DYROW": {
        "row": "附件4（或附件3）中的一整行，如 A6:T6",
        "table": "表头区域（如 $A$4:$T$5），或“附件4”“附件3”；可省略：按列数判断",
    },
}
# Arguments that are ranges: always read as a 2-D list, whatever their shape.
RANGES: dict[str, tuple[str, ...]] = {"DYROW": ("row", "table")}


def DYID(id: Any) -> str:
    """检查公民身份证号：正确时返回空白，否则返回问题说明（位数、校验位、出生日期、地区码等）。"""
    return logic.id_reason(id)


def DYBIRTH(id: Any) -> Any:
    """身份证号中的出生日期（请把单元格设为日期格式）；号码有误时返回问题说明。"""
    return logic.id_birth(id)


def DYSEX(id: Any) -> str:
    """身份证号第17位表示的性别：男 或 女；号码有误时返回问题说明。"""
    return logic.id_sex(id)


def DYAGE(id: Any, on_date: Any = None) -> Any:
    """按身份证号中的出生日期计算周岁（默认算到今天）；号码或日期有误时返回问题说明。"""
    return logic.id_age(id, on_date)


def DYDATE(value: Any) -> Any:
    """把各种写法的日期统一为真正的日期（请把单元格设为日期格式）；不是日期时返回原因。"""
    return logic.date_value(value)


def DYCODE(table: Any, value: Any) -> str:
    """按代码表返回规范的“代码 名称”（如 21 大学）；无法识别时返回原因。"""
    return logic.code_value(table, value)


def DYROW(row: Any, table: Any = None) -> str:
    """校验附件4（或附件3）的一行：返回这一行的全部问题，没有问题时返回空白。"""
    return logic.row_findings(row, table)


FUNCTIONS = (DYID, DYBIRTH, DYSEX, DYAGE, DYDATE, DYCODE, DYROW)
