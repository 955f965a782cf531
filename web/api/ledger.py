"""``/ledger``: the chemical flow ledger and its review findings (化学物质流向台账)."""
from __future__ import annotations

from flask_smorest import Blueprint

URL_PREFIX = "/ledger"
blp = Blueprint("ledger", __name__, description="Chemical flow ledger and findings (化学物质流向台账与核查问题)")
