"""Opening a user's workbook safely: sniffed, size-guarded, decrypted in memory.

Every command that reads a workbook goes through :func:`load`. The file is read
once into memory and never opened for writing. Before any spreadsheet parser
sees it, the package is checked: what kind of file it really is (whatever its
extension says), whether it is encrypted (then it is decrypted in memory with
msoffcrypto-tool), and whether its zip members would expand to absurd sizes
(zip bombs). XML entity tricks are refused by the parsers themselves: calamine
does not expand DTD entities and openpyxl uses defusedxml when it is installed
(it is a dependency).
"""

from __future__ import annotations

import html
import io
import os
import re
import stat
import struct
import threading
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Generic, TypeVar

from zlib_ng import zlib_ng

from addin.model.a1 import column_number
from addin.model.errors import WorkbookError, os_message

T = TypeVar("T")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_FILE = 512 * 1024**2  # bytes on disk
MAX_MEMBER = 1536 * 1024**2  # one expanded zip member
MAX_TOTAL = 3 * 1024**3  # all expanded members together
MAX_MEMBERS = 10_000
BOMB_RATIO = 250  # expansion ratio that is refused for members over BOMB_FLOOR
BOMB_FLOOR = 32 * 1024**2
CHUNK = 1024**2
# What reading one damaged zip member can raise.
UNREADABLE_MEMBER = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
    NotImplementedError,
)
PROLOG = 64 * 1024  # where an XML declaration and a DTD would have to be
LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # a zip member's local file header
RESAVE = "请用 Excel 打开后另存再试"
# a FIFO opens without waiting for a writer; Windows needs O_BINARY for bytes as they are
READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
READ_FLAGS |= getattr(os, "O_BINARY", 0)
LOCKED = "没有读取权限，或文件正被其他程序占用（请先在 Excel 中关闭它）"
FORMULA = re.compile(rb"f(?<=<f)[\s>/]")  # an <f> element (found at twice the speed of "<f")
# A cell holding only a formula (and perhaps an empty <v>): the ref and the formula text.
# Nothing in it can run past the cell's end (the text holds no "<"), so a scan is linear.
UNCACHED_FORMULA = re.compile(
    rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*(?<!/)>\s*(?:<f(?:\s[^>]*)?>([^<]*)</f>|<f[^>]*/>)'
    rb"\s*(?:<v\s*/>|<v></v>)?\s*</c>"
)


@dataclass
class Source:
    """A workbook's bytes, ready for a parser."""

    path: Path
    data: bytes
    kind: str  # "xlsx" (any OOXML: .xlsx/.xlsm) or "xls"
    encrypted: bool = False
    _scan: Background[dict[str, dict[str, str]]] | None = field(default=None, repr=False)
    keep: bool = False  # keep the parts the reader inflates, for a marked copy (see inflate)
    kept: dict[str, bytes] = field(default_factory=dict, repr=False)

    def stream(self) -> io.BytesIO:
        return io.BytesIO(self.data)

    def inflate(self, archive: zipfile.ZipFile, name: str) -> bytes:
        """A part of the package (``archive``, opened on :attr:`data`), its size and CRC
        checked; kept in :attr:`kept` when :attr:`keep` is set, so that the marked copy
        made from this source takes it from there rather than inflate it again."""
        content = read_member(self.data, archive, name)
        if self.keep:
            self.kept[name] = content
        return content

    def hand_over(self, data: bytes) -> dict[str, bytes]:
        """The kept parts, no longer held here; none when the copy is made from other
        bytes than these (earlier marks undone first)."""
        kept, self.kept = self.kept, {}
        return kept if data is self.data else {}

    def start_scan(self, skip: Collection[str] = ()) -> None:
        """Start the background pass behind :attr:`uncached` (over every part not in ``skip``)."""
        if self.kind == "xlsx":  # a legacy .xls has no parts to scan
            # every member decompressed once (zipfile checks sizes and CRCs)
            self._scan = Background(expand_all, self.path, self.data, skip)

    @property
    def uncached(self) -> dict[str, dict[str, str]]:
        """Sheet part name -> {cell -> formula text} for formulas saved without a result.

        Found by a full pass over the sheets that runs in a background thread (zlib
        releases the GIL), overlapping with the spreadsheet parser.
        """
        return self._scan.result() if self._scan is not None else {}


