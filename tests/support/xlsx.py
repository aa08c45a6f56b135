"""An .xlsx as the zip it is: read its parts, and craft files no office suite would save."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def parts(path: Path) -> dict[str, bytes]:
    """Every part of the package by name."""
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def sheet_names(path: Path) -> list[str]:
    """The workbook's sheet names in order, as openpyxl reads them (without reading the cells)."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return book.sheetnames
    finally:
        book.close()


def strings(path: Path) -> set[str]:
    """Every text value of every sheet, as calamine reads it."""
    book = CalamineWorkbook.from_path(str(path))
    found: set[str] = set()
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python():
            found.update(v for v in row if isinstance(v, str))
    return found


def rewrite(path: Path, target: Path, replace: dict[str, bytes]) -> Path:
    """Copy a real .xlsx, replacing some members' bytes."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        assert set(replace) <= set(source.namelist())
        for info in source.infolist():
            out.writestr(info, replace.get(info.filename, source.read(info)))
    return target


def with_extension(data: bytes, part: str, extension: str) -> bytes:
    """The package ``data`` with ``extension`` (an ``<extLst>``) appended to a sheet ``part``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == part:
                content = content.replace(b"</worksheet>", extension.encode() + b"</worksheet>")
            target.writestr(info, content)
    return out.getvalue()


def with_controls(data: bytes) -> bytes:
    """set_text wrote the control characters as pictures (␋); put the real ones back."""
    pictures = {chr(0x2400 + c).encode(): f"_x{c:04X}_".encode() for c in range(0x20)}
    pictures["\u2421".encode()] = b"_x007F_"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                for picture, escaped in pictures.items():
                    part = part.replace(picture, escaped)
            target.writestr(info, part)
    return out.getvalue()


def shrink_declared_size(data: bytes, name: str) -> bytes:
    """The package with member ``name`` claiming half its real size (bypasses size checks)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo(name)
    encoded = name.encode()
    buffer = bytearray(data)
    # central directory record: signature, ..., uncompressed size at offset 24, name at 46
    central = buffer.find(b"PK\x01\x02" + bytes(buffer[buffer.find(b"PK\x01\x02") + 4 :][:0]))
    while central != -1:
        name_length = int.from_bytes(buffer[central + 28 : central + 30], "little")
        if bytes(buffer[central + 46 : central + 46 + name_length]) == encoded:
            buffer[central + 24 : central + 28] = (info.file_size // 2).to_bytes(4, "little")
        central = buffer.find(b"PK\x01\x02", central + 4)
    local = info.header_offset
    buffer[local + 22 : local + 26] = (info.file_size // 2).to_bytes(4, "little")
    return bytes(buffer)
