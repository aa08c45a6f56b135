"""The guard in front of every request of a local server that holds personal data.

- **Token**: the address the app opens carries a random token; the first load
  trades it for an HttpOnly, SameSite=Strict cookie and redirects to the clean
  address (the token leaves the address bar and the history). Every page, file
  and API call needs the cookie, or ``Authorization: Bearer <token>`` (other
  programs).
- **Host**: a request whose Host is not this PC (127.0.0.1, localhost, ::1, or the
  address given with ``--allow-network``) is refused with 421: a web page that
  makes its own domain name point at 127.0.0.1 (DNS rebinding) gets nothing.
- **Cross-site requests**: every state-changing call carries the page's CSRF
  header and, when the browser sends them, a same-origin ``Origin`` and
  ``Sec-Fetch-Site``.
- **Limits**: at most :data:`MAX_BYTES` a request, counted as it arrives.
- **Headers**: a strict Content-Security-Policy (nothing but the app's own
  scripts and styles, no inline script), no caching, no referrer, no framing.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from addin.model.errors import internal_error

MAX_FILES = 64
MAX_BYTES = 256 * 1024 * 1024
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
CSRF_HEADER = "x-dyxx-csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


@dataclass
class Settings:
    """The secrets and limits of one running app."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    cookie: str = "dyxx_token"
    hosts: frozenset[str] = LOCAL_HOSTS
    max_bytes: int = MAX_BYTES
    max_files: int = MAX_FILES
    any_ip: bool = False  # bound to every address (--allow-network): any IP literal as Host

    @property
    def csrf(self) -> str:
        """The header value the pages send with every change (derived, never the token)."""
        return hmac.new(self.token.encode(), b"csrf", hashlib.sha256).hexdigest()[:32]

    def accepts(self, host: str | None) -> bool:
        """A Host this server answers: DNS rebinding needs a name, never an IP literal."""
        if host in self.hosts:
            return True
        return self.any_ip and host is not None and _is_ip(host)

    def opens(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token.encode(), self.token.encode())


def host_name(header: str | None) -> str | None:
    """The host of a Host header, without its port; brackets of IPv6 dropped.

    >>> host_name("127.0.0.1:8123"), host_name("[::1]:80"), host_name("LocalHost"), host_name("")
    ('127.0.0.1', '::1', 'localhost', None)
    """
    if not header:
        return None
    try:
        return urlsplit(f"//{header}").hostname
    except ValueError:
        return None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class Guard:
    """ASGI middleware applying the rules of this module to every HTTP request."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # no websockets here
            return
        refusal = self.refusal(scope)
        if refusal is not None:
            await _with_headers(refusal)(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, _counted(receive, self.settings.max_bytes), _headed(sending))
        except Exception as exc:  # no traceback in the console: it could quote the data
            if not started:
                api = scope["path"].startswith("/api/")
                await _with_headers(_refuse(500, internal_error(exc), api))(scope, receive, send)

    def refusal(self, scope: Scope) -> Response | None:
        """The response that refuses this request, or None to let it through."""
        headers = Headers(scope=scope)
        api = scope["path"].startswith("/api/")
        if not self.settings.accepts(host_name(headers.get("host"))):
            return _refuse(
                421, "地址不对：dyxx 只接受发往本机（127.0.0.1 或 localhost）的请求", api
            )
        params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if "token" in params and scope["method"] == "GET":
            return self.welcome(scope, params)
        bearer = headers.get("authorization", "").removeprefix("Bearer ").strip()
        cookie = cookie_parser(headers.get("cookie", "")).get(self.settings.cookie)
        if not (self.settings.opens(bearer or None) or self.settings.opens(cookie)):
            return _refuse(
                403, "未授权：请使用 dyxx app 打开的地址（含访问码），或重新运行 dyxx app", api
            )
        if scope["method"] not in SAFE_METHODS and not self.settings.opens(bearer or None):
            if not self.same_origin(headers):
                return _refuse(403, "拒绝跨站请求：请在 dyxx 自己的页面上操作", api)
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.settings.max_bytes):
            return _refuse(413, too_big(self.settings), api)
        return None

    def welcome(self, scope: Scope, params: dict[str, str]) -> Response:
        """The first load: trade the token in the address for the cookie."""
        if not self.settings.opens(params.get("token")):
            return _refuse(403, "访问码不对：请使用 dyxx app 最近一次打开的地址", False)
        rest = {k: v for k, v in params.items() if k != "token"}
        target = scope["path"] + (f"?{urlencode(rest)}" if rest else "")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            self.settings.cookie, self.settings.token, httponly=True, samesite="strict", path="/"
        )
        return response

    def same_origin(self, headers: Headers) -> bool:
        if not hmac.compare_digest(
            headers.get(CSRF_HEADER, "").encode(), self.settings.csrf.encode()
        ):
            return False
        origin = headers.get("origin")
        if origin is not None and urlsplit(origin).netloc != headers.get("host"):
            return False
        return headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


def too_big(settings: Settings) -> str:
    megabytes = settings.max_bytes // (1024 * 1024)
    return f"上传的内容太大：一次最多 {megabytes} MB、{settings.max_files} 个文件，请分批处理"


class TooBig(Exception):
    """The request body ran past the limit (a client that lied about its length)."""


def _counted(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise TooBig
        return message

    return counted


def _headed(send: Send) -> Send:
    async def headed(message: Message) -> None:
        if message["type"] == "http.response.start":
            raw = [(k, v) for k, v in message.get("headers", []) if k.decode() not in HEADERS]
            raw += [(k.encode(), v.encode()) for k, v in HEADERS.items()]
            message = {**message, "headers": raw}
        await send(message)

    return headed


def _with_headers(response: Response) -> Response:
    for key, value in HEADERS.items():
        response.headers[key] = value
    return response


def _refuse(status: int, message: str, api: bool) -> Response:
    if api:
        return JSONResponse({"error": message}, status_code=status)
    return PlainTextResponse(message, status_code=status)
