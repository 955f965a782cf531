"""``wastematch scheduler --once``: runs each job's due slot; a second scheduler in the same slots runs nothing."""
from __future__ import annotations

from .runner import run, run_json


def test_once_runs_every_job_then_the_slots_are_taken(db_url):
    first = run_json(db_url, "scheduler", "--once")
    assert sorted(r["job"] for r in first) == ["deliver_notices", "expire_matches", "remind_matches", "scan_alerts"]
    assert all(r["status"] == "done" and r["error"] is None for r in first)
    assert {r["job"]: r["result"] for r in first}["deliver_notices"] == {"sent": 0, "retrying": 0, "given_up": 0,
                                                                          "skipped": 0}
    # The slots run already are claimed: a second scheduler runs only slots that began since (a new minute).
    second = run_json(db_url, "scheduler", "--once")
    assert not {(r["job"], r["slot"]) for r in second} & {(r["job"], r["slot"]) for r in first}
    human = run(db_url, "scheduler", "--once")
    assert "Error" not in human.stderr
