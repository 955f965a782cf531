"""Sign-in: lockout with notice, audit of every attempt, the same hash work for unknown emails,
server-side sessions, and the password policy (on SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from marketplace.errors import Unauthorized, ValidationFailed
from marketplace.models import ApiToken, AuditEvent, Notification
from marketplace.services.accounts import sign_in
from marketplace.services.accounts.passwords import password_problems
from marketplace.services.accounts.users import create_user, issue_token, principal_of, set_password

PASSWORD = "correct horse battery"
T0 = dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.UTC)
CLIENT = sign_in.Client(address="203.0.113.7", user_agent="probe/1.0", channel="page")


@pytest.fixture()
def user(session):
    return create_user(session, email="ops@park.test", password=PASSWORD, role="admin", actor="test",
                       name="Wang Fang")


def events(session, email: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.entity_key == email).order_by(AuditEvent.id)))


def test_five_wrong_passwords_lock_the_account_for_a_while_and_tell_its_user(session, user):
    for i in range(sign_in.LOCKOUT_THRESHOLD):
        with pytest.raises(Unauthorized):
            sign_in.sign_in(session, user.email, f"guess number {i}", CLIENT, now=T0)
    # Locked: even the right password waits, with the seconds left.
    with pytest.raises(sign_in.TooManyAttempts) as locked:
        sign_in.sign_in(session, user.email, PASSWORD, CLIENT, now=T0 + dt.timedelta(minutes=5))
    assert locked.value.retry_after == 10 * 60 and locked.value.status == 429
    assert "登录失败次数过多" in locked.value.message and "too many failed sign-ins" in locked.value.message
    notices = list(session.scalars(select(Notification).where(Notification.user_id == user.id)))
    assert [n.kind for n in notices] == ["account_locked"]
    assert "203.0.113.7" in notices[0].data["message"] and "locked" in notices[0].data["message"]
    # The lock ends on its own; a success clears the count.
    assert sign_in.sign_in(session, user.email, PASSWORD, CLIENT, now=T0 + dt.timedelta(minutes=16)) is user
    assert user.failed_sign_ins == 0 and user.locked_until is None
    actions = [e.action for e in events(session, user.email)]
    assert actions == ["create"] + ["sign-in-failed"] * 5 + ["lockout", "sign-in-locked", "sign-in"]


def test_every_attempt_is_audited_with_address_and_agent_never_the_password(session, user):
    with pytest.raises(Unauthorized):
        sign_in.sign_in(session, user.email, "not my password", CLIENT, now=T0)
    with pytest.raises(Unauthorized):
        sign_in.sign_in(session, "nobody@park.test", "not my password", CLIENT, now=T0)
    sign_in.sign_in(session, user.email, PASSWORD, CLIENT, now=T0)
    key = sign_in.open_session(session, user, CLIENT, now=T0)
    sign_in.close_session(session, key, CLIENT)
    rows = events(session, user.email)[1:] + events(session, "nobody@park.test")
    assert [(e.action, e.context.get("reason")) for e in rows] == [
        ("sign-in-failed", "wrong-password"), ("sign-in", None), ("sign-out", None),
        ("sign-in-failed", "unknown-email")]
    for e in rows:
        assert e.context["address"] == "203.0.113.7" and e.context["user_agent"] == "probe/1.0"
        assert "not my password" not in repr((e.changes, e.context)) and PASSWORD not in repr((e.changes, e.context))


def test_an_unknown_email_costs_the_same_hash_work_as_a_known_one(session, user, monkeypatch):
    calls: list[tuple] = []
    real = hashlib.scrypt

    def counting(password, *, salt, n, r, p, dklen=64, **kw):
        calls.append((n, r, p, dklen))
        return real(password, salt=salt, n=n, r=r, p=p, dklen=dklen, **kw)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    for email in (user.email, "nobody@park.test"):
        with pytest.raises(Unauthorized) as refused:
            sign_in.sign_in(session, email, "wrong guess 1", CLIENT, now=T0)
        assert refused.value.message == sign_in.WRONG
    assert len(calls) == 2 and calls[0] == calls[1]


class CountingThrottle:
    """A throttle that refuses after ``limit`` failures per address (what the web's limiter does)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.failures = limit, {}

    def retry_after(self, account, address):
        return 60 if self.failures.get(address, 0) >= self.limit else None

    def failed(self, account, address):
        self.failures[address] = self.failures.get(address, 0) + 1


def test_a_throttled_attempt_is_refused_before_any_password_check_and_audited(session, user):
    throttle = CountingThrottle(limit=2)
    for _ in range(2):
        with pytest.raises(Unauthorized):
            sign_in.sign_in(session, "nobody@park.test", "guess guess", CLIENT, throttle=throttle, now=T0)
    with pytest.raises(sign_in.TooManyAttempts) as refused:
        sign_in.sign_in(session, user.email, PASSWORD, CLIENT, throttle=throttle, now=T0)
    assert refused.value.retry_after == 60 and user.last_login_at is None
    assert events(session, user.email)[-1].action == "sign-in-throttled"
    other = sign_in.Client(address="198.51.100.9", user_agent="browser", channel="page")
    assert sign_in.sign_in(session, user.email, PASSWORD, other, throttle=throttle, now=T0) is user


def test_sessions_resolve_until_closed_expired_or_the_password_changes(session, user):
    key = sign_in.open_session(session, user, CLIENT, now=T0)
    assert sign_in.resolve_session(session, user.id, key, now=T0).email == user.email
    with pytest.raises(Unauthorized):
        sign_in.resolve_session(session, user.id + 1, key, now=T0)  # another user's id with this key
    with pytest.raises(Unauthorized):
        sign_in.resolve_session(session, user.id, "forged", now=T0)
    with pytest.raises(Unauthorized):
        sign_in.resolve_session(session, user.id, key, now=T0 + sign_in.SESSION_LIFETIME)
    sign_in.close_session(session, key, CLIENT)
    with pytest.raises(Unauthorized):
        sign_in.resolve_session(session, user.id, key, now=T0)

    again = sign_in.open_session(session, user, CLIENT)
    _, token = issue_token(session, user)
    user.failed_sign_ins, user.locked_until = 3, T0 + dt.timedelta(days=1)
    set_password(session, user, "a brand new passphrase", actor="admin:test")
    with pytest.raises(Unauthorized):
        sign_in.resolve_session(session, user.id, again)
    assert session.get(ApiToken, token.id).revoked_at is not None
    assert user.failed_sign_ins == 0 and user.locked_until is None  # a reset unlocks


def test_expired_sessions_are_deleted_when_the_user_signs_in_again(session, user):
    old = sign_in.open_session(session, user, CLIENT, now=T0)
    live = sign_in.open_session(session, user, CLIENT, now=T0 + dt.timedelta(hours=9))
    sign_in.open_session(session, user, CLIENT, now=T0 + dt.timedelta(hours=11))
    session.expire_all()
    assert len(user.sessions) == 2  # the first one had expired
    assert sign_in.resolve_session(session, user.id, live, now=T0 + dt.timedelta(hours=11)).email == user.email
    with pytest.raises(Unauthorized):
        sign_in.resolve_session(session, user.id, old, now=T0)


def test_changing_ones_password_needs_the_current_one(session, user):
    principal = principal_of(user)
    with pytest.raises(ValidationFailed) as wrong:
        sign_in.change_password(session, principal, "not it at all", "a brand new passphrase", CLIENT)
    assert "current_password" in wrong.value.errors
    assert events(session, user.email)[-1].action == "password-change-refused"
    with pytest.raises(ValidationFailed) as weak:
        sign_in.change_password(session, principal, PASSWORD, "password1", CLIENT)
    assert "new_password" in weak.value.errors
    sign_in.change_password(session, principal, PASSWORD, "a brand new passphrase", CLIENT)
    assert sign_in.sign_in(session, user.email, "a brand new passphrase", CLIENT) is user


@pytest.mark.parametrize("password, reason", [
    ("short pw", "at least 10"), ("password", "most common"), ("password123", "most common"),
    ("qwertyuiop", "most common"), ("1234567890", "most common"), ("ops@park.test", "email"),
    ("Ops.Park.Test", "email"), ("wang fang", "name")])
def test_the_password_policy_refuses_short_common_and_own_passwords(session, password, reason):
    assert any(reason in p for p in password_problems(password, email="ops@park.test", name="Wang Fang"))
    with pytest.raises(ValidationFailed) as refused:
        create_user(session, email="ops@park.test", password=password, role="admin", actor="test", name="Wang Fang")
    assert refused.value.errors["password"]


def test_the_policy_accepts_a_long_uncommon_password():
    assert password_problems("correct horse battery", email="ops@park.test", name="Wang Fang") == []
    assert password_problems("wastematch-demo") == []  # the demo's password passes too
