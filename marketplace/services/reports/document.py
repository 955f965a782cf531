"""Symbiosis-chain reports and zero-waste KPIs (产业共生链与无废城市指标报告).

``build_report`` assembles one JSON-able document (``wastematch.report.v1``, described in
``docs/report-format.md``) for a park and a period: the flows of the three bases
(``report_flows``), the KPIs of the park, its enterprises and months (``kpis``), the chains
and closed loops the flows form at enterprise, industry and park level (``matching.chains``),
and the enterprises' ratings (``ratings``). ``report_render`` turns the document into HTML,
CSV or XLSX. It reads only: nothing is written, so any caller's transaction may hold it.

Coordinators report on the parks they answer for, admins on any park or on all of them;
enterprise users are refused (the report names every enterprise of the park). Another park's
enterprise on a flow is named to a coordinator only once a match with it was accepted by both
sides (or material moved); until then it is "园区外企业 X-001" and the price-derived cost saving
of its flows is withheld, as the marketplace itself would (``disclosure``). Only the park's own
enterprises are rated.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from catalog import emission_factors
from catalog.hw_categories import hw_category
from catalog.waste_codes import category_of, is_hw_code
from matching.chains import LEVELS, FlowLink, Party, flow_graph, search_chains, search_loops

from ...errors import Forbidden, ValidationFailed
from ...models import Enterprise, Park
from ...models.base import iso_utc, utcnow
from ..accounts.disclosure import DISCLOSING_STATUSES, Redactor
from ..accounts.parks import get_park
from ..accounts.users import Principal
from . import kpis, ratings, targets
from .flows import BASES, UNITS, FlowData, Period, ReportFlow, gather, industry_label
from .loop_opportunities import loop_opportunities

REPORT_FORMAT = "wastematch.report.v1"
FORMATS = ("html", "json", "csv", "xlsx")
CHAIN_LIMIT = 25  # chains (and loops) kept per level and basis, most important first
MAX_PERIOD_DAYS = 3660
# Bounds of a report's dates: far enough for any record, near enough that day arithmetic cannot overflow.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
Progress = Callable[[str, int, int], None]
STEPS = ("flows", "kpis", "chains", "ratings")


def report_park(session: Session, principal: Principal, code: str | None) -> Park | None:
    """The park a report covers for ``principal``: the one named, the coordinator's only park, or all (None).

    Enterprise users are refused (403); a coordinator of several parks must name one (422) and
    may name only their own (403); admins may omit it for every park.
    """
    if not (principal.is_admin or principal.is_coordinator):
        raise Forbidden("reports are for coordinators and admins (报告仅限园区管理者查看)",
                        {"role": ["requires coordinator or admin (须为园区管理者或系统管理员)"]})
    if code is not None:
        park = get_park(session, code, field="park")
        if not principal.coordinates(park.id):
            raise Forbidden(f"you do not coordinate park {code} (非所辖园区)",
                            {"park": ["not one of your parks (非所辖园区)"]})
        return park
    if principal.is_admin:
        return None
    if len(principal.park_ids) != 1:
        raise ValidationFailed("name the park of the report (请选择园区)",
                               {"park": [(f"required: you coordinate {len(principal.park_ids)} parks "
                                          f"(必填：您管理 {len(principal.park_ids)} 个园区)")]})
    return session.get(Park, next(iter(principal.park_ids)))


def report_period(start: dt.date | None, end: dt.date | None) -> Period:
    """The period from optional bounds: by default the 365 days up to today (or up to ``end``)."""
    for name, day in (("from", start), ("to", end)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise ValidationFailed(f"{name}: {day} is outside the years a report can cover (报告期超出范围)",
                                   {name: [(f"must lie between {EARLIEST} and {LATEST} "
                                            f"(须在 {EARLIEST} 至 {LATEST} 之间)")]})
    if start is None:
        period = Period.ending(end)
    else:
        period = Period(start, end or Period.ending().end)
    if period.start > period.end:
        raise ValidationFailed("the period ends before it begins (报告期起止有误)",
                               {"from": [(f"{period.start} is after to = {period.end} "
                                          f"(起始日 {period.start} 晚于截止日 {period.end})")]})
    if period.days > MAX_PERIOD_DAYS:
        raise ValidationFailed("the period is longer than ten years (报告期过长)",
                               {"from": [(f"{period.days} days; at most {MAX_PERIOD_DAYS} "
                                          f"({period.days} 天，最多 {MAX_PERIOD_DAYS} 天)")]})
    return period


def _category(f: ReportFlow) -> tuple[str | None, str]:
    """HW category and its name, or the material class' name for a non-hazardous material."""
    if f.waste_code and is_hw_code(f.waste_code):
        cat = category_of(f.waste_code)
        try:
            c = hw_category(cat)
            return cat, f"{c.name_zh} {c.name_en}"
        except KeyError:
            return cat, cat
    mc = emission_factors.MATERIAL_CLASSES.get(f.material_class)
    return None, f"{mc.name_zh} {mc.name_en}" if mc else f.material_class


