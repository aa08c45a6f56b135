"""Excel worksheet functions (xlwings UDFs): DYID, DYBIRTH, DYSEX, DYAGE, DYDATE, DYCODE, DYROW.

This module is what the add-in's config sheet names under ``UDF Modules``
(``addin.udfs``): xlwings imports it and generates a VBA wrapper for every
decorated function. The functions live undecorated in
:mod:`addin.udfs.functions`; :func:`decorated` applies a set of xlwings
decorators to fresh copies, so the desktop decorators (below) and, in the
tests, the server/custom-functions decorators describe the very same functions.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import xlwings as xw

from addin.udfs.functions import ARGUMENTS, CATEGORY, FUNCTIONS, RANGES

__all__ = ["DYAGE", "DYBIRTH", "DYCODE", "DYDATE", "DYID", "DYROW", "DYSEX", "decorated"]


def decorated(func: Callable[..., Any], arg: Callable[..., Any]) -> dict[str, Callable[..., Any]]:
    """Name -> a decorated copy of every worksheet function.

    ``func`` and ``arg`` are xlwings' ``func``/``arg`` decorators (desktop
    ``xw.func``/``xw.arg``, or ``xlwings.server.func``/``arg``). Copies keep the
    decorations of one set from leaking into another (both store ``__xlfunc__``
    on the function object).
    """
    result: dict[str, Callable[..., Any]] = {}
    for plain in FUNCTIONS:
        name = plain.__name__
        function = _copy(plain)
        for argument, doc in ARGUMENTS[name].items():
            options: dict[str, Any] = {"doc": doc}
            if argument in RANGES.get(name, ()):
                options["ndim"] = 2
            function = arg(argument, **options)(function)
        result[name] = func(category=CATEGORY)(function)
    return result


def _copy(plain: Callable[..., Any]) -> Callable[..., Any]:
    code = plain.__code__  # type: ignore[attr-defined]
    copy = types.FunctionType(
        code,
        plain.__globals__,  # type: ignore[attr-defined]
        plain.__name__,
        plain.__defaults__,  # type: ignore[attr-defined]
        plain.__closure__,  # type: ignore[attr-defined]
    )
    copy.__doc__ = plain.__doc__
    copy.__annotations__ = dict(plain.__annotations__)
    copy.__module__ = __name__
    copy.__qualname__ = plain.__qualname__
    return copy


_DESKTOP = decorated(xw.func, xw.arg)
DYID = _DESKTOP["DYID"]
DYBIRTH = _DESKTOP["DYBIRTH"]
DYSEX = _DESKTOP["DYSEX"]
DYAGE = _DESKTOP["DYAGE"]
DYDATE = _DESKTOP["DYDATE"]
DYCODE = _DESKTOP["DYCODE"]
DYROW = _DESKTOP["DYROW"]
