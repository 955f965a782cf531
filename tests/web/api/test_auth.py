"""Sign-in, bearer tokens (expiry, revocation), roles and the error shape on every failure."""
from __future__ import annotations

import datetime as dt

import pytest

from marketplace.models import ApiToken
from marketplace.services.accounts.users import hash_password, verify_password
from tests.factories import API_PASSWORD, API_USERS

ERROR_KEYS = {"code", "status", "message", "errors"}


def test_password_hash_is_salted_and_verifies():
    a, b = hash_password("s3cret-pass"), hash_password("s3cret-pass")
    assert a != b and a.startswith("scrypt$") and "s3cret" not in a
    assert verify_password("s3cret-pass", a) and not verify_password("s3cret-pasS", a)
    assert not verify_password("x", "not-a-hash")


def test_token_for_email_and_password(api):
    res = api.post("auth/token", json={"email": "Garage@E2.test ", "password": API_PASSWORD})
    assert res.status_code == 201, res.json
    assert res.json["token_type"] == "Bearer" and len(res.json["token"]) >= 40
    assert res.json["user"] == {**res.json["user"], "role": "enterprise", "enterprise": "E-2"}
    assert "password" not in str(res.json) and "scrypt" not in str(res.json)
    me = api.get("auth/me", headers={"Authorization": f"Bearer {res.json['token']}"})
    assert me.status_code == 200 and me.json["email"] == "garage@e2.test"


def test_wrong_password_and_unknown_email_look_the_same(api):
    wrong = api.post("auth/token", json={"email": "garage@e2.test", "password": "nope-nope"})
    unknown = api.post("auth/token", json={"email": "nobody@e2.test", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["message"] == unknown.json["message"] and set(wrong.json) == ERROR_KEYS


def test_token_request_validation_names_the_field(api):
    res = api.post("auth/token", json={"email": "garage@e2.test"})
    assert res.status_code == 422 and set(res.json) == ERROR_KEYS
    assert "password" in res.json["errors"]["json"]
    res = api.post("auth/token", json={"email": "garage@e2.test", "password": "x", "expires_in": 5})
    assert res.status_code == 422 and "expires_in" in res.json["errors"]["json"]


def test_nul_characters_are_a_422_not_a_500(api):
    res = api.post("auth/token", json={"email": "garage\x00@e2.test", "password": API_PASSWORD})
    assert res.status_code == 422 and "email" in res.json["errors"]["json"]
    res = api.post("users", "admin", json={"email": "n@x.test", "password": "long enough", "role": "admin",
                                           "name": "a\x00"})
    assert res.status_code == 422 and "name" in res.json["errors"]["json"]


def test_missing_malformed_expired_and_revoked_tokens_are_401(api):
    assert api.get("auth/me").status_code == 401
    assert api.get("auth/me").headers["WWW-Authenticate"].startswith("Bearer")
    assert api.get("auth/me", headers={"Authorization": "Basic abc"}).status_code == 401
    assert api.get("auth/me", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    token = api.post("auth/token", json={"email": "garage@e2.test", "password": API_PASSWORD}).json["token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert api.delete("auth/token", headers=auth).status_code == 204
    res = api.get("auth/me", headers=auth)
    assert res.status_code == 401 and "revoked" in res.json["message"]
    # Expiry: push the e3 token's expiry into the past.
    for row in api.session.query(ApiToken).all():
        row.expires_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    api.session.commit()
    res = api.get("auth/me", "e3")
    assert res.status_code == 401 and "expired" in res.json["message"]


def test_users_are_for_admins(api):
    assert api.get("users", "e1").status_code == 403
    assert api.get("users", "coord").status_code == 403
    res = api.get("users", "admin", query_string={"per_page": 3})
    assert res.status_code == 200 and res.json["total"] == len(API_USERS) and len(res.json["items"]) == 3
    assert res.json["pages"] == 3
    coords = api.get("users", "admin", query_string={"role": "coordinator"}).json["items"]
    assert {u["email"] for u in coords} == {"coord-bh@wm.test", "coord-nk@wm.test"}
    assert api.get("users/99999", "admin").status_code == 404


def test_admin_creates_users_with_role_rules(api):
    ok = api.post("users", "admin", json={"email": "new@e1.test", "password": "long enough", "role": "enterprise",
                                          "enterprise": "E-1"})
    assert ok.status_code == 201 and ok.json["enterprise"] == "E-1"
    assert api.get(f"users/{ok.json['id']}", "admin").json["email"] == "new@e1.test"
    again = api.post("users", "admin", json={"email": "NEW@e1.test", "password": "long enough", "role": "enterprise",
                                             "enterprise": "E-1"})
    assert again.status_code == 409
    bad = api.post("users", "admin", json={"email": "c@x.test", "password": "long enough", "role": "coordinator",
                                           "enterprise": "E-1", "parks": ["ZZ"]})
    assert bad.status_code == 422 and set(bad.json["errors"]) >= {"enterprise", "parks"}
    short = api.post("users", "admin", json={"email": "c@x.test", "password": "short", "role": "admin"})
    assert short.status_code == 422 and "password" in short.json["errors"]["json"]
    assert api.post("users", "coord", json={"email": "c@x.test", "password": "long enough",
                                            "role": "admin"}).status_code == 403
    # The audit trail keys users by email: a longer one is a 422, not a 500 on PostgreSQL.
    long = api.post("users", "admin", json={"email": "a" * 90 + "@example.com", "password": "long enough",
                                            "role": "admin"})
    assert long.status_code == 422 and "email" in long.json["errors"]["json"]
    longest = "a" * 88 + "@example.com"  # exactly 100 characters
    made = api.post("users", "admin", json={"email": longest, "password": "long enough", "role": "admin"})
    assert made.status_code == 201, made.json
    token = api.post("auth/token", json={"email": longest, "password": "long enough"}).json["token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert api.post("parks", json={"code": "LONG", "name": "长邮箱园区"}, headers=auth).status_code == 201  # audited


def test_create_user_service_bounds_the_email(session):
    from marketplace.errors import ValidationFailed
    from marketplace.services.accounts.users import create_user

    with pytest.raises(ValidationFailed) as exc:
        create_user(session, email="b" * 95 + "@x.test", password="long enough", role="admin", actor="test")
    assert "email" in exc.value.errors


def test_login_works_for_every_seeded_role(api):
    for email, role, _, _ in API_USERS.values():
        res = api.post("auth/token", json={"email": email, "password": API_PASSWORD})
        assert res.status_code == 201 and res.json["user"]["role"] == role
