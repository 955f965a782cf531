"""The match workflow: every transition allowed and refused (state, role, side), reasons, audit,
reservations and over-allocation, the hard-rule re-check at approval, expiry, runs, views."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.models import AuditEvent, Enterprise, Licence, Listing, Match, Park
from marketplace.models.base import as_utc
from marketplace.services.matching import workflow
from marketplace.services.accounts.users import Principal, resolve_token
from marketplace.services.matching.engine_input import _licence_used, build_problem
from marketplace.services.matching.runs import run_matching
from matching.problem import Settings
from tests.factories import load_api_park


@dataclass
class World:
    session: object
    p: dict[str, Principal]
    ids: dict[str, int]

    def propose(self, who: str, offer: str, need: str, quantity: float | None = None) -> Match:
        return workflow.propose(self.session, self.p[who], self.ids[offer], self.ids[need], quantity)

    def act(self, who: str, match: Match, action: str, reason: str | None = None, *, confirm: bool = False) -> Match:
        return workflow.decide(self.session, self.p[who], match.id, action, reason, confirm=confirm)

    def accepted(self, offer: str, need: str, quantity: float | None = None) -> Match:
        """A match both parties accepted (offer side first), confirming any over-commitment: approval is
        what must refuse to allocate more than exists."""
        m = self.propose("coord", offer, need, quantity)
        self.act(OWNER[offer], m, "accept", confirm=True)
        self.act(OWNER[need], m, "accept", confirm=True)
        assert m.status == "accepted"
        return m

    def listing(self, ref: str) -> Listing:
        return self.session.get(Listing, self.ids[ref])

    def licence(self, number: str) -> Licence:
        return self.session.scalar(select(Licence).where(Licence.number == number))

    def trail(self, m: Match) -> list[AuditEvent]:
        return list(self.session.scalars(select(AuditEvent).where(
            AuditEvent.entity_type == "match", AuditEvent.entity_key == str(m.id)).order_by(AuditEvent.id)))


OWNER = {"O-1": "e2", "O-2": "e3", "N-1": "e1", "N-2": "e4"}
SECRETS_OF_E1 = ("E-1", "滨海再生资源有限公司", "TJ-HW-0001", "N-1")


@pytest.fixture()
def w(session) -> World:
    tokens = load_api_park(session)
    principals = {k: resolve_token(session, t) for k, t in tokens.items()}
    ids = dict(session.execute(select(Listing.ref, Listing.id)).all())
    return World(session, principals, ids)


def test_happy_path_through_every_state_is_audited(w):
    m = w.propose("e2", "O-1", "N-1")
    assert (m.status, m.source, m.quantity_t, m.licence_number) == ("proposed", "recommend", 300.0, "TJ-HW-0001")
    assert as_utc(m.expires_at) - as_utc(m.created_at) == workflow.PROPOSAL_TTL
    w.act("e2", m, "accept")
    assert m.status == "proposed" and m.offer_accepted_by == "enterprise:garage@e2.test" and m.need_accepted_at is None
    w.act("e1", m, "accept")
    assert m.status == "accepted"
    w.act("coord", m, "approve", "licence and quantities verified")
    assert m.status == "approved" and m.approved_at is not None and m.decided_by == "coordinator:coord-bh@wm.test"
    w.act("e2", m, "start_transfer")
    assert m.status == "in_transfer"
    w.act("e1", m, "complete")
    assert m.status == "completed"
    trail = w.trail(m)
    bh = w.session.scalar(select(Park.id).where(Park.code == "BH"))
    assert [e.changes["status"] for e in trail] == [[None, "proposed"], ["proposed", "proposed"],
                                                    ["proposed", "accepted"], ["accepted", "approved"],
                                                    ["approved", "in_transfer"], ["in_transfer", "completed"]]
    assert [e.context["action"] for e in trail] == ["propose", "accept", "accept", "approve", "start_transfer",
                                                    "complete"]
    assert [e.actor for e in trail][2:4] == ["enterprise:handler@e1.test", "coordinator:coord-bh@wm.test"]
    assert trail[3].context["reason"] == "licence and quantities verified" and trail[3].context["role"] == "coordinator"
    assert all(e.action == "transition" and e.park_id == bh and e.at is not None for e in trail)


def test_accept_is_for_the_parties_once_each_and_only_while_proposed(w):
    m = w.propose("e2", "O-1", "N-1")
    with pytest.raises(Forbidden):
        w.act("coord", m, "accept")
    with pytest.raises(NotFound):
        w.act("e3", m, "accept")  # not a party: the match is not even visible
    w.act("e2", m, "accept")
    with pytest.raises(Conflict, match="already accepted"):
        w.act("e2", m, "accept")
    w.act("e1", m, "accept")
    with pytest.raises(Conflict, match="accepted"):
        w.act("e1", m, "accept")
    with pytest.raises(ValidationFailed) as unknown:
        w.act("e1", m, "sign")
    assert "action" in unknown.value.errors


def test_decline_needs_a_reason_and_ends_the_match(w):
    m = w.propose("e2", "O-1", "N-1")
    for blank in (None, "  "):
        with pytest.raises(ValidationFailed) as exc:
            w.act("e1", m, "decline", blank)
        assert "reason" in exc.value.errors
    with pytest.raises(Forbidden):
        w.act("coord", m, "decline", "no")
    w.act("e1", m, "decline", "we are full this quarter")
    assert m.status == "declined" and m.status_reason == "we are full this quarter"
    with pytest.raises(Conflict, match="declined"):
        w.act("e2", m, "accept")
    assert w.trail(m)[-1].context["reason"] == "we are full this quarter"


def test_approve_and_reject_are_for_coordinators_of_either_park_from_accepted(w):
    m = w.propose("e2", "O-1", "N-2")  # BH offer, NK need
    with pytest.raises(Conflict, match="proposed"):
        w.act("coord", m, "approve")
    w.act("e2", m, "accept")
    w.act("e4", m, "accept")
    for party in ("e2", "e4"):
        with pytest.raises(Forbidden):
            w.act(party, m, "approve")
    with pytest.raises(ValidationFailed) as exc:
        w.act("coord_nk", m, "reject")
    assert "reason" in exc.value.errors
    w.act("coord_nk", m, "reject", "kiln permit under review")
    assert m.status == "rejected" and m.decided_by == "coordinator:coord-nk@wm.test" and m.approved_at is None
    with pytest.raises(Conflict, match="rejected"):
        w.act("coord", m, "approve")
    other = w.accepted("O-2", "N-1")
    with pytest.raises(NotFound):
        w.act("coord_nk", other, "approve")  # both listings in BH: not the NK coordinator's
    w.act("admin", other, "approve")
    assert other.status == "approved"


def test_transfer_and_completion_roles(w):
    m = w.accepted("O-1", "N-1")
    with pytest.raises(Conflict, match="accepted"):
        w.act("e2", m, "start_transfer")
    w.act("coord", m, "approve")
    with pytest.raises(Conflict, match="approved"):
        w.act("e1", m, "complete")
    w.act("coord", m, "start_transfer")
    with pytest.raises(Forbidden):
        w.act("e2", m, "complete")  # the supplier does not confirm receipt
    with pytest.raises(Conflict, match="in_transfer"):
        w.act("e2", m, "cancel", "changed our mind")
    w.act("coord", m, "complete")
    assert m.status == "completed"


def test_cancel_needs_a_reason_and_releases_the_reservation(w):
    m = w.accepted("O-1", "N-1", 200)
    w.act("coord", m, "approve")
    left = lambda: build_problem(w.session, settings=Settings()).o.quantity[  # noqa: E731
        build_problem(w.session, settings=Settings()).o.ref_index["O-1"]]
    assert left() == pytest.approx(100)
    with pytest.raises(ValidationFailed):
        w.act("e2", m, "cancel")
    w.act("e2", m, "cancel", "the tank failed inspection")
    assert m.status == "cancelled" and left() == pytest.approx(300)
    with pytest.raises(Conflict, match="cancelled"):
        w.act("coord", m, "cancel", "again")


def test_over_allocating_the_offer_is_409_with_the_tonnes_left(w):
    first = w.accepted("O-1", "N-1", 200)
    second = w.accepted("O-1", "N-2", 200)
    w.act("coord", first, "approve")
    with pytest.raises(Conflict) as exc:
        w.act("coord", second, "approve")
    assert set(exc.value.errors) == {"offer"} and "100.000 t left" in exc.value.errors["offer"][0]
    assert second.status == "accepted"
    w.session.refresh(second)
    second.quantity_t = 100
    w.act("coord", second, "approve")
    assert second.status == "approved"


def test_over_allocating_the_need_is_409(w):
    w.listing("N-1").quantity_t = 250
    first = w.accepted("O-1", "N-1", 200)
    second = w.accepted("O-2", "N-1", 100)
    w.act("coord", first, "approve")
    with pytest.raises(Conflict) as exc:
        w.act("coord", second, "approve")
    assert set(exc.value.errors) == {"need"} and "50.000 t left" in exc.value.errors["need"][0]


def test_over_allocating_the_licence_is_409_and_counts_this_year_only(w):
    w.licence("TJ-HW-0001").annual_capacity_t = 250
    first = w.accepted("O-1", "N-1", 200)
    second = w.accepted("O-2", "N-1", 100)
    w.act("coord", first, "approve")
    with pytest.raises(Conflict) as exc:
        w.act("coord", second, "approve")
    assert set(exc.value.errors) == {"licence"}
    assert "50.000 t" in exc.value.errors["licence"][0] and "TJ-HW-0001" in exc.value.errors["licence"][0]
    # Last year's approval no longer draws on this year's capacity.
    first.approved_at = dt.datetime.now(dt.timezone.utc).replace(year=dt.date.today().year - 1)
    w.session.flush()
    assert _licence_used(w.session, dt.date.today().year).get("TJ-HW-0001", 0.0) == 0.0
    w.act("coord", second, "approve")
    assert second.status == "approved"


def test_approval_rechecks_hard_rules_on_current_data(w):
    m = w.accepted("O-1", "N-1")
    w.licence("TJ-HW-0001").valid_to = dt.date.today() - dt.timedelta(days=1)
    with pytest.raises(Conflict, match="hw_licence") as exc:
        w.act("coord", m, "approve")
    assert any("HW business licence: " in x for x in exc.value.errors["checks"])
    assert m.status == "accepted"
    w.licence("TJ-HW-0001").valid_to = dt.date(2029, 12, 31)
    w.listing("N-1").status = "paused"
    with pytest.raises(Conflict, match="paused"):
        w.act("coord", m, "approve")
    w.listing("N-1").status = "active"
    w.act("coord", m, "approve")
    assert m.status == "approved"


def test_expiry(w):
    m = w.propose("e2", "O-1", "N-1")
    fresh = w.propose("e3", "O-2", "N-1")
    m.expires_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    w.session.flush()
    with pytest.raises(Conflict, match="expired"):
        w.act("e1", m, "accept")
    assert workflow.expire_stale(w.session) == 1
    assert m.status == "expired" and fresh.status == "proposed"
    assert w.trail(m)[-1].context["action"] == "expire" and w.trail(m)[-1].changes["status"] == ["proposed", "expired"]
    assert w.propose("e2", "O-1", "N-1").status == "proposed"  # an expired pair may be proposed again


def test_propose_refusals(w):
    with pytest.raises(NotFound):
        workflow.propose(w.session, w.p["e2"], w.ids["O-1"], 999_999)
    with pytest.raises(ValidationFailed) as kinds:
        workflow.propose(w.session, w.p["e2"], w.ids["N-1"], w.ids["O-1"])
    assert set(kinds.value.errors) == {"offer", "need"}
    with pytest.raises(Forbidden):
        w.propose("e3", "O-1", "N-1")
    with pytest.raises(Forbidden):
        w.propose("coord_nk", "O-1", "N-1")
    with pytest.raises(ValidationFailed) as too_much:
        w.propose("e2", "O-1", "N-1", 301)
    assert "quantity_t" in too_much.value.errors
    w.propose("e2", "O-1", "N-1", 100)
    with pytest.raises(Conflict, match="open match"):
        w.propose("e1", "O-1", "N-1")
    w.listing("O-2").status = "paused"
    with pytest.raises(Conflict):
        w.propose("e3", "O-2", "N-1")


def test_propose_refuses_an_illegal_pair_with_redacted_checks(w):
    w.licence("TJ-HW-0001").valid_to = dt.date.today() - dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as exc:
        w.propose("e2", "O-1", "N-1")
    text = json.dumps(exc.value.errors, ensure_ascii=False) + exc.value.message
    assert "hw_licence" in text
    assert not any(secret in text for secret in SECRETS_OF_E1)
    with pytest.raises(ValidationFailed) as coord:  # a coordinator sees the detail
        w.propose("coord", "O-1", "N-1")
    assert "HW business licence" in json.dumps(coord.value.errors) and "hw_licence" in coord.value.message
    w.listing("N-2").max_distance_km = 1
    with pytest.raises(ValidationFailed, match="distance"):
        w.propose("e2", "O-1", "N-2")


def test_cancel_open_matches_of_a_paused_listing(w):
    proposed = w.propose("e2", "O-1", "N-2", 50)
    approved = w.accepted("O-1", "N-1", 100)
    w.act("coord", approved, "approve")
    moving = w.accepted("O-2", "N-1", 50)
    w.act("coord", moving, "approve")
    w.act("coord", moving, "start_transfer")
    assert workflow.cancel_open_matches(w.session, w.listing("O-1"), actor="enterprise:garage@e2.test",
                                        reason="listing paused") == 2
    assert (proposed.status, approved.status) == ("cancelled", "cancelled")
    assert w.trail(approved)[-1].changes["status"] == ["approved", "cancelled"]
    assert w.trail(approved)[-1].context["reason"] == "listing paused"
    assert workflow.cancel_open_matches(w.session, w.listing("O-2"), actor="x", reason="closed") == 0
    assert moving.status == "in_transfer"


def test_run_matching_respects_the_workflow(w):
    run, _ = run_matching(w.session, park=None, actor="coordinator:coord-bh@wm.test", settings=Settings())
    made = list(w.session.scalars(select(Match).where(Match.run_id == run.id)))
    assert made and all(m.expires_at is not None and m.status == "proposed" for m in made)
    run_event = w.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "match_run"))
    assert run_event.park_id is None and w.trail(made[0])[0].changes["status"] == [None, "proposed"]
    bh_run, _ = run_matching(w.session, park="BH", actor="t", settings=Settings())
    bh = w.session.scalar(select(Park.id).where(Park.code == "BH"))
    assert w.session.scalar(select(AuditEvent.park_id).where(AuditEvent.entity_type == "match_run",
                                                              AuditEvent.entity_key == str(bh_run.id))) == bh
    # Both accept one pair: a re-run proposes it no more.
    m = w.session.scalars(select(Match).where(Match.status == "proposed").order_by(Match.id)).first()
    owner = {w.ids[r]: OWNER[r] for r in OWNER}
    workflow.decide(w.session, w.p[owner[m.offer_id]], m.id, "accept")
    workflow.decide(w.session, w.p[owner[m.need_id]], m.id, "accept")
    run_matching(w.session, park=None, actor="t", settings=Settings())
    pair = list(w.session.scalars(select(Match).where(Match.offer_id == m.offer_id, Match.need_id == m.need_id,
                                                      Match.status.in_(("proposed", "accepted")))))
    assert pair == [m]


def test_rerun_with_a_new_quantity_clears_half_acceptances(w):
    run_matching(w.session, park=None, actor="t", settings=Settings())
    m = w.session.scalar(select(Match).where(Match.status == "proposed", Match.offer_id == w.ids["O-2"]))
    owner = {w.ids[r]: OWNER[r] for r in OWNER}
    workflow.decide(w.session, w.p[owner[m.offer_id]], m.id, "accept")
    w.listing("O-2").quantity_t = 60
    run_matching(w.session, park=None, actor="t", settings=Settings())
    assert m.status == "proposed" and m.quantity_t == pytest.approx(60)
    assert m.offer_accepted_at is None and m.need_accepted_at is None
    cleared = w.trail(m)[-1]
    assert cleared.context["action"] == "clear_acceptances" and cleared.changes["quantity_t"] == [120.0, 60.0]


def test_match_views_hide_the_counterpart_until_both_accept(w):
    m = w.propose("e2", "O-1", "N-1")
    w.act("e2", m, "accept")
    view = workflow.match_view(w.p["e2"], m, set())
    text = json.dumps(view, ensure_ascii=False)
    assert not any(secret in text for secret in SECRETS_OF_E1)
    assert view["need"]["identified"] is False and view["licence"] is None and view["offer"]["ref"] == "O-1"
    assert view["need_accepted_by"] is None and view["your_side"] == "offer"
    e1_view = json.dumps(workflow.match_view(w.p["e1"], m, set()), ensure_ascii=False)
    assert "E-2" not in e1_view and "开发区汽车维修中心" not in e1_view and "garage@e2.test" not in e1_view
    hist = json.dumps(workflow.history(w.session, w.p["e1"], m), ensure_ascii=False)
    assert "garage@e2.test" not in hist and workflow.HIDDEN_ACTOR in hist
    coord = workflow.match_view(w.p["coord"], m, set())
    assert coord["need"]["enterprise"]["ref"] == "E-1" and coord["licence"] == "TJ-HW-0001"
    w.act("e1", m, "accept")
    after = workflow.match_view(w.p["e2"], m, set())
    assert after["need"]["identified"] is True and after["need"]["enterprise"]["name"] == "滨海再生资源有限公司"
    assert after["licence"] == "TJ-HW-0001"


def test_visible_matches_scope(w):
    m1 = w.propose("e2", "O-1", "N-1")
    m2 = w.propose("e3", "O-2", "N-2")
    seen = lambda who: set(w.session.scalars(workflow.visible_matches(w.p[who])))  # noqa: E731
    assert seen("e2") == {m1} and seen("e4") == {m2} and seen("e1") == {m1}
    assert seen("coord") == {m1, m2} and seen("coord_nk") == {m2} and seen("admin") == {m1, m2}
    assert set(w.session.scalars(workflow.filtered_matches(w.session, w.p["admin"], park="NK"))) == {m2}
    with pytest.raises(NotFound):
        workflow.get_match(w.session, w.p["e2"], m2.id)
    assert w.session.scalar(select(Enterprise.ref).where(Enterprise.id == m2.need.enterprise_id)) == "E-4"


def test_default_quantity_never_rounds_up_past_what_is_left(w):
    w.listing("O-1").quantity_t = 100.0006  # rounds up to 100.001 at 3 decimals
    w.session.flush()
    m = w.propose("e2", "O-1", "N-1")
    assert m.quantity_t <= 100.0006
    w.act("e2", m, "accept")
    w.act("e1", m, "accept")
    w.act("coord", m, "approve")  # what was proposed by default can be approved
    assert m.status == "approved"


def test_licence_capacity_counts_a_reserving_row_without_approved_at(w):
    # As build_problem counts it (by the row's last update), so approval and matching agree.
    w.licence("TJ-HW-0001").annual_capacity_t = 250
    first = w.accepted("O-1", "N-1", 200)
    second = w.accepted("O-2", "N-1", 100)
    w.act("coord", first, "approve")
    first.approved_at = None  # an approved row set by hand (or from before approved_at existed)
    w.session.flush()
    assert _licence_used(w.session, dt.date.today().year)["TJ-HW-0001"] == pytest.approx(200)
    with pytest.raises(Conflict) as exc:
        w.act("coord", second, "approve")
    assert set(exc.value.errors) == {"licence"} and "50.000 t" in exc.value.errors["licence"][0]
    assert second.status == "accepted"


def test_a_park_run_leaves_proposals_it_could_not_have_made(w):
    cross = w.propose("e2", "O-1", "N-2", 50)  # BH offer, NK need: outside a BH run's problem
    run, result = run_matching(w.session, park="BH", actor="coordinator:coord-bh@wm.test", settings=Settings())
    assert ("O-1", "N-2") not in {(p.offer, p.need) for p in result.proposals}
    assert cross.status == "proposed" and [e.context["action"] for e in w.trail(cross)] == ["propose"]


def test_propose_tells_an_outsider_nothing_about_private_listings(w):
    """Another enterprise's paused listing answers like a missing one, and 403 comes before any detail."""
    w.listing("N-1").status = "paused"
    w.session.flush()
    with pytest.raises(NotFound) as paused:
        w.propose("e2", "O-1", "N-1")
    with pytest.raises(NotFound) as missing:
        workflow.propose(w.session, w.p["e2"], w.ids["O-1"], 999_999)
    assert paused.value.message == missing.value.message
    assert len(paused.value.errors["need"]) == 1
    assert paused.value.errors["need"][0].startswith(f"no listing {w.ids['N-1']} ")
    # e2 owns neither O-2 nor N-2: refused as such, before learning that the kinds are swapped.
    with pytest.raises(Forbidden):
        workflow.propose(w.session, w.p["e2"], w.ids["N-2"], w.ids["O-2"])
    # The owner (and the park's coordinator) still learn exactly what is wrong.
    with pytest.raises(Conflict):
        w.propose("e1", "O-1", "N-1")
    with pytest.raises(ValidationFailed):
        workflow.propose(w.session, w.p["e2"], w.ids["N-2"], w.ids["O-1"])
