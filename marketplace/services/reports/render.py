"""The park report (``wastematch.report.v1``, docs/report-format.md) rendered as HTML, CSV and XLSX.

The document is built elsewhere (a plain JSON-able dict); this module only presents it:

- ``render_html(doc)``: one self-contained, bilingual HTML page (Chinese first, English alongside) that
  works offline: inline CSS, plotly.js inlined once from the installed package, figures embedded as
  JSON data blocks; no network resource at all.
- ``write_csv(doc, path)``: seven CSV files (UTF-8 with BOM, formula-defused, tonnes with every digit)
  in a directory or a ``.zip``; ``csv_zip_bytes(doc)`` for the API.
- ``write_xlsx(doc, path_or_buffer)``: one workbook, a sheet per table, a chart of monthly tonnes.
- ``render(doc, fmt, path)``: dispatches on ``html|json|csv|xlsx``.

Like the manifests, rendered with Jinja2 directly (services do not depend on Flask).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from markupsafe import Markup

from matching.chains import LEVELS

from ...models.base import CHINA_TZ
from ..traceability.manifests import csv_cell, defuse_formula, templates, xlsx_cell
from .flows import UNITS
from .ratings import GRADE_EN, GRADE_ZH

BASES = ("realised", "approved", "proposed")          # the order the report shows them in
BASIS_ZH = {"realised": "实际转移", "approved": "已批准", "proposed": "拟议"}
BASIS_EN = {"realised": "realised", "approved": "approved", "proposed": "proposed"}
BASIS_UNIT = UNITS
LEVEL_ZH = {"enterprise": "企业", "industry": "行业", "park": "园区"}
GRADE_ORDER = {"A": 0, "B": 1, "C": 2, "D": 3, None: 4}
GRADE_COLOUR = {"A": "#1a7f37", "B": "#0b6bcb", "C": "#b7791f", "D": "#c62828", None: "#6e7781"}

# The Totals metrics: key, 中文, English, unit kind ("t" becomes t or t/a by basis).
TOTALS = (
    ("flows", "流向数", "flows", "count"),
    ("tonnes", "物料量", "tonnes", "t"),
    ("hazardous_t", "其中危险废物", "of which hazardous", "t"),
    ("hazardous_share", "危险废物占比", "hazardous share", "share"),
    ("diverted_landfill_t", "避免填埋量", "diverted from landfill", "t"),
    ("diverted_incineration_t", "避免焚烧量", "diverted from incineration", "t"),
    ("tonne_km", "运输周转量", "transport work", "t*km"),
    ("co2e_avoided_t", "避免排放", "CO2e avoided", "tCO2e"),
    ("transport_co2e_t", "运输排放", "transport CO2e", "tCO2e"),
    ("net_co2e_avoided_t", "净减排量", "net CO2e avoided", "tCO2e"),
    ("cost_saving_cny", "成本节约", "cost saving", "CNY"),
    ("priced_flows", "有价格的流向", "priced flows", "count"),
)
UNIT_LABEL = {"t": "t", "t*km": "t·km", "tCO2e": "t CO₂e", "CNY": "元 CNY", "count": "", "share": "%"}
# Sections of the HTML page: anchor, 中文, English (the tests check every heading).
SECTIONS = (
    ("summary", "概览", "Summary"),
    ("kpis", "园区关键指标", "Park key indicators"),
    ("flows", "物料流向", "Material flows"),
    ("network", "共生网络", "Symbiosis network"),
    ("chains", "共生链与闭环", "Symbiosis chains and closed loops"),
    ("trends", "月度趋势", "Monthly trends"),
    ("enterprises", "企业绩效", "Enterprise performance"),
    ("compliance", "合规情况", "Compliance"),
    ("ratings", "企业评级", "Enterprise ratings"),
    ("factors", "排放因子", "Emission factors"),
    ("methods", "方法说明", "Methods and definitions"),
)
MAX_ENTERPRISE_ROWS = 50
MAX_CHAIN_ROWS = 30
NETWORK_CHAINS = 12          # top chains and top loops per basis drawn in the network
FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
# ---------------------------------------------------------------- small formatting helpers

def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def unit_of(kind: str, basis: str | None) -> str:
    """The unit of a metric kind on a basis: annual rates (t/a) for proposed and approved."""
    if kind in ("count", "share"):
        return kind if kind == "count" else "ratio"
    return f"{kind}/a" if basis in ("proposed", "approved") else kind


def fmt_t(value: Any) -> str:
    """Tonnes (or any quantity) for reading: thousands separated, fewer decimals as the value grows."""
    v = _num(value)
    if v is None:
        return "—"
    if v == 0:
        return "0"
    a = abs(v)
    return f"{v:,.0f}" if a >= 10000 else f"{v:,.1f}" if a >= 10 else f"{v:,.2f}" if a >= 0.1 else f"{v:.3g}"


def fmt_pct(value: Any) -> str:
    v = _num(value)
    return "—" if v is None else f"{v * 100:,.1f}%"


def fmt_int(value: Any) -> str:
    v = _num(value)
    return "—" if v is None else f"{v:,.0f}"


def fmt_value(value: Any) -> str:
    """An indicator or factor value of unknown kind."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {fmt_value(v)}" for k, v in value.items())
    return str(value)


def fmt_exact(value: Any) -> str:
    """A factor as given: every digit kept (``0.0712``, ``1,550``), other values as :func:`fmt_value`."""
    if isinstance(value, float) and math.isfinite(value):
        text = format(value, ",")
        return text[:-2] if text.endswith(".0") else text
    return fmt_value(value)


def fmt_metric(value: Any, kind: str, basis: str | None) -> str:
    if kind == "share":
        return fmt_pct(value)
    if kind == "count":
        return fmt_int(value)
    text = fmt_int(value) if kind == "CNY" else fmt_t(value)
    if text == "—":
        return text
    unit = UNIT_LABEL[kind] + ("/a" if basis in ("proposed", "approved") else "")
    return f"{text} {unit}"


def local_time(iso: str | None) -> str:
    """An ISO 8601 time as Beijing time, ``2026-12-02 13:00 (UTC+8)``; unparseable text as given."""
    if not iso:
        return "—"
    try:
        t = dt.datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return str(iso)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") + " (UTC+8)"


