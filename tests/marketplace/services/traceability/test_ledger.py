"""The chemical flow ledger: validation by field, CAS normalisation and control-list keys, references,
role rules, the all-or-nothing import, and the receiver's entry booked on receipt of a shipment."""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from sqlalchemy import func, select

from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.models import AuditEvent, Enterprise, LedgerEntry, Listing
from marketplace.models.base import park_date
from marketplace.services.matching import workflow
from marketplace.services.traceability import ledger, transfers
from tests.factories import api_principals

TODAY = park_date()


@pytest.fixture
def p(session):
    return api_principals(session)


def entry(**kw):
    base = {"batch_code": "B-1", "direction": "in", "entry_date": TODAY.isoformat(), "chemical_name": "丙酮 acetone",
            "cas": "67-64-1", "quantity_t": 10.0, "counterparty_name": "某化工贸易公司"}
    return {**base, **kw}


def test_an_enterprise_records_its_own_entry_normalised_and_audited(session, p):
    e = ledger.create_entry(session, p["e1"], entry(cas=" ６７－６４－１ ", entry_date=TODAY))
    assert (e.enterprise.ref, e.cas, e.content_ratio, e.created_by) == (
        "E-1", "67-64-1", 1.0, "enterprise:handler@e1.test")
    ev = session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "ledger_entry",
                                                 AuditEvent.entity_key == str(e.id)))
    assert ev.action == "ledger.create" and ev.changes["cas"] == [None, "67-64-1"]


def test_a_controlled_cas_fills_the_control_list_key(session, p):
    e = ledger.create_entry(session, p["e1"], entry(cas="85535-84-8", chemical_name="短链氯化石蜡"))
    assert e.catalogue_id == "sccp"
    plain = ledger.create_entry(session, p["e1"], entry(batch_code="B-2"))
    assert plain.catalogue_id is None


def test_each_bad_field_is_named(session, p):
    with pytest.raises(ValidationFailed) as exc:
        ledger.create_entry(session, p["e1"], entry(cas="67-64-2", waste_code="900-41", quantity_t=0,
                                                    content_ratio=1.5, direction="sideways",
                                                    entry_date=(TODAY + dt.timedelta(days=1)).isoformat()))
    assert {"cas", "waste_code", "quantity_t", "content_ratio", "direction", "entry_date"} <= set(exc.value.errors)
    assert "check digit" in exc.value.errors["cas"][0]


def test_a_chemical_needs_a_cas_or_a_name(session, p):
    with pytest.raises(ValidationFailed) as exc:
        ledger.create_entry(session, p["e1"], entry(cas=None, chemical_name=None))
    assert "chemical_name" in exc.value.errors
    assert ledger.create_entry(session, p["e1"], entry(cas=None)).cas is None  # a name alone will do


def test_a_duplicate_batch_is_409_per_enterprise(session, p):
    ledger.create_entry(session, p["e1"], entry())
    with pytest.raises(Conflict):
        ledger.create_entry(session, p["e1"], entry())
    assert ledger.create_entry(session, p["e2"], entry()).enterprise.ref == "E-2"  # another ledger: fine


def test_counterparty_is_a_registered_enterprise_or_a_name(session, p):
    e = ledger.create_entry(session, p["e1"], entry(counterparty_name=None, counterparty="E-2"))
    assert e.counterparty.ref == "E-2" and e.counterparty_name is None
    with pytest.raises(ValidationFailed) as exc:
        ledger.create_entry(session, p["e1"], entry(batch_code="B-2", counterparty_name=None, counterparty="E-99"))
    assert "counterparty" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        ledger.create_entry(session, p["e1"], entry(batch_code="B-3", counterparty="E-2"))
    assert "counterparty_name" in exc.value.errors  # not both


def test_a_source_batch_is_an_in_or_produced_batch_of_the_same_enterprise(session, p):
    src = ledger.create_entry(session, p["e1"], entry())
    out = ledger.create_entry(session, p["e1"], entry(batch_code="O-1", direction="out", source_batch="B-1",
                                                      quantity_t=4.0))
    assert out.source_entry_id == src.id
    for bad in ({"source_batch": "O-1"}, {"source_batch": "NOPE"}):
        with pytest.raises(ValidationFailed) as exc:
            ledger.create_entry(session, p["e1"], entry(batch_code="O-2", direction="consumed", **bad))
        assert "source_batch" in exc.value.errors
    ledger.create_entry(session, p["e2"], entry(batch_code="X-1"))
    with pytest.raises(ValidationFailed):  # another enterprise's batch is not a source
        ledger.create_entry(session, p["e1"], entry(batch_code="O-3", direction="out", source_batch="X-1"))
    with pytest.raises(ValidationFailed) as exc:  # an in batch draws on nothing
        ledger.create_entry(session, p["e1"], entry(batch_code="I-2", source_batch="B-1"))
    assert "source_batch" in exc.value.errors


