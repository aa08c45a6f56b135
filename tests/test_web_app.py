"""dyxx app end to end: a real ``dyxx app`` process and the distribution's Chromium.

The officer's routes: the bundled example uploaded on the 校验 page (未通过, the findings
with names, the marked copy downloaded and its marks read back with openpyxl); three
branch files on the 汇总 page (the merged workbook and the chart); and what must not
work: no token, a foreign Host, a hostile file (a clear error, the server still
serving); two uploads at once, both right.
"""

from __future__ import annotations

import http.client
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from addin.write.marked.format import MARK_COLOURS
from tests.support.branches import FILES, branch_books
from tests.support.web import browser, multipart, served

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "示例_林业局党委.xlsx"
WAIT = 120_000  # ms: a job on a loaded CI machine


@pytest.fixture(scope="module")
def app():
    with served() as running:
        yield running


@pytest.fixture(scope="module")
def chromium():
    with browser() as launched:
        yield launched


@pytest.fixture
def page(app, chromium):
    context = chromium.new_context(accept_downloads=True)
    opened = context.new_page()
    complaints: list[str] = []  # a blocked script or style (CSP), a script error
    opened.on("console", lambda m: complaints.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda error: complaints.append(str(error)))
    opened.goto(app.opening)
    yield opened
    context.close()
    assert not [c for c in complaints if "Failed to load resource" not in c], complaints


def _submit(page, field: str, files: list[Path]) -> None:
    page.set_input_files(f'#step-form input[name="{field}"]', [str(f) for f in files])
    page.click("#run")


def _drop(page, files: list[Path]) -> None:
    """Drag workbooks from the desktop onto the page's file box."""
    dropped = page.evaluate_handle(
        """(files) => {
            const data = new DataTransfer();
            for (const [name, bytes] of files) {
                data.items.add(new File([new Uint8Array(bytes)], name));
            }
            return data;
        }""",
        [[f.name, list(f.read_bytes())] for f in files],
    )
    page.dispatch_event("label.drop", "drop", {"dataTransfer": dropped})


def test_the_example_fails_with_named_findings_and_a_marked_copy(page, tmp_path):
    page.click('header nav a[href="/step/check"]')
    _drop(page, [EXAMPLE])
    page.click("#run")
    page.wait_for_selector("#verdict:has-text('未通过')", timeout=WAIT)
    rows = page.locator("#finding-table tbody tr")
    assert rows.count() > 5
    page.screenshot(path=str(tmp_path.parent / "dyxx-app-check.png"), full_page=True)
    names = rows.locator("td:nth-child(1)").all_inner_texts()
    assert "张伟" in names
    page.select_option("#filter-severity", "warning")
    levels = set(page.locator("#finding-table tbody tr td:nth-child(4)").all_inner_texts())
    assert levels == {"警告"}
    with page.expect_download() as waiting:
        page.click("a.download >> nth=0")
    saved = tmp_path / waiting.value.suggested_filename
    waiting.value.save_as(saved)
    assert saved.name == "示例_林业局党委_校验.xlsx"
    marked = openpyxl.load_workbook(saved)
    members = marked["党员基本信息汇总表"]
    noted = [c for row in members.iter_rows() for c in row if c.comment is not None]
    assert noted, "the marked copy has no notes"
    colours = {c.fill.fgColor.rgb[-6:] for c in noted}
    assert colours & {v.lstrip("#") for v in MARK_COLOURS.values()}
    assert "校验结果" in marked.sheetnames


def test_the_committee_merges_three_branch_files(page, tmp_path):
    page.click('header nav a[href="/step/merge"]')
    _submit(page, "files", branch_books(tmp_path / "in"))
    page.wait_for_selector("#quality-chart svg rect", timeout=WAIT)
    assert page.locator("#quality-chart svg rect").count() >= len(FILES)
    assert page.locator("#tables h3", has_text="统计核对").is_visible()
    with page.expect_download() as waiting:
        page.click("a.download >> nth=0")
    saved = tmp_path / waiting.value.suggested_filename
    waiting.value.save_as(saved)
    merged = openpyxl.load_workbook(saved)
    assert {"统计核对", "数据质量"} <= set(merged.sheetnames)
    assert merged["数据质量"]._charts


def test_without_the_token_nothing_opens(app, chromium):
    context = chromium.new_context()
    page = context.new_page()
    response = page.goto(app.base)
    assert response.status == 403
    assert "访问码" in page.content()
    context.close()


