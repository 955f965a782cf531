"""Names typed without a CAS number resolve to a substance, stored with the row, correctable (issue 16).

Built through the services users call: ``create_listing`` / ``update_listing`` with what the API
loads, ``import_document`` for the interchange, and one-click matching through ``recommendations``.
"""
from __future__ import annotations

import copy
import io

import pytest
from sqlalchemy import select

from marketplace.errors import ValidationFailed
from marketplace.models import AuditEvent, Listing
from marketplace.services.listings import listings as svc
from marketplace.services.listings.interchange import export_document, import_document
from marketplace.services.listings.interchange_xlsx import read_workbook, write_workbook
from marketplace.services.listings.resolution import REJECTED, shown_resolution
from marketplace.services.matching.engine_input import build_problem
from tests.factories import GARAGE, HANDLER, PARK, api_principals, small_document

ACID_OFFER = {"kind": "offer", "title": "Surplus sulfuric acid", "title_zh": "富余硫酸", "form": "liquid",
              "quantity_t": 200, "period": "year",
              "composition": [{"name": "硫酸", "fraction": 0.7}, {"name": "Fe", "fraction": 0.01},
                              {"name": "water", "cas": "7732-18-5", "fraction": 0.29}]}
# A need that names its substances by CAS number only, as the engine's own data does.
ACID_NEED = {"ref": "N-ACID", "kind": "need", "enterprise": "E-1", "title": "Sulfuric acid for neutralisation",
             "title_zh": "中和用硫酸", "quantity_t": 500, "period": "year", "forms": ["liquid"], "purpose": "reuse",
             "max_distance_km": 100, "composition": [{"cas": "7664-93-9", "fraction": 0.7}],
             "wanted": [{"cas": "7664-93-9", "min_fraction": 0.5}]}


@pytest.fixture()
def who(session):
    return api_principals(session)


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    monkeypatch.setattr(svc, "notify_new_listing", lambda s, listing: 0)


def _load(data: dict) -> dict:
    from web.api.listings import NewListing

    return NewListing().load(data)


def _patch(data: dict) -> dict:
    from web.api.listings import ListingPatch

    return ListingPatch(partial=True).load(data)


def _rows(listing: Listing, role: str = "composition") -> list[tuple]:
    return [(c.name, c.cas, c.resolved_cas, c.resolved_by, c.resolved_ambiguous) for c in listing.components_in(role)]


def test_a_name_without_cas_is_resolved_and_stored_a_cas_is_the_users_word(session, who):
    listing = svc.create_listing(session, who["e2"], _load(ACID_OFFER))
    assert _rows(listing) == [("硫酸", None, "7664-93-9", "zh_name", False),
                              ("Fe", None, "7439-89-6", "formula", False),
                              ("water", "7732-18-5", None, None, False)]
    assert listing.components_in("composition")[0].substance_cas == "7664-93-9"
    created = session.scalars(select(AuditEvent).where(AuditEvent.entity_key == listing.ref)).one()
    assert created.changes["resolved"][1]["composition"][0] == ["硫酸", "7664-93-9", "zh_name"]


def test_an_unknown_name_stays_name_only_and_an_ambiguous_formula_is_marked(session, who):
    data = {**ACID_OFFER, "composition": [{"name": "mixed sludge", "fraction": 0.5},
                                          {"name": "C2H6O", "fraction": 0.1}]}
    listing = svc.create_listing(session, who["e2"], _load(data))
    sludge, formula = listing.components_in("composition")
    assert (sludge.resolved_cas, sludge.resolved_by, sludge.substance_cas) == (None, None, None)
    assert formula.resolved_by == "formula" and formula.resolved_ambiguous is True and formula.resolved_cas


def test_wanted_and_limit_rows_resolve_too(session, who):
    data = {**ACID_NEED, "ref": None, "enterprise": None, "wanted": [{"name": "H2SO4", "min_fraction": 0.5}],
            "limits": [{"name": "铅", "max_fraction": 0.001}]}
    listing = svc.create_listing(session, who["e1"], _load(data))
    assert _rows(listing, "wanted") == [("H2SO4", None, "7664-93-9", "formula", False)]
    assert _rows(listing, "limit") == [("铅", None, "7439-92-1", "zh_name", False)]


