"""``/alerts``: roles (enterprise 403, another park's coordinator 404), scan with thresholds, the
acknowledgement flow, filters and the error shape."""
from __future__ import annotations

import datetime as dt

from marketplace.models.base import park_date
from marketplace.services.accounts import enterprises
from marketplace.services.accounts.users import Principal

ADMIN = Principal(user_id=None, email="test", role="admin")


def _expiring(api, days: int = 10, number: str = "TJ-HW-0001", ref: str = "E-1") -> None:
    enterprises.update_licence(api.session, ADMIN, ref, number,
                               {"valid_to": park_date() + dt.timedelta(days=days)})
    api.session.commit()


def _scan(api, as_: str = "coord", **body):
    r = api.post("alerts/scan", as_, json=body)
    assert r.status_code == 200, r.json
    return r.json


def _first(api, as_: str = "coord", **query):
    r = api.get("alerts", as_, query_string=query)
    assert r.status_code == 200, r.json
    return r.json["items"]


def test_enterprise_users_are_refused_every_operation(api):
    _expiring(api)
    _scan(api, "admin")
    alert_id = _first(api, "admin")[0]["id"]
    for method, path, body in (("GET", "alerts", None), ("GET", f"alerts/{alert_id}", None),
                               ("POST", "alerts/scan", {}), ("POST", f"alerts/{alert_id}/acknowledge", {"note": "x"}),
                               ("POST", f"alerts/{alert_id}/acknowledge", {})):  # 403 before validation
        r = api.call(method, path, "e1", json=body)
        assert r.status_code == 403, (method, path, r.json)
        assert r.json["code"] == 403 and r.json["status"] == "Forbidden" and "role" in r.json["errors"]
    assert api.get("alerts").status_code == 401


def test_scan_list_get_and_acknowledge(api):
    _expiring(api, days=10)
    doc = _scan(api)
    assert doc["raised"] == 1 and doc["by_kind"]["licence_expiring"] == 1 and doc["park"] == "BH"
    assert doc["settings"]["licence_expiry_days"] == 60
    again = _scan(api)
    assert (again["raised"], again["still_active"]) == (0, 1)
    (item,) = _first(api)
    assert item["kind"] == "licence_expiring" and item["status"] == "open" and item["park"] == "BH"
    assert item["enterprise"]["ref"] == "E-1" and item["licence_number"] == "TJ-HW-0001"
    assert item["details"]["days_left"] == 10 and "许可证" in item["message"]
    assert api.get(f"alerts/{item['id']}", "coord").json == item
    # the other park's coordinator neither lists nor sees it
    assert _first(api, "coord_nk") == []
    r = api.get(f"alerts/{item['id']}", "coord_nk")
    assert r.status_code == 404 and r.json["code"] == 404 and "alert" in r.json["errors"]
    r = api.post(f"alerts/{item['id']}/acknowledge", "coord_nk", json={"note": "seen"})
    assert r.status_code == 404
    # note required
    for body in ({}, {"note": ""}):
        r = api.post(f"alerts/{item['id']}/acknowledge", "coord", json=body)
        assert r.status_code == 422 and "note" in r.json["errors"]["json"]
    r = api.post(f"alerts/{item['id']}/acknowledge", "coord", json={"note": "   "})
    assert r.status_code == 422 and r.json["errors"] == {"note": ["required"]}
    r = api.post(f"alerts/{item['id']}/acknowledge", "coord", json={"note": "续证材料已提交 renewal filed"})
    assert r.status_code == 200 and r.json["status"] == "acknowledged"
    assert r.json["acknowledgement"] == "续证材料已提交 renewal filed"
    assert r.json["acknowledged_by"] == "coordinator:coord-bh@wm.test"
    _scan(api)
    assert _first(api, status="acknowledged")[0]["acknowledgement"] == "续证材料已提交 renewal filed"
    assert _first(api, status="open") == []
    # renewed: cleared, and a cleared alert cannot be acknowledged
    _expiring(api, days=400)
    assert _scan(api)["cleared"] == 1
    (cleared,) = _first(api, status="cleared")
    assert cleared["cleared_at"] is not None and cleared["acknowledgement"] == "续证材料已提交 renewal filed"
    r = api.post(f"alerts/{item['id']}/acknowledge", "coord", json={"note": "again"})
    assert r.status_code == 409 and r.json["status"] == "Conflict"
    # the audit trail shows the alert's life to the coordinator of its park
    audit = api.get("audit", "coord", query_string={"entity_type": "alert", "per_page": 100})
    assert audit.status_code == 200
    assert {"raise", "acknowledge", "clear"} <= {e["action"] for e in audit.json["items"]}
    assert "coordinator:coord-bh@wm.test" in {e["actor"] for e in audit.json["items"] if e["action"] == "raise"}


