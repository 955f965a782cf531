"""The matching pipeline: candidates → rules → similarity → score → optimisation → explained proposals.

``run_park`` allocates a whole park at once; ``Recommender`` keeps the fitted model and
the indexes warm and answers one-click requests (一键资源匹配) for single listings.
Both work on a ``Problem`` and return plain dataclasses; persistence is the caller's.
"""
from __future__ import annotations

import copy
import functools
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from catalog.material_terms import TERMS_BY_KEY

from .arcs import Arcs
from .candidates import CandidateIndex
from .collector import gc_paused
from .loops import apply_loops
from .model_statistics import ModelStatistics
from .optimise import Allocation, allocate, greedy
from .problem import Problem
from .rules import HARD_CODES, RULES, Check, conflicting_offer_pairs, evaluate_rules, explain
from .rules.text import substance_name_zh
from .scoring import score, terms_for
from .similarity import BLOCKS, EVIDENCE, SimilarityModel

RULE_NAMES = {r.code: r for r in RULES}
QUANTITY_EPS_T = 1e-6
# Where ``explain`` puts the exemption check (it lists every rule, in registry order).
_EXEMPTION_AT = [r.code for r in RULES].index("exemption")


@dataclass
class Proposal:
    """One explained pairing: what moves, how far, why it scores, every check."""

    offer: str
    need: str
    offer_enterprise: str
    need_enterprise: str
    quantity_t: float
    weight: int  # CNY per tonne: the objective coefficient
    score: float  # weight × quantity_t
    distance_km: float
    similarity: float
    checks: list[Check]
    reasons: list[str]
    terms: dict[str, float]
    similarity_blocks: dict[str, float]
    components: list[dict[str, Any]]
    licence: str | None = None
    exemption: str | None = None
    offer_id: int | None = None
    need_id: int | None = None

    def flags(self) -> list[Check]:
        """Soft checks that did not pass: shown to the coordinator, never hidden."""
        return [c for c in self.checks if not c.passed and not c.hard]

    def unknown(self) -> list[Check]:
        """Checks the declared data do not decide (hard or soft): each needs an analysis report.

        A proposal with an unknown hard check comes only from ``Recommender.recommend``
        (ranked after every passing pair); it cannot become a match until the offer
        declares the substance or its composition is declared complete.
        """
        return [c for c in self.checks if c.unknown]


@dataclass
class ParkRun:
    """A park-wide allocation with its explanation and the figures of each stage."""

    status: str
    objective: float
    greedy_objective: float
    # A list, or at national scale ``matching.packed_rows.PackedRows`` (read-only, unpacked as read)
    proposals: Sequence[Proposal]
    unmatched: dict[str, Sequence[dict[str, Any]]]
    timings: dict[str, float]
    counts: dict[str, int]
    solver: dict[str, Any]
    candidates: list[dict[str, Any]] = field(default_factory=list)
    capacities: dict[str, dict[str, float]] = field(default_factory=dict)
    # Loops worth closing (matching.loops.LoopReport.as_dict): opportunities with their cost, loops closed.
    loops: dict[str, Any] = field(default_factory=dict)
    # The greedy baseline and what it is compared with (``_baseline``): always the same problem.
    baseline: dict[str, Any] = field(default_factory=dict)
    # Where it ran (``matching.regional.run_regions``): the engine, its worker processes, one dict per region.
    engine: str = "local"
    workers: int = 1
    regions: list[dict[str, Any]] = field(default_factory=list)

    def totals(self) -> dict[str, float | int]:
        """What a run achieved in a user's terms: tonnes matched, pairs, value created (CNY)."""
        return {"tonnes": round(sum(p.quantity_t for p in self.proposals), 3), "pairs": len(self.proposals),
                "value_cny": round(sum(p.score for p in self.proposals), 0)}


def build_arcs(problem: Problem, index: CandidateIndex, timings: dict[str, float]) -> Arcs:
    """Candidates for every offer, with rules evaluated and weights set; times each stage."""
    t = time.perf_counter()
    arcs = index.needs_for_offers()
    timings["candidate_s"] = timings.get("candidate_s", 0.0) + time.perf_counter() - t
    t = time.perf_counter()
    evaluate_rules(problem, arcs)
    score(problem, arcs)
    timings["rules_s"] = time.perf_counter() - t
    return arcs


