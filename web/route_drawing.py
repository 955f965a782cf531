"""Drawing a pooled collection round as inline SVG: the depot, each vehicle's round as a line, numbered stops.

The same Web-Mercator projection as the park map (``web.map_drawing.Projection``), offline: no tiles, no
outlines, nothing fetched. A round's positions are its collector's and its producers' registered sites.
"""
from __future__ import annotations

from dataclasses import dataclass

from .map_drawing import Projection

# Distinct, colour-blind-safe line colours (Okabe–Ito), one per vehicle in turn.
COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000")
MARGIN = 0.08  # of the span of the positions, on each side


@dataclass(frozen=True)
class DrawnStop:
    x: float
    y: float
    label: str  # the stop's number in its vehicle's round
    title: str  # what a hover shows: producer, waste, tonnes, arrival


@dataclass(frozen=True)
class DrawnRoute:
    vehicle: str
    colour: str
    d: str  # the SVG path from the depot through the stops and back
    stops: tuple[DrawnStop, ...]


@dataclass(frozen=True)
class RouteDrawing:
    width: float
    height: float
    depot: tuple[float, float]
    depot_title: str
    routes: tuple[DrawnRoute, ...]


def draw_round(depot: tuple[float, float], depot_title: str,
               routes: list[tuple[str, list[tuple[float, float, str]]]]) -> RouteDrawing:
    """``routes``: per vehicle, its ref and its stops in order as (lat, lon, title)."""
    lats = [depot[0]] + [s[0] for _, stops in routes for s in stops]
    lons = [depot[1]] + [s[1] for _, stops in routes for s in stops]
    dlat, dlon = max(max(lats) - min(lats), 0.01), max(max(lons) - min(lons), 0.01)
    project = Projection.fit((min(lats) - MARGIN * dlat, min(lons) - MARGIN * dlon,
                              max(lats) + MARGIN * dlat, max(lons) + MARGIN * dlon))
    home = project(*depot)
    drawn = []
    for i, (vehicle, stops) in enumerate(routes):
        points = [home] + [project(lat, lon) for lat, lon, _ in stops] + [home]
        d = "".join(f"{'M' if j == 0 else 'L'}{x:g} {y:g}" for j, (x, y) in enumerate(points))
        drawn.append(DrawnRoute(vehicle, COLOURS[i % len(COLOURS)], d, tuple(
            DrawnStop(x, y, str(n), title) for n, ((x, y), (_, _, title)) in enumerate(zip(points[1:-1], stops), 1))))
    return RouteDrawing(width=1000.0, height=project.height, depot=home, depot_title=depot_title, routes=tuple(drawn))
