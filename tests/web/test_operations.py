"""Running the app as a service: the secret key, /healthz and the operators' check, headers, request logs."""
from __future__ import annotations

import datetime as dt
import io
import json
import logging
import multiprocessing
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from marketplace.db import head_revision
from marketplace.models import JobRun
from tests.factories import API_PASSWORD, API_USERS, load_api_park
from tests.web.api import conftest as api_harness
from tests.web.api.conftest import app_in_rolled_back_transaction
from tests.web.pages import conftest as page_harness
from web.app import create_app
from web.config import AppConfig, ConfigError, demo_secret_key
from web.health import ENV_OPERATOR_TOKEN
from web.logging_setup import configure_logging
from web.pages.runs import JobRegistry, SharedJobRegistry, registry

KEY = "k" * 40
# The API's and the pages' harnesses (fixtures of their folders' conftest), for the checks that span both.
api_app, api = api_harness.api_app, api_harness.api
pages_engine, pages_app, pages = page_harness.pages_engine, page_harness.pages_app, page_harness.pages
TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


def _production(url: str, key: str | None, tmp_path: Path) -> AppConfig:
    return AppConfig(database_url=url, secret_key=key, instance_path=tmp_path, production=True)


# --- the secret key ---------------------------------------------------------------------------------

def test_production_app_refuses_to_start_without_a_secret_key(tmp_path):
    url = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    with pytest.raises(ConfigError, match="WASTEMATCH_SECRET_KEY is not set") as missing:
        create_app(_production(url, None, tmp_path))
    assert "\n" not in str(missing.value)
    with pytest.raises(ConfigError, match="too short"):
        create_app(_production(url, "short", tmp_path))


def test_production_mode_and_the_key_file_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("WASTEMATCH_SECRET_KEY", raising=False)
    monkeypatch.setenv("WASTEMATCH_ENV", "production")
    monkeypatch.setenv("WASTEMATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'unused.sqlite3'}")
    with pytest.raises(ConfigError):
        create_app()
    (tmp_path / "key").write_text(KEY + "\n", encoding="utf-8")
    monkeypatch.setenv("WASTEMATCH_SECRET_KEY_FILE", str(tmp_path / "key"))
    app = create_app()
    assert app.secret_key == KEY and app.config["WASTEMATCH_PRODUCTION"]
    app.extensions["wastematch.engine"].dispose()


def test_outside_production_a_missing_key_is_random_and_said(tmp_path, caplog, monkeypatch):
    monkeypatch.delenv("WASTEMATCH_SECRET_KEY", raising=False)
    monkeypatch.delenv("WASTEMATCH_SECRET_KEY_FILE", raising=False)
    with caplog.at_level(logging.WARNING):
        app = create_app({"database_url": f"sqlite:///{tmp_path / 'unused.sqlite3'}", "instance_path": tmp_path})
    assert len(app.secret_key) == 64 and "signed out" in caplog.text
    app.extensions["wastematch.engine"].dispose()


def test_the_demo_keeps_its_key_in_the_data_folder(tmp_path):
    first = demo_secret_key(tmp_path)
    assert demo_secret_key(tmp_path) == first and len(first) >= 32
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


@contextmanager
def _two_processes(engine, tmp_path: Path) -> Iterator[tuple[Flask, Flask]]:
    """Two app instances with the same key on one database (a server before and after a restart)."""
    url = engine.url.render_as_string(hide_password=False)
    before = create_app(_production(url, KEY, tmp_path))
    after = create_app(_production(url, KEY, tmp_path))
    with app_in_rolled_back_transaction(before, engine) as session:
        load_api_park(session)
        session.commit()
        after.extensions["wastematch.sessions"] = before.extensions["wastematch.sessions"]
        try:
            yield before, after
        finally:
            for app in (before, after):
                app.extensions["wastematch.engine"].dispose()


def _signed_in_cookie(app: Flask, user: str) -> str:
    client = app.test_client()
    page = client.get("/signin").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    res = client.post("/signin", data={"email": API_USERS[user][0], "password": API_PASSWORD, "csrf_token": token})
    assert res.status_code == 302, res.get_data(as_text=True)[:300]
    return client.get_cookie("wastematch_session").value


