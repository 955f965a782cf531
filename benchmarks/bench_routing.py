"""Pooled collection rounds: the OR-Tools routing solver against a nearest-neighbour round, 50 / 200 / 1,000 pick-ups.

    .venv/bin/python benchmarks/bench_routing.py --out benchmarks/results/routing.json
    .venv/bin/python benchmarks/bench_routing.py --sizes 50 --json          # one size, the document on stdout

Each size is one generated county (seeded; ``--seed``, the size's position added): the collector's depot in
the middle, eight towns 8–38 km away, small producers clustered around the towns (three in four) or scattered
over the county (the rest), at most ~40 km out. Each pick-up: 0.05–2 t (most under half a tonne: a
log-uniform draw), 10–30 min of loading by weight, an 8-hour window (08:00–16:00) for seven in ten and a
narrower one (08:00–11:00, 10:00–13:00, 13:00–16:00 or 13:30–15:30) for the rest, a waste code from the
mix small firms hand in (waste oil and oily rags, paint, spent acid and alkali, solvent, lab waste, a few
cyanide plating and nitric passivation wastes that clash with acids or organics, and ~3 % outside the
licence: fluorescent tubes, lead batteries, incineration ash). Vehicles: 5, 8 or 10 t, 08:00–17:00 at
35 km/h (county roads and villages), as many as the tonnage needs at 70 % fill plus two.

For each size both planners run on the same instance (:func:`matching.routing.solve` with
``--time-limit`` or its default 0.1 s per pick-up up to 120 s; :func:`matching.routing.nearest_neighbour`),
and :func:`matching.routing.check_plan` verifies each plan. Recorded per planner: total road km, route
hours, vehicles used, pick-ups and tonnes served, the unserved by reason, wall and CPU seconds, the check's
violations (``--one-model``: the solver once more as one model, no sectors, in the same time); per size
the solver's km saving against the baseline (total and per tonne served). Writes one
JSON document (``--out``; ``--json`` prints it), with the machine, its load and the routing module's sha1.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.machine import machine as machine_record
from matching.routing import (
    SECTOR_SIZE,
    CollectionLicence,
    Depot,
    Pickup,
    RoutePlan,
    RoutingInstance,
    Vehicle,
    check_plan,
    default_time_limit,
    nearest_neighbour,
    solve,
)

DEPOT = Depot("COLLECTOR", 30.90, 119.90)  # a county seat's industrial edge in northern Zhejiang (illustrative)
LICENCE = CollectionLicence("ZJ-SJ-0520-001", frozenset({"HW06", "HW08", "HW12", "HW33", "HW34", "HW35", "HW49"}))
# (waste code, weight): what small producers hand in; the last three are outside the licence above
WASTES: tuple[tuple[str, float], ...] = (
    ("900-249-08", 22), ("900-214-08", 12), ("900-041-49", 14), ("900-252-12", 10), ("264-012-12", 4),
    ("900-300-34", 7), ("900-349-34", 3), ("900-352-35", 5), ("900-402-06", 6), ("900-047-49", 7),
    ("336-104-33", 2), ("900-306-34", 2),  # cyanide plating waste; nitric passivation acid (an oxidiser)
    ("900-023-29", 1.2), ("900-052-31", 1.2), ("772-002-18", 0.6),
)
WINDOWS = ((480, 660), (600, 780), (780, 960), (810, 930))
KM_PER_DEG_LAT = 111.2


def generate(n: int, seed: int) -> RoutingInstance:
    """A seeded county with ``n`` pick-ups (module docstring)."""
    rng = random.Random(seed)
    cos_lat = math.cos(math.radians(DEPOT.lat))

    def at(km_east: float, km_north: float) -> tuple[float, float]:
        return DEPOT.lat + km_north / KM_PER_DEG_LAT, DEPOT.lon + km_east / (KM_PER_DEG_LAT * cos_lat)

    towns = []
    for k in range(8):
        r, a = rng.uniform(8, 38), 2 * math.pi * (k + rng.uniform(-0.3, 0.3)) / 8
        towns.append((r * math.cos(a), r * math.sin(a)))
    codes, weights = zip(*WASTES, strict=True)
    pickups = []
    for i in range(n):
        if rng.random() < 0.75:
            tx, ty = rng.choice(towns)
            x, y = tx + rng.gauss(0, 3.0), ty + rng.gauss(0, 3.0)
        else:
            r, a = 40 * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
            x, y = r * math.cos(a), r * math.sin(a)
        scale = min(1.0, 40.0 / max(math.hypot(x, y), 1e-9))  # keep within ~40 km
        lat, lon = at(x * scale, y * scale)
        tonnes = round(math.exp(rng.uniform(math.log(0.05), math.log(2.0))), 2)
        start, end = (480, 960) if rng.random() < 0.7 else rng.choice(WINDOWS)
        service = 10 + round(10 * tonnes)  # 10–30 min: drums and IBCs onto the lift gate
        pickups.append(Pickup(f"P{i:04d}", round(lat, 6), round(lon, 6), rng.choices(codes, weights)[0], tonnes,
                              start, end, service))
    total = sum(p.tonnes for p in pickups)
    fleet = math.ceil(total / (0.7 * 7.5)) + 2
    vehicles = tuple(Vehicle(f"V{k:03d}", rng.choice((5.0, 8.0, 10.0)), 480, 1020, 35.0) for k in range(fleet))
    return RoutingInstance(DEPOT, tuple(pickups), vehicles, LICENCE)


def summary(inst: RoutingInstance, plan: RoutePlan, cpu_s: float) -> dict:
    """What the benchmark records of one plan."""
    problems = check_plan(inst, plan)
    served_t = plan.served_t
    return {
        "total_km": round(plan.total_km, 1), "route_hours": round(plan.total_hours, 2),
        "vehicles_used": plan.vehicles_used, "served": plan.served, "served_t": round(served_t, 2),
        "km_per_t": round(plan.total_km / served_t, 3) if served_t else None,
        "unserved": dict(sorted(Counter(u.code for u in plan.unserved).items())),
        "solve_s": round(plan.solve_s, 2), "cpu_s": round(cpu_s, 2), "status": plan.status,
        "check_plan": "ok" if not problems else f"{len(problems)} violations", "violations": problems[:5],
    }


def run_size(n: int, seed: int, time_limit: float | None, one_model: bool = False) -> dict:
    """Both planners on one generated county of ``n`` pick-ups (and the solver without sectors if ``one_model``)."""
    inst = generate(n, seed)
    out: dict = {"pickups": n, "seed": seed, "tonnes": round(sum(p.tonnes for p in inst.pickups), 2),
                 "vehicles": len(inst.vehicles), "fleet_t": sum(v.capacity_t for v in inst.vehicles),
                 "narrow_windows": sum(1 for p in inst.pickups if p.window_end_min - p.window_start_min < 480),
                 "clashing_pickups": sum(1 for p in inst.pickups if p.waste_code in ("336-104-33", "900-306-34")),
                 "time_limit_s": time_limit if time_limit is not None else default_time_limit(n)}
    planners = [("nearest_neighbour", nearest_neighbour), ("ortools", lambda i: solve(i, out["time_limit_s"]))]
    if one_model:
        planners.append(("ortools_one_model", lambda i: solve(i, out["time_limit_s"], sector_size=None)))
    for name, planner in planners:
        info(f"{n} pick-ups: {name} …")
        c0 = time.process_time()
        plan = planner(inst)
        out[name] = summary(inst, plan, time.process_time() - c0)
    nn, ot = out["nearest_neighbour"], out["ortools"]
    out["ortools_vs_nn"] = {
        "km_saving_pct": round(100 * (1 - ot["total_km"] / nn["total_km"]), 1) if nn["total_km"] else None,
        "hours_saving_pct": round(100 * (1 - ot["route_hours"] / nn["route_hours"]), 1) if nn["route_hours"] else None,
        "km_per_t_saving_pct": (round(100 * (1 - ot["km_per_t"] / nn["km_per_t"]), 1)
                                if nn["km_per_t"] and ot["km_per_t"] else None),
        "served_difference": ot["served"] - nn["served"],
        "vehicles_difference": ot["vehicles_used"] - nn["vehicles_used"],
    }
    return out


def info(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def machine() -> dict:
    """The machine, its load and the solver's version: the solver runs to a wall-clock limit."""
    record = machine_record("ortools")
    return {**record, "ortools": record["versions"]["ortools"]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 1000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=None,
                        help="solver seconds per size (default: 0.1 s per pick-up, 2-120 s)")
    parser.add_argument("--one-model", action="store_true",
                        help="also run the solver as one model, without sectors, in the same time")
    parser.add_argument("--json", action="store_true", help="print the JSON document on stdout")
    parser.add_argument("--out", type=Path, default=None, help="write the JSON document here")
    args = parser.parse_args(argv)
    routing_py = REPO / "matching" / "routing.py"
    doc: dict = {"benchmark": "routing", "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                 "machine": machine(), "code": {"matching/routing.py": hashlib.sha1(routing_py.read_bytes()).hexdigest()[:12]},
                 "parameters": {"sizes": args.sizes, "seed": args.seed, "time_limit": args.time_limit,
                                "sector_size": SECTOR_SIZE, "one_model": args.one_model},
                 "sizes": [run_size(n, args.seed + k, args.time_limit, args.one_model) for k, n in enumerate(args.sizes)]}
    doc["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    if args.json or not args.out:
        print(text)
    for s in doc["sizes"]:
        nn, ot = s["nearest_neighbour"], s["ortools"]
        info(f"{s['pickups']:>5} pick-ups: OR-Tools {ot['total_km']} km {ot['route_hours']} h {ot['served']} served "
             f"({ot['check_plan']}); nearest neighbour {nn['total_km']} km {nn['route_hours']} h {nn['served']} served "
             f"({nn['check_plan']}); km saving {s['ortools_vs_nn']['km_saving_pct']} %")


if __name__ == "__main__":
    main()
