"""Limits on what a request may send: body size, and JSON that the server can read without harm.

- Every body is capped by ``MAX_CONTENT_LENGTH`` (uploads: ``WASTEMATCH_MAX_UPLOAD_MB``, default 8 MB);
  a JSON body by the smaller ``WASTEMATCH_MAX_JSON_MB`` (default 4 MB: a ledger import of 5,000 rows is
  about 2 MB). Past the limit the answer is 413, before the body is read whole.
- A JSON body is read once here, before any view, by :func:`read_json_body`
  (``marketplace.schemas.json_text``): JSON that Python's ``json`` would turn into a 500 or store and fail
  on later, or that JSON itself does not allow, and a body that is not one object, is a 400 in the error
  shape. Views then parse the same bytes (webargs) without surprise.
"""
from __future__ import annotations

import os
from typing import Any

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from marketplace.schemas.json_text import JsonTextError as JsonBodyError
from marketplace.schemas.json_text import read_json

__all__ = ["JsonBodyError", "check_json_body", "init_request_limits", "read_json_body", "too_large_message"]

ENV_MAX_UPLOAD_MB = "WASTEMATCH_MAX_UPLOAD_MB"
ENV_MAX_JSON_MB = "WASTEMATCH_MAX_JSON_MB"
DEFAULT_MAX_UPLOAD_MB = 8.0  # a ledger or survey workbook at its row limit is well under 1 MB
DEFAULT_MAX_JSON_MB = 4.0  # a ledger import of 5,000 rows (its limit) is about 2 MB
JSON_LIMIT_KEY = "WASTEMATCH_MAX_JSON_BYTES"

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _megabytes(name: str, default: float) -> int:
    """``name`` in the environment as a size in MB (default ``default``), in bytes; nonsense is refused."""
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number of megabytes") from None
    if not 0 < value <= 1024:
        raise ValueError(f"{name}={raw!r}: give a size above 0 and at most 1024 MB")
    return int(value * 2**20)


def max_upload_bytes() -> int:
    """The largest request body (``MAX_CONTENT_LENGTH``): ``WASTEMATCH_MAX_UPLOAD_MB``, default 8 MB."""
    return _megabytes(ENV_MAX_UPLOAD_MB, DEFAULT_MAX_UPLOAD_MB)


def max_json_bytes() -> int:
    """The largest JSON body: ``WASTEMATCH_MAX_JSON_MB`` (default 4 MB), never above the upload limit."""
    return min(_megabytes(ENV_MAX_JSON_MB, DEFAULT_MAX_JSON_MB), max_upload_bytes())


def read_json_body(data: bytes) -> dict[str, Any]:
    """The JSON object of a request body, or :class:`JsonBodyError` (see :func:`read_json`)."""
    return read_json(data, object_only=True)


def _is_json() -> bool:
    mimetype = request.mimetype
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def check_json_body() -> None:
    """Before every view: cap a JSON body at the JSON limit and refuse one that cannot be used (400)."""
    if request.method not in BODY_METHODS or not _is_json():
        return
    limit = min(current_app.config[JSON_LIMIT_KEY], current_app.config.get("MAX_CONTENT_LENGTH") or 2**62)
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(too_large_message(limit))
    # A chunked body has no length to check first: read at most one byte past the limit (werkzeug's stream
    # stops there silently), and refuse it if that byte came.
    request.max_content_length = limit + 1
    data = request.get_data(cache=True)
    if len(data) > limit:
        raise RequestEntityTooLarge(too_large_message(limit))
    if not data:
        return  # no body: the view's schema says what is missing
    try:
        read_json_body(data)
    except JsonBodyError as exc:
        error = BadRequest(f"invalid JSON body (请求的 JSON 无法读取): {exc}")
        error.data = {"errors": {"json": [str(exc)]}}  # type: ignore[attr-defined] # read by web.errors
        raise error from None


def too_large_message(limit: int | None) -> str:
    """The 413's message (bilingual), naming the limit."""
    if not limit:
        return "the request body is too large (请求内容过大)"
    mb = f"{limit / 2**20:.3g}"
    return f"the request body is larger than {mb} MB (请求内容超过 {mb} MB)"


def init_request_limits(app: Flask) -> None:
    """Set the body limits of ``app`` (from the environment) and check JSON bodies before every view.

    Tests and operators may lower them afterwards in ``app.config`` (``MAX_CONTENT_LENGTH``,
    ``WASTEMATCH_MAX_JSON_BYTES``)."""
    app.config["MAX_CONTENT_LENGTH"] = max_upload_bytes()
    app.config[JSON_LIMIT_KEY] = max_json_bytes()
    app.before_request(check_json_body)
