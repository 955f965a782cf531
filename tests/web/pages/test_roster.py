"""The roster page: a coordinator computes the roster (an HBCDD user with its prohibited use, an ethanol user not
on it), sees obligations and violations in Chinese, removes an entry with a reason; enterprises are kept out."""
from __future__ import annotations

from tests.marketplace.services.governance.roster_fixtures import ETHANOL_USE, HBCDD_USE, declare_accepted


def _declared(pages) -> None:
    declare_accepted(pages.session, "E-1", 2025, [HBCDD_USE])
    declare_accepted(pages.session, "E-2", 2025, [ETHANOL_USE])
    pages.session.commit()


def test_a_coordinator_computes_and_decides(pages):
    _declared(pages)
    pages.sign_in("coord")
    assert "重点管控企业名单" in pages.text("/roster?park=BH&year=2025")
    res = pages.post("/roster/compute", {"park": "BH", "year": "2025"})
    assert res.status_code == 302
    page = pages.text("/roster?park=BH&year=2025")
    assert "E-1" in page and "六溴环十二烷" in page and "违规使用禁用物质" in page and "拟列入" in page
    assert "E-2" not in page
    refused = pages.post("/roster/E-1/2025/remove", {"park": "BH", "reason": ""})
    assert refused.status_code == 302
    assert "拟列入" in pages.text("/roster?park=BH&year=2025")
    pages.post("/roster/E-1/2025/remove", {"park": "BH", "reason": "申报有误"})
    page = pages.text("/roster?park=BH&year=2025")
    assert "已移出" in page and "申报有误" in page


def test_the_page_in_english(pages):
    _declared(pages)
    pages.sign_in("coord")
    pages.language("en")
    pages.post("/roster/compute", {"park": "BH", "year": "2025"})
    page = pages.text("/roster?park=BH&year=2025")
    assert "Key-enterprise roster" in page and "Prohibited use" in page and "Hexabromocyclododecane" in page


def test_enterprises_are_kept_out(pages):
    pages.sign_in("e1")
    assert pages.get("/roster").status_code in (302, 403)
