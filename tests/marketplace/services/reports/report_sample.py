"""A hand-made park report document (``wastematch.report.v1``, see docs/report-format.md) for the
renderer's tests: a small park of six enterprises with flows in all three bases (one of them a
product flow), a three-enterprise chain, a two-enterprise loop, four months, compliance counts,
ratings A/B/C/D plus one not rated, and emission factors.

``sample_report(**overrides)`` returns a fresh deep copy; top-level keys can be overridden.
"""
from __future__ import annotations

import copy
from typing import Any

BASES = ("proposed", "approved", "realised")
UNITS = {"proposed": "t/a", "approved": "t/a", "realised": "t"}

ENTERPRISES = {
    "E-001": ("澄湖新能源汽车有限公司", "3612", "New energy vehicle manufacturing"),
    "E-002": ("澄湖精细化工有限公司", "2614", "Organic chemical raw material manufacturing"),
    "E-003": ("苏南溶剂再生科技有限公司", "4220", "Non-metal waste and scrap processing"),
    "E-004": ("澄湖热电有限公司", "4411", "Thermal power generation"),
    "E-005": ("澄湖新型建材有限公司", "3021", "Cement manufacturing"),
    "E-006": ("昆山酸再生环保有限公司", "4220", "Non-metal waste and scrap processing"),
}


def totals(flows: int = 0, tonnes: float = 0.0, hazardous_t: float = 0.0, landfill: float = 0.0,
           incineration: float = 0.0, tonne_km: float = 0.0, co2e: float = 0.0, transport: float = 0.0,
           cost: float = 0.0, priced: int = 0) -> dict[str, Any]:
    return {
        "flows": flows, "tonnes": tonnes, "hazardous_t": hazardous_t,
        "hazardous_share": (hazardous_t / tonnes) if tonnes else None,
        "diverted_landfill_t": landfill, "diverted_incineration_t": incineration, "tonne_km": tonne_km,
        "co2e_avoided_t": co2e, "transport_co2e_t": transport, "net_co2e_avoided_t": co2e - transport,
        "cost_saving_cny": cost, "priced_flows": priced,
    }


def _flow(n: int, basis: str, source: str, target: str, tonnes: float, *, material: str, waste_code: str | None,
          category: str | None, category_name: str | None, material_class: str, kind: str = "waste",
          current_route: str | None = "landfill", purpose: str = "utilisation", distance_km: float = 10.0,
          co2e: float = 0.0, cost: float | None = None, shipments: int = 0) -> dict[str, Any]:
    s_name, s_ind, s_ind_name = ENTERPRISES[source]
    t_name, t_ind, t_ind_name = ENTERPRISES[target]
    ledger = basis == "realised"
    tonne_km = tonnes * distance_km
    return {
        "id": f"ledger:{n}" if ledger else f"match:{n}", "basis": basis, "kind": kind,
        "match": None if ledger else n, "status": {"proposed": "proposed", "approved": "approved",
                                                   "realised": "received"}[basis],
        "offer": None if ledger else f"O-{n:03d}", "need": None if ledger else f"N-{n:03d}",
        "source": source, "source_name": s_name, "source_industry": s_ind, "source_industry_name": s_ind_name,
        "source_park": "CH",
        "target": target, "target_name": t_name, "target_industry": t_ind, "target_industry_name": t_ind_name,
        "target_park": "CH",
        "tonnes": tonnes, "unit": UNITS[basis], "material": material, "waste_code": waste_code,
        "category": category, "category_name": category_name, "hazardous": category is not None,
        "material_class": material_class, "current_route": current_route, "purpose": purpose,
        "distance_km": distance_km, "tonne_km": tonne_km, "co2e_avoided_t": co2e,
        "transport_co2e_t": round(tonne_km * 0.0000712, 6), "cost_saving_cny": cost,
        "shipments": shipments if ledger else 0,
        "first": "2026-09-03" if ledger else None, "last": "2026-11-27" if ledger else None,
        "confirmed": ledger, "soft_flags": [], "net_co2e_avoided_t": co2e - round(tonne_km * 0.0000712, 6),
    }


