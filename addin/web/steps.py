"""The steps the app offers, one page each: a registry, so a new command gets its page by
registering a :class:`Step` (``register(Step(...))``) with the function that runs it.

A step's ``run`` receives the job (to report progress and offer downloads) and the
:class:`Given` inputs: uploaded files saved in the job's private folder, options as
the page sent them, and the password typed for encrypted workbooks. A step without
``run`` is shown as coming (its command is not there yet).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from addin.web.jobs import Job
from addin.xlsx.source import is_encrypted

WORKBOOKS = ".xlsx,.xlsm,.xls"
TRUE = ("1", "on", "true", "yes")


@dataclass(frozen=True)
class Input:
    """A file field of the step's form (``many``: one or more workbooks)."""

    name: str
    label: str
    many: bool = False
    accept: str = WORKBOOKS


@dataclass(frozen=True)
class Option:
    """A switch or value of the step's form, as its command's option."""

    name: str
    label: str
    kind: Literal["checkbox", "number", "text", "date"] = "checkbox"
    default: str = ""
    help: str = ""
    step: str = "any"  # for numbers


@dataclass
class Given:
    """What the officer handed to one job."""

    files: dict[str, list[Path]]
    options: dict[str, str]
    password: str | None
    out: Path  # the job's private output folder

    def flag(self, name: str) -> bool:
        return self.options.get(name, "").strip().lower() in TRUE

    def text(self, name: str) -> str:
        return self.options.get(name, "").strip()

    def all_files(self) -> list[Path]:
        return [path for paths in self.files.values() for path in paths]

    def passwords(self, paths: list[Path] | None = None) -> dict[Path, str]:
        """The typed password for every encrypted input (as ``--password`` gives it)."""
        if not self.password:
            return {}
        return {p: self.password for p in paths or self.all_files() if is_encrypted(p)}

    def secret(self) -> str | None:
        """Outputs of an encrypted input are encrypted with its password, as on the command line."""
        return self.password if self.passwords() else None


Run = Callable[[Job, Given], None]


@dataclass(frozen=True)
class Step:
    key: str  # the page's address: /step/<key>
    title: str  # 校验, 汇总 …
    command: str  # the matching command, e.g. "dyxx check"
    summary: str  # one line under the title
    inputs: tuple[Input, ...] = ()
    options: tuple[Option, ...] = ()
    run: Run | None = None  # None: the command is coming; the page says so
    for_committee: bool = True
    notes: tuple[str, ...] = field(default_factory=tuple)


STEPS: dict[str, Step] = {}


def register(step: Step) -> Step:
    """Add a step, or replace one that was coming; pages follow the order of registration."""
    STEPS[step.key] = step
    return step


MASK = Option("mask", "屏蔽身份证号和电话号码的中间几位（报告外发时使用，同 --mask）")
