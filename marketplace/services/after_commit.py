"""Work a unit of work hands over to run once it has committed, in its own session and transaction.

Why: some consequences of a write are costly and need not hold up the answer. A new listing's
"it fits your need" notices are computed from the listing's recommender (a fit of the similarity
model, ~0.25-0.6 s of CPU on the demo park); inside the POST that fit was the request's latency.

How: a service calls ``defer(session, name, job, *args)``. Only the owner of the session's
transaction decides whether work may wait: it opts in with ``accept_deferred(session)`` (the web's
request sessions do, in production). A session whose owner did not opt in (the command line, the
demo, the tests of the services, a background match run) gets ``False`` back, and the service
does the work at once in that session, as before. After the owner commits it hands the session's
deferred jobs to a ``Runner`` (``take``); after a rollback it drops them (``take`` and forget), so
work of a refused request never runs.

A ``Runner`` runs each job as ``job(session, *args)`` in a fresh transaction of its own: in one
thread per process, in order of commit, or at once in the caller's thread (``background=False``:
tests, deterministic). A failed job is retried once holding SQLite's
write lock from the start (its first try reads without it, so a fit does not block other writers;
a snapshot gone stale meanwhile is refused by SQLite), then logged with its arguments and kept in
``Runner.failures``: never lost silently. ``drain`` waits for the queue (tests, and at exit).
A process killed outright loses the jobs still queued (the committed write stays; its notices are
not sent): the jobs kept here are conveniences, not records.
"""
from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ..db import transaction

log = logging.getLogger("wastematch.after_commit")

PENDING_KEY = "wastematch.after_commit"  # in ``Session.info``: the deferred jobs, once the owner opted in
FAILURES_KEPT = 100  # the latest failures a runner keeps for the operator (each is also logged)
EXIT_DRAIN_S = 20.0  # at interpreter exit, how long the queued jobs may still take (gunicorn waits 30 s)

Job = Callable[..., Any]


@dataclass(frozen=True)
class Deferred:
    """One job to run after the commit: a name for the log, the callable and its arguments (plain values:
    the job reloads what it needs in its own session)."""

    name: str
    job: Job
    args: tuple[Any, ...] = ()

    def describe(self) -> str:
        """``name(arg, …)`` for the log."""
        return f"{self.name}({', '.join(repr(a) for a in self.args)})"


def accept_deferred(session: Session) -> None:
    """Let services defer work on ``session``: its owner will hand the jobs over after committing."""
    session.info.setdefault(PENDING_KEY, [])


def defer(session: Session, name: str, job: Job, *args: Any) -> bool:
    """Run ``job(new_session, *args)`` after ``session`` commits, if its owner accepts deferred work.

    Returns False when it does not (then the caller does the work now, in ``session``).
    """
    pending = session.info.get(PENDING_KEY)
    if pending is None:
        return False
    pending.append(Deferred(name, job, args))
    return True


def take(session: Session) -> list[Deferred]:
    """The jobs deferred on ``session`` so far, removed from it (the owner hands them over or drops them)."""
    pending = session.info.get(PENDING_KEY)
    if not pending:
        return []
    out = list(pending)
    pending.clear()
    return out


@dataclass
class Failure:
    """A job that failed twice: what it was and why (the traceback is in the log)."""

    job: str
    error: str


@dataclass(eq=False)  # one per app: compared (and kept in a weak set) by identity
class Runner:
    """Runs deferred jobs in fresh transactions of ``sessions()`` (read at each job: a test may swap it)."""

    sessions: Callable[[], sessionmaker[Session]]
    failures: list[Failure] = field(default_factory=list)
    done: int = 0

    def __post_init__(self) -> None:
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._lock = threading.Lock()
        _RUNNERS.add(self)

    def submit(self, jobs: list[Deferred], *, background: bool = True) -> None:
        """Run ``jobs`` (their session has committed): queued for this process's thread, or now in the
        caller's thread (``background=False``)."""
        if not jobs:
            return
        if not background:
            for item in jobs:
                self._run(item)
            return
        self._ensure_thread()
        for item in jobs:
            self._queue.put(item)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every queued job has run; False if ``timeout`` seconds passed first."""
        if self._thread is None or self._pid != os.getpid():
            return True
        done = threading.Event()
        self._queue.put(done)  # FIFO: set once every job queued before it has run
        return done.wait(timeout)

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._pid != os.getpid():  # a forked child: the parent's thread and queue are not ours
                self._pid, self._queue, self._thread = os.getpid(), queue.Queue(), None
            if self._thread is None or not self._thread.is_alive():
                # A daemon, so a hung job cannot keep the process from exiting; the queue is drained at exit.
                self._thread = threading.Thread(target=self._loop, name="after-commit", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if isinstance(item, threading.Event):
                item.set()
                continue
            self._run(item)

    def _run(self, item: Deferred) -> None:
        # First without SQLite's write lock (the job's reading may take a while; on PostgreSQL both are the same),
        # then once more holding it if that failed (SQLite refuses a write on a snapshot another writer outdated).
        for writer in (False, True):
            try:
                with transaction(self.sessions(), writer=writer) as session:
                    item.job(session, *item.args)
            except Exception as exc:  # any failure: retried once, then logged and kept
                if not writer:
                    log.info("deferred job %s failed, retrying with the write lock: %s", item.describe(), exc)
                    continue
                log.exception("deferred job %s failed: its work is not done", item.describe())
                with self._lock:
                    self.failures.append(Failure(item.describe(), f"{type(exc).__name__}: {exc}"))
                    del self.failures[:-FAILURES_KEPT]
                return
            with self._lock:
                self.done += 1
            return


_RUNNERS: weakref.WeakSet[Runner] = weakref.WeakSet()


def drain_all(timeout: float = EXIT_DRAIN_S) -> bool:
    """Wait (at most ``timeout`` seconds in all) for the queued jobs of every runner of this process."""
    ok = True
    for runner in list(_RUNNERS):
        ok = runner.drain(timeout) and ok
    return ok


@atexit.register
def _drain_at_exit() -> None:
    if not drain_all():
        log.error("deferred jobs were still running after %.0f s at exit: the rest are not done", EXIT_DRAIN_S)


__all__ = ["Deferred", "Failure", "Runner", "accept_deferred", "defer", "drain_all", "take"]