SOLVENT = {"material": "废有机溶剂（二甲苯、乙酸丁酯）", "waste_code": "900-402-06", "category": "HW06",
           "category_name": "废有机溶剂与含有机溶剂废物", "material_class": "solvent", "current_route": "incineration"}
PAINT = {"material": "喷漆房漆渣", "waste_code": "900-252-12", "category": "HW12",
         "category_name": "染料、涂料废物", "material_class": "paint_sludge", "current_route": "incineration"}
ACID = {"material": "废硫酸（含铁）", "waste_code": "261-057-34", "category": "HW34", "category_name": "废酸",
        "material_class": "acid", "current_route": "landfill"}
ASH = {"material": "粉煤灰 fly ash", "waste_code": "SW01", "category": None, "category_name": "粉煤灰",
       "material_class": "fly_ash", "current_route": "landfill"}
REGENERATED_SOLVENT = {"material": "再生二甲苯 regenerated xylene", "waste_code": None, "category": None,
                       "category_name": None, "material_class": "solvent", "current_route": None}
REGENERATED_ACID = {"material": "再生硫酸 regenerated sulfuric acid", "waste_code": None, "category": None,
                    "category_name": None, "material_class": "acid", "current_route": None}


def _flows() -> list[dict[str, Any]]:
    f = _flow
    return [
        # approved (t/a)
        f(11, "approved", "E-001", "E-003", 420.0, **SOLVENT, distance_km=8.4, co2e=651.0, cost=504000.0),
        f(12, "approved", "E-003", "E-002", 355.5, **REGENERATED_SOLVENT, kind="product", distance_km=5.1,
          co2e=0.0, cost=177750.0),
        f(13, "approved", "E-002", "E-006", 1200.0, **ACID, distance_km=12.3, co2e=96.0, cost=240000.0),
        f(14, "approved", "E-006", "E-002", 980.0, **REGENERATED_ACID, kind="product", distance_km=12.3),
        f(15, "approved", "E-004", "E-005", 18500.0, **ASH, distance_km=3.2, co2e=1387.5),
        # proposed (t/a): everything approved was proposed once, plus two proposals still open
        f(21, "proposed", "E-001", "E-003", 420.0, **SOLVENT, distance_km=8.4, co2e=651.0),
        f(22, "proposed", "E-003", "E-002", 355.5, **REGENERATED_SOLVENT, kind="product", distance_km=5.1),
        f(23, "proposed", "E-002", "E-006", 1200.0, **ACID, distance_km=12.3, co2e=96.0),
        f(24, "proposed", "E-006", "E-002", 980.0, **REGENERATED_ACID, kind="product", distance_km=12.3),
        f(25, "proposed", "E-004", "E-005", 18500.0, **ASH, distance_km=3.2, co2e=1387.5),
        f(26, "proposed", "E-001", "E-005", 65.25, **PAINT, distance_km=6.7, co2e=55.1),
        # realised (t received in the period)
        f(31, "realised", "E-001", "E-003", 96.125, **SOLVENT, distance_km=8.4, co2e=149.0, shipments=12),
        f(32, "realised", "E-003", "E-002", 81.4, **REGENERATED_SOLVENT, kind="product", distance_km=5.1,
          shipments=6),
        f(33, "realised", "E-002", "E-006", 310.75, **ACID, distance_km=12.3, co2e=24.9, shipments=14),
        f(34, "realised", "E-006", "E-002", 254.0, **REGENERATED_ACID, kind="product", distance_km=12.3,
          shipments=9),
        f(35, "realised", "E-004", "E-005", 4620.333, **ASH, distance_km=3.2, co2e=346.5, shipments=77),
    ]


def _node(key: str, zh: str, en: str) -> dict[str, str]:
    return {"key": key, "label_zh": zh, "label_en": en}


def _ent(ref: str) -> dict[str, str]:
    name, _, industry_name = ENTERPRISES[ref]
    return _node(ref, name, f"{ref} ({industry_name})")


