"""Pooled collection (小微企业危险废物集中收集): small producers' offers gathered into a collector's daily rounds.

Most producers of hazardous waste are small (in one Zhejiang county 88.7 % of industrial firms make under
10 t a year), and a licensed collector serves them in rounds. ``plan_round`` takes the active hazardous
waste offers of the small producers around a collector (under ``SMALL_PRODUCER_T`` a year, within the
radius, not already in the workflow with it), one month's accumulation each, and plans the day's rounds of
its vehicles with the OR-Tools routing solver (``matching.routing``: capacity, pick-up windows, the
collection licence's scope, hazardous waste compatibility within one load), measured against a
nearest-neighbour round on the same pick-ups; both plans are verified constraint by constraint
(``routing.check_plan``) before anything is stored. ``propose_round`` turns each stop into a match of the
producer's offer with the collector's collection need through the workflow (every hard check of the engine,
as for any pair: a refused pair stays a stop with the reason), which both parties accept and a coordinator
approves as usual; ``issue_manifests`` then writes one manifest per approved pick-up (the vehicle and the
day of its round).

Rounds are the park's tool (集中收集 is organised by the park or the local ecology bureau with a licensed
collector): its coordinators and admins plan, see and act on them. A round names every producer on it and
where it is, which the platform does not show one enterprise about others before both sides of a match
have accepted; so the collector and the producers see their pick-ups as matches and manifests, under the
usual disclosure rules, not the round.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from catalog.waste_codes import is_hw_code
from matching import routing
from matching.arcs import Arcs
from matching.problem import Settings, haversine_km
from matching.rules import HARD_CODES, RULES, evaluate_rules

from ...errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from ...models import Enterprise, Licence, Listing, Match
from ...models.base import MAX_ID
from ...models.collection import CollectionRound, CollectionStop
from ...models.parks import HW_LICENCE_KINDS
from ..accounts import audit
from ..accounts.users import Principal
from ..matching import workflow
from ..matching.engine_input import build_problem
from . import transfers

# A small producer (小微企业): under 10 t of hazardous waste a year over all its active offers.
SMALL_PRODUCER_T = 10.0
RADIUS_KM = 60.0
# Pick-ups within business hours unless a vehicle's shift says otherwise (minutes after midnight, park time).
DAY_WINDOW = (8 * 60, 17 * 60)
DEFAULT_VEHICLE = {"ref": "V1", "capacity_t": 5.0, "shift_start_min": 7 * 60 + 30, "shift_end_min": 18 * 60}
MAX_VEHICLES = 50
MAX_PICKUPS = 2000
# One round collects a month's accumulation of a yearly or monthly offer; a one-off offer whole.
PER_ROUND = {"year": 1 / 12, "month": 1.0, "once": 1.0}
PER_YEAR = {"year": 1.0, "month": 12.0, "once": 1.0}
PACKAGING = {"liquid": "drum", "sludge": "drum", "paste": "drum", "powder": "bag", "solid": "bag", "gas": "cylinder"}
# A round's status in Chinese (as the round pages name it), for the refusals.
ROUND_STATUS_ZH = {"planned": "已规划", "proposed": "匹配流程中", "manifested": "已开具联单", "cancelled": "已取消"}

__all__ = ["get_round", "issue_manifests", "list_rounds", "plan_round", "propose_round", "round_positions",
           "round_view"]


def _collector(session: Session, principal: Principal, ref: Any) -> Enterprise:
    ent = session.scalar(select(Enterprise).where(Enterprise.ref == ref)) if isinstance(ref, str) else None
    if not (principal.is_admin or principal.is_coordinator):
        raise Forbidden("pooled collection rounds are planned by the park's coordinators (集中收集计划由园区管理员制定)",
                        {"role": ["requires a coordinator or admin (须为园区管理者或管理员)"]})
    if ent is None or not principal.coordinates(ent.park_id):
        raise NotFound(f"no collector {ref!r} in your parks (您的园区内无此收集单位 {ref!r})",
                       {"collector": [f"unknown {ref!r} (无此收集单位 {ref!r})"]})
    return ent


def _licence(session: Session, collector: Enterprise, day: dt.date) -> Licence:
    """The collector's hazardous waste licence valid on ``day`` that allows collecting (the widest first)."""
    found = [lic for lic in session.scalars(select(Licence).where(Licence.enterprise_id == collector.id))
             if lic.kind in HW_LICENCE_KINDS  # a household-waste licence may collect too, but not HW
             and "collect" in (lic.activities or []) and (lic.valid_from is None or lic.valid_from <= day)
             and (lic.valid_to is None or day <= lic.valid_to)]
    if not found:
        raise ValidationFailed(f"{collector.ref} holds no licence to collect hazardous waste on {day} "
                               f"({collector.ref} 在 {day} 无有效的危险废物收集经营许可证)",
                               {"collector": [(f"no valid hazardous waste licence with the collect activity on {day} "
                                              f"({day} 无含收集经营方式的有效危险废物经营许可证)")]})
    return max(found, key=lambda lic: (len(lic.categories or []) + len(lic.codes or []), lic.id))


