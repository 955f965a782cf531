"""The report's figures drawn as inline SVG by our own code: the Sankey of the flows, the network of the
top chains and loops, the monthly trends.

Each figure is a dict with its title, its legend (drawn in HTML above the chart, so a title and a legend
sit in the page's flow and can never overlap) and one SVG per basis; the page switches bases with radio
buttons and CSS, no script. Hovering a band, node, edge, bar or point shows its figures (SVG ``<title>``).
Network labels are placed so that no two overlap (``_place_labels``): a label that finds no free spot
is shortened, then left to the node's hover text. Every size is in the SVG's own units; the page scales
the whole picture, so what does not overlap here does not overlap on any screen.
"""
from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from markupsafe import Markup

from ..kpi_registry import KPIS, Kpi
from .common import BASES, BASIS_EN, BASIS_UNIT, BASIS_ZH, joined, num
from .svg import FONT, Box, fit, join, nice_ticks, si, tag, text_width

NETWORK_CHAINS = 12          # top chains and top loops per basis drawn in the network
WIDTH = 1160                 # the SVG width of a full-width chart (the page is at most 1240 px wide)
HALF_WIDTH = 560             # a chart of the two-column grid
LABEL_SIZE = 12.5
INK = "#1f2328"
MUTED = "#57606a"


def _flows_of(doc: dict, basis: str) -> list[dict]:
    return [f for f in doc.get("flows") or [] if f.get("basis") == basis]


def _svg(width: float, height: float, label: str, body: Markup, cls: str) -> Markup:
    """The ``<svg>`` element: scales to the page's width, keeps its proportions, names itself for readers."""
    return tag("svg", join([tag("title", label), body]), xmlns="http://www.w3.org/2000/svg",
               class_=f"report-chart {cls}", viewBox=f"0 0 {width:.0f} {height:.0f}", width=f"{width:.0f}",
               height=f"{height:.0f}", role="img", font_family=FONT, preserveAspectRatio="xMinYMin meet")


def _basis_title(basis: str) -> str:
    return f"{BASIS_ZH[basis]} {BASIS_EN[basis]} ({BASIS_UNIT[basis]})"


def _fmt_t(value: float, unit: str) -> str:
    return f"{value:,.1f} {unit}"


def _flow_group(flow: dict) -> tuple[str, str, str]:
    """The left-hand node of a flow in the Sankey: (key, label, kind) by HW category, else material class."""
    if flow.get("kind") == "product":
        key = flow.get("material_class") or flow.get("material") or "product"
        name = flow.get("category_name") or key
        return f"p:{key}", f"产品 product · {name}", "product"
    if flow.get("category"):
        label = f"{flow['category']} {flow.get('category_name') or ''}".strip()
        return f"c:{flow['category']}", label, "hazardous"
    name = flow.get("category_name") or flow.get("material_class") or flow.get("material") or "—"
    return f"m:{name}", str(name), "general"




NODE_COLOUR = {"hazardous": "#c62828", "general": "#6d8f3a", "product": "#0b6bcb", "industry": "#5b6770"}
LINK_COLOUR = {"hazardous": "rgba(198,40,40,0.30)", "general": "rgba(109,143,58,0.34)",
               "product": "rgba(11,107,203,0.30)"}
SANKEY_LEGEND = [(NODE_COLOUR["hazardous"], "危险废物（HW 类别）", "hazardous waste (HW category)"),
                 (NODE_COLOUR["general"], "一般固废（物料类别）", "general solid waste (material class)"),
                 (NODE_COLOUR["product"], "产品", "products"),
                 (NODE_COLOUR["industry"], "接收行业", "receiving industry")]
SANKEY_BAR = 14
SANKEY_SLOT = 18     # the least height a node takes, so its label (12.5 px) never meets the next one
SANKEY_PAD = 6
SANKEY_LABEL_MAX = 330


