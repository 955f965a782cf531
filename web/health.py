"""Health: ``/healthz`` for load balancers, ``/healthz/details`` for operators, and the start-up check.

``/healthz`` is public and says nothing but ``ok`` (200) or ``unavailable`` (503): the database is
reachable and its schema is the one the code expects. Why not, and everything else (database,
schema revision, scheduler, versions, this process), is on ``/healthz/details``, for operators only:
``Authorization: Bearer <WASTEMATCH_OPERATOR_TOKEN>`` (a monitoring system), an admin's API token, or
a signed-in admin's page session. ``database_problem`` is the same check as one line for
``wastematch serve`` to refuse to start with.
"""
from __future__ import annotations

import functools
import hmac
import os
import platform
import time
from importlib import metadata
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from marketplace.db import head_revision as _read_head_revision
from marketplace.db import make_engine, schema_revision
from marketplace.errors import Forbidden, Unauthorized

from .config import describe_database, sqlite_file

bp = Blueprint("health", __name__)

ENV_OPERATOR_TOKEN = "WASTEMATCH_OPERATOR_TOKEN"
SCHEDULER_EXTENSION = "wastematch.scheduler"  # an object with ``status() -> dict`` when a scheduler runs here
_STARTED = time.time()
STARTUP_CONNECT_TIMEOUT_S = 10


@functools.cache
def head_revision() -> str | None:
    """The code's schema head, read once per process (it reads every migration file: too slow per /healthz)."""
    return _read_head_revision()


def _first_line(exc: BaseException) -> str:
    """The driver's message on one line (psycopg's spans several, with tabs)."""
    text = " ".join(str(getattr(exc, "orig", None) or exc).split())
    return text[:300] or type(exc).__name__


def _quick_connect(url: str) -> dict[str, Any]:
    """A start-up check waits at most ``STARTUP_CONNECT_TIMEOUT_S`` for PostgreSQL (libpq waits for ever on a host
    that drops packets), unless the URL says ``connect_timeout`` itself."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        return {"connect_args": {"connect_timeout": STARTUP_CONNECT_TIMEOUT_S}}
    return {}


def database_problem(url: str, engine: Engine | None = None) -> str | None:
    """None when the database at ``url`` is reachable and at the code's schema head; else one line saying
    what is wrong and what to do (the password masked).
    """
    where = describe_database(url)
    file = sqlite_file(url)
    if file is not None and not file.exists():  # checked first: connecting would create an empty file
        return (f"no database at {file}: run `wastematch init` first, or name the database with --db URL / "
                "WASTEMATCH_DATABASE_URL (数据库不存在，请先运行 wastematch init)")
    own = engine is None
    try:
        engine = engine or make_engine(url, **_quick_connect(url))
        revision = schema_revision(engine)
    except Exception as exc:  # noqa: BLE001 - whatever the driver raises, the operator gets one line
        return f"cannot connect to the database at {where}: {_first_line(exc)} (无法连接数据库)"
    finally:
        if own and engine is not None:
            engine.dispose()
    head = head_revision()
    if revision is None:
        return f"the database at {where} has no schema yet: run `wastematch init` (数据库尚未初始化)"
    if revision != head:
        return (f"the database at {where} is at schema revision {revision}, this code expects {head}: "
                "run `wastematch init` to upgrade it (数据库结构版本不符，请运行 wastematch init 升级)")
    return None


@bp.get("/healthz")
def healthz():
    """200 ``ok`` when the database answers at the current schema, else 503 ``unavailable`` (no details)."""
    engine = current_app.extensions["wastematch.engine"]
    try:
        healthy = schema_revision(engine) == head_revision()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy; the why is for operators
        healthy = False
    if healthy:
        return jsonify({"status": "ok"})
    return jsonify({"status": "unavailable"}), 503


def _require_operator() -> str:
    """Who asks for the details: the operator token or an admin; ``Unauthorized``/``Forbidden`` otherwise."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expected = os.environ.get(ENV_OPERATOR_TOKEN, "")
    if scheme.lower() == "bearer" and expected and hmac.compare_digest(token.strip().encode(), expected.encode()):
        return "operator-token"
    if scheme.lower() == "bearer":
        from .api.common import current_principal

        principal = current_principal()
    else:
        from .pages.auth import page_principal

        principal = page_principal()
        if principal is None:
            raise Unauthorized("operators only: send Authorization: Bearer <operator or admin token>, or sign in "
                               "as an admin (仅限运维人员：请提供运维令牌或以管理员身份登录)")
    if not principal.is_admin:
        raise Forbidden("operators only: the detailed health check is for admins (仅限管理员)")
    return principal.actor


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _scheduler(schema_current: bool) -> dict[str, Any]:
    """Whether a scheduler runs in this process, and the latest claimed run of each job (by any process: the
    scheduler may run elsewhere, ``wastematch scheduler``), read only when the schema is current."""
    here = current_app.extensions.get(SCHEDULER_EXTENSION)
    out: dict[str, Any] = {"in_this_process": here is not None, "last_runs": None}
    if here is not None and hasattr(here, "status"):
        out["status"] = here.status()
    if schema_current:
        from marketplace.services.scheduling import recent_runs

        from .database import db_session

        latest: dict[str, Any] = {}
        for run in recent_runs(db_session(), limit=100):
            latest.setdefault(run.job, {"slot": run.slot.isoformat(), "status": run.status, "by": run.claimed_by,
                                        "finished_at": run.finished_at.isoformat() if run.finished_at else None})
        out["last_runs"] = latest
    return out


@bp.get("/healthz/details")
def healthz_details():
    """The state of this process for operators: database, schema, scheduler, versions (503 when unhealthy)."""
    caller = _require_operator()
    engine = current_app.extensions["wastematch.engine"]
    url = engine.url.render_as_string(hide_password=False)
    problem = database_problem(url, engine)
    database: dict[str, Any] = {"url": describe_database(url), "dialect": engine.dialect.name,
                                "reachable": not (problem or "").startswith("cannot connect")}
    try:
        database["schema_revision"] = schema_revision(engine)
        database["server_version"] = ".".join(map(str, engine.dialect.server_version_info or ())) or None
    except Exception:  # noqa: BLE001 - already said by ``problem``
        database["schema_revision"] = None
    database["schema_head"] = head_revision()
    body = {
        "status": "ok" if problem is None else "unavailable", "problem": problem, "database": database,
        "scheduler": _scheduler(problem is None),
        "process": {"pid": os.getpid(), "uptime_s": round(time.time() - _STARTED, 1),
                    "production": bool(current_app.config.get("WASTEMATCH_PRODUCTION"))},
        "versions": {"wastematch": _version("wastematch"), "python": platform.python_version(),
                     "flask": _version("flask"), "sqlalchemy": _version("sqlalchemy"),
                     "alembic": _version("alembic"), "gunicorn": _version("gunicorn")},
        "asked_by": caller,
    }
    return jsonify(body), 200 if problem is None else 503
