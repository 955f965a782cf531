"""A few months of realised transfers and ledger entries for the demonstration park (演示园区的转移与台账历史).

``wastematch demo`` imports the park and runs matching; this module then plays the
months before today through the same services users call: both parties accept some of
the run's proposals, a coordinator approves them, shipments are planned, dispatched,
received and closed with their manifests, receivers record what the material became in
their chemical flow ledgers, and a few things go wrong the way they do in a real park —
a short-weight receipt, a load still on the road, a manifest left open, a load refused at
the gate, a licence about to expire and one fully allocated, ledger entries without CAS,
permit or counterparty — so the reconciliation alerts and ledger findings have something
to show. Dates are relative to ``today``, so the history is always "the last four months".

Seeding runs once: a database that already has shipments is left alone (the licence date
that makes the expiry alert is re-applied, because a re-import resets it).
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..models import Enterprise, LedgerEntry, Listing, Match, Park, Shipment
from ..models.base import CHINA_TZ, utcnow
from ..services.accounts.enterprises import update_licence
from ..services.accounts.users import Principal
from ..services.matching import workflow
from ..services.traceability import alerts, ledger, ledger_review, transfers

HISTORY_DAYS = 120
ACTOR = "demo"


@dataclass(frozen=True)
class Flow:
    """One approved match of the demo and its shipments: every ``every_days`` a load of ``load_t``."""

    offer: str
    need: str
    loads: int
    load_t: float
    packaging: str
    containers: int  # per load
    carrier: str
    vehicle: str
    every_days: int = 14
    first_day: int = 6  # days after the start of the history
    # What happens to the last load: "closed", "in_transit", "open_manifest", "short_weight", "rejected", "planned".
    last: str = "closed"
    ship: bool = True  # False: approved only (reserves licence capacity)


# The stories of the demo park. Quantities are kept well inside each approved (annual) match.
FLOWS: tuple[Flow, ...] = (
    # Battery maker's NMP condensate to the solvent recycler, whose recycled NMP comes back (closed loop).
    Flow("O-042", "N-007", 8, 24.0, "tank", 1, "苏州澄运危险品运输有限公司", "苏E·D7321", last="planned"),
    # Pharma's spent acetone to the same recycler; recycled acetone goes back to the pharma plant.
    Flow("O-058", "N-006", 6, 18.0, "ibc", 18, "苏州澄运危险品运输有限公司", "苏E·D6650", every_days=18, first_day=9),
    # Cold-mill pickling acid to the water-treatment chemicals maker (ferric chloride → sewage plant: a chain).
    Flow("O-090", "N-031", 8, 28.0, "tank", 1, "太仓港安化工物流有限公司", "苏E·F2088", last="short_weight"),
    # PCB etchant to copper recovery.
    Flow("O-025", "N-012", 6, 20.0, "tank", 1, "苏州澄运危险品运输有限公司", "苏E·D7390", every_days=18, first_day=3),
    # Cutting emulsion across the provincial border to Zhejiang: the last load is still on the road.
    Flow("O-006", "N-010", 4, 16.0, "ibc", 16, "嘉兴绿通危险货物运输有限公司", "浙F·A3152", every_days=25,
         first_day=40, last="in_transit"),
    # Paint drums to the drum refurbisher: one load is refused at the gate (leaking drums).
    Flow("O-051", "N-039", 5, 6.0, "box", 12, "苏州吴中顺达物流有限公司", "苏E·K1190", every_days=21, last="rejected"),
    # API mother liquor to the park's HW centre: the last manifest is left open after receipt.
    Flow("O-061", "N-003", 5, 20.0, "tank", 1, "苏州澄运危险品运输有限公司", "苏E·D7321", every_days=21,
         first_day=12, last="open_manifest"),
    # Legacy SCCP-containing cutting oil (a POP) to licensed destruction, shipped in full: the match completes.
    Flow("O-014", "N-003", 2, 18.0, "drum", 90, "苏州澄运危险品运输有限公司", "苏E·D6650", every_days=7, first_day=30),
    # Nickel sludge to smelting recovery at a plant whose licence is about to expire.
    Flow("O-016", "N-014", 3, 15.0, "bag", 15, "苏州吴中顺达物流有限公司", "苏E·K2203", every_days=30, first_day=20),
    # Demolition concrete to the recycled aggregate line (construction waste, issue 20): tipper loads in bulk.
    Flow("O-103", "N-055", 5, 32.0, "bulk", 1, "昆山澄通土方运输有限公司", "苏E·T5102", every_days=10, first_day=60),
    # Canteen kitchen waste to the anaerobic digester (household waste): approved, daily collection not yet begun.
    Flow("O-104", "N-056", 0, 0.0, "bulk", 0, "", "", ship=False),
    # The drum refurbisher's other suppliers: approved only, they fill its licence (capacity alert).
    Flow("O-047", "N-039", 0, 0.0, "box", 0, "", "", ship=False),
    Flow("O-055", "N-039", 0, 0.0, "box", 0, "", "", ship=False),
    Flow("O-062", "N-039", 0, 0.0, "box", 0, "", "", ship=False),
)
# A licence "renewal pending": it ends 45 days from today (licence_expiring alert).
EXPIRING_LICENCE = ("E-043", "JS-HW-3205-0066", 45)


@dataclass
class HistoryReport:
    """What seeding did."""

    skipped: bool = False
    approved: int = 0
    shipments: dict[str, int] = field(default_factory=dict)
    completed_matches: int = 0
    ledger_entries: int = 0
    findings: dict[str, int] = field(default_factory=dict)
    alerts: dict[str, int] = field(default_factory=dict)
    tonnes_received: float = 0.0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data (for ``--json``)."""
        return {"skipped": self.skipped, "approved_matches": self.approved, "shipments": self.shipments,
                "completed_matches": self.completed_matches, "ledger_entries": self.ledger_entries,
                "findings": self.findings, "alerts": self.alerts,
                "tonnes_received": round(self.tonnes_received, 3), "seconds": round(self.seconds, 2),
                "notes": self.notes}


