"""The one way tests run ``dyxx``: in this process by default, a child process where it matters.

:func:`dyxx` goes through :func:`addin.cli.main.main`, what the console script runs, and maps
its exit as the console script does, so the exit code, stdout and stderr are the ones a user
gets; it costs about 20 ms against 220 ms for a child process. :func:`dyxx_process` runs the
console script itself, for what only a process shows: its exit code as the shell sees it,
a network namespace, a memory limit, a hang ended by a timeout, a whole workflow.

>>> ran = dyxx("rules")
>>> ran.returncode, "id.checksum" in ran.stdout
(0, True)
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from click.exceptions import Abort, ClickException, Exit
from typer.testing import CliRunner

from addin.cli import main as cli
from addin.cli.app import app

# Wide enough that rich never wraps a line the tests look for.
COLUMNS = "300"
TIMEOUT = 120  # seconds: a bound for a hang; every child run normally ends well within 5 s


@dataclass(frozen=True)
class Ran:
    """What a run of ``dyxx`` left: its exit code and what it printed on each stream."""

    returncode: int
    stdout: str
    stderr: str
    exception: BaseException | None = None  # what main() reported as an internal error

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __str__(self) -> str:  # the assertion message when a check on the run fails
        cause = f"\n{self.exception!r}" if self.exception else ""
        return f"exit {self.returncode}\n{self.output}{cause}"


def dyxx(
    *args: object,
    cwd: Path | None = None,
    env: Mapping[str, str | None] | None = None,
    input: str | bytes | None = None,
) -> Ran:
    """Run ``dyxx ARGS`` in this process; ``env`` adds to (None: removes from) the environment."""
    runner = CliRunner()
    environment = {"COLUMNS": COLUMNS, **(env or {})}
    with (
        runner.isolation(input=input, env=environment) as (stdout, stderr, _mixed),
        _argv(["dyxx", *map(str, args)]),
        contextlib.chdir(cwd or Path.cwd()),
    ):
        code, exception = _main()
        sys.stdout.flush()
        sys.stderr.flush()
        printed = stdout.getvalue().decode(runner.charset)
        errors = stderr.getvalue().decode(runner.charset, "backslashreplace")
    return Ran(code, printed, errors, exception)


def dyxx_ok(*args: object, **options) -> Ran:
    """:func:`dyxx` that must end normally: exit 0, or 1 for findings or changes."""
    ran = dyxx(*args, **options)
    assert ran.returncode in (0, 1), ran
    return ran


def _main() -> tuple[int, BaseException | None]:
    """:func:`addin.cli.main.main`, its exit mapped as :func:`addin.cli.main.run` maps it."""
    try:
        cli.main()
    except SystemExit as exc:
        cause = exc.__context__
        if isinstance(cause, Abort | ClickException | Exit):
            cause = None  # click's own way out, not an error main() caught
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0, cause
        print(exc.code, file=sys.stderr)
        return 1, cause
    except KeyboardInterrupt:
        return 130, None
    return 0, None


@contextlib.contextmanager
def _argv(argv: list[str]) -> Iterator[None]:
    saved = sys.argv
    sys.argv = argv
    try:
        yield
    finally:
        sys.argv = saved


def console_script() -> list[str]:
    """The ``dyxx`` console script as a command (``python -m addin`` runs the same function)."""
    return [sys.executable, "-m", "addin"]


def dyxx_process(
    *args: object,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    timeout: float = TIMEOUT,
    memory: int | None = None,
    prefix: Sequence[str] = (),
) -> Ran:
    """Run the console script in a child process (``memory``: its data limit in bytes)."""

    def limited() -> None:
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))

    done = subprocess.run(
        [*prefix, *console_script(), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "COLUMNS": COLUMNS, **(env or {})},
        input=input,
        stdin=subprocess.DEVNULL if input is None else None,
        timeout=timeout,
        preexec_fn=limited if memory is not None else None,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def registered_commands() -> set[str]:
    """Every command of the app, sub-app commands as "group command"."""
    names = {c.name or c.callback.__name__ for c in app.registered_commands}
    for group in app.registered_groups:
        for command in group.typer_instance.registered_commands:
            names.add(f"{group.name} {command.name or command.callback.__name__}")
    return names


def reading_commands(bad: Path, out: Path) -> dict[str, list[str]]:
    """Each command that reads a user's workbook, on the file ``bad`` (add new ones here)."""
    return {
        "check": ["check", str(bad)],
        "check -o": ["check", str(bad), "-o", str(out)],
        "prepare": ["prepare", str(bad), "-o", str(out)],
        "merge": ["merge", str(bad), "-o", str(out)],
        "sample": ["sample", str(bad), "-o", str(out)],
        "diff (old)": ["diff", str(bad), str(bad), "-o", str(out)],
        "forms": ["forms", str(bad), "-o", str(out)],
        "verify": ["verify", str(bad)],
        "clean": ["clean", str(bad), "-o", str(out)],
    }


def assert_refused(result: Ran, *words: str) -> None:
    """A bad input: exit 2, the ``words`` said, no traceback."""
    assert result.returncode == 2, result
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output
