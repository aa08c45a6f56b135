"""What ``dyxx app`` adds to a check: the same workbook checked in process and through the app.

    python -m bench.app [--rows 20000]

Prints, for one generated 附件4 (bench/generate.py), the time of the engine alone
(``check_files`` and the JSON report, what ``dyxx check --json`` does), of
``POST /api/check`` (upload, the same engine in a job, the report back) and of the
page's route (``POST /api/jobs/check`` polled until done: report, findings table and
marked copy). The app runs in this process behind its guard (Starlette's TestClient).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from addin.engine.check import check_files
from bench.generate import write
from tests.support.web import local_app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory(prefix="dyxx-bench-app-") as folder:
        book = Path(folder) / "名册.xlsx"
        write(book, rows)
        start = time.perf_counter()
        check_files([book]).to_json_bytes()
        engine = time.perf_counter() - start
        with local_app(Path(folder) / "ws") as app:
            files = [("files", (book.name, book.read_bytes()))]
            start = time.perf_counter()
            answer = app.client.post("/api/check", files=files, headers=app.headers())
            api = time.perf_counter() - start
            assert answer.status_code == 200, answer.text
            start = time.perf_counter()
            job = app.run("check", [("files", book)])
            page = time.perf_counter() - start
            assert job["state"] == "done", job["error"]
    size = book.stat().st_size if book.exists() else 0
    print(f"附件4 {rows} 行{f'（{size // 1024} KB）' if size else ''}")
    print(f"  引擎（dyxx check --json 的工作）：{engine:6.2f} s")
    print(f"  POST /api/check：              {api:6.2f} s")
    print(f"  页面（任务 + 问题表 + 标注副本）：{page:6.2f} s")


if __name__ == "__main__":
    main()
