"""Warm park runs: the second run on unchanged data reuses the model, arcs and explanations, with the same result."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import select

from benchmarks.generate import SETTINGS as GEN_SETTINGS
from benchmarks.generate import generate_park
from marketplace.models import Listing
from marketplace.services.listings.interchange import import_document
from marketplace.services.matching import warm
from marketplace.services.matching.runs import run_matching
from matching.pipeline import run_park
from matching.problem import Problem, Settings
from tests.conftest import DEMO_PARK

SETTINGS = Settings(today=dt.date(2026, 11, 23))


def _problem() -> Problem:
    offers, needs, licences = generate_park(400, 400, 3)
    return Problem(offers, needs, licences, settings=GEN_SETTINGS)


def _plain(run) -> tuple:
    return (run.status, run.objective, run.greedy_objective, run.unmatched, run.counts,
            [dataclasses.asdict(p) for p in run.proposals])


def test_a_warm_run_gives_the_cold_result():
    cold = run_park(_problem())
    runs = warm.WarmRuns()
    built: list[Problem] = []

    def build() -> Problem:
        built.append(_problem())
        return built[-1]

    problem, first, was_warm = runs.run("park", build)
    assert not was_warm and first.timings["warm"] == 0.0 and first.timings["similarity_s"] > 0
    again, second, was_warm = runs.run("park", build)
    assert was_warm and again is problem and len(built) == 1  # the problem is not even rebuilt
    assert second.timings["warm"] == 1.0 and second.timings["similarity_s"] == 0.0
    assert second.timings["total_s"] < first.timings["total_s"]
    assert _plain(first) == _plain(second) == _plain(cold)


def test_warm_proposals_are_the_callers_own():
    runs = warm.WarmRuns()
    problem = _problem()
    _, first, _ = runs.run("park", lambda: problem)
    first.proposals[0].reasons.append("changed by a caller")
    first.proposals[0].quantity_t = -1.0
    _, second, _ = runs.run("park", lambda: problem)
    assert "changed by a caller" not in {r for p in second.proposals for r in p.reasons}
    assert all(p.quantity_t > 0 for p in second.proposals)


def test_a_warm_run_reuses_the_loop_evaluation_of_the_same_flow(monkeypatch):
    from matching import loops
    offers, needs, licences = generate_park(400, 400, 3)
    favour = dataclasses.replace(GEN_SETTINGS, loop_bonus_cny=loops.DEFAULT_BONUS_CNY)
    problem = Problem(offers, needs, licences, settings=favour)
    cold = run_park(problem)
    runs = warm.WarmRuns()
    _, first, _ = runs.run("park", lambda: problem)
    assert first.loops["opportunities"]  # the park has loops to price, so the memo has something to keep
    first.loops["closed"].append({"changed": "by a caller"})

    def no_search(*args, **kwargs):
        raise AssertionError("the loops were evaluated again for the same flow")

    monkeypatch.setattr(loops, "evaluate_loops", no_search)
    _, second, was_warm = runs.run("park", lambda: problem)
    assert was_warm
    assert _plain(second) == _plain(cold)
    assert second.objective == cold.objective and second.solver["name"] == cold.solver["name"]
    strip = ("seconds",)
    assert {k: v for k, v in second.loops.items() if k not in strip} == \
        {k: v for k, v in cold.loops.items() if k not in strip}


def test_least_recently_used_key_is_dropped():
    runs = warm.WarmRuns(size=1)
    problem = _problem()
    runs.run("a", lambda: problem)
    runs.run("b", lambda: problem)
    assert runs.run("a", lambda: problem)[2] is False  # "a" was dropped for "b"


@pytest.fixture()
def demo(session):
    warm.clear_warm_runs()
    import_document(session, json.loads(DEMO_PARK.read_text(encoding="utf-8")), actor="test")
    yield session
    warm.clear_warm_runs()


def test_server_runs_are_warm_until_the_data_change(demo):
    _, cold = run_matching(demo, park="JC", actor="t", settings=SETTINGS)  # the command line's way: never warm
    assert "warm" not in cold.timings
    _, first = run_matching(demo, park="JC", actor="t", settings=SETTINGS, warm=True)
    _, second = run_matching(demo, park="JC", actor="t", settings=SETTINGS, warm=True)
    assert (first.timings["warm"], second.timings["warm"]) == (0.0, 1.0)
    assert _plain(second)[:2] == _plain(cold)[:2] and \
        [(p.offer, p.need, p.quantity_t) for p in second.proposals] == \
        [(p.offer, p.need, p.quantity_t) for p in cold.proposals]
    listing = demo.scalars(select(Listing).where(Listing.status == "active").order_by(Listing.id)).first()
    listing.quantity_t = listing.quantity_t * 2
    demo.flush()
    _, changed = run_matching(demo, park="JC", actor="t", settings=SETTINGS, warm=True)
    assert changed.timings["warm"] == 0.0  # new data: prepared again
    _, other_settings = run_matching(demo, park="JC", actor="t", settings=dataclasses.replace(SETTINGS, top_k=5),
                                     warm=True)
    assert other_settings.timings["warm"] == 0.0
