"""The demo's governance year follows ``today``: seeded early in a year, the survey year is the one just ended; a
second run changes nothing. A module of its own: it seeds the demo afresh, which must not wait on the shared, still
uncommitted demo of ``test_governance`` (its rows hold the same unique keys)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from marketplace.demo.governance import seed_demo_governance
from marketplace.models import AnnualDisclosure, EecmAssessment, Obligation, RosterEntry, SurveyDeclaration, Target
from tests.marketplace.demo.test_governance import _active, _demo


def test_dates_move_with_today_and_a_second_run_changes_nothing(session):
    today = dt.date(2026, 1, 20)  # early in a year: the survey year is the one just ended
    report = _demo(session, today)
    assert report.year == 2025 and report.violations == {"banned_use": 1, "obligation_overdue": 1}
    (overdue,) = _active(session, "obligation_overdue")
    assert overdue.details["year"] == 2025 and dt.date.fromisoformat(overdue.details["due"]) < today
    counts = [session.scalar(select(func.count()).select_from(m)) for m in (SurveyDeclaration, RosterEntry, Obligation,
                                                                            EecmAssessment, Target, AnnualDisclosure)]
    again = seed_demo_governance(session, today=today)
    assert again.skipped and again.year == 2025
    assert counts == [session.scalar(select(func.count()).select_from(m)) for m in (
        SurveyDeclaration, RosterEntry, Obligation, EecmAssessment, Target, AnnualDisclosure)]