def test_a_restart_keeps_every_session(engine, tmp_path):
    with _two_processes(engine, tmp_path) as (before, after):
        cookie = _signed_in_cookie(before, "e1")
        client = after.test_client()
        client.set_cookie("wastematch_session", cookie)
        res = client.get("/notifications")
        assert res.status_code == 200, res.headers.get("Location")


# --- /healthz and the operators' check ------------------------------------------------------------------

def test_healthz_is_ok_and_nothing_else(api):
    res = api.get("/healthz")
    assert res.status_code == 200 and res.json == {"status": "ok"}
    assert res.headers["Cache-Control"] == "no-store"


def test_healthz_hides_why_a_database_is_unreachable(tmp_path):
    url = "postgresql+psycopg://wm:hunter2secret@127.0.0.1:1/parkdb?connect_timeout=2"
    app = create_app({"database_url": url, "instance_path": tmp_path})
    res = app.test_client().get("/healthz")
    body = res.get_data(as_text=True)
    assert res.status_code == 503 and res.json == {"status": "unavailable"}
    assert not any(leak in body for leak in ("127.0.0.1", "parkdb", "hunter2", "5432", "refused"))
    app.extensions["wastematch.engine"].dispose()


def test_healthz_of_a_database_without_schema_is_unavailable_and_the_details_say_why(
        backend, fresh_database_url, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_OPERATOR_TOKEN, "op-" + KEY)
    app = create_app({"database_url": fresh_database_url(backend), "instance_path": tmp_path})
    client = app.test_client()
    res = client.get("/healthz")
    assert res.status_code == 503 and res.json == {"status": "unavailable"}
    res = client.get("/healthz/details", headers={"Authorization": f"Bearer op-{KEY}"})
    assert res.status_code == 503 and "wastematch init" in res.json["problem"]
    assert res.json["database"]["reachable"] is True and res.json["database"]["schema_revision"] is None
    app.extensions["wastematch.engine"].dispose()


def test_the_operators_check_needs_an_operator_or_an_admin(api, monkeypatch):
    assert api.get("/healthz/details").status_code == 401
    assert api.get("/healthz/details", as_="e1").status_code == 403
    assert api.get("/healthz/details", as_="coord").status_code == 403
    assert api.get("/healthz/details", headers={"Authorization": "Bearer not-the-token"}).status_code == 401
    res = api.get("/healthz/details", as_="admin")
    assert res.status_code == 200, res.json
    body = res.json
    assert body["status"] == "ok" and body["problem"] is None
    assert body["database"]["schema_revision"] == body["database"]["schema_head"] == head_revision()
    assert body["database"]["dialect"] == api.app.extensions["wastematch.engine"].dialect.name
    assert body["versions"]["python"] and body["versions"]["flask"] and body["process"]["pid"] > 0
    assert body["scheduler"]["in_this_process"] is False and body["scheduler"]["last_runs"] == {}
    assert body["asked_by"].startswith("admin:")
    monkeypatch.setenv(ENV_OPERATOR_TOKEN, "op-" + KEY)
    res = api.get("/healthz/details", headers={"Authorization": f"Bearer op-{KEY}"})
    assert res.status_code == 200 and res.json["asked_by"] == "operator-token"


def test_the_operators_check_accepts_a_signed_in_admin_only(pages):
    assert pages.get("/healthz/details").status_code == 401
    pages.sign_in("e1")
    assert pages.get("/healthz/details").status_code == 403
    pages.client.post("/signout", data={"csrf_token": pages.csrf("/notifications")})
    pages.sign_in("admin")
    res = pages.get("/healthz/details")
    assert res.status_code == 200 and res.json["status"] == "ok"


# --- headers ------------------------------------------------------------------------------------------

def test_no_template_has_an_inline_script():
    """The CSP allows scripts from our own files only: an inline one would not run."""
    for template in TEMPLATES.glob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", template.read_text(encoding="utf-8")):
            assert "src=" in tag, f"{template.name}: inline {tag}"
        assert not re.search(r"\son[a-z]+\s*=\s*[\"']", template.read_text(encoding="utf-8")), template.name


