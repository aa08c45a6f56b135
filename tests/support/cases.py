"""The rule cases, shared by the engine's rule tests and the LibreOffice parity test.

Each good variant is a change to ``good_member()``/``good_org()`` that must give no
finding; each bad case lists the (cell, rule, severity) the engine must report. The
live checks of the templates are compared with the engine on these same cases, so
the spreadsheet formulas and the Python rules can never drift apart.
"""

from __future__ import annotations

from datetime import date

from tests.support.books import person_id

# A man's ID (odd sequence) whose check digit is X, for the lower-case x rule.
MALE_ID_WITH_X = next(
    number
    for n in range(1, 999, 2)
    if (number := person_id("430523", "19680312", f"{n:03d}")).endswith("X")
)
# The good member's ID, and marks a cell may carry from another program.
ID = person_id("430523", "19680312", "011")
BOM, ZERO_WIDTH, WORD_JOINER = "\ufeff", "\u200b", "\u2060"


def veteran(joined: str, full: str, number: int) -> dict[str, object]:
    """A member born 1920 who joined on ``joined`` (each period of rules.probation)."""
    return {
        "id_number": person_id("430523", "19200101", f"{2 * number + 1:03d}"),
        "birth_date": date(1920, 1, 1),
        "join_date": date.fromisoformat(joined),
        "full_date": date.fromisoformat(full),
    }


MEMBER_GOOD: dict[str, dict[str, object]] = dict(
    zip(
        [
            "born-before-region-code",
            "region-abolished-later",
            "text-dates",
            "number-dates",
            "codes-as-numbers-and-pairs",
            "placeholders",
            "landline-only",
            "dotted-name",
            "lost-and-stopped",
            "flowing",
            "probationer",
            "late-but-within-2y",
            "village-address",
            "joined-1944-no-probation",
            "joined-1946-six-months",
            "joined-1960-one-year",
            "joined-1970-no-probation",
            "joined-1974-no-probation",
            "joined-1977-08-11-no-probation",
            "joined-1977-08-12-one-year",
        ],
        [
            {
                "id_number": person_id("430523", "19550820", "002"),
                "birth_date": date(1955, 8, 20),
                "gender": "女",
                "join_date": date(1978, 5, 4),
                "full_date": date(1979, 5, 4),
            },
            {
                "id_number": person_id("110103", "19750101", "013"),
                "birth_date": date(1975, 1, 1),
                "join_date": date(1995, 7, 1),
                "full_date": date(1996, 7, 1),
            },
            {"birth_date": "1968.03.12", "join_date": "1992年7月1日", "full_date": "1993/7/1"},
            {"birth_date": 24909, "join_date": "19920701"},
            {"gender": 1, "education": "21 大学", "job": "011 公务员", "ethnicity": "01"},
            {"landline": "无", "destination": "—", "lost_date": "/"},
            {"mobile": None, "landline": "(0739)6821234"},
            {"name": "买买提·艾力", "ethnicity": "维吾尔族"},
            {"lost": "是", "lost_date": "2015.03", "status": "停止党籍"},
            {"mobile_flow": "是", "destination": "广东省深圳市南山区"},
            {
                "category": "预备党员",
                "full_date": None,
                "join_date": date(2023, 9, 1),
                "id_number": person_id("430523", "19980909", "011"),
                "birth_date": date(1998, 9, 9),
            },
            {"full_date": date(1994, 1, 1)},
            {"address": "塘渡口镇白竹村3组"},
            veteran("1944-05-01", "1944-05-01", 1),
            veteran("1946-03-01", "1946-09-01", 2),
            veteran("1960-03-01", "1961-03-01", 3),
            veteran("1970-05-01", "1970-05-01", 4),
            veteran("1974-07-01", "1975-01-01", 5),
            veteran("1977-08-11", "1977-08-11", 6),
            veteran("1977-08-12", "1978-08-12", 7),
        ],
        strict=True,
    )
)

