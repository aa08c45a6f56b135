"""The ``dyxx`` command line (headless, for batch work and CI)."""

from __future__ import annotations

import os
import signal
import sys

# Each module registers its commands on the app when imported.
import addin.cli.addin
import addin.cli.check
import addin.cli.fix
import addin.cli.serve
import addin.cli.split
import addin.cli.template
import addin.cli.workflow  # noqa: F401
from addin.cli.app import app
from addin.model.errors import debugging, internal_error

__all__ = ["app", "main", "run"]


def main() -> None:
    """Run a command; an unexpected error is reported without any cell values.

    A Python traceback can quote the data being processed (ID numbers, names),
    so only the error type and where it happened are shown, unless DYXX_DEBUG=1.
    """
    try:
        app(prog_name="dyxx")
    except Exception as exc:  # the last line of defence; WorkbookError is handled per command
        if debugging():
            raise
        print(internal_error(exc), file=sys.stderr)
        sys.exit(2)


def run() -> None:
    """The console script: :func:`main`, then exit without freeing every object.

    A 100,000-row check leaves millions of values alive; the interpreter would
    free them one by one on the way out. Output is flushed first.
    """
    for signum in (signal.SIGINT, signal.SIGTERM):  # unwind, so no half-written temporary stays
        signal.signal(signum, _interrupted)
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc.code)
    except KeyboardInterrupt:
        code = 130
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more to say
            pass
    os._exit(code)


def _interrupted(signum: int, _frame: object) -> None:
    print("已中断：未完成的输出文件没有写出。", file=sys.stderr, flush=True)
    raise KeyboardInterrupt


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    run()
