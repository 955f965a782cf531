"""The production server's master gives its workers one private shared directory for its lifetime."""
from __future__ import annotations

import os
from pathlib import Path

from marketplace import worker_cache
from web.wsgi_server import gunicorn_options


def test_the_master_makes_the_workers_directory_and_removes_it_at_exit(monkeypatch):
    monkeypatch.delenv(worker_cache.ENV, raising=False)
    options = gunicorn_options("127.0.0.1", 5000, 2)
    options["on_starting"](None)
    path = Path(os.environ[worker_cache.ENV])
    try:
        assert path.is_dir() and path.stat().st_mode & 0o777 == 0o700
        worker_cache.store("report", "k", {"a": 1})
        assert worker_cache.load("report", "k") == {"a": 1}  # what a forked worker sees
    finally:
        options["on_exit"](None)
    assert not path.exists() and worker_cache.ENV not in os.environ