def _sankey_panel(basis: str, flows: list[dict]) -> dict[str, Any]:
    """One basis: nodes (left: waste groups, right: receiving industries), bands, and the SVG."""
    unit = BASIS_UNIT[basis]
    left: dict[str, dict] = {}
    right: dict[str, dict] = {}
    links: dict[tuple[str, str], dict] = {}
    for f in flows:
        t = num(f.get("tonnes")) or 0.0
        if t <= 0:
            continue
        key, label, kind = _flow_group(f)
        industry = str(f.get("target_industry_name") or f.get("target_industry") or f.get("target_name") or "—")
        s = left.setdefault(key, {"key": key, "label": label, "kind": kind, "tonnes": 0.0})
        d = right.setdefault(industry, {"key": industry, "label": industry, "kind": "industry", "tonnes": 0.0})
        s["tonnes"] += t
        d["tonnes"] += t
        link = links.setdefault((key, industry), {"source": key, "target": industry, "kind": kind, "tonnes": 0.0})
        link["tonnes"] += t
    lcol = sorted(left.values(), key=lambda n: (-n["tonnes"], n["label"]))
    rcol = sorted(right.values(), key=lambda n: (-n["tonnes"], n["label"]))
    total = sum(n["tonnes"] for n in lcol) or 1.0
    label_w = min(SANKEY_LABEL_MAX, max(text_width(n["label"], LABEL_SIZE) for n in lcol + rcol) + 8)
    x_left, x_right = label_w + 8, WIDTH - label_w - 8 - SANKEY_BAR
    # Tonnes to pixels: the busier column fills about 420 px of bars beside its minimum slots and gaps.
    busiest = max(len(lcol), len(rcol))
    scale = max(120.0, 440.0 - 4 * busiest) / total
    top = 12.0

    def place(column: list[dict]) -> float:
        y = top
        for n in column:
            n["h"] = max(1.5, n["tonnes"] * scale)
            slot = max(n["h"], SANKEY_SLOT)
            n["y"] = y + (slot - n["h"]) / 2
            n["mid"] = y + slot / 2
            y += slot + SANKEY_PAD
        return y

    height = max(place(lcol), place(rcol)) + 6
    # Bands leave a node in the order of the other end's height, so they do not cross at the node.
    order_r = {n["key"]: i for i, n in enumerate(rcol)}
    order_l = {n["key"]: i for i, n in enumerate(lcol)}
    out_y = {n["key"]: n["y"] for n in lcol}
    in_y = {n["key"]: n["y"] for n in rcol}
    bands = []
    for link in sorted(links.values(), key=lambda k: (order_l[k["source"]], order_r[k["target"]])):
        h = link["tonnes"] * scale
        link["y0"] = out_y[link["source"]]
        out_y[link["source"]] += h
        link["h"] = h
    for link in sorted(links.values(), key=lambda k: (order_r[k["target"]], order_l[k["source"]])):
        link["y1"] = in_y[link["target"]]
        in_y[link["target"]] += link["h"]
    x0, x1 = x_left + SANKEY_BAR, x_right
    xm = (x0 + x1) / 2
    for link in sorted(links.values(), key=lambda k: -k["tonnes"]):
        y0, y1, h = link["y0"], link["y1"], max(link["h"], 0.8)
        d = (f"M{x0:.1f},{y0:.1f} C{xm:.1f},{y0:.1f} {xm:.1f},{y1:.1f} {x1:.1f},{y1:.1f} "
             f"L{x1:.1f},{y1 + h:.1f} C{xm:.1f},{y1 + h:.1f} {xm:.1f},{y0 + h:.1f} {x0:.1f},{y0 + h:.1f} Z")
        hover = f"{left[link['source']]['label']} → {link['target']}\n{_fmt_t(link['tonnes'], unit)}"
        bands.append(tag("path", tag("title", hover), d=d, fill=LINK_COLOUR[link["kind"]], class_="band"))
    nodes = []
    for n, x, anchor, lx in ([(n, x_left, "end", x_left - 6) for n in lcol]
                             + [(n, x_right, "start", x_right + SANKEY_BAR + 6) for n in rcol]):
        hover = f"{n['label']}\n{_fmt_t(n['tonnes'], unit)}"
        nodes.append(tag("g", join([
            tag("rect", tag("title", hover), x=float(x), y=n["y"], width=SANKEY_BAR, height=n["h"],
                fill=NODE_COLOUR[n["kind"]]),
            tag("text", tag("title", hover) + fit(n["label"], LABEL_SIZE, label_w - 8), x=float(lx),
                y=n["mid"] + LABEL_SIZE * 0.36, font_size=LABEL_SIZE, text_anchor=anchor, fill=INK,
                class_="node-label")]), class_="node"))
    title = f"{_basis_title(basis)} · 废物类别 → 接收行业 waste category → receiving industry"
    svg = _svg(WIDTH, height, title, join([tag("g", join(bands), class_="bands"), tag("g", join(nodes))]), "sankey")
    return {"basis": basis, "title": title, "svg": svg, "unit": unit,
            "nodes": [n["label"] for n in lcol + rcol],
            "links": [{"source": left[k["source"]]["label"], "target": k["target"], "kind": k["kind"],
                       "tonnes": k["tonnes"]} for k in links.values()]}


