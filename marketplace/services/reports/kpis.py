"""Zero-waste KPIs (无废城市指标) of a park, its enterprises and the months of a period.

Figures are computed from the flows of ``report_flows`` (waste flows only: product deliveries
link chains but are not counted again) and from the alerts, ledger findings, shipments and
the latest match run of the park. Per flow:

- tonne-km = tonnes × road distance of the match (km);
- diverted from landfill / incineration = the flow's tonnes when the offer's current route is
  landfill / incineration and the receiver recovers it (reuse, recycling, co-processing, energy
  recovery): a flow to disposal is not diverted from anything;
- avoided CO2e = tonnes × (factor of the offer's current route − factor of the receiver's purpose)
  for the flow's material class (``catalog.emission_factors``); transport CO2e = tonne-km × the
  road freight factor; net = avoided − transport;
- cost saving = tonnes × (receiver's price − producer's price), for flows taken off a paid route
  (landfill, incineration, disposal, storage) where both prices are given: the producer's stated
  price is then what getting rid of it costs today (a fee when negative), the receiver's what the
  new route pays or charges. Material already sold (route ``sale``) claims no saving.
Proposed and approved figures are annual rates (t/a, t·km/a, t CO2e/a); realised ones are
amounts in the period.

Rates are the park's own offers' (flows from enterprises outside the park do not raise them):
match rate = proposed ÷ offered; utilisation = tonnes of the approved matches in force during the
period ÷ offered (annual rates; a match approved last year and still delivering counts);
realisation = realised ÷ what those matches should have delivered in their days of the period.
The same figures cut by waste stream (the offer's: industrial, hazardous, household, construction,
agricultural) are ``stream_kpis``, the report's ``kpis.streams``.

Compliance figures (active alerts, open findings, open manifests) are those of the period's end
(or of now, for a period not yet over), not of the day the report is made.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from catalog.emission_factors import avoided_co2e_kg, transport_co2e_kg
from catalog.waste_streams import STREAM_KEYS, infer_stream
from matching.quantities import annual_tonnes
from matching.rules import RULES

from ...models import Alert, EecmAssessment, LedgerFinding, MatchRun, Shipment
from ...models.base import as_utc, iso_utc, park_date, utcnow
from ..traceability.alerts import KIND_ZH, AlertSettings
from ..traceability.hw_plans import STATUS_EN as PLAN_STATUS_EN
from ..traceability.hw_plans import STATUS_ZH as PLAN_STATUS_ZH
from ..traceability.ledger_review import CODE_ZH
from ..traceability.plan_filing import plan_filing
from .flows import BASES, REALISED_SHIPMENTS, UNITS, FlowData, ReportFlow, industry_label, month_of

DIVERTED_ROUTES = ("landfill", "incineration")
# Receivers' purposes that recover the material; "dispose" (or none given) diverts nothing.
RECOVERY_PURPOSES = ("reuse", "recycle", "co_process", "recover_energy")
# Current routes the producer pays for: a match taking the material off them saves that cost.
PAID_ROUTES = ("landfill", "incineration", "disposal", "storage")
# Which party of a shipment an alert of each kind is held against (the manifest's duties);
# licence alerts are held against the licence holder (the alert's enterprise).
ALERT_PARTIES = {"weight_mismatch": ("producer", "receiver"), "not_received": ("producer",),
                 "manifest_open": ("receiver",)}


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole > 1e-12 else None


def diverted_route(f: ReportFlow) -> str | None:
    """``landfill`` or ``incineration`` when the flow takes material off that route to be recovered, else None."""
    if f.current_route in DIVERTED_ROUTES and f.purpose in RECOVERY_PURPOSES:
        return f.current_route
    return None


@dataclass(frozen=True)
class FlowFigures:
    """The per-flow numbers behind every total."""

    tonne_km: float
    co2e_avoided_t: float
    transport_co2e_t: float
    cost_saving_cny: float | None

    @property
    def net_co2e_avoided_t(self) -> float:
        return self.co2e_avoided_t - self.transport_co2e_t


def flow_figures(f: ReportFlow) -> FlowFigures:
    """Tonne-km, avoided and transport CO2e, and cost saving of one flow (see the module docstring)."""
    tkm = f.tonnes * (f.distance_km or 0.0)
    avoided = avoided_co2e_kg(f.material_class, f.tonnes, f.current_route, f.purpose) / 1000.0
    priced = f.offer_price is not None and f.need_price is not None and f.current_route in PAID_ROUTES
    saving = f.tonnes * (f.need_price - f.offer_price) if priced else None
    return FlowFigures(tonne_km=tkm, co2e_avoided_t=avoided, transport_co2e_t=transport_co2e_kg(tkm) / 1000.0,
                       cost_saving_cny=saving)


@dataclass
class Totals:
    """Sums over the waste flows of one basis."""

    flows: int = 0
    tonnes: float = 0.0
    hazardous_t: float = 0.0
    diverted_landfill_t: float = 0.0
    diverted_incineration_t: float = 0.0
    tonne_km: float = 0.0
    co2e_avoided_t: float = 0.0
    transport_co2e_t: float = 0.0
    cost_saving_cny: float = 0.0
    priced_flows: int = 0

    def add(self, f: ReportFlow, figures: FlowFigures) -> None:
        self.flows += 1
        self.tonnes += f.tonnes
        if f.hazardous:
            self.hazardous_t += f.tonnes
        diverted = diverted_route(f)
        if diverted == "landfill":
            self.diverted_landfill_t += f.tonnes
        elif diverted == "incineration":
            self.diverted_incineration_t += f.tonnes
        self.tonne_km += figures.tonne_km
        self.co2e_avoided_t += figures.co2e_avoided_t
        self.transport_co2e_t += figures.transport_co2e_t
        if figures.cost_saving_cny is not None:
            self.cost_saving_cny += figures.cost_saving_cny
            self.priced_flows += 1

    def as_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["hazardous_share"] = _share(self.hazardous_t, self.tonnes)
        d["net_co2e_avoided_t"] = self.co2e_avoided_t - self.transport_co2e_t
        return d


def totals_by_basis(flows: list[ReportFlow], figures: dict[str, FlowFigures]) -> dict[str, Totals]:
    """One ``Totals`` per basis over the waste flows given."""
    out = {b: Totals() for b in BASES}
    for f in flows:
        if f.kind == "waste":
            out[f.basis].add(f, figures[figure_key(f)])
    return out


def figure_key(f: ReportFlow) -> str:
    """The key of a flow's figures: its id is shared by its proposed and approved rows."""
    return f"{f.basis}:{f.id}"


