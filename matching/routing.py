"""Pooled collection rounds (小微企业集中收集): a licensed collector's vehicles pick up small producers' HW.

A collector holding a collection licence visits small producers (most make under 10 t of HW a year)
and brings their waste to its own site. This module plans one shift of such rounds:

* **data** — :class:`RoutingInstance`: the depot (the collector's site), the pick-ups (position, HW
  code, tonnes, the window within which the pick-up must start and finish, service minutes), the
  vehicles (capacity, shift, speed) and the collector's :class:`CollectionLicence`;
* **plan** — :class:`RoutePlan`: per vehicle an ordered round of :class:`Stop` (arrival, service
  start, load after the stop) from the depot and back, the pick-ups left out each with a bilingual
  reason, totals in road km and route hours.

Two planners share one set of hard constraints and one timetable (:func:`_schedule`):

* :func:`solve` — the OR-Tools routing solver (``RoutingModel``): arc cost = road metres, a load
  dimension (capacity), a time dimension (service + travel, waiting allowed, pick-up windows and the
  vehicle's shift), every pick-up optional with a drop penalty larger than any detour (so an
  infeasible pick-up is reported, never a failed solve), and HW compatibility as *hard type
  incompatibilities*: each pick-up's visit type is its reactivity mask, and two types that
  :func:`catalog.reactivity.incompatible` forbids never share a route (HJ 2025-2012: wastes of
  incompatible properties are not collected or carried together). First solution PATH_CHEAPEST_ARC,
  then GUIDED_LOCAL_SEARCH until the time limit; above :data:`SECTOR_SIZE` pick-ups the county is cut
  into sectors around the depot, one model each (see :func:`solve` for why and what it gains);
* :func:`nearest_neighbour` — the baseline: from the current stop go to the nearest pick-up that
  still fits (capacity, window, return by the shift's end, compatible with the load); a new vehicle
  when none does.

:func:`check_plan` verifies every constraint again from the instance alone, for either planner.
The licence's scope is a filter before either planner: a pick-up whose code or category the licence
does not name is never routed (危险废物经营许可证管理办法: a collector takes only what its licence
lists). One route is one load: the vehicle leaves the depot empty and returns once (a second
trip of the same truck is another :class:`Vehicle` with a later shift). Distances are
great-circle km × the project's road factor (:attr:`matching.problem.Settings.road_factor`).
Pure Python, NumPy and OR-Tools; no I/O.
"""
from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from catalog.reactivity import describe_groups, groups_of, incompatibility_reasons, incompatible
from catalog.waste_codes import category_of, is_hw_code
from matching.problem import Settings, haversine_km

__all__ = [
    "SECTOR_SIZE",
    "CollectionLicence",
    "Depot",
    "Pickup",
    "Route",
    "RoutePlan",
    "RoutingInstance",
    "Stop",
    "Unserved",
    "Vehicle",
    "check_plan",
    "default_time_limit",
    "licence_covers",
    "nearest_neighbour",
    "road_km_matrix",
    "solve",
]

ROAD_FACTOR = Settings().road_factor
_EPS = 1e-6  # minutes, tonnes and km: float noise, not slack


# ---------------------------------------------------------------- data
@dataclass(frozen=True, slots=True)
class Depot:
    """The collector's site: where every round starts and ends."""

    ref: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Pickup:
    """One small producer's waste to collect.

    ``window_start_min``/``window_end_min`` are minutes after midnight: the pick-up (its
    ``service_min`` of loading included) happens within them. ``components`` are
    ``(CAS number, mass fraction)`` pairs that add reactivity groups beyond the code's.
    """

    ref: str
    lat: float
    lon: float
    waste_code: str
    tonnes: float
    window_start_min: int
    window_end_min: int
    service_min: int = 15
    components: tuple[tuple[str, float], ...] = ()

    @property
    def groups(self) -> int:
        """The reactivity-group mask (:func:`catalog.reactivity.groups_of`)."""
        return groups_of(self.waste_code, self.components)


@dataclass(frozen=True, slots=True)
class Vehicle:
    """One vehicle for one round: capacity, the shift it may be out (minutes after midnight), speed."""

    ref: str
    capacity_t: float
    shift_start_min: int
    shift_end_min: int
    speed_kmh: float = 40.0


