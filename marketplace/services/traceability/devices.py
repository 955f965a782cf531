"""Field devices (现场设备): weighbridges (地磅) and GPS trackers (车载定位) posting readings of shipments.

An enterprise registers a device for one purpose (``weighbridge`` or ``gps``); the device gets a
token, shown once, of which only the SHA-256 is stored (as for users' API tokens). A device then
posts batches of readings with that token (docs/devices.md is the protocol):

- a wrong or revoked token is ``Unauthorized`` (401); a weighbridge posting track points or a
  tracker posting weights is ``Forbidden`` (403);
- a shipment the device's enterprise is not party to is ``NotFound`` (404, revealing nothing): a
  weighbridge at ``dispatch`` belongs to the producer, at ``receipt`` to the receiver; a tracker to
  the producer or the receiver (carriers are not enterprises of the platform);
- a reading id (the device's own, unique per device) already stored with the same content is a
  duplicate: acknowledged, nothing written (idempotent replays); with other content it is a
  ``Conflict`` (409);
- a reading measured earlier than the latest stored for that device and shipment is refused (409):
  devices buffer while offline and replay the buffer in order, so an older reading arriving after a
  newer one is a clock fault or a replay of someone else's data, and accepting it would let a late
  forgery overwrite "the latest weighing";
- the shipment's state must allow the reading: weights at dispatch while planned or dispatched, at
  receipt while dispatched or received; track points once dispatched and until received (409 with
  the reason otherwise: not dispatched yet, closed, cancelled, rejected).

A batch holds at most ``MAX_BATCH`` readings and is all-or-nothing: any error refuses the whole
batch, every error named by its index (``readings[3].net_t``). The device's row is locked for the
batch, so two batches of one device never interleave (PostgreSQL; SQLite serialises writers).
After storing, the device alerts of each shipment touched are re-evaluated at once.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, selectinload

from ...errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from ...models import (
    ACTIVE_ALERT_STATUSES,
    DEVICE_PURPOSES,
    WEIGH_ENDS,
    Alert,
    Device,
    Enterprise,
    Shipment,
    TrackPoint,
    WeighReading,
)
from ...models.base import MAX_ID, as_utc, iso_utc, utcnow
from ..accounts import audit
from ..accounts.users import Principal
from . import alerts, transfers

MAX_BATCH = 1000
READING_ID_MAX = 64
NAME_MAX = 100
# Two floats "the same" for an idempotent replay: the device sends the same decimal text again.
SAME_EPS = 1e-9
# Net = gross − tare, to the scale's division (a weighbridge reads to 10-20 kg; 1 kg is generous slack).
NET_EPS_T = 0.001
MAX_TONNES = 1000.0  # no road vehicle weighs more; beyond is a typo or a unit error
PURPOSE_ZH = {"weighbridge": "地磅", "gps": "车载定位"}
END_ZH = {"dispatch": "发运端", "receipt": "接收端"}
# The shipment states in which each kind of reading is accepted (see the module docstring).
WEIGH_STATES = {"dispatch": ("planned", "dispatched"), "receipt": ("dispatched", "received")}
TRACK_STATES = ("dispatched", "received")
STATE_REASON = {
    "planned": "the shipment is not dispatched yet (联单尚未发运)",
    "dispatched": "the shipment is already dispatched: the dispatch weighing is over (联单已发运，发运端称重已结束)",
    "received": "the shipment is already received (联单已接收)",
    "closed": "the shipment's manifest is closed (联单已办结)",
    "cancelled": "the shipment was cancelled (联单已取消)",
    "rejected": "the shipment was rejected at the gate (联单已拒收)",
}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- managing devices ------------------------------------------------------------------------------

def _may_manage(principal: Principal, enterprise: Enterprise) -> bool:
    """The enterprise's own users, coordinators of its park, admins."""
    return principal.acts_for(enterprise.id) or principal.coordinates(enterprise.park_id)


def _enterprise(session: Session, principal: Principal, ref: str | None) -> Enterprise:
    ref = ref if ref is not None else principal.enterprise_ref
    if not isinstance(ref, str) or not ref:
        raise ValidationFailed("name the enterprise of the device (请选择设备所属企业)", {"enterprise": ["required"]})
    if principal.role == "enterprise" and ref != principal.enterprise_ref:
        # Refused before any lookup, so that the answer says nothing about whether ``ref`` exists.
        raise Forbidden("devices are registered by the enterprise itself or its park's coordinators "
                        "(仅本企业或园区管理者可登记设备)", {"enterprise": ["not yours (非本企业)"]})
    ent = session.scalar(select(Enterprise).where(Enterprise.ref == ref))
    if ent is None or not _may_manage(principal, ent):
        raise NotFound(f"enterprise {ref} not found (无此企业)",
                       {"enterprise": [f"no enterprise {ref} you manage (您管理的企业中没有 {ref})"]})
    return ent


