"""``dyxx addin build``: the add-in file, checked part by part without Excel."""

from __future__ import annotations

import importlib.util
import re
import warnings
import zipfile
from pathlib import Path

import pytest
import xlwings
import xmlschema
from defusedxml import ElementTree

from addin.ribbon import customui
from addin.ribbon.build import (
    ADDIN_NAME,
    CLOUD_KEYS,
    CONFIG_SHEET,
    ENTRY,
    MODULE,
    TEMPLATE,
    UDF_MODULES,
    Config,
    build,
    local_config,
    read_config,
)
from tests.support.books import shared_file
from tests.support.cli import dyxx

CONFIG = Config(interpreter_win=r"C:\Python311\python.exe", pythonpath=r"C:\dyxx\entry")
CHANGED = {
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/workbook.xml",
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
}
ADDED = {customui.PART, customui.IMAGE_PART, "customUI/_rels/customUI14.xml.rels"}


@pytest.fixture(scope="module")
def addin(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("dist") / ADDIN_NAME, CONFIG)


def vba_modules(data: bytes) -> dict[str, str]:
    """Module name -> VBA source, as olevba extracts it from vbaProject.bin."""
    with warnings.catch_warnings():  # oletools 0.60 uses pyparsing's deprecated names
        warnings.simplefilter("ignore", DeprecationWarning)
        from oletools.olevba import VBA_Parser

    parser = VBA_Parser("vbaProject.bin", data=data)
    try:
        return {name.rsplit(".", 1)[0]: code for _f, _s, name, code in parser.extract_macros()}
    finally:
        parser.close()


def template_vba() -> dict[str, str]:
    with zipfile.ZipFile(TEMPLATE) as archive:
        return vba_modules(archive.read("xl/vbaProject.bin"))


def test_build_is_reproducible(tmp_path, addin):
    again = build(tmp_path / ADDIN_NAME, CONFIG)
    assert again.read_bytes() == addin.read_bytes()


