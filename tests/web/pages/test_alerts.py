"""Alerts: the coordinator sees a short-weight receipt, acknowledges it (a note is required), scans; scopes."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.models import Alert
from tests.web.pages.test_shipments import shipment_in


def weight_alert(pages) -> Alert:
    """A shipment received 20 % short: its weight_mismatch alert is raised at once."""
    s = shipment_in(pages.session, "received")
    alert = pages.session.scalar(select(Alert).where(Alert.shipment_id == s.id, Alert.kind == "weight_mismatch"))
    assert alert is not None and alert.status == "open"
    return alert


def status_of(pages, alert_id: int) -> str:
    pages.session.expire_all()
    return pages.session.get(Alert, alert_id).status


def test_a_coordinator_acknowledges_an_alert(pages):
    alert = weight_alert(pages)
    pages.sign_in("coord")
    page = pages.text("/alerts?status=open&kind=weight_mismatch")
    assert "过磅重量不符" in page and alert.shipment.manifest_number in page
    res = pages.post(f"/alerts/{alert.id}/acknowledge", {"note": ""})
    assert res.status_code == 422 and "请填写处理说明" in res.get_data(as_text=True)
    assert status_of(pages, alert.id) == "open"
    res = pages.post(f"/alerts/{alert.id}/acknowledge", {"note": "已联系接收单位复磅", "back": "/alerts?status=open"})
    assert res.status_code == 302 and res.headers["Location"] == "/alerts?status=open"
    assert status_of(pages, alert.id) == "acknowledged"
    assert "已联系接收单位复磅" in pages.text("/alerts?status=acknowledged")


def test_a_scan_says_what_it_did(pages):
    weight_alert(pages)
    pages.sign_in("coord")
    res = pages.post("/alerts/scan", {}, follow_redirects=True)
    assert res.status_code == 200 and "扫描完成：新增 0 条预警，解除 0 条，仍有 1 条有效" in res.get_data(as_text=True)


def test_scopes_and_csrf(pages):
    alert = weight_alert(pages)
    pages.sign_in("e1")
    assert pages.get("/alerts").status_code == 403
    assert pages.post(f"/alerts/{alert.id}/acknowledge", {"note": "x"}).status_code == 403
    pages.sign_in("coord_nk")  # the shipment is within BH: not NK's
    assert alert.shipment.manifest_number not in pages.text("/alerts")
    assert pages.post(f"/alerts/{alert.id}/acknowledge", {"note": "x"}).status_code == 404
    pages.sign_in("coord")
    assert pages.client.post(f"/alerts/{alert.id}/acknowledge", data={"note": "x"}).status_code == 400
    assert status_of(pages, alert.id) == "open"


def test_alerts_in_english(pages):
    weight_alert(pages)
    pages.sign_in("coord")
    pages.language("en")
    page = pages.text("/alerts")
    assert "Weight mismatch" in page and "beyond the 5 % tolerance" in page and "容差" not in page
