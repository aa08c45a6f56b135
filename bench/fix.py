"""Time ``dyxx fix`` on a generated roster (figures, not assertions).

    python -m bench.fix [--rows 20000] [--repeat 3]

The workbook is a ``bench.generate`` 附件4 (bench/out/, made once): half its birth dates and
half its join dates are text, so about one cell a row becomes a real date, and a share of
its cells carry planted defects fix must leave alone. Each run is ``dyxx fix`` in its own
process (so the figure includes starting Python), compared with ``dyxx check --json`` on
the same file; the copy is written over the previous run's (``--force``). Prints the
median seconds, rows per second, peak memory and the number of cells changed.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

from bench.run import OUT, TODAY, check_json, medians, workbook


def fix_command(path: Path, target: Path) -> list[str]:
    return [sys.executable, "-m", "addin", "fix", str(path), "-o", str(target), "--today", TODAY]


def changed(path: Path, target: Path) -> str:
    """The line of the last run's output that counts the changes."""
    done = subprocess.run([*fix_command(path, target), "--force"], capture_output=True, text=True)
    found = re.search(r"共修改 \d+ 个单元格", done.stdout)
    return found.group(0) if found else done.stdout.strip()[-200:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = workbook(args.rows)
    target = OUT / f"fixed_{args.rows}.xlsx"
    figures = medians(
        {
            "dyxx check --json": check_json(path),
            "dyxx fix -o": [*fix_command(path, target), "--force"],
        },
        args.repeat,
    )
    print(f"\n{args.rows:,} rows × 20 columns ({path.name})")
    print(f"{'':24}{'seconds':>9}{'rows/s':>11}{'peak MB':>9}")
    for name, (seconds, peak) in figures.items():
        print(f"{name:24}{seconds:9.2f}{args.rows / seconds:11,.0f}{peak:9.0f}")
    print(changed(path, target))


if __name__ == "__main__":
    main()
