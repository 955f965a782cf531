"""``/listings``: offers (供给) and needs (需求) — post, search, edit, pause, resume, close, recommendations.

Other enterprises' listings are shown anonymised (no name, ref, exact site, price or
free text) until a match between the two has been accepted by both; coordinators see
the listings of their parks in full. See ``marketplace.services.accounts.disclosure``.
"""
from __future__ import annotations

import math
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from catalog.waste_streams import STREAM_KEYS
from marketplace.models import LISTING_KINDS, LISTING_STATUSES
from marketplace.schemas.interchange import (
    MAX_COMPONENTS,
    BoundedList,
    CompositionSchema,
    LimitSchema,
    ListingSchema,
    WantedSchema,
)
from marketplace.services.listings import listings as service
from marketplace.services.listings.plausibility import CONFIRM_KEYS

from ..database import db_session
from .common import PageArgs, RejectsNul, current_principal, documents_errors, page_dict, page_of, requires
from .views import CheckSchema, ListingView

URL_PREFIX = "/listings"
blp = Blueprint("listings", __name__, description="Offers and needs (供给与需求), one-click matching (一键资源匹配)")


# --- input -------------------------------------------------------------------------------

RESOLVE = fields.Boolean(load_default=None, allow_none=True, metadata={"description": (
    "A name without a CAS number is resolved to a substance (see resolved_cas in the answer). false: not this "
    "substance, keep the name unresolved (it stays so on later edits); true: resolve it again. To correct a "
    "resolution give the right cas, which always wins.")})


def _resolvable(schema: type) -> type:
    """A component schema of the interchange plus the API's ``resolve`` (the interchange has no such key)."""
    return type(f"Api{schema.__name__}", (schema,), {"resolve": RESOLVE})


class _ResolvableComponents:
    """Mixin (before ``ListingSchema``): component lists whose rows may carry ``resolve``, and ``confirm``."""

    composition = BoundedList(fields.Nested(_resolvable(CompositionSchema)), load_default=list,
                              max_length=MAX_COMPONENTS, what="substances")
    wanted = BoundedList(fields.Nested(_resolvable(WantedSchema)), load_default=list, max_length=MAX_COMPONENTS,
                         what="substances")
    limits = BoundedList(fields.Nested(_resolvable(LimitSchema)), load_default=list, max_length=MAX_COMPONENTS,
                         what="substances")
    confirm = BoundedList(fields.String(validate=validate.OneOf(CONFIRM_KEYS)), load_default=list,
                          max_length=len(CONFIRM_KEYS), what="keys", metadata={
        "description": (
            "Unusual values you confirm. A quantity far above your own comparable listings or the material's "
            "usual range, or a listing saying the same as one you posted in the last 30 days, is refused with "
            "422: errors name the field and errors.confirm the keys (\"quantity\", \"duplicate\"); send the "
            "same body again with those keys in confirm to store it.")})


class NewListing(RejectsNul, _ResolvableComponents, ListingSchema):
    """A ``wastematch.v1`` listing; ``ref`` (generated when absent) and ``enterprise`` (yours) are optional.

    Components may carry ``resolve`` (see the component schema); ``composition_complete`` says every component
    is declared."""

    ref = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    enterprise = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64),
                               metadata={"description": "Enterprise ref; enterprise users may omit it"})


class ListingPatch(RejectsNul, _ResolvableComponents, ListingSchema):
    """Any listing fields but kind, ref and enterprise; the whole listing is re-validated after the change."""

    class Meta:
        exclude = ("ref", "kind", "enterprise")

    def _by_kind(self, data, **_):  # a partial listing is checked whole by the service
        return None


class LatLon(fields.String):
    """``lat,lon`` in decimal degrees."""

    def _deserialize(self, value: Any, attr, data, **kwargs) -> tuple[float, float]:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            lat, lon = (float(part) for part in text.split(","))
        except ValueError:
            raise ValidationError("must be lat,lon in decimal degrees, e.g. 39.02,117.70 "
                                  "(须为十进制度数的“纬度,经度”，如 39.02,117.70)") from None
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError("lat must be within ±90 and lon within ±180 (纬度须在 ±90 以内，经度须在 ±180 以内)")
        return (lat, lon)


