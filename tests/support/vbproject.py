"""Stand-ins for the parts of Excel's VBA object model that ``dyxx addin install`` uses.

There is no Excel on Linux. These keep a project's modules as lines of text and answer the
few members install calls, as VBA's ``VBProject``/``VBComponents``/``CodeModule`` do:
``CountOfLines``, ``Lines(start, count)`` (lines joined by CRLF), ``ReplaceLine``;
``VBComponents(name)``, ``Import(path)`` (named by the file's ``Attribute VB_Name``),
``Remove(component)`` and ``Count``.
"""

from __future__ import annotations

import re
from pathlib import Path


class CodeModuleStandIn:
    """A module's code: CountOfLines, Lines(start, count), ReplaceLine(line, text)."""

    def __init__(self, lines: list[str], takes_changes: bool = True):
        self.lines = list(lines)
        self.takes_changes = takes_changes  # False: a module that silently keeps its text
        self.replaced: list[int] = []

    @property
    def CountOfLines(self) -> int:
        return len(self.lines)

    def Lines(self, start: int, count: int) -> str:
        return "\r\n".join(self.lines[start - 1 : start - 1 + count])

    def ReplaceLine(self, line: int, text: str) -> None:
        assert "\r" not in text and "\n" not in text
        self.replaced.append(line)
        if self.takes_changes:
            self.lines[line - 1] = text


class ComponentStandIn:
    def __init__(self, name: str, lines: list[str]):
        self.Name = name
        self.CodeModule = CodeModuleStandIn(lines)


class ComponentsStandIn:
    """VBComponents: call with a name to get one (KeyError stands for VBA's error 9)."""

    def __init__(self, modules: dict[str, list[str]]):
        self.items = {name: ComponentStandIn(name, lines) for name, lines in modules.items()}
        self.imported: list[Path] = []

    def __call__(self, name: str) -> ComponentStandIn:
        return self.items[name]

    @property
    def Count(self) -> int:
        return len(self.items)

    def Import(self, path: str) -> ComponentStandIn:
        text = Path(path).read_text("utf-8")
        name = re.search(r'^Attribute VB_Name = "(\w+)"', text, re.MULTILINE).group(1)
        lines = [line for line in text.splitlines() if not line.startswith("Attribute VB_")]
        self.items[name] = ComponentStandIn(name, lines)  # VBA would name a clash "Name1"
        self.imported.append(Path(path))
        return self.items[name]

    def Remove(self, component: ComponentStandIn) -> None:
        del self.items[component.Name]


class VBProjectStandIn:
    def __init__(self, modules: dict[str, list[str]]):
        self.VBComponents = ComponentsStandIn(modules)
