"""This year's hazardous waste management plans in the demonstration park (危险废物管理计划), through the services users
call:

* E-022 (苏州澄湖药业, a key-supervision unit: thousands of tonnes of spent solvents and residues a year) drafted its
  plan from the platform, named a licensed receiver for every waste, listed its storage and its reduction measures,
  submitted it on 20 March and had it filed on 26 March (its filing number);
* E-002 (苏州澄湖汽车零部件, also a key unit by its tonnes) submits its plan only today, as drafted: late, and
  without the storage facility and the reduction measures a key unit states. It waits for the coordinator, who
  reads the findings and returns or files it.

Seeding runs once: a database that already has a plan is left alone.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..models import HwPlan, Licence
from ..models.base import CHINA_TZ, utcnow
from ..models.parks import HW_LICENCE_KINDS
from ..services.traceability import hw_plans
from .history import Cast

FILED = "E-022"
LATE = "E-002"
FACILITIES = [{"kind": "storage", "name": "甲类危废仓库（防渗、防爆、视频监控）", "capacity_t": 120.0},
              {"kind": "storage", "name": "废溶剂储罐区（2 × 30 m³）", "capacity_t": 48.0}]
MEASURES = ("二氯甲烷萃取改为低残留工艺，回收塔增加一级冷凝，降低废溶剂产生量；废丙酮全部委托再生利用，"
            "不再焚烧 / Dichloromethane extraction changed to a low-residue process and a condenser stage added to the "
            "recovery column; all spent acetone sent to regeneration instead of incineration")


@dataclass
class HwPlansReport:
    """What seeding did."""

    skipped: bool = False
    plans: dict[str, dict[str, Any]] = field(default_factory=dict)  # enterprise ref -> {status, tier, …}

    def as_dict(self) -> dict[str, Any]:
        return {"skipped": self.skipped, "plans": self.plans}


def _china(year: int, month: int, day: int, hour: int, now: dt.datetime) -> dt.datetime:
    """A moment of the story in China time, never after ``now``."""
    return min(dt.datetime(year, month, day, hour, tzinfo=CHINA_TZ).astimezone(dt.UTC), now)


def _covering(session: Session, park_id: int | None, code: str, year: int) -> Licence | None:
    """A licence of the park valid all year that covers ``code`` (its code or its category): a receiver to name."""
    category = f"HW{code[-2:]}"
    for lic in session.scalars(select(Licence).join(Licence.enterprise)
                               .where(Licence.kind.in_(HW_LICENCE_KINDS)).order_by(Licence.number)
                               .options(selectinload(Licence.enterprise))):
        whole_year = lic.valid_from <= dt.date(year, 1, 1) and (lic.valid_to is None or
                                                                 lic.valid_to >= dt.date(year, 12, 31))
        if lic.enterprise.park_id == park_id and whole_year and (code in lic.codes or category in lic.categories):
            return lic
    return None


def _completed(session: Session, plan: HwPlan) -> dict[str, Any]:
    """The drafted plan with a licensed receiver for every waste the draft left without one, its storage and its
    reduction measures."""
    transfers = [{"waste_code": t.waste_code, "receiver": t.receiver, "licence_number": t.licence_number,
                  "planned_t": t.planned_t} for t in plan.transfers]
    named = {t["waste_code"] for t in transfers}
    for w in plan.wastes:
        if w.waste_code in named or w.transferred_t <= 0:
            continue
        lic = _covering(session, plan.enterprise.park_id, w.waste_code, plan.year)
        if lic is not None:
            transfers.append({"waste_code": w.waste_code, "receiver": lic.enterprise.ref,
                              "licence_number": lic.number, "planned_t": w.transferred_t})
    return {"transfers": transfers, "facilities": FACILITIES, "reduction_measures": MEASURES,
            "reduction_target_pct": 8.0}


def seed_demo_hw_plans(session: Session, *, now: dt.datetime | None = None) -> HwPlansReport:
    """Play this year's plans (module docstring); never commits."""
    report = HwPlansReport()
    if session.scalar(select(func.count(HwPlan.id))):
        report.skipped = True
        return report
    now = now or utcnow()
    year = now.astimezone(CHINA_TZ).year
    cast = Cast(session)
    plan = hw_plans.draft(session, cast.of(FILED), None, year)
    hw_plans.save_plan(session, cast.of(FILED), plan.id, _completed(session, plan))
    hw_plans.submit(session, cast.of(FILED), plan.id, now=_china(year, 3, 20, 10, now))
    hw_plans.accept(session, cast.coordinator, plan.id, now=_china(year, 3, 26, 15, now))
    late = hw_plans.draft(session, cast.of(LATE), None, year)
    hw_plans.submit(session, cast.of(LATE), late.id, now=now)
    for p in (plan, late):
        report.plans[p.enterprise.ref] = {"id": p.id, "status": p.status, "tier": p.tier,
                                          "filing_number": p.filing_number, "wastes": len(p.wastes),
                                          "checks": [c["code"] for c in p.checks]}
    return report