def test_rejecting_a_resolution_sticks_until_asked_again_and_a_cas_corrects_it(session, who):
    listing = svc.create_listing(session, who["e2"], _load(ACID_OFFER))
    rows = copy.deepcopy(ACID_OFFER["composition"])
    rows[1]["resolve"] = False  # "Fe" is not iron here, says the user
    svc.update_listing(session, who["e2"], listing.id, _patch({"composition": rows}))
    fe = listing.components_in("composition")[1]
    assert (fe.resolved_cas, fe.resolved_by, fe.substance_cas) == (None, REJECTED, None)
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_key == listing.ref)
                            .order_by(AuditEvent.id.desc())).first()
    assert event.action == "update" and event.changes["resolved"][1]["composition"][1] == ["Fe", None, REJECTED]

    # Other edits, the same rows re-sent without a word on them, a row added: the refusal stays.
    svc.update_listing(session, who["e2"], listing.id, _patch({"quantity_t": 250}))
    assert listing.components_in("composition")[1].resolved_by == REJECTED
    more = copy.deepcopy(ACID_OFFER["composition"]) + [{"name": "acetone", "fraction": 0.0}]
    svc.update_listing(session, who["e2"], listing.id, _patch({"composition": more}))
    assert [c.resolved_by for c in listing.components_in("composition")] == ["zh_name", REJECTED, None, "name"]

    # Asked again: resolved again.
    more[1]["resolve"] = True
    svc.update_listing(session, who["e2"], listing.id, _patch({"composition": more}))
    assert listing.components_in("composition")[1].resolved_cas == "7439-89-6"

    # The right CAS number typed: it wins, no resolution is stored.
    more[0] = {"name": "硫酸", "cas": "7664-93-9", "fraction": 0.7}
    svc.update_listing(session, who["e2"], listing.id, _patch({"composition": more}))
    assert _rows(listing)[0] == ("硫酸", "7664-93-9", None, None, False)


def test_a_rejection_alone_is_a_change_in_place(session, who):
    listing = svc.create_listing(session, who["e2"], _load(ACID_OFFER))
    ids = [c.id for c in listing.components]
    rows = copy.deepcopy(ACID_OFFER["composition"])
    rows[0]["resolve"] = False
    svc.update_listing(session, who["e2"], listing.id, _patch({"composition": rows}))
    assert [c.id for c in listing.components] == ids  # same rows, their resolution changed
    assert listing.components_in("composition")[0].resolved_by == REJECTED


def test_composition_complete_is_stored_and_edited(session, who):
    listing = svc.create_listing(session, who["e2"], _load({**ACID_OFFER, "composition_complete": True}))
    assert listing.composition_complete is True
    assert svc.listing_detail(session, who["e2"], listing)["composition_complete"] is True
    svc.update_listing(session, who["e2"], listing.id, _patch({"composition_complete": False}))
    assert listing.composition_complete is False
    again = {**_load(ACID_OFFER), "confirm": ["duplicate"]}  # the same offer twice is confirmed as meant
    assert svc.create_listing(session, who["e2"], again).composition_complete is False


def test_the_listing_view_carries_each_rows_resolution(session, who):
    listing = svc.create_listing(session, who["e2"], _load(ACID_OFFER))
    # Another enterprise sees the anonymised view: the resolution is there too (it says nothing of the owner).
    for viewer in ("e2", "e1"):
        view = svc.listing_detail(session, who[viewer], listing)
        assert view["composition"][0] == {"name": "硫酸", "cas": None, "fraction": 0.7,
                                                "resolved_cas": "7664-93-9", "resolved_by": "zh_name",
                                                "resolved_ambiguous": False}
        assert view["composition"][2]["resolved_by"] is None and view["composition_complete"] is False


def test_shown_resolution_names_the_substance():
    shown = shown_resolution("7664-93-9", "zh_name")
    assert (shown.cas, shown.name_en, shown.name_zh, shown.ambiguous) == ("7664-93-9", "sulfuric acid", "硫酸", False)
    assert shown_resolution(None, REJECTED).method == REJECTED and shown_resolution(None, None) is None


# --- the interchange ---------------------------------------------------------------------------

def _doc(**listing_overrides) -> dict:
    offer = {**ACID_OFFER, "ref": "O-ACID", "enterprise": "E-2", **listing_overrides}
    return small_document(parks=[PARK], enterprises=[HANDLER, GARAGE], listings=[offer, ACID_NEED])


def test_import_resolves_names_and_composition_complete_round_trips(session, tmp_path):
    import_document(session, _doc(composition_complete=True), actor="test")
    offer = session.scalar(select(Listing).where(Listing.ref == "O-ACID"))
    assert offer.composition_complete is True and _rows(offer)[0][2:4] == ("7664-93-9", "zh_name")
    need = session.scalar(select(Listing).where(Listing.ref == "N-ACID"))
    assert need.composition_complete is False

    exported = export_document(session)
    by_ref = {x["ref"]: x for x in exported["listings"]}
    assert by_ref["O-ACID"]["composition_complete"] is True
    assert "composition_complete" not in by_ref["N-ACID"]  # optional: absent means false, as before
    assert by_ref["O-ACID"]["composition"][0] == {"name": "硫酸", "fraction": 0.7}  # the user's words only
    again = import_document(session, exported, actor="test")
    assert again.updated["listings"] == 0 and again.unchanged["listings"] == 2

    path = tmp_path / "park.xlsx"
    write_workbook(exported, path)
    doc, _ = read_workbook(path)
    assert {x["ref"]: bool(x.get("composition_complete")) for x in doc["listings"]} == {"O-ACID": True,
                                                                                       "N-ACID": False}
    assert import_document(session, doc, actor="test").unchanged["listings"] == 2


def test_a_document_without_the_key_imports_as_before_and_clears_it(session):
    import_document(session, _doc(composition_complete=True), actor="test")
    report = import_document(session, _doc(), actor="test")  # no key: false
    assert report.updated["listings"] == 1
    assert session.scalar(select(Listing.composition_complete).where(Listing.ref == "O-ACID")) is False


