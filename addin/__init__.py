"""dyxx — 党组织和党员基本信息采集（附件1–4）的校验引擎。

The engine (this package, minus ``udfs`` and ``ribbon``) never imports xlwings.
"""

__version__ = "0.1.0"
