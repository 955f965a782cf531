"""A listing's waste stream and category, and the licence kinds of the construction and household streams."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.errors import ValidationFailed
from marketplace.models import Licence, Listing
from marketplace.services.listings import listings as svc
from marketplace.services.listings.interchange import export_document, import_document
from marketplace.services.listings.interchange_xlsx import read_workbook, write_workbook
from tests.factories import NEED, OFFER, api_principals, load_small_park, small_document

SPOIL = {"ref": "O-CW", "kind": "offer", "enterprise": "E-2", "title": "Demolition waste", "title_zh": "拆除垃圾",
         "category": "cw4", "form": "solid", "quantity_t": 5000, "period": "year"}
SOLVENT = {"ref": "O-CH", "kind": "offer", "enterprise": "E-2", "title": "Surplus toluene", "form": "liquid",
           "quantity_t": 5, "period": "once"}
DISPOSAL = {"number": "TJ-CW-0001", "kind": "construction_waste_disposal", "categories": ["CW03", "CW04"],
            "activities": ["utilise", "dispose"], "annual_capacity_t": 200000, "valid_from": "2025-01-01",
            "valid_to": None}


def _stream(session, ref: str) -> tuple[str, str | None]:
    row = session.execute(select(Listing.stream, Listing.category).where(Listing.ref == ref)).one()
    return row.stream, row.category


def _errors(session, doc) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as exc:
        import_document(session, doc, actor="t")
    return exc.value.errors


def test_import_infers_the_stream_from_the_code_or_the_category(session):
    load_small_park(session, listings=[OFFER, NEED, SPOIL, SOLVENT])
    assert _stream(session, "O-1") == ("hazardous", None)  # an HW code
    assert _stream(session, "O-CW") == ("construction", "CW04")  # our category, normalised
    assert _stream(session, "O-CH") == ("industrial", None)  # a surplus chemical
    assert _stream(session, "N-1") == ("industrial", None)


def test_a_stream_given_is_kept_when_it_fits(session):
    straw = dict(SOLVENT, ref="O-AG", title="Straw", form="solid", stream="agricultural")
    load_small_park(session, listings=[straw, dict(SPOIL, stream="construction")])
    assert _stream(session, "O-AG") == ("agricultural", None)
    assert _stream(session, "O-CW") == ("construction", "CW04")


def test_unknown_or_contradicting_streams_are_refused_per_field(session):
    doc = small_document(listings=[dict(OFFER, stream="household"), dict(SPOIL, stream="agricultural"),
                                   dict(SOLVENT, stream="nuclear")])
    errors = _errors(session, doc)
    assert "900-214-08" in errors["$.listings[0].stream"][0] and "hazardous" in errors["$.listings[0].stream"][0]
    assert "危险废物" in errors["$.listings[0].stream"][0]
    assert "construction" in errors["$.listings[1].stream"][0]
    assert "must be one of" in errors["$.listings[2].stream"][0]
    assert session.scalar(select(Listing.id)) is None  # nothing imported


def test_categories_are_checked_and_kept_out_of_the_hw_code(session):
    doc = small_document(listings=[dict(SOLVENT, waste_code="CW04"), dict(SOLVENT, ref="O-x", category="CW09"),
                                   dict(OFFER, category="SW02"), dict(SOLVENT, ref="O-y", category="900-214-08")])
    errors = _errors(session, doc)
    assert "is a category, not an HW code" in errors["$.listings[0].waste_code"][0]
    assert "unknown category" in errors["$.listings[1].category"][0]
    assert "not both" in errors["$.listings[2].category"][0]
    assert "waste_code" in errors["$.listings[3].category"][0]


def test_export_carries_stream_and_category_and_reimports_unchanged(session, tmp_path):
    load_small_park(session, listings=[OFFER, NEED, SPOIL])
    doc = export_document(session)
    by_ref = {x["ref"]: x for x in doc["listings"]}
    assert by_ref["O-1"]["stream"] == "hazardous" and "category" not in by_ref["O-1"]
    assert by_ref["O-CW"]["stream"] == "construction" and by_ref["O-CW"]["category"] == "CW04"
    again = import_document(session, doc, actor="t")
    assert sum(again.updated.values()) == 0
    path = tmp_path / "park.xlsx"
    write_workbook(doc, path)
    read, _locate = read_workbook(path)
    spoil = next(x for x in read["listings"] if x["ref"] == "O-CW")
    assert spoil["stream"] == "construction" and spoil["category"] == "CW04"
    assert sum(import_document(session, read, actor="t").updated.values()) == 0


def test_a_workbook_without_the_stream_column_is_inferred(session, tmp_path):
    load_small_park(session)
    doc = export_document(session)
    for x in doc["listings"]:
        del x["stream"]
    path = tmp_path / "old.xlsx"
    write_workbook(doc, path)
    read, _locate = read_workbook(path)
    assert all("stream" not in x for x in read["listings"])
    import_document(session, read, actor="t")
    assert _stream(session, "O-1") == ("hazardous", None)


def test_licence_kinds_of_the_construction_and_household_streams(session):
    recycler = dict(small_document()["enterprises"][0], licences=[
        DISPOSAL, dict(DISPOSAL, number="TJ-HH-0001", kind="household_waste_service", categories=[])])
    load_small_park(session, enterprises=[recycler, small_document()["enterprises"][1]])
    kinds = dict(session.execute(select(Licence.number, Licence.kind)).all())
    assert kinds == {"TJ-CW-0001": "construction_waste_disposal", "TJ-HH-0001": "household_waste_service"}
    exported = export_document(session)["enterprises"][0]["licences"]
    assert {lic["kind"] for lic in exported} == {"construction_waste_disposal", "household_waste_service"}


def test_licence_categories_must_belong_to_the_licence_kind(session):
    bad = dict(small_document()["enterprises"][0], licences=[
        dict(DISPOSAL, categories=["HH03"]),
        dict(DISPOSAL, number="N2", codes=["900-214-08"]),
        dict(DISPOSAL, number="N3", kind="hw_comprehensive", categories=["CW04"]),
        dict(DISPOSAL, number="N4", kind="waste_wizard")])
    errors = _errors(session, small_document(enterprises=[bad], listings=[]))
    assert "construction stream" in errors["$.enterprises[0].licences[0].categories"][0]
    assert "no HW codes" in errors["$.enterprises[0].licences[1].codes"][0]
    assert "unknown HW categories" in errors["$.enterprises[0].licences[2].categories"][0]
    assert "must be one of" in errors["$.enterprises[0].licences[3].kind"][0]


def test_an_edit_of_the_code_brings_its_stream_unless_one_was_chosen(session):
    who = api_principals(session)
    from web.api.listings import NewListing

    created = svc.create_listing(session, who["e2"], NewListing().load(
        {"kind": "offer", "title": "Spoil", "category": "CW01", "form": "solid", "quantity_t": 100}))
    assert created.stream == "construction"
    svc.update_listing(session, who["e2"], created.id, {"category": "HH03"})
    assert (created.stream, created.category) == ("household", "HH03")
    svc.update_listing(session, who["e2"], created.id, {"category": None, "stream": "agricultural"})
    assert created.stream == "agricultural"
    with pytest.raises(ValidationFailed) as exc:  # chosen apart: a code naming another stream contradicts it
        svc.update_listing(session, who["e2"], created.id, {"waste_code": "900-214-08"})
    assert "stream" in exc.value.errors


def test_days_typed_as_text_in_excel_are_read(session, tmp_path):
    # A column formatted as text in Excel keeps what was typed: "2026/1/5", "2026年1月5日".
    from openpyxl import load_workbook

    load_small_park(session)
    doc = export_document(session)
    path = tmp_path / "typed.xlsx"
    write_workbook(doc, path)
    wb = load_workbook(path)
    for sheet, column, typed in (("listings", "available_from", "2026/1/5"), ("licences", "valid_from", "2025年1月1日")):
        ws = wb[sheet]
        at = [c.value for c in ws[1]].index(column) + 1
        ws.cell(row=2, column=at).value = typed
    wb.save(path)
    read, _locate = read_workbook(path)
    assert read["listings"][0]["available_from"] == "2026-01-05"
    assert next(lic for e in read["enterprises"] for lic in e.get("licences", []))["valid_from"] == "2025-01-01"
    import_document(session, read, actor="t")
