"""Per-problem features of the checks: computed once per ``Problem`` and cached on it.

Offer-side facts (waste code index, reactivity groups, POPs, collection scope, exemption
rows whose offer conditions hold), receiver-side exemption rows, the licences valid
today grouped by enterprise, the approvals valid today, and the offers' compositions as
sorted keys, with whether each declares a composition and whether it is complete
(``composition_complete``). Every vectorised check reads these instead of the records.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from catalog.control_lists import controlled_by_cas, destruction_required_for_composition
from catalog.reactivity import CAS_GROUPS, groups_of

from ..exemptions import EXEMPTION_RULES, LIFTING_RULES, offer_qualifies, receiver_qualifies, rules_naming
from ..problem import DAY_MAX, DAY_MIN, Problem
from .arrays import csr_entries, member
from .vocabulary import (
    BATTERY_KEYWORDS,
    CD_NI_BATTERY_CODE,
    COLLECTION_CODES,
    DISPOSE_BIT,
    HOUSEHOLD_INDUSTRIES,
    VEHICLE_OIL_CODE,
    VEHICLE_REPAIR_INDUSTRY,
)


@dataclass
class Features:
    """Per-problem arrays the checks read, computed once per ``Problem`` (see ``features``)."""

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
    offer_declared: np.ndarray  # bool: declares at least one component
    offer_complete: np.ndarray  # bool: an undeclared substance is known absent (see ``composition_is_complete``)


_CACHE_ATTR = "_wastematch_rule_features"


def features(problem: Problem) -> Features:
    """The rule features of ``problem``, built on first use."""
    # Cached on the problem object: a Problem is built once per run and never mutated.
    cached = problem.__dict__.get(_CACHE_ATTR)
    if cached is None:
        cached = _build_features(problem)
        problem.__dict__[_CACHE_ATTR] = cached
    return cached


# Declared fractions summing to this much leave no room for an undeclared substance that matters:
# 0.1 % of slack absorbs the rounding of fractions typed as percentages to one decimal.
COMPLETE_SUM = 0.999


def composition_is_complete(offer) -> bool:
    """True when an undeclared substance counts as absent (0) in the offer.

    The holder says so (``composition_complete``: every component is declared, the rest
    is inert matter named nowhere), or the declared fractions sum to at least
    ``COMPLETE_SUM`` (0.999): nothing undeclared can be present above 0.1 %. Otherwise
    an undeclared substance is unknown, never zero. An offer declaring no component is
    never complete, whatever its flag says: "all of nothing" is no declaration.
    """
    if not offer.composition:
        return False
    return bool(offer.composition_complete) or sum(offer.composition.values()) >= COMPLETE_SUM


def offer_text(offer) -> str:
    """Title, Chinese title and description, casefolded: what keyword conditions search."""
    return " ".join((offer.title or "", offer.title_zh or "", offer.description or "")).casefold()


def is_collectable(offer) -> bool:
    """Within the statutory scope of a collection-only licence (see ``COLLECTION_CODES``)."""
    industry = offer.site.industry or ""
    if offer.waste_code == VEHICLE_OIL_CODE:
        return industry.startswith(VEHICLE_REPAIR_INDUSTRY)
    if offer.waste_code == CD_NI_BATTERY_CODE:
        text = offer_text(offer)
        return industry.startswith(HOUSEHOLD_INDUSTRIES) and any(k in text for k in BATTERY_KEYWORDS)
    return False


def pop_hits(offer) -> list:
    """The POPs / key new pollutants the offer holds at or above their destruction threshold."""
    comps = [(k, v) for k, v in offer.composition.items() if not k.startswith("name:")]
    return destruction_required_for_composition(comps) if comps else []


def _is_destruction_relevant(key: str) -> bool:
    if key.startswith("name:"):
        return False
    return any(s.destruction_only and s.threshold_fraction is not None for s in controlled_by_cas(key))


def _build_features(problem: Problem) -> Features:
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
            offer_pop[i] = bool(pop_hits(offers[i]))

    offer_collectable = np.array([bool(o.waste_code in COLLECTION_CODES and is_collectable(o)) for o in offers],
                                 dtype=bool)

    # exemption list, offer side: only offers whose code some lifting rule names
    offer_exempt = np.zeros(n_off, dtype=np.int64)
    naming = {c: [i for i in rules_naming(c) if i in LIFTING_RULES] for c in codes}
    for i, o in enumerate(offers):
        candidates = naming.get(o.waste_code) if o.waste_code else None
        if not candidates:
            continue
        text, mask = offer_text(o), 0
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
    lic_code_keys = np.array(sorted(li * n_codes + code_index[c] for li, cs in enumerate(problem.lic_codes)
                                    for c in cs if c in code_index), dtype=np.int64)
    lic_has_codes = np.zeros(len(problem.licences), dtype=bool)
    lic_has_codes[lic_code_keys // n_codes] = True
    disposer = valid & ~problem.lic_collection & ((problem.lic_activities & DISPOSE_BIT) != 0)
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

    offer_declared = np.array([bool(o.composition) for o in offers], dtype=bool)
    offer_complete = np.array([composition_is_complete(o) for o in offers], dtype=bool)

    return Features(codes=codes, offer_code=offer_code, offer_groups=groups, offer_pop=offer_pop,
                     offer_collectable=offer_collectable, offer_exempt_mask=offer_exempt,
                     need_exempt_mask=need_exempt, lic_order=lic_order, ent_lic_start=ent_lic_start,
                     ent_lic_count=ent_lic_count, lic_activities=problem.lic_activities.astype(np.int64),
                     lic_has_codes=lic_has_codes, lic_code_keys=lic_code_keys, ent_dispose_licence=ent_dispose,
                     appr_keys=akeys_arr[order], appr_index=aidx_arr[order], comp_keys=comp_keys,
                     comp_vals=comp_vals, offer_declared=offer_declared, offer_complete=offer_complete)


def offer_fraction(problem: Problem, f: Features, offers: np.ndarray, cols: np.ndarray):
    """(declared, fraction) of substance ``cols`` in ``offers``; undeclared → (False, 0)."""
    found, pos = member(f.comp_keys, offers * len(problem.substances) + cols)
    values = np.where(found, f.comp_vals[pos] if f.comp_vals.size else 0.0, 0.0)
    return found, values


def substance_bounds(problem: Problem, f: Features, offers: np.ndarray, needs: np.ndarray, bounds):
    """Each substance bound a need states (``bounds``: its ``limits`` or ``wanted`` matrix) on the arcs.

    Returns (arc, declared in the offer, the offer's fraction, the bound), one entry per
    stored bound, explicit zeros included.
    """
    arc, col, bound = csr_entries(bounds, needs)
    declared, value = offer_fraction(problem, f, offers[arc], col)
    return arc, declared, value, bound
