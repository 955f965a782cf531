"""Reconciliation alerts for coordinators (对账预警), kept in the database so none is lost on a restart.

Six kinds (``models.alerts.ALERT_KINDS``), each with its threshold in ``AlertSettings``;
"beyond" / "above" is strictly greater, so a value exactly at a threshold raises nothing:

- ``weight_mismatch`` — a received or closed shipment whose |received − dispatched| / dispatched
  exceeds ``weight_tolerance``; critical beyond twice the tolerance.
- ``not_received`` — dispatched and not received ``receipt_days`` after dispatch; critical
  beyond twice that. It clears once the shipment is received or rejected.
- ``manifest_open`` — received but not closed ``close_days`` after receipt. A rejected
  shipment is final in the transfer state machine (nothing closes it), so only received
  shipments are watched.
- ``licence_expiring`` — a licence whose ``valid_to`` falls within ``licence_expiry_days`` of the
  park's today (today ≤ valid_to ≤ today + N, warning); one already expired while an approved /
  in-transfer match or an open shipment still uses it is critical.
- ``licence_capacity`` — tonnes that matches approved this year hold on a licence
  (``enterprises.licence_used_t``, which counts by the UTC year of approval, as approvals
  reserve) above ``capacity_ratio`` of its annual capacity; critical above 100 %. Only the
  current year is watched: last year's alert clears when the year turns.
- ``receipts_over_licence`` — Σ tonnes received (received / closed shipments under the
  licence, by the park's calendar year of receipt) above the annual capacity; critical. Every
  year with receipts is watched: an excess stays a fact until the receipts are corrected.

Three more kinds come from the field devices (``services.traceability.devices``, docs/devices.md),
found here from the stored readings, at once when readings arrive (``refresh_device_alerts``) and by
every scan:

- ``scale_mismatch`` — the latest receipt weighbridge net differs from the latest dispatch net by more
  than ``scale_tolerance`` of the dispatch net; critical beyond twice that.
- ``route_deviation`` — a track point farther than ``corridor_km`` from the planned line (the straight
  producer → receiver line: no route is stored per shipment); critical beyond twice the buffer.
- ``long_stop`` — consecutive track points within ``STOP_RADIUS_KM`` of the stop's first point spanning
  more than ``stop_minutes`` (warning), away from the two ends (loading and unloading are not stops).

A scan finds each condition, keyed by kind and subject (``weight_mismatch:shipment:12``):
a new condition raises an ``open`` alert; one found again updates the active alert's
severity, message, details and ``last_seen_at`` (an acknowledged alert stays acknowledged
while its condition holds); an active alert whose condition no longer holds is
``cleared``. Nothing is ever deleted. Raising, clearing and acknowledging are audited
(``entity_type`` "alert") with the alert's park.

Who sees alerts: admins all; coordinators the alerts of their parks — ``alert.park_id`` (the
shipment's park, i.e. the producer's, else the receiver's; for licences the holder's park)
and, for shipment alerts, also the receiver's park, since both parks' coordinators follow
a transfer. Enterprise users see none (the API refuses them with 403).
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, false, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, selectinload

from ...durations import spoken_duration
from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...models import (
    ACTIVE_ALERT_STATUSES,
    ALERT_KINDS,
    OPEN_SHIPMENT_STATUSES,
    Alert,
    Enterprise,
    Licence,
    Match,
    Park,
    Shipment,
    TrackPoint,
    WeighReading,
)
from ...models.base import MAX_ID, as_utc, iso_utc, park_date, utcnow
from ..accounts import audit
from ..accounts.enterprises import licence_used_t
from ..accounts.parks import coordinated_park, get_park
from ..accounts.users import Principal

SHIPMENT_KINDS = ("weight_mismatch", "not_received", "manifest_open")
LICENCE_KINDS = ("licence_expiring", "licence_capacity", "receipts_over_licence")
# Found from the weighbridges' and GPS trackers' readings of a shipment.
DEVICE_KINDS = ("scale_mismatch", "route_deviation", "long_stop")
# The kinds this module finds itself; other packages raise theirs through ``sync_alerts`` and scan hooks.
OWN_KINDS = SHIPMENT_KINDS + LICENCE_KINDS + DEVICE_KINDS
# A vehicle "stands" while its points stay within this distance of the stop's first point (GPS noise
# at standstill is tens of metres; 0.2 km keeps a slow crawl in a queue a stop too).
STOP_RADIUS_KM = 0.2
# Points this close to the producer or the receiver are loading or unloading, never a stop or a deviation.
END_RADIUS_KM = 1.0
EARTH_RADIUS_KM = 6371.0088
RECEIVED_STATUSES = ("received", "closed")
# Matches that still rely on their licence: an expired licence under one of these is critical.
USING_MATCH_STATUSES = ("approved", "in_transfer")
# Float noise must not tip a value sitting exactly on a threshold over it.
EPS = 1e-9
SYSTEM_ACTOR = "system:alerts"
NOTE_MAX = 2000
KIND_ZH = {"weight_mismatch": "重量不符", "not_received": "逾期未接收", "manifest_open": "联单逾期未办结",
           "licence_expiring": "许可证即将到期", "licence_capacity": "许可证能力接近上限",
           "receipts_over_licence": "接收量超出许可能力", "banned_use": "违规使用禁用物质",
           "obligation_overdue": "管控义务逾期",
           "scale_mismatch": "两端地磅重量不符", "route_deviation": "偏离规划路线", "long_stop": "途中长时间停留"}
STATUS_ZH = {"open": "未处理", "acknowledged": "已确认", "cleared": "已解除"}


@dataclass(frozen=True)
class AlertSettings:
    """The thresholds of the six alert kinds (each compared strictly: at the threshold nothing fires)."""

    weight_tolerance: float = 0.05   # share of the dispatched tonnes
    receipt_days: float = 3          # days from dispatch to receipt
    close_days: float = 7            # days from receipt to closing the manifest
    licence_expiry_days: int = 60    # days before valid_to (park calendar days)
    capacity_ratio: float = 0.90     # share of the annual capacity held by approved matches
    scale_tolerance: float = 0.02    # share of the dispatch weighbridge's net (two scales of one load)
    corridor_km: float = 5.0         # buffer either side of the planned producer → receiver line
    stop_minutes: float = 30         # minutes standing within STOP_RADIUS_KM before it is a long stop

    def as_dict(self) -> dict[str, float]:
        return {"weight_tolerance": self.weight_tolerance, "receipt_days": self.receipt_days,
                "close_days": self.close_days, "licence_expiry_days": self.licence_expiry_days,
                "capacity_ratio": self.capacity_ratio, "scale_tolerance": self.scale_tolerance,
                "corridor_km": self.corridor_km, "stop_minutes": self.stop_minutes}


def settings_from(values: dict[str, Any] | None) -> AlertSettings:
    """``AlertSettings`` from optional overrides (None values keep the default); bad values are a 422."""
    values = {k: v for k, v in (values or {}).items() if v is not None}
    errors: dict[str, list[str]] = {}
    defaults = AlertSettings()
    for name, low, high in (("weight_tolerance", 0.0, 10.0), ("receipt_days", 0.0, 3650.0),
                            ("close_days", 0.0, 3650.0), ("licence_expiry_days", 0, 3650),
                            ("capacity_ratio", 0.0, 10.0), ("scale_tolerance", 0.0, 10.0),
                            ("corridor_km", 0.0, 1000.0), ("stop_minutes", 0.0, 100000.0)):
        if name not in values:
            continue
        v = values[name]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not (low <= v <= high) or math.isnan(v):
            errors[name] = [f"must be a number in [{low:g}, {high:g}] (须为 {low:g} 至 {high:g} 之间的数值)"]
        elif name == "licence_expiry_days" and int(v) != v:
            errors[name] = ["must be a whole number of days (须为整数天数)"]
    unknown = sorted(set(values) - set(defaults.as_dict()))
    for name in unknown:
        errors[name] = ["unknown threshold (未知的阈值)"]
    if errors:
        raise ValidationFailed("the alert thresholds are not valid (预警阈值有误)", errors)
    if "licence_expiry_days" in values:
        values["licence_expiry_days"] = int(values["licence_expiry_days"])
    return AlertSettings(**{**defaults.as_dict(), **values})


@dataclass
class ScanResult:
    """What one scan did: alerts raised, found again (still active), cleared; active alerts per kind."""

    raised: int = 0
    still_active: int = 0
    cleared: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"raised": self.raised, "still_active": self.still_active, "cleared": self.cleared,
                "by_kind": dict(self.by_kind)}


@dataclass
class _Finding:
    """A condition that holds now: what its alert must say."""

    kind: str
    key: str
    severity: str
    message: str
    details: dict[str, Any]
    park_id: int | None = None
    enterprise_id: int | None = None
    shipment_id: int | None = None
    licence_number: str | None = None


def _days(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 86400, 2)


# --- shipment kinds ------------------------------------------------------------------------------

def _shipment_park(shipment: Shipment) -> int | None:
    if shipment.park_id is not None:
        return shipment.park_id
    return shipment.receiver.park_id if shipment.receiver is not None else None


def _shipment_findings(shipment: Shipment, now: dt.datetime, s: AlertSettings) -> list[_Finding]:
    """The shipment-based conditions that hold for ``shipment`` at ``now``."""
    out: list[_Finding] = []
    m = shipment.manifest_number
    base = {"park_id": _shipment_park(shipment), "enterprise_id": shipment.receiver_id,
            "shipment_id": shipment.id, "licence_number": shipment.licence_number}
    common = {"manifest_number": m, "producer": shipment.producer.ref if shipment.producer else None,
              "receiver": shipment.receiver.ref if shipment.receiver else None}
    if shipment.status in RECEIVED_STATUSES and shipment.quantity_received_t is not None and shipment.quantity_t > 0:
        sent, got = float(shipment.quantity_t), float(shipment.quantity_received_t)
        diff = got - sent
        ratio = abs(diff) / sent
        if ratio > s.weight_tolerance + EPS:
            pct = diff / sent * 100
            out.append(_Finding(
                kind="weight_mismatch", key=f"weight_mismatch:shipment:{shipment.id}",
                severity="critical" if ratio > 2 * s.weight_tolerance + EPS else "warning",
                message=(f"联单 {m} 接收量 {got:g} 吨与发运量 {sent:g} 吨相差 {diff:+.3f} 吨（{pct:+.1f}%），"
                         f"超出 {s.weight_tolerance * 100:g}% 容差 (manifest {m}: received {got:g} t against "
                         f"{sent:g} t dispatched, {diff:+.3f} t / {pct:+.1f} %, beyond the "
                         f"{s.weight_tolerance * 100:g} % tolerance)"),
                details={**common, "dispatched_t": sent, "received_t": got, "difference_t": round(diff, 6),
                         "difference_pct": round(pct, 3), "tolerance": s.weight_tolerance},
                **base))
    if shipment.status == "dispatched" and shipment.dispatched_at is not None:
        since = as_utc(shipment.dispatched_at)
        age = now - since
        limit = dt.timedelta(days=s.receipt_days)
        if age > limit:
            out.append(_Finding(
                kind="not_received", key=f"not_received:shipment:{shipment.id}",
                severity="critical" if age > 2 * limit else "warning",
                message=(f"联单 {m} 已发运 {spoken_duration(age, 'zh')} 仍未接收，超过 {s.receipt_days:g} 天 "
                         f"(manifest {m} dispatched {spoken_duration(age, 'en')} ago and not received, "
                         f"beyond {s.receipt_days:g} days)"),
                details={**common, "dispatched_at": iso_utc(since), "days": _days(age),
                         "limit_days": s.receipt_days, "quantity_t": float(shipment.quantity_t)},
                **base))
    if shipment.status == "received" and shipment.received_at is not None:
        since = as_utc(shipment.received_at)
        age = now - since
        if age > dt.timedelta(days=s.close_days):
            out.append(_Finding(
                kind="manifest_open", key=f"manifest_open:shipment:{shipment.id}", severity="warning",
                message=(f"联单 {m} 接收后 {spoken_duration(age, 'zh')} 仍未办结，超过 {s.close_days:g} 天 "
                         f"(manifest {m} received {spoken_duration(age, 'en')} ago and not closed, "
                         f"beyond {s.close_days:g} days)"),
                details={**common, "received_at": iso_utc(since), "days": _days(age),
                         "limit_days": s.close_days},
                **base))
    return out


# --- device kinds (weighbridges and GPS trackers) ----------------------------------------------------

def _local_km(lat0: float) -> Callable[[float, float], tuple[float, float]]:
    """(lat, lon) → (x, y) km on a plane tangent near ``lat0`` (equirectangular: within 0.5 % over a park's
    few hundred km, far below any corridor buffer)."""
    kx = math.radians(1) * EARTH_RADIUS_KM * math.cos(math.radians(lat0))
    ky = math.radians(1) * EARTH_RADIUS_KM
    return lambda lat, lon: (lon * kx, lat * ky)


def _segment_km(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance in km from ``p`` to the segment ``a``–``b`` (all in plane km)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def planned_line_km(lat: float, lon: float, producer: tuple[float, float], receiver: tuple[float, float]) -> float:
    """Distance (km) from a position to the planned line, the straight producer → receiver segment."""
    to_km = _local_km((producer[0] + receiver[0]) / 2)
    return _segment_km(to_km(lat, lon), to_km(*producer), to_km(*receiver))


def _latest_nets(session: Session, shipment_ids: list[int]) -> dict[tuple[int, str], tuple[float, dt.datetime]]:
    """The latest weighbridge net per (shipment, end): a re-weighing replaces the one before."""
    out: dict[tuple[int, str], tuple[float, dt.datetime]] = {}
    if not shipment_ids:
        return out
    rows = session.execute(select(WeighReading.shipment_id, WeighReading.end_point, WeighReading.net_t,
                                  WeighReading.measured_at)
                           .where(WeighReading.shipment_id.in_(shipment_ids))
                           .order_by(WeighReading.measured_at, WeighReading.id))
    for sid, end, net, at in rows:
        out[(sid, end)] = (float(net), as_utc(at))
    return out


def _tracks(session: Session, shipment_ids: list[int]) -> dict[int, list[tuple[float, float, dt.datetime]]]:
    """Every shipment's track points in time order (lat, lon, measured_at)."""
    out: dict[int, list[tuple[float, float, dt.datetime]]] = defaultdict(list)
    if not shipment_ids:
        return out
    rows = session.execute(select(TrackPoint.shipment_id, TrackPoint.lat, TrackPoint.lon, TrackPoint.measured_at)
                           .where(TrackPoint.shipment_id.in_(shipment_ids))
                           .order_by(TrackPoint.shipment_id, TrackPoint.measured_at, TrackPoint.id))
    for sid, lat, lon, at in rows:
        out[sid].append((float(lat), float(lon), as_utc(at)))
    return out


