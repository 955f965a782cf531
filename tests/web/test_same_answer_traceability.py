"""One rule, one answer: the API and the pages refuse the same traceability actions with the same status.

Each case asks the API and then the page the same thing as the same user, in the same state (a refusal
changes nothing). The page answers either with the API's status and the API's message on it, or — for the
park-wide actions, which go back to their list — with a redirect flashing the API's message, i.e. the same
refusal of the same service.
"""
from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from marketplace.models import Alert, LedgerFinding, Shipment
from marketplace.services.accounts.users import create_user, issue_token
from tests.factories import API_PASSWORD, API_USERS
from tests.web.api.conftest import api, api_app  # noqa: F401 - the API harness: app, client, rolled-back session
from tests.web.api.test_shipments import approved_match, create, step
from web.i18n import localise_message

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FLASH_ERROR = re.compile(r'<p class="flash error" role="alert">(.*?)</p>', re.S)
BOTH_PARKS = "coord-both@wm.test"
NAMELESS = {"batch_code": "X-1", "direction": "in", "entry_date": "2026-01-05", "chemical_name": "废溶剂",
            "quantity_t": 3}  # no CAS, no supplier: findings


@dataclass
class Browser:
    """A signed-in browser on the app's pages (its own cookie jar)."""

    app: Flask
    client: FlaskClient

    def sign_in(self, key: str) -> Browser:
        email = API_USERS[key][0] if key in API_USERS else key
        res = self.client.post("/signin", data={"email": email, "password": API_PASSWORD,
                                                "csrf_token": self.csrf()})
        assert res.status_code == 302, res.get_data(as_text=True)[:500]
        return self

    def csrf(self) -> str:
        found = CSRF.search(self.client.get("/signin").get_data(as_text=True))
        assert found
        return found.group(1)

    def get(self, path: str):
        return self.client.get(path)

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any):
        return self.client.post(path, data={**(data or {}), "csrf_token": self.csrf()}, **kw)


@pytest.fixture()
def browser(api) -> Iterator[Any]:  # noqa: F811
    """``browser("coord")``: a new browser signed in as that user (a ``tests.factories.API_USERS`` key)."""
    yield lambda key: Browser(api.app, api.app.test_client()).sign_in(key)


def page_says(app: Flask, message: str) -> str:
    """The service's ``english (中文)`` message as a Chinese page shows it, escaped as the template escapes it."""
    with app.test_request_context():
        return str(escape(localise_message(message)))


def assert_same(api_res, page_res, b: Browser, *, message: bool = True) -> None:
    """The page gave the API's answer: its status showing its message, or a redirect flashing that message."""
    assert api_res.status_code >= 400, api_res.json
    expected = page_says(b.app, api_res.json["message"]) if message else None
    if page_res.status_code == 302 and message:
        flashed = FLASH_ERROR.findall(b.get(page_res.headers["Location"]).get_data(as_text=True))
        assert flashed == [expected], (api_res.status_code, api_res.json, flashed)
        return
    page = page_res.get_data(as_text=True)
    assert page_res.status_code == api_res.status_code, (api_res.json, page_res.status_code, page[:1500])
    if message:
        assert expected in page, (expected, page[:3000])


@pytest.fixture()
def coordinator_of_both(api) -> str:  # noqa: F811
    """A coordinator of BH and NK (signed in by email, API token under ``api.tokens["both"]``)."""
    user = create_user(api.session, email=BOTH_PARKS, password=API_PASSWORD, role="coordinator",
                       parks=("BH", "NK"), actor="test")
    api.tokens["both"], _ = issue_token(api.session, user)
    api.session.commit()
    return BOTH_PARKS


# --- alert scans ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("who, park, status", [
    ("coord_nk", "BH", 403),   # not one of their parks: a permission (the page said 422)
    ("admin", "XX", 404),      # no such park (the page said 422)
    ("both", None, 422),       # several parks, none named
])
def test_scanning_alerts(api, browser, coordinator_of_both, who, park, status):  # noqa: F811
    body = {"park": park} if park else {}
    api_res = api.post("alerts/scan", who, json=body)
    assert api_res.status_code == status and "park" in api_res.json["errors"]
    b = browser(coordinator_of_both if who == "both" else who)
    page_res = b.post("/alerts/scan", {"park": park or ""})
    assert page_res.status_code == 302
    assert_same(api_res, page_res, b)


