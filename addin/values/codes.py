"""Code tables (组织类别, 学历, 工作岗位, 民族 …) and lenient lookup of cell values.

The tables live as CSV files in ``codes/`` (installed as ``addin.codes_data``); each
file starts with ``#`` header lines (标题, 代码表, 来源, 日期) followed by a
``code,name[,parent[,aliases]]`` table. Nothing here hard-codes table contents.

A cell may hold the code, the name, or both:

>>> edu = table("education")
>>> edu.lookup("21 大学").entry
Entry(code='21', name='大学')
>>> edu.lookup("（２１）大学").ok, edu.lookup(21.0).ok, edu.lookup("1a").entry.code
(True, True, '1A')
>>> edu.display(edu.by_code("2b"))
'2B 省（区、市）委党校大学'

Code and name that disagree, and unknown values, are errors; a common way of writing an
entry (``codes/synonyms.csv``) gets the likely entry named, never filled in:

>>> print(edu.lookup("本科").problems[0].message)
学历“本科”无法识别：是否为“21 大学”？请从下拉列表中选择，或参照《学历代码》填写正确的代码或名称

>>> print(edu.lookup("21 大专").problems[0].message)
学历“21 大专”中的代码与名称不一致：代码21对应“大学”；“大专”的代码是22。请核对后改正
>>> print(table("gender").lookup("M").problems[0].message)
性别“M”无法识别：应为“男”或“女”

A number that lost its leading zero still resolves, with a warning:

>>> job = table("job")
>>> found = job.lookup(211)
>>> found.entry.code, found.ok, found.problems[0].code
('0211', True, 'code.leading_zero')
>>> job.lookup(11).entry, job.lookup(11).problems
(Entry(code='11', name='农牧渔业生产人员'), ())

Ethnicity names without 族 resolve with a warning:

>>> print(table("ethnicity").lookup("维吾尔").problems[0].message)
民族“维吾尔”不是标准名称，应写作“维吾尔族”

An apostrophe or an invisible mark around a value is normalised with a warning:

>>> [p.code for p in edu.lookup("'21").problems], edu.lookup("\ufeff21").entry.code
(['text.marks'], '21')

Empty values are the caller's concern (必填 is checked elsewhere):

>>> edu.lookup("　"), edu.lookup(None)
(Lookup(entry=None, problems=()), Lookup(entry=None, problems=()))
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from addin.model.findings import Problem, rule
from addin.values import cells as values

PACKAGE = "addin.codes_data"
# In a source checkout run without installing (or shadowing an installed copy),
# the package mapping does not exist: the tables are then read from ../codes.
CHECKOUT = Path(__file__).resolve().parents[2] / "codes"


def data_dir() -> Traversable:
    """The folder holding the code tables, installed or in a source checkout."""
    try:
        return files(PACKAGE)
    except ModuleNotFoundError:
        return CHECKOUT


KEYS = (
    "org_category",
    "unit_nature",
    "unit_party_org",
    "education",
    "job",
    "ethnicity",
    "gender",
    "member_category",
    "party_status",
    "yes_no",
    "unit_situation",
)
# Tables whose names may be written without a standard suffix (汉 -> 汉族).
_SUFFIXES = {"ethnicity": "族"}
_SHORT_TABLE = 4  # list the allowed values in messages for tables this small

UNKNOWN = rule("code.unknown", "error", "代码无法识别", "{table}“{value}”无法识别：{hint}")
MISMATCH = rule(
    "code.mismatch",
    "error",
    "代码与名称不一致",
    "{table}“{value}”中的代码与名称不一致：{pairing}。请核对后改正",
)
LEADING_ZERO = rule(
    "code.leading_zero",
    "warning",
    "代码开头的0丢失",
    "{table}“{value}”丢失了开头的0，应为“{fix}”（{name}）。"
    "请把该列设置为“文本”格式后重新填写，以保留开头的0",
)
GROUP = rule(
    "code.group",
    "warning",
    "只填了大类代码",
    "{table}“{value}”是大类，请填写其下具体的一项，如{examples}",
)
ETHNICITY_VARIANT = rule(
    "code.ethnicity_variant",
    "warning",
    "民族名称不规范",
    "{table}“{value}”不是标准名称，应写作“{fix}”",
)

_INTEGRAL = re.compile(r"(\d+)\.0+")  # "21.0": an Excel number that arrived as text
_PAIR = re.compile(  # "21 大学", "21-大学", "21、大学", "(21)大学", "21大学"
    r"[(\[【〔]?\s*([0-9A-Za-z]+)(?![0-9A-Za-z])\s*[)\]】〕]?[\s\-_、.:,;/|—–]*(\(?[^\x00-\x7f、—–].*)"
)


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    parent: str = field(default="", compare=False, repr=False)  # parent code, "" at top


@dataclass(frozen=True)
class Lookup:
    """Result of :meth:`CodeTable.lookup`; ``Lookup(None, ())`` means the value was empty."""

    entry: Entry | None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.entry is not None and all(p.severity != "error" for p in self.problems)


def clean(raw: object) -> str:
    """Text of a cell value: NFKC-normalised, stripped, integral floats without ``.0``.

    >>> clean(21.0), clean(" ２１　大学 "), clean("0211"), clean(2.5), clean(None)
    ('21', '21 大学', '0211', '2.5', '')
    """
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = unicodedata.normalize("NFKC", str(raw)).strip().strip("\u200b\ufeff").strip()
    match = _INTEGRAL.fullmatch(text)
    return match.group(1) if match else text


def _name_key(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).casefold()


class CodeTable:
    """One code table: entries in file order plus code and name indices."""

    def __init__(self, key: str, meta: dict[str, str], rows: list[dict[str, str]]) -> None:
        self.key = key
        self.title = meta.get("标题", key)
        self.source = meta.get("来源", "")
        self.date = meta.get("日期", "")
        self.reference = meta.get("代码表", f"《{self.title}代码》")
        self.entries = tuple(Entry(r["code"], r["name"], r.get("parent") or "") for r in rows)
        self._codes = _unique({e.code.upper(): e for e in self.entries}, self.entries, key)
        names = [(_name_key(e.name), e) for e in self.entries]
        names += [
            (_name_key(alias), self._codes[r["code"].upper()])
            for r in rows
            for alias in (r.get("aliases") or "").split(";")
            if alias.strip()
        ]
        self._names = _unique(dict(names), names, key)
        self._width = max(len(e.code) for e in self.entries)
        self._children: dict[str, list[Entry]] = {}
        for entry in self.entries:
            if entry.parent:
                self._children.setdefault(entry.parent, []).append(entry)

    def __repr__(self) -> str:
        return f"<CodeTable {self.key} {self.title}: {len(self.entries)} entries>"

    def by_code(self, code: str) -> Entry | None:
        """The entry with exactly this code (letters case-insensitive), no padding."""
        return self._codes.get(clean(code).upper())

    def display(self, entry: Entry) -> str:
        return entry.name if entry.code == entry.name else f"{entry.code} {entry.name}"

    def lookup(self, raw: object) -> Lookup:
        """Resolve a cell value (code, name, or both); empty values give ``Lookup(None, ())``.

        A BOM, zero-width characters or apostrophes around it are normalised with a warning.
        """
        marked = values.without_marks(raw)
        if marked is not None:
            found = self.lookup(marked[0])
            if not found.ok:
                return found
            shown = values.as_seen(str(raw))
            problem = values.TEXT_MARKS.problem(value=shown, what=marked[1], fix=marked[0])
            return Lookup(found.entry, (problem, *found.problems))
        text = clean(raw)
        if not text:
            return Lookup(None)
        found = self._code(text, text) or self._name(text, text) or self._pair(text)
        if found:
            return self._group_warning(found, text)
        hint = self._suggestion(text) + self._hint()
        return Lookup(None, (UNKNOWN.problem(table=self.title, value=text, hint=hint),))

    def _suggestion(self, text: str) -> str:
        """Words "是否为…？" when ``text`` is a common way of writing an entry (codes/synonyms.csv):
        only words in the message, the cell is never changed."""
        likely = synonyms(self.key).get(_name_key(text))
        if not likely:
            return ""
        return "是否为" + "或".join(f"“{self.display(e)}”" for e in likely) + "？"

    def _group_warning(self, found: Lookup, value: str) -> Lookup:
        """A group heading (组织类别 6, 学历 2) is known but not specific enough."""
        children = self._children.get(found.entry.code) if found.entry else None
        if not children:
            return found
        examples = "、".join(f"“{self.display(e)}”" for e in children[:3])
        problem = GROUP.problem(table=self.title, value=value, examples=examples)
        return Lookup(found.entry, (*found.problems, problem))

    def _code(self, code: str, value: str) -> Lookup | None:
        entry = self._codes.get(code.upper())
        if entry:
            return Lookup(entry)
        entry = self._unpadded(code)
        if entry is None:
            return None
        problem = LEADING_ZERO.problem(
            table=self.title, value=value, fix=entry.code, name=entry.name
        )
        return Lookup(entry, (problem,))

    def _unpadded(self, code: str) -> Entry | None:
        """The one entry that ``code`` becomes when its lost leading zeros are restored."""
        if not (code.isascii() and code.isdigit()):
            return None
        padded = ("0" * n + code for n in range(1, self._width - len(code) + 1))
        matches = [self._codes[c] for c in padded if c in self._codes]
        return matches[0] if len(matches) == 1 else None

    def _name(self, name: str, value: str) -> Lookup | None:
        key = _name_key(name)
        entry = self._names.get(key)
        if entry:
            return Lookup(entry)
        suffix = _SUFFIXES.get(self.key)
        entry = self._names.get(key + suffix) if suffix and key else None
        if entry is None:
            return None
        problem = ETHNICITY_VARIANT.problem(table=self.title, value=value, fix=entry.name)
        return Lookup(entry, (problem,))

    def _pair(self, text: str) -> Lookup | None:
        match = _PAIR.fullmatch(text)
        if not match:
            return None
        code, name = match.group(1), match.group(2).strip()
        by_code, by_name = self._code(code, text), self._name(name, text)
        if by_code is None and by_name is None:
            return None
        if by_code and by_name and by_code.entry == by_name.entry:
            return Lookup(by_code.entry, by_code.problems + by_name.problems)
        pairing = "；".join(
            (
                f"代码{by_code.entry.code}对应“{by_code.entry.name}”"
                if by_code and by_code.entry
                else f"没有代码{code}",
                f"“{name}”的代码是{by_name.entry.code}"
                if by_name and by_name.entry
                else f"没有“{name}”这一项",
            )
        )
        return Lookup(None, (MISMATCH.problem(table=self.title, value=text, pairing=pairing),))

    def _hint(self) -> str:
        if len(self.entries) <= _SHORT_TABLE:
            names = [f"“{e.name}”" for e in self.entries]
            return "应为" + "、".join(names[:-1]) + "或" + names[-1]
        return f"请从下拉列表中选择，或参照{self.reference}填写正确的代码或名称"


def _unique(index: dict[str, Entry], items: tuple | list, key: str) -> dict[str, Entry]:
    if len(index) != len(items):
        raise ValueError(f"code table {key}: duplicate codes or names")
    return index


def read_csv(file_name: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """A data file of ``codes/``: its ``#`` header lines as ``{key: value}`` (split at the
    first ``：``) and its rows."""
    lines = data_dir().joinpath(file_name).read_text(encoding="utf-8").splitlines()
    meta: dict[str, str] = {}
    for line in lines:
        if line.startswith("#"):
            name, sep, value = line.lstrip("# ").partition("：")
            if sep:
                meta.setdefault(name.strip(), value.strip())
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    return meta, rows


@cache
def table(key: str) -> CodeTable:
    """The code table ``key`` (one of :data:`KEYS`), loaded on first use."""
    if key not in KEYS:
        raise KeyError(f"unknown code table {key!r}; known: {', '.join(KEYS)}")
    meta, rows = read_csv(f"{key}.csv")
    return CodeTable(key, meta, rows)


@cache
def synonyms(key: str) -> dict[str, tuple[Entry, ...]]:
    """Common ways of writing the entries of code table ``key`` (``codes/synonyms.csv``),
    each with the entries it likely means, most likely first.

    >>> [e.code for e in synonyms("education")["研究生"]], synonyms("job")["退休"]
    (['12', '11'], (Entry(code='502', name='退休人员'),))
    """
    _meta, rows = read_csv("synonyms.csv")
    found: dict[str, list[Entry]] = {}
    for row in rows:
        if row["table"] != key:
            continue
        entry = table(key).by_code(row["code"])
        if entry is None or entry.name != row["name"]:
            raise ValueError(f"synonyms.csv: {row['code']} {row['name']} is not in {key}")
        for written in filter(None, map(str.strip, row["written"].split(";"))):
            found.setdefault(_name_key(written), []).append(entry)
    return {written: tuple(entries) for written, entries in found.items()}


@cache
def _versions() -> tuple[tuple[str, str], ...]:
    paths = sorted((p for p in data_dir().iterdir() if p.name.endswith(".csv")), key=str)
    return tuple((p.name, hashlib.sha256(p.read_bytes()).hexdigest()[:12]) for p in paths)


def versions() -> dict[str, str]:
    """File name -> first 12 hex digits of the SHA-256 of every code file (for 校验记录)."""
    return dict(_versions())