def _link(source: str, target: str, tonnes: float, materials: list[str], codes: list[str],
          kinds: list[str]) -> dict[str, Any]:
    return {"source": source, "target": target, "tonnes": tonnes, "materials": materials, "waste_codes": codes,
            "kinds": kinds}


def _chain(rank: int, level: str, basis: str, closed: bool, nodes: list[dict], links: list[dict]) -> dict[str, Any]:
    tonnes = min(link["tonnes"] for link in links)
    materials = sorted({m for link in links for m in link["materials"]})
    codes = sorted({c for link in links for c in link["waste_codes"]})
    return {"rank": rank, "level": level, "basis": basis, "closed": closed, "nodes": nodes, "links": links,
            "tonnes": tonnes, "total_tonnes": sum(link["tonnes"] for link in links), "materials": materials,
            "waste_codes": codes, "unit": UNITS[basis]}


def _chains_and_loops() -> tuple[list[dict], list[dict]]:
    chains, loops = [], []
    for basis, (solvent, regen, acid, regen_acid) in {
        "realised": (96.125, 81.4, 310.75, 254.0), "approved": (420.0, 355.5, 1200.0, 980.0),
        "proposed": (420.0, 355.5, 1200.0, 980.0),
    }.items():
        chains.append(_chain(1, "enterprise", basis, False, [_ent("E-001"), _ent("E-003"), _ent("E-002")], [
            _link("E-001", "E-003", solvent, ["废有机溶剂（二甲苯、乙酸丁酯）"], ["900-402-06"], ["waste"]),
            _link("E-003", "E-002", regen, ["再生二甲苯 regenerated xylene"], [], ["product"]),
        ]))
        loops.append(_chain(1, "enterprise", basis, True, [_ent("E-002"), _ent("E-006")], [
            _link("E-002", "E-006", acid, ["废硫酸（含铁）"], ["261-057-34"], ["waste"]),
            _link("E-006", "E-002", regen_acid, ["再生硫酸 regenerated sulfuric acid"], [], ["product"]),
        ]))
        chains.append(_chain(1, "industry", basis, False, [
            _node("3612", "新能源汽车整车制造", "New energy vehicle manufacturing"),
            _node("4220", "非金属废料和碎屑加工处理", "Non-metal waste and scrap processing"),
            _node("2614", "有机化学原料制造", "Organic chemical raw material manufacturing")], [
            _link("3612", "4220", solvent, ["废有机溶剂（二甲苯、乙酸丁酯）"], ["900-402-06"], ["waste"]),
            _link("4220", "2614", regen + regen_acid, ["再生二甲苯 regenerated xylene",
                                                       "再生硫酸 regenerated sulfuric acid"], [], ["product"]),
        ]))
        loops.append(_chain(1, "industry", basis, True, [
            _node("2614", "有机化学原料制造", "Organic chemical raw material manufacturing"),
            _node("4220", "非金属废料和碎屑加工处理", "Non-metal waste and scrap processing")], [
            _link("2614", "4220", acid, ["废硫酸（含铁）"], ["261-057-34"], ["waste"]),
            _link("4220", "2614", regen + regen_acid, ["再生二甲苯 regenerated xylene",
                                                       "再生硫酸 regenerated sulfuric acid"], [], ["product"]),
        ]))
    # Only the realised basis has a park-level chain in this sample (a flow across the park boundary).
    chains.append(_chain(1, "park", "realised", False, [
        _node("CH", "澄湖经济技术开发区", "Chenghu ETDA"), _node("KS", "昆山高新区", "Kunshan Hi-tech Zone")], [
        _link("CH", "KS", 12.5, ["废活性炭"], ["900-039-49"], ["waste"]),
    ]))
    return chains, loops