@dataclass(frozen=True, slots=True)
class CollectionLicence:
    """The collector's licence as the planner needs it: its number and scope (categories ``HWnn``, codes)."""

    number: str
    categories: frozenset[str] = frozenset()
    codes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class RoutingInstance:
    """One shift to plan: the depot, the pick-ups, the vehicles and the licence."""

    depot: Depot
    pickups: tuple[Pickup, ...]
    vehicles: tuple[Vehicle, ...]
    licence: CollectionLicence
    road_factor: float = ROAD_FACTOR

    def __post_init__(self) -> None:
        """Refuse what no planner can read: the solver needs whole, ordered minutes and positive speeds."""
        for v in self.vehicles:
            if not (v.capacity_t > 0 and v.speed_kmh > 0 and v.shift_start_min < v.shift_end_min):
                raise ValueError(f"vehicle {v.ref}: capacity and speed must be positive and the shift end after "
                                 f"its start")
        for p in self.pickups:
            if not (p.tonnes > 0 and p.service_min >= 0 and p.window_start_min <= p.window_end_min):
                raise ValueError(f"pick-up {p.ref}: tonnes must be positive, loading minutes not negative and the "
                                 f"window end not before its start")
        if self.road_factor < 1:
            raise ValueError("the road factor is at least 1: a road is never shorter than the great circle")


# ---------------------------------------------------------------- plan
@dataclass(frozen=True, slots=True)
class Stop:
    """One pick-up in a round: times in minutes after midnight, the load on board after it."""

    pickup: int  # index into instance.pickups
    ref: str
    arrive_min: float
    start_min: float  # service starts (after waiting for the window, if early)
    leave_min: float
    load_t: float
    km_from_previous: float


@dataclass(frozen=True, slots=True)
class Route:
    """One vehicle's round: depot → stops → depot."""

    vehicle: int  # index into instance.vehicles
    vehicle_ref: str
    stops: tuple[Stop, ...]
    depart_min: float
    return_min: float
    km: float

    @property
    def load_t(self) -> float:
        """Tonnes on board when back at the depot."""
        return self.stops[-1].load_t if self.stops else 0.0

    @property
    def hours(self) -> float:
        """Time out of the depot, waiting included."""
        return (self.return_min - self.depart_min) / 60.0


@dataclass(frozen=True, slots=True)
class Unserved:
    """A pick-up left out of every round, and why (中文, English)."""

    pickup: int
    ref: str
    code: str  # licence_scope | too_heavy | window | no_room
    reason_zh: str
    reason_en: str


@dataclass(frozen=True, slots=True)
class RoutePlan:
    """The rounds of one planner over one instance."""

    planner: str  # ortools | nearest_neighbour
    routes: tuple[Route, ...]
    unserved: tuple[Unserved, ...]
    solve_s: float
    status: str = "ok"

    @property
    def total_km(self) -> float:
        """Road km of every round."""
        return sum(r.km for r in self.routes)

    @property
    def total_hours(self) -> float:
        """Vehicle hours out of the depot, summed over rounds."""
        return sum(r.hours for r in self.routes)

    @property
    def served(self) -> int:
        """Pick-ups in some round."""
        return sum(len(r.stops) for r in self.routes)

    @property
    def served_t(self) -> float:
        """Tonnes collected."""
        return sum(r.load_t for r in self.routes)

    @property
    def vehicles_used(self) -> int:
        """Rounds with at least one stop."""
        return sum(1 for r in self.routes if r.stops)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary with every route and unserved pick-up."""
        return {
            "planner": self.planner, "status": self.status, "solve_s": round(self.solve_s, 3),
            "total_km": round(self.total_km, 3), "total_hours": round(self.total_hours, 3),
            "served": self.served, "served_t": round(self.served_t, 3), "vehicles_used": self.vehicles_used,
            "routes": [{"vehicle": r.vehicle_ref, "depart_min": round(r.depart_min, 2),
                        "return_min": round(r.return_min, 2), "km": round(r.km, 3), "load_t": round(r.load_t, 3),
                        "stops": [{"ref": s.ref, "arrive_min": round(s.arrive_min, 2), "start_min": round(s.start_min, 2),
                                   "leave_min": round(s.leave_min, 2), "load_t": round(s.load_t, 3),
                                   "km_from_previous": round(s.km_from_previous, 3)} for s in r.stops]}
                       for r in self.routes],
            "unserved": [{"ref": u.ref, "code": u.code, "reason_zh": u.reason_zh, "reason_en": u.reason_en}
                         for u in self.unserved],
        }


# ---------------------------------------------------------------- shared pieces
def licence_covers(licence: CollectionLicence, waste_code: str) -> tuple[bool, tuple[str, str]]:
    """Whether the licence's scope names this code or its category, and (中文, English) why not."""
    if is_hw_code(waste_code) and (waste_code in licence.codes
                                   or any(int(c[2:]) == int(category_of(waste_code)[2:]) for c in licence.categories)):
        return True, ("", "")
    scope = ", ".join(sorted(licence.categories) + sorted(licence.codes)) or "—"
    return False, (f"收集许可证 {licence.number} 的经营范围（{scope}）不含 {waste_code}，不予收集",
                   f"collection licence {licence.number} covers {scope}, not {waste_code}: not collected")