def _joined(values: Any, sep: str = "、") -> str:
    if not values:
        return ""
    if isinstance(values, str):
        return values
    return sep.join(str(v) for v in values if v not in (None, ""))


def _flows_of(doc: dict, basis: str) -> list[dict]:
    return [f for f in doc.get("flows") or [] if f.get("basis") == basis]


def _chains(doc: dict) -> list[dict]:
    return [*(doc.get("chains") or []), *(doc.get("loops") or [])]


def _park_label(doc: dict) -> tuple[str, str, str]:
    park = doc.get("park")
    if not park:
        return "ALL", "全部园区", "all parks"
    return park.get("code") or "", park.get("name") or park.get("code") or "", park.get("name_en") or ""


def chain_path(chain: dict, lang: str = "zh") -> str:
    """``A → B → C``; a loop comes back to its first node."""
    labels = [(n.get("label_zh") if lang == "zh" else n.get("label_en")) or n.get("key") or ""
              for n in chain.get("nodes") or []]
    if chain.get("closed") and labels:
        labels.append(labels[0])
    return " → ".join(str(x) for x in labels)


# ---------------------------------------------------------------- figures (plotly)

def _safe_json(value: Any) -> Markup:
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
        for f in sorted(flows, key=lambda f: -(_num(f.get("tonnes")) or 0)):
            key, label, kind = _flow_group(f)
            before = len(labels)
            s = node(key, label, kind)
            left += len(labels) - before
            industry = f.get("target_industry_name") or f.get("target_industry") or f.get("target_name") or "—"
            before = len(labels)
            t = node(f"i:{industry}", str(industry), "industry")
            right += len(labels) - before
            values[(s, t)] += _num(f.get("tonnes")) or 0.0
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
                        key=lambda c: (c.get("rank") or 0, -(_num(c.get("tonnes")) or 0)))[:NETWORK_CHAINS]
        for chain in picked:
            for n in chain.get("nodes") or []:
                nodes.setdefault(str(n.get("key")), n)
            for link in chain.get("links") or []:
                key = (str(link.get("source")), str(link.get("target")))
                edge = edges.setdefault(key, {"tonnes": 0.0, "loop": False, "materials": set()})
                # The same pair appears in several chains with the same tonnes: the largest, never the sum.
                edge["tonnes"] = max(edge["tonnes"], _num(link.get("tonnes")) or 0.0)
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
                     f"{_joined(sorted(e['materials']))}" for _, _, s, t, e in mids],
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


