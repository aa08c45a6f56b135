"""The layers of ARCHITECTURE.md, enforced: import-linter's contracts and private names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("addin", "tests", "bench")  # whose private names must stay private


def test_import_contracts_hold(capsys, monkeypatch):
    from importlinter.application.use_cases import lint_imports
    from importlinter.configuration import configure

    configure()  # what the lint-imports command does first
    monkeypatch.chdir(ROOT)  # import-linter reads pyproject.toml from the working folder
    kept = lint_imports(cache_dir=None, no_logo=True)
    assert kept, capsys.readouterr().out


def _python_files() -> list[Path]:
    return sorted(
        [*ROOT.glob("addin/**/*.py"), *ROOT.glob("tests/**/*.py"), *ROOT.glob("bench/*.py")]
    )


def _private_uses(path: Path) -> list[str]:
    """``from m import _x``, ``m._x`` for our modules, openpyxl's ``._cells``: "file:line name"."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(OURS):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {alias.name}")
                else:
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules.update(a.asname or a.name for a in node.names if a.name.startswith(OURS))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value.id}.{node.attr}")
        if (  # openpyxl's own storage of a sheet's cells
            isinstance(node, ast.Attribute)
            and node.attr == "_cells"
            and not (isinstance(node.value, ast.Name) and node.value.id == "self")
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} ._cells")
    return sorted(found, key=lambda use: int(use.split(":")[1].split()[0]))


@pytest.mark.parametrize("path", _python_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_name_crosses_modules(path):
    assert _private_uses(path) == []


def test_the_private_scan_finds_what_it_looks_for(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from addin.values.cells import _norm\nfrom addin.values import cells\n"
        "cells._shown(1)\nsheet._cells\n",
        encoding="utf-8",
    )
    assert _private_uses(sample) == [
        "sample.py:1 _norm",
        "sample.py:3 cells._shown",
        "sample.py:4 ._cells",
    ]
