"""``/alerts``: reconciliation alerts for coordinators (对账预警)."""
from __future__ import annotations

from flask_smorest import Blueprint

URL_PREFIX = "/alerts"
blp = Blueprint("alerts", __name__, description="Reconciliation alerts (对账预警)")
