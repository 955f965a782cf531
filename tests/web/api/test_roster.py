"""``/roster``: compute and list a park's roster (an HBCDD user with its banned_use violation, an ethanol user
not on it), confirm and remove with a reason, obligations recorded, and who may do what."""
from __future__ import annotations

from tests.marketplace.services.governance.roster_fixtures import ETHANOL_USE, HBCDD_USE, declare_accepted


def _declared(api) -> None:
    declare_accepted(api.session, "E-1", 2025, [HBCDD_USE])
    declare_accepted(api.session, "E-2", 2025, [ETHANOL_USE])
    api.session.commit()


def test_compute_list_and_decide(api):
    _declared(api)
    r = api.post("roster/compute", "coord", json={"park": "BH", "year": 2025})
    assert r.status_code == 200, r.json
    (entry,) = r.json["roster"]
    assert entry["enterprise"] == "E-1" and entry["status"] == "proposed"
    assert [v["code"] for v in entry["violations"] if v["code"] == "banned_use"] == ["banned_use"]
    listed = api.get("roster", "coord", query_string={"park": "BH", "year": 2025})
    assert listed.status_code == 200 and [e["enterprise"] for e in listed.json["roster"]] == ["E-1"]
    alerts = api.get("alerts", "coord", query_string={"kind": "banned_use"}).json["items"]
    assert [a["enterprise"]["ref"] for a in alerts] == ["E-1"]
    r = api.post("roster/E-1/2025/remove", "coord", json={})
    assert r.status_code == 422 and "reason" in r.json["errors"]
    r = api.post("roster/E-1/2025/confirm", "coord", json={})
    assert r.status_code == 200 and r.json["status"] == "confirmed"
    assert api.post("roster/E-1/2025/confirm", "coord", json={}).status_code == 409
    r = api.post("roster/E-1/2025/remove", "coord", json={"reason": "declared in error"})
    assert r.status_code == 200 and r.json["status"] == "removed" and r.json["violations"] == []
    notes = api.get("notifications", "e1").json["items"]
    assert {n["kind"] for n in notes} >= {"roster_decision"}


def test_obligations_are_recorded_by_the_enterprise_or_its_coordinator(api):
    _declared(api)
    entry = api.post("roster/compute", "coord", json={"park": "BH", "year": 2025}).json["roster"][0]
    ob = next(o for o in entry["obligations"] if o["code"] == "monitoring")
    assert api.post(f"roster/obligations/{ob['id']}", "e2", json={"status": "done", "evidence": "x"}).status_code == 404
    assert api.post(f"roster/obligations/{ob['id']}", "e1", json={"status": "waived", "evidence": "x"}).status_code == 403
    r = api.post(f"roster/obligations/{ob['id']}", "e1", json={"status": "done", "evidence": "monitoring report"})
    assert r.status_code == 200 and r.json["status"] == "done"
    r = api.post(f"roster/obligations/{ob['id']}", "coord", json={"status": "open"})
    assert r.status_code == 200 and r.json["stored_status"] == "open"


def test_who_may_see_and_compute(api):
    _declared(api)
    assert api.get("roster", "e1", query_string={"year": 2025}).status_code == 403
    assert api.post("roster/compute", "coord_nk", json={"park": "BH", "year": 2025}).status_code == 403
    assert api.post("roster/compute", "coord", json={"park": "XX", "year": 2025}).status_code == 404
    r = api.post("roster/compute", "coord", json={"park": "BH", "year": 1800})
    assert r.status_code == 422 and "year" in r.json["errors"]["json"]
    assert api.get("roster", "coord", query_string={"park": "BH"}).status_code == 422
