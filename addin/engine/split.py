"""A big sheet read and checked in two processes at once (Linux).

python-calamine parses a sheet on one core, and for a county's 附件4 that parse
is most of the time a check takes. So when a workbook's biggest sheet is large
and a second core is free, its XML is cut in two at a row boundary. Each half
becomes a small package held in memory (the half stored uncompressed, every
other part copied as it is), and a forked child reads and checks the second
half while this process reads and checks the first. The child sends back only
what the cross-record rules and the stamp need (:class:`addin.engine.part.MemberPart`);
the report is the same as reading the sheet whole, which the tests compare.

Whenever the cut could change what is read, the sheet is read whole instead: a
table that does not run on across the cut (its first half must end with a record),
a second half holding a row that is not a record but is reported (below a footer,
outside the table's columns) or another table, a cell holding an Excel error in any
sheet, a merge spanning the cut, a row without its number, an 附件3 table, or a
child that fails for any reason. Nothing leaves the machine and nothing reaches a
disk: the child talks to its parent through two pipes, and a half is handed to
python-calamine either from memory or, for a workbook that was not encrypted, as a
private file on the RAM disk that is removed as soon as it is open (see :func:`_open`).
"""

from __future__ import annotations

import functools
import io
import os
import pickle
import re
import sys
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from python_calamine import CalamineWorkbook

from addin.engine.part import MemberPart, check_member_part
from addin.model.errors import WorkbookError
from addin.read import extent, reader
from addin.read.reader import Table
from addin.xlsx import source as sources
from addin.xlsx.package import Rewriter

SHARED_STRINGS = "xl/sharedStrings.xml"
RAM_FOLDER = "/dev/shm"  # Linux: memory-backed files
MIN_BYTES = 8 * 1024**2  # worksheet XML below this (about 8,000 rows) is read in one piece
SHARE = 0.5  # how much of the sheet XML this process reads
MAX_TRIES = 1000  # row boundaries tried when a merge spans the cut
_SHEET_DATA = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?sheetData(?:\s[^>]*)?>")
_ROW_NUMBER = re.compile(rb'\sr\s*=\s*["\'](\d+)["\']')
_MERGE = re.compile(rb'<(?:[\w.-]+:)?mergeCell\s[^>]*?ref\s*=\s*["\'][A-Z]+(\d+):[A-Z]+(\d+)["\']')


class SplitFailed(Exception):
    """The second half could not be read or checked apart: read the sheet whole."""


def read_workbook(path: str | Path, password: str | None, today: date) -> list[Table]:
    """Like :func:`addin.read.reader.read_workbook`; a big 附件4 table's second half is read
    and checked by a child process (it is then the table's ``rest``)."""
    source = sources.load(Path(path), password)
    cut = plan(source) if can_fork() else None
    if cut is None:
        return _whole(source)
    rest = Rest(cut, str(source.path))
    try:
        tables, rows, sent = _read_first(source, cut, rest, today)
        table = _continued(tables, cut, rows)
    except Exception as exc:  # this side of the split failed (memory, RAM disk full ...)
        rest.stop()
        if isinstance(exc, WorkbookError):
            raise
        return _whole(source)
    except BaseException:
        rest.stop()
        raise
    if table is None or sent is None or not sent.continues(table):
        rest.stop()
        return _whole(source)
    table.rest = rest
    return tables


def _whole(source: sources.Source) -> list[Table]:
    """The workbook read in this process alone."""
    return reader.read_source(source)


def can_fork() -> bool:
    """Linux with two cores or more, unless DYXX_PROCESSES=1 (Windows cannot fork; on
    macOS a forked child may not use every system library, so it is not tried)."""
    if not sys.platform.startswith("linux") or os.environ.get("DYXX_PROCESSES") == "1":
        return False
    cores = (
        os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
    )
    return len(cores) >= 2