def all_figures(flows: list[ReportFlow]) -> dict[str, FlowFigures]:
    """``flow_figures`` of every flow, keyed by basis and id."""
    return {figure_key(f): flow_figures(f) for f in flows}


def _offered(data: FlowData) -> dict[int, tuple[int, float]]:
    """Offers and offered tonnes per year per enterprise (offers overlapping the period)."""
    out: dict[int, list] = defaultdict(lambda: [0, 0.0])
    for o in data.offers:
        out[o.enterprise_id][0] += 1
        out[o.enterprise_id][1] += annual_tonnes(o.quantity_t, o.period)
    return {k: (v[0], v[1]) for k, v in out.items()}


def _offers_on_market(data: FlowData) -> dict[int, list[tuple[float, int]]]:
    """Per enterprise: each offer's annual tonnes and days on the market by the period's last day (since it
    was posted or became available, whichever is later)."""
    out: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for o in data.offers:
        since = park_date(o.created_at) if o.created_at else data.period.end
        if o.available_from is not None and o.available_from > since:
            since = o.available_from
        out[o.enterprise_id].append((annual_tonnes(o.quantity_t, o.period), (data.period.end - since).days))
    return out


def in_force_by_source(data: FlowData) -> dict[int, tuple[float, float]]:
    """Per sending enterprise: annual tonnes of its approved matches in force during the period, and what they
    should have delivered in it."""
    out: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for a in data.agreements:
        out[a.source_id][0] += a.tonnes
        out[a.source_id][1] += a.expected_t
    return {k: (v[0], v[1]) for k, v in out.items()}


