"""Moderation of listings: a park's coordinators (and admins) open, hold, resume, flag and annotate its
listings; nobody else may (403, one bilingual reason); every act is audited and the owner told;
a held listing is out of one-click and park-wide matching and its owner cannot resume it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.models import AuditEvent, Listing, Match, Notification
from marketplace.services.listings import listings, moderation
from marketplace.services.matching.runs import run_matching
from matching.problem import Settings


def audit_actions(w, ref: str) -> list[AuditEvent]:
    """The listing's audit events after the import that created it."""
    return list(w.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "listing", AuditEvent.entity_key == ref, AuditEvent.action != "create")
        .order_by(AuditEvent.id)))


def owner_notices(w, listing: Listing) -> list[Notification]:
    return list(w.session.scalars(select(Notification).where(
        Notification.kind == moderation.NOTICE_KIND, Notification.own_listing_id == listing.id)
        .order_by(Notification.id)))


@pytest.mark.parametrize("who", ["coord", "admin"])
def test_the_parks_coordinator_and_admins_moderate_its_listings(w, who):
    o1 = w.listing("O-1")  # E-2, park BH
    assert moderation.moderated_listing(w.session, w.p[who], o1.id) is o1
    listing, cancelled = moderation.hold(w.session, w.p[who], o1.id, "1e9 t is not a garage's oil")
    assert (listing.status, listing.held_by, cancelled) == ("paused", w.p[who].actor, 0)
    moderation.release(w.session, w.p[who], o1.id, "corrected to 300 t")
    assert (listing.status, listing.held_by, listing.held_reason) == ("active", None, None)


@pytest.mark.parametrize("who", ["coord_nk", "e2", "e1"])
def test_others_are_refused_with_one_bilingual_reason(w, who):
    o1 = w.listing("O-1")  # active: every signed-in user sees it, so the refusal is 403, not 404
    acts = [lambda: moderation.moderated_listing(w.session, w.p[who], o1.id),
            lambda: moderation.hold(w.session, w.p[who], o1.id, "no"),
            lambda: moderation.flag(w.session, w.p[who], o1.id, "duplicate"),
            lambda: moderation.annotate(w.session, w.p[who], o1.id, "note"),
            lambda: moderation.moderation_view(w.session, w.p[who], o1.id)]
    for act in acts:
        with pytest.raises(Forbidden) as exc:
            act()
        assert "仅该信息所在园区的管理者可审核" in exc.value.message and "coordinator" in exc.value.message
    assert o1.status == "active" and audit_actions(w, "O-1") == []


def test_a_listing_the_caller_cannot_see_stays_unknown(w):
    moderation.hold(w.session, w.p["coord"], w.ids["O-1"], "check the quantity")
    with pytest.raises(NotFound):  # paused: private to its owner and its park's coordinators
        moderation.flag(w.session, w.p["coord_nk"], w.ids["O-1"], "duplicate")
    with pytest.raises(NotFound):
        moderation.hold(w.session, w.p["coord"], 2**40, "x")


def test_every_act_is_audited_with_the_reason_typed(w):
    o1 = w.listing("O-1")
    p = w.p["coord"]
    moderation.hold(w.session, p, o1.id, "implausible: 1e9 t")
    remark = moderation.flag(w.session, p, o1.id, "implausible_quantity", "1e9 t a year")
    moderation.annotate(w.session, p, o1.id, "called the garage, they meant 1 t")
    moderation.clear_flag(w.session, p, o1.id, remark.id, "corrected")
    moderation.release(w.session, p, o1.id, "quantity fixed")
    trail = audit_actions(w, "O-1")
    assert [e.action for e in trail] == ["moderation_hold", "flag", "annotate", "clear_flag", "moderation_release"]
    assert [e.context["reason"] for e in trail] == ["implausible: 1e9 t", "implausible_quantity",
                                                     "called the garage, they meant 1 t", "corrected", "quantity fixed"]
    assert trail[1].context["text"] == "1e9 t a year"
    assert all(e.actor == p.actor and e.park_id == o1.enterprise.park_id for e in trail)
    assert trail[0].changes == {"status": ["active", "paused"], "held_by": [None, p.actor]}


def test_reasons_are_checked(w):
    o1 = w.ids["O-1"]
    for blank in (None, "  "):
        with pytest.raises(ValidationFailed) as exc:
            moderation.hold(w.session, w.p["coord"], o1, blank)
        assert "reason" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        moderation.flag(w.session, w.p["coord"], o1, "ugly")
    assert "reason" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        moderation.flag(w.session, w.p["coord"], o1, "other")  # "other" says what
    assert "text" in exc.value.errors
    with pytest.raises(ValidationFailed):
        moderation.annotate(w.session, w.p["coord"], o1, "x" * (moderation.MAX_TEXT + 1))


