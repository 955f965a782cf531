"""``/listings/…`` moderation: a park's coordinators (and admins) hold, resume, flag and annotate its listings.

One rule for every caller, kept by ``marketplace.services.listings.moderation``: a listing
the caller cannot see is 404; one they see but whose park they do not coordinate is 403
(enterprise users and other parks' coordinators alike), with one bilingual reason. Every
act is audited with its reason; a flag, a hold and a resume are told to the owner.
"""
from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.models import FLAG_REASONS, LISTING_KINDS, LISTING_STATUSES
from marketplace.services.listings import listings as listing_service
from marketplace.services.listings import moderation as service

from ..database import db_session
from .common import NO_NUL, PageArgs, RejectsNul, current_principal, documents_errors, page_of, paginate, requires
from .views import ListingView

URL_PREFIX = "/listings"
blp = Blueprint("listing_moderation", __name__, description="Moderation of listings by park coordinators (信息审核)")

TEXT = [validate.Length(max=service.MAX_TEXT), NO_NUL]


class RemarkSchema(Schema):
    """A flag (its reason shown to the owner until cleared) or a note (coordinators only)."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": ["flag", "note"]})
    reason = fields.String(allow_none=True, metadata={"enum": list(FLAG_REASONS)})
    text = fields.String(required=True)
    author = fields.String(allow_none=True)
    created_at = fields.String(required=True)
    cleared_at = fields.String(allow_none=True)
    cleared_by = fields.String(allow_none=True)
    open = fields.Boolean(required=True)


class ModerationSchema(Schema):
    """A listing in full with its moderation: the hold, the remarks, how many flags are open."""

    listing = fields.Nested(ListingView, required=True)
    held = fields.Boolean(required=True, metadata={"description": "paused by a coordinator: only one may resume it"})
    held_reason = fields.String(allow_none=True)
    remarks = fields.List(fields.Nested(RemarkSchema), required=True)
    open_flags = fields.Integer(required=True)
    cancelled_matches = fields.Integer(metadata={"description": "open matches cancelled by a hold"})


class ModeratedRow(Schema):
    """One listing of the coordinator's list, with its open flags' reasons."""

    id = fields.Integer(required=True)
    ref = fields.String(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True)
    title = fields.String(allow_none=True)
    title_zh = fields.String(allow_none=True)
    enterprise = fields.String(required=True)
    park = fields.String(allow_none=True)
    quantity_t = fields.Float(required=True)
    period = fields.String(required=True)
    held = fields.Boolean(required=True)
    open_flags = fields.List(fields.String(), required=True)


class ModeratedListArgs(PageArgs):
    park = fields.String(validate=[validate.Length(min=1, max=16), NO_NUL])
    status = fields.String(validate=validate.OneOf(LISTING_STATUSES))
    kind = fields.String(validate=validate.OneOf(LISTING_KINDS))
    flagged = fields.Boolean(load_default=False, metadata={"description": "only listings with an open flag"})
    held = fields.Boolean(load_default=False, metadata={"description": "only listings a coordinator holds paused"})


class ReasonBody(RejectsNul, Schema):
    reason = fields.String(validate=TEXT, metadata={"description": "why (required to hold)"})


class FlagBody(RejectsNul, Schema):
    reason = fields.String(required=True, validate=validate.OneOf(FLAG_REASONS))
    text = fields.String(validate=TEXT, metadata={"description": "what is wrong (required with reason=other)"})


class NoteBody(RejectsNul, Schema):
    text = fields.String(required=True, validate=TEXT)


def rows(session, items) -> list[dict[str, Any]]:
    """The coordinator's list rows (also what the moderation page lists)."""
    flags = service.open_flags_by_listing(session, [x.id for x in items])
    return [{"id": x.id, "ref": x.ref, "kind": x.kind, "status": x.status, "title": x.title, "title_zh": x.title_zh,
             "enterprise": x.enterprise.ref, "park": x.enterprise.park.code if x.enterprise.park else None,
             "quantity_t": x.quantity_t, "period": x.period, "held": x.held_by is not None,
             "open_flags": flags.get(x.id, [])} for x in items]


