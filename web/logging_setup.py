"""Logs an operator can read and a log collector can parse: one line per request, one per error.

``configure_logging`` sets the process's log format (``WASTEMATCH_LOG_FORMAT=json|text``, JSON by
default under ``wastematch serve``); ``init_request_logging`` makes the app write, for every request,
one line on the ``wastematch.access`` logger (method, path, status, milliseconds, user id, request id)
and every other record logged while a request is handled (the error handler's "unhandled error" with
its traceback) carries the same request id, method, path and user id. The request id is the caller's ``X-Request-ID`` when it is a sane token (a reverse proxy's),
else a new one; it is sent back in the response's ``X-Request-ID``.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import sys
import time
import uuid
from typing import IO, Any

from flask import Flask, g, has_request_context, request
from werkzeug.wrappers import Response

ENV_LOG_FORMAT = "WASTEMATCH_LOG_FORMAT"
LOG_FORMATS = ("json", "text")
ACCESS_LOGGER = "wastematch.access"
REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# The record attributes every LogRecord has: what is left in ``__dict__`` are the ``extra`` fields.
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
        }
        out.update({k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS and not k.startswith("_")})
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level logger message key=value …``: for a person reading a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS and not k.startswith("_")}
        if extra:
            # The traceback (if any) ends the base line: the fields go on its first line.
            first, sep, rest = line.partition("\n")
            line = first + " " + " ".join(f"{k}={v}" for k, v in extra.items()) + sep + rest
        return line


def log_format(value: str | None = None) -> str:
    """The chosen format (``json`` unless ``WASTEMATCH_LOG_FORMAT`` or ``value`` says ``text``)."""
    chosen = (value or os.environ.get(ENV_LOG_FORMAT) or "json").strip().lower()
    if chosen not in LOG_FORMATS:
        raise ValueError(f"{ENV_LOG_FORMAT} must be one of {', '.join(LOG_FORMATS)}: {chosen!r}")
    return chosen


def configure_logging(fmt: str | None = None, stream: IO[str] | None = None,
                      level: int = logging.INFO) -> logging.Handler:
    """Send the process's logs (the root logger) to ``stream`` (stderr) in ``fmt``; returns the handler.

    Replaces a handler this function installed before, so calling it twice does not double the lines.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(_with_request)
    handler.setFormatter(JsonFormatter() if log_format(fmt) == "json" else TextFormatter())
    handler._wastematch = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_wastematch", False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Alembic says "Context impl …" each time the schema revision is read (every /healthz): not news.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    return handler


def request_id() -> str | None:
    """The id of the current request (the one in its log lines and its ``X-Request-ID``)."""
    return g.get("request_id")


def _user_id() -> int | None:
    principal = g.get("principal") or g.get("page_principal")
    return getattr(principal, "user_id", None)


def _with_request(record: logging.LogRecord) -> bool:
    """Give a record logged while handling a request that request's id, method, path and user."""
    if has_request_context() and not hasattr(record, "request_id"):
        record.request_id, record.method, record.path = g.get("request_id"), request.method, request.path
        record.user_id = _user_id()
    return True


def init_request_logging(app: Flask) -> None:
    """Log one line per request (see the module docstring)."""
    access = logging.getLogger(ACCESS_LOGGER)

    @app.before_request
    def _start() -> None:
        g.request_started = time.perf_counter()
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = sent if _SANE_REQUEST_ID.match(sent) else uuid.uuid4().hex

    @app.after_request
    def _log(response: Response) -> Response:
        started = g.get("request_started")
        rid = g.get("request_id") or uuid.uuid4().hex
        response.headers[REQUEST_ID_HEADER] = rid
        if access.isEnabledFor(logging.INFO):
            ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
            access.info("%s %s %s", request.method, request.path, response.status_code,
                        extra={"method": request.method, "path": request.path, "status": response.status_code,
                               "ms": ms, "user_id": _user_id(), "request_id": rid,
                               "remote_addr": request.remote_addr})
        return response
