"""Field devices: registration and scope, the device alerts (scale_mismatch, route_deviation, long_stop) each
firing and not firing, at once when readings arrive and by the scan, and the stop detection itself."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from marketplace.errors import Forbidden, NotFound, Unauthorized, ValidationFailed
from marketplace.models import Alert, Listing, Shipment
from marketplace.services.accounts.users import Principal, resolve_token
from marketplace.services.matching import workflow
from marketplace.services.traceability import alerts, devices, transfers
from marketplace.services.traceability.alerts import AlertSettings
from tests.factories import load_api_park

T0 = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)
NOW = T0 + dt.timedelta(hours=6)
MID = (39.025, 117.675)  # half way from the producer E-2 (39.05, 117.65) to the receiver E-1 (39.0, 117.7)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture()
def world(session):
    """The API park, a dispatched shipment E-2 → E-1, and each kind of device with its token."""
    tokens = load_api_park(session)
    p: dict[str, Principal] = {k: resolve_token(session, t) for k, t in tokens.items()}
    ids = dict(session.execute(select(Listing.ref, Listing.id)).all())
    m = workflow.propose(session, p["coord"], ids["O-1"], ids["N-1"], 10)
    workflow.decide(session, p["e2"], m.id, "accept")
    workflow.decide(session, p["e1"], m.id, "accept")
    workflow.decide(session, p["coord"], m.id, "approve", "verified")
    s = transfers.create_shipment(session, p["e2"], m.id, quantity_t=10,
                                  containers=[{"packaging": "tank", "quantity_t": 10}], now=T0)
    transfers.dispatch(session, p["e2"], s.id, at=T0, now=T0)
    tok = {"out": devices.register_device(session, p["e2"], purpose="weighbridge", name="出厂地磅")[0],
           "in": devices.register_device(session, p["e1"], purpose="weighbridge", name="入厂地磅")[0],
           "gps": devices.register_device(session, p["coord"], purpose="gps", name="定位", enterprise="E-2")[0]}
    return session, p, s, tok


def net(rid: str, s: Shipment, end: str, net_t: float, at: dt.datetime) -> dict:
    return {"reading_id": rid, "shipment_id": s.id, "end": end, "gross_t": net_t + 5, "tare_t": 5,
            "measured_at": at.isoformat()}


def pt(rid: str, s: Shipment, lat: float, lon: float, at: dt.datetime) -> dict:
    return {"reading_id": rid, "manifest_number": s.manifest_number, "lat": lat, "lon": lon,
            "measured_at": at.isoformat()}


def active(session, kind: str) -> list[Alert]:
    return list(session.scalars(select(Alert).where(Alert.kind == kind, Alert.status == "open")))


def test_scale_mismatch_fires_beyond_the_tolerance_only(world):
    session, _, s, tok = world
    devices.post_weights(session, tok["out"], [net("a", s, "dispatch", 10.0, T0)], now=NOW)
    devices.post_weights(session, tok["in"], [net("b", s, "receipt", 9.8, T0 + 60 * MINUTE)], now=NOW)
    assert active(session, "scale_mismatch") == []  # 2 %: at the tolerance, nothing
    devices.post_weights(session, tok["in"], [net("c", s, "receipt", 9.7, T0 + 90 * MINUTE)], now=NOW)
    [alert] = active(session, "scale_mismatch")
    assert alert.severity == "warning" and alert.details["difference_pct"] == pytest.approx(-3.0)
    assert "接收端地磅" in alert.message and "tolerance" in alert.message
    # a re-weighing that agrees clears it
    devices.post_weights(session, tok["in"], [net("d", s, "receipt", 9.95, T0 + 120 * MINUTE)], now=NOW)
    assert active(session, "scale_mismatch") == []


def test_route_deviation_fires_outside_the_corridor_only(world):
    session, _, s, tok = world
    devices.post_track(session, tok["gps"], [pt("p1", s, *MID, T0 + MINUTE)], now=NOW)
    assert active(session, "route_deviation") == []
    # about 7 km north-west of the line: beyond the 5 km buffer, within twice it
    devices.post_track(session, tok["gps"], [pt("p2", s, 39.10, 117.60, T0 + 2 * MINUTE)], now=NOW)
    [alert] = active(session, "route_deviation")
    assert alert.severity == "warning" and 5 < alert.details["max_km"] < 10 and alert.details["points_outside"] == 1
    # a wider corridor (the coordinator's setting) holds the same track: the scan clears the alert
    result = alerts.scan(session, now=NOW, settings=AlertSettings(corridor_km=10))
    assert result.cleared >= 1 and active(session, "route_deviation") == []


def test_long_stop_fires_beyond_the_minutes_only(world):
    session, _, s, tok = world
    stand = [pt(f"s{i}", s, MID[0] + i * 1e-5, MID[1], T0 + i * 10 * MINUTE) for i in range(4)]  # 30 minutes
    devices.post_track(session, tok["gps"], stand, now=NOW)
    assert active(session, "long_stop") == []
    devices.post_track(session, tok["gps"], [pt("s4", s, MID[0], MID[1] + 1e-5, T0 + 31 * MINUTE)], now=NOW)
    [alert] = active(session, "long_stop")
    assert alert.details["minutes"] == pytest.approx(31) and alert.details["stops_over_limit"] == 1
    # standing at the producer's gate (loading) is not a stop
    assert alerts.longest_stop([(39.05, 117.65, T0), (39.05, 117.65, T0 + 90 * MINUTE)],
                                [(39.05, 117.65), (39.0, 117.7)])[2] is None


def test_the_scan_raises_device_alerts_from_stored_readings(world):
    session, _, s, tok = world
    devices.post_weights(session, tok["out"], [net("a", s, "dispatch", 10.0, T0)], now=NOW)
    devices.post_weights(session, tok["in"], [net("b", s, "receipt", 8.0, T0 + MINUTE)], now=NOW)
    for alert in active(session, "scale_mismatch"):  # as if raised before the readings were kept
        session.delete(alert)
    session.flush()
    result = alerts.scan(session, now=NOW)
    assert result.by_kind["scale_mismatch"] == 1 and active(session, "scale_mismatch")[0].severity == "critical"


def test_tokens_scope_and_management(world):
    session, p, s, tok = world
    with pytest.raises(Unauthorized):
        devices.post_track(session, "dev_nope", [pt("x", s, *MID, T0)], now=NOW)
    with pytest.raises(Forbidden):
        devices.post_track(session, tok["out"], [pt("x", s, *MID, T0)], now=NOW)
    with pytest.raises(NotFound):
        devices.post_weights(session, tok["in"], [net("x", s, "dispatch", 10, T0)], now=NOW)
    with pytest.raises(ValidationFailed) as refused:
        devices.post_track(session, tok["gps"], [pt("x", s, *MID, NOW + dt.timedelta(hours=1))], now=NOW)
    assert "future" in refused.value.errors["readings[0].measured_at"][0]
    with pytest.raises(ValidationFailed):
        devices.post_weights(session, tok["out"], [{**net("x", s, "dispatch", 10, T0), "net_t": 9}], now=NOW)
    with pytest.raises(NotFound):  # a coordinator of another park manages none of BH's devices
        devices.register_device(session, p["coord_nk"], purpose="gps", name="x", enterprise="E-2")
    assert [d.name for d in devices.list_devices(session, p["coord_nk"])] == []
    assert {d.name for d in devices.list_devices(session, p["e1"])} == {"入厂地磅"}
