"""``/shipments``: transfers of approved matches with electronic manifests (转移联单) and container codes."""
from __future__ import annotations

from flask_smorest import Blueprint

URL_PREFIX = "/shipments"
blp = Blueprint("shipments", __name__, description="Shipments and electronic manifests (转移联单)")
