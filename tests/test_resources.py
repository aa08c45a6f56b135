"""Bounded resources: files that never end, sparse sheets, formula scans, memory."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from defusedxml import ElementTree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin import source
from tests.test_hostile import assert_refused, reading_commands

LIMIT = 1536 * 1024**2  # address space of a child run: far more than any case here needs


def dyxx(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The command line in a child process with a bounded address space."""

    def bounded() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))

    return subprocess.run(
        [sys.executable, "-m", "addin.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=bounded,
        env={**os.environ, "COLUMNS": "200"},
    )


# ---- only regular files are read ---------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_at_once_by_every_reading_command(tmp_path):
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    out = tmp_path / "输出.xlsx"
    for command, args in reading_commands(fifo, out).items():
        assert_refused(dyxx(*args, timeout=30), "管道.xlsx", "不是普通文件"), command
        assert not out.exists(), command


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
@pytest.mark.parametrize("command", ["check", "prepare"])
def test_a_link_to_an_endless_device_is_refused(tmp_path, command):
    link = tmp_path / "零.xlsx"
    link.symlink_to("/dev/zero")
    out = tmp_path / "输出.xlsx"
    assert_refused(dyxx(*reading_commands(link, out)[command]), "零.xlsx", "不是普通文件")
    assert not out.exists()


# ---- formulas saved without a result: a linear scan, the same as a plain reading ------------

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def uncached_by_tree(xml: bytes) -> dict[str, str]:
    """The plain reference: every cell that holds a formula and no result, by ElementTree."""
    found = {}
    for cell in ElementTree.fromstring(xml).iter(f"{MAIN}c"):
        kids = [k.tag.removeprefix(MAIN) for k in cell]
        empty = all(k.text in (None, "") and not len(k) for k in cell[1:])
        if kids in (["f"], ["f", "v"]) and empty:
            text = cell[0].text or ""
            found[cell.get("r")] = "=" + text if text else "=（公式）"
    return found


def escaped(text: str, draw) -> str:
    """``text`` as element content, each special character escaped one way or another."""
    ways = {
        "&": ["&amp;", "&#38;"],
        "<": ["&lt;", "&#x3C;"],
        ">": [">", "&gt;"],
        '"': ['"', "&quot;"],
        "'": ["'", "&apos;"],
    }
    return "".join(draw(st.sampled_from(ways[c])) if c in ways else c for c in text)


FORMULA_TEXT = st.text(alphabet=st.sampled_from("A1:+-*/()&<>\"' 党员=，\n"), max_size=40)
SPACE = st.sampled_from(["", " ", "\n  "])


@st.composite
def cells(draw, ref: str) -> str:
    """One cell as Excel, LibreOffice or openpyxl may write it."""
    attrs = draw(st.sampled_from(["", ' s="1"', ' t="str"', ' s="2" t="n"']))
    head, space = f'<c r="{ref}"{attrs}', draw(SPACE)
    kind = draw(st.sampled_from(["number", "text", "empty", "formula", "shared"]))
    if kind == "number":
        return f"{head}><v>{draw(st.integers(0, 99))}</v></c>"
    if kind == "text":
        return f'<c r="{ref}" t="inlineStr"><is><t>{escaped(draw(FORMULA_TEXT), draw)}</t></is></c>'
    if kind == "empty":
        return f"{head}/>"
    if kind == "formula":
        formula = f"<f>{escaped(draw(FORMULA_TEXT), draw)}</f>"
    else:
        formula = draw(st.sampled_from(['<f t="shared" si="0"/>', '<f t="shared" si="0"></f>']))
    result = draw(st.sampled_from(["", "<v/>", "<v />", "<v></v>", "<v>7</v>", "<v>党</v>"]))
    return f"{head}>{space}{formula}{space}{result}{space}</c>"


@st.composite
def worksheets(draw) -> bytes:
    rows = []
    for row in range(1, draw(st.integers(0, 8)) + 1):
        columns = draw(st.lists(st.sampled_from("ABCDXY"), unique=True, max_size=4))
        body = "".join(draw(cells(f"{column}{row}")) for column in sorted(columns))
        rows.append(f'<row r="{row}">{body}</row>{draw(SPACE)}')
    xml = f'<worksheet xmlns="{MAIN[1:-1]}"><sheetData>{"".join(rows)}</sheetData></worksheet>'
    return xml.encode()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(xml=worksheets(), chunk=st.integers(1, 300), cut=st.floats(0, 1))
def test_uncached_formulas_match_a_plain_reading(xml, chunk, cut):
    """Any chunk size (a cell may span many chunks), and the sheet read in two parts at a
    row boundary as addin.split reads it."""
    expected = uncached_by_tree(xml)
    at = xml.find(b"<row", int(len(xml) * cut))
    at = xml.find(b"</sheetData>") if at < 0 else at
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(source, "CHUNK", chunk)
        assert source.uncached_formulas(xml) == expected
        halves = {**source.uncached_formulas(xml, 0, at), **source.uncached_formulas(xml, at)}
    assert halves == expected
