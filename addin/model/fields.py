"""The two official tables, 附件3 (organisations) and 附件4 (members): one definition per column.

Each :class:`Field` says everything dyxx knows about a column: its English key, the
official header (``label``) and the spellings seen in real workbooks (``aliases``),
the header as printed in the seed, its code table, whether it is required, whether
it holds a date (to the day or to the month), whether its cells must be text, what
``--mask`` hides, the input message of the data-entry aids and the column width.
Every other table about columns (coded, required, date and text-format fields, the
masked labels, the prompts, the printed headers) is computed here from these
definitions, or where it is used, from them.

Headers are compared after :func:`header_key` removes spaces and line breaks,
so ``加入党组\\n织日期`` and ``党组织 书记`` match.

>>> CODED["members"]["category"], REQUIRED["orgs"][:2], sorted(DATE_FIELDS)
('member_category', ('org_name', 'org_category'), ['birth_date', 'full_date', 'join_date'])
>>> MONTH_FIELDS, sorted(ENUMERATIONS)[:2], get("members", "lost_date").printed
(frozenset({'lost_date'}), ['gender', 'member_category'], '失去联\\n系日期')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

TableKind = Literal["members", "orgs"]
Precision = Literal["day", "month"]
Personal = Literal["number", "date"]

# (annex, title) of each table, as printed above it.
ANNEXES: dict[str, tuple[str, str]] = {
    "members": ("附件4", "党员基本信息汇总表"),
    "orgs": ("附件3", "党组织和所在单位信息汇总表"),
}
KIND_TITLES: dict[str, str] = {kind: " ".join(annex) for kind, annex in ANNEXES.items()}
DEFAULT_WIDTH = 9  # characters, for a column without a width of its own


@dataclass(frozen=True)
class Field:
    """One column of 附件3 or 附件4."""

    key: str
    label: str  # the official header, as the notice names the field
    aliases: tuple[str, ...] = ()  # other header spellings seen in real workbooks
    printed: str = ""  # the header as printed in the seed, line breaks included (default: label)
    group: str = ""  # the header printed over this column and its neighbours (联系电话 …)
    codes: str | None = None  # the code table's name (loaded by addin.values.codes)
    ticked: bool = False  # the paper form ticks one of a few names: nothing else is accepted
    form_code: bool = False  # the paper form asks for the code and prints the code table
    form: str = ""  # the item's wording on the 附件1/附件2 form (default: label)
    form_blank: str = ""  # what the form's empty answer cell shows, besides ticks and dates
    required: bool = False
    date: Precision | None = None  # a date to the day, or to the month (失去联系日期)
    text: bool = False  # the cells must be text: IDs, phones, codes with leading zeros
    personal: Personal | None = None  # what --mask hides: a whole number, or month and day
    phone: Literal["mobile", "landline", "either"] | None = None  # the numbers it takes
    prompt: str = ""  # the input message of a column without a code table
    # input messages this column had in earlier versions: dyxx clean still knows them
    earlier_prompts: tuple[str, ...] = ()
    width: float = DEFAULT_WIDTH  # in the generated tables

    def __post_init__(self) -> None:
        object.__setattr__(self, "printed", self.printed or self.label)
        object.__setattr__(self, "form", self.form or self.label)

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


SEQ = Field("seq", "序号", ("编号",), width=6)

MEMBER_FIELDS: tuple[Field, ...] = (
    Field(
        "name",
        "姓名",
        required=True,
        prompt="填写姓名；少数民族姓名各部分之间用间隔号“·”，如 买买提·艾力",
        width=10,
    ),
    Field(
        "branch",
        "所在党支部",
        ("所在党组织", "所在支部"),
        form="所在党支部（填写全称）",
        required=True,
        prompt="填写党支部全称，与附件3中的党组织名称完全一致",
        width=20,
    ),
    Field(
        "id_number",
        "公民身份证号",
        ("公民身份号码", "身份证号", "身份证号码", "身份证"),
        required=True,
        text=True,
        personal="number",
        prompt="18位公民身份证号，最后一位可以是X；本列为文本格式，直接输入即可",
        width=20,
    ),
    Field("gender", "性别", codes="gender", ticked=True, required=True),
    Field("ethnicity", "民族", codes="ethnicity", required=True, text=True),
    Field(
        "birth_date",
        "出生日期",
        ("出生年月日",),
        required=True,
        date="day",
        personal="date",
        prompt="按 1968-03-12 的格式填写，须与身份证号中的出生日期一致",
        width=12,
    ),
    Field(
        "education",
        "学历",
        codes="education",
        form_code=True,
        required=True,
        text=True,
        width=14,
    ),
    Field(
        "category",
        "人员类别",
        codes="member_category",
        ticked=True,
        form="人员类别（勾选一项）",
        required=True,
        width=10,
    ),
    Field(
        "join_date",
        "加入党组织日期",
        ("入党日期", "入党时间", "加入党组织时间"),
        printed="加入党组\n织日期",
        required=True,
        date="day",
        prompt="按 1992-07-01 的格式填写；入党时应年满18岁",
        width=12,
    ),
    Field(
        "full_date",
        "转为正式党员日期",
        ("转正日期", "转正时间", "转为正式党员时间"),
        printed="转为正式\n党员日期",
        date="day",
        prompt="正式党员必填，一般为入党满一年之日，如 1993-07-01；预备党员不填",
        width=12,
    ),
    Field(
        "job",
        "工作岗位",
        codes="job",
        form_code=True,
        required=True,
        text=True,
        width=18,
    ),
    Field(
        "mobile",
        "手机号",
        ("手机号码", "联系电话(手机号)", "手机"),
        group="联系电话",
        form="联系电话（手机号）",
        text=True,
        personal="number",
        phone="mobile",
        prompt="11位手机号，如 13807391234；手机号和固定电话至少填一项",
        width=14,
    ),
    Field(
        "landline",
        "固定电话",
        ("联系电话(固定电话)", "座机"),
        group="联系电话",
        form="（固定电话）",
        form_blank="（区号）　　　　+（电话）",
        text=True,
        personal="number",
        phone="landline",
        prompt="按“区号-号码”填写，如 0739-6821234",
        width=14,
    ),
    Field(
        "address",
        "家庭住址",
        ("家庭地址", "住址"),
        form="家庭住址（具体到门牌号）",
        required=True,
        prompt="具体到门牌号，如 塘渡口镇资江路12号、白竹村3组",
        width=22,
    ),
    Field("status", "党籍状态", codes="party_status", ticked=True, required=True),
    Field(
        "lost",
        "是否为失联党员",
        ("是否失联党员", "是否失联"),
        printed="是否为失\n联党员",
        codes="yes_no",
        ticked=True,
        required=True,
    ),
    Field(
        "lost_date",
        "失去联系日期",
        ("失联日期", "失去联系时间"),
        printed="失去联\n系日期",
        form="失去联系日期（失联党员填写）",
        date="month",
        text=True,
        prompt="失联党员填写，填到月，如 2015.03；不是失联党员不填",
        width=10,
    ),
    Field(
        "mobile_flow",
        "是否为流动党员",
        ("是否流动党员", "是否流动"),
        printed="是否为流\n动党员",
        codes="yes_no",
        ticked=True,
        form="是否为流动党员（由流出地党组织负责采集）",
        required=True,
    ),
    Field(
        "destination",
        "外出流向",
        ("流向", "外出流向地"),
        form="外出流向（流动党员填写）",
        form_blank="____省（区、市）____市（地、州、盟）____县（市、区、旗）",
        prompt="流动党员填写：省+市+县，如 广东省深圳市南山区；不是流动党员不填",
        width=18,
    ),
)

ORG_FIELDS: tuple[Field, ...] = (
    Field(
        "org_name",
        "党组织名称",
        ("党组织全称",),
        form="党组织名称（填写全称）",
        required=True,
        prompt="填写党组织全称，如 中共邵阳县林业局机关支部委员会",
        width=28,
    ),
    Field(
        "org_category",
        "组织类别",
        ("党组织类别",),
        group="党组织信息",
        codes="org_category",
        form_code=True,
        required=True,
        text=True,
        width=16,
    ),
    Field(
        "unit_situation",
        "党组织所在单位情况",
        ("所在单位情况",),
        printed="党组织所在\n单位情况",
        group="党组织信息",
        codes="unit_situation",
        ticked=True,
        form="党组织所在单位情况（勾选一项）",
        required=True,
        width=16,
    ),
    Field(
        "secretary",
        "党组织书记",
        ("书记",),
        printed="党组织\n书记",
        group="党组织信息",
        required=True,
        prompt="填写党组织书记姓名",
    ),
    Field(
        "contact",
        "党组织联系人",
        ("联系人",),
        printed="党组织\n联系人",
        group="党组织信息",
        required=True,
        prompt="填写党组织联系人姓名",
    ),
    Field(
        "phone",
        "联系电话",
        ("联系方式",),
        group="党组织信息",
        required=True,
        text=True,
        personal="number",
        phone="either",
        prompt="手机号（如 13807391234）或“区号-号码”（如 0739-6821234）",
        width=14,
    ),
    Field(
        "unit_name",
        "单位名称",
        ("所在单位名称",),
        group="单位信息",
        form="单位名称（填写全称）",
        prompt="填写单位全称；联合支部有多个单位时，各单位名称都填在这一格，用“、”分隔，"
        "与单位代码一一对应；党组织所在单位情况为“与上级党组织相同”时不填",
        earlier_prompts=("填写单位全称；党组织所在单位情况为“与上级党组织相同”时不填",),
        width=24,
    ),
    Field(
        "unit_nature",
        "单位类别",
        ("单位性质类别", "单位性质"),
        group="单位信息",
        codes="unit_nature",
        form_code=True,
        text=True,
        width=18,
    ),
    Field(
        "unit_party_org",
        "单位建立党组织情况",
        ("单位建立中共组织情况",),
        printed="单位建立\n党组织情况",
        group="单位信息",
        codes="unit_party_org",
        form_code=True,
        text=True,
        width=20,
    ),
    Field(
        "unit_code",
        "党组织所在单位代码",
        ("单位代码", "组织机构代码", "统一社会信用代码"),
        printed="党组织所在\n单位代码",
        group="单位信息",
        form="党组织所在单位代码（一般为该单位组织机构代码或统一社会信用代码）",
        text=True,
        prompt="18位统一社会信用代码或9位组织机构代码；联合支部有多个单位时，各单位代码都填在"
        "这一格，用“、”分隔，顺序与单位名称一致",
        earlier_prompts=("18位统一社会信用代码或9位组织机构代码；联合支部有多个单位时用“、”分隔",),
        width=20,
    ),
)

FIELDS: dict[str, tuple[Field, ...]] = {"members": MEMBER_FIELDS, "orgs": ORG_FIELDS}

# The fields that must be present for a header row to count as that table.
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "members": ("name", "id_number"),
    "orgs": ("org_name", "org_category"),
}

# A 附件4 header of one row may say just 联系电话 for the mobile column.
MEMBER_PHONE_FALLBACK = "联系电话"


def columns(kind: str) -> tuple[Field, ...]:
    """The columns of the official table in the seed's order, 序号 first."""
    return (SEQ, *FIELDS[kind])