def test_headers_forbid_inline_scripts_and_caching_of_private_answers(pages):
    res = pages.get("/signin")
    csp = dict(part.strip().split(" ", 1) for part in res.headers["Content-Security-Policy"].split(";"))
    assert csp["script-src"] == "'self'"
    assert "Strict-Transport-Security" not in res.headers  # plain HTTP (no secure cookies configured)
    assert res.headers.get("Cache-Control") != "no-store"  # public, signed out
    assert pages.get("/static/app.css").headers.get("Cache-Control") != "no-store"
    pages.sign_in("e1")
    for path in ("/notifications", "/"):
        assert pages.get(path).headers["Cache-Control"] == "no-store", path


def test_api_answers_are_not_cached(api):
    res = api.get("listings", as_="e1")
    assert res.status_code == 200 and res.headers["Cache-Control"] == "no-store"


def test_hsts_where_cookies_are_secure(tmp_path, monkeypatch):
    monkeypatch.setenv("WASTEMATCH_SECURE_COOKIES", "1")
    app = create_app({"database_url": f"sqlite:///{tmp_path / 'unused.sqlite3'}", "instance_path": tmp_path})
    res = app.test_client().get("/signin")
    assert res.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    app.extensions["wastematch.engine"].dispose()


def test_behind_a_trusted_proxy_the_scheme_and_address_come_from_it(tmp_path, monkeypatch):
    monkeypatch.setenv("WASTEMATCH_TRUSTED_PROXIES", "1")
    app = create_app({"database_url": f"sqlite:///{tmp_path / 'unused.sqlite3'}", "instance_path": tmp_path})
    seen = {}

    @app.get("/__probe")
    def _probe():
        from flask import request
        seen.update(scheme=request.scheme, addr=request.remote_addr)
        return "ok"

    app.test_client().get("/__probe", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
    assert seen == {"scheme": "https", "addr": "203.0.113.7"}
    app.extensions["wastematch.engine"].dispose()


# --- logs ---------------------------------------------------------------------------------------------

@contextmanager
def _captured_logs(fmt: str) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(fmt, stream)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_one_json_line_per_request(api):
    with _captured_logs("json") as stream:
        res = api.get("listings", as_="e1", headers={"X-Request-ID": "req-42"})
        api.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = [line for line in lines if line["logger"] == "wastematch.access"]
    assert len(access) == 2
    first, second = access
    assert first["method"] == "GET" and first["path"] == "/api/v1/listings" and first["status"] == 200
    assert first["request_id"] == "req-42" == res.headers["X-Request-ID"]
    assert isinstance(first["ms"], float) and first["ms"] >= 0
    assert first["user_id"] == api.session.scalar(text("select id from users where email = :e"),
                                                   {"e": API_USERS["e1"][0]})
    assert second["user_id"] is None and re.fullmatch(r"[0-9a-f]{32}", second["request_id"])


def test_an_error_is_one_json_line_with_its_request_id_and_traceback(tmp_path):
    app = create_app({"database_url": f"sqlite:///{tmp_path / 'unused.sqlite3'}", "instance_path": tmp_path})

    @app.get("/__boom")
    def _boom():
        raise RuntimeError("kaput")

    with _captured_logs("json") as stream:
        res = app.test_client().get("/__boom", headers={"Accept": "application/json"})
    assert res.status_code == 500
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    error = next(line for line in lines if line["level"] == "error")
    assert error["request_id"] == res.headers["X-Request-ID"] and error["path"] == "/__boom"
    assert "RuntimeError: kaput" in error["exception"]
    assert [line["status"] for line in lines if line["logger"] == "wastematch.access"] == [500]
    app.extensions["wastematch.engine"].dispose()


def test_text_logs_for_people(api):
    with _captured_logs("text") as stream:
        api.get("/healthz")
    line = stream.getvalue().strip().splitlines()[-1]
    assert "wastematch.access GET /healthz 200" in line and "request_id=" in line and "ms=" in line


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="json, text"):
        configure_logging("xml", io.StringIO())


# --- several workers: the park-wide run started from a page -----------------------------------------------

