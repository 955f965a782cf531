"""Enterprises and licences as a service: scope by role, validation, conflicts, audit with park."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.models import AuditEvent, Enterprise, Listing, Match, Park
from marketplace.schemas.interchange import EnterpriseSchema, LicenceSchema
from marketplace.services.accounts import enterprises as svc
from tests.factories import api_principals


@pytest.fixture()
def who(session):
    """The api fixture's park, a principal per role, and the park ids."""
    principals = api_principals(session)
    return {**principals, "parks": {p.code: p.id for p in session.scalars(select(Park))}}


def _refs(session, principal, **kw):
    return [e.ref for e in session.scalars(svc.visible_enterprises(principal, **kw))]


def _new(ref="E-9", park="BH", **extra):
    return EnterpriseSchema().load({"ref": ref, "name": "新材料科技有限公司", "park": park, "lat": 39.1, "lon": 117.6,
                                    "industry": "2614", **extra})


LICENCE = {"number": "TJ-HW-0100", "kind": "hw_comprehensive", "categories": ["HW08"],
           "activities": ["collect", "store", "utilise"], "annual_capacity_t": 300, "valid_from": "2025-01-01",
           "valid_to": "2027-12-31"}


def test_each_role_sees_its_scope(session, who):
    assert _refs(session, who["admin"]) == ["E-1", "E-2", "E-3", "E-4"]
    assert _refs(session, who["coord"]) == ["E-1", "E-2", "E-3"]
    assert _refs(session, who["coord_nk"]) == ["E-4"]
    assert _refs(session, who["e2"]) == ["E-2"]
    assert _refs(session, who["admin"], park_id=who["parks"]["NK"]) == ["E-4"]
    assert _refs(session, who["coord"], search="维修") == ["E-2", "E-3"]


def test_an_enterprise_out_of_scope_is_unknown_not_forbidden(session, who):
    assert svc.get_enterprise(session, who["e2"], "E-2").name == "开发区汽车维修中心"
    with pytest.raises(NotFound) as existing:
        svc.get_enterprise(session, who["e2"], "E-1")
    with pytest.raises(NotFound) as missing:
        svc.get_enterprise(session, who["e2"], "E-404")
    # Same answer whether or not it exists.
    assert existing.value.errors == missing.value.errors
    with pytest.raises(NotFound):
        svc.get_enterprise(session, who["coord"], "E-4")


def test_coordinator_creates_in_own_park_with_licences_and_audit(session, who):
    ent = svc.create_enterprise(session, who["coord"], _new(licences=[LICENCE]))
    doc = svc.enterprise_dict(ent)
    assert doc["park"] == "BH" and doc["licences"][0]["number"] == "TJ-HW-0100"
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity_key.in_(["E-9", "TJ-HW-0100"]))).all()
    assert {(e.entity_type, e.park_id) for e in events} == {("enterprise", who["parks"]["BH"]),
                                                            ("licence", who["parks"]["BH"])}


def test_create_refusals(session, who):
    with pytest.raises(Forbidden) as exc:
        svc.create_enterprise(session, who["coord"], _new(park="NK"))
    assert "park" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        svc.create_enterprise(session, who["coord"], _new(park=None))
    assert "park" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        svc.create_enterprise(session, who["admin"], _new(park="ZZ"))
    assert "park" in exc.value.errors
    with pytest.raises(Forbidden):
        svc.create_enterprise(session, who["e2"], _new())
    with pytest.raises(Conflict) as exc:
        svc.create_enterprise(session, who["admin"], _new(ref="E-1"))
    assert "ref" in exc.value.errors
    taken = {**LICENCE, "number": "TJ-HW-0002"}
    with pytest.raises(Conflict) as exc:
        svc.create_enterprise(session, who["coord"], _new(licences=[taken]))
    # The holder (E-4, in a park the coordinator does not see) is not named.
    assert "E-4" not in str(exc.value.message) + str(exc.value.errors)
    assert session.scalar(select(Enterprise).where(Enterprise.ref == "E-9")) is None
    # An admin may place an enterprise outside any park.
    assert svc.create_enterprise(session, who["admin"], _new(park=None)).park is None


def test_enterprise_user_edits_own_descriptive_fields_but_cannot_move(session, who):
    ent = svc.update_enterprise(session, who["e2"], "E-2", {"name": "开发区汽车维修服务中心", "district": "塘沽"})
    assert ent.name == "开发区汽车维修服务中心" and ent.district == "塘沽"
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_key == "E-2",
                                                     AuditEvent.action == "update")).one()
    assert event.park_id == who["parks"]["BH"] and event.changes["district"] == [None, "塘沽"]
    with pytest.raises(Forbidden) as exc:
        svc.update_enterprise(session, who["e2"], "E-2", {"park": "NK"})
    assert "park" in exc.value.errors
    # Naming its current park is not a move.
    assert svc.update_enterprise(session, who["e2"], "E-2", {"park": "BH"}).park.code == "BH"
    with pytest.raises(NotFound):
        svc.update_enterprise(session, who["e2"], "E-3", {"name": "x"})


def test_moves_between_parks(session, who):
    with pytest.raises(Forbidden):
        svc.update_enterprise(session, who["coord"], "E-2", {"park": "NK"})  # not a park they coordinate
    with pytest.raises(NotFound):
        svc.update_enterprise(session, who["coord_nk"], "E-2", {"park": "NK"})  # cannot see E-2
    ent = svc.update_enterprise(session, who["admin"], "E-2", {"park": "NK"})
    assert ent.park.code == "NK"
    trail = {e.park_id for e in session.scalars(select(AuditEvent).where(
        AuditEvent.entity_key == "E-2", AuditEvent.actor == who["admin"].actor))}
    assert trail == {who["parks"]["BH"], who["parks"]["NK"]}  # both parks' coordinators see the move
    assert _refs(session, who["coord_nk"]) == ["E-2", "E-4"]


