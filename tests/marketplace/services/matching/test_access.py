"""The matching service's own checks, which the API and the pages both rely on: who may run which park,
who sees which run, what a run did, the reason of a decision, the ranking model's roles, the queues."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.errors import Forbidden, NotFound, ValidationFailed
from marketplace.models import Match, MatchRun, Park
from marketplace.services.matching import approvals, learning, run_history, runs, workflow


def park_id(session, code: str) -> int:
    return session.scalar(select(Park.id).where(Park.code == code))


def stored_run(session, park: str | None) -> MatchRun:
    run = MatchRun(park_id=park_id(session, park) if park else None, actor="test", parameters={}, status="OPTIMAL",
                   counts={}, timings={}, solver={}, unmatched={})
    session.add(run)
    session.flush()
    return run


def test_the_run_scope(w):
    assert runs.run_scope(w.session, w.p["admin"], None) is None  # every park
    assert runs.run_scope(w.session, w.p["admin"], "NK").code == "NK"
    assert runs.run_scope(w.session, w.p["coord"], "BH").code == "BH"
    with pytest.raises(ValidationFailed) as missing:
        runs.run_scope(w.session, w.p["coord"], None)
    assert missing.value.errors == {"park": ["required"]}
    with pytest.raises(Forbidden) as theirs:
        runs.run_scope(w.session, w.p["coord"], "NK")
    assert theirs.value.errors["park"][0].startswith("not one of your parks")
    with pytest.raises(NotFound) as unknown:
        runs.run_scope(w.session, w.p["coord"], "ZZ")
    assert "park" in unknown.value.errors
    with pytest.raises(Forbidden) as enterprise:
        runs.run_scope(w.session, w.p["e1"], "BH")
    assert "role" in enterprise.value.errors


def test_start_run_checks_the_scope_before_running(w):
    with pytest.raises(Forbidden):
        runs.start_run(w.session, w.p["coord"], park="NK")
    assert w.session.scalars(select(MatchRun)).all() == []
    run, _ = runs.start_run(w.session, w.p["coord"], park="BH")
    assert run.park_id == park_id(w.session, "BH") and run.actor == "coordinator:coord-bh@wm.test"


def test_who_sees_which_run(w):
    bh, nk, everywhere = stored_run(w.session, "BH"), stored_run(w.session, "NK"), stored_run(w.session, None)
    seen = {key: [r.id for r in w.session.scalars(run_history.visible_runs(w.p[key]))] for key in w.p}
    assert seen["admin"] == [everywhere.id, nk.id, bh.id]
    assert seen["coord"] == [everywhere.id, bh.id] and seen["coord_nk"] == [everywhere.id, nk.id]
    assert seen["e1"] == [] and seen["e4"] == []
    assert run_history.get_run(w.session, w.p["coord"], everywhere.id) is everywhere
    for run_id in (nk.id, 0, 10**12):
        with pytest.raises(NotFound):
            run_history.get_run(w.session, w.p["coord"], run_id)
    of_bh = run_history.runs_of(w.session, w.p["coord"], park="BH")
    assert [r.id for r in w.session.scalars(of_bh)] == [bh.id]
    with pytest.raises(NotFound):
        run_history.runs_of(w.session, w.p["admin"], park="ZZ")


def test_what_a_run_did(w):
    first = runs.run_job(w.session, park="BH", actor="test", settings=runs.Settings())
    assert first["proposals"] == first["new"] >= 1 and first["superseded"] == 0
    again = runs.run_job(w.session, park="BH", actor="test", settings=runs.Settings())
    assert again["proposals"] == first["proposals"] and again["new"] == 0  # the same pairs, updated in place
    stored = w.session.scalars(select(MatchRun).order_by(MatchRun.id)).all()
    assert run_history.superseded_counts(w.session, stored) == {r.id: 0 for r in stored}
    assert run_history.superseded_counts(w.session, []) == {}


def test_a_reason_is_at_most_max_reason_characters_without_nul(w):
    m = w.propose("coord", "O-1", "N-1")
    for reason in ("x" * (workflow.MAX_REASON + 1), "bad\x00reason"):
        with pytest.raises(ValidationFailed) as refused:
            workflow.decide(w.session, w.p["e1"], m.id, "decline", reason)
        assert "reason" in refused.value.errors
    with pytest.raises(ValidationFailed):  # said before whether the match is theirs to see
        workflow.decide(w.session, w.p["e4"], m.id, "decline", "x" * (workflow.MAX_REASON + 1))
    declined = workflow.decide(w.session, w.p["e1"], m.id, "decline", "x" * workflow.MAX_REASON)
    assert declined.status == "declined"


def test_matches_awaiting_an_answer(w):
    m = w.propose("coord", "O-1", "N-1")
    awaiting = lambda key: [x.id for x in w.session.scalars(  # noqa: E731
        workflow.filtered_matches(w.session, w.p[key], awaiting=True))]
    assert awaiting("e1") == [m.id] and awaiting("e2") == [m.id]
    w.act("e2", m, "accept")
    assert awaiting("e1") == [m.id] and awaiting("e2") == []


def test_the_queue_and_the_decisions(w):
    m = w.accepted("O-1", "N-1")
    assert [x.id for x in w.session.scalars(approvals.queue(w.session, w.p["coord"]))] == [m.id]
    assert w.session.scalars(approvals.queue(w.session, w.p["coord_nk"])).all() == []
    w.act("coord", m, "reject", "停产检修")
    assert w.session.scalars(approvals.queue(w.session, w.p["coord"])).all() == []
    decided = w.session.scalars(approvals.decided_matches(w.session, w.p["coord"], decision="reject", park="BH"))
    assert [x.id for x in decided] == [m.id]
    assert w.session.scalars(approvals.decided_matches(w.session, w.p["coord"], decision="approve")).all() == []
    [row] = approvals.recent_decisions(w.session, w.p["coord"], park="BH")
    assert (row["match"], row["decision"], row["reason"]) == (m.id, "reject", "停产检修")
    assert row["producer"] and row["receiver"] and row["waste_code"] == "900-214-08"
    with pytest.raises(NotFound):
        approvals.decided_matches(w.session, w.p["coord"], park="ZZ")


def test_the_ranking_model_roles_and_its_absence(w):
    for key in ("e1", "e2"):
        with pytest.raises(Forbidden) as refused:
            learning.train_model(w.session, w.p[key])
        assert "role" in refused.value.errors
    with pytest.raises(NotFound) as missing:
        learning.current_model(w.session)
    assert list(missing.value.errors) == ["ranking_model"]
    assert missing.value.errors["ranking_model"][0].startswith("none trained")
    assert "0 decisions on record" in missing.value.message
    assert w.session.scalars(select(Match)).all() == []
