"""Workbooks to PDF with LibreOffice: found where it is installed, run privately, in parallel.

LibreOffice runs with a fresh profile in a private temporary folder (mode 0700, removed
afterwards), stdin closed, nothing listening, a time limit, and only fixed options and
absolute paths on its command line (:func:`soffice_command`), so no name from the data can
be read as an option. A few processes share the files (one profile each), so a county's
forms use both cores.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from addin.write import outputs

TIMEOUT = 120  # seconds for starting LibreOffice, plus PER_WORKBOOK for each of its files
PER_WORKBOOK = 20
POOL = 2  # processes at most: the officers' PCs have two cores or more
POLL = 0.2  # seconds between looks at the finished PDFs (progress, time limit)
OPTIONS = (
    "--headless",
    "--invisible",
    "--nologo",
    "--nodefault",
    "--norestore",
    "--nolockcheck",
    "--convert-to",
    "pdf",
)


def installed(
    platform: str = sys.platform, env: Mapping[str, str] = os.environ, home: Path | None = None
) -> list[Path]:
    """Where LibreOffice's installer puts soffice, beyond PATH (Windows, macOS).

    >>> [p.as_posix() for p in installed("darwin", {}, Path("/Users/li"))]
    ['/Applications/LibreOffice.app/Contents/MacOS/soffice', \
'/Users/li/Applications/LibreOffice.app/Contents/MacOS/soffice']
    """
    if platform == "win32":
        roots = [env.get(v) for v in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)")]
        roots = [r for r in dict.fromkeys(roots) if r] or [r"C:\Program Files"]
        # soffice.com waits for the conversion; soffice.exe may return at once
        names = ("soffice.com", "soffice.exe")
        return [Path(root, "LibreOffice", "program", name) for root in roots for name in names]
    if platform == "darwin":
        app = Path("LibreOffice.app", "Contents", "MacOS", "soffice")
        return [Path("/Applications") / app, (home or Path.home()) / "Applications" / app]
    return []


def soffice(candidates: list[Path] | None = None) -> str | None:
    """LibreOffice's soffice: on PATH, else where its installer puts it; None if absent."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    for path in installed() if candidates is None else candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return None


def soffice_command(program: str, profile: Path, outdir: Path, files: list[Path]) -> list[str]:
    """The LibreOffice command line converting ``files`` to PDF into ``outdir``.

    Options are fixed here; everything else is a path, and a path that could be
    read as an option (or as a URL such as ``macro:``) is refused, whatever
    the data it was built from: only absolute paths, which start with ``/`` or
    a drive letter, never with ``-``. The profile is private and nothing listens.
    """
    paths = [outdir, *files]
    for path in paths:
        if not path.is_absolute() or str(path).startswith("-"):
            raise ValueError(f"not an absolute path: {path!r}")
    return [
        program,
        f"-env:UserInstallation={profile.as_uri()}",
        *OPTIONS,
        "--outdir",
        str(outdir),
        *map(str, files),
    ]


def shares(files: list[Path], weights: list[int], count: int) -> list[list[Path]]:
    """``files`` dealt to ``count`` processes, heaviest first, each to the lightest share.

    >>> shares([Path("a"), Path("b"), Path("c")], [5, 3, 3], 2)
    [[PosixPath('a')], [PosixPath('b'), PosixPath('c')]]
    """
    dealt: list[tuple[int, list[Path]]] = [(0, []) for _ in range(max(1, count))]
    for weight, file in sorted(zip(weights, files, strict=True), key=lambda p: -p[0]):
        load, share = min(dealt, key=lambda d: d[0])
        dealt[dealt.index((load, share))] = (load + weight, [*share, file])
    return [share for _load, share in dealt if share]


