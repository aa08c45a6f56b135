"""Excel starts a Python process for the worksheet functions (DYID, DYROW …) and the
add-in's decisions: it must not pay for loading openpyxl, which only the writers need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import sys
import {module}
print(sorted(m for m in sys.modules if m.split(".")[0] == "openpyxl")[:3])
"""


@pytest.mark.parametrize("module", ["addin.udfs.functions", "addin.excel.aids"])
def test_the_add_in_loads_no_openpyxl(module):
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "[]"
