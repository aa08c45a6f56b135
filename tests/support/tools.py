"""Programs a test needs from the machine (LibreOffice, poppler-utils).

The rule of the `office` fixture: a missing program skips the test locally and fails it
under CI (``CI=true``), where ``.ci/run`` has installed everything.
"""

from __future__ import annotations

import os
import shutil

import pytest


def required(*programs: str) -> str:
    """The path of the first program (``soffice``, ``pdftotext``...), once all are found."""
    missing = [program for program in programs if not shutil.which(program)]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} required under CI")
        pytest.skip(f"{', '.join(missing)} not installed")
    return shutil.which(programs[0]) or programs[0]
