"""A shipment's GPS track drawn as inline SVG on the offline map's projection (``web.map_drawing``).

The planned line (producer → receiver, straight: no route is stored per shipment) is drawn with its
corridor as a translucent band of the alert's buffer either side, the track as a line over it, the
first and last points marked and the points outside the corridor dotted. Thousands of points are
thinned to about one per SVG unit (the drawing is 1,000 units wide), so a day of one-second points
stays a small page.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from marketplace.services.reports.map_data import extent_of
from marketplace.services.traceability.alerts import planned_line_km
from marketplace.services.traceability.devices import ShipmentDevices

from .map_drawing import WIDTH, Projection, length_label, nice_length

THIN_STEP = 1.0  # SVG units between kept track points
MAX_MARKS = 200  # off-corridor points marked at most (the alert counts them all)


@dataclass
class TrackDrawing:
    """The SVG geometry of one shipment's track map (``_shipment_devices.html`` writes the elements)."""

    width: float
    height: float
    planned: str
    corridor_width: float
    track: str
    start: tuple[float, float] | None
    end: tuple[float, float] | None
    producer: tuple[float, float]
    receiver: tuple[float, float]
    outside: list[tuple[float, float]] = field(default_factory=list)
    scale_units: float = 0.0
    scale_label: str = ""
    points: int = 0


def _thin(xy: list[tuple[float, float]], step: float) -> str:
    out, last = [], None
    for i, (x, y) in enumerate(xy):
        if last is not None and i < len(xy) - 1 and abs(x - last[0]) + abs(y - last[1]) < step:
            continue
        out.append(f"{'M' if not out else 'L'}{x:g} {y:g}")
        last = (x, y)
    return "".join(out)


def draw_track(data: ShipmentDevices) -> TrackDrawing | None:
    """The track map of ``data`` (None when the shipment has no track points)."""
    if not data.track:
        return None
    positions = [data.producer, data.receiver] + [(lat, lon) for lat, lon, _ in data.track]
    proj = Projection.fit(extent_of(positions))
    xy = [proj(lat, lon) for lat, lon, _ in data.track]
    outside = [proj(lat, lon) for lat, lon, _ in data.track
               if planned_line_km(lat, lon, data.producer, data.receiver) > data.corridor_km]
    p, r = proj(*data.producer), proj(*data.receiver)
    drawing = TrackDrawing(width=WIDTH, height=round(proj.height, 1), planned=f"M{p[0]:g} {p[1]:g}L{r[0]:g} {r[1]:g}",
                           corridor_width=round(2 * data.corridor_km * 1000 / proj.metres_per_unit, 1),
                           track=_thin(xy, THIN_STEP), start=xy[0], end=xy[-1], producer=p, receiver=r,
                           outside=outside[:MAX_MARKS], points=len(xy))
    scale_m = nice_length(proj.metres_per_unit * WIDTH / 5)
    drawing.scale_units = round(scale_m / proj.metres_per_unit, 1)
    drawing.scale_label = length_label(scale_m)
    return drawing


__all__ = ["TrackDrawing", "draw_track"]
