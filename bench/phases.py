"""Where the time of one check goes: ``dyxx check`` timed phase by phase.

    python bench/phases.py [--rows 100000] [--repeat 3] [-o]

Runs ``dyxx check FILE --json`` (with ``-o``: ``-o MARKED.xlsx``) on the workbook
bench/run.py generates, with a timer around each phase: the worksheet XML inflated,
the memory guard (:mod:`addin.read.extent`) and the error and formula scans, calamine
reading the sheet (``get_sheet_by_name``, which lets go of the interpreter lock, and
``to_python``), finding the tables, parsing the fields, the cross-field rules, the
row fingerprints, the JSON report and the marked copy. Prints each phase's wall
seconds and its CPU seconds on the thread that ran it (which a busy machine
inflates less than the wall time), the medians of ``--repeat`` runs, and each
phase's CPU seconds as a share of the CPU seconds of bench/run.py's calamine floor
(CPU time is what a shared machine disturbs least). Figures, not assertions.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.run import FLOOR, OUT, TODAY, measure, workbook  # noqa: E402

# (module, attribute, phase): the phases, in the order they run
PHASES = [
    ("addin.read.reader", "sheet_xml", "sheet XML inflated"),
    ("addin.read.extent", "dense", "memory guard (dense)"),
    ("addin.read.extent", "plan", "memory guard (plan)"),
    ("addin.xlsx.source", "error_cells", "error cells scan"),
    ("addin.xlsx.source", "formula_scan", "formula scan"),
    ("addin.read.reader", "tables_in", "tables found"),
    ("addin.engine.check", "check_members", "附件4 rules (all)"),
    ("addin.rules.crossfield", "check", "  cross-field rules"),
    ("addin.rules.controls", "check_columns", "  control characters"),
    ("addin.engine.check", "row_fingerprints", "row fingerprints"),
    ("addin.engine.check", "name_findings", "姓名 given to findings"),
    ("addin.engine.check", "check_tables", "check (all rules)"),
    ("addin.engine.report", "Report.to_json_bytes", "JSON report"),
    ("addin.write.marked.xlsxmark", "mark", "marked copy (XML)"),
    ("addin.write.marked.annotate", "write_annotated", "marked copy (all)"),
]
GET, TO_PYTHON = "calamine get_sheet_by_name", "calamine to_python"


class Timers:
    """Wall and thread-CPU seconds per phase, summed over calls."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)

    def timed(self, phase: str, function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.wall[phase] += time.perf_counter() - wall
                self.cpu[phase] += time.thread_time() - cpu

        return run


class Sheet:
    """A calamine sheet whose ``to_python`` is timed."""

    def __init__(self, sheet, timers: Timers) -> None:
        self.sheet, self.to_python = sheet, timers.timed(TO_PYTHON, sheet.to_python)

    def __getattr__(self, name: str):
        return getattr(self.sheet, name)


class Workbook:
    """A calamine workbook whose ``get_sheet_by_name`` is timed."""

    def __init__(self, book, timers: Timers) -> None:
        self.book, self.timers = book, timers
        self.get = timers.timed(GET, book.get_sheet_by_name)

    def get_sheet_by_name(self, name: str) -> Sheet:
        return Sheet(self.get(name), self.timers)

    def __getattr__(self, name: str):
        return getattr(self.book, name)


def instrument(timers: Timers) -> None:
    for module_name, attribute, phase in PHASES:
        owner = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for step in path:
            owner = getattr(owner, step)
        setattr(owner, name, timers.timed(phase, getattr(owner, name)))
    reader = importlib.import_module("addin.read.reader")
    opened = reader.open_workbook
    reader.open_workbook = lambda path, data: Workbook(opened(path, data), timers)


def one_run(path: Path, marked: bool) -> tuple[Timers, float, float, float]:
    """The phases of one check in this process; its wall and CPU seconds (all threads), and
    the seconds its imports took."""
    timers = Timers()
    wall, cpu = time.perf_counter(), time.process_time()
    from addin.cli import main as cli

    imports = time.perf_counter() - wall
    instrument(timers)
    output = ["-o", str(OUT / "marked_phases.xlsx"), "--force"] if marked else ["--json"]
    sys.argv = ["dyxx", "check", str(path), "--today", TODAY, *output]
    stdout, sys.stdout = sys.stdout, open(os.devnull, "w")
    try:
        cli.main()
    except SystemExit:
        pass
    finally:
        sys.stdout.close()
        sys.stdout = stdout
    return timers, time.perf_counter() - wall, time.process_time() - cpu, imports


def child(path: Path, marked: bool) -> None:
    """One run, printed as lines ``phase<TAB>wall<TAB>cpu`` for the parent."""
    timers, wall, cpu, imports = one_run(path, marked)
    print(f"imports (wall)\t{imports}\t{imports}")
    for phase in timers.wall:
        print(f"{phase}\t{timers.wall[phase]}\t{timers.cpu[phase]}")
    print(f"TOTAL (all threads)\t{wall}\t{cpu}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("-o", dest="marked", action="store_true", help="time check -o")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(Path(args.child), args.marked)
    path = workbook(args.rows)
    runs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    floors = []
    for _round in range(args.repeat):  # each run in a fresh process, as a user runs it
        floors.append(measure([sys.executable, "-c", FLOOR, str(path)]))
        command = [sys.executable, __file__, "--child", str(path)]
        lines = subprocess.run(
            [*command, "-o"] if args.marked else command,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()
        for line in lines:
            phase, wall, cpu = line.split("\t")
            runs[phase].append((float(wall), float(cpu)))
    floor = statistics.median(wall for wall, _peak, _cpu in floors)
    floor_cpu = statistics.median(cpu for _wall, _peak, cpu in floors)
    what = "check -o" if args.marked else "check --json"
    print(
        f"{args.rows:,} rows, {what}: medians of {args.repeat} runs; "
        f"the floor {floor:.2f} s ({floor_cpu:.2f} s CPU)"
    )
    print(f"{'phase':32}{'wall s':>9}{'CPU s':>9}{'CPU × floor':>13}")
    for phase, done in runs.items():
        wall = statistics.median(w for w, _c in done)
        cpu = statistics.median(c for _w, c in done)
        print(f"{phase:32}{wall:9.2f}{cpu:9.2f}{cpu / floor_cpu if floor_cpu else 0:13.2f}")


if __name__ == "__main__":
    main()