def _enterprise(ref: str, offers: int, offered: float, sent: dict[str, tuple], received: dict[str, float],
                **extra: Any) -> dict[str, Any]:
    name, industry, industry_name = ENTERPRISES[ref]
    approved = sent["approved"][1] if "approved" in sent else 0.0
    row = {
        "ref": ref, "name": name, "park": "CH", "industry": industry, "industry_name": industry_name,
        "offers": offers, "offered_t": offered,
        "sent": {b: totals(*sent[b]) if b in sent else totals() for b in BASES},
        "received_t": {b: received.get(b, 0.0) for b in BASES},
        "utilisation_rate": (approved / offered) if offered else None,
        "shipments": 0, "on_time_share": None, "ledger_entries": 0, "ledger_complete_share": None,
        "alerts_open": 0, "findings_open": 0,
    }
    row.update(extra)
    return row


def _enterprises() -> list[dict[str, Any]]:
    # sent tuples: (flows, tonnes, hazardous_t, landfill, incineration, tonne_km, co2e, transport, cost, priced)
    return [
        _enterprise("E-004", 2, 24000.0, {
            "proposed": (1, 18500.0, 0.0, 18500.0, 0.0, 59200.0, 1387.5, 4.215),
            "approved": (1, 18500.0, 0.0, 18500.0, 0.0, 59200.0, 1387.5, 4.215),
            "realised": (1, 4620.333, 0.0, 4620.333, 0.0, 14785.0656, 346.5, 1.052697)},
            {}, shipments=77, on_time_share=0.961, ledger_entries=12, ledger_complete_share=1.0),
        _enterprise("E-002", 3, 1500.0, {
            "proposed": (1, 1200.0, 1200.0, 1200.0, 0.0, 14760.0, 96.0, 1.050912),
            "approved": (1, 1200.0, 1200.0, 1200.0, 0.0, 14760.0, 96.0, 1.050912, 240000.0, 1),
            "realised": (1, 310.75, 310.75, 310.75, 0.0, 3822.225, 24.9, 0.272142)},
            {"proposed": 1335.5, "approved": 1335.5, "realised": 335.4},
            shipments=14, on_time_share=0.857, ledger_entries=12, ledger_complete_share=0.917, alerts_open=1),
        _enterprise("E-006", 1, 1000.0, {
            "proposed": (1, 980.0, 0.0, 0.0, 0.0, 12054.0, 0.0, 0.858245),
            "approved": (1, 980.0, 0.0, 0.0, 0.0, 12054.0, 0.0, 0.858245),
            "realised": (1, 254.0, 0.0, 0.0, 0.0, 3124.2, 0.0, 0.222443)},
            {"proposed": 1200.0, "approved": 1200.0, "realised": 310.75},
            shipments=9, on_time_share=1.0, ledger_entries=12, ledger_complete_share=1.0),
        _enterprise("E-001", 3, 600.0, {
            "proposed": (2, 485.25, 485.25, 0.0, 485.25, 3965.175, 706.1, 0.282320),
            "approved": (1, 420.0, 420.0, 0.0, 420.0, 3528.0, 651.0, 0.251194, 504000.0, 1),
            "realised": (1, 96.125, 96.125, 0.0, 96.125, 807.45, 149.0, 0.057490)},
            {}, shipments=12, on_time_share=0.75, ledger_entries=10, ledger_complete_share=0.8, alerts_open=2,
            findings_open=1),
        _enterprise("E-003", 1, 400.0, {
            "proposed": (1, 355.5, 0.0, 0.0, 0.0, 1813.05, 0.0, 0.129089),
            "approved": (1, 355.5, 0.0, 0.0, 0.0, 1813.05, 0.0, 0.129089, 177750.0, 1),
            "realised": (1, 81.4, 0.0, 0.0, 0.0, 415.14, 0.0, 0.029558)},
            {"proposed": 420.0, "approved": 420.0, "realised": 96.125},
            shipments=6, on_time_share=0.5, ledger_entries=4, ledger_complete_share=0.25, alerts_open=3,
            findings_open=2),
        _enterprise("E-005", 0, 0.0, {}, {"proposed": 18565.25, "approved": 18500.0, "realised": 4620.333}),
    ]


