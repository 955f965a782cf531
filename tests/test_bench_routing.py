"""Smoke test of benchmarks/bench_routing.py: the generated county is what it says, and a tiny run writes its JSON."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from matching.routing import licence_covers, road_km_matrix

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks import bench_routing as bench


def test_the_generated_county_is_seeded_and_within_its_bounds():
    inst = bench.generate(300, 7)
    assert inst == bench.generate(300, 7) and inst != bench.generate(300, 8)
    km = road_km_matrix(inst)[0, 1:] / inst.road_factor  # great-circle km from the depot
    assert km.max() <= 40.5 and len(inst.pickups) == 300
    assert all(0.05 <= p.tonnes <= 2.0 and 480 <= p.window_start_min < p.window_end_min <= 960 for p in inst.pickups)
    narrow = sum(1 for p in inst.pickups if p.window_end_min - p.window_start_min < 480)
    outside = sum(1 for p in inst.pickups if not licence_covers(inst.licence, p.waste_code)[0])
    assert 30 <= narrow <= 150 and 1 <= outside <= 30
    assert {v.capacity_t for v in inst.vehicles} <= {5.0, 8.0, 10.0}
    assert sum(v.capacity_t for v in inst.vehicles) >= sum(p.tonnes for p in inst.pickups)
    assert len(inst.vehicles) == math.ceil(sum(p.tonnes for p in inst.pickups) / (0.7 * 7.5)) + 2


def test_a_tiny_run_writes_both_planners_checked(tmp_path):
    out = tmp_path / "routing.json"
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench_routing.py"), "--sizes", "12", "20",
                           "--time-limit", "1", "--out", str(out)], capture_output=True, text=True, cwd=REPO, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [s["pickups"] for s in doc["sizes"]] == [12, 20] and doc["machine"]["ortools"]
    for size in doc["sizes"]:
        for planner in ("ortools", "nearest_neighbour"):
            row = size[planner]
            assert row["check_plan"] == "ok" and row["served"] + sum(row["unserved"].values()) == size["pickups"]
            assert row["total_km"] > 0 and row["route_hours"] > 0 and row["vehicles_used"] >= 1
        assert size["ortools"]["served"] >= size["nearest_neighbour"]["served"]
        assert "km_saving_pct" in size["ortools_vs_nn"]
