"""Count the COM round trips of the Excel 校验 button (no Excel needed).

    python -m bench.com [--rows 5000] [--ratio 0.02] [--detail]

xlwings' own Windows engine (``xlwings/_xlwindows.py``, ``main.py``) runs on stubbed pywin32
modules against a fake Excel that counts every property get, property set and method call
(:mod:`tests.support.win32stubs`, :mod:`tests.support.fakeexcel`). The workbook is a
``bench.generate`` 附件4 (5,000 rows, about 2,000 marked cells by default); it is found the way
``xw.Book.caller()`` finds it, ``addin.ribbon.action.run`` checks it and the result is shown,
as the button does. A first click, then a repeat click on the unchanged book, each with the
VBA note helper (``addin/ribbon/dyxx.bas``) and without it (VBA project access refused at
install: notes one by one, capped per click).

Budget (issue 14): first click ≤ 1,500 round trips, repeat click ≤ 100. Figures, not
assertions (``tests/test_action_com.py`` holds a smaller book to a proportionate budget). At
the 0.3–10 ms a COM call takes, 1,500 calls are 0.5–15 s; the seconds printed here are
Linux's time for the whole click, mostly the check itself.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.generate import TODAY, write
from tests.support import fakeexcel, win32stubs

BUDGET = {"first click": 1500, "repeat click": 100}


def click(app, name: str, detail: bool, top: int) -> tuple[int, str, bool]:
    from addin.ribbon.action import TITLE, run

    app.calls.reset()
    started = time.perf_counter()
    book = fakeexcel.caller(app, name)
    outcome = run(book, today=TODAY, operator="测试员")
    book.app.alert(outcome.message, title=TITLE, mode="info")
    seconds = time.perf_counter() - started
    cells = len({(f.sheet, f.cell) for f in outcome.findings if f.column})
    kinds = Counter()
    for (kind, _member), n in app.calls.members.items():
        kinds[kind] += n
    head = (
        f"{app.calls.total:6d} round trips ({', '.join(f'{k} {n}' for k, n in kinds.items())})"
        f"; {cells} marked cells, {len(outcome.findings)} findings, {seconds:.1f} s on this machine"
    )
    text = head + ("\n" + app.calls.report(top, detail) if detail else "")
    return app.calls.total, text, "批注较多" in outcome.message


def _verdict(total: int, label: str) -> str:
    return ("within" if total <= BUDGET[label] else "OVER") + f" budget {BUDGET[label]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--ratio", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--detail", action="store_true", help="counts by member and function")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp(prefix="dyxx-com-")) / f"{args.rows}.xlsx"
    plan = write(path, args.rows, seed=args.seed, ratio=args.ratio)
    print(f"附件4 of {args.rows} rows, {len(plan.defects)} planted defects (seed {args.seed})")
    with win32stubs.desktop():
        for helper in (True, False):
            app = fakeexcel.Application()
            if helper:
                fakeexcel.install_note_macros(app)
            app.open(path)
            print(f"\n== VBA note helper {'present' if helper else 'missing'}")
            total, text, waiting = click(app, path.name, args.detail, args.top)
            print(f"first click  {text}  [{_verdict(total, 'first click')}]")
            while waiting:  # notes capped one by one: the next clicks add the rest
                total, text, waiting = click(app, path.name, args.detail, args.top)
                print(f"next click   {text}  (adds notes left for it)")
            total, text, _waiting = click(app, path.name, args.detail, args.top)
            print(f"repeat click {text}  [{_verdict(total, 'repeat click')}]")
            win32stubs.APPS.clear()


if __name__ == "__main__":
    main()
