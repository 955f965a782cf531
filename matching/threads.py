"""How many threads the engine's numeric libraries (OpenBLAS, OpenMP) may use while it works.

The engine's matrices are small (SVDs of a few thousand rows, k-means on embeddings): a pool of one
thread per core gains little on a quiet machine and collapses on a busy one, where OpenBLAS threads
spin waiting for a core another process holds (10k × 10k park run with one other busy process on 2
cores: 11–13 s with the default pools, 7 s with one thread). So the engine's fitting and candidate
stages run with ``WASTEMATCH_ENGINE_THREADS`` threads, 1 by default; ``0`` leaves the pools as the
libraries set them. The limit is lifted again when the stage ends (a caller's own pools are its own).

Finding the pools means scanning every shared library the process has loaded (~10–30 ms; a park run asks
a few times, a one-click refit three times): one ``threadpoolctl.ThreadpoolController`` is kept per
process and scanned again only when modules were imported since (a new import may load a new pool).
"""
from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

ENV = "WASTEMATCH_ENGINE_THREADS"
DEFAULT_THREADS = 1

F = TypeVar("F", bound=Callable)

# (process id, number of imported modules) when the controller scanned, and the controller.
_controller: tuple[tuple[int, int], Any] | None = None
_controller_lock = threading.Lock()


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
    with _pools().limit(limits=limit):
        yield


def _pools() -> Any:
    """The process's ``ThreadpoolController``, scanned again when modules were imported since the last scan."""
    global _controller
    key = (os.getpid(), len(sys.modules))
    kept = _controller
    if kept is not None and kept[0] == key:
        return kept[1]
    with _controller_lock:
        if _controller is None or _controller[0] != key:
            from threadpoolctl import ThreadpoolController

            controller = ThreadpoolController()
            # Keyed by the modules loaded after the scan: importing threadpoolctl itself counts.
            _controller = ((os.getpid(), len(sys.modules)), controller)
        return _controller[1]


def with_limited_threads(fn: F) -> F:
    """``fn`` run under :func:`limited_threads`."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with limited_threads():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
