"""API resource module; see web/api/__init__.py."""
from __future__ import annotations

from flask_smorest import Blueprint

URL_PREFIX = "/notifications"
blp = Blueprint("notifications", __name__)
