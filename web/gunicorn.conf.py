"""gunicorn settings for running the app with ``gunicorn`` directly instead of ``wastematch serve``.

    WASTEMATCH_ENV=production WASTEMATCH_SECRET_KEY=… WASTEMATCH_DATABASE_URL=postgresql+psycopg://… \\
        gunicorn -c web/gunicorn.conf.py 'web.app:create_app()'

The same settings as ``wastematch serve`` (``web.wsgi_server.gunicorn_options``): ``gthread`` workers,
one per core (``WEB_CONCURRENCY`` to choose), 4 threads each, no preloading (each worker builds the app
and its database engine after the fork), gunicorn's messages in the app's log format. ``wastematch serve``
also checks the key and the database before starting; here a worker that cannot start says why and
gunicorn stops. Bind with ``GUNICORN_BIND`` (default 127.0.0.1:5000: put the reverse proxy in front).
"""
# ruff: noqa: N999 - gunicorn's conventional file name; it is read by gunicorn, never imported
import os

from web.cli.serve import default_workers
from web.logging_setup import configure_logging
from web.wsgi_server import DEFAULT_THREADS, gunicorn_options

# Production mode in the master, inherited by the workers: create_app() refuses to start without a fixed key
# (a random key per worker would sign a cookie that the other workers refuse).
os.environ.setdefault("WASTEMATCH_ENV", "production")

_host, _, _port = os.environ.get("GUNICORN_BIND", "127.0.0.1:5000").rpartition(":")
_options = gunicorn_options(_host.strip("[]") or "127.0.0.1", int(_port),
                            int(os.environ.get("WEB_CONCURRENCY") or default_workers()), DEFAULT_THREADS)
globals().update(_options)

# The app's log lines (one JSON object per request unless WASTEMATCH_LOG_FORMAT=text), set up in the master
# before the workers are forked, so that they inherit it.
configure_logging()
