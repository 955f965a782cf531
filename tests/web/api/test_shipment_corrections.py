"""``/shipments/{id}/corrections`` and ``/shipments/{id}/return``: ask, decide, list; a return linked both ways;
the status codes of each refusal."""
from __future__ import annotations

from tests.web.api.test_shipments import approved_match, create, step


def test_ask_then_approve_corrects_the_manifest(api):
    sid = create(api, approved_match(api), vehicle="津A12345").json["id"]
    res = api.post(f"shipments/{sid}/corrections", "e2", json={"changes": {"vehicle": "津A54321", "quantity_t": 0.8},
                                                                "reason": "车牌录错 plate mistyped"})
    assert res.status_code == 201, res.json
    cid = res.json["id"]
    assert res.json["changes"] == {"vehicle": ["津A12345", "津A54321"], "quantity_t": [1.0, 0.8]}
    assert api.post(f"shipments/{sid}/corrections", "e1", json={"changes": {"driver": "李"}, "reason": "x"}) \
        .status_code == 409  # one open request
    assert api.post(f"shipments/{sid}/corrections/{cid}/decision", "e1",
                    json={"decision": "approve"}).status_code == 403
    res = api.post(f"shipments/{sid}/corrections/{cid}/decision", "coord", json={"decision": "approve"})
    assert res.status_code == 200 and res.json["status"] == "approved", res.json
    doc = api.get(f"shipments/{sid}", "e1").json
    assert (doc["vehicle"], doc["quantity_t"], sum(c["quantity_t"] for c in doc["containers"])) == (
        "津A54321", 0.8, 0.8)
    assert [c["status"] for c in api.get(f"shipments/{sid}/corrections", "e1").json] == ["approved"]
    assert api.post(f"shipments/{sid}/corrections/{cid}/decision", "admin",
                    json={"decision": "reject", "note": "late"}).status_code == 409


def test_refusals_by_status_code(api):
    sid = create(api, approved_match(api)).json["id"]
    assert api.post(f"shipments/{sid}/corrections", "e3", json={"changes": {"driver": "李"}, "reason": "x"}) \
        .status_code == 404
    assert api.post(f"shipments/{sid}/corrections", "e2", json={"changes": {"status": "closed"}, "reason": "x"}) \
        .status_code == 422
    assert api.post(f"shipments/{sid}/corrections", "e2", json={"changes": {"quantity_t": -1}, "reason": "x"}) \
        .status_code == 422
    assert api.post(f"shipments/{sid}/corrections", "e2", json={"changes": {"driver": "李"}}).status_code == 422
    cid = api.post(f"shipments/{sid}/corrections", "e2", json={"changes": {"driver": "李"}, "reason": "x"}).json["id"]
    assert api.post(f"shipments/{sid}/corrections/{cid}/decision", "coord",
                    json={"decision": "reject"}).status_code == 422  # a rejection needs a note
    res = api.post(f"shipments/{sid}/corrections/{cid}/decision", "coord", json={"decision": "reject", "note": "no"})
    assert res.json["status"] == "rejected" and api.get(f"shipments/{sid}", "e2").json["driver"] is None


def test_a_rejected_load_returns_once_under_a_linked_manifest(api):
    sid = create(api, approved_match(api)).json["id"]
    assert api.post(f"shipments/{sid}/return", "e2", json={}).status_code == 409  # not rejected
    step(api, sid, "e2", "dispatch")
    step(api, sid, "e1", "reject", reason="桶漏 drums leaking")
    assert api.post(f"shipments/{sid}/return", "e1", json={}).status_code == 403
    res = api.post(f"shipments/{sid}/return", "e2", json={"vehicle": "津A99999"})
    assert res.status_code == 201, res.json
    back = res.json
    original = api.get(f"shipments/{sid}", "e1").json
    assert (back["direction"], back["producer"]["ref"], back["receiver"]["ref"]) == ("return", "E-1", "E-2")
    assert back["returned_from"]["manifest_number"] == original["manifest_number"]
    assert original["returned_by"]["manifest_number"] == back["manifest_number"]
    assert api.post(f"shipments/{sid}/return", "coord", json={}).status_code == 409


def test_drafts_are_saved_edited_planned_and_deleted_by_their_author_only(api):
    match = approved_match(api)
    res = api.post("shipments/drafts", "e2", json={"match": match, "quantity_t": 1.0, "vehicle": "津A1"})
    assert res.status_code == 201, res.json
    draft = res.json
    assert (draft["status"], draft["manifest_number"]) == ("draft", None)
    assert api.post("shipments/drafts", "e2", json={"match": match}).status_code == 422
    assert [d["id"] for d in api.get("shipments/drafts", "e2").json] == [draft["id"]]
    assert api.get("shipments/drafts", "e1").json == []
    for who in ("e1", "coord"):
        assert api.get(f"shipments/{draft['id']}", who).status_code == 404
        assert all(s["id"] != draft["id"] for s in api.get("shipments", who).json["items"])
        assert api.patch(f"shipments/drafts/{draft['id']}", who, json={"driver": "x"}).status_code == 404
        assert api.delete(f"shipments/drafts/{draft['id']}", who).status_code == 404
    res = api.patch(f"shipments/drafts/{draft['id']}", "e2", json={"driver": "王师傅", "quantity_t": -1})
    assert res.status_code == 422
    assert api.patch(f"shipments/drafts/{draft['id']}", "e2", json={"driver": "王师傅"}).json["driver"] == "王师傅"
    res = api.post(f"shipments/drafts/{draft['id']}/plan", "e2", json={})
    assert res.status_code == 422  # no containers yet: planning's own check
    other = api.post("shipments/drafts", "e2", json={"match": match, "quantity_t": 2.0,
                                                     "containers": [{"packaging": "ibc", "quantity_t": 2.0}]}).json
    planned = api.post(f"shipments/drafts/{other['id']}/plan", "e2", json={})
    assert planned.status_code == 201 and planned.json["manifest_number"].startswith("BH-"), planned.json
    assert planned.json["status"] == "planned"
    assert api.post(f"shipments/drafts/{other['id']}/plan", "e2", json={}).status_code == 404
    assert api.delete(f"shipments/drafts/{draft['id']}", "e2").status_code == 204
    assert api.get("shipments/drafts", "e2").json == []
