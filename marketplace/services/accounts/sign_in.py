"""Signing in with resistance to guessing, and browser sessions that end for good.

``sign_in`` is the one way a password is checked for the pages and the API:

* a ``Throttle`` (the web layer's, on Flask-Limiter) counts failures per address and per account
  email, known or not; past its limits the attempt is refused with ``TooManyAttempts`` (429 and the
  seconds to wait) before any password is checked;
* an account is also locked in the database after ``LOCKOUT_THRESHOLD`` wrong passwords in a row,
  for ``LOCKOUT_DURATION`` (every process sees it; the memory throttle is per process), and its user
  gets a notice (``account_locked``);
* an unknown email costs the same scrypt work as a known one, so timing does not tell them apart;
* every attempt (success, failure, refusal) and every sign-out is audited with the client's address
  and user agent, never the password.

Failures write (the audit, the count): the caller keeps those changes although it answers 401/429.

Browser sessions (``UserSession``): the signed cookie carries a random key; only its SHA-256 is
stored. Each request resolves the key, so signing out, or a password change, ends the session
server-side: a copied cookie stops working; a restart of the server keeps valid ones.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from ...errors import DomainError, Unauthorized, ValidationFailed
from ...models import Enterprise, Notification, User, UserSession, user_parks
from ...models.base import as_utc, utcnow
from . import audit
from .users import MAX_EMAIL_LENGTH, Principal, dummy_password_check, normalise_email, set_password, verify_password

LOCKOUT_THRESHOLD = 5
LOCKOUT_DURATION = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=10)
WRONG = "wrong email or password (邮箱或密码错误)"


class TooManyAttempts(DomainError):
    """Too many failed sign-ins from this address or for this account: try again after ``retry_after`` s."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(f"too many failed sign-ins: try again in {minutes} minutes "
                         f"(登录失败次数过多，请 {minutes} 分钟后再试)", {"retry_after": [str(retry_after)]})
        self.retry_after = retry_after


@dataclass(frozen=True)
class Client:
    """Who is knocking: the address and user agent the audit records, and through what (page or api)."""

    address: str
    user_agent: str = ""
    channel: str = "page"

    def context(self, **extra: str) -> dict[str, str]:
        return {"address": self.address[:64], "user_agent": self.user_agent[:200], "channel": self.channel, **extra}


class Throttle(Protocol):
    """Counts failed sign-ins per address and per account (the web layer's rate limiter)."""

    def retry_after(self, account: str, address: str) -> int | None:
        """Seconds to wait when this account or address is over its limit, else None."""

    def failed(self, account: str, address: str) -> None:
        """Count one failed sign-in of ``account`` from ``address``."""


class NoThrottle:
    """No rate limit (the CLI and service tests); the database lockout still applies."""

    def retry_after(self, account: str, address: str) -> int | None:
        return None

    def failed(self, account: str, address: str) -> None:
        return None


def _audit(session: Session, action: str, email: str, client: Client, *, actor: str | None = None,
           **extra: str) -> None:
    audit.record(session, actor=actor or f"address:{client.address[:64]}", action=action, entity_type="user",
                 entity_key=email[:MAX_EMAIL_LENGTH], context=client.context(**extra))


def sign_in(session: Session, email: str, password: str, client: Client, *, throttle: Throttle | None = None,
            now: dt.datetime | None = None) -> User:
    """The active user with this email and password; ``Unauthorized`` or ``TooManyAttempts`` otherwise.

    Never says whether the email exists: an unknown email is hashed against a dummy, counted by the
    throttle like a known one, and answered with the same message.
    """
    throttle = throttle or NoThrottle()
    now = now or utcnow()
    email = normalise_email(email or "")
    wait = throttle.retry_after(email, client.address)
    if wait is not None:
        _audit(session, "sign-in-throttled", email, client)
        raise TooManyAttempts(wait)
    # Only the user row: its parks and enterprise load after a success, so a known email does no
    # more work before the answer than an unknown one.
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        dummy_password_check(password)
        _audit(session, "sign-in-failed", email, client, reason="unknown-email")
        throttle.failed(email, client.address)
        raise Unauthorized(WRONG)
    right = verify_password(password or "", user.password_hash)  # checked even when locked: the same work
    locked = as_utc(user.locked_until)
    if locked is not None and locked > now:
        # Locked: even the right password waits (the lock ends on its own; the user was told).
        _audit(session, "sign-in-locked", email, client)
        raise TooManyAttempts(math.ceil((locked - now).total_seconds()))
    if not right or not user.active:
        reason = "wrong-password" if not right else "disabled"
        _audit(session, "sign-in-failed", email, client, reason=reason)
        throttle.failed(email, client.address)
        if not right:
            _count_failure(session, user, client, now)
        raise Unauthorized(WRONG)
    user.failed_sign_ins, user.locked_until, user.last_login_at = 0, None, now
    _audit(session, "sign-in", email, client, actor=f"{user.role}:{user.email}")
    return user