def longest_stop(points: list[tuple[float, float, dt.datetime]], ends: list[tuple[float, float]],
                 ) -> tuple[dt.timedelta, int, tuple[float, float, dt.datetime] | None, list[dt.timedelta]]:
    """The stops of a track in time order: (longest, its number of points, its first point, every stop's length).

    A stop runs from a point while the next points stay within ``STOP_RADIUS_KM`` of it; stops within
    ``END_RADIUS_KM`` of one of ``ends`` (loading, unloading) are left out.
    """
    if not points:
        return dt.timedelta(0), 0, None, []
    to_km = _local_km(points[0][0])
    plane = [to_km(lat, lon) for lat, lon, _ in points]
    end_plane = [to_km(lat, lon) for lat, lon in ends]
    best, best_n, best_at, lengths = dt.timedelta(0), 0, None, []
    i, n = 0, len(points)
    while i < n:
        j = i + 1
        while j < n and math.dist(plane[i], plane[j]) <= STOP_RADIUS_KM:
            j += 1
        span = points[j - 1][2] - points[i][2]
        at_end = any(math.dist(plane[i], e) <= END_RADIUS_KM for e in end_plane)
        if j - i > 1 and not at_end:
            lengths.append(span)
            if span > best:
                best, best_n, best_at = span, j - i, points[i]
        i = j
    return best, best_n, best_at, lengths


