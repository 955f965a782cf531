"""The report as one self-contained, bilingual HTML page (Chinese first, English alongside) that works
offline: inline CSS and the figures drawn as inline SVG by ``figures`` (no script, no charting library,
no network resource at all; a few hundred kilobytes). Rendered with Jinja2 directly (services do not depend on Flask), from
the template ``marketplace/templates/report.html``."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from matching.chains import LEVELS

from ...traceability.manifests import templates
from ..kpi_registry import BASIS_TOTALS, COMPLIANCE_BREAKDOWNS, KPIS, PARK_RATES, STREAM_FIGURES
from ..ratings import GRADE_EN, GRADE_ZH
from .common import (
    BASES,
    BASIS_EN,
    BASIS_UNIT,
    BASIS_ZH,
    LEVEL_ZH,
    chain_path,
    counts_of,
    fmt_exact,
    fmt_int,
    fmt_metric,
    fmt_pct,
    fmt_t,
    fmt_value,
    joined,
    local_time,
    num,
    park_label,
    stream_items,
    stream_names,
    table_of,
)
from .figures import NETWORK_CHAINS, network_figure, sankey_figure, trend_figures

GRADE_ORDER = {"A": 0, "B": 1, "C": 2, "D": 3, None: 4}
GRADE_COLOUR = {"A": "#1a7f37", "B": "#0b6bcb", "C": "#b7791f", "D": "#c62828", None: "#6e7781"}
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


def _park_rows(doc: dict) -> list[dict[str, Any]]:
    park = (doc.get("kpis") or {}).get("park") or {}
    rows = []
    for k in BASIS_TOTALS:
        rows.append({"zh": k.zh, "en": k.en, "cells": [fmt_metric((park.get(b) or {}).get(k.key), k.unit, b)
                                                       for b in ("proposed", "approved", "realised")]})
    return rows


def _stream_rows(doc: dict) -> list[dict[str, Any]]:
    """One row per waste stream: its names and each figure of ``STREAM_FIGURES`` as read (the header has the unit)."""
    rows = []
    for stream, figures in stream_items(doc):
        zh, en = stream_names(stream)
        cells = []
        for k in STREAM_FIGURES:
            value = figures.get(k.key)
            cells.append(fmt_pct(value) if k.unit == "share" else fmt_int(value) if k.unit == "count" else fmt_t(value))
        rows.append({"key": stream, "zh": zh, "en": en, "cells": cells})
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
                                       c.get("rank") or 0, -(num(c.get("tonnes")) or 0)))
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


def _loop_rows(doc: dict) -> list[dict[str, Any]]:
    """The loop opportunities of the latest run, each with its path both ways round (back to its first node)."""
    rows = []
    for item in (doc.get("loop_opportunities") or {}).get("items") or []:
        closed = {**item, "closed": True}
        rows.append({"c": item, "path_zh": chain_path(closed, "zh"), "path_en": chain_path(closed, "en")})
    return rows


def _rating_rows(doc: dict) -> tuple[list[dict], list[tuple[str, str, str]], dict[Any, int]]:
    ratings = sorted(doc.get("ratings") or [], key=lambda r: (GRADE_ORDER.get(r.get("grade"), 5),
                                                               -(num(r.get("score")) or 0), str(r.get("ref"))))
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
            text = fmt_pct(value) if name.endswith(("_share", "_rate")) and num(value) is not None \
                else fmt_value(value)
            # Shown muted when it does not apply or, applying, is not counted (the fairness rule, docs/ratings.md).
            cells.append({"value": text, "score": num(ind.get("score")),
                          "na": not ind.get("applicable", True) or ind.get("counted") is False})
        rows.append({"r": r, "grade": g, "colour": GRADE_COLOUR[g],
                     "grade_zh": r.get("grade_zh") or GRADE_ZH[g], "grade_en": r.get("grade_en") or GRADE_EN[g],
                     "cells": cells,
                     "reasons": list(zip_longest(r.get("reasons_zh") or [], r.get("reasons_en") or []))})
    return rows, [(k, zh, en) for k, (zh, en) in columns.items()], counts


def zip_longest(a: Sequence, b: Sequence) -> list[tuple[str, str]]:
    return [(a[i] if i < len(a) else "", b[i] if i < len(b) else "") for i in range(max(len(a), len(b)))]


def _summary(doc: dict) -> dict[str, Any]:
    park = (doc.get("kpis") or {}).get("park") or {}
    real = park.get("realised") or {}
    appr = park.get("approved") or {}
    diverted = (num(real.get("diverted_landfill_t")) or 0) + (num(real.get("diverted_incineration_t")) or 0)
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


# The breakdowns whose codes have names of their own (a check may share a code's name); the others use ``labels``.
_OWN_LABELS = {"alerts_by_kind": "alert_labels", "hw_plans_by_status": "plan_status_labels"}


def _code_labels(key: str, compliance: dict) -> dict[str, str]:
    """The names of the codes a breakdown counts."""
    return compliance.get(_OWN_LABELS.get(key, "labels")) or compliance.get("labels") or {}


def html_context(doc: dict) -> dict[str, Any]:
    """What ``report.html`` is rendered with: the document, its rows, figures and labels (``k``: the KPIs)."""
    code, name, name_en = park_label(doc)
    kpis = doc.get("kpis") or {}
    park = kpis.get("park") or {}
    sankey = sankey_figure(doc)
    network = network_figure(doc)
    trends = trend_figures(doc)
    figures = [fig for fig in (sankey, network, *trends) if fig]
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
        "rates": [(k.zh, k.en, f"{k.definition_zh} {k.definition_en}", park.get(k.key)) for k in PARK_RATES],
        "stream_columns": [k.column() for k in STREAM_FIGURES], "stream_rows": _stream_rows(doc),
        "figures": {f["id"]: f for f in figures}, "figure_list": figures,
        "sankey_bases": (sankey or {}).get("bases") or [], "network_bases": (network or {}).get("bases") or [],
        "flow_count": len(doc.get("flows") or []),
        "chain_groups": _chain_groups(doc), "months": kpis.get("monthly") or [],
        "loop_rows": _loop_rows(doc),
        "loop_run_at": local_time((doc.get("loop_opportunities") or {}).get("run_at")),
        "enterprises": enterprises, "enterprise_total": len(kpis.get("enterprises") or []), "omitted": omitted,
        "compliance": compliance,
        "compliance_tables": [(k.zh, k.en, counts_of(compliance.get(k.key)), _code_labels(k.key, compliance))
                              for k in COMPLIANCE_BREAKDOWNS],
        "ratings": ratings, "indicator_columns": indicator_columns, "grade_counts": grade_counts,
        "grade_zh": GRADE_ZH, "grade_en": GRADE_EN, "grade_colour": GRADE_COLOUR,
        "factor_classes": table_of(factors.get("classes") or []),
        "factor_sources": table_of(factors.get("sources") or []),
        "road_factor": factors.get("road_freight_kg_co2e_per_tkm"),
        "policy": doc.get("rating_policy") or {}, "stats": stats,
        "basis_zh": BASIS_ZH, "basis_en": BASIS_EN, "basis_unit": BASIS_UNIT,
        "fmt_t": fmt_t, "fmt_pct": fmt_pct, "fmt_int": fmt_int, "fmt_value": fmt_value, "fmt_exact": fmt_exact,
        "fmt_metric": fmt_metric, "k": KPIS,
        "network_top": NETWORK_CHAINS, "max_chain_rows": MAX_CHAIN_ROWS,
        "joined": joined,
    }


def render_html(doc: dict) -> str:
    """The report as one self-contained bilingual HTML page (works offline, prints on A4)."""
    return templates.get_template("report.html").render(**html_context(doc))