def test_role_rules(session, p):
    mine = ledger.create_entry(session, p["e1"], entry())
    with pytest.raises(Forbidden):
        ledger.create_entry(session, p["e1"], entry(enterprise="E-2"))
    with pytest.raises(NotFound):
        ledger.get_entry(session, p["e2"], mine.id)
    with pytest.raises(NotFound):
        ledger.update_entry(session, p["e2"], mine.id, {"note": "x"})
    assert ledger.get_entry(session, p["coord"], mine.id) is mine  # E-1 is in BH
    with pytest.raises(NotFound):
        ledger.get_entry(session, p["coord_nk"], mine.id)
    # A coordinator records on behalf of an enterprise of their park, and must name it.
    with pytest.raises(ValidationFailed):
        ledger.create_entry(session, p["coord"], entry(batch_code="C-1"))
    assert ledger.create_entry(session, p["coord"], entry(batch_code="C-1", enterprise="E-2")).created_by \
        == "coordinator:coord-bh@wm.test"
    with pytest.raises(NotFound):
        ledger.create_entry(session, p["coord"], entry(batch_code="C-2", enterprise="E-4"))  # E-4 is in NK
    refs = {e.enterprise.ref for e in session.scalars(ledger.visible_entries(p["coord"]))}
    assert refs == {"E-1", "E-2"}
    assert [e.id for e in session.scalars(ledger.visible_entries(p["e2"]))] != [mine.id]


def test_counterparty_is_shown_to_the_owner_and_coordinators(session, p):
    e = ledger.create_entry(session, p["e1"], entry(counterparty_name=None, counterparty="E-2"))
    assert ledger.entry_view(p["e1"], e)["counterparty"] == "E-2"
    assert ledger.entry_view(p["coord"], e)["counterparty"] == "E-2"
    assert ledger.entry_view(p["e3"], e)["counterparty"] is None


def test_update_changes_only_the_given_fields_and_audits_both_sides(session, p):
    e = ledger.create_entry(session, p["e1"], entry(cas=None))
    ledger.update_entry(session, p["e1"], e.id, {"cas": "67-64-1", "permit_number": "P-1"})
    assert (e.cas, e.permit_number, e.quantity_t, e.updated_by) == (
        "67-64-1", "P-1", 10.0, "enterprise:handler@e1.test")
    ev = session.scalar(select(AuditEvent).where(AuditEvent.action == "ledger.update"))
    assert ev.changes["cas"] == [None, "67-64-1"] and "quantity_t" not in ev.changes
    with pytest.raises(ValidationFailed):
        ledger.update_entry(session, p["e1"], e.id, {"quantity_t": -1})
    ledger.create_entry(session, p["e1"], entry(batch_code="B-2"))
    with pytest.raises(Conflict):
        ledger.update_entry(session, p["e1"], e.id, {"batch_code": "B-2"})


def test_import_is_all_or_nothing_and_names_every_row_and_field(session, p):
    rows = [entry(batch_code="I-1"), entry(batch_code="I-2", cas="67-64-2"),
            entry(batch_code="I-1"), entry(batch_code="I-4", quantity_t="lots", waste_code="HW08")]
    with pytest.raises(ValidationFailed) as exc:
        ledger.import_entries(session, p["e1"], rows)
    assert set(exc.value.errors) == {"$.entries[1].cas", "$.entries[2].batch_code", "$.entries[3].quantity_t",
                                     "$.entries[3].waste_code"}
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
    good = [entry(batch_code="I-1"), entry(batch_code="O-1", direction="out", source_batch="I-1", quantity_t=3)]
    result = ledger.import_entries(session, p["e1"], good)
    assert (result.created, result.by_direction) == (2, {"in": 1, "out": 1})
    out = session.get(LedgerEntry, result.entry_ids[1])
    assert out.source_entry.batch_code == "I-1"  # a row may draw on an earlier row of the same import


