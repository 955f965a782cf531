"""The engine's input: plain records of listings, licences and approvals, and their columnar form.

The marketplace (or a benchmark generator) builds ``OfferRecord``/``NeedRecord``/
``LicenceRecord``/``PointToPointApproval`` objects; ``Problem.build`` turns them once
into NumPy arrays and sparse matrices that every later stage (candidates, rules,
similarity, optimisation) works on by index. No Flask, no SQLAlchemy, no I/O.

Conventions:
* quantities are tonnes over the horizon (a year by default): the caller annualises;
* dates are day numbers (``date.toordinal()``); an open start is ``DAY_MIN``, an open
  end ``DAY_MAX``;
* substances are keyed by CAS number, or by ``"name:<lower-case name>"`` without one;
* an absent distance limit is ``inf``.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import sparse

from catalog.waste_codes import HW_CATEGORY_RE, is_hw_code

FORMS = ("solid", "powder", "liquid", "sludge", "paste", "gas")
PURPOSES = ("reuse", "recycle", "co_process", "recover_energy", "dispose")
ACTIVITIES = ("collect", "store", "utilise", "dispose")
# The HW business licence (comprehensive, collection-only), then the receivers' licences of two other streams:
# 城市建筑垃圾处置核准 (建设部令第139号) and the licence for commercial household-waste services (建设部令第157号).
LICENCE_KINDS = ("hw_comprehensive", "hw_collection", "construction_waste_disposal", "household_waste_service")
HW_LICENCE_KINDS = ("hw_comprehensive", "hw_collection")
DAY_MIN = dt.date(1900, 1, 1).toordinal()
DAY_MAX = dt.date(2999, 12, 31).toordinal()
EARTH_RADIUS_KM = 6371.0088


def substance_key(cas: str | None, name: str | None) -> str:
    """The key of a substance: its CAS number, else its lower-cased name."""
    if cas:
        return cas
    if name:
        return "name:" + " ".join(name.lower().split())
    raise ValueError("a substance needs a CAS number or a name")


def day(value: dt.date | None, default: int) -> int:
    """A date as a day number, or ``default`` for an open end."""
    return value.toordinal() if value is not None else default


@dataclass(frozen=True, slots=True)
class Site:
    """Where an enterprise is."""

    enterprise: str  # enterprise ref
    lat: float
    lon: float
    province: str | None = None
    park: str | None = None
    park_hw_max_km: float | None = None  # the park's cap on HW haulage, if set
    industry: str | None = None  # GB/T 4754 class, e.g. "3011" cement


@dataclass(frozen=True, slots=True)
class OfferRecord:
    """A surplus to be taken (供给)."""

    ref: str
    site: Site
    quantity_t: float  # over the horizon
    form: str
    waste_code: str | None = None  # HW code, None for general waste or a non-waste chemical
    composition: dict[str, float] = field(default_factory=dict)  # substance key -> mass fraction
    names: dict[str, str] = field(default_factory=dict)  # substance key -> display name
    title: str = ""
    title_zh: str = ""
    description: str = ""
    available_from: dt.date | None = None
    available_to: dt.date | None = None
    price_cny_per_t: float | None = None  # what the holder asks; negative: holder pays
    current_route: str | None = None
    id: int | None = None  # the caller's id, carried through
    # The holder declares every component (fractions may still sum below 1: the rest is inert matter it
    # names nowhere). Only then does an undeclared substance count as absent (0) in a need's limits.
    composition_complete: bool = False
    # The zero-waste city's stream (catalog.waste_streams) and the category of a waste without an HW code
    # (SWnn, CWnn, HHnn, AGnn): what rule ``stream_permit`` asks of the receiver.
    stream: str = "industrial"
    category: str | None = None


@dataclass(frozen=True, slots=True)
class NeedRecord:
    """A material an enterprise can take in (需求)."""

    ref: str
    site: Site
    quantity_t: float
    forms: frozenset[str]
    purpose: str
    composition: dict[str, float] = field(default_factory=dict)  # target profile
    wanted: dict[str, float] = field(default_factory=dict)  # substance key -> min fraction (hard)
    limits: dict[str, float] = field(default_factory=dict)  # substance key -> max fraction (hard)
    names: dict[str, str] = field(default_factory=dict)
    waste_code: str | None = None  # a need may name the one code it accepts
    max_distance_km: float | None = None
    title: str = ""
    title_zh: str = ""
    description: str = ""
    available_from: dt.date | None = None
    available_to: dt.date | None = None
    price_cny_per_t: float | None = None  # what the taker pays; negative: gate fee
    id: int | None = None
    stream: str = "industrial"  # what the need takes in (catalog.waste_streams)
    category: str | None = None


@dataclass(frozen=True, slots=True)
class LicenceRecord:
    """A receiver's licence as the engine sees it: scope, activities, validity, capacity left.

    The 危险废物经营许可证 (``hw_*`` kinds) has HW ``categories`` and ``codes``; a licence of the
    construction or household stream has none of those (it never covers HW) and may be limited to
    ``stream_categories`` of its stream (none: the whole stream).
    """

    number: str
    enterprise: str
    kind: str  # one of LICENCE_KINDS
    categories: frozenset[str]
    codes: frozenset[str]
    activities: frozenset[str]
    valid_from: dt.date
    valid_to: dt.date | None
    remaining_t: float  # annual capacity minus what is already approved this year
    stream_categories: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PointToPointApproval:
    """点对点定向利用: a coordinator-approved exemption for one producer's HW to one named user."""

    number: str
    producer: str  # enterprise ref
    receiver: str  # enterprise ref
    waste_code: str
    valid_from: dt.date
    valid_to: dt.date | None


