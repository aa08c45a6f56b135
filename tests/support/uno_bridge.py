"""LibreOffice Calc for the tests, driven over UNO.

Debian's python3-uno binds to /usr/bin/python3, which need not be the Python
that runs the tests. So this file has two halves:

* :class:`Office` (imported by the tests, any Python): starts
  ``/usr/bin/python3 tests/support/uno_bridge.py`` once and sends it one JSON request
  per line;
* :func:`serve` (``__main__``, the system Python with ``uno``): starts one
  headless soffice with a throw-away profile, answers the requests, and stops
  soffice when its input closes.

Every request opens the workbook afresh (hidden, never saved over the file),
so what is reported is what a user opening that file would see.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from datetime import date
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"
SCRATCH_COLUMN = 900  # 0-based column where live-check formulas are evaluated
START_TIMEOUT = 90
REQUEST_TIMEOUT = 300


def missing() -> str | None:
    """Why LibreOffice cannot be used here, or None when it can."""
    if not shutil.which("soffice"):
        return "soffice (LibreOffice) is not installed"
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} is missing"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    if probe.returncode:
        return f"{SYSTEM_PYTHON} cannot import uno (python3-uno is not installed)"
    return None


class Office:
    """Client side: one bridge process (and one soffice) for the whole test session."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [SYSTEM_PYTHON, str(Path(__file__).resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=sys.stderr,
            text=True,
            encoding="utf-8",
        )
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.version = self.call("ping", timeout=START_TIMEOUT)

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put("")

    def call(self, cmd: str, timeout: float = REQUEST_TIMEOUT, **args: object):
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"cmd": cmd, "args": args}, default=str) + "\n")
        self.process.stdin.flush()
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"LibreOffice did not answer {cmd} within {timeout}s") from None
        if not line:
            raise RuntimeError(f"the UNO bridge exited (code {self.process.poll()})")
        reply = json.loads(line)
        if not reply["ok"]:
            raise RuntimeError(f"LibreOffice failed on {cmd}:\n{reply['error']}")
        return reply["result"]

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --------------------------------------------------------------------------- server side


def serve() -> None:
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything else printed goes to stderr, not into the protocol
    server = Server()
    try:
        for line in sys.stdin:
            request = json.loads(line)
            try:
                result = getattr(server, "cmd_" + request["cmd"])(**request["args"])
                reply = {"ok": True, "result": result}
            except Exception:
                reply = {"ok": False, "error": traceback.format_exc()}
            protocol.write(json.dumps(reply, ensure_ascii=False) + "\n")
            protocol.flush()
    finally:
        server.close()


class Placed:
    """One live check's formula filled down a scratch column, to be read once calculated."""

    def __init__(self, cells, col: int, base: int, formula: str, rows: list[int]) -> None:
        self.cells, self.col, self.base, self.formula, self.rows = cells, col, base, formula, rows

    def read(self) -> list[dict]:
        from com.sun.star.sheet.FormulaResult import ERROR

        results = [row[0] for row in self.cells.getDataArray()]
        errors = set()
        for found in self.cells.queryFormulaCells(ERROR).getRangeAddresses():
            errors.update(range(found.StartRow + 1, found.EndRow + 2))
        return [
            {
                "cell": _name(self.col, row),
                "formula": self.formula,
                "value": 0 if row in errors else results[row - 1 - self.base],
                "error": int(row in errors),
            }
            for row in self.rows
        ]


