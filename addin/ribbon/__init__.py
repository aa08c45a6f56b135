"""The Excel add-in dyxx.xlam: its ribbon, its 校验 action, its build and installation.

An adapter only: every decision is made by the engine (:mod:`addin.excel`);
:mod:`addin.ribbon.action` reads and writes through xlwings' Book/Sheet/Range
API, :mod:`addin.ribbon.build` assembles the .xlam from xlwings' template.
"""
