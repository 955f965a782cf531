"""Pooled collection rounds (matching.routing): each hard constraint feasible and infeasible, for both planners."""
from __future__ import annotations

import dataclasses
import random

import pytest

from matching.routing import (
    CollectionLicence,
    Depot,
    Pickup,
    RoutingInstance,
    Vehicle,
    _sectors,
    _share_fleet,
    check_plan,
    nearest_neighbour,
    road_km_matrix,
    solve,
)

DEPOT = Depot("D", 30.0, 120.0)
LICENCE = CollectionLicence("ZJ-SJ-0001", frozenset({"HW08", "HW12", "HW33", "HW34", "HW35", "HW49"}),
                            frozenset({"900-402-06"}))
OIL, ACID, CYANIDE, ALKALI, SOLVENT = "900-249-08", "900-300-34", "336-104-33", "900-352-35", "900-402-06"
NITRIC_PASSIVATION = "900-306-34"  # acid and oxidiser: clashes with organics


# The search on a handful of pick-ups: it finds its best plan within a few hundred solutions or a fraction of a
# second, and stops there instead of searching out a whole second.
SMALL = {"time_limit_s": 0.3, "solution_limit": 300}


def planners():
    """Both planners, the solver with a short limit (instances here have a handful of pick-ups)."""
    return [nearest_neighbour, lambda inst: solve(inst, **SMALL)]


PLANNERS = pytest.mark.parametrize("plan_with", planners(), ids=["nearest_neighbour", "ortools"])


def pickup(ref: str, dlat: float = 0.02, dlon: float = 0.0, code: str = OIL, t: float = 1.0,
           window: tuple[int, int] = (480, 1020), service: int = 15) -> Pickup:
    """A pick-up near the depot (0.01° of latitude ≈ 1.1 km)."""
    return Pickup(ref, DEPOT.lat + dlat, DEPOT.lon + dlon, code, t, window[0], window[1], service)


def instance(pickups, vehicles=None, licence=LICENCE) -> RoutingInstance:
    return RoutingInstance(DEPOT, tuple(pickups), tuple(vehicles or [Vehicle("V1", 5.0, 480, 1020, 40.0)]), licence)


def run(plan_with, inst):
    plan = plan_with(inst)
    assert check_plan(inst, plan) == []
    return plan


def served_refs(plan) -> set[str]:
    return {s.ref for r in plan.routes for s in r.stops}


def codes(plan) -> dict[str, str]:
    return {u.ref: u.code for u in plan.unserved}


# ---------------------------------------------------------------- capacity
@PLANNERS
def test_capacity_two_loads_that_fit_ride_together(plan_with):
    plan = run(plan_with, instance([pickup("A", t=2.0), pickup("B", dlon=0.02, t=2.5)]))
    assert served_refs(plan) == {"A", "B"} and plan.vehicles_used == 1
    assert plan.routes[0].load_t == pytest.approx(4.5)


@PLANNERS
def test_capacity_what_does_not_fit_is_left_out_with_a_reason(plan_with):
    plan = run(plan_with, instance([pickup("A", t=3.0), pickup("B", dlon=0.02, t=3.0), pickup("C", t=6.0)]))
    assert len(served_refs(plan) & {"A", "B"}) == 1
    unserved = codes(plan)
    assert unserved["C"] == "too_heavy" and "5 t" in next(u.reason_en for u in plan.unserved if u.ref == "C")
    assert sorted(unserved.values()) == ["no_room", "too_heavy"]


@PLANNERS
def test_capacity_a_second_vehicle_takes_the_rest(plan_with):
    vehicles = [Vehicle("V1", 5.0, 480, 1020), Vehicle("V2", 5.0, 480, 1020)]
    plan = run(plan_with, instance([pickup("A", t=3.0), pickup("B", dlon=0.02, t=3.0)], vehicles))
    assert served_refs(plan) == {"A", "B"} and plan.vehicles_used == 2


# ---------------------------------------------------------------- time windows
@PLANNERS
def test_window_the_stop_is_loaded_inside_it_and_the_round_leaves_late_rather_than_wait(plan_with):
    plan = run(plan_with, instance([pickup("A", window=(840, 900))]))  # 14:00-15:00
    (stop,) = plan.routes[0].stops
    assert 840 <= stop.start_min and stop.leave_min <= 900
    assert plan.routes[0].hours < 1.0  # left at ~13:55, not at 08:00 to wait six hours