def _vehicles(values: Any) -> list[dict[str, Any]]:
    """The fleet as given (``[{"ref", "capacity_t", "shift_start_min", "shift_end_min"}]``), checked by field."""
    values = values or [DEFAULT_VEHICLE]
    if not isinstance(values, list) or len(values) > MAX_VEHICLES:
        raise ValidationFailed("vehicles must be a list of at most 50 (车辆列表有误，最多 50 辆)",
                               {"vehicles": ["1 to 50 vehicles (1 至 50 辆车)"]})
    errors: dict[str, list[str]] = {}
    out = []
    for i, v in enumerate(values):
        if not isinstance(v, dict):
            errors[f"vehicles.{i}"] = ["must be an object (须为对象)"]
            continue
        item = {**DEFAULT_VEHICLE, "ref": f"V{i + 1}", **v}
        if not isinstance(item["ref"], str) or not 0 < len(item["ref"]) <= 40:
            errors[f"vehicles.{i}.ref"] = ["1 to 40 characters (1 至 40 个字符)"]
        cap = item["capacity_t"]
        if isinstance(cap, bool) or not isinstance(cap, (int, float)) or not math.isfinite(cap) or not 0 < cap <= 60:
            errors[f"vehicles.{i}.capacity_t"] = ["tonnes above 0 and at most 60 (载重须在 0–60 吨)"]
        start, end = item["shift_start_min"], item["shift_end_min"]
        if not all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= 24 * 60 for x in (start, end)) \
                or start >= end:
            errors[f"vehicles.{i}.shift_start_min"] = [("minutes after midnight, 0 ≤ start < end ≤ 1440 "
                                                       "(自零点起的分钟数，0 ≤ 开始 < 结束 ≤ 1440)")]
        out.append(item)
    refs = [v["ref"] for v in out]
    if len(set(refs)) != len(refs):
        errors["vehicles"] = ["vehicle refs must differ (车辆编号不得重复)"]
    if errors:
        raise ValidationFailed("the vehicles are not valid (车辆信息有误)", errors)
    return out