@dataclass(frozen=True, slots=True)
class Settings:
    """Parameters of one matching run."""

    today: dt.date = field(default_factory=dt.date.today)
    road_factor: float = 1.3  # great-circle km × this = road km
    default_max_distance_km: float = 300.0  # search radius for needs that state no limit
    top_k: int = 20  # candidate needs kept per offer (and offers per need)
    min_similarity: float = 0.0
    # optimisation
    exact: bool = False  # CP-SAT with side constraints instead of min-cost flow
    time_limit_s: float = 30.0
    min_lot_t: float = 0.0  # exact mode: a link carries nothing or at least this much
    max_suppliers_per_need: int | None = None  # exact mode: at most k offers per need
    fixed_cost_per_link: int = 0  # exact mode: objective units charged once per used link
    # loops worth closing (matching.loops): candidate loops of 2..loop_max_length enterprises, the
    # loop_opportunities with the most tonnes evaluated (0: none); loop_bonus_cny > 0 favours loops
    # (flow mode only): each closed loop is worth that many CNY on top of Σ weight × tonnes. 0 = off.
    loop_bonus_cny: float = 0.0
    loop_max_length: int = 4
    # Each opportunity costs a re-solve of the components it touches (~0.06 s at 10k × 10k): five keep the park
    # run within 10 % of its time before loops were priced.
    loop_opportunities: int = 5


class Problem:
    """Columnar view of offers, needs and licences; built once per run, then read by index."""

    def __init__(self, offers: Sequence[OfferRecord], needs: Sequence[NeedRecord],
                 licences: Sequence[LicenceRecord] = (), approvals: Sequence[PointToPointApproval] = (),
                 settings: Settings | None = None) -> None:
        self.offers = list(offers)
        self.needs = list(needs)
        # A licence of the construction or household stream never covers HW, whatever scope it was given.
        self.licences = [x if x.kind in HW_LICENCE_KINDS or not (x.categories or x.codes)
                         else replace(x, categories=frozenset(), codes=frozenset()) for x in licences]
        self.approvals = list(approvals)
        self.settings = settings or Settings()
        self.today = self.settings.today.toordinal()

        enterprises = sorted({o.site.enterprise for o in self.offers} | {n.site.enterprise for n in self.needs}
                             | {lic.enterprise for lic in self.licences})
        self.enterprise_index = {ref: i for i, ref in enumerate(enterprises)}
        provinces = sorted({s.site.province or "" for s in (*self.offers, *self.needs)})
        self.province_index = {p: i for i, p in enumerate(provinces)}

        self.o = _Side(self.offers, self, is_offer=True)
        self.n = _Side(self.needs, self, is_offer=False)
        self.substances = sorted({k for s in (*self.offers, *self.needs)
                                  for k in (*s.composition, *getattr(s, "wanted", {}), *getattr(s, "limits", {}))})
        self.substance_index = {k: i for i, k in enumerate(self.substances)}
        self.o.composition = self._matrix([o.composition for o in self.offers])
        self.n.composition = self._matrix([n.composition for n in self.needs])
        self.n.wanted = self._matrix([n.wanted for n in self.needs])
        self.n.limits = self._matrix([n.limits for n in self.needs])
        self._build_licences()

    def _matrix(self, rows: list[dict[str, float]]) -> sparse.csr_matrix:
        indptr, indices, data = [0], [], []
        for row in rows:
            for key, value in row.items():
                indices.append(self.substance_index[key])
                data.append(float(value))
            indptr.append(len(indices))
        return sparse.csr_matrix((np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64),
                                  np.asarray(indptr, dtype=np.int64)),
                                 shape=(len(rows), len(self.substances)))

    def _build_licences(self) -> None:
        lic = self.licences
        self.lic_enterprise = np.array([self.enterprise_index[x.enterprise] for x in lic], dtype=np.int64)
        self.lic_collection = np.array([x.kind == "hw_collection" for x in lic], dtype=bool)
        self.lic_categories = np.array([_category_bits(x.categories) for x in lic], dtype=np.uint64)
        self.lic_activities = np.array([_bits(x.activities, ACTIVITIES) for x in lic], dtype=np.uint8)
        self.lic_valid_from = np.array([day(x.valid_from, DAY_MIN) for x in lic], dtype=np.int64)
        self.lic_valid_to = np.array([day(x.valid_to, DAY_MAX) for x in lic], dtype=np.int64)
        self.lic_remaining = np.array([max(0.0, x.remaining_t) for x in lic], dtype=np.float64)
        self.lic_codes = [x.codes for x in lic]
        by_enterprise: dict[int, list[int]] = {}
        for i, e in enumerate(self.lic_enterprise.tolist()):
            by_enterprise.setdefault(e, []).append(i)
        self.licences_of_enterprise = by_enterprise

    def differs_only_in_quantities(self, other: Problem) -> bool:
        """Whether ``other`` holds the same listings, licences, approvals and settings as this problem, in the
        same order, with at most the tonnes changed (offers' and needs' ``quantity_t``, licences'
        ``remaining_t``): what an accepted or cancelled match changes. Nothing but the rules' quantity checks
        and the allocation reads those, so a similarity model and candidate index stay valid."""
        if (self.settings != other.settings or self.approvals != other.approvals
                or len(self.offers) != len(other.offers) or len(self.needs) != len(other.needs)
                or len(self.licences) != len(other.licences)):
            return False
        for mine, theirs, quantity in ((self.offers, other.offers, "quantity_t"), (self.needs, other.needs, "quantity_t"),
                                       (self.licences, other.licences, "remaining_t")):
            names = [f for f in mine[0].__slots__ if f != quantity] if mine else []
            for a, b in zip(mine, theirs, strict=True):
                if type(a) is not type(b) or any(getattr(a, f) != getattr(b, f) for f in names):
                    return False
        return True

    def distance_km(self, oi: np.ndarray, ni: np.ndarray) -> np.ndarray:
        """Road distance for arcs (offer index, need index): haversine × road factor."""
        return haversine_km(self.o.lat_rad[oi], self.o.lon_rad[oi], self.n.lat_rad[ni], self.n.lon_rad[ni]) \
            * self.settings.road_factor


