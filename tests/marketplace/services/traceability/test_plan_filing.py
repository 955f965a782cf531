"""Who owes a hazardous waste management plan and where the plans stand (``plan_filing``): the figures the park report
counts, by the rule the ledger review's ``plan_missing`` finding uses."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from marketplace.models import Enterprise, Shipment
from marketplace.services.traceability import hw_plans as plans
from marketplace.services.traceability import ledger
from marketplace.services.traceability.plan_filing import hw_producers, plan_filing
from tests.marketplace.services.traceability.test_hw_declarations import CODE, _shipped
from tests.marketplace.services.traceability.test_hw_plans import _small


def _ids(w) -> list[int]:
    return list(w.session.scalars(select(Enterprise.id)))


def _at(year: int, day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{year}-{day}T12:00:00+08:00")


def _ref(w, ent_id: int) -> str:
    return w.session.get(Enterprise, ent_id).ref


def _dispatched_in_february(w, year: int) -> None:
    for s in w.session.scalars(select(Shipment).where(Shipment.dispatched_at.is_not(None))):
        s.dispatched_at = dt.datetime(year, 2, 10, tzinfo=dt.UTC)


def test_a_producer_is_one_that_shipped_or_recorded_hazardous_waste_by_the_day_asked(w):
    _, year = _shipped(w)  # E-2 ships to E-1, which produces nothing
    _dispatched_in_february(w, year)
    assert {_ref(w, e) for e in hw_producers(w.session, _ids(w), year, dt.date(year, 3, 1))} == {"E-2"}
    assert hw_producers(w.session, _ids(w), year, dt.date(year, 2, 9)) == set()  # before its first manifest
    assert hw_producers(w.session, _ids(w), year + 1, dt.date(year + 1, 6, 1)) == set()  # another year
    # A ledger entry of waste produced makes a producer too; an offer alone does not (E-3 offers, ships nothing).
    ledger.create_entry(w.session, w.p["e1"], {"batch_code": "P-1", "direction": "produced",
                                               "entry_date": f"{year}-02-20", "chemical_name": "废机油",
                                               "waste_code": CODE, "quantity_t": 0.5}, today=dt.date(year, 12, 31))
    assert {_ref(w, e) for e in hw_producers(w.session, _ids(w), year, dt.date(year, 3, 1))} == {"E-1", "E-2"}


def test_nothing_is_missing_before_31_march_and_a_producer_without_a_plan_is_after(w):
    _, year = _shipped(w)
    _dispatched_in_february(w, year)
    before = plan_filing(w.session, _ids(w), year, _at(year, "03-31"))
    assert (before.producers, before.missing, before.filed, before.late, before.by_status) == (1, None, 0, 0, {})
    after = plan_filing(w.session, _ids(w), year, _at(year, "04-01"))
    assert (after.producers, after.missing, after.due) == (1, 1, dt.date(year, 3, 31))


def test_a_late_plan_is_counted_late_then_filed_and_stays_filed_while_revised(w):
    _, year = _shipped(w)
    _dispatched_in_february(w, year)
    plan = _small(w, year, planned=4.25)
    plans.submit(w.session, w.p["e2"], plan.id, now=_at(year, "04-02"))
    f = plan_filing(w.session, _ids(w), year, _at(year, "04-03"))
    assert (f.missing, f.late, f.filed, f.by_status) == (0, 1, 0, {"submitted": 1})
    plans.accept(w.session, w.p["coord"], plan.id)
    assert plan_filing(w.session, _ids(w), year, _at(year, "05-01")).filed == 1
    plans.revise(w.session, w.p["e2"], plan.id)  # a new revision, still on file until the next is accepted
    f = plan_filing(w.session, _ids(w), year, _at(year, "06-01"))
    assert (f.filed, f.late, f.by_status) == (1, 1, {"draft": 1})


def test_a_plan_submitted_on_time_is_not_late_and_a_draft_is_not_a_submission(w):
    _, year = _shipped(w)
    _dispatched_in_february(w, year)
    plan = _small(w, year, planned=4.25)
    f = plan_filing(w.session, _ids(w), year, _at(year, "04-01"))
    assert (f.missing, f.by_status) == (1, {"draft": 1})  # drafted, never submitted: still missing
    plans.submit(w.session, w.p["e2"], plan.id, now=_at(year, "03-31"))
    f = plan_filing(w.session, _ids(w), year, _at(year, "04-01"))
    assert (f.missing, f.late) == (0, 0)