def test_import_refuses_another_enterprises_rows(session, p):
    with pytest.raises(ValidationFailed) as exc:
        ledger.import_entries(session, p["e1"], [entry(), entry(batch_code="B-2", enterprise="E-2")])
    assert list(exc.value.errors) == ["$.entries[1].enterprise"]


def test_import_files_parse_csv_json_and_xlsx(session, p):
    csv_text = "batch_code,direction,entry_date,chemical_name,cas,quantity_t,content_ratio,counterparty_name\n" \
               f"C-1,in,{TODAY},丙酮,67-64-1,5,0.5,某公司\nC-2,consumed,{TODAY},丙酮,67-64-1,2,,\n"
    rows = ledger.parse_rows(csv_text.encode(), "csv")
    assert rows[1] == {"batch_code": "C-2", "direction": "consumed", "entry_date": TODAY.isoformat(),
                       "chemical_name": "丙酮", "cas": "67-64-1", "quantity_t": "2", "content_ratio": "",
                       "counterparty_name": ""}
    assert ledger.import_entries(session, p["e1"], rows).created == 2
    assert ledger.parse_rows(json.dumps({"entries": [entry()]}), "json") == [entry()]
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["batch_code", "direction", "entry_date", "chemical_name", "quantity_t"])
    wb.active.append([1001, "produced", TODAY, "树脂", 3.5])
    buf = io.BytesIO()
    wb.save(buf)
    [row] = ledger.parse_rows(buf.getvalue(), "xlsx")
    e = ledger.create_entry(session, p["e1"], row)
    assert (e.batch_code, e.direction, e.entry_date, e.quantity_t) == ("1001", "produced", TODAY, 3.5)
    with pytest.raises(ValidationFailed):
        ledger.parse_rows(b"not a workbook", "xlsx")


def test_a_csv_saved_by_excel_on_chinese_windows_imports(session, p):
    # GBK, dates as Excel writes them there ("2026/1/5", "2026/1/5 0:00"), and one typed in Chinese.
    day = TODAY - dt.timedelta(days=3)
    slash, chinese = f"{day.year}/{day.month}/{day.day}", f"{day.year}年{day.month}月{day.day}日"
    csv_text = ("batch_code,direction,entry_date,chemical_name,cas,quantity_t\r\n"
                f"X-1,in,{slash},丙酮,67-64-1,5\r\nX-2,in,{slash} 0:00,二氯甲烷,75-09-2,1.5\r\n"
                f"X-3,consumed,{chinese},丙酮,67-64-1,2\r\n")
    rows = ledger.parse_rows(csv_text.encode("gbk"), "csv")
    assert ledger.import_entries(session, p["e1"], rows).created == 3
    stored = session.scalars(select(LedgerEntry).where(LedgerEntry.batch_code.in_(["X-1", "X-2", "X-3"]))).all()
    assert {(e.batch_code, e.entry_date, e.chemical_name) for e in stored} == {
        ("X-1", day, "丙酮"), ("X-2", day, "二氯甲烷"), ("X-3", day, "丙酮")}


def test_a_waste_code_typed_with_full_width_digits_or_spaces_is_stored_in_the_lists_form(session, p):
    e = ledger.create_entry(session, p["e1"], entry(direction="produced", waste_code="９００ ０４１ ４９"))
    assert e.waste_code == "900-041-49"


def test_a_quantity_formatted_with_separators_is_read_and_an_ambiguous_comma_is_refused(session, p):
    # As Excel shows a formatted cell, or as a person writes it; Excel's own 1.5E-05 stays a number.
    e = ledger.create_entry(session, p["e1"], entry(quantity_t="1,234.5", content_ratio="1.5E-05"))
    assert (e.quantity_t, e.content_ratio) == (1234.5, 1.5e-05)
    with pytest.raises(ValidationFailed) as exc:
        ledger.create_entry(session, p["e1"], entry(batch_code="B-2", quantity_t="20,500"))
    assert exc.value.errors["quantity_t"] == [
        "'20,500' could be 20.5 or 20500: write it without the comma (无法确定是 20.5 还是 20500，请去掉逗号)"]


