"""Build ``dyxx.xlam`` from the ribbon add-in template shipped inside xlwings.

The template's VBA project stays byte-identical; the ribbon (:mod:`addin.ribbon.customui`) and
the config sheet are ours. The zip is written reproducibly (fixed order, times, attributes), so
two builds with the same settings are byte-identical. How the config sheet and ``import dyxx``
work: ARCHITECTURE.md, "The add-in file".
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import xlwings

from addin.excel.configguard import CONFIG_NAME
from addin.ribbon import customui
from addin.ribbon.icon import png
from addin.write import outputs

TEMPLATE = Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"
ADDIN_NAME = "dyxx.xlam"
MODULE = ADDIN_NAME.removesuffix(".xlam")  # what the template's VBA imports
ENTRY = Path(__file__).resolve().parent / "entry"  # holds dyxx.py
TEMPLATE_SHEET = "_myaddin.conf"
CONFIG_SHEET = CONFIG_NAME  # the sheet the VBA reads: "myaddin.conf"
UDF_MODULES = "addin.udfs"
TIMESTAMP = (1980, 1, 1, 0, 0, 0)
CLOUD_KEYS = tuple(
    f"{key}_{os}"
    for os in ("WIN", "MAC")
    for key in ("ONEDRIVE_CONSUMER", "ONEDRIVE_COMMERCIAL", "SHAREPOINT")
)

CONFIG_PART = "xl/worksheets/sheet1.xml"
STRINGS_PART = "xl/sharedStrings.xml"
WORKBOOK_PART = "xl/workbook.xml"
TYPES_PART = "[Content_Types].xml"
ROOT_RELS = "_rels/.rels"
OLD_UI = "customUI/customUI.xml"
UI_RELS = "customUI/_rels/customUI14.xml.rels"


class TemplateError(RuntimeError):
    """The xlwings template is not what this builder was written for."""


@dataclass(frozen=True)
class Config:
    """What the add-in's config sheet says (empty text: xlwings' default)."""

    interpreter_win: str = ""
    interpreter_mac: str = ""
    pythonpath: str = str(ENTRY)
    udf_modules: str = UDF_MODULES

    def rows(self) -> list[tuple[str, str | bool]]:
        """Key/value rows in the template's order; the VBA reads A1 down to the first blank."""
        return [
            ("Interpreter_Win", self.interpreter_win),
            ("Interpreter_Mac", self.interpreter_mac),
            ("PYTHONPATH", self.pythonpath),
            ("Conda Path", ""),
            ("Conda Env", ""),
            ("UDF Modules", self.udf_modules),
            ("Debug UDFs", False),
            ("Use UDF Server", False),
            ("Show Console", False),
            # The folder of the checked workbook is not put on sys.path: a stray
            # openpyxl.py or addin.py beside it must not replace our modules.
            ("ADD_WORKBOOK_TO_PYTHONPATH", False),
            # Every other key the template's VBA reads is set here too, so no other layer
            # of its config lookup (see addin/ribbon/vbapatch.py) decides it: the legacy
            # interpreter key, no xlwings PRO licence (no embedded .py code), no OneDrive
            # or SharePoint folders joined into the path list, and errors shown.
            ("Interpreter", self.interpreter_win or self.interpreter_mac),
            ("LICENSE_KEY", ""),
            *((key, "") for key in CLOUD_KEYS),
            ("SHOW_ERROR_POPUPS", True),
        ]


def local_config(platform: str = sys.platform, executable: str = sys.executable) -> Config:
    """The config for this machine: its Python (the one dyxx runs in) and entry folder."""
    if platform.startswith("win"):
        return Config(interpreter_win=executable)
    if platform == "darwin":
        return Config(interpreter_mac=executable)
    return Config()


def build(target: str | Path, config: Config, template: str | Path = TEMPLATE) -> Path:
    """Write the add-in to ``target`` (its file name must be ``dyxx.xlam``)."""
    target = Path(target)
    if target.name != ADDIN_NAME:
        raise ValueError(f"the add-in must be named {ADDIN_NAME}: its VBA imports the file name")
    parts = _read(Path(template))
    data = package(parts, config)
    outputs.write_atomically(target, data)  # never over a file dyxx did not write
    return target


