"""Limits on what a request may send: body size, and JSON that the server can read without harm.

- Every body is capped by ``MAX_CONTENT_LENGTH`` (uploads: ``WASTEMATCH_MAX_UPLOAD_MB``, default 8 MB);
  a JSON body by the smaller ``WASTEMATCH_MAX_JSON_MB`` (default 4 MB: a ledger import of 5,000 rows is
  about 2 MB). Past the limit the answer is 413, before the body is read whole.
- A JSON body is read once here, before any view, by :func:`read_json_body`: what Python's ``json``
  would turn into a 500 (nesting deep enough to exhaust the recursion limit, an integer of thousands of
  digits, invalid UTF-8) or store and fail on later (a lone surrogate such as ``"\\ud800"``, which no
  database can encode), and what JSON itself does not allow (``NaN``, ``Infinity``, a body that is not
  one object), is a 400 in the error shape. Views then parse the same bytes (webargs) without surprise.
"""
from __future__ import annotations

import json
import os
import re
from typing import Any

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

ENV_MAX_UPLOAD_MB = "WASTEMATCH_MAX_UPLOAD_MB"
ENV_MAX_JSON_MB = "WASTEMATCH_MAX_JSON_MB"
DEFAULT_MAX_UPLOAD_MB = 8.0  # a ledger or survey workbook at its row limit is well under 1 MB
DEFAULT_MAX_JSON_MB = 4.0  # a ledger import of 5,000 rows (its limit) is about 2 MB
JSON_LIMIT_KEY = "WASTEMATCH_MAX_JSON_BYTES"

# No field takes an integer longer than this; refusing longer ones keeps int() cheap (its cost grows
# with the square of the digits) and floats finite.
MAX_INTEGER_DIGITS = 30
# Deeper than any body the API takes (a listing's component rows are 3 levels down); checked after
# parsing, the recursion limit catches what is far deeper while parsing.
MAX_DEPTH = 32
# A JSON text can only hold a surrogate code point through a \uD800–\uDFFF escape (UTF-8 cannot encode
# one); only when such an escape occurs do the strings need looking at.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}|\\u[dD][c-fC-F][0-9a-fA-F]{2}")
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


class JsonBodyError(ValueError):
    """Why a JSON body cannot be used (bilingual), raised by :func:`read_json_body`."""


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise JsonBodyError(f"a number has more than {MAX_INTEGER_DIGITS} digits (数字位数过多)")
    return int(text)


def _refuse_constant(name: str) -> Any:
    raise JsonBodyError(f"{name} is not a JSON number (JSON 不允许 {name})")


def _check_strings(value: Any) -> None:
    """Refuse lone surrogates anywhere, keys and values (call after :func:`_too_deep`: it recurses)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise JsonBodyError("a string holds a lone surrogate \\uD800–\\uDFFF (字符串含有无效的代理字符)") from None
    elif isinstance(value, dict):
        for key, inner in value.items():
            _check_strings(key)
            _check_strings(inner)
    elif isinstance(value, list):
        for inner in value:
            _check_strings(inner)


def _too_deep(value: Any) -> bool:
    """Whether ``value`` nests more than ``MAX_DEPTH`` levels (level by level, looking only at containers)."""
    level = [value] if isinstance(value, (dict, list)) else []
    for _ in range(MAX_DEPTH):
        level = [v for c in level for v in (c.values() if isinstance(c, dict) else c) if isinstance(v, (dict, list))]
        if not level:
            return False
    return True


def read_json_body(data: bytes) -> Any:
    """The JSON object in ``data``, or :class:`JsonBodyError` saying why it cannot be used.

    Strict UTF-8; no NaN/Infinity; integers of at most ``MAX_INTEGER_DIGITS`` digits; nesting of at
    most ``MAX_DEPTH`` levels; no lone surrogates; the top level must be an object.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonBodyError(f"the body is not valid UTF-8 at byte {exc.start} (请求内容不是有效的 UTF-8)") from None
    try:
        value = json.loads(text, parse_int=_parse_int, parse_constant=_refuse_constant)
    except JsonBodyError:
        raise
    except RecursionError:
        raise JsonBodyError(f"nested more than {MAX_DEPTH} levels deep (嵌套层数过多)") from None
    except ValueError as exc:  # JSONDecodeError, and int()'s own digit limit
        raise JsonBodyError(f"not valid JSON: {str(exc)[:200]} (不是有效的 JSON)") from None
    if not isinstance(value, dict):
        raise JsonBodyError(f"the body must be a JSON object, not {type(value).__name__} (请求内容须为 JSON 对象)")
    if _too_deep(value):
        raise JsonBodyError(f"nested more than {MAX_DEPTH} levels deep (嵌套层数过多)")
    if _SURROGATE_ESCAPE.search(text):
        _check_strings(value)
    return value


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
