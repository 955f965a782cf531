"""``/auth/token`` under guessing: per-account and per-address throttling (429 + Retry-After),
lockout with notice, every attempt audited, the password policy, and a password change that
ends every token (on SQLite and PostgreSQL)."""
from __future__ import annotations

import json

from sqlalchemy import select

from marketplace.models import AuditEvent, Notification, User
from tests.factories import API_PASSWORD, API_USERS

ERROR_KEYS = {"code", "status", "message", "errors"}
E1 = API_USERS["e1"][0]


def token(api, email: str, password: str, address: str = "198.51.100.20", agent: str = "probe/1.0"):
    return api.post("auth/token", json={"email": email, "password": password},
                    environ_base={"REMOTE_ADDR": address}, headers={"User-Agent": agent})


def sign_in_events(api, email: str) -> list[AuditEvent]:
    return list(api.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_key == email, AuditEvent.action.like("sign-%")).order_by(AuditEvent.id)))


def test_brute_force_on_one_account_is_answered_429_with_retry_after(api):
    for i in range(5):
        assert token(api, E1, f"guess number {i}").status_code == 401
    for address in ("198.51.100.20", "192.0.2.44"):  # the account is locked from everywhere, right password or not
        res = token(api, E1, API_PASSWORD, address=address)
        assert res.status_code == 429 and set(res.json) == ERROR_KEYS
        assert 1 <= int(res.headers["Retry-After"]) <= 15 * 60
        assert "too many failed sign-ins" in res.json["message"]
    user = api.session.scalar(select(User).where(User.email == E1))
    notices = list(api.session.scalars(select(Notification).where(Notification.user_id == user.id)))
    assert [n.kind for n in notices] == ["account_locked"]


def test_an_unknown_email_is_throttled_like_a_known_one(api):
    answers = [token(api, "nobody@e1.test", f"guess {i}").status_code for i in range(6)]
    assert answers == [401] * 5 + [429]


def test_an_address_guessing_many_accounts_is_stopped_but_the_right_password_from_elsewhere_works(api):
    for i in range(20):
        assert token(api, f"user{i}@guess.test", "password guess", address="203.0.113.9").status_code == 401
    stopped = token(api, E1, API_PASSWORD, address="203.0.113.9")
    assert stopped.status_code == 429 and int(stopped.headers["Retry-After"]) > 0
    elsewhere = token(api, E1, API_PASSWORD, address="192.0.2.10")
    assert elsewhere.status_code == 201, elsewhere.json


def test_every_attempt_and_the_sign_out_are_audited_with_address_and_agent(api):
    assert token(api, E1, "not the password", agent="curl/8.5").status_code == 401
    ok = token(api, E1, API_PASSWORD, agent="curl/8.5")
    assert ok.status_code == 201
    out = api.delete("auth/token", headers={"Authorization": f"Bearer {ok.json['token']}", "User-Agent": "curl/8.5"},
                     environ_base={"REMOTE_ADDR": "198.51.100.20"})
    assert out.status_code == 204
    rows = sign_in_events(api, E1)
    assert [e.action for e in rows] == ["sign-in-failed", "sign-in", "sign-out"]
    for e in rows:
        assert e.context["address"] == "198.51.100.20" and e.context["user_agent"] == "curl/8.5"
        assert e.context["channel"] == "api"
        stored = json.dumps([e.changes, e.context, e.actor], ensure_ascii=False)
        assert API_PASSWORD not in stored and "not the password" not in stored


def test_weak_passwords_are_refused_where_accounts_are_made(api):
    for weak in ("password", "password123", "qwertyuiop", "new@e1.test", "short"):
        res = api.post("users", "admin", json={"email": "new@e1.test", "password": weak, "role": "enterprise",
                                               "enterprise": "E-1"})
        assert res.status_code == 422, (weak, res.json)
        assert "password" in json.dumps(res.json["errors"]), res.json
    ok = api.post("users", "admin", json={"email": "new@e1.test", "password": "seven green lanterns",
                                          "role": "enterprise", "enterprise": "E-1"})
    assert ok.status_code == 201


def test_a_password_change_ends_every_token(api):
    first = token(api, E1, API_PASSWORD).json["token"]
    auth = {"Authorization": f"Bearer {first}"}
    wrong = api.post("auth/password", json={"current_password": "not it", "new_password": "seven green lanterns"},
                     headers=auth)
    assert wrong.status_code == 422 and "current_password" in json.dumps(wrong.json["errors"])
    weak = api.post("auth/password", json={"current_password": API_PASSWORD, "new_password": "password1"},
                    headers=auth)
    assert weak.status_code == 422 and "new_password" in json.dumps(weak.json["errors"])
    assert api.get("auth/me", headers=auth).status_code == 200
    done = api.post("auth/password", json={"current_password": API_PASSWORD, "new_password": "seven green lanterns"},
                    headers=auth)
    assert done.status_code == 204
    assert api.get("auth/me", headers=auth).status_code == 401
    assert api.get("auth/me", "e1").status_code == 401  # the fixture's token of the same user too
    assert token(api, E1, API_PASSWORD).status_code == 401
    assert token(api, E1, "seven green lanterns").status_code == 201


def test_guessing_the_current_password_with_a_stolen_token_is_throttled_too(api):
    auth = {"Authorization": f"Bearer {api.tokens['e1']}"}
    body = {"new_password": "seven green lanterns"}
    for i in range(5):
        res = api.post("auth/password", json={**body, "current_password": f"guess {i}"}, headers=auth)
        assert res.status_code == 422
    res = api.post("auth/password", json={**body, "current_password": API_PASSWORD}, headers=auth)
    assert res.status_code == 429 and int(res.headers["Retry-After"]) > 0
    refused = list(api.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_key == E1, AuditEvent.action.like("password-change-%"))))
    assert refused == ["password-change-refused"] * 5 + ["password-change-throttled"]
