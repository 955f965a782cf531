"""``/healthz``: is the process up, can it reach its database, is the schema current."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from marketplace.db import head_revision, schema_revision

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 with the schema revision when healthy; 503 naming the problem otherwise."""
    engine = current_app.extensions["wastematch.engine"]
    try:
        revision = schema_revision(engine)  # connects: an unreachable database raises here
    except Exception as exc:  # noqa: BLE001 - any database failure means unhealthy
        return jsonify({"status": "error", "database": "unreachable", "detail": str(exc)[:200]}), 503
    head = head_revision()
    body = {"status": "ok" if revision == head else "error", "database": engine.dialect.name,
            "schema_revision": revision, "schema_head": head}
    if revision != head:
        body["detail"] = "schema is not current: run `wastematch init`"
        return jsonify(body), 503
    return jsonify(body)
