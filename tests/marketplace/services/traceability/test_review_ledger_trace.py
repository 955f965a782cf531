"""Review findings on the ledger and the trace: confidentiality oracles and leaks found in review."""
from __future__ import annotations

import json
import re

import pytest

from marketplace.errors import NotFound, ValidationFailed
from marketplace.models.base import park_date
from marketplace.services.traceability import ledger, ledger_review, trace
from tests.factories import load_api_park
from tests.marketplace.services.traceability.test_trace import build_chain, principals

TODAY = park_date()


@pytest.fixture()
def world(session):
    p = principals(session, load_api_park(session))
    return session, p, build_chain(session, p)


def _own(session, principal, batch_code):
    return ledger.create_entry(session, principal, {
        "batch_code": batch_code, "direction": "in", "entry_date": TODAY, "chemical_name": "丙酮 acetone",
        "cas": "67-64-1", "quantity_t": 1.0, "counterparty_name": "某化工贸易公司"})


def test_an_entry_does_not_name_a_counterparty_the_owner_has_not_been_disclosed(world):
    _session, p, c = world
    # E-1 named E-4 by ref (a buyer it has no match with): it keeps the ref it gave, never learns E-4's name.
    view = ledger.entry_view(p["e1"], c.product)
    assert view["counterparty"] == "E-4"
    assert "南港水泥有限公司" not in json.dumps(view, ensure_ascii=False)
    # The producer of an approved match is disclosed to the receiver: its name is shown on the receipt.
    assert ledger.entry_view(p["e1"], c.receipt)["counterparty_name"] == c.shipment.producer.name
    # Coordinators of the owner's park see names.
    assert ledger.entry_view(p["coord"], c.product)["counterparty_name"] == "南港水泥有限公司"


@pytest.mark.parametrize("which", ["container", "manifest", "ref_batch"])
def test_a_third_enterprises_own_batch_is_not_shadowed_by_codes_it_cannot_see(world, which):
    """Otherwise tracing its own batch named like another's code tells whether that code exists."""
    session, p, c = world
    code = {"container": c.shipment.containers[0].code, "manifest": c.shipment.manifest_number,
            "ref_batch": "E-1:RB-001"}[which]
    _own(session, p["e3"], code)
    doc = trace.trace(session, p["e3"], code)
    assert doc["kind"] == "batch"
    assert [n["owner"] for n in doc["nodes"]] == ["E-3"] and doc["hidden"] == 0
    # The parties still get the container, manifest or batch they see.
    assert trace.trace(session, p["e1"], code)["kind"] != "batch" or which == "ref_batch"


CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.parametrize(("data", "fmt"), [
    (b"[", "json"), (b'{"a": 1}', "json"), (b"", "csv"), (b"not a workbook", "xlsx"), (b"x", "ods"),
    # Excel's "Unicode text": UTF-16, neither UTF-8 nor GBK (Excel's default "CSV" in China, GBK, is read)
    ("batch_code,chemical_name\nB-1,丙酮\n".encode("utf-16"), "csv"),
])
def test_an_unreadable_import_file_is_a_bilingual_422(data, fmt):
    with pytest.raises(ValidationFailed) as exc:
        ledger.parse_rows(data, fmt)
    assert CJK.search(exc.value.message), exc.value.message
    assert exc.value.errors["file"]


def test_the_import_row_limit_is_bilingual(session):
    p = principals(session, load_api_park(session))
    with pytest.raises(ValidationFailed) as exc:
        ledger.import_entries(session, p["e1"], [{}] * (ledger.MAX_IMPORT_ROWS + 1))
    assert CJK.search(exc.value.message)


def test_unknown_finding_filters_are_bilingual(session):
    p = principals(session, load_api_park(session))
    for kw in ({"status": "nope"}, {"code": "nope"}):
        with pytest.raises(ValidationFailed) as exc:
            ledger_review.filtered_findings(session, p["coord"], **kw)
        assert CJK.search(exc.value.message)


def test_a_batch_cannot_draw_on_itself_bilingual(session):
    p = principals(session, load_api_park(session))
    e = _own(session, p["e1"], "SELF-1")
    with pytest.raises(ValidationFailed) as exc:
        ledger.update_entry(session, p["e1"], e.id, {"direction": "out", "source_batch": "SELF-1",
                                                     "counterparty_name": "某化工贸易公司"})
    assert CJK.search(exc.value.message) and "source_batch" in exc.value.errors


def _row(**kw):
    return {"batch_code": "IMP-1", "direction": "in", "entry_date": TODAY.isoformat(), "chemical_name": "丙酮",
            "cas": "67-64-1", "quantity_t": 2.0, "counterparty_name": "某化工贸易公司", **kw}


@pytest.mark.parametrize("rows", [
    [_row(), _row(batch_code=" IMP-1 ")],             # the same batch twice in one file, blanks aside
    [_row(batch_code=7), _row(batch_code="7")],       # a spreadsheet's number and its text
    [_row(batch_code="IMP-2"), _row(batch_code="EXISTING")],  # one already in the ledger
])
def test_an_import_with_a_duplicate_batch_writes_nothing(session, rows):
    from sqlalchemy import func, select

    from marketplace.models import LedgerEntry

    p = principals(session, load_api_park(session))
    _own(session, p["e1"], "EXISTING")
    before = session.scalar(select(func.count()).select_from(LedgerEntry))
    with pytest.raises(ValidationFailed) as exc:
        ledger.import_entries(session, p["e1"], rows)
    assert any(k.endswith(".batch_code") for k in exc.value.errors)
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == before
    # Another enterprise's batch of that code is no duplicate, and says nothing about it.
    assert ledger.import_entries(session, p["e2"], [_row(batch_code="EXISTING")]).created == 1


def test_a_review_is_idempotent_and_resolves_what_was_corrected(session):
    p = principals(session, load_api_park(session))
    e = _own(session, p["e1"], "NO-CAS")
    ledger.update_entry(session, p["e1"], e.id, {"cas": None})
    first = ledger_review.review(session, p["coord"])
    again = ledger_review.review(session, p["coord"])
    assert first.raised >= 1 and again.raised == 0 and again.still_open == first.raised + first.still_open
    assert again.enterprises_notified == 0
    ledger.update_entry(session, p["e1"], e.id, {"cas": "67-64-1"})
    fixed = ledger_review.review(session, p["coord"])
    assert fixed.resolved >= 1 and fixed.raised == 0
    # An enterprise sees its own findings only, and another's finding is 404 like an unknown one.
    mine = list(session.scalars(ledger_review.visible_findings(p["e1"])))
    assert mine and all(f.enterprise.ref == "E-1" for f in mine)
    for f in mine:
        with pytest.raises(NotFound):
            ledger_review.get_finding(session, p["e2"], f.id)