@PLANNERS
def test_window_unreachable_in_the_shift_is_reported(plan_with):
    far = pickup("FAR", dlat=0.6, window=(480, 540))  # ~86 km of road: cannot be there by 08:45
    plan = run(plan_with, instance([far, pickup("NEAR")]))
    assert served_refs(plan) == {"NEAR"}
    assert codes(plan) == {"FAR": "window"} and "08:00–09:00" in plan.unserved[0].reason_zh


@PLANNERS
def test_window_two_simultaneous_narrow_windows_far_apart_need_two_vehicles(plan_with):
    a, b = pickup("A", dlat=0.15, window=(600, 630)), pickup("B", dlat=-0.15, window=(600, 630))
    one = run(plan_with, instance([a, b]))
    assert one.served == 1 and list(codes(one).values()) == ["no_room"]
    two = run(plan_with, instance([a, b], [Vehicle("V1", 5.0, 480, 1020), Vehicle("V2", 5.0, 480, 1020)]))
    assert two.served == 2 and two.vehicles_used == 2


@PLANNERS
def test_shift_end_bounds_the_round(plan_with):
    late = [Vehicle("V1", 5.0, 480, 500)]  # a 20-minute shift: ~7 km of road there and back, no loading
    plan = run(plan_with, instance([pickup("A", dlat=0.01, service=5), pickup("B", dlat=0.1)], late))
    assert served_refs(plan) == {"A"} and codes(plan) == {"B": "window"}


# ---------------------------------------------------------------- licence scope
@PLANNERS
def test_licence_scope_by_category_and_by_listed_code_is_collected(plan_with):
    plan = run(plan_with, instance([pickup("OIL", code=OIL), pickup("SOLV", dlon=0.02, code=SOLVENT, t=0.5)]))
    assert served_refs(plan) == {"OIL", "SOLV"}  # HW08 by category, 900-402-06 by its listed code


@PLANNERS
def test_licence_scope_outside_is_never_routed_even_with_room(plan_with):
    paint = "900-252-12"
    narrow = CollectionLicence("ZJ-SJ-0002", frozenset({"HW08"}))
    plan = run(plan_with, instance([pickup("OIL"), pickup("PAINT", dlon=0.01, code=paint), pickup("X", code="bad")],
                                   licence=narrow))
    assert served_refs(plan) == {"OIL"}
    assert codes(plan) == {"PAINT": "licence_scope", "X": "licence_scope"}
    reason = next(u for u in plan.unserved if u.ref == "PAINT")
    assert paint in reason.reason_zh and "ZJ-SJ-0002" in reason.reason_en and "HW08" in reason.reason_en


# ---------------------------------------------------------------- HW compatibility
@PLANNERS
def test_incompatible_wastes_never_share_a_round(plan_with):
    acid, cyanide = pickup("ACID", code=ACID), pickup("CN", dlon=0.01, code=CYANIDE)
    one = run(plan_with, instance([acid, cyanide]))
    assert one.served == 1 and list(codes(one).values()) == ["no_room"]
    two = run(plan_with, instance([acid, cyanide], [Vehicle("V1", 5.0, 480, 1020), Vehicle("V2", 5.0, 480, 1020)]))
    assert two.served == 2 and two.vehicles_used == 2


@PLANNERS
def test_oxidising_acid_and_solvent_never_share_a_round_but_acid_and_alkali_do(plan_with):
    ox = run(plan_with, instance([pickup("NITRIC", code=NITRIC_PASSIVATION), pickup("SOLV", dlon=0.01, code=SOLVENT)]))
    assert ox.served == 1
    ok = run(plan_with, instance([pickup("ACID", code=ACID), pickup("ALK", dlon=0.01, code=ALKALI),
                                  pickup("ACID2", dlon=0.02, code="261-058-34")]))
    assert ok.served == 3 and ok.vehicles_used == 1  # neutralisation is not a clash; two acids of one kind ride together


def test_the_solver_serves_each_class_on_its_own_vehicle_when_vehicles_allow():
    pts = [pickup(f"A{i}", dlat=0.01 * i, code=ACID, t=0.3) for i in range(1, 4)]
    pts += [pickup(f"C{i}", dlat=0.01 * i, dlon=0.005, code=CYANIDE, t=0.3) for i in range(1, 4)]
    vehicles = [Vehicle(f"V{k}", 5.0, 480, 1020) for k in range(3)]
    inst = instance(pts, vehicles)
    plan = run(lambda x: solve(x, **SMALL), inst)
    assert plan.served == 6 and plan.vehicles_used == 2
    for r in plan.routes:
        assert len({inst.pickups[s.pickup].waste_code for s in r.stops}) == 1