def _device_findings(session: Session, shipments: list[Shipment], s: AlertSettings) -> list[_Finding]:
    """The weighbridge and GPS conditions that hold for ``shipments`` (from their stored readings)."""
    out: list[_Finding] = []
    ids = [sh.id for sh in shipments]
    nets = _latest_nets(session, ids)
    tracks = _tracks(session, ids)
    for sh in shipments:
        m = sh.manifest_number
        base = {"park_id": _shipment_park(sh), "enterprise_id": sh.receiver_id, "shipment_id": sh.id,
                "licence_number": sh.licence_number}
        common = {"manifest_number": m, "producer": sh.producer.ref if sh.producer else None,
                  "receiver": sh.receiver.ref if sh.receiver else None}
        sent, got = nets.get((sh.id, "dispatch")), nets.get((sh.id, "receipt"))
        if sent is not None and got is not None and sent[0] > 0:
            diff = got[0] - sent[0]
            ratio = abs(diff) / sent[0]
            if ratio > s.scale_tolerance + EPS:
                pct = diff / sent[0] * 100
                out.append(_Finding(
                    kind="scale_mismatch", key=f"scale_mismatch:shipment:{sh.id}",
                    severity="critical" if ratio > 2 * s.scale_tolerance + EPS else "warning",
                    message=(f"联单 {m} 接收端地磅净重 {got[0]:g} 吨与发运端 {sent[0]:g} 吨相差 {diff:+.3f} 吨"
                             f"（{pct:+.1f}%），超出 {s.scale_tolerance * 100:g}% 容差 (manifest {m}: the receiving "
                             f"weighbridge weighed {got[0]:g} t net against {sent[0]:g} t at dispatch, {diff:+.3f} t / "
                             f"{pct:+.1f} %, beyond the {s.scale_tolerance * 100:g} % tolerance)"),
                    details={**common, "dispatch_net_t": sent[0], "receipt_net_t": got[0],
                             "dispatch_measured_at": iso_utc(sent[1]), "receipt_measured_at": iso_utc(got[1]),
                             "difference_t": round(diff, 6), "difference_pct": round(pct, 3),
                             "tolerance": s.scale_tolerance},
                    **base))
        track = tracks.get(sh.id) or []
        if not track or sh.producer is None or sh.receiver is None:
            continue
        ends = [(sh.producer.lat, sh.producer.lon), (sh.receiver.lat, sh.receiver.lon)]
        far, far_at, outside = 0.0, None, 0
        for lat, lon, at in track:
            d = planned_line_km(lat, lon, ends[0], ends[1])
            if d > s.corridor_km + EPS:
                outside += 1
            if d > far:
                far, far_at = d, (lat, lon, at)
        if outside and far_at is not None:
            out.append(_Finding(
                kind="route_deviation", key=f"route_deviation:shipment:{sh.id}",
                severity="critical" if far > 2 * s.corridor_km + EPS else "warning",
                message=(f"联单 {m} 有 {outside} 个定位点偏离规划路线，最远 {far:.1f} 公里，超出 {s.corridor_km:g} 公里"
                         f"走廊 (manifest {m}: {outside} track point(s) outside the planned corridor, the farthest "
                         f"{far:.1f} km from the line, beyond the {s.corridor_km:g} km buffer)"),
                details={**common, "points_outside": outside, "points": len(track), "max_km": round(far, 3),
                         "farthest": {"lat": far_at[0], "lon": far_at[1], "measured_at": iso_utc(far_at[2])},
                         "corridor_km": s.corridor_km, "planned": "straight producer → receiver line"},
                **base))
        span, count, first, lengths = longest_stop(track, ends)
        limit = dt.timedelta(minutes=s.stop_minutes)
        if first is not None and span > limit:
            long_ones = sum(1 for x in lengths if x > limit)
            minutes = span.total_seconds() / 60
            out.append(_Finding(
                kind="long_stop", key=f"long_stop:shipment:{sh.id}", severity="warning",
                message=(f"联单 {m} 运输途中停留 {spoken_duration(span, 'zh')}，超过 {s.stop_minutes:g} 分钟"
                         f"（共 {long_ones} 次）(manifest {m}: the vehicle stood {spoken_duration(span, 'en')} on the way, "
                         f"beyond {s.stop_minutes:g} minutes; {long_ones} such stop(s))"),
                details={**common, "minutes": round(minutes, 1), "limit_minutes": s.stop_minutes,
                         "stops_over_limit": long_ones, "points": count,
                         "at": {"lat": first[0], "lon": first[1], "since": iso_utc(first[2])},
                         "radius_km": STOP_RADIUS_KM},
                **base))
    return out