def register_device(session: Session, principal: Principal, *, purpose: str, name: str,
                    enterprise: str | None = None) -> tuple[str, Device]:
    """Register a device of ``enterprise`` (a ref; an enterprise user's own by default) for one ``purpose``.

    Returns the plaintext token (shown this once: only its hash is kept) and the row; audited.
    """
    errors: dict[str, list[str]] = {}
    if purpose not in DEVICE_PURPOSES:
        errors["purpose"] = [f"one of {', '.join(DEVICE_PURPOSES)} (地磅 weighbridge / 车载定位 gps)"]
    text = name.strip() if isinstance(name, str) else ""
    if not text or len(text) > NAME_MAX or "\x00" in text:
        errors["name"] = [f"required, at most {NAME_MAX} characters (必填，最多 {NAME_MAX} 个字符)"]
    if errors:
        raise ValidationFailed("the device is not valid (设备信息有误)", errors)
    ent = _enterprise(session, principal, enterprise)
    plaintext = "dev_" + secrets.token_urlsafe(32)
    device = Device(enterprise_id=ent.id, purpose=purpose, name=text, token_hash=_digest(plaintext),
                    created_by=principal.actor)
    session.add(device)
    session.flush()
    audit.record(session, actor=principal.actor, action="register", entity_type="device", entity_key=str(device.id),
                 changes={"purpose": [None, purpose], "name": [None, text]},
                 context={"enterprise": ent.ref}, park_id=ent.park_id)
    return plaintext, device


def _visible(session: Session, principal: Principal, device_id: Any) -> Device:
    device = session.get(Device, device_id) if isinstance(device_id, int) and 0 < device_id <= MAX_ID else None
    if device is None or not _may_manage(principal, device.enterprise):
        raise NotFound(f"device {device_id} not found (无此设备)",
                       {"device": [f"no device {device_id} you manage (您管理的设备中没有 {device_id})"]})
    return device


def get_device(session: Session, principal: Principal, device_id: int) -> Device:
    """One device the principal manages (``NotFound`` otherwise)."""
    return _visible(session, principal, device_id)


def revoke_device(session: Session, principal: Principal, device_id: int) -> Device:
    """Revoke a device's token for good (its readings stay); revoking twice is a 409. Audited."""
    device = _visible(session, principal, device_id)
    if device.revoked_at is not None:
        raise Conflict(f"device {device.id} is already revoked (设备已停用)", {"device": ["already revoked (已停用)"]})
    device.revoked_at, device.revoked_by = utcnow(), principal.actor
    audit.record(session, actor=principal.actor, action="revoke", entity_type="device", entity_key=str(device.id),
                 changes={"revoked_at": [None, iso_utc(device.revoked_at)]},
                 context={"enterprise": device.enterprise.ref}, park_id=device.enterprise.park_id)
    session.flush()
    return device


def list_devices(session: Session, principal: Principal, enterprise: str | None = None) -> list[Device]:
    """The devices the principal manages (of one enterprise when ``enterprise`` names it), oldest first."""
    stmt = select(Device).join(Enterprise, Device.enterprise_id == Enterprise.id) \
        .options(selectinload(Device.enterprise)).order_by(Device.id)
    if enterprise is not None:
        stmt = stmt.where(Enterprise.id == _enterprise(session, principal, enterprise).id)
    elif principal.role == "enterprise":
        stmt = stmt.where(Device.enterprise_id == principal.enterprise_id)
    elif not principal.is_admin:
        stmt = stmt.where(Enterprise.park_id.in_(sorted(principal.park_ids)))
    return list(session.scalars(stmt))


def device_view(device: Device) -> dict[str, Any]:
    """A device as the API shows it (never its token)."""
    return {"id": device.id, "enterprise": device.enterprise.ref, "purpose": device.purpose,
            "purpose_zh": PURPOSE_ZH[device.purpose], "name": device.name, "created_at": iso_utc(device.created_at),
            "created_by": device.created_by, "revoked_at": iso_utc(device.revoked_at),
            "last_seen_at": iso_utc(device.last_seen_at)}