def test_a_date_whose_day_month_order_is_unsure_is_refused_in_both_languages(session, p):
    with pytest.raises(ValidationFailed) as exc:
        ledger.import_entries(session, p["e1"], [entry(entry_date="1/5/2026")])
    [reason] = exc.value.errors["$.entries[0].entry_date"]
    assert reason.startswith("must be a date such as 2026-01-05, 2026/1/5, 2026年1月5日, got '1/5/2026' (日期格式应为")


# --- receipts ------------------------------------------------------------------------------------

def _received(session, p, quantity=40.0, received=39.6, before_receipt=None):
    ids = dict(session.execute(select(Listing.ref, Listing.id)).all())
    m = workflow.propose(session, p["coord"], ids["O-1"], ids["N-1"], 100.0)
    workflow.decide(session, p["e2"], m.id, "accept")
    workflow.decide(session, p["e1"], m.id, "accept")
    workflow.decide(session, p["coord"], m.id, "approve", "licence checked")
    s = transfers.create_shipment(session, p["e2"], m.id, quantity_t=quantity,
                                  containers=[{"packaging": "drum", "quantity_t": quantity}])
    transfers.dispatch(session, p["e2"], s.id)
    if before_receipt:
        before_receipt(s)
    transfers.receive(session, p["e1"], s.id, quantity_received_t=received)
    return s


def test_receipt_books_the_receivers_in_entry_from_the_offers_dominant_component(session, p):
    s = _received(session, p)
    [e] = session.scalars(select(LedgerEntry).where(LedgerEntry.shipment_id == s.id))
    offer = s.match.offer
    best = max((c for c in offer.components if c.role == "composition" and c.cas), key=lambda c: c.fraction,
               default=None)
    assert (e.direction, e.batch_code, e.quantity_t, e.counterparty_id, e.waste_code) == (
        "in", s.manifest_number, 39.6, s.producer_id, s.waste_code)
    assert e.enterprise_id == s.receiver_id and e.entry_date == park_date(s.received_at)
    assert e.permit_number == s.licence_number  # the receiver's licence the transfer ran under
    if best is not None:
        assert (e.cas, e.content_ratio) == (best.cas, best.fraction)
    else:
        assert (e.cas, e.chemical_name, e.content_ratio) == (None, s.material, 1.0)
    # The manifest's record: its owner may add a note, nothing else.
    ledger.update_entry(session, p["e1"], e.id, {"note": "入库 stored in tank 3"})
    with pytest.raises(ValidationFailed) as exc:
        ledger.update_entry(session, p["e1"], e.id, {"quantity_t": 40.0})
    assert "quantity_t" in exc.value.errors
    with pytest.raises(Conflict):  # booking the same manifest twice is refused
        ledger.record_receipt(session, s, actor="test")


def test_receipt_without_a_cas_component_uses_the_material(session, p):
    def drop_cas(s):  # the offer's only component loses its CAS after approval (named, not numbered)
        for c in s.match.offer.components:
            c.cas = None
        session.flush()

    s = _received(session, p, before_receipt=drop_cas)
    e = session.scalar(select(LedgerEntry).where(LedgerEntry.shipment_id == s.id))
    assert (e.cas, e.chemical_name, e.content_ratio) == (None, s.material, 1.0)


def test_nothing_received_books_nothing(session, p):
    s = _received(session, p, received=0)
    assert session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.shipment_id == s.id)) == 0
    assert session.scalar(select(Enterprise.ref).where(Enterprise.id == s.receiver_id)) == "E-1"


# --- what a receipt books: the waste's principal hazardous component, never its water --------------

PLATER = {"ref": "E-5", "name": "滨海电镀中心", "park": "BH", "industry": "3360", "industry_name": "Electroplating",
          "province": "天津市", "lat": 39.03, "lon": 117.69}
SMELTER = {"ref": "E-6", "name": "滨海有色金属回收有限公司", "park": "BH", "industry": "3216",
           "industry_name": "Nickel smelting", "province": "天津市", "lat": 39.01, "lon": 117.71,
           "licences": [{"number": "TJ-HW-0017", "kind": "hw_comprehensive", "categories": ["HW17"],
                         "codes": ["336-054-17"], "activities": ["collect", "store", "utilise"],
                         "annual_capacity_t": 5000, "valid_from": "2025-01-01", "valid_to": "2029-12-31"}]}
