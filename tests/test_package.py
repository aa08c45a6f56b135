"""The package layer under the fast paths: parts deflated in slices, inflated with zlib-ng."""

from __future__ import annotations

import io
import zipfile
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from addin.xlsx import package
from addin.xlsx import source as sources
from addin.xlsx.package import Rewriter
from tests.support.cli import console_script, dyxx_process
from tests.support.xlsx import shrink_declared_size

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "示例_林业局党委.xlsx"
SHEET = "xl/worksheets/sheet1.xml"


def big_sheet(rows: int) -> bytes:
    body = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>李建国{r}</t></is></c>'
        f'<c r="B{r}"><v>{r * 7919 % 100003}</v></c></row>'
        for r in range(1, rows + 1)
    )
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()


def test_a_big_part_deflated_in_slices_reads_back_exactly(tmp_path, monkeypatch):
    monkeypatch.setattr(package.Packing, "SLICE", 1024**2)  # many slices, as in a big roster
    xml = big_sheet(200_000)
    assert len(xml) > package.BIG_PART
    rewriter = Rewriter(EXAMPLE.read_bytes())
    rewriter.put(SHEET, xml)
    data = rewriter.finish()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None  # every CRC right
        assert archive.read(SHEET) == xml
        assert archive.getinfo(SHEET).compress_size < len(xml) // 4
    written = tmp_path / "copy.xlsx"
    with written.open("wb") as handle:
        rewriter.write_to(handle)
    assert zipfile.ZipFile(written).read(SHEET) == xml


def test_a_stored_part_given_in_pieces(tmp_path):
    rewriter = Rewriter(EXAMPLE.read_bytes())
    xml = big_sheet(50)
    view = memoryview(xml)
    rewriter.put(SHEET, [view[:100], view[100:]], store=True)
    with zipfile.ZipFile(io.BytesIO(rewriter.finish())) as archive:
        assert archive.getinfo(SHEET).compress_type == zipfile.ZIP_STORED
        assert archive.read(SHEET) == xml
        assert archive.testzip() is None


def test_read_member_gives_what_zipfile_gives():
    data = EXAMPLE.read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(data))
    for name in archive.namelist():
        assert sources.read_member(data, archive, name) == archive.read(name)


def test_read_member_refuses_a_member_holding_more_than_declared():
    data = shrink_declared_size(EXAMPLE.read_bytes(), SHEET)
    archive = zipfile.ZipFile(io.BytesIO(data))
    with pytest.raises(zipfile.BadZipFile):
        sources.read_member(data, archive, SHEET)


@pytest.mark.e2e
def test_python_dash_m_addin_is_the_dyxx_command():
    """pip installs ``dyxx`` as the launcher; ``python -m addin`` (the tests' child runs) too."""
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "dyxx"]
    assert script.value == "addin.cli.main:run"
    assert console_script()[1:] == ["-m", "addin"]
    assert "from addin.cli.main import run" in (ROOT / "addin" / "__main__.py").read_text()
    result = dyxx_process("check", EXAMPLE, "--json", "--today", "2024-06-01", cwd=ROOT)
    assert result.returncode == 1, result.stderr
    assert '"rule": "id.checksum"' in result.stdout
