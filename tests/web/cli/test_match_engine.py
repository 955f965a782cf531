"""``wastematch match --engine dask``: the same run as the local engine, stored once, all or nothing.

The dask workers are other processes reading the database themselves, so the park is committed (the
command-line tests' database is a file, or a scratch PostgreSQL database) before the run.
"""
from __future__ import annotations

import datetime as dt
import json

import dask
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.db import make_engine
from marketplace.models import AuditEvent, Match, MatchRun
from marketplace.services.matching import runs
from marketplace.services.matching.engine_input import build_problem
from matching.executors import LocalExecutor
from matching.problem import Settings
from matching.regional import run_regions
from matching.regions import InMemorySource
from tests.conftest import DEMO_PARK

from .conftest import init
from .runner import chinese_words, english_sentences, run, run_in, run_json

TODAY = "2026-11-23"


@pytest.fixture()
def demo_url(backend, database_copy):
    return database_copy(backend, "init+demo", lambda url: init(url, str(DEMO_PARK)))[0]


def _pairs(doc: dict) -> dict[tuple[str, str], float]:
    return {(m["offer"], m["need"]): m["quantity_t"] for m in doc["matches"]}


def _stored(url: str) -> tuple[int, dict[int, int], int]:
    """(runs, proposals per run, audit events) in the database."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            runs_n = session.scalar(select(func.count()).select_from(MatchRun))
            per_run = dict(session.execute(select(Match.run_id, func.count()).group_by(Match.run_id)).all())
            events = session.scalar(select(func.count()).select_from(AuditEvent))
            return runs_n, per_run, events
    finally:
        engine.dispose()


def test_dask_gives_the_local_run_and_stores_it_once(demo_url):
    dask_doc = run_json(demo_url, "match", "--engine", "dask", "--workers", "2", "--today", TODAY)
    assert dask_doc["engine"] == "dask" and dask_doc["workers"] == 2 and len(dask_doc["regions"]) == 1
    assert dask_doc["parameters"]["engine"] == "dask"
    runs_n, per_run, _ = _stored(demo_url)
    assert runs_n == 1 and per_run == {dask_doc["run"]: len(dask_doc["matches"])} and len(dask_doc["matches"]) > 30

    local_doc = run_json(demo_url, "match", "--today", TODAY)
    assert local_doc["engine"] == "local" and local_doc["regions"] == []
    assert dask_doc["objective"] == pytest.approx(local_doc["objective"], rel=1e-6)
    local, remote = _pairs(local_doc), _pairs(dask_doc)
    assert local.keys() == remote.keys()
    assert all(remote[k] == pytest.approx(q, rel=1e-6) for k, q in local.items())
    # The second run took the pairs over: the same proposals, now the local run's, none duplicated.
    runs_n, per_run, _ = _stored(demo_url)
    assert runs_n == 2 and per_run == {local_doc["run"]: len(local_doc["matches"])}


def test_dask_over_several_regions_reads_each_from_the_database_and_the_local_engine_runs_the_same(demo_url):
    """Single process and dask give one answer on every instance: above ``--max-region-offers`` the local
    engine runs the regional algorithm in its own process (a park below it is one problem, as before)."""
    result = run(demo_url, "match", "--engine", "dask", "--workers", "2", "--max-region-offers", "20",
                 "--today", TODAY, "--json")
    doc = json.loads(result.stdout)
    assert len(doc["regions"]) > 2 and doc["solver"]["gap"] == 0.0
    keys = {r["key"] for r in doc["regions"]}
    assert any(f"region {k} " in result.stderr for k in keys)  # progress by region on stderr
    assert f"run {doc['run']}: dask engine, 2 workers, {len(doc['regions'])} regions" in result.stderr
    # The same regions run in this process over the records build_problem gives: the same answer.
    settings = Settings(today=dt.date.fromisoformat(TODAY))
    engine = make_engine(demo_url)
    try:
        with Session(engine) as session:
            p = build_problem(session, settings=settings)
    finally:
        engine.dispose()
    here = run_regions(InMemorySource(p.offers, p.needs, p.licences, p.approvals, settings=settings),
                       LocalExecutor(), max_offers=20)
    assert doc["objective"] == pytest.approx(here.objective, rel=1e-6)
    assert _pairs(doc).keys() == {(x.offer, x.need) for x in here.proposals}
    runs_n, per_run, _ = _stored(demo_url)
    assert runs_n == 1 and per_run == {doc["run"]: len(doc["matches"])}

    # The local engine from the command line, over the same limit: the same regions and answer.
    result = run(demo_url, "match", "--max-region-offers", "20", "--today", TODAY, "--json")
    local = json.loads(result.stdout)
    assert local["engine"] == "local" and len(local["regions"]) == len(doc["regions"])
    assert f"run {local['run']}: local engine, 1 worker, {len(local['regions'])} regions" in result.stderr
    assert local["objective"] == pytest.approx(doc["objective"], rel=1e-6)
    assert _pairs(local).keys() == _pairs(doc).keys()


def test_a_regional_runs_progress_and_summary_in_chinese_and_in_english(demo_url):
    args = ("match", "--max-region-offers", "20", "--today", TODAY, "--json")
    zh = run_in("zh", demo_url, *args)
    doc = json.loads(zh.stdout)
    assert f"运行 {doc['run']}：本地引擎，1 个工作进程，{len(doc['regions'])} 个区域；" in zh.stderr
    assert "：生成候选配对并检查法规" in zh.stderr and english_sentences(zh.stderr) == [], zh.stderr
    en = run_in("en", demo_url, *args)
    assert ": candidates" in en.stderr and chinese_words(en.stderr) == [], en.stderr


def test_a_failure_mid_write_leaves_no_run_and_no_proposals(demo_url, monkeypatch):
    before = _stored(demo_url)
    calls = []
    real = runs._insert_batch

    def failing(session, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("disk full (injected)")
        return real(session, rows)

    monkeypatch.setattr(runs, "BATCH_ROWS", 10)
    monkeypatch.setattr(runs, "_insert_batch", failing)
    with pytest.raises(RuntimeError, match="injected"):
        run(demo_url, "match", "--today", TODAY, ok=False)
    assert calls == [10, 10]  # the first batch was written, in the transaction that rolled back
    assert _stored(demo_url) == before == (0, {}, before[2])


@pytest.mark.parametrize("args, option", [
    (["--engine", "dask", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler"),
    (["--workers", "3"], "--workers"),
    (["--max-region-offers", "0"], "--max-region-offers"),
    (["--engine", "dask", "--exact"], "--exact"),
    (["--engine", "dask", "--favour-loops"], "--favour-loops"),
    (["--engine", "dask", "--with-candidates"], "--with-candidates"),
])
def test_an_option_the_engine_cannot_honour_is_one_line_exit_2_nothing_written(demo_url, args, option):
    before = _stored(demo_url)
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):  # a refused port answers at once
        result = run(demo_url, "match", "--today", TODAY, *args, ok=False)
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("错误 / Error: ")]  # --lang both, as click
    assert len(errors) == 1 and option in errors[0], result.stderr
    assert result.stdout == ""
    assert _stored(demo_url) == before
