"""Benchmark: the template's 附件3 live checks in LibreOffice on a full sheet.

    python bench/livechecks.py [--rows 1000] [--joint 40] [--duplicates 10]

Fills the template's 附件3 with ``--rows`` rows: distinct branches, ``--joint`` 联合支部
each with one unit on a row of its own (org.unit_row) and ``--duplicates`` names written
twice; then has LibreOffice calculate every 附件3 live check on every row (as the parity
test does), once with the duplicate-name check as built and once with the plain count it
had before 联合支部 unit rows were left alone. Prints seconds and the cells each marked.
Figures, not assertions; needs LibreOffice and python3-uno (tests/support/uno_bridge.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: bench/ is on the path, the project is not

from addin.model.findings import column_letter  # noqa: E402
from addin.write import livechecks, template  # noqa: E402
from addin.write.layout import DATA_ROW, columns  # noqa: E402
from tests.support.books import good_org  # noqa: E402
from tests.support.uno_bridge import Office  # noqa: E402

UNIT = {"org_category": None, "unit_situation": None, "secretary": None, "contact": None}
UNIT |= {"phone": None, "unit_name": "邵阳县林业站", "unit_party_org": "2"}


def rows(count: int, joint: int, duplicates: int) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for n in range(joint):
        name = f"第{n}联合支部"
        found += [
            good_org(
                org_name=name, org_category="632", unit_situation="联合支部", unit_party_org="2"
            ),
            good_org(**{**UNIT, "org_name": name}),
        ]
    for n in range(duplicates):
        found += [good_org(org_name=f"第{n}重复支部")] * 2
    found += [good_org(org_name=f"第{n}党支部") for n in range(count - len(found))]
    return found


def plain_count(r: livechecks.Refs) -> str:
    """The duplicate-name check before 联合支部 unit rows were left alone."""
    column, own = livechecks.name_key(r["range:org_name"]), livechecks.name_key(r["org_name"])
    count = f"SUMPRODUCT(--({column}={own}))"
    return f"IF({livechecks.blank(r['org_name'])},FALSE,IFERROR({count}>1,FALSE))"


def measure(office: Office, folder: Path, data: list[dict[str, object]], label: str) -> None:
    path = folder / f"{label}.xlsx"
    path.write_bytes(template.build()[template.TEMPLATE])
    layout = {key: col for col, (_t, key) in enumerate(columns("orgs"), start=1)}
    cells = {}
    for offset, row in enumerate(data):
        for key, col in layout.items():
            value = row.get(key)
            if value is not None:
                cells[f"{column_letter(col)}{DATA_ROW + offset}"] = ["s", str(value)]
    sheet = template.SHEETS["orgs"]
    wanted = list(range(DATA_ROW, DATA_ROW + len(data)))
    started = time.monotonic()
    marks = office.call("evaluate", path=str(path), values={sheet: cells}, rows={sheet: wanted})
    seconds = time.monotonic() - started
    duplicates = sum(1 for m in marks if m["value"] and m["cell"].startswith("B"))
    print(f"{label}: {seconds:.1f} s for {len(data)} rows, {duplicates} names marked")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--joint", type=int, default=40)
    parser.add_argument("--duplicates", type=int, default=10)
    args = parser.parse_args()
    data = rows(args.rows, args.joint, args.duplicates)
    office = Office()
    try:
        with tempfile.TemporaryDirectory() as folder:
            measure(office, Path(folder), data, "as built")
            checks = livechecks.CHECKS["orgs"]
            plain = tuple(
                replace(c, build=plain_count) if c.field == "org_name" else c for c in checks
            )
            livechecks.CHECKS["orgs"] = plain
            try:
                measure(office, Path(folder), data, "plain count")
            finally:
                livechecks.CHECKS["orgs"] = checks
    finally:
        office.close()


if __name__ == "__main__":
    main()
