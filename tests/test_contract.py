"""The --json report keeps its published contract (schemas/report.schema.json)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from addin.engine.contract import ReportModel, schema_text
from tests.support.books import good_member, good_org, write_book
from tests.support.cli import dyxx

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "schemas" / "report.schema.json"
EXAMPLE = ROOT / "examples" / "示例_林业局党委.xlsx"


def test_the_published_schema_is_the_models_schema():
    assert PUBLISHED.read_text(encoding="utf-8") == schema_text(), (
        "regenerate: python -m addin.engine.contract > schemas/report.schema.json"
    )


def report_of(*args: str) -> dict:
    result = dyxx("check", *args, "--json", "--today", "2024-06-01")
    assert result.returncode in (0, 1), result.output
    return json.loads(result.stdout)


@pytest.fixture
def hostile(tmp_path) -> Path:
    members = [
        good_member(),
        good_member(name="=1+1\x0b", gender="女", mobile="138 0739 1240"),
        good_member(id_number="43052319680312011", birth_date="1968.3.12"),
    ]
    return write_book(tmp_path / "名册.xlsx", members, [good_org(org_name="")])


@pytest.mark.parametrize("extra", [[], ["--mask"]])
def test_real_reports_follow_the_published_schema(hostile, extra):
    validator = jsonschema.Draft202012Validator(json.loads(PUBLISHED.read_text(encoding="utf-8")))
    for report in (report_of(str(EXAMPLE), *extra), report_of(str(hostile), *extra)):
        validator.validate(report)
        assert ReportModel.model_validate(report).summary.errors == len(
            [f for f in report["findings"] if f["severity"] == "error"]
        )
        assert report["findings"], "a report with findings exercises the finding model"


def test_the_schema_rejects_what_the_contract_does_not_allow(hostile):
    report = report_of(str(hostile))
    report["findings"][0]["severity"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, json.loads(PUBLISHED.read_text(encoding="utf-8")))
