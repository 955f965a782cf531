"""The national instance (benchmarks/national.py) as a RegionSource, and bench_matching.py on Dask (issue 19)."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from matching.problem import EARTH_RADIUS_KM
from matching.regions import Region, plan_regions

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks import national
from benchmarks.generate import PARK_ANCHORS, SETTINGS
from benchmarks.national import NationalSource, plan_parks


def _canon(value):
    """A record as text that does not depend on the process (frozensets sorted: string hashes are salted)."""
    if dataclasses.is_dataclass(value):
        return "(" + ", ".join(f"{f.name}={_canon(getattr(value, f.name))}" for f in dataclasses.fields(value)) + ")"
    if isinstance(value, frozenset):
        return repr(sorted(value))
    return repr(value)


def _digest(data) -> str:
    text = "\n".join(_canon(r) for side in (data.offers, data.needs, data.licences) for r in side)
    return hashlib.sha1(text.encode()).hexdigest()


def _haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def test_the_plan_is_deterministic_holds_the_totals_and_starts_from_real_parks():
    plan = plan_parks(100_000, 80_000, seed=3)
    assert plan == plan_parks(100_000, 80_000, seed=3)
    assert plan != plan_parks(100_000, 80_000, seed=4)
    assert sum(p.offers for p in plan) == 100_000 and sum(p.needs for p in plan) == 80_000
    assert max(max(p.offers, p.needs) for p in plan) <= national.MAX_PARK_LISTINGS  # one generate_park park each
    assert len({p.province for p in plan}) == 11
    assert {a[0] for a in PARK_ANCHORS} <= {p.code for p in plan}  # every real park is among them
    for p in plan:  # each park inside its province's extent
        prov = next(x for x in national.PROVINCES if x.name == p.province)
        assert prov.south <= p.lat <= prov.north and prov.west <= p.lon <= prov.east


def test_offer_counts_come_from_the_plan_and_sum_to_the_total(monkeypatch):
    monkeypatch.setattr(national, "generate_park", lambda *a, **k: pytest.fail("counting generated listings"))
    src = NationalSource(20_000, 20_000, seed=1)
    for cell in (0.5, 0.125):
        counts = src.offer_counts(cell)
        assert sum(counts.values()) == 20_000
    with pytest.raises(ValueError, match="cell_deg"):
        src.offer_counts(0.0)


def test_parks_of_neighbouring_provinces_meet_near_borders():
    plan = plan_parks(1_000_000, 1_000_000)
    lat = np.array([p.lat for p in plan])
    lon = np.array([p.lon for p in plan])
    prov = np.array([p.province for p in plan])
    km = _haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    near_other = (km < 50.0) & (prov[:, None] != prov[None, :])
    assert near_other.sum() // 2 >= 20  # pairs the cross_province_transfer rule will flag


def test_a_region_loads_the_same_twice_and_in_another_process():
    src = NationalSource(4000, 4000, seed=2, cache_mb=0)
    region = max(plan_regions(src, max_offers=1500), key=lambda r: r.offers)
    first, second = src.load(region), src.load(region)
    assert first.offers and first.needs and first.licences
    assert _digest(first) == _digest(second)
    cached = NationalSource(4000, 4000, seed=2)  # parks kept compressed in this process: the same records
    assert _digest(cached.load(region)) == _digest(cached.load(region)) == _digest(first)
    assert pickle.loads(pickle.dumps(src)).parks == src.parks and len(pickle.dumps(src)) < 1000
    code = (
        "import pickle, sys\n"
        f"sys.path.insert(0, {str(REPO)!r}); sys.path.insert(0, {str(REPO / 'tests')!r})\n"
        "from test_bench_national import _digest\n"
        f"src, region = pickle.loads({pickle.dumps((src, region))!r})\n"
        "print(_digest(src.load(region)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == _digest(first)


def test_a_stored_instance_loads_what_the_generator_makes(tmp_path):
    made = NationalSource(4000, 4000, seed=2, cache_mb=0)
    seen = []
    first = national.write_store(made, tmp_path, processes=2, progress=lambda done, total: seen.append((done, total)))
    assert first["parks"] == len(made.parks) and not first["reused"] and seen[-1] == (len(made.parks),) * 2
    assert sorted(p.name for p in tmp_path.glob("park-*.bin")) == \
        [national._park_file(p) for p in sorted(made.parks, key=lambda p: p.index)]
    stored = NationalSource(4000, 4000, seed=2, cache_mb=0, store=str(tmp_path))
    assert pickle.loads(pickle.dumps(stored)).store == str(tmp_path)
    for region in plan_regions(made, max_offers=1500):
        assert _digest(stored.load(region)) == _digest(made.load(region))
    assert national.write_store(made, tmp_path)["reused"]
    # Another instance is not this store: it is written again, not read
    other = NationalSource(4000, 4000, seed=3, cache_mb=0)
    assert not national.write_store(other, tmp_path)["reused"]


def test_regions_load_exactly_their_core_offers_and_every_need_within_reach():
    src = NationalSource(3000, 3000, seed=0)
    offers, needs, licences = src.records()
    assert len({o.id for o in offers}) == 3000 and len({n.id for n in needs}) == 3000
    o_lat, o_lon = np.array([o.site.lat for o in offers]), np.array([o.site.lon for o in offers])
    n_lat, n_lon = np.array([n.site.lat for n in needs]), np.array([n.site.lon for n in needs])
    reach = np.array([n.max_distance_km or SETTINGS.default_max_distance_km for n in needs])
    regions = plan_regions(src, max_offers=600)
    assert len(regions) >= 5
    seen: list[int] = []
    in_box = kept = 0
    for region in regions:
        data = src.load(region)
        core = np.asarray(region.contains(o_lat, o_lon))
        assert [o.id for o in data.offers] == [offers[i].id for i in np.flatnonzero(core)]
        loaded = {n.id for n in data.needs}
        # the needs whose own reach meets the core: within the halo box, and fewer than it holds
        own = np.asarray(region.reaches(n_lat, n_lon, reach / SETTINGS.road_factor))
        assert loaded == {needs[j].id for j in np.flatnonzero(own)}
        assert loaded <= {needs[j].id for j in np.flatnonzero(region.in_halo(n_lat, n_lon))}
        in_box += int(np.count_nonzero(region.in_halo(n_lat, n_lon)))
        kept += len(loaded)
        if core.any():  # every need some core offer can reach by road is loaded
            km = _haversine_km(o_lat[core][:, None], o_lon[core][:, None], n_lat[None, :], n_lon[None, :])
            reachable = np.flatnonzero((km * SETTINGS.road_factor <= reach[None, :]).any(axis=0))
            assert {needs[j].id for j in reachable} <= loaded
        holders = {n.site.enterprise for n in data.needs}
        assert {x.number for x in data.licences} == {x.number for x in licences if x.enterprise in holders}
        seen += [o.id for o in data.offers]
    assert sorted(seen) == sorted(o.id for o in offers)  # each offer in exactly one region's core
    assert kept < in_box  # needs with a shorter reach than the longest are left out of farther cores


def test_a_region_without_parks_loads_nothing():
    src = NationalSource(1000, 1000)
    empty = Region("R00", -10.0, -9.0, 0.0, 1.0, offers=0, halo_km=10.0)
    data = src.load(empty)
    assert (data.offers, data.needs, data.licences, data.approvals) == ([], [], [], [])


@pytest.mark.slow
def test_bench_runs_the_national_instance_on_a_local_dask_cluster(tmp_path):
    out = tmp_path / "national.json"
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench_matching.py"), "--national",
                           "--offers", "3000", "--needs", "3000", "--engine", "dask", "--workers", "2",
                           "--max-region-offers", "1000", "--max-mem-gib", "6", "--store", str(tmp_path / "store"),
                           "--json", "--out", str(out)],
                          check=False, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    doc = json.loads(proc.stdout)
    assert doc == json.loads(out.read_text())
    assert (doc["engine"], doc["workers"], doc["instance"]) == ("dask", 2, "national")
    assert doc["regions"] == len(doc["region_rows"]) >= 3
    assert doc["store"]["parks"] == doc["parks"] and not doc["store"]["reused"]
    assert sum(r["offers"] for r in doc["region_rows"]) == 3000
    assert 0 < doc["peak_worker_rss_mb"] <= 6 * 1024 and doc["driver_peak_rss_mb"] > 0
    assert doc["objective"] > 0 and doc["bound"] >= doc["objective"] and doc["gap"] >= 0.0
    assert doc["matches"] > 0 and doc["halo_need_factor"] >= 1.0
    assert set(doc["time_split"]) >= {"plan_s", "prepare_wall_s", "solve_wall_s", "explain_wall_s", "run_wall_s",
                                      "regions_load_and_problem_sum_s", "regions_candidate_sum_s"}
