"""The report's tables, each defined once as columns (key, 中文, English) and rows: the CSV files write the
keys as their header, the XLSX sheets the bilingual labels, both the same rows, so the two cannot drift apart."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..kpi_registry import (
    BASIS_TOTALS,
    COMPLIANCE_BREAKDOWNS,
    ENTERPRISE_FIGURES,
    FLOW_FIGURES,
    KPIS,
    MONTH_FIGURES,
    PARK_RATES,
    STREAM_FIGURES,
    Kpi,
)
from .common import BASIS_UNIT, BASIS_ZH, chain_path, counts_of, csv_value, num, park_label, stream_items, stream_names

Column = tuple[str, str, str]
Table = tuple[list[Column], list[list[Any]]]
BASES = ("proposed", "approved", "realised")  # the order of the columns and rows by basis


def kpi_column(k: Kpi, key: str | None = None) -> Column:
    """A KPI's column: its key (or ``key``) and its header from the registry, ``净减排 (t CO2e)``."""
    return (key or k.key, *k.column())


def _chains(doc: dict) -> list[dict]:
    return [*(doc.get("chains") or []), *(doc.get("loops") or [])]


def kpi_rows(doc: dict) -> list[tuple[str, str, str, str, Any, str]]:
    """The park's and every enterprise's KPIs in long format: (scope, ref, basis, metric, value, unit)."""
    kpis = doc.get("kpis") or {}
    park = kpis.get("park") or {}
    code = park_label(doc)[0]
    offers, offered, received = KPIS["offers"], KPIS["offered_t"], KPIS["received_t"]
    # The units once, not per enterprise: tens of thousands of rows on a large park.
    totals_units = {b: [(k.key, k.unit_code(b)) for k in BASIS_TOTALS] for b in BASES}
    figure_units = [(k.key, k.unit_code()) for k in ENTERPRISE_FIGURES]
    rows: list[tuple[str, str, str, str, Any, str]] = [
        ("park", code, "", offers.key, park.get(offers.key), offers.unit_code()),
        ("park", code, "", offered.key, park.get(offered.key), offered.unit_code()),
    ]
    for basis in BASES:
        totals = park.get(basis) or {}
        rows += [("park", code, basis, key, totals.get(key), unit) for key, unit in totals_units[basis]]
    rows += [("park", code, "", k.key, park.get(k.key), k.unit_code()) for k in PARK_RATES]
    for stream, figures in stream_items(doc):
        rows += [("stream", stream, "", k.key, figures.get(k.key), k.unit_code()) for k in STREAM_FIGURES]
    for e in kpis.get("enterprises") or []:
        ref = e.get("ref")
        rows += [("enterprise", ref, "", offers.key, e.get(offers.key), offers.unit_code()),
                 ("enterprise", ref, "", offered.key, e.get(offered.key), offered.unit_code())]
        for basis in BASES:
            totals = (e.get("sent") or {}).get(basis) or {}
            rows += [("enterprise", ref, basis, f"sent_{key}", totals.get(key), unit)
                     for key, unit in totals_units[basis]]
            rows.append(("enterprise", ref, basis, received.key, (e.get("received_t") or {}).get(basis),
                         received.unit_code(basis)))
        rows += [("enterprise", ref, "", key, e.get(key), unit) for key, unit in figure_units]
    return rows


def column_label(column: Column) -> str:
    """The XLSX header of a column: ``中文 English``; a column without words (a field added later) by its key."""
    key, zh, en = column
    return f"{zh} {en}".strip() or key


def _unit_text(k: Kpi, basis: str) -> str:
    """A unit for a header of the enterprise sheet: t, t/a, t·km/a, t CO2e, 元 CNY/a; none for a count."""
    text = k.format.text
    return k.format.annual(text) if k.is_annual(basis) else text


ENTERPRISE_SENT = ("flows", "tonnes", "hazardous_t", "diverted_landfill_t", "diverted_incineration_t", "tonne_km",
                   "net_co2e_avoided_t", "cost_saving_cny")