def test_a_foreign_host_is_refused(app):
    connection = http.client.HTTPConnection("127.0.0.1", app.port, timeout=30)
    connection.request("GET", f"/?token={app.token}", headers={"Host": "rebind.example"})
    response = connection.getresponse()
    assert response.status == 421
    assert response.getheader("set-cookie") is None


def test_a_hostile_file_shows_a_clear_error_and_the_server_goes_on(page, tmp_path):
    bomb = tmp_path / "名单.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 100_000_000)
    page.click('header nav a[href="/step/check"]')
    _submit(page, "files", [bomb])
    page.wait_for_selector("#error:not([hidden])", timeout=WAIT)
    message = page.inner_text("#error")
    assert "名单.xlsx" in message and "内部错误" not in message
    _submit(page, "files", [EXAMPLE])
    page.wait_for_selector("#verdict:has-text('未通过')", timeout=WAIT)


def test_two_uploads_at_the_same_time_are_both_right(app, chromium, tmp_path):
    good = branch_books(tmp_path / "in")[0]
    context = chromium.new_context()
    first, second = context.new_page(), context.new_page()
    for page in (first, second):
        page.goto(f"{app.opening}".replace("/?", "/step/check?"))
    first.set_input_files('#step-form input[name="files"]', str(EXAMPLE))
    second.set_input_files('#step-form input[name="files"]', str(good))
    first.click("#run")
    second.click("#run")
    first.wait_for_selector("#verdict:has-text('通过')", timeout=WAIT)
    second.wait_for_selector("#verdict:has-text('通过')", timeout=WAIT)
    assert first.inner_text("#verdict") == "未通过"
    assert second.inner_text("#verdict") == "通过"
    seen = set(second.locator("#finding-table tbody tr td:nth-child(1)").all_inner_texts())
    assert "张伟" not in seen
    assert all(
        "机关支部" in line or "共检查" in line
        for line in second.locator("#lines li").all_inner_texts()
    )
    context.close()


def test_the_api_answers_other_programs_with_the_bearer_token(app):
    body, headers = multipart("files", "示例.xlsx", EXAMPLE.read_bytes())
    headers["Authorization"] = f"Bearer {app.token}"
    connection = http.client.HTTPConnection("127.0.0.1", app.port, timeout=120)
    connection.request("POST", "/api/check", body=body, headers=headers)
    response = connection.getresponse()
    assert response.status == 200
    report = json.loads(response.read())
    assert report["summary"]["passed"] is False
    assert {t["file"] for t in report["tables"]} == {"示例.xlsx"}


def test_listening_on_the_network_warns_and_still_refuses_names():
    with served("--host", "0.0.0.0", "--allow-network") as running:
        assert "传输不加密" in "".join(running.output)
        for host, status in (("192.0.2.7", 303), ("rebind.example", 421)):
            connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=30)
            connection.request("GET", f"/?token={running.token}", headers={"Host": host})
            assert connection.getresponse().status == status


def test_an_encrypted_workbook_asks_for_its_password_in_the_page(page, tmp_path):
    from addin.write.outputs import encrypt

    locked = tmp_path / "加密名册.xlsx"
    locked.write_bytes(encrypt(EXAMPLE.read_bytes(), "密码123"))
    page.click('header nav a[href="/step/check"]')
    _submit(page, "files", [locked])
    page.wait_for_selector("#password-box:not([hidden])", timeout=WAIT)
    assert "加密名册.xlsx" in page.inner_text("#password-prompt")
    page.fill('input[name="password"]', "密码123")
    page.click("#run")
    page.wait_for_selector("#verdict:has-text('未通过')", timeout=WAIT)


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_stopping_leaves_nothing_behind(stop, tmp_path):
    """Ctrl+C, a SIGTERM, the console closed: the private folder goes, with the uploads in it."""
    import signal
    import tempfile

    with served() as running:
        [folder] = Path(tempfile.gettempdir()).glob(f"dyxx-app-{running.process.pid}-*")
        body, headers = multipart("files", "示例.xlsx", EXAMPLE.read_bytes())
        headers["Authorization"] = f"Bearer {running.token}"
        connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=120)
        connection.request("POST", "/api/check", body=body, headers=headers)
        assert connection.getresponse().status == 200
        assert list(folder.glob("job*/in/files/*"))
        running.process.send_signal(getattr(signal, stop))
        running.process.wait(30)
    assert not folder.exists()
    assert "已全部删除" in "".join(running.output)