class Server:
    def __init__(self) -> None:
        import uno

        self.uno = uno
        self.profile = tempfile.mkdtemp(prefix="dyxx-lo-")
        pipe = f"dyxx{os.getpid()}"
        self.soffice = subprocess.Popen(
            [
                "soffice",
                "--headless",
                "--invisible",
                "--nologo",
                "--norestore",
                "--nodefault",
                "--nolockcheck",
                f"-env:UserInstallation={uno.systemPathToFileUrl(self.profile)}",
                f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                if time.monotonic() > deadline or self.soffice.poll() is not None:
                    raise
                time.sleep(0.2)
        self.desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
        self.provider = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.configuration.ConfigurationProvider", context
        )

    def close(self) -> None:
        try:
            self.desktop.terminate()
        except Exception:
            pass
        try:
            self.soffice.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.soffice.kill()
            self.soffice.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    # ----------------------------------------------------------------------- helpers

    def _props(self, **values):
        from com.sun.star.beans import PropertyValue

        props = []
        for name, value in values.items():
            prop = PropertyValue()
            prop.Name, prop.Value = name, value
            props.append(prop)
        return tuple(props)

    def _open(self, path: str):
        url = self.uno.systemPathToFileUrl(str(Path(path).resolve()))
        doc = self.desktop.loadComponentFromURL(url, "_blank", 0, self._props(Hidden=True))
        if doc is None:
            raise RuntimeError(f"LibreOffice could not open {path}")
        return doc

    def _range_values(self, doc, reference: str) -> list[str] | None:
        """The cell texts of a range reference as LibreOffice prints it ($Sheet.$C$4:$C$5)."""
        if "." not in reference:
            return None
        sheet_part, cells = reference.rsplit(".", 1)
        name = sheet_part.lstrip("$")
        if name.startswith("'") and name.endswith("'"):
            name = name[1:-1].replace("''", "'")
        if not doc.Sheets.hasByName(name):
            return None
        block = doc.Sheets.getByName(name).getCellRangeByName(cells.replace("$", ""))
        return [str(row[0]) for row in block.getDataArray()]

    def _cell_info(self, doc, sheet, address: str) -> dict:
        cell = sheet.getCellRangeByName(address)
        check = cell.Validation
        info = {
            "string": cell.getString(),
            "locked": bool(cell.CellProtection.IsLocked),
            "number_format": doc.NumberFormats.getByKey(cell.NumberFormat).FormatString,
            "validation": {
                "type": check.Type.value,
                "alert": check.ErrorAlertStyle.value,
                "show_error": bool(check.ShowErrorMessage),
                "show_input": bool(check.ShowInputMessage),
                "input_title": check.InputTitle,
                "input_message": check.InputMessage,
                "error_message": check.ErrorMessage,
                "show_list": int(check.ShowList),
                "formula1": check.getFormula1(),
                "formula2": check.getFormula2(),
            },
        }
        if check.Type.value == "LIST":
            info["validation"]["values"] = self._range_values(doc, check.getFormula1())
        return info

    def _conditional_formats(self, doc, sheet) -> list[dict]:
        styles = doc.StyleFamilies.getByName("CellStyles")
        found = []
        for conditional in sheet.ConditionalFormats.getConditionalFormats():
            ranges = conditional.Range.getRangeAddresses()
            for index in range(conditional.getCount()):
                entry = conditional.getByIndex(index)
                names = entry.getPropertySetInfo()
                if not names.hasPropertyByName("Formula1"):
                    continue
                style = entry.getPropertyValue("StyleName")
                back = styles.getByName(style).CellBackColor if styles.hasByName(style) else -1
                found.append(
                    {
                        "ranges": [_address(r) for r in ranges],
                        "formula": entry.getPropertyValue("Formula1"),
                        "style": style,
                        "back_color": back,
                    }
                )
        return found

    def _fill(self, doc, sheet, values: dict) -> None:
        """Type values in, as one block (an empty string leaves a cell empty)."""
        null = doc.NullDate
        epoch = date(null.Year, null.Month, null.Day)
        typed = {}
        for address, (kind, value) in values.items():
            row, col = cell_position(address)
            if kind == "d":
                value = float((date.fromisoformat(value) - epoch).days)
            elif kind == "n":
                value = float(value)
            elif kind != "s":
                raise ValueError(f"unknown value kind {kind}")
            typed[(row, col)] = value
        if not typed:
            return
        top, bottom = min(r for r, _c in typed), max(r for r, _c in typed)
        left, right = min(c for _r, c in typed), max(c for _r, c in typed)
        block = tuple(
            tuple(typed.get((row, col), "") for col in range(left, right + 1))
            for row in range(top, bottom + 1)
        )
        sheet.getCellRangeByPosition(left, top, right, bottom).setDataArray(block)

    def _store(self, doc, path: str, filter_name: str, **data) -> None:
        url = self.uno.systemPathToFileUrl(str(Path(path).resolve()))
        extra = {}
        if data:
            extra["FilterData"] = self.uno.Any(
                "[]com.sun.star.beans.PropertyValue", self._props(**data)
            )
        self.uno.invoke(
            doc, "storeToURL", (url, self._props(FilterName=filter_name, Overwrite=True, **extra))
        )

    # ----------------------------------------------------------------------- commands

    def cmd_ping(self) -> str:
        node = self._props(nodepath="/org.openoffice.Setup/Product")
        access = self.provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationAccess", node
        )
        return f"{access.ooName} {access.ooSetupVersionAboutBox}"

    def cmd_inspect(self, path: str, cells: dict) -> dict:
        """Sheets (visible, protected), live checks, and validation/protection of some cells."""
        doc = self._open(path)
        try:
            sheets = []
            for sheet in doc.Sheets:
                sheets.append(
                    {
                        "name": sheet.Name,
                        "visible": bool(sheet.IsVisible),
                        "protected": bool(sheet.isProtected()),
                        "conditional_formats": self._conditional_formats(doc, sheet),
                    }
                )
            found = {
                name: {a: self._cell_info(doc, doc.Sheets.getByName(name), a) for a in addresses}
                for name, addresses in cells.items()
            }
            return {"sheets": sheets, "cells": found}
        finally:
            doc.close(True)

    def cmd_evaluate(
        self,
        path: str,
        values: dict,
        rows: dict,
        save_as: str | None = None,
        insert: dict | None = None,
    ):
        """Type ``values`` in ({sheet: {cell: [kind, value]}}), then evaluate every live
        check on ``rows`` ({sheet: [row, ...]}) the way Calc does. ``insert``
        ({sheet: [row, count]}) first inserts rows, as an officer makes room for more.

        Each conditional format's formula is read back from the cell it applies to
        (as LibreOffice stored it, relative to its range's first cell), written into
        a scratch cell on that first row, and filled down past the rows asked for, so
        that LibreOffice itself adjusts the relative row references. ``save_as`` stores
        the filled workbook (before any scratch formula) for the Python engine.
        """
        doc = self._open(path)
        try:
            doc.enableAutomaticCalculation(False)  # calculate once, not after every change
            for name, (row, count) in (insert or {}).items():
                sheet = doc.Sheets.getByName(name)
                if sheet.isProtected():
                    sheet.unprotect("")
                sheet.Rows.insertByIndex(row - 1, count)
            for name, cells in values.items():
                self._fill(doc, doc.Sheets.getByName(name), cells)
            if save_as:
                doc.calculateAll()
                self._store(doc, save_as, "Calc Office Open XML")
            placed = []
            for name, wanted in rows.items():
                sheet = doc.Sheets.getByName(name)
                if sheet.isProtected():
                    sheet.unprotect("")  # filling honours protection; this copy is not saved
                placed += [(name, block) for block in self._place(sheet, wanted)]
            doc.calculateAll()
            return [{"sheet": name, **mark} for name, block in placed for mark in block.read()]
        finally:
            doc.close(True)

    def _place(self, sheet, rows: list[int]) -> list[Placed]:
        """Put every live check's formula beside the rows asked for (calculated later)."""
        from com.sun.star.sheet.FillDirection import TO_BOTTOM

        placed = []
        scratch = SCRATCH_COLUMN
        for conditional in sheet.ConditionalFormats.getConditionalFormats():
            for block in conditional.Range.getRangeAddresses():
                for col in range(block.StartColumn, block.EndColumn + 1):
                    inside = [r for r in rows if block.StartRow + 1 <= r <= block.EndRow + 1]
                    if not inside:
                        continue
                    entries = sheet.getCellByPosition(col, inside[0] - 1).ConditionalFormat
                    for index in range(entries.getCount()):
                        entry = entries.getByIndex(index)
                        base, formula = entry.getSourcePosition().Row, entry.getFormula1()
                        sheet.getCellByPosition(scratch, base).setFormula("=" + formula)
                        filled = sheet.getCellRangeByPosition(
                            scratch, base, scratch, max(inside) - 1
                        )
                        filled.fillAuto(TO_BOTTOM, 1)
                        placed.append(Placed(filled, col, base, formula, inside))
                        scratch += 1
        return placed

    def cmd_marks(self, path: str, cells: dict) -> dict:
        """Sheet names, and per cell: text, background colour and note (annotation) text."""
        doc = self._open(path)
        try:
            found = {}
            for name, addresses in cells.items():
                sheet = doc.Sheets.getByName(name)
                found[name] = {}
                for address in addresses:
                    cell = sheet.getCellRangeByName(address)
                    found[name][address] = {
                        "string": cell.getString(),
                        "back": int(cell.CellBackColor),
                        "note": cell.Annotation.String,
                    }
            return {"sheets": [sheet.Name for sheet in doc.Sheets], "cells": found}
        finally:
            doc.close(True)

    def cmd_pdf(self, path: str, sheet: str, out: str) -> None:
        """Export one sheet as PDF (the other sheets are hidden first)."""
        doc = self._open(path)
        try:
            for other in doc.Sheets:
                if other.Name != sheet:
                    other.IsVisible = False
            self._store(doc, out, "calc_pdf_Export")
        finally:
            doc.close(True)

    def cmd_charts(self, path: str) -> dict:
        """Per sheet, the charts LibreOffice finds: their data ranges and chart type."""
        doc = self._open(path)
        try:
            found = {}
            for sheet in doc.Sheets:
                charts = []
                for name in sheet.Charts.getElementNames():
                    chart = sheet.Charts.getByName(name)
                    embedded = chart.getEmbeddedObject()
                    charts.append(
                        {
                            "ranges": [_address(r) for r in chart.getRanges()],
                            "type": embedded.getDiagram().getDiagramType(),
                        }
                    )
                found[sheet.Name] = charts
            return found
        finally:
            doc.close(True)


def cell_position(address: str) -> tuple[int, int]:
    """A1 name -> 0-based (row, column)."""
    letters = address.rstrip("0123456789")
    col = 0
    for letter in letters:
        col = col * 26 + ord(letter) - 64
    return int(address[len(letters) :]) - 1, col - 1


def _name(col: int, row: int) -> str:
    """0-based column, 1-based row -> A1 name."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def _address(block) -> str:
    first = _name(block.StartColumn, block.StartRow + 1)
    last = _name(block.EndColumn, block.EndRow + 1)
    return first if first == last else f"{first}:{last}"


if __name__ == "__main__":
    serve()