ENTERPRISE_HEAD: tuple[Column, ...] = (
    ("ref", "企业编号", "Ref"), ("name", "企业名称", "Enterprise"), ("park", "园区", "Park"),
    ("industry", "行业代码", "Industry"), ("industry_name", "行业", "Industry name"), kpi_column(KPIS["offers"]),
    kpi_column(KPIS["offered_t"], "offered_t_per_a"),
)
ENTERPRISE_TAIL: tuple[Column, ...] = tuple(kpi_column(k) for k in ENTERPRISE_FIGURES)


def enterprise_columns() -> list[Column]:
    """The columns of enterprises.csv and the 企业 sheet: identity, sent and received by basis, performance, grade."""
    columns = list(ENTERPRISE_HEAD)
    received = KPIS["received_t"]
    for basis in BASES:
        suffix = "_per_a" if basis != "realised" else ""
        for key in ENTERPRISE_SENT:
            k = KPIS[key]
            unit = _unit_text(k, basis)
            columns.append((f"sent_{basis}_{key}{suffix if key != 'flows' else ''}", f"{BASIS_ZH[basis]}外送{k.zh}",
                            f"sent {basis} {k.en}" + (f" ({unit})" if unit else "")))
        columns.append((f"received_{basis}_t{suffix}", f"{BASIS_ZH[basis]}{received.zh}",
                        f"{received.en} {basis} ({received.unit_code(basis)})"))
    return [*columns, *ENTERPRISE_TAIL, ("grade", "评级", "Grade"), ("score", "得分", "Score")]


def enterprise_table(doc: dict) -> Table:
    """Every enterprise's KPIs, one row each (enterprises.csv, the 企业 sheet)."""
    grades = {r.get("ref"): r for r in doc.get("ratings") or []}
    rows = []
    for e in (doc.get("kpis") or {}).get("enterprises") or []:
        row = [e.get(k) for k in ("ref", "name", "park", "industry", "industry_name", "offers", "offered_t")]
        for basis in BASES:
            totals = (e.get("sent") or {}).get(basis) or {}
            row += [totals.get(k) for k in ENTERPRISE_SENT]
            row.append((e.get("received_t") or {}).get(basis))
        rating = grades.get(e.get("ref")) or {}
        row += [e.get(k) for k, _, _ in ENTERPRISE_TAIL]
        row += [rating.get("grade"), rating.get("score")]
        rows.append(row)
    return enterprise_columns(), rows


STREAM_HEAD: tuple[Column, ...] = (("stream", "废物种类代码", "Stream"), ("stream_zh", "废物种类", "Waste stream"),
                                    ("stream_en", "废物种类（英文）", "Waste stream (English)"))


def stream_table(doc: dict) -> Table:
    """The park's own offers and what became of them, one row per waste stream (the 废物种类 sheet)."""
    columns = [*STREAM_HEAD, *(kpi_column(k) for k in STREAM_FIGURES)]
    rows = []
    for stream, figures in stream_items(doc):
        zh, en = stream_names(stream)
        rows.append([stream, zh, en, *(figures.get(k.key) for k in STREAM_FIGURES)])
    return columns, rows


# A flow's own fields (its tonnes and shipments too), with its figures from the registry after its purpose.
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
    ("stream", "废物种类", "Waste stream"), ("material_class", "物料类别", "Material class"),
    ("tonnes", "数量", "Tonnes"), ("unit", "单位", "Unit"),
    ("current_route", "原处置方式", "Current route"), ("purpose", "用途", "Purpose"),
    *(kpi_column(k) for k in FLOW_FIGURES), ("soft_flags", "提示项", "Soft flags"),
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
        links = "; ".join(f"{link.get('source')}>{link.get('target')}={csv_value(num(link.get('tonnes')))}"
                          for link in c.get("links") or [])
        rows.append([c.get("basis"), c.get("level"), bool(c.get("closed")), c.get("rank"), chain_path(c, "zh"),
                     chain_path(c, "en"), " > ".join(str(n.get("key")) for n in c.get("nodes") or []),
                     c.get("tonnes"), c.get("total_tonnes"), c.get("unit") or BASIS_UNIT.get(c.get("basis"), ""),
                     list(c.get("materials") or []), list(c.get("waste_codes") or []), links])
    return list(CHAIN_COLUMNS), rows


