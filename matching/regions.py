"""Regions of a national run: boxes of offers small enough for one worker, with the needs they can reach.

A region is a *core* box (every offer whose site lies in it) and a *halo*: the needs whose own
reach (``max_distance_km`` or the default, divided by the road factor: great-circle km) meets the
core box (``Region.reaches``). ``halo_km``, the longest such reach, bounds the halo box a source
reads before that per-need test. So every need an offer of the core could legally reach is loaded
with it, and a region's candidates are those of the whole problem; a need no core reaches is in
no region (it cannot be in any arc).

``plan_regions`` cuts the occupied grid cells by recursive bisection (k-d style) until each
region holds at most ``max_offers`` offers. A ``RegionSource`` gives the counts and loads a
region's records; ``InMemorySource`` does it over lists (the local engine, tests, benchmarks),
the marketplace reads PostgreSQL region by region. Sources are picklable: a Dask worker
calls ``load`` itself, so the driver never holds every record.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .problem import EARTH_RADIUS_KM, LicenceRecord, NeedRecord, OfferRecord, PointToPointApproval, Settings

KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180.0
# A power of two: floor(lat / cell) and the box edges i × cell are exact in floating point, so an
# offer counted in a cell is always inside that cell's box.
CELL_DEG = 0.5
MIN_CELL_DEG = 1.0 / 64  # a cell is not refined below ~1.7 km: one site may hold more than max_offers
EDGE_MARGIN_DEG = 1e-9  # halo boxes widened by this much against rounding at their edges


@dataclass(frozen=True)
class Region:
    """A core box of offers (south ≤ lat < north, west ≤ lon < east) and the halo of needs it reaches."""

    key: str  # "R00", "R01", … in a stable order
    south: float
    north: float
    west: float
    east: float
    offers: int  # offers in the core (the source's count)
    halo_km: float  # great-circle km around the core box within which needs are loaded

    def contains(self, lat: float | np.ndarray, lon: float | np.ndarray) -> bool | np.ndarray:
        """Whether a point (or points, as arrays) lies in the core box."""
        return (self.south <= lat) & (lat < self.north) & (self.west <= lon) & (lon < self.east)

    def halo_box(self) -> tuple[float, float, float, float]:
        """(south, north, west, east): the core widened by ``halo_km`` on the sphere.

        Latitude widens by the arc; longitude by the widest it can be at the core's latitude
        farthest from the equator (asin(sin r / cos φ)); a box that reaches a pole, or whose
        longitudes would wrap, takes every longitude.
        """
        r = self.halo_km / EARTH_RADIUS_KM  # radians
        dlat = math.degrees(r) + EDGE_MARGIN_DEG
        south, north = self.south - dlat, self.north + dlat
        if south <= -90.0 or north >= 90.0:
            return max(south, -90.0), min(north, 90.0), -180.0, 180.0
        phi = math.radians(max(abs(self.south), abs(self.north)))
        ratio = math.sin(r) / math.cos(phi)
        if ratio >= 1.0:
            return south, north, -180.0, 180.0
        dlon = math.degrees(math.asin(ratio)) + EDGE_MARGIN_DEG
        west, east = self.west - dlon, self.east + dlon
        if west < -180.0 or east > 180.0:
            return south, north, -180.0, 180.0
        return south, north, west, east

    def in_halo(self, lat: float | np.ndarray, lon: float | np.ndarray) -> bool | np.ndarray:
        """Whether a point (or points) lies in the halo box (edges included)."""
        south, north, west, east = self.halo_box()
        return (south <= lat) & (lat <= north) & (west <= lon) & (lon <= east)

    def reaches(self, lat: np.ndarray, lon: np.ndarray, reach_km: np.ndarray) -> np.ndarray:
        """Whether each need at (lat, lon), reaching ``reach_km`` great-circle km, may reach the core box.

        The core widened by the need's own reach, as ``halo_box`` widens it by ``halo_km``: a
        superset of the points within ``reach_km`` of some point of the core, so a need left out
        cannot take any offer of the core. Needs outside the halo box are never in it (their
        reach is at most ``halo_km``).
        """
        lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
        r = np.minimum(np.asarray(reach_km, dtype=np.float64), self.halo_km) / EARTH_RADIUS_KM  # radians
        dlat = np.degrees(r) + EDGE_MARGIN_DEG
        near_lat = (self.south - dlat <= lat) & (lat <= self.north + dlat)
        phi = math.radians(max(abs(self.south), abs(self.north)))
        ratio = np.sin(r) / math.cos(phi)
        dlon = np.degrees(np.arcsin(np.minimum(ratio, 1.0))) + EDGE_MARGIN_DEG
        # As in halo_box: past a pole, a ratio ≥ 1 or a box wrapping ±180°, every longitude
        every = ((self.south - dlat <= -90.0) | (self.north + dlat >= 90.0) | (ratio >= 1.0)
                 | (self.west - dlon < -180.0) | (self.east + dlon > 180.0))
        near_lon = every | ((self.west - dlon <= lon) & (lon <= self.east + dlon))
        return near_lat & near_lon & np.asarray(self.in_halo(lat, lon), dtype=bool)


@dataclass
class RegionData:
    """The records of one region, as a source loads them."""

    offers: list[OfferRecord]  # exactly the offers whose site lies in the core box
    needs: list[NeedRecord]  # every need whose own reach meets the core box (``Region.reaches``)
    licences: list[LicenceRecord]  # every licence of those needs' enterprises (remaining_t: the global figure)
    approvals: list[PointToPointApproval]  # every approval whose producer has an offer in the core


class RegionSource(Protocol):
    """Where a regional run reads its listings; picklable (Dask ships it to the workers, which load there)."""

    settings: Settings

    def offer_counts(self, cell_deg: float) -> dict[tuple[int, int], int]:
        """Offers per grid cell (math.floor(lat / cell_deg), math.floor(lon / cell_deg))."""
        ...

    def max_reach_km(self) -> float:
        """The longest road distance any need accepts (its max_distance_km, or the settings' default)."""
        ...

    def load(self, region: Region) -> RegionData:
        """The records of ``region``: core offers, halo needs, their licences and approvals."""
        ...


def need_reach_km(needs: Sequence[NeedRecord], settings: Settings) -> np.ndarray:
    """Great-circle km each need may be reached from: its road reach (or the default) / the road factor."""
    default = settings.default_max_distance_km
    return np.fromiter(((n.max_distance_km or default) for n in needs), dtype=np.float64,
                       count=len(needs)) / settings.road_factor


def needs_reaching(region: Region, needs: Sequence[NeedRecord], settings: Settings) -> list[NeedRecord]:
    """The needs of ``needs`` whose own reach meets the region's core box (``Region.reaches``)."""
    if not needs:
        return []
    lat = np.fromiter((n.site.lat for n in needs), dtype=np.float64, count=len(needs))
    lon = np.fromiter((n.site.lon for n in needs), dtype=np.float64, count=len(needs))
    keep = region.reaches(lat, lon, need_reach_km(needs, settings))
    return [n for n, k in zip(needs, keep.tolist(), strict=True) if k]


def halo_km_for(source: RegionSource) -> float:
    """Great-circle km around a core within which a need may be reached: the longest road reach / road factor."""
    return source.max_reach_km() / source.settings.road_factor


def plan_regions(source: RegionSource, *, max_offers: int) -> list[Region]:
    """Regions of at most ``max_offers`` offers each, covering every offer once; deterministic.

    The occupied cells are bisected recursively (latitude first, then alternating), each cut
    at the median of the offers along that axis. A cell holding more than ``max_offers`` makes
    the grid finer (down to ``MIN_CELL_DEG``; beyond it a region may exceed ``max_offers``,
    since one cell is never split). One region when everything fits.
    """
    if max_offers < 1:
        raise ValueError(f"max_offers: 每个区域至少 1 条供给 / must be at least 1, got {max_offers}")
    halo = halo_km_for(source)
    cell = CELL_DEG
    counts = source.offer_counts(cell)
    while counts and max(counts.values()) > max_offers and cell / 2 >= MIN_CELL_DEG:
        cell /= 2
        counts = source.offer_counts(cell)
    if not counts:
        return []
    cells = sorted(counts.items())
    groups: list[list[tuple[tuple[int, int], int]]] = []
    _bisect(cells, max_offers, 0, groups)
    width = max(2, len(str(len(groups) - 1)))
    regions = []
    for i, group in enumerate(groups):
        lat_i = [c[0][0] for c in group]
        lon_i = [c[0][1] for c in group]
        regions.append(Region(key=f"R{i:0{width}d}", south=min(lat_i) * cell, north=(max(lat_i) + 1) * cell,
                              west=min(lon_i) * cell, east=(max(lon_i) + 1) * cell,
                              offers=sum(c[1] for c in group), halo_km=halo))
    return regions


def _bisect(cells: list[tuple[tuple[int, int], int]], max_offers: int, depth: int,
            out: list[list[tuple[tuple[int, int], int]]]) -> None:
    """Split ``cells`` at the median offer along one axis (alternating) until each part fits."""
    total = sum(n for _, n in cells)
    if total <= max_offers or len(cells) == 1:
        out.append(cells)
        return
    for axis in (depth % 2, (depth + 1) % 2):  # the other axis when all cells share one coordinate
        cut = _median_cut(cells, axis, total)
        if cut is not None:
            _bisect([c for c in cells if c[0][axis] < cut], max_offers, depth + 1, out)
            _bisect([c for c in cells if c[0][axis] >= cut], max_offers, depth + 1, out)
            return
    out.append(cells)  # unreachable: two distinct cells differ on some axis


def _median_cut(cells: list[tuple[tuple[int, int], int]], axis: int, total: int) -> int | None:
    """The cell coordinate along ``axis`` that splits the offers closest to half (both sides non-empty)."""
    per_coord: dict[int, int] = {}
    for c, n in cells:
        per_coord[c[axis]] = per_coord.get(c[axis], 0) + n
    coords = sorted(per_coord)
    if len(coords) < 2:
        return None
    best, best_diff, below = None, math.inf, 0
    for lo, hi in itertools.pairwise(coords):
        below += per_coord[lo]
        diff = abs(2 * below - total)
        if diff < best_diff:  # strict: the first (southern/western) of equal cuts, deterministic
            best, best_diff = hi, diff
    return best


@dataclass
class InMemorySource:
    """A ``RegionSource`` over lists of records (the local engine, tests and benchmarks).

    Every offer and need must carry a unique integer ``id``: arcs travel between workers and the
    driver as ids. Positions are indexed once, so ``load`` costs a scan of arrays, not of records.
    """

    offers: Sequence[OfferRecord]
    needs: Sequence[NeedRecord]
    licences: Sequence[LicenceRecord] = ()
    approvals: Sequence[PointToPointApproval] = ()
    settings: Settings = field(default_factory=Settings)

    def __post_init__(self) -> None:
        self.offers, self.needs = list(self.offers), list(self.needs)
        self.licences, self.approvals = list(self.licences), list(self.approvals)
        for side, records in (("offers", self.offers), ("needs", self.needs)):
            ids = [r.id for r in records]
            if any(i is None for i in ids):
                raise ValueError(f"{side}: 每条记录须有整数 id / every record needs an integer id")
            if len(set(ids)) != len(ids):
                raise ValueError(f"{side}: id 不得重复 / ids must be unique")
        self._o_lat = np.array([o.site.lat for o in self.offers], dtype=np.float64)
        self._o_lon = np.array([o.site.lon for o in self.offers], dtype=np.float64)
        self._n_lat = np.array([n.site.lat for n in self.needs], dtype=np.float64)
        self._n_lon = np.array([n.site.lon for n in self.needs], dtype=np.float64)
        self._n_reach = need_reach_km(self.needs, self.settings)

    def offer_counts(self, cell_deg: float) -> dict[tuple[int, int], int]:
        """Offers per grid cell (floor(lat / cell_deg), floor(lon / cell_deg))."""
        counts: dict[tuple[int, int], int] = {}
        for o in self.offers:
            key = (math.floor(o.site.lat / cell_deg), math.floor(o.site.lon / cell_deg))
            counts[key] = counts.get(key, 0) + 1
        return counts

    def max_reach_km(self) -> float:
        """The longest road distance any need accepts (0 without needs)."""
        default = self.settings.default_max_distance_km
        return max((n.max_distance_km or default for n in self.needs), default=0.0)

    def load(self, region: Region) -> RegionData:
        """Core offers, the needs that may reach the core, the licences of the needs' enterprises, the approvals of the core's producers."""
        offers = [self.offers[i] for i in np.flatnonzero(region.contains(self._o_lat, self._o_lon)).tolist()]
        reach = region.reaches(self._n_lat, self._n_lon, self._n_reach)
        needs = [self.needs[i] for i in np.flatnonzero(reach).tolist()]
        takers = {n.site.enterprise for n in needs}
        producers = {o.site.enterprise for o in offers}
        return RegionData(offers=offers, needs=needs,
                          licences=[lic for lic in self.licences if lic.enterprise in takers],
                          approvals=[a for a in self.approvals if a.producer in producers])