def _park_kpi() -> dict[str, Any]:
    return {
        "offers": 10, "offered_t": 27500.0, "in_force_t": 21455.5,
        "proposed": totals(6, 21520.75, 1685.25, 19700.0, 485.25, 91792.225, 2189.6, 6.535566),
        "approved": totals(5, 21455.5, 1620.0, 19700.0, 420.0, 91355.05, 2134.5, 6.504434, 921750.0, 3),
        "realised": totals(5, 5362.608, 406.875, 4931.083, 96.125, 22954.0806, 520.4, 1.634330),
        "match_rate": 21520.75 / 27500.0, "utilisation_rate": 21455.5 / 27500.0,
        "realisation_rate": 5362.608 / (21455.5 * 365 / 365),
        "units": {"offered_t": "t/a", "in_force_t": "t/a", "proposed": "t/a", "approved": "t/a", "realised": "t"},
    }


def stream(offers: int = 0, offered: float = 0.0, matched: float = 0.0, in_force: float = 0.0,
           transferred: float = 0.0) -> dict[str, Any]:
    """One stream's block of ``kpis.streams``, its rates worked out (None where nothing is offered)."""
    return {"offers": offers, "offered_t": offered, "matched_t": matched, "in_force_t": in_force,
            "transferred_t": transferred, "match_rate": matched / offered if offered else None,
            "utilisation_rate": in_force / offered if offered else None}


def _streams() -> dict[str, dict[str, Any]]:
    """The park block cut by stream: each figure sums to the park's (construction offered, nothing matched)."""
    return {"industrial": stream(5, 24000.0, 19835.5, 19835.5, 4955.733),
            "hazardous": stream(4, 2500.0, 1685.25, 1620.0, 406.875),
            "household": stream(), "construction": stream(1, 1000.0), "agricultural": stream()}


def _months() -> list[dict[str, Any]]:
    return [
        {"month": "2026-08", "proposed_t": 19965.5, "approved_t": 0.0, "transferred_t": 0.0, "diverted_t": 0.0,
         "co2e_avoided_t": 0.0, "net_co2e_avoided_t": 0.0, "shipments": 0, "alerts_raised": 0},
        {"month": "2026-09", "proposed_t": 1555.25, "approved_t": 19920.0, "transferred_t": 1210.2,
         "diverted_t": 1180.7, "co2e_avoided_t": 121.35, "net_co2e_avoided_t": 119.9, "shipments": 28, "alerts_raised": 3},
        {"month": "2026-10", "proposed_t": 0.0, "approved_t": 1535.5, "transferred_t": 2044.158,
         "diverted_t": 1926.633, "co2e_avoided_t": 208.05, "net_co2e_avoided_t": 205.6, "shipments": 47, "alerts_raised": 5},
        {"month": "2026-11", "proposed_t": 0.0, "approved_t": 0.0, "transferred_t": 2108.25, "diverted_t": 1919.875,
         "co2e_avoided_t": 191.0, "net_co2e_avoided_t": 188.7, "shipments": 43, "alerts_raised": 2},
    ]


def _indicator(zh: str, en: str, value: Any, score: float | None, weight: float,
               applicable: bool = True) -> dict[str, Any]:
    return {"value": value, "score": score, "weight": weight, "applicable": applicable, "label_zh": zh,
            "label_en": en}


def _indicators(util: float | None, on_time: float | None, ledger: float | None, alerts: int,
                findings: int) -> dict[str, Any]:
    return {
        "utilisation_rate": _indicator("综合利用率", "utilisation rate", util,
                                       None if util is None else min(util, 1.0), 0.4, util is not None),
        "on_time_share": _indicator("按时接收率", "on-time receipt share", on_time, on_time, 0.2,
                                    on_time is not None),
        "ledger_complete_share": _indicator("台账完整率", "ledger completeness", ledger, ledger, 0.2,
                                            ledger is not None),
        "alerts_open": _indicator("未处理预警", "open alerts", alerts, max(0.0, 1 - alerts / 4), 0.1),
        "findings_open": _indicator("未整改问题", "open findings", findings, max(0.0, 1 - findings / 2), 0.1),
    }


