"""Import and export of wastematch.v1: validation, all-or-nothing, idempotent refs, lossless round trip."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from marketplace.errors import NotFound, ValidationFailed
from marketplace.models import AuditEvent, Component, Enterprise, Licence, Listing, Park
from marketplace.services.listings.interchange import export_document, import_document
from tests.conftest import DEMO_PARK
from tests.factories import GARAGE, NEED, OFFER, load_small_park, small_document


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_small_document_imports_everything(session):
    report = load_small_park(session)
    assert report.created["parks"] == 1 and report.created["enterprises"] == 2
    assert report.created["licences"] == 1 and report.created["listings"] == 2
    oil = session.scalar(select(Listing).where(Listing.ref == "O-1"))
    assert oil.enterprise.ref == "E-2" and oil.waste_code == "900-214-08" and oil.quantity_t == 300
    assert [(c.cas, c.fraction) for c in oil.components_in("composition")] == [("64742-54-7", 0.85)]
    need = session.scalar(select(Listing).where(Listing.ref == "N-1"))
    assert need.forms == ["liquid"] and need.purpose == "recycle"
    assert [(c.role, c.cas) for c in need.components] == [("limit", "7439-92-1"), ("wanted", "64742-54-7")]
    lic = session.scalar(select(Licence))
    assert lic.enterprise.ref == "E-1" and lic.categories == ["HW08"] and str(lic.valid_to) == "2029-12-31"


def test_reimport_updates_in_place_and_never_duplicates(session):
    load_small_park(session)
    again = load_small_park(session)
    assert sum(again.created.values()) == 0 and sum(again.updated.values()) == 0
    assert again.unchanged["listings"] == 2 and again.unchanged["licences"] == 1
    changed = dict(OFFER, quantity_t=450)
    report = import_document(session, {"format": "wastematch.v1", "listings": [changed]}, actor="tester")
    assert report.updated["listings"] == 1
    assert count(session, Listing) == 2 and count(session, Component) == 3
    assert session.scalar(select(Listing.quantity_t).where(Listing.ref == "O-1")) == 450
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_key == "O-1")
                            .order_by(AuditEvent.id.desc())).first()
    assert event.action == "update" and event.actor == "tester"
    assert event.changes == {"quantity_t": [300.0, 450.0]}


def test_licence_list_of_an_enterprise_is_replaced_by_the_file(session):
    load_small_park(session)
    handler = small_document()["enterprises"][0]
    handler["licences"] = [dict(handler["licences"][0], number="TJ-HW-0002")]
    report = import_document(session, {"format": "wastematch.v1", "enterprises": [handler]}, actor="t")
    assert report.created["licences"] == 1 and report.deleted["licences"] == 1
    assert list(session.scalars(select(Licence.number))) == ["TJ-HW-0002"]


def test_bad_document_is_rejected_whole_and_names_every_error(session):
    load_small_park(session)
    before = {m: count(session, m) for m in (Park, Enterprise, Listing, Component, AuditEvent)}
    bad_cas = dict(OFFER, ref="O-2", composition=[{"name": "lead", "cas": "7439-92-2", "fraction": 0.1}])
    negative = dict(OFFER, ref="O-3", quantity_t=-5)
    orphan = dict(NEED, ref="N-9", enterprise="E-404")
    good = dict(OFFER, ref="O-4")
    doc = small_document(listings=[good, bad_cas, negative, orphan])
    with pytest.raises(ValidationFailed) as exc:
        import_document(session, doc, actor="t")
    errors = exc.value.errors
    assert "$.listings[1].composition[0].cas" in errors
    assert "check digit" in errors["$.listings[1].composition[0].cas"][0]
    assert "$.listings[2].quantity_t" in errors and "-5" in errors["$.listings[2].quantity_t"][0]
    assert len(errors["$.listings[3].enterprise"]) == 1
    assert errors["$.listings[3].enterprise"][0].startswith(
        "unknown enterprise ref 'E-404': not in this file nor in the database")
    assert len(errors) == 3
    assert "nothing was imported" in exc.value.message
    assert {m: count(session, m) for m in before} == before
    assert session.scalar(select(Listing).where(Listing.ref == "O-4")) is None


@pytest.mark.parametrize("mutate, path, reason", [
    (lambda d: d.update(format="wastematch.v2"), "$.format", "must be 'wastematch.v1'"),
    (lambda d: d["listings"][0].update(form="plasma"), "$.listings[0].form", "must be one of"),
    (lambda d: d["listings"][0].update(form=None), "$.listings[0].form", "physical form"),
    (lambda d: d["listings"][1].update(forms=[]), "$.listings[1].forms", "forms it accepts"),
    (lambda d: d["listings"][1].update(purpose=None), "$.listings[1].purpose", "purpose"),
    (lambda d: d["listings"][0].update(waste_code="900-214-8"), "$.listings[0].waste_code", "NNN-NNN-NN"),
    (lambda d: d["listings"][0].update(waste_code="900-001-99"), "$.listings[0].waste_code", "HW99"),
    (lambda d: d["listings"][0].update(available_from="2027-01-01", available_to="2026-01-01"),
     "$.listings[0].available_to", "before"),
    (lambda d: d["listings"][0]["composition"].append({"cas": "7732-18-5", "fraction": 0.5}),
     "$.listings[0].composition", "more than 1"),
    (lambda d: d["listings"][0]["composition"].append({"fraction": 0.1}),
     "$.listings[0].composition[1].cas", "cas or a name"),
    (lambda d: d["listings"][1]["limits"][0].update(max_fraction=1.5), "$.listings[1].limits[0].max_fraction",
     "between 0 and 1"),
    (lambda d: d["listings"][0].update(quantity=3), "$.listings[0].quantity", "Unknown field"),
    (lambda d: d["listings"].append(dict(d["listings"][0])), "$.listings[2].ref", "appears twice"),
    (lambda d: d["enterprises"][0].update(park="XX"), "$.enterprises[0].park", "unknown park"),
    (lambda d: d["enterprises"][0].update(lat=95), "$.enterprises[0].lat", ""),
    (lambda d: d["enterprises"][0]["licences"][0].update(kind="hw_everything"),
     "$.enterprises[0].licences[0].kind", "must be one of"),
    (lambda d: d["enterprises"][0]["licences"][0].update(categories=["HW51"]),
     "$.enterprises[0].licences[0].categories", "unknown HW categories"),
    (lambda d: d["enterprises"][0]["licences"][0].update(valid_to="2020-01-01"),
     "$.enterprises[0].licences[0].valid_to", "valid_from"),
    (lambda d: d["enterprises"][1].update(licences=[d["enterprises"][0]["licences"][0]]),
     "$.enterprises[1].licences[0].number", "appears twice"),
    # PostgreSQL would refuse these at the database: they are named before anything is written.
    (lambda d: d["enterprises"][1].update(district="区" * 101), "$.enterprises[1].district", "Longer than"),
    (lambda d: d["listings"][0].update(title_zh="废机油\x00"), "$.listings[0].title_zh", "NUL"),
])
def test_each_validation_error_names_its_field(session, mutate, path, reason):
    doc = small_document()
    mutate(doc)
    with pytest.raises(ValidationFailed) as exc:
        import_document(session, doc, actor="t")
    assert path in exc.value.errors, exc.value.errors
    assert reason in " ".join(exc.value.errors[path])
    assert count(session, Listing) == 0


def test_licence_owned_by_another_enterprise_is_refused(session):
    load_small_park(session)
    thief = dict(GARAGE, licences=small_document()["enterprises"][0]["licences"])
    with pytest.raises(ValidationFailed) as exc:
        import_document(session, {"format": "wastematch.v1", "enterprises": [thief]}, actor="t")
    assert "already belongs to enterprise 'E-1'" in exc.value.errors["$.enterprises[0].licences[0].number"][0]


def test_not_an_object(session):
    with pytest.raises(ValidationFailed):
        import_document(session, ["format"], actor="t")


def test_design_example_imports(session):
    """The example of DESIGN.md, fields of both kinds on one listing, imports and exports unchanged."""
    doc = small_document(listings=[dict(OFFER, forms=["liquid"], purpose="recycle", max_distance_km=150,
                                        wanted=NEED["wanted"], limits=NEED["limits"])])
    import_document(session, doc, actor="t")
    out = export_document(session)["listings"][0]
    assert out["forms"] == ["liquid"] and out["wanted"] == NEED["wanted"] and out["limits"] == NEED["limits"]


def test_export_import_export_is_lossless(session):
    load_small_park(session)
    first = export_document(session)
    report = import_document(session, json.loads(json.dumps(first)), actor="t")
    assert sum(report.created.values()) == 0 and sum(report.updated.values()) == 0
    assert export_document(session) == first
    assert first["listings"][0]["composition"] == OFFER["composition"]
    assert first["listings"][0]["available_to"] is None


def test_export_one_park(session):
    load_small_park(session)
    other = {"code": "SZ", "name": "苏州工业园区", "name_en": "Suzhou Industrial Park", "province": "江苏省",
             "lat": 31.3, "lon": 120.7}
    plant = dict(GARAGE, ref="E-9", park="SZ", licences=[])
    import_document(session, {"format": "wastematch.v1", "parks": [other], "enterprises": [plant],
                              "listings": [dict(OFFER, ref="O-9", enterprise="E-9")]}, actor="t")
    doc = export_document(session, park="SZ")
    assert [p["code"] for p in doc["parks"]] == ["SZ"]
    assert [e["ref"] for e in doc["enterprises"]] == ["E-9"]
    assert [x["ref"] for x in doc["listings"]] == ["O-9"]
    with pytest.raises(NotFound):
        export_document(session, park="NOPE")


@pytest.mark.skipif(not DEMO_PARK.exists(), reason="demo park not written yet")
def test_demo_park_imports_and_round_trips(session):
    doc = json.loads(DEMO_PARK.read_text(encoding="utf-8"))
    report = import_document(session, doc, actor="t")
    assert report.created["enterprises"] == len(doc["enterprises"]) >= 50
    assert report.created["listings"] == len(doc["listings"]) >= 120
    first = export_document(session)
    again = import_document(session, first, actor="t")
    assert sum(again.updated.values()) == 0
    assert export_document(session) == first


@pytest.mark.skipif(not DEMO_PARK.exists(), reason="demo park not written yet")
def test_builtin_catalogue_covers_every_code_the_demo_uses():
    """A fresh checkout without ../shared can still show every code of the demo park."""
    from catalog.builtin_codes import BUILTIN_HW_CODES

    doc = json.loads(DEMO_PARK.read_text(encoding="utf-8"))
    used = {x["waste_code"] for x in doc["listings"] if x.get("waste_code")}
    used |= {c for e in doc["enterprises"] for lic in e.get("licences", []) for c in lic.get("codes", [])}
    assert used - {c.code for c in BUILTIN_HW_CODES} == set()


def test_demo_park_file_is_what_its_authoring_script_builds():
    from marketplace.demo import build_demo_park

    doc = build_demo_park.build()
    build_demo_park.check(doc)
    assert json.loads(DEMO_PARK.read_text(encoding="utf-8")) == json.loads(json.dumps(doc))