class ListingFilter(RejectsNul, PageArgs):
    kind = fields.String(validate=validate.OneOf(LISTING_KINDS))
    park = fields.String(validate=validate.Length(min=1, max=16), metadata={"description": "Park code"})
    waste_code = fields.String(validate=validate.Length(min=1, max=10), metadata={"description": "e.g. 900-214-08"})
    category = fields.String(validate=validate.Regexp(r"^(?i:HW)\d{2}$", error="must look like HW08 (格式须如 HW08)"))
    stream = fields.String(validate=validate.OneOf(STREAM_KEYS), metadata={
        "description": "industrial, hazardous, household, construction or agricultural"})
    q = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "Text in title or title_zh"})
    near = LatLon(validate=validate.Length(max=60), metadata={"description": "lat,lon to measure distances from"})
    within_km = fields.Float(validate=validate.Range(min=0, max=5000, min_inclusive=False),
                             metadata={"description": "Road km from near (or from your own site)"})
    status = fields.String(validate=validate.OneOf(LISTING_STATUSES))
    enterprise = fields.String(validate=validate.Length(min=1, max=64),
                               metadata={"description": "Enterprise ref (yours, or of your parks)"})
    mine = fields.Boolean(load_default=False, metadata={"description": "Only your enterprise's listings"})