def test_workers_share_the_run_jobs_through_the_data_folder(tmp_path):
    """The worker answering a progress poll need not be the one running the job."""
    now = [1000.0]
    runner, poller = (SharedJobRegistry(tmp_path, clock=lambda: now[0]) for _ in range(2))
    job, created = runner.start(park="BH", park_id=1, actor="coord", params={"exact": False})
    assert created and poller.get(job["id"]) == job
    assert poller.start(park="BH", park_id=1, actor="other", params={}) == (job, False)
    assert poller.start(park=None, park_id=None, actor="admin", params={})[1] is False
    runner.advance(job["id"], "load")
    assert poller.get(job["id"])["stage"] == "load" and [j["id"] for j in poller.running()] == [job["id"]]
    runner.finish(job["id"], {"run": 7})
    assert poller.get(job["id"])["result"] == {"run": 7} and poller.running() == []
    now[0] += 3601
    assert poller.get(job["id"]) is None and not list(tmp_path.glob("*.json"))


def _start_in_a_process(folder: str, results, ready, done) -> None:
    jobs = SharedJobRegistry(Path(folder))
    ready.wait()  # all start together
    results.put(jobs.start(park="BH", park_id=1, actor="x", params={})[1])
    done.wait()  # a worker stays alive while its job runs (a job of a dead worker is failed, see below)


def test_one_run_per_park_across_racing_processes(tmp_path):
    context = multiprocessing.get_context("fork")
    results, ready, done = context.Queue(), context.Barrier(6), context.Barrier(6)
    processes = [context.Process(target=_start_in_a_process, args=(str(tmp_path), results, ready, done))
                 for _ in range(6)]
    for p in processes:
        p.start()
    created = [results.get(timeout=30) for _ in processes]
    for p in processes:
        p.join(30)
    assert created.count(True) == 1


def test_a_job_whose_worker_is_gone_fails_and_frees_its_park(tmp_path):
    jobs = SharedJobRegistry(tmp_path)
    job, _ = jobs.start(park="BH", park_id=1, actor="x", params={})
    file = tmp_path / f"{job['id']}.json"
    data = json.loads(file.read_text())
    data["pid"] = _unused_pid()
    file.write_text(json.dumps(data))
    stopped = jobs.get(job["id"])
    assert stopped["stage"] == "failed" and "server process running this job stopped" in stopped["error"]
    assert jobs.start(park="BH", park_id=1, actor="x", params={})[1] is True


def _unused_pid() -> int:
    """A pid no process has: the top of the range (Linux), where a test machine's pids never get to."""
    top = int(Path("/proc/sys/kernel/pid_max").read_text())
    return next(pid for pid in range(top - 1, top - 100, -1) if not Path(f"/proc/{pid}").exists())


def test_production_apps_share_the_registry_and_others_keep_it_in_memory(tmp_path):
    url = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    shared = create_app(_production(url, KEY, tmp_path))
    local = create_app({"database_url": url, "instance_path": tmp_path})
    assert isinstance(registry(shared), SharedJobRegistry) and registry(shared).folder == tmp_path / "run-jobs"
    assert type(registry(local)) is JobRegistry
    for app in (shared, local):
        app.extensions["wastematch.engine"].dispose()


def test_the_operators_check_shows_the_schedulers_latest_run_of_each_job(api):
    """The scheduler may run in another process (``wastematch scheduler``): its runs are read from the database."""
    earlier, later = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC), dt.datetime(2026, 1, 5, 9, 15, tzinfo=dt.UTC)
    for slot, status in ((earlier, "done"), (later, "failed")):
        api.session.add(JobRun(job="scan_alerts", slot=slot, claimed_by="host:42", claimed_at=slot, status=status,
                               finished_at=slot + dt.timedelta(seconds=3)))
    api.session.commit()
    runs = api.get("/healthz/details", as_="admin").json["scheduler"]["last_runs"]
    assert runs["scan_alerts"]["status"] == "failed" and runs["scan_alerts"]["by"] == "host:42"
    assert runs["scan_alerts"]["slot"].startswith("2026-01-05T09:15")
