"""The thirteen rules in DESIGN order plus the ``composition_declared`` flag (issue 16) and the receivers' stream
permits (``stream_permit``, issue 20), and the two loops over them: ``evaluate_rules`` and ``explain``."""
from __future__ import annotations

from collections.abc import Iterable

from ..arcs import Arcs
from ..problem import NeedRecord, OfferRecord, Problem
from . import (
    availability,
    composition_declared,
    contaminant_limit,
    cross_province_transfer,
    distance,
    exemption,
    form,
    hw_licence,
    incompatible_mix,
    licence_capacity,
    medical_waste,
    pops_destruction_only,
    required_component,
    self_match,
    stream_permit,
)
from .base import ArcBatch, ArcCase, Check, Rule, RuleSpec
from .features import composition_is_complete
from .licensing import arc_pool, licence_column, licence_view, lifting
from .text import substance_name

REGISTRY: tuple[Rule, ...] = (
    hw_licence.RULE,
    licence_capacity.RULE,
    exemption.RULE,
    pops_destruction_only.RULE,
    medical_waste.RULE,
    contaminant_limit.RULE,
    required_component.RULE,
    form.RULE,
    distance.RULE,
    cross_province_transfer.RULE,
    availability.RULE,
    self_match.RULE,
    incompatible_mix.RULE,
    composition_declared.RULE,
    stream_permit.RULE,
)
_BY_CODE = {r.spec.code: r for r in REGISTRY}
RULES: tuple[RuleSpec, ...] = tuple(r.spec for r in REGISTRY)
HARD_CODES: tuple[str, ...] = tuple(r.code for r in RULES if r.hard)
SOFT_CODES: tuple[str, ...] = tuple(r.code for r in RULES if not r.hard)
# The codes whose check can be unknown (not decided by what is declared): ``arcs.unknown`` has these.
UNKNOWN_CODES: tuple[str, ...] = tuple(r.spec.code for r in REGISTRY if r.unknown is not None)
_EXPLAIN = tuple((r.spec.code, r.spec.hard, r.explain) for r in REGISTRY)


def evaluate_rules(problem: Problem, arcs: Arcs) -> None:
    """Run the checks on every arc, vectorised; fill ``arcs.checks``, ``arcs.unknown`` and the licence columns.

    Sets ``arcs.checks[code]`` (bool, True = passed; unknown is not passed) for every code
    of :data:`RULES`, ``arcs.unknown[code]`` (bool, True = not passed only because the
    declared data do not decide it) for every code of :data:`UNKNOWN_CODES`,
    ``arcs.licence`` (licence index the arc draws capacity from, -1 none: non-HW,
    exempted, or no covering licence; an arc that fails ``licence_capacity`` only because
    its need draws on another licence keeps the licence it would use), ``arcs.exemption``
    (index into ``EXEMPTION_RULES``, -2 point-to-point approval, -1 none) and
    ``arcs.approval`` (index into ``problem.approvals``, -1 none).
    """
    batch = ArcBatch(problem, arcs, _BY_CODE)
    checks = {spec.code: batch.passed(spec.code) for spec in RULES}
    lifted = lifting(batch)
    arcs.licence = licence_column(batch)
    arcs.exemption = lifted.exemption
    arcs.approval = lifted.approval
    arcs.checks.update(checks)
    arcs.unknown.update({code: batch.unknown(code) for code in UNKNOWN_CODES})


def _explain_arc(problem: Problem, arcs: Arcs, k: int, *,
                 recompute_pool: bool = False) -> tuple[list[Check], int, int, int]:
    """Checks of arc ``k`` plus (licence, exemption, approval) as ``evaluate_rules`` sets them.

    Every check is recomputed from the records, except the licence pool: a set-level
    choice over all arcs of the need. When ``arcs`` were evaluated, the pool is read
    from ``arcs.licence``/``arcs.checks`` so that explaining a subset of the arcs (the
    feasible ones, one proposal) reports the pool the optimiser used; with
    ``recompute_pool`` (or unevaluated arcs) it is recomputed from the arcs given.
    """
    case = ArcCase(problem, arcs, k, _BY_CODE, recompute_pool=recompute_pool)
    checks = _checks(case)
    view = licence_view(case)
    return checks, arc_pool(case)[0], view.exemption, view.approval


def _checks(case: ArcCase) -> list[Check]:
    # Each rule's explain called directly, not through ``case.verdict``: this runs once per
    # proposal, and the memo only serves rules that ask for another rule's verdict.
    out = []
    kept = _KEPT_CHECKS
    for code, hard, explain_rule in _EXPLAIN:
        passed, detail = explain_rule(case)
        key = (code, passed, detail)
        check = kept.get(key)
        if check is None:
            if len(kept) >= _KEPT_CHECKS_MAX:
                kept.clear()
            check = kept[key] = Check(code, bool(passed), hard, detail, unknown=passed is None)
        out.append(check)
    return out


# (code, passed, detail) -> its Check: most checks of a park run say the same thing ("different enterprises"),
# and one frozen Check shared by many proposals is cheaper to make and for the garbage collector to scan.
# Bounded: details with a distance are nearly all distinct.
_KEPT_CHECKS: dict[tuple[str, bool | None, str], Check] = {}
_KEPT_CHECKS_MAX = 100_000


def explain(problem: Problem, arcs: Arcs, k: int) -> list[Check]:
    """The checks of arc ``k``, in registry order, each with a human detail (and ``unknown`` when undecided).

    Recomputed from the records (not read from ``arcs.checks``), so it is slow: call it
    only for the arcs shown to users. The one exception is the licence pool of the
    arc's need, a choice over all its arcs: read from ``arcs.licence`` when ``arcs``
    were evaluated (so a subset such as the feasible arcs explains the pool the
    optimiser used), else recomputed from the arcs given as :func:`evaluate_rules` does.
    """
    return _checks(ArcCase(problem, arcs, k, _BY_CODE))


def failed_hard(checks: Iterable[Check]) -> list[Check]:
    """The hard checks that did not pass (failed or unknown), in order."""
    return [c for c in checks if c.hard and not c.passed]


def unknown_checks(checks: Iterable[Check]) -> list[Check]:
    """The checks (hard or soft) that the declared data do not decide, in order: each needs an analysis report."""
    return [c for c in checks if c.unknown]


def substances_to_report(offer: OfferRecord, need: NeedRecord) -> list[str]:
    """What an analysis report (or a declaration) must cover to decide the pair's unknown hard checks.

    The substances the need limits that the offer does not declare on a composition that is
    not complete (``contaminant_limit``), and the ones it wants when the offer declares no
    composition at all (``required_component``); named as the listings name them.
    """
    keys = [] if composition_is_complete(offer) else [k for k in need.limits if k not in offer.composition]
    if not offer.composition:
        keys += [k for k in need.wanted if k not in keys]
    return [substance_name(k, need, offer) for k in keys]
