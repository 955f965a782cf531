"""Park-wide matching from the pages: the form and its limits, a run (inline: see web.pages.runs), its
progress page and JSON, failures rolled back, the background runner's retry, and the job registry."""
from __future__ import annotations

import re
import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from marketplace.errors import Conflict
from marketplace.models import Match, MatchRun, Park
from marketplace.services.matching import run_history
from marketplace.services.matching import runs as run_service
from web.pages import runs
from web.pages.runs import INLINE_KEY, REGISTRY_KEY, JobRegistry, job_status

GOOD = {"park": "BH", "exact": "0", "time_limit": "30", "min_lot": "0", "max_suppliers": ""}


@pytest.fixture()
def inline(pages, monkeypatch):
    """Runs happen in the request (a writer thread would wait on the test's transaction); fresh jobs."""
    monkeypatch.setitem(pages.app.config, INLINE_KEY, True)
    monkeypatch.setitem(pages.app.extensions, REGISTRY_KEY, JobRegistry())
    return pages


def run_count(pages) -> int:
    return pages.session.scalar(select(func.count()).select_from(MatchRun))


def test_a_run_from_the_form_to_what_it_did(inline):
    pages = inline
    pages.sign_in("coord")
    form = pages.text("/runs")
    assert 'value="BH" selected' in form and 'name="time_limit"' in form and 'value="30"' in form
    assert "您所辖园区尚无匹配记录" in form
    res = pages.post("/runs", GOOD)
    assert res.status_code == 302
    job_url = res.headers["Location"]
    assert re.fullmatch(r"/runs/jobs/[\w-]+", job_url)
    status = pages.client.get(job_url + ".json").get_json()
    assert status["finished"] and not status["failed"] and status["stage"] == "done"
    assert [s["key"] for s in status["stages"] if s["state"] == "done"] == \
        ["queued", "load", "similarity", "candidates", "optimise", "explain", "store", "done"]
    assert status["progress"] == 1.0
    result = status["result"]
    run = pages.session.get(MatchRun, result["run"])
    assert run is not None and run.actor == "coordinator:coord-bh@wm.test"
    assert result["proposals"] == run.counts["matches"] >= 1 and result["superseded"] == 0
    page = pages.text(job_url)
    assert "本次匹配结果" in page and f"#{run.id}" in page and "审批队列" in page
    assert 'http-equiv="refresh"' not in page and "setTimeout" not in page  # finished: no more polling
    assert f"#{run.id}" in pages.text("/runs")
    proposed = pages.session.scalar(select(func.count()).select_from(Match).where(Match.run_id == run.id))
    assert proposed == result["proposals"]


def test_bad_parameters_are_shown_with_what_was_typed_and_nothing_runs(inline):
    pages = inline
    pages.sign_in("coord")
    res = pages.post("/runs", {**GOOD, "time_limit": "61", "min_lot": "-1", "max_suppliers": "2.5", "exact": "maybe"})
    page = res.get_data(as_text=True)
    assert res.status_code == 422 and "匹配参数有误" in page
    assert 'value="61"' in page and 'value="-1"' in page and 'value="2.5"' in page
    assert "应在 0.1 至 60 之间" in page and "不是整数" in page and page.count('aria-invalid="true"') == 4
    assert pages.post("/runs", {**GOOD, "park": ""}).status_code == 422  # coordinators name their park
    res = pages.post("/runs", {**GOOD, "park": "NK"})
    assert res.status_code == 403 and "非所辖园区" in res.get_data(as_text=True)
    assert pages.post("/runs", {**GOOD, "park": "XX"}).status_code == 404
    assert pages.client.post("/runs", data=GOOD).status_code == 400  # no CSRF token
    assert run_count(pages) == 0
    pages.sign_in("e1")
    assert pages.post("/runs", GOOD).status_code == 403 and run_count(pages) == 0


