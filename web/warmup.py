"""Work a worker process does once before it takes requests, so that no user waits for it.

The first one-click answer of a fresh process costs seconds, not milliseconds: the chemicals package
loads its metadata database (~2.7 s on this machine) and scikit-learn imports and fits the similarity
model; later answers reuse the warm recommender (``warm_recommender``) until the data changes. Under
load every worker paid that on some user's request (measured: one-click pages of 11 s in the first
seconds of a 2-worker server at 8 clients). The first map of a worker waited for its boundary outlines (0.9 s,
then 0.15 s); they are loaded too. ``wastematch serve`` calls ``warm_up`` in each worker after building the app,
before the worker accepts connections.

It also keeps the native thread pools (OpenBLAS, OpenMP under numpy and scikit-learn) to one thread: the
server runs one worker per core, and pools sized to every core in every worker oversubscribe them (a 2-worker
server at 8 clients answered 2.9 mixed requests/s with the default pools, 12.8 with one thread each).
"""
from __future__ import annotations

import gc
import logging
import time

from flask import Flask
from sqlalchemy.orm import Session

log = logging.getLogger("wastematch.server")


def warm_up(app: Flask) -> float | None:
    """Build the warm recommender of the app's database, load the parks' map outlines and limit the native thread
    pools to one thread; the seconds the recommender took (None if it could not).

    A failure is logged and ignored: warming is an optimisation, and the request that needs the
    recommender will build it (and report any real error) as before.
    """
    from threadpoolctl import threadpool_limits

    from marketplace.services.matching.recommendations import warm_recommender

    started = time.perf_counter()
    try:
        with Session(app.extensions["wastematch.engine"]) as session:
            warm_recommender(session)
    except Exception:  # see the docstring: the first request builds it instead
        log.warning("could not warm the recommender up; the first one-click request will build it", exc_info=True)
        seconds = None
    else:
        seconds = time.perf_counter() - started
        log.info("recommender warm in %.1f s", seconds)
    _warm_outlines(app)
    # Only libraries already loaded are limited: the matching engine's, loaded even when the park is empty.
    import sklearn.cluster
    import sklearn.decomposition  # noqa: F401

    threadpool_limits(limits=1)
    return seconds


def _warm_outlines(app: Flask) -> None:
    """The boundary outlines of the parks' maps, loaded once (``map_data.warm_outlines``); a failure is logged."""
    from marketplace.services.reports.map_data import warm_outlines

    started = time.perf_counter()
    try:
        with Session(app.extensions["wastematch.engine"]) as session:
            areas = warm_outlines(session)
    except Exception:  # as for the recommender: the first map loads them instead
        log.warning("could not load the map outlines; the first map will", exc_info=True)
    else:
        log.info("%d map outlines loaded in %.1f s", areas, time.perf_counter() - started)


# The collector's thresholds in a worker (Python's defaults: 700, 10, 10). A page makes thousands of short-lived
# cyclic objects (SQLAlchemy states, Jinja contexts); with the defaults a worker ran a full (generation 2)
# collection every ~45 requests of the mixed load, each 150-300 ms with every thread of the worker held, and
# spent 14 % of its CPU collecting. Fewer, younger collections: 0.8 s instead of 2.3 s over 400 requests, no
# full collection (benchmarks/README.md, "Load on the production configuration").
GC_THRESHOLDS = (20_000, 50, 100)


def tune_collector() -> None:
    """Freeze what the worker holds once warm (the app, the libraries, the warm recommender: never garbage,
    never scanned again) and raise the collector's thresholds (``GC_THRESHOLDS``). Called once per worker,
    after ``warm_up``; a one-process server keeps the defaults."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
