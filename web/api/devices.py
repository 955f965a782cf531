"""``/devices``: weighbridges and GPS trackers (现场设备) — their registration, and the endpoints they post to.

Managing devices takes a user's bearer token: the enterprise's own users, coordinators of its park
and admins register a device (its token is in the answer, once) and revoke it. The devices post
``POST /devices/weights`` and ``POST /devices/track`` with ``Authorization: Device <token>`` (the
protocol: docs/devices.md): batches of at most 1,000 readings, all or nothing, each error named by
its index; a reading id already stored with the same content is acknowledged as a duplicate.
"""
from __future__ import annotations

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.models import DEVICE_PURPOSES
from marketplace.services.traceability import devices

from ..database import db_session
from .common import NO_NUL, PageArgs, RejectsNul, current_principal, documents_errors, page_of, requires, slice_page

URL_PREFIX = "/devices"
blp = Blueprint("devices", __name__, description="Weighbridges and GPS trackers (地磅与车载定位)")
DEVICE_SCHEME = "device"


class DeviceSchema(Schema):
    id = fields.Integer(required=True)
    enterprise = fields.String(required=True)
    purpose = fields.String(required=True, metadata={"enum": list(DEVICE_PURPOSES)})
    purpose_zh = fields.String(required=True)
    name = fields.String(required=True)
    created_at = fields.String(required=True)
    created_by = fields.String(required=True)
    revoked_at = fields.String(allow_none=True)
    last_seen_at = fields.String(allow_none=True)


class RegisteredDeviceSchema(DeviceSchema):
    token = fields.String(required=True, metadata={"description": "shown this once; send it as "
                                                                  "Authorization: Device <token>"})


class RegisterDeviceSchema(RejectsNul, Schema):
    """A device of an enterprise (a ref; an enterprise user's own by default) for one purpose."""

    enterprise = fields.String(validate=[validate.Length(min=1, max=32), NO_NUL])
    purpose = fields.String(required=True, validate=validate.OneOf(DEVICE_PURPOSES))
    name = fields.String(required=True, validate=[validate.Length(min=1, max=devices.NAME_MAX), NO_NUL])


class DeviceListArgs(PageArgs):
    enterprise = fields.String(validate=[validate.Length(min=1, max=32), NO_NUL])


class ReadingBatchSchema(RejectsNul, Schema):
    """``{"readings": [...]}``: at most 1,000 readings, each checked by the service and named by its index."""

    readings = fields.List(fields.Dict(), metadata={"description": "weighings or track points (docs/devices.md)"})


class ReadingResultSchema(Schema):
    index = fields.Integer(required=True)
    reading_id = fields.String(required=True)
    duplicate = fields.Boolean(required=True)


class BatchResultSchema(Schema):
    """What the batch stored; ``duplicate`` is true when every reading was already stored (nothing written)."""

    stored = fields.Integer(required=True)
    duplicates = fields.Integer(required=True)
    duplicate = fields.Boolean(required=True)
    readings = fields.List(fields.Nested(ReadingResultSchema), required=True)


def device_token() -> str | None:
    """The token of ``Authorization: Device <token>`` (None when the header is missing or another scheme)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == DEVICE_SCHEME else None


@blp.route("")
@requires(blp)
@blp.arguments(DeviceListArgs, location="query")
@blp.response(200, page_of(DeviceSchema, "DevicePage"))
@documents_errors(blp, 403, 404)
def list_devices(args):
    """The devices the caller manages (an enterprise's own; a coordinator's park's; every one for admins)."""
    rows = devices.list_devices(db_session(), current_principal(), args.get("enterprise"))
    return slice_page([devices.device_view(d) for d in rows], args)


@blp.route("", methods=["POST"])
@requires(blp)
@blp.arguments(RegisterDeviceSchema)
@blp.response(201, RegisteredDeviceSchema)
@documents_errors(blp, 403, 404)
def register_device(body):
    """Register a weighbridge or a GPS tracker; the answer carries its token, this once."""
    token, device = devices.register_device(db_session(), current_principal(), purpose=body["purpose"],
                                            name=body["name"], enterprise=body.get("enterprise"))
    return {**devices.device_view(device), "token": token}


@blp.route("/<int:device_id>")
@requires(blp)
@blp.response(200, DeviceSchema)
@documents_errors(blp, 404)
def get_device(device_id: int):
    """One device the caller manages."""
    return devices.device_view(devices.get_device(db_session(), current_principal(), device_id))


@blp.route("/<int:device_id>/revoke", methods=["POST"])
@requires(blp)
@blp.response(200, DeviceSchema)
@documents_errors(blp, 404, 409)
def revoke_device(device_id: int):
    """Revoke a device's token for good (its readings stay)."""
    return devices.device_view(devices.revoke_device(db_session(), current_principal(), device_id))


@blp.route("/weights", methods=["POST"])
@blp.arguments(ReadingBatchSchema)
@blp.response(200, BatchResultSchema)
@blp.alt_response(401, description="Device token missing, unknown or revoked")
@documents_errors(blp, 403, 404, 409)
def post_weights(body):
    """A weighbridge's weighings (``Authorization: Device <token>``): reading_id, shipment_id or manifest_number,
    end (dispatch | receipt), gross_t, tare_t, net_t (optional), measured_at with its offset."""
    return devices.post_weights(db_session(), device_token(), body.get("readings")).as_dict()


@blp.route("/track", methods=["POST"])
@blp.arguments(ReadingBatchSchema)
@blp.response(200, BatchResultSchema)
@blp.alt_response(401, description="Device token missing, unknown or revoked")
@documents_errors(blp, 403, 404, 409)
def post_track(body):
    """A GPS tracker's points (``Authorization: Device <token>``): reading_id, shipment_id or manifest_number,
    lat, lon (WGS-84), measured_at with its offset, speed_kmh (optional)."""
    return devices.post_track(db_session(), device_token(), body.get("readings")).as_dict()
