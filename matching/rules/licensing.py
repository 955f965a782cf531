"""The licence questions several rules share, in one place: coverage, lifting and the licence pool.

``hw_licence``, ``exemption``, ``licence_capacity``, ``medical_waste`` and
``pops_destruction_only`` all ask about the receiver's licences. What they share is
computed here once per batch (vectorised) or once per arc (scalar), and the three
output columns ``evaluate_rules`` sets besides the checks (``licence``, ``exemption``,
``approval``) come from here too:

* coverage: which licences of the receiver, valid today, cover the offer for the need's
  purpose (collection-only licences: see ``vocabulary.COLLECTION_CODES``);
* lifting: for an HW arc no licence covers, a point-to-point approval, then the
  exemption list (``matching.exemptions``), may lift the licence requirement;
* the pool: each need draws on one licence (``choose_pools``), chosen among the
  licences covering its arcs, preferring arcs that pass the checks with
  ``Rule.pool_viability``.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from catalog.reactivity import groups_of
from catalog.waste_codes import is_hw_code

from ..exemptions import EXEMPTION_RULES, offer_qualifies, receiver_qualifies
from ..exemptions import rules_naming as _rules_naming
from ..problem import DAY_MAX, DAY_MIN, HW_LICENCE_KINDS, Problem
from .arrays import expand, lowest_bit, member
from .base import ArcBatch, ArcCase
from .features import is_collectable, offer_text
from .text import activities_zh, exemption_label_en, exemption_label_zh
from .vocabulary import (
    APPROVAL_PURPOSE_IDX,
    APPROVAL_PURPOSES,
    CD_NI_BATTERY_CODE,
    COLLECT_BIT,
    COLLECTION_CODES,
    DISPOSE_BIT,
    UTILISE_BIT,
    VEHICLE_OIL_CODE,
)

# The check whose column tells that arcs were evaluated (their pool can be read, not recomputed).
CAPACITY_CODE = "licence_capacity"


# --- vectorised ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    """One entry per (HW arc, licence of the receiving enterprise valid today)."""

    arc: np.ndarray  # int64: the arc of each entry
    licence: np.ndarray  # int64: the licence
    scope: np.ndarray  # bool: its categories or listed codes name the offer's code
    activities: np.ndarray  # int64 activity bits of the licence
    collection: np.ndarray  # bool: a collection-only licence
    cover: np.ndarray  # bool: scope, and an activity (and statutory scope) fitting the need's purpose
    covered: np.ndarray  # bool per arc: some entry covers it



@functools.lru_cache(maxsize=4096)  # asked per explained HW arc (twice); a park has few waste codes
def rules_naming(waste_code: str | None) -> tuple[int, ...]:
    """``exemptions.rules_naming``, kept per waste code."""
    return tuple(_rules_naming(waste_code))


def coverage(b: ArcBatch) -> Coverage:
    """Licence coverage of the batch's HW arcs (computed once per batch)."""
    return b.shared(_coverage)


def _coverage(b: ArcBatch) -> Coverage:
    f, problem = b.f, b.problem
    counts = np.where(b.hw, f.ent_lic_count[b.ne], 0)
    pair_arc, pos = expand(f.ent_lic_start[b.ne], counts)
    pl = f.lic_order[pos]
    pa_o = b.o[pair_arc]
    scope = ((problem.lic_categories[pl] >> b.po.category[pa_o].astype(np.uint64)) & np.uint64(1)).astype(bool)
    by_code = ~scope & f.lic_has_codes[pl]  # look codes up only where the category did not cover
    if by_code.any():
        code_o = f.offer_code[pa_o[by_code]]
        found, _ = member(f.lic_code_keys, pl[by_code] * max(len(f.codes), 1) + code_o)
        scope[by_code] = found & (code_o >= 0)
    act = f.lic_activities[pl]
    coll = problem.lic_collection[pl]
    pa_dispose = b.dispose[pair_arc]
    comp_ok = np.where(pa_dispose, act & DISPOSE_BIT, act & UTILISE_BIT) != 0
    coll_ok = ~pa_dispose & ((act & COLLECT_BIT) != 0) & f.offer_collectable[pa_o]
    cover = scope & np.where(coll, coll_ok, comp_ok)
    covered = np.zeros(b.size, dtype=bool)
    covered[pair_arc[cover]] = True
    return Coverage(arc=pair_arc, licence=pl, scope=scope, activities=act, collection=coll, cover=cover,
                    covered=covered)


@dataclass(frozen=True)
class Lifting:
    """What lifts the licence requirement of HW arcs no licence covers."""

    approval: np.ndarray  # int64 per arc: index into problem.approvals, -1 none
    exemption: np.ndarray  # int64 per arc: index into EXEMPTION_RULES, -2 approval, -1 none
    lifted: np.ndarray  # bool per arc