NICKEL_SLUDGE = {"ref": "O-5", "kind": "offer", "enterprise": "E-5", "title": "Nickel electroplating sludge",
                 "title_zh": "镀镍污泥", "description": "", "waste_code": "336-054-17", "form": "sludge",
                 "composition": [{"name": "水", "cas": "7732-18-5", "fraction": 0.70},
                                 {"name": "氢氧化镍 nickel hydroxide", "cas": "12054-48-7", "fraction": 0.20},
                                 {"name": "石膏 gypsum", "cas": "10101-41-4", "fraction": 0.10}],
                 "composition_complete": True, "quantity_t": 600, "period": "year",
                 "available_from": "2026-01-01", "available_to": None, "price_cny_per_t": -600,
                 "current_route": "landfill"}
NICKEL_NEED = {"ref": "N-5", "kind": "need", "enterprise": "E-6", "title": "Nickel sludge for smelting",
               "title_zh": "含镍污泥火法回收", "form": None, "forms": ["sludge"], "quantity_t": 2000, "period": "year",
               "available_from": "2026-01-01", "available_to": "2027-12-31", "price_cny_per_t": -300,
               "purpose": "recycle", "max_distance_km": 150, "wanted": [], "limits": []}


def _nickel_receipt(session, p, composition):
    from marketplace.models import Park
    from marketplace.services.accounts.users import Principal
    from marketplace.services.listings.interchange import import_document
    from tests.factories import PARK

    import_document(session, {"format": "wastematch.v1", "parks": [PARK], "enterprises": [PLATER, SMELTER],
                              "listings": [{**NICKEL_SLUDGE, "composition": composition}, NICKEL_NEED]}, actor="test")
    ents = dict(session.execute(select(Enterprise.ref, Enterprise.id)).all())
    park_ids = frozenset(session.scalars(select(Park.id).where(Park.code == "BH")))
    plater = Principal(user_id=None, email="plater@e5.test", role="enterprise", enterprise_id=ents["E-5"],
                       enterprise_ref="E-5", park_ids=frozenset())
    smelter = Principal(user_id=None, email="smelter@e6.test", role="enterprise", enterprise_id=ents["E-6"],
                        enterprise_ref="E-6", park_ids=frozenset())
    assert p["coord"].park_ids == park_ids
    ids = dict(session.execute(select(Listing.ref, Listing.id)).all())
    m = workflow.propose(session, p["coord"], ids["O-5"], ids["N-5"], 50.0)
    workflow.decide(session, plater, m.id, "accept")
    workflow.decide(session, smelter, m.id, "accept")
    workflow.decide(session, p["coord"], m.id, "approve", "licence checked")
    s = transfers.create_shipment(session, plater, m.id, quantity_t=20.0,
                                  containers=[{"packaging": "bag", "quantity_t": 20.0}])
    transfers.dispatch(session, plater, s.id)
    transfers.receive(session, smelter, s.id, quantity_received_t=20.0)
    return session.scalar(select(LedgerEntry).where(LedgerEntry.shipment_id == s.id)), s


def test_a_water_rich_nickel_sludge_is_booked_as_its_nickel_not_its_water(session, p):
    e, _s = _nickel_receipt(session, p, NICKEL_SLUDGE["composition"])
    assert (e.cas, e.content_ratio, e.waste_code) == ("12054-48-7", 0.20, "336-054-17")
    assert "nickel" in e.chemical_name and e.quantity_t == 20.0


def test_a_hazardous_minor_component_outranks_a_larger_harmless_one(session, p):
    # The demo's O-016 shape: water 65 %, gypsum 8 %, nickel 3.5 %: the nickel is what the ledger follows.
    e, _s = _nickel_receipt(session, p, [{"name": "水", "cas": "7732-18-5", "fraction": 0.65},
                                         {"name": "石膏 gypsum", "cas": "10101-41-4", "fraction": 0.08},
                                         {"name": "镍 nickel", "cas": "7440-02-0", "fraction": 0.035},
                                         {"name": "铁 iron", "cas": "7439-89-6", "fraction": 0.025}])
    assert (e.cas, e.content_ratio) == ("7440-02-0", 0.035)


def test_a_waste_of_only_water_with_a_cas_is_booked_as_the_waste_itself(session, p):
    e, s = _nickel_receipt(session, p, [{"name": "水", "cas": "7732-18-5", "fraction": 0.90},
                                        {"name": "镍盐 nickel salts", "fraction": 0.10}])
    assert (e.cas, e.chemical_name, e.content_ratio, e.waste_code) == (None, s.material, 1.0, "336-054-17")
