"""Executors of the regional run: in process, and on a real local Dask cluster."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from matching.executors import DaskExecutor, LocalExecutor, make_executor, worker_name

REPO = Path(__file__).resolve().parents[2]


def _square(x: int) -> int:
    return x * x


def _scaled(x: int, factor: int) -> tuple[int, str | None]:
    return x * factor, worker_name()


_SEEN: list[str] = []


def _remember(tag: str) -> None:
    _SEEN.append(tag)


def test_local_executor_runs_in_order_in_this_process():
    ex = make_executor("local")
    assert isinstance(ex, LocalExecutor) and (ex.name, ex.workers) == ("local", 1)
    assert list(ex.map(_square, [1, 2, 3], label="sq")) == [(0, 1), (1, 4), (2, 9)]
    assert list(ex.map(_scaled, [1, 2], label="scaled", shared=ex.share(10))) == [(0, (10, None)), (1, (20, None))]
    ex.run_everywhere(_remember, "here")
    assert _SEEN[-1] == "here"
    assert ex.peak_rss_mb() > 10


def test_make_executor_refuses_what_it_cannot_do():
    with pytest.raises(ValueError, match="engine"):
        make_executor("spark")
    with pytest.raises(ValueError, match="scheduler"):
        make_executor("local", scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ValueError, match="workers"):
        DaskExecutor(workers=0)


def test_importing_the_engine_does_not_import_dask():
    code = "import sys, matching.regional, matching.executors; print('distributed' in sys.modules, 'dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.stdout.split() == ["False", "False"]


def test_dask_executor_runs_tasks_on_worker_processes():
    with DaskExecutor(workers=1) as ex:
        assert (ex.name, ex.workers) == ("dask", 1)
        results = dict(ex.map(_scaled, list(range(6)), label="scaled", shared=ex.share(3)))
        assert sorted(results) == list(range(6))
        assert [results[i][0] for i in range(6)] == [0, 3, 6, 9, 12, 15]
        workers = {w for _, w in results.values()}
        assert len(workers) == 1 and next(iter(workers)).startswith("tcp://")
        # a task pinned to a worker runs there
        pinned = dict(ex.map(_scaled, [7], label="pinned", shared=ex.share(1), where=list(workers)))
        assert pinned[0] == (7, next(iter(workers)))
        ex.run_everywhere(_remember, "worker")  # runs in the worker, not here
        assert _SEEN[-1:] != ["worker"]
        assert ex.peak_rss_mb() > 10
        cluster = ex._cluster
    assert ex._cluster is None and cluster.status.name == "closed"