def lifting(b: ArcBatch) -> Lifting:
    """Point-to-point approvals, then the exemption list, for HW arcs no licence covers (once per batch)."""
    return b.shared(_lifting)


def _lifting(b: ArcBatch) -> Lifting:
    f, problem, o = b.f, b.problem, b.o
    open_ = b.hw & ~coverage(b).covered
    approval = np.full(b.size, -1, dtype=np.int64)
    if f.appr_keys.size:
        n_ent, n_codes = len(problem.enterprise_index), max(len(f.codes), 1)
        akey = (b.po.enterprise[o] * n_ent + b.ne) * n_codes + f.offer_code[o]
        found, apos = member(f.appr_keys, akey)
        use = open_ & found & (f.offer_code[o] >= 0) & np.isin(b.purpose, APPROVAL_PURPOSE_IDX)
        approval[use] = f.appr_index[apos[use]]
    approved = approval >= 0
    rule = lowest_bit(f.offer_exempt_mask[o] & f.need_exempt_mask[b.n])
    exempted = open_ & ~approved & (rule >= 0)
    exemption = np.full(b.size, -1, dtype=np.int64)
    exemption[approved] = -2
    exemption[exempted] = rule[exempted]
    return Lifting(approval=approval, exemption=exemption, lifted=approved | exempted)


def pools(b: ArcBatch) -> tuple[np.ndarray, np.ndarray]:
    """(arc covered by its need's licence, licence of each arc): ``choose_pools`` on the batch (once)."""
    return b.shared(_pools)


def _pools(b: ArcBatch) -> tuple[np.ndarray, np.ndarray]:
    cov = coverage(b)
    return choose_pools(b.problem, b.n, cov.arc[cov.cover], cov.licence[cov.cover], b.pool_viable())


