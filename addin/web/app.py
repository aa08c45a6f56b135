"""The Starlette application: pages, static files and the API, behind the guard.

Uploads go to the job's private folder under safe names; every one is read by the
same safe loader as the command line when its step runs (:func:`addin.xlsx.source.load`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from addin import __version__
from addin.engine.contract import schema
from addin.web.api import ErrorModel, JobModel, StartedModel, StepModel
from addin.web.catalog import STEPS
from addin.web.jobs import Job, Jobs
from addin.web.security import Guard, Settings, TooBig, too_big
from addin.web.steps import Given, Step
from addin.web.workspace import Workspace, safe_names
from addin.xlsx.source import is_encrypted

HERE = Path(__file__).parent
MAX_FIELDS = 50


class Upload(Exception):
    """A request whose files cannot be taken (a Chinese message, status 400 or 413)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def create_app(
    settings: Settings | None = None, workspace: Workspace | None = None, jobs: Jobs | None = None
) -> Starlette:
    """The app; ``settings``, ``workspace`` and ``jobs`` are made fresh when not given."""
    settings = settings or Settings()
    workspace = workspace or Workspace()
    jobs = jobs or Jobs()
    loader = jinja2.FileSystemLoader(HERE / "templates")
    templates = Jinja2Templates(env=jinja2.Environment(loader=loader, autoescape=True))

    def page(request: Request, name: str, **context: object) -> Response:
        context |= {"steps": list(STEPS.values()), "csrf": settings.csrf, "version": __version__}
        return templates.TemplateResponse(request, name, context)

    async def index(request: Request) -> Response:
        return page(request, "index.html")

    async def step_page(request: Request) -> Response:
        step = STEPS.get(request.path_params["key"])
        if step is None:
            return Response("没有这个页面", status_code=404, media_type="text/plain")
        return page(request, "step.html", step=step, limits=settings)

    async def start(request: Request) -> Response:
        step = STEPS.get(request.path_params["key"])
        if step is None or step.run is None:
            return _error("这一步尚未提供", 404)
        try:
            given = await _receive(request, step, workspace.job_folder(), settings)
        except Upload as refused:
            return _error(refused.message, refused.status)
        locked = [p.name for p in given.all_files() if is_encrypted(p)]
        if locked and not given.password:
            shutil.rmtree(given.out.parent, ignore_errors=True)
            return _json(StartedModel(needs_password=locked))
        job = jobs.start(step.key, given.out.parent, _work(step, given))
        return _json(StartedModel(job=job.id))

    async def job_state(request: Request) -> Response:
        job = jobs.get(request.path_params["id"])
        if job is None:
            return _error("没有这项任务（dyxx app 重新启动过？请重新提交）", 404)
        return _json(JobModel.model_validate(job.public()))

    async def download(request: Request) -> Response:
        job = jobs.get(request.path_params["id"])
        index = request.path_params["index"]
        if job is None or job.state != "done" or not 0 <= index < len(job.downloads):
            return _error("没有这个文件", 404)
        item = job.downloads[index]
        return FileResponse(
            item.path,
            media_type=item.media_type,
            filename=item.name,
            content_disposition_type="attachment",
        )

    async def api_check(request: Request) -> Response:
        """Exactly ``dyxx check --json`` for the uploaded workbooks."""
        step = STEPS["check"]
        try:
            given = await _receive(request, step, workspace.job_folder(), settings)
        except Upload as refused:
            return _error(refused.message, refused.status)
        job = jobs.start(step.key, given.out.parent, _work(step, given))
        await run_in_threadpool(job.finished.wait)
        if job.state != "done" or job.report_json is None:
            return _error(job.error or "校验失败", 422)
        return Response(job.report_json, media_type="application/json")

    async def api_schema(request: Request) -> Response:
        return JSONResponse(schema())

    async def api_steps(request: Request) -> Response:
        return JSONResponse([_step_model(s).model_dump() for s in STEPS.values()])

    routes = [
        Route("/", index),
        Route("/step/{key}", step_page),
        Route("/api/check", api_check, methods=["POST"]),
        Route("/api/schema", api_schema),
        Route("/api/steps", api_steps),
        Route("/api/jobs/{key}", start, methods=["POST"]),
        Route("/api/jobs/{id}", job_state),
        Route("/api/jobs/{id}/files/{index:int}", download),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Guard, settings=settings)],
    )
    app.state.settings, app.state.workspace, app.state.jobs = settings, workspace, jobs
    return app


async def _receive(request: Request, step: Step, folder: Path, settings: Settings) -> Given:
    """Parse the form and save each upload in ``folder`` under a safe name."""
    try:
        form = await request.form(max_files=settings.max_files, max_fields=MAX_FIELDS)
    except TooBig:
        shutil.rmtree(folder, ignore_errors=True)
        raise Upload(too_big(settings), 413) from None
    except (MultiPartException, HTTPException):  # Starlette turns the first into the second
        shutil.rmtree(folder, ignore_errors=True)
        raise Upload(f"上传的内容不完整，或文件太多（{too_big(settings)}）") from None
    try:
        files = {i.name: await _save(form, i.name, i.label, i.many, folder) for i in step.inputs}
        options = {o.name: _field(form, o.name) for o in step.options}
        password = _field(form, "password") or None
    except Upload:
        shutil.rmtree(folder, ignore_errors=True)  # nothing half-received stays
        raise
    finally:
        await form.close()  # the spooled uploads go at once
    return Given(files, options, password, folder / "out")


async def _save(form: FormData, name: str, label: str, many: bool, folder: Path) -> list[Path]:
    uploads = [u for u in form.getlist(name) if isinstance(u, UploadFile) and u.filename]
    if not uploads:
        raise Upload(f"请选择文件：{label}")
    if len(uploads) > 1 and not many:
        raise Upload(f"这里只能选一个文件：{label}")
    where = folder / "in" / name
    where.mkdir(mode=0o700)
    paths = [where / safe for safe in safe_names([u.filename or "" for u in uploads])]
    for upload, path in zip(uploads, paths, strict=True):
        await run_in_threadpool(_copy, upload, path)
    return paths


def _copy(upload: UploadFile, path: Path) -> None:
    upload.file.seek(0)
    with path.open("xb") as out:
        shutil.copyfileobj(upload.file, out)


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _work(step: Step, given: Given):
    def work(job: Job) -> None:
        assert step.run is not None
        step.run(job, given)

    return work


def _step_model(step: Step) -> StepModel:
    return StepModel(
        key=step.key,
        title=step.title,
        command=step.command,
        summary=step.summary,
        available=step.run is not None,
        inputs=[i.name for i in step.inputs],
        options=[o.name for o in step.options],
    )


def _json(model) -> Response:
    return Response(model.model_dump_json(), media_type="application/json")


def _error(message: str, status: int) -> Response:
    return _json_status(ErrorModel(error=message), status)


def _json_status(model, status: int) -> Response:
    return Response(model.model_dump_json(), status_code=status, media_type="application/json")
