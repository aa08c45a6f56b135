"""The console script's first step: start reading the workbook, then import the rest.

``dyxx check FILE`` spends a tenth of a second importing Python modules before it
looks at FILE. Decompressing the biggest sheet of FILE takes about as long and
zlib does it without holding the interpreter lock, so a thread starts on it
first (:func:`addin.xlsx.source.start_prefetch`, with the same size guards as any read).
Whatever it finds is used only if the file reads the same when it is loaded for
real; if anything goes wrong, nothing is kept and the check reads as usual.
"""

from __future__ import annotations

import sys


def run() -> None:
    first = _first_file(sys.argv[1:])
    if first is not None:
        from addin.xlsx import source

        source.start_prefetch(first)
    from addin.cli.main import run as run_cli

    run_cli()


def _first_file(args: list[str]) -> str | None:
    """The first workbook named after ``check`` (options and their values skipped)."""
    if not args or args[0] != "check":
        return None
    valued = {"-o", "--output", "--password", "--limit", "--today"}
    skip = False
    for arg in args[1:]:
        if skip:
            skip = False
        elif arg in valued:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


if __name__ == "__main__":
    run()
