"""The material flows a park report is made of (产业共生流向): proposed, approved and realised.

Three bases, each counted by the day its event happened in the park's calendar:

- ``proposed``: matches the engine (or a one-click recommendation) proposed in the period and
  that are still alive or went forward (proposed, accepted, approved, in transfer, completed);
  tonnes are the match's **annual rate** (t/a).
- ``approved``: matches a coordinator approved in the period (still approved, in transfer or
  completed); annual rate (t/a).
- ``realised``: tonnes actually **received** in the period, from received and closed shipments
  (waste flows, one per match), plus product deliveries between registered enterprises recorded
  in the chemical flow ledgers (product flows: recycled solvent sold back, ferric chloride made
  from spent acid). A product flow is ``confirmed`` when both sides booked it (the sender's
  ``out`` and the receiver's ``in`` entry with the same batch code, each naming the other);
  a one-sided declaration is kept, unconfirmed.

Product flows link chains and loops; KPIs count waste flows only, so a tonne of spent NMP and
the recycled NMP made from it are not counted twice.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from catalog.emission_factors import classify_material
from catalog.industries import industry as industry_class
from catalog.waste_codes import is_hw_code
from catalog.waste_streams import INDUSTRIAL, category_stream
from matching.problem import Settings, haversine_km

from ...models import RESERVING_STATUSES, Component, Enterprise, LedgerEntry, Listing, Match, Park, Shipment
from ...models.base import park_date, park_day_start

BASES = ("proposed", "approved", "realised")
UNITS = {"proposed": "t/a", "approved": "t/a", "realised": "t"}
# Proposals that are alive or went forward; declined, rejected, superseded, expired and cancelled ones are not.
PROPOSED_STATUSES = ("proposed", "accepted", "approved", "in_transfer", "completed")
REALISED_SHIPMENTS = ("received", "closed")
# Great-circle km × this = road km, as the matcher assumes.
ROAD_FACTOR = Settings().road_factor
DEFAULT_DAYS = 365


@dataclass(frozen=True)
class Period:
    """Park calendar days ``start`` … ``end``, both inclusive."""

    start: dt.date
    end: dt.date

    @classmethod
    def ending(cls, end: dt.date | None = None, days: int = DEFAULT_DAYS) -> Period:
        """The ``days`` days up to and including ``end`` (default: today in the park)."""
        end = end or park_date()
        return cls(end - dt.timedelta(days=days - 1), end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def first_instant(self) -> dt.datetime:
        return park_day_start(self.start)

    @property
    def after_instant(self) -> dt.datetime:
        """The first instant after the period (exclusive bound)."""
        return park_day_start(self.end + dt.timedelta(days=1))

    def holds(self, value: dt.datetime | dt.date | None) -> bool:
        """True if the time (as a park day) or date lies in the period."""
        if value is None:
            return False
        day = park_date(value) if isinstance(value, dt.datetime) else value
        return self.start <= day <= self.end

    def months(self) -> list[str]:
        """The calendar months the period touches, ``YYYY-MM``, oldest first."""
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def as_dict(self) -> dict[str, object]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "days": self.days}


def month_of(value: dt.datetime | dt.date) -> str:
    """``YYYY-MM`` of a time (as a park day) or a date."""
    day = park_date(value) if isinstance(value, dt.datetime) else value
    return f"{day.year:04d}-{day.month:02d}"


@dataclass
class ReportFlow:
    """One flow of one basis between two enterprises (ids), with what the KPIs need to know of it."""

    id: str
    basis: str
    kind: str  # waste | product
    source_id: int
    target_id: int
    tonnes: float
    material: str
    waste_code: str | None = None
    stream: str | None = None  # the offer's waste stream; a product flow's is inferred from its code, if any
    match_id: int | None = None
    status: str | None = None
    offer_ref: str | None = None
    need_ref: str | None = None
    current_route: str | None = None
    purpose: str | None = None
    distance_km: float | None = None
    offer_price: float | None = None
    need_price: float | None = None
    material_class: str = "other"
    soft_flags: tuple[str, ...] = ()
    shipments: int = 0
    first: dt.date | None = None
    last: dt.date | None = None
    confirmed: bool = True
    by_month: dict[str, float] = field(default_factory=dict)  # tonnes per month of the basis' event

    @property
    def hazardous(self) -> bool:
        return bool(self.waste_code) and is_hw_code(self.waste_code)

    @property
    def unit(self) -> str:
        return UNITS[self.basis]


@dataclass(frozen=True)
class Agreement:
    """An approved match in force during part of the period (approved by its end, not yet finished when it
    began): the utilisation and realisation rates are measured against these, not only against the
    matches approved within the period."""

    match_id: int
    source_id: int
    target_id: int
    tonnes: float  # the agreed annual rate, t/a
    days: int  # days of the period it was in force
    stream: str = INDUSTRIAL  # the offer's waste stream

    @property
    def expected_t(self) -> float:
        """What the agreement should have delivered in its days of the period."""
        return self.tonnes * self.days / 365.0


@dataclass
class FlowData:
    """Everything the report reads from the database, gathered once."""

    period: Period
    park: Park | None
    enterprises: dict[int, Enterprise]  # the park's, and every counterparty on a flow
    in_scope: set[int]  # the park's enterprises (all, without a park)
    flows: list[ReportFlow]
    shipments: list[Shipment]  # of the scope, touching the period
    ledger: list[LedgerEntry]  # of the scope, dated in the period
    offers: list[Listing]  # offers of the park's enterprises open during the period
    agreements: list[Agreement] = field(default_factory=list)


def industry_label(e: Enterprise) -> str | None:
    """The enterprise's industry name, Chinese first when the class is in the built-in GB/T 4754 table."""
    try:
        zh = industry_class(e.industry).name_zh if e.industry else None
    except KeyError:
        zh = None
    if zh and e.industry_name:
        return f"{zh} {e.industry_name}"
    return zh or e.industry_name


