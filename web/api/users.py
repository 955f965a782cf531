"""``/users``: accounts, for admins (roles: enterprise user, coordinator, admin)."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from marketplace.models import LOCALES, ROLES
from marketplace.schemas.interchange import MAX_PARKS, BoundedList
from marketplace.services.accounts import users as accounts

from ..database import db_session
from .common import PageArgs, RejectsNul, current_principal, documents_errors, page_of, paginate, requires

URL_PREFIX = "/users"
blp = Blueprint("users", __name__, description="User accounts and roles (用户与角色)")


class UserSchema(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    enterprise = fields.String(allow_none=True)
    parks = fields.List(fields.String(), required=True)
    locale = fields.String(required=True)
    active = fields.Boolean(required=True)


class NewUserSchema(RejectsNul, Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=accounts.MAX_EMAIL_LENGTH))
    password = fields.String(required=True, load_only=True, validate=validate.Length(
        min=accounts.MIN_PASSWORD_LENGTH, max=1000))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    enterprise = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64),
                               metadata={"description": "Enterprise ref (enterprise users only)"})
    parks = BoundedList(fields.String(validate=validate.Length(max=16)), load_default=list, max_length=MAX_PARKS,
                        what="parks",
                        metadata={"description": "Park codes (coordinators only)"})
    locale = fields.String(load_default="zh", validate=validate.OneOf(LOCALES))


class UserFilter(PageArgs):
    role = fields.String(validate=validate.OneOf(ROLES))


@blp.route("")
@requires(blp, "admin")
@blp.arguments(UserFilter, location="query")
@blp.response(200, page_of(UserSchema, "UserPage"))
def list_users(args):
    """All accounts (admins)."""
    stmt = accounts.users_query(role=args.get("role"))
    return paginate(db_session(), stmt, args, lambda rows: [accounts.user_dict(u) for u in rows])


@blp.route("", methods=["POST"])
@requires(blp, "admin")
@blp.arguments(NewUserSchema)
@blp.response(201, UserSchema)
@documents_errors(blp, 409)
def create_user(body):
    """Add an account: enterprise users name their enterprise, coordinators their parks."""
    user = accounts.create_user(db_session(), actor=current_principal().actor, **body)
    return accounts.user_dict(user)


@blp.route("/<int:user_id>")
@requires(blp, "admin")
@blp.response(200, UserSchema)
@documents_errors(blp, 404)
def get_user(user_id: int):
    """One account."""
    return accounts.user_dict(accounts.user_by_id(db_session(), current_principal(), user_id))