class StatusChange(RejectsNul, Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class RecommendationArgs(Schema):
    top = fields.Integer(load_default=5, validate=validate.Range(min=1, max=service.MAX_TOP))


# --- output ------------------------------------------------------------------------------

class ListingStatusResult(ListingView):
    cancelled_matches = fields.Integer(required=True, metadata={"description": "Open matches cancelled by this"})


ListingPage = page_of(ListingView, "ListingPage")


class ListingRecommendation(Schema):
    listing = fields.Integer(required=True, metadata={"description": "The counterpart listing's id"})
    enterprise = fields.String(allow_none=True, metadata={"description": "Counterpart ref, when disclosed"})
    counterpart = fields.Nested(ListingView, required=True)
    score = fields.Float(required=True)
    distance_km = fields.Float(required=True)
    distance_band = fields.String(metadata={"description": "anonymised party: the distance band (<5, 5–10, 10–25, 25–50, "
                                            "50–100, >100 km); distance_km is then its upper edge"})
    quantity_t = fields.Float(required=True)
    weight = fields.Integer(required=True, metadata={"description": "CNY per tonne"})
    similarity = fields.Float(required=True)
    terms = fields.Dict(required=True)
    checks = fields.List(fields.Nested(CheckSchema), required=True)
    reasons = fields.List(fields.String(), required=True)
    licence = fields.String(allow_none=True)
    exemption = fields.String(allow_none=True)
    components = fields.List(fields.Dict(), required=True)
    approval_probability = fields.Float()
    rank_score = fields.Float()
    value = fields.Dict(metadata={"description": "value created per tonne (cny_per_t, the weight) with its signed "
                                                "parts and their meaning, and total_cny for quantity_t "
                                                "(docs/scores.md)"})


class ExcludedCandidate(Schema):
    """A candidate within reach that fails a hard check ("why not"), anonymised as partners are."""

    listing = fields.Integer(required=True, metadata={"description": "The counterpart listing's id"})
    enterprise = fields.String(allow_none=True, metadata={"description": "Counterpart ref, when disclosed"})
    counterpart = fields.Nested(ListingView, required=True)
    similarity = fields.Float(required=True)
    distance_km = fields.Float(required=True)
    distance_band = fields.String(metadata={"description": "anonymised party: the distance band (<5, 5–10, 10–25, 25–50, "
                                            "50–100, >100 km); distance_km is then its upper edge"})
    checks = fields.List(fields.Nested(CheckSchema), required=True, metadata={"description": "the failing checks"})


class ListingRecommendations(Schema):
    listing = fields.Integer(required=True)
    kind = fields.String(required=True)
    recommendations = fields.List(fields.Nested(ListingRecommendation), required=True)
    note = fields.String(metadata={"description": "中文 / English"})
    excluded = fields.List(fields.Nested(ExcludedCandidate),
                           metadata={"description": "why not: the most similar candidates failing a hard check"})
    empty_reason = fields.String(metadata={"description": "why there is no partner: fully_matched, paused, closed, "
                                                          "expired, no_candidates, all_fail, no_fit, no_room"})
    candidates = fields.Dict(keys=fields.String(), values=fields.Integer(),
                             metadata={"description": "candidates within reach, and how many failed, had no fit "
                                                      "or no room"})


# --- views -------------------------------------------------------------------------------

def _filters(args: dict[str, Any]) -> service.ListingSearch:
    return service.ListingSearch(**{k: v for k, v in args.items() if k in service.ListingSearch.__dataclass_fields__})


@blp.route("")
@requires(blp)
@blp.arguments(ListingFilter, location="query")
@blp.response(200, ListingPage)
@documents_errors(blp, 403, 422)
def search_listings(args):
    """Search offers and needs: newest first, or nearest first with ``near`` / ``within_km``."""
    items, total = service.search_listings(db_session(), current_principal(), _filters(args))
    return page_dict(items, args["page"], args["per_page"], total)


@blp.route("", methods=["POST"])
@requires(blp)
@blp.arguments(NewListing)
@blp.response(201, ListingView)
@documents_errors(blp, 403, 409, 422)
def create_listing(body):
    """Post an offer or a need for your enterprise (coordinators: for one of their parks' enterprises)."""
    session = db_session()
    principal = current_principal()
    listing = service.create_listing(session, principal, body)
    return service.listing_detail(session, principal, listing)


@blp.route("/<int:listing_id>")
@requires(blp)
@blp.response(200, ListingView)
@documents_errors(blp, 404)
def get_listing(listing_id: int):
    """One listing, as you may see it."""
    session = db_session()
    principal = current_principal()
    return service.listing_detail(session, principal, service.get_listing(session, principal, listing_id))


@blp.route("/<int:listing_id>", methods=["PATCH"])
@requires(blp)
@blp.arguments(ListingPatch(partial=True))
@blp.response(200, ListingView)
@documents_errors(blp, 403, 404, 409, 422)
def update_listing(body, listing_id: int):
    """Edit a listing (its enterprise, its park's coordinators, admins); closed listings cannot change."""
    session = db_session()
    principal = current_principal()
    listing = service.update_listing(session, principal, listing_id, body)
    return service.listing_detail(session, principal, listing)


def _status_view(action: str, body: dict[str, Any], listing_id: int) -> dict[str, Any]:
    session = db_session()
    principal = current_principal()
    listing, cancelled = service.change_status(session, principal, listing_id, action, body.get("reason"))
    return {**service.listing_detail(session, principal, listing), "cancelled_matches": cancelled}


@blp.route("/<int:listing_id>/pause", methods=["POST"])
@requires(blp)
@blp.arguments(StatusChange)
@blp.response(200, ListingStatusResult)
@documents_errors(blp, 403, 404, 409)
def pause_listing(body, listing_id: int):
    """active → paused; the listing's open matches are cancelled."""
    return _status_view("pause", body, listing_id)


@blp.route("/<int:listing_id>/resume", methods=["POST"])
@requires(blp)
@blp.arguments(StatusChange)
@blp.response(200, ListingStatusResult)
@documents_errors(blp, 403, 404, 409)
def resume_listing(body, listing_id: int):
    """paused → active."""
    return _status_view("resume", body, listing_id)


@blp.route("/<int:listing_id>/close", methods=["POST"])
@requires(blp)
@blp.arguments(StatusChange)
@blp.response(200, ListingStatusResult)
@documents_errors(blp, 403, 404, 409)
def close_listing(body, listing_id: int):
    """active or paused → closed (final); the listing's open matches are cancelled."""
    return _status_view("close", body, listing_id)


@blp.route("/<int:listing_id>/recommendations")
@requires(blp)
@blp.arguments(RecommendationArgs, location="query")
@blp.response(200, ListingRecommendations)
@documents_errors(blp, 403, 404, 409)
def recommendations(args, listing_id: int):
    """One-click matching (一键资源匹配): the best legal counterparts of one of your listings."""
    return service.recommendations(db_session(), current_principal(), listing_id, top=args["top"])
