"""The branch workbooks the workflow tests share.

Three branches of 中共邵阳县林业局委员会 hand in their workbooks (official layout,
written with openpyxl, read back by dyxx). Between them, on purpose:

- 刘洋 is in two branch files with different 所在党支部 and 手机号 (a conflict);
- 孙丽 is in two branch files, identical (a plain duplicate);
- the 机关支部's 附件3 row is also in the 木材检查站 file, identical;
- 郑涛's 性别 does not match his ID; 黄磊's 所在党支部 is in no 附件3;
- 陈静 is a 预备党员, 赵强 流动, 周敏 失联, 吴军 失联 and 停止党籍.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.support.books import BRANCH, good_member, good_org, person_id, write_book

COMMITTEE = "中共邵阳县林业局委员会"
ORGAN = BRANCH  # 中共邵阳县林业局机关支部委员会
FARM = "中共邵阳县林业局国有林场支部委员会"
TIMBER = "中共邵阳县林业局木材检查站支部委员会"
RETIRED = "林业局老干部支部"  # named by a member, in no 附件3
FILES = ("机关支部.xlsx", "国有林场支部.xlsx", "木材检查站支部.xlsx")


def member(name: str, branch: str, birth: str, seq: str, **changes: object) -> dict[str, object]:
    """A correct member (gender from the ID's sequence digit) with ``changes``."""
    day = date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    fields: dict[str, object] = {
        "name": name,
        "branch": branch,
        "id_number": person_id("430523", birth, seq),
        "gender": "男" if int(seq[-1]) % 2 else "女",
        "birth_date": day,
    }
    return good_member(**{**fields, **changes})


def branch_org(name: str, **changes: object) -> dict[str, object]:
    unit = dict.fromkeys(("unit_name", "unit_nature", "unit_party_org", "unit_code"))
    return good_org(org_name=name, unit_situation="与上级党组织相同", **unit, **changes)


LIU = member("刘洋", ORGAN, "19700514", "031")
SUN = member("孙丽", FARM, "19720908", "042")
MEMBERS = {
    FILES[0]: [
        member("李建国", ORGAN, "19680312", "011"),
        member("王芳", ORGAN, "19690101", "022"),
        member("张伟", ORGAN, "19650720", "013"),
        LIU,
    ],
    FILES[1]: [
        member(
            "陈静",
            FARM,
            "19950301",
            "024",
            category="预备党员",
            join_date=date(2023, 9, 1),
            full_date=None,
        ),
        member("赵强", FARM, "19710611", "015", mobile_flow="是", destination="广东省深圳市南山区"),
        {**LIU, "branch": FARM, "mobile": "13907391111"},
        SUN,
    ],
    FILES[2]: [
        dict(SUN),
        member("周敏", TIMBER, "19730402", "026", lost="是", lost_date="2015.03"),
        member(
            "吴军",
            TIMBER,
            "19660808",
            "017",
            lost="是",
            lost_date="2012.05",
            status="停止党籍",
        ),
        member("郑涛", TIMBER, "19740115", "019", gender="女"),
        member("黄磊", RETIRED, "19600229", "035"),
    ],
}
ORGS = {
    FILES[0]: [branch_org(ORGAN)],
    FILES[1]: [branch_org(FARM, secretary="赵强")],
    FILES[2]: [branch_org(TIMBER, secretary="周敏"), branch_org(ORGAN)],
}


def branch_books(folder: Path) -> list[Path]:
    """The three branch workbooks, each with its 附件3 and 附件4."""
    folder.mkdir(parents=True, exist_ok=True)
    return [write_book(folder / name, MEMBERS[name], ORGS[name]) for name in FILES]
