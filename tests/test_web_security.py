"""dyxx app's guard: token, Host, cross-site requests, limits, headers, nothing in the logs.

In process (Starlette's TestClient); tests/test_web_app.py repeats the essentials
against a real ``dyxx app`` and a real browser.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest

from addin.web.security import CSP, host_name
from tests.support.branches import branch_books
from tests.support.web import local_app, upload

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "示例_林业局党委.xlsx"
HERE = Path(__file__).resolve().parents[1] / "addin" / "web"


@pytest.fixture
def app(tmp_path):
    with local_app(tmp_path / "ws") as local:
        yield local


@pytest.fixture
def stranger(tmp_path):
    with local_app(tmp_path / "ws", authorised=False) as local:
        yield local


@pytest.mark.parametrize(
    "path", ["/", "/step/check", "/static/app.js", "/api/steps", "/api/schema"]
)
def test_every_page_file_and_call_needs_the_token(stranger, path):
    response = stranger.client.get(path)
    assert response.status_code == 403
    assert "dyxx app" in response.text


def test_the_token_becomes_a_strict_cookie_and_leaves_the_address(stranger):
    token = stranger.settings.token
    response = stranger.client.get(f"/step/check?token={token}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/step/check"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert stranger.client.get("/step/check").status_code == 200


def test_a_wrong_token_opens_nothing(stranger):
    response = stranger.client.get("/?token=guess", follow_redirects=False)
    assert response.status_code == 403
    assert "set-cookie" not in response.headers
    assert stranger.client.get("/").status_code == 403


def test_other_programs_use_the_token_as_a_bearer(stranger):
    bearer = {"Authorization": f"Bearer {stranger.settings.token}"}
    assert stranger.client.get("/api/steps", headers=bearer).status_code == 200
    wrong = {"Authorization": "Bearer nope"}
    assert stranger.client.get("/api/steps", headers=wrong).status_code == 403


@pytest.mark.parametrize(
    "host",
    ["evil.example", "evil.example:8765", "127.0.0.1.evil.example", "localhost.evil", "0.0.0.0"],
)
def test_a_foreign_host_is_refused_before_anything_else(app, host):
    """DNS rebinding: a page whose name now points at 127.0.0.1 reaches nothing."""
    for path in ("/", "/api/steps", f"/?token={app.settings.token}"):
        response = app.client.get(path, headers={"Host": host}, follow_redirects=False)
        assert response.status_code == 421
        assert "set-cookie" not in response.headers


@pytest.mark.parametrize("host", ["127.0.0.1:9", "localhost:9", "[::1]:9", "LOCALHOST"])
def test_this_pc_is_accepted_under_every_name(app, host):
    assert app.client.get("/", headers={"Host": host}).status_code == 200


def test_host_names_are_read_without_ports():
    assert host_name("[::1]:8080") == "::1"
    assert host_name("a b") is None or host_name("a b") == "a b"


def test_changes_need_the_page_header(app):
    files = upload([("files", EXAMPLE)])
    refused = app.client.post("/api/jobs/check", files=files)
    assert refused.status_code == 403
    assert "跨站" in refused.json()["error"]
    wrong = app.client.post("/api/jobs/check", files=files, headers={"X-DYXX-CSRF": "x"})
    assert wrong.status_code == 403


@pytest.mark.parametrize(
    "extra",
    [{"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}],
)
def test_cross_site_posts_are_refused_even_with_the_cookie(app, extra):
    files = upload([("files", EXAMPLE)])
    response = app.client.post("/api/check", files=files, headers={**app.headers(), **extra})
    assert response.status_code == 403


def test_a_same_origin_post_passes(app):
    headers = {**app.headers(), "Origin": "http://127.0.0.1:8765", "Sec-Fetch-Site": "same-origin"}
    response = app.client.post("/api/check", files=upload([("files", EXAMPLE)]), headers=headers)
    assert response.status_code == 200


def test_too_big_a_request_is_refused_before_it_is_read(tmp_path):
    with local_app(tmp_path / "ws", max_bytes=1_000) as small:
        response = small.client.post(
            "/api/check", files=upload([("files", EXAMPLE)]), headers=small.headers()
        )
        assert response.status_code == 413
        assert "MB" in response.json()["error"]
        assert list((tmp_path / "ws").glob("job*/in/*/*")) == []


def test_too_many_files_are_refused(tmp_path):
    with local_app(tmp_path / "ws", max_files=2) as small:
        files = upload([("files", EXAMPLE)] * 3)
        response = small.client.post("/api/check", files=files, headers=small.headers())
        assert response.status_code == 400
        assert "2 个文件" in response.json()["error"]
        assert list((tmp_path / "ws").glob("job*")) == []


def test_upload_names_never_leave_the_private_folder(app):
    evil = [("files", ("../../逃逸.xlsx", EXAMPLE.read_bytes())), ("files", ("CON.xlsx", b"x"))]
    response = app.client.post("/api/jobs/check", files=evil, headers=app.headers())
    assert response.status_code == 200
    app.wait(response.json()["job"])
    saved = sorted(p.name for p in app.workspace.root.glob("job*/in/files/*"))
    assert saved == ["CON_.xlsx", "逃逸.xlsx"]
    assert not (app.workspace.root.parent / "逃逸.xlsx").exists()


def test_the_private_folder_is_private_and_goes(tmp_path):
    with local_app(tmp_path / "ws") as local:
        root = local.workspace.root
        assert root.stat().st_mode & 0o777 == 0o700
        local.run("check", [("files", EXAMPLE)])
        assert list(root.glob("job*/out/*"))
    assert not root.exists()


def test_every_response_carries_the_strict_policy(app, stranger):
    for client, path in (
        (app.client, "/"),
        (app.client, "/static/app.css"),
        (stranger.client, "/"),
    ):
        headers = client.get(path).headers
        assert headers["content-security-policy"] == CSP
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store"
    assert "default-src 'self'" in CSP and "unsafe" not in CSP


def test_nothing_is_fetched_from_the_internet():
    """Every script and style is the app's own: no address outside it, no inline script."""
    for path in [*HERE.glob("templates/*.html"), *HERE.glob("static/*")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=[\"']?(https?:)?//", text), path
        assert "@import" not in text and "url(" not in text, path
        if path.suffix == ".html":
            assert not re.search(r"<script(?![^>]*\ssrc=)", text), path
            assert " style=" not in text and " on" + "click=" not in text, path


def test_no_data_reaches_the_logs(app, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    job = app.run("merge", [("files", p) for p in branch_books(tmp_path / "in")])
    assert job["state"] == "done"
    bad = app.run("check", [("files", _write(tmp_path / "坏.xlsx", b"PK\x03\x04 broken"))])
    assert bad["state"] == "failed"
    assert not re.search(r"刘洋|孙丽|4305\d{14}", caplog.text)


def test_an_unexpected_error_shows_no_traceback(app, monkeypatch):
    import addin.web.checking as checking

    def boom(*_args, **_kwargs):
        raise ValueError("张三 430523196803120110")

    monkeypatch.setattr(checking, "check_tables", boom)
    job = app.run("check", [("files", EXAMPLE)])
    assert job["state"] == "failed"
    assert "内部错误" in job["error"] and "张三" not in job["error"]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_killed_app_leaves_nothing_for_long(tmp_path):
    """The next dyxx app removes the folder of one whose process is gone, and only that."""
    import subprocess
    import sys

    from addin.web.workspace import PREFIX, remove_leftovers

    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead = tmp_path / f"{PREFIX}{int(ended.stdout)}-abc"
    alive = tmp_path / f"{PREFIX}{os.getppid()}-def"
    other = tmp_path / "dyxx-app-notes"
    for folder in (dead, alive, other):
        (folder / "job1").mkdir(parents=True)
    assert remove_leftovers(tmp_path) == [dead]
    assert not dead.exists() and alive.exists() and other.exists()


def test_forgotten_jobs_take_their_files_with_them(tmp_path, monkeypatch):
    from addin.web import jobs as jobs_module
    from addin.web.jobs import Jobs

    monkeypatch.setattr(jobs_module, "KEPT_JOBS", 1)
    jobs = Jobs()
    folders = [tmp_path / f"job{n}" for n in range(3)]
    try:
        for folder in folders:
            folder.mkdir()
            jobs.start("check", folder, lambda job: None).finished.wait(30)
    finally:
        jobs.close()
    assert [f.exists() for f in folders] == [False, False, True]
