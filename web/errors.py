"""The one place that turns errors into the JSON error shape of DESIGN."""
from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from marketplace.errors import DomainError

from .request_limits import too_large_message
from .schema_messages import bilingual_errors


def error_body(code: int, message: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    """``{"code", "status", "message", "errors"}`` — the shape every API error has."""
    return {"code": code, "status": HTTPStatus(code).phrase, "message": message, "errors": errors or {}}


def _summary(code: int, errors: dict[str, Any]) -> str | None:
    """``invalid input: json.quantity_t: must be …`` — the first failing field, for people reading logs."""
    def first(prefix: str, value: Any) -> str | None:
        if isinstance(value, dict):
            for key, inner in value.items():
                found = first(f"{prefix}.{key}" if prefix else str(key), inner)
                if found:
                    return found
            return None
        if isinstance(value, list) and value and isinstance(value[0], str):
            return f"{prefix}: {value[0]}"
        return None

    if code != 422 or not errors:
        return None
    found = first("", errors)
    return f"invalid input (输入有误): {found}" if found else None


def _error_page(exc: HTTPException):
    """The page's error in the page's language (a description set by the view, e.g. the CSRF one, is kept)."""
    code = exc.code or 500
    titles = {400: _("The request could not be used"), 403: _("Not for your role"),
              404: _("Not found"), 405: _("Not allowed here"), 413: _("The upload is too large")}
    default = type(exc).description
    limit_mb = f"{(current_app.config.get('MAX_CONTENT_LENGTH') or 0) / 2**20:.3g}"
    description = exc.description if exc.description != default else {
        404: _("It does not exist or is not yours to see."),
        405: _("This address does not take that kind of request."),
        413: _("What was sent is larger than %(mb)s MB. Send a smaller file, or split it.", mb=limit_mb),
    }.get(code, "")
    if exc.response is not None or code < 400:
        return exc  # redirects and ready-made responses pass through
    return render_template("http_error.html", code=code, title=titles.get(code, HTTPStatus(code).phrase),
                           description=description), code


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register_error_handlers(app: Flask) -> None:
    """Domain errors and HTTP errors become JSON for the API (and for clients asking for JSON)."""

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        headers = {"WWW-Authenticate": 'Bearer realm="wastematch"'} if exc.status == 401 else {}
        return jsonify(error_body(exc.status, exc.message, bilingual_errors(exc.errors))), exc.status, headers

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if not _wants_json():
            return _error_page(exc)
        code = exc.code or 500
        data = getattr(exc, "data", None) or {}
        # webargs (flask-smorest's request parsing) puts validation messages, by location and field, here.
        errors = bilingual_errors(data.get("errors") or data.get("messages") or {})
        description = exc.description
        if isinstance(exc, RequestEntityTooLarge) and description == RequestEntityTooLarge.description:
            description = too_large_message(current_app.config.get("MAX_CONTENT_LENGTH"))  # werkzeug's is English
        message = data.get("message") or _summary(code, errors) or description or HTTPStatus(code).phrase
        return jsonify(error_body(code, message, errors)), code, data.get("headers") or {}

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        if not _wants_json():
            try:
                return render_template("http_error.html", code=500, title=_("Something went wrong"),
                                       description=_("The error has been logged. Try again, or tell the park's "
                                                     "administrator what you were doing.")), 500
            except Exception:  # noqa: BLE001 - the page itself failed (e.g. the database is down)
                return "Internal Server Error / 服务器内部错误", 500
        return jsonify(error_body(500, "internal error; it has been logged (服务器内部错误，已记录)")), 500
