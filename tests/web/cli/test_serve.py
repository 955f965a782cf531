"""``wastematch serve``: refuses to start without a key or a usable database (one line, exit code 1), and in
production forks worker processes that answer."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from marketplace.db import make_engine

from .runner import chinese_words, english_sentences, run, run_in

KEY = "s" * 40
OPERATOR = "operator-" + "t" * 32


def _serve(monkeypatch, url: str, *args: str, key: str | None = KEY):
    """``wastematch --db URL serve ARGS`` in process; it must stop before serving."""
    monkeypatch.delenv("WASTEMATCH_SECRET_KEY_FILE", raising=False)
    if key is None:
        monkeypatch.delenv("WASTEMATCH_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("WASTEMATCH_SECRET_KEY", key)
    result = run_in("en", url, "serve", "--port", "1", *args, ok=False)  # one language: the line starts "Error:"
    assert result.exit_code == 1 and "serving on" not in result.stderr, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "Traceback" not in result.output, result.stderr
    return errors[0]


def test_serve_refuses_to_start_without_a_secret_key(monkeypatch, db_url):
    assert "WASTEMATCH_SECRET_KEY is not set" in _serve(monkeypatch, db_url, key=None)
    assert "too short" in _serve(monkeypatch, db_url, key="abc")


def test_serve_refuses_an_unreachable_database_in_one_line_with_the_password_masked(monkeypatch, backend,
                                                                                     pg_scratch, tmp_path):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'nowhere' / 'wastematch.sqlite3'}"
        assert f"no database at {tmp_path / 'nowhere'}" in _serve(monkeypatch, url)
        return
    # The PostgreSQL of the tests, a database that is not there; and a port where nothing listens.
    server = make_engine(pg_scratch.new_url()).url
    missing = server.set(password="hunter2secret", database="wastematch_no_such_db")
    line = _serve(monkeypatch, missing.render_as_string(hide_password=False))
    assert line.startswith(f"Error: cannot connect to the database at "
                           f"{missing.render_as_string(hide_password=True)}: ") and "hunter2" not in line
    closed = missing.set(port=1, query={"connect_timeout": "3"})
    line = _serve(monkeypatch, closed.render_as_string(hide_password=False))
    assert "cannot connect to the database at" in line and ":***@" in line and "hunter2" not in line


def test_serve_refuses_a_database_without_schema_or_behind_the_code(monkeypatch, backend, fresh_database_url):
    url = fresh_database_url(backend)
    engine = make_engine(url)
    with engine.begin() as conn:  # reachable, but `wastematch init` never ran
        conn.execute(text("CREATE TABLE placeholder (id INTEGER)"))
    assert "has no schema yet: run `wastematch init`" in _serve(monkeypatch, url)
    run(url, "init")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    engine.dispose()
    line = _serve(monkeypatch, url)
    assert "is at schema revision 0001, this code expects" in line and "run `wastematch init`" in line


def test_serve_refuses_in_chinese_and_in_english(monkeypatch, db_url):
    monkeypatch.delenv("WASTEMATCH_SECRET_KEY_FILE", raising=False)
    monkeypatch.delenv("WASTEMATCH_SECRET_KEY", raising=False)
    zh = run_in("zh", db_url, "serve", "--port", "1", ok=False)
    assert zh.exit_code == 1 and "未设置 WASTEMATCH_SECRET_KEY" in zh.stderr and not english_sentences(zh.stderr)
    monkeypatch.setenv("WASTEMATCH_SECRET_KEY", KEY)
    with socket.socket() as taken:  # another server listens on the port
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        zh = run_in("zh", db_url, "serve", "--port", str(port), ok=False)
        assert zh.exit_code == 1
        assert f"无法在 127.0.0.1:{port} 提供服务：端口已被占用；请用 --port 指定其他端口" in zh.stderr
        assert not english_sentences(zh.stderr), zh.stderr
        en = run_in("en", db_url, "serve", "--port", str(port), ok=False)
        assert en.exit_code == 1 and f"cannot serve on 127.0.0.1:{port}: " in en.stderr and not chinese_words(en.stderr)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, token: str | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                 headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="gunicorn and /proc: Linux")
def test_serve_with_two_workers_forks_two_processes_that_answer(tmp_path):
    url = f"sqlite:///{tmp_path / 'wastematch.sqlite3'}"
    run(url, "init")
    port = _free_port()
    env = {**os.environ, "WASTEMATCH_SECRET_KEY": KEY, "WASTEMATCH_OPERATOR_TOKEN": OPERATOR,
           "WASTEMATCH_LOG_FORMAT": "json", "WASTEMATCH_INSTANCE_PATH": str(tmp_path / "instance")}
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen([str(Path(sys.executable).with_name("wastematch")), "--db", url, "serve", "--workers", "2",
                                   "--threads", "2", "--port", str(port)], env=env, stdout=out, stderr=out,
                                  cwd=Path(__file__).resolve().parents[3])
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text()
            try:
                if _get(port, "/healthz") == (200, {"status": "ok"}):
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        workers = _children(server.pid)
        assert len(workers) == 2, workers
        # Each worker answers: ask until both have (parallel requests spread over the two).
        seen: set[int] = set()
        with ThreadPoolExecutor(6) as pool:
            while seen != set(workers) and time.monotonic() < deadline:
                for status, body in pool.map(lambda _: _get(port, "/healthz/details", OPERATOR), range(12)):
                    assert status == 200 and body["process"]["production"], body
                    seen.add(body["process"]["pid"])
        assert seen == set(workers)
        assert _get(port, "/healthz/details")[0] == 401
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    lines = log.read_text().splitlines()
    assert any("serving on http://127.0.0.1:" in line for line in lines)  # after its Chinese: 正在 http://… 提供服务
    access = [json.loads(line) for line in lines if '"wastematch.access"' in line]
    assert {a["path"] for a in access} >= {"/healthz", "/healthz/details"}
    assert {a["status"] for a in access if a["path"] == "/healthz/details"} == {200, 401}