# ---------------------------------------------------------------- the checker itself
def test_check_plan_finds_every_kind_of_violation():
    inst = instance([pickup("ACID", code=ACID, t=3.0), pickup("CN", dlon=0.01, code=CYANIDE, t=3.0),
                     pickup("PAINT", code="900-252-12")], [Vehicle("V1", 5.0, 480, 1020), Vehicle("V2", 5.0, 480, 1020)],
                    licence=CollectionLicence("L", frozenset({"HW33", "HW34"})))
    good = solve(inst, **SMALL)
    assert check_plan(inst, good) == [] and good.served == 2
    (r1, r2) = good.routes
    merged = dataclasses.replace(r1, stops=r1.stops + r2.stops)  # both loads on one vehicle
    problems = " | ".join(check_plan(inst, dataclasses.replace(good, routes=(merged,))))
    assert "over its 5 t" in problems and "hydrogen cyanide" in problems and "legs sum" in problems
    late = dataclasses.replace(r1, return_min=1100.0)
    assert any("after its shift ends" in p for p in check_plan(inst, dataclasses.replace(good, routes=(late, r2))))
    fast = dataclasses.replace(r1, stops=(dataclasses.replace(r1.stops[0], arrive_min=r1.depart_min),))
    assert any("faster than" in p for p in check_plan(inst, dataclasses.replace(good, routes=(fast, r2))))
    dropped = dataclasses.replace(good, routes=(r1,))
    assert any("neither routed nor reported" in p for p in check_plan(inst, dropped))
    paint = inst.pickups.index(next(p for p in inst.pickups if p.ref == "PAINT"))
    smuggled = dataclasses.replace(r2, stops=r2.stops + (dataclasses.replace(r2.stops[0], pickup=paint, ref="PAINT"),))
    found = check_plan(inst, dataclasses.replace(good, routes=(r1, smuggled), unserved=()))
    assert any("outside licence" in p for p in found)


def test_road_km_is_great_circle_times_the_road_factor():
    inst = instance([pickup("A", dlat=0.1)])
    km = road_km_matrix(inst)
    assert km[0, 1] == pytest.approx(11.12 * inst.road_factor, rel=1e-3) and km[1, 0] == km[0, 1] and km[0, 0] == 0