def trend_figures(doc: dict) -> list[dict[str, Any]]:
    """Monthly trends: tonnes (bars realised t, lines approved/proposed t/a), CO2e avoided, alerts."""
    months = (doc.get("kpis") or {}).get("monthly") or []
    if not months:
        return []
    x = [str(m.get("month")) for m in months]

    def col(key: str) -> list[float]:
        return [_num(m.get(key)) or 0.0 for m in months]

    xaxis = _axis("月份 month", type="category")
    legend = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}
    tonnes = {
        "id": "trend-tonnes",
        "data": [
            {"type": "bar", "name": "实际转移 transferred (t)", "x": x, "y": col("transferred_t"),
             "marker": {"color": "#2e8540"}, "hovertemplate": "%{x}: %{y:,.1f} t<extra>transferred</extra>"},
            {"type": "bar", "name": "避免填埋/焚烧 diverted (t)", "x": x, "y": col("diverted_t"),
             "marker": {"color": "#a5c98a"}, "hovertemplate": "%{x}: %{y:,.1f} t<extra>diverted</extra>"},
            {"type": "scatter", "mode": "lines+markers", "name": "新批准 approved (t/a)", "x": x,
             "y": col("approved_t"), "yaxis": "y2", "line": {"color": "#0b6bcb", "width": 2.5},
             "hovertemplate": "%{x}: %{y:,.1f} t/a<extra>approved</extra>"},
            {"type": "scatter", "mode": "lines+markers", "name": "新拟议 proposed (t/a)", "x": x,
             "y": col("proposed_t"), "yaxis": "y2", "line": {"color": "#8250df", "width": 2, "dash": "dot"},
             "hovertemplate": "%{x}: %{y:,.1f} t/a<extra>proposed</extra>"},
        ],
        "layout": _base_layout(
            height=400, barmode="group", legend=legend, margin={"l": 70, "r": 70, "t": 40, "b": 50},
            xaxis=xaxis, yaxis=_axis("实际转移 transferred (t)", rangemode="tozero", tickformat="~s"),
            yaxis2=_axis("批准/拟议 approved / proposed (t/a)", overlaying="y", side="right", showgrid=False,
                         rangemode="tozero", tickmode="auto", tickformat="~s")),
    }
    co2e = {
        "id": "trend-co2e",
        "data": [{"type": "bar", "name": "避免排放 CO2e avoided (t CO₂e)", "x": x, "y": col("co2e_avoided_t"),
                  "marker": {"color": "#80cbc4"},
                  "hovertemplate": "%{x}: %{y:,.1f} t CO₂e<extra>avoided</extra>"},
                 {"type": "bar", "name": "净减排 net of transport (t CO₂e)", "x": x, "y": col("net_co2e_avoided_t"),
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
            {"type": "bar", "name": "新增预警 alerts raised", "x": x, "y": col("alerts_raised"),
             "marker": {"color": "#c62828"}, "hovertemplate": "%{x}: %{y} <extra>alerts</extra>"},
            {"type": "scatter", "mode": "lines+markers", "name": "运输批次 shipments", "x": x,
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


# ---------------------------------------------------------------- HTML

def _park_rows(doc: dict) -> list[dict[str, Any]]:
    park = (doc.get("kpis") or {}).get("park") or {}
    rows = []
    for key, zh, en, kind in TOTALS:
        rows.append({"zh": zh, "en": en, "cells": [fmt_metric((park.get(b) or {}).get(key), kind, b)
                                                   for b in ("proposed", "approved", "realised")]})
    return rows


def _enterprise_rows(doc: dict) -> tuple[list[dict], int]:
    """Leaders first (the document's order); the top and the bottom when there are many."""
    rows = list((doc.get("kpis") or {}).get("enterprises") or [])
    grades = {r.get("ref"): r.get("grade") for r in doc.get("ratings") or []}
    shown: list[dict] = []
    for i, e in enumerate(rows, start=1):
        shown.append({"rank": i, "e": e, "grade": grades.get(e.get("ref"), "—")})
    omitted = 0
    if len(shown) > MAX_ENTERPRISE_ROWS:
        half = MAX_ENTERPRISE_ROWS // 2
        omitted = len(shown) - 2 * half
        shown = [*shown[:half], {"gap": omitted}, *shown[-half:]]
    return shown, omitted


def _chain_groups(doc: dict) -> list[dict[str, Any]]:
    """Chains and loops by basis (realised first), each a table with every level, most important first."""
    groups = []
    for basis in BASES:
        tables = []
        for closed, zh, en, items in ((False, "共生链", "chains", doc.get("chains") or []),
                                      (True, "闭环", "closed loops", doc.get("loops") or [])):
            chosen = [c for c in items if c.get("basis") == basis]
            chosen.sort(key=lambda c: (LEVELS.index(c["level"]) if c.get("level") in LEVELS else 9,
                                       c.get("rank") or 0, -(_num(c.get("tonnes")) or 0)))
            rows = []
            per_level: dict[str, int] = defaultdict(int)
            hidden = 0
            for c in chosen:
                per_level[c.get("level")] += 1
                if per_level[c.get("level")] > MAX_CHAIN_ROWS:
                    hidden += 1
                    continue
                rows.append({"c": c, "path_zh": chain_path(c, "zh"), "path_en": chain_path(c, "en"),
                             "level_zh": LEVEL_ZH.get(c.get("level"), c.get("level") or "")})
            tables.append({"zh": zh, "en": en, "closed": closed, "rows": rows, "hidden": hidden,
                           "total": len(chosen)})
        groups.append({"basis": basis, "zh": BASIS_ZH[basis], "en": BASIS_EN[basis], "unit": BASIS_UNIT[basis],
                       "tables": tables, "count": sum(t["total"] for t in tables)})
    return groups


def _rating_rows(doc: dict) -> tuple[list[dict], list[tuple[str, str, str]], dict[Any, int]]:
    ratings = sorted(doc.get("ratings") or [], key=lambda r: (GRADE_ORDER.get(r.get("grade"), 5),
                                                               -(_num(r.get("score")) or 0), str(r.get("ref"))))
    columns: dict[str, tuple[str, str]] = {}
    for r in ratings:
        for name, ind in (r.get("indicators") or {}).items():
            columns.setdefault(name, ((ind or {}).get("label_zh") or name, (ind or {}).get("label_en") or ""))
    counts = {g: 0 for g in GRADE_ORDER}
    rows = []
    for r in ratings:
        g = r.get("grade") if r.get("grade") in GRADE_ORDER else None
        counts[g] += 1
        cells = []
        for name in columns:
            ind = (r.get("indicators") or {}).get(name)
            if not ind:
                cells.append({"value": "—", "score": None, "na": True})
                continue
            value = ind.get("value")
            text = fmt_pct(value) if name.endswith(("_share", "_rate")) and _num(value) is not None \
                else fmt_value(value)
            cells.append({"value": text, "score": _num(ind.get("score")), "na": not ind.get("applicable", True)})
        rows.append({"r": r, "grade": g, "colour": GRADE_COLOUR[g],
                     "grade_zh": r.get("grade_zh") or GRADE_ZH[g], "grade_en": r.get("grade_en") or GRADE_EN[g],
                     "cells": cells,
                     "reasons": list(zip_longest(r.get("reasons_zh") or [], r.get("reasons_en") or []))})
    return rows, [(k, zh, en) for k, (zh, en) in columns.items()], counts


def zip_longest(a: Sequence, b: Sequence) -> list[tuple[str, str]]:
    return [(a[i] if i < len(a) else "", b[i] if i < len(b) else "") for i in range(max(len(a), len(b)))]


def _table_of(records: Iterable[Any]) -> dict[str, Any]:
    """A list of dicts (or of plain values) as columns + rows, for data whose shape the contract leaves open."""
    records = list(records)
    columns: list[str] = []
    for r in records:
        for k in (r.keys() if isinstance(r, dict) else ["value"]):
            if k not in columns:
                columns.append(k)
    rows = [[fmt_exact(r.get(k)) if isinstance(r, dict) else fmt_exact(r) for k in columns] for r in records]
    return {"columns": columns, "rows": rows}


def _summary(doc: dict) -> dict[str, Any]:
    park = (doc.get("kpis") or {}).get("park") or {}
    real = park.get("realised") or {}
    appr = park.get("approved") or {}
    diverted = (_num(real.get("diverted_landfill_t")) or 0) + (_num(real.get("diverted_incineration_t")) or 0)
    return {
        "transferred": fmt_metric(real.get("tonnes"), "t", "realised"),
        "diverted": fmt_metric(diverted, "t", "realised"),
        "net_co2e": fmt_metric(real.get("net_co2e_avoided_t"), "tCO2e", "realised"),
        "approved": fmt_metric(appr.get("tonnes"), "t", "approved"),
        "chains": len(doc.get("chains") or []), "loops": len(doc.get("loops") or []),
        "enterprise_chains": sum(1 for c in doc.get("chains") or [] if c.get("level") == "enterprise"),
        "enterprise_loops": sum(1 for c in doc.get("loops") or [] if c.get("level") == "enterprise"),
        "realisation": fmt_pct(park.get("realisation_rate")),
    }


def _counts(mapping: Any) -> list[tuple[str, Any]]:
    return sorted(((str(k), v) for k, v in (mapping or {}).items()), key=lambda kv: (-(_num(kv[1]) or 0), kv[0]))


def html_context(doc: dict) -> dict[str, Any]:
    code, name, name_en = _park_label(doc)
    kpis = doc.get("kpis") or {}
    park = kpis.get("park") or {}
    figures: list[dict[str, Any]] = []
    sankey = sankey_figure(doc)
    network = network_figure(doc)
    trends = trend_figures(doc)
    config = {"displaylogo": False, "responsive": True,
              "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
              "toImageButtonOptions": {"format": "png", "scale": 2}}
    for fid, fig in (("sankey", sankey), ("network", network), *((t["id"], t) for t in trends)):
        if fig:
            figures.append({"id": fid, "json": _safe_json({"data": fig["data"], "layout": fig["layout"],
                                                           "config": config})})
    enterprises, omitted = _enterprise_rows(doc)
    ratings, indicator_columns, grade_counts = _rating_rows(doc)
    compliance = kpis.get("compliance") or {}
    factors = doc.get("emission_factors") or {}
    stats = doc.get("stats") or {}
    return {
        "doc": doc, "park_code": code, "park_name": name, "park_name_en": name_en,
        "period": doc.get("period") or {}, "generated": local_time(doc.get("generated_at")),
        "sections": SECTIONS, "s": _summary(doc), "park": park, "park_rows": _park_rows(doc),
        "offered": fmt_metric(park.get("offered_t"), "t", "approved"),
        "rates": [("供给匹配率", "match rate", "拟议 ÷ 供给 proposed ÷ offered", park.get("match_rate")),
                  ("综合利用率", "utilisation rate", "在执行批准量 ÷ 供给 approved in force ÷ offered",
                   park.get("utilisation_rate")),
                  ("实际落实率", "realisation rate", "实际 ÷ 在执行匹配应交付量 realised ÷ due under the matches in force",
                   park.get("realisation_rate"))],
        "figures": {f["id"]: f for f in figures}, "figure_list": figures,
        "sankey_bases": (sankey or {}).get("bases") or [], "network_bases": (network or {}).get("bases") or [],
        "flow_count": len(doc.get("flows") or []),
        "chain_groups": _chain_groups(doc), "months": kpis.get("monthly") or [],
        "enterprises": enterprises, "enterprise_total": len(kpis.get("enterprises") or []), "omitted": omitted,
        "compliance": compliance,
        "compliance_tables": [
            ("未通过的硬性检查", "failed hard checks", _counts(compliance.get("failed_checks")),
             compliance.get("labels") or {}),
            ("提示项", "soft flags", _counts(compliance.get("soft_flags")), compliance.get("labels") or {}),
            ("预警（按类型）", "alerts by kind", _counts(compliance.get("alerts_by_kind")),
             compliance.get("alert_labels") or compliance.get("labels") or {}),
            ("台账问题（按代码）", "ledger findings by code", _counts(compliance.get("findings_by_code")),
             compliance.get("labels") or {}),
        ],
        "ratings": ratings, "indicator_columns": indicator_columns, "grade_counts": grade_counts,
        "grade_zh": GRADE_ZH, "grade_en": GRADE_EN, "grade_colour": GRADE_COLOUR,
        "factor_classes": _table_of(factors.get("classes") or []),
        "factor_sources": _table_of(factors.get("sources") or []),
        "road_factor": factors.get("road_freight_kg_co2e_per_tkm"),
        "policy": doc.get("rating_policy") or {}, "stats": stats,
        "basis_zh": BASIS_ZH, "basis_en": BASIS_EN, "basis_unit": BASIS_UNIT,
        "fmt_t": fmt_t, "fmt_pct": fmt_pct, "fmt_int": fmt_int, "fmt_value": fmt_value, "fmt_exact": fmt_exact,
        "fmt_metric": fmt_metric,
        "network_top": NETWORK_CHAINS, "max_chain_rows": MAX_CHAIN_ROWS,
        "joined": _joined, "plotlyjs": _plotlyjs() if figures else None,
    }


def _plotlyjs() -> Markup:
    from plotly.offline import get_plotlyjs

    # The bundle holds no "</script" today; should one appear in a string, it must not end the element.
    return Markup(get_plotlyjs().replace("</script", "<\\/script"))


def render_html(doc: dict) -> str:
    """The report as one self-contained bilingual HTML page (works offline, prints on A4)."""
    return templates.get_template("report.html").render(**html_context(doc))


# ---------------------------------------------------------------- CSV

def csv_value(value: Any) -> str:
    """A CSV cell: floats in their shortest exact form (``repr``: every digit of a tonnage survives),
    booleans as true/false, lists joined with ``; ``, text defused against formula injection."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        text = repr(value)
        return text[:-2] if text.endswith(".0") and "e" not in text else text
    if isinstance(value, (list, tuple, set)):
        return str(defuse_formula("; ".join(str(v) for v in value)))
    if isinstance(value, dict):
        return str(defuse_formula(json.dumps(value, ensure_ascii=False, sort_keys=True)))
    return csv_cell(value)


def _csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def kpi_rows(doc: dict) -> list[tuple[str, str, str, str, Any, str]]:
    """The park's and every enterprise's KPIs in long format: (scope, ref, basis, metric, value, unit)."""
    kpis = doc.get("kpis") or {}
    park = kpis.get("park") or {}
    code = _park_label(doc)[0]
    rows: list[tuple[str, str, str, str, Any, str]] = [
        ("park", code, "", "offers", park.get("offers"), "count"),
        ("park", code, "", "offered_t", park.get("offered_t"), "t/a"),
    ]
    for basis in ("proposed", "approved", "realised"):
        totals = park.get(basis) or {}
        rows += [("park", code, basis, key, totals.get(key), unit_of(kind, basis)) for key, _, _, kind in TOTALS]
    rows += [("park", code, "", key, park.get(key), "ratio")
             for key in ("match_rate", "utilisation_rate", "realisation_rate")]
    for e in kpis.get("enterprises") or []:
        ref = e.get("ref")
        rows += [("enterprise", ref, "", "offers", e.get("offers"), "count"),
                 ("enterprise", ref, "", "offered_t", e.get("offered_t"), "t/a")]
        for basis in ("proposed", "approved", "realised"):
            totals = (e.get("sent") or {}).get(basis) or {}
            rows += [("enterprise", ref, basis, f"sent_{key}", totals.get(key), unit_of(kind, basis))
                     for key, _, _, kind in TOTALS]
            rows.append(("enterprise", ref, basis, "received_t", (e.get("received_t") or {}).get(basis),
                         BASIS_UNIT[basis]))
        rows += [("enterprise", ref, "", "utilisation_rate", e.get("utilisation_rate"), "ratio"),
                 ("enterprise", ref, "", "shipments", e.get("shipments"), "count"),
                 ("enterprise", ref, "", "on_time_share", e.get("on_time_share"), "ratio"),
                 ("enterprise", ref, "", "ledger_entries", e.get("ledger_entries"), "count"),
                 ("enterprise", ref, "", "ledger_complete_share", e.get("ledger_complete_share"), "ratio"),
                 ("enterprise", ref, "", "alerts_open", e.get("alerts_open"), "count"),
                 ("enterprise", ref, "", "findings_open", e.get("findings_open"), "count")]
    return rows


# Each table of the CSV files and the XLSX sheets is defined once, as columns (key, 中文, English): the CSV
# header is the keys, the XLSX header the bilingual labels, the rows the same, so the two cannot drift apart.
Column = tuple[str, str, str]
Table = tuple[list[Column], list[list[Any]]]


def column_label(column: Column) -> str:
    """The XLSX header of a column: ``中文 English``; a column without words (a field added later) by its key."""
    key, zh, en = column
    return f"{zh} {en}".strip() or key


def _unit_text(kind: str, basis: str) -> str:
    """A unit for a header: t, t/a, t·km/a, t CO2e, 元 CNY/a; none for a count."""
    if kind in ("count", "share"):
        return ""
    unit = {"tCO2e": "t CO2e"}.get(kind, UNIT_LABEL[kind])
    return unit + ("/a" if basis in ("proposed", "approved") else "")


ENTERPRISE_SENT = ("flows", "tonnes", "hazardous_t", "diverted_landfill_t", "diverted_incineration_t", "tonne_km",
                   "net_co2e_avoided_t", "cost_saving_cny")
ENTERPRISE_HEAD: tuple[Column, ...] = (
    ("ref", "企业编号", "Ref"), ("name", "企业名称", "Enterprise"), ("park", "园区", "Park"),
    ("industry", "行业代码", "Industry"), ("industry_name", "行业", "Industry name"), ("offers", "供给数", "Offers"),
    ("offered_t_per_a", "供给量 (t/a)", "Offered (t/a)"),
)
ENTERPRISE_TAIL: tuple[Column, ...] = (
    ("utilisation_rate", "综合利用率", "Utilisation rate"), ("shipments", "运输批次", "Shipments"),
    ("on_time_share", "按时率", "On-time share"), ("ledger_entries", "台账条数", "Ledger entries"),
    ("ledger_complete_share", "台账完整率", "Ledger completeness"), ("alerts_open", "未处理预警", "Open alerts"),
    ("findings_open", "未整改问题", "Open findings"),
)
TOTALS_BY_KEY = {key: (zh, en, kind) for key, zh, en, kind in TOTALS}


def enterprise_columns() -> list[Column]:
    """The columns of enterprises.csv and the 企业 sheet: identity, sent and received by basis, performance, grade."""
    columns = list(ENTERPRISE_HEAD)
    for basis in ("proposed", "approved", "realised"):
        suffix = "_per_a" if basis != "realised" else ""
        for k in ENTERPRISE_SENT:
            zh, en, kind = TOTALS_BY_KEY[k]
            unit = _unit_text(kind, basis)
            columns.append((f"sent_{basis}_{k}{suffix if k != 'flows' else ''}", f"{BASIS_ZH[basis]}外送{zh}",
                            f"sent {basis} {en}" + (f" ({unit})" if unit else "")))
        columns.append((f"received_{basis}_t{suffix}", f"{BASIS_ZH[basis]}接收量",
                        f"received {basis} ({BASIS_UNIT[basis]})"))
    return [*columns, *ENTERPRISE_TAIL, ("grade", "评级", "Grade"), ("score", "得分", "Score")]


def enterprise_table(doc: dict) -> Table:
    """Every enterprise's KPIs, one row each (enterprises.csv, the 企业 sheet)."""
    grades = {r.get("ref"): r for r in doc.get("ratings") or []}
    rows = []
    for e in (doc.get("kpis") or {}).get("enterprises") or []:
        row = [e.get(k) for k in ("ref", "name", "park", "industry", "industry_name", "offers", "offered_t")]
        for basis in ("proposed", "approved", "realised"):
            totals = (e.get("sent") or {}).get(basis) or {}
            row += [totals.get(k) for k in ENTERPRISE_SENT]
            row.append((e.get("received_t") or {}).get(basis))
        rating = grades.get(e.get("ref")) or {}
        row += [e.get(k) for k, _, _ in ENTERPRISE_TAIL]
        row += [rating.get("grade"), rating.get("score")]
        rows.append(row)
    return enterprise_columns(), rows


FLOW_COLUMNS: tuple[Column, ...] = (
    ("basis", "口径", "Basis"), ("kind", "类型", "Kind"), ("id", "编号", "ID"),
    ("source", "产生单位编号", "Source ref"), ("source_name", "产生单位", "Source"),
    ("source_industry", "产生行业代码", "Source industry code"),
    ("source_industry_name", "产生行业", "Source industry"), ("source_park", "产生园区", "Source park"),
    ("target", "接收单位编号", "Target ref"), ("target_name", "接收单位", "Target"),
    ("target_industry", "接收行业代码", "Target industry code"),
    ("target_industry_name", "接收行业", "Target industry"), ("target_park", "接收园区", "Target park"),
    ("material", "物料", "Material"), ("waste_code", "废物代码", "Waste code"), ("category", "类别", "Category"),
    ("category_name", "类别名称", "Category name"), ("hazardous", "危险废物", "Hazardous"),
    ("material_class", "物料类别", "Material class"), ("tonnes", "数量", "Tonnes"), ("unit", "单位", "Unit"),
    ("current_route", "原处置方式", "Current route"), ("purpose", "用途", "Purpose"),
    ("distance_km", "距离 (km)", "Distance (km)"), ("tonne_km", "周转量 (t·km)", "Tonne-km"),
    ("co2e_avoided_t", "避免排放 (t CO2e)", "CO2e avoided (t)"),
    ("transport_co2e_t", "运输排放 (t CO2e)", "Transport CO2e (t)"),
    ("net_co2e_avoided_t", "净减排 (t CO2e)", "Net CO2e avoided (t)"),
    ("cost_saving_cny", "成本节约 (元)", "Cost saving (CNY)"), ("soft_flags", "提示项", "Soft flags"),
    ("shipments", "批次", "Shipments"), ("status", "状态", "Status"), ("match", "匹配编号", "Match"),
    ("offer", "供给", "Offer"), ("need", "需求", "Need"), ("first", "首次", "First"), ("last", "最近", "Last"),
    ("confirmed", "已确认", "Confirmed"),
)
FLOW_KEYS = tuple(k for k, _, _ in FLOW_COLUMNS)


def flow_table(doc: dict) -> Table:
    """Every flow, one row each (flows.csv, the 流向 sheet); fields the document adds later come last, by key."""
    flows = doc.get("flows") or []
    extra = sorted({k for f in flows for k in f} - set(FLOW_KEYS))   # optional fields added later
    columns = [*FLOW_COLUMNS, *((k, "", "") for k in extra)]
    return columns, [[f.get(k) for k, _, _ in columns] for f in flows]


CHAIN_COLUMNS: tuple[Column, ...] = (
    ("basis", "口径", "Basis"), ("level", "层级", "Level"), ("closed", "闭环", "Closed"), ("rank", "排名", "Rank"),
    ("path_zh", "路径", "Path (Chinese)"), ("path_en", "路径（英文）", "Path (English)"), ("nodes", "节点", "Nodes"),
    ("tonnes", "瓶颈量", "Bottleneck"), ("total_tonnes", "合计", "Total"), ("unit", "单位", "Unit"),
    ("materials", "物料", "Materials"), ("waste_codes", "废物代码", "Waste codes"), ("links", "环节", "Links"),
)
CHAIN_HEADER = tuple(k for k, _, _ in CHAIN_COLUMNS)


def chain_table(doc: dict, items: Iterable[dict] | None = None) -> Table:
    """Chains and loops (``items``: these only), one row each (chains.csv, the 共生链 and 闭环 sheets)."""
    rows = []
    for c in (_chains(doc) if items is None else items):
        links = "; ".join(f"{link.get('source')}>{link.get('target')}={csv_value(_num(link.get('tonnes')))}"
                          for link in c.get("links") or [])
        rows.append([c.get("basis"), c.get("level"), bool(c.get("closed")), c.get("rank"), chain_path(c, "zh"),
                     chain_path(c, "en"), " > ".join(str(n.get("key")) for n in c.get("nodes") or []),
                     c.get("tonnes"), c.get("total_tonnes"), c.get("unit") or BASIS_UNIT.get(c.get("basis"), ""),
                     list(c.get("materials") or []), list(c.get("waste_codes") or []), links])
    return list(CHAIN_COLUMNS), rows


RATING_HEAD: tuple[Column, ...] = (
    ("ref", "企业编号", "Ref"), ("name", "企业名称", "Enterprise"), ("park", "园区", "Park"), ("grade", "评级", "Grade"),
    ("grade_zh", "评级含义", "Grade (Chinese)"), ("grade_en", "评级含义（英文）", "Grade (English)"),
    ("score", "得分", "Score"),
)
INDICATOR_PARTS = (("value", "数值", "value"), ("score", "得分", "score"), ("weight", "权重", "weight"),
                   ("applicable", "适用", "applicable"))


def rating_table(doc: dict) -> Table:
    """Every rating with each indicator's value, score, weight and applicability (ratings.csv, the 评级 sheet)."""
    ratings = doc.get("ratings") or []
    names: dict[str, tuple[str, str]] = {}
    for r in ratings:
        for n, ind in (r.get("indicators") or {}).items():
            names.setdefault(n, ((ind or {}).get("label_zh") or n, (ind or {}).get("label_en") or n))
    columns = list(RATING_HEAD)
    for n, (zh, en) in names.items():
        columns += [(f"{n}_{part}", f"{zh}{part_zh}", f"{en} {part_en}") for part, part_zh, part_en in INDICATOR_PARTS]
    columns += [("caps", "封顶规则", "Caps"), ("reasons_zh", "理由", "Reasons (Chinese)"),
                ("reasons_en", "理由（英文）", "Reasons (English)")]
    rows = []
    for r in ratings:
        row = [r.get(k) for k, _, _ in RATING_HEAD]
        for n in names:
            ind = (r.get("indicators") or {}).get(n) or {}
            row += [ind.get(part) for part, _, _ in INDICATOR_PARTS]
        row += [[c.get("code") for c in r.get("caps") or []], " | ".join(r.get("reasons_zh") or []),
                " | ".join(r.get("reasons_en") or [])]
        rows.append(row)
    return columns, rows


# transferred_t second: the 月度 sheet's chart reads that column.
MONTH_COLUMNS: tuple[Column, ...] = (
    ("month", "月份", "Month"), ("transferred_t", "实际转移 (t)", "Transferred (t)"),
    ("diverted_t", "避免填埋/焚烧 (t)", "Diverted (t)"), ("approved_t", "新批准 (t/a)", "Approved (t/a)"),
    ("proposed_t", "新拟议 (t/a)", "Proposed (t/a)"), ("co2e_avoided_t", "避免排放 (t CO2e)", "CO2e avoided (t)"),
    ("net_co2e_avoided_t", "净减排 (t CO2e)", "Net CO2e avoided (t)"),
    ("shipments", "运输批次", "Shipments"), ("alerts_raised", "新增预警", "Alerts raised"),
)
MONTH_KEYS = tuple(k for k, _, _ in MONTH_COLUMNS)


def month_table(doc: dict) -> Table:
    """The monthly figures, one row a month (monthly.csv, the 月度 sheet)."""
    months = (doc.get("kpis") or {}).get("monthly") or []
    return list(MONTH_COLUMNS), [[m.get(k) for k in MONTH_KEYS] for m in months]


COMPLIANCE_COLUMNS: tuple[Column, ...] = (("section", "类别", "Section"), ("code", "代码", "Code"),
                                          ("count", "数量", "Count"))
COMPLIANCE_COUNTS = ("failed_checks", "soft_flags", "alerts_by_kind", "findings_by_code")
COMPLIANCE_SCALARS = ("alerts_open", "alerts_critical", "alerts_raised", "open_manifests", "findings_open", "run")
COMPLIANCE_SKIP = ("labels", "alert_labels")  # names of the codes, not figures


def compliance_table(doc: dict) -> Table:
    """The compliance figures in long form, section, code, count (compliance.csv, the 合规 sheet); figures the
    document adds later follow, so that no field of it is left out."""
    c = (doc.get("kpis") or {}).get("compliance") or {}
    rows: list[list[Any]] = []
    for section in COMPLIANCE_COUNTS:
        rows += [[section, code, n] for code, n in _counts(c.get(section))]
    rows += [[key, "", c.get(key)] for key in COMPLIANCE_SCALARS]
    for key in sorted(set(c) - set(COMPLIANCE_COUNTS) - set(COMPLIANCE_SCALARS) - set(COMPLIANCE_SKIP)):
        value = c[key]
        rows += [[key, code, n] for code, n in _counts(value)] if isinstance(value, dict) else [[key, "", value]]
    return list(COMPLIANCE_COLUMNS), rows


def _csv_table(table: Table) -> bytes:
    columns, rows = table
    return _csv_bytes([k for k, _, _ in columns], rows)


def csv_files(doc: dict) -> dict[str, bytes]:
    """The CSV files of the report by name."""
    return {
        "kpis.csv": _csv_bytes(("scope", "ref", "basis", "metric", "value", "unit"), kpi_rows(doc)),
        "enterprises.csv": _csv_table(enterprise_table(doc)),
        "flows.csv": _csv_table(flow_table(doc)),
        "chains.csv": _csv_table(chain_table(doc)),
        "ratings.csv": _csv_table(rating_table(doc)),
        "monthly.csv": _csv_table(month_table(doc)),
        "compliance.csv": _csv_table(compliance_table(doc)),
    }


def csv_zip_bytes(doc: dict) -> bytes:
    """The CSV files in one zip archive (for a download)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        stamp = _zip_stamp(doc)
        for name, data in csv_files(doc).items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def _zip_stamp(doc: dict) -> tuple[int, int, int, int, int, int]:
    """The archive's entries carry the report's generation time (the same document, the same bytes)."""
    try:
        t = dt.datetime.fromisoformat(str(doc.get("generated_at")).replace("Z", "+00:00"))
        if t.tzinfo is not None:
            t = t.astimezone(CHINA_TZ)
        if t.year >= 1980:
            return (t.year, t.month, t.day, t.hour, t.minute, t.second)
    except ValueError:
        pass
    return (1980, 1, 1, 0, 0, 0)


def write_csv(doc: dict, path: Path | str) -> list[Path]:
    """The CSV files into ``path``: a zip archive when it ends with ``.zip``, else a directory (created)."""
    path = Path(path)
    if path.suffix.lower() == ".zip":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(csv_zip_bytes(doc))
        return [path]
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in csv_files(doc).items():
        (path / name).write_bytes(data)
        written.append(path / name)
    return written


# ---------------------------------------------------------------- XLSX

def _zh_en(zh: str, en: str) -> str:
    return f"{zh} {en}"


def _text_width(value: Any) -> int:
    text = value if isinstance(value, str) else fmt_value(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _bold() -> Any:
    from openpyxl.styles import Font

    return Font(bold=True)


BOLD = _bold()


WIDTH_SAMPLE_ROWS = 500


class _Sheet:
    """A write-only worksheet filled row by row: bold header, frozen panes, numbers as numbers, fitted widths.

    openpyxl's write-only mode streams rows to disk (about half the time of a normal workbook on a
    14,000-flow sheet) but needs the column widths and frozen panes before the first row: the first
    ``WIDTH_SAMPLE_ROWS`` rows are held back, measured, then written with the rest.
    """

    def __init__(self, wb: Any, title: str) -> None:
        self.ws = wb.create_sheet(title)
        self.widths: dict[int, int] = defaultdict(lambda: 8)
        self.formats: dict[int, str] = {}
        self.rows = 0
        self.freeze: str | None = None
        self.held: list[list[Any]] | None = []  # None once the rows stream

    def row(self, values: Sequence[Any], *, bold: bool = False, formats: dict[int, str] | None = None,
            font: Any = None) -> int:
        from openpyxl.cell import WriteOnlyCell

        self.rows += 1
        cells: list[Any] = []
        for i, v in enumerate(values):
            value = _xlsx_value(v)
            fmt = (formats or {}).get(i) or (self.formats.get(i) if not bold else None)
            styled = bold or font is not None or (fmt and isinstance(value, (int, float))
                                                  and not isinstance(value, bool))
            if not styled or value is None:
                cells.append(value)
                continue
            cell = WriteOnlyCell(self.ws, value=value)
            if bold or font is not None:
                cell.font = font or BOLD
            if fmt and isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.number_format = fmt
            cells.append(cell)
        if self.held is None:
            self.ws.append(cells)
        else:
            for i, v in enumerate(values, start=1):
                if v is not None:
                    self.widths[i] = max(self.widths[i], min(60, _text_width(v) + 2))
            self.held.append(cells)
            if len(self.held) >= WIDTH_SAMPLE_ROWS:
                self._release()
        return self.rows

    def table(self, header: Sequence[str], rows: Iterable[Sequence[Any]], formats: dict[int, str] | None = None,
              *, freeze: bool = True) -> int:
        first = self.row(header, bold=True)
        self.formats = formats or {}
        if freeze and first == 1:
            self.freeze = "A2"
        for r in rows:
            self.row(r)
        self.formats = {}
        return first

    def _release(self) -> None:
        """Widths and panes, then the rows held back; later rows stream straight to the sheet."""
        from openpyxl.utils import get_column_letter

        if self.held is None:
            return
        for i, w in self.widths.items():
            self.ws.column_dimensions[get_column_letter(i)].width = max(8, min(60, w))
        if self.freeze:
            self.ws.freeze_panes = self.freeze
        for cells in self.held:
            self.ws.append(cells)
        self.held = None

    def finish(self) -> None:
        self._release()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, (list, tuple, set)):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return xlsx_cell(value)


T3 = "#,##0.000"
PCT = "0.0%"


def _formats(keys: Sequence[str]) -> dict[int, str]:
    out = {}
    for i, k in enumerate(keys):
        k = k.removesuffix("_per_a")            # sent_approved_tonnes_per_a is tonnes too
        if k.endswith(("_share", "_rate")) or k in ("score",):
            out[i] = PCT if k != "score" else "0.000"
        elif k.endswith(("_t", "tonnes", "_km", "tonne_km")) or k in ("offered_t",):
            out[i] = T3
        elif k.endswith("_cny"):
            out[i] = "#,##0"
    return out


def _table_sheet(wb: Any, title: str, table: Table) -> _Sheet:
    """A sheet of one table: the bilingual labels of its columns over its rows, numbers formatted by key."""
    columns, rows = table
    sh = _Sheet(wb, title)
    sh.table([column_label(c) for c in columns], rows, _formats([k for k, _, _ in columns]))
    sh.finish()
    return sh


def write_xlsx(doc: dict, path_or_buffer: Path | str | BinaryIO) -> None:
    """The report as one workbook: 概览 Summary, 企业, 流向, 共生链, 闭环, 评级, 月度 (with a chart), 合规, 排放因子."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    kpis = doc.get("kpis") or {}
    park = kpis.get("park") or {}
    code, name, name_en = _park_label(doc)
    period = doc.get("period") or {}

    # 概览 Summary: the report's identity, then the park's KPIs by basis.
    sh = _Sheet(wb, "概览 Summary")
    sh.row([doc.get("title_zh") or ""], font=Font(bold=True, size=14))
    sh.row([doc.get("title_en") or ""])
    sh.row(["园区 Park", f"{name} {name_en} ({code})".strip()])
    sh.row(["报告期 Period", f"{period.get('from', '')} – {period.get('to', '')}", period.get("days"), "天 days"])
    sh.row(["生成时间 Generated", local_time(doc.get("generated_at"))])
    sh.row(["共生链 Chains", len(doc.get("chains") or []), "闭环 Loops", len(doc.get("loops") or [])])
    sh.row([])
    header_row = sh.row(["指标 Metric", "拟议 proposed (t/a)", "已批准 approved (t/a)", "实际转移 realised (t)",
                         "单位 Unit (proposed/approved · realised)"], bold=True)
    for key, zh, en, kind in TOTALS:
        fmt = PCT if kind == "share" else "#,##0" if kind in ("count", "CNY") else T3
        sh.row([_zh_en(zh, en), *((park.get(b) or {}).get(key) for b in ("proposed", "approved", "realised")),
                f"{unit_of(kind, 'approved')} · {unit_of(kind, 'realised')}"], formats={1: fmt, 2: fmt, 3: fmt})
    sh.row(["供给量 offered", park.get("offered_t"), None, None, "t/a"], formats={1: T3})
    sh.row(["供给数 offers", park.get("offers"), None, None, "count"])
    for key, zh, en in (("match_rate", "供给匹配率", "match rate"), ("utilisation_rate", "综合利用率", "utilisation rate"),
                        ("realisation_rate", "实际落实率", "realisation rate")):
        sh.row([_zh_en(zh, en), park.get(key), None, None, "ratio"], formats={1: PCT})
    sh.freeze = f"A{header_row + 1}"
    sh.widths[1] = max(sh.widths[1], 30)
    sh.finish()

    # The tables: the same columns as the CSV files (one definition each), with bilingual headers.
    _table_sheet(wb, "企业 Enterprises", enterprise_table(doc))
    _table_sheet(wb, "流向 Flows", flow_table(doc))
    for title, items in (("共生链 Chains", doc.get("chains") or []), ("闭环 Loops", doc.get("loops") or [])):
        ordered = sorted(items, key=lambda c: (BASES.index(c["basis"]) if c.get("basis") in BASES else 9,
                                               LEVELS.index(c["level"]) if c.get("level") in LEVELS else 9,
                                               c.get("rank") or 0))
        _table_sheet(wb, title, chain_table(doc, ordered))
    _table_sheet(wb, "评级 Ratings", rating_table(doc))

    # 月度 Monthly, with a bar chart of the tonnes transferred
    months = kpis.get("monthly") or []
    sh = _table_sheet(wb, "月度 Monthly", month_table(doc))
    if months:
        chart = BarChart()
        chart.type = "col"
        chart.title = "月度实际转移量 Tonnes transferred per month (t)"
        chart.y_axis.title = "t"
        chart.x_axis.title = "月份 Month"
        chart.add_data(Reference(sh.ws, min_col=2, max_col=2, min_row=1, max_row=len(months) + 1),
                       titles_from_data=True)
        chart.set_categories(Reference(sh.ws, min_col=1, min_row=2, max_row=len(months) + 1))
        chart.width, chart.height = 22, 10
        sh.ws.add_chart(chart, f"A{len(months) + 4}")

    # 合规 Compliance
    _table_sheet(wb, "合规 Compliance", compliance_table(doc))

    # 排放因子 Factors: the classes, the road freight factor, the sources with full citations
    sh = _Sheet(wb, "排放因子 Factors")
    factors = doc.get("emission_factors") or {}
    classes = _table_of(factors.get("classes") or [])
    raw_classes = factors.get("classes") or []
    sh.table(classes["columns"] or ["class"],
             ([c.get(k) if isinstance(c, dict) else c for k in classes["columns"]] for c in raw_classes))
    sh.row([])
    sh.row(["道路货运排放因子 Road freight factor", factors.get("road_freight_kg_co2e_per_tkm"), "kg CO2e/(t·km)"],
           bold=False)
    sh.row([])
    sources = _table_of(factors.get("sources") or [])
    sh.row(sources["columns"] or ["source"], bold=True)
    for s in factors.get("sources") or []:
        sh.row([s.get(k) if isinstance(s, dict) else s for k in sources["columns"]])
    sh.finish()

    wb.save(path_or_buffer)


def xlsx_bytes(doc: dict) -> bytes:
    buf = io.BytesIO()
    write_xlsx(doc, buf)
    return buf.getvalue()


# ---------------------------------------------------------------- dispatch

FORMATS = ("html", "json", "csv", "xlsx")


def render(doc: dict, fmt: str, path: Path | str) -> list[Path]:
    """Writes the report in ``fmt`` (html, json, csv, xlsx) to ``path``; returns the files written."""
    path = Path(path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}: one of {', '.join(FORMATS)}")
    if fmt == "csv":
        return write_csv(doc, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        path.write_text(render_html(doc), encoding="utf-8")
    elif fmt == "json":
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        write_xlsx(doc, path)
    return [path]


__all__ = ["FORMATS", "SECTIONS", "chain_path", "csv_files", "csv_value", "csv_zip_bytes", "html_context",
           "kpi_rows", "network_figure", "render", "render_html", "sankey_figure", "trend_figures", "write_csv",
           "write_xlsx", "xlsx_bytes"]
