"""``/match-runs``: park-wide optimisation runs (coordinators for their parks, admins for any).

Who may run which park and who sees which run are the matching service's rules
(``runs.run_scope``, ``run_history.visible_runs``), the same as the pages' ``/runs``.
"""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.models import MatchRun
from marketplace.models.base import iso_utc
from marketplace.services.matching import run_history, runs
from matching.loops import DEFAULT_BONUS_CNY
from matching.problem import Settings

from ..database import db_session
from .common import NO_NUL, PageArgs, current_principal, documents_errors, page_of, paginate, requires

URL_PREFIX = "/match-runs"
blp = Blueprint("match_runs", __name__, description="Park-wide match runs (园区整体匹配)")
MAX_TIME_LIMIT_S = 60.0


class MatchRunRequestSchema(Schema):
    """Parameters of a run; ``park`` is required for coordinators (one of their parks)."""

    park = fields.String(validate=[validate.Length(min=1, max=16), NO_NUL])
    exact = fields.Boolean(load_default=False, metadata={"description": "CP-SAT with side constraints"})
    time_limit = fields.Float(validate=validate.Range(min=0.1, max=MAX_TIME_LIMIT_S),
                              metadata={"description": "seconds for the exact solver (at most 60)"})
    min_lot = fields.Float(validate=validate.Range(min=0, max=1e9), metadata={"description": "exact: t per link"})
    max_suppliers = fields.Integer(validate=validate.Range(min=1, max=1000),
                                   metadata={"description": "exact: at most this many offers per need"})
    favour_loops = fields.Boolean(load_default=False, metadata={
        "description": "close candidate loops whose cost is below a bonus per closed loop (min-cost flow only)"})
    loop_bonus = fields.Float(validate=validate.Range(min=0, max=1e12), metadata={
        "description": "CNY per closed loop (implies favour_loops; default 10,000 with favour_loops)"})


class MatchRunSchema(Schema):
    """A run's summary: outcome, counts and timings (its proposals: ``GET /matches?run=<id>``)."""

    id = fields.Integer(required=True)
    park = fields.String(allow_none=True)
    status = fields.String(required=True)
    objective = fields.Float()
    greedy_objective = fields.Float()
    exact = fields.Boolean()
    parameters = fields.Dict()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    timings = fields.Dict(keys=fields.String(), values=fields.Float())
    solver = fields.Dict()
    loops = fields.Dict(metadata={"description": "loop opportunities with their cost, and the loops closed"})
    outcome = fields.Dict(metadata={"description": "tonnes matched, pairs proposed, value created (CNY a year); "
                                                   "tonnes and value are null for runs stored before issue 17"})
    baseline = fields.Dict(metadata={"description": "the greedy baseline of the same problem the run solved, and by "
                                                    "how much the optimum beats it (empty before issue 17)"})
    matches = fields.Integer()
    actor = fields.String()
    started_at = fields.String(allow_none=True)
    finished_at = fields.String(allow_none=True)


class MatchRunListArgs(PageArgs):
    park = fields.String(validate=[validate.Length(min=1, max=16), NO_NUL])


def run_dict(run: MatchRun) -> dict:
    return {"id": run.id, "park": run.park.code if run.park else None, "status": run.status,
            "objective": run.objective, "greedy_objective": run.greedy_objective, "exact": run.exact,
            "parameters": run.parameters,
            # counts stay integers (the schema); the run's tonnes and value are its outcome
            "counts": {k: v for k, v in (run.counts or {}).items() if k not in run_history.OUTCOME_KEYS},
            "timings": run.timings, "solver": run.solver,
            "loops": run_history.run_loops(run), "outcome": run_history.run_outcome(run),
            "baseline": run_history.run_baseline(run),
            "matches": int((run.counts or {}).get("matches", 0)), "actor": run.actor,
            "started_at": iso_utc(run.started_at), "finished_at": iso_utc(run.finished_at)}


def loop_bonus(body: dict) -> float:
    """The bonus per closed loop a request asks for: its ``loop_bonus``, else the default with ``favour_loops``."""
    if body.get("loop_bonus") is not None:
        return float(body["loop_bonus"])
    return DEFAULT_BONUS_CNY if body.get("favour_loops") else 0.0


@blp.route("", methods=["POST"])
@requires(blp, "admin", "coordinator")
@blp.arguments(MatchRunRequestSchema)
@blp.response(201, MatchRunSchema)
@documents_errors(blp, 404)
def create_run(body):
    """Run the park-wide optimisation now; its proposals enter the workflow as ``proposed``."""
    session, principal = db_session(), current_principal()
    settings = Settings(exact=body["exact"],
                        time_limit_s=body.get("time_limit", Settings().time_limit_s),
                        min_lot_t=body.get("min_lot", 0.0),
                        max_suppliers_per_need=body.get("max_suppliers"), loop_bonus_cny=loop_bonus(body))
    run, _ = runs.start_run(session, principal, park=body.get("park"), settings=settings)
    return run_dict(run)


@blp.route("")
@requires(blp, "admin", "coordinator")
@blp.arguments(MatchRunListArgs, location="query")
@blp.response(200, page_of(MatchRunSchema, "MatchRunPage"))
@documents_errors(blp, 404)
def list_runs(args):
    """Runs the caller sees, newest first: admins all; coordinators their parks' and those over every park."""
    session, principal = db_session(), current_principal()
    stmt = run_history.runs_of(session, principal, park=args.get("park"))
    return paginate(session, stmt, args, lambda rows: [run_dict(r) for r in rows])


@blp.route("/<int:run_id>")
@requires(blp, "admin", "coordinator")
@blp.response(200, MatchRunSchema)
@documents_errors(blp, 404)
def get_run(run_id: int):
    """One run's summary."""
    return run_dict(run_history.get_run(db_session(), current_principal(), run_id))
