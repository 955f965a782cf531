"""The scheduler runs each job's slot at most once across processes (the unique (job, slot) claim), on an
injected clock; a failing job is recorded and does not stop the others; the product's jobs deliver notices."""
from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select

from marketplace.db import transaction
from marketplace.models import JobRun
from marketplace.services import scheduling
from marketplace.services.delivery.settings import ENV_SMTP_URL
from marketplace.services.scheduling import Job, Scheduler

from .test_outbox import _return_survey

T0 = dt.datetime(2026, 12, 6, 8, 0, 30, tzinfo=dt.UTC)


class Clock:
    """An injectable clock the test moves by hand."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _counting_job(name: str, every: dt.timedelta, ran: list, lock: threading.Lock) -> Job:
    def body(_sessions, now):
        with lock:
            ran.append((name, now))
        return {"n": 1}
    return Job(name, every, body)


def test_slots_are_aligned_on_the_epoch():
    job = Job("x", dt.timedelta(minutes=15), lambda s, n: {})
    assert job.slot(dt.datetime(2026, 12, 6, 8, 29, 59, tzinfo=dt.UTC)) == dt.datetime(2026, 12, 6, 8, 15, tzinfo=dt.UTC)
    assert job.slot(dt.datetime(2026, 12, 6, 8, 30, tzinfo=dt.UTC)) == dt.datetime(2026, 12, 6, 8, 30, tzinfo=dt.UTC)


def test_racing_schedulers_run_each_slot_once(sessions):
    ran: list = []
    lock = threading.Lock()
    jobs = (_counting_job("every_minute", dt.timedelta(minutes=1), ran, lock),
            _counting_job("every_five", dt.timedelta(minutes=5), ran, lock))
    clock = Clock(T0)
    schedulers = [Scheduler(sessions, jobs, clock, owner=f"proc-{i}") for i in range(4)]
    errors: list[BaseException] = []
    for _minute in range(6):
        barrier = threading.Barrier(len(schedulers))

        def tick(s: Scheduler, barrier: threading.Barrier = barrier) -> None:
            try:
                barrier.wait(timeout=30)
                s.run_due()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=tick, args=(s, barrier)) for s in schedulers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        clock.now += dt.timedelta(minutes=1)
    assert errors == []
    # 6 minute slots (08:00 … 08:05) and 2 five-minute slots (08:00, 08:05), each run by exactly one process.
    assert sorted(n for n, _ in ran).count("every_minute") == 6
    assert sorted(n for n, _ in ran).count("every_five") == 2
    with transaction(sessions, writer=False) as session:
        rows = list(session.scalars(select(JobRun)))
        assert len(rows) == 8 and all(r.status == "done" and r.result == {"n": 1} for r in rows)
        assert session.scalar(select(func.count(func.distinct(JobRun.claimed_by)))) >= 1


def test_a_failing_job_is_recorded_and_the_others_still_run(sessions):
    ran: list = []

    def broken(_sessions, _now):
        raise RuntimeError("boom")

    jobs = (Job("broken", dt.timedelta(minutes=1), broken), _counting_job("fine", dt.timedelta(minutes=1), ran,
                                                                          threading.Lock()))
    done = Scheduler(sessions, jobs, Clock(T0)).run_due()
    assert [(r.job, r.status) for r in done] == [("broken", "failed"), ("fine", "done")]
    with transaction(sessions, writer=False) as session:
        broken_row = session.scalar(select(JobRun).where(JobRun.job == "broken"))
        assert broken_row.error == "RuntimeError: boom" and broken_row.finished_at is not None
    assert Scheduler(sessions, jobs, Clock(T0 + dt.timedelta(seconds=20))).run_due() == []  # same slots: claimed


def test_the_product_jobs_deliver_a_returned_survey(sessions, mailbox, monkeypatch):
    monkeypatch.setenv(ENV_SMTP_URL, f"smtp://{mailbox.host}:{mailbox.port}")
    _return_survey(sessions)
    now = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    done = {r.job: r for r in Scheduler(sessions, scheduling.JOBS, Clock(now)).run_due()}
    assert set(done) == {"deliver_notices", "expire_matches", "remind_matches", "scan_alerts"}
    assert all(r.status == "done" for r in done.values()), [r.error for r in done.values()]
    assert done["deliver_notices"].result["sent"] >= 1
    assert [m["To"] for m in mailbox.messages].count("garage@e2.test") == 1