# --- the device endpoints --------------------------------------------------------------------------

def authenticate(session: Session, token: str | None, purpose: str) -> Device:
    """The device of ``token``, locked for this batch: 401 when unknown or revoked, 403 for another purpose."""
    row = session.scalar(select(Device).where(Device.token_hash == _digest(token or ""))
                         .with_for_update().execution_options(populate_existing=True)) if token else None
    if row is None:
        raise Unauthorized("invalid device token (设备令牌无效)", {"Authorization": ["unknown device token (设备令牌无效)"]})
    if row.revoked_at is not None:
        raise Unauthorized("the device token was revoked (设备令牌已停用)", {"Authorization": ["revoked (已停用)"]})
    if row.purpose != purpose:
        raise Forbidden(f"this device is a {row.purpose} ({PURPOSE_ZH[row.purpose]}); it cannot post "
                        f"{'weights' if purpose == 'weighbridge' else 'track points'} (设备用途不符)",
                        {"Authorization": [(f"a {row.purpose} device; this endpoint is for {purpose} devices "
                                            f"(本设备为{PURPOSE_ZH[row.purpose]}，此接口仅供{PURPOSE_ZH[purpose]}使用)")]})
    return row


@dataclass
class BatchResult:
    """What one batch did: per reading (in order) whether it was stored or a duplicate."""

    stored: int
    duplicates: int
    results: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"stored": self.stored, "duplicates": self.duplicates, "duplicate": self.stored == 0 and self.duplicates > 0,
                "readings": self.results}


def _number(value: Any, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) and low <= value <= high else None


def _instant(value: Any, now: dt.datetime) -> dt.datetime | str:
    """A measured_at: ISO 8601 with its offset, not in the future beyond 5 minutes of clock drift."""
    if not isinstance(value, str):
        return ("required: ISO 8601 with an offset, e.g. 2026-12-07T09:30:00+08:00 "
                "(必填：带时区偏移的 ISO 8601 时间，如 2026-12-07T09:30:00+08:00)")
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        return "not an ISO 8601 date-time (不是 ISO 8601 日期时间)"
    if at.tzinfo is None:
        return ("needs its UTC offset (e.g. +08:00): a device's clock zone is not ours to guess "
                "(须带 UTC 时区偏移，如 +08:00：平台不推测设备时钟所在时区)")
    try:
        at = at.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return "out of range (时间超出范围)"
    if at > now + dt.timedelta(minutes=5):
        return "in the future (the device's clock is ahead) (时间晚于当前：设备时钟偏快)"
    return at


def _check_batch(readings: Any) -> list[dict[str, Any]]:
    if not isinstance(readings, list) or not readings:
        raise ValidationFailed("send a list of readings (请提交读数列表)", {"readings": ["a non-empty list (须为非空列表)"]})
    if len(readings) > MAX_BATCH:
        raise ValidationFailed(f"at most {MAX_BATCH} readings per batch (每批最多 {MAX_BATCH} 条)",
                               {"readings": [(f"{len(readings)} readings; split them into batches of {MAX_BATCH} "
                                              f"(共 {len(readings)} 条，请按每批最多 {MAX_BATCH} 条分批提交)")]})
    return readings


def _common(i: int, r: Any, now: dt.datetime, errors: dict[str, list[str]]) -> dict[str, Any] | None:
    """The fields every reading has (reading_id, shipment, measured_at); None when not an object."""
    p = f"readings[{i}]"
    if not isinstance(r, dict):
        errors[p] = ["an object (须为 JSON 对象)"]
        return None
    out: dict[str, Any] = {}
    rid = r.get("reading_id")
    if not isinstance(rid, str) or not rid.strip() or len(rid) > READING_ID_MAX or "\x00" in rid:
        errors[f"{p}.reading_id"] = [(f"required text of 1-{READING_ID_MAX} characters "
                                      f"(读数编号必填，1–{READING_ID_MAX} 个字符)")]
    else:
        out["reading_id"] = rid
    sid, number = r.get("shipment_id"), r.get("manifest_number")
    if isinstance(sid, int) and not isinstance(sid, bool) and number is None:
        out["shipment"] = ("id", sid)
    elif isinstance(number, str) and number and len(number) <= 40 and "\x00" not in number and sid is None:
        out["shipment"] = ("number", number)
    else:
        errors[f"{p}.shipment_id"] = [("give shipment_id (a number) or manifest_number (text), one of them "
                                       "(请给出 shipment_id 或 manifest_number，二者只给其一)")]
    at = _instant(r.get("measured_at"), now)
    if isinstance(at, str):
        errors[f"{p}.measured_at"] = [at]
    else:
        out["measured_at"] = at
    return out


