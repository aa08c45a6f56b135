"""Fixtures: real official-layout workbooks written with openpyxl, read back by dyxx.

What test modules share besides fixtures is in tests/support. Markers (pyproject.toml):
a test using the ``office`` fixture is marked ``office`` here; others say theirs.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from addin.engine.check import check_files
from tests.support.books import TODAY, write_book
from tests.support.examples import QUICK


def pytest_configure(config):
    """The quick run (it deselects e2e) tries fewer hypothesis examples (support/examples.py)."""
    quick = "not e2e" in (config.option.markexpr or "")
    if quick and not config.getoption("hypothesis_profile"):
        settings.load_profile(QUICK)


def pytest_collection_modifyitems(items):
    for item in items:
        if "office" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.office)


@pytest.fixture
def book(tmp_path):
    """write a workbook and return its path: book(members=[...], orgs=[...])."""
    counter = iter(range(1000))

    def make(members=None, orgs=None, name=None):
        target = tmp_path / (name or f"book{next(counter)}.xlsx")
        return write_book(target, members, orgs)

    return make


@pytest.fixture
def check(book):
    """check(members=[...], orgs=[...]) -> report of that one workbook, as of TODAY."""

    def run(members=None, orgs=None):
        return check_files([book(members, orgs)], today=TODAY)

    return run


@pytest.fixture(scope="session")
def office():
    """One headless LibreOffice for the whole test session (see tests/support/uno_bridge.py).

    Locally it may be missing (the test is skipped); under CI it is a failure.
    """
    from tests.support import uno_bridge

    reason = uno_bridge.missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"LibreOffice is required under CI: {reason}")
        pytest.skip(reason)
    office = uno_bridge.Office()
    yield office
    office.close()
