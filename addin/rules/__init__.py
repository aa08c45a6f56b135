"""Every rule dyxx checks: importing this package registers them all in
:data:`addin.model.findings.RULES` (the value rules of :mod:`addin.values` and the
table, row, cross-field and submission rules here), so ``dyxx rules`` lists them
and the engine runs them without importing anything for its side effects."""

from addin.model.findings import RULES
from addin.rules import base, controls, crossfield, member, merge, org, submission
from addin.values import cells, codes, divisions, orgcode, ric

__all__ = [
    "RULES",
    "base",
    "cells",
    "codes",
    "controls",
    "crossfield",
    "divisions",
    "member",
    "merge",
    "org",
    "orgcode",
    "ric",
    "submission",
]