def park_kpis(data: FlowData, figures: dict[str, FlowFigures]) -> dict[str, Any]:
    """The park's KPI block (all waste flows of the report; rates over the park's own offers)."""
    totals = totals_by_basis(data.flows, figures)
    own = totals_by_basis([f for f in data.flows if f.source_id in data.in_scope], figures)
    offered = _offered(data)
    offers = sum(n for n, _ in offered.values())
    offered_t = sum(t for _, t in offered.values())
    in_force = in_force_by_source(data)
    agreed_t = sum(in_force[e][0] for e in data.in_scope if e in in_force)
    expected_t = sum(in_force[e][1] for e in data.in_scope if e in in_force)
    return {"offers": offers, "offered_t": offered_t, **{b: totals[b].as_dict() for b in BASES},
            "match_rate": _share(own["proposed"].tonnes, offered_t), "in_force_t": agreed_t,
            "utilisation_rate": _share(agreed_t, offered_t),
            "realisation_rate": _share(own["realised"].tonnes, expected_t),
            "units": {"offered_t": "t/a", "in_force_t": "t/a", **UNITS}}


def stream_kpis(data: FlowData) -> dict[str, dict[str, Any]]:
    """Per waste stream (工业/危险/生活/建筑/农业, ``catalog.waste_streams``), the park's own offers and what became
    of them: ``kpis.streams.<stream>``, every stream present (zeros and null rates where it has nothing).

    A flow and an agreement belong to its offer's stream. The figures are the park block's, cut by stream, over
    the park's own offers and the flows they send (as its rates are): ``offers`` and ``offered_t`` (t/a, offers
    open during the period); ``matched_t`` = proposed in the period (t/a, what the match rate divides);
    ``in_force_t`` = approved matches in force during the period (t/a); ``transferred_t`` = received in the
    period (t); ``match_rate`` = matched ÷ offered; ``utilisation_rate`` (资源化利用率) = in force ÷ offered.
    Each figure summed over the streams is the park's own.
    """
    out = {key: {"offers": 0, "offered_t": 0.0, "matched_t": 0.0, "in_force_t": 0.0, "transferred_t": 0.0}
           for key in STREAM_KEYS}
    for o in data.offers:
        row = out[_stream_key(o.stream, o.waste_code)]
        row["offers"] += 1
        row["offered_t"] += annual_tonnes(o.quantity_t, o.period)
    column = {"proposed": "matched_t", "realised": "transferred_t"}
    for f in data.flows:
        if f.kind == "waste" and f.basis in column and f.source_id in data.in_scope:
            out[_stream_key(f.stream, f.waste_code)][column[f.basis]] += f.tonnes
    for a in data.agreements:
        if a.source_id in data.in_scope:
            out[_stream_key(a.stream, None)]["in_force_t"] += a.tonnes
    for row in out.values():
        row["match_rate"] = _share(row["matched_t"], row["offered_t"])
        row["utilisation_rate"] = _share(row["in_force_t"], row["offered_t"])
    return out


def _stream_key(stream: str | None, waste_code: str | None) -> str:
    """A listing's stream as stored; inferred from its code if it has none or one this version does not know."""
    return stream if stream in STREAM_KEYS else infer_stream(waste_code)


# --- enterprises ---------------------------------------------------------------------------------

@dataclass
class _Timeliness:
    steps: int = 0
    on_time: int = 0

    def add(self, on_time: bool) -> None:
        self.steps += 1
        self.on_time += int(on_time)


def _days(a: dt.datetime, b: dt.datetime) -> float:
    return (as_utc(b) - as_utc(a)).total_seconds() / 86400.0


