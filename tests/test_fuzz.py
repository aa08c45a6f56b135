"""Fuzzing real fixture workbooks: every run ends in a report or a clean WorkbookError.

Mutations are seeded (reproducible): bytes flipped inside the XML of the zip
members, XML members cut short, and bytes flipped in the file itself. A run must
end within a time bound, with a report or a WorkbookError, never another exception.
"""

from __future__ import annotations

import random
import signal
import zipfile
from pathlib import Path

import pytest

from addin.engine.check import check_files
from addin.model.errors import WorkbookError
from addin.write.marked.annotate import write_annotated
from tests.support.books import good_member, good_org, person_id, write_book

CASES = 80
BOUND = 30  # seconds per run; a run normally takes well under one


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    members = [
        good_member(id_number=person_id("430523", "19680312", f"{n:03d}"), mobile=f"1380739{n:04d}")
        for n in range(1, 40, 2)
    ]
    members[3]["gender"] = "女"
    return write_book(tmp_path_factory.mktemp("fuzz") / "原件.xlsx", members, [good_org()])


def mutate_member(data: dict[str, bytes], rng: random.Random) -> None:
    name = rng.choice([n for n in data if n.endswith((".xml", ".rels"))])
    content = bytearray(data[name])
    if rng.random() < 0.5:
        for _ in range(rng.randint(1, 8)):
            content[rng.randrange(len(content))] = rng.randrange(256)
        data[name] = bytes(content)
    else:
        data[name] = bytes(content[: rng.randrange(len(content))])


def build(original: Path, target: Path, seed: int) -> Path:
    rng = random.Random(seed)
    with zipfile.ZipFile(original) as archive:
        data = {info.filename: archive.read(info) for info in archive.infolist()}
    if seed % 4 == 3:  # flip bytes of the package itself
        raw = bytearray(original.read_bytes())
        for _ in range(rng.randint(1, 20)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        target.write_bytes(bytes(raw))
        return target
    mutate_member(data, rng)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, content in data.items():
            out.writestr(name, content)
    return target


def _timeout(_signum, _frame):
    raise TimeoutError("run exceeded the time bound")


@pytest.mark.parametrize("seed", range(CASES))
def test_mutated_workbook_gives_a_report_or_a_clean_error(original, tmp_path, seed):
    path = build(original, tmp_path / f"变异{seed}.xlsx", seed)
    out = tmp_path / "标注.xlsx"
    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(BOUND)
    try:
        report = check_files([path])
        write_annotated(path, out, report)
    except WorkbookError as exc:
        assert exc.path == str(path) and exc.problem
        assert not out.exists()
    else:
        assert out.exists() and report.rows >= 0
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert not list(tmp_path.glob(".dyxx-*"))  # no temporary file left behind
