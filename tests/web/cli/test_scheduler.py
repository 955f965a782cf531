"""``wastematch scheduler --once``: runs each job's due slot; a second scheduler in the same slots runs nothing."""
from __future__ import annotations

from .conftest import init
from .runner import chinese_words, english_sentences, run, run_in, run_json


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


def test_each_run_in_chinese_and_in_english(backend, database_copy):
    # Two databases: the slots run in one are taken there, and the second scheduler would have nothing to say.
    zh_url, en_url = (database_copy(backend, "init", init)[0] for _ in range(2))
    zh = run_in("zh", zh_url, "scheduler", "--once")
    assert "发送站外通知：已完成 " in zh.stderr and english_sentences(zh.stderr) == [], zh.stderr
    assert "deliver_notices" not in zh.stderr  # a job by its name for people, not its key
    en = run_in("en", en_url, "scheduler", "--once")
    assert "deliver_notices: done " in en.stderr and chinese_words(en.stderr) == [], en.stderr
