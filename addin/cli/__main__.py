"""``python -m addin.cli``: the same as the ``dyxx`` console script."""

from addin.cli.main import run

run()
