"""The report's figures as plotly JSON (data + layout): the Sankey of the flows, the network of the top chains
and loops, the monthly trends. The HTML page embeds them as JSON blocks; plotly.js draws them."""
from __future__ import annotations

import json
import math
from collections import defaultdict
from typing import Any

from markupsafe import Markup

from ..kpi_registry import KPIS, Kpi
from .common import BASES, BASIS_EN, BASIS_UNIT, BASIS_ZH, joined, num

NETWORK_CHAINS = 12          # top chains and top loops per basis drawn in the network
FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'


def _flows_of(doc: dict, basis: str) -> list[dict]:
    return [f for f in doc.get("flows") or [] if f.get("basis") == basis]


def safe_json(value: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` block: no ``<``, ``>`` or ``&`` survives, so no
    ``</script>`` or ``<!--`` inside a name can end the block."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_json_default)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                  .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _json_default(value: Any) -> Any:
    try:
        import numpy as np

        if isinstance(value, np.ndarray):
            return value.tolist()
        if isinstance(value, np.generic):
            return value.item()
    except ImportError:  # pragma: no cover
        pass
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _base_layout(**extra: Any) -> dict[str, Any]:
    layout = {
        "font": {"family": FONT, "size": 13, "color": "#1f2328"},
        "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
        "margin": {"l": 60, "r": 30, "t": 50, "b": 50},
        "hoverlabel": {"font": {"family": FONT}},
    }
    layout.update(extra)
    return layout


def _axis(title: str, **extra: Any) -> dict[str, Any]:
    axis = {"title": {"text": title}, "gridcolor": "#e6e8eb", "zerolinecolor": "#c9ced4", "automargin": True}
    axis.update(extra)
    return axis


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
LINK_COLOUR = {"hazardous": "rgba(198,40,40,0.28)", "general": "rgba(109,143,58,0.30)",
               "product": "rgba(11,107,203,0.28)"}


def sankey_figure(doc: dict) -> dict[str, Any] | None:
    """One Sankey trace per basis with flows (realised first), switched with buttons; None without flows."""
    traces, bases, heights = [], [], []
    for basis in BASES:
        flows = _flows_of(doc, basis)
        if not flows:
            continue
        unit = BASIS_UNIT[basis]
        nodes: dict[str, int] = {}
        labels, colours, values = [], [], defaultdict(float)
        kinds: dict[tuple[int, int], str] = {}

        def node(key: str, label: str, kind: str) -> int:
            if key not in nodes:
                nodes[key] = len(labels)
                labels.append(label)
                colours.append(NODE_COLOUR[kind])
            return nodes[key]

        left = right = 0
        for f in sorted(flows, key=lambda f: -(num(f.get("tonnes")) or 0)):
            key, label, kind = _flow_group(f)
            before = len(labels)
            s = node(key, label, kind)
            left += len(labels) - before
            industry = f.get("target_industry_name") or f.get("target_industry") or f.get("target_name") or "—"
            before = len(labels)
            t = node(f"i:{industry}", str(industry), "industry")
            right += len(labels) - before
            values[(s, t)] += num(f.get("tonnes")) or 0.0
            kinds[(s, t)] = kind
        links = [(s, t, v) for (s, t), v in values.items() if v > 0]
        traces.append({
            "type": "sankey", "visible": not traces, "arrangement": "snap", "valueformat": ",.1f",
            "valuesuffix": f" {unit}",
            "node": {"label": labels, "color": colours, "pad": 14, "thickness": 16,
                     "line": {"color": "#ffffff", "width": 0.5},
                     "hovertemplate": "%{label}<br>%{value:,.1f} " + unit + "<extra></extra>"},
            "link": {"source": [s for s, _, _ in links], "target": [t for _, t, _ in links],
                     "value": [v for _, _, v in links], "color": [LINK_COLOUR[kinds[(s, t)]] for s, t, _ in links],
                     "hovertemplate": "%{source.label} → %{target.label}<br>%{value:,.1f} " + unit
                                      + "<extra></extra>"},
        })
        bases.append(basis)
        heights.append(max(380, 34 * max(left, right) + 120))
    if not traces:
        return None

    def title(basis: str) -> str:
        return (f"{BASIS_ZH[basis]} {BASIS_EN[basis]} · 废物类别 → 接收行业 waste category → receiving industry "
                f"({BASIS_UNIT[basis]})")

    layout = _base_layout(title={"text": title(bases[0]), "x": 0.01, "font": {"size": 15}}, height=max(heights),
                          margin={"l": 20, "r": 20, "t": 90, "b": 20})
    if len(traces) > 1:
        layout["updatemenus"] = [{
            "type": "buttons", "direction": "right", "x": 0.0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
            "pad": {"t": 0, "b": 28}, "showactive": True, "bgcolor": "#f3f5f7", "bordercolor": "#c9ced4",
            "buttons": [{"label": f"{BASIS_ZH[b]} {BASIS_EN[b]} ({BASIS_UNIT[b]})", "method": "update",
                         "args": [{"visible": [j == i for j in range(len(traces))]},
                                  {"title.text": title(b)}]} for i, b in enumerate(bases)],
        }]
        layout["margin"]["t"] = 110
        layout["title"]["y"] = 0.985
        layout["title"]["yanchor"] = "top"
    return {"data": traces, "layout": layout, "bases": bases}


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


def network_figure(doc: dict) -> dict[str, Any] | None:
    """The enterprises of the top chains and loops, one set of traces per basis (realised first).

    Positions are laid out per basis (Kamada-Kawai per connected component, no randomness), so the
    picture is the same on every run and a small realised network is not squeezed by a large
    proposed one.
    """
    import networkx as nx

    per_basis = {b: _network_edges(doc, b) for b in BASES}
    per_basis = {b: v for b, v in per_basis.items() if v[0]}
    if not per_basis:
        return None
    labels: dict[str, dict] = {}
    for _, nodes in per_basis.values():
        labels.update({k: v for k, v in nodes.items() if k not in labels})
    grid_rows = 1

    traces: list[dict] = []
    groups: list[tuple[str, int, int]] = []
    annotations: dict[str, list[dict]] = {}
    for basis, (edges, nodes) in per_basis.items():
        graph = nx.Graph()
        graph.add_nodes_from(sorted(nodes))
        graph.add_edges_from(sorted(edges))
        pos, rows, side = _layout(graph)
        grid_rows = max(grid_rows, rows)
        crowded = graph.number_of_nodes() > 12
        unit = BASIS_UNIT[basis]
        first = len(traces)
        top = max(e["tonnes"] for e in edges.values()) or 1.0
        through: dict[str, float] = defaultdict(float)
        for (s, t), e in edges.items():
            through[s] += e["tonnes"]
            through[t] += e["tonnes"]
        peak = max(through.values()) or 1.0
        size = {k: 16 + 20 * math.sqrt(through[k] / peak) for k in nodes}
        arrows, mids = [], []
        for (s, t), e in sorted(edges.items(), key=lambda kv: kv[1]["tonnes"]):
            (x0, y0), (x1, y1) = pos[s], pos[t]
            if (t, s) in edges:           # both directions: each drawn a little to its own side
                length = math.hypot(x1 - x0, y1 - y0) or 1.0
                ox, oy = -(y1 - y0) / length * 0.045, (x1 - x0) / length * 0.045
                x0, y0, x1, y1 = x0 + ox, y0 + oy, x1 + ox, y1 + oy
            width = 1.5 + 9 * math.sqrt(e["tonnes"] / top)
            colour = "rgba(214,92,0,0.8)" if e["loop"] else "rgba(11,107,203,0.55)"
            traces.append({"type": "scatter", "mode": "lines", "x": [x0, x1], "y": [y0, y1],
                           "line": {"width": width, "color": colour}, "hoverinfo": "skip", "showlegend": False})
            arrows.append({"x": x1, "y": y1, "ax": x0, "ay": y0, "xref": "x", "yref": "y", "axref": "x",
                           "ayref": "y", "showarrow": True, "arrowhead": 2, "arrowsize": 1.2,
                           "arrowwidth": 1.8, "standoff": size[t] / 2 + 3, "startstandoff": size[s] / 2,
                           "text": "", "arrowcolor": "#b34700" if e["loop"] else "#0b4f94"})
            mids.append(((x0 + x1) / 2, (y0 + y1) / 2, s, t, e))
        traces.append({
            "type": "scatter", "mode": "markers", "showlegend": False,
            "x": [m[0] for m in mids], "y": [m[1] for m in mids],
            "marker": {"size": 12, "color": "rgba(0,0,0,0)"},
            "text": [f"{labels[s].get('label_zh') or s} → {labels[t].get('label_zh') or t}<br>"
                     f"{e['tonnes']:,.1f} {unit}{' · 闭环 loop' if e['loop'] else ''}<br>"
                     f"{joined(sorted(e['materials']))}" for _, _, s, t, e in mids],
            "hovertemplate": "%{text}<extra></extra>",
        })
        keys = sorted(nodes)
        traces.append({
            "type": "scatter", "mode": "markers+text", "showlegend": False,
            "x": [pos[k][0] for k in keys], "y": [pos[k][1] for k in keys],
            "text": [_short(str(labels[k].get("label_zh") or k), 9 if crowded else 40) for k in keys],
            "customdata": [[str(k), str(labels[k].get("label_en") or ""), through[k],
                            str(labels[k].get("label_zh") or k)] for k in keys],
            "textposition": [side[k] for k in keys],
            "textfont": {"size": 12.5, "color": "#1f2328"},
            "marker": {"size": [size[k] for k in keys], "color": "#ffffff", "line": {"width": 2.5, "color": "#24292f"}},
            "hovertemplate": "%{customdata[3]}<br>%{customdata[0]} %{customdata[1]}<br>"
                             "进出 in+out %{customdata[2]:,.1f} " + unit + "<extra></extra>",
        })
        groups.append((basis, first, len(traces)))
        annotations[basis] = arrows

    def title(basis: str) -> str:
        return (f"{BASIS_ZH[basis]} {BASIS_EN[basis]} · 线宽 = 吨数 line width = tonnes ({BASIS_UNIT[basis]}) · "
                "<span style='color:#d65c00'>橙色 = 闭环 orange = loop</span>")

    first_basis = groups[0][0]
    for basis, start, stop in groups:
        for tr in traces[start:stop]:
            tr["visible"] = basis == first_basis
    layout = _base_layout(
        title={"text": title(first_basis), "x": 0.01, "y": 1, "yref": "container", "yanchor": "top",
               "pad": {"t": 12}, "font": {"size": 14}},
        height=max(520, min(1600, 340 * grid_rows + 160)), hovermode="closest", showlegend=False,
        # positions fill [-1.45, 1.45] × [-0.95, 0.95]: the margins leave room for the labels
        xaxis={"visible": False, "range": [-1.75, 1.75]},
        yaxis={"visible": False, "range": [-1.25, 1.25]},
        annotations=annotations[first_basis], margin={"l": 20, "r": 20, "t": 60, "b": 20},
    )
    if len(groups) > 1:
        layout["updatemenus"] = [{
            "type": "buttons", "direction": "right", "x": 0.0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
            "pad": {"t": 0, "b": 30}, "showactive": True, "bgcolor": "#f3f5f7", "bordercolor": "#c9ced4",
            "buttons": [{"label": f"{BASIS_ZH[b]} {BASIS_EN[b]} ({BASIS_UNIT[b]})", "method": "update",
                         "args": [{"visible": [start <= j < stop for j in range(len(traces))]},
                                  {"title.text": title(b), "annotations": annotations[b]}]}
                        for b, start, stop in groups],
        }]
        layout["margin"]["t"] = 110
    return {"data": traces, "layout": layout, "bases": [g[0] for g in groups]}


def series_name(k: Kpi) -> str:
    """A KPI in a legend or on an axis: ``实际转移 transferred (t)``, ``新批准 approved (t/a)``; a count bare."""
    unit = k.format.reading
    if not unit or k.unit == "share":
        return k.label
    return f"{k.label} ({k.format.annual(unit) if k.is_annual() else unit})"


def trend_figures(doc: dict) -> list[dict[str, Any]]:
    """Monthly trends: tonnes (bars realised t, lines approved/proposed t/a), CO2e avoided, alerts."""
    months = (doc.get("kpis") or {}).get("monthly") or []
    if not months:
        return []
    x = [str(m.get("month")) for m in months]

    def col(key: str) -> list[float]:
        return [num(m.get(key)) or 0.0 for m in months]

    xaxis = _axis("月份 month", type="category")
    legend = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}
    tonnes = {
        "id": "trend-tonnes",
        "data": [
            {"type": "bar", "name": series_name(KPIS["transferred_t"]), "x": x, "y": col("transferred_t"),
             "marker": {"color": "#2e8540"}, "hovertemplate": "%{x}: %{y:,.1f} t<extra>transferred</extra>"},
            {"type": "bar", "name": series_name(KPIS["diverted_t"]), "x": x, "y": col("diverted_t"),
             "marker": {"color": "#a5c98a"}, "hovertemplate": "%{x}: %{y:,.1f} t<extra>diverted</extra>"},
            {"type": "scatter", "mode": "lines+markers", "name": series_name(KPIS["approved_t"]), "x": x,
             "y": col("approved_t"), "yaxis": "y2", "line": {"color": "#0b6bcb", "width": 2.5},
             "hovertemplate": "%{x}: %{y:,.1f} t/a<extra>approved</extra>"},
            {"type": "scatter", "mode": "lines+markers", "name": series_name(KPIS["proposed_t"]), "x": x,
             "y": col("proposed_t"), "yaxis": "y2", "line": {"color": "#8250df", "width": 2, "dash": "dot"},
             "hovertemplate": "%{x}: %{y:,.1f} t/a<extra>proposed</extra>"},
        ],
        "layout": _base_layout(
            height=400, barmode="group", legend=legend, margin={"l": 70, "r": 70, "t": 40, "b": 50},
            xaxis=xaxis, yaxis=_axis(series_name(KPIS["transferred_t"]), rangemode="tozero", tickformat="~s"),
            yaxis2=_axis("批准/拟议 approved / proposed (t/a)", overlaying="y", side="right", showgrid=False,
                         rangemode="tozero", tickmode="auto", tickformat="~s")),
    }
    co2e = {
        "id": "trend-co2e",
        "data": [{"type": "bar", "name": series_name(KPIS["co2e_avoided_t"]), "x": x, "y": col("co2e_avoided_t"),
                  "marker": {"color": "#80cbc4"},
                  "hovertemplate": "%{x}: %{y:,.1f} t CO₂e<extra>avoided</extra>"},
                 {"type": "bar", "name": series_name(KPIS["net_co2e_avoided_t"]), "x": x,
                  "y": col("net_co2e_avoided_t"),
                  "marker": {"color": "#00838f"},
                  "hovertemplate": "%{x}: %{y:,.1f} t CO₂e<extra>net</extra>"}],
        "layout": _base_layout(height=340, xaxis=xaxis, barmode="group", legend=legend,
                               title={"text": "减排 CO₂e avoided, gross and net of transport (t CO₂e)", "x": 0.01,
                                      "font": {"size": 14}},
                               yaxis=_axis("t CO₂e", rangemode="tozero")),
    }
    alerts = {
        "id": "trend-alerts",
        "data": [
            {"type": "bar", "name": series_name(KPIS["alerts_raised"]), "x": x, "y": col("alerts_raised"),
             "marker": {"color": "#c62828"}, "hovertemplate": "%{x}: %{y} <extra>alerts</extra>"},
            {"type": "scatter", "mode": "lines+markers", "name": series_name(KPIS["shipments"]), "x": x,
             "y": col("shipments"), "yaxis": "y2", "line": {"color": "#5b6770"},
             "hovertemplate": "%{x}: %{y} <extra>shipments</extra>"},
        ],
        "layout": _base_layout(height=340, xaxis=xaxis, legend=legend,
                               margin={"l": 60, "r": 60, "t": 50, "b": 50},
                               yaxis=_axis("预警 alerts", rangemode="tozero"),
                               yaxis2=_axis("批次 shipments", overlaying="y", side="right", showgrid=False,
                                            rangemode="tozero", tickmode="auto")),
    }
    return [tonnes, co2e, alerts]