def _count_failure(session: Session, user: User, client: Client, now: dt.datetime) -> None:
    """One more wrong password in a row; at the threshold, lock the account and tell its user."""
    user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
    if user.failed_sign_ins < LOCKOUT_THRESHOLD:
        return
    user.failed_sign_ins, user.locked_until = 0, now + LOCKOUT_DURATION
    minutes = int(LOCKOUT_DURATION.total_seconds() // 60)
    stamp = now.strftime("%Y-%m-%d %H:%M UTC")
    data = {"locked_until": user.locked_until.isoformat(), "address": client.address[:64], "failures": LOCKOUT_THRESHOLD,
            "message": f"{stamp} 起，您的账户因连续 {LOCKOUT_THRESHOLD} 次密码错误（最后一次来自 {client.address[:64]}）"
                       f"被锁定 {minutes} 分钟；如非本人操作，请修改密码 / your account was locked for {minutes} minutes "
                       f"at {stamp} after {LOCKOUT_THRESHOLD} wrong passwords in a row (the last from "
                       f"{client.address[:64]}); if this was not you, change your password"}
    session.add(Notification(user_id=user.id, kind="account_locked", data=data))
    _audit(session, "lockout", user.email, client, until=user.locked_until.isoformat())


# --- browser sessions ------------------------------------------------------------------------------

def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def open_session(session: Session, user: User, client: Client, *, lifetime: dt.timedelta = SESSION_LIFETIME,
                 now: dt.datetime | None = None) -> str:
    """A new browser session of ``user``: the key for the cookie (its SHA-256 is what is stored).

    The user's sessions that have expired are deleted here (their sign-ins and sign-outs stay audited).
    """
    key = secrets.token_urlsafe(32)
    now = now or utcnow()
    session.execute(delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at < now)
                    .execution_options(synchronize_session="fetch"))
    session.add(UserSession(user_id=user.id, key_hash=_key_hash(key), created_at=now, expires_at=now + lifetime,
                            address=client.address[:64], user_agent=client.user_agent[:200]))
    session.flush()
    return key


def resolve_session(session: Session, user_id: object, key: object, *, now: dt.datetime | None = None) -> Principal:
    """The principal of a browser session (user id and key from the cookie), or ``Unauthorized``.

    Unknown, revoked or expired sessions, another user's key, and disabled accounts are all refused.
    """
    if not isinstance(user_id, int) or not isinstance(key, str) or not key:
        raise Unauthorized("not signed in (未登录)")
    # Every page asks this: one joined row (and the park ids of a coordinator), not an ORM graph (4 queries).
    row = session.execute(
        select(UserSession.user_id, UserSession.revoked_at, UserSession.expires_at, User.email, User.role,
               User.active, User.enterprise_id, Enterprise.ref)
        .join(User, User.id == UserSession.user_id).outerjoin(Enterprise, Enterprise.id == User.enterprise_id)
        .where(UserSession.key_hash == _key_hash(key))).one_or_none()
    if row is None or row.user_id != user_id or row.revoked_at is not None \
            or as_utc(row.expires_at) <= (now or utcnow()):
        raise Unauthorized("the session has ended: sign in again (会话已结束，请重新登录)")
    if not row.active:
        raise Unauthorized("the account is disabled (账户已停用)")
    parks = frozenset(session.scalars(select(user_parks.c.park_id).where(user_parks.c.user_id == user_id))) \
        if row.role == "coordinator" else frozenset()  # only coordinators are bound to parks
    return Principal(user_id=user_id, email=row.email, role=row.role, enterprise_id=row.enterprise_id,
                     enterprise_ref=row.ref, park_ids=parks)


def close_session(session: Session, key: object, client: Client) -> None:
    """Sign out: the session of ``key`` ends for good (audited); an unknown or ended key does nothing."""
    if not isinstance(key, str) or not key:
        return
    row = session.scalar(select(UserSession).where(UserSession.key_hash == _key_hash(key)).options(
        selectinload(UserSession.user)))
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    _audit(session, "sign-out", row.user.email, client, actor=f"{row.user.role}:{row.user.email}")


def audit_token_sign_out(session: Session, principal: Principal, client: Client) -> None:
    """Record an API sign-out (a revoked bearer token)."""
    _audit(session, "sign-out", principal.email, client, actor=principal.actor)


def change_password(session: Session, principal: Principal, current: str, new: str, client: Client, *,
                    throttle: Throttle | None = None) -> User:
    """The signed-in user changes their own password: the current one is required, the policy applies,
    and every token and browser session of the user ends (the caller may open a fresh one).

    A wrong current password is ``ValidationFailed`` on ``current_password``, audited and counted by the
    throttle like a failed sign-in (a stolen session cannot guess the password faster than a sign-in form).
    """
    throttle = throttle or NoThrottle()
    user = session.get(User, principal.user_id) if principal.user_id is not None else None
    if user is None:
        raise Unauthorized("not signed in (未登录)")
    wait = throttle.retry_after(user.email, client.address)
    if wait is not None:
        _audit(session, "password-change-throttled", user.email, client, actor=principal.actor)
        raise TooManyAttempts(wait)
    if not verify_password(current or "", user.password_hash):
        throttle.failed(user.email, client.address)
        _audit(session, "password-change-refused", user.email, client, actor=principal.actor)
        raise ValidationFailed("the current password is wrong (当前密码错误)",
                               {"current_password": ["wrong password (密码错误)"]})
    try:
        set_password(session, user, new, actor=principal.actor)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, {"new_password": exc.errors.get("password", [])}) from None
    return user
