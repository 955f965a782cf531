"""``/auth``: exchange email and password for a bearer token; who am I; sign out (revoke).

The token endpoint signs in as the pages do (``sign_in.sign_in``): throttled per address and per
account (429 with ``Retry-After``), locked after repeated failures, every attempt audited.
"""
from __future__ import annotations

import datetime as dt

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.errors import Unauthorized, ValidationFailed
from marketplace.services.accounts import sign_in
from marketplace.services.accounts import users as accounts

from ..database import db_session, keep_changes
from ..sign_in_throttle import client, note_retry_after, sign_in_throttle
from .common import ErrorSchema, RejectsNul, current_principal, documents_errors, requires
from .users import UserSchema

URL_PREFIX = "/auth"
blp = Blueprint("auth", __name__, description="Sign in with email and password; bearer tokens (登录与令牌)")


class TokenRequest(RejectsNul, Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    expires_in = fields.Integer(load_default=int(accounts.TOKEN_TTL.total_seconds()), validate=validate.Range(
        min=60, max=int(accounts.MAX_TOKEN_TTL.total_seconds())),
        metadata={"description": "Lifetime in seconds (default 12 h, at most 30 days)"})
    label = fields.String(load_default="", validate=validate.Length(max=100))


class TokenResponse(Schema):
    token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_at = fields.DateTime(required=True)
    user = fields.Nested(UserSchema, required=True)


@blp.route("/token", methods=["POST"])
@blp.doc(security=[])
@blp.arguments(TokenRequest)
@blp.response(201, TokenResponse)
@blp.alt_response(401, schema=ErrorSchema, description="Wrong email or password")
@blp.alt_response(429, schema=ErrorSchema, description="Too many failed sign-ins from this address or for this "
                  "account: wait the seconds of the Retry-After header")
def issue_token(body):
    """Sign in: a bearer token for ``Authorization: Bearer <token>`` (expiring, revocable)."""
    session = db_session()
    try:
        user = sign_in.sign_in(session, body["email"], body["password"], client("api"), throttle=sign_in_throttle())
    except sign_in.TooManyAttempts as exc:
        keep_changes()  # the refusal's audit event stays
        note_retry_after(exc.retry_after)
        raise
    except Unauthorized:
        keep_changes()  # the failure's audit event and count stay
        raise
    plaintext, row = accounts.issue_token(session, user, ttl=dt.timedelta(seconds=body["expires_in"]),
                                          label=body["label"])
    doc = {"token": plaintext, "token_type": "Bearer", "expires_at": row.expires_at,
           "user": accounts.user_dict(user)}
    return doc


@blp.route("/token", methods=["DELETE"])
@requires(blp)
@blp.response(204)
def revoke_token():
    """Sign out: revoke the token this request carries (audited)."""
    accounts.revoke_token(db_session(), current_principal())
    sign_in.audit_token_sign_out(db_session(), current_principal(), client("api"))


class PasswordChange(RejectsNul, Schema):
    current_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=1000))
    new_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=1000),
                                 metadata={"description": "At least 10 characters, not a common password, "
                                                          "not your email or name"})


@blp.route("/password", methods=["POST"])
@requires(blp)
@blp.arguments(PasswordChange)
@blp.response(204)
@documents_errors(blp, 422, 429)
def change_password(body):
    """Change your own password: every bearer token and browser session of yours ends (sign in again)."""
    try:
        sign_in.change_password(db_session(), current_principal(), body["current_password"], body["new_password"],
                                client("api"), throttle=sign_in_throttle())
    except sign_in.TooManyAttempts as exc:
        keep_changes()
        note_retry_after(exc.retry_after)
        raise
    except ValidationFailed:
        keep_changes()  # a wrong current password is audited
        raise


@blp.route("/me")
@requires(blp)
@blp.response(200, UserSchema)
@documents_errors(blp, 404)
def me():
    """The signed-in user, their role, enterprise and parks."""
    return accounts.user_dict(accounts.get_user(db_session(), current_principal().email))
