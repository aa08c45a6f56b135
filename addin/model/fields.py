"""The two official tables: 附件3 (organisations) and 附件4 (members).

Each :class:`Field` has an English key used in code, the official header text
(``label``) and the header spellings seen in real workbooks (``aliases``).
Headers are compared after :func:`header_key` removes spaces and line breaks,
so ``加入党组\\n织日期`` and ``党组织 书记`` match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

TableKind = Literal["members", "orgs"]

KIND_TITLES: dict[str, str] = {
    "members": "附件4 党员基本信息汇总表",
    "orgs": "附件3 党组织和所在单位信息汇总表",
}


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    aliases: tuple[str, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


def header_key(text: object) -> str:
    """Normalise a header cell for comparison.

    >>> header_key("加入党组\\n织日期 "), header_key("党组织　书记")
    ('加入党组织日期', '党组织书记')
    >>> header_key("联系电话（手机号）")
    '联系电话(手机号)'

    """
    value = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"\s+", "", value)


SEQ = Field("seq", "序号", ("编号",))

MEMBER_FIELDS: tuple[Field, ...] = (
    Field("name", "姓名"),
    Field("branch", "所在党支部", ("所在党组织", "所在支部")),
    Field("id_number", "公民身份证号", ("公民身份号码", "身份证号", "身份证号码", "身份证")),
    Field("gender", "性别"),
    Field("ethnicity", "民族"),
    Field("birth_date", "出生日期", ("出生年月日",)),
    Field("education", "学历"),
    Field("category", "人员类别"),
    Field("join_date", "加入党组织日期", ("入党日期", "入党时间", "加入党组织时间")),
    Field("full_date", "转为正式党员日期", ("转正日期", "转正时间", "转为正式党员时间")),
    Field("job", "工作岗位"),
    Field("mobile", "手机号", ("手机号码", "联系电话(手机号)", "手机")),
    Field("landline", "固定电话", ("联系电话(固定电话)", "座机")),
    Field("address", "家庭住址", ("家庭地址", "住址")),
    Field("status", "党籍状态"),
    Field("lost", "是否为失联党员", ("是否失联党员", "是否失联")),
    Field("lost_date", "失去联系日期", ("失联日期", "失去联系时间")),
    Field("mobile_flow", "是否为流动党员", ("是否流动党员", "是否流动")),
    Field("destination", "外出流向", ("流向", "外出流向地")),
)

ORG_FIELDS: tuple[Field, ...] = (
    Field("org_name", "党组织名称", ("党组织全称",)),
    Field("org_category", "组织类别", ("党组织类别",)),
    Field("unit_situation", "党组织所在单位情况", ("所在单位情况",)),
    Field("secretary", "党组织书记", ("书记",)),
    Field("contact", "党组织联系人", ("联系人",)),
    Field("phone", "联系电话", ("联系方式",)),
    Field("unit_name", "单位名称", ("所在单位名称",)),
    Field("unit_nature", "单位类别", ("单位性质类别", "单位性质")),
    Field("unit_party_org", "单位建立党组织情况", ("单位建立中共组织情况",)),
    Field("unit_code", "党组织所在单位代码", ("单位代码", "组织机构代码", "统一社会信用代码")),
)

FIELDS: dict[str, tuple[Field, ...]] = {"members": MEMBER_FIELDS, "orgs": ORG_FIELDS}

# The fields that must be present for a header row to count as that table.
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "members": ("name", "id_number"),
    "orgs": ("org_name", "org_category"),
}

# The fields holding a day, and the one holding a month (失去联系日期, e.g. 2015.03).
DATE_FIELDS = frozenset({"birth_date", "join_date", "full_date"})
MONTH_FIELDS = frozenset({"lost_date"})

# A 附件4 header of one row may say just 联系电话 for the mobile column.
MEMBER_PHONE_FALLBACK = "联系电话"


def lookup_table(kind: str) -> dict[str, Field]:
    """Map every normalised spelling to its field (``序号`` included)."""
    table = {header_key(s): f for f in (SEQ, *FIELDS[kind]) for s in f.spellings}
    return table


def field_label(kind: str, key: str) -> str:
    return next(f.label for f in (SEQ, *FIELDS[kind]) if f.key == key)