def sankey_figure(doc: dict) -> dict[str, Any] | None:
    """The flows by waste group → receiving industry, one panel per basis with flows (realised first)."""
    panels = [_sankey_panel(b, flows) for b in BASES if (flows := [f for f in _flows_of(doc, b)
                                                                    if (num(f.get("tonnes")) or 0) > 0])]
    if not panels:
        return None
    return {"id": "sankey", "bases": [p["basis"] for p in panels], "panels": panels, "legend": SANKEY_LEGEND}


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _network_edges(doc: dict, basis: str) -> tuple[dict[tuple[str, str], dict], dict[str, dict]]:
    """The enterprise-level links of the top chains and loops of one basis, and their nodes."""
    edges: dict[tuple[str, str], dict] = {}
    nodes: dict[str, dict] = {}
    for closed, items in ((False, doc.get("chains") or []), (True, doc.get("loops") or [])):
        picked = sorted((c for c in items if c.get("level") == "enterprise" and c.get("basis") == basis),
                        key=lambda c: (c.get("rank") or 0, -(num(c.get("tonnes")) or 0)))[:NETWORK_CHAINS]
        for chain in picked:
            for n in chain.get("nodes") or []:
                nodes.setdefault(str(n.get("key")), n)
            for link in chain.get("links") or []:
                key = (str(link.get("source")), str(link.get("target")))
                edge = edges.setdefault(key, {"tonnes": 0.0, "loop": False, "materials": set()})
                # The same pair appears in several chains with the same tonnes: the largest, never the sum.
                edge["tonnes"] = max(edge["tonnes"], num(link.get("tonnes")) or 0.0)
                edge["loop"] = edge["loop"] or bool(closed or chain.get("closed"))
                edge["materials"].update(str(m) for m in link.get("materials") or [])
                for k in key:
                    nodes.setdefault(k, {"key": k, "label_zh": k, "label_en": ""})
    return edges, nodes



def _layout(graph: Any) -> tuple[dict[str, tuple[float, float]], int, dict[str, str]]:
    """Deterministic positions in x ∈ [-1.45, 1.45], y ∈ [-0.95, 0.95], the number of grid rows, and
    where each node's label goes.

    Each connected component gets a cell of a grid (largest first, at most three across) and its
    nodes sit on a circle in path order (a depth-first walk from an end), so a chain reads around
    the circle, a loop is a ring, and no component collapses onto a line where labels collide.
    Labels go above the nodes on the upper half of a circle and below on the lower half.
    """
    import networkx as nx

    comps = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    cols = max(1, min(len(comps), 3))
    rows = math.ceil(len(comps) / cols)
    pos: dict[str, tuple[float, float]] = {}
    side: dict[str, str] = {}
    for i, comp in enumerate(comps):
        r, c = divmod(i, cols)
        sub = graph.subgraph(comp)
        start = min(comp, key=lambda k: (sub.degree(k), k))
        order = list(nx.dfs_preorder_nodes(sub, start))
        cx, cy = (c + 0.5) / cols, (rows - r - 0.5) / rows
        rx, ry = 0.27 / cols, 0.32 / rows
        n = len(order)
        for j, k in enumerate(order):
            # from the left, over the top and round: a two-node chain lies left to right
            angle = math.pi - 2 * math.pi * j / n if n > 1 else 0.0
            x, y = (cx + rx * math.cos(angle), cy + ry * math.sin(angle)) if n > 1 else (cx, cy)
            pos[k] = (round(x * 2.9 - 1.45, 6), round(y * 1.9 - 0.95, 6))
            side[k] = "top center" if math.sin(angle) >= -1e-9 else "bottom center"
    return pos, rows, side