@dataclass
class Cut:
    """Where a worksheet part's XML is cut: at byte ``at``, the start of sheet row ``row``."""

    data: bytes  # the whole package
    part: str
    sheet: str
    xml: bytes
    open_end: int  # just after <sheetData>
    close: int  # at </sheetData>
    at: int
    row: int
    private: bool = True  # the package may pass through a RAM file (not for encrypted input)

    def first(self, path: Path) -> CalamineWorkbook:
        """The first half, opened."""
        view = memoryview(self.xml)
        pieces = [view[: self.at], view[self.close :]]
        return _open(path, self.data, self.part, pieces, self.private)

    def second(self, path: Path) -> CalamineWorkbook:
        """The second half, opened (the rows before the cut left out)."""
        view = memoryview(self.xml)
        pieces = [view[: self.open_end], view[self.at :]]
        return _open(path, self.data, self.part, pieces, self.private)

    def release(self) -> None:
        """Let go of the sheet's XML once this process's half is in calamine's hands (the
        memory is freed when both processes have, and any formula scan is done)."""
        self.xml = b""
        sources.forget_inflated()


def plan(source: sources.Source) -> Cut | None:
    """Where to cut the biggest sheet of an .xlsx, or None to read it whole."""
    if source.kind != "xlsx":
        return None
    try:
        parts = sources.sheet_parts(source.data)
        archive = zipfile.ZipFile(io.BytesIO(source.data))
        infos = [archive.getinfo(p) for p in parts if p in archive.NameToInfo]
        if not infos or max(i.file_size for i in infos) < _min_bytes():
            return None
        big = max(infos, key=lambda i: i.file_size)
        xml = sources.inflate(source.data, archive, big.filename)  # checks the size and CRC
    except Exception:  # anything odd: the one-piece reader reports it properly
        return None
    cut = _cut(source.data, big.filename, parts[big.filename], xml)
    if cut is not None:
        cut.private = not source.encrypted
    return cut


def _min_bytes() -> int:
    """MIN_BYTES, or DYXX_SPLIT_BYTES when set (the tests split small workbooks)."""
    value = os.environ.get("DYXX_SPLIT_BYTES", "")
    return int(value) if value.isdigit() else MIN_BYTES


def _cut(data: bytes, part: str, sheet: str, xml: bytes) -> Cut | None:
    opening = _SHEET_DATA.search(xml)
    if opening is None or xml[opening.end() - 2 : opening.end() - 1] == b"/":
        return None
    prefix = opening.group(1) + b":" if opening.group(1) else b""
    close = xml.rfind(b"</" + prefix + b"sheetData>")
    if close < opening.end():
        return None
    merges = [(int(top), int(bottom)) for top, bottom in _MERGE.findall(xml, close)]
    at = opening.end() + int((close - opening.end()) * SHARE)
    for _ in range(MAX_TRIES):
        at = _next_row(xml, b"<" + prefix + b"row", at, close)
        row = _row_number(xml, at) if at is not None else None
        if at is None or row is None:
            return None
        if not any(top < row <= bottom for top, bottom in merges):
            return Cut(data, part, sheet, xml, opening.end(), close, at, row)
        at += 1
    return None


def _next_row(xml: bytes, tag: bytes, start: int, end: int) -> int | None:
    while (at := xml.find(tag, start, end)) != -1:
        if xml[at + len(tag) : at + len(tag) + 1] in (b" ", b">", b"\t", b"\r", b"\n", b"/"):
            return at
        start = at + 1
    return None


def _row_number(xml: bytes, at: int) -> int | None:
    found = _ROW_NUMBER.search(xml[at : xml.find(b">", at) + 1])
    return int(found.group(1)) if found else None


def _open(
    path: Path, data: bytes, part: str, xml: list[memoryview], private: bool
) -> CalamineWorkbook:
    """A package with ``part`` replaced by the pieces of ``xml`` (stored), opened.

    python-calamine copies an in-memory package slowly (a tenth of a second for
    50 MB) but opens a file at once. So when RAM-backed temporary storage is
    there (``/dev/shm``) and the workbook was not encrypted, the package goes
    into a private file there (mode 0600) that is unlinked before anything is
    written to it: it has no name while it holds data, and it is gone when this
    process ends, however it ends. dyxx does not write it to a disk (like any
    memory, the system may swap it). Otherwise, or when the RAM disk is full,
    the package is read from memory.
    """
    package = Rewriter(data)
    package.put(part, xml, store=True)  # type: ignore[arg-type]
    if private and _in_memory(RAM_FOLDER):
        try:
            return _open_nameless(path, package)
        except OSError:  # the RAM disk is full (a container's /dev/shm may be small)
            pass
    return reader.open_workbook(path, package.finish())


