"""This year's HW management plans in the demo: E-022's filed in March with a licensed receiver for every waste and no
finding; E-002's submitted late and incomplete, waiting for the coordinator; a second run changes nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from marketplace.demo.hw_plans import FILED, LATE, seed_demo_hw_plans
from marketplace.models import HwPlan, Licence
from marketplace.models.base import CHINA_TZ
from tests.marketplace.demo.test_governance import NOW, TODAY, _demo


def test_one_plan_filed_in_march_and_one_submitted_late(session):
    _demo(session, TODAY)
    report = seed_demo_hw_plans(session, now=NOW)
    filed = session.get(HwPlan, report.plans[FILED]["id"])
    assert (filed.status, filed.tier, filed.year, filed.checks) == ("accepted", "key", 2026, [])
    assert filed.filing_number == "HWMP-CH-2026-E-022-R1"
    assert filed.first_submitted_at.astimezone(CHINA_TZ).date().isoformat() == "2026-03-20"
    # Every waste handed over goes to a receiver whose licence covers it.
    handed = {t.waste_code for t in filed.transfers}
    assert handed == {w.waste_code for w in filed.wastes if w.transferred_t > 0} and len(handed) == 6
    for t in filed.transfers:
        lic = session.scalar(select(Licence).where(Licence.number == t.licence_number))
        assert lic.enterprise.ref == t.receiver
        assert t.waste_code in lic.codes or f"HW{t.waste_code[-2:]}" in lic.categories

    late = session.get(HwPlan, report.plans[LATE]["id"])
    assert (late.status, late.tier) == ("submitted", "key")
    assert sorted({c["code"] for c in late.checks}) == ["late", "section_missing"]

    again = seed_demo_hw_plans(session, now=NOW)
    assert again.skipped and session.scalar(select(func.count(HwPlan.id))) == 2
