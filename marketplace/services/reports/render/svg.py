"""Small pieces for drawing the report's charts as inline SVG: text widths, boxes, axis ticks, numbers.

The report draws its charts itself (``figures``) instead of shipping a charting library: the page stays
a few hundred kilobytes and opens at once, offline. Text is measured by estimate, never by a browser, so
every width here errs on the wide side (a label estimated too wide only moves or shortens; one estimated
too narrow could overlap its neighbour).
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'


def char_width(ch: str) -> float:
    """An upper bound of one character's advance in em (CJK and full-width: 1; Latin by its shape)."""
    if unicodedata.east_asian_width(ch) in ("W", "F") or ch in "…—–→·":
        return 1.0
    if ch == " ":
        return 0.33
    if ch in "ilj.,:;'|!()[]{}":
        return 0.38
    if ch in "mwMW@%":
        return 0.95
    if ch.isupper() or ch in "&#":
        return 0.75
    return 0.62


def text_width(text: str, size: float) -> float:
    """The estimated width in px of ``text`` at font size ``size`` (never less than the real one, we hope)."""
    return size * sum(char_width(ch) for ch in text)


def fit(text: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis until its estimate fits ``width`` (unchanged when it fits)."""
    if text_width(text, size) <= width:
        return text
    out = ""
    budget = width - size  # the ellipsis
    used = 0.0
    for ch in text:
        w = size * char_width(ch)
        if used + w > budget:
            break
        out += ch
        used += w
    return out.rstrip() + "…"


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle (x, y: top left)."""

    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: Box, gap: float = 0.0) -> bool:
        return not (self.x + self.w + gap <= other.x or other.x + other.w + gap <= self.x
                    or self.y + self.h + gap <= other.y or other.y + other.h + gap <= self.y)

    def inside(self, width: float, height: float) -> bool:
        return self.x >= 0 and self.y >= 0 and self.x + self.w <= width and self.y + self.h <= height


def nice_ticks(top: float, count: int = 5, bottom: float = 0.0) -> list[float]:
    """Round steps (1, 2, 2.5 or 5 × a power of ten) from at most ``min(bottom, 0)`` to at least ``top``."""
    low, high = min(bottom, 0.0), max(top, 0.0)
    if not math.isfinite(low) or not math.isfinite(high) or high - low <= 0:
        return [0.0, 1.0]
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]


def si(value: float) -> str:
    """A tick label: 0, 250, 1.5k, 12k, 3M."""
    a = abs(value)
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if a >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def attr(value: object) -> str:
    """An attribute value, escaped (numbers rounded to 0.1 px)."""
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".") if math.isfinite(value) else "0"
    return str(escape(str(value)))


def tag(name: str, content: str | Markup = "", **attrs: object) -> Markup:
    """``<name a="…">content</name>``; attribute names' underscores become dashes, None values are left out.

    ``content`` is escaped unless it is ``Markup``.
    """
    parts = [name] + [f'{k.rstrip("_").replace("_", "-")}="{attr(v)}"' for k, v in attrs.items() if v is not None]
    inner = content if isinstance(content, Markup) else escape(content)
    return Markup(f"<{' '.join(parts)}>{inner}</{name}>")


def join(parts) -> Markup:
    """Markup pieces joined (each already safe)."""
    return Markup("").join(parts)


__all__ = ["FONT", "Box", "attr", "char_width", "fit", "join", "nice_ticks", "si", "tag", "text_width"]