GRADES = {"A": ("优先", "priority"), "B": ("鼓励", "encourage"), "C": ("监管", "supervise"),
          "D": ("整改", "rectify"), None: ("未评级", "not rated")}


def _rating(ref: str, grade: str | None, score: float | None, indicators: dict, reasons_zh: list[str],
            reasons_en: list[str], caps: list[dict] | None = None) -> dict[str, Any]:
    zh, en = GRADES[grade]
    return {"ref": ref, "name": ENTERPRISES[ref][0], "park": "CH", "grade": grade, "grade_zh": zh, "grade_en": en,
            "score": score, "indicators": indicators, "caps": caps or [], "reasons_zh": reasons_zh,
            "reasons_en": reasons_en}


def _ratings() -> list[dict[str, Any]]:
    return [
        _rating("E-004", "A", 0.93, _indicators(0.771, 0.961, 1.0, 0, 0),
                ["综合利用率 77.1%，台账完整", "按时接收率 96.1%"],
                ["utilisation rate 77.1%, ledger complete", "on-time receipt share 96.1%"]),
        _rating("E-006", "A", 0.91, _indicators(0.98, 1.0, 1.0, 0, 0),
                ["废酸再生闭环，利用率 98.0%"], ["closed acid-regeneration loop, utilisation 98.0%"]),
        _rating("E-002", "B", 0.78, _indicators(0.8, 0.857, 0.917, 1, 0),
                ["利用率 80.0%", "1 条未处理预警"], ["utilisation rate 80.0%", "1 open alert"]),
        _rating("E-001", "C", 0.58, _indicators(0.7, 0.75, 0.8, 2, 1),
                ["按时接收率 75.0%，低于 80%", "1 个未整改问题"],
                ["on-time receipt share 75.0%, below 80%", "1 open finding"],
                [{"code": "finding_open", "grade": "C", "text_zh": "存在未整改问题，最高评为 C",
                  "text_en": "an open finding caps the grade at C"}]),
        _rating("E-003", "D", 0.31, _indicators(0.889, 0.5, 0.25, 3, 2),
                ["台账完整率 25.0%", "2 个未整改问题", "3 条未处理预警"],
                ["ledger completeness 25.0%", "2 open findings", "3 open alerts"],
                [{"code": "ledger_incomplete", "grade": "D", "text_zh": "台账完整率低于 50%，评为 D",
                  "text_en": "ledger completeness below 50% rates D"}]),
        _rating("E-005", None, None, _indicators(None, None, None, 0, 0),
                ["无供给，未参与评级"], ["no offers: not rated"]),
    ]


def _emission_factors() -> dict[str, Any]:
    return {
        "classes": [
            {"class": "solvent", "name_zh": "废有机溶剂", "name_en": "spent organic solvents",
             "landfill_kg_co2e_per_t": 0.0, "incineration_kg_co2e_per_t": 1550.0, "source": "IPCC-2006-V5C5"},
            {"class": "acid", "name_zh": "废酸", "name_en": "spent acids", "landfill_kg_co2e_per_t": 80.0,
             "incineration_kg_co2e_per_t": 0.0, "source": "GB/T-32150"},
            {"class": "fly_ash", "name_zh": "粉煤灰", "name_en": "fly ash", "landfill_kg_co2e_per_t": 75.0,
             "incineration_kg_co2e_per_t": 0.0, "source": "GB/T-32150"},
            {"class": "paint_sludge", "name_zh": "漆渣", "name_en": "paint sludge", "landfill_kg_co2e_per_t": 120.0,
             "incineration_kg_co2e_per_t": 845.0, "source": "IPCC-2006-V5C5"},
        ],
        "sources": [
            {"id": "IPCC-2006-V5C5", "citation": "IPCC (2006). 2006 IPCC Guidelines for National Greenhouse Gas "
             "Inventories, Volume 5 Waste, Chapter 5: Incineration and Open Burning of Waste. IGES, Hayama, Japan."},
            {"id": "GB/T-32150", "citation": "GB/T 32150-2015 工业企业温室气体排放核算和报告通则 "
             "General guideline of greenhouse gas emissions accounting and reporting for industrial enterprises. "
             "Standardization Administration of China, 2015."},
            {"id": "CTS-2023", "citation": "交通运输部. 道路货物运输碳排放核算指南 (road freight, heavy truck, "
             "diesel), 2023."},
        ],
        "road_freight_kg_co2e_per_tkm": 0.0712,
    }


