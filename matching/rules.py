"""The regulatory and safety checks of DESIGN ("Regulatory and safety rules"), on every arc.

Thirteen checks with stable codes, in DESIGN order. ``evaluate_rules`` runs them
vectorised over all candidate arcs of a :class:`~matching.problem.Problem` (millions of
arcs: no Python loop per arc) and fills ``arcs.checks`` plus the licence/exemption
columns the optimiser needs; ``explain`` recomputes the checks of one arc the slow,
readable way and says why each passed or failed (the tests hold both to agreement).

Hard checks remove an arc; soft checks (``exemption``, ``cross_province_transfer``)
keep it and flag it for the coordinator. When the data leave a legal question open,
the arc is blocked and the detail says why: a hard check is never traded.

Decisions that the regulations leave to us are documented where they are made:
collection-only licences (``_collectable_offers``), point-to-point approvals
(``APPROVAL_PURPOSES``), the licence pool of a need (``_choose_pools``), unknown
provinces (``cross_province_transfer``). Pure: NumPy/SciPy only.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from catalog.control_lists import controlled_by_cas, destruction_required_for_composition
from catalog.reactivity import CAS_GROUPS, INCOMPATIBLE_PAIRS, describe_groups, groups_of
from catalog.reactivity import incompatible as _groups_incompatible
from catalog.waste_codes import is_hw_code

from .arcs import Arcs
from .exemptions import EXEMPTION_RULES, LIFTING_RULES, offer_qualifies, receiver_qualifies, rules_naming
from .problem import ACTIVITIES, DAY_MAX, DAY_MIN, FORMS, PURPOSES, Problem

__all__ = [
    "RuleSpec", "RULES", "HARD_CODES", "SOFT_CODES", "Check", "evaluate_rules", "explain",
    "reactivity_groups", "incompatible", "conflicting_offer_pairs", "failed_hard",
    "COLLECTION_CODES", "APPROVAL_PURPOSES",
]


@dataclass(frozen=True)
class RuleSpec:
    """One check of DESIGN: stable code, hard (removes the arc) or soft (flags it), names."""

    code: str
    hard: bool
    name_zh: str
    name_en: str
    description: str


RULES: tuple[RuleSpec, ...] = (
    RuleSpec("hw_licence", True, "危险废物经营许可证", "HW business licence",
             "An HW offer goes only to a receiver holding a valid licence whose categories or codes cover it and "
             "whose activities fit the need's purpose (utilise for reuse/recycle/co-process/energy, dispose for "
             "dispose), unless an exemption or a point-to-point approval lifts the requirement."),
    RuleSpec("licence_capacity", True, "许可经营规模", "Licence capacity",
             "The licence an arc draws on has capacity left this year; each need draws on one licence, whose "
             "remaining capacity the optimiser shares among its suppliers."),
    RuleSpec("exemption", False, "豁免管理", "Exemption",
             "Flags arcs where an exemption-list entry or a point-to-point approval lifted the licence "
             "requirement: its conditions must be verified by the coordinator."),
    RuleSpec("pops_destruction_only", True, "持久性有机污染物仅限销毁", "POPs: destruction only",
             "Offers holding a POP or key new pollutant at or above its limit go only to licensed disposal."),
    RuleSpec("medical_waste", True, "医疗废物", "Medical waste",
             "HW01 goes only to disposal under a valid licence covering HW01 with the dispose activity."),
    RuleSpec("contaminant_limit", True, "杂质限值", "Contaminant limits",
             "Every substance the need limits is at or below its maximum fraction in the offer."),
    RuleSpec("required_component", True, "必需组分", "Required components",
             "Every substance the need wants is declared in the offer at or above its minimum fraction."),
    RuleSpec("form", True, "物理形态", "Physical form", "The offer's form is one the need accepts."),
    RuleSpec("distance", True, "运输距离", "Distance",
             "Road distance within the need's limit, and for HW within the parks' HW haulage caps."),
    RuleSpec("cross_province_transfer", False, "跨省转移", "Inter-provincial transfer",
             "An HW transfer between provinces needs provincial approval (flag)."),
    RuleSpec("availability", True, "供需时间", "Availability", "Offer and need periods overlap."),
    RuleSpec("self_match", True, "同一企业", "Self match", "No enterprise is matched with itself."),
    RuleSpec("incompatible_mix", True, "禁忌混合", "Incompatible mix",
             "Wastes of incompatible reactivity groups are not allocated to the same need; a set constraint "
             "enforced by the optimiser in exact mode with conflicting_offer_pairs."),
)
HARD_CODES: tuple[str, ...] = tuple(r.code for r in RULES if r.hard)
SOFT_CODES: tuple[str, ...] = tuple(r.code for r in RULES if not r.hard)
_SPEC = {r.code: r for r in RULES}


@dataclass(frozen=True)
class Check:
    """The outcome of one check on one arc, with a human-readable detail."""

    code: str
    passed: bool
    hard: bool
    detail: str


# --- vocabulary ---------------------------------------------------------------------

_DISPOSE = PURPOSES.index("dispose")
_COLLECT_BIT = 1 << ACTIVITIES.index("collect")
_UTILISE_BIT = 1 << ACTIVITIES.index("utilise")
_DISPOSE_BIT = 1 << ACTIVITIES.index("dispose")

# 危险废物经营许可证管理办法 第三条: a collection licence covers only 机动车维修活动中产生的
# 废矿物油 and 居民日常生活中产生的废镉镍电池. In the 2021 list these are 900-214-08
# (车辆…维修过程中产生的废发动机油…等废润滑油) and 900-044-49 (废弃的镉镍电池、荧光粉和阴极
# 射线管 — the only code naming Cd-Ni batteries; it also covers phosphors and CRTs, so
# the offer must say it is batteries).
VEHICLE_OIL_CODE = "900-214-08"
CD_NI_BATTERY_CODE = "900-044-49"
COLLECTION_CODES: tuple[str, ...] = (VEHICLE_OIL_CODE, CD_NI_BATTERY_CODE)
VEHICLE_REPAIR_INDUSTRY = "811"  # GB/T 4754-2017 811 汽车、摩托车等修理与维护 (8111 汽车修理与维护)
# "Household" origin as the data can show it: the offer comes from the municipal
# household-waste system (7820 环境卫生管理, which runs 生活垃圾分类收集) or from resident
# services (division 80 居民服务业).
HOUSEHOLD_INDUSTRIES: tuple[str, ...] = ("7820", "80")
BATTERY_KEYWORDS: tuple[str, ...] = ("镉镍", "镍镉", "ni-cd", "nicd", "ni/cd", "nickel-cadmium",
                                     "nickel cadmium", "cadmium-nickel")
# Exemption no. 32 (点对点定向利用): "作为另外一家单位环境治理或工业原料生产的替代原料进行使用"
# — utilisation as a substitute raw material. Disposal is not utilisation, and burning
# for energy is not use as a raw material, so an approval lifts only these purposes.
APPROVAL_PURPOSES: tuple[str, ...] = ("reuse", "recycle", "co_process")
_APPROVAL_PURPOSE_IDX = np.array([PURPOSES.index(p) for p in APPROVAL_PURPOSES], dtype=np.int64)


# --- per-problem features, computed once and cached on the problem -----------------------

@dataclass
class _Features:
    codes: list[str]  # distinct waste codes of offers
    offer_code: np.ndarray  # int64 index into codes, -1 none
    offer_groups: np.ndarray  # int64 reactivity mask
    offer_pop: np.ndarray  # bool: destruction required
    offer_collectable: np.ndarray  # bool: within a collection licence's statutory scope
    offer_exempt_mask: np.ndarray  # int64 bits of LIFTING rules whose offer side holds
    need_exempt_mask: np.ndarray  # int64 bits of LIFTING rules whose receiver side holds
    lic_order: np.ndarray  # indices of the licences valid today, sorted by enterprise
    ent_lic_start: np.ndarray  # per enterprise: first position in lic_order
    ent_lic_count: np.ndarray  # per enterprise: number of licences valid today
    lic_activities: np.ndarray  # int64 activity bits per licence
    lic_has_codes: np.ndarray  # bool per licence: lists codes that some offer has
    lic_code_keys: np.ndarray  # sorted licence * n_codes + code
    ent_dispose_licence: np.ndarray  # bool per enterprise: valid comprehensive licence with dispose
    appr_keys: np.ndarray  # sorted (producer * E + receiver) * n_codes + code of approvals valid today
    appr_index: np.ndarray  # approval index for each key
    comp_keys: np.ndarray  # sorted offer * n_substances + substance
    comp_vals: np.ndarray


_CACHE_ATTR = "_wastematch_rule_features"


def _features(problem: Problem) -> _Features:
    # Cached on the problem object: a Problem is built once per run and never mutated.
    cached = problem.__dict__.get(_CACHE_ATTR)
    if cached is None:
        cached = _build_features(problem)
        problem.__dict__[_CACHE_ATTR] = cached
    return cached


def _offer_text(offer) -> str:
    return " ".join((offer.title or "", offer.title_zh or "", offer.description or "")).casefold()


def _is_collectable(offer) -> bool:
    """Within the statutory scope of a collection-only licence (see ``COLLECTION_CODES``)."""
    industry = offer.site.industry or ""
    if offer.waste_code == VEHICLE_OIL_CODE:
        return industry.startswith(VEHICLE_REPAIR_INDUSTRY)
    if offer.waste_code == CD_NI_BATTERY_CODE:
        text = _offer_text(offer)
        return industry.startswith(HOUSEHOLD_INDUSTRIES) and any(k in text for k in BATTERY_KEYWORDS)
    return False


def _pop_hits(offer) -> list:
    comps = [(k, v) for k, v in offer.composition.items() if not k.startswith("name:")]
    return destruction_required_for_composition(comps) if comps else []


def _is_destruction_relevant(key: str) -> bool:
    if key.startswith("name:"):
        return False
    return any(s.destruction_only and s.threshold_fraction is not None for s in controlled_by_cas(key))


def _build_features(problem: Problem) -> _Features:
    offers, needs = problem.offers, problem.needs
    n_off = len(offers)
    n_sub = len(problem.substances)
    n_ent = len(problem.enterprise_index)
    today = problem.today

    codes = sorted({o.waste_code for o in offers if o.waste_code})
    code_index = {c: i for i, c in enumerate(codes)}
    offer_code = np.array([code_index.get(o.waste_code, -1) if o.waste_code else -1 for o in offers],
                          dtype=np.int64)

    # offer composition as sorted keys, for lookups by (offer, substance)
    comp = problem.o.composition
    indptr = np.asarray(comp.indptr, dtype=np.int64)
    rows = np.repeat(np.arange(n_off, dtype=np.int64), np.diff(indptr))
    keys = rows * n_sub + np.asarray(comp.indices, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    comp_keys, comp_vals = keys[order], np.asarray(comp.data, dtype=np.float64)[order]

    # reactivity groups: code/category per distinct code, components per substance column
    code_groups = np.array([groups_of(c) for c in codes] + [0], dtype=np.int64)  # [-1] → 0
    groups = code_groups[offer_code].copy()
    sub_groups = np.array([CAS_GROUPS.get(k, 0) for k in problem.substances], dtype=np.int64)
    data = np.asarray(comp.data, dtype=np.float64)
    cols = np.asarray(comp.indices, dtype=np.int64)
    hit = (data > 0) & (sub_groups[cols] != 0)
    np.bitwise_or.at(groups, rows[hit], sub_groups[cols[hit]])

    # POPs: only offers that declare a destruction-relevant substance need the full test
    relevant = np.array([_is_destruction_relevant(k) for k in problem.substances], dtype=bool)
    offer_pop = np.zeros(n_off, dtype=bool)
    if relevant.any():
        for i in np.unique(rows[relevant[cols]]).tolist():
            offer_pop[i] = bool(_pop_hits(offers[i]))

    offer_collectable = np.array([bool(o.waste_code in COLLECTION_CODES and _is_collectable(o)) for o in offers],
                                 dtype=bool)

    # exemption list, offer side: only offers whose code some lifting rule names
    offer_exempt = np.zeros(n_off, dtype=np.int64)
    naming = {c: [i for i in rules_naming(c) if i in LIFTING_RULES] for c in codes}
    for i, o in enumerate(offers):
        candidates = naming.get(o.waste_code) if o.waste_code else None
        if not candidates:
            continue
        text, mask = _offer_text(o), 0
        for r in candidates:
            if offer_qualifies(EXEMPTION_RULES[r], o.waste_code, o.form, o.composition, text, int(groups[i]))[0]:
                mask |= 1 << r
        offer_exempt[i] = mask
    # receiver side, per distinct (purpose, industry)
    memo: dict[tuple[str, str | None], int] = {}
    need_exempt = np.zeros(len(needs), dtype=np.int64)
    for j, nd in enumerate(needs):
        key = (nd.purpose, nd.site.industry)
        mask = memo.get(key)
        if mask is None:
            mask = 0
            for r in LIFTING_RULES:
                if receiver_qualifies(EXEMPTION_RULES[r], nd.purpose, nd.site.industry)[0]:
                    mask |= 1 << r
            memo[key] = mask
        need_exempt[j] = mask

    # licences valid today, grouped by enterprise: every licence rule needs validity first,
    # so expired or future licences never enter the per-arc work
    lic_ent = problem.lic_enterprise
    valid = (problem.lic_valid_from <= today) & (today <= problem.lic_valid_to)
    valid_idx = np.flatnonzero(valid).astype(np.int64)
    lic_order = valid_idx[np.argsort(lic_ent[valid_idx], kind="stable")]
    ent_lic_count = np.bincount(lic_ent[valid_idx], minlength=n_ent).astype(np.int64)[:n_ent]
    ent_lic_start = (np.cumsum(ent_lic_count) - ent_lic_count).astype(np.int64)
    n_codes = max(len(codes), 1)
    lic_code_keys = np.array(sorted(l * n_codes + code_index[c] for l, cs in enumerate(problem.lic_codes)
                                    for c in cs if c in code_index), dtype=np.int64)
    lic_has_codes = np.zeros(len(problem.licences), dtype=bool)
    lic_has_codes[lic_code_keys // n_codes] = True
    disposer = valid & ~problem.lic_collection & ((problem.lic_activities & _DISPOSE_BIT) != 0)
    ent_dispose = np.zeros(n_ent, dtype=bool)
    ent_dispose[lic_ent[disposer]] = True

    # point-to-point approvals valid today, keyed by (producer, receiver, code)
    akeys, aidx = [], []
    for a, ap in enumerate(problem.approvals):
        start = ap.valid_from.toordinal() if ap.valid_from else DAY_MIN
        end = ap.valid_to.toordinal() if ap.valid_to else DAY_MAX
        if not (start <= today <= end):
            continue
        p, r, c = (problem.enterprise_index.get(ap.producer), problem.enterprise_index.get(ap.receiver),
                   code_index.get(ap.waste_code))
        if p is None or r is None or c is None:
            continue  # concerns no offer or enterprise of this problem
        akeys.append((p * n_ent + r) * n_codes + c)
        aidx.append(a)
    akeys_arr, aidx_arr = np.array(akeys, dtype=np.int64), np.array(aidx, dtype=np.int64)
    order = np.argsort(akeys_arr, kind="stable")  # stable: the first approval wins among duplicates

    return _Features(codes=codes, offer_code=offer_code, offer_groups=groups, offer_pop=offer_pop,
                     offer_collectable=offer_collectable, offer_exempt_mask=offer_exempt,
                     need_exempt_mask=need_exempt, lic_order=lic_order, ent_lic_start=ent_lic_start,
                     ent_lic_count=ent_lic_count, lic_activities=problem.lic_activities.astype(np.int64),
                     lic_has_codes=lic_has_codes, lic_code_keys=lic_code_keys, ent_dispose_licence=ent_dispose,
                     appr_keys=akeys_arr[order], appr_index=aidx_arr[order], comp_keys=comp_keys,
                     comp_vals=comp_vals)


# --- vectorised helpers --------------------------------------------------------------------

def _member(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(found, position) of ``keys`` in ``sorted_keys``."""
    if sorted_keys.size == 0:
        return np.zeros(keys.shape, dtype=bool), np.zeros(keys.shape, dtype=np.int64)
    pos = np.searchsorted(sorted_keys, keys)
    pos_c = np.minimum(pos, sorted_keys.size - 1)
    return sorted_keys[pos_c] == keys, pos_c