def _weigh_fields(i: int, r: dict[str, Any], out: dict[str, Any], errors: dict[str, list[str]]) -> None:
    p = f"readings[{i}]"
    end = r.get("end")
    if end not in WEIGH_ENDS:
        errors[f"{p}.end"] = ["dispatch (发运端) or receipt (接收端)"]
    else:
        out["end_point"] = end
    ok = True
    for name in ("gross_t", "tare_t"):
        v = _number(r.get(name), 0.0, MAX_TONNES)
        if v is None:
            errors[f"{p}.{name}"] = [f"required: tonnes in [0, {MAX_TONNES:g}] (必填：吨数，0 至 {MAX_TONNES:g} 吨)"]
            ok = False
        out[name] = v
    if not ok:
        return
    net = out["gross_t"] - out["tare_t"]
    if net < 0:
        errors[f"{p}.tare_t"] = ["the tare exceeds the gross weight (皮重大于毛重)"]
        return
    given = r.get("net_t")
    if given is not None:
        v = _number(given, 0.0, MAX_TONNES)
        if v is None or abs(v - net) > NET_EPS_T:
            errors[f"{p}.net_t"] = [f"must be gross − tare = {net:g} t (净重应等于毛重减皮重，即 {net:g} 吨)"]
            return
        net = v
    out["net_t"] = net


def _track_fields(i: int, r: dict[str, Any], out: dict[str, Any], errors: dict[str, list[str]]) -> None:
    p = f"readings[{i}]"
    for name, low, high, zh in (("lat", -90.0, 90.0, "纬度"), ("lon", -180.0, 180.0, "经度")):
        v = _number(r.get(name), low, high)
        if v is None:
            errors[f"{p}.{name}"] = [(f"required: degrees (WGS-84) in [{low:g}, {high:g}] "
                                      f"(必填：WGS-84 {zh}，{low:g} 至 {high:g} 度)")]
        out[name] = v
    speed = r.get("speed_kmh")
    out["speed_kmh"] = None
    if speed is not None:
        v = _number(speed, 0.0, 300.0)
        if v is None:
            errors[f"{p}.speed_kmh"] = ["km/h in [0, 300], or leave it out (车速须在 0 至 300 km/h 之间，或不填)"]
        out["speed_kmh"] = v


def _shipments(session: Session, device: Device, parsed: list[dict[str, Any]], kind: str) -> dict[int, Shipment]:
    """Each reading's shipment, checked against the device's enterprise (404 by index, revealing nothing)."""
    ids = {p["shipment"][1] for p in parsed if p["shipment"][0] == "id" and 0 < p["shipment"][1] <= MAX_ID}
    numbers = {p["shipment"][1] for p in parsed if p["shipment"][0] == "number"}
    found: dict[tuple[str, Any], Shipment] = {}
    if ids:
        # a draft manifest (no number yet) is no shipment a device reports on
        for sh in session.scalars(select(Shipment).where(Shipment.id.in_(sorted(ids)), Shipment.status != "draft")):
            found[("id", sh.id)] = sh
    if numbers:
        for sh in session.scalars(select(Shipment).where(Shipment.manifest_number.in_(sorted(numbers)))):
            found[("number", sh.manifest_number)] = sh
    errors: dict[str, list[str]] = {}
    out: dict[int, Shipment] = {}
    for i, p in enumerate(parsed):
        sh = found.get(p["shipment"])
        if kind == "weights":
            mine = sh is not None and device.enterprise_id == (
                sh.producer_id if p["end_point"] == "dispatch" else sh.receiver_id)
        else:
            mine = sh is not None and device.enterprise_id in (sh.producer_id, sh.receiver_id)
        if not mine:
            ref = p["shipment"][1]
            errors[f"readings[{i}].shipment_id"] = [
                (f"no shipment {ref} of this device's enterprise at its {p['end_point']} end "
                 f"(本设备所属企业作为{END_ZH[p['end_point']]}无联单 {ref})") if kind == "weights"
                else f"no shipment {ref} of this device's enterprise (本设备所属企业无联单 {ref})"]
        else:
            out[i] = sh
    if errors:
        raise NotFound("a shipment of the batch is not one of this device's enterprise (联单不属于本设备所属企业)",
                       errors)
    return out