def sample_report(**overrides: Any) -> dict[str, Any]:
    """A realistic report document of the small Chenghu sample park; ``overrides`` replace top-level keys."""
    chains, loops = _chains_and_loops()
    doc = {
        "format": "wastematch.report.v1",
        "title_zh": "澄湖经济技术开发区 产业共生与无废城市报告",
        "title_en": "Chenghu ETDA industrial symbiosis and zero-waste report",
        "generated_at": "2026-12-02T05:00:00+00:00",
        "park": {"code": "CH", "name": "澄湖经济技术开发区",
                 "name_en": "Chenghu Economic and Technological Development Area"},
        "period": {"from": "2025-12-03", "to": "2026-12-02", "days": 365},
        "kpis": {
            "park": _park_kpi(),
            "enterprises": _enterprises(),
            "monthly": _months(),
            "streams": _streams(),
            "compliance": {
                "failed_checks": {"licence_category": 2, "licence_capacity": 1},
                "soft_flags": {"distance_far": 3, "low_similarity": 1},
                "alerts_open": 6, "alerts_by_kind": {"overdue_receipt": 3, "quantity_mismatch": 2,
                                                     "ledger_missing": 1},
                "alerts_raised": 10, "open_manifests": 4, "findings_open": 3,
                "findings_by_code": {"ledger_gap": 2, "balance_mismatch": 1}, "run": 7, "run_scope": "CH",
                "alerts_critical": 1, "as_of": "2026-12-01T16:00:00+00:00",
            },
        },
        "flows": _flows(),
        "chains": chains,
        "loops": loops,
        "ratings": _ratings(),
        "rating_policy": {"A": 0.85, "B": 0.7, "C": 0.5, "min_offers": 1,
                          "weights": {"utilisation_rate": 0.4, "on_time_share": 0.2, "ledger_complete_share": 0.2,
                                      "alerts_open": 0.1, "findings_open": 0.1}},
        "emission_factors": _emission_factors(),
        "stats": {"seconds": 0.42, "flows": 16, "enterprises": 6, "chains_exhaustive": True,
                  "loops_exhaustive": True},
    }
    doc.update(copy.deepcopy(overrides))
    return copy.deepcopy(doc)


def empty_report(**overrides: Any) -> dict[str, Any]:
    """The same park with nothing matched or transferred: no flows, chains, loops, ratings or factors."""
    zero = sample_report()
    park = _park_kpi()
    for basis in BASES:
        park[basis] = totals()
    park.update(offers=0, offered_t=0.0, in_force_t=0.0, match_rate=None, utilisation_rate=None, realisation_rate=None)
    months = [{k: (m["month"] if k == "month" else 0) for k in m} for m in _months()]
    zero.update(
        kpis={"park": park, "enterprises": [], "monthly": months,
              "streams": {k: stream() for k in ("industrial", "hazardous", "household", "construction", "agricultural")},
              "compliance": {"failed_checks": {}, "soft_flags": {}, "alerts_open": 0, "alerts_by_kind": {},
                             "alerts_raised": 0, "open_manifests": 0, "findings_open": 0, "findings_by_code": {},
                             "alerts_critical": 0, "run": None, "run_scope": None,
                             "as_of": "2026-12-01T16:00:00+00:00"}},
        flows=[], chains=[], loops=[], ratings=[],
        emission_factors={"classes": [], "sources": [], "road_freight_kg_co2e_per_tkm": 0.0712},
        stats={"seconds": 0.01, "flows": 0, "enterprises": 0, "chains_exhaustive": True, "loops_exhaustive": True},
    )
    zero.update(copy.deepcopy(overrides))
    return zero