OUTSIDER_ZH, OUTSIDER_EN = "园区外企业", "enterprise outside the park"


@dataclasses.dataclass(frozen=True)
class Names:
    """How the report names each enterprise for its reader: refs and names, pseudonyms for the hidden."""

    hidden: dict[int, str]  # enterprise id → pseudonym ("X-001")

    def ref(self, e: Enterprise) -> str:
        return self.hidden.get(e.id, e.ref)

    def name(self, e: Enterprise) -> str:
        return f"{OUTSIDER_ZH} {self.hidden[e.id]} ({OUTSIDER_EN})" if e.id in self.hidden else e.name


def reader_names(principal: Principal, data: FlowData) -> Names:
    """Enterprises of other parks the reader may not identify yet: on no flow both sides accepted, no delivery
    and no ledger entry of the park naming them (admins see everyone, coordinators their parks')."""
    if principal.is_admin:
        return Names({})
    disclosed: set[int] = set()
    for f in data.flows:
        if f.basis != "proposed" or f.kind != "waste" or f.status in DISCLOSING_STATUSES:
            disclosed.update((f.source_id, f.target_id))
    hidden = sorted(e.id for e in data.enterprises.values()
                    if e.id not in disclosed and not principal.coordinates(e.park_id))
    return Names({ent_id: f"X-{i:03d}" for i, ent_id in enumerate(hidden, start=1)})


def _withhold_prices(data: FlowData, figures: dict[str, kpis.FlowFigures], names: Names) -> None:
    """No cost saving on a flow with a hidden party: with one's own price it would give the other's."""
    for f in data.flows:
        if f.source_id in names.hidden or f.target_id in names.hidden:
            key = kpis.figure_key(f)
            figures[key] = dataclasses.replace(figures[key], cost_saving_cny=None)


def _flow_row(f: ReportFlow, fig: kpis.FlowFigures, ents: dict[int, Enterprise], names: Names) -> dict[str, Any]:
    src, dst = ents[f.source_id], ents[f.target_id]
    category, category_name = _category(f)
    return {
        "id": f.id, "basis": f.basis, "kind": f.kind, "match": f.match_id, "status": f.status,
        "offer": None if src.id in names.hidden else f.offer_ref,
        "need": None if dst.id in names.hidden else f.need_ref,
        "source": names.ref(src), "source_name": names.name(src), "source_industry": src.industry,
        "source_industry_name": industry_label(src), "source_park": src.park.code if src.park else None,
        "target": names.ref(dst), "target_name": names.name(dst), "target_industry": dst.industry,
        "target_industry_name": industry_label(dst), "target_park": dst.park.code if dst.park else None,
        "tonnes": f.tonnes, "unit": f.unit, "material": f.material, "waste_code": f.waste_code,
        "category": category, "category_name": category_name, "hazardous": f.hazardous,
        "material_class": f.material_class, "current_route": f.current_route, "purpose": f.purpose,
        "stream": f.stream, "distance_km": f.distance_km, "tonne_km": fig.tonne_km, "co2e_avoided_t": fig.co2e_avoided_t,
        "transport_co2e_t": fig.transport_co2e_t, "net_co2e_avoided_t": fig.net_co2e_avoided_t,
        "cost_saving_cny": fig.cost_saving_cny, "soft_flags": list(f.soft_flags), "shipments": f.shipments,
        "first": f.first.isoformat() if f.first else None, "last": f.last.isoformat() if f.last else None,
        "confirmed": f.confirmed,
    }


