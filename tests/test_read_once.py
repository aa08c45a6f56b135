"""``dyxx check -o`` reads each workbook once: the marked copy is made from the bytes that
were checked, and from the sheets as the reader inflated them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

import addin.cli.main  # noqa: F401  (registers every command)
from addin.cli.app import app
from addin.engine.check import check_sources, load_files
from addin.write.marked.annotate import write_annotated
from addin.xlsx import package
from addin.xlsx import source as sources
from bench.generate import write as generate

TODAY = "2024-06-01"


@pytest.fixture(scope="module")
def roster(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("roster") / "名册.xlsx"
    generate(path, 300)
    return path


def counted(monkeypatch, modules: list, name: str) -> list[tuple]:
    """The arguments of every call of ``name`` in ``modules``, the function still doing its work."""
    calls: list[tuple] = []
    real = getattr(modules[0], name)

    def spy(*args):
        calls.append(args)
        return real(*args)

    for module in modules:
        monkeypatch.setattr(module, name, spy)
    return calls


def test_check_with_a_marked_copy_reads_the_file_once(roster, tmp_path, monkeypatch):
    reads = counted(monkeypatch, [sources], "_read")
    out = tmp_path / "标注.xlsx"
    result = CliRunner().invoke(app, ["check", str(roster), "-o", str(out), "--today", TODAY])
    assert result.exit_code == 1, result.output
    assert out.exists()
    assert reads == [(roster,)]


def test_the_marked_copy_takes_the_sheets_the_reader_inflated(roster, tmp_path, monkeypatch):
    inflated = counted(monkeypatch, [sources, package], "read_member")
    out = tmp_path / "标注.xlsx"
    result = CliRunner().invoke(app, ["check", str(roster), "-o", str(out), "--today", TODAY])
    assert result.exit_code == 1, result.output
    with zipfile.ZipFile(roster) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets
    parts = [name for _data, _archive, name in inflated if name in sheets]
    assert sorted(parts) == sorted(sheets)  # each inflated once, by the reader


def test_a_copy_from_the_kept_sheets_is_the_copy_from_the_file(roster, tmp_path):
    """Differential: the marked copy made from the loaded, checked source holds exactly the
    parts of one made by loading the file afresh."""
    (loaded,) = list(load_files([roster], keep=True))
    report = check_sources([loaded], None)
    assert loaded.kept  # the reader's sheets, handed over
    prints = [p for p in report.prints if p.file == str(roster)]
    kept, fresh = tmp_path / "kept.xlsx", tmp_path / "fresh.xlsx"
    write_annotated(roster, kept, report, prints=prints, loaded=loaded)
    write_annotated(roster, fresh, report, prints=prints)
    assert not loaded.kept  # taken by the writer, not held any longer
    assert _parts(kept) == _parts(fresh)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