MEMBER_BAD: list[tuple[dict[str, object], list[tuple[str, str, str]]]] = [
    ({"id_number": "430523196803120118"}, [("D6", "id.checksum", "error")]),
    ({"birth_date": date(1968, 3, 13)}, [("G6", "member.birth_mismatch", "error")]),
    ({"gender": "女"}, [("E6", "member.gender_mismatch", "error")]),
    (
        {"join_date": date(1985, 7, 1), "full_date": date(1986, 7, 1)},
        [("J6", "member.join_age", "error")],
    ),
    (
        {"join_date": date(2030, 7, 1), "full_date": None},
        [("J6", "date.future", "error"), ("K6", "member.full_date_missing", "error")],
    ),
    ({"full_date": None}, [("K6", "member.full_date_missing", "error")]),
    (
        {"join_date": date(1960, 7, 1), "full_date": date(1961, 7, 1)},
        [("J6", "member.join_before_birth", "error")],
    ),
    ({"full_date": date(1993, 1, 1)}, [("K6", "member.full_date_early", "error")]),
    # 转正 earlier than the probation of the period of joining allows
    (veteran("1944-05-01", "1944-04-30", 11), [("K6", "member.full_date_early", "error")]),
    (veteran("1946-03-01", "1946-08-31", 12), [("K6", "member.full_date_early", "error")]),
    (veteran("1960-03-01", "1961-02-28", 13), [("K6", "member.full_date_early", "error")]),
    (veteran("1970-05-01", "1970-04-30", 14), [("K6", "member.full_date_early", "error")]),
    (veteran("1977-08-12", "1977-08-12", 15), [("K6", "member.full_date_early", "error")]),
    ({"full_date": date(1995, 1, 1)}, [("K6", "member.full_date_late", "warning")]),
    ({"category": "预备党员"}, [("K6", "member.probation_full_date", "error")]),
    ({"category": "预备党员", "full_date": None}, [("I6", "member.probation_long", "warning")]),
    ({"lost": "是"}, [("R6", "member.lost_date_missing", "error")]),
    ({"lost_date": "2015.03"}, [("R6", "member.lost_date_unexpected", "error")]),
    ({"lost": "是", "lost_date": "1990.05"}, [("R6", "member.lost_before_join", "error")]),
    ({"lost": "是", "lost_date": "2015.13"}, [("R6", "month.invalid", "error")]),
    ({"mobile_flow": "是"}, [("T6", "member.destination_missing", "error")]),
    ({"destination": "广东省深圳市"}, [("T6", "member.destination_unexpected", "error")]),
    (
        {"mobile_flow": "是", "destination": "火星基地"},
        [("T6", "place.province_unknown", "error")],
    ),
    ({"mobile_flow": "是", "destination": "新加坡"}, [("T6", "place.abroad", "warning")]),
    ({"mobile_flow": "是", "destination": "美国纽约"}, [("T6", "place.abroad", "warning")]),
    ({"status": "停止党籍"}, [("P6", "member.stopped_not_lost", "warning")]),
    ({"mobile": None, "landline": "无"}, [("M6", "member.phone_missing", "error")]),
    ({"mobile": "1380739123"}, [("M6", "phone.mobile", "error")]),
    # a landline in the mobile column: a right number, misplaced (a wrong one is an error)
    ({"mobile": "0739-6821234"}, [("M6", "phone.landline_in_mobile", "warning")]),
    ({"mobile": "010-62345678"}, [("M6", "phone.landline_in_mobile", "warning")]),
    ({"mobile": "（0739）6821234"}, [("M6", "phone.landline_in_mobile", "warning")]),
    ({"mobile": "0739-1682123"}, [("M6", "phone.mobile", "error")]),
    ({"mobile": "07391-6821234"}, [("M6", "phone.mobile", "error")]),
    ({"mobile": "6821234"}, [("M6", "phone.mobile", "error")]),
    ({"landline": "07391-6821234"}, [("N6", "phone.landline", "error")]),  # not 0739-16821234
    ({"landline": "0739-1682123"}, [("N6", "phone.landline", "error")]),  # local number from 1
    ({"landline": "6821234"}, [("N6", "phone.no_area_code", "error")]),
    ({"address": None}, [("O6", "field.required", "error")]),
    ({"address": "邵阳县塘渡口镇"}, [("O6", "address.no_number", "warning")]),
    ({"name": "张3"}, [("B6", "name.chars", "error")]),
    ({"education": "25"}, [("H6", "code.unknown", "error")]),
    ({"job": 211}, [("L6", "code.leading_zero", "warning")]),
    ({"ethnicity": "汉"}, [("F6", "code.ethnicity_variant", "warning")]),
    ({"education": "2"}, [("H6", "code.group", "warning")]),
    (
        {"id_number": "430523 1968 0312 011" + person_id("430523", "19680312", "011")[-1]},
        [("D6", "id.normalised", "warning")],
    ),
    ({"id_number": MALE_ID_WITH_X.lower()}, [("D6", "id.normalised", "warning")]),
    # a BOM, zero-width characters, apostrophes: normalised with a warning, like spaces
    ({"id_number": BOM + ID}, [("D6", "id.normalised", "warning")]),
    ({"id_number": ID[:6] + ZERO_WIDTH + ID[6:]}, [("D6", "id.normalised", "warning")]),
    ({"id_number": ID + WORD_JOINER}, [("D6", "id.normalised", "warning")]),
    ({"id_number": "'" + ID}, [("D6", "id.normalised", "warning")]),
    ({"id_number": "‘" + ID + "’"}, [("D6", "id.normalised", "warning")]),
    ({"id_number": ID[:6] + "'" + ID[6:]}, [("D6", "id.length", "error")]),  # inside: wrong
    ({"mobile": BOM + "13807391234"}, [("M6", "text.marks", "warning")]),
    ({"mobile": "138" + ZERO_WIDTH + "07391234"}, [("M6", "text.marks", "warning")]),
    ({"mobile": "‘13807391234’"}, [("M6", "text.marks", "warning")]),
    ({"landline": "'0739-6821234"}, [("N6", "text.marks", "warning")]),
    ({"join_date": "2017-13-01"}, [("J6", "date.invalid", "error")]),
    ({"birth_date": "1968-02-30"}, [("G6", "date.invalid", "error")]),
    ({"id_number": "430523196803120l1x"}, [("D6", "id.format", "error")]),
    (
        {"id_number": person_id("999999", "19680312", "011")},
        [("D6", "id.region_unknown", "error")],
    ),
    (
        {
            "id_number": person_id("110103", "20120101", "011"),
            "birth_date": date(2012, 1, 1),
            "join_date": date(2030, 1, 1),
            "full_date": None,
            "category": "预备党员",
        },
        [("D6", "id.region_abolished", "warning"), ("J6", "date.future", "error")],
    ),
    ({"branch": "林业局机关支部"}, [("C6", "member.branch_unknown", "error")]),
    ({"category": "党员"}, [("I6", "code.unknown", "error")]),
]

