"""Benchmark: ``dyxx split`` of a county-sized summary into one workbook per branch.

    python bench/split.py [--members 2000] [--branches 50] [--repeat 3] [--encrypt]

Writes a realistic summary once (members from bench/generate.py, spread over the
branches, each branch with its 附件3 row) into bench/out/, then runs ``dyxx split``
in a child process ``--repeat`` times into a fresh folder and prints the median
wall and CPU seconds and peak memory (the process's largest resident set), and the
number of files written (POSIX only: ``os.wait4``). With ``--encrypt`` every output
is encrypted as well. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: bench/ is on the path, the project is not

from bench.generate import counties, person  # noqa: E402
from bench.run import MAXRSS_PER_MB, OUT  # noqa: E402


def summary(members: int, branches: int) -> Path:
    """The summary workbook (written once per size, reused)."""
    from addin.write.layout import add_table, new_workbook

    path = OUT / f"汇总_{members}_{branches}.xlsx"
    if path.exists():
        return path
    rng = random.Random(1)
    regions = counties(rng)
    names = [f"中共邵阳县第{i}党支部委员会" for i in range(1, branches + 1)]
    orgs = [
        {"org_name": n, "org_category": "631", "unit_situation": "与上级党组织相同"} for n in names
    ]
    people = [person(rng, i, regions, names) for i in range(members)]
    workbook = new_workbook()
    add_table(workbook, "orgs", orgs, committee="中共邵阳县林业局委员会")
    add_table(workbook, "members", people, committee="中共邵阳县林业局委员会")
    OUT.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def measure(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system: steadier on a shared machine) and peak MB."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - started, cpu, usage.ru_maxrss / MAXRSS_PER_MB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--branches", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--encrypt", action="store_true", help="encrypt every output")
    args = parser.parse_args()
    source = summary(args.members, args.branches)
    if args.encrypt:
        os.environ["DYXX_OUTPUT_PASSWORD"] = "bench-1"
    runs, written = [], 0
    for _round in range(args.repeat):
        folder = Path(tempfile.mkdtemp(prefix="dyxx-split-"))
        command = [sys.executable, "-m", "addin", "split", str(source), "-o", str(folder / "out")]
        runs.append(measure(command + (["--encrypt"] if args.encrypt else [])))
        written = len(list((folder / "out").glob("*.xlsx")))
        shutil.rmtree(folder)
    seconds, cpu, peak = (statistics.median(run[i] for run in runs) for i in range(3))
    what = "，加密" if args.encrypt else ""
    print(
        f"dyxx split：{args.members} 名党员、{args.branches} 个党支部{what} → {written} 个工作簿；"
        f"{seconds:.2f} 秒（CPU {cpu:.2f} 秒），峰值内存 {peak:.0f} MB（{args.repeat} 次的中位数）"
    )


if __name__ == "__main__":
    main()