def _open_nameless(path: Path, package: Rewriter) -> CalamineWorkbook:
    handle, name = tempfile.mkstemp(prefix="dyxx-", suffix=".xlsx", dir=RAM_FOLDER)
    os.unlink(name)
    with os.fdopen(handle, "wb") as file:
        package.write_to(file)
        file.flush()
        return reader.open_workbook(path, file=Path(f"/proc/self/fd/{file.fileno()}"))


@functools.cache
def _in_memory(folder: str) -> bool:
    """True when ``folder`` is a tmpfs mount (its files live in RAM only)."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return False
    return any(m.split()[1:3] == [folder, "tmpfs"] for m in mounts if len(m.split()) > 2)


def _read_first(
    source: sources.Source, cut: Cut, rest: Rest, today: date
) -> tuple[list[Table], int, _Go | None]:
    """This process's tables, the number of rows it read of the cut sheet, and the go
    sent to the child as soon as the cut sheet's 附件4 header was found."""
    _refuse_sparse(source, cut)
    # checks the other parts alongside the parser; calamine reads (and CRC-checks) these two
    source.start_scan(skip={cut.part, SHARED_STRINGS})
    workbook = cut.first(source.path)
    # while calamine parses (without the GIL); the child scans its own half
    found = sources.formula_scan(cut.xml, 0, cut.at)
    cut.release()
    sheets = {n: reader.sheet_rows(source.path, workbook, n) for n in workbook.sheet_names}
    by_part = dict(source.uncached)
    by_part[cut.part] = found()
    formulas = reader.uncached_by_sheet(source.data, by_part)
    rows = sheets.get(cut.sheet, [])
    reader.show_formulas(rows, formulas.get(cut.sheet, {}))
    header = reader.first_header(rows, "members")
    sent = None if header is None else _Go(*header, today)
    if sent is not None:
        rest.go(sent)  # the child checks while this process reads on
    tables = reader.tables_in(source.path, sheets, formulas)
    return tables, len(rows), sent


def _refuse_sparse(source: sources.Source, cut: Cut) -> None:
    """Raise :class:`SplitFailed` unless calamine may read this process's sheets as they
    are (:func:`addin.read.extent.dense`, and no cell holding an Excel error, which the reader
    puts back: :func:`addin.xlsx.source.error_cells`): such a workbook is read whole."""
    if not extent.dense(cut.xml, 0, cut.at, size=len(cut.xml)):
        raise SplitFailed("the first half is sparse")
    if sources.error_cells(cut.xml)[0]:
        raise SplitFailed("a cell holds an error")
    archive = zipfile.ZipFile(io.BytesIO(source.data))
    for part in reader.sheet_parts(source).values():
        if part == cut.part:
            continue
        xml = reader.sheet_xml(source, archive, part)
        if not extent.dense(xml) or sources.error_cells(xml)[0]:
            raise SplitFailed("a sheet is sparse or holds an error")


def _continued(tables: list[Table], cut: Cut, rows: int) -> Table | None:
    """The 附件4 table that runs on across the cut, if the first half ends inside it."""
    found = [t for t in tables if t.sheet == cut.sheet]
    if not found:
        return None
    table = found[-1]
    last = table.records[-1].row if table.records else 0
    if table.kind != "members" or not last == rows == cut.row - 1:
        return None
    return table


@dataclass
class _Go:
    """What the child needs to read on: the table's header, and what to check against."""

    header_row: int
    columns: dict[str, int]
    today: date

    def continues(self, table: Table) -> bool:
        """True when the child was told of this table's header (not another one's)."""
        return (self.header_row, self.columns) == (table.header_row, table.columns)


