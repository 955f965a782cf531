"""The regulatory and safety checks of DESIGN ("Regulatory and safety rules"), on every arc.

Thirteen checks with stable codes, in DESIGN order, one module each (``hw_licence.py`` …
``incompatible_mix.py``), plus the soft ``composition_declared`` flag (a hazardous offer
without a composition) and the hard ``stream_permit`` (the receivers' permits of the construction and
household streams, issue 20): each with its :class:`RuleSpec`, its vectorised check and its
explanation side by side, listed in ``registry.REGISTRY``. A check passes, fails or is
*unknown* (``base``: the declared data do not decide it, and unknown is never passed). ``evaluate_rules`` runs them
vectorised over all candidate arcs of a :class:`~matching.problem.Problem` (millions of
arcs: no Python loop per arc) and fills ``arcs.checks`` plus the licence/exemption
columns the optimiser needs; ``explain`` recomputes the checks of one arc the slow,
readable way and says why each passed or failed (the tests hold both to agreement).

Hard checks remove an arc; soft checks (``exemption``, ``cross_province_transfer``,
``composition_declared``) keep it and flag it for the coordinator. When the data leave a legal question open,
the arc is blocked and the detail says why: a hard check is never traded.

Decisions that the regulations leave to us are documented where they are made:
collection-only licences (``vocabulary.COLLECTION_CODES``), point-to-point approvals
(``vocabulary.APPROVAL_PURPOSES``), the licence pool of a need
(``licensing.choose_pools``), unknown provinces (``cross_province_transfer``). What
several rules share lives in its own module: ``features`` (per-problem arrays),
``licensing`` (licence coverage, lifting and pools), ``arrays`` and ``text`` (helpers).
Pure: NumPy/SciPy only.
"""
from __future__ import annotations

from .base import Check, Rule, RuleSpec
from .incompatible_mix import conflicting_offer_pairs, incompatible, reactivity_groups
from .registry import (
    HARD_CODES,
    REGISTRY,
    RULES,
    SOFT_CODES,
    UNKNOWN_CODES,
    _explain_arc,  # noqa: F401 - the tests hold explain to evaluate_rules with it
    evaluate_rules,
    explain,
    failed_hard,
    substances_to_report,
    unknown_checks,
)
from .vocabulary import APPROVAL_PURPOSES, COLLECTION_CODES

__all__ = [
    "RuleSpec", "RULES", "HARD_CODES", "SOFT_CODES", "Check", "evaluate_rules", "explain",
    "reactivity_groups", "incompatible", "conflicting_offer_pairs", "failed_hard",
    "COLLECTION_CODES", "APPROVAL_PURPOSES", "Rule", "REGISTRY", "UNKNOWN_CODES", "unknown_checks",
    "substances_to_report",
]