def refresh_device_alerts(session: Session, shipment: Shipment, *, now: dt.datetime | None = None,
                          settings: AlertSettings | None = None, actor: str = SYSTEM_ACTOR) -> ScanResult:
    """Re-evaluate the device kinds (scale_mismatch, route_deviation, long_stop) of one shipment.

    The device endpoints call it after storing readings, so an alert is raised with the reading that
    causes it rather than at the next scan.
    """
    now = (as_utc(now) or utcnow()).astimezone(dt.UTC)
    findings = _device_findings(session, [shipment], settings or AlertSettings())
    active = _active(session, Alert.shipment_id == shipment.id, Alert.kind.in_(DEVICE_KINDS))
    return _reconcile(session, findings, active, now, DEVICE_KINDS, actor)


# Planned, cancelled and rejected shipments raise nothing (a rejection is final; nothing closes it).
WATCHED_STATUSES = ("dispatched", "received", "closed")


def _scoped_shipments(park_id: int | None, *columns: Any) -> Select:
    """The shipments of a park's scope (its own or received by its enterprises); all when ``park_id`` is None."""
    receiver = aliased(Enterprise)
    stmt = select(*columns) if columns else select(Shipment).options(selectinload(Shipment.producer),
                                                                     selectinload(Shipment.receiver))
    stmt = stmt.select_from(Shipment).join(receiver, Shipment.receiver_id == receiver.id)
    if park_id is not None:
        stmt = stmt.where(or_(Shipment.park_id == park_id, receiver.park_id == park_id))
    return stmt


# --- licence kinds -------------------------------------------------------------------------------

