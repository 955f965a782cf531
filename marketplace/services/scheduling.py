"""The time-based jobs of the product and the scheduler that runs them at most once per slot.

Each job runs every ``every``; time is cut into slots aligned on the epoch (a 15-minute job has
the slots :00, :15, :30, :45). Before running a slot, a process inserts the (job, slot) row of
``job_runs`` in its own committed transaction: the unique key lets exactly one process win, on
PostgreSQL and SQLite alike, so any number of schedulers (one per server process, or a separate
``wastematch scheduler``) run each slot at most once. A process that dies mid-run leaves its slot
``running``; the next slot runs as usual (at most once, never twice). Slots missed while no
scheduler ran are not caught up: each job looks at the state of now, not of the slot.
"""
from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..db import transaction
from ..models import JobRun
from ..models.base import as_utc, utcnow
from .delivery import outbox
from .delivery.settings import DeliverySettings
from .governance import roster  # noqa: F401 - registers the governance scan hook (survey and roster obligations)
from .matching import reminders, workflow
from .traceability import alerts

Clock = Callable[[], dt.datetime]
JobBody = Callable[[sessionmaker[Session], dt.datetime], dict[str, Any]]


@dataclass(frozen=True)
class Job:
    """A named job, how often it runs, and what it does given the sessions and the instant of its run."""

    name: str
    every: dt.timedelta
    body: JobBody
    description: str = ""

    def slot(self, now: dt.datetime) -> dt.datetime:
        """The start of the slot ``now`` falls in."""
        epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        step = int(self.every.total_seconds())
        seconds = int((as_utc(now) - epoch).total_seconds())
        return epoch + dt.timedelta(seconds=seconds - seconds % step)


def _expire(sessions: sessionmaker[Session], now: dt.datetime) -> dict[str, Any]:
    with transaction(sessions) as session:
        return {"expired": workflow.expire_stale(session, now)}


def _remind(sessions: sessionmaker[Session], now: dt.datetime) -> dict[str, Any]:
    with transaction(sessions) as session:
        return {"reminded": reminders.remind_unanswered(session, now)}


def _scan(sessions: sessionmaker[Session], now: dt.datetime) -> dict[str, Any]:
    with transaction(sessions) as session:
        return alerts.scan(session, now=now).as_dict()


def _deliver(sessions: sessionmaker[Session], now: dt.datetime) -> dict[str, Any]:
    return outbox.deliver_due(sessions, now, DeliverySettings.from_env()).as_dict()


JOBS: tuple[Job, ...] = (
    Job("deliver_notices", dt.timedelta(minutes=1), _deliver, "send due e-mail and webhook notices (发送站外通知)"),
    Job("expire_matches", dt.timedelta(minutes=15), _expire, "expire matches past their deadline (匹配逾期)"),
    Job("remind_matches", dt.timedelta(hours=1), _remind,
        "remind parties of proposals unanswered for 3 days (匹配待答复提醒)"),
    Job("scan_alerts", dt.timedelta(hours=1), _scan,
        "reconciliation alerts, survey and roster obligations (对账预警与申报义务)"),
)


def process_name() -> str:
    """``host:pid``: who claimed a run."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


@dataclass(frozen=True)
class Ran:
    """One slot this scheduler claimed: its job, slot, outcome and what the job reported."""

    job: str
    slot: dt.datetime
    status: str
    result: dict[str, Any] | None = None
    error: str | None = None


@dataclass
class Scheduler:
    """Runs the due slot of each job that no other process has claimed. The clock is injectable for tests."""

    sessions: sessionmaker[Session]
    jobs: Iterable[Job] = JOBS
    clock: Clock = utcnow
    owner: str = field(default_factory=process_name)

    def claim(self, job: Job, slot: dt.datetime) -> int | None:
        """Insert and commit the (job, slot) row; its id if this process won the slot, else None."""
        try:
            with transaction(self.sessions) as session:
                run = JobRun(job=job.name, slot=slot, claimed_by=self.owner, claimed_at=utcnow(), status="running")
                session.add(run)
                session.flush()
                return run.id
        except IntegrityError:
            return None

    def run_due(self) -> list[Ran]:
        """Run each job's current slot if no process claimed it yet; returns the slots this call ran."""
        now = as_utc(self.clock())
        done: list[Ran] = []
        for job in self.jobs:
            slot = job.slot(now)
            run_id = self.claim(job, slot)
            if run_id is None:
                continue
            try:
                result, status, error = job.body(self.sessions, now), "done", None
            except Exception as exc:  # noqa: BLE001 - a failing job is recorded and must not stop the others
                result, status, error = None, "failed", f"{type(exc).__name__}: {exc}"[:4000]
            with transaction(self.sessions) as session:
                row = session.get(JobRun, run_id)
                row.status, row.result, row.error, row.finished_at = status, result, error, utcnow()
            done.append(Ran(job.name, slot, status, result, error))
        return done

    def run_forever(self, stop: threading.Event, *, interval_s: float = 20.0,
                    on_ran: Callable[[Ran], None] | None = None) -> None:
        """Check for due slots every ``interval_s`` seconds until ``stop`` is set."""
        while not stop.is_set():
            for ran in self.run_due():
                if on_ran is not None:
                    on_ran(ran)
            stop.wait(interval_s)


def recent_runs(session: Session, limit: int = 50) -> list[JobRun]:
    """The latest claimed runs, newest first (for operators)."""
    return list(session.scalars(select(JobRun).order_by(JobRun.claimed_at.desc(), JobRun.id.desc()).limit(limit)))