def choose_pools(problem: Problem, need: np.ndarray, c_arc: np.ndarray, c_lic: np.ndarray,
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


def licence_column(b: ArcBatch) -> np.ndarray:
    """``arcs.licence``: the licence whose capacity each arc draws on, -1 none.

    A need that draws on licence L takes all its intake through L's capacity, general
    waste and exempted HW too: one intake at one licensed facility. Conservative (never
    lets the licensed plant take more than its licence) and it keeps the allocation a
    pure network flow, where a need split between "under L" and "outside L" would not be.
    """
    chosen_ok, licence = pools(b)
    need_pool = np.full(b.problem.n.size, -1, dtype=np.int64)
    need_pool[b.n[chosen_ok]] = licence[chosen_ok]
    joins = (~b.hw | lifting(b).lifted) & (need_pool[b.n] >= 0)
    return np.where(joins, need_pool[b.n], licence)


# --- scalar (explain) -------------------------------------------------------------------------

@dataclass(frozen=True)
class _Purpose:
    """Stand-in for a need in licence_verdict, which reads only ``purpose``."""

    purpose: str


DISPOSAL = _Purpose("dispose")


def licence_verdict(problem: Problem, li: int, offer, need, collectable: bool) -> tuple[bool, tuple[str, str], str]:
    """(covers, (中文, English) what it covers or why not, activity used) of licence ``li`` for an offer → need."""
    lic = problem.licences[li]
    if lic.kind not in HW_LICENCE_KINDS:  # 建筑垃圾处置核准 or a household-waste licence: never covers HW
        return False, (f"{lic.number} 不是危险废物经营许可证", f"{lic.number} is not an HW business licence"), ""
    start, end = lic.valid_from.toordinal(), (lic.valid_to.toordinal() if lic.valid_to else DAY_MAX)
    if not start <= problem.today <= end:
        if problem.today > end:
            return False, (f"{lic.number} 已于 {lic.valid_to} 过期", f"{lic.number} expired {lic.valid_to}"), ""
        return False, (f"{lic.number} 自 {lic.valid_from} 起有效", f"{lic.number} valid only from {lic.valid_from}"), ""
    code = offer.waste_code
    cat = f"HW{code[-2:]}" if is_hw_code(code) else None
    by_cat = cat is not None and any(int(c[2:]) == int(cat[2:]) for c in lic.categories)
    by_code = code in lic.codes
    if not (by_cat or by_code):
        scope = ", ".join(sorted(lic.categories) + sorted(lic.codes))
        return False, (f"{lic.number} 经营范围 {scope or '无'}，不含 {code}",
                       f"{lic.number} covers {scope or 'nothing'}, not {code}"), ""
    via = (f"类别 {cat}", f"category {cat}") if by_cat else ("列明代码", "listed code")
    if lic.kind == "hw_collection":
        if need.purpose == "dispose":
            return False, (f"{lic.number} 为收集许可证，不可处置", f"{lic.number} is a collection licence: no disposal"), ""
        if "collect" not in lic.activities:
            return False, (f"{lic.number}（收集）无收集经营方式",
                           f"{lic.number} (collection) lacks the collect activity"), ""
        if not collectable:
            return False, ((f"{lic.number} 为收集许可证：仅限机动车维修产生的 {VEHICLE_OIL_CODE}（GB/T 4754 811x）"
                            f"和居民生活产生的废镉镍电池 {CD_NI_BATTERY_CODE}"),
                           (f"{lic.number} is a collection licence: only {VEHICLE_OIL_CODE} from vehicle repair "
                            f"(GB/T 4754 811x) and household Cd-Ni batteries {CD_NI_BATTERY_CODE}")), ""
        return True, (f"{lic.number}（收集）覆盖 {code}（{via[0]}）",
                      f"{lic.number} (collection) covers {code} ({via[1]})"), "collect"
    needed = "dispose" if need.purpose == "dispose" else "utilise"
    if needed not in lic.activities:
        return False, (f"{lic.number} 覆盖 {code}，但无{activities_zh([needed])}经营方式（现有：{activities_zh(lic.activities)}）",
                       f"{lic.number} covers {code} but lacks {needed} (has {', '.join(sorted(lic.activities))})"), ""
    return True, (f"{lic.number} 覆盖 {code}（{via[0]}）", f"{lic.number} covers {code} ({via[1]})"), needed


def valid_disposer(problem: Problem, li: int) -> bool:
    """Licence ``li`` is a comprehensive licence with the dispose activity, valid today."""
    lic = problem.licences[li]
    end = lic.valid_to.toordinal() if lic.valid_to else DAY_MAX
    return (lic.kind != "hw_collection" and "dispose" in lic.activities
            and lic.valid_from.toordinal() <= problem.today <= end)


@dataclass(slots=True)  # not frozen: built once per explained HW arc, and a frozen init costs a microsecond
class LicenceView:
    """The receiver's licences for one arc, and what lifts the requirement where none covers it (read only)."""

    covering: tuple[int, ...]  # licences that cover the arc
    # per licence of the receiver, (中文, English): what it covers, or why not; then the covering ones alone
    reasons: tuple[tuple[str, str], ...]
    approval: int  # index into problem.approvals, -1 none
    exemption: int  # index into EXEMPTION_RULES, -2 approval, -1 none
    why_not: tuple[tuple[str, str], ...]  # exemption rows naming the code whose conditions fail (中文, English)
    transport_note: tuple[str, str]  # transport-only rows naming the code (they lift nothing), (中文, English)
    covered: tuple[tuple[str, str], ...] = ()

    @property
    def lifted(self) -> bool:
        """No licence covers the arc, and an approval or an exemption lifts the requirement."""
        return not self.covering and self.exemption != -1


_NOT_HW = LicenceView(covering=(), reasons=(), approval=-1, exemption=-1, why_not=(), transport_note=("", ""))


def licence_view(case: ArcCase) -> LicenceView:
    """Coverage, then approvals and the exemption list, for one arc (once per arc)."""
    return case.shared(_licence_view)


def _licence_view(case: ArcCase) -> LicenceView:
    problem, offer, need = case.problem, case.offer, case.need
    if not case.hw:
        return _NOT_HW
    transport = [i for i in rules_naming(offer.waste_code) if not EXEMPTION_RULES[i].lifts_licence]
    note = ("".join(f"；{exemption_label_zh(EXEMPTION_RULES[i])}仅适用于运输环节，不免除接收方的许可证要求"
                    for i in transport),
            "".join(f"; {exemption_label_en(EXEMPTION_RULES[i])} is transport-only and does not lift the receiver's "
                    f"licence requirement" for i in transport))
    collectable = is_collectable(offer) if offer.waste_code in COLLECTION_CODES else False
    covering: list[int] = []
    reasons: list[tuple[str, str]] = []
    covered: list[tuple[str, str]] = []
    for li in case.receiver_licences:
        ok, (zh, en), activity = licence_verdict(problem, li, offer, need, collectable)
        if ok:
            lic = problem.licences[li]
            covering.append(li)
            reasons.append((f"许可证 {zh}，{activities_zh([activity])}；有效期至 {lic.valid_to or '长期'}",
                            f"licence {en}, {activity}; valid to {lic.valid_to or 'open'}"))
            covered.append(reasons[-1])
        else:
            reasons.append((zh, en))
    if covering:
        return LicenceView(covering=tuple(covering), reasons=tuple(reasons), approval=-1, exemption=-1, why_not=(),
                           transport_note=note, covered=tuple(covered))
    approval = _approval(case)
    if approval >= 0:
        return LicenceView(covering=(), reasons=tuple(reasons), approval=approval, exemption=-2, why_not=(),
                           transport_note=note)
    exemption, why_not = _exemption(case)
    return LicenceView(covering=(), reasons=tuple(reasons), approval=-1, exemption=exemption,
                       why_not=tuple(why_not), transport_note=note)


def _approval(case: ArcCase) -> int:
    """The first point-to-point approval valid today for this producer, receiver, code and purpose; -1 none."""
    offer, need = case.offer, case.need
    for a, ap in enumerate(case.problem.approvals):
        start = ap.valid_from.toordinal() if ap.valid_from else DAY_MIN
        end = ap.valid_to.toordinal() if ap.valid_to else DAY_MAX
        if (ap.producer == offer.site.enterprise and ap.receiver == need.site.enterprise
                and ap.waste_code == offer.waste_code and start <= case.problem.today <= end
                and need.purpose in APPROVAL_PURPOSES):
            return a
    return -1


def _exemption(case: ArcCase) -> tuple[int, list[tuple[str, str]]]:
    """The first exemption row whose offer and receiver conditions hold (-1 none), and why earlier rows fail."""
    offer, need = case.offer, case.need
    text = offer_text(offer)
    groups = groups_of(offer.waste_code, offer.composition.items())
    why_not: list[tuple[str, str]] = []
    for r in rules_naming(offer.waste_code):
        rule = EXEMPTION_RULES[r]
        if not rule.lifts_licence:
            continue
        ok_o, why_o = offer_qualifies(rule, offer.waste_code, offer.form, offer.composition, text, groups)
        ok_r, why_r = receiver_qualifies(rule, need.purpose, need.site.industry)
        if ok_o and ok_r:
            return r, why_not
        # ``receiver_zh`` reads "金属冶炼企业 / metal smelter": each half of the detail takes its own
        who_zh, _, who_en = rule.receiver_zh.partition(" / ")
        if not ok_o:
            side = ("供给不符合该项条件", why_o)
        else:
            side = (f"接收方不符合该项条件（须为{who_zh or '指定接收方'}）", why_r.replace(rule.receiver_zh, who_en or who_zh))
        why_not.append((f"{exemption_label_zh(rule)}：{side[0]}", f"{exemption_label_en(rule)}: {side[1]}"))
    return -1, why_not


def arc_pool(case: ArcCase) -> tuple[int, int]:
    """(licence the arc draws on, licence its need draws on), -1 none, as ``evaluate_rules`` sets them.

    The pool is a choice over all arcs of the need. When the arcs were evaluated it is
    read from ``arcs.licence``/``arcs.checks``, so that explaining a subset of the arcs
    (the feasible ones, one proposal) reports the pool the optimiser used; with
    ``recompute_pool`` (or unevaluated arcs) it is recomputed from the arcs given.
    """
    return case.shared(_arc_pool)


def _arc_pool(case: ArcCase) -> tuple[int, int]:
    arcs, k, rem = case.arcs, case.k, case.problem.lic_remaining
    evaluated = not case.recompute_pool and arcs.licence is not None and CAPACITY_CODE in arcs.checks
    if not case.hw or licence_view(case).lifted:
        pool = int(arcs.licence[k]) if evaluated else scalar_pool(case)
        return (pool, pool) if pool >= 0 else (-1, -1)
    view = licence_view(case)
    if not view.covering:
        return -1, -1
    if evaluated and int(arcs.licence[k]) in view.covering:
        licence = int(arcs.licence[k])
        in_pool = bool(arcs.checks[CAPACITY_CODE][k]) or not rem[licence] > 0
        if in_pool:
            chosen = licence
        else:
            others = (np.asarray(arcs.need) == case.ni) & arcs.checks[CAPACITY_CODE] & (arcs.licence >= 0)
            chosen = int(arcs.licence[others][0]) if others.any() else -1
    else:
        chosen = scalar_pool(case)
        licence = chosen if chosen in view.covering else min(view.covering, key=lambda li: (-rem[li], li))
    return licence, chosen


def scalar_pool(case: ArcCase) -> int:
    """The licence the arc's need draws on, recomputed arc by arc (see ``choose_pools``)."""
    arcs = case.arcs
    stats: dict[int, list[int]] = {}  # licence -> [viable arcs, covered arcs]
    for j in np.flatnonzero(np.asarray(arcs.need) == case.ni).tolist():
        other = case.other(j)
        if not other.hw:
            continue
        covering = licence_view(other).covering
        viable = other.pool_viable() if covering else False
        for li in covering:
            s = stats.setdefault(li, [0, 0])
            s[0] += int(viable)
            s[1] += 1
    rem = case.problem.lic_remaining
    if not stats:
        return -1
    return min(stats, key=lambda li: (-int(rem[li] > 0), -stats[li][0], -stats[li][1], -float(rem[li]), li))
