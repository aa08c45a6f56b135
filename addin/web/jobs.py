"""Work off the request thread: each step runs as a job in a small thread pool.

The page posts the inputs, gets a job id at once and polls the job's progress
(``GET /api/jobs/{id}``) until it is done, so the page never freezes and the
server keeps answering while a big roster is checked. A job never lets an
exception out: a file problem becomes its Chinese message, anything else the
message of :func:`addin.model.errors.internal_error` (no cell value in it).
"""

from __future__ import annotations

import secrets
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from addin.model.errors import WorkbookError, internal_error

WORKERS = 2  # the officer's PC: two jobs at once, the rest wait their turn
KEPT_JOBS = 200  # the oldest finished jobs are forgotten, their files removed


@dataclass
class Download:
    """A file a job wrote, offered for download under ``name``."""

    label: str
    name: str
    path: Path
    media_type: str = "application/octet-stream"


@dataclass
class Job:
    """One run of a step: its progress, then its result or its error."""

    id: str
    step: str
    folder: Path
    state: str = "queued"  # queued → running → done | failed
    stage: str = "排队等候"
    done: int = 0
    total: int = 0
    result: dict[str, object] = field(default_factory=dict)
    error: str | None = None
    downloads: list[Download] = field(default_factory=list)
    report_json: bytes | None = None  # the check report exactly as dyxx check --json writes it
    finished: threading.Event = field(default_factory=threading.Event, repr=False)

    def progress(self, stage: str, done: int = 0, total: int = 0) -> None:
        """Called by the step as it goes (read by the polling page)."""
        self.stage, self.done, self.total = stage, done, total

    def offer(self, label: str, path: Path, media_type: str | None = None) -> None:
        name = path.name
        self.downloads.append(Download(label, name, path, media_type or _media_type(name)))

    def public(self) -> dict[str, object]:
        """What the page sees: no path on this PC."""
        return {
            "id": self.id,
            "step": self.step,
            "state": self.state,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "error": self.error,
            "result": self.result if self.state == "done" else None,
            "downloads": [
                {"index": i, "label": d.label, "name": d.name} for i, d in enumerate(self.downloads)
            ]
            if self.state == "done"
            else [],
        }


def _media_type(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower()
    return {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
        "json": "application/json",
        "zip": "application/zip",
        "pdf": "application/pdf",
    }.get(suffix, "application/octet-stream")


class Jobs:
    """The running app's jobs, by id."""

    def __init__(self, workers: int = WORKERS) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dyxx-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, step: str, folder: Path, work: Callable[[Job], None]) -> Job:
        job = Job(secrets.token_urlsafe(12), step, folder)
        with self._lock:
            self._jobs[job.id] = job
            finished = [j for j in self._jobs.values() if j.state in ("done", "failed")]
            for old in finished[: max(0, len(self._jobs) - KEPT_JOBS)]:
                del self._jobs[old.id]
                shutil.rmtree(
                    old.folder, ignore_errors=True
                )  # its files can no longer be asked for
        self._pool.submit(_run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _run(job: Job, work: Callable[[Job], None]) -> None:
    job.state, job.stage = "running", "正在处理"
    try:
        work(job)
        job.state, job.stage = "done", "完成"
    except WorkbookError as exc:
        job.error = f"无法处理“{Path(exc.path).name}”：{exc.problem}"
        job.state = "failed"
    except Exception as exc:  # the job's last line of defence: no traceback, no data
        job.error = internal_error(exc)
        job.state = "failed"
    finally:
        job.finished.set()
