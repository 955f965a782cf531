"""A national-scale generated instance: eleven provinces of industrial parks, made park by park (issue 19).

``NationalSource(offers, needs, seed, settings)`` is a ``matching.regions.RegionSource``: the plan
(where each park is, how many offers and needs it holds) is cheap and computed in every process
from ``(offers, needs, seed)``; a park's listings are generated only when a region asks for them,
by ``benchmarks.generate.generate_park`` with a seed derived from ``(seed, park index)`` and moved to
the park's planned centre. A park's records are therefore identical in whichever process makes
them, and no process ever holds the whole country.

* Provinces: the eleven of ``generate.PARK_ANCHORS`` (Tianjin to Guangdong, Liaoning to Jiangxi),
  each with its approximate extent and a share of the parks by industrial weight (Jiangsu,
  Shandong and Guangdong the largest).
* Parks: about one per ``MEAN_PARK_LISTINGS`` listings; a province's first parks are its real
  anchors, the others sit around those anchors (60 %) or anywhere in the province (40 %), so
  parks of neighbouring provinces meet near borders (the ``cross_province_transfer`` rule
  soft-flags those pairs). Park sizes vary (lognormal), each below 1,000 offers and needs so that
  ``generate_park`` makes exactly one park of ~15 km across.
* Ids: offer and need ``id`` = park index × ``ID_STRIDE`` + position in the park; refs, enterprise
  refs and licence numbers carry the park code, so they are unique across the country.
* A licence belongs to one handler of one park; its ``remaining_t`` is ``generate_park``'s, fixed
  by the park's seed.

``write_store(source, directory)`` generates every park once into a directory of packed files (a
process per CPU, one park at a time each); a ``NationalSource(..., store=directory)`` reads its parks
from there instead of generating them, as a run reads listings that already exist in a database.

``national_records(offers, needs, seed)`` materialises a whole (small) instance as three lists,
for tests and for the single-process comparison.

    python -m benchmarks.national 100000 100000   # the plan: parks per province, sizes
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
import random
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from benchmarks.generate import PARK_ANCHORS, PARK_RADIUS_DEG, SETTINGS, generate_park
from matching.packing import pack, unpack
from matching.problem import LicenceRecord, NeedRecord, OfferRecord, Settings, Site
from matching.regions import Region, RegionData, needs_reaching

__all__ = ["ID_STRIDE", "MEAN_PARK_LISTINGS", "PROVINCES", "NationalSource", "ParkPlan", "Province",
           "generate_national_park", "national_records", "plan_parks"]

ID_STRIDE = 1000  # ids of a park's records: index × stride + position (a park holds < 1000 of each)
MAX_PARK_LISTINGS = ID_STRIDE - 1  # generate_park makes one park below 1000 offers and needs
MEAN_PARK_LISTINGS = 500
# generate_park clamps enterprises to 2.5 σ around the park centre; the margin covers rounding to 1e-5°
PARK_REACH_DEG = 2.5 * PARK_RADIUS_DEG + 1e-4
SEED_STRIDE = 1_000_000  # park seeds: seed × stride + park index
# Parks generated in this process, most recent last, compressed (``matching.packing``: ~95 bytes a
# record against ~1.4 KB as objects; unpacking is several times cheaper than generating, ~70 ms a park),
# so a worker keeps every park of a 1M × 1M instance (~190 MB) and generates each park once, not once
# per region whose halo box meets it (some 800 parks a region at 1M). A park's needs are kept by reach
# class: a region unpacks only those whose reach may get from the park to its core.
CACHE_MB = 400.0
_CACHE: OrderedDict[tuple, _PackedPark] = OrderedDict()
_CACHE_BYTES = [0]  # bytes held by _CACHE


@dataclass(frozen=True)
class Province:
    """A province's name, abbreviation, approximate extent (degrees) and share of the parks."""

    name: str
    abbr: str
    south: float
    north: float
    west: float
    east: float
    weight: float


