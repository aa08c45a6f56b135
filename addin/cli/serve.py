"""``dyxx app``: every step in a browser page on this PC (the server is :mod:`addin.web`)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from addin.cli.app import app, fail, shown
from addin.model.errors import WorkbookError


@app.command("app")
def app_command(
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="不打开浏览器，只显示访问地址")
    ] = False,
    host: Annotated[
        str, typer.Option("--host", help="监听的地址；默认 127.0.0.1（只有本机能访问）")
    ] = "127.0.0.1",
    allow_network: Annotated[
        bool,
        typer.Option(
            "--allow-network", help="允许 --host 为本机以外的地址（局域网中其他电脑可访问，不加密）"
        ),
    ] = False,
    port: Annotated[int, typer.Option("--port", help="端口；默认 0，自动选一个空闲端口")] = 0,
    shortcut: Annotated[
        bool, typer.Option("--shortcut", help="在桌面上创建双击即可启动 dyxx app 的快捷方式")
    ] = False,
) -> None:
    """在浏览器中使用 dyxx：校验、修正、汇总、采集表、抽查、变动、验收、导入准备、拆分，每步一页。

    只在本机运行（127.0.0.1），不联网；上传的文件和结果只放在内存和本机的私有临时文件夹中，
    按 Ctrl+C 或关闭窗口退出时全部删除。
    """
    console = Console()
    if shortcut:
        from addin.web.shortcut import make_shortcut

        try:
            made = make_shortcut()
        except WorkbookError as exc:
            raise fail(console, exc) from None
        console.print(f"已在桌面创建快捷方式 {shown(made)}：双击即可启动 dyxx app", highlight=False)
        return
    from addin.web.server import is_local, serve  # the server's own list of local names

    local = is_local(host)
    if not local and not allow_network:
        raise typer.BadParameter(
            f"--host {host} 会让本机以外的电脑访问 dyxx（其中有党员个人信息），"
            "确需如此请同时加 --allow-network"
        )
    if not local:
        console.print(
            f"[bold yellow]警告[/]：dyxx app 将在 {shown(host)} 上监听，"
            "局域网中的其他电脑可以访问；"
            "传输不加密，请只在可信的网络中使用，用完立即退出。",
            highlight=False,
        )
    try:
        serve(host, port, browser=not no_browser, say=lambda text: print(text, flush=True))
    except OSError as exc:
        console.print(
            f"[bold red]无法启动[/]：端口 {port} 无法使用（{shown(exc.strerror or exc)}）"
        )
        raise typer.Exit(2) from None
