"""``/alerts``: reconciliation alerts for coordinators (对账预警).

Coordinators see the alerts of their parks (for a shipment, the producer's and the
receiver's park), admins all; enterprise users are refused every operation (403).
A scan evaluates the thresholds now and brings the stored alerts up to date.
"""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.models import ALERT_KINDS, ALERT_STATUSES
from marketplace.services.traceability import alerts

from ..database import db_session
from .common import NO_NUL, PageArgs, RejectsNul, current_principal, documents_errors, page_of, paginate, requires

URL_PREFIX = "/alerts"
blp = Blueprint("alerts", __name__, description="Reconciliation alerts (对账预警)")


class AlertEnterpriseSchema(Schema):
    id = fields.Integer(required=True)
    ref = fields.String(required=True)
    name = fields.String(required=True)


class AlertShipmentSchema(Schema):
    id = fields.Integer(required=True)
    manifest_number = fields.String(required=True)
    status = fields.String(required=True)


class AlertSchema(Schema):
    """One alert: its kind and subject, severity, bilingual message with the numbers, and its handling."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": list(ALERT_KINDS)})
    kind_zh = fields.String()
    key = fields.String(required=True, metadata={"description": "kind and subject, e.g. weight_mismatch:shipment:12"})
    status = fields.String(required=True, metadata={"enum": list(ALERT_STATUSES)})
    status_zh = fields.String()
    severity = fields.String(required=True, metadata={"enum": ["warning", "critical"]})
    message = fields.String(required=True, metadata={"description": "Chinese first, English alongside"})
    details = fields.Dict(required=True, metadata={"description": "the numbers behind the alert"})
    park = fields.String(allow_none=True)
    enterprise = fields.Nested(AlertEnterpriseSchema, allow_none=True,
                               metadata={"description": "the receiver (shipments) or the licence holder"})
    shipment = fields.Nested(AlertShipmentSchema, allow_none=True)
    licence_number = fields.String(allow_none=True)
    raised_at = fields.String(required=True)
    last_seen_at = fields.String(required=True)
    acknowledged_at = fields.String(allow_none=True)
    acknowledged_by = fields.String(allow_none=True)
    acknowledgement = fields.String(allow_none=True, metadata={"description": "the coordinator's note"})
    cleared_at = fields.String(allow_none=True)


class AlertListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(ALERT_STATUSES))
    kind = fields.String(validate=validate.OneOf(ALERT_KINDS))
    park = fields.String(validate=[validate.Length(min=1, max=16), NO_NUL])


class ScanRequestSchema(RejectsNul, Schema):
    """Optional thresholds (defaults: 5 %, 3 days, 7 days, 60 days, 90 %; devices: 2 %, 5 km, 30 min) and the park."""

    weight_tolerance = fields.Float(validate=validate.Range(min=0, max=10),
                                    metadata={"description": "share of the dispatched tonnes, default 0.05"})
    receipt_days = fields.Float(validate=validate.Range(min=0, max=3650), metadata={"description": "default 3"})
    close_days = fields.Float(validate=validate.Range(min=0, max=3650), metadata={"description": "default 7"})
    licence_expiry_days = fields.Integer(validate=validate.Range(min=0, max=3650),
                                         metadata={"description": "default 60"})
    capacity_ratio = fields.Float(validate=validate.Range(min=0, max=10), metadata={"description": "default 0.9"})
    scale_tolerance = fields.Float(validate=validate.Range(min=0, max=10), metadata={
        "description": "two weighbridges of one load: share of the dispatch net, default 0.02"})
    corridor_km = fields.Float(validate=validate.Range(min=0, max=1000), metadata={
        "description": "km either side of the planned producer → receiver line, default 5"})
    stop_minutes = fields.Float(validate=validate.Range(min=0, max=100000), metadata={
        "description": "minutes standing still on the way before a long stop, default 30"})
    park = fields.String(validate=[validate.Length(min=1, max=16), NO_NUL],
                         metadata={"description": "park code; admins may omit it to scan everything"})


class ScanResultSchema(Schema):
    """What the scan did, and the active alerts per kind it found."""

    raised = fields.Integer(required=True)
    still_active = fields.Integer(required=True)
    cleared = fields.Integer(required=True)
    by_kind = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    park = fields.String(allow_none=True)
    settings = fields.Dict(keys=fields.String(), values=fields.Float())


class AcknowledgeSchema(RejectsNul, Schema):
    """The coordinator's note (required)."""

    note = fields.String(required=True, validate=[validate.Length(min=1, max=alerts.NOTE_MAX), NO_NUL])


@blp.route("")
@requires(blp, "coordinator", "admin")
@blp.arguments(AlertListArgs, location="query")
@blp.response(200, page_of(AlertSchema, "AlertPage"))
@documents_errors(blp, 404)
def list_alerts(args):
    """Alerts the caller may see, newest first (filters: status, kind, park code)."""
    session, principal = db_session(), current_principal()
    stmt = alerts.filtered_alerts(session, principal, status=args.get("status"), kind=args.get("kind"),
                                  park=args.get("park"))
    return paginate(session, stmt, args, lambda rows: [alerts.alert_view(a) for a in rows])


@blp.route("/<int:alert_id>")
@requires(blp, "coordinator", "admin")
@blp.response(200, AlertSchema)
@documents_errors(blp, 404)
def get_alert(alert_id: int):
    """One alert."""
    session, principal = db_session(), current_principal()
    return alerts.alert_view(alerts.get_alert(session, principal, alert_id))


@blp.route("/scan", methods=["POST"])
@requires(blp, "coordinator", "admin")
@blp.arguments(ScanRequestSchema, required=False)
@blp.response(200, ScanResultSchema)
@documents_errors(blp, 404)
def scan_alerts(body):
    """Evaluate every alert kind now (one park, or everything for an admin) and update the stored alerts.

    A coordinator of one park may omit ``park``; one of several parks must name it.
    """
    body = dict(body or {})
    code = body.pop("park", None)
    return alerts.scan_for(db_session(), current_principal(), code, alerts.settings_from(body)).as_dict()


@blp.route("/<int:alert_id>/acknowledge", methods=["POST"])
@requires(blp, "coordinator", "admin")
@blp.arguments(AcknowledgeSchema)
@blp.response(200, AlertSchema)
@documents_errors(blp, 404, 409)
def acknowledge_alert(body, alert_id: int):
    """Acknowledge an alert with a note (coordinators of its park, admins); a cleared alert is 409."""
    session, principal = db_session(), current_principal()
    return alerts.alert_view(alerts.acknowledge(session, principal, alert_id, body["note"]))