# Approximate extents; the weights follow the provinces' shares of industrial hazardous waste.
PROVINCES: tuple[Province, ...] = (
    Province("天津市", "TJ", 38.55, 40.25, 116.70, 118.05, 0.04),
    Province("河北省", "HE", 36.05, 42.60, 113.45, 119.85, 0.08),
    Province("辽宁省", "LN", 38.70, 43.50, 118.85, 125.75, 0.06),
    Province("山东省", "SD", 34.40, 38.40, 114.80, 122.70, 0.15),
    Province("江苏省", "JS", 30.75, 35.10, 116.35, 121.90, 0.18),
    Province("上海市", "SH", 30.70, 31.85, 120.85, 121.95, 0.05),
    Province("浙江省", "ZJ", 27.05, 31.15, 118.00, 122.90, 0.12),
    Province("安徽省", "AH", 29.40, 34.65, 114.90, 119.65, 0.07),
    Province("江西省", "JX", 24.50, 30.05, 113.55, 118.50, 0.04),
    Province("福建省", "FJ", 23.50, 28.30, 115.85, 120.70, 0.06),
    Province("广东省", "GD", 20.20, 25.50, 109.65, 117.30, 0.15),
)
_ANCHOR_AT = {a[0]: (a[5], a[6]) for a in PARK_ANCHORS}  # park code -> (lat, lon) of generate_park's park


@dataclass(frozen=True)
class ParkPlan:
    """One planned park: where it is and how many listings it will hold (no listing generated)."""

    index: int
    code: str
    province: str
    abbr: str
    lat: float
    lon: float
    offers: int
    needs: int

    def box(self) -> tuple[float, float, float, float]:
        """(south, north, west, east): every site of the park lies inside."""
        dlon = PARK_REACH_DEG / math.cos(math.radians(self.lat))
        return self.lat - PARK_REACH_DEG, self.lat + PARK_REACH_DEG, self.lon - dlon, self.lon + dlon

    def meets(self, south: float, north: float, west: float, east: float) -> bool:
        """Whether the park's box meets the box (bounds taken inclusively: a superset is harmless)."""
        s, n, w, e = self.box()
        return s <= north and n >= south and w <= east and e >= west