def timeliness(data: FlowData, now: dt.datetime, settings: AlertSettings | None = None) -> dict[int, _Timeliness]:
    """Per enterprise, the manifest steps it owed in the period and how many were on time.

    The producer owes the receipt within ``receipt_days`` of dispatch (its carrier); the receiver owes
    closing the manifest within ``close_days`` of receipt. A step not yet done counts once overdue.
    """
    s = settings or AlertSettings()
    out: dict[int, _Timeliness] = defaultdict(_Timeliness)
    for sh in data.shipments:
        if sh.dispatched_at is not None and data.period.holds(sh.dispatched_at):
            done = sh.received_at or sh.rejected_at
            elapsed = _days(sh.dispatched_at, done if done is not None else now)
            if done is not None or elapsed > s.receipt_days:
                out[sh.producer_id].add(elapsed <= s.receipt_days)
        if sh.received_at is not None and data.period.holds(sh.received_at):
            elapsed = _days(sh.received_at, sh.closed_at if sh.closed_at is not None else now)
            if sh.closed_at is not None or elapsed > s.close_days:
                out[sh.receiver_id].add(elapsed <= s.close_days)
    return out


def _in_scope(stmt, data: FlowData):
    """Alerts of the report's park: filed under it, or held by one of its enterprises."""
    if data.park is None:
        return stmt
    return stmt.where(or_(Alert.park_id == data.park.id, Alert.enterprise_id.in_(sorted(data.in_scope))))


def as_of(data: FlowData, now: dt.datetime | None = None) -> dt.datetime:
    """The instant the report's state figures describe: the period's end, or now if that is earlier."""
    return min(as_utc(now or utcnow()), data.period.after_instant)


# Alerts about a survey year (a declared banned use) belong to the reports whose period covers that year,
# whenever the roster raised them: a 2025 declaration is accepted, and its ban found, in 2026.
YEAR_BOUND_KINDS = ("banned_use",)


def _active_alerts(session: Session, data: FlowData, at: dt.datetime) -> list[Alert]:
    """Alerts active at ``at``: raised by then and not yet cleared (acknowledged ones are still active); a
    year-bound alert (``YEAR_BOUND_KINDS``) when its year is one the period covers and it is not cleared."""
    timed = select(Alert).where(Alert.kind.not_in(YEAR_BOUND_KINDS), Alert.raised_at <= at,
                                or_(Alert.cleared_at.is_(None), Alert.cleared_at > at))
    years = set(range(data.period.start.year, data.period.end.year + 1))
    yearly = select(Alert).where(Alert.kind.in_(YEAR_BOUND_KINDS), Alert.cleared_at.is_(None))
    found = list(session.scalars(_in_scope(timed, data)))
    found += [a for a in session.scalars(_in_scope(yearly, data)) if (a.details or {}).get("year") in years]
    return sorted(found, key=lambda a: a.id)


def alerts_by_enterprise(session: Session, data: FlowData, alerts: list[Alert]) -> dict[int, list[Alert]]:
    """The active alerts held against each enterprise (``ALERT_PARTIES``)."""
    ship_ids = {a.shipment_id for a in alerts if a.shipment_id is not None}
    parties = {sid: (p, r) for sid, p, r in session.execute(
        select(Shipment.id, Shipment.producer_id, Shipment.receiver_id).where(Shipment.id.in_(ship_ids)))} \
        if ship_ids else {}
    out: dict[int, list[Alert]] = defaultdict(list)
    for a in alerts:
        held = set()
        if a.shipment_id in parties and a.kind in ALERT_PARTIES:
            producer, receiver = parties[a.shipment_id]
            held = {producer if side == "producer" else receiver for side in ALERT_PARTIES[a.kind]}
        elif a.enterprise_id is not None:
            held = {a.enterprise_id}
        for e in held:
            out[e].append(a)
    return out