@dataclass(frozen=True, slots=True)
class _Side:
    """What a flow reads of one listing of a match."""

    id: int
    ref: str
    enterprise_id: int
    title: str  # Chinese and English titles, as the report shows the material
    waste_code: str | None
    current_route: str | None
    purpose: str | None
    price: float | None
    stream: str  # the listing's waste stream (``catalog.waste_streams``)


@dataclass(frozen=True, slots=True)
class _MatchRow:
    """What a flow reads of a match: plain row values, not ORM objects (materialising ~10,000 matches with their
    listings cost more than everything else the report does with them, much of it in the garbage collector)."""

    id: int
    status: str
    quantity_t: float
    distance_km: float | None
    checks: list[dict] | None
    created_at: dt.datetime
    approved_at: dt.datetime | None
    offer: _Side
    need: _Side


def _match_rows(session: Session, *where: Any, park: Park | None = None) -> list[_MatchRow]:
    """The matches meeting every condition of ``where`` (on ``Match``), with the offer's or the need's
    enterprise in ``park`` if one is given, oldest first."""
    offer_l, need_l = aliased(Listing), aliased(Listing)
    offer_ent, need_ent = aliased(Enterprise), aliased(Enterprise)
    stmt = (select(Match.id, Match.status, Match.quantity_t, Match.distance_km, Match.checks, Match.created_at,
                   Match.approved_at,
                   offer_l.id, offer_l.ref, offer_l.enterprise_id, offer_l.title_zh, offer_l.title, offer_l.waste_code,
                   offer_l.current_route, offer_l.purpose, offer_l.price_cny_per_t, offer_l.stream,
                   need_l.id, need_l.ref, need_l.enterprise_id, need_l.title_zh, need_l.title, need_l.waste_code,
                   need_l.current_route, need_l.purpose, need_l.price_cny_per_t, need_l.stream)
            .join(offer_l, Match.offer_id == offer_l.id).join(need_l, Match.need_id == need_l.id)
            .join(offer_ent, offer_l.enterprise_id == offer_ent.id)
            .join(need_ent, need_l.enterprise_id == need_ent.id))
    stmt = stmt.where(*where)
    if park is not None:
        stmt = stmt.where(or_(offer_ent.park_id == park.id, need_ent.park_id == park.id))
    rows = []
    for r in session.execute(stmt.order_by(Match.id)):
        sides = [_Side(id=r[i], ref=r[i + 1], enterprise_id=r[i + 2], title=_title(r[i + 3], r[i + 4], r[i + 1]),
                       waste_code=r[i + 5], current_route=r[i + 6], purpose=r[i + 7], price=r[i + 8],
                       stream=r[i + 9])
                 for i in (7, 17)]
        rows.append(_MatchRow(id=r[0], status=r[1], quantity_t=float(r[2]), distance_km=r[3], checks=r[4],
                              created_at=r[5], approved_at=r[6], offer=sides[0], need=sides[1]))
    return rows