@dataclass
class PreparedArcs:
    """What the stages before optimisation produce for one problem (``prepare_arcs``)."""

    model: SimilarityModel
    arcs: Arcs  # every candidate, with its checks, weight and max_t
    legal: np.ndarray  # bool per candidate: every hard check passed
    feasible: Arcs  # the usable candidates: legal, fitting, positive weight, room to move something


def prepare_arcs(problem: Problem, timings: dict[str, float], progress: Callable[[str], None] | None = None,
                 statistics: ModelStatistics | None = None) -> PreparedArcs:
    """Fit the similarity model, find candidates, evaluate the rules and score: the arcs the optimiser sees.

    ``timings`` receives ``similarity_s``, ``candidate_s`` and ``rules_s``; ``progress`` is told
    ``similarity`` and ``candidates`` as they start. ``statistics``: the run's model statistics when
    ``problem`` is one region of a larger run (default: fitted on ``problem``). A region task of the
    national run calls this as ``run_park`` does, so both see the same arcs for the same problem.
    """
    with gc_paused():  # a region task of the national run calls this alone (see ``run_park``)
        return _prepare_arcs(problem, timings, progress or (lambda _stage: None), statistics)


def _prepare_arcs(problem: Problem, timings: dict[str, float], step: Callable[[str], None],
                  statistics: ModelStatistics | None) -> PreparedArcs:
    """``prepare_arcs`` with the collector paused."""
    started = time.perf_counter()
    step("similarity")
    model = SimilarityModel().fit(problem, statistics)
    timings["similarity_s"] = time.perf_counter() - started
    t = time.perf_counter()
    step("candidates")
    index = CandidateIndex(problem, model)
    timings["candidate_s"] = time.perf_counter() - t
    arcs = build_arcs(problem, index, timings)
    legal = arcs.passed_hard(HARD_CODES)
    usable = legal & arcs.fitting() & (arcs.weight > 0) & (arcs.max_t > QUANTITY_EPS_T)
    return PreparedArcs(model=model, arcs=arcs, legal=legal, feasible=arcs.subset(usable))


def explain_flows(problem: Problem, model: SimilarityModel, feasible: Arcs, used: np.ndarray,
                  flow: np.ndarray) -> list[Proposal]:
    """Explained proposals for the arcs ``used`` of ``feasible`` carrying ``flow`` tonnes, best score first."""
    proposals = _proposals(problem, model, feasible, used, flow)
    proposals.sort(key=lambda x: -x.score)
    return proposals


def unmatched_listings(problem: Problem, prepared: PreparedArcs, flow: np.ndarray) -> dict[str, list[dict[str, Any]]]:
    """Offers and needs left (partly) unserved by ``flow`` (tonnes per feasible arc), each with its reason."""
    with gc_paused():  # thousands of small dicts, no cycles (see ``collector.gc_paused``)
        return _unmatched(problem, prepared.arcs, prepared.legal, prepared.feasible, flow)


def arc_counts(problem: Problem, prepared: PreparedArcs, *, matches: int, components: int) -> dict[str, int]:
    """The figures of a run: listings, arcs, legal and usable arcs, matches, components, each hard check's refusals."""
    arcs, legal = prepared.arcs, prepared.legal
    counts = {"offers": problem.o.size, "needs": problem.n.size, "arcs": len(arcs), "legal_arcs": int(legal.sum()),
              "usable_arcs": len(prepared.feasible), "matches": matches, "components": components}
    # Candidate pairs each hard check refused (a pair may fail several): the compliance figures of reports.
    counts.update({f"failed_{code}": int((~arcs.checks[code]).sum()) for code in HARD_CODES if code in arcs.checks})
    # Of those, the refusals that an analysis report could lift (unknown, not failed outright).
    counts.update({f"unknown_{code}": int(arcs.unknown[code].sum()) for code in HARD_CODES if code in arcs.unknown})
    return counts


def run_park(problem: Problem, *, with_candidates: bool = False,
             progress: Callable[[str], None] | None = None, prepared: PreparedArcs | None = None) -> ParkRun:
    """Allocate the whole park: every offer to the needs that serve the park best, legally.

    ``progress`` (optional) is told each stage as it starts: ``similarity``, ``candidates``
    (spatial candidates and the rule checks), ``optimise``, ``explain``. ``prepared``: this problem's
    ``prepare_arcs`` from an earlier run (a warm run, ``marketplace.services.matching.warm``).
    """
    if problem.o.size == 0 or problem.n.size == 0:
        return _empty_run(problem)
    # One pause of the cyclic collector for the whole run (see ``collector.gc_paused``): a full collection scans every
    # record of the problem (~0.2 s at 10k x 10k) and the run makes few cycles (~10^4 objects).
    started = time.perf_counter()
    with gc_paused():
        run = _run_park(problem, with_candidates=with_candidates, progress=progress, prepared=prepared)
    # The collector resumes with one young collection of every object the run made: part of the run's time.
    run.timings["total_s"] = round(time.perf_counter() - started - run.timings.get("greedy_s", 0.0), 4)
    return run