def get(kind: str, key: str) -> Field:
    return next(f for f in columns(kind) if f.key == key)


def lookup_table(kind: str) -> dict[str, Field]:
    """Map every normalised spelling to its field (``序号`` included)."""
    table = {header_key(s): f for f in columns(kind) for s in f.spellings}
    return table


def field_label(kind: str, key: str) -> str:
    return get(kind, key).label


# ---- tables computed from the fields ------------------------------------------------------------

_ALL = (*MEMBER_FIELDS, *ORG_FIELDS)  # the keys of the two tables differ

# kind -> {field key: code table name}
CODED: dict[str, dict[str, str]] = {
    kind: {f.key: f.codes for f in fields if f.codes} for kind, fields in FIELDS.items()
}
# kind -> the fields that must be filled in
REQUIRED: dict[str, tuple[str, ...]] = {
    kind: tuple(f.key for f in fields if f.required) for kind, fields in FIELDS.items()
}
# Code tables whose few names are ticked on the paper form: a dropdown of names, nothing else.
ENUMERATIONS = frozenset(f.codes for f in _ALL if f.ticked and f.codes)
DATE_FIELDS = frozenset(f.key for f in _ALL if f.date == "day")
MONTH_FIELDS = frozenset(f.key for f in _ALL if f.date == "month")
TEXT_FORMAT_FIELDS = frozenset(f.key for f in _ALL if f.text)
# 单位信息: filled in only when the organisation is not in its superior's unit.
UNIT_FIELDS = tuple(f.key for f in ORG_FIELDS if f.group == "单位信息")
# Labels (as findings name fields) whose whole value is personal, masked even when malformed.
PERSONAL_LABELS = frozenset(f.label for f in _ALL if f.personal == "number")
# Labels of dates that are part of the ID number: masking hides their month and day.
BIRTH_LABELS = frozenset(f.label for f in _ALL if f.personal == "date")