def _named_rows(rows: list[dict[str, Any]], data: FlowData, names: Names) -> list[dict[str, Any]]:
    """The enterprise KPI rows with hidden enterprises under their pseudonyms (rows are not rated: not in scope)."""
    if not names.hidden:
        return rows
    by_ref = {e.ref: e for e in data.enterprises.values() if e.id in names.hidden}
    out = []
    for row in rows:
        e = by_ref.get(row["ref"])
        out.append(row if e is None else {**row, "ref": names.ref(e), "name": names.name(e)})
    return out


def _parties(data: FlowData, names: Names) -> dict[str, Party]:
    return {names.ref(e): Party(ref=names.ref(e), name=names.name(e), industry=e.industry,
                                industry_name=industry_label(e), park=e.park.code if e.park else None)
            for e in data.enterprises.values()}


def chains_and_loops(data: FlowData, *, limit: int = CHAIN_LIMIT,
                     names: Names | None = None) -> tuple[list[dict], list[dict], dict[str, Any]]:
    """Chains and loops of every basis at every level, each list most important first (by basis and level)."""
    names = names or Names({})
    parties = _parties(data, names)
    refs = {i: names.ref(e) for i, e in data.enterprises.items()}
    chains, loops, searches = [], [], []
    for basis in BASES:
        links = [FlowLink(source=refs[f.source_id], target=refs[f.target_id], tonnes=f.tonnes, material=f.material,
                          waste_code=f.waste_code, kind=f.kind, hazardous=f.hazardous)
                 for f in data.flows if f.basis == basis]
        if not links:
            continue
        for level in LEVELS:
            graph = flow_graph(links, parties, level)
            found_loops = search_loops(graph, limit=limit)
            # The loops found are not reported again as chains (and are not searched twice).
            found_chains = search_chains(graph, limit=limit, loops=found_loops.chains)
            for closed, search, out in ((False, found_chains, chains), (True, found_loops, loops)):
                searches.append({"basis": basis, "level": level, "closed": closed, "exhaustive": search.exhaustive,
                                 "work": search.work})
                for rank, chain in enumerate(search.chains, start=1):
                    out.append({"rank": rank, "basis": basis, "unit": UNITS[basis], **chain.as_dict(graph)})
    stats = {"chains_exhaustive": all(s["exhaustive"] for s in searches if not s["closed"]),
             "loops_exhaustive": all(s["exhaustive"] for s in searches if s["closed"]), "searches": searches}
    return chains, loops, stats


def _title(park: Park | None) -> tuple[str, str]:
    if park is None:
        return "全部园区 产业共生与无废城市报告", "All parks: industrial symbiosis and zero-waste report"
    return (f"{park.name} 产业共生与无废城市报告",
            f"{park.name_en or park.code}: industrial symbiosis and zero-waste report")


