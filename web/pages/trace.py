"""Trace pages: the whole path of a container, manifest or ledger batch (一单全程跟踪)."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from marketplace.errors import NotFound
from marketplace.services.traceability.trace import MAX_CODE_LENGTH, trace

from ..database import db_session
from ..i18n import localise_message
from . import bp
from .auth import page_principal, signed_in


@bp.get("/trace")
@signed_in
def trace_form():
    """Enter or scan a code; ``?code=`` goes to its trace."""
    code = (request.args.get("code") or "").strip()
    if code:
        # Whole, not cut to the limit: what was cut off may have been all that made it another code than the
        # one left, and a code beyond the limit is 404 for the trace as for the API (it already fitted this URL).
        return redirect(url_for("pages.trace_page", code=code))
    return render_template("trace.html", doc=None, code="", error=None)


@bp.get("/trace/<path:code>")
@signed_in
def trace_page(code: str):
    """The path of one code as a bilingual timeline (404 with the form again when unknown or not visible)."""
    try:
        doc = trace(db_session(), page_principal(), code)
    except NotFound as exc:
        return render_template("trace.html", doc=None, code=code[:MAX_CODE_LENGTH],
                               error=localise_message(exc.message)), 404
    depth: dict[int, int] = {}
    for node in doc["nodes"]:
        depth[node["index"]] = 0 if node["parent"] is None else min(depth[node["parent"]] + 1, 8)
    return render_template("trace.html", doc=doc, code=doc["query"], error=None, depth=depth)
