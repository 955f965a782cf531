"""Where the tasks of a regional run execute: this process, or the workers of a Dask cluster.

``LocalExecutor`` runs tasks one after another in the calling process; ``DaskExecutor`` on
Dask distributed (a local cluster of worker processes, or a running scheduler, which is how
a run goes onto Kubernetes, YARN or an HPC queue). Both answer ``map`` with results as they
complete, so the caller can report progress. ``distributed`` is imported only when a
``DaskExecutor`` is made: importing ``matching`` never starts or imports Dask.
"""
from __future__ import annotations

import logging
import resource
import sys
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, Self

ENGINES = ("local", "dask")


class Executor(Protocol):
    """Runs independent tasks and says how much memory its worker processes used."""

    name: str  # "local" | "dask"
    workers: int

    def share(self, value: Any) -> Any:
        """A handle on ``value`` to pass to every task of ``map`` (sent to the workers once)."""
        ...

    def map(self, fn: Callable[..., Any], items: Sequence[Any], *, label: str, shared: Any = None,
            where: Sequence[str | None] | None = None) -> Iterator[tuple[int, Any]]:
        """``fn(item)`` (or ``fn(item, shared)``) for each item; yields (index, result) as they complete.

        ``where`` optionally names, per item, the worker that should run it (one that holds its
        cached data, see ``worker_name``); another worker may take it if that one is gone.
        """
        ...

    def run_everywhere(self, fn: Callable[..., Any], *args: Any) -> None:
        """Call ``fn(*args)`` once in every worker process (e.g. to drop a run's cache)."""
        ...

    def peak_rss_mb(self) -> float:
        """The largest peak resident memory of the worker processes, MiB."""
        ...

    def close(self) -> None:
        """Release the workers (and the cluster this executor started)."""
        ...


def worker_name() -> str | None:
    """The address of the Dask worker running the current task, None outside a worker."""
    if "distributed" not in sys.modules:  # never import Dask for the local engine
        return None
    from distributed import get_worker

    try:
        return get_worker().address
    except ValueError:
        return None


def release_memory() -> None:
    """Give the heap's free pages back to the system (glibc ``malloc_trim``; nothing elsewhere).

    Arrays below glibc's mmap threshold (up to 32 MB) live in the heap; once freed, their pages stay
    with the process. The regional driver frees gigabytes of per-arc tables before explain: measured
    on the split of a 3.5M-arc component, 365 MB stayed resident after every array was dropped, and
    malloc_trim returned them all.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the allocator keeps its own counsel
        pass


def _peak_rss_mb() -> float:
    """This process's peak resident memory, MiB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class LocalExecutor:
    """Every task in the calling process, in order: the single-machine engine, and the reference for Dask."""

    name = "local"
    workers = 1

    def share(self, value: Any) -> Any:
        """The value itself: nothing to send."""
        return value

    def map(self, fn: Callable[..., Any], items: Sequence[Any], *, label: str, shared: Any = None,
            where: Sequence[str | None] | None = None) -> Iterator[tuple[int, Any]]:
        """``fn`` over ``items`` in order, in this process."""
        for i, item in enumerate(items):
            yield i, (fn(item) if shared is None else fn(item, shared))

    def run_everywhere(self, fn: Callable[..., Any], *args: Any) -> None:
        """Call ``fn`` here, once."""
        fn(*args)

    def peak_rss_mb(self) -> float:
        """This process's peak resident memory, MiB."""
        return _peak_rss_mb()

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DaskExecutor:
    """Tasks on Dask distributed: a running scheduler's workers, or a local cluster of worker processes."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int = 2) -> None:
        if workers < 1:
            raise ValueError(f"workers: 工作进程数至少为 1 / must be at least 1, got {workers}")
        from distributed import Client, LocalCluster

        # Dask's INFO lines (cluster start, worker registration) would drown the run's own progress.
        for name in ("distributed", "distributed.scheduler", "distributed.nanny", "distributed.worker",
                     "distributed.core", "distributed.http.proxy"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self._cluster = None
        if scheduler:
            self.client = Client(scheduler)
            self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        else:
            # One thread per worker: the stages are NumPy/OR-Tools bound and hold the GIL in places;
            # processes, not threads, give two cores two tasks.
            with warnings.catch_warnings():
                # The scheduler's HTTP endpoint moves to a free port when 8787 is taken (another cluster on the
                # machine): nothing for the user to act on.
                warnings.filterwarnings("ignore", message="Port .* is already in use")
                self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                             dashboard_address=None)
            self.client = Client(self._cluster)
            self.workers = workers

    def share(self, value: Any) -> Any:
        """``value`` scattered to the cluster once; tasks receive the value itself."""
        return self.client.scatter(value, broadcast=True, hash=False)

    def map(self, fn: Callable[..., Any], items: Sequence[Any], *, label: str, shared: Any = None,
            where: Sequence[str | None] | None = None) -> Iterator[tuple[int, Any]]:
        """One Dask task per item; results as they complete (a failed task raises here)."""
        from distributed import as_completed

        run = uuid.uuid4().hex[:8]  # keys unique per call: Dask would reuse a finished task of the same key
        futures = {}
        for i, item in enumerate(items):
            target = where[i] if where is not None else None
            # Items go straight to a worker (the one named, if any), not through the scheduler's task graph.
            data = self.client.scatter(item, workers=[target] if target else None, hash=False)
            args = (data,) if shared is None else (data, shared)
            future = self.client.submit(fn, *args, key=f"{label}-{run}-{i}", pure=False,
                                        workers=[target] if target else None, allow_other_workers=bool(target))
            futures[future] = i
        for future in as_completed(list(futures)):
            result = future.result()
            yield futures[future], result
            future.release()

    def run_everywhere(self, fn: Callable[..., Any], *args: Any) -> None:
        """``fn(*args)`` in every worker process (``Client.run``)."""
        self.client.run(fn, *args)

    def peak_rss_mb(self) -> float:
        """The largest ``ru_maxrss`` among the worker processes, MiB."""
        peaks = self.client.run(_peak_rss_mb)
        return max(peaks.values(), default=0.0)

    def close(self) -> None:
        """Disconnect, and tear down the local cluster if this executor started it."""
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def make_executor(engine: str, scheduler: str | None = None, workers: int | None = None) -> Executor:
    """The executor for ``--engine`` (``local`` or ``dask``), ``--scheduler`` and ``--workers``."""
    if engine == "local":
        if scheduler:
            raise ValueError("scheduler: 仅适用于 dask 引擎 / only with the dask engine")
        return LocalExecutor()
    if engine == "dask":
        return DaskExecutor(scheduler=scheduler, workers=workers or 2)
    raise ValueError(f"engine: 引擎须为 local 或 dask / must be one of {', '.join(ENGINES)}, got {engine!r}")
