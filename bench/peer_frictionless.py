"""The peer: frictionless validating the same 附件4 sheet with a comparable schema.

    python bench/peer_frictionless.py FILE.xlsx

Every column typed as text with the same kind of constraints dyxx checks cheaply
(required fields, the ID/mobile patterns, the enumerations); prints the number of
errors found. Needs ``pip install "frictionless[excel]"`` (the ``bench`` extra).
"""

from __future__ import annotations

import sys

from frictionless import Dialect, Resource, Schema, fields, formats, system

ENUMS = {
    "性别": ["男", "女"],
    "人员类别": ["正式党员", "预备党员"],
    "党籍状态": ["正常", "停止党籍"],
    "是否为失联党员": ["是", "否"],
    "是否为流动党员": ["是", "否"],
}
PATTERNS = {"公民身份证号": r"[1-9]\d{16}[\dX]", "手机号": r"1[3-9]\d{9}"}
REQUIRED = {
    "姓名",
    "所在党支部",
    "公民身份证号",
    "性别",
    "民族",
    "学历",
    "人员类别",
    "工作岗位",
    "家庭住址",
    "党籍状态",
    "是否为失联党员",
    "是否为流动党员",
}
HEADERS = [
    "序号",
    "姓名",
    "所在党支部",
    "公民身份证号",
    "性别",
    "民族",
    "出生日期",
    "学历",
    "人员类别",
    "加入党组织日期",
    "转为正式党员日期",
    "工作岗位",
    "手机号",
    "固定电话",
    "家庭住址",
    "党籍状态",
    "是否为失联党员",
    "失去联系日期",
    "是否为流动党员",
    "外出流向",
]


def schema() -> Schema:
    columns = []
    for name in HEADERS:
        constraints: dict[str, object] = {}
        if name in REQUIRED:
            constraints["required"] = True
        if name in ENUMS:
            constraints["enum"] = ENUMS[name]
        if name in PATTERNS:
            constraints["pattern"] = PATTERNS[name]
        loose = name == "序号" or name.endswith("日期")  # numbers and dates stay as they are
        field = fields.AnyField if loose else fields.StringField
        columns.append(field(name=name, constraints=constraints))
    return Schema(fields=columns)


def main(path: str) -> None:
    control = formats.ExcelControl(sheet="党员基本信息汇总表", preserve_formatting=False)
    dialect = Dialect(header_rows=[4, 5], header_join="", controls=[control])
    with system.use_context(trusted=True):  # an absolute path of our own making
        resource = Resource(path, dialect=dialect, schema=schema(), format="xlsx")
        report = resource.validate(limit_errors=10**9)
    print(f"frictionless errors: {report.stats['errors']}")


if __name__ == "__main__":
    main(sys.argv[1])
