"""The survey's services: the cycle draft → submitted → returned → resubmitted → accepted, who may do what,
and the validation of rows and reasons."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.models import AuditEvent, Notification, User
from marketplace.services.accounts.users import create_user
from marketplace.services.governance import surveys
from tests.factories import api_principals

HBCDD = {"cas": "25637-99-4", "name": "HBCDD", "role": "use", "quantity_t": 1.5, "use": "EPS flame retardant",
         "stock_t": 0.2, "released_t": 0.0}
ETHANOL = {"cas": "64-17-5", "name": "乙醇", "role": "use", "quantity_t": 20, "use": "solvent"}


@pytest.fixture()
def who(session):
    principals = api_principals(session)
    create_user(session, email="coord-bh@wm.test", password="long enough pw", role="coordinator", parks=("BH",),
                actor="test")
    return principals


def _draft(session, who, rows=(HBCDD,), as_="e2"):
    decl = surveys.get_or_create_draft(session, who[as_], None, 2025)
    return surveys.save_substances(session, who[as_], decl.id, [dict(r) for r in rows])


def test_whole_cycle_notifies_and_audits(session, who):
    decl = _draft(session, who)
    assert decl.status == "draft" and decl.substances[0].substance_key == "hbcdd"
    assert surveys.get_or_create_draft(session, who["e2"], "E-2", 2025).id == decl.id  # one per enterprise and year

    surveys.submit(session, who["e2"], decl.id)
    assert decl.status == "submitted" and decl.submitted_at is not None
    coord = session.scalar(select(User).where(User.email == "coord-bh@wm.test"))
    to_coord = session.scalars(select(Notification).where(Notification.user_id == coord.id)).all()
    assert [n.kind for n in to_coord] == ["survey_transition"]

    surveys.return_declaration(session, who["coord"], decl.id, {"substances.0.quantity_t": ["kg, not t?"],
                                                                 "general": "sign the form"})
    assert decl.status == "returned"
    assert decl.returned_reasons == {"substances.0.quantity_t": ["kg, not t?"], "general": ["sign the form"]}
    told = session.scalars(select(Notification).where(Notification.enterprise_id == decl.enterprise_id,
                                                      Notification.kind == "survey_transition")).all()
    assert len(told) == 1 and told[0].data["reasons"]["substances.0.quantity_t"] == ["kg, not t?"]
    assert "kg, not t?" in told[0].data["message"] and "退回" in told[0].data["message"]

    surveys.save_substances(session, who["e2"], decl.id, [dict(HBCDD, quantity_t=0.0015)])
    surveys.submit(session, who["e2"], decl.id)
    assert decl.status == "resubmitted"
    surveys.accept(session, who["coord"], decl.id)
    assert decl.status == "accepted" and decl.reviewed_by == who["coord"].actor
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "survey_declaration",
                                                             AuditEvent.entity_key == str(decl.id))).all()
    assert sorted(actions) == sorted(["survey.create", "survey.save", "survey.submit", "survey.return",
                                      "survey.save", "survey.submit", "survey.accept"])
    view = surveys.declaration_view(decl)
    assert view["enterprise"]["ref"] == "E-2" and view["substances"][0]["controlled"]["measure"] == "ban"


def test_visibility(session, who):
    decl = _draft(session, who)
    for name in ("e3", "e4", "coord_nk"):  # another enterprise, another park's enterprise and coordinator
        with pytest.raises(NotFound):
            surveys.get_declaration(session, who[name], decl.id)
    assert surveys.get_declaration(session, who["coord"], decl.id) is decl
    assert session.scalars(surveys.declarations_query(session, who["e3"])).all() == []
    assert session.scalars(surveys.declarations_query(session, who["coord"], year=2025)).all() == [decl]
    assert session.scalars(surveys.declarations_query(session, who["coord_nk"])).all() == []
    with pytest.raises(Forbidden):
        surveys.declarations_query(session, who["coord_nk"], park="BH")
    with pytest.raises(ValidationFailed):
        surveys.declarations_query(session, who["admin"], status="lost")


def test_who_may_do_what(session, who):
    decl = _draft(session, who)
    with pytest.raises(Forbidden):  # coordinators review, they do not fill in
        surveys.save_substances(session, who["coord"], decl.id, [HBCDD])
    with pytest.raises(Forbidden):
        surveys.get_or_create_draft(session, who["e2"], "E-3", 2025)
    with pytest.raises(NotFound):
        surveys.get_or_create_draft(session, who["coord"], "E-4", 2025)  # not in the coordinator's park
    surveys.submit(session, who["e2"], decl.id)
    with pytest.raises(Forbidden):
        surveys.accept(session, who["e2"], decl.id)
    with pytest.raises(Forbidden):
        surveys.return_declaration(session, who["e2"], decl.id, {"general": ["x"]})
    with pytest.raises(Conflict):  # submitted: not editable any more
        surveys.save_substances(session, who["e2"], decl.id, [HBCDD])
    surveys.accept(session, who["admin"], decl.id)
    with pytest.raises(Conflict):
        surveys.accept(session, who["coord"], decl.id)


def test_rows_are_validated_whole(session, who):
    decl = surveys.get_or_create_draft(session, who["e2"], None, 2025)
    rows = [dict(HBCDD, cas="25637-99-5"), {"role": "use", "quantity_t": -1}, dict(ETHANOL, role="eat"),
            dict(ETHANOL, quantity_t=2e7), dict(ETHANOL, name="x" * 201), dict(ETHANOL, quantity_t=float("inf"))]
    with pytest.raises(ValidationFailed) as exc:
        surveys.save_substances(session, who["e2"], decl.id, rows)
    errors = exc.value.errors
    assert "invalid CAS" in errors["substances.0.cas"][0]
    assert "cas or a name" in errors["substances.1.cas"][0] and "≥ 0" in errors["substances.1.quantity_t"][0]
    assert "role" in " ".join(errors) and "substances.2.role" in errors
    assert "implausibly large" in errors["substances.3.quantity_t"][0]
    assert "substances.4.name" in errors and "substances.5.quantity_t" in errors
    assert decl.substances == []
    surveys.save_substances(session, who["e2"], decl.id, [ETHANOL])
    assert decl.substances[0].substance_key is None and decl.substances[0].cas == "64-17-5"


def test_submit_needs_rows(session, who):
    decl = surveys.get_or_create_draft(session, who["e2"], None, 2025)
    with pytest.raises(ValidationFailed) as exc:
        surveys.submit(session, who["e2"], decl.id)
    assert "substances" in exc.value.errors and decl.status == "draft"


def test_reasons_are_checked(session, who):
    decl = _draft(session, who)
    surveys.submit(session, who["e2"], decl.id)
    for bad in ({}, {"substances.3.cas": ["no such row"]}, {"colour": ["?"]}, {"general": [""]}):
        with pytest.raises(ValidationFailed):
            surveys.return_declaration(session, who["coord"], decl.id, bad)
    assert decl.status == "submitted"


def test_name_resolves_to_control_list():
    assert surveys.resolve_substance(None, "HBCDD").key == "hbcdd"
    assert surveys.resolve_substance(None, "六溴环十二烷").key == "hbcdd"
    assert surveys.resolve_substance("25637-99-4", None).key == "hbcdd"
    assert surveys.resolve_substance("64-17-5", "ethanol") is None


def test_year_is_checked(session, who):
    with pytest.raises(ValidationFailed) as exc:
        surveys.get_or_create_draft(session, who["e2"], None, 1800)
    assert "year" in exc.value.errors
