"""Run the app: a free port on 127.0.0.1, the browser opened at the token's address,
everything removed on the way out (Ctrl+C, the console window closed, a SIGTERM).

Uvicorn writes no access log and only warnings: nothing about the data reaches
the console. Python's temporary files (the spooled uploads) go into the app's
private folder too, so they are removed with it.
"""

from __future__ import annotations

import atexit
import signal
import socket
import sys
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable

import uvicorn

from addin.web.app import create_app
from addin.web.jobs import Jobs
from addin.web.security import LOCAL_HOSTS, Settings
from addin.web.workspace import Workspace, remove_leftovers

ANY = ("0.0.0.0", "::")


def is_local(host: str) -> bool:
    return host in LOCAL_HOSTS


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (port 0: a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    if sys.platform != "win32":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def address(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ANY or host == "localhost" else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def allowed_hosts(host: str) -> frozenset[str]:
    """The Host headers accepted: this PC, and the address bound with --allow-network."""
    return LOCAL_HOSTS | ({host} if host not in ANY else set())


def serve(host: str, port: int, *, browser: bool, say: Callable[[str], None]) -> None:
    """Serve until stopped, then remove every upload and result."""
    remove_leftovers()
    workspace = Workspace()
    jobs = Jobs()
    try:  # from here on, however it ends, the private folder goes
        atexit.register(workspace.remove)
        tempfile.tempdir = str(workspace.root)  # spooled uploads land in the private folder
        sock = bind(host, port)
        port = sock.getsockname()[1]
        settings = Settings(
            cookie=f"dyxx_token_{port}", hosts=allowed_hosts(host), any_ip=host in ANY
        )
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings, workspace, jobs),
                log_level="warning",
                access_log=False,
                lifespan="off",
                server_header=False,
                timeout_graceful_shutdown=3,
            )
        )
        url = f"{address(host, port)}?token={settings.token}"
        _stop_on_hangup(server)
        threading.Thread(target=_announce, args=(server, url, browser, say), daemon=True).start()
        server.run(sockets=[sock])
    finally:
        jobs.close()
        workspace.remove()
        tempfile.tempdir = None
    say("dyxx app 已关闭，上传的文件和结果已全部删除。")


def _announce(server: uvicorn.Server, url: str, browser: bool, say: Callable[[str], None]) -> None:
    while not server.started and not server.should_exit:
        time.sleep(0.05)
    if server.should_exit:
        return
    say(f"dyxx app 已启动：{url}")
    say("在浏览器中打开上面的地址即可使用；用完按 Ctrl+C（或关闭这个窗口）退出。")
    if browser:
        webbrowser.open(url)


def _stop_on_hangup(server: uvicorn.Server) -> None:
    """Every way of stopping ends the server cleanly, so the private folder goes too.

    Uvicorn handles Ctrl+C and SIGTERM while it runs, then hands the signal on to the
    handler it found: a quiet one, since stopping is the normal end here. The console
    closed: SIGHUP, or on Windows CTRL_CLOSE_EVENT, which arrives as SIGBREAK.
    """
    for name in ("SIGINT", "SIGTERM"):
        signal.signal(getattr(signal, name), lambda *_: setattr(server, "should_exit", True))
    for name in ("SIGHUP", "SIGBREAK"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), lambda *_: setattr(server, "should_exit", True))