def _licence_findings(session: Session, licences: list[Licence], now: dt.datetime,
                      s: AlertSettings) -> list[_Finding]:
    """The licence-based conditions that hold at ``now`` for ``licences``."""
    out: list[_Finding] = []
    if not licences:
        return out
    today = park_date(now)
    horizon = today + dt.timedelta(days=s.licence_expiry_days)
    numbers = [lic.number for lic in licences]
    using_matches: dict[str, int] = defaultdict(int)
    for number, in session.execute(select(Match.licence_number).where(
            Match.licence_number.in_(numbers), Match.status.in_(USING_MATCH_STATUSES))):
        using_matches[number] += 1
    using_shipments: dict[str, int] = defaultdict(int)
    for number, in session.execute(select(Shipment.licence_number).where(
            Shipment.licence_number.in_(numbers), Shipment.status.in_(OPEN_SHIPMENT_STATUSES))):
        using_shipments[number] += 1
    # Receipts per licence and park calendar year (the year a regulator's annual return counts).
    receipts: dict[tuple[str, int], float] = defaultdict(float)
    for number, received_at, tonnes in session.execute(
            select(Shipment.licence_number, Shipment.received_at, Shipment.quantity_received_t).where(
                Shipment.licence_number.in_(numbers), Shipment.status.in_(RECEIVED_STATUSES),
                Shipment.received_at.is_not(None))):
        receipts[(number, park_date(received_at).year)] += float(tonnes or 0.0)
    # Approvals reserve capacity by the UTC year of approval (workflow and licence_used_t do); so does this.
    year = as_utc(now).astimezone(dt.UTC).year
    for lic in licences:
        holder = lic.enterprise
        base = {"park_id": holder.park_id if holder else None, "enterprise_id": lic.enterprise_id,
                "licence_number": lic.number}
        common = {"licence_number": lic.number, "holder": holder.ref if holder else None,
                  "annual_capacity_t": float(lic.annual_capacity_t)}
        n = lic.number
        if lic.valid_to is not None:
            left = (lic.valid_to - today).days
            if today <= lic.valid_to <= horizon:
                out.append(_Finding(
                    kind="licence_expiring", key=f"licence_expiring:{n}", severity="warning",
                    message=(f"许可证 {n} 将于 {lic.valid_to} 到期（剩余 {left} 天，预警期 {s.licence_expiry_days} 天）"
                             f" (licence {n} expires on {lic.valid_to}, in {left} days; "
                             f"warning {s.licence_expiry_days} days ahead)"),
                    details={**common, "valid_to": lic.valid_to.isoformat(), "days_left": left,
                             "limit_days": s.licence_expiry_days, "expired": False},
                    **base))
            elif lic.valid_to < today and (using_matches[n] or using_shipments[n]):
                out.append(_Finding(
                    kind="licence_expiring", key=f"licence_expiring:{n}", severity="critical",
                    message=(f"许可证 {n} 已于 {lic.valid_to} 过期，仍有 {using_matches[n]} 个匹配和 "
                             f"{using_shipments[n]} 份未办结联单使用 (licence {n} expired on {lic.valid_to} "
                             f"but {using_matches[n]} match(es) and {using_shipments[n]} open shipment(s) "
                             f"still use it)"),
                    details={**common, "valid_to": lic.valid_to.isoformat(), "days_left": left,
                             "limit_days": s.licence_expiry_days, "expired": True,
                             "matches": using_matches[n], "open_shipments": using_shipments[n]},
                    **base))
        used = licence_used_t(session, n, year)
        cap = float(lic.annual_capacity_t)
        over = used > s.capacity_ratio * cap + EPS if cap > 0 else used > EPS
        if over:
            pct = used / cap * 100 if cap > 0 else None
            pct_text = f"{pct:.1f}%" if pct is not None else "∞"
            out.append(_Finding(
                kind="licence_capacity", key=f"licence_capacity:{n}:{year}",
                severity="critical" if used > cap + EPS else "warning",
                message=(f"许可证 {n} {year} 年已批准 {used:g} 吨，占年许可能力 {cap:g} 吨的 {pct_text}，"
                         f"超过 {s.capacity_ratio * 100:g}% (licence {n}: {used:g} t approved in {year}, "
                         f"{pct_text} of its {cap:g} t annual capacity, above {s.capacity_ratio * 100:g} %)"),
                details={**common, "year": year, "used_t": used, "used_pct": round(pct, 3) if pct is not None else None,
                         "ratio": s.capacity_ratio, "left_t": round(cap - used, 6)},
                **base))
        for (number, y), tonnes in sorted(receipts.items()):
            if number != n or tonnes <= cap + EPS:
                continue
            out.append(_Finding(
                kind="receipts_over_licence", key=f"receipts_over_licence:{n}:{y}", severity="critical",
                message=(f"许可证 {n} {y} 年累计接收 {tonnes:g} 吨，超出年许可能力 {cap:g} 吨 {tonnes - cap:g} 吨 "
                         f"(licence {n}: {tonnes:g} t received in {y}, {tonnes - cap:g} t above its "
                         f"{cap:g} t annual capacity)"),
                details={**common, "year": y, "received_t": round(tonnes, 6), "excess_t": round(tonnes - cap, 6)},
                **base))
    return out


def _scoped_licences(session: Session, park_id: int | None) -> list[Licence]:
    stmt = select(Licence).join(Enterprise, Licence.enterprise_id == Enterprise.id) \
        .options(selectinload(Licence.enterprise)).order_by(Licence.number)
    if park_id is not None:
        stmt = stmt.where(Enterprise.park_id == park_id)
    return list(session.scalars(stmt))


# --- reconciling findings with stored alerts -------------------------------------------------------

def _audit(session: Session, alert: Alert, action: str, *, actor: str, changes: dict[str, Any],
           **context: Any) -> None:
    audit.record(session, actor=actor, action=action, entity_type="alert", entity_key=str(alert.id),
                 changes=changes, context={"kind": alert.kind, "key": alert.key, **context}, park_id=alert.park_id)


def _raise(session: Session, f: _Finding, now: dt.datetime, actor: str = SYSTEM_ACTOR) -> Alert | None:
    """Insert the open alert of ``f`` (audited); None when another transaction holds the key's active alert.

    The partial unique index (one active alert per key) is the backstop; the savepoint keeps
    the caller's transaction usable when it fires.
    """
    alert = Alert(kind=f.kind, key=f.key, park_id=f.park_id, enterprise_id=f.enterprise_id,
                  shipment_id=f.shipment_id, licence_number=f.licence_number, severity=f.severity,
                  message=f.message, details=f.details, status="open", raised_at=now, last_seen_at=now)
    try:
        with session.begin_nested():
            session.add(alert)
            session.flush()
    except IntegrityError:
        return None
    _audit(session, alert, "raise", actor=actor, changes={"status": [None, "open"]},
           severity=f.severity, message=f.message)
    return alert


