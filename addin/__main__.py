"""``python -m addin``: the same as the ``dyxx`` command."""

from addin.cli.main import run

run()