def road_km_matrix(instance: RoutingInstance) -> np.ndarray:
    """Road km between every two points, node 0 the depot and node i + 1 pick-up i."""
    lat = np.radians([instance.depot.lat] + [p.lat for p in instance.pickups])
    lon = np.radians([instance.depot.lon] + [p.lon for p in instance.pickups])
    return haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) * instance.road_factor


def default_time_limit(n_pickups: int) -> float:
    """Seconds of search: 0.1 s per pick-up, at least 2 and at most 120 (1,000 pick-ups: 100 s)."""
    return float(min(120.0, max(2.0, 0.1 * n_pickups)))


def _minutes(km: float, vehicle: Vehicle) -> float:
    return km / vehicle.speed_kmh * 60.0


def _timeline(inst: RoutingInstance, km: np.ndarray, v: int, seq: Sequence[int], depart: float
              ) -> tuple[list[tuple[float, float, float]], float] | None:
    """(arrive, start, leave) per stop and the return time, leaving the depot at ``depart``; None if infeasible."""
    veh = inst.vehicles[v]
    out: list[tuple[float, float, float]] = []
    t, node = depart, 0
    for i in seq:
        p = inst.pickups[i]
        arrive = t + _minutes(float(km[node, i + 1]), veh)
        start = max(arrive, float(p.window_start_min))
        leave = start + p.service_min
        if leave > p.window_end_min + _EPS:
            return None
        out.append((arrive, start, leave))
        t, node = leave, i + 1
    back = t + _minutes(float(km[node, 0]), veh)
    if back > veh.shift_end_min + _EPS:
        return None
    return out, back


def _schedule(inst: RoutingInstance, km: np.ndarray, v: int, seq: Sequence[int]
              ) -> tuple[float, list[tuple[float, float, float]], float] | None:
    """The timetable of a round with the least time out: (depart, stops, return); None if infeasible.

    Time out of the depot can only shrink when the departure moves later (waiting absorbs it), so
    the round leaves at the latest departure that keeps every window and the shift's end; if it
    then waits nowhere, it leaves as early as that stays true (a round need not end the shift).
    """
    veh = inst.vehicles[v]
    if not seq:
        return None
    latest = veh.shift_end_min - _minutes(float(km[seq[-1] + 1, 0]), veh)
    for pos in range(len(seq) - 1, -1, -1):  # latest leave at each stop, backwards
        p = inst.pickups[seq[pos]]
        latest = min(latest, float(p.window_end_min)) - p.service_min  # latest service start here
        prev = 0 if pos == 0 else seq[pos - 1] + 1
        latest = latest - _minutes(float(km[prev, seq[pos] + 1]), veh)  # latest leave of the previous point
    depart = latest
    if depart < veh.shift_start_min - _EPS:
        return None
    depart = max(depart, float(veh.shift_start_min))
    run = _timeline(inst, km, v, seq, depart)
    if run is None:
        return None
    stops, back = run
    if all(start - arrive <= _EPS for arrive, start, _ in stops):
        slack = min(start - inst.pickups[i].window_start_min for i, (_, start, _) in zip(seq, stops, strict=True))
        earlier = max(float(veh.shift_start_min), depart - max(0.0, slack))
        if earlier < depart:
            again = _timeline(inst, km, v, seq, earlier)
            if again is not None:
                depart, (stops, back) = earlier, again
    return depart, stops, back


