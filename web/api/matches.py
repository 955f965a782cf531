"""API resource module; see web/api/__init__.py."""
from __future__ import annotations

from flask_smorest import Blueprint

URL_PREFIX = "/matches"
blp = Blueprint("matches", __name__)