def _run_park(problem: Problem, *, with_candidates: bool, progress: Callable[[str], None] | None,
              prepared: PreparedArcs | None) -> ParkRun:
    """``run_park`` of a problem with offers and needs."""
    step = progress or (lambda _stage: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    prepared = prepare_arcs(problem, timings, step) if prepared is None else prepared
    model, feasible = prepared.model, prepared.feasible
    t = time.perf_counter()
    step("optimise")
    conflicts = conflicting_offer_pairs(problem, feasible) if problem.settings.exact else []
    allocation = allocate(problem, feasible, problem.settings, conflicts=conflicts)
    timings["solve_s"] = time.perf_counter() - t
    t = time.perf_counter()
    allocation, loop_report = apply_loops(problem, feasible, allocation)  # unchanged unless loops are favoured
    timings["loops_s"] = time.perf_counter() - t
    t = time.perf_counter()
    # The yardstick reported beside the optimum, not part of solving: the same problem (resolution, side
    # constraints, fixed cost), compared with the weight optimum before any loop was favoured.
    baseline = greedy(problem, feasible, problem.settings, conflicts)
    timings["greedy_s"] = time.perf_counter() - t
    t = time.perf_counter()
    step("explain")
    used = np.flatnonzero(allocation.flow > QUANTITY_EPS_T)
    proposals = explain_flows(problem, model, feasible, used, allocation.flow[used])
    unmatched = unmatched_listings(problem, prepared, allocation.flow)
    timings["explain_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - started - timings["greedy_s"]
    counts = arc_counts(problem, prepared, matches=len(proposals), components=allocation.components)
    candidates = [] if not with_candidates else [
        {"offer": problem.o.refs[o], "need": problem.n.refs[n], "weight": int(w), "max_t": float(m),
         "licence": problem.licences[lic].number if lic >= 0 else None}
        for o, n, w, m, lic in zip(feasible.offer.tolist(), feasible.need.tolist(), feasible.weight.tolist(),
                                   feasible.max_t.tolist(), feasible.licence.tolist())]
    capacities = {} if not with_candidates else _capacities(problem, feasible)
    return ParkRun(status=allocation.status, objective=allocation.objective, greedy_objective=baseline.objective,
                   proposals=proposals, unmatched=unmatched, timings={k: round(v, 4) for k, v in timings.items()},
                   counts=counts, solver={"name": allocation.solver, "bound": allocation.bound, "gap": allocation.gap,
                                          "seconds": round(allocation.seconds, 4), **_plain(allocation.detail)},
                   candidates=candidates, capacities=capacities, loops=loop_report.as_dict(),
                   baseline=_baseline(problem, allocation, loop_report.optimum_objective, baseline))


def _baseline(problem: Problem, allocation: Allocation, optimum: float, baseline: Allocation) -> dict[str, Any]:
    """The greedy baseline beside the optimum of the same problem, and by how much the optimum beats it.

    With loops favoured the final objective may be below the weight optimum (a loop is closed
    at a cost); the baseline is compared with the weight optimum (``optimum``), which solves
    the same problem as greedy does.
    """
    s = problem.settings
    return {"solver": "greedy", "objective": baseline.objective, "compared_with": optimum,
            "improvement": optimum - baseline.objective,
            "resolution_t": baseline.detail.get("resolution_t"),
            "side_constraints": s.exact and bool(s.min_lot_t > 0 or s.max_suppliers_per_need is not None
                                                 or s.fixed_cost_per_link),
            "same_problem": True, "loops_favoured": optimum != allocation.objective}


def _empty_run(p: Problem) -> ParkRun:
    """A park with no offers or no needs: nothing to pair (the similarity model needs both sides)."""
    return ParkRun(
        status="EMPTY", objective=0.0, greedy_objective=0.0, proposals=[], timings={"total_s": 0.0},
        unmatched={"offers": [{"offer": o.ref, "remaining_t": round(o.quantity_t, 3), "placed_t": 0.0,
                               "reason": "no active need to match (无可匹配需求)"} for o in p.offers],
                   "needs": [{"need": n.ref, "remaining_t": round(n.quantity_t, 3), "filled_t": 0.0}
                             for n in p.needs]},
        counts={"offers": p.o.size, "needs": p.n.size, "arcs": 0, "legal_arcs": 0, "usable_arcs": 0, "matches": 0,
                "components": 0},
        solver={"name": "none"},
        baseline={"solver": "greedy", "objective": 0.0, "compared_with": 0.0, "improvement": 0.0, "resolution_t": None,
                  "side_constraints": False, "same_problem": True, "loops_favoured": False})


def _capacities(p: Problem, arcs: Arcs) -> dict[str, dict[str, float]]:
    """What the optimiser had to share, for an independent check of its optimum."""
    offers = np.unique(arcs.offer)
    needs = np.unique(arcs.need)
    pools = np.unique(arcs.licence[arcs.licence >= 0])
    return {"offers": {p.o.refs[i]: float(p.o.quantity[i]) for i in offers.tolist()},
            "needs": {p.n.refs[j]: float(p.n.quantity[j]) for j in needs.tolist()},
            "licences": {p.licences[k].number: float(p.lic_remaining[k]) for k in pools.tolist()}}


class Recommender:
    """One-click matching for single listings, with the model and indexes kept warm."""

    def __init__(self, problem: Problem, statistics: ModelStatistics | None = None) -> None:
        """``statistics``: the model statistics of ``problem`` when the caller kept them (default: fitted)."""
        self.problem = problem
        # With no offers or no needs there is nobody to recommend (and nothing to fit).
        self.empty = problem.o.size == 0 or problem.n.size == 0
        self.model = None if self.empty else SimilarityModel().fit(problem, statistics)
        self.index = None if self.empty else CandidateIndex(problem, self.model)

    def with_quantities(self, problem: Problem) -> Recommender | None:
        """This recommender over ``problem``, if ``problem`` differs from its own in tonnes only
        (``Problem.differs_only_in_quantities``: a match accepted or released), else None.

        The model and index read no quantity, so they are shared (shallow copies pointed at ``problem``):
        the answers are those of a fresh ``Recommender(problem)``, without fitting anything again.
        """
        if not self.problem.differs_only_in_quantities(problem):
            return None
        fresh = copy.copy(self)
        fresh.problem = problem
        if fresh.model is not None:
            fresh.model = copy.copy(self.model)
            fresh.model.problem = problem
            fresh.index = copy.copy(self.index)
            fresh.index.problem, fresh.index.model = problem, fresh.model
        return fresh

    def recommend(self, ref: str, top: int = 5) -> list[Proposal]:
        """The best legal counterparts of one listing (needs for an offer, offers for a need).

        Each carries the quantity it could take (no park-wide allocation is made) and
        its explanation; pairs failing a hard check are never recommended. Unknown is not
        zero: a pair whose only non-passed hard checks are unknown (a limited or wanted
        substance the offer does not declare), or that carries an unknown flag (a hazardous
        offer without a composition), comes after every pair that passes everything,
        whatever its weight, with its unknown checks (``Proposal.unknown``): the
        coordinator sees it needs an analysis report.
        """
        return self.consider(ref, top=top, excluded=0).proposals

    def consider(self, ref: str, top: int = 5, excluded: int = 5) -> Consideration:
        """``recommend``, plus "why not": the ``excluded`` most similar candidates that fail a hard check.

        The candidates are the same ones ``recommend`` ranks (within reach, an accepted form,
        overlapping periods, not the same enterprise); ``counts`` say how many there were and
        why the others were left out, so an empty answer can say its real reason.
        """
        p = self.problem
        if ref not in p.o.ref_index and ref not in p.n.ref_index:
            raise KeyError(ref)
        if self.empty:
            return Consideration(proposals=[], excluded=[], counts={"candidates": 0, "failed": 0, "unfit": 0,
                                                                     "full": 0})
        wide = max(top * 4, excluded * 4, p.settings.top_k)
        is_offer = ref in p.o.ref_index
        if is_offer:
            arcs = self.index.needs_for_offers(np.array([p.o.ref_index[ref]]), top_k=wide)
        else:
            arcs = self.index.offers_for_needs(np.array([p.n.ref_index[ref]]), top_k=wide)
        evaluate_rules(p, arcs)
        score(p, arcs)
        failed = arcs.failed_hard(HARD_CODES)
        fits = arcs.fitting()
        room = arcs.max_t > QUANTITY_EPS_T
        # No fit, no recommendation: fewer than ``top`` may come back (the caller says so).
        ok = np.flatnonzero(~failed & fits & room)
        # tier 0: every check decided and every hard one passed; tier 1: something unknown
        tier = arcs.any_unknown()[ok].astype(np.int64)
        ranked = ok[np.lexsort((-arcs.weight[ok], tier))][:top]
        proposals = _proposals(p, self.model, arcs, ranked, arcs.max_t[ranked])
        bad = np.flatnonzero(failed)
        # The most similar first: the partner one expected is the one that looks most alike.
        bad = bad[np.lexsort((arcs.distance_km[bad], -arcs.similarity[bad]))][:excluded]
        other = arcs.need if is_offer else arcs.offer
        refs = p.n.refs if is_offer else p.o.refs
        out = [Excluded(listing=refs[int(other[k])], similarity=round(float(arcs.similarity[k]), 4),
                        distance_km=round(float(arcs.distance_km[k]), 2),
                        checks=[c for c in explain(p, arcs, int(k)) if c.hard and not c.passed and not c.unknown])
               for k in bad.tolist()]
        counts = {"candidates": len(arcs), "failed": int(failed.sum()), "unfit": int((~failed & ~fits).sum()),
                  "full": int((~failed & fits & ~room).sum())}
        return Consideration(proposals=proposals, excluded=out, counts=counts)

    def blocked(self, ref: str, limit: int = 10) -> list[tuple[str, list[Check]]]:
        """Near candidates that did not pass a hard check, with those checks: 'why not X?'.

        A check that is unknown rather than failed says so (``Check.unknown``, detail:
        needs an analysis report).
        """
        p = self.problem
        if self.empty:
            return []
        if ref in p.o.ref_index:
            arcs = self.index.needs_for_offers(np.array([p.o.ref_index[ref]]), top_k=limit)
            other = lambda k: p.n.refs[arcs.need[k]]
        else:
            arcs = self.index.offers_for_needs(np.array([p.n.ref_index[ref]]), top_k=limit)
            other = lambda k: p.o.refs[arcs.offer[k]]
        evaluate_rules(p, arcs)
        bad = np.flatnonzero(~arcs.passed_hard(HARD_CODES))
        return [(other(k), [c for c in explain(p, arcs, int(k)) if c.hard and not c.passed]) for k in bad]


@dataclass
class Excluded:
    """A candidate left out of one-click because it fails a hard check ("why not"), with those checks."""

    listing: str  # the counterpart's ref
    similarity: float
    distance_km: float
    checks: list[Check]


@dataclass
class Consideration:
    """One listing's one-click answer: the proposals, the best excluded candidates, and how many of each.

    ``counts``: ``candidates`` within reach (form, period, distance, another enterprise),
    ``failed`` a hard check, ``unfit`` (legal, no evidence the material fits), ``full``
    (legal and fitting, but nothing left to move between them).
    """

    proposals: list[Proposal]
    excluded: list[Excluded]
    counts: dict[str, int]


def _plain(value: Any) -> Any:
    """NumPy scalars and arrays as plain Python, so results serialise as JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _proposals(p: Problem, model: SimilarityModel, arcs: Arcs, ks: np.ndarray,
               quantities: np.ndarray) -> list[Proposal]:
    """Explained proposals for the arcs ``ks``; the numeric parts are computed in one pass."""
    ks = np.asarray(ks, dtype=np.int64)
    if ks.size == 0:
        return []
    memo = _KEPT.get(id(arcs))
    with gc_paused():
        if memo is None:
            return _explained(p, model, arcs, ks, quantities)
        return _remembered(memo, p, model, arcs, ks, quantities)


# id(arcs) -> {arc index: its proposal as first explained}, for arcs kept by ``keep_explanations``.
_KEPT: dict[int, dict[int, Proposal]] = {}


def keep_explanations(arcs: Arcs) -> None:
    """Remember each proposal explained over ``arcs`` so that a later run over the same arcs reuses it.

    A proposal's explanation depends on its arc only (checks, reasons, terms, licence); its quantity
    and score are set again each time. For a warm run that keeps its arcs between runs
    (``marketplace.services.matching.warm``); the memory goes with the arcs.
    """
    if id(arcs) not in _KEPT:
        _KEPT[id(arcs)] = {}
        weakref.finalize(arcs, _KEPT.pop, id(arcs), None)


def _remembered(memo: dict[int, Proposal], p: Problem, model: SimilarityModel, arcs: Arcs, ks: np.ndarray,
                quantities: np.ndarray) -> list[Proposal]:
    """``_explained`` through ``memo``: arcs explained before are copied with their new quantity."""
    quantities = np.asarray(quantities, dtype=np.float64)
    keys = ks.tolist()
    missing = [i for i, k in enumerate(keys) if k not in memo]
    fresh = dict(zip(missing, _explained(p, model, arcs, ks[missing], quantities[missing]))) if missing else {}
    out = []
    for i, (k, q) in enumerate(zip(keys, quantities.tolist())):
        made = fresh.get(i)
        if made is not None:
            memo[k] = _copy(made)  # the caller owns what it is given
            out.append(made)
            continue
        proposal = _copy(memo[k])
        proposal.quantity_t = round(q, 3)
        proposal.score = round(proposal.weight * proposal.quantity_t, 3)
        out.append(proposal)
    return out


def _copy(proposal: Proposal) -> Proposal:
    """A proposal whose lists and dicts are its own (the checks themselves are shared: nobody changes one)."""
    out = copy.copy(proposal)
    out.checks, out.reasons, out.components = list(out.checks), list(out.reasons), list(out.components)
    out.terms, out.similarity_blocks = dict(out.terms), dict(out.similarity_blocks)
    return out


def _explained(p: Problem, model: SimilarityModel, arcs: Arcs, ks: np.ndarray,
               quantities: np.ndarray) -> list[Proposal]:
    """``_proposals`` for a non-empty ``ks``."""
    oi, ni = arcs.offer[ks], arcs.need[ks]
    terms = terms_for(p, arcs, ks)
    values, present = model.pair_blocks(oi, ni)
    evidence = model.pair_evidence(oi, ni, values, present)
    shared = model.concept_names(oi, ni)
    tops = model.top_components(oi, ni)
    # Plain Python values read once, not one NumPy scalar at a time (the loop runs per proposal).
    vals, present_l, evidence_l = values.tolist(), present.tolist(), evidence.tolist()
    licences = arcs.licence[ks].tolist() if arcs.licence is not None else [-1] * ks.size
    weights, distances = arcs.weight[ks].tolist(), arcs.distance_km[ks].tolist()
    similarities, quantity_l = arcs.similarity[ks].tolist(), np.asarray(quantities, dtype=np.float64).tolist()
    out = []
    for i, (k, o, n) in enumerate(zip(ks.tolist(), oi.tolist(), ni.tolist())):
        offer, need = p.offers[o], p.needs[n]
        checks = explain(p, arcs, k)
        row, has = vals[i], present_l[i]
        blocks = {b: round(row[j], 3) for j, b in enumerate(BLOCKS) if has[j]}
        components = [{"substance": key, "name": offer.names.get(key) or need.names.get(key) or key,
                       "name_zh": substance_name_zh(key, offer, need), "contribution": round(c, 3)}
                      for key, c in tops[i]]
        lic = licences[i]
        exempted = checks[_EXEMPTION_AT]
        exemption = None if exempted.passed else exempted.detail
        quantity = round(quantity_l[i], 3)
        weight = weights[i]
        distance = distances[i]
        out.append(Proposal(
            offer=offer.ref, need=need.ref, offer_enterprise=offer.site.enterprise,
            need_enterprise=need.site.enterprise, quantity_t=quantity, weight=weight,
            score=round(weight * quantity, 3), distance_km=round(distance, 2),
            similarity=round(similarities[i], 4), checks=checks,
            reasons=[_evidence_text(tuple(evidence_l[i]), tuple(shared[i])),
                     *_reasons(terms[i], blocks, components, distance, need.purpose, checks)],
            terms=terms[i].as_dict(), similarity_blocks=blocks, components=components,
            licence=p.licences[lic].number if lic >= 0 else None, exemption=exemption,
            offer_id=offer.id, need_id=need.id))
    return out


# Evidence kinds: (中文, English).
_EVIDENCE_WORDS = {"composition": ("成分", "composition"), "text": ("名称", "title"),
                   "code": ("废物代码或许可类别", "waste code or licence category")}
PURPOSE_WORDS = {"reuse": ("再使用", "reuse"), "recycle": ("再生利用", "recycle"), "co_process": ("协同处置", "co-processing"),
                 "recover_energy": ("能量回收", "energy recovery"), "dispose": ("处置", "disposal")}


def bilingual(zh: str, en: str) -> str:
    """A reason in both languages, ``中文 / English`` (the pages show their language's half).

    The Chinese half never holds `` / `` (``web.i18n.split_bilingual`` splits at the first one).
    """
    return f"{zh.replace(' / ', '、')} / {en}"


def detail_halves(detail: str) -> tuple[str, str]:
    """A check detail as (中文, English): a bilingual detail is split, an English-only one is kept for both."""
    zh, sep, en = detail.partition(" / ")
    return (zh, en) if sep and any("\u4e00" <= ch <= "\u9fff" for ch in zh) else (detail, detail)


def _evidence_reason(evidence: np.ndarray, concepts: list[str]) -> str:
    """Why the pair is a candidate at all: the evidence that the material fits the need."""
    return _evidence_text(tuple(evidence.tolist()), tuple(concepts))


@functools.lru_cache(maxsize=4096)  # few distinct (evidence, materials) combinations in a park
def _evidence_text(evidence: tuple[bool, ...], concepts: tuple[str, ...]) -> str:
    """``_evidence_reason`` of hashable arguments."""
    kinds = [_EVIDENCE_WORDS[k] for k, has in zip(EVIDENCE, evidence) if has]
    if not kinds:  # a pair the user named (point-to-point): the engine did not judge its fit
        return bilingual("适配依据：未发现，请确认该物料适合此需求", "Evidence of fit: none found; check the material suits the need")
    zh = "、".join(k[0] for k in kinds)
    en = ", ".join(k[1] for k in kinds)
    if concepts:
        zh += "（" + "；".join(TERMS_BY_KEY[k].zh[0] for k in concepts) + "）"
        en += " (" + "; ".join(TERMS_BY_KEY[k].en[0] for k in concepts) + ")"
    return bilingual(f"适配依据：{zh}", f"Evidence of fit: {en}")


def _yuan(v: float) -> tuple[str, str]:
    """A signed CNY-per-tonne figure: ('+120 元/吨', '+120 CNY/t'); the minus sign is a real one."""
    text = f"{v:+,.0f}".replace("-", "−")
    return f"{text} 元/吨", f"{text} CNY/t"


def _reasons(terms, blocks: dict[str, float], components: list[dict[str, Any]], distance: float, purpose: str,
             checks: list[Check]) -> list[str]:
    """Short sentences a coordinator reads first (the checks carry the full detail), each ``中文 / English``.

    Fits are percentages; money is CNY per tonne with its sign (``matching.scoring``). The
    price reason starts with ``价格`` (``disclosure.PRICE_REASON_PREFIX`` hides it until both accept).
    """
    out = []
    if components:
        names = "、".join(c.get("name_zh") or c["name"] for c in components)
        fit = round(100 * blocks.get("composition", 0))
        out.append(bilingual(f"成分相近：{names}（成分吻合度 {fit} %）",
                             f"Similar composition: {', '.join(c['name'] for c in components)} "
                             f"(composition fit {fit} %)"))
    elif "text" in blocks:
        fit = round(100 * blocks["text"])
        out.append(bilingual(f"名称描述相近（吻合度 {fit} %）", f"Similar description (fit {fit} %)"))
    use_zh, use_en = PURPOSE_WORDS.get(purpose, (purpose, purpose))
    zh, en = _yuan(terms.hierarchy)
    out.append(bilingual(f"用途{use_zh}：资源化层级价值 {zh}", f"Purpose {use_en}: waste-hierarchy value {en}"))
    if terms.diversion:
        zh, en = _yuan(terms.diversion)
        out.append(bilingual(f"避免填埋或焚烧：{zh}", f"Diverted from landfill or incineration: {en}"))
    if terms.price:
        zh, en = _yuan(terms.price)
        out.append(bilingual(f"价格差：{zh}（双方报价之差的 20 %）",
                             f"Price spread: {en} (20 % of the difference between the two prices)"))
    zh, en = _yuan(-terms.transport)
    out.append(bilingual(f"运输 {distance:.1f} km：{zh}", f"Transport {distance:.1f} km: {en}"))
    for c in checks:
        if not (c.unknown or (not c.passed and not c.hard)):
            continue
        spec = RULE_NAMES.get(c.code)
        name_zh, name_en = (spec.name_zh, spec.name_en) if spec is not None else (c.code, c.code)
        d_zh, d_en = detail_halves(c.detail)
        if c.unknown:
            out.append(bilingual(f"待核实（需检测报告）：{name_zh}：{d_zh}",
                                 f"Unknown (needs an analysis report): {name_en}: {d_en}"))
        else:
            out.append(bilingual(f"需注意：{name_zh}：{d_zh}", f"Flag: {name_en}: {d_en}"))
    return out


def _unmatched(p: Problem, arcs: Arcs, legal: np.ndarray, feasible: Arcs,
               flow: np.ndarray) -> dict[str, list[dict[str, Any]]]:
    """Offers and needs left (partly) unserved, each with the reason a coordinator can act on."""
    shipped_o = np.bincount(feasible.offer, weights=flow, minlength=p.o.size) if len(feasible) \
        else np.zeros(p.o.size)
    shipped_n = np.bincount(feasible.need, weights=flow, minlength=p.n.size) if len(feasible) \
        else np.zeros(p.n.size)
    # offers × hard codes: how many of each offer's candidates each check refused
    failing = np.stack([np.bincount(arcs.offer[~arcs.checks[code]], minlength=p.o.size) for code in HARD_CODES],
                       axis=1)
    cands = np.bincount(arcs.offer, minlength=p.o.size)
    legal_o = np.bincount(arcs.offer[legal], minlength=p.o.size)
    fitting_o = np.bincount(arcs.offer[legal & arcs.fitting()], minlength=p.o.size)
    # candidates refused only by unknown checks: a report (or a declaration) would make them legal
    undecided = ~legal & ~arcs.failed_hard(HARD_CODES)
    undecided_o = np.bincount(arcs.offer[undecided], minlength=p.o.size)
    unknown_codes = tuple(code for code in HARD_CODES if code in arcs.unknown)
    unknown_counts = np.stack([np.bincount(arcs.offer[undecided & arcs.unknown[code]], minlength=p.o.size)
                               for code in unknown_codes], axis=1) if unknown_codes else np.zeros((p.o.size, 0), int)
    offers = []
    for o in np.flatnonzero(p.o.quantity - shipped_o > QUANTITY_EPS_T).tolist():
        if cands[o] == 0:
            reason = "no need within reach accepts this form in this period (无可达需求)"
        elif legal_o[o] == 0 and undecided_o[o] > 0:
            top = _most_common(unknown_codes, unknown_counts[o])
            reason = (f"{undecided_o[o]} of {cands[o]} candidates are blocked only by unknown checks ({top}): "
                      f"needs an analysis report, or the composition declared (需提供检测报告)")
        elif legal_o[o] == 0:
            top = _most_common(HARD_CODES, failing[o])
            reason = f"all {cands[o]} candidates fail hard checks: {top} (候选均未通过合规检查)"
        elif fitting_o[o] == 0:
            reason = (f"{legal_o[o]} legal candidates, none with evidence that the material fits "
                      f"(合规候选均无物料适配依据)")
        elif shipped_o[o] <= QUANTITY_EPS_T:
            reason = "legal candidates exist but their capacity went to better pairs (产能已分配)"
        else:
            reason = "partly placed: the rest exceeds what its legal candidates can take (部分匹配)"
        offers.append({"offer": p.o.refs[o], "remaining_t": round(float(p.o.quantity[o] - shipped_o[o]), 3),
                       "placed_t": round(float(shipped_o[o]), 3), "reason": reason})
    needs = [{"need": p.n.refs[n], "remaining_t": round(float(p.n.quantity[n] - shipped_n[n]), 3),
              "filled_t": round(float(shipped_n[n]), 3)}
             for n in np.flatnonzero(p.n.quantity - shipped_n > QUANTITY_EPS_T).tolist()]
    return {"offers": offers, "needs": needs}


def _most_common(codes: tuple[str, ...], counts: np.ndarray, top: int = 3) -> str:
    """``code×n`` of the ``top`` largest counts, ties in ``codes`` order (as ``Counter.most_common``); zeros left out."""
    return ", ".join(f"{codes[i]}×{counts[i]}" for i in np.argsort(-counts, kind="stable")[:top].tolist()
                     if counts[i] > 0)