class Background(threading.Thread, Generic[T]):
    """A function run in a thread (zlib and the spreadsheet parser let go of the
    interpreter lock); :meth:`result` waits for it and raises what it raised."""

    def __init__(self, function: Callable[..., T], *args: object) -> None:
        super().__init__(daemon=True)
        self._call = lambda: function(*args)
        self._value: T | None = None
        self._error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self._value = self._call()
        except BaseException as exc:  # handed to whoever asks for the result
            self._error = exc

    def result(self) -> T:
        self.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


class PasswordNeeded(WorkbookError):
    """The workbook is encrypted and no (or a wrong) password was given."""


def load(path: str | Path, password: str | None = None, *, scan: bool = False) -> Source:
    """Read, sniff, decrypt and guard one workbook; raise :class:`WorkbookError`.

    ``scan`` starts the background pass that finds formulas saved without a result
    (:attr:`Source.uncached`); only the reader, which reports them, needs it.
    """
    path = Path(path)
    data = _read(path)
    if data.startswith(OLE_MAGIC):
        data, encrypted = _maybe_decrypt(path, data, password)
        if not encrypted:
            return Source(path, data, "xls")
        source = Source(path, data, "xlsx", encrypted=True)
    elif data.startswith(ZIP_MAGIC):
        source = Source(path, data, "xlsx")
    elif not data:
        raise WorkbookError(path, "文件是空的（0 字节），请重新保存或重新下载")
    else:
        raise WorkbookError(path, _not_a_workbook(data))
    if not source.data.startswith(ZIP_MAGIC):
        raise WorkbookError(path, "解密后的内容不是 Excel 工作簿，文件可能已损坏")
    _guard_zip(path, source.data)
    if scan:
        source.start_scan()
    return source


def is_encrypted(path: str | Path) -> bool:
    """True when the file is an Office file protected by an opening password."""
    try:
        with regular_file(Path(path)) as handle:
            if handle.read(8) != OLE_MAGIC:
                return False
            handle.seek(0)
            return bool(_office_file(handle).is_encrypted())
    except Exception:
        return False


@contextmanager
def regular_file(path: Path) -> Iterator[BinaryIO]:
    """``path`` opened for reading, refused unless it is a regular file (after symlinks).

    Reading a FIFO waits for a writer that never comes and a device such as
    ``/dev/zero`` never ends, so they are refused before anything is opened. The
    open itself cannot wait (O_NONBLOCK), and what was opened is checked again
    (the path may have changed in between).
    """
    try:
        _refuse_special(path, path.stat())
        fd = os.open(path, READ_FLAGS)
    except FileNotFoundError:
        raise WorkbookError(path, "文件不存在，请检查路径") from None
    except PermissionError:
        raise WorkbookError(path, LOCKED) from None
    except OSError as exc:
        raise WorkbookError(path, f"无法读取文件：{os_message(exc, '读取')}") from None
    with os.fdopen(fd, "rb") as handle:
        _refuse_special(path, os.fstat(fd))
        yield handle


