"""What a server's workers share (``marketplace.worker_cache``): only inside the server's private directory."""
from __future__ import annotations

import fcntl
import os

import pytest

from marketplace import worker_cache


@pytest.fixture
def shared():
    with worker_cache.server_directory() as path:
        yield path
    assert not path.exists()  # removed with the server


def test_one_worker_stores_the_other_loads(shared):
    assert worker_cache.load("report", ("db", "v1")) is None
    worker_cache.store("report", ("db", "v1"), {"kpis": [1, 2]})
    assert worker_cache.load("report", ("db", "v1")) == {"kpis": [1, 2]}
    assert worker_cache.load("report", ("db", "v2")) is None
    assert worker_cache.load("recommender", ("db", "v1")) is None  # kinds are apart
    assert oct(shared.stat().st_mode & 0o777) == "0o700"


def test_nothing_is_shared_outside_a_server(tmp_path, monkeypatch):
    monkeypatch.delenv(worker_cache.ENV, raising=False)
    worker_cache.store("report", "k", 1)
    assert worker_cache.load("report", "k") is None
    monkeypatch.setenv(worker_cache.ENV, str(tmp_path / "gone"))
    worker_cache.store("report", "k", 1)
    assert worker_cache.load("report", "k") is None


def test_a_directory_others_may_write_is_never_read(tmp_path, monkeypatch):
    monkeypatch.setenv(worker_cache.ENV, str(tmp_path))
    tmp_path.chmod(0o700)
    worker_cache.store("report", "k", 1)
    assert worker_cache.load("report", "k") == 1
    tmp_path.chmod(0o777)  # a pickle planted by another user would run code when loaded
    assert worker_cache.load("report", "k") is None
    tmp_path.chmod(0o700)


def test_an_entry_answers_only_its_own_key_and_a_broken_one_is_a_miss(shared):
    worker_cache.store("report", "a", 1)
    (entry,) = shared.glob("report-*.pickle")
    os.replace(entry, worker_cache._file(shared, "report", "b"))  # a's entry under b's name
    assert worker_cache.load("report", "b") is None
    worker_cache._file(shared, "report", "a").write_bytes(b"not a pickle")
    assert worker_cache.load("report", "a") is None
    worker_cache.store("report", "a", 2)
    assert worker_cache.load("report", "a") == 2


def test_a_kind_keeps_its_newest_entries(shared):
    for i in range(worker_cache.KEEP_PER_KIND + 5):
        worker_cache.store("report", i, i)
    assert len(list(shared.glob("report-*.pickle"))) == worker_cache.KEEP_PER_KIND
    assert worker_cache.load("report", worker_cache.KEEP_PER_KIND + 4) == worker_cache.KEEP_PER_KIND + 4
    assert not list(shared.glob(".writing-*"))


def test_a_value_that_cannot_be_kept_costs_nothing_but_the_rebuild(shared):
    worker_cache.store("report", "k", lambda: None)  # not picklable
    assert worker_cache.load("report", "k") is None
    assert not list(shared.iterdir())


def _held_elsewhere(path) -> bool:
    """Whether another open file description holds ``path``'s lock (as another worker's would)."""
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_one_worker_builds_while_the_others_wait(shared, caplog):
    key = ("db", "v1")
    with worker_cache.one_builder("recommender", key):
        (lock,) = shared.glob("recommender-*.lock")
        assert _held_elsewhere(lock)
        # A build that waited its limit goes ahead (as before: built twice), never deadlocks.
        with worker_cache.one_builder("recommender", key, wait_s=0.0):
            pass
        assert "building it here too" in caplog.text
        with worker_cache.one_builder("recommender", ("db", "v2"), wait_s=0.0):  # another entry: its own lock
            assert len(list(shared.glob("recommender-*.lock"))) == 2
    assert not _held_elsewhere(lock)


def test_outside_a_server_nobody_waits(tmp_path, monkeypatch):
    monkeypatch.delenv(worker_cache.ENV, raising=False)
    with worker_cache.one_builder("recommender", ("db", "v1"), wait_s=0.0):
        pass