def test_a_reimport_keeps_a_rejection_made_in_the_app(session, who):
    import_document(session, _doc(), actor="test")
    offer = session.scalar(select(Listing).where(Listing.ref == "O-ACID"))
    rows = copy.deepcopy(ACID_OFFER["composition"])
    rows[1]["resolve"] = False
    svc.update_listing(session, who["coord"], offer.id, _patch({"composition": rows}))
    # The file changes one fraction: the rows are rebuilt, the refused name is not resolved again.
    changed = copy.deepcopy(ACID_OFFER["composition"])
    changed[2]["fraction"] = 0.28
    import_document(session, _doc(composition=changed), actor="test")
    assert [c.resolved_by for c in offer.components_in("composition")] == ["zh_name", REJECTED, None]


def test_a_bad_import_writes_nothing(session):
    import_document(session, _doc(), actor="test")
    bad = _doc(composition=[{"name": "硫酸", "fraction": 0.7}], quantity_t=-1)
    with pytest.raises(ValidationFailed):
        import_document(session, bad, actor="test")
    offer = session.scalar(select(Listing).where(Listing.ref == "O-ACID"))
    assert len(offer.components) == 3


def test_xlsx_without_the_column_imports_as_before(session, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "park.xlsx"
    write_workbook(_doc(), path)
    wb = load_workbook(path)
    ws = wb["listings"]
    column = [c.value for c in ws[1]].index("composition_complete") + 1
    ws.delete_cols(column)
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(buffer.getvalue())
    doc, _ = read_workbook(path)
    import_document(session, doc, actor="test")
    assert session.scalar(select(Listing.composition_complete).where(Listing.ref == "O-ACID")) is False


# --- the engine --------------------------------------------------------------------------------

def test_the_engine_keys_a_resolved_row_by_its_cas_and_shows_the_typed_name(session):
    import_document(session, _doc(composition_complete=True), actor="test")
    problem = build_problem(session, include=["O-ACID"])
    offer = next(o for o in problem.offers if o.ref == "O-ACID")
    assert offer.composition["7664-93-9"] == 0.7 and offer.composition["7439-89-6"] == 0.01
    assert offer.names["7664-93-9"] == "硫酸" and offer.composition_complete is True


def test_two_rows_that_resolve_to_one_substance_add_up(session):
    rows = [{"name": "硫酸", "fraction": 0.4}, {"name": "H2SO4", "fraction": 0.3}]
    import_document(session, _doc(composition=rows), actor="test")
    offer = next(o for o in build_problem(session).offers if o.ref == "O-ACID")
    assert offer.composition == {"7664-93-9": pytest.approx(0.7)}


def test_one_click_finds_the_cas_need_for_an_offer_typed_by_name_and_not_after_a_rejection(session, who):
    import_document(session, _doc(), actor="test")
    offer = session.scalar(select(Listing).where(Listing.ref == "O-ACID"))
    need_id = session.scalar(select(Listing.id).where(Listing.ref == "N-ACID"))
    recs = svc.recommendations(session, who["coord"], offer.id, top=5)["recommendations"]
    found = [r for r in recs if r["listing"] == need_id]
    assert found, recs
    wanted = next(c for c in found[0]["checks"] if c["code"] == "required_component")
    assert wanted["passed"] is True

    rows = copy.deepcopy(ACID_OFFER["composition"])
    rows[0]["resolve"] = False  # not sulfuric acid after all: the need's wanted substance is no longer declared
    svc.update_listing(session, who["coord"], offer.id, _patch({"composition": rows}))
    recs = svc.recommendations(session, who["coord"], offer.id, top=5)["recommendations"]
    assert need_id not in [r["listing"] for r in recs]


@pytest.mark.parametrize("typed", ["PFOS", "全氟辛基磺酸", "PCBs", "PCB", "HBCD"])
def test_a_pop_declared_by_its_abbreviation_is_known_and_never_goes_to_reuse(session, who, typed):
    # "PFOS" reads as a formula (P, F, O, S) that ChEDL does not hold: it used to crash the resolver (a 500 on the
    # listing form) or, resolved to nothing, to leave a POP unrecognised. The control lists name it.
    rows = [{"name": "硫酸", "fraction": 0.7}, {"name": typed, "fraction": 0.001}]
    import_document(session, _doc(composition=rows), actor="test")
    offer = session.scalar(select(Listing).where(Listing.ref == "O-ACID"))
    pop = offer.components_in("composition")[1]
    assert pop.resolved_by in ("synonym", "zh_name") and pop.resolved_cas
    need_id = session.scalar(select(Listing.id).where(Listing.ref == "N-ACID"))
    answer = svc.recommendations(session, who["coord"], offer.id, top=5)
    assert need_id not in [r["listing"] for r in answer["recommendations"]]  # the need reuses: POPs are destroyed
    [why] = [x for x in answer["excluded"] if x["listing"] == need_id]
    assert any(c["code"] == "pops_destruction_only" and not c["passed"] for c in why["checks"])
