"""Park-wide matching from the browser: the run form, the list of runs, and a run's progress page.

``POST /runs`` validates the parameters as the API does (``web.api.match_runs``: same fields,
same limits; who may run which park is the service's ``runs.run_scope``, as for the API), then
runs ``runs.run_job`` in a background thread with its own unit of work (``marketplace.db.transaction``:
committed at the end; rolled back, with the error kept, on failure) and redirects to the job's page,
which polls ``/runs/jobs/<id>.json`` every second (a meta refresh without scripts). Jobs live in a
registry (``JobRegistry``; in production ``SharedJobRegistry``, files in the data folder that every worker
process reads): keyed by a random id, kept for an hour, at most one running per park — starting a second
run of a park shows the one already running. With
``app.config["WASTEMATCH_RUN_INLINE"]`` the run happens in the request, in its unit of work (tests
on SQLite: a second writer thread would wait on the test's open transaction).

A job's stages are those ``run_matching`` reports through its ``progress`` callback (load,
similarity, candidates, optimise, explain, store), between queued and done (or failed); the
engine's own timings come from the stored run afterwards. An engine that runs by region also
reports each region done (``region_progress``): the page then shows regions done of all and the stage.
"""
from __future__ import annotations

import fcntl
import json
import logging
import math
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import validate
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from marketplace.db import transaction
from marketplace.errors import DomainError, ValidationFailed
from marketplace.models import MatchRun, Park
from marketplace.services.accounts.users import Principal
from marketplace.services.matching import run_history
from marketplace.services.matching import runs as run_service
from matching.loops import DEFAULT_BONUS_CNY
from matching.problem import Settings

from ..api.match_runs import MatchRunRequestSchema
from ..database import db_session, discard_changes
from ..i18n import both_languages, localise_message
from . import bp
from .auth import coordinators_only, page_principal
from .common import FormErrors, coordinated_parks, flash_done, paginate, park_options
from .park import page_link

log = logging.getLogger(__name__)

INLINE_KEY = "WASTEMATCH_RUN_INLINE"
REGISTRY_KEY = "wastematch.run_jobs"
JOB_TTL_S = 3600.0
ALL_PARKS = "*"  # the registry's key of a run over every park (admins)

# The stages shown on the progress page, in order: those ``run_matching`` reports through its
# ``progress`` callback (``load`` … ``store``), between queued and done.
STAGES: tuple[tuple[str, Any], ...] = (
    ("queued", _l("Queued")),
    ("load", _l("Loading listings")),
    ("similarity", _l("Comparing compositions")),
    ("candidates", _l("Building candidates and checking rules")),
    ("optimise", _l("Optimising")),
    ("explain", _l("Explaining proposals")),
    ("store", _l("Storing proposals")),
    ("done", _l("Done")),
)
STAGE_KEYS = tuple(k for k, _label in STAGES)


# --- the job registry ----------------------------------------------------------------------------

@dataclass
class Job:
    """One run started from the pages: what it was asked, where it is, what it did."""

    id: str
    park: str | None  # park code; None: every park
    park_id: int | None
    actor: str
    params: dict[str, Any]
    created: float = field(default_factory=time.time)
    stage: str = "queued"
    marks: list[tuple[str, float]] = field(default_factory=list)  # (stage, time.time() it began)
    finished: float | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    pid: int = field(default_factory=os.getpid)  # the worker process that runs it
    # A run by region (the dask engine): {"stage", "region", "done", "total"} of the latest region done.
    regions: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return self.park or ALL_PARKS

    @property
    def running(self) -> bool:
        return self.finished is None

    def snapshot(self) -> dict[str, Any]:
        """A copy that the caller may read without the registry's lock."""
        return {"id": self.id, "park": self.park, "park_id": self.park_id, "actor": self.actor,
                "params": dict(self.params), "created": self.created, "stage": self.stage,
                "marks": list(self.marks), "finished": self.finished,
                "result": dict(self.result) if self.result else None, "error": self.error,
                "regions": dict(self.regions) if self.regions else None}


