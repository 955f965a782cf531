"""Review probes of the browser pages: open redirects, session rotation on sign-in, escaping of user text."""
from __future__ import annotations

import pytest

from marketplace.models.base import park_date
from marketplace.services.traceability import ledger
from tests.marketplace.services.traceability.test_trace import principals
from tests.web.api.conftest import api, api_app  # noqa: F401 - the API harness
from tests.web.test_pages_trace import _csrf, sign_in

XSS = '<script>alert("x")</script>'


@pytest.mark.parametrize("evil", ["//evil", "/\\evil", "%2F%2Fevil", "https:evil", "/%09/evil", "\t//evil",
                                  " //evil", "/\t/evil", "///evil", "http:/evil", "\\\\evil"])
def test_next_never_leaves_the_site(api, evil):  # noqa: F811
    res = sign_in(api.client, "e2", next_=evil)
    assert res.status_code == 302
    location = res.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location, location


def test_signing_in_rotates_the_csrf_token_and_signing_out_needs_it(api):  # noqa: F811
    before = _csrf(api.client)
    sign_in(api.client, "e1")
    after = _csrf(api.client, "/trace")
    assert after != before
    assert api.client.post("/signout", data={"csrf_token": before}).status_code == 400  # the old token is dead
    assert api.client.get("/trace").status_code == 200


def test_user_text_on_the_trace_page_is_escaped(api):  # noqa: F811
    p = principals(api.session, api.tokens)
    ledger.create_entry(api.session, p["e1"], {
        "batch_code": XSS, "direction": "produced", "entry_date": park_date(), "chemical_name": XSS,
        "cas": "67-64-1", "quantity_t": 1.0, "product": XSS, "note": XSS})
    api.session.commit()
    sign_in(api.client, "e1")
    page = api.client.get("/trace/" + XSS)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and XSS not in html and "&lt;script&gt;" in html
    missing = api.client.get("/trace/" + XSS + "nope")
    assert missing.status_code == 404 and "<script>" not in missing.get_data(as_text=True)
