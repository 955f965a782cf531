"""``/notifications``: the in-app list of what the platform pushed to the caller (推送通知)."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from marketplace.services.matching import notifications as service

from ..database import db_session
from .common import PageArgs, current_principal, documents_errors, page_of, paginate, requires

URL_PREFIX = "/notifications"
blp = Blueprint("notifications", __name__, description="Push notifications (推送通知)")


class NotificationSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "listing_fit, match_proposed or match_transition"})
    created_at = fields.String(allow_none=True, required=True)
    read = fields.Boolean(required=True)
    read_at = fields.String(allow_none=True, required=True)
    listing_id = fields.Integer(allow_none=True, required=True)
    own_listing_id = fields.Integer(allow_none=True, required=True)
    match_id = fields.Integer(allow_none=True, required=True)
    score = fields.Float(allow_none=True, required=True)
    message = fields.String(required=True, metadata={"description": "中文 / English"})
    data = fields.Dict(required=True, metadata={"description": "What the notice says, anonymised for its recipient"})


class NotificationFilter(PageArgs):
    unread = fields.Boolean(metadata={"description": "true: only unread; false: only read"})


class NotificationsReadSchema(Schema):
    marked = fields.Integer(required=True)


@blp.route("")
@requires(blp)
@blp.arguments(NotificationFilter, location="query")
@blp.response(200, page_of(NotificationSchema, "NotificationPage"))
def list_notifications(args):
    """The notices of the caller's enterprise and the caller's own, newest first."""
    stmt = service.list_query(current_principal(), unread=args.get("unread"))
    return paginate(db_session(), stmt, args, lambda rows: [service.notification_dict(n) for n in rows])


@blp.route("/<int(max=2147483647):notification_id>/read", methods=["POST"])
@requires(blp)
@blp.response(200, NotificationSchema)
@documents_errors(blp, 404)
def read_notification(notification_id: int):
    """Mark one notice read."""
    return service.notification_dict(service.mark_read(db_session(), current_principal(), notification_id))


@blp.route("/read-all", methods=["POST"])
@requires(blp)
@blp.response(200, NotificationsReadSchema)
def read_all():
    """Mark every unread notice of the caller read."""
    return {"marked": service.mark_all_read(db_session(), current_principal())}
