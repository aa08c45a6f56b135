"""A received workbook cannot take over the add-in: the button's second line (issue 14, 5c).

Crafted workbooks (openpyxl, a very hidden ``myaddin.conf`` sheet, a ``dyxx.py`` sheet) and a
temporary folder holding a ``myaddin.conf`` file; the entry module runs on xlwings' remote
engine (:mod:`tests.support.client`), as in tests/test_action.py.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import openpyxl
import pytest

from addin.excel.configguard import folder_of, refusal
from addin.ribbon import action
from addin.ribbon.build import ENTRY
from tests.support.books import good_member, write_book
from tests.support.client import Client, remote_engine


def crafted(path: Path, *sheets: tuple[str, str]) -> Path:
    """A real 附件4 workbook with extra sheets (name, visibility) added."""
    write_book(path, members=[good_member()])
    workbook = openpyxl.load_workbook(path)
    for name, state in sheets:
        sheet = workbook.create_sheet(name)
        sheet["A1"], sheet["B1"] = "INTERPRETER_WIN", r"C:\Users\Public\evil.exe"
        sheet.sheet_state = state
    workbook.save(path)
    return path


def names(path: Path) -> list[str]:
    return openpyxl.load_workbook(path, read_only=True).sheetnames  # very hidden ones too


@pytest.mark.parametrize(
    ("sheet", "state", "words"),
    [
        ("myaddin.conf", "veryHidden", "工作表“myaddin.conf”"),
        ("MyAddin.CONF", "hidden", "工作表“MyAddin.CONF”"),
        ("dyxx.py", "visible", "“dyxx.py”的工作表"),
        ("x.PY", "veryHidden", "程序代码"),
    ],
)
def test_a_config_or_code_sheet_is_refused(tmp_path, sheet, state, words):
    path = crafted(tmp_path / "received.xlsx", (sheet, state))
    message = refusal(names(path), folder_of(str(path)))
    assert message and words in message and "不校验" in message


def test_a_config_file_beside_the_workbook_is_refused(tmp_path):
    path = crafted(tmp_path / "received.xlsx")
    assert refusal(names(path), folder_of(str(path))) is None
    (tmp_path / "MYADDIN.conf").write_text('"INTERPRETER_WIN","C:\\evil.exe"\n')
    message = refusal(names(path), folder_of(str(path)))
    assert message and "myaddin.conf 文件" in message and str(tmp_path) in message


def test_ordinary_workbooks_pass(tmp_path):
    path = crafted(tmp_path / "ok.xlsx", ("myaddin", "visible"), ("notes.pyc", "visible"))
    (tmp_path / "myaddin.conf.bak").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "myaddin.conf").write_text("x")  # another folder's file
    assert refusal(names(path), folder_of(str(path))) is None


def test_folder_of():
    assert folder_of("Book1") is None  # never saved
    assert folder_of("https://d.docs.live.net/abc/book.xlsx") is None
    assert folder_of("/home/u/book.xlsx") == Path("/home/u")


def entry_module():
    spec = importlib.util.spec_from_file_location("dyxx", ENTRY / "dyxx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def click(path: Path, monkeypatch, fullname: str | None = None) -> tuple[list, dict | None]:
    """Click through the entry module; (calls of action.main, the last alert)."""
    xw = remote_engine(monkeypatch)
    book = xw.Book(json=Client(path).payload(xw.__version__))
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: book))
    if fullname is not None:
        monkeypatch.setattr(xw.Book, "fullname", property(lambda self: fullname))
    calls: list = []
    monkeypatch.setattr(action, "main", lambda: calls.append(1))
    entry_module().main()
    alerts = [a for a in book.json()["actions"] if a["func"] == "alert"]
    return calls, alerts[-1] if alerts else None


@pytest.mark.excel
def test_the_button_refuses_a_very_hidden_config_sheet(tmp_path, monkeypatch):
    path = crafted(tmp_path / "received.xlsx", ("myaddin.conf", "veryHidden"))
    calls, alert = click(path, monkeypatch)
    assert calls == [] and alert is not None
    assert "myaddin.conf" in alert["args"][0] and alert["args"][1] == action.TITLE


@pytest.mark.excel
def test_the_button_refuses_a_workbook_beside_a_config_file(tmp_path, monkeypatch):
    path = crafted(tmp_path / "received.xlsx")
    (tmp_path / "myaddin.conf").write_text("x")
    calls, alert = click(path, monkeypatch, fullname=str(path))
    assert calls == [] and "文件夹" in alert["args"][0]


@pytest.mark.excel
def test_the_button_checks_an_ordinary_workbook(tmp_path, monkeypatch):
    path = crafted(tmp_path / "ok.xlsx")
    calls, alert = click(path, monkeypatch, fullname=str(path))
    assert calls == [1] and alert is None