def build_report(session: Session, principal: Principal, *, park: str | None = None, start: dt.date | None = None,
                 end: dt.date | None = None, policy: ratings.RatingPolicy | Mapping[str, Any] | None = None,
                 now: dt.datetime | None = None, progress: Progress | None = None,
                 network: bool = True) -> dict[str, Any]:
    """The report document of ``park`` (see ``report_park``) for the period ``start``…``end`` (park days).

    The ratings use ``policy`` if it is a ``RatingPolicy``; otherwise the park's stored overrides of
    the defaults, with ``policy`` (a mapping of overrides, e.g. a request's) over them.
    ``network=False`` leaves out what only the full report shows (the flow rows, chains, loops and loop
    opportunities: empty lists, ``stats.network`` false) for the park overview, which shows KPIs, targets
    and ratings only; every figure it does hold is the same.
    """
    started = time.perf_counter()
    scope = report_park(session, principal, park)
    period = report_period(start, end)
    if not isinstance(policy, ratings.RatingPolicy):
        policy = ratings.policy_from(ratings.merge_overrides(scope.rating_policy if scope else None, policy))
    timings: dict[str, float] = {}

    def step(name: str, t0: float) -> float:
        timings[f"{name}_s"] = round(time.perf_counter() - t0, 4)
        if progress:
            progress(name, STEPS.index(name) + 1, len(STEPS))
        return time.perf_counter()

    t = time.perf_counter()
    data = gather(session, park=scope, period=period)
    t = step("flows", t)
    names = reader_names(principal, data)
    figures = kpis.all_figures(data.flows)
    _withhold_prices(data, figures, names)
    park_block = kpis.park_kpis(data, figures)
    enterprise_rows, facts = kpis.enterprise_kpis(session, data, figures, now=now)
    kpi_doc = {"park": park_block, "enterprises": _named_rows(enterprise_rows, data, names),
               "monthly": kpis.monthly(session, data, figures), "compliance": kpis.compliance(session, data, now=now),
               "streams": kpis.stream_kpis(data)}
    t = step("kpis", t)
    if network:
        chains, loops, chain_stats = chains_and_loops(data, names=names)
        # Loops the flows do not show: legal candidate loops of the latest run, with what closing each costs.
        opportunities = loop_opportunities(session, scope, period, names)
    else:
        chains, loops, opportunities = [], [], []
        chain_stats = {"chains_exhaustive": None, "loops_exhaustive": None}
    t = step("chains", t)
    rating_rows = [ratings.rate(row, facts[row["ref"]], policy) for row in enterprise_rows if row["in_scope"]]
    rating_rows.sort(key=lambda r: ("ABCD".index(r["grade"]) if r["grade"] else 9, -(r["score"] or 0), r["ref"]))
    step("ratings", t)
    title_zh, title_en = _title(scope)
    flows = [_flow_row(f, figures[kpis.figure_key(f)], data.enterprises, names) for f in data.flows] if network \
        else []
    if names.hidden:
        # Their listings' titles and materials may spell their names too (as the marketplace scrubs them).
        redact = Redactor()
        for ent_id in names.hidden:
            redact.hide_enterprise(data.enterprises[ent_id])
        flows, chains, loops, opportunities = redact(flows), redact(chains), redact(loops), redact(opportunities)
        kpi_doc["enterprises"] = redact(kpi_doc["enterprises"])
    return {
        "format": REPORT_FORMAT, "title_zh": title_zh, "title_en": title_en,
        "generated_at": iso_utc(now or utcnow()),
        "park": {"code": scope.code, "name": scope.name, "name_en": scope.name_en} if scope else None,
        "period": period.as_dict(),
        "kpis": kpi_doc, "flows": flows, "chains": chains, "loops": loops, "loop_opportunities": opportunities,
        "ratings": rating_rows,
        "rating_policy": policy.as_dict(),
        # The park's plan targets for the year the period ends in (none for a report over every park).
        "targets": {"year": period.end.year, "items": targets.park_targets(session, scope, period.end.year)}
        if scope else None,
        "emission_factors": {"classes": emission_factors.factor_table(), "sources": emission_factors.sources_table(),
                             "road_freight_kg_co2e_per_tkm": emission_factors.ROAD_FREIGHT_KG_CO2E_PER_TKM},
        "stats": {"seconds": round(time.perf_counter() - started, 3), "flows": len(flows),
                  "enterprises": len(enterprise_rows), "chains": len(chains), "loops": len(loops),
                  "timings": timings, "chains_exhaustive": chain_stats["chains_exhaustive"],
                  "loops_exhaustive": chain_stats["loops_exhaustive"], "network": network},
    }


__all__ = ["FORMATS", "Names", "OUTSIDER_EN", "OUTSIDER_ZH", "REPORT_FORMAT", "build_report", "chains_and_loops",
           "reader_names", "report_park", "report_period"]