def test_licences_are_maintained_by_coordinators_and_validated_whole(session, who):
    lic = svc.add_licence(session, who["coord"], "E-2", LicenceSchema().load({**LICENCE, "kind": "hw_collection",
                                                                              "codes": ["900-214-08"]}))
    assert lic.number == "TJ-HW-0100"
    assert [x.number for x in svc.list_licences(session, who["e2"], "E-2")] == ["TJ-HW-0100"]
    with pytest.raises(Forbidden):
        svc.add_licence(session, who["e1"], "E-1", LicenceSchema().load({**LICENCE, "number": "X-1"}))
    with pytest.raises(NotFound):
        svc.add_licence(session, who["coord"], "E-4", LicenceSchema().load({**LICENCE, "number": "X-1"}))
    with pytest.raises(Conflict) as exc:
        svc.add_licence(session, who["coord"], "E-3", LicenceSchema().load({**LICENCE, "number": "TJ-HW-0001"}))
    assert "number" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        svc.update_licence(session, who["coord"], "E-2", "TJ-HW-0100", {"valid_to": dt.date(2020, 1, 1)})
    assert "valid_to" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        svc.update_licence(session, who["coord"], "E-2", "TJ-HW-0100", {"categories": [], "codes": []})
    assert "categories" in exc.value.errors
    with pytest.raises(NotFound):
        svc.update_licence(session, who["coord"], "E-2", "TJ-HW-0001", {"annual_capacity_t": 1})  # E-1's
    updated = svc.update_licence(session, who["coord"], "E-2", "TJ-HW-0100", {"annual_capacity_t": 450})
    assert updated.annual_capacity_t == 450
    keys = [(e.action, e.park_id) for e in session.scalars(
        select(AuditEvent).where(AuditEvent.entity_key == "TJ-HW-0100").order_by(AuditEvent.id))]
    assert keys == [("create", who["parks"]["BH"]), ("update", who["parks"]["BH"])]


def _approved_match(session, offer_ref: str, need_ref: str, tonnes: float, licence: str | None) -> Match:
    ids = dict(session.execute(select(Listing.ref, Listing.id).where(Listing.ref.in_([offer_ref, need_ref]))).all())
    now = dt.datetime.now(dt.timezone.utc)
    m = Match(offer_id=ids[offer_ref], need_id=ids[need_ref], source="run", status="approved", quantity_t=tonnes,
              weight=100, score=100 * tonnes, distance_km=9.0, similarity=0.8, licence_number=licence, checks=[],
              reasons=[], terms={}, approved_at=now)
    session.add(m)
    session.flush()
    return m


def test_licence_capacity_cannot_drop_below_what_is_approved(session, who):
    _approved_match(session, "O-1", "N-1", 250, "TJ-HW-0001")
    assert svc.licence_used_t(session, "TJ-HW-0001", dt.date.today().year) == 250
    with pytest.raises(Conflict) as exc:
        svc.update_licence(session, who["coord"], "E-1", "TJ-HW-0001", {"annual_capacity_t": 200})
    assert "annual_capacity_t" in exc.value.errors
    assert svc.update_licence(session, who["coord"], "E-1", "TJ-HW-0001",
                              {"annual_capacity_t": 250}).annual_capacity_t == 250


def test_an_enterprise_user_cannot_move_its_site(session, who):
    # Distances to anonymised listings are exact from one's own site: moving it at will would triangulate them.
    with pytest.raises(Forbidden) as exc:
        svc.update_enterprise(session, who["e2"], "E-2", {"lat": 39.2})
    assert set(exc.value.errors) == {"lat"}
    with pytest.raises(Forbidden) as exc:
        svc.update_enterprise(session, who["e2"], "E-2", {"lat": 39.2, "lon": 117.1, "district": "塘沽"})
    assert set(exc.value.errors) == {"lat", "lon"}
    ent = session.scalar(select(Enterprise).where(Enterprise.ref == "E-2"))
    assert (ent.lat, ent.lon, ent.district) == (39.05, 117.65, None)  # nothing half-written
    same = svc.update_enterprise(session, who["e2"], "E-2", {"lat": 39.05, "lon": 117.65})  # not a move
    assert (same.lat, same.lon) == (39.05, 117.65)
    assert svc.update_enterprise(session, who["coord"], "E-2", {"lat": 39.06}).lat == 39.06
    assert svc.update_enterprise(session, who["admin"], "E-2", {"lon": 117.66}).lon == 117.66


def test_text_longer_than_its_column_is_a_validation_error(session, who):
    with pytest.raises(ValidationFailed) as exc:
        svc.update_enterprise(session, who["e2"], "E-2", {"district": "区" * 101, "province": "省" * 51})
    assert set(exc.value.errors) == {"district", "province"}
    with pytest.raises(ValidationFailed) as exc:
        # (the schema refuses it too; the service does not rely on being called through it)
        svc.create_enterprise(session, who["admin"], {**_new(), "industry_name": "x" * 201})
    assert set(exc.value.errors) == {"industry_name"}
    assert session.scalar(select(Enterprise).where(Enterprise.ref == "E-9")) is None
    assert svc.update_enterprise(session, who["e2"], "E-2", {"district": "区" * 100}).district == "区" * 100
