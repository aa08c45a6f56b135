"""Every rule is registered by importing ``addin.rules``, and the engine runs the merge.*
rules whenever several files are checked as one submission."""

from __future__ import annotations

import doctest
import json
import os
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import addin.cli.main  # registers every command
import addin.model.findings
from addin.cli.app import app
from addin.engine.check import check_files
from addin.rules import RULES
from addin.workflow.merge import merge_files
from tests.support.books import TODAY, good_member, good_org

# In a fresh interpreter: the codes importing addin.rules registers, then those of every
# module of the package (the registry is global, so only a new process shows what one
# import does).
EVERY_MODULE = """
import importlib, json, pkgutil
import addin, addin.rules
from addin.model.findings import RULES
first = sorted(RULES)
for module in pkgutil.walk_packages(addin.__path__, "addin."):
    if not module.name.endswith("__main__"):
        importlib.import_module(module.name)
print(json.dumps([first, sorted(RULES)]))
"""


def test_importing_addin_rules_registers_every_rule():
    result = subprocess.run(
        [sys.executable, "-c", EVERY_MODULE], capture_output=True, text=True, check=True
    )
    first, everything = json.loads(result.stdout)
    assert first == everything
    assert {"merge.member_conflict", "merge.org_conflict", "table.row_not_read"} <= set(first)


def test_rules_command_lists_every_rule_in_a_fresh_process():
    result = subprocess.run(
        [sys.executable, "-m", "addin.cli.main", "rules"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stderr
    missing = [
        c for c in RULES if not re.search(rf"(?<![\w.]){re.escape(c)}(?![\w.])", result.stdout)
    ]
    assert RULES and missing == []


@pytest.mark.parametrize(
    ("second", "rule", "cell"),
    [
        ({"members": [good_member(mobile="13907391111")]}, "merge.member_conflict", "M6"),
        ({"orgs": [good_org(secretary="王芳", contact="李建国")]}, "merge.org_conflict", "E6"),
    ],
)
def test_check_of_several_files_reports_the_merge_rules(book, second, rule, cell):
    first = book(members=[good_member()], orgs=[good_org()], name="一支部.xlsx")
    other = book(**second, name="二支部.xlsx")
    result = CliRunner().invoke(
        app, ["check", str(first), str(other), "--json", "--today", TODAY.isoformat()]
    )
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    conflicts = [(f["file"], f["cell"]) for f in findings if f["rule"] == rule]
    assert conflicts == [(str(first), cell), (str(other), cell)]


def test_one_file_alone_has_no_copy_elsewhere(book):
    path = book(members=[good_member(), good_member(mobile="13907391111")])
    rules = {f.rule for f in check_files([path], TODAY).findings}
    assert "member.duplicate_id" in rules and "merge.member_conflict" not in rules


def test_merge_reports_what_check_reports_for_the_same_files(book):
    files = [
        book(members=[good_member()], orgs=[good_org()], name="甲.xlsx"),
        book(members=[good_member(mobile="13907391111", gender="女")], name="乙.xlsx"),
    ]
    checked = check_files(files, TODAY).flatten(["file", "cell", "rule"])
    merged = merge_files(files, {}, TODAY).report.flatten(["file", "cell", "rule"])
    assert merged == checked
    assert [f for f in checked if f[2] == "merge.member_conflict"]


def test_the_findings_doctest_registers_no_rule():
    before = dict(RULES)
    outcome = doctest.testmod(addin.model.findings, optionflags=doctest.ELLIPSIS)
    assert outcome.failed == 0 and outcome.attempted > 0
    assert RULES == before