def _reconcile(session: Session, findings: list[_Finding], active: list[Alert], now: dt.datetime,
               kinds: tuple[str, ...], actor: str = SYSTEM_ACTOR) -> ScanResult:
    """Raise, update and clear so that the active alerts of ``active``'s scope are exactly ``findings``."""
    result = ScanResult(by_kind={k: 0 for k in kinds})
    by_key = {a.key: a for a in active}
    seen: set[str] = set()
    for f in findings:
        if f.key in seen:  # pragma: no cover - one finding per key by construction
            continue
        seen.add(f.key)
        result.by_kind[f.kind] = result.by_kind.get(f.kind, 0) + 1
        alert = by_key.get(f.key)
        if alert is None:
            alert = _raise(session, f, now, actor)
            if alert is not None:
                result.raised += 1
                continue
            # A concurrent scan raised it first: update the one it committed instead.
            alert = session.scalar(select(Alert).where(Alert.key == f.key, Alert.status.in_(ACTIVE_ALERT_STATUSES))
                                   .with_for_update().execution_options(populate_existing=True))
            if alert is None:  # pragma: no cover - raised and cleared again meanwhile
                continue
        alert.severity, alert.message, alert.details = f.severity, f.message, f.details
        alert.park_id, alert.enterprise_id = f.park_id, f.enterprise_id
        alert.last_seen_at = now
        result.still_active += 1
    for alert in active:
        if alert.key in seen:
            continue
        before = alert.status
        alert.status, alert.cleared_at = "cleared", now
        _audit(session, alert, "clear", actor=actor, changes={"status": [before, "cleared"]})
        result.cleared += 1
    session.flush()
    return result


def _active(session: Session, *where: Any) -> list[Alert]:
    # Locked so that a concurrent scan or acknowledgement waits rather than overwriting this one's work.
    return list(session.scalars(select(Alert).where(Alert.status.in_(ACTIVE_ALERT_STATUSES), *where)
                                .order_by(Alert.id).with_for_update().execution_options(populate_existing=True)))


def scan(session: Session, *, now: dt.datetime | None = None, settings: AlertSettings | None = None,
         park_id: int | None = None, actor: str = SYSTEM_ACTOR) -> ScanResult:
    """Evaluate every alert kind (for one park when ``park_id`` is given) and bring the stored alerts up to date.

    Shipments are in a park's scope when their park or their receiver's park is that park;
    licences when their holder is in it. ``actor`` is who the audit trail names for raising and
    clearing (default ``system:alerts``). Never commits.
    """
    now = (as_utc(now) or utcnow()).astimezone(dt.UTC)  # SQLite drops offsets: store UTC
    s = settings or AlertSettings()
    shipments = list(session.scalars(_scoped_shipments(park_id).where(Shipment.status.in_(WATCHED_STATUSES))
                                     .order_by(Shipment.id)))
    findings = [f for sh in shipments for f in _shipment_findings(sh, now, s)]
    findings += _device_findings(session, shipments, s)
    licences = _scoped_licences(session, park_id)
    findings += _licence_findings(session, licences, now, s)
    if park_id is None:
        # Only this module's kinds: the alerts other packages raise are theirs to clear (their scan hooks).
        active = _active(session, Alert.kind.in_(OWN_KINDS))
    else:
        numbers = [lic.number for lic in licences]
        active = _active(session, or_(
            Alert.kind.in_(SHIPMENT_KINDS + DEVICE_KINDS)
            & Alert.shipment_id.in_(_scoped_shipments(park_id, Shipment.id)),
            Alert.kind.in_(LICENCE_KINDS) & Alert.licence_number.in_(numbers) if numbers else false()))
    result = _reconcile(session, findings, active, now, ALERT_KINDS, actor)
    for hook in list(_SCAN_HOOKS.values()):
        _merge(result, hook(session, park_id, now, actor))
    return result


# --- alerts of other packages ---------------------------------------------------------------------
# A package above this one (governance) cannot be imported from here (the packages would form a circle),
# so it hands this module its own scan: every ``scan`` (the CLI's, the API's, the pages') runs the hooks
# registered, with the park, the instant and the actor of the scan.

ScanHook = Callable[[Session, "int | None", dt.datetime, str], ScanResult]
_SCAN_HOOKS: dict[str, ScanHook] = {}


def register_scan_hook(name: str, hook: ScanHook) -> None:
    """Run ``hook(session, park_id, now, actor) -> ScanResult`` in every ``scan`` (once per ``name``)."""
    _SCAN_HOOKS[name] = hook


def scan_hooks() -> tuple[str, ...]:
    """The names of the registered scan hooks."""
    return tuple(_SCAN_HOOKS)


def _merge(into: ScanResult, other: ScanResult) -> None:
    into.raised += other.raised
    into.still_active += other.still_active
    into.cleared += other.cleared
    for kind, n in other.by_kind.items():
        into.by_kind[kind] = into.by_kind.get(kind, 0) + n


@dataclass(frozen=True)
class AlertFinding:
    """A condition another package found: the alert it must be (``key`` names kind and subject)."""

    kind: str
    key: str
    severity: str  # critical | warning
    message: str   # Chinese first, English alongside
    details: dict[str, Any]
    park_id: int | None = None
    enterprise_id: int | None = None


