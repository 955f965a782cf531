"""The trace pages and the browser sign-in: CSRF on every form, local redirects only, the timeline in Chinese
and, after the language switch, in English."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from flask import Flask, url_for

from tests.factories import API_PASSWORD, API_USERS
from tests.marketplace.services.traceability.test_trace import PRODUCT, build_chain, principals
from tests.web.api.conftest import api, api_app  # noqa: F401 - the API harness: app, client, rolled-back session

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _csrf(client, path: str = "/signin") -> str:
    res = client.get(path)
    assert res.status_code == 200
    return CSRF.search(res.get_data(as_text=True)).group(1)


def sign_in(client, key: str, next_: str | None = None):
    form = {"email": API_USERS[key][0], "password": API_PASSWORD, "csrf_token": _csrf(client)}
    if next_ is not None:
        form["next"] = next_
    return client.post("/signin", data=form)


def home_path(app: Flask, key: str) -> str:
    """Where ``key`` lands after signing in: the park overview (coordinators, admins) or the dashboard."""
    endpoint = "pages.park_home" if key in ("admin", "coord", "coord_nk") else "pages.dashboard"
    with app.test_request_context():
        return url_for(endpoint)


@pytest.fixture()
def chain(api):  # noqa: F811
    c = build_chain(api.session, principals(api.session, api.tokens))
    api.session.commit()
    return c


def test_unsigned_trace_pages_redirect_to_sign_in(api):  # noqa: F811
    res = api.client.get("/trace")
    assert res.status_code == 302 and res.headers["Location"] == "/signin?next=/trace"
    res = api.client.get("/trace/BH-20261201-0001-01")
    assert res.status_code == 302 and res.headers["Location"] == "/signin?next=" + quote("/trace/BH-20261201-0001-01")


def test_wrong_password_shows_an_error_and_keeps_the_email(api):  # noqa: F811
    form = {"email": "garage@e2.test", "password": "not the password", "csrf_token": _csrf(api.client)}
    res = api.client.post("/signin", data=form)
    page = res.get_data(as_text=True)
    assert res.status_code == 401
    assert "邮箱或密码错误" in page and 'value="garage@e2.test"' in page
    assert "not the password" not in page  # the password is never echoed
    assert api.client.get("/trace").status_code == 302  # still signed out


def test_a_post_without_the_csrf_token_is_refused(api):  # noqa: F811
    _csrf(api.client)  # the session has a token, the form does not send it
    res = api.client.post("/signin", data={"email": "garage@e2.test", "password": API_PASSWORD})
    assert res.status_code == 400
    res = api.client.post("/signin", data={"email": "garage@e2.test", "password": API_PASSWORD,
                                           "csrf_token": "forged"})
    assert res.status_code == 400
    assert api.client.get("/trace").status_code == 302
    # Signing out is a form too.
    sign_in(api.client, "e2")
    assert api.client.post("/signout", data={}).status_code == 400
    assert api.client.get("/trace").status_code == 200


def test_sign_in_sets_a_safe_cookie_and_follows_only_local_next(api):  # noqa: F811
    res = sign_in(api.client, "e2", next_="/trace/ABC")
    assert res.status_code == 302 and res.headers["Location"] == "/trace/ABC"
    cookie = res.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    home = home_path(api.app, "e2")
    for evil in ("https://evil.example/x", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        api.client.post("/signout", data={"csrf_token": _csrf(api.client, "/trace")})
        res = sign_in(api.client, "e2", next_=evil)
        assert res.status_code == 302 and res.headers["Location"] == home, evil  # the user's home instead


def test_without_next_users_land_on_their_home_page(api):  # noqa: F811
    for key in ("e2", "coord"):
        res = sign_in(api.client, key)
        assert res.status_code == 302 and res.headers["Location"] == home_path(api.app, key), key
        api.client.post("/signout", data={"csrf_token": _csrf(api.client, "/trace")})


def test_sign_out_ends_the_session(api):  # noqa: F811
    sign_in(api.client, "e1")
    assert api.client.get("/trace").status_code == 200
    res = api.client.post("/signout", data={"csrf_token": _csrf(api.client, "/trace")})
    assert res.status_code == 302 and res.headers["Location"] == "/signin"
    assert api.client.get("/trace").status_code == 302


def test_a_disabled_account_is_signed_out(api):  # noqa: F811
    from marketplace.services.accounts.users import get_user

    sign_in(api.client, "e2")
    get_user(api.session, API_USERS["e2"][0]).active = False
    api.session.commit()
    assert api.client.get("/trace").status_code == 302


def test_the_trace_page_shows_the_manifest_and_the_product(api, chain):  # noqa: F811
    sign_in(api.client, "e2")
    form = api.client.get("/trace")
    assert form.status_code == 200 and 'name="code"' in form.get_data(as_text=True)
    code = chain.shipment.containers[0].code
    res = api.client.get(f"/trace?code={code}")  # a scanner submits the form
    assert res.status_code == 302 and res.headers["Location"] == f"/trace/{code}"
    page = api.client.get(f"/trace/{code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert chain.shipment.manifest_number in html and PRODUCT in html
    assert '<html lang="zh-CN">' in html and "全程追溯" in html and "转移联单" in html and "从此追溯" in html
    assert "E-4" not in html and "南港水泥有限公司" not in html  # the producer does not see the buyer
    assert "另有 2 个环节未向您公开" in html
    assert f'href="/trace/{chain.shipment.manifest_number}"' in html  # each step links to its own trace
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing loaded from elsewhere (no CDN)
    # The same timeline in English: the labels and the trace's own texts (label_en, text_en).
    api.client.get("/lang/en")
    html = api.client.get(f"/trace/{code}").get_data(as_text=True)
    assert '<html lang="en">' in html and "<h1>Trace</h1>" in html
    assert f"Manifest {chain.shipment.manifest_number}" in html and PRODUCT in html
    assert "Steps not shown to you: 2" in html and "trace from here" in html and "dispatched" in html
    assert "全程追溯" not in html and "转移联单" not in html and "E-4" not in html


def test_an_invisible_or_unknown_code_is_a_404_page(api, chain):  # noqa: F811
    sign_in(api.client, "e3")
    for code in (chain.shipment.manifest_number, "NO-SUCH"):
        page = api.client.get(f"/trace/{code}")
        html = page.get_data(as_text=True)
        assert page.status_code == 404 and "无可追溯" in html and 'name="code"' in html
        assert chain.shipment.containers[0].code not in html
    api.client.get("/lang/en")
    page = api.client.get("/trace/NO-SUCH")
    html = page.get_data(as_text=True)
    assert page.status_code == 404 and "nothing to trace for" in html and "无可追溯" not in html
