"""How dyxx writes a file: never over an input, never over a file it did not write, atomically.

Every file a command writes goes through :func:`write_atomically`. Inside
:func:`run` (one per command) each target is checked against the run's inputs
(by identity: links and other spellings too), against the run's other outputs,
and against what is on disk: an existing file is replaced only when dyxx wrote
it and nobody changed it since (its signature still matches), or with
``--force``. The bytes are encrypted before they reach the disk, go to a
temporary file beside the target and are renamed into place; an output is
never more readable than the run's inputs.

A signature is a zip comment (workbooks) or a trailing PDF comment holding a
hash of what dyxx wrote; an office suite that saves the file drops it.

>>> signed(sign(b"%PDF-1.7\\n%%EOF\\n")), signed(b"%PDF-1.7\\n%%EOF\\n")
(True, False)
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import stat
import struct
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from addin.model.errors import WorkbookError, os_message

TEMP_PREFIX = ".dyxx-"
STALE_SECONDS = 3600  # a temporary without a live owner this old is a killed run's leftover
END = b"PK\x05\x06"
PDF_MARK = b"%dyxx:"
TAG = b"dyxx:"


class Savable(Protocol):
    def save(self, filename: io.BytesIO) -> None: ...


@dataclass
class Run:
    """What one command reads and has decided to write."""

    inputs: list[Path]
    force: bool = False
    claimed: set[str] = field(default_factory=set)

    def claim(self, target: Path, password: str | None = None) -> None:
        key = _key(target)
        if key in self.claimed:
            return
        for source in self.inputs:
            refuse_overwrite(source, target)
        if target.is_dir():
            raise WorkbookError(target, "同名的文件夹已存在，请另选文件名")
        if target.exists() and not self.force and not dyxx_wrote(target, password):
            raise WorkbookError(
                target,
                "文件已存在，且不是 dyxx 写出的（或写出后被改动过）；"
                "为免覆盖你的文件，未写出任何内容。请另选文件名，或确认可以覆盖后加 --force",
            )
        self.claimed.add(key)


_RUN: ContextVar[Run | None] = ContextVar("dyxx_run", default=None)


@contextlib.contextmanager
def run(inputs: Iterable[Path], *, force: bool = False) -> Iterator[Run]:
    """The scope of one command: its inputs and whether it may replace existing files."""
    token = _RUN.set(Run([Path(p) for p in inputs], force))
    try:
        yield _RUN.get()
    finally:
        _RUN.reset(token)


def claim(targets: Iterable[Path], password: str | None = None) -> None:
    """Check every target before anything is written (raises :class:`WorkbookError`).

    ``password`` is the one the outputs will be encrypted with: an encrypted
    earlier output is recognised as dyxx's only when it opens with it.
    """
    current = _RUN.get() or Run([])
    for target in targets:
        current.claim(Path(target), password)


def refuse_overwrite(source: Path, target: Path) -> None:
    """An output may never replace an input, also through a link or another spelling."""
    same = source.resolve() == target.resolve()
    if not same and target.exists() and source.exists():
        same = os.path.samefile(source, target)
    if same:
        raise WorkbookError(target, "输出文件不能与输入的文件相同，请另选文件名")


def save_atomically(workbook: Savable, target: Path, encrypt_with: str | None = None) -> None:
    """Save an openpyxl workbook through :func:`write_atomically`."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    write_atomically(target, buffer.getvalue(), encrypt_with)


def write_atomically(target: Path, data: bytes, encrypt_with: str | None = None) -> None:
    """Write ``data`` to ``target`` through a temporary file renamed into place.

    With ``encrypt_with`` the bytes are encrypted (msoffcrypto-tool, Agile
    encryption as Excel uses) before they ever reach the disk.
    """
    target = Path(target)
    temp, mode = _stage(target, data, encrypt_with)
    try:
        os.replace(temp, target)
        os.chmod(target, mode)  # mkstemp makes 0600: widen to what the inputs allow, no more
    except OSError as exc:
        raise _os_problem(target, exc) from None
    finally:
        temp.unlink(missing_ok=True)


def _current() -> Run:
    return _RUN.get() or Run([])