def _pickups(session: Session, collector: Enterprise, needs: list[Listing], radius_km: float,
             small_t: float) -> list[tuple[Listing, routing.Pickup]]:
    """The small producers' hazardous waste offers within reach, one month's accumulation each."""
    offers = [x for x in session.scalars(select(Listing).where(Listing.kind == "offer", Listing.status == "active")
                                         .options(selectinload(Listing.enterprise), selectinload(Listing.components)))
              if x.waste_code and is_hw_code(x.waste_code) and x.enterprise_id != collector.id]
    yearly: dict[int, float] = defaultdict(float)
    for x in offers:
        yearly[x.enterprise_id] += x.quantity_t * PER_YEAR.get(x.period, 1.0)
    busy = set(session.scalars(select(Match.offer_id).where(Match.need_id.in_([n.id for n in needs]),
                                                            Match.status.in_(workflow.ACTIVE_STATUSES))))
    rad = math.radians
    out = []
    for x in sorted(offers, key=lambda x: x.id):
        ent = x.enterprise
        if yearly[ent.id] >= small_t or x.id in busy or ent.lat is None or collector.lat is None:
            continue
        km = float(haversine_km(rad(collector.lat), rad(collector.lon), rad(ent.lat), rad(ent.lon)))
        tonnes = round(x.quantity_t * PER_ROUND.get(x.period, 1.0), 3)
        if km > radius_km or tonnes <= 0:
            continue
        components = tuple((c.cas or c.resolved_cas or "", c.fraction or 0.0) for c in x.components
                           if c.role == "composition" and (c.cas or c.resolved_cas))
        out.append((x, routing.Pickup(ref=x.ref, lat=ent.lat, lon=ent.lon, waste_code=x.waste_code, tonnes=tonnes,
                                      window_start_min=DAY_WINDOW[0], window_end_min=DAY_WINDOW[1],
                                      components=components)))
    if len(out) > MAX_PICKUPS:
        raise ValidationFailed(f"{len(out)} pick-ups in reach: at most {MAX_PICKUPS} a round "
                               f"(收集点过多：范围内 {len(out)} 个，每轮最多 {MAX_PICKUPS} 个)",
                               {"radius_km": [(f"narrow the radius: {len(out)} pick-ups > {MAX_PICKUPS} "
                                              f"(请缩小半径：收集点 {len(out)} 个，超过 {MAX_PICKUPS} 个)")]})
    return out


def _illegal_pairs(session: Session, pairs: list[tuple[Listing, Listing]], day: dt.date) -> dict[int, list[tuple[str, str]]]:
    """{offer id: the names (中文, English) of the hard checks its pair fails} over ``pairs`` (offer, need), all
    evaluated in one vectorised pass of the engine's rules on current data (as ``workflow.evaluate_pair`` does
    one pair); an unknown check counts as failed."""
    if not pairs:
        return {}
    ids = sorted({x.id for pair in pairs for x in pair})
    problem = build_problem(session, settings=Settings(today=day), only=ids)
    # A listing the engine's input no longer holds (paused, closed, expired since) cannot be matched at all.
    kept = [(o, n) for o, n in pairs if o.ref in problem.o.ref_index and n.ref in problem.n.ref_index]
    kept_offers = {o.id for o, _ in kept}
    out: dict[int, list[tuple[str, str]]] = {o.id: [("挂牌已不可匹配", "the listing can no longer be matched")]
                                            for o, _ in pairs if o.id not in kept_offers}
    if not kept:
        return out
    oi = np.array([problem.o.ref_index[o.ref] for o, _ in kept], dtype=np.int64)
    ni = np.array([problem.n.ref_index[n.ref] for _, n in kept], dtype=np.int64)
    arcs = Arcs(offer=oi, need=ni, distance_km=problem.distance_km(oi, ni))
    evaluate_rules(problem, arcs)
    names = {r.code: (r.name_zh, r.name_en) for r in RULES}
    for k, (offer, _need) in enumerate(kept):
        failed = [names[code] for code in HARD_CODES if not bool(arcs.checks[code][k])]
        if failed:
            out[offer.id] = failed
    return out


