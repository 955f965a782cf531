"""What the worker processes of one server share: a document one worker built, the others read.

Each gunicorn worker keeps its warm one-click recommender and the park overview's report in memory until
the data changes. After a write every worker would rebuild the same thing (a refit costs tens to
hundreds of ms of CPU on the demo park, unpickling it ~3 ms), so the first worker to build it also writes
it here and the others load it. The directory exists only while one server runs: its master creates it
(``server_directory``) and names it in ``WASTEMATCH_WORKER_CACHE`` for the workers it forks, and removes it
when it stops, so nothing outlives the server (a kept entry is only ever read by the processes of the
server that wrote it, against the database it was built from). Without the variable (tests, the command
line, the one-process demo server) nothing is shared.

While one worker builds an entry, the others that need the same one wait for it (``one_builder``: a lock
file per entry) and load it, instead of each fitting the same model at once: after a new listing the
posting worker fits in its background thread, and the other worker's next one-click request, arriving
within that fit's 0.1-0.3 s, would start the same fit.

Entries are pickles (they hold NumPy arrays and fitted scikit-learn objects). Pickles execute code when
loaded, so the directory must be private: created with mode 0700 by ``tempfile.mkdtemp``, and checked to be
owned by this user and closed to others before anything is read from it. Every failure here (a full disk, a
vanished file, a value that cannot be pickled) only costs the rebuild the cache would have saved.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import pickle
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ENV = "WASTEMATCH_WORKER_CACHE"
KEEP_PER_KIND = 16  # entries of one kind kept (oldest removed first); each is one park's state
# How long a worker waits for another's build of the same entry before building it itself (a build takes
# 0.1-1 s on the demo park; a worker that dies while building releases its lock at once).
BUILD_WAIT_S = 30.0
_POLL_S = 0.005
log = logging.getLogger("wastematch.worker_cache")


def _directory() -> Path | None:
    """The server's private directory, or None (not set, gone, or not private: then nothing is shared)."""
    value = os.environ.get(ENV)
    if not value:
        return None
    path = Path(value)
    try:
        info = path.stat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        log.warning("%s=%s is not a private directory of this user: nothing is shared between workers", ENV, path)
        return None
    return path


def _file(directory: Path, kind: str, key: object, suffix: str = "pickle") -> Path:
    digest = hashlib.sha256(repr(key).encode("utf-8")).hexdigest()
    return directory / f"{kind}-{digest}.{suffix}"


@contextlib.contextmanager
def one_builder(kind: str, key: object, *, wait_s: float = BUILD_WAIT_S) -> Iterator[None]:
    """Hold the build of (``kind``, ``key``) for this worker: another worker building it holds it meanwhile.

    Use: ``load``; on a miss, ``with one_builder(kind, key):`` ``load`` again (the other worker may have
    stored it while this one waited), build and ``store`` only if still missing. Nothing is held when
    nothing is shared, nor after ``wait_s`` (a build taking that long is built here as well, as before).
    """
    directory = _directory()
    if directory is None:
        yield
        return
    try:
        fd = os.open(_file(directory, kind, key, "lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:  # see the module docstring: only the saving is lost
        yield
        return
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    log.warning("waited %.0f s for another worker's %s; building it here too", wait_s, kind)
                    break
                time.sleep(_POLL_S)  # the waiting thread's worker serves its other threads meanwhile
        yield
    finally:
        os.close(fd)  # releases the lock


def being_built(kind: str, key: object) -> bool:
    """Whether a thread or worker of this server holds the build of (``kind``, ``key``) at this moment.

    A probe, not a claim: the lock is taken without waiting and let go at once. False when nothing is
    shared (no server directory) or the entry has no lock file yet.
    """
    directory = _directory()
    if directory is None:
        return False
    try:
        fd = os.open(_file(directory, kind, key, "lock"), os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # also lets go of the probe's lock, if it got it
    return False


def load(kind: str, key: object) -> Any | None:
    """The value another worker stored under (``kind``, ``key``), or None."""
    directory = _directory()
    if directory is None:
        return None
    try:
        with _file(directory, kind, key).open("rb") as fh:
            stored_key, value = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception:  # see the module docstring: a bad entry only costs a rebuild
        log.warning("could not read a kept %s; building it", kind, exc_info=True)
        return None
    # The digest names the file; the key itself, stored beside the value, is what must match.
    return value if stored_key == key else None


def store(kind: str, key: object, value: Any) -> None:
    """Keep ``value`` for the other workers under (``kind``, ``key``); at most ``KEEP_PER_KIND`` of a kind."""
    directory = _directory()
    if directory is None:
        return
    target = _file(directory, kind, key)
    try:
        # Written beside, then renamed over: a reader sees the whole entry or none.
        fd, scratch = tempfile.mkstemp(dir=directory, prefix=".writing-")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((key, value), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(scratch, target)
    except Exception:  # see the module docstring
        log.warning("could not keep a %s for the other workers", kind, exc_info=True)
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(scratch)
        return
    _prune(directory, kind)


def _prune(directory: Path, kind: str) -> None:
    for suffix in ("pickle", "lock"):  # a lock file removed while held costs at most one build done twice
        entries = []
        for path in directory.glob(f"{kind}-*.{suffix}"):
            with contextlib.suppress(OSError):
                entries.append((path.stat().st_mtime_ns, path))
        for _, path in sorted(entries)[:-KEEP_PER_KIND]:
            with contextlib.suppress(OSError):
                path.unlink()


@contextlib.contextmanager
def server_directory() -> Iterator[Path]:
    """A private directory for the workers of one server, named in ``WASTEMATCH_WORKER_CACHE`` while it runs."""
    path = Path(tempfile.mkdtemp(prefix="wastematch-workers-"))  # mode 0700
    previous = os.environ.get(ENV)
    os.environ[ENV] = str(path)
    try:
        yield path
    finally:
        if previous is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = previous
        shutil.rmtree(path, ignore_errors=True)