def _same(stored: Any, p: dict[str, Any], fields: tuple[str, ...], shipment_id: int) -> bool:
    if stored.shipment_id != shipment_id or as_utc(stored.measured_at) != p["measured_at"]:
        return False
    for name in fields:
        a, b = getattr(stored, name), p[name]
        if isinstance(b, float) or isinstance(a, float):
            if a is None or b is None:
                if a is not b:
                    return False
            elif abs(float(a) - float(b)) > SAME_EPS:
                return False
        elif a != b:
            return False
    return True


def _post(session: Session, token: str | None, readings: Any, *, kind: str, now: dt.datetime | None,
          settings: alerts.AlertSettings | None) -> BatchResult:
    purpose = "weighbridge" if kind == "weights" else "gps"
    model = WeighReading if kind == "weights" else TrackPoint
    fields = ("end_point", "gross_t", "tare_t", "net_t") if kind == "weights" else ("lat", "lon", "speed_kmh")
    device = authenticate(session, token, purpose)
    now = (as_utc(now) or utcnow()).astimezone(dt.UTC)
    readings = _check_batch(readings)
    # 1. Shape: every field of every reading (422, by index).
    errors: dict[str, list[str]] = {}
    parsed: list[dict[str, Any]] = []
    for i, r in enumerate(readings):
        p = _common(i, r, now, errors)
        if p is None:
            continue
        (_weigh_fields if kind == "weights" else _track_fields)(i, r, p, errors)
        parsed.append(p)
    if errors:
        raise ValidationFailed(f"{len({k.split('.')[0] for k in errors})} reading(s) of the batch are not valid; "
                               f"nothing was stored (读数有误，本批均未保存)", errors)
    # 2. Scope: the device's enterprise must be party to each shipment at the right end (404).
    shipments = _shipments(session, device, parsed, kind)
    # 3. Duplicates, state and order (409).
    stored = {row.reading_id: row for row in session.scalars(
        select(model).where(model.device_id == device.id, model.reading_id.in_([p["reading_id"] for p in parsed])))}
    latest: dict[int, dt.datetime] = {
        sid: as_utc(at) for sid, at in session.execute(
            select(model.shipment_id, func.max(model.measured_at))
            .where(model.device_id == device.id, model.shipment_id.in_(sorted({s.id for s in shipments.values()})))
            .group_by(model.shipment_id))}
    seen: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    touched: dict[int, Shipment] = {}
    for i, p in enumerate(parsed):
        sh = shipments[i]
        rid, key = p["reading_id"], f"readings[{i}]"
        earlier = stored.get(rid)
        if earlier is not None or rid in seen:
            same = _same(earlier, p, fields, sh.id) if earlier is not None else (
                seen[rid]["shipment_id"] == sh.id and seen[rid]["measured_at"] == p["measured_at"]
                and all(seen[rid][f] == p[f] for f in fields))
            if same:
                results.append({"index": i, "reading_id": rid, "duplicate": True})
            else:
                errors[f"{key}.reading_id"] = [(f"reading {rid} was already received with other content "
                                                f"(读数编号已使用，内容不同)")]
            continue
        allowed = WEIGH_STATES[p["end_point"]] if kind == "weights" else TRACK_STATES
        if sh.status not in allowed:
            errors[f"{key}.shipment_id"] = [STATE_REASON[sh.status]]
            continue
        last = latest.get(sh.id)
        if last is not None and p["measured_at"] < last:
            errors[f"{key}.measured_at"] = [(f"out of order: earlier than {iso_utc(last)}, the latest reading of this "
                                             f"device for the shipment (读数时间早于本设备该联单已收到的最新读数 "
                                             f"{iso_utc(last)})")]
            continue
        latest[sh.id] = p["measured_at"]
        row = {"device_id": device.id, "shipment_id": sh.id, "reading_id": rid, "measured_at": p["measured_at"],
               "received_at": now, **{f: p[f] for f in fields}}
        seen[rid] = row
        rows.append(row)
        touched[sh.id] = sh
        results.append({"index": i, "reading_id": rid, "duplicate": False})
    if errors:
        raise Conflict(f"{len(errors)} reading(s) of the batch conflict with what is stored or the shipment's state; "
                       f"nothing was stored (读数冲突，本批均未保存)", errors)
    if rows:
        session.execute(insert(model), rows)
        device.last_seen_at = now
        session.flush()
        for sh in touched.values():
            alerts.refresh_device_alerts(session, sh, now=now, settings=settings, actor=f"device:{device.id}")
    return BatchResult(stored=len(rows), duplicates=len(results) - len(rows), results=results)


