"""The zero-waste city's field work in the demonstration park (无废城市现场作业): a pooled collection round with its
manifests, two weighbridges that disagree and a vehicle that leaves its corridor.

Played after the history, through the same services users call:

* nine small vehicle-repair shops around the licensed collector E-036 (苏州绿捷再生资源回收有限公司, a
  collection licence for used engine oil from repair shops) list their used oil, 1.5–4.8 t a year each;
  the park's coordinator plans tomorrow's round of the collector's 3 t van with the routing solver, puts the
  pick-ups into the workflow, the shops and the collector accept, the coordinator approves, and the round's
  manifests are written, one per pick-up;
* the cutting-emulsion load still on the road to Zhejiang (the history's in-transit shipment) is weighed on
  the producer's weighbridge at dispatch and on the receiver's at its gate: 16.04 t against 15.12 t, a
  ``scale_mismatch`` alert; the producer's GPS tracker posts the way so far, which leaves the planned
  corridor by ~12 km: a ``route_deviation`` alert.

Seeding runs once: a database that already has a collection round is left alone.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Alert, CollectionRound, Enterprise, Listing, Match, Shipment
from ..models.base import CHINA_TZ, as_utc, park_date, utcnow
from ..services.listings.interchange import import_document
from ..services.matching import workflow
from ..services.traceability import devices, pooled_collection
from .history import ACTOR, Cast

COLLECTOR = "E-036"
VAN = {"ref": "苏E·S1021", "capacity_t": 3.0, "shift_start_min": 7 * 60 + 30, "shift_end_min": 17 * 60 + 30}
# (ref, name, km from the collector, bearing in degrees, tonnes a year)
SHOPS = (("E-SC01", "澄湖快修汽车服务部", 2.5, 10, 2.4), ("E-SC02", "阳澄湖镇宏达汽修厂", 12.0, 35, 3.6),
         ("E-SC03", "唯亭车友汽车维修店", 4.0, 100, 1.8), ("E-SC04", "胜浦顺通机动车维修部", 13.0, 125, 4.8),
         ("E-SC05", "甪直安达汽修中心", 3.0, 200, 3.0), ("E-SC06", "车坊驰骋汽车养护店", 11.0, 225, 2.4),
         ("E-SC07", "斜塘鑫盛汽车维修部", 5.0, 290, 2.0), ("E-SC08", "跨塘路通汽修厂", 14.0, 315, 3.2),
         ("E-SC09", "娄葑友联汽车服务站", 7.0, 165, 1.5))
IN_TRANSIT = ("O-006", "N-010")  # the history's cutting emulsion to Zhejiang, still on the road


@dataclass
class ZeroWasteReport:
    """What seeding did."""

    skipped: bool = False
    round_id: int | None = None
    pick_ups: int = 0
    round_km: float = 0.0
    baseline_km: float = 0.0
    manifests: int = 0
    weighings: int = 0
    track_points: int = 0
    alerts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"skipped": self.skipped, "round": self.round_id, "pick_ups": self.pick_ups,
                "round_km": self.round_km, "baseline_km": self.baseline_km, "manifests": self.manifests,
                "weighings": self.weighings, "track_points": self.track_points, "alerts": self.alerts}


def _shops_document(collector: Enterprise) -> dict[str, Any]:
    """The repair shops and their used-oil offers, placed around the collector."""
    enterprises, listings = [], []
    for ref, name, km, bearing, tonnes in SHOPS:
        lat = collector.lat + km / 111.0 * math.cos(math.radians(bearing))
        lon = collector.lon + km / (111.0 * math.cos(math.radians(collector.lat))) * math.sin(math.radians(bearing))
        enterprises.append({"ref": ref, "name": name, "park": "CH", "industry": "8111", "industry_name": "汽车修理与维护",
                            "province": "江苏省", "lat": round(lat, 5), "lon": round(lon, 5)})
        listings.append({"ref": f"O-{ref[2:]}", "kind": "offer", "enterprise": ref, "title": "Used engine oil",
                         "title_zh": "废机油（小微汽修）", "description": "换油产生的废机油，桶装暂存",
                         "waste_code": "900-214-08", "form": "liquid", "quantity_t": tonnes, "period": "year",
                         "composition": [{"name": "基础油", "cas": "64742-54-7", "fraction": 0.85}],
                         "composition_complete": True, "available_from": "2026-01-01", "available_to": None,
                         "price_cny_per_t": -600, "current_route": "storage"})
    return {"format": "wastematch.v1", "enterprises": enterprises, "listings": listings}


def _pooled_round(session: Session, cast: Cast, report: ZeroWasteReport, now: dt.datetime) -> None:
    collector = cast.enterprise(COLLECTOR)
    import_document(session, _shops_document(collector), actor=ACTOR)
    day = park_date(now) + dt.timedelta(days=1)
    rnd = pooled_collection.plan_round(session, cast.coordinator, COLLECTOR, day, vehicles=[VAN],
                                       small_t=10.0, radius_km=30.0, time_limit_s=2.0)
    pooled_collection.propose_round(session, cast.coordinator, rnd.id)
    refs = dict(session.execute(select(Enterprise.id, Enterprise.ref)).all())
    for stop in rnd.stops:
        if stop.match_id is None:
            continue
        workflow.decide(session, cast.of(refs[stop.producer_id]), stop.match_id, "accept")
        workflow.decide(session, cast.of(COLLECTOR), stop.match_id, "accept")
        workflow.decide(session, cast.coordinator, stop.match_id, "approve")
    pooled_collection.issue_manifests(session, cast.coordinator, rnd.id)
    report.round_id, report.pick_ups = rnd.id, len(rnd.stops)
    report.round_km, report.baseline_km = rnd.total_km, rnd.baseline_km
    report.manifests = sum(1 for s in rnd.stops if s.shipment_id)


def _in_transit(session: Session) -> Shipment | None:
    """The history's load still on the road to Zhejiang (its latest dispatched shipment)."""
    offer, need = (session.scalar(select(Listing.id).where(Listing.ref == ref)) for ref in IN_TRANSIT)
    return session.scalar(select(Shipment).join(Match, Match.id == Shipment.match_id).where(
        Shipment.status == "dispatched", Match.offer_id == offer, Match.need_id == need)
        .order_by(Shipment.id.desc()).limit(1))