# ---------------------------------------------------------------- solver against the baseline
def random_instance(seed: int, n: int) -> RoutingInstance:
    """A small county: pick-ups within ~25 km, some narrow windows, some outside the licence, reactive pairs."""
    rng = random.Random(seed)
    kinds = [OIL, OIL, OIL, ACID, ALKALI, CYANIDE, SOLVENT, "900-041-49", "900-252-12", "772-006-49", "900-401-06"]
    pts = []
    for i in range(n):
        start = rng.choice([480, 480, 480, 540, 780])
        end = start + rng.choice([540, 540, 120, 180])
        pts.append(Pickup(f"P{i}", DEPOT.lat + rng.uniform(-0.2, 0.2), DEPOT.lon + rng.uniform(-0.25, 0.25),
                          rng.choice(kinds), round(rng.uniform(0.05, 2.0), 2), start, min(end, 1020), rng.choice([10, 15, 20])))
    vehicles = [Vehicle(f"V{k}", rng.choice([5.0, 8.0, 10.0]), 480, 1020, 40.0) for k in range(max(2, n // 8))]
    return RoutingInstance(DEPOT, tuple(pts), tuple(vehicles), LICENCE)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_solver_is_never_worse_than_nearest_neighbour(seed):
    inst = random_instance(seed, 30)
    nn, ot = nearest_neighbour(inst), solve(inst, 2.0)
    assert check_plan(inst, nn) == [] and check_plan(inst, ot) == []
    assert ot.served >= nn.served
    if ot.served == nn.served:
        assert ot.total_km <= nn.total_km + 1e-6
    # the same pick-ups are outside every plan for the same reasons
    assert {u.ref for u in ot.unserved if u.code != "no_room"} == {u.ref for u in nn.unserved if u.code != "no_room"}
    assert any(u.code == "licence_scope" for u in ot.unserved)


def test_the_solver_is_reproducible_with_a_solution_limit():
    inst = random_instance(3, 25)
    a, b = solve(inst, 30.0, solution_limit=50), solve(inst, 30.0, solution_limit=50)
    assert [[s.ref for s in r.stops] for r in a.routes] == [[s.ref for s in r.stops] for r in b.routes]
    assert a.total_km == b.total_km and check_plan(inst, a) == []


def test_nothing_to_route_gives_an_empty_plan():
    inst = instance([pickup("PAINT", code="900-252-12")], licence=CollectionLicence("L", frozenset({"HW08"})))
    for plan in (solve(inst, **SMALL), nearest_neighbour(inst)):
        assert plan.routes == () and plan.total_km == 0 and [u.code for u in plan.unserved] == ["licence_scope"]
        assert plan.as_dict()["unserved"][0]["reason_zh"]


# ---------------------------------------------------------------- sectors (large instances)
def test_sectors_cover_every_pickup_once_in_balanced_bearing_slices():
    inst = random_instance(4, 90)
    idx = list(range(len(inst.pickups)))
    parts = _sectors(inst, idx, 25)
    assert len(parts) == 4 and sorted(i for part in parts for i in part) == idx
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    shares = _share_fleet(inst, parts, list(range(len(inst.vehicles))))
    assert sorted(k for ks in shares for k in ks) == list(range(len(inst.vehicles))) and all(shares)


def test_a_sectored_solve_keeps_every_constraint_and_beats_the_baseline():
    inst = random_instance(5, 80)
    sectored, nn = solve(inst, 6.0, sector_size=30), nearest_neighbour(inst)
    assert check_plan(inst, sectored) == []
    assert sectored.served >= nn.served
    if sectored.served == nn.served:
        assert sectored.total_km < nn.total_km


def test_pickups_a_sector_cannot_take_go_to_the_vehicles_left_idle():
    # sector 1: one heavy load south-east, given two of the three vehicles by tonnage, uses one;
    # sector 2: two light loads north, 25 km apart, both to be loaded 10:00-10:30: its one vehicle takes one,
    # and the last model sends the idle vehicle to the other
    heavy = pickup("HEAVY", dlat=-0.15, dlon=0.1, t=8.0)
    east, west = (pickup(ref, dlat=0.15, dlon=d, t=0.1, window=(600, 630)) for ref, d in (("E", 0.1), ("W", -0.1)))
    inst = instance([heavy, east, west], [Vehicle(f"V{k}", 10.0, 480, 1020) for k in range(3)])
    assert _sectors(inst, [0, 1, 2], 2) == [[0], [1, 2]]
    assert _share_fleet(inst, [[0], [1, 2]], [0, 1, 2]) == [[0, 2], [1]]
    plan = solve(inst, 3.0, sector_size=2)
    assert check_plan(inst, plan) == [] and plan.served == 3 and plan.vehicles_used == 3


# ---------------------------------------------------------------- vehicles of different speeds, bad input
@PLANNERS
def test_each_vehicle_travels_at_its_own_speed(plan_with):
    # 08:00-08:30 at ~26 km of road: a 60 km/h van can be there and load in time, a 30 km/h truck cannot
    far = pickup("FAR", dlat=0.18, window=(480, 530), service=10)
    inst = instance([far, pickup("NEAR", t=4.0)], [Vehicle("TRUCK", 5.0, 480, 1020, 30.0), Vehicle("VAN", 1.0, 480, 1020, 60.0)])
    plan = run(plan_with, inst)  # check_plan: no leg faster than its own vehicle's speed
    assert plan.served == 2
    by_vehicle = {r.vehicle_ref: [s.ref for s in r.stops] for r in plan.routes}
    assert by_vehicle == {"VAN": ["FAR"], "TRUCK": ["NEAR"]}


@pytest.mark.parametrize("bad", [
    {"vehicles": [Vehicle("V", 5.0, 480, 1020, 0.0)]},
    {"vehicles": [Vehicle("V", 0.0, 480, 1020)]},
    {"vehicles": [Vehicle("V", 5.0, 1020, 480)]},
    {"pickups": [pickup("P", t=0.0)]},
    {"pickups": [pickup("P", window=(600, 540))]},
])
def test_unreadable_instances_are_refused(bad):
    with pytest.raises(ValueError):
        instance(bad.get("pickups", [pickup("P")]), bad.get("vehicles"))
