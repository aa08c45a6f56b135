"""``dyxx app``: every step in a browser page on the officer's own PC (issue 16).

A Starlette app served by uvicorn on 127.0.0.1: one page per step (:mod:`~addin.web.steps`),
each running the same workflow functions as its command, off the request thread
(:mod:`~addin.web.jobs`), on uploads kept in a private temporary folder
(:mod:`~addin.web.workspace`). :mod:`~addin.web.security` guards the server (token, Host,
cross-site requests, limits, Content-Security-Policy); :mod:`~addin.web.api` is the
documented HTTP API under ``/api/``.
"""