def _view(listing_id: int, **extra: Any) -> dict[str, Any]:
    session, principal = db_session(), current_principal()
    view = service.remarks_view(session, principal, listing_id)
    listing = listing_service.get_listing(session, principal, listing_id)
    return {"listing": listing_service.listing_detail(session, principal, listing), **view.as_dict(), **extra}


@blp.route("/moderation")
@requires(blp)
@blp.arguments(ModeratedListArgs, location="query")
@blp.response(200, page_of(ModeratedRow, "ModeratedListingPage"))
@documents_errors(blp, 403, 422)
def list_moderated(args):
    """The listings of your parks (coordinators) or of all (admins), newest first; ``flagged`` and ``held``
    narrow to those with an open flag or held paused."""
    session, principal = db_session(), current_principal()
    stmt = service.park_listings(session, principal, park=args.get("park"), status=args.get("status"),
                                 kind=args.get("kind"), flagged=args["flagged"], held=args["held"])
    return paginate(session, stmt, args, lambda items: rows(session, items))


@blp.route("/<int:listing_id>/moderation")
@requires(blp)
@blp.response(200, ModerationSchema)
@documents_errors(blp, 403, 404)
def get_moderation(listing_id: int):
    """The listing, its hold and its flags: every flag and note for its park's coordinators, the hold and the
    flags (without the coordinators' names) for its own enterprise."""
    return _view(listing_id)


@blp.route("/<int:listing_id>/hold", methods=["POST"])
@requires(blp)
@blp.arguments(ReasonBody)
@blp.response(200, ModerationSchema)
@documents_errors(blp, 403, 404, 409, 422)
def hold_listing(body, listing_id: int):
    """Pause the listing and hold it (its owner cannot resume it); its open matches are cancelled."""
    _, cancelled = service.hold(db_session(), current_principal(), listing_id, body.get("reason"))
    return _view(listing_id, cancelled_matches=cancelled)


@blp.route("/<int:listing_id>/release", methods=["POST"])
@requires(blp)
@blp.arguments(ReasonBody)
@blp.response(200, ModerationSchema)
@documents_errors(blp, 403, 404, 409, 422)
def release_listing(body, listing_id: int):
    """Resume a paused listing and lift any hold."""
    service.release(db_session(), current_principal(), listing_id, body.get("reason"))
    return _view(listing_id)


@blp.route("/<int:listing_id>/flags", methods=["POST"])
@requires(blp)
@blp.arguments(FlagBody)
@blp.response(201, RemarkSchema)
@documents_errors(blp, 403, 404, 422)
def flag_listing(body, listing_id: int):
    """Flag the listing with a reason; its owner is notified (in both languages)."""
    remark = service.flag(db_session(), current_principal(), listing_id, body["reason"], body.get("text"))
    return service.remark_dict(remark)


@blp.route("/<int:listing_id>/flags/<int:remark_id>/clear", methods=["POST"])
@requires(blp)
@blp.arguments(ReasonBody)
@blp.response(200, RemarkSchema)
@documents_errors(blp, 403, 404, 409, 422)
def clear_flag(body, listing_id: int, remark_id: int):
    """Clear an open flag; its owner is notified."""
    remark = service.clear_flag(db_session(), current_principal(), listing_id, remark_id, body.get("reason"))
    return service.remark_dict(remark)


@blp.route("/<int:listing_id>/notes", methods=["POST"])
@requires(blp)
@blp.arguments(NoteBody)
@blp.response(201, RemarkSchema)
@documents_errors(blp, 403, 404, 422)
def annotate_listing(body, listing_id: int):
    """A note on the listing that only coordinators and admins read."""
    return service.remark_dict(service.annotate(db_session(), current_principal(), listing_id, body["text"]))
