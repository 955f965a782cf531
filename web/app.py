"""The Flask application factory."""
from __future__ import annotations

from typing import Any

from flask import Flask

from .config import Settings
from .database import init_database
from .errors import register_error_handlers


def create_app(config: Settings | dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` is a ``Settings``, a dict of overrides, or None for the environment."""
    settings = config if isinstance(config, Settings) else Settings.from_env(**(config or {}))
    app = Flask("web", instance_path=str(settings.instance_path), instance_relative_config=False)
    app.config.update(SECRET_KEY=settings.secret_key, DATABASE_URL=settings.database_url,
                      JSON_AS_ASCII=False,
                      # The pages' sign-in cookie: not readable by scripts, not sent on cross-site POSTs.
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    app.json.ensure_ascii = False  # Chinese stays readable in API responses
    init_database(app, settings.database_url)
    register_error_handlers(app)

    from .api import init_api

    init_api(app)

    from .health import bp as health_bp
    from .pages import bp as pages_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(pages_bp)
    return app