def sync_alerts(session: Session, findings: list[AlertFinding], *, kinds: tuple[str, ...],
                key_prefix: str | None = None, enterprise_ids: Collection[int] | None = None,
                park_id: int | None = None, now: dt.datetime | None = None, actor: str = SYSTEM_ACTOR) -> ScanResult:
    """Raise, update and clear alerts of ``kinds`` so that the active ones of the scope are exactly ``findings``.

    The scope is the active alerts of ``kinds`` whose key starts with ``key_prefix``, held by one of
    ``enterprise_ids`` and filed under ``park_id`` (each when given): an active alert of the scope
    without a finding is cleared, a finding without an active alert raises one, the others are updated.
    Audited as every alert; never commits.
    """
    unknown = sorted(set(kinds) - set(ALERT_KINDS)) + sorted({f.kind for f in findings} - set(kinds))
    if unknown:
        raise ValueError(f"alert kinds not allowed here: {', '.join(unknown)}")
    now = (as_utc(now) or utcnow()).astimezone(dt.UTC)
    where: list[Any] = [Alert.kind.in_(kinds)]
    if key_prefix is not None:
        where.append(Alert.key.startswith(key_prefix, autoescape=True))
    if enterprise_ids is not None:
        where.append(Alert.enterprise_id.in_(sorted(enterprise_ids)) if enterprise_ids else false())
    if park_id is not None:
        where.append(Alert.park_id == park_id)
    inner = [_Finding(kind=f.kind, key=f.key, severity=f.severity, message=f.message, details=f.details,
                      park_id=f.park_id, enterprise_id=f.enterprise_id) for f in findings]
    return _reconcile(session, inner, _active(session, *where), now, kinds, actor)


@dataclass
class ParkScan:
    """A caller's scan (``scan_for``): what it did, the park it covered (None: every park), the thresholds used."""

    result: ScanResult
    park: str | None
    settings: AlertSettings

    def as_dict(self) -> dict[str, Any]:
        return {**self.result.as_dict(), "park": self.park, "settings": self.settings.as_dict()}


def scan_for(session: Session, principal: Principal, park_code: str | None,
             settings: AlertSettings | None = None, *, now: dt.datetime | None = None) -> ParkScan:
    """The scan a coordinator or admin asks for, with the one rule for which park it covers (API and pages).

    A named park must exist (404) and be one the caller coordinates (403, as any permission);
    none named: an admin scans every park, a coordinator of exactly one park that park, a
    coordinator of several must name one (422). Enterprise users are refused (403). Never commits.
    """
    _require_coordinator(principal)
    if park_code is not None:
        park: Park | None = coordinated_park(session, principal, park_code, field="park")
    elif principal.is_admin:
        park = None
    elif len(principal.park_ids) == 1:
        park = session.get(Park, next(iter(principal.park_ids)))
    else:
        raise ValidationFailed("name the park to scan (请选择园区)",
                               {"park": ["required: you coordinate several parks (您管理多个园区，须指明园区)"]})
    settings = settings or AlertSettings()
    result = scan(session, now=now, settings=settings, park_id=park.id if park is not None else None,
                  actor=principal.actor)
    return ParkScan(result, park.code if park is not None else None, settings)


def refresh_for_shipment(session: Session, shipment: Shipment, *, now: dt.datetime | None = None,
                         settings: AlertSettings | None = None, actor: str = SYSTEM_ACTOR) -> ScanResult:
    """Re-evaluate the shipment-based kinds (weight_mismatch, not_received, manifest_open) of one shipment.

    Transfers call it after each transition, so a receipt clears ``not_received`` and a
    weighed difference raises ``weight_mismatch`` at once rather than at the next scan.
    """
    now = (as_utc(now) or utcnow()).astimezone(dt.UTC)  # SQLite drops offsets: store UTC
    findings = _shipment_findings(shipment, now, settings or AlertSettings())
    active = _active(session, Alert.shipment_id == shipment.id, Alert.kind.in_(SHIPMENT_KINDS))
    return _reconcile(session, findings, active, now, SHIPMENT_KINDS, actor)


# --- who sees and acknowledges -------------------------------------------------------------------

def _receiver_park_shipments(park_ids: list[int]) -> Select:
    return select(Shipment.id).join(Enterprise, Shipment.receiver_id == Enterprise.id) \
        .where(Enterprise.park_id.in_(park_ids))


def visible_alerts(principal: Principal) -> Select:
    """``SELECT`` of the alerts ``principal`` may see: admins all, coordinators their parks', others none."""
    stmt = select(Alert).options(selectinload(Alert.park), selectinload(Alert.enterprise),
                                 selectinload(Alert.shipment))
    if principal.is_admin:
        return stmt
    if principal.is_coordinator and principal.park_ids:
        parks = list(principal.park_ids)
        return stmt.where(or_(Alert.park_id.in_(parks), Alert.shipment_id.in_(_receiver_park_shipments(parks))))
    return stmt.where(false())


def filtered_alerts(session: Session, principal: Principal, *, status: str | None = None, kind: str | None = None,
                    park: str | None = None) -> Select:
    """The visible alerts with the list filters applied, newest first (``park``: a park code)."""
    stmt = visible_alerts(principal)
    if status is not None:
        stmt = stmt.where(Alert.status == status)
    if kind is not None:
        stmt = stmt.where(Alert.kind == kind)
    if park is not None:
        park_id = park_id_of(session, park)
        stmt = stmt.where(or_(Alert.park_id == park_id, Alert.shipment_id.in_(_receiver_park_shipments([park_id]))))
    return stmt.order_by(Alert.raised_at.desc(), Alert.id.desc())


def park_id_of(session: Session, code: str) -> int:
    """The id of the park with ``code`` (NotFound naming ``park`` otherwise)."""
    return get_park(session, code, field="park").id


def park_code_of(session: Session, park_id: int | None) -> str | None:
    """The code of park ``park_id`` (None for None)."""
    return session.scalar(select(Park.code).where(Park.id == park_id)) if park_id is not None else None


