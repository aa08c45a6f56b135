"""The one exception users see: a workbook that cannot be read or written."""

from __future__ import annotations

from pathlib import Path


class WorkbookError(Exception):
    """A workbook that cannot be checked; the message is Chinese and names the file.

    It never carries cell values: only the file name and what is wrong with it.
    """

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{Path(path).name}：{problem}")
