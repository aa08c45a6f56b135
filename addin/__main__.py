"""``python -m addin``: the same as the ``dyxx`` command."""

from addin.cli.launch import run

run()