def _open_findings(session: Session, data: FlowData, at: dt.datetime) -> list[LedgerFinding]:
    """Ledger findings open at ``at``: found by then and not yet resolved or dismissed."""
    stmt = select(LedgerFinding).where(LedgerFinding.first_found_at <= at,
                                       or_(LedgerFinding.closed_at.is_(None), LedgerFinding.closed_at > at))
    if data.park is not None:
        stmt = stmt.where(LedgerFinding.enterprise_id.in_(sorted(data.in_scope)))
    return list(session.scalars(stmt.order_by(LedgerFinding.id)))


def _eecm_bonuses(session: Session, data: FlowData) -> dict[int, float]:
    """The bonus of each in-scope enterprise's EECM assessment scored for the report's year (its last day's)."""
    stmt = select(EecmAssessment.enterprise_id, EecmAssessment.bonus).where(
        EecmAssessment.year == data.period.end.year, EecmAssessment.status == "scored",
        EecmAssessment.bonus.is_not(None))
    if data.park is not None:
        stmt = stmt.where(EecmAssessment.enterprise_id.in_(sorted(data.in_scope)))
    return {ent_id: float(bonus) for ent_id, bonus in session.execute(stmt)}


# An enterprise row's figures that belong to its own park: None for another park's enterprise on a flow.
OWN_PARK_FIELDS = ("offers", "offered_t", "in_force_t", "utilisation_rate", "shipments", "manifest_steps",
                   "on_time_share", "ledger_entries", "ledger_complete_share", "alerts_open", "findings_open")


@dataclass
class EnterpriseFacts:
    """What the ratings read besides the KPI block: the alerts and findings held against an enterprise (the
    governance alerts banned_use and obligation_overdue among them) and its scored EECM bonus of the year."""

    alerts: list[Alert]
    findings: list[LedgerFinding]
    eecm_bonus: float | None = None  # EecmAssessment.bonus, status 'scored', the report's year
    eecm_year: int | None = None
    # Each offer's (annual tonnes, days on the market by the period's last day): the ratings' fair-chance rule
    # (None: not known, every offer counts).
    offers_on_market: tuple[tuple[float, int], ...] | None = None


def enterprise_kpis(session: Session, data: FlowData, figures: dict[str, FlowFigures], *,
                    now: dt.datetime | None = None) -> tuple[list[dict[str, Any]], dict[str, EnterpriseFacts]]:
    """One KPI block per enterprise of the park or on a flow, most tonnes transferred first."""
    now = as_of(data, now)
    sent: dict[int, list[ReportFlow]] = defaultdict(list)
    received: dict[int, dict[str, float]] = defaultdict(lambda: dict.fromkeys(BASES, 0.0))
    for f in data.flows:
        if f.kind == "waste":
            sent[f.source_id].append(f)
            received[f.target_id][f.basis] += f.tonnes
    offered = _offered(data)
    on_market = _offers_on_market(data)
    steps = timeliness(data, now)
    held = alerts_by_enterprise(session, data, _active_alerts(session, data, now))
    in_force = {ent_id: rate for ent_id, (rate, _) in in_force_by_source(data).items()}
    findings: dict[int, list[LedgerFinding]] = defaultdict(list)
    for fd in _open_findings(session, data, now):
        findings[fd.enterprise_id].append(fd)
    eecm = _eecm_bonuses(session, data)
    flagged_entries = {fd.entry_id for fds in findings.values() for fd in fds if fd.entry_id is not None}
    entries: Counter[int] = Counter(e.enterprise_id for e in data.ledger)
    incomplete: Counter[int] = Counter(e.enterprise_id for e in data.ledger if e.id in flagged_entries)
    shipments: Counter[int] = Counter()
    for sh in data.shipments:
        if data.period.holds(sh.dispatched_at) or data.period.holds(sh.created_at):
            shipments[sh.producer_id] += 1
            shipments[sh.receiver_id] += 1
    rows, facts = [], {}
    for ent_id, ent in data.enterprises.items():
        totals = totals_by_basis(sent.get(ent_id, []), figures)
        row = {
            "ref": ent.ref, "name": ent.name, "park": ent.park.code if ent.park else None,
            "industry": ent.industry, "industry_name": industry_label(ent), "in_scope": ent_id in data.in_scope,
            "sent": {b: totals[b].as_dict() for b in BASES},
            "received_t": dict(received.get(ent_id, dict.fromkeys(BASES, 0.0)))}
        if ent_id not in data.in_scope:
            # Another park's enterprise on a flow: only its flows with this park are the report's business;
            # its offers, manifests, ledger and alerts are its own park's (and its rating there).
            row.update(dict.fromkeys(OWN_PARK_FIELDS))
            rows.append(row)
            continue
        n_offers, offered_t = offered.get(ent_id, (0, 0.0))
        t = steps.get(ent_id)
        row.update({
            "offers": n_offers, "offered_t": offered_t, "in_force_t": in_force.get(ent_id, 0.0),
            "utilisation_rate": _share(in_force.get(ent_id, 0.0), offered_t),
            "shipments": shipments.get(ent_id, 0), "manifest_steps": t.steps if t else 0,
            "on_time_share": _share(t.on_time, t.steps) if t else None,
            "ledger_entries": entries.get(ent_id, 0),
            "ledger_complete_share": _share(entries[ent_id] - incomplete[ent_id], entries[ent_id]),
            "alerts_open": len(held.get(ent_id, [])), "findings_open": len(findings.get(ent_id, []))})
        rows.append(row)
        facts[ent.ref] = EnterpriseFacts(alerts=held.get(ent_id, []), findings=findings.get(ent_id, []),
                                         eecm_bonus=eecm.get(ent_id), eecm_year=data.period.end.year,
                                         offers_on_market=tuple(on_market.get(ent_id, ())))
    rows.sort(key=lambda r: (-r["sent"]["realised"]["tonnes"], -r["sent"]["approved"]["tonnes"],
                             -r["sent"]["proposed"]["tonnes"], r["ref"]))
    return rows, facts