def package(parts: dict[str, bytes], config: Config) -> bytes:
    """The add-in's bytes: the template's parts with the ribbon and config replaced."""
    changed = {
        TYPES_PART: _content_types(_text(parts, TYPES_PART)),
        ROOT_RELS: _root_rels(_text(parts, ROOT_RELS)),
        WORKBOOK_PART: _workbook(_text(parts, WORKBOOK_PART)),
        CONFIG_PART: _config_sheet(_text(parts, CONFIG_PART), config),
        STRINGS_PART: _strings(config),
    }
    out: dict[str, bytes] = {TYPES_PART: changed[TYPES_PART]}
    for name, data in parts.items():
        if name == OLD_UI:
            out[customui.PART] = customui.XML.encode()
            out[UI_RELS] = customui.RELATIONSHIPS.encode()
            out[customui.IMAGE_PART] = png()
        elif name not in out:
            out[name] = changed.get(name, data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in out.items():
            info = zipfile.ZipInfo(name, date_time=TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def _read(template: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(template) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    missing = {OLD_UI, TYPES_PART, ROOT_RELS, WORKBOOK_PART, CONFIG_PART, STRINGS_PART} - set(parts)
    if missing or "xl/vbaProject.bin" not in parts:
        raise TemplateError(f"{template} lacks {sorted(missing)}: not the xlwings ribbon template")
    return parts


def _text(parts: dict[str, bytes], name: str) -> str:
    return parts[name].decode("utf-8")


def _replace_once(text: str, old: str, new: str, part: str) -> str:
    if text.count(old) != 1:
        raise TemplateError(f"{part}: expected exactly one {old!r}")
    return text.replace(old, new)


def _content_types(text: str) -> str:
    png_type = '<Default Extension="png" ContentType="image/png" />'
    anchor = '<Default Extension="xml" ContentType="application/xml" />'
    return _replace_once(text, anchor, anchor + png_type, TYPES_PART)


def _root_rels(text: str) -> str:
    return _replace_once(text, f'Target="{OLD_UI}"', f'Target="{customui.PART}"', ROOT_RELS)


def _workbook(text: str) -> str:
    return _replace_once(text, f'name="{TEMPLATE_SHEET}"', f'name="{CONFIG_SHEET}"', WORKBOOK_PART)


def _strings(config: Config) -> bytes:
    strings = _string_table(config)
    items = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    ).encode()


def _string_table(config: Config) -> list[str]:
    strings: list[str] = []
    for key, value in config.rows():
        for item in (key, value):
            if isinstance(item, str) and item and item not in strings:
                strings.append(item)
    return strings


def _config_sheet(text: str, config: Config) -> bytes:
    """The template's config sheet with our rows (its styles and view kept)."""
    index = {s: i for i, s in enumerate(_string_table(config))}
    rows = []
    for number, (key, value) in enumerate(config.rows(), start=1):
        cells = f'<c r="A{number}" s="1" t="s"><v>{index[key]}</v></c>'
        if isinstance(value, bool):
            cells += f'<c r="B{number}" s="1" t="b"><v>{int(value)}</v></c>'
        elif value:
            cells += f'<c r="B{number}" s="1" t="s"><v>{index[value]}</v></c>'
        rows.append(f'<row r="{number}" spans="1:2" ht="15.75">{cells}</row>')
    data = f"<sheetData>{''.join(rows)}</sheetData>"
    text, count = re.subn(r"<sheetData>.*</sheetData>", data, text, flags=re.DOTALL)
    if count != 1:
        raise TemplateError(f"{CONFIG_PART}: no sheetData")
    last = len(config.rows())
    text, count = re.subn(r'<dimension ref="[^"]*"', f'<dimension ref="A1:B{last}"', text)
    if count != 1:
        raise TemplateError(f"{CONFIG_PART}: no dimension")
    return text.encode()


def read_config(path: str | Path) -> dict[str, object]:
    """The config sheet of a built add-in, as xlwings' VBA would read it (key -> value)."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    rows = workbook.get_sheet_by_name(CONFIG_SHEET).to_python()
    config: dict[str, object] = {}
    for row in rows:
        if not row or row[0] in ("", None):
            break  # the VBA reads A1 down to the first blank cell
        config[str(row[0])] = row[1] if len(row) > 1 else ""
    return config