NET_ROW_HEIGHT = 340
NET_MARGIN_X = 150    # room for labels beside the outermost nodes
NET_MARGIN_Y = 56
EDGE_COLOUR = {False: "#0b6bcb", True: "#d65c00"}
NETWORK_LEGEND = [(EDGE_COLOUR[False], "共生链物料流（线宽 = 吨数）", "chain flow (line width = tonnes)"),
                  (EDGE_COLOUR[True], "闭环", "closed loop")]
LABEL_H = 16          # a label's box height at LABEL_SIZE


def _crosses(box: Box, segments: list[tuple[float, float, float, float]]) -> bool:
    """True if any segment passes through ``box`` (sampled every few px: enough for a 16 px high label)."""
    for x0, y0, x1, y1 in segments:
        steps = max(2, int(math.hypot(x1 - x0, y1 - y0) / 4))
        for i in range(steps + 1):
            x, y = x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps
            if box.x <= x <= box.x + box.w and box.y <= y <= box.y + box.h:
                return True
    return False


def _place_labels(nodes: list[dict], width: float, height: float,
                  segments: list[tuple[float, float, float, float]] = ()) -> None:
    """Give each node (most tonnes first) a label box that overlaps no other label, no node and stays in view.

    Tries the node's own side (above on the upper half of its circle, below on the lower half), then the
    other, then right and left, then the four corners, preferring a spot no edge crosses; first with the
    full name (at most 40 characters), then shortened to 9. A node with no free spot gets ``label`` None:
    its name is in its hover text and in the note under the chart.
    """
    circles = [Box(n["x"] - n["r"], n["y"] - n["r"], 2 * n["r"], 2 * n["r"]) for n in nodes]
    placed: list[Box] = []
    for n in sorted(nodes, key=lambda n: (-n["through"], n["key"])):
        n["label"] = None
        names = [_short(n["name"], 40), _short(n["name"], 9)] if not n["crowded"] else [_short(n["name"], 9)]
        for name in dict.fromkeys(names):
            w = text_width(name, LABEL_SIZE) + 4
            x, y, r = n["x"], n["y"], n["r"]
            above, below = Box(x - w / 2, y - r - 3 - LABEL_H, w, LABEL_H), Box(x - w / 2, y + r + 3, w, LABEL_H)
            spots = [above, below] if n["side"] == "top" else [below, above]
            spots += [Box(x + r + 4, y - LABEL_H / 2, w, LABEL_H), Box(x - r - 4 - w, y - LABEL_H / 2, w, LABEL_H),
                      Box(x + r * 0.7, y - r * 0.7 - LABEL_H - 2, w, LABEL_H),
                      Box(x + r * 0.7, y + r * 0.7 + 2, w, LABEL_H),
                      Box(x - r * 0.7 - w, y - r * 0.7 - LABEL_H - 2, w, LABEL_H),
                      Box(x - r * 0.7 - w, y + r * 0.7 + 2, w, LABEL_H)]
            free = [box for box in spots if box.inside(width, height) and not any(box.overlaps(b, 4) for b in placed)
                    and not any(box.overlaps(c, 1) for c in circles)]
            box = next((b for b in free if not _crosses(b, segments)), free[0] if free else None)
            if box is not None:
                n["label"], n["box"] = name, box
                placed.append(box)
                break


