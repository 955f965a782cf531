"""Review findings on ``/shipments``: a third enterprise and another park's coordinator reach nothing,
export filters stay inside the caller's scope, user text is escaped and defused in every output."""
from __future__ import annotations

import csv
import datetime as dt
import io
import time

from openpyxl import load_workbook

from marketplace.models.base import CHINA_TZ
from tests.web.api.test_shipments import approved_match, create, step

SCRIPT = "<script>alert(1)</script>"


def test_a_third_enterprise_and_another_parks_coordinator_reach_nothing(api):
    match_id = approved_match(api)
    doc = create(api, match_id, carrier="天津危运").json
    sid, number = doc["id"], doc["manifest_number"]
    assert step(api, sid, "e2", "dispatch").status_code == 200
    for who in ("e3", "e4", "coord_nk"):
        for path in (f"shipments/{sid}", f"shipments/{sid}/events", f"shipments/{sid}/manifest",
                     f"shipments/{sid}/labels"):
            res = api.get(path, who)
            assert res.status_code == 404, (who, path, res.status_code)
            assert number not in res.get_data(as_text=True)
        assert step(api, sid, who, "receive", quantity_received_t=1.0).status_code == 404
        assert sid not in [s["id"] for s in api.get("shipments", who).json["items"]]
        for query in ({}, {"park": "BH"}, {"park": "NK"}, {"match": match_id}, {"format": "xlsx", "park": "BH"}):
            res = api.get("shipments/export", who, query_string=query)
            assert res.status_code == 200, (who, query, res.status_code)
            assert res.headers["X-Total-Count"] == "0", (who, query)
            if query.get("format") != "xlsx":
                assert number not in res.get_data(as_text=True)
    # the parties and the BH coordinator do see it
    for who in ("e1", "e2", "coord", "admin"):
        assert api.get(f"shipments/{sid}/manifest", who).status_code == 200


def test_user_text_is_escaped_in_the_printouts_and_defused_in_the_exports(api):
    match_id = approved_match(api)
    doc = create(api, match_id, carrier=SCRIPT, driver="=HYPERLINK(\"http://evil\",\"x\")", vehicle="+1",
                 note="@SUM(A1)").json
    sid = doc["id"]
    for kind in ("manifest", "labels"):
        html = api.get(f"shipments/{sid}/{kind}", "e1").get_data(as_text=True)
        assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in api.get(f"shipments/{sid}/manifest", "e1").get_data(
        as_text=True)
    text = api.get("shipments/export", "e1").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    header, row = rows[0], rows[1]
    assert row[header.index("驾驶员 Driver")].startswith("'=")
    assert row[header.index("车牌号 Vehicle")] == "'+1"
    ws = load_workbook(io.BytesIO(api.get("shipments/export", "e1", query_string={"format": "xlsx"}).data)).active
    xheader = [c.value for c in ws[1]]
    assert ws[2][xheader.index("驾驶员 Driver")].data_type == "s"
    assert ws[2][xheader.index("驾驶员 Driver")].value.startswith("'=")


def test_xlsx_export_with_a_control_character_is_not_a_server_error(api):
    match_id = approved_match(api)
    assert create(api, match_id, carrier="天津\x07危运").status_code == 201
    res = api.get("shipments/export", "coord", query_string={"format": "xlsx"})
    assert res.status_code == 200, res.status_code
    ws = load_workbook(io.BytesIO(res.data)).active
    header = [c.value for c in ws[1]]
    assert ws[2][header.index("运输单位 Carrier")].value == "天津危运"


def test_an_event_time_in_park_time_is_kept_as_its_instant_and_one_before_the_plan_is_refused(api):
    match_id = approved_match(api)
    sid = create(api, match_id).json["id"]
    res = step(api, sid, "e2", "dispatch", at="2020-01-01T09:30:00+08:00")
    assert res.status_code == 422 and "at" in res.json["errors"]
    at = dt.datetime.now(CHINA_TZ).replace(microsecond=0) + dt.timedelta(seconds=1)
    time.sleep(1.1)
    res = step(api, sid, "e2", "dispatch", at=at.isoformat())
    assert res.status_code == 200, res.json
    shown = dt.datetime.fromisoformat(api.get(f"shipments/{sid}", "e1").json["dispatched_at"])
    assert shown == at and shown.utcoffset() == dt.timedelta(0)


def test_another_parks_coordinator_neither_sees_nor_clears_a_shipment_alert(api):
    match_id = approved_match(api)
    sid = create(api, match_id).json["id"]
    step(api, sid, "e2", "dispatch")
    assert step(api, sid, "e1", "receive", quantity_received_t=0.5).status_code == 200  # 50 % short: an alert
    mine = [a for a in api.get("alerts", "coord", query_string={"kind": "weight_mismatch"}).json["items"]
            if (a["shipment"] or {}).get("id") == sid]
    assert len(mine) == 1
    alert_id = mine[0]["id"]
    assert all((a["shipment"] or {}).get("id") != sid for a in api.get("alerts", "coord_nk").json["items"])
    assert all((a["shipment"] or {}).get("id") != sid
               for a in api.get("alerts", "coord_nk", query_string={"park": "BH"}).json["items"])
    assert api.get(f"alerts/{alert_id}", "coord_nk").status_code == 404
    assert api.post(f"alerts/{alert_id}/acknowledge", "coord_nk", json={"note": "seen"}).status_code == 404
    assert api.post("alerts/scan", "coord_nk", json={"park": "BH"}).status_code == 403
    # a scan of NK with thresholds that would clear it everywhere leaves BH's alert alone
    assert api.post("alerts/scan", "coord_nk", json={"weight_tolerance": 10}).status_code == 200
    assert api.get(f"alerts/{alert_id}", "coord").json["status"] == "open"


def test_receipts_by_container_are_checked_against_this_shipment_only(api):
    match_id = approved_match(api)
    a = create(api, match_id).json
    b = create(api, match_id).json
    for doc in (a, b):
        step(api, doc["id"], "e2", "dispatch")
    codes = [c["code"] for c in a["containers"]]
    # all containers named: they must add up to the total
    res = step(api, a["id"], "e1", "receive", quantity_received_t=1.0, containers={codes[0]: 0.5, codes[1]: 0.4})
    assert res.status_code == 422 and "containers" in res.json["errors"] and "不符" in res.json["errors"][
        "containers"][0]
    # another shipment's container is not one of this one's
    res = step(api, a["id"], "e1", "receive", quantity_received_t=1.0,
               containers={b["containers"][0]["code"]: 0.5})
    assert res.status_code == 422 and "containers" in res.json["errors"]
    # nothing was half-written by the refused receipts
    assert api.get(f"shipments/{a['id']}", "e1").json["status"] == "dispatched"
    res = step(api, a["id"], "e1", "receive", quantity_received_t=1.0, containers={codes[0]: 0.5, codes[1]: 0.5})
    assert res.status_code == 200 and [c["quantity_received_t"] for c in res.json["containers"]] == [0.5, 0.5]
    assert step(api, a["id"], "e1", "receive", quantity_received_t=1.0).status_code == 409
