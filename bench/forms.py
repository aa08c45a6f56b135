"""Benchmark: ``dyxx forms`` for a county's members, workbooks and PDFs.

    python bench/forms.py [--members 1000] [--branches 40] [--repeat 3] [--no-pdf]

Writes the summary once (as bench/split.py does), then runs ``dyxx forms`` in a child
process ``--repeat`` times into a fresh folder and prints the median wall and CPU
seconds (LibreOffice included: it is a child of dyxx) and peak memory, and the number
of workbooks and PDFs written. Target: 1,000 members in 20 s or less on two cores.
Figures, not assertions.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: bench/ is on the path, the project is not

from bench.split import measure, summary  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--branches", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pdf", action="store_true", help="workbooks only")
    args = parser.parse_args()
    source = summary(args.members, args.branches)
    runs, books, pdfs = [], 0, 0
    for _round in range(args.repeat):
        folder = Path(tempfile.mkdtemp(prefix="dyxx-forms-"))
        out = folder / "out"
        command = [sys.executable, "-m", "addin", "forms", str(source), "-o", str(out)]
        runs.append(measure(command + (["--no-pdf"] if args.no_pdf else [])))
        books, pdfs = len(list(out.glob("*.xlsx"))), len(list(out.glob("*.pdf")))
        shutil.rmtree(folder)
    seconds, cpu, peak = (statistics.median(run[i] for run in runs) for i in range(3))
    print(
        f"dyxx forms：{args.members} 名党员、{args.branches} 个党支部 → {books} 个工作簿、"
        f"{pdfs} 个 PDF；{seconds:.2f} 秒（CPU {cpu:.2f} 秒），峰值内存 {peak:.0f} MB"
        f"（{args.repeat} 次的中位数）"
    )


if __name__ == "__main__":
    main()
