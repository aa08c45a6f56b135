"""The app's private temporary folder: every upload and every result, removed on exit.

One folder (mode 0700) per running app, one subfolder per job; uploads are
written there under safe names (:mod:`addin.model.safename`), never under the
name the browser sent.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

from addin.model.safename import Namer
from addin.write.outputs import running

PREFIX = "dyxx-app-"


class Workspace:
    """A private folder that holds a job's inputs and outputs until :meth:`remove`."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root or tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")).resolve()
        self.root.chmod(0o700)
        self._lock = threading.Lock()
        self._count = 0

    def job_folder(self) -> Path:
        """A new, empty private folder for one job."""
        with self._lock:
            self._count += 1
            folder = self.root / f"job{self._count}"
        folder.mkdir(mode=0o700)
        (folder / "in").mkdir(mode=0o700)
        (folder / "out").mkdir(mode=0o700)
        return folder

    def remove(self) -> None:
        """Delete everything (called on exit; harmless when called twice)."""
        shutil.rmtree(self.root, ignore_errors=True)


def remove_leftovers(parent: Path | None = None) -> list[Path]:
    """The private folders of earlier apps that were killed (a power cut, the Task Manager),
    removed: their process is gone. A running app's folder is never touched."""
    parent = Path(parent or tempfile.gettempdir())
    removed = []
    for folder in parent.glob(f"{PREFIX}*"):
        pid = folder.name.removeprefix(PREFIX).split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or running(int(pid)):
            continue
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def safe_names(names: list[str]) -> list[str]:
    """Upload names made safe and unique, their extension kept (lower case).

    >>> safe_names(["../名册.xlsx", "名册.XLSX", "CON.xls", ""])
    ['名册.xlsx', '名册(2).xlsx', 'CON_.xls', '未命名']
    """
    namer = Namer()
    result = []
    for raw in names:
        base = raw.replace("\\", "/").rsplit("/", 1)[-1]
        stem, dot, suffix = base.rpartition(".")
        if not dot or not suffix.isascii() or not suffix.isalnum() or len(suffix) > 5:
            stem, suffix = base, ""
        name = namer(stem)
        result.append(f"{name}.{suffix.lower()}" if suffix else name)
    return result
