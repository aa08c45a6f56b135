"""The ``dyxx`` command line.

:mod:`~addin.cli.app` holds the Typer app and the helpers every command shares; one
module per command group registers its commands; :mod:`~addin.cli.main` starts it.
"""
