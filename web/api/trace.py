"""``/trace``: the whole path of a container or a batch (全程追溯)."""
from __future__ import annotations

from flask_smorest import Blueprint

URL_PREFIX = "/trace"
blp = Blueprint("trace", __name__, description="Trace a container or batch (全程追溯)")