# --- months and compliance -----------------------------------------------------------------------

def monthly(session: Session, data: FlowData, figures: dict[str, FlowFigures]) -> list[dict[str, Any]]:
    """One row per calendar month of the period (see docs/report-format.md)."""
    months = {m: {"month": m, "proposed_t": 0.0, "approved_t": 0.0, "transferred_t": 0.0, "diverted_t": 0.0,
                  "co2e_avoided_t": 0.0, "net_co2e_avoided_t": 0.0, "shipments": 0, "alerts_raised": 0}
              for m in data.period.months()}
    column = {"proposed": "proposed_t", "approved": "approved_t", "realised": "transferred_t"}
    for f in data.flows:
        if f.kind != "waste":
            continue
        fig = figures[figure_key(f)]
        gross_per_t = fig.co2e_avoided_t / f.tonnes if f.tonnes else 0.0
        net_per_t = fig.net_co2e_avoided_t / f.tonnes if f.tonnes else 0.0
        for m, t in f.by_month.items():
            if m not in months:
                continue
            months[m][column[f.basis]] += t
            if f.basis == "realised":
                months[m]["co2e_avoided_t"] += gross_per_t * t
                months[m]["net_co2e_avoided_t"] += net_per_t * t
                if diverted_route(f):
                    months[m]["diverted_t"] += t
    for sh in data.shipments:
        if sh.status in REALISED_SHIPMENTS and data.period.holds(sh.received_at):
            months[month_of(sh.received_at)]["shipments"] += 1
    stmt = _in_scope(select(Alert.raised_at).where(Alert.raised_at >= data.period.first_instant,
                                                   Alert.raised_at < data.period.after_instant), data)
    for (raised,) in session.execute(stmt):
        key = month_of(as_utc(raised))
        if key in months:
            months[key]["alerts_raised"] += 1
    return list(months.values())


def latest_run(session: Session, data: FlowData) -> MatchRun | None:
    """The latest match run of the period over the report's park (else over every park, which covers it)."""
    stmt = select(MatchRun).where(MatchRun.started_at >= data.period.first_instant,
                                  MatchRun.started_at < data.period.after_instant).order_by(MatchRun.id.desc())
    if data.park is not None:
        own = session.scalars(stmt.where(MatchRun.park_id == data.park.id).limit(1)).first()
        if own is not None:
            return own
    return session.scalars(stmt.where(MatchRun.park_id.is_(None)).limit(1)).first()