@contextlib.contextmanager
def private_folder(prefix: str = "dyxx-lo-") -> Iterator[Path]:
    """A temporary folder only the user can open, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix, ignore_cleanup_errors=True) as folder:
        root = Path(folder).resolve()
        root.chmod(0o700)
        yield root


class Conversion:
    """LibreOffice processes converting workbooks to PDF in a private folder.

    ``with Conversion(program) as job``: write the workbooks into ``job.folder``
    (:meth:`add` names them), :meth:`start`, do other work meanwhile, then
    :meth:`wait`. Leaving the block stops what still runs and removes the folder.
    """

    def __init__(self, program: str) -> None:
        self.program = program
        self.books: list[tuple[Path, int]] = []
        self.started: list[subprocess.Popen] = []
        self.timeout = float(TIMEOUT)
        self._folder = private_folder()

    def __enter__(self) -> Conversion:
        self.root = self._folder.__enter__()
        self.folder = self.root / "books"
        self.staging = self.root / "pdf"
        for folder in (self.folder, self.staging):
            folder.mkdir(mode=0o700)
        return self

    def __exit__(self, *exc: object) -> None:
        posix = os.name == "posix"
        for process in self.started:
            _stop(process, posix)
        self._folder.__exit__(None, None, None)

    def add(self, book: Path, weight: int = 1) -> Path:
        """Convert ``book`` (written by the time its share is launched); its PDF's path."""
        self.books.append((book.resolve(), weight))
        return self.staging / f"{book.stem}.pdf"

    def shares(self) -> list[list[Path]]:
        """The books dealt to the processes (:data:`POOL` at most), balanced by weight."""
        books = [book for book, _weight in self.books]
        weights = [weight for _book, weight in self.books]
        return shares(books, weights, min(POOL, os.cpu_count() or 1, len(books)))

    def launch(self, share: list[Path]) -> None:
        """Start one process converting ``share`` (written already)."""
        env = {"XDG_RUNTIME_DIR": str(self.root), **os.environ}  # else dconf writes to ~/.cache
        profile = self.root / f"profile{len(self.started)}"
        command = soffice_command(self.program, profile, self.staging, share)
        self.started.append(_start(command, env, os.name == "posix"))
        self.timeout = max(self.timeout, TIMEOUT + PER_WORKBOOK * len(share))
        self.deadline = time.monotonic() + self.timeout

    def start(self) -> None:
        for share in self.shares():
            self.launch(share)

    def wait(self, progress: Callable[[int], None] | None = None) -> list[Path]:
        """Wait for every PDF (told to ``progress(n)``); their staged paths, in order.

        Raises :class:`RuntimeError` (Chinese) when LibreOffice fails or takes too long.
        """
        while any(process.poll() is None for process in self.started):
            if progress:
                progress(len(list(self.staging.glob("*.pdf"))))
            if time.monotonic() > self.deadline:
                raise RuntimeError(f"LibreOffice 在 {self.timeout:g} 秒内未完成转换")
            time.sleep(POLL)
        made = [self.staging / f"{book.stem}.pdf" for book, _weight in self.books]
        for pdf in made:
            if not pdf.is_file():
                raise RuntimeError(f"LibreOffice 没有生成“{pdf.name}”")
        if progress:
            progress(len(made))
        return made


def to_pdf(
    workbooks: list[Path],
    directory: Path,
    program: str,
    *,
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    """Convert the workbooks to PDF, named after them, in ``directory``; the PDFs made.

    Every PDF is written through :func:`addin.write.outputs.batch` (all or none).
    Raises :class:`RuntimeError` (with a Chinese message) when LibreOffice fails,
    :class:`WorkbookError` when a PDF cannot be written.
    """
    targets = [directory.resolve() / f"{path.stem}.pdf" for path in workbooks]
    outputs.claim(targets)
    with Conversion(program) as job:
        for book in workbooks:
            job.add(book)
        job.start()
        save_pdfs(job.wait(progress), targets)
    return targets


def save_pdfs(made: list[Path], targets: list[Path]) -> None:
    with outputs.batch() as files:
        for pdf, target in zip(made, targets, strict=True):
            files.write(target, pdf.read_bytes())


def _start(command: list[str], env: dict[str, str], posix: bool) -> subprocess.Popen:
    try:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=posix,  # its own process group, to stop all of it
        )
    except OSError as exc:
        raise RuntimeError(f"无法启动 LibreOffice（{exc.strerror or exc}）") from None


def _stop(process: subprocess.Popen, posix: bool) -> None:
    if process.poll() is None:  # still ours: its group cannot have been reused
        with contextlib.suppress(ProcessLookupError):
            if posix:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
    process.wait()