def _at(start: dt.datetime, day: float, hour: float) -> dt.datetime:
    """``day`` days after ``start`` at ``hour`` o'clock China time, in UTC."""
    local = (start.astimezone(CHINA_TZ) + dt.timedelta(days=day)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (local + dt.timedelta(hours=hour)).astimezone(dt.timezone.utc)


class Cast:
    """The principals of the demo: each enterprise acting for itself, and the parks' coordinator."""

    def __init__(self, session: Session) -> None:
        self.session = session
        parks = frozenset(session.scalars(select(Park.id)))
        self.coordinator = Principal(user_id=None, email=ACTOR, role="coordinator", park_ids=parks)
        self._ents: dict[str, Enterprise] = {}

    def enterprise(self, ref: str) -> Enterprise:
        if ref not in self._ents:
            self._ents[ref] = self.session.scalar(select(Enterprise).where(Enterprise.ref == ref))
        return self._ents[ref]

    def of(self, ref: str) -> Principal:
        ent = self.enterprise(ref)
        return Principal(user_id=None, email=f"{ACTOR}-{ref.lower()}", role="enterprise", enterprise_id=ent.id,
                         enterprise_ref=ref)


def _listing(session: Session, ref: str) -> Listing:
    return session.scalar(select(Listing).where(Listing.ref == ref))


def _approved_match(session: Session, cast: Cast, flow: Flow, when: dt.datetime) -> Match:
    """The run's proposal for the pair, accepted by both parties and approved by the coordinator at ``when``."""
    offer, need = _listing(session, flow.offer), _listing(session, flow.need)
    match = session.scalar(select(Match).where(Match.offer_id == offer.id, Match.need_id == need.id,
                                               Match.status.in_(("proposed", "accepted", "approved"))))
    if match is None:
        match = workflow.propose(session, cast.coordinator, offer.id, need.id, now=when)
    if match.status == "proposed":
        for ref in (offer.enterprise.ref, need.enterprise.ref):
            workflow.decide(session, cast.of(ref), match.id, "accept", now=when - dt.timedelta(hours=3))
    if match.status == "accepted":
        workflow.decide(session, cast.coordinator, match.id, "approve",
                        reason="演示：园区例行审批 routine approval", now=when)
    return match


def _ship(session: Session, cast: Cast, flow: Flow, match: Match, start: dt.datetime, now: dt.datetime,
          report: HistoryReport) -> list[Shipment]:
    """Play the flow's loads; each load ``i`` leaves ``first_day + i × every_days`` days into the history."""
    producer, receiver = match.offer.enterprise.ref, match.need.enterprise.ref
    done: list[Shipment] = []
    for i in range(flow.loads):
        last = i == flow.loads - 1
        fate = flow.last if last else "closed"
        day = flow.first_day + i * flow.every_days
        planned = _at(start, day - 2, 9)
        if fate == "in_transit":
            leave = now - dt.timedelta(days=5, hours=2)
            planned = leave - dt.timedelta(days=1)
        elif fate == "open_manifest":
            leave = now - dt.timedelta(days=11)
            planned = leave - dt.timedelta(days=2)
        elif fate == "planned":
            planned = now - dt.timedelta(hours=1)
            leave = None
        else:
            leave = _at(start, day, 8.5)
        per = round(flow.load_t / flow.containers, 4)
        containers = [{"packaging": flow.packaging, "quantity_t": per} for _ in range(flow.containers - 1)]
        containers.append({"packaging": flow.packaging, "quantity_t": round(flow.load_t - per * (flow.containers - 1), 4)})
        shipment = transfers.create_shipment(
            session, cast.of(producer), match.id, quantity_t=flow.load_t, containers=containers,
            carrier=flow.carrier, carrier_licence="苏交运管危字320500000" + str(100 + len(flow.vehicle) + i),
            vehicle=flow.vehicle, driver="驾驶员 " + "张王李赵陈"[i % 5] + "师傅",
            planned_on=(leave or now + dt.timedelta(days=6)).astimezone(CHINA_TZ).date(), now=planned)
        done.append(shipment)
        if leave is None:
            continue
        transfers.dispatch(session, cast.of(producer), shipment.id, now=leave)
        if fate == "in_transit":
            continue
        arrive = leave + dt.timedelta(hours=2.5 + match.distance_km / 45)
        if fate == "rejected":
            transfers.reject(session, cast.of(receiver), shipment.id, now=arrive,
                             reason="3 只包装箱破损渗漏，拒收退回 (3 boxes damaged and leaking: refused, returned)")
            continue
        # Weighbridges differ a little; a short-weight load differs by 8.5 %.
        factor = 0.915 if fate == "short_weight" else 1.0 - 0.004 * ((i * 7) % 5 - 2)
        received = round(flow.load_t * factor, 3)
        transfers.receive(session, cast.of(receiver), shipment.id, quantity_received_t=received, now=arrive,
                          remark="过磅复核 weighbridge checked" if fate == "short_weight" else None)
        report.tonnes_received += received
        if fate == "open_manifest":
            continue
        transfers.close(session, cast.of(receiver), shipment.id, now=arrive + dt.timedelta(days=1, hours=2))
    return done


def _entry(session: Session, cast: Cast, ref: str, report: HistoryReport, **values: Any) -> None:
    ledger.create_entry(session, cast.of(ref), {"enterprise": ref, **values})
    report.ledger_entries += 1


def _receipts(session: Session, receiver: str) -> list[LedgerEntry]:
    """The receiver's ledger entries recorded from received shipments, oldest first."""
    ent = session.scalar(select(Enterprise).where(Enterprise.ref == receiver))
    return list(session.scalars(select(LedgerEntry).where(LedgerEntry.enterprise_id == ent.id,
                                                          LedgerEntry.shipment_id.is_not(None))
                                .order_by(LedgerEntry.entry_date, LedgerEntry.id)))


def _ledgers(session: Session, cast: Cast, start: dt.datetime, report: HistoryReport) -> None:
    """What the receivers made of their receipts, and the chemical purchases of a few producers."""
    d = lambda day: _at(start, day, 10).astimezone(CHINA_TZ).date()  # noqa: E731
    # The solvent recycler distils its receipts and sends the recycled solvent back (closed loops).
    for rec in _receipts(session, "E-039"):
        nmp = rec.cas == "872-50-4"
        product, buyer, purity = (("电池级再生NMP recycled battery-grade NMP", "E-017", 0.995) if nmp else
                                  ("再生丙酮 recycled acetone", "E-022", 0.99))
        qty = round(rec.quantity_t * rec.content_ratio * 0.93, 3)
        batch = f"R-{rec.batch_code}"
        when = rec.entry_date + dt.timedelta(days=4)
        _entry(session, cast, "E-039", report, batch_code=batch, direction="out", entry_date=when,
               chemical_name=product, cas=rec.cas, quantity_t=qty, content_ratio=purity, product=product,
               counterparty=buyer, source_batch=rec.batch_code, note="精馏再生 distillation")
        _entry(session, cast, buyer, report, batch_code=batch, direction="in", entry_date=when + dt.timedelta(days=1),
               chemical_name=product, cas=rec.cas, quantity_t=qty, content_ratio=purity, counterparty="E-039",
               note="再生溶剂回用 recycled solvent taken back")
        use = ("正极浆料 cathode slurry" if nmp else "原料药结晶溶剂 API crystallisation solvent")
        _entry(session, cast, buyer, report, batch_code=f"U-{batch}", direction="consumed",
               entry_date=when + dt.timedelta(days=8), chemical_name=product, cas=rec.cas,
               quantity_t=round(qty * 0.9, 3), content_ratio=purity, product=use, source_batch=batch)
    # Ferric chloride made from pickling acid goes to the park's sewage plant (a three-enterprise chain).
    for k, rec in enumerate(_receipts(session, "E-060")):
        batch = f"FC-{rec.entry_date:%Y%m%d}-{k + 1:02d}"
        made = round(rec.quantity_t * 0.55, 3)
        _entry(session, cast, "E-060", report, batch_code=f"U-{rec.batch_code}", direction="consumed",
               entry_date=rec.entry_date + dt.timedelta(days=1), chemical_name=rec.chemical_name, cas=rec.cas,
               quantity_t=rec.quantity_t, content_ratio=rec.content_ratio, waste_code=rec.waste_code,
               product=f"三氯化铁溶液(38%) ferric chloride solution, batch {batch}", source_batch=rec.batch_code)
        _entry(session, cast, "E-060", report, batch_code=batch, direction="produced",
               entry_date=rec.entry_date + dt.timedelta(days=2), chemical_name="三氯化铁溶液 ferric chloride solution",
               cas="7705-08-0", quantity_t=made, content_ratio=0.38, product="三氯化铁溶液(38%) FeCl3 solution",
               note=f"以联单 {rec.batch_code} 废酸为原料 made from the spent acid of manifest {rec.batch_code}")
        _entry(session, cast, "E-060", report, batch_code=f"S-{batch}", direction="out",
               entry_date=rec.entry_date + dt.timedelta(days=5), chemical_name="三氯化铁溶液 ferric chloride solution",
               cas="7705-08-0", quantity_t=made, content_ratio=0.38, product="污水处理絮凝剂 coagulant",
               counterparty="E-027", source_batch=batch)
    # Copper recovery sells copper sulphate to a feed-additive maker that is not on the platform.
    for k, rec in enumerate(_receipts(session, "E-042")):
        batch = f"CU-{rec.entry_date:%Y%m%d}-{k + 1:02d}"
        made = round(rec.quantity_t * 0.21 * 1.6, 3)
        _entry(session, cast, "E-042", report, batch_code=f"U-{rec.batch_code}", direction="consumed",
               entry_date=rec.entry_date + dt.timedelta(days=1), chemical_name=rec.chemical_name, cas=rec.cas,
               quantity_t=rec.quantity_t, content_ratio=rec.content_ratio, waste_code=rec.waste_code,
               product=f"五水硫酸铜 copper sulphate, batch {batch}", source_batch=rec.batch_code)
        _entry(session, cast, "E-042", report, batch_code=batch, direction="produced",
               entry_date=rec.entry_date + dt.timedelta(days=3), chemical_name="五水硫酸铜 copper sulphate",
               cas="7758-99-8", quantity_t=made, product="五水硫酸铜 copper sulphate pentahydrate")
        _entry(session, cast, "E-042", report, batch_code=f"S-{batch}", direction="out",
               entry_date=rec.entry_date + dt.timedelta(days=9), chemical_name="五水硫酸铜 copper sulphate",
               cas="7758-99-8", quantity_t=made, counterparty_name="浙江某饲料添加剂有限公司", source_batch=batch)
    # Problems for the coordinator's review to find.
    _entry(session, cast, "E-006", report, batch_code="P-2019-017", direction="in", entry_date=d(1),
           chemical_name="含短链氯化石蜡切削油 SCCP cutting oil", cas="85535-84-8", quantity_t=40.0,
           content_ratio=0.12, counterparty_name="上海某润滑油有限公司", note="库存盘点补录 stock count entry")
    _entry(session, cast, "E-019", report, batch_code="P-XY-0811", direction="in", entry_date=d(10),
           chemical_name="二甲苯 xylene", cas="1330-20-7", quantity_t=60.0,
           counterparty_name="江苏某化工贸易公司", permit_number=None)
    _entry(session, cast, "E-019", report, batch_code="P-AD-0902", direction="in", entry_date=d(32),
           chemical_name="流平助剂 levelling additive", quantity_t=4.5, counterparty="E-020")
    _entry(session, cast, "E-019", report, batch_code="O-XY-1005", direction="consumed", entry_date=d(60),
           chemical_name="二甲苯 xylene", cas="1330-20-7", quantity_t=41.0, product="汽车面漆 automotive topcoat",
           source_batch="P-XY-0811")
    _entry(session, cast, "E-021", report, batch_code="P-DMF-0801", direction="in", entry_date=d(5),
           chemical_name="N,N-二甲基甲酰胺 DMF", cas="68-12-2", quantity_t=100.0, counterparty="E-056")
    _entry(session, cast, "E-021", report, batch_code="O-DMF-0930", direction="out", entry_date=d(55),
           chemical_name="N,N-二甲基甲酰胺 DMF", cas="68-12-2", quantity_t=130.0, counterparty="E-020",
           note="转售 resold")


def seed_demo_history(session: Session, *, now: dt.datetime | None = None,
                      progress: Callable[[int, int], None] | None = None) -> HistoryReport:
    """Play the demo park's last four months (see the module docstring); never commits."""
    started = time.perf_counter()
    now = now or utcnow()
    report = HistoryReport()
    cast = Cast(session)
    ref, number, days = EXPIRING_LICENCE
    if cast.enterprise(ref) is not None:
        valid_to = (now.astimezone(CHINA_TZ) + dt.timedelta(days=days)).date()
        update_licence(session, Principal(user_id=None, email=ACTOR, role="admin"), ref, number,
                       {"valid_to": valid_to})
        report.notes.append(f"licence {number} of {ref} now ends {valid_to} (renewal pending)")
    if session.scalar(select(func.count()).select_from(Shipment)):
        report.skipped = True
        report.alerts = alerts.scan(session, now=now).by_kind
        report.seconds = time.perf_counter() - started
        return report
    start = now - dt.timedelta(days=HISTORY_DAYS)
    # The listings were posted before the history began (imported now, they would look newer than the
    # matches approved on them, and a report of a past period would find nothing offered).
    session.execute(update(Listing).where(Listing.created_at > start - dt.timedelta(days=1))
                    .values(created_at=start - dt.timedelta(days=1)))
    steps = len(FLOWS) + 3
    for i, flow in enumerate(FLOWS, start=1):
        match = _approved_match(session, cast, flow, start + dt.timedelta(days=max(flow.first_day - 5, 0)))
        report.approved += 1
        if flow.ship:
            for s in _ship(session, cast, flow, match, start, now, report):
                report.shipments[s.status] = report.shipments.get(s.status, 0) + 1
            if match.status == "completed":
                report.completed_matches += 1
        if progress:
            progress(i, steps)
    _ledgers(session, cast, start, report)
    if progress:
        progress(len(FLOWS) + 1, steps)
    review = ledger_review.review(session, cast.coordinator, now=now)
    report.findings = dict(review.by_code)
    if progress:
        progress(len(FLOWS) + 2, steps)
    report.alerts = dict(alerts.scan(session, now=now).by_kind)
    if progress:
        progress(steps, steps)
    report.seconds = time.perf_counter() - started
    return report
