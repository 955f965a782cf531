"""What waits for a park's coordinators (``overview.waiting_work``): matches both sides accepted, active alerts
and open ledger findings of the park, shown to its coordinators and admins only."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.errors import Forbidden, NotFound
from marketplace.models import Enterprise, Listing, Match
from marketplace.services.accounts.users import Principal, system_principal
from marketplace.services.matching import workflow
from marketplace.services.reports.overview import waiting_work
from tests.marketplace.services.reports.conftest import coordinator_of

ADMIN = system_principal("test")


def _party(session, listing_id: int) -> Principal:
    ent = session.get(Enterprise, session.get(Listing, listing_id).enterprise_id)
    return Principal(user_id=None, email=f"e-{ent.ref}", role="enterprise", enterprise_id=ent.id,
                     enterprise_ref=ent.ref)


def test_a_match_both_sides_accepted_waits_for_approval(demo):
    coord = coordinator_of(demo, "CH")
    before = waiting_work(demo, coord, "CH")
    assert before["approvals"] == 0
    assert before["alerts"] == {"open": 0, "acknowledged": 0} and before["alerts_total"] == 0
    assert before["findings"] == {} and before["findings_total"] == 0
    match = demo.scalars(workflow.filtered_matches(demo, coord, status="proposed", park="CH")).first()
    for listing_id in (match.offer_id, match.need_id):
        workflow.decide(demo, _party(demo, listing_id), match.id, "accept")
    assert demo.get(Match, match.id).status == "accepted"
    assert waiting_work(demo, coord, "CH")["approvals"] == 1
    assert waiting_work(demo, ADMIN, "CH")["approvals"] == 1


def test_only_the_parks_coordinators_and_admins_see_it(demo):
    with pytest.raises(Forbidden):
        waiting_work(demo, coordinator_of(demo, "JC"), "CH")
    enterprise = demo.scalars(select(Enterprise).order_by(Enterprise.id)).first()
    with pytest.raises(Forbidden):
        waiting_work(demo, Principal(user_id=None, email="e", role="enterprise", enterprise_id=enterprise.id,
                                     enterprise_ref=enterprise.ref), "CH")
    with pytest.raises(NotFound):
        waiting_work(demo, ADMIN, "XX")