def test_scanning_alerts_as_an_enterprise_or_ones_own_park(api, browser):  # noqa: F811
    b = browser("e1")
    assert_same(api.post("alerts/scan", "e1", json={}), b.post("/alerts/scan", {}), b, message=False)  # 403: the role
    assert api.post("alerts/scan", "coord", json={"park": "BH"}).status_code == 200
    b = browser("coord")
    res = b.post("/alerts/scan", {"park": "BH"})
    assert res.status_code == 302 and not FLASH_ERROR.findall(b.get(res.headers["Location"]).get_data(as_text=True))


# --- ledger reviews, findings, entries -------------------------------------------------------------------

@pytest.mark.parametrize("who, park, status", [
    ("coord_nk", "BH", 403),   # not one of their parks (the page said 422)
    ("admin", "XX", 404),      # no such park (the page said 422)
])
def test_reviewing_ledgers(api, browser, who, park, status):  # noqa: F811
    assert api.post("ledger", "e2", json=NAMELESS).status_code == 201
    api_res = api.post("ledger/findings/review", who, json={"park": park})
    assert api_res.status_code == status and "park" in api_res.json["errors"]
    b = browser(who)
    page_res = b.post("/ledger/findings/review", {"park": park})
    assert page_res.status_code == 302
    assert_same(api_res, page_res, b)
    assert api.session.scalars(select(LedgerFinding)).first() is None  # neither reviewed anything


def test_reviewing_ledgers_as_an_enterprise(api, browser):  # noqa: F811
    b = browser("e2")
    assert_same(api.post("ledger/findings/review", "e2", json={}), b.post("/ledger/findings/review", {}), b,
                message=False)  # 403: the role


def test_dismissing_findings(api, browser):  # noqa: F811
    assert api.post("ledger", "e2", json=NAMELESS).status_code == 201
    assert api.post("ledger/findings/review", "coord", json={"park": "BH"}).status_code == 200
    fid = api.session.scalars(select(LedgerFinding.id).order_by(LedgerFinding.id)).first()
    path = f"ledger/findings/{fid}/dismiss"
    for who in ("e1", "coord_nk"):  # 403 (the role), 404 (another park's)
        b = browser(who)
        assert_same(api.post(path, who, json={"note": "x"}), b.post(f"/{path}", {"note": "x"}), b, message=False)
    coord = browser("coord")
    assert_same(api.post(path, "coord", json={"note": "   "}), coord.post(f"/{path}", {"note": "   "}), coord)  # 422
    assert api.post(path, "coord", json={"note": "已核实 verified"}).status_code == 200
    assert_same(api.post(path, "coord", json={"note": "again"}), coord.post(f"/{path}", {"note": "again"}),
                coord, message=False)  # 409: no longer open (the row leaves the open form)


def test_acknowledging_alerts(api, browser):  # noqa: F811
    match_id = approved_match(api)
    sid = create(api, match_id).json["id"]
    assert step(api, sid, "e2", "dispatch").status_code == 200
    assert step(api, sid, "e1", "receive", quantity_received_t=0.5).status_code == 200  # 50 % short
    alert_id = api.session.scalar(select(Alert.id).where(Alert.shipment_id == sid, Alert.kind == "weight_mismatch"))
    path = f"alerts/{alert_id}/acknowledge"
    for who in ("e1", "coord_nk"):  # 403 (the role), 404 (another park's)
        b = browser(who)
        assert_same(api.post(path, who, json={"note": "x"}), b.post(f"/{path}", {"note": "x"}), b, message=False)
    coord = browser("coord")
    assert_same(api.post(path, "coord", json={"note": "   "}), coord.post(f"/{path}", {"note": "   "}), coord)  # 422


def test_recording_for_an_enterprise_of_another_park(api, browser):  # noqa: F811
    body = {**NAMELESS, "enterprise": "E-1", "cas": "67-64-1"}
    api_res = api.post("ledger", "coord_nk", json=body)
    assert api_res.status_code == 404
    b = browser("coord_nk")
    assert_same(api_res, b.post("/ledger/new", {k: str(v) for k, v in body.items()}), b)


