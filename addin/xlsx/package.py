"""Rewrite an .xlsx package, copying untouched parts byte for byte.

Python's zipfile can only re-compress what it copies; for a workbook whose big
sheet is 60 MB of XML that costs seconds. :class:`Rewriter` copies the stored
bytes of every part it is not told to change (local header, compressed data and
data descriptor, verbatim) and writes only the changed and new parts.
"""

from __future__ import annotations

import io
import os
import struct
import time
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO

from zlib_ng import zlib_ng

from addin.xlsx.source import LOCAL_HEADER, read_member

LOCAL = LOCAL_HEADER  # local file header, 30 bytes
CENTRAL = struct.Struct("<4s6H3L5H2L")  # central directory header, 46 bytes
END = struct.Struct("<4s4H2LH")  # end of central directory, 22 bytes
DESCRIPTOR_SIGNATURE = b"PK\x07\x08"
Piece = bytes | memoryview
BIG_PART = 8 * 1024**2  # parts larger than this are compressed fast rather than small


class Rewriter:
    """Build a new package from an old one: ``replace``/``add`` parts, then ``finish()``.

    ``inflated``: parts of ``data`` already inflated (:attr:`addin.xlsx.source.Source.kept`),
    each taken from there by the first :meth:`read` of it instead of inflated again.
    """

    def __init__(self, data: bytes, inflated: dict[str, bytes] | None = None) -> None:
        self.data = data
        self.inflated = inflated if inflated is not None else {}
        self.archive = zipfile.ZipFile(io.BytesIO(data))
        self.changed: dict[str, bytes] = {}
        self.removed: set[str] = set()
        self.stored: set[str] = set()  # parts written without compression
        self.packing: dict[str, Packing] = {}  # big parts being compressed in the background

    def read(self, name: str) -> bytes:
        if name in self.changed:
            return self.changed[name]
        if name in self.inflated:
            return self.inflated.pop(name)  # handed over once: its memory goes with its use
        return read_member(self.data, self.archive, name)

    def head(self, name: str, size: int = 65536) -> bytes:
        """About the first ``size`` bytes of a part, inflating no more than needed."""
        if name in self.changed:
            content = self.changed[name]
            return bytes(content[:size]) if isinstance(content, bytes) else b"".join(content)[:size]
        info = self.archive.getinfo(name)
        if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x1:
            return self.read(name)[:size]
        header = LOCAL.unpack_from(self.data, info.header_offset)
        start = info.header_offset + LOCAL.size + header[9] + header[10]
        inflater = zlib.decompressobj(-15)
        try:
            return inflater.decompress(
                memoryview(self.data)[start : start + info.compress_size], size
            )
        except zlib.error:
            raise zipfile.BadZipFile(f"{name}: bad deflate data") from None

    def exists(self, name: str) -> bool:
        return name in self.changed or (
            name not in self.removed and name in self.archive.NameToInfo
        )

    def names(self) -> list[str]:
        """Every part the package holds now: the old ones left, then the added ones."""
        names = [n for n in self.archive.NameToInfo if self.exists(n)]
        return names + [n for n in self.changed if n not in self.archive.NameToInfo]

    def put(self, name: str, content: bytes | list[Piece], *, store: bool = False) -> None:
        """Replace or add a part; ``store`` writes it uncompressed (for a package
        that is read once and thrown away), and may give it as a list of pieces."""
        self.changed[name] = content
        self.removed.discard(name)
        self.packing.pop(name, None)
        if store:
            self.stored.add(name)
        elif len(content) > BIG_PART:
            self.packing[name] = Packing(content)  # type: ignore[arg-type]

    def remove(self, name: str) -> None:
        self.changed.pop(name, None)
        self.removed.add(name)

    def finish(self) -> bytes:
        out = io.BytesIO()
        self.write_to(out)
        return out.getvalue()

    def write_to(self, out: BinaryIO) -> None:
        """Write the package to an open binary file (or buffer)."""
        central: list[bytes] = []
        for info in self.archive.infolist():
            if info.filename in self.removed or info.filename in self.changed:
                continue
            central.append(self._copy(out, info))
        originals = set(self.archive.NameToInfo)
        ordered = [n for n in self.archive.NameToInfo if n in self.changed]
        ordered += [n for n in self.changed if n not in originals]
        for name in ordered:
            packing = self.packing.get(name)
            packed = packing.result() if packing is not None else None
            central.append(_write(out, name, self.changed[name], name in self.stored, packed))
        start = out.tell()
        for record in central:
            out.write(record)
        size = out.tell() - start
        out.write(END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0))

    def _copy(self, out: BinaryIO, info: zipfile.ZipInfo) -> bytes:
        """Copy a part's stored bytes verbatim; return its central directory record."""
        offset = info.header_offset
        header = LOCAL.unpack_from(self.data, offset)
        name_length, extra_length = header[9], header[10]
        end = offset + LOCAL.size + name_length + extra_length + info.compress_size
        if info.flag_bits & 0x08:  # a data descriptor follows the data
            end += 16 if self.data[end : end + 4] == DESCRIPTOR_SIGNATURE else 12
        position = out.tell()
        out.write(self.data[offset:end])
        return _central(
            info.filename,
            info.flag_bits,
            info.compress_type,
            _dos(info.date_time),
            info.CRC,
            info.compress_size,
            info.file_size,
            position,
        )


