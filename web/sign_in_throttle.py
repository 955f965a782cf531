"""Failed sign-ins counted per client address and per account email, on Flask-Limiter.

Only failures count (a right password never uses up an allowance): ``ADDRESS_LIMIT`` per address
(one machine guessing many accounts) and ``ACCOUNT_LIMIT`` per email, known or not (many machines
guessing one account, and the same answer for an unknown email). Past either, sign-in answers 429 with
``Retry-After``. The counts live in ``WASTEMATCH_RATELIMIT_STORAGE`` (e.g. ``redis://host:6379/0``,
shared by every worker process) or else in memory, which is per process: with several workers an
attacker gets the allowance once per worker, and the account lockout kept in the database
(``marketplace.services.accounts.sign_in``) is what holds across them.
"""
from __future__ import annotations

import math
import os
import time

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from limits import parse
from werkzeug.wrappers import Response

from marketplace.services.accounts.sign_in import Client

ADDRESS_LIMIT = parse("20 per 15 minutes")
ACCOUNT_LIMIT = parse("5 per 15 minutes")
EXTENSION = "wastematch.sign_in_throttle"


class LimiterThrottle:
    """The ``Throttle`` of the sign-in service, on a Flask-Limiter's storage (moving windows)."""

    def __init__(self, limiter: Limiter) -> None:
        self.limiter = limiter

    def _checks(self, account: str, address: str):
        return ((ADDRESS_LIMIT, ("signin-address", address)), (ACCOUNT_LIMIT, ("signin-account", account)))

    def retry_after(self, account: str, address: str) -> int | None:
        """Seconds until the earliest failure counted against an exhausted limit expires, else None."""
        waits = []
        for limit, keys in self._checks(account, address):
            if not self.limiter.limiter.test(limit, *keys):
                reset = self.limiter.limiter.get_window_stats(limit, *keys).reset_time
                waits.append(max(1, math.ceil(reset - time.time())))
        return max(waits) if waits else None

    def failed(self, account: str, address: str) -> None:
        """Count one failure against both limits."""
        for limit, keys in self._checks(account, address):
            self.limiter.limiter.hit(limit, *keys)

    def reset(self) -> None:
        """Forget every count (tests; an operator after a false alarm)."""
        self.limiter.reset()


def init_sign_in_throttle(app: Flask) -> None:
    """Give the app its throttle (storage from ``WASTEMATCH_RATELIMIT_STORAGE``, memory otherwise)."""
    storage = os.environ.get("WASTEMATCH_RATELIMIT_STORAGE") or "memory://"
    limiter = Limiter(key_func=lambda: request.remote_addr or "unknown", app=app, storage_uri=storage,
                      strategy="moving-window", headers_enabled=False)
    app.extensions[EXTENSION] = LimiterThrottle(limiter)
    app.after_request(_retry_after_header)


def sign_in_throttle() -> LimiterThrottle:
    """The app's throttle."""
    return current_app.extensions[EXTENSION]


def client(channel: str) -> Client:
    """The requesting client as the sign-in service and the audit see it."""
    return Client(address=request.remote_addr or "unknown", user_agent=request.user_agent.string or "",
                  channel=channel)


def note_retry_after(seconds: int) -> None:
    """Have this request's 429 answer carry ``Retry-After`` (the API raises; its error handler builds the body)."""
    g.retry_after = seconds


def _retry_after_header(response: Response) -> Response:
    seconds = g.get("retry_after")
    if response.status_code == 429 and seconds:
        response.headers.setdefault("Retry-After", str(int(seconds)))
    return response
