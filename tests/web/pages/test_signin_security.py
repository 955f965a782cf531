"""The sign-in page under guessing (429 + Retry-After, the right password from another address),
and browser sessions that end server-side: a copied cookie stops working after sign-out and after a
password change, and survives a restart of the server (on SQLite and PostgreSQL)."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.models import AuditEvent
from tests.factories import API_PASSWORD, API_USERS
from web.app import create_app

COOKIE = "wastematch_session"
E1 = API_USERS["e1"][0]


def attempt(pages, password: str, address: str = "198.51.100.30", email: str = E1):
    return pages.client.post("/signin", data={"email": email, "password": password, "csrf_token": pages.csrf()},
                             environ_base={"REMOTE_ADDR": address}, headers={"User-Agent": "Firefox/140"})


def copy_of_cookie(pages):
    """A second browser holding a copy of the first one's session cookie."""
    other = pages.app.test_client()
    other.set_cookie(COOKIE, pages.client.get_cookie(COOKIE).value)
    return other


def test_guessing_a_password_on_the_page_is_answered_429_with_retry_after(pages_on_backend):
    pages = pages_on_backend
    for i in range(5):
        assert attempt(pages, f"guess number {i}").status_code == 401
    res = attempt(pages, API_PASSWORD)
    assert res.status_code == 429 and 1 <= int(res.headers["Retry-After"]) <= 15 * 60
    assert "登录失败次数过多" in res.get_data(as_text=True)
    rows = list(pages.session.scalars(select(AuditEvent).where(AuditEvent.entity_key == E1,
                                                                 AuditEvent.action != "create")
                                      .order_by(AuditEvent.id)))  # PostgreSQL returns rows in no set order
    assert [e.action for e in rows] == ["sign-in-failed"] * 5 + ["lockout", "sign-in-throttled"]
    assert {e.context["user_agent"] for e in rows} == {"Firefox/140"}


def test_the_right_password_from_another_address_works_when_only_the_address_is_stopped(pages_on_backend):
    pages = pages_on_backend
    for i in range(20):
        assert attempt(pages, "guessing", email=f"u{i}@guess.test", address="203.0.113.50").status_code == 401
    assert attempt(pages, API_PASSWORD, address="203.0.113.50").status_code == 429
    res = attempt(pages, API_PASSWORD, address="192.0.2.60")
    assert res.status_code == 302 and pages.get("/dashboard").status_code == 200


def test_a_copied_cookie_stops_working_after_sign_out(pages_on_backend):
    pages = pages_on_backend
    pages.sign_in("e1")
    thief = copy_of_cookie(pages)
    assert thief.get("/dashboard").status_code == 200
    assert pages.post("/signout", csrf_from="/dashboard").status_code == 302
    res = thief.get("/dashboard")
    assert res.status_code == 302 and "/signin" in res.headers["Location"]
    signed_out = list(pages.session.scalars(select(AuditEvent).where(AuditEvent.action == "sign-out")))
    assert [e.entity_key for e in signed_out] == [E1]


def test_a_copied_cookie_stops_working_after_a_password_change(pages_on_backend):
    pages = pages_on_backend
    pages.sign_in("e1")
    thief = copy_of_cookie(pages)
    form = {"current_password": API_PASSWORD, "new_password": "seven green lanterns",
            "new_password_again": "seven green lanterns"}
    refused = pages.post("/account/password", {**form, "new_password": "password1", "new_password_again": "password1"},
                         csrf_from="/account/password")
    assert refused.status_code == 422 and "常见密码" in refused.get_data(as_text=True)
    assert thief.get("/dashboard").status_code == 200
    assert pages.post("/account/password", form, csrf_from="/account/password").status_code == 302
    assert thief.get("/dashboard").status_code == 302  # the copy is signed out
    assert pages.get("/dashboard").status_code == 200  # the browser that changed it has a fresh session


def test_a_restart_with_the_same_secret_key_keeps_the_session(pages_on_backend, tmp_path):
    pages = pages_on_backend
    pages.sign_in("e1")
    restarted = create_app({"database_url": pages.app.config["DATABASE_URL"], "instance_path": tmp_path,
                            "secret_key": pages.app.config["SECRET_KEY"]})
    restarted.testing = True
    # The new process reads the same database (here: the test's transaction).
    restarted.extensions["wastematch.sessions"] = pages.app.extensions["wastematch.sessions"]
    browser = restarted.test_client()
    browser.set_cookie(COOKIE, pages.client.get_cookie(COOKIE).value)
    assert browser.get("/dashboard").status_code == 200
    restarted.extensions["wastematch.engine"].dispose()
