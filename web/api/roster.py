"""``/roster``: the key-enterprise roster (重点管控新污染物企业名单) of a park and year, decisions, obligations.

Coordinators of the park and admins read, compute and decide; an enterprise user may record its own
obligation done (with evidence). Importing the service registers its alert scan hook.
"""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.models import OBLIGATION_STATUSES
from marketplace.services.governance import roster

from ..database import db_session
from .common import NO_NUL, RejectsNul, current_principal, documents_errors, requires

URL_PREFIX = "/roster"
blp = Blueprint("roster", __name__, description="Key-enterprise roster of new pollutants (重点管控新污染物企业名单)")
YEAR = fields.Integer(required=True, validate=validate.Range(min=roster.MIN_YEAR, max=roster.MAX_YEAR))
PARK = fields.String(validate=[validate.Length(min=1, max=16), NO_NUL],
                     metadata={"description": "park code; default: every park the caller coordinates"})


class RosterArgs(Schema):
    park = PARK
    year = YEAR


class ComputeSchema(RejectsNul, Schema):
    park = PARK
    year = YEAR


class ObligationSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name_zh = fields.String()
    name_en = fields.String()
    due = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": [*OBLIGATION_STATUSES, "overdue"]})
    stored_status = fields.String()
    evidence = fields.String()
    done_at = fields.String(allow_none=True)
    recorded_by = fields.String(allow_none=True)


class RosterEntrySchema(Schema):
    enterprise = fields.String(required=True)
    enterprise_name = fields.String()
    park = fields.String(allow_none=True)
    year = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": ["proposed", "confirmed", "removed"]})
    reason = fields.String(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True)
    substances = fields.List(fields.Dict(), required=True,
                             metadata={"description": "cas, name, key, list, measure, role, quantity_t, source, use"})
    obligations = fields.List(fields.Nested(ObligationSchema), required=True)
    violations = fields.List(fields.Dict(), required=True, metadata={"description": "code, cas, detail, …"})


class RosterSchema(Schema):
    year = fields.Integer(required=True)
    roster = fields.List(fields.Nested(RosterEntrySchema), required=True)


class DecisionSchema(RejectsNul, Schema):
    reason = fields.String(validate=[validate.Length(max=roster.REASON_MAX), NO_NUL], load_default=None,
                           metadata={"description": "required to remove or to restore a removed entry"})


class RecordSchema(RejectsNul, Schema):
    status = fields.String(required=True, validate=validate.OneOf(OBLIGATION_STATUSES))
    evidence = fields.String(validate=[validate.Length(max=roster.EVIDENCE_MAX), NO_NUL], load_default=None)


def _document(park: str | None, year: int) -> dict:
    return {"year": year, "roster": roster.roster_rows(db_session(), current_principal(), park=park, year=year)}


@blp.route("")
@requires(blp, "coordinator", "admin")
@blp.arguments(RosterArgs, location="query")
@blp.response(200, RosterSchema)
@documents_errors(blp, 404)
def list_roster(args):
    """The roster of a year as last computed: substances, obligations (overdue shown) and violations."""
    return _document(args.get("park"), args["year"])


@blp.route("/compute", methods=["POST"])
@requires(blp, "coordinator", "admin")
@blp.arguments(ComputeSchema)
@blp.response(200, RosterSchema)
@documents_errors(blp, 404)
def compute_roster(body):
    """Compute (update) the roster of a year from accepted declarations and the ledger; raises and clears alerts."""
    roster.compute_roster(db_session(), current_principal(), park=body.get("park"), year=body["year"])
    return _document(body.get("park"), body["year"])


@blp.route("/<string:enterprise>/<int:year>/confirm", methods=["POST"])
@requires(blp, "coordinator", "admin")
@blp.arguments(DecisionSchema, required=False)
@blp.response(200, RosterEntrySchema)
@documents_errors(blp, 404, 409)
def confirm_entry(body, enterprise: str, year: int):
    """Confirm a proposed entry, or restore a removed one (reason required); the enterprise is notified."""
    session, principal = db_session(), current_principal()
    entry = roster.confirm(session, principal, enterprise, year, (body or {}).get("reason"))
    return _row(entry.park.code if entry.park else None, year, enterprise)


@blp.route("/<string:enterprise>/<int:year>/remove", methods=["POST"])
@requires(blp, "coordinator", "admin")
@blp.arguments(DecisionSchema)
@blp.response(200, RosterEntrySchema)
@documents_errors(blp, 404, 409)
def remove_entry(body, enterprise: str, year: int):
    """Remove an entry with a reason (required); the enterprise is notified and its alerts clear."""
    session, principal = db_session(), current_principal()
    entry = roster.remove(session, principal, enterprise, year, body.get("reason"))
    return _row(entry.park.code if entry.park else None, year, enterprise)


def _row(park: str | None, year: int, enterprise: str) -> dict:
    rows = roster.roster_rows(db_session(), current_principal(), park=park, year=year)
    return next(r for r in rows if r["enterprise"] == enterprise)


@blp.route("/obligations/<int:obligation_id>", methods=["POST"])
@requires(blp)
@blp.arguments(RecordSchema)
@blp.response(200, ObligationSchema)
@documents_errors(blp, 404, 409)
def record_obligation(body, obligation_id: int):
    """Record an obligation done (evidence required; the enterprise itself may), waived or re-opened (coordinators)."""
    from marketplace.models.base import park_date

    ob = roster.record_obligation(db_session(), current_principal(), obligation_id, body["status"],
                                  body.get("evidence"))
    return roster.obligation_view(ob, park_date())
