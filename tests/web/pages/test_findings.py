"""Ledger findings: the coordinator reviews a park, sees and dismisses findings (a note is required); scopes."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.models import LedgerFinding
from marketplace.services.traceability import ledger, ledger_review
from tests.web.pages.test_shipments import principals

NAMELESS = {"batch_code": "X-1", "direction": "in", "entry_date": "2026-01-05", "chemical_name": "废溶剂",
            "quantity_t": 3}  # no CAS, no supplier: two findings


def reviewed(pages) -> list[LedgerFinding]:
    """E-2's ledger with problems, reviewed by the BH coordinator (committed)."""
    p = principals(pages.session)
    ledger.create_entry(pages.session, p["e2"], NAMELESS)
    ledger_review.review(pages.session, p["coord"])
    pages.session.commit()
    return list(pages.session.scalars(select(LedgerFinding).order_by(LedgerFinding.id)))


def test_the_coordinator_runs_a_review_and_sees_what_it_found(pages):
    ledger.create_entry(pages.session, principals(pages.session)["e2"], NAMELESS)
    pages.session.commit()
    pages.sign_in("coord")
    res = pages.post("/ledger/findings/review", {}, follow_redirects=True)
    page = res.get_data(as_text=True)
    assert res.status_code == 200 and "核查完成：新发现 2 个问题" in page
    assert "缺少CAS号" in page and "开发区汽车维修中心" in page
    assert "X-1" in pages.text("/ledger/findings?status=open&kind=missing_cas")
    assert "X-1" not in pages.text("/ledger/findings?kind=out_exceeds_in")


def test_a_review_of_a_park_not_ones_own_is_refused_and_reviews_nothing(pages):
    ledger.create_entry(pages.session, principals(pages.session)["e2"], NAMELESS)
    pages.session.commit()
    pages.sign_in("coord_nk")
    res = pages.post("/ledger/findings/review", {"park": "BH"}, follow_redirects=True)
    assert "非所辖园区" in res.get_data(as_text=True)
    assert pages.session.scalars(select(LedgerFinding)).first() is None


def test_dismissing_needs_a_note(pages):
    finding = reviewed(pages)[0]
    pages.sign_in("coord")
    res = pages.post(f"/ledger/findings/{finding.id}/dismiss", {"note": "   "})
    page = res.get_data(as_text=True)
    assert res.status_code == 422 and "须填写核销说明" in page and 'aria-invalid="true"' in page
    pages.session.expire_all()
    assert pages.session.get(LedgerFinding, finding.id).status == "open"
    res = pages.post(f"/ledger/findings/{finding.id}/dismiss", {"note": "混合废溶剂，无法提供CAS号"})
    assert res.status_code == 302
    pages.session.expire_all()
    assert pages.session.get(LedgerFinding, finding.id).status == "dismissed"
    assert "混合废溶剂" in pages.text("/ledger/findings?status=dismissed")


def test_scopes_and_the_enterprise_view(pages):
    finding = reviewed(pages)[0]
    pages.sign_in("e2")
    assert pages.get("/ledger/findings").status_code == 403
    assert pages.post(f"/ledger/findings/{finding.id}/dismiss", {"note": "mine"}).status_code == 403
    page = pages.text("/ledger")  # the enterprise sees its open findings beside its ledger
    assert 'id="findings"' in page and "X-1" in page
    assert 'value="/ledger#findings"' in pages.text("/notifications")  # "view" marks it read, then goes there
    pages.sign_in("coord_nk")
    assert "X-1" not in pages.text("/ledger/findings")
    assert pages.post(f"/ledger/findings/{finding.id}/dismiss", {"note": "not mine"}).status_code == 404
    res = pages.client.post("/ledger/findings/review", data={})
    assert res.status_code == 400


def test_findings_in_english(pages):
    reviewed(pages)
    pages.sign_in("coord")
    pages.language("en")
    page = pages.text("/ledger/findings")
    assert "Review the ledgers now" in page and "Batch X-1 has no CAS number" in page
    assert "缺少CAS号" not in page
