"""Which units owe a hazardous waste management plan (危险废物管理计划) for a year, and where their plans stand.

A unit that produces hazardous waste files its plan for the year by 31 March (China time). A *producer* is one
the records show producing: it shipped hazardous waste under the year's manifests, or its ledger recorded some
produced in the year (an offer alone is not evidence enough). The ledger review raises ``plan_missing`` for a
producer without a submitted plan once the due date is past; the park report counts the same producers and plans
(``plan_filing``), so that both say the same thing.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import HwPlan, LedgerEntry, Shipment
from ...models.base import CHINA_TZ
from ...models.hw_plans import HW_PLAN_STATUSES
from .hw_reconciliation import TRANSFERRED_STATUSES, year_bounds

DUE_MONTH_DAY = (3, 31)  # filed by 31 March of the plan's year
CHUNK = 500  # ids per IN (...) list


def plan_due(year: int) -> dt.date:
    """The last day (China time) a plan for ``year`` is on time."""
    return dt.date(year, *DUE_MONTH_DAY)


def is_late(year: int, first_submitted_at: dt.datetime | None) -> bool:
    """A plan first submitted after its due date, China time (one never submitted is not late but missing)."""
    return first_submitted_at is not None and first_submitted_at.astimezone(CHINA_TZ).date() > plan_due(year)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def hw_producers(session: Session, enterprise_ids: Iterable[int], year: int, until: dt.date) -> set[int]:
    """The enterprises among ``enterprise_ids`` the records show producing hazardous waste in ``year`` up to
    ``until`` (China date): a forward manifest of a waste code dispatched, or a ledger entry ``produced``."""
    start, end = year_bounds(year)
    end = min(end, dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=CHINA_TZ).astimezone(dt.UTC))
    out: set[int] = set()
    for chunk in _chunks(sorted(set(enterprise_ids))):
        out.update(session.scalars(select(Shipment.producer_id).distinct().where(
            Shipment.producer_id.in_(chunk), Shipment.direction == "forward", Shipment.waste_code.is_not(None),
            Shipment.status.in_(TRANSFERRED_STATUSES), Shipment.dispatched_at >= start, Shipment.dispatched_at < end)))
        out.update(session.scalars(select(LedgerEntry.enterprise_id).distinct().where(
            LedgerEntry.enterprise_id.in_(chunk), LedgerEntry.direction == "produced",
            LedgerEntry.waste_code.is_not(None), LedgerEntry.entry_date >= dt.date(year, 1, 1),
            LedgerEntry.entry_date <= until)))
    return out


def plans_of(session: Session, enterprise_ids: Iterable[int], year: int) -> list[HwPlan]:
    """The plans of ``year`` of these enterprises (one per enterprise: its current revision)."""
    out: list[HwPlan] = []
    for chunk in _chunks(sorted(set(enterprise_ids))):
        out += session.scalars(select(HwPlan).where(HwPlan.enterprise_id.in_(chunk), HwPlan.year == year))
    return out


@dataclass(frozen=True)
class PlanFiling:
    """Where the plans of one year stand among some enterprises (a park's, or every one).

    ``producers``: units the records show producing hazardous waste in the year (up to the day asked);
    ``by_status``: every plan of the year by its status; ``filed``: plans on file (accepted, or a filed plan being
    revised); ``late``: plans first submitted after the due date; ``missing``: producers that submitted no plan,
    None before the due date (nothing is missing yet).
    """

    year: int
    due: dt.date
    producers: int
    filed: int
    late: int
    missing: int | None
    by_status: dict[str, int] = field(default_factory=dict)


def plan_filing(session: Session, enterprise_ids: Iterable[int], year: int, at: dt.datetime) -> PlanFiling:
    """The plans of ``year`` among ``enterprise_ids`` as they stand, and the producers up to ``at``'s China date."""
    ids = sorted(set(enterprise_ids))
    day = at.astimezone(CHINA_TZ).date()
    producers = hw_producers(session, ids, year, day) if day >= dt.date(year, 1, 1) else set()
    plans = plans_of(session, ids, year)
    submitted = {p.enterprise_id for p in plans if p.first_submitted_at is not None}
    counts = Counter(p.status for p in plans)
    return PlanFiling(
        year=year, due=plan_due(year), producers=len(producers),
        filed=sum(1 for p in plans if p.status == "accepted" or p.revision > 1),
        late=sum(1 for p in plans if is_late(year, p.first_submitted_at)),
        missing=len(producers - submitted) if day > plan_due(year) else None,
        by_status={s: counts[s] for s in HW_PLAN_STATUSES if counts[s]})


__all__ = ["DUE_MONTH_DAY", "PlanFiling", "hw_producers", "is_late", "plan_due", "plan_filing", "plans_of"]