def _network_panel(basis: str, edges: dict[tuple[str, str], dict], nodes: dict[str, dict],
                   labels: dict[str, dict]) -> dict[str, Any]:
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(sorted(nodes))
    graph.add_edges_from(sorted(edges))
    pos, rows, side = _layout(graph)
    unit = BASIS_UNIT[basis]
    height = max(420, min(1500, NET_ROW_HEIGHT * rows + 80))
    sx, sy = (WIDTH / 2 - NET_MARGIN_X) / 1.45, (height / 2 - NET_MARGIN_Y) / 0.95
    crowded = graph.number_of_nodes() > 12
    top = max(e["tonnes"] for e in edges.values()) or 1.0
    through: dict[str, float] = defaultdict(float)
    for (s, t), e in edges.items():
        through[s] += e["tonnes"]
        through[t] += e["tonnes"]
    peak = max(through.values()) or 1.0
    drawn = {k: {"key": k, "name": str(labels[k].get("label_zh") or k), "en": str(labels[k].get("label_en") or ""),
                 "x": WIDTH / 2 + pos[k][0] * sx, "y": height / 2 - pos[k][1] * sy,
                 "r": 8 + 10 * math.sqrt(through[k] / peak), "through": through[k],
                 "side": "top" if side[k].startswith("top") else "bottom", "crowded": crowded}
             for k in sorted(nodes)}
    _place_labels(list(drawn.values()), WIDTH, height,
                  [(drawn[s]["x"], drawn[s]["y"], drawn[t]["x"], drawn[t]["y"]) for s, t in edges])
    lines = []
    for (s, t), e in sorted(edges.items(), key=lambda kv: (kv[1]["tonnes"], kv[0])):
        a, b = drawn[s], drawn[t]
        x0, y0, x1, y1 = a["x"], a["y"], b["x"], b["y"]
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        if (t, s) in edges:           # both directions: each drawn a little to its own side
            x0, y0, x1, y1 = x0 - uy * 7, y0 + ux * 7, x1 - uy * 7, y1 + ux * 7
        width = 1.5 + 8 * math.sqrt(e["tonnes"] / top)
        start = (x0 + ux * a["r"], y0 + uy * a["r"])
        end = (x1 - ux * (b["r"] + 9), y1 - uy * (b["r"] + 9))   # the arrowhead (9 long) ends at the circle
        hover = (f"{a['name']} → {b['name']}\n{_fmt_t(e['tonnes'], unit)}{' · 闭环 loop' if e['loop'] else ''}\n"
                 f"{joined(sorted(e['materials']))}")
        colour = EDGE_COLOUR[e["loop"]]
        lines.append(tag("g", join([
            tag("title", hover),
            tag("line", x1=start[0], y1=start[1], x2=end[0], y2=end[1], stroke=colour, stroke_width=width,
                stroke_opacity="0.75", marker_end=f"url(#arrow-{basis}-{'loop' if e['loop'] else 'chain'})"),
            tag("line", x1=start[0], y1=start[1], x2=end[0], y2=end[1], stroke="transparent", stroke_width=14)]),
            class_="edge loop" if e["loop"] else "edge"))
    markers = join(tag("marker", tag("path", d="M0,0 L10,5 L0,10 z", fill=EDGE_COLOUR[loop]),
                       id=f"arrow-{basis}-{'loop' if loop else 'chain'}", viewBox="0 0 10 10", refX=1, refY=5,
                       markerWidth=10, markerHeight=10, markerUnits="userSpaceOnUse", orient="auto")
                   for loop in (False, True))
    circles, texts = [], []
    for n in drawn.values():
        hover = f"{n['name']}\n{n['key']} {n['en']}\n进出 in+out {_fmt_t(n['through'], unit)}"
        circles.append(tag("circle", tag("title", hover), cx=n["x"], cy=n["y"], r=n["r"], fill="#ffffff",
                           stroke="#24292f", stroke_width=2.5, class_="node"))
        if n["label"] is not None:
            box = n["box"]
            texts.append(tag("text", tag("title", hover) + n["label"], x=box.x + box.w / 2,
                             y=box.y + LABEL_H / 2 + LABEL_SIZE * 0.36, font_size=LABEL_SIZE, text_anchor="middle",
                             fill=INK, stroke="#ffffff", stroke_width=3, paint_order="stroke",
                             class_="node-label", data_key=n["key"]))
    title = f"{_basis_title(basis)} · 线宽 = 吨数 line width = tonnes · 橙色 = 闭环 orange = loop"
    body = join([tag("defs", markers), tag("g", join(lines), class_="edges"), tag("g", join(circles)),
                 tag("g", join(texts), class_="labels")])
    hidden = sorted(n["name"] for n in drawn.values() if n["label"] is None)
    return {"basis": basis, "title": title, "svg": _svg(WIDTH, height, title, body, "network"), "unit": unit,
            "nodes": [{"key": n["key"], "name": n["name"], "label": n["label"], "x": n["x"], "y": n["y"], "r": n["r"],
                       "box": n.get("box") if n["label"] is not None else None} for n in drawn.values()],
            "edges": [{"source": s, "target": t, "tonnes": e["tonnes"], "loop": e["loop"]}
                      for (s, t), e in sorted(edges.items())],
            "hidden": hidden}