def test_a_failing_run_is_rolled_back_and_says_why(inline, monkeypatch):
    pages = inline

    def refuse(session, **kwargs):
        session.add(MatchRun(actor="half", parameters={}, status="X", counts={}, timings={}, solver={}, unmatched={}))
        session.flush()
        raise Conflict("the park is being re-imported (园区数据正在导入)")

    monkeypatch.setattr(run_service, "run_matching", refuse)
    pages.sign_in("coord")
    job_url = pages.post("/runs", GOOD).headers["Location"]
    page = pages.text(job_url)
    assert "本次匹配已回滚" in page and "园区数据正在导入" in page
    assert pages.client.get(job_url + ".json").get_json()["failed"] is True
    assert run_count(pages) == 0


def test_jobs_are_seen_by_the_coordinators_of_their_park_only(inline):
    pages = inline
    pages.sign_in("coord")
    job_url = pages.post("/runs", GOOD).headers["Location"]
    pages.sign_in("coord_nk")
    assert pages.get(job_url).status_code == 404 and pages.get(job_url + ".json").status_code == 404
    pages.sign_in("admin")
    pages.language("en")
    page = pages.text(job_url)
    assert "What the run did" in page and "Proposals made" in page and "Storing proposals" in page
    assert "Park-wide matching" in pages.text("/runs") and "All parks" in pages.text("/runs")
    assert pages.get("/runs/jobs/nope").status_code == 404


def test_a_second_start_of_the_same_park_shows_the_running_one(inline):
    pages = inline
    jobs = pages.app.extensions[REGISTRY_KEY]
    bh = pages.session.scalar(select(Park.id).where(Park.code == "BH"))
    running, created = jobs.start(park="BH", park_id=bh, actor="someone", params={})
    assert created
    pages.sign_in("coord")
    res = pages.post("/runs", GOOD)
    assert res.status_code == 302 and res.headers["Location"] == f"/runs/jobs/{running['id']}"
    assert run_count(pages) == 0


def test_a_run_over_every_park_in_progress_holds_a_coordinators_start_with_a_409(inline):
    pages = inline
    pages.app.extensions[REGISTRY_KEY].start(park=None, park_id=None, actor="admin", params={})
    pages.sign_in("coord")
    pages.language("en")
    res = pages.post("/runs", GOOD)
    assert res.status_code == 409 and "A run over all parks is in progress" in res.get_data(as_text=True)
    assert run_count(pages) == 0


def test_the_registry_keeps_one_running_job_per_park_and_forgets_old_ones():
    now = [1000.0]
    jobs = JobRegistry(ttl_s=3600, clock=lambda: now[0])
    a, created = jobs.start(park="BH", park_id=1, actor="x", params={})
    assert created and jobs.start(park="BH", park_id=1, actor="y", params={}) == (a, False)
    b, created = jobs.start(park="NK", park_id=2, actor="y", params={})
    assert created and b["id"] != a["id"]
    assert jobs.start(park=None, park_id=None, actor="admin", params={})[1] is False  # all parks waits for both
    jobs.advance(a["id"], "load")
    now[0] += 2
    jobs.advance(a["id"], "similarity")
    now[0] += 3
    status = job_status(jobs.get(a["id"]), now=now[0])
    assert status["stage"] == "similarity" and status["elapsed_s"] == 5.0
    states = {s["key"]: (s["state"], s["seconds"]) for s in status["stages"]}
    assert states["load"] == ("done", 2.0) and states["similarity"] == ("active", 3.0)
    assert states["store"] == ("waiting", None)
    jobs.finish(a["id"], {"run": 7})
    jobs.fail(b["id"], "boom (失败)")
    assert jobs.running() == [] and jobs.start(park="BH", park_id=1, actor="x", params={})[1] is True
    assert job_status(jobs.get(b["id"]))["failed"] is True
    now[0] += 3601
    assert jobs.get(a["id"]) is None and jobs.get(b["id"]) is None