class Rest:
    """The child process reading and checking the second half of a cut sheet."""

    def __init__(self, cut: Cut, file: str) -> None:
        go_read, self._go = os.pipe()
        self._result, result_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns
            os.close(self._go)
            os.close(self._result)
            _child(cut, file, go_read, result_write)
        os.close(go_read)
        os.close(result_write)
        self._part: MemberPart | None = None

    def go(self, message: _Go) -> None:
        """Tell the child to check its rows; a child that has already died is found out
        when its result is asked for (:class:`SplitFailed`, and the sheet is read whole)."""
        fd, self._go = self._go, -1
        try:
            with os.fdopen(fd, "wb") as pipe:
                pipe.write(pickle.dumps(message))
        except OSError:  # BrokenPipeError: nobody reads any more
            pass

    def stop(self) -> None:
        """Let the child go without a result: it exits when it finds its pipes closed,
        and a thread collects it then (this process does not wait for it)."""
        for fd in (self._go, self._result):
            if fd != -1:
                os.close(fd)
        self._go = self._result = -1
        if self.pid:
            threading.Thread(target=_collect, args=(self.pid,), daemon=True).start()
            self.pid = 0

    def result(self) -> MemberPart:
        """The checked second half; raises :class:`SplitFailed` when the child failed."""
        if self._part is None:
            if self._result == -1:
                raise SplitFailed("the child process was stopped")
            fd, self._result = self._result, -1
            with os.fdopen(fd, "rb") as pipe:
                payload = pipe.read()
            self._reap()
            try:
                status, value = pickle.loads(payload)
            except Exception:
                raise SplitFailed("the child process ended without a result") from None
            if status != "ok":
                raise SplitFailed(value)
            self._part = value
        return self._part

    def _reap(self) -> None:
        if self.pid:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            self.pid = 0


def _widen(rows: list, first: int, width: int) -> None:
    """Rows from index ``first`` at least ``width`` cells wide, as the whole sheet's are.

    Read whole, every row is as wide as the header; this half alone may end before a
    column that holds only formulas without a result, or begin with rows that hold
    nothing but such formulas.
    """
    for index in range(first, len(rows)):
        row = rows[index]
        if len(row) < width:
            rows[index] = [*row, *[""] * (width - len(row))]


def _collect(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _child(cut: Cut, file: str, go_read: int, result_write: int) -> None:
    """Read the second half, wait for the go, check it, send the result, exit."""
    try:
        rows, formulas = _second_rows(cut, file)
        with os.fdopen(go_read, "rb") as pipe:
            message = pipe.read()
        if not message:  # stopped: the parent reads the sheet whole
            os._exit(0)
        payload = ("ok", _check_rest(rows, formulas, cut, file, pickle.loads(message)))
    except BaseException as exc:  # the parent falls back to reading the sheet whole
        payload = ("failed", type(exc).__name__)
    try:
        with os.fdopen(result_write, "wb") as pipe:
            pipe.write(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    finally:
        os._exit(0)


def _second_rows(cut: Cut, file: str) -> tuple[list, dict[str, str]]:
    """The rows of the second half, and its formulas saved without a result."""
    if not extent.dense(cut.xml, cut.at, cut.close, size=len(cut.xml)):
        raise SplitFailed("the second half is sparse")
    workbook = cut.second(Path(file))
    found = sources.formula_scan(cut.xml, cut.at, cut.close)
    cut.release()
    rows = reader.sheet_rows(Path(file), workbook, cut.sheet, from_first_cell=True)
    return rows, found()


def _check_rest(rows: list, formulas: dict[str, str], cut: Cut, file: str, go: _Go) -> MemberPart:
    table = Table("members", file, cut.sheet, go.header_row, cut.row, go.columns)
    _widen(rows, cut.row - 1, max(go.columns.values()))
    reader.show_formulas(rows, formulas)
    end = reader.read_records(rows, table)
    if end < len(rows) or table.unplaced:
        raise SplitFailed("another table, or rows that are not records, in the second half")
    table.uncached = reader.uncached_in(table, formulas)
    return check_member_part(table, go.today)