ORG_GOOD: dict[str, dict[str, object]] = dict(
    zip(
        [
            "same-as-parent-blank",
            "same-as-parent-placeholders",
            "org-code-dashed",
            "org-code-plain",
            "mobile",
            "mobile-number",
            "joint-branch",
            "committee",
        ],
        [
            {
                "unit_situation": "与上级党组织相同",
                "unit_name": None,
                "unit_nature": None,
                "unit_party_org": None,
                "unit_code": None,
            },
            {
                "unit_situation": "与上级党组织相同",
                "unit_name": "无",
                "unit_nature": "—",
                "unit_party_org": "/",
                "unit_code": "-",
            },
            {"unit_code": "00612345-8"},
            {"unit_code": "006123458"},
            {"phone": "13807391234"},
            {"phone": 13807391234},
            {
                "org_category": "632 联合党支部",
                "unit_situation": "联合支部",
                "unit_party_org": "2",
                "unit_code": "11430523006123458Q、00612345-8",
            },
            {"org_category": "611", "unit_party_org": "11 建立党委的"},
        ],
        strict=True,
    )
)

ORG_BAD: list[tuple[dict[str, object], list[tuple[str, str, str]]]] = [
    ({"org_category": "641"}, [("C6", "code.unknown", "error")]),
    ({"unit_situation": "独立单位"}, [("D6", "code.unknown", "error")]),
    (
        {"unit_situation": "与上级党组织相同"},
        [
            ("H6", "org.unit_not_blank", "warning"),
            ("I6", "org.unit_not_blank", "warning"),
            ("J6", "org.unit_not_blank", "warning"),
            ("K6", "org.unit_not_blank", "warning"),
        ],
    ),
    (
        {"unit_name": None, "unit_code": "无"},
        [("H6", "org.unit_required", "error"), ("K6", "org.unit_required", "error")],
    ),
    ({"unit_code": "11430523006123458R"}, [("K6", "orgcode.checksum", "error")]),
    ({"unit_code": "00612345-9"}, [("K6", "orgcode.checksum", "error")]),
    ({"unit_code": "1143052300612345"}, [("K6", "orgcode.length", "error")]),
    ({"unit_party_org": "12"}, [("J6", "org.category_mismatch", "warning")]),
    ({"phone": "6821"}, [("G6", "org.phone", "error")]),
    ({"secretary": None}, [("E6", "field.required", "error")]),
    ({"contact": "—"}, [("F6", "field.required", "error")]),
    ({"unit_nature": "21 机关"}, [("I6", "code.mismatch", "error")]),
]