def _route(inst: RoutingInstance, km: np.ndarray, v: int, seq: Sequence[int]) -> Route:
    sched = _schedule(inst, km, v, seq)
    if sched is None:  # the planners only build feasible sequences; this is a bug, not a data problem
        raise AssertionError(f"round of vehicle {inst.vehicles[v].ref} has no feasible timetable: {list(seq)}")
    depart, times, back = sched
    stops, load, prev, total = [], 0.0, 0, 0.0
    for i, (arrive, start, leave) in zip(seq, times, strict=True):
        leg = float(km[prev, i + 1])
        load += inst.pickups[i].tonnes
        total += leg
        stops.append(Stop(i, inst.pickups[i].ref, arrive, start, leave, load, leg))
        prev = i + 1
    total += float(km[prev, 0])
    return Route(v, inst.vehicles[v].ref, tuple(stops), depart, back, total)


def _hm(minutes: float) -> str:
    m = round(minutes)
    return f"{m // 60:02d}:{m % 60:02d}"


@dataclass(slots=True)
class _Screen:
    """Pick-ups each planner may route, and the rest with their reasons."""

    eligible: list[int] = field(default_factory=list)
    unserved: dict[int, Unserved] = field(default_factory=dict)


def _screen(inst: RoutingInstance, km: np.ndarray) -> _Screen:
    """Leave out, with reasons, what no round can take: outside the licence, too heavy, window unreachable."""
    out = _Screen()
    max_cap = max((v.capacity_t for v in inst.vehicles), default=0.0)
    for i, p in enumerate(inst.pickups):
        ok, (zh, en) = licence_covers(inst.licence, p.waste_code)
        if not ok:
            out.unserved[i] = Unserved(i, p.ref, "licence_scope", zh, en)
        elif p.tonnes > max_cap + _EPS:
            out.unserved[i] = Unserved(i, p.ref, "too_heavy", f"{p.tonnes:g} t 超过最大车辆载重 {max_cap:g} t",
                                       f"{p.tonnes:g} t exceeds the largest vehicle's {max_cap:g} t")
        elif not any(v.capacity_t + _EPS >= p.tonnes and _timeline(inst, km, k, [i], v.shift_start_min) is not None
                     for k, v in enumerate(inst.vehicles)):
            out.unserved[i] = Unserved(
                i, p.ref, "window",
                f"在时间窗 {_hm(p.window_start_min)}–{_hm(p.window_end_min)} 内（装车 {p.service_min} 分钟）"
                "没有车辆能在班次内往返",
                f"no vehicle can reach it within {_hm(p.window_start_min)}–{_hm(p.window_end_min)} "
                f"({p.service_min} min loading) and be back by the end of its shift")
        else:
            out.eligible.append(i)
    return out


def _no_room(inst: RoutingInstance, i: int) -> Unserved:
    p = inst.pickups[i]
    return Unserved(i, p.ref, "no_room", "本班次车辆的载重、时间或相容性不足，未能排入收集车次",
                    "no room left in this shift's rounds (capacity, time or compatibility)")


def _plan(planner: str, inst: RoutingInstance, km: np.ndarray, seqs: dict[int, list[int]], screen: _Screen,
          solve_s: float, status: str = "ok") -> RoutePlan:
    routes = tuple(_route(inst, km, v, seq) for v, seq in sorted(seqs.items()) if seq)
    routed = {s.pickup for r in routes for s in r.stops}
    unserved = dict(screen.unserved)
    for i in screen.eligible:
        if i not in routed:
            unserved[i] = _no_room(inst, i)
    return RoutePlan(planner, routes, tuple(unserved[i] for i in sorted(unserved)), solve_s, status)


def _type_ids(inst: RoutingInstance, idx: Sequence[int]) -> tuple[dict[int, int], list[int]]:
    """Per pick-up a visit type (its distinct non-zero reactivity mask), and the masks by type."""
    masks: list[int] = []
    by_mask: dict[int, int] = {}
    of: dict[int, int] = {}
    for i in idx:
        m = inst.pickups[i].groups
        if m:
            of[i] = by_mask.setdefault(m, len(masks))
            if of[i] == len(masks):
                masks.append(m)
    return of, masks