def test_the_registry_starts_one_job_when_many_threads_race():
    jobs, barrier, created = JobRegistry(), threading.Barrier(16), []

    def start() -> None:
        barrier.wait()
        created.append(jobs.start(park="BH", park_id=1, actor="x", params={})[1])

    threads = [threading.Thread(target=start) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert created.count(True) == 1 and len(jobs.running()) == 1


class FakeSession:
    """What the background runner's unit of work (``marketplace.db.transaction``) needs of a session (the
    database is the fakes' business)."""

    def __init__(self, log: list[str]) -> None:
        self.log = log

    def __enter__(self) -> FakeSession:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    @contextmanager
    def begin(self):
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def get_bind(self):
        return self

    @property
    def dialect(self):
        return type("D", (), {"name": "postgresql"})()  # begin_as_writer: nothing to do

    def scalar(self, *_a, **_k):
        return None  # no audit record of the run

    def commit(self) -> None:
        self.log.append("commit")

    def rollback(self) -> None:
        self.log.append("rollback")

    def close(self) -> None:
        self.log.append("close")


def test_the_background_runner_runs_again_as_a_writer_when_sqlite_refuses_the_write(pages, monkeypatch):
    log: list[str] = []
    attempts = []

    def run_matching(session, *, park, actor, settings, progress, **_options):
        attempts.append(park)
        progress("load")
        if len(attempts) == 1:
            raise OperationalError("INSERT …", {}, Exception("database is locked"))
        progress("store")
        run = MatchRun(id=5, status="OPTIMAL", objective=1.0, counts={"matches": 3}, timings={"total_s": 0.1})
        return run, None

    monkeypatch.setattr(run_service, "run_matching", run_matching)
    monkeypatch.setattr(run_history, "new_proposals", lambda session, run: 3)
    monkeypatch.setitem(pages.app.extensions, "wastematch.sessions", lambda: FakeSession(log))
    jobs = JobRegistry()
    job, _ = jobs.start(park="BH", park_id=1, actor="x", params={})
    runs._in_thread(pages.app, jobs, job["id"], park="BH", actor="x", settings=runs.Settings())
    done = jobs.get(job["id"])
    assert attempts == ["BH", "BH"] and log == ["rollback", "close", "commit", "close"]
    assert done["stage"] == "done" and done["result"]["run"] == 5 and done["result"]["proposals"] == 3


def test_coordinators_see_the_runs_over_every_park_beside_their_own(inline):
    pages = inline
    pages.sign_in("admin")
    pages.post("/runs", {**GOOD, "park": ""})  # every park
    pages.sign_in("coord_nk")
    pages.language("en")
    page = pages.text("/runs")
    assert "all parks" in page and "No run yet in your parks." not in page


def test_a_run_favouring_loops_from_the_form_shows_the_loops_it_closed(inline):
    from marketplace.services.listings.interchange import import_document
    from tests.marketplace.services.matching.acid_loop import acid_document

    pages = inline
    import_document(pages.session, acid_document(), actor="test")
    pages.session.commit()
    pages.sign_in("admin")
    form = pages.text("/runs")
    assert 'name="favour_loops"' in form and "优先形成闭环" in form and 'name="loop_bonus"' in form
    plain = dict(GOOD, park="AC", loop_bonus="10000")
    page = pages.text(pages.post("/runs", plain).headers["Location"])
    assert "闭环机会" in page and "E-A → E-B → E-A" in page and "本次匹配未在企业之间形成闭环" in page
    page = pages.text(pages.post("/runs", dict(plain, favour_loops="1")).headers["Location"])
    assert "已形成的闭环" in page and "E-A → E-B → E-A" in page and "因 10,000 元闭环奖励" in page
    refused = pages.post("/runs", dict(plain, exact="1", favour_loops="1"))
    assert refused.status_code == 422 and "仅最小费用流可优先形成闭环" in refused.get_data(as_text=True)


def test_a_run_leads_with_tonnes_pairs_and_value_and_keeps_the_objective_in_details(inline):
    """Issue 17: tonnes matched, pairs and value created first, against the previous run; the solver's objective
    in a details section that says what it is; the same in English."""
    pages = inline
    pages.sign_in("coord")
    first = pages.post("/runs", GOOD).headers["Location"]
    page = pages.text(first)
    assert "匹配吨数" in page and "创造价值（元/年）" in page and "这是该范围的第一个批次" in page
    head, details = page.split("求解器详情", 1)
    assert "目标值" not in head and "目标值是优化器要最大化的量" in details and "贪心解" in details
    second = pages.post("/runs", GOOD).headers["Location"]
    run = pages.session.get(MatchRun, pages.client.get(second + ".json").get_json()["result"]["run"])
    page = pages.text(second)
    assert "较上一批次" in page and f"上一批次 #{run.id - 1}" in page
    listing = pages.text("/runs")
    assert "匹配吨数" in listing and "创造价值（元/年）" in listing
    pages.language("en")
    page = pages.text(second)
    assert "Tonnes matched" in page and "vs previous run" in page and "Solver details" in page
    assert "匹配吨数" not in page


def test_a_run_by_region_shows_regions_done_and_the_stage(pages, monkeypatch):
    from matching.regional import RegionProgress

    jobs = JobRegistry()
    monkeypatch.setitem(pages.app.extensions, REGISTRY_KEY, jobs)
    park_id = pages.session.scalar(select(Park.id).where(Park.code == "BH"))
    params = {"exact": False, "time_limit": 30.0, "min_lot": 0.0, "max_suppliers": None, "loop_bonus": 0.0}
    job, _ = jobs.start(park="BH", park_id=park_id, actor="x", params=params)
    pages.sign_in("coord")
    plain = pages.text(f"/runs/jobs/{job['id']}")
    assert re.search(r'<p class="muted" id="job-regions" hidden', plain)  # no region reported: as before
    for stage in ("load", "similarity", "candidates"):
        jobs.advance(job["id"], stage)
    jobs.region(job["id"], RegionProgress("prepare", "R02", 3, 8))
    status = pages.client.get(f"/runs/jobs/{job['id']}.json").get_json()
    assert status["regions"]["done"] == 3 and status["regions"]["total"] == 8
    assert status["regions"]["region"] == "R02" and status["regions"]["stage"] == "candidates"
    # Three stages done (queued, load, similarity) and 3/8 of the active one, of eight.
    assert status["progress"] == pytest.approx((3 + 3 / 8) / 8, abs=1e-3)
    page = pages.text(f"/runs/jobs/{job['id']}")
    assert "已完成区域：3 / 8（" in page
    assert not re.search(r'id="job-regions" hidden', page)
    pages.language("en")
    assert "Regions done: 3 of 8 (Building candidates and checking rules)" in pages.text(f"/runs/jobs/{job['id']}")
    jobs.finish(job["id"], {"run": 1})
    assert job_status(jobs.get(job["id"]))["regions"] is None  # a finished run shows what it did instead


def test_the_runner_passes_region_progress_to_the_job(inline, monkeypatch):
    from matching.regional import RegionProgress

    seen = []

    def run_matching(session, *, park, actor, settings, progress, region_progress, **_options):
        progress("load")
        progress("candidates")
        region_progress(RegionProgress("prepare", "R00", 1, 2))
        seen.append(job_status(jobs.running()[0])["regions"])
        raise Conflict("stop here (到此为止)")

    monkeypatch.setattr(run_service, "run_matching", run_matching)
    jobs = runs.registry(inline.app)
    inline.sign_in("coord")
    job_url = inline.post("/runs", GOOD).headers["Location"]
    assert inline.client.get(job_url + ".json").get_json()["failed"] is True
    assert seen and seen[0]["done"] == 1 and seen[0]["total"] == 2 and seen[0]["region"] == "R00"