def _expand(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For item i with ``counts[i]`` entries from ``starts[i]``: (item of each entry, entry position)."""
    counts = counts.astype(np.int64, copy=False)
    item = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    first = np.cumsum(counts) - counts
    pos = np.repeat(starts.astype(np.int64, copy=False) - first, counts) + np.arange(item.size, dtype=np.int64)
    return item, pos


def _csr_entries(csr, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stored entries (explicit zeros included) of ``csr`` rows ``rows``: (arc, column, value)."""
    indptr = np.asarray(csr.indptr, dtype=np.int64)
    arc, pos = _expand(indptr[rows], indptr[rows + 1] - indptr[rows])
    return arc, np.asarray(csr.indices, dtype=np.int64)[pos], np.asarray(csr.data, dtype=np.float64)[pos]


def _offer_fraction(problem: Problem, f: _Features, offers: np.ndarray, cols: np.ndarray):
    """(declared, fraction) of substance ``cols`` in ``offers``; undeclared → (False, 0)."""
    found, pos = _member(f.comp_keys, offers * len(problem.substances) + cols)
    values = np.where(found, f.comp_vals[pos] if f.comp_vals.size else 0.0, 0.0)
    return found, values


def _all_per_arc(n_arcs: int, arc: np.ndarray, ok: np.ndarray) -> np.ndarray:
    out = np.ones(n_arcs, dtype=bool)
    out[arc[~ok]] = False
    return out


def _lowest_bit(mask: np.ndarray) -> np.ndarray:
    """Index of the lowest set bit of each positive int64, -1 for 0."""
    out = np.full(mask.shape, -1, dtype=np.int64)
    nz = mask > 0
    low = mask[nz] & -mask[nz]
    out[nz] = np.round(np.log2(low.astype(np.float64))).astype(np.int64)
    return out


# --- evaluate ------------------------------------------------------------------------------

def evaluate_rules(problem: Problem, arcs: Arcs) -> None:
    """Run the 13 checks on every arc, vectorised; fill ``arcs.checks`` and the licence columns.

    Sets ``arcs.checks[code]`` (bool, True = passed) for every code of :data:`RULES`,
    ``arcs.licence`` (licence index the arc draws capacity from, -1 none: non-HW,
    exempted, or no covering licence; an arc that fails ``licence_capacity`` only because
    its need draws on another licence keeps the licence it would use), ``arcs.exemption``
    (index into ``EXEMPTION_RULES``, -2 point-to-point approval, -1 none) and
    ``arcs.approval`` (index into ``problem.approvals``, -1 none).
    """
    f = _features(problem)
    o = np.asarray(arcs.offer, dtype=np.int64)
    n = np.asarray(arcs.need, dtype=np.int64)
    d = np.asarray(arcs.distance_km, dtype=np.float64)
    N = o.size
    po, pn = problem.o, problem.n
    purpose = pn.purpose[n]
    dispose = purpose == _DISPOSE
    hw = po.is_hw[o]
    ne = pn.enterprise[n]
    checks: dict[str, np.ndarray] = {}

    # per-arc checks that need no licence
    checks["form"] = ((pn.forms[n].astype(np.int64) >> po.form[o]) & 1).astype(bool)
    cap = np.minimum(po.park_hw_max_km[o], pn.park_hw_max_km[n])
    checks["distance"] = (d <= pn.max_distance_km[n]) & (~hw | (d <= cap))
    unknown = problem.province_index.get("", -1)
    prov_o, prov_n = po.province[o], pn.province[n]
    checks["cross_province_transfer"] = ~hw | ((prov_o == prov_n) & (prov_o != unknown))
    checks["availability"] = np.maximum(po.available_from[o], pn.available_from[n]) \
        <= np.minimum(po.available_to[o], pn.available_to[n])
    checks["self_match"] = po.enterprise[o] != ne
    checks["incompatible_mix"] = np.ones(N, dtype=bool)
    arc, col, limit = _csr_entries(pn.limits, n)
    _, value = _offer_fraction(problem, f, o[arc], col)
    checks["contaminant_limit"] = _all_per_arc(N, arc, value <= limit)
    arc, col, minimum = _csr_entries(pn.wanted, n)
    declared, value = _offer_fraction(problem, f, o[arc], col)
    checks["required_component"] = _all_per_arc(N, arc, declared & (value >= minimum))
    checks["pops_destruction_only"] = ~f.offer_pop[o] | (dispose & f.ent_dispose_licence[ne])

    # licence coverage: one entry per (HW arc, licence of the receiving enterprise valid today)
    counts = np.where(hw, f.ent_lic_count[ne], 0)
    pair_arc, pos = _expand(f.ent_lic_start[ne], counts)
    pl = f.lic_order[pos]
    pa_o = o[pair_arc]
    scope = ((problem.lic_categories[pl] >> po.category[pa_o].astype(np.uint64)) & np.uint64(1)).astype(bool)
    by_code = ~scope & f.lic_has_codes[pl]  # look codes up only where the category did not cover
    if by_code.any():
        code_o = f.offer_code[pa_o[by_code]]
        found, _ = _member(f.lic_code_keys, pl[by_code] * max(len(f.codes), 1) + code_o)
        scope[by_code] = found & (code_o >= 0)
    act = f.lic_activities[pl]
    coll = problem.lic_collection[pl]
    pa_dispose = dispose[pair_arc]
    comp_ok = np.where(pa_dispose, act & _DISPOSE_BIT, act & _UTILISE_BIT) != 0
    coll_ok = ~pa_dispose & ((act & _COLLECT_BIT) != 0) & f.offer_collectable[pa_o]
    cover = scope & np.where(coll, coll_ok, comp_ok)
    covered = np.zeros(N, dtype=bool)
    covered[pair_arc[cover]] = True
    # HW01: disposal under a comprehensive licence covering it (== cover for dispose needs)
    med_ok = np.zeros(N, dtype=bool)
    med_ok[pair_arc[scope & ~coll & ((act & _DISPOSE_BIT) != 0)]] = True
    checks["medical_waste"] = (po.category[o] != 1) | ~hw | (dispose & med_ok)

    # point-to-point approvals, then the exemption list, for HW arcs no licence covers
    open_ = hw & ~covered
    approval = np.full(N, -1, dtype=np.int64)
    if f.appr_keys.size:
        n_ent, n_codes = len(problem.enterprise_index), max(len(f.codes), 1)
        akey = (po.enterprise[o] * n_ent + ne) * n_codes + f.offer_code[o]
        found, apos = _member(f.appr_keys, akey)
        use = open_ & found & (f.offer_code[o] >= 0) & np.isin(purpose, _APPROVAL_PURPOSE_IDX)
        approval[use] = f.appr_index[apos[use]]
    approved = approval >= 0
    rule = _lowest_bit(f.offer_exempt_mask[o] & f.need_exempt_mask[n])
    exempted = open_ & ~approved & (rule >= 0)
    exemption = np.full(N, -1, dtype=np.int64)
    exemption[approved] = -2
    exemption[exempted] = rule[exempted]
    lifted = approved | exempted

    checks["hw_licence"] = ~hw | covered | lifted
    checks["exemption"] = ~lifted

    # licence pools
    viable = np.ones(N, dtype=bool)
    for code in _VIABILITY_CODES:
        viable &= checks[code]
    chosen_ok, licence = _choose_pools(problem, n, pair_arc[cover], pl[cover], viable)
    has_room = np.zeros(N, dtype=bool)
    has_room[chosen_ok] = problem.lic_remaining[licence[chosen_ok]] > 0
    checks["licence_capacity"] = ~hw | lifted | has_room

    # A need that draws on licence L takes all its intake through L's capacity, general
    # waste and exempted HW too: one intake at one licensed facility. Conservative (never
    # lets the licensed plant take more than its licence) and it keeps the allocation a
    # pure network flow, where a need split between "under L" and "outside L" would not be.
    need_pool = np.full(problem.n.size, -1, dtype=np.int64)
    need_pool[n[chosen_ok]] = licence[chosen_ok]
    joins = (~hw | lifted) & (need_pool[n] >= 0)
    licence = np.where(joins, need_pool[n], licence)

    arcs.licence = licence
    arcs.exemption = exemption
    arcs.approval = approval
    for spec in RULES:
        arcs.checks[spec.code] = checks[spec.code]


# The per-arc hard checks an arc must pass to count towards its need's licence pool.
_VIABILITY_CODES = ("pops_destruction_only", "medical_waste", "contaminant_limit", "required_component", "form",
                    "distance", "availability", "self_match")


def _choose_pools(problem: Problem, need: np.ndarray, c_arc: np.ndarray, c_lic: np.ndarray,
                  viable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One licence per need; (arc covered by its need's licence, licence of each arc).

    Among the licences covering some arc of a need, the need draws on the one with
    (1) capacity left, (2) most covered arcs that pass every other per-arc hard check,
    (3) most covered arcs, (4) most remaining capacity, (5) lowest index. With all arcs
    viable and capacity left this is "the licence shared by most arcs, ties → larger
    remaining capacity"; (1) and (2) keep a need from being tied to a licence whose
    arcs are infeasible anyway. An arc not covered by the chosen licence keeps, in
    ``licence``, its own best covering licence (most remaining, lowest index), -1 if none.
    """
    N = need.size
    L = max(len(problem.licences), 1)
    licence = np.full(N, -1, dtype=np.int64)
    chosen_ok = np.zeros(N, dtype=bool)
    if c_arc.size == 0:
        return chosen_ok, licence
    rem = problem.lic_remaining
    key = need[c_arc] * L + c_lic
    uniq, inverse, total = np.unique(key, return_inverse=True, return_counts=True)
    n_viable = np.bincount(inverse, weights=viable[c_arc].astype(np.float64), minlength=uniq.size)
    u_need, u_lic = uniq // L, uniq % L
    order = np.lexsort((u_lic, -rem[u_lic], -total, -n_viable, ~(rem[u_lic] > 0), u_need))
    first = order[np.r_[True, u_need[order][1:] != u_need[order][:-1]]]
    chosen = np.full(len(problem.needs), -1, dtype=np.int64)
    chosen[u_need[first]] = u_lic[first]
    hit = chosen[need[c_arc]] == c_lic
    chosen_ok[c_arc[hit]] = True
    licence[c_arc[hit]] = c_lic[hit]
    # arcs whose covering licences miss the need's pool: their own best licence
    miss = ~chosen_ok[c_arc]
    if miss.any():
        a, l_ = c_arc[miss], c_lic[miss]
        order = np.lexsort((l_, -rem[l_], a))
        first = order[np.r_[True, a[order][1:] != a[order][:-1]]]
        licence[a[first]] = l_[first]
    return chosen_ok, licence


# --- reactivity -------------------------------------------------------------------------------

def reactivity_groups(problem: Problem) -> np.ndarray:
    """Per offer, the bitmask of reactivity groups (:mod:`catalog.reactivity`), int64 (a copy)."""
    return _features(problem).offer_groups.copy()


def incompatible(groups_a: int, groups_b: int) -> bool:
    """True if two offers with these reactivity masks must not go to the same need."""
    return _groups_incompatible(int(groups_a), int(groups_b))


def conflicting_offer_pairs(problem: Problem, arcs: Arcs) -> list[tuple[int, int]]:
    """Offer index pairs ``(a, b)``, ``a < b``, that are incompatible and share a need among ``arcs``.

    Pass the arcs the optimiser may use (e.g. those passing the hard checks); every
    pair returned needs a constraint "not both to that need" in exact mode. Sorted.
    """
    g = _features(problem).offer_groups
    n_off = max(len(problem.offers), 1)
    o = np.asarray(arcs.offer, dtype=np.int64)
    n = np.asarray(arcs.need, dtype=np.int64)
    sel = g[o] != 0
    key = np.unique(n[sel] * n_off + o[sel])  # sorted by need, then offer
    nn, oo = key // n_off, key % n_off
    found: list[np.ndarray] = []
    for pair in INCOMPATIBLE_PAIRS:
        a = (g[oo] & pair.a) != 0
        b = (g[oo] & pair.b) != 0
        a_need, a_off, b_need, b_off = nn[a], oo[a], nn[b], oo[b]
        lo = np.searchsorted(b_need, a_need, side="left")
        hi = np.searchsorted(b_need, a_need, side="right")
        item, pos = _expand(lo, hi - lo)
        x, y = a_off[item], b_off[pos]
        keep = x != y
        found.append(np.minimum(x[keep], y[keep]) * n_off + np.maximum(x[keep], y[keep]))
    if not found:
        return []
    pairs = np.unique(np.concatenate(found))
    return [(int(p // n_off), int(p % n_off)) for p in pairs]


# --- explain (scalar, readable; the tests hold it to agreement with evaluate_rules) -------------

def _fmt_fraction(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 1e-3:
        return f"{x * 100:.4g}%"
    return f"{x * 1e6:.4g} mg/kg"


def _fmt_day(ordinal: int) -> str:
    if ordinal <= DAY_MIN or ordinal >= DAY_MAX:
        return "open"
    return dt.date.fromordinal(int(ordinal)).isoformat()


def _fmt_km(x: float) -> str:
    return "no limit" if math.isinf(x) else f"{x:.1f} km"


def _name(key: str, *records) -> str:
    for r in records:
        if key in r.names:
            return r.names[key]
    return key.removeprefix("name:")


def _licence_verdict(problem: Problem, l: int, offer, need, collectable: bool) -> tuple[bool, str, str]:
    """(covers, what it covers or why not, activity used) of licence ``l`` for an offer → need."""
    lic = problem.licences[l]
    start, end = lic.valid_from.toordinal(), (lic.valid_to.toordinal() if lic.valid_to else DAY_MAX)
    if not start <= problem.today <= end:
        when = f"expired {lic.valid_to}" if problem.today > end else f"valid only from {lic.valid_from}"
        return False, f"{lic.number} {when}", ""
    code = offer.waste_code
    cat = f"HW{code[-2:]}" if is_hw_code(code) else None
    by_cat = cat is not None and any(int(c[2:]) == int(cat[2:]) for c in lic.categories)
    by_code = code in lic.codes
    if not (by_cat or by_code):
        scope = ", ".join(sorted(lic.categories) + sorted(lic.codes)) or "nothing"
        return False, f"{lic.number} covers {scope}, not {code}", ""
    via = f"category {cat}" if by_cat else "listed code"
    if lic.kind == "hw_collection":
        if need.purpose == "dispose":
            return False, f"{lic.number} is a collection licence: no disposal", ""
        if "collect" not in lic.activities:
            return False, f"{lic.number} (collection) lacks the collect activity", ""
        if not collectable:
            return False, (f"{lic.number} is a collection licence: only {VEHICLE_OIL_CODE} from vehicle repair "
                           f"(GB/T 4754 811x) and household Cd-Ni batteries {CD_NI_BATTERY_CODE}"), ""
        return True, f"{lic.number} (收集 collection) covers {code} ({via})", "collect"
    needed = "dispose" if need.purpose == "dispose" else "utilise"
    if needed not in lic.activities:
        return False, f"{lic.number} covers {code} but lacks {needed} (has {', '.join(sorted(lic.activities))})", ""
    return True, f"{lic.number} covers {code} ({via})", needed


def _enterprise_licences(problem: Problem, enterprise_ref: str) -> list[int]:
    e = problem.enterprise_index[enterprise_ref]
    return list(problem.licences_of_enterprise.get(e, []))


@dataclass
class _ArcView:
    """Everything explain computes for one arc before licence pools."""

    checks: dict[str, tuple[bool, str]]
    covering: list[int]
    approval: int
    exemption: int


def _scalar_arc(problem: Problem, oi: int, ni: int, dist: float) -> _ArcView:
    offer, need = problem.offers[oi], problem.needs[ni]
    today = problem.today
    hw = bool(offer.waste_code)
    out: dict[str, tuple[bool, str]] = {}
    lic_ids = _enterprise_licences(problem, need.site.enterprise)
    collectable = _is_collectable(offer) if offer.waste_code in COLLECTION_CODES else False

    # hw_licence, exemption
    covering: list[int] = []
    reasons: list[str] = []
    approval, exemption = -1, -1
    transport = [i for i in rules_naming(offer.waste_code) if not EXEMPTION_RULES[i].lifts_licence] if hw else []
    transport_note = "".join(f"; {EXEMPTION_RULES[i].label()} is transport-only and does not lift the receiver's "
                             f"licence requirement" for i in transport)
    if not hw:
        out["hw_licence"] = (True, "不是危险废物 / not hazardous waste")
        out["exemption"] = (True, "none needed: not hazardous waste")
    else:
        for l in lic_ids:
            ok, why, activity = _licence_verdict(problem, l, offer, need, collectable)
            if ok:
                lic = problem.licences[l]
                covering.append(l)
                reasons.append(f"licence {why}, {activity}; valid to {lic.valid_to or 'open'}")
            else:
                reasons.append(why)
        if covering:
            out["hw_licence"] = (True, "; ".join(r for r in reasons if r.startswith("licence ")))
            out["exemption"] = (True, "none needed: a licence covers it" + transport_note)
        else:
            for a, ap in enumerate(problem.approvals):
                start = ap.valid_from.toordinal() if ap.valid_from else DAY_MIN
                end = ap.valid_to.toordinal() if ap.valid_to else DAY_MAX
                if (ap.producer == offer.site.enterprise and ap.receiver == need.site.enterprise
                        and ap.waste_code == offer.waste_code and start <= today <= end
                        and need.purpose in APPROVAL_PURPOSES):
                    approval = a
                    break
            if approval >= 0:
                ap = problem.approvals[approval]
                exemption = -2
                out["hw_licence"] = (True, f"点对点定向利用 / point-to-point approval {ap.number} lifts the licence "
                                           f"requirement for {ap.producer} → {ap.receiver}, {ap.waste_code}")
                out["exemption"] = (False, f"point-to-point approval {ap.number} (exemption list no. 32), valid "
                                           f"{ap.valid_from}–{ap.valid_to or 'open'}: verify the provincial plan's "
                                           f"conditions (utilisation as substitute raw material, risk controlled)")
            else:
                text = _offer_text(offer)
                groups = groups_of(offer.waste_code, offer.composition.items())
                why_not: list[str] = []
                for r in rules_naming(offer.waste_code):
                    rule = EXEMPTION_RULES[r]
                    if not rule.lifts_licence:
                        continue
                    ok_o, why_o = offer_qualifies(rule, offer.waste_code, offer.form, offer.composition, text, groups)
                    ok_r, why_r = receiver_qualifies(rule, need.purpose, need.site.industry)
                    if ok_o and ok_r:
                        exemption = r
                        break
                    why_not.append(f"{rule.label()}: {why_o or why_r}")
                if exemption >= 0:
                    rule = EXEMPTION_RULES[exemption]
                    out["hw_licence"] = (True, f"豁免 / exempted: {rule.label()} ({rule.name_en}) lifts the licence "
                                               f"requirement; conditions under 'exemption'")
                    out["exemption"] = (False, f"{rule.label()} {rule.name_zh} / {rule.name_en}; 条件 conditions: "
                                               f"{rule.conditions_zh} / {rule.conditions_en} — coordinator to verify")
                else:
                    head = "receiver holds no HW business licence (无危险废物经营许可证)" if not lic_ids \
                        else "no licence of the receiver covers it: " + "; ".join(reasons)
                    lifted = ("; not exempted: " + "; ".join(why_not)) if why_not else ""
                    out["hw_licence"] = (False, f"{head} ({offer.waste_code}, purpose {need.purpose}){lifted}"
                                                f"{transport_note}")
                    out["exemption"] = (True, "no exemption applies" + transport_note)

    # pops_destruction_only (the per-offer flag is cached; only a flagged offer needs the detail)
    hits = _pop_hits(offer) if _features(problem).offer_pop[oi] else []
    if not hits:
        out["pops_destruction_only"] = (True, "no POP / key new pollutant at or above its limit")
    else:
        what = ", ".join(f"{s.name_en} {_fmt_fraction(v)} ≥ {_fmt_fraction(s.threshold_fraction)}" for s, v in hits)
        disposer = [l for l in lic_ids if _valid_disposer(problem, l)]
        if need.purpose != "dispose":
            out["pops_destruction_only"] = (False, f"{what}: 仅可销毁 / destruction only, but the need's purpose is "
                                                   f"{need.purpose}")
        elif not disposer:
            out["pops_destruction_only"] = (False, f"{what}: destruction only, and the receiver holds no valid "
                                                   f"licence with the dispose activity")
        else:
            out["pops_destruction_only"] = (True, f"{what}: goes to licensed destruction "
                                                  f"({problem.licences[disposer[0]].number})")

    # medical_waste
    if not (is_hw_code(offer.waste_code or "") and offer.waste_code.endswith("-01")):
        out["medical_waste"] = (True, "not medical waste (HW01)")
    else:
        med = [l for l in lic_ids if _valid_disposer(problem, l)
               and _licence_verdict(problem, l, offer, _Purpose("dispose"), False)[0]]
        if need.purpose != "dispose":
            out["medical_waste"] = (False, f"HW01 only to licensed disposal; purpose is {need.purpose}")
        elif not med:
            out["medical_waste"] = (False, "HW01 only to licensed disposal; no valid licence covers HW01 with dispose")
        else:
            out["medical_waste"] = (True, f"HW01 to licensed disposal ({problem.licences[med[0]].number})")

    # contaminant_limit
    parts, ok = [], True
    for key, mx in need.limits.items():
        declared = key in offer.composition
        v = float(offer.composition.get(key, 0.0))
        good = v <= mx
        ok &= good
        shown = _fmt_fraction(v) if declared else "not declared (0)"
        parts.append(f"{_name(key, need, offer)} {shown} {'≤' if good else '>'} limit {_fmt_fraction(mx)}")
    out["contaminant_limit"] = (ok, "; ".join(parts) if parts else "the need sets no limits")

    # required_component
    parts, ok = [], True
    for key, mn in need.wanted.items():
        if key not in offer.composition:
            ok = False
            parts.append(f"{_name(key, need, offer)} not declared (needs ≥ {_fmt_fraction(mn)})")
            continue
        v = float(offer.composition[key])
        good = v >= mn
        ok &= good
        parts.append(f"{_name(key, need, offer)} {_fmt_fraction(v)} {'≥' if good else '<'} min {_fmt_fraction(mn)}")
    out["required_component"] = (ok, "; ".join(parts) if parts else "the need wants no particular component")

    # form
    accepted = ", ".join(x for x in FORMS if x in need.forms) or "nothing"
    good = offer.form in need.forms
    out["form"] = (good, f"{offer.form} {'accepted' if good else 'not accepted'} (need accepts {accepted})")

    # distance
    limit = float(problem.n.max_distance_km[ni])
    good = dist <= limit
    detail = f"distance {_fmt_km(dist)} {'≤' if good else '>'} {_fmt_km(limit)}"
    if hw:
        cap = min(float(problem.o.park_hw_max_km[oi]), float(problem.n.park_hw_max_km[ni]))
        if not math.isinf(cap):
            good_cap = dist <= cap
            detail += f"; park HW haulage cap {_fmt_km(cap)} {'met' if good_cap else 'exceeded'}"
            good = good and good_cap
    out["distance"] = (bool(good), detail)

    # cross_province_transfer
    p_o, p_n = offer.site.province or "", need.site.province or ""
    if not hw:
        out["cross_province_transfer"] = (True, "not hazardous waste")
    elif not p_o or not p_n:
        out["cross_province_transfer"] = (False, "province unknown: 跨省转移需省级生态环境部门审批 / an "
                                                 "inter-provincial transfer needs provincial approval — check")
    elif p_o != p_n:
        out["cross_province_transfer"] = (False, f"跨省转移需省级生态环境部门审批 / inter-provincial transfer needs "
                                                 f"provincial approval ({p_o} → {p_n})")
    else:
        out["cross_province_transfer"] = (True, f"same province ({p_o})")

    # availability
    of = offer.available_from.toordinal() if offer.available_from else DAY_MIN
    ot = offer.available_to.toordinal() if offer.available_to else DAY_MAX
    nf = need.available_from.toordinal() if need.available_from else DAY_MIN
    nt = need.available_to.toordinal() if need.available_to else DAY_MAX
    good = max(of, nf) <= min(ot, nt)
    out["availability"] = (good, f"offer {_fmt_day(of)}–{_fmt_day(ot)}, need {_fmt_day(nf)}–{_fmt_day(nt)}: "
                                 f"{'overlap' if good else 'no overlap'}")

    # self_match
    same = offer.site.enterprise == need.site.enterprise
    out["self_match"] = (not same, f"same enterprise {need.site.enterprise}" if same else "different enterprises")

    # incompatible_mix
    groups = groups_of(offer.waste_code, offer.composition.items())
    extra = f" (offer reactivity: {describe_groups(groups)})" if groups else ""
    out["incompatible_mix"] = (True, "enforced across the need's suppliers in exact mode" + extra)

    return _ArcView(checks=out, covering=covering, approval=approval, exemption=exemption)


def _valid_disposer(problem: Problem, l: int) -> bool:
    lic = problem.licences[l]
    end = lic.valid_to.toordinal() if lic.valid_to else DAY_MAX
    return (lic.kind != "hw_collection" and "dispose" in lic.activities
            and lic.valid_from.toordinal() <= problem.today <= end)


@dataclass(frozen=True)
class _Purpose:
    """Stand-in for a need in _licence_verdict, which reads only ``purpose``."""

    purpose: str


def _explain_arc(problem: Problem, arcs: Arcs, k: int, *,
                 recompute_pool: bool = False) -> tuple[list[Check], int, int, int]:
    """Checks of arc ``k`` plus (licence, exemption, approval) as ``evaluate_rules`` sets them.

    Every check is recomputed from the records, except the licence pool: a set-level
    choice over all arcs of the need. When ``arcs`` were evaluated, the pool is read
    from ``arcs.licence``/``arcs.checks`` so that explaining a subset of the arcs (the
    feasible ones, one proposal) reports the pool the optimiser used; with
    ``recompute_pool`` (or unevaluated arcs) it is recomputed from the arcs given.
    """
    oi, ni, dist = int(arcs.offer[k]), int(arcs.need[k]), float(arcs.distance_km[k])
    view = _scalar_arc(problem, oi, ni, dist)
    checks = view.checks
    offer = problem.offers[oi]
    licence = -1
    rem = problem.lic_remaining
    if not offer.waste_code or (not view.covering and view.exemption != -1):
        why = "not hazardous waste" if not offer.waste_code else "exempted"
        if not recompute_pool and arcs.licence is not None and "licence_capacity" in arcs.checks:
            pool = int(arcs.licence[k])
        else:
            pool = _scalar_pool(problem, arcs, ni)
        if pool >= 0:
            licence = pool
            checks["licence_capacity"] = (True, f"{why}; counted against licence {problem.licences[licence].number}"
                                                f" with the rest of this need's intake ({rem[licence]:.1f} t left)")
        else:
            checks["licence_capacity"] = (True, f"not applicable: {why}, draws on no licence")
    elif not view.covering:
        checks["licence_capacity"] = (False, "no licence to draw capacity from (see hw_licence)")
    else:
        evaluated = (not recompute_pool and arcs.licence is not None and "licence_capacity" in arcs.checks
                     and int(arcs.licence[k]) in view.covering)
        if evaluated:
            licence = int(arcs.licence[k])
            in_pool = bool(arcs.checks["licence_capacity"][k]) or not rem[licence] > 0
            if in_pool:
                chosen = licence
            else:
                others = (np.asarray(arcs.need) == ni) & arcs.checks["licence_capacity"] & (arcs.licence >= 0)
                chosen = int(arcs.licence[others][0]) if others.any() else -1
        else:
            chosen = _scalar_pool(problem, arcs, ni)
            licence = chosen if chosen in view.covering else min(view.covering, key=lambda l: (-rem[l], l))
        if licence == chosen and rem[chosen] > 0:
            lic = problem.licences[chosen]
            checks["licence_capacity"] = (True, f"licence {lic.number}: {rem[chosen]:.1f} t capacity left this "
                                                f"year, shared by this need's suppliers")
        elif rem[licence] <= 0:
            checks["licence_capacity"] = (False, f"licence {problem.licences[licence].number} has no capacity left "
                                                 f"this year (许可经营规模已满)")
        else:
            own = problem.licences[licence]
            pool = problem.licences[chosen].number if chosen >= 0 else "another licence"
            scope = ", ".join(sorted(own.categories) + sorted(own.codes))
            checks["licence_capacity"] = (False, f"this need draws on licence {pool}; {offer.waste_code} falls "
                                                 f"under licence {own.number} ({scope}) — post a separate need for "
                                                 f"that licence's scope / 请按许可证{own.number}的经营范围另行发布需求")
    result = [Check(spec.code, bool(checks[spec.code][0]), spec.hard, checks[spec.code][1]) for spec in RULES]
    exemption = view.exemption if not view.covering else -1
    approval = view.approval if not view.covering else -1
    return result, licence, exemption, approval


def _scalar_pool(problem: Problem, arcs: Arcs, ni: int) -> int:
    """The licence need ``ni`` draws on, recomputed arc by arc (see ``_choose_pools``)."""
    stats: dict[int, list[int]] = {}  # licence -> [viable arcs, covered arcs]
    for j in np.flatnonzero(np.asarray(arcs.need) == ni).tolist():
        oj = int(arcs.offer[j])
        if not problem.offers[oj].waste_code:
            continue
        view = _scalar_arc(problem, oj, ni, float(arcs.distance_km[j]))
        viable = all(view.checks[c][0] for c in _VIABILITY_CODES)
        for l in view.covering:
            s = stats.setdefault(l, [0, 0])
            s[0] += int(viable)
            s[1] += 1
    rem = problem.lic_remaining
    if not stats:
        return -1
    return min(stats, key=lambda l: (-int(rem[l] > 0), -stats[l][0], -stats[l][1], -float(rem[l]), l))


def explain(problem: Problem, arcs: Arcs, k: int) -> list[Check]:
    """The 13 checks of arc ``k``, in DESIGN order, each with a human detail.

    Recomputed from the records (not read from ``arcs.checks``), so it is slow: call it
    only for the arcs shown to users. The one exception is the licence pool of the
    arc's need, a choice over all its arcs: read from ``arcs.licence`` when ``arcs``
    were evaluated (so a subset such as the feasible arcs explains the pool the
    optimiser used), else recomputed from the arcs given as :func:`evaluate_rules` does.
    """
    return _explain_arc(problem, arcs, k)[0]


def failed_hard(checks: Iterable[Check]) -> list[Check]:
    """The hard checks that failed, in order."""
    return [c for c in checks if c.hard and not c.passed]