def _sees(principal: Principal, alert: Alert) -> bool:
    if principal.is_admin:
        return True
    if not principal.is_coordinator:
        return False
    if principal.coordinates(alert.park_id):
        return True
    shipment = alert.shipment
    return shipment is not None and shipment.receiver is not None and principal.coordinates(shipment.receiver.park_id)


def _not_found(alert_id: Any) -> NotFound:
    return NotFound(f"alert {alert_id} not found (无此预警)",
                    {"alert": [f"no alert {alert_id} you can see (无您可查看的预警 {alert_id})"]})


def _require_coordinator(principal: Principal) -> None:
    if not (principal.is_admin or principal.is_coordinator):
        raise Forbidden("alerts are for coordinators and admins (预警仅限园区管理者查看)",
                        {"role": ["requires coordinator or admin (须为园区管理者或管理员)"]})


def get_alert(session: Session, principal: Principal, alert_id: int, *, lock: bool = False) -> Alert:
    """The alert, if ``principal`` may see it (Forbidden for enterprise users, NotFound when not visible)."""
    _require_coordinator(principal)
    if not isinstance(alert_id, int) or not 0 < alert_id <= MAX_ID:
        raise _not_found(alert_id)
    stmt = select(Alert).where(Alert.id == alert_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    alert = session.scalar(stmt)
    if alert is None or not _sees(principal, alert):
        raise _not_found(alert_id)
    return alert


def acknowledge(session: Session, principal: Principal, alert_id: int, note: str | None) -> Alert:
    """A coordinator has seen the alert: record who, when and their note (required); audited.

    Coordinators of the parks the alert concerns (or an admin) only; a cleared alert
    cannot be acknowledged (409). Acknowledging again replaces the note (the old one stays
    in the audit trail). The alert stays acknowledged while its condition holds.
    """
    alert = get_alert(session, principal, alert_id, lock=True)
    text = (note or "").strip() if isinstance(note, str) or note is None else None
    if text is None or "\x00" in text or len(text) > NOTE_MAX:
        raise ValidationFailed("the note is not valid (备注格式有误)",
                               {"note": [f"text of at most {NOTE_MAX} characters, without NUL (最多 {NOTE_MAX} 个字符)"]})
    if not text:
        raise ValidationFailed("a note is required to acknowledge an alert (请填写处理说明)",
                               {"note": ["required"]})
    if alert.status == "cleared":
        raise Conflict(f"alert {alert.id} is already cleared: nothing to acknowledge (预警已解除)",
                       {"status": [("is cleared; only open or acknowledged alerts can be acknowledged "
                                    "(已解除；只能确认未处理或已确认的预警)")]})
    before = {"status": alert.status, "acknowledgement": alert.acknowledgement}
    now = utcnow()
    alert.status, alert.acknowledged_at, alert.acknowledged_by, alert.acknowledgement = \
        "acknowledged", now, principal.actor, text
    _audit(session, alert, "acknowledge", actor=principal.actor,
           changes={"status": [before["status"], "acknowledged"],
                    "acknowledgement": [before["acknowledgement"], text]})
    session.flush()
    return alert


def alert_view(alert: Alert) -> dict[str, Any]:
    """An alert as the API and CLI show it (only coordinators and admins ever see one)."""
    ent, shipment = alert.enterprise, alert.shipment
    return {
        "id": alert.id, "kind": alert.kind, "kind_zh": KIND_ZH.get(alert.kind, alert.kind), "key": alert.key,
        "status": alert.status, "status_zh": STATUS_ZH.get(alert.status, alert.status), "severity": alert.severity,
        "message": alert.message, "details": alert.details or {},
        "park": alert.park.code if alert.park is not None else None,
        "enterprise": {"id": ent.id, "ref": ent.ref, "name": ent.name} if ent is not None else None,
        "shipment": ({"id": shipment.id, "manifest_number": shipment.manifest_number, "status": shipment.status}
                     if shipment is not None else None),
        "licence_number": alert.licence_number,
        "raised_at": iso_utc(alert.raised_at), "last_seen_at": iso_utc(alert.last_seen_at),
        "acknowledged_at": iso_utc(alert.acknowledged_at), "acknowledged_by": alert.acknowledged_by,
        "acknowledgement": alert.acknowledgement, "cleared_at": iso_utc(alert.cleared_at),
    }


def active_counts(session: Session, principal: Principal, *, park_id: int | None = None) -> dict[str, int]:
    """Active (open or acknowledged) alerts per status visible to ``principal``, optionally in one park."""
    stmt = visible_alerts(principal).where(Alert.status.in_(ACTIVE_ALERT_STATUSES))
    if park_id is not None:
        stmt = stmt.where(or_(Alert.park_id == park_id, Alert.shipment_id.in_(_receiver_park_shipments([park_id]))))
    counts = {"open": 0, "acknowledged": 0}
    for alert in session.scalars(stmt):
        counts[alert.status] += 1
    return counts


__all__ = ["DEVICE_KINDS", "KIND_ZH", "LICENCE_KINDS", "OWN_KINDS", "SHIPMENT_KINDS", "AlertFinding", "AlertSettings",
           "ParkScan", "ScanResult", "acknowledge", "active_counts", "alert_view", "filtered_alerts", "get_alert",
           "park_code_of", "park_id_of", "planned_line_km", "refresh_device_alerts", "refresh_for_shipment",
           "register_scan_hook", "scan", "scan_for", "scan_hooks", "settings_from", "sync_alerts", "visible_alerts"]


def list_alerts(session: Session, principal: Principal, *, status: str | None = None, kind: str | None = None,
                park: str | None = None) -> list[Alert]:
    """The alerts ``principal`` may see with the list filters applied, newest first (``filtered_alerts`` read)."""
    return list(session.scalars(filtered_alerts(session, principal, status=status, kind=kind, park=park)))
