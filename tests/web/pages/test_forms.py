"""Every page form: POST forms carry the CSRF token, inputs have labels; responses tell the browser to
load nothing from other hosts."""
from __future__ import annotations

import re
from pathlib import Path

import web

TEMPLATES = Path(web.__file__).parent / "templates"
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.S | re.I)


def test_every_post_form_in_the_templates_carries_the_csrf_token():
    forms = 0
    for path in sorted(TEMPLATES.glob("*.html")):
        for body in POST_FORM.findall(path.read_text(encoding="utf-8")):
            forms += 1
            assert "m.csrf()" in body or "{{ csrf() }}" in body or "csrf_token()" in body, (path.name, body[:200])
    assert forms >= 20  # the pages' forms, not none by a broken pattern


def test_every_input_of_a_rendered_form_has_a_label(pages):
    pages.sign_in("e2")
    html = pages.text("/listings/new?kind=offer")
    ids = set(re.findall(r'<(?:input|select|textarea)\b(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', html))
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    labelled |= set(re.findall(r'<label[^>]*>\s*<input[^>]*\bid="([^"]+)"', html))  # radios inside their label
    assert len(ids) > 20 and ids - labelled == set()


def test_pages_forbid_other_hosts_and_framing(pages):
    res = pages.get("/signin")
    csp = res.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "http" not in csp
    assert res.headers["X-Content-Type-Options"] == "nosniff" and res.headers["X-Frame-Options"] == "DENY"


def test_the_sign_in_cookie_is_http_only_lax_and_expires(pages):
    pages.sign_in("e2")
    cookie = pages.client.get_cookie("wastematch_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax" and cookie.expires is not None


def test_query_arguments_named_like_url_builder_keywords_change_nothing(pages):
    pages.sign_in("coord")
    for path in ("/approvals?endpoint=x&match_id=5&_anchor=y", "/notifications?endpoint=1&values=2&page=1",
                 "/alerts?method=POST"):
        assert pages.get(path).status_code == 200, path


def test_a_nul_character_is_refused_naming_the_field(pages):
    pages.sign_in("coord")
    res = pages.get("/park?park=B%00H")
    assert res.status_code == 400 and "park" in res.get_data(as_text=True)
    before = pages.csrf("/park")
    res = pages.client.post("/signout", data={"csrf_token": before, "note": "a\x00b"})
    assert res.status_code == 400 and "note" in res.get_data(as_text=True)
    assert pages.get("/park").status_code == 200  # still signed in: nothing was done


def test_a_state_label_of_a_constant_follows_each_pages_language(pages):
    # Jinja folds a filter of a constant when it compiles a template: the label must not stick to the
    # language of the first page rendered.
    template = pages.app.jinja_env.from_string("{{ 'approved'|state }} {{ 'pass'|badge }}")
    from flask import session

    with pages.app.test_request_context("/"):
        assert "已批准" in template.render()
    with pages.app.test_request_context("/"):
        session["lang"] = "en"
        assert template.render().startswith("Approved") and "通过" not in template.render()