# 附件3 cases of several rows (a 联合支部 with its units): each row a change to good_org(),
# all rows of a case sharing one 党组织名称; the cells counted from row 6. A unit written
# on a row of its own (repeating the name, only unit columns filled) is a warning, and
# neither it nor its first row is a duplicate; a real second row still is.
JOINT = {"org_category": "632", "unit_situation": "联合支部", "unit_party_org": "2"}
UNITS_ONLY = {
    "org_category": None,
    "unit_situation": None,
    "secretary": None,
    "contact": None,
    "phone": None,
    "unit_name": "邵阳县林业站",
    "unit_party_org": "2",
}
DUPLICATES = [("B6", "org.duplicate_name", "error"), ("B7", "org.duplicate_name", "error")]
ORG_GROUPS: dict[str, tuple[list[dict[str, object]], list[tuple[str, str, str]]]] = {
    "unit-row": ([JOINT, UNITS_ONLY], [("B7", "org.unit_row", "warning")]),
    "unit-row-placeholders": (
        [JOINT, {**UNITS_ONLY, "secretary": "无", "phone": "—", "unit_situation": "联合支部"}],
        [("B7", "org.unit_row", "warning")],
    ),
    "unit-row-first-copied": (
        [JOINT, {**JOINT, "unit_name": "邵阳县林业站"}],
        [("B7", "org.unit_row", "warning")],
    ),
    "two-unit-rows": (
        [JOINT, UNITS_ONLY, {**UNITS_ONLY, "unit_name": "邵阳县苗圃", "unit_code": "006123458"}],
        [("B7", "org.unit_row", "warning"), ("B8", "org.unit_row", "warning")],
    ),
    "unit-row-and-a-real-duplicate": (
        [JOINT, UNITS_ONLY, JOINT],
        [
            ("B6", "org.duplicate_name", "error"),
            ("B7", "org.unit_row", "warning"),
            ("B8", "org.duplicate_name", "error"),
        ],
    ),
    "same-row-twice": ([JOINT, JOINT], DUPLICATES),
    "other-secretary": (
        [JOINT, {**JOINT, "unit_name": "邵阳县林业站", "secretary": "王五"}],
        DUPLICATES,
    ),
    "not-joint": (
        [
            {},
            {
                **UNITS_ONLY,
                "unit_situation": "法人单位",
                "org_category": "631",
                "unit_party_org": "13",
            },
        ],
        [
            *DUPLICATES,
            ("E7", "field.required", "error"),
            ("F7", "field.required", "error"),
            ("G7", "field.required", "error"),
        ],
    ),
}