def _clash(a: int, b: int) -> bool:
    """Two pick-ups' masks clash: incompatible groups, unless both are the same kind of waste.

    Two wastes with the same reactivity mask bring no pair of groups together that either
    does not already hold, so they may ride together even when that mask alone is "self-
    incompatible" (a waste that is already a mixture).
    """
    return a != b and incompatible(a, b)


# ---------------------------------------------------------------- OR-Tools
SECTOR_SIZE = 125  # pick-ups per model above which solve() cuts the county into sectors (measured: solve's docstring)


def solve(instance: RoutingInstance, time_limit_s: float | None = None, *, solution_limit: int | None = None,
          sector_size: int | None = SECTOR_SIZE, log_search: bool = False) -> RoutePlan:
    """Plan the rounds with the OR-Tools routing solver (module docstring: model and constraints).

    ``time_limit_s`` defaults to :func:`default_time_limit`; ``solution_limit`` (optional) stops each
    search after that many improving solutions, which makes the result reproducible.

    Above ``sector_size`` routable pick-ups (None: never) the county is cut into sectors around the
    depot, ~``sector_size`` pick-ups each by bearing, the fleet shared by tonnage, and each sector
    solved in its share of the time; what a sector could not take goes, with the vehicles no sector
    used, to one last model in the time left. Why: on 1,000 pick-ups one model's guided local search
    accepts only ~6 improving moves a second (log_search), so in 100 s it takes its first solution
    down by only 12 %. Measured on the benchmark's 1,000-pick-up county (seed 0, 100 s,
    load 4-6 on 2 vCPUs): one model 7,558 km, sectors of 500 6,194, of 250 5,954, of 125 5,761, of 60
    6,098 (nearest neighbour 8,574); on 200 pick-ups in 20 s one model 1,810, sectors of 100 1,722.
    Rounds rarely cross sectors anyway: they go out from the depot and come back.
    """
    t0 = time.perf_counter()
    km = road_km_matrix(instance)
    screen = _screen(instance, km)
    limit = default_time_limit(len(instance.pickups)) if time_limit_s is None else time_limit_s
    idx, fleet = screen.eligible, list(range(len(instance.vehicles)))
    if not idx or not fleet:
        return _plan("ortools", instance, km, {}, screen, time.perf_counter() - t0)
    if sector_size is None or len(idx) <= sector_size:
        seqs = _solve_model(instance, km, idx, fleet, limit, solution_limit, log_search)
        if seqs is None:
            return _plan("ortools", instance, km, {}, screen, time.perf_counter() - t0, status="no_solution")
        return _plan("ortools", instance, km, seqs, screen, time.perf_counter() - t0)
    seqs = {}
    sectors = _sectors(instance, idx, sector_size)
    shares = _share_fleet(instance, sectors, fleet)
    for part, vehicles in zip(sectors, shares, strict=True):
        if vehicles:
            seqs.update(_solve_model(instance, km, part, vehicles, limit * 0.9 * len(part) / len(idx),
                                     solution_limit, log_search) or {})
    routed = {i for seq in seqs.values() for i in seq}
    rest = [i for i in idx if i not in routed]
    idle = [k for k in fleet if not seqs.get(k)]
    if rest and idle:
        left = max(0.5, limit - (time.perf_counter() - t0))
        seqs.update(_solve_model(instance, km, rest, idle, left, solution_limit, log_search) or {})
    return _plan("ortools", instance, km, seqs, screen, time.perf_counter() - t0)


