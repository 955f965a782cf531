"""Annual environmental disclosures (企业环境信息依法披露): generation from a small park, the contract keys,
who reviews and publishes, frozen published content, the public query, audit and notices.

``disclosure_world`` builds the park through the services users call (import, matching, transfers); the
roster entry, the obligations and the HBCDD ``banned_use`` alert are written with the models, as the roster
service that computes them is built beside this one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.models import Alert, AuditEvent, Enterprise, Listing, Notification, User
from marketplace.models.base import park_date
from marketplace.models.governance import AnnualDisclosure, Obligation, RosterEntry, SurveyDeclaration, SurveySubstance
from marketplace.services.accounts.users import Principal, principal_of
from marketplace.services.governance import disclosures
from marketplace.services.matching import workflow
from marketplace.services.traceability import transfers
from tests.factories import API_USERS, load_api_park

YEAR = park_date().year
HBCDD = {"cas": "25637-99-4", "name": "六溴环十二烷 HBCDD", "key": "hbcdd", "list": "cn_new_pollutants_2023",
         "measure": "ban", "role": "use", "quantity_t": 1.5, "source": "declaration"}
OWNER = {"O-1": "e2", "O-2": "e3", "N-1": "e1", "N-2": "e4"}


@dataclass
class DisclosureWorld:
    session: Any
    p: dict[str, Principal]
    ents: dict[str, Enterprise]

    def generate(self, who: str, ref: str = "E-2", year: int = YEAR) -> AnnualDisclosure:
        return disclosures.generate_disclosure(self.session, self.p[who], ref, year)

    def published(self, ref: str = "E-2") -> AnnualDisclosure:
        d = self.generate("coord", ref)
        disclosures.review(self.session, self.p[OWNER_OF[ref]], d.id)
        return disclosures.publish(self.session, self.p["coord"], d.id)


OWNER_OF = {"E-1": "e1", "E-2": "e2", "E-3": "e3", "E-4": "e4"}


def principals(session) -> dict[str, Principal]:
    users = {u.email: u for u in session.scalars(select(User))}
    return {key: principal_of(users[email]) for key, (email, *_rest) in API_USERS.items()}


def disclosure_world(session, *, with_park: bool = True) -> DisclosureWorld:
    """The two-park fixture plus, for E-2 (the garage) in this year: a closed shipment of its waste oil to
    E-1, a confirmed roster entry for HBCDD use, a banned_use alert, an overdue audit and an open disclosure
    obligation."""
    if with_park:
        load_api_park(session)
    p = principals(session)
    ids = dict(session.execute(select(Listing.ref, Listing.id)).all())
    ents = {e.ref: e for e in session.scalars(select(Enterprise))}
    match = workflow.propose(session, p["coord"], ids["O-1"], ids["N-1"], 10)
    workflow.decide(session, p["e2"], match.id, "accept")
    workflow.decide(session, p["e1"], match.id, "accept")
    workflow.decide(session, p["coord"], match.id, "approve")
    s = transfers.create_shipment(session, p["e2"], match.id, quantity_t=2.0,
                                  containers=[{"packaging": "drum", "quantity_t": 2.0}])
    transfers.dispatch(session, p["e2"], s.id)
    transfers.receive(session, p["e1"], s.id, quantity_received_t=1.8)
    transfers.close(session, p["e1"], s.id)
    e2 = ents["E-2"]
    session.add(RosterEntry(enterprise_id=e2.id, park_id=e2.park_id, year=YEAR, status="confirmed",
                            substances=[HBCDD]))
    session.add_all([
        Obligation(enterprise_id=e2.id, year=YEAR, code="clean_production_audit", due=dt.date(YEAR, 1, 1)),
        Obligation(enterprise_id=e2.id, year=YEAR, code="annual_disclosure", due=dt.date(YEAR + 1, 6, 30)),
        Alert(kind="banned_use", key=f"banned_use:E-2:{YEAR}:hbcdd", park_id=e2.park_id, enterprise_id=e2.id,
              severity="critical", message="使用禁用物质 HBCDD (banned use of HBCDD)",
              details={"year": YEAR, "cas": "25637-99-4"}),
        # Another year's violation is not this year's.
        Alert(kind="banned_use", key=f"banned_use:E-2:{YEAR - 1}:hbcdd", park_id=e2.park_id, enterprise_id=e2.id,
              severity="critical", message="旧 (old)", details={"year": YEAR - 1, "cas": "25637-99-4"},
              status="cleared"),
    ])
    session.flush()
    return DisclosureWorld(session, p, ents)


@pytest.fixture()
def w(session) -> DisclosureWorld:
    return disclosure_world(session)


# --- generation --------------------------------------------------------------------------------------------------

def test_generation_holds_the_contract_keys_and_what_the_product_knows(w):
    d = w.generate("e2")
    c = d.content
    assert d.status == "draft" and d.year == YEAR
    assert {"enterprise", "year", "substances", "hazardous_waste", "violations"} <= set(c)
    assert c["enterprise"]["ref"] == "E-2" and c["enterprise"]["park"]["code"] == "BH"
    assert "lat" not in c["enterprise"] and "lon" not in c["enterprise"]
    assert [(s["cas"], s["role"], s["measure"]) for s in c["substances"]] == [("25637-99-4", "use", "ban")]
    hw = c["hazardous_waste"]
    assert hw["generated"] == [{"waste_code": "900-214-08", "category": "HW08", "tonnes": 300.0, "offers": 1}]
    assert hw["transferred"] == [{"waste_code": "900-214-08", "hazardous": True, "tonnes": 1.8, "manifests": 1}]
    assert hw["utilised"] == [] and hw["manifests"] == 1
    assert [(v["code"], v["cas"]) for v in c["violations"]] == [("banned_use", "25637-99-4")]
    assert [(o["code"], o["overdue"]) for o in c["obligations"]] == [("clean_production_audit", True),
                                                                     ("annual_disclosure", False)]
    assert [a["code"] for a in c["audits"]] == ["clean_production_audit"]
    assert c["permits"] == []


def test_the_receiver_discloses_what_it_utilised_and_its_licence_without_naming_the_supplier(w):
    c = w.generate("e1", "E-1").content
    assert c["hazardous_waste"]["utilised"] == [{"purpose": "recycle", "purpose_zh": "再生利用", "tonnes": 1.8,
                                                 "hazardous_t": 1.8, "manifests": 1}]
    assert [p["number"] for p in c["permits"]] == ["TJ-HW-0001"]
    assert c["substances"] == [] and c["violations"] == []
    text = repr(c)
    for secret in ("E-2", "开发区汽车维修中心", "Used engine oil", "废机油", "Waste oil for re-refining", "-800", "200.0"):
        assert secret not in text


def test_substances_come_from_the_accepted_declaration_when_there_is_no_roster_entry(w):
    e3 = w.ents["E-3"]
    decl = SurveyDeclaration(enterprise_id=e3.id, year=YEAR, status="accepted", created_by="test", substances=[
        SurveySubstance(position=0, cas="25637-99-4", name="HBCDD", role="use", quantity_t=0.5),
        SurveySubstance(position=1, cas="64-17-5", name="ethanol", role="use", quantity_t=9.0)])
    w.session.add(decl)
    w.session.flush()
    rows = w.generate("e3", "E-3").content["substances"]
    assert [(r["cas"], r["source"], r["measure"]) for r in rows] == [("25637-99-4", "declaration", "ban")]
    decl.status = "submitted"  # not accepted: nothing to disclose from it
    w.session.flush()
    assert w.generate("e3", "E-3").content["substances"] == []


def test_who_may_generate_and_a_bad_year(w):
    assert w.generate("coord").enterprise_id == w.ents["E-2"].id
    assert w.generate("admin").status == "draft"
    with pytest.raises(NotFound):
        w.generate("e3")  # another enterprise
    with pytest.raises(NotFound):
        w.generate("coord_nk")  # another park's coordinator
    with pytest.raises(ValidationFailed) as err:
        w.generate("e2", year=1899)
    assert "year" in err.value.errors


def test_rebuilding_a_reviewed_draft_needs_a_new_review(w):
    d = w.generate("e2")
    disclosures.review(w.session, w.p["e2"], d.id)
    again = w.generate("e2")
    assert again.id == d.id and again.status == "draft" and again.reviewed_at is None


# --- review and publish ------------------------------------------------------------------------------------------

def test_only_the_enterprise_reviews_its_draft(w):
    d = w.generate("coord")
    with pytest.raises(Forbidden):
        disclosures.review(w.session, w.p["coord"], d.id)
    with pytest.raises(NotFound):
        disclosures.review(w.session, w.p["e3"], d.id)
    disclosures.review(w.session, w.p["e2"], d.id)
    assert d.status == "reviewed" and d.reviewed_by == "enterprise:garage@e2.test"
    with pytest.raises(Conflict):
        disclosures.review(w.session, w.p["e2"], d.id)


def test_publish_needs_a_review_then_freezes_the_content(w):
    d = w.generate("e2")
    with pytest.raises(Conflict):
        disclosures.publish(w.session, w.p["coord"], d.id)  # not reviewed yet
    disclosures.review(w.session, w.p["e2"], d.id)
    with pytest.raises(NotFound):
        disclosures.publish(w.session, w.p["coord_nk"], d.id)  # another park's coordinator
    with pytest.raises(NotFound):
        disclosures.publish(w.session, w.p["e3"], d.id)  # another enterprise does not even see the draft
    disclosures.publish(w.session, w.p["coord"], d.id)
    assert d.status == "published" and d.published_by == "coordinator:coord-bh@wm.test"
    before = dict(d.content)
    with pytest.raises(Conflict):
        w.generate("e2")
    with pytest.raises(Conflict):
        disclosures.publish(w.session, w.p["e2"], d.id)
    with pytest.raises(Conflict):
        disclosures.review(w.session, w.p["e2"], d.id)
    with pytest.raises(Forbidden):
        disclosures.publish(w.session, w.p["e3"], d.id)  # sees it now it is public, but may not act on it
    assert d.content == before and d.status == "published"


def test_the_enterprise_may_publish_its_reviewed_disclosure(w):
    d = w.generate("e2")
    disclosures.review(w.session, w.p["e2"], d.id)
    assert disclosures.publish(w.session, w.p["e2"], d.id).status == "published"


def test_transitions_are_audited_and_the_coordinators_told(w):
    w.published()
    actions = [e.action for e in w.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "annual_disclosure").order_by(AuditEvent.id))]
    assert actions == ["generate", "review", "publish"]
    coord = w.session.scalar(select(User).where(User.email == "coord-bh@wm.test"))
    notices = list(w.session.scalars(select(Notification).where(Notification.kind == "disclosure_transition")))
    # review: the BH coordinator; publish by that coordinator: the enterprise (not the acting coordinator).
    assert {(n.user_id, n.enterprise_id, n.data["event"]) for n in notices} == {
        (coord.id, None, "review"), (None, w.ents["E-2"].id, "publish")}
    assert all("依法披露" in n.data["message"] and "disclosure" in n.data["message"] for n in notices)


# --- reading -----------------------------------------------------------------------------------------------------

def test_the_public_query_lists_only_published_disclosures(w):
    draft = w.generate("e1", "E-1")
    d = w.published()
    rows = list(w.session.scalars(disclosures.published_query(w.session)))
    assert [r.id for r in rows] == [d.id]
    assert [r.id for r in w.session.scalars(disclosures.published_query(w.session, park="BH", year=YEAR))] == [d.id]
    assert list(w.session.scalars(disclosures.published_query(w.session, park="NK"))) == []
    assert list(w.session.scalars(disclosures.published_query(w.session, year=YEAR - 1))) == []
    assert disclosures.get_published(w.session, d.id).id == d.id
    with pytest.raises(NotFound):
        disclosures.get_published(w.session, draft.id)
    with pytest.raises(NotFound):
        disclosures.get_published(w.session, 2**40)
    view = disclosures.public_view(d)
    assert set(view) == {"id", "year", "published_at", "enterprise", "park", "content"}
    assert disclosures.published_years(w.session) == [YEAR]
    assert [p.code for p in disclosures.published_parks(w.session)] == ["BH"]


def test_visible_disclosures_follow_the_principals_scope(w):
    d2, d4 = w.generate("e2"), w.generate("e4", "E-4")
    ids = lambda who: [d.id for d in w.session.scalars(disclosures.visible_disclosures(w.p[who]))]  # noqa: E731
    assert ids("e2") == [d2.id] and ids("coord") == [d2.id] and ids("coord_nk") == [d4.id]
    assert sorted(ids("admin")) == sorted([d2.id, d4.id]) and ids("e1") == []
    with pytest.raises(NotFound):
        disclosures.get_disclosure(w.session, w.p["e1"], d2.id)
    assert disclosures.get_disclosure(w.session, w.p["coord"], d2.id).id == d2.id


def test_the_html_rendering_is_bilingual_and_self_contained(w):
    html = disclosures.render_html(disclosures.disclosure_view(w.generate("e2")))
    assert "年度环境信息依法披露" in html and "Annual environmental disclosure" in html
    assert "25637-99-4" in html and "禁止" in html and "banned" in html and "900-214-08" in html
    assert "http://" not in html and "https://" not in html and "<script" not in html


# --- what publishing does to the roster, and what an export leaves ----------------------------------------------

def test_publishing_does_the_years_disclosure_obligation(w):
    e2 = w.ents["E-2"]
    d = w.published()
    ob = w.session.scalar(select(Obligation).where(Obligation.enterprise_id == e2.id,
                                                   Obligation.code == "annual_disclosure"))
    assert ob.status == "done" and f"#{d.id}" in ob.evidence and ob.done_at is not None
    # the audit (already overdue) is untouched: only the disclosure's own obligation is done by publishing
    audit = w.session.scalar(select(Obligation).where(Obligation.enterprise_id == e2.id,
                                                      Obligation.code == "clean_production_audit"))
    assert audit.status == "open"


def test_writing_out_a_reviewed_disclosure_keeps_the_review(w):
    d = w.generate("coord")
    disclosures.review(w.session, w.p["e2"], d.id)
    again = disclosures.refreshed_disclosure(w.session, w.p["e2"], "E-2", YEAR)
    assert again.id == d.id and again.status == "reviewed" and again.reviewed_by is not None


def test_a_violation_raised_twice_is_disclosed_once(w):
    e2 = w.ents["E-2"]
    first = w.session.scalar(select(Alert).where(Alert.key == f"banned_use:E-2:{YEAR}:hbcdd"))
    first.status = "cleared"  # cleared, then found again by a later scan: the same condition
    w.session.add(Alert(kind="banned_use", key=first.key, park_id=e2.park_id, enterprise_id=e2.id,
                        severity="critical", message=first.message, details=dict(first.details)))
    w.session.flush()
    assert [v["code"] for v in w.generate("e2").content["violations"]] == ["banned_use"]