def plan_round(session: Session, principal: Principal, collector_ref: str, day: dt.date, *,
               vehicles: Any = None, need_ref: str | None = None, radius_km: float = RADIUS_KM,
               small_t: float = SMALL_PRODUCER_T, time_limit_s: float | None = None) -> CollectionRound:
    """Plan ``day``'s pooled collection round of a collector and store it (status ``planned``); audited.

    ``need_ref``: the collector's need the pick-ups go to (default: for each pick-up the collector's active need
    naming its waste code, else the first). Refused: a
    collector the principal neither works for nor coordinates (404), one without a valid collecting
    licence or an active need (422), bad vehicles (422, by field).
    """
    collector = _collector(session, principal, collector_ref)
    fleet = _vehicles(vehicles)
    if not (isinstance(radius_km, (int, float)) and 0 < radius_km <= 500):
        raise ValidationFailed("radius_km must be in (0, 500] (半径有误，须大于 0 且不超过 500 公里)",
                               {"radius_km": ["in (0, 500] km (须大于 0 且不超过 500 公里)"]})
    licence = _licence(session, collector, day)
    needs = [x for x in session.scalars(select(Listing).where(Listing.enterprise_id == collector.id,
                                                              Listing.kind == "need", Listing.status == "active")
                                        .order_by(Listing.id)) if need_ref is None or x.ref == need_ref]
    if not needs:
        raise ValidationFailed(f"{collector.ref} has no active need to collect into (收集单位无有效需求挂牌)",
                               {"need": [("post a need listing for the wastes the collector takes in "
                                         "(请为收集单位接收的危险废物发布需求挂牌)")]})
    need = needs[0]
    # Each pick-up goes to the collector's need for its code (a collector lists one need per waste it takes in),
    # else to the first.
    need_of = {x.waste_code: x for x in reversed(needs) if x.waste_code}
    found = _pickups(session, collector, needs, float(radius_km), small_t)
    # The engine's hard checks on every pick-up's pair before any route is drawn: a van never drives to a
    # producer whose waste the collector may not take (a collection licence limited to some producers' trades,
    # a form the need refuses, …); such a pick-up is left out with the failing checks named.
    refused = _illegal_pairs(session, [(offer, need_of.get(offer.waste_code, need)) for offer, _ in found], day)
    left_out = [{"offer": x.ref, "producer": x.enterprise.ref, "code": "hard_checks",
                 "reason_zh": "不满足法规硬性检查：" + "、".join(zh for zh, _ in refused[x.id]),
                 "reason_en": "fails hard regulatory checks: " + ", ".join(en for _, en in refused[x.id])}
                for x, _ in found if x.id in refused]
    found = [(x, p) for x, p in found if x.id not in refused]
    instance = routing.RoutingInstance(
        depot=routing.Depot(ref=collector.ref, lat=collector.lat, lon=collector.lon),
        pickups=tuple(p for _, p in found),
        vehicles=tuple(routing.Vehicle(ref=v["ref"], capacity_t=float(v["capacity_t"]),
                                       shift_start_min=v["shift_start_min"], shift_end_min=v["shift_end_min"])
                       for v in fleet),
        licence=routing.CollectionLicence(number=licence.number, categories=frozenset(licence.categories or []),
                                          codes=frozenset(licence.codes or [])))
    plan = routing.solve(instance, time_limit_s)
    baseline = routing.nearest_neighbour(instance)
    for name, p in (("ortools", plan), ("nearest_neighbour", baseline)):
        violations = routing.check_plan(instance, p)
        if violations:  # our bug, never a user's: nothing is stored
            raise RuntimeError(f"the {name} plan breaks its constraints: {violations[:3]}")
    offers = [x for x, _ in found]
    rnd = CollectionRound(
        park_id=collector.park_id, collector_id=collector.id, need_id=need.id, licence_number=licence.number,
        day=day, status="planned", vehicles=fleet, total_km=round(plan.total_km, 3),
        total_hours=round(plan.total_hours, 3), vehicles_used=plan.vehicles_used,
        baseline_km=round(baseline.total_km, 3), baseline_hours=round(baseline.total_hours, 3),
        baseline_served=baseline.served, solve_s=round(plan.solve_s, 3), created_by=principal.actor,
        unserved=left_out + [{"offer": u.ref, "producer": offers[u.pickup].enterprise.ref, "code": u.code,
                              "reason_zh": u.reason_zh, "reason_en": u.reason_en} for u in plan.unserved])
    rnd.collector = collector
    for route in plan.routes:
        for seq, stop in enumerate(route.stops, start=1):
            offer = offers[stop.pickup]
            rnd.stops.append(CollectionStop(
                route=route.vehicle, sequence=seq, vehicle_ref=route.vehicle_ref, offer_id=offer.id,
                need_id=need_of.get(offer.waste_code, need).id,
                producer_id=offer.enterprise_id, waste_code=offer.waste_code,
                quantity_t=instance.pickups[stop.pickup].tonnes, arrive_min=round(stop.arrive_min, 1),
                km_from_previous=round(stop.km_from_previous, 3), load_t=round(stop.load_t, 3)))
    session.add(rnd)
    session.flush()
    _audit(session, principal, rnd, "plan", {"status": [None, "planned"]}, stops=len(rnd.stops),
           unserved=len(rnd.unserved), km=rnd.total_km, baseline_km=rnd.baseline_km)
    return rnd