class _Side:
    """Arrays of one side (offers or needs), aligned with the record list."""

    composition: sparse.csr_matrix
    wanted: sparse.csr_matrix
    limits: sparse.csr_matrix

    def __init__(self, records: Sequence[OfferRecord] | Sequence[NeedRecord], problem: Problem, *,
                 is_offer: bool) -> None:
        self.size = len(records)
        self.refs = [r.ref for r in records]
        self.ref_index = {ref: i for i, ref in enumerate(self.refs)}
        self.enterprise = np.array([problem.enterprise_index[r.site.enterprise] for r in records], dtype=np.int64)
        self.lat_rad = np.radians(np.array([r.site.lat for r in records], dtype=np.float64))
        self.lon_rad = np.radians(np.array([r.site.lon for r in records], dtype=np.float64))
        self.province = np.array([problem.province_index[r.site.province or ""] for r in records], dtype=np.int64)
        self.park_hw_max_km = np.array([r.site.park_hw_max_km or math.inf for r in records], dtype=np.float64)
        self.quantity = np.array([r.quantity_t for r in records], dtype=np.float64)
        self.available_from = np.array([day(r.available_from, DAY_MIN) for r in records], dtype=np.int64)
        self.available_to = np.array([day(r.available_to, DAY_MAX) for r in records], dtype=np.int64)
        self.price = np.array([r.price_cny_per_t if r.price_cny_per_t is not None else np.nan for r in records],
                              dtype=np.float64)
        self.waste_code = [r.waste_code for r in records]
        self.is_hw = np.array([bool(r.waste_code) for r in records], dtype=bool)
        # category number 1..50 of the HW code, 0 when none
        self.category = np.array([int(r.waste_code[-2:]) if r.waste_code and is_hw_code(r.waste_code) else 0
                                  for r in records], dtype=np.int64)
        if is_offer:
            self.form = np.array([FORMS.index(r.form) for r in records], dtype=np.int64)  # type: ignore[union-attr]
        else:
            self.forms = np.array([_bits(r.forms, FORMS) for r in records], dtype=np.uint8)  # type: ignore[union-attr]
            self.purpose = np.array([PURPOSES.index(r.purpose) for r in records], dtype=np.int64)  # type: ignore[union-attr]
            self.max_distance_km = np.array([r.max_distance_km if r.max_distance_km else math.inf
                                             for r in records], dtype=np.float64)  # type: ignore[union-attr]


def _bits(values: frozenset[str] | set[str], vocabulary: tuple[str, ...]) -> int:
    out = 0
    for v in values:
        out |= 1 << vocabulary.index(v)
    return out


def _category_bits(categories: frozenset[str]) -> int:
    """HW01..HW50 as bits 1..50 of an unsigned 64-bit mask (anything else is no HW category: no bit)."""
    out = 0
    for c in categories:
        if HW_CATEGORY_RE.match(c):
            out |= 1 << int(c[2:])
    return out


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in km between points given in radians (vectorised)."""
    dlat = lat2 - lat1
    dlon = lon2 - lon1
    a = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
