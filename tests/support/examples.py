"""How many examples hypothesis tries: all of them in the full run, a quarter in the quick one.

The quick run (``pytest -m "not office and not e2e"``, README 给开发者) loads the ``quick``
profile (tests/conftest.py); a test that sets its own number asks :func:`examples` for it,
so the full run keeps that number.
"""

from __future__ import annotations

from hypothesis import settings

DEFAULT = 100  # hypothesis' own max_examples
QUICK = "quick"
settings.register_profile(QUICK, max_examples=DEFAULT // 4)


def examples(full: int) -> int:
    """``full`` under the default profile; as many fewer as the loaded profile has."""
    return max(1, full * settings.default.max_examples // DEFAULT)
