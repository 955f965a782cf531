"""Warm park runs for the server: the fitted model, the candidates and their explanations kept between runs.

A park run from the pages or the API repeats most of its work when the data have not changed since the
last one: fitting the similarity model, building the candidate index, finding and checking the candidate
arcs, explaining the proposals. ``WarmRuns`` keeps that per key (the database, the park and
``recommendations.data_version``: every table ``build_problem`` reads, and the settings) and a warm run only
optimises again, copies the explanations (``matching.pipeline.keep_explanations``) and, when the optimum's
flow is the one the loops were evaluated against, their report (``matching.loops.keep_loops``); any change to the data
makes a new key, so a warm run gives the same result as a cold one. The command line never uses it: each
invocation is a fresh process.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from matching.loops import keep_loops
from matching.pipeline import ParkRun, PreparedArcs, keep_explanations, prepare_arcs, run_park
from matching.problem import Problem, Settings

from .engine_input import build_problem
from .recommendations import data_version

# Parks whose runs stay warm in one process: each holds a problem, a model and its arcs (tens of MB at 10k × 10k).
WARM_RUNS = 4


@dataclass
class _Warm:
    """One key's problem and what the stages before optimisation made of it."""

    problem: Problem
    prepared: PreparedArcs | None  # None: a park with no offers or no needs (nothing to prepare)


class WarmRuns:
    """The last ``size`` keys' prepared runs, least recently used dropped first; one run per key at a time."""

    def __init__(self, size: int = WARM_RUNS) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, _Warm] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}

    def run(self, key: Hashable, problem: Callable[[], Problem], *, with_candidates: bool = False,
            progress: Callable[[str], None] | None = None) -> tuple[Problem, ParkRun, bool]:
        """(the problem, its park run, whether it was warm) for ``key``; ``problem()`` builds the problem on a miss.

        A miss prepares the arcs itself (its timings are the run's, as a cold ``run_park`` reports them)
        and keeps them; a hit reuses the problem and the arcs, its ``similarity_s``/``candidate_s``/
        ``rules_s`` are 0 and ``timings["warm"]`` is 1.0 (0.0 on a miss).
        """
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:  # two runs of one park at once: the second waits and finds the first's arcs
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None:
                    self._entries.move_to_end(key)
            warm = entry is not None
            timings: dict[str, float] = {}
            prepare_s = 0.0
            if entry is None:
                built = problem()
                started = time.perf_counter()
                entry = self._prepare(built, timings, progress)
                prepare_s = time.perf_counter() - started
            result = run_park(entry.problem, with_candidates=with_candidates, progress=progress,
                              prepared=entry.prepared)
            if entry.prepared is not None:
                stages = {"similarity_s": 0.0, "candidate_s": 0.0, "rules_s": 0.0, **timings}
                result.timings = {**result.timings, **{k: round(v, 4) for k, v in stages.items()},
                                  "total_s": round(result.timings.get("total_s", 0.0) + prepare_s, 4),
                                  "warm": float(warm)}
            if not warm:
                self._keep(key, entry)
            return entry.problem, result, warm

    @staticmethod
    def _prepare(problem: Problem, timings: dict[str, float], progress: Callable[[str], None] | None) -> _Warm:
        if problem.o.size == 0 or problem.n.size == 0:
            return _Warm(problem, None)
        prepared = prepare_arcs(problem, timings, progress)
        keep_explanations(prepared.feasible)
        keep_loops(prepared.feasible)
        return _Warm(problem, prepared)

    def _keep(self, key: Hashable, entry: _Warm) -> None:
        with self._lock:
            self._entries[key] = entry
            while len(self._entries) > self.size:
                dropped, _ = self._entries.popitem(last=False)
                self._key_locks.pop(dropped, None)

    def clear(self) -> None:
        """Forget every warm run (tests; a process that must free the memory)."""
        with self._lock:
            self._entries.clear()
            self._key_locks.clear()


_RUNS = WarmRuns()


def warm_park_run(session: Session, *, park: str | None, settings: Settings, with_candidates: bool = False,
                  progress: Callable[[str], None] | None = None) -> tuple[Problem, ParkRun]:
    """``run_park`` over ``build_problem(session, park=park, settings=settings)``, warm while the data are unchanged.

    The key is the database, the park and ``data_version`` (which includes the settings); the result is the
    one a cold run gives on the same data.
    """
    key = (str(session.get_bind().engine.url), park, data_version(session, settings))
    problem, result, _warm = _RUNS.run(key, lambda: build_problem(session, park=park, settings=settings),
                                       with_candidates=with_candidates, progress=progress)
    return problem, result


def clear_warm_runs() -> None:
    """Forget the process's warm park runs."""
    _RUNS.clear()
