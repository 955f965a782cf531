"""What every rule module builds on: its spec, its outcome, and the two views of arcs a rule reads.

A rule is one :class:`Rule`: a :class:`RuleSpec` (code, hard or soft, names), a
vectorised ``check`` over an :class:`ArcBatch` (all arcs of one ``evaluate_rules``
call) and an ``explain`` of one :class:`ArcCase` (one arc, from the records). Both views
compute a check on first request and keep it, so a rule may ask for another rule's
outcome (the licence pool asks for the per-arc checks that make an arc viable) and a
stage several rules share (licence coverage) runs once: see ``passed``/``verdict`` and
``shared``.

A check has three outcomes: passed, failed and *unknown* (the data the holder declared do
not decide it: a limited substance not declared on an offer whose composition is not
complete). Unknown is never passed: ``check`` answers False for it, so every consumer of
``arcs.checks`` blocks such an arc; a rule that can be unknown also gives ``unknown`` (True
per arc where its False means "not decided"), and its ``explain`` answers ``None`` for
passed. Every detail is written ``中文 / English`` (``text.bilingual``): the pages show the
half of their language, the API carries both.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from ..arcs import Arcs
from ..problem import Problem
from .features import Features, features
from .vocabulary import DISPOSE

T = TypeVar("T")
# (passed, detail) of one check on one arc; passed None: unknown (not passed, not failed outright)
Verdict = tuple[bool | None, str]
UNKNOWN = None  # what ``explain`` answers for passed when the declared data do not decide the check


@dataclass(frozen=True)
class RuleSpec:
    """One check of DESIGN: stable code, hard (removes the arc) or soft (flags it), names."""

    code: str
    hard: bool
    name_zh: str
    name_en: str
    description: str


@dataclass(frozen=True)
class Check:
    """The outcome of one check on one arc, with a human-readable detail.

    ``unknown``: the declared data do not decide the check (``passed`` is then False:
    unknown is never passed); the detail says what to provide (an analysis report).
    """

    code: str
    passed: bool
    hard: bool
    detail: str
    unknown: bool = False

    @property
    def status(self) -> str:
        """``passed``, ``failed`` or ``unknown``."""
        return "unknown" if self.unknown else ("passed" if self.passed else "failed")


@dataclass(frozen=True)
class Rule:
    """One rule: its spec, its vectorised check and its explanation, side by side.

    ``pool_viability``: an arc failing this check does not count towards its need's
    licence pool (``licensing.choose_pools``), so a need is not tied to a licence whose
    arcs are infeasible anyway.
    """

    spec: RuleSpec
    check: Callable[[ArcBatch], np.ndarray]  # bool per arc, True = passed (unknown is not passed)
    explain: Callable[[ArcCase], Verdict]
    pool_viability: bool = False
    # bool per arc, True = not passed only because the declared data do not decide it; None: never unknown
    unknown: Callable[[ArcBatch], np.ndarray] | None = None


class _Stages:
    """``shared``: a step several rules need (licence coverage, the receiver's licences), run once."""

    __slots__ = ()
    _shared: dict[Callable, Any]

    def shared(self, stage: Callable[[Any], T]) -> T:
        """``stage(self)``, computed on first request and kept."""
        try:
            return self._shared[stage]
        except KeyError:
            out = self._shared[stage] = stage(self)
            return out


class ArcBatch(_Stages):
    """The arcs of one ``evaluate_rules`` call as the vectorised checks read them (index arrays)."""

    def __init__(self, problem: Problem, arcs: Arcs, rules: Mapping[str, Rule]) -> None:
        self.problem = problem
        self.f: Features = features(problem)
        self.o = np.asarray(arcs.offer, dtype=np.int64)
        self.n = np.asarray(arcs.need, dtype=np.int64)
        self.d = np.asarray(arcs.distance_km, dtype=np.float64)
        self.size = self.o.size
        self.po, self.pn = problem.o, problem.n
        self.purpose = self.pn.purpose[self.n]
        self.dispose = self.purpose == DISPOSE
        self.hw = self.po.is_hw[self.o]
        self.ne = self.pn.enterprise[self.n]  # receiving enterprise
        self._rules = rules
        self._passed: dict[str, np.ndarray] = {}
        self._shared: dict[Callable, object] = {}

    def passed(self, code: str) -> np.ndarray:
        """Check ``code`` on every arc (True = passed), computed on first request."""
        out = self._passed.get(code)
        if out is None:
            out = self._passed[code] = self._rules[code].check(self)
        return out

    def unknown(self, code: str) -> np.ndarray:
        """Where check ``code`` is unknown (all False for a rule that is never unknown)."""
        rule = self._rules[code]
        if rule.unknown is None:
            return np.zeros(self.size, dtype=bool)
        return rule.unknown(self)

    def pool_viable(self) -> np.ndarray:
        """Arcs that pass every check with ``pool_viability``."""
        viable = np.ones(self.size, dtype=bool)
        for rule in self._rules.values():
            if rule.pool_viability:
                viable &= self.passed(rule.spec.code)
        return viable


class ArcCase(_Stages):
    """One arc as ``explain`` reads it: the records themselves, the slow and readable way."""

    # Built once per explained arc (per proposal): slots keep that cheap.
    __slots__ = ("problem", "arcs", "k", "oi", "ni", "dist", "offer", "need", "hw", "receiver_licences",
                 "recompute_pool", "_rules", "_verdicts", "_shared")

    def __init__(self, problem: Problem, arcs: Arcs, k: int, rules: Mapping[str, Rule], *,
                 recompute_pool: bool = False) -> None:
        self.problem, self.arcs, self.k = problem, arcs, k
        self.oi, self.ni, self.dist = int(arcs.offer[k]), int(arcs.need[k]), float(arcs.distance_km[k])
        self.offer, self.need = problem.offers[self.oi], problem.needs[self.ni]
        self.hw = bool(self.offer.waste_code)
        # the licences the receiving enterprise holds (valid or not)
        self.receiver_licences: Sequence[int] = problem.licences_of_enterprise.get(
            problem.enterprise_index[self.need.site.enterprise], [])
        self.recompute_pool = recompute_pool
        self._rules = rules
        self._verdicts: dict[str, Verdict] = {}
        self._shared: dict[Callable, object] = {}

    def verdict(self, code: str) -> Verdict:
        """(passed, detail) of check ``code`` on this arc (passed None: unknown), computed on first request."""
        out = self._verdicts.get(code)
        if out is None:
            out = self._verdicts[code] = self._rules[code].explain(self)
        return out

    def pool_viable(self) -> bool:
        """True if the arc passes every check with ``pool_viability``."""
        # An unknown verdict (None) is not passed: such an arc does not count towards a pool.
        return all(self.verdict(rule.spec.code)[0] for rule in self._rules.values() if rule.pool_viability)

    def other(self, k: int) -> ArcCase:
        """Arc ``k`` of the same arcs, read the same way."""
        return ArcCase(self.problem, self.arcs, k, self._rules, recompute_pool=self.recompute_pool)
