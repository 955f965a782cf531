"""EECM assessments: the park's tree, self-assessment → submit → score, who may do what, audit and notices."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from catalog.eecm import DEFAULT_TREE, tree_dict
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.models import AuditEvent, Notification
from marketplace.services.governance import eecm
from tests.factories import api_principals

YEAR = 2025


@pytest.fixture()
def who(session):
    return api_principals(session)


def full_scores(value: float = 1.0, text_key: str = "evidence") -> dict:
    return {leaf.code: {"score": value, text_key: f"doc {leaf.code}"} for leaf in DEFAULT_TREE.leaves()}


def submitted(session, who):
    a = eecm.self_assess(session, who["e2"], "E-2", YEAR, full_scores())
    return eecm.submit(session, who["e2"], a.id)


def test_self_assess_saves_a_draft_and_merges_later_saves(session, who):
    a = eecm.self_assess(session, who["e2"], "E-2", YEAR, {"MH1.1": {"score": 0.5, "evidence": "ledger 2025"}})
    assert a.status == "draft" and a.self_scores == {"MH1.1": {"score": 0.5, "evidence": "ledger 2025"}}
    a = eecm.self_assess(session, who["e2"], "E-2", YEAR, {"MH1.2": {"score": 1}})
    assert set(a.self_scores) == {"MH1.1", "MH1.2"}
    assert session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "eecm_assessment")) is not None


def test_self_assess_refuses_bad_scores_naming_each(session, who):
    with pytest.raises(ValidationFailed) as info:
        eecm.self_assess(session, who["e2"], "E-2", YEAR, {"MH1": {"score": 1}, "MH1.1": {"score": 0.7},
                                                           "MC2.1": {"score": 1, "evidence": 5}})
    errors = info.value.errors
    assert "not a leaf" in errors["scores.MH1"][0]
    assert "0, 0.5, 1" in errors["scores.MH1.1.score"][0]
    assert "text" in errors["scores.MC2.1.evidence"][0]
    with pytest.raises(ValidationFailed) as info:
        eecm.self_assess(session, who["e2"], "E-2", 1800, {})
    assert "year" in info.value.errors
    assert eecm.assessment_for(session, who["e2"], "E-2", YEAR) is None   # nothing written


def test_only_the_enterprise_self_assesses(session, who):
    with pytest.raises(NotFound):                       # another enterprise: it does not exist for them
        eecm.self_assess(session, who["e3"], "E-2", YEAR, {})
    with pytest.raises(Forbidden):                      # its coordinator sees it but does not assess it
        eecm.self_assess(session, who["coord"], "E-2", YEAR, {})


def test_submit_needs_every_leaf_and_tells_the_coordinators(session, who):
    from marketplace.services.accounts.users import create_user

    coord_user = create_user(session, email="c@bh.test", password="long enough pw", role="coordinator",
                             parks=("BH",), actor="test")
    a = eecm.self_assess(session, who["e2"], "E-2", YEAR, {"MH1.1": {"score": 1}})
    with pytest.raises(ValidationFailed) as info:
        eecm.submit(session, who["e2"], a.id)
    assert len(info.value.errors) == 26 and info.value.errors["scores.SR2.1"][0].startswith("not assessed yet")
    eecm.self_assess(session, who["e2"], "E-2", YEAR, full_scores())
    a = eecm.submit(session, who["e2"], a.id)
    assert a.status == "submitted" and a.submitted_at is not None
    notice = session.scalar(select(Notification).where(Notification.user_id == coord_user.id))
    assert notice.kind == "eecm_transition" and "E-2" == notice.data["enterprise"]
    with pytest.raises(Conflict):
        eecm.submit(session, who["e2"], a.id)
    with pytest.raises(Conflict):                       # no more editing once submitted
        eecm.self_assess(session, who["e2"], "E-2", YEAR, {"MH1.1": {"score": 0}})


def test_coordinator_scores_total_and_bonus_and_the_enterprise_is_told(session, who):
    a = submitted(session, who)
    scores = full_scores(0.0, "note")
    scores.update({c: {"score": 1.0, "note": "seen"} for c in ("MH1.1", "MH1.2", "MH2.1", "MH2.2", "MH3.1",
                                                              "MH4.1", "MH4.2")})
    a = eecm.score_assessment(session, who["coord"], a.id, scores)
    assert a.status == "scored" and a.total == pytest.approx(0.25) and a.bonus == pytest.approx(0.25 * 0.05)
    assert a.scored_by == who["coord"].actor
    notice = session.scalar(select(Notification).where(Notification.enterprise_id == who["e2"].enterprise_id,
                                                       Notification.kind == "eecm_transition"))
    assert notice.data["bonus"] == pytest.approx(0.0125) and "25.0" in notice.data["message"]
    assert eecm.scored_bonus(session, [who["e2"].enterprise_id], YEAR) == {who["e2"].enterprise_id: 0.0125}
    # Scored again: a correction; leaves left out count 0.
    a = eecm.score_assessment(session, who["admin"], a.id, {"MC1.1": {"score": 1}})
    assert a.total == pytest.approx(0.25 * 0.25)
    view = eecm.assessment_view(session, a)
    assert view["self_total"] == pytest.approx(1) and len(view["missing"]) == 26


def test_scoring_permissions_and_state(session, who):
    a = eecm.self_assess(session, who["e2"], "E-2", YEAR, full_scores())
    with pytest.raises(Conflict):                       # a draft is not scored
        eecm.score_assessment(session, who["coord"], a.id, {})
    eecm.submit(session, who["e2"], a.id)
    with pytest.raises(Forbidden):                      # the enterprise does not score itself
        eecm.score_assessment(session, who["e2"], a.id, {})
    with pytest.raises(NotFound):                       # the other park's coordinator does not see it
        eecm.score_assessment(session, who["coord_nk"], a.id, {})
    with pytest.raises(NotFound):
        eecm.get_assessment(session, who["e3"], a.id)
    with pytest.raises(ValidationFailed) as info:
        eecm.score_assessment(session, who["coord"], a.id, {"XX": {"score": 1}})
    assert "scores.XX" in info.value.errors
    assert eecm.get_assessment(session, who["coord"], a.id).status == "submitted"


def test_listing_is_scoped(session, who):
    submitted(session, who)
    eecm.self_assess(session, who["e4"], "E-4", YEAR, {"MH1.1": {"score": 1}})
    refs = lambda p, **kw: [a.enterprise.ref for a in session.scalars(eecm.list_assessments(session, p, **kw))]  # noqa: E731
    assert refs(who["coord"]) == ["E-2"]
    assert refs(who["coord_nk"]) == ["E-4"]
    assert refs(who["admin"]) == ["E-2", "E-4"]
    assert refs(who["admin"], park="NK", status="draft") == ["E-4"]
    assert refs(who["e2"]) == ["E-2"]
    with pytest.raises(Forbidden):
        refs(who["coord"], park="NK")


def test_park_tree_set_validated_audited_and_used_for_scoring(session, who):
    doc = tree_dict(DEFAULT_TREE)
    doc["bonus_max"] = 0.1
    view = eecm.set_park_tree(session, who["coord"], "BH", doc)
    assert view["custom"] and view["tree"]["bonus_max"] == 0.1
    assert eecm.park_tree_view(session, who["e2"], "BH")["custom"]       # the park's enterprises read it
    a = submitted(session, who)
    a = eecm.score_assessment(session, who["coord"], a.id, full_scores(1.0, "note"))
    assert a.bonus == pytest.approx(0.1)
    event = session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "park", AuditEvent.entity_key == "BH",
                                             AuditEvent.actor == who["coord"].actor))
    assert event.changes == {"eecm_tree": ["default", "custom"]}
    assert not eecm.set_park_tree(session, who["coord"], "BH", None)["custom"]


def test_park_tree_refusals(session, who):
    doc = tree_dict(DEFAULT_TREE)
    doc["elements"][0]["weight"] = 0.9
    with pytest.raises(ValidationFailed) as info:
        eecm.set_park_tree(session, who["coord"], "BH", doc)
    assert "not 1" in info.value.errors["tree.elements"][0]
    with pytest.raises(Forbidden):
        eecm.set_park_tree(session, who["coord_nk"], "BH", None)
    with pytest.raises(Forbidden):
        eecm.set_park_tree(session, who["e2"], "BH", None)
    with pytest.raises(Forbidden):
        eecm.park_tree_view(session, who["e4"], "BH")
    with pytest.raises(NotFound):
        eecm.park_tree_view(session, who["admin"], "ZZ")
    assert not eecm.park_tree_view(session, who["admin"], "BH")["custom"]