def _audit(session: Session, principal: Principal, rnd: CollectionRound, action: str, changes: dict[str, Any],
           **context: Any) -> None:
    audit.record(session, actor=principal.actor, action=f"collection_round.{action}", entity_type="collection_round",
                 entity_key=str(rnd.id), changes=changes,
                 context={"collector": rnd.collector.ref, "day": rnd.day.isoformat(), **context}, park_id=rnd.park_id)


def get_round(session: Session, principal: Principal, round_id: int) -> CollectionRound:
    """A round the principal may see (its park's coordinators, admins); ``NotFound`` for anyone else (module
    docstring: the collector and the producers see their pick-ups as matches and manifests)."""
    rnd = None
    if isinstance(round_id, int) and not isinstance(round_id, bool) and 0 < round_id <= MAX_ID:
        rnd = session.scalar(select(CollectionRound).where(CollectionRound.id == round_id).options(
            selectinload(CollectionRound.stops), selectinload(CollectionRound.collector)))
    if rnd is None or not principal.coordinates(rnd.park_id):
        raise NotFound(f"no collection round {round_id} (无此收集计划 {round_id})",
                       {"round_id": ["unknown round (无此收集计划)"]})
    return rnd


def list_rounds(session: Session, principal: Principal, *, limit: int = 100) -> list[CollectionRound]:
    """The rounds the principal may see, newest day first: its parks' for a coordinator, every round for admins."""
    stmt = select(CollectionRound).options(selectinload(CollectionRound.collector), selectinload(CollectionRound.stops))
    if not principal.is_admin:
        if not principal.is_coordinator:
            return []
        stmt = stmt.where(CollectionRound.park_id.in_(sorted(principal.park_ids)))
    return list(session.scalars(stmt.order_by(CollectionRound.day.desc(), CollectionRound.id.desc()).limit(limit)))


def round_positions(session: Session, rnd: CollectionRound) -> tuple[tuple[float, float], dict[int, tuple[float, float]]]:
    """The depot's position and each stop's producer's, by producer id (what the round's map draws)."""
    ids = {s.producer_id for s in rnd.stops}
    where = {i: (lat, lon) for i, lat, lon in session.execute(
        select(Enterprise.id, Enterprise.lat, Enterprise.lon).where(Enterprise.id.in_(ids or {0})))}
    return (rnd.collector.lat, rnd.collector.lon), where


def _planner(principal: Principal, rnd: CollectionRound) -> None:
    if not principal.coordinates(rnd.park_id):
        raise Forbidden("only the park's coordinators act on a round (仅园区管理员可操作)",
                        {"role": ["the park's coordinators or admins (须为园区管理者或管理员)"]})


def propose_round(session: Session, principal: Principal, round_id: int) -> CollectionRound:
    """Put every stop of a planned round into the workflow: a proposed match of the producer's offer with the
    collector's need for the stop's tonnes (``workflow.propose``: every hard check). A refused pair does not
    stop the others: its stop keeps the reason (``note``). ``planned`` → ``proposed``; audited."""
    rnd = get_round(session, principal, round_id)
    _planner(principal, rnd)
    if rnd.status != "planned":
        status_zh = ROUND_STATUS_ZH.get(rnd.status, rnd.status)
        raise Conflict(f"a {rnd.status} round cannot be proposed (收集计划当前为「{status_zh}」，不可发起匹配)",
                       {"status": [f"is {rnd.status} (当前为「{status_zh}」)"]})
    proposed = refused = 0
    for stop in rnd.stops:
        try:
            with session.begin_nested():  # a refused pair leaves nothing behind, the others go on
                match = workflow.propose(session, principal, stop.offer_id, stop.need_id, stop.quantity_t)
            stop.match_id, stop.note = match.id, None
            proposed += 1
        except DomainError as exc:
            stop.note = exc.message[:500]
            refused += 1
    rnd.status = "proposed"
    session.flush()
    _audit(session, principal, rnd, "propose", {"status": ["planned", "proposed"]}, proposed=proposed,
           refused=refused)
    return rnd


