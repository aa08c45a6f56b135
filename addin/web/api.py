"""The HTTP API under ``/api/``, described by pydantic models (README: dyxx app 的接口).

``POST /api/check`` answers exactly what ``dyxx check --json`` prints, described by
:class:`addin.engine.contract.ReportModel` (``GET /api/schema``); the other calls
run any step as a job: ``POST /api/jobs/{step}`` starts it, ``GET /api/jobs/{id}``
tells its progress and, once done, its result and downloads.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ErrorModel(_Model):
    """Any refusal or failure: one Chinese sentence."""

    error: str


class StartedModel(_Model):
    """``POST /api/jobs/{step}``: the job started, or the files that need a password first."""

    job: str | None = None
    needs_password: list[str] = Field(default_factory=list, description="加密、需要密码的文件")


class DownloadModel(_Model):
    index: int = Field(ge=0, description="GET /api/jobs/{id}/files/{index} 下载")
    label: str
    name: str


class JobModel(_Model):
    """``GET /api/jobs/{id}``: poll until ``state`` is done or failed."""

    id: str
    step: str
    state: Literal["queued", "running", "done", "failed"]
    stage: str = Field(description="当前在做什么（中文）")
    done: int = Field(ge=0)
    total: int = Field(ge=0, description="0：不知道共有多少")
    error: str | None = None
    result: dict[str, object] | None = Field(
        default=None, description="页面显示的结论、说明、表格、图表和问题清单"
    )
    downloads: list[DownloadModel]


class StepModel(_Model):
    """``GET /api/steps``: the steps and whether each is available yet."""

    key: str
    title: str
    command: str
    summary: str
    available: bool
    inputs: list[str] = Field(description="multipart 中文件字段的名称")
    options: list[str]
