"""``/notifications``: the in-app list of what the platform pushed to the caller (推送通知)."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from marketplace.services.delivery import preferences as delivery_preferences
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


# --- outside delivery: where the caller's notices go besides this list (e-mail, a chat robot) ---------------

class NoticeChannelsSchema(Schema):
    email = fields.Boolean(metadata={"description": "send this kind by e-mail (to the account's address)"})
    webhook = fields.Boolean(metadata={"description": "send this kind to the chat robot's webhook"})


class NoticeKindSchema(NoticeChannelsSchema):
    kind = fields.String(required=True)
    label = fields.String(required=True, metadata={"description": "中文 / English"})
    default = fields.Boolean(required=True, metadata={"description": "true: no choice stored, the kind's default"})


class NoticePreferencesSchema(Schema):
    email = fields.String(required=True, metadata={"description": "where e-mail notices go (the account's address)"})
    webhook_url = fields.String(allow_none=True, required=True,
                                metadata={"description": "a WeCom / DingTalk robot's webhook, or null"})
    kinds = fields.List(fields.Nested(NoticeKindSchema), required=True)


class NoticePreferencesPatch(Schema):
    webhook_url = fields.String(allow_none=True, validate=lambda v: v is None or len(v) <= 500, metadata={
        "description": "the chat robot's webhook (an allowed host); null or empty clears it"})
    kinds = fields.Dict(keys=fields.String(), values=fields.Nested(NoticeChannelsSchema), metadata={
        "description": "notice kind → channels to switch, e.g. {\"match_proposed\": {\"webhook\": true}}"})


@blp.route("/preferences")
@requires(blp)
@blp.response(200, NoticePreferencesSchema)
@documents_errors(blp, 422)
def get_preferences():
    """Where the caller's notices go outside the app, per notice kind (站外通知偏好)."""
    return delivery_preferences.preferences_view(db_session(), current_principal())


@blp.route("/preferences", methods=["PATCH"])
@requires(blp)
@blp.arguments(NoticePreferencesPatch)
@blp.response(200, NoticePreferencesSchema)
@documents_errors(blp, 422)
def update_preferences(body):
    """Set the caller's chat-robot webhook and the channels of notice kinds; the rest is kept."""
    clear = "webhook_url" in body and not body["webhook_url"]
    return delivery_preferences.update_preferences(
        db_session(), current_principal(), webhook_url=body.get("webhook_url") or None, clear_webhook=clear,
        kinds=body.get("kinds"))
