"""How many threads the engine's numeric libraries (OpenBLAS, OpenMP) may use while it works.

The engine's matrices are small (SVDs of a few thousand rows, k-means on embeddings): a pool of one
thread per core gains little on a quiet machine and collapses on a busy one, where OpenBLAS threads
spin waiting for a core another process holds (10k × 10k park run with one other busy process on 2
cores: 11–13 s with the default pools, 7 s with one thread). So the engine's fitting and candidate
stages run with ``WASTEMATCH_ENGINE_THREADS`` threads, 1 by default; ``0`` leaves the pools as the
libraries set them. The limit is lifted again when the stage ends (a caller's own pools are its own).
"""
from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

ENV = "WASTEMATCH_ENGINE_THREADS"
DEFAULT_THREADS = 1

F = TypeVar("F", bound=Callable)


def engine_threads() -> int | None:
    """The thread limit of the engine's numeric work, from ``WASTEMATCH_ENGINE_THREADS`` (None: no limit).

    ValueError naming the variable when it is not a whole number ≥ 0.
    """
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return DEFAULT_THREADS
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{ENV}={raw!r}: not a whole number of threads (整数)") from None
    if value < 0:
        raise ValueError(f"{ENV}={raw!r}: must be 0 (library default) or more (不能为负)")
    return value or None


@contextmanager
def limited_threads() -> Iterator[None]:
    """Run the block with the engine's thread limit (see the module docstring)."""
    limit = engine_threads()
    if limit is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=limit):
        yield


def with_limited_threads(fn: F) -> F:
    """``fn`` run under :func:`limited_threads`."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with limited_threads():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