def _allocate(total: int, weights: list[float], cap: int) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), no share above ``cap``."""
    if not weights:
        if total:
            raise ValueError(f"no park to hold {total} listings / 没有园区可容纳 {total} 条信息")
        return []
    if total > cap * len(weights):
        raise ValueError(f"{total} listings do not fit {len(weights)} parks of at most {cap} / 园区容量不足")
    s = sum(weights)
    quotas = [total * w / s for w in weights]
    counts = [min(cap, math.floor(q)) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (quotas[i] - math.floor(quotas[i]), weights[i]), reverse=True)
    short = total - sum(counts)
    while short > 0:  # remainders first, then any park with room (a capped park's share spills over)
        progressed = False
        for i in order:
            if short == 0:
                break
            if counts[i] < cap:
                counts[i] += 1
                short -= 1
                progressed = True
        assert progressed
    return counts


def plan_parks(offers: int, needs: int, seed: int = 0) -> tuple[ParkPlan, ...]:
    """The parks of a national instance of ``offers`` × ``needs`` (deterministic for a seed)."""
    if offers < 0 or needs < 0:
        raise ValueError("offers and needs must be ≥ 0 / 供给与需求数量不能为负")
    rng = random.Random(f"wastematch-national-{seed}")
    n_parks = max(1, math.ceil(max(offers, needs) / MEAN_PARK_LISTINGS))
    per_province = _allocate(n_parks, [p.weight for p in PROVINCES], n_parks)
    places: list[tuple[str, Province, float, float]] = []
    for prov, count in zip(PROVINCES, per_province):
        anchors = [a for a in PARK_ANCHORS if a[4] == prov.abbr]
        for j in range(count):
            if j < len(anchors):  # the province's real parks first
                code, lat, lon = anchors[j][0], anchors[j][5], anchors[j][6]
            else:
                code = f"{prov.abbr}{len(places):05d}"
                if anchors and rng.random() < 0.6:  # parks cluster around the industrial cities
                    a = rng.choice(anchors)
                    lat = a[5] + rng.gauss(0.0, 0.5)
                    lon = a[6] + rng.gauss(0.0, 0.5) / math.cos(math.radians(a[5]))
                else:
                    lat, lon = rng.uniform(prov.south, prov.north), rng.uniform(prov.west, prov.east)
                lat = min(prov.north, max(prov.south, lat))
                lon = min(prov.east, max(prov.west, lon))
            places.append((code, prov, round(lat, 4), round(lon, 4)))
    size = [min(1.8, max(0.25, math.exp(rng.gauss(0.0, 0.5)))) for _ in places]
    ratio = [w * math.exp(rng.gauss(0.0, 0.25)) for w in size]  # parks differ in offers vs needs
    n_offers = _allocate(offers, size, MAX_PARK_LISTINGS)
    n_needs = _allocate(needs, ratio, MAX_PARK_LISTINGS)
    return tuple(ParkPlan(k, code, prov.name, prov.abbr, lat, lon, n_offers[k], n_needs[k])
                 for k, (code, prov, lat, lon) in enumerate(places))


def generate_national_park(park: ParkPlan, seed: int = 0) -> tuple[list[OfferRecord], list[NeedRecord],
                                                                    list[LicenceRecord]]:
    """Every listing and licence of one planned park (identical in any process for the same plan and seed)."""
    offers, needs, licences = generate_park(park.offers, park.needs, seed=seed * SEED_STRIDE + park.index)
    first = offers[0] if offers else (needs[0] if needs else None)
    if first is None:
        return [], [], []
    # generate_park built one park at a real anchor; move its sites to this park's centre,
    # keeping each site's offset in km (hence the longitude rescale).
    alat, alon = _ANCHOR_AT[first.site.park]
    scale = math.cos(math.radians(alat)) / math.cos(math.radians(park.lat))
    moved: dict[int, Site] = {}

    def enterprise(ref: str) -> str:
        return f"E-{park.code}-{ref.removeprefix('E-')}"

    def site(s: Site) -> Site:
        out = moved.get(id(s))
        if out is None:
            out = moved[id(s)] = Site(
                enterprise=enterprise(s.enterprise), lat=round(park.lat + (s.lat - alat), 5),
                lon=round(park.lon + (s.lon - alon) * scale, 5), province=park.province, park=park.code,
                park_hw_max_km=s.park_hw_max_km, industry=s.industry)
        return out

    base = park.index * ID_STRIDE
    offers = [replace(o, ref=f"O-{park.code}-{i:03d}", site=site(o.site), id=base + i) for i, o in enumerate(offers)]
    needs = [replace(n, ref=f"N-{park.code}-{j:03d}", site=site(n.site), id=base + j) for j, n in enumerate(needs)]
    licences = [replace(lic, number=f"{park.abbr}-{park.code}-{lic.number.split('-', 1)[1]}",
                        enterprise=enterprise(lic.enterprise)) for lic in licences]
    return offers, needs, licences


def _mass(centre: float, sd: float, lo: float, hi: float) -> float:
    """The share of a Gaussian clamped at 2.5 σ (as generate_park places sites) that falls in [lo, hi)."""
    def cdf(x: float) -> float:
        z = min(2.5, max(-2.5, (x - centre) / sd))
        return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))

    return max(0.0, cdf(hi) - cdf(lo))


def _latlon(records) -> tuple[np.ndarray, np.ndarray]:
    return (np.fromiter((r.site.lat for r in records), dtype=np.float64, count=len(records)),
            np.fromiter((r.site.lon for r in records), dtype=np.float64, count=len(records)))


@dataclass(frozen=True)
class _PackedPark:
    """A generated park as a process keeps it: compressed offers and licences, and its needs by reach class,
    so a region unpacks only the needs whose reach may get from the park to its core."""

    offers: bytes
    licences: bytes
    needs: tuple[tuple[float, bytes], ...]  # (great-circle reach km, the needs with that reach), by reach
    nbytes: int

    @classmethod
    def of(cls, made: tuple[list, list, list], settings: Settings) -> _PackedPark:
        offers, needs, licences = made
        default = settings.default_max_distance_km
        by_reach: dict[float, list[NeedRecord]] = {}
        for n in needs:
            by_reach.setdefault((n.max_distance_km or default) / settings.road_factor, []).append(n)
        chunks = tuple((r, pack(by_reach[r])) for r in sorted(by_reach))
        o, lic = pack(offers), pack(licences)
        return cls(o, lic, chunks, len(o) + len(lic) + sum(len(b) for _r, b in chunks))


class NationalSource:
    """A ``RegionSource`` over a national instance that generates only the parks a region needs.

    Picklable in a few bytes: it travels as its arguments and replans on arrival. ``cache_mb``
    bounds the compressed parks kept in each process (0: none). With ``store`` (a directory that
    ``write_store`` filled) parks are read from it instead of generated: the listings exist before the
    run, as in a database, and a run's time is the matcher's, not the generator's.
    """

    def __init__(self, offers: int, needs: int, seed: int = 0, settings: Settings = SETTINGS,
                 cache_mb: float = CACHE_MB, store: str | None = None):
        self.offers, self.needs, self.seed, self.settings = offers, needs, seed, settings
        self.cache_mb = cache_mb
        self.store = store
        self.parks = plan_parks(offers, needs, seed)

    def __reduce__(self):
        return NationalSource, (self.offers, self.needs, self.seed, self.settings, self.cache_mb, self.store)

    def offer_counts(self, cell_deg: float) -> dict[tuple[int, int], int]:
        """Offers per grid cell, from the plan alone (nothing generated).

        A park's planned offers are spread over the cells its area meets, in proportion to the
        (clamped) Gaussian spread of its sites, and every such cell counts at least one: the
        regions are built from the counted cells only, so a cell where a park's edge might put
        an offer must be among them. The counts sum to the total unless a park holds fewer
        offers than the cells it meets (then each of those cells counts one).
        """
        if not cell_deg > 0:
            raise ValueError(f"cell_deg must be > 0, got {cell_deg} / 网格边长必须为正")
        counts: dict[tuple[int, int], int] = {}
        for p in self.parks:
            if not p.offers:
                continue
            south, north, west, east = p.box()
            rows = range(math.floor(south / cell_deg), math.floor(north / cell_deg) + 1)
            cols = range(math.floor(west / cell_deg), math.floor(east / cell_deg) + 1)
            sd_lon = PARK_RADIUS_DEG / math.cos(math.radians(p.lat))
            w_rows = [_mass(p.lat, PARK_RADIUS_DEG, i * cell_deg, (i + 1) * cell_deg) for i in rows]
            w_cols = [_mass(p.lon, sd_lon, j * cell_deg, (j + 1) * cell_deg) for j in cols]
            cells = [(i, j) for i in rows for j in cols]
            weights = [wr * wc for wr in w_rows for wc in w_cols]
            extra = _allocate(max(0, p.offers - len(cells)), [w + 1e-12 for w in weights], p.offers)
            for cell, n in zip(cells, extra):
                counts[cell] = counts.get(cell, 0) + 1 + n
        return counts

    def max_reach_km(self) -> float:
        """The longest road distance a need accepts: generate_park's largest ``max_distance_km`` (300) or the
        default that needs without one get (an upper bound is safe: it only widens the halo)."""
        return max(300.0, self.settings.default_max_distance_km)

    def parks_meeting(self, south: float, north: float, west: float, east: float) -> list[ParkPlan]:
        """The planned parks whose area meets the box."""
        return [p for p in self.parks if p.meets(south, north, west, east)]

    def _park(self, p: ParkPlan) -> tuple[_PackedPark, tuple[list, list, list] | None]:
        """One park as this process keeps it (and its records, when it was generated just now)."""
        key = (self.offers, self.needs, self.seed, p.index)
        packed = _CACHE.get(key)
        if packed is not None:
            _CACHE.move_to_end(key)
            return packed, None
        if self.store is not None:
            made = None
            packed = pickle.loads((Path(self.store) / _park_file(p)).read_bytes())
        else:
            made = generate_national_park(p, self.seed)
            packed = _PackedPark.of(made, self.settings)
        if self.cache_mb > 0:
            _CACHE[key] = packed
            _CACHE_BYTES[0] += packed.nbytes
            while _CACHE_BYTES[0] > self.cache_mb * 2**20 and len(_CACHE) > 1:
                _old, dropped = _CACHE.popitem(last=False)
                _CACHE_BYTES[0] -= dropped.nbytes
        return packed, made

    def park_records(self, p: ParkPlan) -> tuple[list[OfferRecord], list[NeedRecord], list[LicenceRecord]]:
        """One park's records, from this process's cache of generated parks or freshly generated."""
        packed, made = self._park(p)
        if made is not None:
            return made
        needs = [n for _r, blob in packed.needs for n in unpack(blob)]
        return unpack(packed.offers), sorted(needs, key=lambda n: n.id), unpack(packed.licences)

    def load(self, region: Region) -> RegionData:
        """The offers in the region's core, the needs whose own reach meets it, their licences (generating only
        the parks that meet the halo box)."""
        # Parks are not held beyond the compressed cache: a region's halo box meets some 800 parks at
        # 1M × 1M, and only their needs that may reach the core (and the core's offers) are kept.
        offers: list[OfferRecord] = []
        needs: list[NeedRecord] = []
        licences: list[LicenceRecord] = []
        for p in self.parks_meeting(*region.halo_box()):  # the core box lies inside: one pass, in plan order
            packed, made = self._park(p)
            if p.offers and p.meets(region.south, region.north, region.west, region.east):
                recs = made[0] if made is not None else unpack(packed.offers)
                inside = np.asarray(region.contains(*_latlon(recs)), dtype=bool)
                offers.extend(r for r, keep in zip(recs, inside) if keep)
            if made is not None:
                candidates = made[1]
            else:  # only the reach classes that may get from this park to the core, back in park order
                candidates = sorted((n for r, blob in packed.needs
                                     if p.meets(*replace(region, halo_km=r).halo_box()) for n in unpack(blob)),
                                    key=lambda n: n.id)
            kept = needs_reaching(region, candidates, self.settings)
            if not kept:
                continue
            needs.extend(kept)
            holders = {r.site.enterprise for r in kept}
            lics = made[2] if made is not None else unpack(packed.licences)
            licences.extend(lic for lic in lics if lic.enterprise in holders)
        return RegionData(offers=offers, needs=needs, licences=licences, approvals=[])

    def records(self) -> tuple[list[OfferRecord], list[NeedRecord], list[LicenceRecord]]:
        """The whole instance in this process (small instances: tests, the single-process comparison)."""
        offers: list[OfferRecord] = []
        needs: list[NeedRecord] = []
        licences: list[LicenceRecord] = []
        for p in self.parks:
            o, n, lic = generate_national_park(p, self.seed)
            offers += o
            needs += n
            licences += lic
        return offers, needs, licences


def _park_file(p: ParkPlan) -> str:
    return f"park-{p.index:06d}.bin"


def _store_key(source: NationalSource) -> dict:
    # A store answers for one instance of one generator: its code is part of the key
    code = hashlib.sha1()
    for name in ("generate.py", "national.py"):
        code.update((Path(__file__).parent / name).read_bytes())
    return {"offers": source.offers, "needs": source.needs, "seed": source.seed, "parks": len(source.parks),
            "generator": code.hexdigest()[:16], "settings": repr(source.settings)}


def _write_park(args: tuple[NationalSource, ParkPlan, str]) -> int:
    source, p, directory = args
    blob = pickle.dumps(_PackedPark.of(generate_national_park(p, source.seed), source.settings),
                        protocol=pickle.HIGHEST_PROTOCOL)
    tmp = Path(directory) / (_park_file(p) + ".tmp")
    tmp.write_bytes(blob)
    os.replace(tmp, Path(directory) / _park_file(p))
    return len(blob)


def write_store(source: NationalSource, directory: str | Path, *, processes: int = 1,
                progress: Callable[[int, int], None] | None = None) -> dict:
    """Generate every park of ``source`` once into ``directory`` (one packed file per park); reuse a complete one.

    Parks are generated and written one at a time per process (never the whole instance in memory).
    Returns what the store holds: its key, parks, bytes and whether it was reused.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key = _store_key(source)
    manifest = directory / "store.json"
    kept = json.loads(manifest.read_text()) if manifest.exists() else None
    if kept is not None and kept["key"] == key:
        return {**kept, "reused": True}
    manifest.unlink(missing_ok=True)
    jobs = [(source, p, str(directory)) for p in source.parks]
    total = 0
    with ProcessPoolExecutor(max_workers=max(1, processes)) as pool:
        for done, size in enumerate(pool.map(_write_park, jobs, chunksize=8), 1):
            total += size
            if progress and (done % 100 == 0 or done == len(jobs)):
                progress(done, len(jobs))
    doc = {"key": key, "parks": len(jobs), "bytes": total}
    manifest.write_text(json.dumps(doc))  # last: a store without it is incomplete and written again
    return {**doc, "reused": False}


def national_records(offers: int, needs: int, seed: int = 0) -> tuple[list[OfferRecord], list[NeedRecord],
                                                                       list[LicenceRecord]]:
    """A whole national instance as lists of records (what ``NationalSource`` generates region by region)."""
    return NationalSource(offers, needs, seed).records()


if __name__ == "__main__":  # the plan at a glance: python -m benchmarks.national 1000000 1000000
    import sys
    from collections import Counter

    plan = plan_parks(int(sys.argv[1]) if len(sys.argv) > 1 else 100000,
                      int(sys.argv[2]) if len(sys.argv) > 2 else 100000)
    by = Counter()
    for pk in plan:
        by[pk.province] += pk.offers
    print(f"{len(plan)} parks; offers per park {min(p.offers for p in plan)}–{max(p.offers for p in plan)}")
    for name, n in by.most_common():
        print(f"  {name} {sum(1 for p in plan if p.province == name)} parks, {n} offers")