def test_scan_thresholds_and_park_rules(api):
    _expiring(api, days=10)
    doc = _scan(api, licence_expiry_days=5)
    assert doc["raised"] == 0 and doc["settings"]["licence_expiry_days"] == 5
    r = api.post("alerts/scan", "coord", json={"weight_tolerance": -0.1, "licence_expiry_days": "soon"})
    assert r.status_code == 422 and set(r.json["errors"]["json"]) == {"weight_tolerance", "licence_expiry_days"}
    # The devices' thresholds too (issue 20): taken, and refused by field when out of range.
    doc = _scan(api, licence_expiry_days=5, scale_tolerance=0.03, corridor_km=8, stop_minutes=45)
    assert (doc["settings"]["scale_tolerance"], doc["settings"]["corridor_km"], doc["settings"]["stop_minutes"]) == (
        0.03, 8, 45)
    r = api.post("alerts/scan", "coord", json={"corridor_km": -1, "stop_minutes": 1e9})
    assert r.status_code == 422 and set(r.json["errors"]["json"]) == {"corridor_km", "stop_minutes"}
    r = api.post("alerts/scan", "coord", json={"park": "NK"})
    assert r.status_code == 403 and "park" in r.json["errors"]
    r = api.post("alerts/scan", "admin", json={"park": "XX"})
    assert r.status_code == 404 and "park" in r.json["errors"]
    # an admin scans everything; a scan of NK leaves BH's alert alone
    _expiring(api, days=20, number="TJ-HW-0002", ref="E-4")
    assert _scan(api, "admin", park="NK")["raised"] == 1
    assert api.post("alerts/scan", "admin").json["raised"] == 1  # no body at all
    assert {a["licence_number"] for a in _first(api, "admin")} == {"TJ-HW-0001", "TJ-HW-0002"}
    assert [a["licence_number"] for a in _first(api, "admin", park="NK")] == ["TJ-HW-0002"]
    assert [a["licence_number"] for a in _first(api, "admin", kind="licence_expiring", park="BH")] == ["TJ-HW-0001"]
    assert _first(api, "admin", kind="weight_mismatch") == []
    r = api.get("alerts", "admin", query_string={"park": "XX"})
    assert r.status_code == 404
    r = api.get("alerts", "admin", query_string={"kind": "nonsense"})
    assert r.status_code == 422 and "kind" in r.json["errors"]["query"]


def test_a_shipment_alert_between_parks_is_seen_by_both_coordinators(api):
    from sqlalchemy import select

    from marketplace.models import Listing
    from marketplace.models.base import utcnow
    from marketplace.services.traceability import transfers
    from marketplace.services.matching import workflow
    from marketplace.services.accounts.users import resolve_token

    p = {k: resolve_token(api.session, t) for k, t in api.tokens.items()}
    ids = dict(api.session.execute(select(Listing.ref, Listing.id)).all())
    m = workflow.propose(api.session, p["coord"], ids["O-2"], ids["N-2"], 100)  # BH garage → NK cement kiln
    for who, action in (("e3", "accept"), ("e4", "accept"), ("coord", "approve")):
        workflow.decide(api.session, p[who], m.id, action, "ok")
    sent = utcnow() - dt.timedelta(days=5)
    s = transfers.create_shipment(api.session, p["coord"], m.id, quantity_t=100,
                                  containers=[{"packaging": "ibc", "quantity_t": 100}], now=sent)
    transfers.dispatch(api.session, p["coord"], s.id, now=sent)
    api.session.commit()
    doc = _scan(api, "coord_nk")  # NK's scan covers shipments its enterprises receive
    assert doc["by_kind"]["not_received"] == 1 and doc["park"] == "NK"
    assert _scan(api, "coord", receipt_days=6)["cleared"] == 1  # BH's, with a longer window: not overdue
    _scan(api, "coord")
    cleared, item = sorted(_first(api, "coord_nk", kind="not_received"), key=lambda a: a["id"])
    assert cleared["status"] == "cleared" and item["status"] == "open"  # raised anew; the cleared one is kept
    assert item["park"] == "BH" and item["shipment"]["manifest_number"] == s.manifest_number
    assert item["enterprise"]["ref"] == "E-4" and item["severity"] == "warning"
    assert [a["id"] for a in _first(api, "coord", status="open")] == [item["id"]]
    assert [a["id"] for a in _first(api, "coord_nk", park="NK", status="open")] == [item["id"]]
    r = api.post(f"alerts/{item['id']}/acknowledge", "coord_nk", json={"note": "承运人已联系 carrier delayed"})
    assert r.status_code == 200 and r.json["acknowledged_by"] == "coordinator:coord-nk@wm.test"
    assert api.get(f"alerts/{item['id']}", "e4").status_code == 403
