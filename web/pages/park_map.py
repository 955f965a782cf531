"""The park map (园区地图): enterprises, listings, flows and loops over the district outlines, drawn
server-side as inline SVG (``web.map_drawing``) with a table of the same data; and a shipment's route
on the shipment page (the template global ``shipment_route_map``).

What each user sees is the service's business (``reports.map_data``); the page only picks the park,
draws and labels in the page's language. ``web/static/map.js`` adds pan, zoom and tap-for-details.
"""
from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from marketplace.errors import DomainError, NotFound
from marketplace.services.reports.map_data import ParkMap, map_parks, park_map, route_km, shipment_route

from ..database import db_session
from ..i18n import loc, one_language
from ..map_drawing import Drawing, TileLayer, configured_tiles, csp_with_tiles, draw
from . import bp
from .auth import page_principal, signed_in
from .common import park_options

ROLE_KEYS = ("offers", "needs", "both", "none")
CSP_HEADER = "Content-Security-Policy"


@bp.record_once
def _read_tile_settings(state: Any) -> None:
    # At start-up, so that a mistyped WASTEMATCH_MAP_TILES stops the app instead of drawing half a map.
    state.app.config["MAP_TILES"] = configured_tiles()


@bp.after_app_request
def _allow_tiles(response: Any) -> Any:
    """With a tile layer configured (only then), the browser may load images from its host: the app's CSP
    (``web.app``, set after this hook with ``setdefault``) gets that origin in ``img-src``."""
    tiles = map_tiles()
    if tiles is not None and CSP_HEADER not in response.headers:
        from ..app import CONTENT_SECURITY_POLICY  # the app module imports the pages; not at import time

        response.headers[CSP_HEADER] = csp_with_tiles(CONTENT_SECURITY_POLICY, tiles)
    return response


def role_labels() -> dict[str, str]:
    """What a point's colour means, in the page's language."""
    return {"offers": _("Offers only"), "needs": _("Needs only"), "both": _("Offers and needs"),
            "none": _("Nothing listed")}


def map_tiles() -> TileLayer | None:
    """The tile layer the app was started with (``WASTEMATCH_MAP_TILES``), or None."""
    return current_app.config.get("MAP_TILES")


def point_label(point: Any) -> str:
    """A point's name in the page's language: the enterprise's name (Chinese) or ref (English), or "other
    enterprises" for a cell of anonymised listings."""
    return loc(point.label_zh, point.label_en)


def map_context(data: ParkMap, dom_id: str) -> dict[str, Any]:
    """What ``_map.html`` needs to draw ``data``."""
    drawing: Drawing = draw(data, map_tiles())
    names = {p.key: point_label(p) for p in data.points}
    return {"data": data, "drawing": drawing, "mid": dom_id, "names": names, "roles": role_labels(),
            "one_language": one_language}


@bp.get("/map")
@signed_in
def park_map_page():
    """The map of the chosen park (default: the user's first; an enterprise's own park)."""
    principal, session = page_principal(), db_session()
    parks = map_parks(session, principal)
    code = (request.args.get("park") or "").strip()[:16] or (parks[0].code if parks else "")
    context: dict[str, Any] = {"parks": parks, "park_choices": park_options(parks), "code": code, "error": None}
    if not parks:
        return render_template("map.html", **context)
    try:
        data = park_map(session, principal, code)
    except DomainError as exc:
        return render_template("map.html", **{**context, "error": exc}), exc.status
    context.update(map_context(data, "parkmap"))
    return render_template("map.html", **context)


@bp.app_template_global()
def shipment_route_map(shipment_id: int) -> Markup:
    """The route of a shipment as a small map (empty when the user may not see it)."""
    principal = page_principal()
    if principal is None:
        return Markup("")
    try:
        data = shipment_route(db_session(), principal, shipment_id)
    except NotFound:
        return Markup("")
    context = map_context(data, f"route{shipment_id}")
    return Markup(render_template("_map.html", compact=True, route_km=route_km(data), **context))
