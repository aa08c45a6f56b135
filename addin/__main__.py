"""``python -m addin``: the same as the ``dyxx`` command."""

from addin.launch import run

run()