def _title(zh: str | None, en: str | None, ref: str) -> str:
    zh, en = (zh or "").strip(), (en or "").strip()
    return f"{zh} {en}".strip() if zh and en and zh != en else (zh or en or ref)


class _MatchFlows:
    """Flows made from matches, with each offer's material class worked out once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.classes: dict[int, str] = {}
        self.matches: dict[int, _MatchRow] = {}

    def classify(self, offers: Iterable[_Side]) -> None:
        """Work out the material class of every offer not yet classified (its composition's CAS numbers read at
        once)."""
        todo = {o.id: o for o in offers if o.id not in self.classes}
        cas: dict[int, list[str]] = defaultdict(list)
        ids = sorted(todo)
        for i in range(0, len(ids), 5000):
            for listing_id, number in self.session.execute(
                    # A name resolved to a substance classifies as its CAS number would (a refused one has none).
                    select(Component.listing_id, func.coalesce(Component.cas, Component.resolved_cas))
                    .where(Component.listing_id.in_(ids[i:i + 5000]), Component.role == "composition",
                           or_(Component.cas.is_not(None), Component.resolved_cas.is_not(None)))
                    .order_by(Component.listing_id, Component.position)):
                cas[listing_id].append(number)
        for offer_id, offer in todo.items():
            self.classes[offer_id] = classify_material(waste_code=offer.waste_code, title=offer.title,
                                                       cas=cas.get(offer_id, []))

    def flow(self, match: _MatchRow, basis: str, tonnes: float) -> ReportFlow:
        offer, need = match.offer, match.need
        soft = tuple(sorted({c.get("code") for c in (match.checks or [])
                             if not c.get("passed") and not c.get("hard")}))
        return ReportFlow(
            id=f"match:{match.id}", basis=basis, kind="waste", source_id=offer.enterprise_id,
            target_id=need.enterprise_id, tonnes=tonnes, material=offer.title, waste_code=offer.waste_code,
            stream=offer.stream, match_id=match.id, status=match.status, offer_ref=offer.ref, need_ref=need.ref,
            current_route=offer.current_route, purpose=need.purpose, distance_km=match.distance_km,
            offer_price=offer.price, need_price=need.price,
            material_class=self.classes[offer.id], soft_flags=soft)

    def proposed_and_approved(self, session: Session, park: Park | None, period: Period) -> list[ReportFlow]:
        """Proposed and approved flows of the period."""
        rows = _match_rows(session, Match.status.in_(PROPOSED_STATUSES), Match.quantity_t > 0,
                           or_(Match.created_at < period.after_instant, Match.approved_at < period.after_instant),
                           park=park)
        self.classify(m.offer for m in rows)
        flows: list[ReportFlow] = []
        for match in rows:
            self.matches[match.id] = match
            if period.holds(match.created_at):
                f = self.flow(match, "proposed", float(match.quantity_t))
                f.by_month[month_of(match.created_at)] = f.tonnes
                flows.append(f)
            if match.status in RESERVING_STATUSES and period.holds(match.approved_at):
                f = self.flow(match, "approved", float(match.quantity_t))
                f.by_month[month_of(match.approved_at)] = f.tonnes
                flows.append(f)
        return flows

    def agreements(self, shipments: Iterable[Shipment], period: Period) -> list[Agreement]:
        """The approved matches in force during the period, with their days in it.

        In force from the approval day; an approved or in-transfer match to the period's end; a completed
        one (a match keeps no completion time) to the last day one of its shipments of the scope moved, and
        not at all when none of them touched the period (``_scope_shipments`` left them out).
        """
        last_move: dict[int, dt.date] = {}
        for s in shipments:
            moved = [t for t in (s.closed_at, s.rejected_at, s.received_at, s.dispatched_at, s.created_at)
                     if t is not None]
            day = max(park_date(t) for t in moved)
            last_move[s.match_id] = max(day, last_move.get(s.match_id, day))
        out = []
        for m in self.matches.values():
            if m.status not in RESERVING_STATUSES or m.approved_at is None:
                continue
            first = max(park_date(m.approved_at), period.start)
            last = period.end
            if m.status == "completed":
                if m.id not in last_move:
                    continue
                last = min(last_move[m.id], period.end)
            if last < first:
                continue
            out.append(Agreement(match_id=m.id, source_id=m.offer.enterprise_id, target_id=m.need.enterprise_id,
                                 tonnes=m.quantity_t, days=(last - first).days + 1, stream=m.offer.stream))
        return out

    def realised(self, session: Session, shipments: Iterable[Shipment], period: Period) -> list[ReportFlow]:
        """One waste flow per match: the tonnes its shipments delivered in the period."""
        per_match: dict[int, list[Shipment]] = defaultdict(list)
        for s in shipments:
            if s.status in REALISED_SHIPMENTS and period.holds(s.received_at):
                per_match[s.match_id].append(s)
        missing = sorted(m for m in per_match if m not in self.matches)  # e.g. cancelled after a delivery
        if missing:
            rows = _match_rows(session, Match.id.in_(missing))
            self.classify(m.offer for m in rows)
            self.matches.update((m.id, m) for m in rows)
        flows = []
        for match_id in sorted(per_match):
            group = per_match[match_id]
            f = self.flow(self.matches[match_id], "realised",
                          sum(float(s.quantity_received_t or 0.0) for s in group))
            days = [park_date(s.received_at) for s in group]
            f.shipments, f.first, f.last = len(group), min(days), max(days)
            for s in group:
                key = month_of(s.received_at)
                f.by_month[key] = f.by_month.get(key, 0.0) + float(s.quantity_received_t or 0.0)
            flows.append(f)
        return flows


def _scope_shipments(session: Session, park: Park | None, period: Period) -> list[Shipment]:
    """Shipments of the scope that were created, dispatched or received by the end of the period and
    not finished before it began."""
    receiver = aliased(Enterprise)
    # Forward loads only: a rejected load's return manifest carries it back, it delivers nothing (drafts are no
    # manifests yet).
    stmt = (select(Shipment).join(receiver, Shipment.receiver_id == receiver.id)
            .where(Shipment.direction == "forward", Shipment.status != "draft",
                   Shipment.created_at < period.after_instant,
                   or_(Shipment.closed_at.is_(None), Shipment.closed_at >= period.first_instant))
            .order_by(Shipment.id))
    if park is not None:
        stmt = stmt.where(or_(Shipment.park_id == park.id, receiver.park_id == park.id))
    return list(session.scalars(stmt))


def _road_km(a: Enterprise, b: Enterprise) -> float:
    km = haversine_km(np.array([a.lat]), np.array([a.lon]), np.array([b.lat]), np.array([b.lon]))
    return float(km[0]) * ROAD_FACTOR


def _product_flows(entries: list[LedgerEntry], enterprises: dict[int, Enterprise]) -> list[ReportFlow]:
    """Deliveries between registered enterprises booked in the ledgers (not those booked by a receipt)."""
    declared = [e for e in entries if e.counterparty_id is not None and e.shipment_id is None
                and e.counterparty_id != e.enterprise_id and e.direction in ("out", "in")]
    ins = {(e.enterprise_id, e.counterparty_id, e.batch_code): e for e in declared if e.direction == "in"}
    # The receiver's entry of a delivery the sender booked too (same batch, each naming the other):
    # found before the loop, so the delivery counts once whichever side booked first.
    partners = {e.id: ins.get((e.counterparty_id, e.enterprise_id, e.batch_code))
                for e in declared if e.direction == "out"}
    confirming = {p.id for p in partners.values() if p is not None}
    flows = []
    for e in declared:
        if e.direction == "out":
            source, target, partner = e.enterprise_id, e.counterparty_id, partners[e.id]
        elif e.id in confirming:
            continue
        else:
            source, target, partner = e.counterparty_id, e.enterprise_id, None
        if source not in enterprises or target not in enterprises:
            continue  # defensive: both ends were loaded with the scope
        name = (e.chemical_name or e.product or e.cas or e.batch_code).strip()
        day = e.entry_date
        f = ReportFlow(
            id=f"ledger:{e.id}", basis="realised", kind="product", source_id=source, target_id=target,
            tonnes=float(e.quantity_t), material=name, waste_code=e.waste_code,
            stream=category_stream(e.waste_code), shipments=0, first=day, last=day,
            distance_km=_road_km(enterprises[source], enterprises[target]),
            material_class=classify_material(waste_code=e.waste_code, title=name, cas=[e.cas] if e.cas else []),
            confirmed=partner is not None)
        f.by_month[month_of(day)] = f.tonnes
        flows.append(f)
    return flows


def gather(session: Session, *, park: Park | None, period: Period) -> FlowData:
    """Read the flows, shipments, ledger entries and offers of ``park`` (None: every park) in ``period``."""
    in_scope = set(session.scalars(select(Enterprise.id).where(Enterprise.park_id == park.id))
                   if park is not None else session.scalars(select(Enterprise.id)))
    reader = _MatchFlows(session)
    flows = reader.proposed_and_approved(session, park, period)
    shipments = _scope_shipments(session, park, period)
    flows += reader.realised(session, shipments, period)
    agreements = reader.agreements(shipments, period)
    # The scope's ledger entries, and other enterprises' entries naming one of the scope (the other side
    # of a delivery across the park's boundary).
    stmt = select(LedgerEntry).where(LedgerEntry.entry_date >= period.start, LedgerEntry.entry_date <= period.end)
    if park is not None:
        ids = sorted(in_scope)
        stmt = stmt.where(or_(LedgerEntry.enterprise_id.in_(ids), LedgerEntry.counterparty_id.in_(ids)))
    entries = list(session.scalars(stmt.order_by(LedgerEntry.id)))
    wanted = in_scope | {f.source_id for f in flows} | {f.target_id for f in flows} | \
        {e.counterparty_id for e in entries if e.counterparty_id is not None} | {e.enterprise_id for e in entries}
    enterprises = {e.id: e for e in session.scalars(select(Enterprise).where(Enterprise.id.in_(sorted(wanted)))
                                                    .options(selectinload(Enterprise.park)))}
    flows += _product_flows(entries, enterprises)
    ledger = [e for e in entries if e.enterprise_id in in_scope]
    # Offers of the scope open during the period: posted by its end, available in it by their dates, and not
    # closed before it began (a closed listing's last change is its closing).
    offer_stmt = select(Listing).where(
        Listing.kind == "offer", Listing.created_at < period.after_instant,
        or_(Listing.status != "closed", Listing.updated_at >= period.first_instant),
        or_(Listing.available_from.is_(None), Listing.available_from <= period.end),
        or_(Listing.available_to.is_(None), Listing.available_to >= period.start))
    if park is not None:
        offer_stmt = offer_stmt.where(Listing.enterprise_id.in_(sorted(in_scope)))
    offers = list(session.scalars(offer_stmt.order_by(Listing.id)))
    return FlowData(period=period, park=park, enterprises=enterprises, in_scope=in_scope, flows=flows,
                    shipments=shipments, ledger=ledger, offers=offers, agreements=agreements)


__all__ = ["Agreement", "BASES", "FlowData", "PROPOSED_STATUSES", "Period", "ReportFlow", "UNITS", "gather",
           "industry_label", "month_of"]