def network_figure(doc: dict) -> dict[str, Any] | None:
    """The enterprises of the top chains and loops, one panel per basis (realised first).

    Positions are laid out per basis (``_layout``: no randomness), so the picture is the same on every
    run and a small realised network is not squeezed by a large proposed one.
    """
    per_basis = {b: _network_edges(doc, b) for b in BASES}
    per_basis = {b: v for b, v in per_basis.items() if v[0]}
    if not per_basis:
        return None
    labels: dict[str, dict] = {}
    for _, nodes in per_basis.values():
        labels.update({k: v for k, v in nodes.items() if k not in labels})
    panels = [_network_panel(b, edges, nodes, labels) for b, (edges, nodes) in per_basis.items()]
    return {"id": "network", "bases": [p["basis"] for p in panels], "panels": panels, "legend": NETWORK_LEGEND}


def series_name(k: Kpi) -> str:
    """A KPI in a legend or on an axis: ``实际转移 transferred (t)``, ``新批准 approved (t/a)``; a count bare."""
    unit = k.format.reading
    if not unit or k.unit == "share":
        return k.label
    return f"{k.label} ({k.format.annual(unit) if k.is_annual() else unit})"



def _axis_labels(ticks: list[float], scale, x: float, anchor: str) -> list[Markup]:
    return [tag("text", si(v), x=x, y=scale(v) + 4, font_size=11, text_anchor=anchor, fill=MUTED) for v in ticks]


def _trend_chart(fid: str, title: str, x: list[str], series: list[dict], *, width: float, height: float,
                 left_title: str, right_title: str | None = None) -> dict[str, Any]:
    """Grouped bars and lines over the months; ``series``: name, kind (bar|line), axis (left|right), values,
    colour, optional dash and unit."""
    right = right_title is not None
    ml, mr, mt, mb = 66, (66 if right else 18), 12, 34
    pw, ph = width - ml - mr, height - mt - mb
    n = max(1, len(x))
    band = pw / n

    def scaler(axis: str):
        values = [v for s in series if s["axis"] == axis for v in s["values"]]
        ticks = nice_ticks(max(values, default=0.0), 5, min(values, default=0.0))
        lo, hi = ticks[0], ticks[-1]
        return ticks, (lambda v: mt + ph - (v - lo) / (hi - lo) * ph)

    lticks, ly = scaler("left")
    parts = [tag("line", x1=float(ml), x2=ml + pw, y1=ly(t), y2=ly(t), stroke="#e6e8eb") for t in lticks]
    parts += _axis_labels(lticks, ly, ml - 6, "end")
    parts.append(tag("text", left_title, transform=f"translate(14 {mt + ph / 2:.1f}) rotate(-90)", font_size=11.5,
                     text_anchor="middle", fill=MUTED, class_="axis-title"))
    ry = None
    if right:
        rticks, ry = scaler("right")
        parts += _axis_labels(rticks, ry, ml + pw + 6, "start")
        parts.append(tag("text", right_title, transform=f"translate({width - 10:.1f} {mt + ph / 2:.1f}) rotate(90)",
                         font_size=11.5, text_anchor="middle", fill=MUTED, class_="axis-title"))
    parts.append(tag("line", x1=float(ml), x2=ml + pw, y1=ly(0.0), y2=ly(0.0), stroke="#8c959f"))
    step = max(1, math.ceil(n * (text_width("2026-12", 11) + 10) / pw))
    for i, month in enumerate(x):
        if i % step == 0:
            parts.append(tag("text", month, x=ml + band * (i + 0.5), y=height - mb + 18, font_size=11,
                             text_anchor="middle", fill=MUTED))
    bars = [s for s in series if s["kind"] == "bar"]
    bw = band * 0.72 / max(1, len(bars))
    for j, s in enumerate(bars):
        scale = ly if s["axis"] == "left" else ry
        for i, v in enumerate(s["values"]):
            y0, y1 = scale(0.0), scale(v)
            bx = ml + band * i + band * 0.14 + bw * j
            parts.append(tag("rect", tag("title", f"{x[i]} · {s['name']}: {v:,.1f} {s.get('unit', '')}".rstrip()),
                             x=bx, y=min(y0, y1), width=max(bw - 1, 1.0), height=max(abs(y1 - y0), 0.5),
                             fill=s["colour"], class_="bar"))
    for s in series:
        if s["kind"] != "line":
            continue
        scale = ly if s["axis"] == "left" else ry
        pts = [(ml + band * (i + 0.5), scale(v)) for i, v in enumerate(s["values"])]
        parts.append(tag("polyline", points=" ".join(f"{px:.1f},{py:.1f}" for px, py in pts), fill="none",
                         stroke=s["colour"], stroke_width=2.2, stroke_dasharray=s.get("dash")))
        for (px, py), v, month in zip(pts, s["values"], x):
            parts.append(tag("circle", tag("title", f"{month} · {s['name']}: {v:,.1f} {s.get('unit', '')}".rstrip()),
                             cx=px, cy=py, r=3.5, fill=s["colour"], class_="point"))
    legend = [(s["colour"], s["name"], s["kind"]) for s in series]
    return {"id": fid, "title": title, "legend": legend, "svg": _svg(width, height, title, join(parts), "trend"),
            "series": [{"name": s["name"], "values": s["values"]} for s in series]}