def _write(
    out: BinaryIO,
    name: str,
    content: bytes | list[Piece],
    store: bool = False,
    packed: tuple[bytes, int] | None = None,
) -> bytes:
    """Write one part (``packed``: its deflated bytes and CRC, when already made)."""
    method = zipfile.ZIP_STORED if store else zipfile.ZIP_DEFLATED
    pieces = content if isinstance(content, list) else [content]
    size = sum(map(len, pieces))
    if packed is None:
        crc = 0
        for piece in pieces:
            crc = zlib.crc32(piece, crc)
        packed = (b"", crc) if store else (_deflate(content), crc)  # type: ignore[arg-type]
    data, crc = packed
    encoded = name.encode("utf-8")
    flags = 0x800  # names are UTF-8
    stamp = _dos(time.localtime()[:6])
    position = out.tell()
    out.write(
        LOCAL.pack(
            b"PK\x03\x04",
            20,
            flags,
            method,
            stamp[1],
            stamp[0],
            crc,
            size if store else len(data),
            size,
            len(encoded),
            0,
        )
    )
    out.write(encoded)
    for piece in pieces if store else [data]:
        out.write(piece)
    return _central(name, flags, method, stamp, crc, size if store else len(data), size, position)


def _deflate(content: bytes) -> bytes:
    """A small part, deflated at zlib's default level (big ones go to :class:`Packing`)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(content) + compressor.flush()


class Packing:
    """A big part deflated in background threads, in slices, while the caller goes on.

    zlib lets go of the interpreter lock while it compresses, so the slices use
    the other cores. Each slice is deflated on its own and all but the last end
    with a sync flush (byte-aligned, not final), so their concatenation is one
    valid deflate stream, as pigz does it.
    """

    SLICE = 8 * 1024**2

    def __init__(self, content: bytes) -> None:
        view = memoryview(content)
        bounds = range(0, len(content), self.SLICE)
        last = bounds[-1]
        pool = _pool()
        self._slices = [
            pool.submit(_deflate_slice, view[i : i + self.SLICE], i == last) for i in bounds
        ]
        self._crc = pool.submit(zlib_ng.crc32, content)

    def result(self) -> tuple[bytes, int]:
        return b"".join(f.result() for f in self._slices), self._crc.result()


def _deflate_slice(piece: memoryview, last: bool) -> bytes:
    """zlib-ng at level 2: as small as zlib's level 1 output, in two thirds of the time."""
    compressor = zlib_ng.compressobj(2, zlib_ng.DEFLATED, -15)
    packed = compressor.compress(piece)
    return packed + compressor.flush(zlib_ng.Z_FINISH if last else zlib_ng.Z_SYNC_FLUSH)


_POOL: list[ThreadPoolExecutor] = []


def _pool() -> ThreadPoolExecutor:
    if not _POOL:
        _POOL.append(
            ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="deflate")
        )
    return _POOL[0]


def _central(
    name: str,
    flags: int,
    method: int,
    stamp: tuple[int, int],
    crc: int,
    compressed: int,
    size: int,
    offset: int,
) -> bytes:
    encoded = name.encode("utf-8")
    record = CENTRAL.pack(
        b"PK\x01\x02",
        20,
        20,
        flags,
        method,
        stamp[1],
        stamp[0],
        crc,
        compressed,
        size,
        len(encoded),
        0,
        0,
        0,
        0,
        0,
        offset,
    )
    return record + encoded


def _dos(moment: tuple[int, ...]) -> tuple[int, int]:
    """(date, time) in MS-DOS format."""
    year, month, day, hour, minute, second = moment[:6]
    year = max(year, 1980)
    return (year - 1980) << 9 | month << 5 | day, hour << 11 | minute << 5 | second // 2
