"""The Flask application factory."""
from __future__ import annotations

import datetime as dt
import os
from typing import Any

from flask import Flask
from werkzeug.wrappers import Response

from .ages import register_ages
from .config import AppConfig
from .database import init_database, make_views_transactional
from .errors import register_error_handlers
from .i18n import init_i18n
from .request_limits import init_request_limits
from .sign_in_throttle import init_sign_in_throttle

# The pages load nothing from other hosts (no CDN, no web fonts): the browser is told so.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                           "script-src 'self' 'unsafe-inline'; connect-src 'self'; font-src 'self' data:; "
                           "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'")


def create_app(config: AppConfig | dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` is an ``AppConfig``, a dict of overrides, or None for the environment."""
    settings = config if isinstance(config, AppConfig) else AppConfig.from_env(**(config or {}))
    app = Flask("web", instance_path=str(settings.instance_path), instance_relative_config=False)
    app.config.update(SECRET_KEY=settings.secret_key, DATABASE_URL=settings.database_url,
                      JSON_AS_ASCII=False,
                      # The pages' sign-in cookie: not readable by scripts, not sent on cross-site POSTs,
                      # expiring after a working day; Secure where the app is served over HTTPS (set
                      # WASTEMATCH_SECURE_COOKIES=1 there; the demo serves plain HTTP on localhost).
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_NAME="wastematch_session",
                      SESSION_COOKIE_SECURE=os.environ.get("WASTEMATCH_SECURE_COOKIES", "") in ("1", "true"),
                      PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=10))
    app.json.ensure_ascii = False  # Chinese stays readable in API responses
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
    return app


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