def _field_devices(session: Session, cast: Cast, report: ZeroWasteReport, now: dt.datetime) -> None:
    shipment = _in_transit(session)
    if shipment is None:
        return
    producer, receiver = shipment.producer, shipment.receiver
    dispatched = as_utc(shipment.dispatched_at)
    hours = max((now - dispatched).total_seconds() / 3600, 2.0)
    at = [dispatched + dt.timedelta(hours=hours * f) for f in (0.02, 0.2, 0.35, 0.5, 0.6, 0.7, 0.8, 0.97)]
    iso = [t.astimezone(CHINA_TZ).isoformat(timespec="seconds") for t in at]
    token_out, _ = devices.register_device(session, cast.coordinator, purpose="weighbridge", name="出厂地磅 1号",
                                           enterprise=producer.ref)
    token_in, _ = devices.register_device(session, cast.coordinator, purpose="weighbridge", name="入厂地磅",
                                          enterprise=receiver.ref)
    number = shipment.manifest_number
    devices.post_weights(session, token_out, [{"reading_id": f"{number}-OUT", "manifest_number": number,
                                               "end": "dispatch", "gross_t": 31.52, "tare_t": 15.48,
                                               "measured_at": iso[0]}], now=now)
    devices.post_weights(session, token_in, [{"reading_id": f"{number}-IN", "manifest_number": number,
                                              "end": "receipt", "gross_t": 30.62, "tare_t": 15.50,
                                              "measured_at": iso[-1]}], now=now)
    report.weighings = 2
    token_gps, _ = devices.register_device(session, cast.coordinator, purpose="gps", name=f"车载定位 {shipment.vehicle}",
                                           enterprise=producer.ref)
    # Along the straight line to the receiver, then ~12 km off it (a detour the corridor does not allow), then back.
    off = (0.0, 0.0, 0.0, 0.11, 0.11, 0.0, 0.0)
    points = []
    for i, (f, shift) in enumerate(zip((0.05, 0.2, 0.35, 0.45, 0.55, 0.7, 0.85), off, strict=True)):
        lat = producer.lat + (receiver.lat - producer.lat) * f + shift
        lon = producer.lon + (receiver.lon - producer.lon) * f - shift
        points.append({"reading_id": f"{number}-P{i + 1:02d}", "manifest_number": number, "lat": round(lat, 5),
                       "lon": round(lon, 5), "speed_kmh": 65.0, "measured_at": iso[i]})
    devices.post_track(session, token_gps, points, now=now)
    report.track_points = len(points)


def seed_demo_zero_waste(session: Session, *, now: dt.datetime | None = None) -> ZeroWasteReport:
    """Play the pooled collection round and the field devices (module docstring); never commits."""
    report = ZeroWasteReport()
    if session.scalar(select(func.count(CollectionRound.id))):
        report.skipped = True
        return report
    now = now or utcnow()
    cast = Cast(session)
    _pooled_round(session, cast, report, now)
    _field_devices(session, cast, report, now)
    session.flush()
    for kind in ("scale_mismatch", "route_deviation"):
        report.alerts[kind] = session.scalar(select(func.count(Alert.id)).where(
            Alert.kind == kind, Alert.status.in_(("open", "acknowledged")))) or 0
    return report
