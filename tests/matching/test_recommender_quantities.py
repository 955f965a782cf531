"""A recommender follows a change of tonnes without fitting again, and answers as a fresh one would."""
from __future__ import annotations

import dataclasses

import pytest

from benchmarks.generate import generate_park
from matching.pipeline import Recommender
from matching.problem import Problem
from tests.matching.records import SETTINGS, licence, need, offer
from tests.matching.test_pipeline import oil_park


def _answers(rec: Recommender, refs: list[str]) -> list[tuple]:
    return [(ref, p.need if ref in rec.problem.o.ref_index else p.offer, round(p.score, 9), p.quantity_t, p.licence)
            for ref in refs for p in rec.recommend(ref, top=5)]


def _with(problem: Problem, *, offers=None, needs=None, licences=None) -> Problem:
    return Problem(offers or problem.offers, needs or problem.needs, licences or problem.licences,
                   problem.approvals, problem.settings)


def test_tonnes_changed_share_the_model_and_answer_as_a_fresh_fit():
    offers, needs, licences = generate_park(300, 300, seed=3)
    before = Problem(offers, needs, licences, settings=SETTINGS)
    warm = Recommender(before)
    # A match accepted: an offer and a need have fewer tonnes left, a licence less capacity.
    after = _with(before, offers=[dataclasses.replace(o, quantity_t=o.quantity_t / 3) if i % 7 == 0 else o
                                  for i, o in enumerate(offers)],
                  needs=[dataclasses.replace(n, quantity_t=1.0) if i % 5 == 0 else n for i, n in enumerate(needs)],
                  licences=[dataclasses.replace(x, remaining_t=x.remaining_t / 2) for x in licences])
    moved = warm.with_quantities(after)
    assert moved is not None and moved.problem is after
    assert moved.model.statistics is warm.model.statistics  # nothing fitted again
    assert warm.problem is before and warm.index.problem is before  # the warm one is left as it was
    refs = [o.ref for o in offers[:40]] + [n.ref for n in needs[:40]]
    expected = _answers(Recommender(after), refs)
    assert _answers(moved, refs) == expected
    assert expected != _answers(warm, refs)  # the tonnes did change the answers


@pytest.mark.parametrize("change", ["title", "place", "composition", "new listing", "licence scope", "settings"])
def test_any_other_change_needs_a_new_fit(change):
    base = oil_park()
    o, n, lic = base.offers, base.needs, base.licences
    changed = {
        "title": lambda: _with(base, offers=[dataclasses.replace(o[0], title="Used gear oil"), *o[1:]]),
        "place": lambda: _with(base, needs=[dataclasses.replace(n[0], site=dataclasses.replace(n[0].site, lat=31.9)),
                                            *n[1:]]),
        "composition": lambda: _with(base, offers=[dataclasses.replace(o[0], composition={"64742-54-7": 0.5}), *o[1:]]),
        "new listing": lambda: _with(base, needs=[*n, need("N-new", "Other", comp={"64742-54-7": 0.8})]),
        "licence scope": lambda: _with(base, licences=[licence("L-1", "Handler", ("HW08", "HW09"), remaining=450)]),
        "settings": lambda: Problem(o, n, lic, settings=dataclasses.replace(SETTINGS, road_factor=1.5)),
    }[change]()
    assert not base.differs_only_in_quantities(changed)
    assert Recommender(base).with_quantities(changed) is None


def test_the_same_listings_in_another_order_are_not_the_same_problem():
    base = oil_park()
    swapped = _with(base, offers=[base.offers[1], base.offers[0], *base.offers[2:]])
    assert not base.differs_only_in_quantities(swapped)
    assert base.differs_only_in_quantities(_with(base, offers=[offer("O-oil", "Garage", code="900-214-08",
                                                                     comp=base.offers[0].composition, qty=1,
                                                                     title="Used engine oil", title_zh="废机油"),
                                                               *base.offers[1:]]))
