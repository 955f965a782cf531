"""``/shipments``: plan, step through the manifest, history, printouts and exports; the errors and scopes."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from marketplace.models import Listing

ERROR_KEYS = {"code", "status", "message", "errors"}
DRUMS = [{"packaging": "drum", "quantity_t": 0.5}, {"packaging": "drum", "quantity_t": 0.5}]


def approved_match(api, offer: str = "O-1", need: str = "N-1", quantity: float = 10) -> int:
    ids = dict(api.session.execute(select(Listing.ref, Listing.id)).all())
    res = api.post("matches", "coord", json={"offer": ids[offer], "need": ids[need], "quantity_t": quantity})
    assert res.status_code == 201, res.json
    match_id = res.json["id"]
    owner = {"O-1": "e2", "O-2": "e3", "N-1": "e1", "N-2": "e4"}
    for who in (owner[offer], owner[need]):
        assert api.post(f"matches/{match_id}/decisions", who, json={"action": "accept"}).status_code == 200
    res = api.post(f"matches/{match_id}/decisions", "coord", json={"action": "approve"})
    assert res.json["status"] == "approved", res.json
    return match_id


def create(api, match_id: int, as_: str = "e2", **body):
    body = {"match": match_id, "quantity_t": 1.0, "containers": DRUMS, **body}
    return api.post("shipments", as_, json=body)


def step(api, shipment_id: int, as_: str, action: str, **body):
    return api.post(f"shipments/{shipment_id}/events", as_, json={"action": action, **body})


@pytest.fixture()
def match_id(api) -> int:
    return approved_match(api)


def test_a_shipment_from_plan_to_close(api, match_id):
    res = create(api, match_id, carrier="天津危运", vehicle="津A12345", driver="王师傅", planned_on="2026-12-03",
                 note="两桶")
    assert res.status_code == 201, res.json
    doc = res.json
    sid, number = doc["id"], doc["manifest_number"]
    assert doc["status"] == "planned" and number.startswith("BH-") and doc["match"] == match_id
    assert [c["code"] for c in doc["containers"]] == [f"{number}-01", f"{number}-02"]
    assert (doc["producer"]["ref"], doc["receiver"]["ref"], doc["licence_number"]) == ("E-2", "E-1", "TJ-HW-0001")
    assert doc["planned_on"] == "2026-12-03"
    assert step(api, sid, "e2", "dispatch").json["status"] == "dispatched"
    assert api.get(f"matches/{match_id}", "e1").json["status"] == "in_transfer"
    res = step(api, sid, "e1", "receive", quantity_received_t=0.99, containers={f"{number}-01": 0.49},
               remark="过磅")
    assert res.status_code == 200, res.json
    assert (res.json["status"], res.json["quantity_received_t"], res.json["containers"][0]["quantity_received_t"]) \
        == ("received", 0.99, 0.49)
    assert step(api, sid, "e1", "close").json["status"] == "closed"
    hist = api.get(f"shipments/{sid}/events", "coord").json
    assert [(e["action"], e["from"], e["to"]) for e in hist["items"]] == [
        ("plan", None, "planned"), ("dispatch", "planned", "dispatched"), ("receive", "dispatched", "received"),
        ("close", "received", "closed")]
    assert hist["total"] == 4 and api.get(f"shipments/{sid}/events", "e1", query_string={"per_page": 1}).json[
        "pages"] == 4
    # the producer's user is anonymous to the receiver, as in a match's history
    assert api.get(f"shipments/{sid}/events", "e1").json["items"][0]["actor"] != "enterprise:garage@e2.test"
    assert api.get(f"shipments/{sid}", "e2").json["status"] == "closed"


def test_list_filters_and_scopes(api, match_id):
    a = create(api, match_id).json
    b = create(api, match_id).json
    step(api, a["id"], "e2", "dispatch")
    assert [s["id"] for s in api.get("shipments", "e1").json["items"]] == [b["id"], a["id"]]
    assert [s["id"] for s in api.get("shipments", "coord", query_string={"status": "dispatched"}).json["items"]] \
        == [a["id"]]
    assert api.get("shipments", "admin", query_string={"match": match_id}).json["total"] == 2
    assert api.get("shipments", "admin", query_string={"park": "NK"}).json["total"] == 0
    assert api.get("shipments", "admin", query_string={"park": "ZZ"}).status_code == 404
    later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)).isoformat()
    assert api.get("shipments", "admin", query_string={"since": later}).json["total"] == 0
    assert api.get("shipments", "admin", query_string={"until": later}).json["total"] == 2
    for who in ("e3", "e4", "coord_nk"):  # no part in it
        assert api.get("shipments", who).json["total"] == 0
        assert api.get(f"shipments/{a['id']}", who).status_code == 404
        assert api.get(f"shipments/{a['id']}/manifest", who).status_code == 404
        assert api.get(f"shipments/{a['id']}/labels", who).status_code == 404
        assert api.get(f"shipments/{a['id']}/events", who).status_code == 404
    assert api.get("shipments", "e1", query_string={"status": "lost"}).status_code == 422


def test_errors_have_the_one_shape(api, match_id):
    cases = [
        (create(api, 999999), 404, "match"),
        (create(api, match_id, quantity_t=11, containers=[{"packaging": "tank", "quantity_t": 11}]), 409,
         "quantity_t"),
        (create(api, match_id, quantity_t=2), 422, "containers"),  # 1 t of drums for 2 t
        (create(api, match_id, containers=[]), 422, "containers"),
        (create(api, match_id, containers=[{"packaging": "sack", "quantity_t": 1}]), 422, "containers"),
        (create(api, match_id, as_="e3"), 404, "match"),
    ]
    sid = create(api, match_id).json["id"]
    cases += [
        (step(api, sid, "e1", "dispatch"), 403, "action"),  # the receiver does not dispatch
        (step(api, sid, "e2", "close"), 403, "action"),
        (step(api, sid, "e1", "cancel", reason="x"), 403, "action"),
        (step(api, sid, "e3", "dispatch"), 404, "shipment"),
        (step(api, sid, "admin", "receive", quantity_received_t=1), 409, "status"),
        (step(api, sid, "e2", "cancel"), 422, "reason"),
        (step(api, sid, "e2", "dispatch", at="2999-01-01T00:00:00Z"), 422, "at"),
        (step(api, sid, "e2", "teleport"), 422, "action"),
        (step(api, 999999, "admin", "dispatch"), 404, "shipment"),
    ]
    step(api, sid, "e2", "dispatch")
    cases += [
        (step(api, sid, "e1", "receive"), 422, "quantity_received_t"),
        (step(api, sid, "e1", "receive", quantity_received_t=1, containers={"BH-0-01": 1}), 422, "containers"),
        (step(api, sid, "e1", "reject"), 422, "reason"),
        (step(api, sid, "e1", "receive", quantity_received_t=-1), 422, "quantity_received_t"),
    ]
    for res, status, field in cases:
        assert res.status_code == status, (res.status_code, res.json)
        assert set(res.json) == ERROR_KEYS
        assert field in res.json["errors"] or field in res.json["errors"].get("json", {}), res.json


def test_reject_and_cancel(api, match_id):
    a, b = create(api, match_id).json, create(api, match_id).json
    step(api, a["id"], "e2", "dispatch")
    res = step(api, a["id"], "coord", "reject", reason="包装破损")
    assert (res.json["status"], res.json["status_reason"]) == ("rejected", "包装破损")
    res = step(api, b["id"], "e2", "cancel", remark="车辆故障")  # a remark stands in for the reason
    assert (res.json["status"], res.json["status_reason"]) == ("cancelled", "车辆故障")


def test_a_past_dispatch_is_recorded_at_its_time(api, match_id):
    doc = create(api, match_id).json
    sid, when = doc["id"], dt.datetime.fromisoformat(doc["created_at"])  # the earliest a dispatch may be
    res = step(api, sid, "e2", "dispatch", at=when.isoformat())
    assert dt.datetime.fromisoformat(res.json["dispatched_at"]) == when
    res = step(api, sid, "e1", "receive", quantity_received_t=1, at=(when - dt.timedelta(hours=1)).isoformat())
    assert res.status_code == 422 and "at" in res.json["errors"]


def test_manifest_and_labels_are_self_contained_html(api, match_id):
    doc = create(api, match_id, carrier="天津危运").json
    for kind in ("manifest", "labels"):
        res = api.get(f"shipments/{doc['id']}/{kind}", "e1")
        assert res.status_code == 200 and res.mimetype == "text/html"
        html = res.get_data(as_text=True)
        assert doc["manifest_number"] in html and "<svg" in html
        assert all(c["code"] in html for c in doc["containers"])
        assert "http://" not in html and "https://" not in html


def test_export_csv_and_xlsx_with_the_lists_filters(api, match_id):
    a = create(api, match_id).json
    b = create(api, match_id).json
    step(api, a["id"], "e2", "dispatch")
    res = api.get("shipments/export", "coord")
    assert res.status_code == 200 and res.mimetype == "text/csv"
    assert "attachment" in res.headers["Content-Disposition"] and res.headers["X-Total-Count"] == "2"
    assert res.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(res.data.decode("utf-8-sig"))))
    assert [r["联单编号 Manifest No."] for r in rows] == [b["manifest_number"], a["manifest_number"]]
    res = api.get("shipments/export", "e2", query_string={"format": "xlsx", "status": "dispatched"})
    assert res.status_code == 200 and res.mimetype.endswith("spreadsheetml.sheet")
    sheet = list(load_workbook(io.BytesIO(res.data)).active.iter_rows(values_only=True))
    assert [r[0] for r in sheet] == ["联单编号 Manifest No.", a["manifest_number"]]
    res = api.get("shipments/export", "e4")  # nothing of theirs: the header only
    assert res.headers["X-Total-Count"] == "0" and a["manifest_number"].encode() not in res.data
    assert api.get("shipments/export", "e1", query_string={"format": "pdf"}).status_code == 422
    assert api.get("shipments/export").status_code == 401


def test_complete_is_refused_while_a_shipment_is_open(api, match_id):
    sid = create(api, match_id, quantity_t=10, containers=[{"packaging": "tank", "quantity_t": 10}]).json["id"]
    step(api, sid, "e2", "dispatch")
    res = api.post(f"matches/{match_id}/decisions", "e1", json={"action": "complete"})
    assert res.status_code == 409 and "status" in res.json["errors"]
    step(api, sid, "e1", "receive", quantity_received_t=9.8)
    step(api, sid, "e1", "close")
    assert api.get(f"matches/{match_id}", "e2").json["status"] == "completed"
