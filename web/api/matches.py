"""``/matches``: proposed pairings and their workflow (accept, decline, approve, reject, transfer, complete, cancel).

Enterprise users see the matches of their own listings, the counterpart anonymised until
both parties have accepted; coordinators see the matches touching their parks; admins all.
"""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.models import MATCH_STATUSES
from marketplace.services.matching import workflow
from marketplace.models.base import MAX_ID

from ..database import db_session
from .common import (NO_NUL, PageArgs, current_principal, documents_errors, page_of, paginate,
                     requires, slice_page)
from .views import CheckSchema, ListingView

URL_PREFIX = "/matches"
blp = Blueprint("matches", __name__, description="Matches and their workflow (匹配与审批流程)")


class MatchSchema(Schema):
    """A match as the caller may see it."""

    id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": list(MATCH_STATUSES)})
    status_zh = fields.String()
    source = fields.String()
    run = fields.Integer(allow_none=True)
    offer = fields.Nested(ListingView, required=True)
    need = fields.Nested(ListingView, required=True)
    quantity_t = fields.Float(required=True)
    weight = fields.Integer()
    score = fields.Float()
    distance_km = fields.Float()
    distance_band = fields.String(metadata={"description": "anonymised party: the distance band (<5, 5–10, 10–25, 25–50, "
                                            "50–100, >100 km); distance_km is then its upper edge"})
    similarity = fields.Float()
    licence = fields.String(allow_none=True)
    exemption = fields.String(allow_none=True)
    checks = fields.List(fields.Nested(CheckSchema))
    reasons = fields.List(fields.String())
    terms = fields.Dict(keys=fields.String(), values=fields.Float())
    offer_accepted = fields.Boolean()
    need_accepted = fields.Boolean()
    offer_accepted_at = fields.String(allow_none=True)
    need_accepted_at = fields.String(allow_none=True)
    offer_accepted_by = fields.String(allow_none=True)
    need_accepted_by = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True)
    decided_by = fields.String(allow_none=True)
    status_reason = fields.String(allow_none=True)
    approved_at = fields.String(allow_none=True)
    expires_at = fields.String(allow_none=True)
    created_at = fields.String(allow_none=True)
    updated_at = fields.String(allow_none=True)
    your_side = fields.String(allow_none=True, metadata={"description": "offer / need for a party, else null"})
    disclosed = fields.Boolean(metadata={"description": "both parties accepted: identities are shown to them"})


class MatchListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(MATCH_STATUSES))
    run = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    listing = fields.Integer(validate=validate.Range(min=1, max=MAX_ID), metadata={"description": "offer or need id"})
    park = fields.String(validate=[validate.Length(min=1, max=16), NO_NUL])


class ProposeSchema(Schema):
    """One-click proposal of an offer–need pair."""

    offer = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    need = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    quantity_t = fields.Float(validate=validate.Range(min=0, min_inclusive=False, max=1e9),
                              metadata={"description": "default: what the pair can take"})


class MatchDecisionSchema(Schema):
    """A workflow action on a match; ``reason`` is required to decline, reject or cancel."""

    action = fields.String(required=True, validate=validate.OneOf(workflow.ACTIONS))
    reason = fields.String(validate=[validate.Length(max=2000), NO_NUL])
    confirm = fields.Boolean(load_default=False, metadata={"description": (
        "accept although the listing's tonnes already accepted or approved with others, plus this match's, "
        "exceed what it holds (without it such an accept is 409, saying how many tonnes are committed)")})


class MatchTransitionSchema(Schema):
    """One transition of a match, from the audit trail."""

    at = fields.String(required=True)
    actor = fields.String(required=True)
    action = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    from_ = fields.String(data_key="from", attribute="from", allow_none=True)
    to = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    side = fields.String(allow_none=True, metadata={"description": "the party's side that acted (offer / need)"})
    summary = fields.String(allow_none=True, metadata={"description": (
        "an accept in words, 中文 / English: which side accepted and that the other is awaited, or both")})


def _views(session, principal, matches):
    return workflow.match_views(session, principal, matches)


def _view(session, principal, match):
    return _views(session, principal, [match])[0]


@blp.route("")
@requires(blp)
@blp.arguments(MatchListArgs, location="query")
@blp.response(200, page_of(MatchSchema, "MatchPage"))
@documents_errors(blp, 404)
def list_matches(args):
    """Matches the caller may see, newest first (filters: status, run, listing, park)."""
    session, principal = db_session(), current_principal()
    stmt = workflow.filtered_matches(session, principal, status=args.get("status"), run=args.get("run"),
                                     listing=args.get("listing"), park=args.get("park"))
    return paginate(session, stmt, args, lambda rows: _views(session, principal, rows))


@blp.route("", methods=["POST"])
@requires(blp)
@blp.arguments(ProposeSchema)
@blp.response(201, MatchSchema)
@documents_errors(blp, 404, 409)
def propose_match(body):
    """Propose one pair (一键匹配) into the workflow: the caller owns one listing or coordinates its park.

    A pair failing a hard regulatory check is 422 with the failing checks.
    """
    session, principal = db_session(), current_principal()
    match = workflow.propose(session, principal, body["offer"], body["need"], body.get("quantity_t"))
    return _view(session, principal, match)


@blp.route("/<int:match_id>")
@requires(blp)
@blp.response(200, MatchSchema)
@documents_errors(blp, 404)
def get_match(match_id: int):
    """One match."""
    session, principal = db_session(), current_principal()
    return _view(session, principal, workflow.get_match(session, principal, match_id))


@blp.route("/<int:match_id>/decisions", methods=["POST"])
@requires(blp)
@blp.arguments(MatchDecisionSchema)
@blp.response(200, MatchSchema)
@documents_errors(blp, 403, 404, 409)
def decide(body, match_id: int):
    """Take a workflow action: accept / decline (parties), approve / reject (coordinators), start_transfer,
    complete, cancel. Wrong state is 409, wrong role or side 403."""
    session, principal = db_session(), current_principal()
    match = workflow.decide(session, principal, match_id, body["action"], body.get("reason"), confirm=body["confirm"])
    return _view(session, principal, match)


@blp.route("/<int:match_id>/decisions")
@requires(blp)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(MatchTransitionSchema, "MatchTransitionPage"))
@documents_errors(blp, 404)
def match_history(args, match_id: int):
    """The match's transitions (who, when, from, to, why), oldest first."""
    session, principal = db_session(), current_principal()
    match = workflow.get_match(session, principal, match_id)
    return slice_page(workflow.history(session, principal, match), args)
