"""The ``dyxx`` command line (headless, for batch work and CI)."""

from __future__ import annotations

import addin.commands.check  # noqa: F401  (registers check, rules)
from addin.commands import app

__all__ = ["app", "main"]


def main() -> None:
    app(prog_name="dyxx")


if __name__ == "__main__":
    main()
