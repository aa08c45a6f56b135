"""The module the 校验 button imports: ``dyxx.xlam`` runs ``import dyxx; dyxx.main()``."""

from addin.ribbon.action import main

__all__ = ["main"]
