"""HTML pages (Chinese first, English alongside), with a minimal browser sign-in.

Signing in (``/signin``) checks the email and password with ``accounts.authenticate`` and
keeps only the user id in Flask's signed session cookie (HttpOnly, SameSite=Lax: see
``web.app``); each request rebuilds the principal from it as a bearer token would
(``accounts.resolve_session_user``), so a disabled account is signed out at once. Every
POST form carries the session's CSRF token (``csrf_token``); a POST without it, or with
another, is 400. Pages that need a user redirect to ``/signin?next=…`` (only local paths
are followed back).
"""
from __future__ import annotations

import datetime as dt
import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, jsonify, redirect, render_template, request, session, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from marketplace.errors import DomainError, NotFound, Unauthorized, ValidationFailed
from marketplace.models import Park
from marketplace.services.accounts import Principal, authenticate, resolve_session_user
from marketplace.services.overview import catalog_counts, park_overview
from marketplace.services.reports import build_report
from marketplace.services.trace import MAX_CODE_LENGTH, trace

from .api.reports import report_response
from .database import db_session

bp = Blueprint("pages", __name__)

CSRF_KEY = "csrf_token"
USER_KEY = "user_id"
DEFAULT_NEXT = "/trace"


@bp.get("/")
def index():
    """The park overview: who is in each park and what they offer and need."""
    session_ = db_session()
    return render_template("index.html", parks=park_overview(session_), catalog=catalog_counts(session_))


# --- sign-in ---------------------------------------------------------------------------------------

def csrf_token() -> str:
    """The session's CSRF token (created on first use), for the hidden field of every POST form."""
    token = session.get(CSRF_KEY)
    if not token:
        token = session[CSRF_KEY] = secrets.token_urlsafe(32)
    return token


@bp.app_context_processor
def _template_globals() -> dict[str, Any]:
    return {"csrf_token": csrf_token, "signed_in_email": session.get("email")}


@bp.before_request
def _check_csrf() -> None:
    """Every POST form of the pages must carry the session's token."""
    if request.method == "POST":
        sent, kept = request.form.get(CSRF_KEY, ""), session.get(CSRF_KEY, "")
        if not sent or not kept or not hmac.compare_digest(sent, kept):
            abort(400, description="the form's CSRF token is missing or wrong: reload the page "
                                   "(表单已失效，请刷新页面)")


def safe_next(value: str | None) -> str:
    """``value`` if it is a path on this site (``/…``, not ``//host`` nor a URL), else the default page."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return DEFAULT_NEXT
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in value):
        return DEFAULT_NEXT
    return value


def page_principal() -> Principal | None:
    """The signed-in user's principal, or None (a vanished or disabled account is signed out)."""
    user_id = session.get(USER_KEY)
    if user_id is None:
        return None
    try:
        return resolve_session_user(db_session(), user_id)
    except Unauthorized:
        session.clear()
        return None


def _to_signin() -> Response:
    target = request.full_path.rstrip("?") if request.query_string else request.path
    return redirect(url_for("pages.signin", next=target))


@bp.get("/signin")
def signin():
    """The sign-in form."""
    return render_template("signin.html", email="", error=None, next=safe_next(request.args.get("next")))


@bp.post("/signin")
def signin_post():
    """Check the email and password; on success keep the user id in the session and go to ``next``."""
    email = request.form.get("email", "").strip()[:200]
    password = request.form.get("password", "")
    target = safe_next(request.form.get("next"))
    db = db_session()
    try:
        user = authenticate(db, email, password)
    except Unauthorized as exc:
        return render_template("signin.html", email=email, error=exc.message, next=target), 401
    db.commit()  # last_login_at
    session.clear()  # a fresh session (and CSRF token) for the signed-in user: no fixation
    session[USER_KEY], session["email"] = user.id, user.email
    csrf_token()
    return redirect(target)


@bp.post("/signout")
def signout():
    """Forget the signed-in user."""
    session.clear()
    return redirect(url_for("pages.signin"))


# --- trace -----------------------------------------------------------------------------------------

@bp.get("/trace")
def trace_form():
    """Enter or scan a code; ``?code=`` goes to its trace."""
    principal = page_principal()
    if principal is None:
        return _to_signin()
    code = (request.args.get("code") or "").strip()
    if code:
        return redirect(url_for("pages.trace_page", code=code[:MAX_CODE_LENGTH]))
    return render_template("trace.html", doc=None, code="", error=None)


@bp.get("/trace/<path:code>")
def trace_page(code: str):
    """The path of one code as a bilingual timeline (404 with the form again when unknown or not visible)."""
    principal = page_principal()
    if principal is None:
        return _to_signin()
    try:
        doc = trace(db_session(), principal, code)
    except NotFound as exc:
        return render_template("trace.html", doc=None, code=code[:MAX_CODE_LENGTH], error=exc.message), 404
    depth: dict[int, int] = {}
    for node in doc["nodes"]:
        depth[node["index"]] = 0 if node["parent"] is None else min(depth[node["parent"]] + 1, 8)
    return render_template("trace.html", doc=doc, code=doc["query"], error=None, depth=depth)


# --- reports ---------------------------------------------------------------------------------------

REPORT_FORMATS = ("html", "xlsx", "csv", "json")


def _report_form_values() -> dict[str, str]:
    return {k: (request.args.get(k) or "").strip()[:16] for k in ("park", "from", "to")}


def _parse_day(value: str, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{name}: not a date YYYY-MM-DD (日期格式应为 YYYY-MM-DD)",
                               {name: [f"not a date: {value!r}"]}) from None


def _report_parks(principal: Principal) -> list[Park]:
    stmt = select(Park).order_by(Park.code)
    if not principal.is_admin:
        stmt = stmt.where(Park.id.in_(principal.park_ids))
    return list(db_session().scalars(stmt))


@bp.get("/reports")
def reports_page():
    """Coordinators choose a park and period; the report opens as its own page (or downloads)."""
    principal = page_principal()
    if principal is None:
        return _to_signin()
    if not (principal.is_admin or principal.is_coordinator):
        return render_template("reports.html", parks=[], values={}, error="报告仅限园区管理者查看 "
                               "Reports are for park coordinators and admins", allowed=False), 403
    return render_template("reports.html", parks=_report_parks(principal), values=_report_form_values(),
                           error=None, allowed=True)


@bp.get("/reports/view")
def report_view():
    """The report of the chosen park and period: the self-contained HTML page, or a download (``format``)."""
    principal = page_principal()
    if principal is None:
        return _to_signin()
    values = _report_form_values()
    fmt = request.args.get("format", "html")
    fmt = fmt if fmt in REPORT_FORMATS else "html"
    db = db_session()
    try:
        doc = build_report(db, principal, park=values["park"] or None, start=_parse_day(values["from"], "from"),
                           end=_parse_day(values["to"], "to"))
    except DomainError as exc:
        allowed = principal.is_admin or principal.is_coordinator
        detail = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in exc.errors.items())
        return render_template("reports.html", parks=_report_parks(principal) if allowed else [], values=values,
                               error=f"{exc.message} — {detail}" if detail else exc.message,
                               allowed=allowed), exc.status
    finally:
        db.rollback()
    if fmt != "json":
        return report_response(doc, fmt)
    res = jsonify(doc)  # a download here, not the API's body
    res.headers["Content-Disposition"] = "attachment; filename=wastematch-report.json"
    return res
