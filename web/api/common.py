"""What every resource module shares: the error schema, pagination and the request's principal."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from flask import g, request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, pre_load, validate
from sqlalchemy import Select
from sqlalchemy.orm import Session

from marketplace.db import page_rows
from marketplace.errors import Forbidden, Unauthorized, ValidationFailed
from marketplace.services.accounts.users import Principal, resolve_token

from ..database import db_session

MAX_PER_PAGE = 100
ROLE_ZH = {"enterprise": "企业用户", "coordinator": "园区管理者", "admin": "系统管理员"}


class ErrorSchema(Schema):
    """The one error shape: ``{"code", "status", "message", "errors"}``."""

    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(required=True)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False

# For single text arguments; ``RejectsNul`` checks a whole body.
NO_NUL = validate.Regexp(r"\A[^\x00]*\Z", error="must not contain NUL characters (不得包含空字符)")


def utc_argument(value: dt.datetime, name: str = "since") -> dt.datetime:
    """A parsed date-time argument in UTC; one beyond the representable range is a 422 naming it."""
    try:
        return value.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):
        raise ValidationFailed(f"{name} is out of range ({name} 超出范围)",
                               {name: ["out of range (超出范围)"]}) from None


class RejectsNul:
    """Schema mixin (put it first): no string anywhere in the input may contain NUL.

    PostgreSQL refuses NUL in text and JSON, so such input would otherwise end as a 500, not a 422.
    """

    @pre_load
    def _no_nul(self, data: Any, **_: Any) -> Any:
        if isinstance(data, Mapping):
            bad = sorted(str(k) for k in data if _has_nul(k) or _has_nul(data[k]))
            if bad:
                raise ValidationError({k: ["must not contain NUL characters (不得包含空字符)"] for k in bad})
        return data


class PageArgs(Schema):
    """``?page=&per_page=`` on every list."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class PageMeta(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


def page_of(item: type[Schema] | Schema, name: str) -> type[Schema]:
    """A page envelope ``{"items": [...], "page", "per_page", "total", "pages"}`` of ``item``."""
    return type(name, (PageMeta,), {"items": fields.List(fields.Nested(item), required=True)})


def paginate(session: Session, stmt: Select, args: dict[str, Any],
             transform: Callable[[list[Any]], list[Any]] | None = None) -> dict[str, Any]:
    """Run ``stmt`` for one page; ``transform`` turns the rows into what the page shows."""
    page, per_page = args.get("page", 1), args.get("per_page", 20)
    rows, total = page_rows(session, stmt, page, per_page)
    return page_dict(transform(rows) if transform else rows, page, per_page, total)


def page_dict(items: list[Any], page: int, per_page: int, total: int) -> dict[str, Any]:
    """The page envelope around already-selected ``items``."""
    return {"items": items, "page": page, "per_page": per_page, "total": total,
            "pages": max(1, math.ceil(total / per_page)) if per_page else 1}


def slice_page(items: list[Any], args: dict[str, Any]) -> dict[str, Any]:
    """One page of an in-memory list (for results computed rather than queried)."""
    page, per_page = args.get("page", 1), args.get("per_page", 20)
    return page_dict(items[(page - 1) * per_page: page * per_page], page, per_page, len(items))


def current_principal() -> Principal:
    """The principal of this request's bearer token (``Unauthorized`` when there is none)."""
    if "principal" in g:
        return g.principal
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("authentication required: send Authorization: Bearer <token> "
                           "(需要登录：请先获取令牌)", {"Authorization": ["missing bearer token (缺少令牌)"]})
    g.principal = resolve_token(db_session(), token.strip())
    return g.principal


def requires(blp: Blueprint, *roles: str) -> Callable:
    """Decorator: the caller must be signed in, and have one of ``roles`` if given.

    Place it above ``@blp.arguments`` so that 401 and 403 come before 422.
    """
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if roles and principal.role not in roles:
                needed = f"须为{'或'.join(ROLE_ZH.get(r, r) for r in roles)}"
                raise Forbidden(f"this needs the role {' or '.join(roles)}; you are {principal.role} "
                                f"(权限不足)", {"role": [f"requires {' or '.join(roles)} ({needed})"]})
            return view(*args, **kwargs)

        wrapper = blp.alt_response(401, schema=ErrorSchema, description="Not signed in / token invalid")(wrapper)
        if roles:
            wrapper = blp.alt_response(403, schema=ErrorSchema, description="Role not allowed")(wrapper)
        return wrapper
    return decorator


def documents_errors(blp: Blueprint, *codes: int) -> Callable:
    """Document the error responses (404, 409, 422 …) a view can give, in the one error shape."""
    def decorator(view: Callable) -> Callable:
        for code in codes:
            view = blp.alt_response(code, schema=ErrorSchema)(view)
        return view
    return decorator
