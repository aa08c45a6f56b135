"""Generate a realistic official-layout 附件3/附件4 workbook with planted defects.

    python bench/generate.py OUT.xlsx --rows 100000 [--seed 1] [--defects 0.02] [--formulas]

Members get valid IDs (correct GB 11643 check digit, real county codes from
codes/divisions.csv, birth date matching the 出生日期 column), dates written
both as Excel dates and as text, realistic codes and phones. A share of the
cells (``--defects``) is then spoiled on purpose; ``planted()`` returns exactly
which cell was spoiled with which rule, so a test can prove that every planted
defect is found and nothing else is flagged. ``--formulas`` adds a helper column
filled down with a formula whose result is saved, as Excel and LibreOffice save it.
"""

from __future__ import annotations

import argparse
import random
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook
from stdnum.cn.ric import calc_check_digit

from addin.rules.base import add_years
from addin.values.codes import table
from addin.values.divisions import all_codes, periods
from addin.write.layout import MEMBER_COLUMNS, ORG_COLUMNS, TITLES

TODAY = date(2024, 6, 1)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰德福海文军"
STREETS = ("资江路", "建设路", "五峰路", "宝庆路", "城南路", "塘渡口大道", "新华路")
MEMBER_HEADER_ROW = 4
DATA_ROW = 6


@dataclass
class Plan:
    """What was written and which defects were planted: {(sheet row, column letter): rule}."""

    rows: int
    defects: dict[tuple[int, str], str] = field(default_factory=dict)


def counties(rng: random.Random) -> list[str]:
    codes = [
        c for c in all_codes() if not c.endswith("00") and any(p.end is None for p in periods(c))
    ]
    rng.shuffle(codes)
    return codes[:300]


def person(rng: random.Random, index: int, regions: list[str], branches: list[str]) -> dict:
    born = date(1935, 1, 1) + timedelta(days=rng.randrange(365 * 66))  # 1935 .. 2000
    region = regions[index % len(regions)]
    sequence = (index // len(regions)) % 500 * 2 + (1 if index % 3 else 0)  # odd = 男
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    number = body + calc_check_digit(body + "0")
    earliest = add_years(born, 18) + timedelta(days=1)
    join = min(earliest + timedelta(days=rng.randrange(365 * 25)), TODAY - timedelta(days=30))
    probationer = add_years(join, 1) > TODAY
    full = None if probationer else add_years(join, 1)
    as_text = index % 2 == 0
    return {
        "seq": index + 1,
        "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
        "branch": branches[index % len(branches)],
        "id_number": number,
        "gender": "男" if sequence % 2 else "女",
        "ethnicity": "汉族" if index % 10 else "苗族",
        "birth_date": f"{born:%Y.%m.%d}" if as_text else born,
        "education": rng.choice(("21", "22 大专", "6", "41", "大学", "7")),
        "category": "预备党员" if probationer else "正式党员",
        "join_date": join if as_text else f"{join:%Y-%m-%d}",
        "full_date": full,
        "job": rng.choice(("011", "0212", "0213", "11", "502", "0311")),
        "mobile": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
        "landline": "无" if index % 4 else f"0739-{rng.randrange(2000000, 9999999)}",
        "address": f"邵阳县塘渡口镇{rng.choice(STREETS)}{rng.randrange(1, 300)}号",
        "status": "正常",
        "lost": "否",
        "lost_date": None,
        "mobile_flow": "否",
        "destination": None,
    }


DEFECTS = (
    ("id_number", "id.checksum", lambda v, rng: v[:-1] + ("0" if v[-1] != "0" else "1")),
    ("gender", "member.gender_mismatch", lambda v, rng: "女" if v == "男" else "男"),
    ("mobile", "phone.mobile", lambda v, rng: v[:-1]),
    ("education", "code.unknown", lambda v, rng: "25"),
    ("address", "field.required", lambda v, rng: None),
    ("job", "code.unknown", lambda v, rng: "0299"),
)


def spoil(row: dict, rng: random.Random, ratio: float, number: int, plan: Plan) -> None:
    letters = {key: _letter(col) for col, (_text, key) in enumerate(MEMBER_COLUMNS, start=1)}
    for key, rule, change in DEFECTS:
        if rng.random() < ratio * len(MEMBER_COLUMNS) / len(DEFECTS):
            row[key] = change(row[key], rng)
            plan.defects[(number, letters[key])] = rule


def _letter(col: int) -> str:
    return chr(64 + col) if col <= 26 else "A" + chr(64 + col - 26)


def rows(count: int, seed: int, ratio: float, plan: Plan, formulas: bool = False) -> Iterator[list]:
    rng = random.Random(seed)
    regions = counties(rng)
    branches = [f"中共邵阳县第{i}党支部委员会" for i in range(1, 41)]
    for index in range(count):
        row = person(rng, index, regions, branches)
        spoil(row, rng, ratio, DATA_ROW + index, plan)
        values = [row.get(key) for _text, key in MEMBER_COLUMNS]
        if formulas:  # a helper column after the table: the length of the ID
            values.append(f"=LEN({_letter(4)}{DATA_ROW + index})")
        yield values


def org_rows() -> Iterator[list]:
    for i in range(1, 41):
        values = {
            "seq": i,
            "org_name": f"中共邵阳县第{i}党支部委员会",
            "org_category": "631",
            "unit_situation": "与上级党组织相同",
            "secretary": "李建国",
            "contact": "王芳",
            "phone": "0739-6821234",
        }
        yield [values.get(key) for _text, key in ORG_COLUMNS]


def write(
    path: Path, count: int, seed: int = 1, ratio: float = 0.02, formulas: bool = False
) -> Plan:
    """Write the workbook (openpyxl write-only mode); return what was planted."""
    plan = Plan(count)
    workbook = Workbook(write_only=True)
    for kind, columns, data in (
        ("orgs", ORG_COLUMNS, org_rows()),
        ("members", MEMBER_COLUMNS, rows(count, seed, ratio, plan, formulas)),
    ):
        sheet = workbook.create_sheet(TITLES[kind][1])
        sheet.append([TITLES[kind][0]])
        sheet.append([TITLES[kind][1]])
        sheet.append(["基层党委：中共邵阳县林业局委员会"])
        _header(sheet, kind, columns)
        for values in data:
            sheet.append(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    if formulas:
        _save_results(path)
    table("education")  # warm the code tables so errors surface here, not in a benchmark
    return plan


def _save_results(path: Path) -> None:
    """Give every formula its result, as an office suite saves it (openpyxl saves none)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if name.startswith("xl/worksheets/"):
                data = re.sub(rb"(</f>)<v ?/>", rb"\1<v>18</v>", data)
            archive.writestr(name, data)


def _header(sheet, kind: str, columns) -> None:
    if kind == "members":
        first = [text if key not in ("mobile", "landline") else None for text, key in columns]
        first[12] = "联系电话"
        second = [text if key in ("mobile", "landline") else None for text, key in columns]
    else:
        first = [text if i < 2 else None for i, (text, _key) in enumerate(columns)]
        first[2], first[7] = "党组织信息", "单位信息"
        second = [text if i >= 2 else None for i, (text, _key) in enumerate(columns)]
    sheet.append(first)
    sheet.append(second)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--defects", type=float, default=0.02)
    parser.add_argument("--formulas", action="store_true", help="a filled-down formula column")
    args = parser.parse_args()
    plan = write(args.out, args.rows, args.seed, args.defects, args.formulas)
    print(f"{args.out}: {args.rows} rows, {len(plan.defects)} planted defects")


if __name__ == "__main__":
    main()