LOOP_COLUMNS: tuple[Column, ...] = (
    ("run", "匹配批次", "Run"), ("rank", "排名", "Rank"), ("path_zh", "路径", "Path (Chinese)"),
    ("path_en", "路径（英文）", "Path (English)"), ("nodes", "节点", "Nodes"), ("tonnes", "瓶颈量", "Bottleneck"),
    ("unit", "单位", "Unit"), ("cost_cny", "目标值代价（元）", "Cost in objective (CNY)"),
    ("cost_pct", "代价占目标值（%）", "Cost (% of objective)"), ("closed_by_run", "最优分配已形成", "Closed by the optimum"),
    ("closed_after_run", "本批次已形成", "Closed by the run"), ("links", "环节", "Links"),
)


def loop_table(doc: dict) -> Table:
    """Loop opportunities among the legal candidates of the latest run (loop_opportunities.csv, the 闭环机会
    sheet): one row per candidate loop, its links as ``offer>need=quantity@weight``."""
    block = doc.get("loop_opportunities") or {}
    rows = []
    for item in block.get("items") or []:
        c = {**item, "closed": True}
        links = "; ".join(f"{link.get('source')}>{link.get('target')} "
                          f"{link.get('offer') or '?'}>{link.get('need') or '?'}"
                          f"={csv_value(num(link.get('quantity_t')))}@{link.get('weight')}"
                          for link in item.get("links") or [])
        rows.append([block.get("run"), item.get("rank"), chain_path(c, "zh"), chain_path(c, "en"),
                     " > ".join(str(n.get("key")) for n in item.get("nodes") or []), item.get("tonnes"),
                     item.get("unit") or "t/a", item.get("cost_cny"), item.get("cost_pct"),
                     bool(item.get("closed_by_run")), bool(item.get("closed_after_run")), links])
    return list(LOOP_COLUMNS), rows


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
MONTH_COLUMNS: tuple[Column, ...] = (("month", "月份", "Month"), *(kpi_column(k) for k in MONTH_FIGURES))
MONTH_KEYS = tuple(k for k, _, _ in MONTH_COLUMNS)


def month_table(doc: dict) -> Table:
    """The monthly figures, one row a month (monthly.csv, the 月度 sheet)."""
    months = (doc.get("kpis") or {}).get("monthly") or []
    return list(MONTH_COLUMNS), [[m.get(k) for k in MONTH_KEYS] for m in months]


COMPLIANCE_COLUMNS: tuple[Column, ...] = (("section", "类别", "Section"), ("code", "代码", "Code"),
                                          ("count", "数量", "Count"))
COMPLIANCE_COUNTS = tuple(k.key for k in COMPLIANCE_BREAKDOWNS)
COMPLIANCE_SCALARS = ("alerts_open", "alerts_critical", "alerts_raised", "open_manifests", "findings_open", "run",
                      "hw_plans_year", "hw_plans_due", "hw_plan_producers", "hw_plans_filed", "hw_plans_late",
                      "hw_plans_missing")
COMPLIANCE_SKIP = ("labels", "alert_labels", "plan_status_labels")  # names of the codes, not figures


def compliance_table(doc: dict) -> Table:
    """The compliance figures in long form, section, code, count (compliance.csv, the 合规 sheet); figures the
    document adds later follow, so that no field of it is left out."""
    c = (doc.get("kpis") or {}).get("compliance") or {}
    rows: list[list[Any]] = []
    for section in COMPLIANCE_COUNTS:
        rows += [[section, code, n] for code, n in counts_of(c.get(section))]
    rows += [[key, "", c.get(key)] for key in COMPLIANCE_SCALARS]
    for key in sorted(set(c) - set(COMPLIANCE_COUNTS) - set(COMPLIANCE_SCALARS) - set(COMPLIANCE_SKIP)):
        value = c[key]
        rows += [[key, code, n] for code, n in counts_of(value)] if isinstance(value, dict) else [[key, "", value]]
    return list(COMPLIANCE_COLUMNS), rows