def post_weights(session: Session, token: str | None, readings: Any, *, now: dt.datetime | None = None,
                 settings: alerts.AlertSettings | None = None) -> BatchResult:
    """Store a weighbridge's batch of weighings (all or nothing); raises the scale alerts at once."""
    return _post(session, token, readings, kind="weights", now=now, settings=settings)


def post_track(session: Session, token: str | None, readings: Any, *, now: dt.datetime | None = None,
               settings: alerts.AlertSettings | None = None) -> BatchResult:
    """Store a GPS tracker's batch of track points (all or nothing); raises route and stop alerts at once."""
    return _post(session, token, readings, kind="track", now=now, settings=settings)


# --- what the shipment page shows ----------------------------------------------------------------------

@dataclass
class ShipmentDevices:
    """What the shipment page shows of the devices: the latest net per end and their difference, the track,
    the planned line and corridor, and the shipment's active alerts the principal may see."""

    weights: dict[str, dict[str, Any]]
    weighings: int
    difference: dict[str, float] | None
    track: list[tuple[float, float, str | None]]
    producer: tuple[float, float]
    receiver: tuple[float, float]
    corridor_km: float
    alerts: list[dict[str, Any]]

    @property
    def empty(self) -> bool:
        return not self.weights and not self.track and not self.alerts


def shipment_devices(session: Session, principal: Principal, shipment_id: int,
                     settings: alerts.AlertSettings | None = None) -> ShipmentDevices:
    """The devices' part of one shipment's page, for whoever may see the shipment (``NotFound`` else).

    Alerts follow the alerts' own rule: coordinators and admins see them, enterprise users none.
    """
    shipment = transfers.get_shipment(session, principal, shipment_id)
    data = shipment_readings(session, shipment)
    rows = session.scalars(alerts.visible_alerts(principal).where(
        Alert.shipment_id == shipment.id, Alert.status.in_(ACTIVE_ALERT_STATUSES)).order_by(Alert.raised_at, Alert.id))
    return ShipmentDevices(
        weights=data["weights"], weighings=data["weighings"], difference=data["difference"], track=data["track"],
        producer=(shipment.producer.lat, shipment.producer.lon), receiver=(shipment.receiver.lat, shipment.receiver.lon),
        corridor_km=(settings or alerts.AlertSettings()).corridor_km,
        alerts=[{"kind": a.kind, "severity": a.severity, "status": a.status, "message": a.message,
                 "raised_at": iso_utc(a.raised_at)} for a in rows])


def shipment_readings(session: Session, shipment: Shipment) -> dict[str, Any]:
    """A shipment's weighings (latest per end, and all), its track and planned line, for its page.

    The caller has already checked that the principal sees the shipment (``transfers.get_shipment``).
    """
    weighs = list(session.scalars(select(WeighReading).where(WeighReading.shipment_id == shipment.id)
                                  .order_by(WeighReading.measured_at, WeighReading.id)))
    latest: dict[str, WeighReading] = {}
    for w in weighs:
        latest[w.end_point] = w
    points = session.execute(select(TrackPoint.lat, TrackPoint.lon, TrackPoint.measured_at)
                             .where(TrackPoint.shipment_id == shipment.id)
                             .order_by(TrackPoint.measured_at, TrackPoint.id)).all()
    ends = {end: {"net_t": w.net_t, "gross_t": w.gross_t, "tare_t": w.tare_t, "measured_at": iso_utc(w.measured_at),
                  "end_zh": END_ZH[end]} for end, w in latest.items()}
    diff = None
    if "dispatch" in latest and "receipt" in latest and latest["dispatch"].net_t > 0:
        d = latest["receipt"].net_t - latest["dispatch"].net_t
        diff = {"t": round(d, 6), "pct": round(d / latest["dispatch"].net_t * 100, 3)}
    return {"weights": ends, "weighings": len(weighs), "difference": diff,
            "track": [(float(lat), float(lon), iso_utc(at)) for lat, lon, at in points]}


__all__ = ["MAX_BATCH", "BatchResult", "ShipmentDevices", "authenticate", "device_view", "get_device", "list_devices", "post_track",
           "post_weights", "register_device", "revoke_device", "shipment_devices", "shipment_readings"]
