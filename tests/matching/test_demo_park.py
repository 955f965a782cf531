"""The demonstration park as a regression set: what its author meant to be legal and illegal.

The pairs come from the demo's design (marketplace/demo/build_demo_park.py): tempting
pairs that break a rule (wrong licence category, expired licence, POP to reuse,
contaminant limits, distance, form, availability, self-match …) must never be
recommended or allocated; the intended legal symbioses should mostly be found (a few
are blocked on purpose where the engine cannot verify an exemption's conditions).
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from benchmarks.eval_synergies import records_from_document
from matching.pipeline import Recommender, run_park
from matching.problem import Problem, Settings
from tests.conftest import DEMO_PARK

ILLEGAL = [
    ("O-027", "N-014"), ("O-046", "N-017"), ("O-003", "N-006"), ("O-049", "N-006"), ("O-020", "N-031"), ("O-046", "N-002"), ("O-021", "N-002"), ("O-014", "N-048"),
    ("O-077", "N-048"), ("O-010", "N-051"), ("O-013", "N-051"), ("O-086", "N-052"), ("O-081", "N-011"), ("O-084", "N-011"), ("O-058", "N-005"), ("O-014", "N-009"),
    ("O-048", "N-021"), ("O-077", "N-020"), ("O-063", "N-042"), ("O-047", "N-038"), ("O-076", "N-036"), ("O-082", "N-036"), ("O-093", "N-025"), ("O-001", "N-041"),
    ("O-017", "N-013"), ("O-017", "N-014"), ("O-017", "N-020"), ("O-070", "N-017"), ("O-100", "N-027"), ("O-071", "N-040"), ("O-057", "N-006"), ("O-057", "N-021"),
    ("O-083", "N-039"), ("O-023", "N-024"), ("O-028", "N-045"), ("O-032", "N-043"), ("O-035", "N-043"), ("O-019", "N-045"), ("O-069", "N-027"), ("O-098", "N-043"),
    ("O-034", "N-047"), ("O-089", "N-029"), ("O-011", "N-009"), ("O-024", "N-053"),
]
INTENDED_LEGAL = [
    ("O-025", "N-012"), ("O-026", "N-012"), ("O-030", "N-012"), ("O-027", "N-013"), ("O-031", "N-013"), ("O-016", "N-014"), ("O-021", "N-015"), ("O-046", "N-016"),
    ("O-059", "N-017"), ("O-094", "N-017"), ("O-029", "N-018"), ("O-040", "N-018"), ("O-033", "N-006"), ("O-037", "N-006"), ("O-058", "N-006"), ("O-063", "N-006"),
    ("O-042", "N-007"), ("O-038", "N-007"), ("O-054", "N-007"), ("O-057", "N-008"), ("O-081", "N-051"), ("O-084", "N-051"), ("O-081", "N-009"), ("O-010", "N-009"),
    ("O-012", "N-009"), ("O-013", "N-009"), ("O-006", "N-010"), ("O-076", "N-034"), ("O-082", "N-034"), ("O-085", "N-052"), ("O-077", "N-004"), ("O-079", "N-004"),
    ("O-048", "N-001"), ("O-014", "N-001"), ("O-018", "N-003"), ("O-020", "N-003"), ("O-035", "N-003"), ("O-039", "N-003"), ("O-019", "N-003"), ("O-017", "N-002"),
    ("O-086", "N-002"), ("O-001", "N-020"), ("O-044", "N-020"), ("O-056", "N-020"), ("O-060", "N-020"), ("O-091", "N-020"), ("O-003", "N-021"), ("O-049", "N-021"),
    ("O-061", "N-021"), ("O-093", "N-022"), ("O-101", "N-022"), ("O-102", "N-023"), ("O-022", "N-019"), ("O-071", "N-019"), ("O-066", "N-024"), ("O-066", "N-028"),
    ("O-088", "N-025"), ("O-089", "N-025"), ("O-068", "N-026"), ("O-100", "N-026"), ("O-068", "N-027"), ("O-004", "N-030"), ("O-015", "N-030"), ("O-087", "N-030"),
    ("O-007", "N-030"), ("O-009", "N-030"), ("O-009", "N-039"), ("O-047", "N-039"), ("O-051", "N-039"), ("O-055", "N-039"), ("O-062", "N-039"), ("O-090", "N-031"),
    ("O-034", "N-032"), ("O-098", "N-032"), ("O-099", "N-033"), ("O-034", "N-043"), ("O-098", "N-047"), ("O-039", "N-050"), ("O-074", "N-045"), ("O-045", "N-042"),
    ("O-036", "N-044"), ("O-097", "N-045"), ("O-097", "N-046"), ("O-096", "N-049"), ("O-072", "N-040"), ("O-073", "N-040"), ("O-071", "N-041"), ("O-005", "N-035"),
    ("O-043", "N-035"), ("O-041", "N-037"), ("O-024", "N-038"), ("O-053", "N-038"), ("O-065", "N-038"), ("O-075", "N-038"), ("O-078", "N-038"), ("O-053", "N-053"),
    ("O-092", "N-054"), ("O-095", "N-048"),
]


@pytest.fixture(scope="module")
def demo_problem() -> Problem:
    today = dt.date(2026, 11, 23)
    offers, needs, licences = records_from_document(json.loads(DEMO_PARK.read_text(encoding="utf-8")), today)
    return Problem(offers, needs, licences, settings=Settings(today=today))


@pytest.fixture(scope="module")
def recommended(demo_problem) -> dict[str, set[str]]:
    rec = Recommender(demo_problem)
    offers = {o for o, _ in ILLEGAL + INTENDED_LEGAL}
    return {o: {p.need for p in rec.recommend(o, top=60)} for o in offers}


def test_illegal_pairs_are_never_recommended(recommended):
    assert [(o, n) for o, n in ILLEGAL if n in recommended[o]] == []


def test_illegal_pairs_are_never_allocated(demo_problem):
    chosen = {(p.offer, p.need) for p in run_park(demo_problem).proposals}
    assert [pair for pair in ILLEGAL if pair in chosen] == []


def test_most_intended_symbioses_are_found(recommended):
    found = [(o, n) for o, n in INTENDED_LEGAL if n in recommended[o]]
    assert len(found) / len(INTENDED_LEGAL) >= 0.9
