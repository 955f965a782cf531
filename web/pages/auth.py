"""Browser sign-in, the CSRF token of every form, and the guards of the pages.

Signing in (``/signin``) checks the email and password with ``sign_in.sign_in`` (throttled per
address and per account, locked after repeated failures, audited: see that module) and keeps the
user id and a server-side session key in Flask's signed session cookie (HttpOnly, SameSite=Lax, a
lifetime: see ``web.app``); each request resolves the key (``sign_in.resolve_session``), so signing
out, a password change or a disabled account ends the session at once, even for a copied cookie. Every
POST form carries the session's CSRF token (``csrf_token``); a POST without it, or with
another, is 400. Pages that need a user redirect to ``/signin?next=…`` (only local paths
are followed back).
"""
from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from marketplace.errors import Unauthorized
from marketplace.services.accounts import sign_in
from marketplace.services.accounts.users import Principal

from ..database import db_session, keep_changes
from ..i18n import LANG_KEY, LOCALES, localise_message
from ..sign_in_throttle import client, sign_in_throttle
from . import bp

CSRF_KEY = "csrf_token"
USER_KEY = "user_id"
SESSION_KEY = "session_key"


def csrf_token() -> str:
    """The session's CSRF token (created on first use), for the hidden field of every POST form."""
    token = session.get(CSRF_KEY)
    if not token:
        token = session[CSRF_KEY] = secrets.token_urlsafe(32)
    return token


@bp.app_context_processor
def _template_globals() -> dict[str, Any]:
    return {"csrf_token": csrf_token, "signed_in_email": session.get("email"), "principal": g.get("page_principal")}


@bp.before_request
def _refuse_nul() -> None:
    """No page takes a NUL character (PostgreSQL cannot store one): refused, naming the field."""
    for source in (request.args, request.form):
        for name, values in source.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                abort(400, description=_("The field %(name)s contains a NUL character; remove it and try again.",
                                         name=name.replace("\x00", "")[:60]))


@bp.before_request
def _check_csrf() -> None:
    """Every POST form of the pages must carry the session's token."""
    if request.method == "POST":
        sent, kept = request.form.get(CSRF_KEY, ""), session.get(CSRF_KEY, "")
        if not sent or not kept or not hmac.compare_digest(sent, kept):
            abort(400, description=_("The form has expired or was not sent from this site: reload the page "
                                     "and try again."))


def safe_next(value: str | None, default: str = "/") -> str:
    """``value`` if it is a path on this site (``/…``, not ``//host`` nor a URL), else ``default``."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in value):
        return default
    return value


def page_principal() -> Principal | None:
    """The signed-in user's principal, or None (a vanished or disabled account is signed out)."""
    if "page_principal" in g:
        return g.page_principal
    user_id = session.get(USER_KEY)
    principal = None
    if user_id is not None:
        try:
            principal = sign_in.resolve_session(db_session(), user_id, session.get(SESSION_KEY))
        except Unauthorized:
            _forget_user()
    g.page_principal = principal
    return principal


def _forget_user() -> None:
    """Clear the cookie's session but the language choice."""
    lang = session.get(LANG_KEY)
    session.clear()
    if lang:
        session[LANG_KEY] = lang


def to_signin() -> Response:
    """Redirect to the sign-in form, coming back here afterwards."""
    target = request.full_path.rstrip("?") if request.query_string else request.path
    return redirect(url_for("pages.signin", next=target))


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """The page needs a signed-in user (``g.page_principal``); others go to the sign-in form."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if page_principal() is None:
            return to_signin()
        return view(*args, **kwargs)
    return wrapper


def coordinators_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """The page is for park coordinators and admins: others see a 403 page saying so."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        principal = page_principal()
        if principal is None:
            return to_signin()
        if not (principal.is_admin or principal.is_coordinator):
            return render_template("forbidden.html",
                                   reason=_("This page is for park coordinators and administrators.")), 403
        return view(*args, **kwargs)
    return wrapper


def enterprises_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """The page is for enterprise users (it shows one enterprise's own data)."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        principal = page_principal()
        if principal is None:
            return to_signin()
        if principal.enterprise_id is None:
            return render_template("forbidden.html",
                                   reason=_("This page is for enterprise users: it shows one enterprise's own "
                                            "offers, needs and transfers.")), 403
        return view(*args, **kwargs)
    return wrapper


def home_of(principal: Principal) -> str:
    """Where a user lands after signing in: the enterprise dashboard or the park overview."""
    endpoint = "pages.park_home" if principal.is_admin or principal.is_coordinator else "pages.dashboard"
    return url_for(endpoint)


@bp.get("/signin")
def signin():
    """The sign-in form."""
    return render_template("signin.html", email="", error=None, next=safe_next(request.args.get("next"), ""))


@bp.post("/signin")
def signin_post():
    """Check the email and password; on success open a server-side session and go to ``next``.

    A refusal (401, or 429 with ``Retry-After`` when throttled or locked) keeps its audit and count.
    """
    email = request.form.get("email", "").strip()[:200]
    password = request.form.get("password", "")
    target = safe_next(request.form.get("next"), "")
    who = client("page")
    try:
        user = sign_in.sign_in(db_session(), email, password, who, throttle=sign_in_throttle())
    except sign_in.TooManyAttempts as exc:
        keep_changes()
        return render_template("signin.html", email=email, error=localise_message(exc.message), next=target), \
            429, {"Retry-After": str(exc.retry_after)}
    except Unauthorized as exc:
        keep_changes()
        return render_template("signin.html", email=email, error=localise_message(exc.message), next=target), 401
    key = sign_in.open_session(db_session(), user, who, lifetime=current_app.permanent_session_lifetime)
    lang = session.get(LANG_KEY)
    session.clear()  # a fresh session (and CSRF token) for the signed-in user: no fixation
    session.permanent = True  # the cookie expires (PERMANENT_SESSION_LIFETIME) instead of living forever
    session[USER_KEY], session[SESSION_KEY], session["email"] = user.id, key, user.email
    if lang:
        session[LANG_KEY] = lang
    csrf_token()
    g.pop("page_principal", None)
    return redirect(target or home_of(page_principal()))


@bp.post("/signout")
def signout():
    """End the session for good (server-side: a copy of the cookie no longer works); the language stays."""
    sign_in.close_session(db_session(), session.get(SESSION_KEY), client("page"))
    _forget_user()
    return redirect(url_for("pages.signin"))


@bp.get("/lang/<code>")
def switch_language(code: str):
    """The language switch: remember ``zh_CN`` or ``en`` and go back to the page."""
    if code not in LOCALES:
        abort(404)
    session[LANG_KEY] = code
    return redirect(safe_next(request.args.get("next"), "/"))
