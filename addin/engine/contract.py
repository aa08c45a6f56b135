"""The public contract of ``dyxx check --json``: pydantic models and the JSON Schema they publish.

The report itself is built as plain dicts and written by orjson (40,000
findings in hundredths of a second); these models describe it for other
programs (the app's HTTP API, a WPS or Office.js front end) and a test holds
every real report to them. ``schemas/report.schema.json`` is written from
here: ``python -m addin.engine.contract > schemas/report.schema.json``.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TableModel(_Strict):
    """One table found in a workbook (附件3 or 附件4)."""

    file: str = Field(description="工作簿文件路径（如命令行所给）")
    sheet: str = Field(description="工作表名称")
    table: str = Field(description="表名，如“附件4 党员基本信息汇总表”")
    header_row: int = Field(ge=1, description="表头所在行（从 1 起）")
    rows: int = Field(ge=0, description="数据行数")


class FindingModel(_Strict):
    """One problem in one cell (or one row, when ``column`` is null)."""

    file: str
    sheet: str
    cell: str = Field(pattern=r"^[A-Z]{1,3}[0-9]+$", description="单元格，如 E6")
    row: int = Field(ge=1)
    column: int | None = Field(ge=1, description="列号（从 1 起）；整行的问题为 null")
    field: str = Field(description="栏目名称，如“公民身份证号”")
    rule: str = Field(pattern=r"^[a-z_]+(\.[a-z_0-9]+)+$", description="规则代码，见 dyxx rules")
    severity: Literal["error", "warning"]
    value: str = Field(description="填写内容（--mask 时已屏蔽）")
    message: str = Field(description="问题及修改方法（中文）")
    name: str = Field(
        description="该行党员的姓名（附件4）或党组织名称（附件3），照原样不屏蔽；"
        "不属于某一行（如表头）或该行没有填写时为空"
    )


class RuleCountModel(_Strict):
    rule: str
    severity: Literal["error", "warning"]
    title: str
    count: int = Field(ge=1)


class SummaryModel(_Strict):
    files: int = Field(ge=0)
    tables: int = Field(ge=0)
    rows: int = Field(ge=0)
    errors: int = Field(ge=0)
    warnings: int = Field(ge=0)
    passed: bool = Field(description="没有错误（警告不影响）")
    by_rule: list[RuleCountModel]


class ReportModel(_Strict):
    """What ``dyxx check --json`` prints and ``POST /api/check`` returns."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, title="dyxx 校验报告", json_schema_extra={"$id": "dyxx-report"}
    )

    tool: str = Field(pattern=r"^dyxx ", description="工具和版本，如“dyxx 0.1.0”")
    checked_at: str = Field(description="校验时间（ISO 8601，本地时间）")
    fingerprint: str = Field(description="数据指纹：全部数据行的哈希值，供核对是否为同一份数据")
    tables: list[TableModel]
    findings: list[FindingModel]
    summary: SummaryModel


def schema() -> dict[str, object]:
    """The JSON Schema of the report (draft 2020-12, as pydantic writes it)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **ReportModel.model_json_schema(),
    }


def schema_text() -> str:
    return json.dumps(schema(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    print(schema_text(), end="")