def test_a_flag_tells_the_owner_in_both_languages_and_shows_on_their_listing(w):
    o1 = w.listing("O-1")
    remark = moderation.flag(w.session, w.p["coord"], o1.id, "implausible_quantity", "1e9 t")
    moderation.annotate(w.session, w.p["coord"], o1.id, "internal: watch this garage")
    [notice] = owner_notices(w, o1)
    assert notice.enterprise_id == o1.enterprise_id and notice.data["event"] == "flag"
    assert "数量不合理" in notice.data["message"] and "implausible quantity" in notice.data["message"]
    assert "coord-bh" not in str(notice.data)  # the owner learns the role, not the coordinator's address
    seen = moderation.owner_remarks(w.session, w.p["e2"], o1)
    assert [(r["kind"], r["reason"], r["open"], r["author"]) for r in seen.remarks] == \
        [("flag", "implausible_quantity", True, None)]  # notes stay with the coordinators
    assert [r["kind"] for r in moderation.moderation_view(w.session, w.p["coord"], o1.id).remarks] == ["note", "flag"]
    moderation.clear_flag(w.session, w.p["coord"], o1.id, remark.id)
    assert moderation.owner_remarks(w.session, w.p["e2"], o1).open_flags == []
    assert [n.data["event"] for n in owner_notices(w, o1)] == ["flag", "clear_flag"]
    with pytest.raises(Conflict):
        moderation.clear_flag(w.session, w.p["coord"], o1.id, remark.id)


def test_coordinators_list_the_flagged_listings_of_their_parks_only(w):
    moderation.flag(w.session, w.p["coord"], w.ids["O-1"], "duplicate")
    moderation.flag(w.session, w.p["coord_nk"], w.ids["N-2"], "wrong_code")
    flagged = lambda who, **kw: [x.ref for x in w.session.scalars(
        moderation.park_listings(w.session, w.p[who], flagged=True, **kw))]
    assert flagged("coord") == ["O-1"] and flagged("coord_nk") == ["N-2"]
    assert sorted(flagged("admin")) == ["N-2", "O-1"]
    assert moderation.flagged_count(w.session, w.p["coord"]) == 1
    assert moderation.flagged_count(w.session, w.p["e2"]) == 0
    with pytest.raises(Forbidden):
        flagged("coord", park="NK")
    with pytest.raises(Forbidden):
        moderation.park_listings(w.session, w.p["e2"])


def test_the_owner_cannot_resume_a_held_listing_but_may_edit_it(w):
    o1 = w.ids["O-1"]
    moderation.hold(w.session, w.p["coord"], o1, "check the quantity")
    with pytest.raises(Conflict, match="仅其可恢复"):
        listings.change_status(w.session, w.p["e2"], o1, "resume")
    listings.update_listing(w.session, w.p["e2"], o1, {"quantity_t": 250})
    listing, _ = listings.change_status(w.session, w.p["coord"], o1, "resume")  # a coordinator's resume lifts it
    assert (listing.status, listing.held_by) == ("active", None)


def test_holding_an_owner_paused_listing_keeps_it_paused_and_held(w):
    o1 = w.ids["O-1"]
    listings.change_status(w.session, w.p["e2"], o1, "pause")
    listing, _ = moderation.hold(w.session, w.p["coord"], o1, "duplicate of O-2")
    assert (listing.status, listing.held_by) == ("paused", w.p["coord"].actor)
    with pytest.raises(Conflict):
        moderation.hold(w.session, w.p["coord"], o1, "again")


def test_a_held_listing_is_out_of_one_click_and_park_runs_and_its_open_matches_are_cancelled(w):
    m = w.propose("e2", "O-1", "N-1")
    before = [r["listing"] for r in listings.recommendations(w.session, w.p["e1"], w.ids["N-1"])["recommendations"]]
    assert w.ids["O-1"] in before
    _, cancelled = moderation.hold(w.session, w.p["coord"], w.ids["O-1"], "1e9 t")
    assert cancelled == 1 and m.status == "cancelled" and "园区管理者已暂停此信息" in m.status_reason
    after = [r["listing"] for r in listings.recommendations(w.session, w.p["e1"], w.ids["N-1"])["recommendations"]]
    assert w.ids["O-1"] not in after
    run, _ = run_matching(w.session, park=None, actor="coordinator:coord-bh@wm.test", settings=Settings())
    proposed = w.session.scalars(select(Match.offer_id).where(Match.run_id == run.id)).all()
    assert proposed and w.ids["O-1"] not in proposed
    moderation.release(w.session, w.p["coord"], w.ids["O-1"])
    run2, _ = run_matching(w.session, park=None, actor="coordinator:coord-bh@wm.test", settings=Settings())
    assert w.ids["O-1"] in w.session.scalars(select(Match.offer_id).where(Match.run_id == run2.id)).all()


def test_the_owner_edits_a_flagged_listing_and_coordinators_see_it_changed(w):
    o1 = w.listing("O-1")
    moderation.flag(w.session, w.p["coord"], o1.id, "implausible_quantity")
    assert moderation.changed_since_flagged(w.session, [o1]) == set()
    listings.update_listing(w.session, w.p["e2"], o1.id, {"quantity_t": 30})
    assert moderation.changed_since_flagged(w.session, [o1]) == {o1.id}
    view = moderation.remarks_view(w.session, w.p["e2"], o1.id)  # the owner reads its flags
    assert [r["reason"] for r in view.open_flags] == ["implausible_quantity"] and not view.moderator
    with pytest.raises(Forbidden):
        moderation.remarks_view(w.session, w.p["e1"], o1.id)
