"""Honest acceptance: accepting more of a listing than it holds needs a confirmation that says how many
tonnes are committed already; one side's acceptance says which side and that the other is awaited;
nobody is notified of their own act."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.models import Notification
from marketplace.services.matching import workflow
from tests.marketplace.services.matching.test_workflow import OWNER


def notices_of(w, m) -> list[Notification]:
    return list(w.session.scalars(select(Notification).where(Notification.match_id == m.id)
                                  .order_by(Notification.id)))


def ent(w, ref: str) -> int:
    return w.listing(ref).enterprise_id


def test_accepting_past_the_listing_needs_a_confirmation_that_says_what_is_committed(w):
    w.listing("O-1").quantity_t = 7  # the garage's 7 t a year, proposed to two partners for 7 t each
    first = w.propose("e2", "O-1", "N-1", 7)
    second = w.propose("e2", "O-1", "N-2", 7)
    w.act("e2", first, "accept")  # nothing committed yet: no question asked
    with pytest.raises(workflow.OverCommitment) as exc:
        w.act("e2", second, "accept")
    assert exc.value.status == 409 and "confirm" in exc.value.errors
    assert "7 t of this listing's 7 t a year are already accepted or approved with 1 other partner" \
        in exc.value.message and "已有 7 吨与其他 1 个伙伴确认" in exc.value.message
    assert second.offer_accepted_at is None
    c = workflow.commitment(w.session, second, "offer")
    assert (c.total_t, c.committed_t, c.this_t, c.over) == (7, 7, 7, True)
    assert [(p["match"], p["status"], p["quantity_t"]) for p in c.partners] == [(first.id, "proposed", 7)]
    w.act("e2", second, "accept", confirm=True)
    assert second.offer_accepted_at is not None
    trail = w.trail(second)[-1]
    assert trail.changes["over_committed_t"] == [None, 14]  # the coordinator who approves can see it


def test_what_counts_as_committed(w):
    w.listing("O-1").quantity_t = 10
    mine_only = w.propose("e2", "O-1", "N-1", 6)
    theirs_only = w.propose("e2", "O-1", "N-2", 6)
    w.act(OWNER["N-2"], theirs_only, "accept")  # only the partner accepted: the garage committed nothing
    c = workflow.commitment(w.session, mine_only, "offer")
    assert (c.committed_t, c.over) == (0, False)
    w.act("e2", mine_only, "accept")
    assert workflow.commitment(w.session, theirs_only, "offer").committed_t == 6
    w.act("e1", mine_only, "decline", "no")  # declined: committed no longer
    assert workflow.commitment(w.session, theirs_only, "offer").committed_t == 0
    w.act("e2", theirs_only, "accept")  # 6 of 10: no question


def test_the_need_side_is_counted_too(w):
    w.listing("N-2").quantity_t = 150
    a = w.propose("e2", "O-1", "N-2", 100)
    b = w.propose("e3", "O-2", "N-2", 100)
    w.act("e4", a, "accept")
    with pytest.raises(workflow.OverCommitment):
        w.act("e4", b, "accept")
    assert workflow.commitment(w.session, b, "need").committed_t == 100


def test_history_says_which_side_accepted_and_both_only_when_both_did(w):
    m = w.propose("coord", "O-1", "N-1")
    w.act("e1", m, "accept")  # the need's holder first
    w.act("e2", m, "accept")
    rows = [h for h in workflow.history(w.session, w.p["coord"], m) if h["action"] == "accept"]
    assert [h["side"] for h in rows] == ["need", "offer"]
    assert rows[0]["summary"].startswith("需求方已接受，等待供给方") and "waiting for the offer's" in rows[0]["summary"]
    assert rows[1]["summary"].startswith("双方已接受") and "both sides accepted" in rows[1]["summary"]


@pytest.mark.parametrize("actor,action,reason", [("e2", "accept", None), ("e1", "decline", "full this quarter"),
                                                 ("e2", "cancel", "sold elsewhere")])
def test_a_party_is_not_notified_of_its_own_act(w, actor, action, reason):
    m = w.propose("coord", "O-1", "N-1")
    before = {n.id for n in notices_of(w, m)}
    w.act(actor, m, action, reason)
    new = [n for n in notices_of(w, m) if n.id not in before]
    other = "e1" if actor == "e2" else "e2"
    assert [n.enterprise_id for n in new] == [w.p[other].enterprise_id]
    assert w.p[actor].enterprise_id not in {n.enterprise_id for n in new}


def test_the_coordinator_who_acts_is_not_notified_and_the_parties_are(w):
    m = w.accepted("O-1", "N-1")
    before = {n.id for n in notices_of(w, m)}
    w.act("coord", m, "approve")
    new = [n for n in notices_of(w, m) if n.id not in before]
    assert sorted(n.enterprise_id for n in new) == sorted([ent(w, "O-1"), ent(w, "N-1")])
    assert all(n.user_id is None for n in new)


def test_the_second_acceptance_tells_the_first_party_and_the_coordinators_not_the_acting_one(w):
    m = w.propose("coord", "O-1", "N-1")
    w.act("e2", m, "accept")
    before = {n.id for n in notices_of(w, m)}
    w.act("e1", m, "accept")
    new = [n for n in notices_of(w, m) if n.id not in before]
    assert [n.enterprise_id for n in new if n.enterprise_id] == [ent(w, "O-1")]
    assert [n.user_id for n in new if n.user_id] == [w.p["coord"].user_id]
