"""Output schemas shared by several resources: a listing as the caller may see it, and a regulatory check."""
from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import Schema, fields, validate

from catalog.waste_streams import STREAM_KEYS
from marketplace.models import FORMS, LISTING_KINDS, LISTING_STATUSES, PERIODS, PURPOSES


class _Resolved(Schema):
    """What a name typed without a CAS number resolved to (send ``resolve: false`` to refuse it)."""

    name = fields.String(allow_none=True)
    cas = fields.String(allow_none=True)
    resolved_cas = fields.String(allow_none=True, metadata={
        "description": "The CAS number the name resolved to (none when a CAS number was given, or refused)"})
    resolved_by = fields.String(allow_none=True, metadata={
        "description": "How: cas, zh_name, synonym, formula or name; 'rejected' when the user refused it"})
    resolved_ambiguous = fields.Boolean(metadata={"description": "The name (a formula, say) fits several "
                                                                 "substances: please check"})


class ListingComponent(_Resolved):
    fraction = fields.Float()


class ListingWanted(_Resolved):
    min_fraction = fields.Float()


class ListingLimit(_Resolved):
    max_fraction = fields.Float()


class ListingOwner(Schema):
    ref = fields.String(required=True)
    name = fields.String(required=True)
    lat = fields.Float(required=True)
    lon = fields.Float(required=True)


class UtcTimestamp(fields.String):
    """An ISO timestamp, always with its offset (SQLite hands back naive UTC datetimes)."""

    def _serialize(self, value: Any, attr, obj, **kwargs) -> str | None:
        if isinstance(value, str):
            try:
                stamp = dt.datetime.fromisoformat(value)
            except ValueError:
                return value
            value = (stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)).isoformat()
        return super()._serialize(value, attr, obj, **kwargs)


class ListingView(Schema):
    """A listing as you may see it: ``identified`` says whether owner, ref, site, price and text are included."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(LISTING_KINDS))
    status = fields.String(required=True, validate=validate.OneOf(LISTING_STATUSES))
    identified = fields.Boolean(required=True)
    title = fields.String(allow_none=True)
    title_zh = fields.String(allow_none=True)
    waste_code = fields.String(allow_none=True)
    hw_category = fields.String(allow_none=True)
    hazardous = fields.Boolean(required=True)
    ewc_code = fields.String(allow_none=True)
    category = fields.String(allow_none=True, metadata={
        "description": "Category without an HW code: SWnn, CWnn (construction), HHnn (household), AGnn (agricultural)"})
    stream = fields.String(required=True, validate=validate.OneOf(STREAM_KEYS), metadata={
        "description": "industrial, hazardous, household, construction or agricultural"})
    form = fields.String(allow_none=True, validate=validate.OneOf(FORMS))
    forms = fields.List(fields.String(), required=True)
    purpose = fields.String(allow_none=True, validate=validate.OneOf(PURPOSES))
    quantity_t = fields.Float(required=True)
    period = fields.String(required=True, validate=validate.OneOf(PERIODS))
    annual_t = fields.Float(required=True)
    available_from = fields.String(allow_none=True, metadata={"format": "date"})
    available_to = fields.String(allow_none=True, metadata={"format": "date"})
    current_route = fields.String(allow_none=True)
    max_distance_km = fields.Float(allow_none=True)
    composition = fields.List(fields.Nested(ListingComponent), required=True)
    wanted = fields.List(fields.Nested(ListingWanted), required=True)
    limits = fields.List(fields.Nested(ListingLimit), required=True)
    composition_complete = fields.Boolean(required=True, metadata={
        "description": "The holder declares every component: an undeclared substance is absent, not unknown"})
    park = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    district = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    industry_name = fields.String(allow_none=True)
    created_at = UtcTimestamp(allow_none=True, metadata={"format": "date-time"})
    distance_km = fields.Float(metadata={"description": "Road km from your own site"})
    distance_band = fields.String(metadata={"description": "anonymised party: the distance band (<5, 5–10, 10–25, 25–50, "
                                            "50–100, >100 km); distance_km is then its upper edge"})
    # Only when identified:
    ref = fields.String()
    description = fields.String(allow_none=True)
    price_cny_per_t = fields.Float(allow_none=True)
    enterprise = fields.Nested(ListingOwner)


class CheckSchema(Schema):
    """One named regulatory check of a pair (DESIGN: code, passed, hard, detail; plus unknown and status)."""

    code = fields.String(required=True)
    passed = fields.Boolean(required=True)
    hard = fields.Boolean(required=True)
    detail = fields.String(required=True)
    unknown = fields.Boolean(metadata={
        "description": "Not decided by what the offer declares (passed is false): needs an analysis report"})
    status = fields.String(validate=validate.OneOf(("passed", "failed", "unknown")), metadata={
        "description": "passed, failed, or unknown (not passed: a declaration or an analysis report decides it)"})
