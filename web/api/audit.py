"""``/audit``: the audit trail (admins: all of it; coordinators: the events of their parks)."""
from __future__ import annotations

import datetime as dt

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.models import AuditEvent
from marketplace.models.base import iso_utc
from marketplace.services.accounts.audit_trail import audit_trail

from ..database import db_session
from .common import NO_NUL, PageArgs, current_principal, page_of, paginate, requires, utc_argument

URL_PREFIX = "/audit"
blp = Blueprint("audit", __name__, description="Audit trail (操作记录)")


class AuditEntrySchema(Schema):
    id = fields.Integer(required=True)
    at = fields.String(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    entity_type = fields.String(required=True)
    entity_key = fields.String(required=True)
    park_id = fields.Integer(allow_none=True)
    changes = fields.Dict()
    context = fields.Dict()


class AuditListArgs(PageArgs):
    entity_type = fields.String(validate=[validate.Length(min=1, max=40), NO_NUL])
    entity_key = fields.String(validate=[validate.Length(min=1, max=100), NO_NUL])
    action = fields.String(validate=[validate.Length(min=1, max=40), NO_NUL])
    since = fields.AwareDateTime(default_timezone=dt.timezone.utc)


def entry_dict(e: AuditEvent) -> dict:
    return {"id": e.id, "at": iso_utc(e.at), "actor": e.actor, "action": e.action, "entity_type": e.entity_type,
            "entity_key": e.entity_key, "park_id": e.park_id, "changes": e.changes or {}, "context": e.context or {}}


@blp.route("")
@requires(blp, "admin", "coordinator")
@blp.arguments(AuditListArgs, location="query")
@blp.response(200, page_of(AuditEntrySchema, "AuditEntryPage"))
def list_audit(args):
    """Audit events, newest first (filters: entity_type, entity_key, action, since)."""
    stmt = audit_trail(current_principal(), entity_type=args.get("entity_type"), entity_key=args.get("entity_key"),
                       action=args.get("action"), since=utc_argument(args["since"]) if args.get("since") else None)
    return paginate(db_session(), stmt, args, lambda rows: [entry_dict(e) for e in rows])
