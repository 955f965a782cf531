"""The one place that turns errors into the JSON error shape of DESIGN."""
from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from marketplace.errors import DomainError


def error_body(code: int, message: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    """``{"code", "status", "message", "errors"}`` — the shape every API error has."""
    return {"code": code, "status": HTTPStatus(code).phrase, "message": message, "errors": errors or {}}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register_error_handlers(app: Flask) -> None:
    """Domain errors and HTTP errors become JSON for the API (and for clients asking for JSON)."""

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        return jsonify(error_body(exc.status, exc.message, exc.errors)), exc.status

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if not _wants_json():
            return exc
        code = exc.code or 500
        return jsonify(error_body(code, exc.description or HTTPStatus(code).phrase)), code

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        if not _wants_json():
            return "Internal Server Error / 服务器内部错误", 500
        return jsonify(error_body(500, "internal error; it has been logged")), 500