def test_a_valid_zip_with_the_template_parts(addin):
    with zipfile.ZipFile(addin) as built, zipfile.ZipFile(TEMPLATE) as template:
        assert built.testzip() is None
        names = built.namelist()
        assert names[0] == "[Content_Types].xml"
        assert set(names) == (set(template.namelist()) - {"customUI/customUI.xml"}) | ADDED
        for name in set(template.namelist()) - CHANGED - {"customUI/customUI.xml"}:
            assert built.read(name) == template.read(name), name
        assert {i.date_time for i in built.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_vba_project_is_byte_identical(addin):
    with zipfile.ZipFile(addin) as built, zipfile.ZipFile(TEMPLATE) as template:
        assert built.read("xl/vbaProject.bin") == template.read("xl/vbaProject.bin")


def test_custom_ui_validates_against_microsofts_schema(addin):
    schema = xmlschema.XMLSchema(str(shared_file("schemas", "customui14.xsd")))
    with zipfile.ZipFile(addin) as archive:
        schema.validate(archive.read(customui.PART).decode())


def test_the_ribbon_is_wired_to_the_part_its_icon_and_a_vba_sub(addin):
    with zipfile.ZipFile(addin) as archive:
        rels = ElementTree.fromstring(archive.read("_rels/.rels"))
        targets = {r.get("Target"): r.get("Type") for r in rels}
        assert targets[customui.PART] == customui.RELATIONSHIP_TYPE
        types = archive.read("[Content_Types].xml").decode()
        assert 'Extension="png" ContentType="image/png"' in types
        image_rels = ElementTree.fromstring(archive.read("customUI/_rels/customUI14.xml.rels"))
        images = {r.get("Id"): r.get("Target") for r in image_rels}
        ui = ElementTree.fromstring(archive.read(customui.PART))
        modules = vba_modules(archive.read("xl/vbaProject.bin"))
        buttons = ui.findall(f".//{{{customui.NAMESPACE}}}button")
        assert [b.get("label") for b in buttons] == ["校验"]
        tab = ui.find(f".//{{{customui.NAMESPACE}}}tab")
        assert tab is not None and tab.get("label") == "党员信息"
        for button in buttons:
            assert button.get("size") == "large"
            image = "customUI/" + images[button.get("image")]
            assert archive.read(image).startswith(b"\x89PNG")
        actions = [e.get("onAction") for e in ui.iter() if e.get("onAction")]
        assert actions
        for action in actions:
            module, sub = action.split(".")
            pattern = rf"^Sub {sub}\(control As IRibbonControl\)"
            assert re.search(pattern, modules[module], re.MULTILINE), action


def test_the_button_runs_main_of_the_module_named_after_the_file():
    """The template's VBA imports the add-in's file name: dyxx.xlam -> dyxx.main()."""
    run_main = template_vba()["RibbonMyAddin"]
    assert "Left(ThisWorkbook.Name, (InStrRev(ThisWorkbook.Name," in run_main
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in run_main
    assert MODULE == "dyxx" and (ENTRY / "dyxx.py").is_file()
    assert sorted(p.name for p in ENTRY.glob("*.py")) == ["__init__.py", "dyxx.py"]
    spec = importlib.util.spec_from_file_location(MODULE, ENTRY / "dyxx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from addin.ribbon import action

    assert callable(module.main) and module.action.main is action.main  # guarded, then checks


def test_the_config_sheet_reads_back(addin):
    assert read_config(addin) == {
        "Interpreter_Win": CONFIG.interpreter_win,
        "Interpreter_Mac": "",
        "PYTHONPATH": CONFIG.pythonpath,
        "Conda Path": "",
        "Conda Env": "",
        "UDF Modules": UDF_MODULES,
        "Debug UDFs": False,
        "Use UDF Server": False,
        "Show Console": False,
        "ADD_WORKBOOK_TO_PYTHONPATH": False,
        "Interpreter": CONFIG.interpreter_win,
        "LICENSE_KEY": "",
        **dict.fromkeys(CLOUD_KEYS, ""),
        "SHOW_ERROR_POPUPS": True,
    }


# Keys the add-in's sheet may leave to xlwings' default, and why.
NOT_SET = {
    # an empty value would replace the default, Environ("Temp"), with the current folder
    "TEMP DIR",
}


def test_the_config_sheet_sets_every_key_the_vba_reads(addin):
    """A key the add-in's sheet sets is never looked up in another layer (issue 14, point 5b)."""
    bas = (Path(xlwings.__file__).parent / "xlwings_custom_addin.bas").read_text("utf-8")
    read = set(re.findall(r'GetConfig\("([^"]+)"', bas))
    assert len(read) >= 20 and NOT_SET <= read
    keys = {key.upper() for key in read_config(addin)}  # GetConfigFromSheet upper-cases
    assert read - keys == NOT_SET
    assert read_config(addin)["LICENSE_KEY"] == ""  # no embedded .py code runs


def test_the_config_sheet_is_the_one_the_vba_reads(addin):
    """GetConfig reads the sheet named PROJECT_NAME & ".conf" (the template's is disabled)."""
    vba = template_vba()["xlwings"]
    project = re.search(r'Public Const PROJECT_NAME As String = "(\w+)"', vba).group(1)
    assert CONFIG_SHEET == f"{project}.conf"
    assert 'Set sht = wb.Sheets(PROJECT_NAME & ".conf")' in vba
    for key in ("INTERPRETER_WIN", "PYTHONPATH", "UDF MODULES", "ADD_WORKBOOK_TO_PYTHONPATH"):
        assert f'GetConfig("{key}"' in vba, key
    from python_calamine import CalamineWorkbook

    assert CalamineWorkbook.from_path(str(addin)).sheet_names == [CONFIG_SHEET]


def test_the_udf_module_is_importable_by_name():
    module = importlib.import_module(UDF_MODULES)
    assert all(hasattr(module, name) for name in ("DYID", "DYROW"))


def test_local_config_uses_this_python():
    assert local_config("win32", r"C:\venv\Scripts\python.exe").interpreter_win.endswith(
        "python.exe"
    )
    assert local_config("darwin", "/venv/bin/python").interpreter_mac == "/venv/bin/python"
    assert local_config("linux", "/usr/bin/python3") == Config()
    assert Path(Config().pythonpath) == ENTRY


def test_special_characters_in_paths_are_escaped(tmp_path):
    path = build(tmp_path / ADDIN_NAME, Config(pythonpath=r"C:\A & B <x>\entry"))
    assert read_config(path)["PYTHONPATH"] == r"C:\A & B <x>\entry"


def test_cli_build_and_install(tmp_path):
    built = dyxx("addin", "build", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "已生成" in built.stdout and (tmp_path / "dist" / ADDIN_NAME).is_file()
    wrong = dyxx("addin", "build", "-o", str(tmp_path / "other.xlam"), cwd=tmp_path)
    assert wrong.returncode == 2 and "dyxx.xlam" in wrong.stdout
    installed = dyxx("addin", "install", "--dir", str(tmp_path / "XLSTART"), cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    assert (tmp_path / "XLSTART" / ADDIN_NAME).is_file()
    assert "重新打开 Excel" in installed.stdout
    # the package may be installed apart from this checkout: compare contents
    entry = Path(read_config(tmp_path / "XLSTART" / ADDIN_NAME)["PYTHONPATH"])
    assert entry.name == ENTRY.name and entry.is_dir()
    assert (entry / "dyxx.py").read_bytes() == (ENTRY / "dyxx.py").read_bytes()
