"""``/trace``: the whole path of a container or a batch (全程追溯).

``GET /trace/<code>`` takes a container code, a manifest number, or a ledger batch as
``ENTERPRISE_REF:BATCH_CODE`` or ``ledger:<id>``; the document and who sees which step are
defined in ``marketplace.services.traceability.trace``. An unknown code, or one the caller may not see, is 404.
"""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from marketplace.services.traceability import trace as trace_service

from ..database import db_session
from .common import current_principal, documents_errors, requires

URL_PREFIX = "/trace"
blp = Blueprint("trace", __name__, description="Trace a container or batch (全程追溯)")


class TraceNodeSchema(Schema):
    """One step of the path; fields of other step types are null."""

    index = fields.Integer(required=True, metadata={"description": "position in ``nodes``"})
    type = fields.String(required=True, metadata={"enum": list(trace_service.NODE_TYPES)})
    id = fields.Integer(required=True, allow_none=True, metadata={"description": "null when shown limited"})
    label_zh = fields.String(required=True)
    label_en = fields.String(required=True)
    date = fields.String(required=True, allow_none=True, metadata={"description": "the park's local day (ISO)"})
    at = fields.String(required=True, allow_none=True, metadata={"description": "ISO date-time, UTC offset"})
    quantity_t = fields.Float(required=True, allow_none=True)
    owner = fields.String(required=True, allow_none=True, metadata={"description": "enterprise ref"})
    parent = fields.Integer(required=True, allow_none=True, metadata={"description": "index of the parent step"})
    relation = fields.String(required=True, allow_none=True, metadata={"enum": list(trace_service.RELATIONS)})
    relation_zh = fields.String(required=True, allow_none=True)
    queried = fields.Boolean(required=True, metadata={"description": "the step the code named"})
    limited = fields.Boolean(required=True, metadata={"description": "shown only as product, date and tonnes"})
    ref = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    park = fields.String(allow_none=True)
    licence = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    waste_code = fields.String(allow_none=True)
    material = fields.String(allow_none=True)
    manifest_number = fields.String(allow_none=True)
    code = fields.String(allow_none=True)
    packaging = fields.String(allow_none=True)
    quantity_received_t = fields.Float(allow_none=True)
    carrier = fields.String(allow_none=True)
    vehicle = fields.String(allow_none=True)
    dispatched_at = fields.String(allow_none=True)
    received_at = fields.String(allow_none=True)
    closed_at = fields.String(allow_none=True)
    direction = fields.String(allow_none=True)
    batch_code = fields.String(allow_none=True)
    chemical_name = fields.String(allow_none=True)
    cas = fields.String(allow_none=True)
    product = fields.String(allow_none=True)
    content_ratio = fields.Float(allow_none=True)
    returned_from = fields.String(allow_none=True, metadata={"description": "shipment: the rejected manifest it returns"})
    returned_by = fields.String(allow_none=True, metadata={"description": "shipment: its return manifest"})
    counterparty = fields.String(allow_none=True, metadata={"description": "enterprise ref, or the name as written"})


class TraceEdgeSchema(Schema):
    """``from`` → ``to`` by node index (the same tree as each node's ``parent``)."""

    from_ = fields.Integer(required=True, data_key="from", attribute="from")
    to = fields.Integer(required=True)
    relation = fields.String(required=True, metadata={"enum": list(trace_service.RELATIONS)})


class TraceProductSchema(Schema):
    product = fields.String(required=True)
    quantity_t = fields.Float(required=True)
    content_ratio = fields.Float(required=True, allow_none=True)
    owner = fields.String(required=True, allow_none=True)
    index = fields.Integer(required=True)


class TraceSummarySchema(Schema):
    """What was dispatched and received, and what it became (of the visible steps)."""

    shipments = fields.Integer(required=True)
    containers = fields.Integer(required=True)
    dispatched_t = fields.Float(required=True)
    received_t = fields.Float(required=True)
    products = fields.List(fields.Nested(TraceProductSchema), required=True)
    product_t = fields.Float(required=True)
    text_zh = fields.String(required=True)
    text_en = fields.String(required=True)


class TraceSchema(Schema):
    """The whole path of one code."""

    query = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": list(trace_service.KINDS)})
    nodes = fields.List(fields.Nested(TraceNodeSchema), required=True)
    edges = fields.List(fields.Nested(TraceEdgeSchema), required=True)
    summary = fields.Nested(TraceSummarySchema, required=True)
    hidden = fields.Integer(required=True, metadata={"description": "steps withheld from the caller"})
    truncated = fields.Boolean(required=True, metadata={"description": "more steps existed than are traced"})


@blp.route("/<path:code>")
@requires(blp)
@blp.response(200, TraceSchema)
@documents_errors(blp, 404)
def get_trace(code: str):
    """The whole path of a container code, manifest number or ledger batch (``REF:BATCH`` or ``ledger:ID``)."""
    session, principal = db_session(), current_principal()
    return trace_service.trace(session, principal, code)
