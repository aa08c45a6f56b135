"""Benchmark: what naming the person costs a big check (addin.engine.people).

    python -m bench.people [--rows 100000] [--ratio 0.02]

Generates a workbook (bench/generate.py) into bench/out/, checks it once and times
:func:`addin.engine.people.name_findings` on the findings made nameless again, beside
the whole check. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from addin.engine.check import check_tables, paused_gc, read_files
from addin.engine.people import name_findings
from bench.generate import write


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--ratio", type=float, default=0.02)
    args = parser.parse_args()
    path = Path(__file__).parent / "out" / f"people_{args.rows}_{args.ratio}.xlsx"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        write(path, args.rows, ratio=args.ratio)
    with paused_gc():
        tables = read_files([path])
        start = time.perf_counter()
        report = check_tables(tables, date(2024, 6, 1))
        check = time.perf_counter() - start
        nameless = [replace(f, name="") for f in report.findings]
        start = time.perf_counter()
        name_findings(nameless, tables)
        naming = time.perf_counter() - start
    named = sum(bool(f.name) for f in nameless)
    print(f"{report.rows} rows, {len(nameless)} findings ({named} named)")
    print(f"check {check:.2f} s, of which naming {naming * 1000:.0f} ms ({naming / check:.1%})")


if __name__ == "__main__":
    main()
