"""Ledger pages: record one entry (errors keep the input), filters, the all-or-nothing import, scopes, CSRF, English."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from marketplace.models import LedgerEntry
from marketplace.services.traceability import ledger
from tests.web.pages.test_shipments import principals

ENTRY = {"batch_code": "B-100", "direction": "in", "entry_date": "2026-01-05", "chemical_name": "base oil",
         "cas": "64742-54-7", "quantity_t": "12.5", "counterparty_name": "某炼油厂"}
CSV_OK = ("batch_code,direction,entry_date,chemical_name,cas,quantity_t,counterparty_name,source_batch\n"
          "C-1,in,2026-01-02,base oil,64742-54-7,10,某炼油厂,\n"
          "C-2,out,2026-01-03,base oil,64742-54-7,4,某回收站,C-1\n")
CSV_BAD = ("batch_code,direction,entry_date,cas,quantity_t\n"
           "D-1,in,2026-01-02,64742-54-7,10\n"
           "D-2,sideways,2026-01-03,64742-54-8,-4\n")


def count(pages, **where) -> int:
    stmt = select(func.count(LedgerEntry.id))
    for k, v in where.items():
        stmt = stmt.where(getattr(LedgerEntry, k) == v)
    return pages.session.scalar(stmt)


def test_an_enterprise_records_an_entry_and_finds_it(pages):
    pages.sign_in("e1")
    form = pages.text("/ledger/new")
    assert 'name="batch_code"' in form and 'name="enterprise"' not in form
    res = pages.post("/ledger/new", ENTRY)
    assert res.status_code == 302 and res.headers["Location"].endswith("/ledger")
    assert count(pages, batch_code="B-100") == 1
    page = pages.text("/ledger")
    assert "B-100" in page and "某炼油厂" in page and "64742-54-7" in page
    assert "B-100" in pages.text("/ledger?direction=in&since=2026-01-01&until=2026-01-31&cas=64742-54-7")
    assert "B-100" not in pages.text("/ledger?direction=out")
    assert "B-100" not in pages.text("/ledger?since=2026-02-01")
    assert pages.text("/ledger?since=not-a-day").count("B-100") == 1  # a bad day is shown and ignored


def test_a_bad_entry_keeps_the_input_and_writes_nothing(pages):
    pages.sign_in("e1")
    res = pages.post("/ledger/new", {**ENTRY, "cas": "64742-54-8", "quantity_t": "-2"})
    page = res.get_data(as_text=True)
    assert res.status_code == 422
    assert 'value="64742-54-8"' in page and 'value="-2"' in page and 'value="某炼油厂"' in page
    assert 'aria-invalid="true"' in page and count(pages) == 0
    assert pages.post("/ledger/new", ENTRY).status_code == 302
    res = pages.post("/ledger/new", ENTRY)  # the same batch twice: 409, kept
    assert res.status_code == 409 and 'value="B-100"' in res.get_data(as_text=True)
    assert count(pages, batch_code="B-100") == 1


def test_the_import_is_all_or_nothing(pages):
    pages.sign_in("e1")
    res = pages.post("/ledger/import", {"file": (io.BytesIO(CSV_BAD.encode()), "ledger.csv")},
                     content_type="multipart/form-data")
    page = res.get_data(as_text=True)
    assert res.status_code == 422 and "direction" in page and "cas" in page and "quantity_t" in page
    assert "<td>2</td>" in page and count(pages) == 0  # the second data row, and nothing imported
    res = pages.post("/ledger/import", {"file": (io.BytesIO(b"x"), "ledger.pdf")}, content_type="multipart/form-data")
    assert res.status_code == 422
    res = pages.post("/ledger/import", {"file": (io.BytesIO(CSV_OK.encode("utf-8-sig")), "ledger.csv")},
                     content_type="multipart/form-data")
    assert res.status_code == 302 and count(pages) == 2
    out = pages.session.scalar(select(LedgerEntry).where(LedgerEntry.batch_code == "C-2"))
    assert out.source_entry is not None and out.source_entry.batch_code == "C-1"


def test_scopes_coordinators_and_csrf(pages):
    ledger.create_entry(pages.session, principals(pages.session)["e1"], {**ENTRY, "batch_code": "SECRET-1"})
    pages.session.commit()
    pages.sign_in("e2")
    assert "SECRET-1" not in pages.text("/ledger")
    pages.sign_in("coord")  # BH: sees E-1's ledger and records for an enterprise it names
    assert "SECRET-1" in pages.text("/ledger?enterprise=E-1")
    res = pages.post("/ledger/new", {**ENTRY, "batch_code": "C-9"})
    assert res.status_code == 422 and count(pages, batch_code="C-9") == 0  # no enterprise named
    assert pages.post("/ledger/new", {**ENTRY, "batch_code": "C-9", "enterprise": "E-2"}).status_code == 302
    pages.sign_in("coord_nk")
    assert "SECRET-1" not in pages.text("/ledger")
    res = pages.client.post("/ledger/new", data={**ENTRY, "batch_code": "C-10"})
    assert res.status_code == 400 and count(pages, batch_code="C-10") == 0


def test_the_ledger_in_english(pages):
    pages.sign_in("e1")
    assert "化学物质流向台账" in pages.text("/ledger")
    pages.language("en")
    assert "Chemical flow ledger" in pages.text("/ledger")
    assert "Record a ledger entry" in pages.text("/ledger/new")
