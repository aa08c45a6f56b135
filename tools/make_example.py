"""Build examples/示例_林业局党委.xlsx: a small submission in the official layout.

A realistic 附件3 (three organisations) and 附件4 (members) with a handful of
planted mistakes, so `dyxx check` has something to show. Reproducible:
    python tools/make_example.py
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from stdnum.cn.ric import calc_check_digit

from addin.write.layout import add_table, new_workbook

OUT = Path(__file__).resolve().parent.parent / "examples" / "示例_林业局党委.xlsx"
COMMITTEE = "中共邵阳县林业局委员会"
OFFICE = "中共邵阳县林业局机关支部委员会"
STATION = "中共邵阳县林业局塘渡口林业站支部委员会"


def person_id(region: str, birth: str, sequence: str) -> str:
    body = region + birth + sequence
    return body + calc_check_digit(body + "0")


ORGS = [
    {
        "org_name": OFFICE,
        "org_category": "631",
        "unit_situation": "与上级党组织相同",
        "secretary": "李建国",
        "contact": "王芳",
        "phone": "0739-6821234",
    },
    {
        "org_name": STATION,
        "org_category": "631",
        "unit_situation": "法人单位",
        "secretary": "赵志强",
        "contact": "刘洋",
        "phone": "13807391234",
        "unit_name": "邵阳县塘渡口林业站",
        "unit_nature": "3",
        "unit_party_org": "13",
        "unit_code": "12430523006123458M",
    },
    {
        "org_name": "中共邵阳县林业局退休干部支部委员会",
        "org_category": "631",
        "unit_situation": "与上级党组织相同",
        "secretary": "陈明",
        "contact": "陈明",
        "phone": "0739-682123",
    },  # planted: landline one digit short
]

GOOD = {
    "gender": "男",
    "ethnicity": "汉族",
    "education": "21",
    "category": "正式党员",
    "job": "011",
    "status": "正常",
    "lost": "否",
    "mobile_flow": "否",
    "landline": "无",
    "lost_date": "",
    "destination": "—",
}

MEMBERS = [
    {
        **GOOD,
        "name": "李建国",
        "branch": OFFICE,
        "id_number": person_id("430523", "19680312", "001"),
        "birth_date": date(1968, 3, 12),
        "join_date": date(1992, 7, 1),
        "full_date": date(1993, 7, 1),
        "mobile": "13807391234",
        "address": "邵阳县塘渡口镇资江路12号",
    },
    # An older member: 430523 (邵阳县) only exists from 1986, the ID was issued later. Valid.
    {
        **GOOD,
        "name": "王秀英",
        "gender": "女",
        "branch": OFFICE,
        "id_number": person_id("430523", "19550820", "002"),
        "birth_date": "1955.08.20",
        "education": "6",
        "join_date": "1978年5月4日",
        "full_date": "1979年5月4日",
        "job": "502",
        "mobile": "",
        "landline": "(0739)6825678",
        "address": "邵阳县塘渡口镇白竹村3组",
    },
    {
        **GOOD,
        "name": "买买提·艾力",
        "ethnicity": "维吾尔族",
        "branch": STATION,
        "id_number": person_id("650102", "19850101", "013"),
        "birth_date": date(1985, 1, 1),
        "join_date": date(2010, 6, 1),
        "full_date": date(2011, 6, 1),
        "job": "0212",
        "mobile": "139 0731 2345",
        "address": "邵阳县塘渡口镇林场路8号",
        "mobile_flow": "是",
        "destination": "广东省深圳市南山区",
    },
    # planted: wrong check digit, and a gender that contradicts the ID
    {
        **GOOD,
        "name": "张伟",
        "gender": "女",
        "branch": STATION,
        "id_number": person_id("430523", "19900505", "031")[:-1] + "0",
        "birth_date": date(1990, 5, 5),
        "join_date": date(2015, 7, 1),
        "full_date": date(2016, 7, 1),
        "mobile": "13607395678",
        "address": "邵阳县塘渡口镇建设路5号",
    },
    # planted: joined at 17, and 转正 only half a year later
    {
        **GOOD,
        "name": "刘洋",
        "gender": "女",
        "branch": STATION,
        "id_number": person_id("430503", "19950210", "022"),
        "birth_date": date(1995, 2, 10),
        "join_date": date(2012, 12, 1),
        "full_date": date(2013, 6, 1),
        "education": "22",
        "mobile": "13507391111",
        "address": "邵阳市大祥区城南路3号",
    },
    # planted: a branch that is not in 附件3, 失联 without a date, job code that lost its 0
    {
        **GOOD,
        "name": "陈小红",
        "gender": "女",
        "branch": "林业局机关支部",
        "id_number": person_id("430523", "19800615", "046"),
        "birth_date": date(1980, 6, 15),
        "join_date": date(2005, 7, 1),
        "full_date": date(2006, 7, 1),
        "job": 211,
        "mobile": "",
        "address": "邵阳县塘渡口镇",
        "lost": "是",
    },
    {
        **GOOD,
        "name": "赵志强",
        "branch": STATION,
        "category": "预备党员",
        "id_number": person_id("430523", "19980909", "017"),
        "birth_date": date(1998, 9, 9),
        "join_date": date(2017, 6, 1),
        "full_date": "",
        "education": "21",
        "job": "0212",
        "mobile": "15173921234",
        "address": "邵阳县塘渡口镇五峰铺村2组",
    },
]


def main() -> None:
    workbook = new_workbook()
    add_table(workbook, "orgs", ORGS, committee=COMMITTEE, summary_date="2017 年 7 月 20 日")
    add_table(workbook, "members", MEMBERS, committee=COMMITTEE, summary_date="2017 年 7 月 20 日")
    OUT.parent.mkdir(exist_ok=True)
    workbook.save(OUT)
    print(OUT)


if __name__ == "__main__":
    main()