def _refuse_special(path: Path, info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise WorkbookError(path, "这是一个文件夹，不是 Excel 工作簿")
    if not stat.S_ISREG(info.st_mode):
        raise WorkbookError(
            path, "这不是普通文件（而是管道、设备或套接字等），不能当作 Excel 工作簿读取"
        )


def _read(path: Path) -> bytes:
    if path.name.startswith("~$"):
        raise WorkbookError(path, "这是 Excel 打开文件时生成的临时锁定文件，请选择原工作簿")
    with regular_file(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        try:
            data = _read_all(handle, size) if size <= MAX_FILE else b""
        except OSError as exc:
            raise WorkbookError(path, f"无法读取文件：{os_message(exc, '读取')}") from None
    if max(size, len(data)) > MAX_FILE:
        too_big = max(size, len(data)) // 1024**2
        raise WorkbookError(path, f"文件过大（{too_big} MB），超过 512 MB 的上限")
    return data


def _read_all(handle: BinaryIO, size: int) -> bytes:
    """The bytes of a file of ``size`` bytes, or up to MAX_FILE + 1 of them when it holds
    more than its size says (a file under /proc)."""
    data = handle.read(size + 1)
    if len(data) <= size:
        return data
    chunks, total = [data], len(data)
    while total <= MAX_FILE and (chunk := handle.read(CHUNK)):
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _not_a_workbook(data: bytes) -> str:
    head = data[:512].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype html")):
        return "这是一个网页文件，不是 Excel 工作簿（可能下载时出错，请重新下载）"
    if head.startswith(b"%pdf"):
        return "这是 PDF 文件，不是 Excel 工作簿"
    return "不是 Excel 工作簿（只支持 .xlsx、.xlsm 和 .xls），或文件已损坏"


def _office_file(stream: BinaryIO):
    """msoffcrypto's view of an OLE file (imported only for one: an .xlsx needs none)."""
    import msoffcrypto

    return msoffcrypto.OfficeFile(stream)


def _maybe_decrypt(path: Path, data: bytes, password: str | None) -> tuple[bytes, bool]:
    from msoffcrypto.exceptions import InvalidKeyError

    try:
        office = _office_file(io.BytesIO(data))
        if not office.is_encrypted():
            return data, False
    except Exception:
        # Not an Office container msoffcrypto knows: let the .xls reader decide.
        return data, False
    if not password:
        raise PasswordNeeded(path, "工作簿设置了打开密码，请用 --password 提供密码")
    try:
        office.load_key(password=password)
        out = io.BytesIO()
        office.decrypt(out)
    except InvalidKeyError:
        raise PasswordNeeded(path, "打开密码不正确，请核对后重试") from None
    except Exception:
        raise WorkbookError(path, "无法解密：加密方式不受支持，或文件已损坏") from None
    decrypted = out.getvalue()
    if decrypted.startswith(OLE_MAGIC):  # an encrypted legacy .xls
        return decrypted, False
    return decrypted, True


def _guard_zip(path: Path, data: bytes) -> None:
    """Refuse zip bombs (by the declared sizes) and XML with entity declarations.

    A member that holds more than its header declares is stopped by every parser
    used here (Python's zipfile and calamine's both enforce the declared size).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except UNREADABLE_MEMBER:  # also a zip "version" or method Python does not read
        raise WorkbookError(
            path, "文件已损坏（不是完整的 xlsx 压缩包），请用 Excel 打开后另存再试"
        ) from None
    if len(members) > MAX_MEMBERS:
        raise WorkbookError(path, "文件结构异常（压缩包内文件过多），已拒绝读取")
    _check_declared_sizes(path, members)
    for member in members:
        if member.filename.endswith((".xml", ".rels", ".vml")):
            _refuse_entities(path, archive, member)


def _refuse_entities(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """A DTD can only stand in the prolog: the first chunk of the part tells."""
    try:
        with archive.open(member) as stream:
            head = stream.read(PROLOG)
    except UNREADABLE_MEMBER:
        raise WorkbookError(path, f"文件已损坏（{member.filename} 无法解压），{RESAVE}") from None
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise WorkbookError(
            path,
            f"文件内含有 XML 实体声明（{member.filename}），"
            "正常的 Excel 文件不会有，可能是恶意文件，已拒绝读取",
        )


def _check_declared_sizes(path: Path, members: list[zipfile.ZipInfo]) -> None:
    total = sum(m.file_size for m in members)
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        too_big = member.file_size > MAX_MEMBER
        if too_big or (member.file_size > BOMB_FLOOR and ratio > BOMB_RATIO):
            raise WorkbookError(path, _bomb(member.filename))
    if total > MAX_TOTAL:
        raise WorkbookError(path, _bomb("全部内容"))


def _bomb(part: str) -> str:
    return f"文件内容解压后异常巨大（{part}），疑似“压缩炸弹”或已损坏，已拒绝读取"


def expand_all(path: Path, data: bytes, skip: Collection[str] = ()) -> dict[str, dict[str, str]]:
    """Decompress every member but those in ``skip`` once (zipfile checks sizes and CRCs).

    Returns the formulas saved without a result: part name -> {cell -> formula}.
    """
    found: dict[str, dict[str, str]] = {}
    archive = zipfile.ZipFile(io.BytesIO(data))
    for member in archive.infolist():
        if member.filename not in skip:
            cells = _expand(path, archive, member)
            if cells:
                found[member.filename] = cells
    return found


def _expand(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> dict[str, str]:
    """Decompress one member (zipfile stops at the declared size and checks the CRC)."""
    sheet = member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")
    try:
        with archive.open(member) as stream:
            chunks = iter(lambda: stream.read(CHUNK), b"")
            if sheet:
                return _scan_chunks(chunks)
            for _chunk in chunks:
                pass
    except UNREADABLE_MEMBER:
        raise WorkbookError(
            path, f"文件已损坏（{member.filename} 无法解压），请用 Excel 打开后另存再试"
        ) from None
    return {}


def uncached_formulas(xml: bytes) -> dict[str, str]:
    """The formulas saved without a result in a worksheet's XML: cell -> formula."""
    first = _find(xml, b"<f")  # most rosters have no formula
    if first < 0:
        return {}
    start = max(0, xml.rfind(b"<c ", 0, first))  # from the cell that holds it
    view = memoryview(xml)
    return _scan_chunks(bytes(view[i : i + CHUNK]) for i in range(start, len(xml), CHUNK))


def formula_scan(xml: bytes) -> Callable[[], dict[str, str]]:
    """:func:`uncached_formulas` of ``xml`` in a thread, to run alongside the spreadsheet
    parser: call the result for them. A part without any formula (most rosters) needs
    no thread, and nothing keeps its XML alive."""
    if not FORMULA.search(xml):
        return dict
    return Background(uncached_formulas, xml).result


def _find(data: bytes, needle: bytes) -> int:
    """``data.find(needle)`` a slice at a time: between slices another thread (one
    calling the spreadsheet parser) gets the interpreter lock."""
    for at in range(0, len(data), CHUNK):
        found = data.find(needle, at, at + CHUNK + len(needle) - 1)
        if found >= 0:
            return found
    return -1


def _scan_chunks(chunks: Iterable[bytes]) -> dict[str, str]:
    """The uncached formulas in a worksheet's XML given a chunk at a time.

    Each chunk is scanned once, up to the end of its last cell; the rest goes with
    the next chunk, so no cell is ever cut in two (however long its formula).
    """
    found: dict[str, str] = {}
    pending: list[bytes] = []
    for chunk in chunks:
        end = chunk.rfind(b"</c>") + 4
        if end < 4:  # no cell ends here
            pending.append(chunk)
            continue
        piece = b"".join([*pending, chunk[:end]]) if pending else chunk[:end]
        pending = [chunk[end:]]
        if b"<f" in piece:
            found.update(_uncached(piece))
    found.update(_uncached(b"".join(pending)))
    return found


def _uncached(xml: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for match in UNCACHED_FORMULA.finditer(xml):
        text = html.unescape(match.group(2).decode("utf-8", "replace")) if match.group(2) else ""
        out[match.group(1).decode()] = "=" + text if text else "=（公式）"
    return out


# A cell holding an Excel error (t="e"): its attributes and its content.
ERROR_CELL = re.compile(
    rb"<(?:[\w.-]+:)?c\s([^>]*?\bt\s*=\s*[\"']e[\"'][^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?c>)", re.S
)
_CELL_REF = re.compile(rb"(?:^|\s)r\s*=\s*[\"']([A-Za-z]{1,3})([0-9]{1,7})[\"']")
_ERROR_VALUE = re.compile(rb"<(?:[\w.-]+:)?v(?:\s[^>]*)?>([^<]*)</(?:[\w.-]+:)?v>")
# The errors python-calamine reads (as an empty cell); any other (#SPILL!, #CALC!,
# #GETTING_DATA …) makes it refuse the whole sheet
CALAMINE_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})


def error_cells(xml: bytes) -> tuple[dict[tuple[int, int], str], bytes]:
    """The cells of a worksheet's XML holding an Excel error: (row, column), 0-based ->
    the error as shown (``#N/A``); and the XML for python-calamine, the same unless an
    error it does not know had to be written as ``#N/A``.

    calamine reads an error cell as an empty one, so the reader puts the error back
    (:func:`addin.read.reader.read_sheets`): an error is never taken for a blank.
    """
    if b't="e"' not in xml:  # most sheets hold no error (office suites all write t="e")
        return {}, xml
    found: dict[tuple[int, int], str] = {}
    unknown = False
    for match in ERROR_CELL.finditer(xml):
        ref = _CELL_REF.search(match.group(1))
        error = _error_text(match.group(2))
        if ref is None or error is None:
            continue
        found[(int(ref.group(2)) - 1, column_number(ref.group(1)) - 1)] = error or "#N/A"
        unknown = unknown or error not in CALAMINE_ERRORS
    return found, (_known_errors(xml) if unknown else xml)


def _error_text(body: bytes | None) -> str | None:
    """The error in an error cell's content (None when it holds no value)."""
    value = _ERROR_VALUE.search(body or b"")
    if value is None:
        return None
    return html.unescape(value.group(1).decode("utf-8", "replace")).strip()


def _known_errors(xml: bytes) -> bytes:
    """``xml`` with every error calamine does not know written as #N/A."""

    def known(match: re.Match[bytes]) -> bytes:
        if _error_text(match.group(2)) in (None, *CALAMINE_ERRORS):
            return match.group(0)
        return _ERROR_VALUE.sub(_as_na, match.group(0), count=1)

    return ERROR_CELL.sub(known, xml)


def _as_na(value: re.Match[bytes]) -> bytes:
    """A <v> element (with its prefix, if any) holding #N/A instead."""
    whole, at = value.group(0), value.start()
    return whole[: value.start(1) - at] + b"#N/A" + whole[value.end(1) - at :]


def read_member(data: bytes, archive: zipfile.ZipFile, name: str) -> bytes:
    """``archive.read(name)`` with the same checks (no more than the declared size, the
    CRC), but a deflated part is inflated by zlib-ng, twice as fast as zlib."""
    info = archive.getinfo(name)
    offset = info.header_offset
    if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x1:
        return archive.read(name)
    header = LOCAL_HEADER.unpack_from(data, offset)
    if header[0] != b"PK\x03\x04":
        return archive.read(name)
    start = offset + LOCAL_HEADER.size + header[9] + header[10]
    inflater = zlib_ng.decompressobj(-15)
    try:
        content = inflater.decompress(
            memoryview(data)[start : start + info.compress_size], info.file_size + 1
        )
    except zlib_ng.error:
        raise zipfile.BadZipFile(f"{name}: bad deflate data") from None
    if len(content) != info.file_size or zlib_ng.crc32(content) != info.CRC:
        raise zipfile.BadZipFile(f"{name}: size or CRC does not match")
    return content


def sheet_parts(data: bytes) -> dict[str, str]:
    """Worksheet part name (xl/worksheets/sheet1.xml) -> sheet name, from workbook.xml."""
    from defusedxml import ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    parts: dict[str, str] = {}
    for sheet in book.iter(f"{main}sheet"):
        target = targets.get(sheet.get(rel), "")
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        parts[part] = sheet.get("name", "")
    return parts