def issue_manifests(session: Session, principal: Principal, round_id: int) -> CollectionRound:
    """One manifest per pick-up whose match is approved and has none yet (the stop's tonnes, its vehicle, the
    round's day); ``manifested`` once every stop with a match has its manifest. Audited (each manifest as
    ``transfers`` audits it)."""
    rnd = get_round(session, principal, round_id)
    _planner(principal, rnd)
    if rnd.status not in ("proposed", "manifested"):
        status_zh = ROUND_STATUS_ZH.get(rnd.status, rnd.status)
        raise Conflict(f"a {rnd.status} round has no matches to write manifests for "
                       f"(收集计划当前为「{status_zh}」，尚无匹配，不可开具联单)",
                       {"status": [f"is {rnd.status}; propose the round first (当前为「{status_zh}」，请先发起匹配)"]})
    made = 0
    for stop in rnd.stops:
        if stop.match_id is None or stop.shipment_id is not None:
            continue
        match = session.get(Match, stop.match_id)
        if match is None or match.status not in ("approved", "in_transfer"):
            continue
        offer = session.get(Listing, stop.offer_id)
        shipment = transfers.create_shipment(
            session, principal, match.id, quantity_t=stop.quantity_t,
            containers=[{"packaging": PACKAGING.get(offer.form or "", "drum"), "quantity_t": stop.quantity_t}],
            vehicle=stop.vehicle_ref[:20], planned_on=rnd.day,
            note=f"集中收集计划 #{rnd.id} 第 {stop.route + 1} 车第 {stop.sequence} 站 / pooled collection round "
                 f"#{rnd.id}, vehicle {stop.vehicle_ref}, stop {stop.sequence}")
        stop.shipment_id = shipment.id
        made += 1
    pending = [s for s in rnd.stops if s.match_id is not None and s.shipment_id is None]
    before = rnd.status
    if not pending:
        rnd.status = "manifested"
    session.flush()
    _audit(session, principal, rnd, "manifests", {"status": [before, rnd.status]}, manifests=made,
           waiting=len(pending))
    return rnd


def round_view(session: Session, rnd: CollectionRound) -> dict[str, Any]:
    """A round as the API and the command line show it: totals against the baseline, stops by vehicle."""
    refs = dict(session.execute(select(Listing.id, Listing.ref).where(
        Listing.id.in_([s.offer_id for s in rnd.stops] or [0]))).all())
    producers = {i: (ref, name) for i, ref, name in session.execute(select(Enterprise.id, Enterprise.ref, Enterprise.name)
                                                                    .where(Enterprise.id.in_([s.producer_id for s in rnd.stops] or [0])))}
    saved = rnd.baseline_km - rnd.total_km
    return {"id": rnd.id, "collector": rnd.collector.ref, "day": rnd.day.isoformat(), "status": rnd.status,
            "licence": rnd.licence_number, "vehicles": rnd.vehicles, "vehicles_used": rnd.vehicles_used,
            "total_km": rnd.total_km, "total_hours": rnd.total_hours, "solve_s": rnd.solve_s,
            "baseline": {"planner": "nearest_neighbour", "total_km": rnd.baseline_km,
                         "total_hours": rnd.baseline_hours, "served": rnd.baseline_served},
            "km_saved": round(saved, 3),
            "km_saved_pct": round(100 * saved / rnd.baseline_km, 1) if rnd.baseline_km else None,
            "stops": [{"vehicle": s.vehicle_ref, "sequence": s.sequence, "offer": refs.get(s.offer_id),
                       "producer": producers.get(s.producer_id, (None, None))[0],
                       "producer_name": producers.get(s.producer_id, (None, None))[1], "waste_code": s.waste_code,
                       "quantity_t": s.quantity_t, "arrive": f"{int(s.arrive_min) // 60:02d}:{int(s.arrive_min) % 60:02d}",
                       "km_from_previous": s.km_from_previous, "load_t": s.load_t, "match": s.match_id,
                       "shipment": s.shipment_id, "note": s.note} for s in rnd.stops],
            "unserved": rnd.unserved, "created_at": rnd.created_at.isoformat() if rnd.created_at else None}