def test_importing_another_enterprises_rows(api, browser):  # noqa: F811
    rows = [{**NAMELESS, "enterprise": "E-2"}]
    api_res = api.post("ledger/import", "e1", json={"entries": rows})
    assert api_res.status_code == 422 and "$.entries[0].enterprise" in api_res.json["errors"]
    b = browser("e1")
    page_res = b.post("/ledger/import", {"file": (io.BytesIO(json.dumps(rows).encode()), "rows.json")},
                      content_type="multipart/form-data")
    assert_same(api_res, page_res, b)


# --- shipments ----------------------------------------------------------------------------------------------

PLAN_FORM = {"quantity_t": "1", "rows.0.packaging": "drum", "rows.0.count": "2"}
PLAN_BODY = {"quantity_t": 1.0, "containers": [{"packaging": "drum", "quantity_t": 0.5}] * 2}


def test_planning_shipments(api, browser):  # noqa: F811
    match_id = approved_match(api)
    path = f"/matches/{match_id}/ship"
    for who in ("e1", "coord"):  # the receiver and the coordinator plan, as the API lets them (the page said 403)
        assert api.post("shipments", who, json={"match": match_id, **PLAN_BODY}).status_code == 201
        res = browser(who).post(path, PLAN_FORM)
        assert res.status_code == 302, res.get_data(as_text=True)[:1500]
    assert api.session.scalar(select(Shipment.id).where(Shipment.match_id == match_id, Shipment.created_by ==
                                                        f"enterprise:{API_USERS['e1'][0]}")) is not None
    b = browser("e3")
    assert_same(api.post("shipments", "e3", json={"match": match_id, **PLAN_BODY}), b.post(path, PLAN_FORM), b,
                message=False)  # 404: not a party
    b = browser("e2")
    too_much = {"quantity_t": 50.0, "containers": [{"packaging": "tank", "quantity_t": 50.0}]}
    assert_same(api.post("shipments", "e2", json={"match": match_id, **too_much}),
                b.post(path, {"quantity_t": "50", "rows.0.packaging": "tank", "rows.0.count": "1"}), b)  # 409


def event(b: Browser, sid: int, action: str, **form: str):
    return b.post(f"/shipments/{sid}/events", {"action": action, **form})


def test_shipment_steps(api, browser):  # noqa: F811
    sid = create(api, approved_match(api)).json["id"]  # planned, E-2 produces, E-1 receives
    cases = [
        ("e1", "dispatch", {}, True),                  # 403: the producer's step
        ("e3", "dispatch", {}, False),                 # 404: not theirs to see
        ("admin", "receive", {"quantity_received_t": 1}, True),  # 409: not dispatched
        ("e1", "receive", {}, True),                   # 409 before the missing weight (the page said 422)
        ("e2", "cancel", {}, True),                    # 422: a reason is required
        ("e2", "teleport", {}, False),                 # 422: no such step (the page said 400)
    ]
    for who, action, body, message in cases:
        b = browser(who)
        assert_same(step(api, sid, who, action, **body), event(b, sid, action, **{k: str(v) for k, v in body.items()}),
                    b, message=message)
    assert step(api, sid, "e2", "dispatch").status_code == 200
    for who, action, message in [("e2", "receive", True),   # 403 before the missing weight (the page said 422)
                                 ("e1", "receive", True),   # 422: the weight is required
                                 ("e1", "reject", True)]:   # 422: a reason is required
        b = browser(who)
        assert_same(step(api, sid, who, action), event(b, sid, action), b, message=message)
    api.session.expire_all()
    assert api.session.get(Shipment, sid).status == "dispatched"


# --- trace -----------------------------------------------------------------------------------------------------

def test_tracing(api, browser):  # noqa: F811
    assert api.post("ledger", "e1", json={**NAMELESS, "batch_code": "B1", "cas": "67-64-1",
                                          "counterparty": "E-2"}).status_code == 201
    b = browser("e1")
    assert api.get("trace/E-1:B1", "e1").status_code == 200 and b.get("/trace/E-1:B1").status_code == 200
    other = browser("e3")
    assert_same(api.get("trace/E-1:B1", "e3"), other.get("/trace/E-1:B1"), other)  # 404
    # Longer than any code: 404 (the form cut it to the limit, and the rest named E-1:B1)
    code = "E-1:B1" + " " * 200 + "x"
    api_res = api.get("trace/" + quote(code), "e1")
    page_res = b.get("/trace?code=" + quote(code))
    assert page_res.status_code == 302
    assert_same(api_res, b.get(page_res.headers["Location"]), b)
