"""``/match-runs``: park-wide optimisation runs (coordinators for their parks, admins for any)."""
from __future__ import annotations


from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from marketplace.errors import Forbidden, NotFound, ValidationFailed
from marketplace.models import MatchRun, Park
from marketplace.models.base import MAX_ID, iso_utc
from marketplace.services.accounts.users import Principal
from marketplace.services.matching.runs import run_matching
from matching.problem import Settings

from ..database import db_session
from .common import (NO_NUL, PageArgs, current_principal, documents_errors, page_of, paginate,
                     requires)

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
    matches = fields.Integer()
    actor = fields.String()
    started_at = fields.String(allow_none=True)
    finished_at = fields.String(allow_none=True)


class MatchRunListArgs(PageArgs):
    park = fields.String(validate=[validate.Length(min=1, max=16), NO_NUL])


def run_dict(run: MatchRun) -> dict:
    return {"id": run.id, "park": run.park.code if run.park else None, "status": run.status,
            "objective": run.objective, "greedy_objective": run.greedy_objective, "exact": run.exact,
            "parameters": run.parameters, "counts": run.counts, "timings": run.timings, "solver": run.solver,
            "matches": int((run.counts or {}).get("matches", 0)), "actor": run.actor,
            "started_at": iso_utc(run.started_at), "finished_at": iso_utc(run.finished_at)}


def _park(session, code: str) -> Park:
    park = session.scalar(select(Park).where(Park.code == code))
    if park is None:
        raise NotFound(f"unknown park {code!r} (无此园区)", {"park": [f"no park with code {code!r}"]})
    return park


def _visible(principal: Principal):
    stmt = select(MatchRun)
    if not principal.is_admin:
        stmt = stmt.where(MatchRun.park_id.in_(list(principal.park_ids)))
    return stmt


@blp.route("", methods=["POST"])
@requires(blp, "admin", "coordinator")
@blp.arguments(MatchRunRequestSchema)
@blp.response(201, MatchRunSchema)
@documents_errors(blp, 404)
def create_run(body):
    """Run the park-wide optimisation now; its proposals enter the workflow as ``proposed``."""
    session, principal = db_session(), current_principal()
    code = body.get("park")
    if code is None and not principal.is_admin:
        raise ValidationFailed("coordinators run one of their parks (请选择园区)", {"park": ["required"]})
    if code is not None:
        park = _park(session, code)
        if not principal.coordinates(park.id):
            raise Forbidden(f"you do not coordinate park {code} (非所辖园区)", {"park": ["not one of your parks"]})
    settings = Settings(exact=body["exact"],
                        time_limit_s=body.get("time_limit", Settings().time_limit_s),
                        min_lot_t=body.get("min_lot", 0.0),
                        max_suppliers_per_need=body.get("max_suppliers"))
    run, _ = run_matching(session, park=code, actor=principal.actor, settings=settings)
    doc = run_dict(run)
    session.commit()
    return doc


@blp.route("")
@requires(blp, "admin", "coordinator")
@blp.arguments(MatchRunListArgs, location="query")
@blp.response(200, page_of(MatchRunSchema, "MatchRunPage"))
@documents_errors(blp, 404)
def list_runs(args):
    """Runs of the caller's parks (admins: all), newest first."""
    session, principal = db_session(), current_principal()
    stmt = _visible(principal)
    if args.get("park"):
        stmt = stmt.where(MatchRun.park_id == _park(session, args["park"]).id)
    stmt = stmt.order_by(MatchRun.id.desc())
    return paginate(session, stmt, args, lambda rows: [run_dict(r) for r in rows])


@blp.route("/<int:run_id>")
@requires(blp, "admin", "coordinator")
@blp.response(200, MatchRunSchema)
@documents_errors(blp, 404)
def get_run(run_id: int):
    """One run's summary."""
    session, principal = db_session(), current_principal()
    run = session.scalar(_visible(principal).where(MatchRun.id == run_id)) if 0 < run_id <= MAX_ID else None
    if run is None:
        raise NotFound(f"match run {run_id} not found (无此匹配批次)", {"run": [f"no run {run_id} you can see"]})
    return run_dict(run)