def _sectors(inst: RoutingInstance, idx: Sequence[int], size: int) -> list[list[int]]:
    """Pick-ups cut by bearing from the depot into ceil(n / size) sectors of equal count.

    The cut starts at the widest angular gap between pick-ups, so a town is not split at an
    arbitrary bearing of 0°.
    """
    bearing = {i: math.atan2(inst.pickups[i].lat - inst.depot.lat,
                             (inst.pickups[i].lon - inst.depot.lon) * math.cos(math.radians(inst.depot.lat)))
               for i in idx}
    order = sorted(idx, key=lambda i: bearing[i])
    gaps = [(bearing[order[(k + 1) % len(order)]] - bearing[order[k]]) % (2 * math.pi) for k in range(len(order))]
    first = (max(range(len(order)), key=gaps.__getitem__) + 1) % len(order)
    order = order[first:] + order[:first]
    parts = math.ceil(len(order) / size)
    return [order[len(order) * k // parts: len(order) * (k + 1) // parts] for k in range(parts)]


def _share_fleet(inst: RoutingInstance, sectors: list[list[int]], fleet: list[int]) -> list[list[int]]:
    """Vehicles to sectors, largest first, each to the sector whose tonnes are least covered yet."""
    need = [sum(inst.pickups[i].tonnes for i in part) for part in sectors]
    have = [0.0] * len(sectors)
    out: list[list[int]] = [[] for _ in sectors]
    for k in sorted(fleet, key=lambda k: (-inst.vehicles[k].capacity_t, k)):
        s = min(range(len(sectors)), key=lambda s: (have[s] / need[s] if need[s] else math.inf, s))
        out[s].append(k)
        have[s] += inst.vehicles[k].capacity_t
    return [sorted(ks) for ks in out]


def _solve_model(instance: RoutingInstance, km: np.ndarray, idx: Sequence[int], fleet: Sequence[int],
                 limit: float, solution_limit: int | None, log_search: bool) -> dict[int, list[int]] | None:
    """One routing model over pick-ups ``idx`` and vehicles ``fleet``: vehicle → pick-up sequence (None: no solution)."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    # -- data: node 0 the depot, node n the pick-up idx[n - 1]
    vehicles = [instance.vehicles[k] for k in fleet]
    nodes = [0] + [i + 1 for i in idx]
    sub = km[np.ix_(nodes, nodes)]
    metres = np.ceil(sub * 1000.0).astype(np.int64)
    kg = [0] + [math.ceil(instance.pickups[i].tonnes * 1000.0 - 1e-6) for i in idx]
    service_s = np.array([0] + [instance.pickups[i].service_min * 60 for i in idx], dtype=np.int64)
    horizon = max(v.shift_end_min for v in vehicles) * 60

    # -- model
    manager = pywrapcp.RoutingIndexManager(len(nodes), len(vehicles), 0)
    routing = pywrapcp.RoutingModel(manager)
    arc = routing.RegisterTransitMatrix(metres.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(arc)

    load = routing.RegisterUnaryTransitVector(kg)
    routing.AddDimensionWithVehicleCapacity(
        load, 0, [math.floor(v.capacity_t * 1000.0 + 1e-6) for v in vehicles], True, "load")

    # travel seconds rounded up, so a round feasible here is feasible in exact minutes too
    by_speed: dict[float, int] = {}
    for v in vehicles:
        if v.speed_kmh not in by_speed:
            travel = np.ceil(sub / v.speed_kmh * 3600.0).astype(np.int64)
            by_speed[v.speed_kmh] = routing.RegisterTransitMatrix((travel + service_s[:, None]).tolist())
    routing.AddDimensionWithVehicleTransits([by_speed[v.speed_kmh] for v in vehicles], horizon, horizon, False, "time")
    clock = routing.GetDimensionOrDie("time")
    for n, i in enumerate(idx, start=1):
        p = instance.pickups[i]
        clock.CumulVar(manager.NodeToIndex(n)).SetRange(p.window_start_min * 60, (p.window_end_min - p.service_min) * 60)
    for k, v in enumerate(vehicles):
        for end in (routing.Start(k), routing.End(k)):
            clock.CumulVar(end).SetRange(v.shift_start_min * 60, v.shift_end_min * 60)

    # every pick-up optional; dropping one costs more than any detour to serve it
    penalty = int(4 * metres.max()) + 1_000_000
    for n in range(1, len(nodes)):
        routing.AddDisjunction([manager.NodeToIndex(n)], penalty)

    # HW compatibility: a visit type per reactivity mask, clashing types never on one route
    types, masks = _type_ids(instance, idx)
    for n, i in enumerate(idx, start=1):
        if i in types:
            routing.SetVisitType(manager.NodeToIndex(n), types[i], routing.TYPE_ADDED_TO_VEHICLE)
    for a in range(len(masks)):
        for b in range(a + 1, len(masks)):
            if _clash(masks[a], masks[b]):
                routing.AddHardTypeIncompatibility(a, b)

    # -- solve
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(1, int(limit * 1000)))
    if solution_limit is not None:
        params.solution_limit = solution_limit
    params.log_search = log_search
    solution = routing.SolveWithParameters(params)

    # -- read back: the sequences; timetables are ours (exact minutes), shared with the baseline
    if solution is None:
        return None
    seqs: dict[int, list[int]] = {}
    for k, vehicle in enumerate(fleet):
        at, seq = solution.Value(routing.NextVar(routing.Start(k))), []
        while not routing.IsEnd(at):
            seq.append(idx[manager.IndexToNode(at) - 1])
            at = solution.Value(routing.NextVar(at))
        seqs[vehicle] = seq
    return seqs


# ---------------------------------------------------------------- nearest neighbour
def nearest_neighbour(instance: RoutingInstance) -> RoutePlan:
    """The baseline: vehicles in order, each from the depot to the nearest pick-up that still fits.

    "Fits": on board plus its tonnes within capacity, no clash with what is on board, reached
    (waiting allowed) and loaded within its window, and back at the depot by the shift's end.
    When nothing fits the vehicle returns and the next one leaves. Ties go to the lower index.
    """
    t0 = time.perf_counter()
    km = road_km_matrix(instance)
    screen = _screen(instance, km)
    idx = np.array(screen.eligible, dtype=np.int64)
    types, masks = _type_ids(instance, screen.eligible)
    clash = np.array([[_clash(a, b) for b in masks] for a in masks], dtype=bool).reshape(len(masks), len(masks))
    ptype = np.array([types.get(int(i), -1) for i in idx], dtype=np.int64)
    tonnes = np.array([instance.pickups[i].tonnes for i in idx])
    w_start = np.array([instance.pickups[i].window_start_min for i in idx], dtype=float)
    w_end = np.array([instance.pickups[i].window_end_min for i in idx], dtype=float)
    service = np.array([instance.pickups[i].service_min for i in idx], dtype=float)
    back_km = km[idx + 1, 0] if len(idx) else np.zeros(0)
    left = np.ones(len(idx), dtype=bool)
    seqs: dict[int, list[int]] = {}
    for k, veh in enumerate(instance.vehicles):
        if not left.any():
            break
        node, t, load, seq = 0, float(veh.shift_start_min), 0.0, []
        blocked = np.zeros(len(idx), dtype=bool)
        while True:
            dist = km[node, idx + 1]
            start = np.maximum(t + dist / veh.speed_kmh * 60.0, w_start)
            leave = start + service
            fits = (left & ~blocked & (load + tonnes <= veh.capacity_t + _EPS) & (leave <= w_end + _EPS)
                    & (leave + back_km / veh.speed_kmh * 60.0 <= veh.shift_end_min + _EPS))
            if not fits.any():
                break
            j = int(np.flatnonzero(fits)[np.argmin(dist[fits])])
            seq.append(int(idx[j]))
            left[j] = False
            node, t, load = int(idx[j]) + 1, float(leave[j]), load + float(tonnes[j])
            if ptype[j] >= 0:
                blocked |= (ptype >= 0) & clash[ptype[j]][np.maximum(ptype, 0)]
        seqs[k] = seq
    return _plan("nearest_neighbour", instance, km, seqs, screen, time.perf_counter() - t0)


# ---------------------------------------------------------------- independent check
def check_plan(instance: RoutingInstance, plan: RoutePlan) -> list[str]:
    """Every hard constraint verified again from the instance; the violations found (empty: none).

    Each pick-up is routed once or reported unserved once; a vehicle has at most one round;
    every routed code is within the licence and every code outside it is unserved for that
    reason; loads within capacity and equal to the running sum; stops reached no sooner than
    the travel allows, loaded within the window; the round inside the shift; no two clashing
    wastes in one round; the km equal to the legs' sum.
    """
    problems: list[str] = []
    km = road_km_matrix(instance)
    seen: dict[int, str] = {}
    for r in plan.routes:
        for s in r.stops:
            if s.pickup in seen:
                problems.append(f"pick-up {s.ref} appears twice ({seen[s.pickup]}, {r.vehicle_ref})")
            seen[s.pickup] = r.vehicle_ref
    for u in plan.unserved:
        if u.pickup in seen:
            problems.append(f"pick-up {u.ref} both routed and unserved")
        seen[u.pickup] = "unserved"
        if not (u.reason_zh and u.reason_en):
            problems.append(f"pick-up {u.ref} unserved without a reason in both languages")
    missing = set(range(len(instance.pickups))) - set(seen)
    if missing:
        problems.append(f"{len(missing)} pick-up(s) neither routed nor reported, e.g. {min(missing)}")
    used = [r.vehicle for r in plan.routes]
    if len(used) != len(set(used)):
        problems.append("a vehicle has more than one round")
    for u in plan.unserved:
        if not licence_covers(instance.licence, instance.pickups[u.pickup].waste_code)[0] and u.code != "licence_scope":
            problems.append(f"pick-up {u.ref} is outside the licence but reported as {u.code}")
    for r in plan.routes:
        problems.extend(_check_route(instance, km, r))
    return problems


def _check_route(inst: RoutingInstance, km: np.ndarray, r: Route) -> list[str]:
    out: list[str] = []
    veh = inst.vehicles[r.vehicle]
    name = veh.ref
    if r.depart_min < veh.shift_start_min - _EPS:
        out.append(f"{name} leaves at {r.depart_min:.1f}, before its shift")
    t, node, load, total = r.depart_min, 0, 0.0, 0.0
    for s in r.stops:
        p = inst.pickups[s.pickup]
        ok, _ = licence_covers(inst.licence, p.waste_code)
        if not ok:
            out.append(f"{name} collects {p.ref} ({p.waste_code}) outside licence {inst.licence.number}")
        leg = float(km[node, s.pickup + 1])
        total += leg
        if abs(s.km_from_previous - leg) > _EPS:
            out.append(f"{name}: leg to {p.ref} is {s.km_from_previous:.3f} km, not {leg:.3f}")
        if s.arrive_min < t + _minutes(leg, veh) - _EPS:
            out.append(f"{name} reaches {p.ref} faster than {veh.speed_kmh:g} km/h allows")
        if s.start_min < s.arrive_min - _EPS or s.start_min < p.window_start_min - _EPS:
            out.append(f"{name} starts loading {p.ref} before arriving or before its window")
        if s.leave_min < s.start_min + p.service_min - _EPS:
            out.append(f"{name} leaves {p.ref} before its {p.service_min} min of loading")
        if s.leave_min > p.window_end_min + _EPS:
            out.append(f"{name} is still loading {p.ref} at {s.leave_min:.1f}, after its window ends "
                       f"({p.window_end_min})")
        load += p.tonnes
        if abs(s.load_t - load) > _EPS:
            out.append(f"{name}: load after {p.ref} given as {s.load_t:.3f} t, is {load:.3f} t")
        if load > veh.capacity_t + _EPS:
            out.append(f"{name} carries {load:.3f} t after {p.ref}, over its {veh.capacity_t:g} t")
        t, node = s.leave_min, s.pickup + 1
    leg = float(km[node, 0])
    total += leg
    if r.return_min < t + _minutes(leg, veh) - _EPS:
        out.append(f"{name} is back at the depot faster than {veh.speed_kmh:g} km/h allows")
    if r.return_min > veh.shift_end_min + _EPS:
        out.append(f"{name} returns at {r.return_min:.1f}, after its shift ends ({veh.shift_end_min})")
    if abs(r.km - total) > 1e-4:
        out.append(f"{name}: route km {r.km:.3f}, legs sum to {total:.3f}")
    masks = [(s.ref, inst.pickups[s.pickup].groups) for s in r.stops]
    for a in range(len(masks)):
        for b in range(a + 1, len(masks)):
            if _clash(masks[a][1], masks[b][1]):
                why = "; ".join(p.hazard_en for p in incompatibility_reasons(masks[a][1], masks[b][1]))
                out.append(f"{name} carries {masks[a][0]} ({describe_groups(masks[a][1])}) with {masks[b][0]} "
                           f"({describe_groups(masks[b][1])}): {why}")
    return out