def trend_figures(doc: dict) -> list[dict[str, Any]]:
    """Monthly trends: tonnes (bars realised t, lines approved/proposed t/a), CO2e avoided, alerts."""
    months = (doc.get("kpis") or {}).get("monthly") or []
    if not months:
        return []
    x = [str(m.get("month")) for m in months]

    def col(key: str) -> list[float]:
        return [num(m.get(key)) or 0.0 for m in months]

    tonnes = _trend_chart(
        "trend-tonnes", "吨数 tonnes: 实际转移与分流（柱，t）· 新批准与新拟议（线，t/a，右轴）"
                        "transferred and diverted (bars, t) · approved and proposed (lines, t/a, right axis)", x, [
            {"name": series_name(KPIS["transferred_t"]), "kind": "bar", "axis": "left", "values": col("transferred_t"),
             "colour": "#2e8540", "unit": "t"},
            {"name": series_name(KPIS["diverted_t"]), "kind": "bar", "axis": "left", "values": col("diverted_t"),
             "colour": "#a5c98a", "unit": "t"},
            {"name": series_name(KPIS["approved_t"]), "kind": "line", "axis": "right", "values": col("approved_t"),
             "colour": "#0b6bcb", "unit": "t/a"},
            {"name": series_name(KPIS["proposed_t"]), "kind": "line", "axis": "right", "values": col("proposed_t"),
             "colour": "#8250df", "dash": "4 3", "unit": "t/a"}],
        width=WIDTH, height=340, left_title=series_name(KPIS["transferred_t"]),
        right_title="批准/拟议 approved / proposed (t/a)")
    co2e = _trend_chart(
        "trend-co2e", "减排 CO₂e avoided, gross and net of transport (t CO₂e)", x, [
            {"name": series_name(KPIS["co2e_avoided_t"]), "kind": "bar", "axis": "left",
             "values": col("co2e_avoided_t"), "colour": "#80cbc4", "unit": "t CO₂e"},
            {"name": series_name(KPIS["net_co2e_avoided_t"]), "kind": "bar", "axis": "left",
             "values": col("net_co2e_avoided_t"), "colour": "#00838f", "unit": "t CO₂e"}],
        width=HALF_WIDTH, height=300, left_title="t CO₂e")
    alerts = _trend_chart(
        "trend-alerts", "预警与转移批次 alerts and shipments", x, [
            {"name": series_name(KPIS["alerts_raised"]), "kind": "bar", "axis": "left", "values": col("alerts_raised"),
             "colour": "#c62828"},
            {"name": series_name(KPIS["shipments"]), "kind": "line", "axis": "right", "values": col("shipments"),
             "colour": "#5b6770"}],
        width=HALF_WIDTH, height=300, left_title="预警 alerts", right_title="批次 shipments")
    return [tonnes, co2e, alerts]
