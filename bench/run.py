"""Benchmark: dyxx against the calamine read floor and frictionless, in one run.

    python bench/run.py [--rows 100000] [--small 10000] [--repeat 3] [--no-peer]

Generates realistic official-layout workbooks (bench/generate.py) once into
bench/out/, then times, each in its own child process (wall time, peak RSS):

- the floor: python-calamine reading every sheet into Python values;
- ``dyxx check FILE --json`` (report only);
- ``dyxx check FILE -o MARKED.xlsx`` (marked copy, 校验结果 and 校验记录);
- the peer: frictionless validating the same sheet with a comparable schema.

Prints the median of ``--repeat`` runs (the peer runs once: it is slow), rows per
second, peak memory, and the ratios the performance issue asks about. Figures,
not assertions: nothing here fails when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
TODAY = "2024-06-01"
FLOOR = (
    "import sys; from python_calamine import CalamineWorkbook as W; "
    "b = W.from_path(sys.argv[1]); [b.get_sheet_by_name(n).to_python() for n in b.sheet_names]"
)


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def median_of(command: list[str], repeat: int) -> tuple[float, float]:
    runs = [measure(command) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), max(m for _, m in runs)


def workbook(rows: int) -> Path:
    path = OUT / f"附件4_{rows}.xlsx"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), str(path), "--rows", str(rows)], check=True
        )
    return path


def run(rows: int, repeat: int, peer: bool) -> dict[str, tuple[float, float]]:
    path = workbook(rows)
    dyxx = [sys.executable, "-m", "addin.cli", "check", str(path), "--today", TODAY]
    figures = {
        "calamine read (floor)": median_of([sys.executable, "-c", FLOOR, str(path)], repeat),
        "dyxx check --json": median_of([*dyxx, "--json"], repeat),
        "dyxx check -o": median_of([*dyxx, "-o", str(OUT / f"marked_{rows}.xlsx")], repeat),
    }
    if peer:
        script = [sys.executable, str(HERE / "peer_frictionless.py"), str(path)]
        figures["frictionless validate (1 run)"] = measure(script)
    return figures


def report(rows: int, figures: dict[str, tuple[float, float]]) -> None:
    floor = figures["calamine read (floor)"][0]
    print(f"\n{rows:,} rows × 20 columns")
    print(f"{'':32}{'seconds':>9}{'rows/s':>11}{'peak MB':>9}{'× floor':>9}")
    for name, (seconds, memory) in figures.items():
        print(f"{name:32}{seconds:9.2f}{rows / seconds:11,.0f}{memory:9.0f}{seconds / floor:9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    small = run(args.small, args.repeat, peer=False)
    large = run(args.rows, args.repeat, peer=not args.no_peer)
    report(args.small, small)
    report(args.rows, large)
    check_small, check_large = small["dyxx check --json"][0], large["dyxx check --json"][0]
    print(
        f"\nlinearity: check --json {args.rows // args.small}× the rows took "
        f"{check_large / check_small:.1f}× the time"
    )
    floor = large["calamine read (floor)"][0]
    print(
        f"targets: check --json {large['dyxx check --json'][0] / floor:.2f}× floor (≤ 1.6), "
        f"check -o {large['dyxx check -o'][0] / floor:.2f}× floor (≤ 3), "
        f"peak {large['dyxx check --json'][1]:.0f} MB (≤ 600)"
    )


if __name__ == "__main__":
    main()
