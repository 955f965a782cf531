"""The production WSGI server: gunicorn, one master and N worker processes, each with a few threads.

Why gunicorn rather than waitress (which ``make demo`` keeps): waitress serves from one process, so
the Python interpreter's lock lets the app use one core however many threads it has (the issue measured
36 listing requests/s at 8 clients, CPU-bound on one core). gunicorn pre-forks workers that each run the
whole app, so N workers use N cores; a master restarts a worker that dies or hangs (``timeout``). The
``gthread`` worker adds threads per worker, so a request waiting on PostgreSQL does not idle its core.
gunicorn runs on Linux and other Unixes only, which is where a park's server runs.

Nothing is built before the fork: each worker calls the app factory itself (``preload_app`` off), so
every worker opens its own database engine and connection pool (a connection shared across a fork would
interleave two processes' traffic on one socket). ``web/gunicorn.conf.py`` holds the same settings for
running ``gunicorn`` directly.
"""
from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from marketplace import worker_cache

from .warmup import tune_collector, warm_up

DEFAULT_THREADS = 4
# A request may run for minutes only as a background job; a worker silent for this long is hung and replaced.
WORKER_TIMEOUT_S = 120
OPTIONAL_SETTINGS = {"control_socket_disable"}
# The workers' shared directory (marketplace.worker_cache): made by the master before it forks them, removed when
# the master exits.
_SERVER_SCOPE = contextlib.ExitStack()


def _on_starting(_server: Any) -> None:
    _SERVER_SCOPE.enter_context(worker_cache.server_directory())


def _on_exit(_server: Any) -> None:
    _SERVER_SCOPE.close()


def gunicorn_options(host: str, port: int, workers: int, threads: int = DEFAULT_THREADS) -> dict[str, Any]:
    """The gunicorn settings of ``wastematch serve`` (and of ``web/gunicorn.conf.py``)."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers, "worker_class": "gthread", "threads": threads,
        "timeout": WORKER_TIMEOUT_S, "graceful_timeout": 30, "keepalive": 5,
        "preload_app": False,  # see the module docstring: engines are made in each worker
        "accesslog": None,  # the app writes its own request lines (web.logging_setup)
        "errorlog": "-", "loglevel": "info",
        "logger_class": "web.wsgi_server.RootLogger",
        "proc_name": "wastematch",
        # gunicorn ≥ 25's control socket lives at one path per user: two servers on a machine would collide.
        "control_socket_disable": True,
        # Size limits of the request line and headers (gunicorn's defaults, stated so they are not forgotten).
        "limit_request_line": 4094, "limit_request_fields": 100, "limit_request_field_size": 8190,
        # What one worker builds after a write (the warm recommender, the overview's report) the others load.
        "on_starting": _on_starting, "on_exit": _on_exit,
    }


class RootLogger(Logger):
    """gunicorn's own messages (booting, worker exits) through the root logger: the same format, JSON or text,
    as the app's lines (``web.logging_setup.configure_logging``) instead of gunicorn's fixed one.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in list(log.handlers):
                log.removeHandler(handler)
            log.propagate = True
        self.error_handlers, self.access_handlers = [], []


class GunicornServer(BaseApplication):
    """gunicorn run from Python with our settings, calling ``factory`` once in each worker."""

    def __init__(self, factory: Callable[[], Any], options: dict[str, Any]) -> None:
        self._factory, self._options = factory, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            if key in OPTIONAL_SETTINGS and key not in self.cfg.settings:
                continue  # an older gunicorn without that feature
            self.cfg.set(key, value)

    def load(self) -> Any:
        """The app, built in the worker (see the module docstring)."""
        app = self._factory()
        warm_up(app)  # before this worker takes requests (web.warmup)
        tune_collector()
        logging.getLogger("wastematch.server").info("worker %s ready", os.getpid())
        return app