class JobRegistry:
    """Jobs in memory, thread-safe: one lock guards every read and write; old jobs are dropped."""

    def __init__(self, ttl_s: float = JOB_TTL_S, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self.ttl_s = ttl_s
        self.clock = clock

    @contextmanager
    def _session(self) -> Iterator[None]:
        """Hold the registry for one read or change of ``self._jobs``."""
        with self._lock:
            yield

    def _prune(self) -> None:
        """Forget finished jobs older than the TTL (a running job is kept however long it takes)."""
        limit = self.clock() - self.ttl_s
        for job_id in [j.id for j in self._jobs.values() if j.finished is not None and j.finished < limit]:
            del self._jobs[job_id]

    def start(self, *, park: str | None, park_id: int | None, actor: str,
              params: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """A new queued job, or the job already running for the same park: ``(snapshot, created)``.

        A run over every park conflicts with any other running run, and the other way round.
        """
        key = park or ALL_PARKS
        with self._session():
            self._prune()
            for job in self._jobs.values():
                if job.running and (job.key == key or ALL_PARKS in (job.key, key)):
                    return job.snapshot(), False
            now = self.clock()
            job = Job(id=secrets.token_urlsafe(12), park=park, park_id=park_id, actor=actor, params=dict(params),
                      created=now, marks=[("queued", now)])
            self._jobs[job.id] = job
            return job.snapshot(), True

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The job's snapshot, or None (unknown or forgotten)."""
        with self._session():
            self._prune()
            job = self._jobs.get(job_id)
            return job.snapshot() if job else None

    def running(self) -> list[dict[str, Any]]:
        """Snapshots of the jobs still running, oldest first."""
        with self._session():
            return [j.snapshot() for j in sorted(self._jobs.values(), key=lambda j: j.created) if j.running]

    def advance(self, job_id: str, stage: str) -> None:
        """The job entered ``stage`` (ignored once it has finished)."""
        with self._session():
            job = self._jobs.get(job_id)
            if job is not None and job.running and job.stage != stage:
                job.stage = stage
                job.marks.append((stage, self.clock()))

    def region(self, job_id: str, progress: Any) -> None:
        """A region of a run by region is done (``matching.regional.RegionProgress``): its stage, key, count."""
        with self._session():
            job = self._jobs.get(job_id)
            if job is not None and job.running:
                job.regions = {"stage": run_service.REGION_STAGES.get(progress.stage, progress.stage),
                               "region": progress.region, "done": progress.done, "total": progress.total}

    def finish(self, job_id: str, result: dict[str, Any]) -> None:
        """The job ended well: what it did."""
        with self._session():
            job = self._jobs.get(job_id)
            if job is not None:
                job.finished = self.clock()
                job.stage, job.result = "done", result
                job.marks.append(("done", job.finished))

    def fail(self, job_id: str, error: str) -> None:
        """The job ended with ``error`` (a bilingual service message or an internal error)."""
        with self._session():
            job = self._jobs.get(job_id)
            if job is not None:
                job.finished = self.clock()
                job.stage, job.error = "failed", error
                job.marks.append(("failed", job.finished))


class SharedJobRegistry(JobRegistry):
    """The registry of a server with several worker processes (``wastematch serve``): each job a JSON file in
    ``folder``, every read and change under an exclusive file lock, so the worker that answers a progress
    poll need not be the one running the job, and one park still has one running job. A job whose worker
    process is gone (restarted, killed) is reported failed instead of holding its park forever.
    """

    def __init__(self, folder: Path, ttl_s: float = JOB_TTL_S, clock: Callable[[], float] = time.time) -> None:
        super().__init__(ttl_s, clock)
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def _session(self) -> Iterator[None]:
        with self._lock, open(self.folder / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            self._jobs = self._load()
            before = {job_id: asdict(job) for job_id, job in self._jobs.items()}
            yield
            for job_id, job in self._jobs.items():
                if asdict(job) != before.get(job_id):
                    self._write(job)
            for job_id in before.keys() - self._jobs.keys():
                (self.folder / f"{job_id}.json").unlink(missing_ok=True)

    def _load(self) -> dict[str, Job]:
        jobs = {}
        for file in self.folder.glob("*.json"):
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # removed meanwhile, or not ours
            job = Job(**{**data, "marks": [tuple(m) for m in data["marks"]]})
            if job.running and not _alive(job.pid):
                job.finished = self.clock()
                job.stage, job.error = "failed", ("the server process running this job stopped; start the run "
                                                  "again (运行该任务的服务进程已停止，请重新运行)")
                job.marks.append(("failed", job.finished))
            jobs[job.id] = job
        return jobs

    def _write(self, job: Job) -> None:
        # Written aside and renamed: a reader never sees half a file.
        temporary = self.folder / f".{job.id}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(asdict(job), ensure_ascii=False, default=str), encoding="utf-8")
        os.replace(temporary, self.folder / f"{job.id}.json")


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still exists (on this machine)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_REGISTRY_LOCK = threading.Lock()


def registry(app: Flask | None = None) -> JobRegistry:
    """The app's job registry (one per app: tests build several apps). In production the workers of the server
    share it through the data folder (``SharedJobRegistry``); otherwise it is in this process's memory.
    """
    app = app or current_app._get_current_object()
    found = app.extensions.get(REGISTRY_KEY)
    if found is None:
        with _REGISTRY_LOCK:
            found = app.extensions.get(REGISTRY_KEY)
            if found is None:
                shared = app.config.get("WASTEMATCH_PRODUCTION")
                found = SharedJobRegistry(Path(app.instance_path) / "run-jobs") if shared else JobRegistry()
                app.extensions[REGISTRY_KEY] = found
    return found


# --- running a job ---------------------------------------------------------------------------------

def _locked(exc: BaseException) -> bool:
    """SQLite refused the write: another writer holds the lock or committed since our snapshot."""
    return isinstance(exc, OperationalError) and "locked" in str(exc).lower()


def _fail(jobs: JobRegistry, job_id: str, exc: Exception) -> None:
    """Record why the job failed: a service's refusal as it said it; anything else only in the log."""
    if isinstance(exc, DomainError):
        jobs.fail(job_id, exc.message)
    else:
        log.error("match run job %s failed", job_id, exc_info=exc)  # the detail (SQL, values) goes to the log only
        jobs.fail(job_id, "internal error: the run failed and was rolled back; the details are in the "
                          "server's log (内部错误，已回滚)")


def execute(jobs: JobRegistry, job_id: str, sessions: sessionmaker[Session], *, park: str | None, actor: str,
            settings: Settings, writer: bool = True, retry_on_lock: bool = False) -> bool:
    """Run one job in its own unit of work (``marketplace.db.transaction``: committed if it ends well, rolled
    back on any error) and record how it ended.

    ``writer`` takes SQLite's write lock from the start. Returns False (nothing recorded) when
    ``retry_on_lock`` and SQLite refused the write, so that the caller may run it again as a writer.
    """
    started, began = time.perf_counter(), False
    try:
        with transaction(sessions, writer=writer) as session:
            began = True
            summary = run_service.run_job(session, park=park, actor=actor, settings=settings,
                                          progress=lambda stage: jobs.advance(job_id, stage),
                                          region_progress=lambda p: jobs.region(job_id, p))
    except Exception as exc:  # the thread must record every failure, not die silently
        if not began:  # taking the write lock failed (database locked…)
            log.error("match run job %s could not start", job_id, exc_info=exc)
            jobs.fail(job_id, "internal error: the run could not start; the details are in the server's log "
                              "(内部错误，未能开始)")
        elif retry_on_lock and _locked(exc):
            log.info("match run job %s: database busy at the write, running again as a writer", job_id)
            return False
        else:
            _fail(jobs, job_id, exc)
        return True
    summary["seconds"] = round(time.perf_counter() - started, 3)
    jobs.finish(job_id, summary)
    return True


def _in_thread(app: Flask, jobs: JobRegistry, job_id: str, **kwargs: Any) -> None:
    """The background run. It first reads and computes without SQLite's write lock (a run may take a
    minute: other users' writes must not wait for it); if its snapshot went stale meanwhile, SQLite
    refuses the write and it runs again holding the lock from the start, as the API's POST does."""
    with app.app_context():
        sessions = app.extensions["wastematch.sessions"]
        for writer in (False, True):
            if execute(jobs, job_id, sessions, writer=writer, retry_on_lock=not writer, **kwargs):
                return


def _inline(jobs: JobRegistry, job_id: str, *, park: str | None, actor: str, settings: Settings) -> None:
    """The run in this request's unit of work (``WASTEMATCH_RUN_INLINE``): the request commits it; a failed
    run keeps nothing."""
    started = time.perf_counter()
    try:
        summary = run_service.run_job(db_session(), park=park, actor=actor, settings=settings,
                                      progress=lambda stage: jobs.advance(job_id, stage),
                                      region_progress=lambda p: jobs.region(job_id, p))
    except Exception as exc:
        discard_changes()
        _fail(jobs, job_id, exc)
        return
    summary["seconds"] = round(time.perf_counter() - started, 3)
    jobs.finish(job_id, summary)


def launch(job_id: str, *, park: str | None, actor: str, settings: Settings) -> None:
    """Start the job: in a background thread, or in this request when ``WASTEMATCH_RUN_INLINE`` is set."""
    app = current_app._get_current_object()
    jobs = registry(app)
    if app.config.get(INLINE_KEY):
        _inline(jobs, job_id, park=park, actor=actor, settings=settings)
        return
    # The request wrote nothing; ending its transaction now releases its hold on the database (a POST
    # begins as a writer) before the run writes, and it keeps nothing at the end either.
    discard_changes()
    threading.Thread(target=_in_thread, args=(app, jobs, job_id), name=f"match-run-{job_id}", daemon=True,
                     kwargs={"park": park, "actor": actor, "settings": settings}).start()


# --- the form --------------------------------------------------------------------------------------

FIELDS = ("park", "exact", "time_limit", "min_lot", "max_suppliers", "favour_loops", "loop_bonus")


def _limits(name: str) -> validate.Range:
    """The API schema's range of a field: the pages accept exactly what the API accepts."""
    return next(v for v in MatchRunRequestSchema._declared_fields[name].validators if isinstance(v, validate.Range))


def default_values() -> dict[str, str]:
    """The form as first shown: the engine's defaults."""
    return {"park": "", "exact": "0", "time_limit": f"{Settings().time_limit_s:g}", "min_lot": "0",
            "max_suppliers": "", "favour_loops": "", "loop_bonus": f"{DEFAULT_BONUS_CNY:g}"}


def _number(text: str, name: str, errors: dict[str, list[str]], *, integer: bool = False) -> float | int | None:
    if text == "":
        return None
    try:
        value: float | int = int(text) if integer else float(text)
    except ValueError:
        errors[name] = [both_languages(_l("not a whole number") if integer else _l("not a number"))]
        return None
    rng = _limits(name)
    if not math.isfinite(value) or value < rng.min or value > rng.max:
        errors[name] = [both_languages(_l("must be between %(low)s and %(high)s",
                                          low=format(rng.min, "g"), high=format(rng.max, "g")))]
        return None
    return value


# The refusals of ``runs.run_scope`` (no park named, an unknown park, another's park) in the form's words.
PARK_REASONS = {422: _l("choose one of your parks"), 404: _l("no such park"), 403: _l("not one of your parks")}


def _run_scope(session: Session, principal: Principal, code: str | None) -> Park | None:
    """``runs.run_scope`` (the API's check), its refusal naming the park field in the page's words."""
    try:
        return run_service.run_scope(session, principal, code)
    except DomainError as exc:
        if "park" in exc.errors and exc.status in PARK_REASONS:
            exc.errors = {**exc.errors, "park": [both_languages(PARK_REASONS[exc.status])]}
        raise


def parse_form(session: Session, principal: Principal, values: dict[str, str]) -> tuple[Park | None, Settings]:
    """The run's park and settings from the form, checked as ``POST /api/v1/match-runs`` checks them: the
    fields here, who may run which park by the service (``runs.run_scope``)."""
    errors: dict[str, list[str]] = {}
    if values["exact"] not in ("0", "1"):
        errors["exact"] = [both_languages(_l("choose yes or no"))]
    time_limit = _number(values["time_limit"], "time_limit", errors)
    min_lot = _number(values["min_lot"], "min_lot", errors)
    max_suppliers = _number(values["max_suppliers"], "max_suppliers", errors, integer=True)
    # A checkbox: "1" when ticked, absent (empty) when not.
    favour = values.get("favour_loops", "") == "1"
    if values.get("favour_loops", "") not in ("", "0", "1"):
        errors["favour_loops"] = [both_languages(_l("choose yes or no"))]
    bonus = _number(values.get("loop_bonus", ""), "loop_bonus", errors)
    if favour and values["exact"] == "1":
        errors["favour_loops"] = [both_languages(
            _l("Closed loops are favoured by the min-cost flow only: untick the exact solver."))]
    code = values["park"] or None
    park = None
    if code is None:  # only admins run every park: a coordinator's missing park is told with the other fields
        try:
            park = _run_scope(session, principal, None)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    elif len(code) > 16 or "\x00" in code:
        errors["park"] = [both_languages(_l("no such park"))]
    if errors:
        raise ValidationFailed("the run parameters are not valid (匹配参数有误)", errors)
    if code is not None:
        park = _run_scope(session, principal, code)  # unknown: 404; not one of theirs: 403
    settings = Settings(exact=values["exact"] == "1",
                        time_limit_s=time_limit if time_limit is not None else Settings().time_limit_s,
                        min_lot_t=min_lot if min_lot is not None else 0.0,
                        max_suppliers_per_need=int(max_suppliers) if max_suppliers is not None else None,
                        loop_bonus_cny=(bonus if bonus is not None else DEFAULT_BONUS_CNY) if favour else 0.0)
    return park, settings


def _run_rows(session: Session, rows: list[MatchRun]) -> list[dict[str, Any]]:
    superseded = run_history.superseded_counts(session, rows)
    return [{"run": r, "counts": r.counts or {}, "timings": r.timings or {},
             "superseded": superseded.get(r.id)} for r in rows]


def sees_job(principal: Principal, job: dict[str, Any]) -> bool:
    """Admins see every job; coordinators the jobs of their parks (a job over every park: admins only)."""
    return principal.is_admin or (job["park_id"] is not None and principal.coordinates(job["park_id"]))


def _render_form(session: Session, principal: Principal, values: dict[str, str], errors: FormErrors | None):
    parks = coordinated_parks(principal)
    running = [j for j in registry().running() if sees_job(principal, j)]
    page = paginate(session, run_history.visible_runs(principal), lambda rows: _run_rows(session, rows))
    return render_template("runs.html", values=values, errors=errors, park_choices=park_options(parks),
                           all_parks=principal.is_admin, runs=page,
                           running=running,
                           limits={n: _limits(n) for n in ("time_limit", "min_lot", "max_suppliers", "loop_bonus")},
                           approvals_url=page_link("pages.approvals"))


@bp.get("/runs")
@coordinators_only
def runs():
    """The run form (park, exact, time limit, minimum lot, suppliers per need) and the runs so far."""
    principal, session = page_principal(), db_session()
    values = default_values()
    parks = coordinated_parks(principal)
    chosen = (request.args.get("park") or "").strip()
    values["park"] = chosen if chosen in {p.code for p in parks} else (parks[0].code if parks else "")
    return _render_form(session, principal, values, None)


@bp.post("/runs")
@coordinators_only
def runs_start():
    """Start a run of the chosen park in the background and go to its progress page."""
    principal, session = page_principal(), db_session()
    values = {k: (request.form.get(k) or "").strip()[:40] for k in FIELDS}
    try:
        park, settings = parse_form(session, principal, values)
    except DomainError as exc:
        discard_changes()
        return _render_form(session, principal, values, FormErrors.of(exc)), exc.status
    params = {"exact": settings.exact, "time_limit": settings.time_limit_s, "min_lot": settings.min_lot_t,
              "max_suppliers": settings.max_suppliers_per_need, "loop_bonus": settings.loop_bonus_cny}
    job, created = registry().start(park=park.code if park else None, park_id=park.id if park else None,
                                    actor=principal.actor, params=params)
    if not created and not sees_job(principal, job):  # an admin's run over every park holds this one
        errors = FormErrors(_("A run over all parks is in progress: start this park's run when it has finished."))
        return _render_form(session, principal, values, errors), 409
    if not created:
        flash_done(_("A run of this park is already in progress: here is its progress."))
        return redirect(url_for("pages.run_job", job_id=job["id"]))
    launch(job["id"], park=park.code if park else None, actor=principal.actor, settings=settings)
    return redirect(url_for("pages.run_job", job_id=job["id"]))


# The engine's timings (``MatchRun.timings``) by stage, for the summary of a finished run.
ENGINE_TIMINGS: tuple[tuple[str, Any], ...] = (
    ("similarity_s", _l("Similarity model")),
    ("candidate_s", _l("Candidate index")),
    ("rules_s", _l("Rules")),
    ("solve_s", _l("Optimisation")),
    ("loops_s", _l("Loops worth closing")),
    ("greedy_s", _l("Greedy baseline")),
    ("explain_s", _l("Explanations")),
    ("total_s", _l("Engine total")),
)


# --- progress ---------------------------------------------------------------------------------------

def job_status(job: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    """What the progress page and its JSON show: each stage's state and seconds, the outcome."""
    now = now if now is not None else time.time()
    marks = job["marks"]
    # A stage lasts from its mark to the next one (the current one: until now). A retried run
    # reports its stages again: the last time counts.
    spans = {stage: (at, marks[i + 1][1] if i + 1 < len(marks) else None) for i, (stage, at) in enumerate(marks)}
    current, finished = job["stage"], job["finished"] is not None
    reached = STAGE_KEYS.index(current) if current in STAGE_KEYS else -1
    stages = []
    for i, (key, label) in enumerate(STAGES):
        state, seconds = "waiting", None
        if key in spans:
            begun, ended = spans[key]
            seconds = (ended if ended is not None else (job["finished"] or now)) - begun
            state = "active" if key == current and not finished else "done"
        elif i < reached or (finished and current == "done"):
            state = "done"  # a stage the engine skipped (an empty park has nothing to compare)
        if key == "done" and current == "failed":
            state, seconds = "failed", None
        if key == "done":
            seconds = None
        stages.append({"key": key, "label": str(label), "state": state,
                       "seconds": round(seconds, 1) if seconds is not None else None})
    done: float = sum(1 for st in stages if st["state"] == "done")
    regions = job.get("regions")  # absent in the job files of an older server
    if regions and not finished:
        regions = {**regions, "label": str(dict(STAGES).get(regions["stage"], regions["stage"]))}
        if regions["stage"] == current and regions["total"]:
            done += regions["done"] / regions["total"]  # the active stage advances region by region
    return {"id": job["id"], "park": job["park"], "stage": current, "finished": finished,
            "failed": current == "failed", "error": localise_message(job["error"]) if job["error"] else None,
            "elapsed_s": round((job["finished"] or now) - job["created"], 1), "stages": stages,
            "progress": round(done / len(stages), 3), "result": job["result"], "params": job["params"],
            "regions": regions if regions and not finished else None}


def _visible_job(job_id: str) -> dict[str, Any]:
    job = registry().get(job_id) if len(job_id) <= 40 else None
    if job is None or not sees_job(page_principal(), job):
        abort(404)
    return job


@bp.get("/runs/jobs/<job_id>.json")
@coordinators_only
def run_job_json(job_id: str):
    """The job's progress for the page's polling script."""
    return jsonify(job_status(_visible_job(job_id)))


@bp.get("/runs/jobs/<job_id>")
@coordinators_only
def run_job(job_id: str):
    """A run's progress (polled every second) and, when it has ended, what it did."""
    job = _visible_job(job_id)
    return render_template("run_job.html", job=job_status(job), runs_url=url_for("pages.runs"),
                           approvals_url=page_link("pages.approvals", park=job["park"]),
                           json_url=url_for("pages.run_job_json", job_id=job["id"]),
                           engine_timings=ENGINE_TIMINGS)
