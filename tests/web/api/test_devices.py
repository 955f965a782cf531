"""``/devices``: registering devices, and the device endpoints' refusals, idempotency, ordering and a burst."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.db import make_engine, upgrade_schema
from marketplace.models import Alert, AuditEvent, Device, Listing, TrackPoint, WeighReading
from marketplace.services.accounts.users import resolve_token
from marketplace.services.catalog.reference import load_builtin_catalog
from marketplace.services.matching import workflow
from marketplace.services.traceability import devices, transfers
from tests.factories import load_api_park
from tests.web.api.test_shipments import approved_match, create, step
from web.app import create_app

ERROR_KEYS = {"code", "status", "message", "errors"}
T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def iso(at: dt.datetime) -> str:
    return at.isoformat()


def register(api, as_: str, purpose: str, name: str = "1号地磅", **body):
    res = api.post("devices", as_, json={"purpose": purpose, "name": name, **body})
    assert res.status_code == 201, res.json
    return res.json


def device_post(api, kind: str, token: str | None, readings, scheme: str = "Device"):
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    return api.post(f"devices/{kind}", headers=headers, json={"readings": readings})


def weigh(rid: str, shipment: int, end: str, gross: float, tare: float, at: dt.datetime, **extra):
    return {"reading_id": rid, "shipment_id": shipment, "end": end, "gross_t": gross, "tare_t": tare,
            "measured_at": iso(at), **extra}


def point(rid: str, shipment: int, lat: float, lon: float, at: dt.datetime, **extra):
    return {"reading_id": rid, "shipment_id": shipment, "lat": lat, "lon": lon, "measured_at": iso(at), **extra}


@pytest.fixture()
def shipment(api) -> int:
    """A dispatched shipment of E-2 (producer, park BH) to E-1 (receiver, park BH)."""
    sid = create(api, approved_match(api)).json["id"]
    assert step(api, sid, "e2", "dispatch").json["status"] == "dispatched"
    return sid


@pytest.fixture()
def tokens(api) -> dict[str, str]:
    return {"scale_out": register(api, "e2", "weighbridge")["token"],
            "scale_in": register(api, "e1", "weighbridge", "接收地磅")["token"],
            "gps": register(api, "e2", "gps", "津A12345 定位")["token"]}


def test_registering_listing_and_revoking_devices(api):
    doc = register(api, "e2", "weighbridge")
    assert doc["enterprise"] == "E-2" and doc["purpose_zh"] == "地磅" and doc["token"].startswith("dev_")
    assert api.session.scalar(select(Device.token_hash).where(Device.id == doc["id"])) != doc["token"]
    # a coordinator of the park registers for an enterprise of it; one of another park cannot see it
    other = register(api, "coord", "gps", "定位器", enterprise="E-2")
    assert other["enterprise"] == "E-2"
    assert api.post("devices", "coord_nk", json={"purpose": "gps", "name": "x", "enterprise": "E-2"}).status_code == 404
    assert api.post("devices", "e3", json={"purpose": "gps", "name": "x", "enterprise": "E-2"}).status_code == 403
    assert api.post("devices", "e3", json={"purpose": "gps", "name": "x", "enterprise": "E-404"}).status_code == 403
    assert [d["id"] for d in api.get("devices", "e2").json["items"]] == [doc["id"], other["id"]]
    assert api.get("devices", "e3").json["items"] == []
    assert api.get(f"devices/{doc['id']}", "e3").status_code == 404
    assert "token" not in api.get(f"devices/{doc['id']}", "coord").json
    res = api.post(f"devices/{doc['id']}/revoke", "e2")
    assert res.status_code == 200 and res.json["revoked_at"]
    assert api.post(f"devices/{doc['id']}/revoke", "e2").status_code == 409
    actions = api.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "device")).all()
    assert sorted(actions) == ["register", "register", "revoke"]
    bad = api.post("devices", "e2", json={"purpose": "scale", "name": ""})
    assert bad.status_code == 422 and {"purpose", "name"} <= set(bad.json["errors"]["json"])


def test_wrong_missing_and_revoked_tokens_are_401(api, shipment, tokens):
    reading = [weigh("w1", shipment, "dispatch", 15, 5, T0)]
    for token, scheme in ((None, "Device"), ("dev_wrong", "Device"), (tokens["scale_out"], "Bearer")):
        res = device_post(api, "weights", token, reading, scheme)
        assert res.status_code == 401 and set(res.json) == ERROR_KEYS, res.json
    device_id = api.get("devices", "e2").json["items"][0]["id"]
    assert api.post(f"devices/{device_id}/revoke", "e2").status_code == 200
    res = device_post(api, "weights", tokens["scale_out"], reading)
    assert res.status_code == 401 and "revoked" in res.json["message"]
    assert api.session.scalar(select(func.count()).select_from(WeighReading)) == 0


def test_a_device_posts_only_for_its_purpose(api, shipment, tokens):
    res = device_post(api, "track", tokens["scale_out"], [point("p1", shipment, 39.05, 117.66, T0)])
    assert res.status_code == 403 and "weighbridge" in res.json["message"]
    res = device_post(api, "weights", tokens["gps"], [weigh("w1", shipment, "dispatch", 15, 5, T0)])
    assert res.status_code == 403


def test_other_enterprises_shipments_and_the_wrong_end_are_404(api, shipment, tokens):
    # E-3's weighbridge: not party to the shipment at all
    outsider = register(api, "e3", "weighbridge")["token"]
    res = device_post(api, "weights", outsider, [weigh("w1", shipment, "dispatch", 15, 5, T0)])
    assert res.status_code == 404 and "readings[0].shipment_id" in res.json["errors"]
    # the producer's scale cannot weigh the receipt, the receiver's cannot weigh the dispatch
    assert device_post(api, "weights", tokens["scale_out"],
                       [weigh("w1", shipment, "receipt", 15, 5, T0)]).status_code == 404
    assert device_post(api, "weights", tokens["scale_in"],
                       [weigh("w1", shipment, "dispatch", 15, 5, T0)]).status_code == 404
    # an unknown shipment answers the same as another enterprise's
    unknown = device_post(api, "weights", tokens["scale_out"], [weigh("w1", 999999, "dispatch", 15, 5, T0)])
    assert unknown.status_code == 404 and unknown.json["message"] == res.json["message"]
    # a tracker of E-3 cannot post points of E-2's shipment
    gps3 = register(api, "e3", "gps")["token"]
    assert device_post(api, "track", gps3, [point("p1", shipment, 39.05, 117.66, T0)]).status_code == 404


def test_duplicates_are_idempotent_and_conflicting_duplicates_409(api, shipment, tokens):
    batch = [weigh("w1", shipment, "dispatch", 15.2, 5.2, T0), weigh("w2", shipment, "dispatch", 15.3, 5.2, T0 +
                                                                   dt.timedelta(minutes=1))]
    first = device_post(api, "weights", tokens["scale_out"], batch)
    assert first.status_code == 200, first.json
    assert (first.json["stored"], first.json["duplicates"], first.json["duplicate"]) == (2, 0, False)
    again = device_post(api, "weights", tokens["scale_out"], batch)
    assert again.status_code == 200
    assert (again.json["stored"], again.json["duplicates"], again.json["duplicate"]) == (0, 2, True)
    assert all(r["duplicate"] for r in again.json["readings"])
    assert api.session.scalar(select(func.count()).select_from(WeighReading)) == 2
    changed = [weigh("w2", shipment, "dispatch", 16.0, 5.2, T0 + dt.timedelta(minutes=1))]
    res = device_post(api, "weights", tokens["scale_out"], changed)
    assert res.status_code == 409 and "readings[0].reading_id" in res.json["errors"]
    # the same reading id twice in one batch with different content
    res = device_post(api, "weights", tokens["scale_out"], [weigh("w3", shipment, "dispatch", 15, 5, T0 + dt.timedelta(
        minutes=2)), weigh("w3", shipment, "dispatch", 15, 4, T0 + dt.timedelta(minutes=2))])
    assert res.status_code == 409 and list(res.json["errors"]) == ["readings[1].reading_id"]
    assert api.session.scalar(select(func.count()).select_from(WeighReading)) == 2


def test_out_of_order_readings_are_409_and_a_batch_is_all_or_nothing(api, shipment, tokens):
    late = T0 + dt.timedelta(minutes=30)
    assert device_post(api, "track", tokens["gps"], [point("p1", shipment, 39.05, 117.66, late)]).status_code == 200
    res = device_post(api, "track", tokens["gps"], [point("p2", shipment, 39.04, 117.67, late + dt.timedelta(
        minutes=1)), point("p3", shipment, 39.04, 117.67, T0)])
    assert res.status_code == 409 and list(res.json["errors"]) == ["readings[1].measured_at"]
    assert "out of order" in res.json["errors"]["readings[1].measured_at"][0]
    # nothing of the refused batch was stored, not even its good first reading
    assert api.session.scalar(select(func.count()).select_from(TrackPoint)) == 1
    # invalid fields are named by index
    res = device_post(api, "track", tokens["gps"], [point("p4", shipment, 91, 117.6, late), {"reading_id": ""}])
    assert res.status_code == 422
    assert {"readings[0].lat", "readings[1].reading_id", "readings[1].measured_at"} <= set(res.json["errors"])
    too_many = [point(f"q{i}", shipment, 39.0, 117.6, late) for i in range(1001)]
    assert device_post(api, "track", tokens["gps"], too_many).status_code == 422


def test_a_shipment_state_must_allow_the_reading(api, tokens):
    match_id = approved_match(api)
    planned = create(api, match_id).json["id"]
    res = device_post(api, "track", tokens["gps"], [point("p1", planned, 39.05, 117.66, T0)])
    assert res.status_code == 409 and "not dispatched" in res.json["errors"]["readings[0].shipment_id"][0]
    assert device_post(api, "weights", tokens["scale_out"],
                       [weigh("w1", planned, "dispatch", 15, 5, T0)]).status_code == 200
    step(api, planned, "e2", "dispatch")
    step(api, planned, "e1", "receive", quantity_received_t=1.0)
    step(api, planned, "e1", "close")
    res = device_post(api, "weights", tokens["scale_in"], [weigh("w9", planned, "receipt", 15, 5, T0)])
    assert res.status_code == 409 and "closed" in res.json["errors"]["readings[0].shipment_id"][0]


def test_weighbridges_disagreeing_raise_a_scale_alert_at_once(api, shipment, tokens):
    ok = device_post(api, "weights", tokens["scale_out"], [weigh("w1", shipment, "dispatch", 15, 5, T0)])
    assert ok.status_code == 200
    # the receiving scale within 2 %: no alert
    assert device_post(api, "weights", tokens["scale_in"], [weigh("r1", shipment, "receipt", 14.9, 5,
                                                                  T0 + dt.timedelta(hours=2))]).status_code == 200
    assert api.session.scalar(select(func.count()).select_from(Alert).where(Alert.kind == "scale_mismatch")) == 0
    # a re-weighing at receipt 0.6 t lighter: 6 %, an alert (critical beyond twice the tolerance)
    assert device_post(api, "weights", tokens["scale_in"], [weigh("r2", shipment, "receipt", 14.4, 5,
                                                                  T0 + dt.timedelta(hours=3))]).status_code == 200
    alert = api.session.scalar(select(Alert).where(Alert.kind == "scale_mismatch"))
    assert alert is not None and alert.severity == "critical" and alert.status == "open"
    assert alert.details["dispatch_net_t"] == 10 and alert.details["receipt_net_t"] == pytest.approx(9.4)
    listed = api.get("alerts", "coord", query_string={"kind": "scale_mismatch"}).json["items"]
    assert [a["id"] for a in listed] == [alert.id] and listed[0]["kind_zh"] == "两端地磅重量不符"


def _burst(api, token: str, shipment: int, total: int, batch: int) -> list[int]:
    statuses = []
    for start in range(0, total, batch):
        readings = [point(f"b{i}", shipment, 39.0 + i * 1e-5, 117.6, T0 + dt.timedelta(seconds=i))
                    for i in range(start, min(total, start + batch))]
        statuses.append(device_post(api, "track", token, readings).status_code)
    return statuses


def test_a_burst_of_ten_thousand_readings_loses_none(api, shipment, tokens):
    statuses = _burst(api, tokens["gps"], shipment, 10_000, 1_000)
    assert statuses == [200] * 10
    assert api.session.scalar(select(func.count()).select_from(TrackPoint)) == 10_000
    assert api.session.scalar(select(func.count(func.distinct(TrackPoint.reading_id)))) == 10_000
    # replaying the whole burst stores nothing more
    assert _burst(api, tokens["gps"], shipment, 10_000, 1_000) == [200] * 10
    assert api.session.scalar(select(func.count()).select_from(TrackPoint)) == 10_000


THREADS = 4


def test_a_concurrent_burst_from_several_devices_and_their_replays_loses_none(backend, fresh_database_url):
    """Four trackers post 2,500 points each in batches of 1,000 from their own threads while a second thread per
    tracker replays the same batches, against a committed database: every point is stored exactly once."""
    url = fresh_database_url(backend)
    engine = make_engine(url)
    upgrade_schema(engine)
    with Session(engine) as session, session.begin():
        load_builtin_catalog(session)
        tokens = load_api_park(session)
        p = {k: resolve_token(session, t) for k, t in tokens.items()}
        ids = dict(session.execute(select(Listing.ref, Listing.id)).all())
        m = workflow.propose(session, p["coord"], ids["O-1"], ids["N-1"], 10)
        for who, action in (("e2", "accept"), ("e1", "accept"), ("coord", "approve")):
            workflow.decide(session, p[who], m.id, action, "ok" if who == "coord" else None)
        s = transfers.create_shipment(session, p["e2"], m.id, quantity_t=10,
                                      containers=[{"packaging": "tank", "quantity_t": 10}])
        transfers.dispatch(session, p["e2"], s.id)
        shipment_id = s.id
        trackers = [devices.register_device(session, p["e2"], purpose="gps", name=f"定位 {i}")[0]
                    for i in range(THREADS)]
    engine.dispose()
    app = create_app({"database_url": url})
    app.testing = True
    per_device = 10_000 // THREADS
    barrier = threading.Barrier(2 * THREADS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(n: int, token: str) -> None:
        try:
            client = app.test_client()
            barrier.wait(timeout=60)
            for start in range(0, per_device, 1_000):
                readings = [point(f"d{n}-{i}", shipment_id, 39.0 + i * 1e-5, 117.6 + n * 1e-3,
                                  T0 + dt.timedelta(seconds=i)) for i in range(start, min(per_device, start + 1_000))]
                res = client.post("/api/v1/devices/track", headers={"Authorization": f"Device {token}"},
                                  json={"readings": readings})
                statuses.append(res.status_code)
        except Exception as exc:  # noqa: BLE001 - any failure fails the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n, token)) for n, token in enumerate(trackers) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a poster hung"
    assert errors == [] and statuses == [200] * len(statuses) and len(statuses) == 2 * THREADS * 3
    engine = app.extensions["wastematch.engine"]
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(TrackPoint)) == 10_000
        pairs = select(TrackPoint.device_id, TrackPoint.reading_id).distinct().subquery()
        assert session.scalar(select(func.count()).select_from(pairs)) == 10_000
    engine.dispose()
