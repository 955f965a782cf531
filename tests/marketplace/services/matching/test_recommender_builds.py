"""The warm recommender under concurrent requests: one build per data version, however many ask at once."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

from marketplace.services.matching import recommendations
from matching.problem import Settings


def test_concurrent_misses_build_the_recommender_once(session, monkeypatch):
    problem = recommendations.build_problem(session, settings=Settings())
    monkeypatch.setattr(recommendations, "_RECOMMENDERS", OrderedDict())
    monkeypatch.setattr(recommendations, "data_version", lambda *_args, **_kwargs: "one version for every thread")
    builds: list[int] = []
    release = threading.Event()

    def slow_build(*_args, **_kwargs):
        builds.append(1)
        assert release.wait(10), "the test never released the build"
        return problem

    monkeypatch.setattr(recommendations, "build_problem", slow_build)
    got: list[object] = []
    # The threads only look up the cache and wait: none of them queries the session.
    threads = [threading.Thread(target=lambda: got.append(recommendations.warm_recommender(session)))
               for _ in range(6)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while not builds and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(0.1)  # the other five reach the cache while the first build is still running
    release.set()
    for t in threads:
        t.join(10)
    assert len(builds) == 1
    assert len(got) == 6 and all(r is got[0] for r in got)
    assert recommendations.warm_recommender(session) is got[0] and len(builds) == 1
