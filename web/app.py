"""The Flask application factory."""
from __future__ import annotations

import datetime as dt
import os
from typing import Any

from flask import Flask, current_app, request, session
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from .ages import register_ages
from .config import AppConfig
from .database import init_database, make_views_transactional
from .errors import register_error_handlers
from .i18n import init_i18n
from .logging_setup import init_request_logging
from .request_limits import init_request_limits
from .sign_in_throttle import init_sign_in_throttle

# The pages load nothing from other hosts (no CDN, no web fonts): the browser is told so. Scripts come
# only from our own files (no inline script: an injected <script> does not run).
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                           "script-src 'self'; connect-src 'self'; font-src 'self' data:; "
                           "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'")
# Sent only where cookies are Secure (served over HTTPS): a year, this host only (a park's other hosts
# may still be plain HTTP).
STRICT_TRANSPORT_SECURITY = "max-age=31536000"
ENV_TRUSTED_PROXIES = "WASTEMATCH_TRUSTED_PROXIES"


def create_app(config: AppConfig | dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` is an ``AppConfig``, a dict of overrides, or None for the environment."""
    settings = config if isinstance(config, AppConfig) else AppConfig.from_env(**(config or {}))
    secret_key, random_key = settings.session_key()  # in production: ConfigError without a fixed key
    app = Flask("web", instance_path=str(settings.instance_path), instance_relative_config=False)
    if random_key:
        app.logger.warning("no WASTEMATCH_SECRET_KEY: a random key signs the sessions, so everyone is signed out "
                           "when this process stops (set one; `wastematch serve` requires it)")
    app.config.update(SECRET_KEY=secret_key, DATABASE_URL=settings.database_url,
                      WASTEMATCH_PRODUCTION=settings.production, JSON_AS_ASCII=False,
                      # The pages' sign-in cookie: not readable by scripts, not sent on cross-site POSTs,
                      # expiring after a working day; Secure where the app is served over HTTPS (set
                      # WASTEMATCH_SECURE_COOKIES=1 there; the demo serves plain HTTP on localhost).
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_NAME="wastematch_session",
                      SESSION_COOKIE_SECURE=os.environ.get("WASTEMATCH_SECURE_COOKIES", "") in ("1", "true"),
                      PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=10))
    app.json.ensure_ascii = False  # Chinese stays readable in API responses
    init_request_logging(app)
    init_database(app, settings.database_url)
    register_error_handlers(app)
    init_request_limits(app)  # body sizes and readable JSON, before any view
    init_i18n(app, settings.instance_path)
    register_ages(app)
    app.after_request(_security_headers)
    init_sign_in_throttle(app)

    from .api import init_api

    init_api(app)

    from .health import bp as health_bp
    from .pages import bp as pages_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(pages_bp)
    make_views_transactional(app)
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind N reverse proxies (``WASTEMATCH_TRUSTED_PROXIES=N``), take the client's address and scheme from
    their ``X-Forwarded-For`` / ``-Proto`` / ``-Host`` headers (never trusted otherwise: a client could forge them).
    """
    raw = os.environ.get(ENV_TRUSTED_PROXIES, "").strip() or "0"
    if not raw.isdigit():
        raise ValueError(f"{ENV_TRUSTED_PROXIES} must be a number of proxies: {raw!r}")
    if int(raw):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(raw), x_proto=int(raw), x_host=int(raw))  # type: ignore[method-assign]


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    if _private():
        # Another user of a shared computer or a proxy must not get a signed-in answer from a cache.
        response.headers["Cache-Control"] = "no-store"
    return response


def _private() -> bool:
    """Whether the answer may carry someone's data: any API answer, any answer to a signed-in page request."""
    if request.path.startswith("/api/") or request.path.startswith("/healthz"):
        return True
    if request.path.startswith("/static/"):
        return False
    return "Authorization" in request.headers or session.get("user_id") is not None
