"""Hazardous waste declaration pages: the producer opens its year (filled from the manifests), a typo is refused
beside its field and nothing is kept, a mismatch submitted shows beside the line, the coordinator returns it with
a reason the producer reads, the corrected declaration is accepted; scopes; both languages."""
from __future__ import annotations

import re

from sqlalchemy import select

from marketplace.models import HwDeclaration, LedgerFinding
from marketplace.models.base import CHINA_TZ
from tests.web.pages.test_shipments import shipment_in


def _open(pages) -> tuple[int, int]:
    """E-2 with one dispatched 2 t manifest opens its declaration of that year; (declaration id, year)."""
    shipment = shipment_in(pages.session, "dispatched", quantity=2.0)
    year = shipment.dispatched_at.astimezone(CHINA_TZ).year
    pages.sign_in("e2")
    res = pages.post("/hw-declarations", {"year": str(year)}, csrf_from="/hw-declarations")
    assert res.status_code == 302, res.get_data(as_text=True)[:500]
    found = re.search(r"/hw-declarations/(\d+)$", res.headers["Location"])
    return int(found.group(1)), year


def _lines(transferred: str, generated: str = "2") -> dict[str, str]:
    return {"lines.0.waste_code": "900-214-08", "lines.0.generated_t": generated,
            "lines.0.transferred_t": transferred, "lines.1.waste_code": ""}


def test_a_producer_submits_a_mismatch_is_returned_and_corrects_it(pages):
    did, year = _open(pages)
    page = pages.text(f"/hw-declarations/{did}")
    assert 'value="900-214-08"' in page and 'name="lines.0.transferred_t" id="lines-0-transferred_t" value="2"' in page
    assert "2.000" in page  # the manifests of the year, beside the line

    # An ambiguous comma is refused beside its field with both of its readings; nothing is saved.
    res = pages.post(f"/hw-declarations/{did}/lines", {**_lines("1,500"), "action": "submit"},
                     csrf_from=f"/hw-declarations/{did}")
    assert res.status_code == 422
    assert "1.5" in res.get_data(as_text=True) and "1500" in res.get_data(as_text=True)
    pages.session.expire_all()
    assert pages.session.get(HwDeclaration, did).status == "draft"

    res = pages.post(f"/hw-declarations/{did}/lines", {**_lines("1.5"), "action": "submit"},
                     csrf_from=f"/hw-declarations/{did}")
    assert res.status_code == 302
    pages.session.expire_all()
    decl = pages.session.get(HwDeclaration, did)
    assert decl.status == "submitted" and [c["code"] for c in decl.checks] == ["manifest_mismatch", "unbalanced"]
    mismatch = select(LedgerFinding.status).where(LedgerFinding.code == "declaration_mismatch")
    assert pages.session.scalar(mismatch) == "open"  # (a plan_missing finding may stand beside it after 31 March)
    page = pages.text(f"/hw-declarations/{did}")
    assert "Differs from the manifests" in page or "与联单不符" in page

    pages.client.get("/signout")
    pages.sign_in("coord")
    assert f"/hw-declarations/{did}" in pages.text("/hw-declarations")
    assert f'value="/hw-declarations/{did}"' in pages.text("/notifications")  # the notice opens the declaration
    res = pages.post(f"/hw-declarations/{did}/return", {"reason": ""}, csrf_from=f"/hw-declarations/{did}")
    assert res.status_code == 422
    res = pages.post(f"/hw-declarations/{did}/return", {"reason": "转移量应为 2 吨"},
                     csrf_from=f"/hw-declarations/{did}")
    assert res.status_code == 302

    pages.client.get("/signout")
    pages.sign_in("e2")
    assert "转移量应为 2 吨" in pages.text(f"/hw-declarations/{did}")
    res = pages.post(f"/hw-declarations/{did}/lines", {**_lines("2"), "action": "submit"},
                     csrf_from=f"/hw-declarations/{did}")
    assert res.status_code == 302
    pages.client.get("/signout")
    pages.sign_in("coord")
    assert pages.post(f"/hw-declarations/{did}/accept", {}, csrf_from=f"/hw-declarations/{did}").status_code == 302
    pages.session.expire_all()
    assert pages.session.get(HwDeclaration, did).status == "accepted"
    assert pages.session.scalar(mismatch) == "resolved"


def test_scopes_and_chinese(pages):
    did, _year = _open(pages)
    pages.language("zh_CN")
    page = pages.text(f"/hw-declarations/{did}")
    assert "危险废物申报" in page and "年初贮存量（吨）" in page and "本年度联单" in page and "草稿" in page
    pages.client.get("/signout")
    pages.sign_in("e3")
    assert pages.get(f"/hw-declarations/{did}").status_code == 404
    pages.client.get("/signout")
    pages.sign_in("coord_nk")
    assert pages.get(f"/hw-declarations/{did}").status_code == 404
    assert f"/hw-declarations/{did}" not in pages.text("/hw-declarations")