def _stage(target: Path, data: bytes, encrypt_with: str | None) -> tuple[Path, int]:
    """``data`` signed (and encrypted) in a temporary file beside ``target``, claimed first;
    with the permissions to give the target once the temporary (0600) is renamed."""
    current = _current()
    current.claim(target, encrypt_with)
    data = sign(data)
    if encrypt_with:
        data = encrypt(data, encrypt_with)
    mode = _mode(current.inputs, target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(target.parent)
        handle, name = tempfile.mkstemp(
            prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=".tmp", dir=target.parent
        )
    except OSError as exc:
        raise _os_problem(target, exc) from None
    temp = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise _os_problem(target, exc) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp, mode


class Batch:
    """Files written all or none (:func:`batch`).

    Each file is staged as a temporary beside its target; at the end all are renamed
    into place. If one cannot be, those already placed are taken back and any file they
    replaced is put back, and folders made for them are removed again: a failure leaves
    the disk as it was.
    """

    def __init__(self, encrypt_with: str | None) -> None:
        self.encrypt_with = encrypt_with
        self.staged: list[tuple[Path, int, Path]] = []  # (temporary, mode, target)
        self.made: list[Path] = []  # folders that did not exist, deepest first

    def save(self, workbook: Savable, target: Path) -> None:
        buffer = io.BytesIO()
        workbook.save(buffer)
        self.write(Path(target), buffer.getvalue())

    def write(self, target: Path, data: bytes) -> None:
        missing = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
        self.made.extend(p for p in missing if p not in self.made)
        self.staged.append((*_stage(target, data, self.encrypt_with), target))

    def commit(self) -> None:
        placed: list[tuple[Path, Path | None]] = []  # (target, the file it replaced, set aside)
        target = None
        try:
            for temp, mode, target in self.staged:
                placed.append((target, _set_aside(target)))
                os.replace(temp, target)
                os.chmod(target, mode)
        except BaseException as exc:
            for done, kept in reversed(placed):
                with contextlib.suppress(OSError):
                    if kept is None:
                        done.unlink(missing_ok=True)
                    else:
                        os.replace(kept, done)
            if isinstance(exc, OSError) and target is not None:
                raise _os_problem(target, exc) from None
            raise
        self.staged.clear()
        self.made.clear()
        for _target, kept in placed:
            if kept is not None:
                kept.unlink(missing_ok=True)

    def discard(self) -> None:
        """Remove what was staged and not committed, and the folders made for it."""
        for temp, _mode, _target in self.staged:
            temp.unlink(missing_ok=True)
        for folder in sorted(self.made, key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty


def _set_aside(target: Path) -> Path | None:
    """Move an existing ``target`` to a temporary beside it (None when there is none)."""
    if not target.exists():
        return None
    handle, name = tempfile.mkstemp(
        prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=".old", dir=target.parent
    )
    os.close(handle)
    os.replace(target, name)
    return Path(name)


@contextlib.contextmanager
def batch(encrypt_with: str | None = None) -> Iterator[Batch]:
    """Write several files all or none: ``with batch(secret) as files: files.save(book, path)``.

    Nothing appears until the block ends without an error; then every file is renamed
    into place, or (if one cannot be) none stays. Claim the targets first (:func:`claim`)
    so that a refused name is found before any work is done.
    """
    files = Batch(encrypt_with)
    try:
        yield files
        files.commit()
    finally:
        files.discard()


def _os_problem(target: Path, exc: OSError) -> WorkbookError:
    return WorkbookError(target, f"无法写入：{os_message(exc)}；未写出任何内容")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _mode(inputs: list[Path], target: Path) -> int:
    """The usual permissions, narrowed to the inputs' and an existing output's."""
    mode = 0o666 & ~_umask()
    for path in [*inputs, target]:
        try:
            mode &= stat.S_IMODE(path.stat().st_mode) | 0o600
        except OSError:
            continue
    return mode | 0o600


def _key(path: Path) -> str:
    return os.path.normcase(str(path.resolve()))


def remove_stale(directory: Path) -> list[Path]:
    """Remove temporaries that a killed dyxx run left in ``directory``; the ones removed."""
    removed = []
    for path in directory.glob(f"{TEMP_PREFIX}*"):
        if path.is_file() and _stale(path):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def _stale(path: Path) -> bool:
    owner = path.name[len(TEMP_PREFIX) :].split("-", 1)[0]
    if owner.isdigit() and os.name == "posix":
        return int(owner) != os.getpid() and not running(int(owner))
    return time.time() - path.stat().st_mtime > STALE_SECONDS


def running(pid: int) -> bool:
    """Whether a process ``pid`` exists (on Windows without touching it: os.kill would end it)."""
    if sys.platform == "win32":
        return _windows_running(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _windows_running(pid: int) -> bool:
    import ctypes

    kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return kernel.GetLastError() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        kernel.GetExitCodeProcess(handle, ctypes.byref(code))
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel.CloseHandle(handle)


def encrypt(data: bytes, password: str) -> bytes:
    """Encrypt an .xlsx package with a password (opened by Excel, WPS and LibreOffice)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def sign(data: bytes) -> bytes:
    """``data`` carrying dyxx's signature (zip packages and PDFs; other bytes unchanged)."""
    if data.startswith(b"PK"):
        start = _end_record(data)
        if start is None:
            return data
        body = data[: start + 20]
        comment = TAG + _digest(body[_directory(data, start) :])
        return body + struct.pack("<H", len(comment)) + comment
    if data.startswith(b"%PDF"):
        return data + PDF_MARK + _digest(data) + b"\n"
    return data


def signed(data: bytes) -> bool:
    """Whether ``data`` is exactly what dyxx wrote (see :func:`sign`)."""
    if data.startswith(b"PK"):
        start = _end_record(data)
        if start is None:
            return False
        return data[start + 22 :] == TAG + _digest(data[_directory(data, start) : start + 20])
    if data.startswith(b"%PDF"):
        body, mark, digest = data.rpartition(PDF_MARK)
        return bool(mark) and digest == _digest(body) + b"\n"
    return False


def dyxx_wrote(path: Path, password: str | None = None) -> bool:
    """Whether the file at ``path`` is a dyxx output nobody has changed since."""
    try:
        if not path.is_file():
            return False
        data = path.read_bytes()
    except OSError:
        return False
    if data.startswith(b"\xd0\xcf\x11\xe0") and password:
        data = _decrypted(data, password)
    return signed(data)


def _decrypted(data: bytes, password: str) -> bytes:
    from msoffcrypto import OfficeFile

    out = io.BytesIO()
    try:
        office = OfficeFile(io.BytesIO(data))
        office.load_key(password=password)
        office.decrypt(out)
    except Exception:  # not ours to open: treated as not written by dyxx
        return b""
    return out.getvalue()


def _end_record(data: bytes) -> int | None:
    start = data.rfind(END, max(0, len(data) - 65_557))
    return start if start >= 0 and start + 22 <= len(data) else None


def _directory(data: bytes, end: int) -> int:
    """Where the central directory starts: its entries' CRCs and sizes stand for the whole."""
    start = struct.unpack_from("<L", data, end + 16)[0]
    return start if start < end else 0  # zip64 or damaged: hash everything


def _digest(body: bytes) -> bytes:
    return hashlib.sha256(body).hexdigest()[:32].encode()
