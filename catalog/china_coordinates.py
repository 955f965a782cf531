"""WGS-84 ↔ GCJ-02 (国测局坐标, the frame of AMap, Tencent and other Chinese map services).

GCJ-02 is WGS-84 shifted by a published, deterministic offset of a few hundred metres that
depends on the position; it applies inside China only (points outside are left as they are).
The forward transform is the well-known closed formula; the inverse has no closed form and is
found by fixed-point iteration (to well under a millimetre). Positions are ``(lat, lon)`` in
degrees, as the models store them; ``gcj02_to_wgs84_many`` converts many at once (a district's outline
holds thousands of points).
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

_A = 6378245.0  # the Krasovsky 1940 semi-major axis the formula uses (m)
_EE = 0.00669342162296594323  # its first eccentricity squared
# The rough box the offset applies in (the formula's own test; Taiwan, Hong Kong and Macau excepted by
# no one: this is what AMap and Tencent do).
_LAT_RANGE = (0.8293, 55.8271)
_LON_RANGE = (72.004, 137.8347)


def outside_china(lat: float, lon: float) -> bool:
    """True where GCJ-02 equals WGS-84 (outside the box the offset applies in)."""
    return not (_LAT_RANGE[0] <= lat <= _LAT_RANGE[1] and _LON_RANGE[0] <= lon <= _LON_RANGE[1])


def _shift_lat(x: float, y: float) -> float:
    out = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    out += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    out += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    out += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return out


def _shift_lon(x: float, y: float) -> float:
    out = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    out += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    out += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    out += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return out


def _offset(lat: float, lon: float) -> tuple[float, float]:
    """The GCJ-02 offset (dlat, dlon) in degrees at a WGS-84 position inside China."""
    dlat = _shift_lat(lon - 105.0, lat - 35.0)
    dlon = _shift_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    root = math.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1 - _EE)) / (magic * root) * math.pi)
    dlon = dlon * 180.0 / (_A / root * math.cos(rad) * math.pi)
    return dlat, dlon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """A WGS-84 position in GCJ-02 (unchanged outside China)."""
    if outside_china(lat, lon):
        return lat, lon
    dlat, dlon = _offset(lat, lon)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float, tolerance_deg: float = 1e-9, max_rounds: int = 30) -> tuple[float, float]:
    """A GCJ-02 position in WGS-84 (unchanged outside China), by iterating the forward transform.

    Each round moves the guess by how far its forward image misses the target; the offset varies
    slowly with position, so a handful of rounds reach ``tolerance_deg`` (1e-9° ≈ 0.1 mm).
    """
    if outside_china(lat, lon):
        return lat, lon
    guess_lat, guess_lon = lat, lon
    for _ in range(max_rounds):
        fwd_lat, fwd_lon = wgs84_to_gcj02(guess_lat, guess_lon)
        miss_lat, miss_lon = fwd_lat - lat, fwd_lon - lon
        guess_lat, guess_lon = guess_lat - miss_lat, guess_lon - miss_lon
        if abs(miss_lat) < tolerance_deg and abs(miss_lon) < tolerance_deg:
            break
    return guess_lat, guess_lon


def _inside(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Not ``outside_china``, per position."""
    return (_LAT_RANGE[0] <= lat) & (lat <= _LAT_RANGE[1]) & (_LON_RANGE[0] <= lon) & (lon <= _LON_RANGE[1])


def _offset_many(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``_offset`` of many WGS-84 positions: the same formula on arrays."""
    x, y = lon - 105.0, lat - 35.0
    shared = (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x)) + shared
    dlat += (20.0 * np.sin(y * math.pi) + 40.0 * np.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * math.pi) + 320.0 * np.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)) + shared
    dlon += (20.0 * np.sin(x * math.pi) + 40.0 * np.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * math.pi) + 300.0 * np.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    root = np.sqrt(magic)
    return (dlat * 180.0 / ((_A * (1 - _EE)) / (magic * root) * math.pi),
            dlon * 180.0 / (_A / root * np.cos(rad) * math.pi))


def gcj02_to_wgs84_many(points: Sequence[tuple[float, float]], tolerance_deg: float = 1e-9,
                        max_rounds: int = 30) -> list[tuple[float, float]]:
    """``gcj02_to_wgs84`` of each of ``points`` (``(lat, lon)``), computed on arrays.

    The same iteration: each point stops moving in the round its miss falls below ``tolerance_deg``.
    Why: an outline's ~100,000 points took 3 s one by one (the first map of a park waited for it).
    """
    if not points:
        return []
    target = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    lat, lon = target[:, 0].copy(), target[:, 1].copy()
    active = np.flatnonzero(_inside(lat, lon))
    for _ in range(max_rounds):
        if active.size == 0:
            break
        guess_lat, guess_lon = lat[active], lon[active]
        dlat, dlon = _offset_many(guess_lat, guess_lon)
        shifted = _inside(guess_lat, guess_lon)  # as ``wgs84_to_gcj02``: a guess outside the box is not shifted
        miss_lat = guess_lat + np.where(shifted, dlat, 0.0) - target[active, 0]
        miss_lon = guess_lon + np.where(shifted, dlon, 0.0) - target[active, 1]
        lat[active] -= miss_lat
        lon[active] -= miss_lon
        active = active[(np.abs(miss_lat) >= tolerance_deg) | (np.abs(miss_lon) >= tolerance_deg)]
    return list(zip(lat.tolist(), lon.tolist(), strict=True))


__all__ = ["gcj02_to_wgs84", "gcj02_to_wgs84_many", "outside_china", "wgs84_to_gcj02"]