def open_manifests(data: FlowData, at: dt.datetime) -> int:
    """Shipments on the road or received but not closed at ``at`` (their manifests still open)."""
    def before(t: dt.datetime | None) -> bool:
        return t is not None and as_utc(t) <= at
    return sum(1 for s in data.shipments
               if before(s.dispatched_at) and not before(s.closed_at) and not before(s.rejected_at))


def compliance(session: Session, data: FlowData, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Checks failed in the latest match run of the period, soft flags on proposals; alerts, manifests and
    findings as they stood at the period's end (``as_of``)."""
    at = as_of(data, now)
    run = latest_run(session, data)
    failed = {k.removeprefix("failed_"): int(v) for k, v in ((run.counts or {}) if run else {}).items()
              if k.startswith("failed_")}
    soft: Counter[str] = Counter()
    for f in data.flows:
        if f.basis == "proposed":
            soft.update(f.soft_flags)
    alerts = _active_alerts(session, data, at)
    raised_stmt = _in_scope(select(func.count()).select_from(Alert).where(
        Alert.raised_at >= data.period.first_instant, Alert.raised_at < data.period.after_instant), data)
    findings = _open_findings(session, data, at)
    plans = plan_filing(session, data.in_scope, data.period.end.year, at)
    return {
        "as_of": iso_utc(at),
        "run": run.id if run else None,
        "run_scope": (run.park.code if run.park else None) if run else None,
        "failed_checks": dict(sorted(failed.items())),
        "soft_flags": dict(sorted(soft.items())),
        "alerts_open": len(alerts),
        "alerts_by_kind": dict(sorted(Counter(a.kind for a in alerts).items())),
        "alerts_critical": sum(1 for a in alerts if a.severity == "critical"),
        "alerts_raised": session.scalar(raised_stmt) or 0,
        "open_manifests": open_manifests(data, at),
        "findings_open": len(findings),
        "findings_by_code": dict(sorted(Counter(fd.code for fd in findings).items())),
        # The hazardous waste management plans of the year the period ends in (due 31 March): as they stand when
        # the report is made; the producers (manifests or ledger) up to ``as_of``; missing is null before the due date.
        "hw_plans_year": plans.year, "hw_plans_due": plans.due.isoformat(), "hw_plan_producers": plans.producers,
        "hw_plans_filed": plans.filed, "hw_plans_late": plans.late, "hw_plans_missing": plans.missing,
        "hw_plans_by_status": plans.by_status,
        "labels": COMPLIANCE_LABELS, "alert_labels": ALERT_LABELS, "plan_status_labels": PLAN_STATUS_LABELS,
    }


# Chinese names of the codes the compliance figures count: checks and finding codes in one map, alert kinds
# in their own (the check ``licence_capacity`` and the alert kind of that name mean different things).
COMPLIANCE_LABELS: dict[str, str] = {**CODE_ZH, **{r.code: f"{r.name_zh} {r.name_en}" for r in RULES}}
ALERT_LABELS: dict[str, str] = dict(KIND_ZH)
PLAN_STATUS_LABELS: dict[str, str] = {k: f"{PLAN_STATUS_ZH[k]} {PLAN_STATUS_EN[k]}" for k in PLAN_STATUS_ZH}


__all__ = ["ALERT_PARTIES", "EnterpriseFacts", "FlowFigures", "OWN_PARK_FIELDS", "RECOVERY_PURPOSES", "Totals",
           "all_figures", "as_of", "compliance", "diverted_route", "enterprise_kpis", "figure_key", "flow_figures",
           "in_force_by_source", "latest_run", "monthly", "open_manifests", "park_kpis", "stream_kpis", "timeliness",
           "totals_by_basis"]
