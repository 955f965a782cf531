"""Limits where input enters (issue 18: "one enterprise user can freeze the server"), through the API: body sizes (413), JSON that cannot be read (400, never 500), list and text lengths and numeric ranges
(422), and PostgreSQL's statement and idle-in-transaction timeouts on the app's connections."""
from __future__ import annotations

import io
import time
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from marketplace.db import DatabaseTimeouts, make_engine
from marketplace.models import Listing
from marketplace.schemas.interchange import DESCRIPTION_MAX, MAX_COMPONENTS
from web import request_limits
from web.request_limits import JSON_LIMIT_KEY, JsonBodyError, read_json_body

OFFER: dict[str, Any] = {"kind": "offer", "title": "Spent solvent", "title_zh": "废有机溶剂", "waste_code": "900-402-06",
                         "form": "liquid", "quantity_t": 40,
                         "composition": [{"name": "toluene", "cas": "108-88-3", "fraction": 0.7}]}
JSON = {"Content-Type": "application/json"}


def _listings(api) -> int:
    return api.session.scalar(select(func.count()).select_from(Listing))


def _error_shape(res, code: int) -> dict[str, Any]:
    body = res.get_json()
    assert res.status_code == code, (res.status_code, body)
    assert set(body) == {"code", "status", "message", "errors"} and body["code"] == code
    return body


# --- body sizes ----------------------------------------------------------------------------

def test_the_default_limits_and_their_settings(api_app, monkeypatch):
    assert api_app.config["MAX_CONTENT_LENGTH"] == 8 * 2**20
    assert api_app.config[JSON_LIMIT_KEY] == 4 * 2**20
    monkeypatch.setenv("WASTEMATCH_MAX_UPLOAD_MB", "2")
    monkeypatch.setenv("WASTEMATCH_MAX_JSON_MB", "16")
    assert request_limits.max_upload_bytes() == 2 * 2**20
    assert request_limits.max_json_bytes() == 2 * 2**20  # never above the upload limit
    monkeypatch.setenv("WASTEMATCH_MAX_UPLOAD_MB", "lots")
    with pytest.raises(ValueError, match="WASTEMATCH_MAX_UPLOAD_MB"):
        request_limits.max_upload_bytes()


def test_a_20_mb_description_is_refused_before_it_is_read(api):
    before = _listings(api)
    res = api.post("listings", "e1", json={**OFFER, "description": "x" * (20 * 2**20)})
    body = _error_shape(res, 413)
    assert body["message"] == "the request body is larger than 4 MB (请求内容超过 4 MB)"
    assert _listings(api) == before


def test_a_json_body_over_a_lowered_limit_is_413_even_without_a_content_length(api, monkeypatch):
    monkeypatch.setitem(api.app.config, JSON_LIMIT_KEY, 2048)
    small = api.post("listings", "e1", json=OFFER)
    assert small.status_code == 201
    big = {**OFFER, "title": "big", "description": "d" * 3000}
    assert _error_shape(api.post("listings", "e1", json=big), 413)["message"].startswith(
        "the request body is larger than")
    # A chunked body announces no length: it is cut off while it is read.
    chunked = api.post("listings", "e1", input_stream=io.BytesIO(str(big).encode()),
                       headers={**JSON, "Transfer-Encoding": "chunked"},
                       environ_overrides={"wsgi.input_terminated": True})  # as gunicorn and waitress say
    assert chunked.status_code == 413


# --- JSON that cannot be read --------------------------------------------------------------

MALFORMED = {
    "nested 100,000 deep": b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "a lone surrogate": b'{"kind": "offer", "title": "\\ud800", "form": "liquid", "quantity_t": 1}',
    "an integer of 4,300 digits": b'{"quantity_t": ' + b"9" * 4300 + b"}",
    "an integer of 5,000 digits": b'{"quantity_t": ' + b"9" * 5000 + b"}",
    "invalid UTF-8": b'{"title": "\xff\xfe"}',
    "a top-level list": b'[{"kind": "offer"}]',
    "a top-level number": b"1",
    "NaN": b'{"quantity_t": NaN}',
    "Infinity": b'{"quantity_t": -Infinity}',
    "broken syntax": b'{"kind": "offer",',
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_json_is_400_in_the_error_shape(api, name):
    before = _listings(api)
    body = _error_shape(api.post("listings", "e1", data=MALFORMED[name], headers=JSON), 400)
    assert body["message"].startswith("invalid JSON body (请求的 JSON 无法读取): ")
    assert list(body["errors"]) == ["json"]
    assert _listings(api) == before


def test_a_valid_surrogate_pair_is_a_character_not_an_error(api):
    res = api.post("listings", "e1", data=b'{"kind": "offer", "title": "drum \\ud83d\\udee2", "form": "liquid", '
                                          b'"waste_code": "900-402-06", "quantity_t": 5}', headers=JSON)
    assert res.status_code == 201 and res.json["title"] == "drum \U0001f6e2"


def test_read_json_body_refuses_what_python_would_raise_on():
    assert read_json_body(b'{"a": [1, 2.5, "\\u4e2d"], "b": {"c": null}}') == {"a": [1, 2.5, "中"], "b": {"c": None}}
    for data in MALFORMED.values():
        with pytest.raises(JsonBodyError):
            read_json_body(data)
    for escaped in (b"", b'"\\ud83d\\udee2"'):  # either path: with or without strings to look at
        assert read_json_body(b'{"a": ' + b"[" * 31 + escaped + b"]" * 31 + b"}")  # 32 levels with the top
        with pytest.raises(JsonBodyError, match="nested more than 32"):
            read_json_body(b'{"a": ' + b"[" * 40 + escaped + b"]" * 40 + b"}")  # far from the recursion limit


# --- lists, texts and numbers --------------------------------------------------------------

def test_8000_composition_rows_are_refused_by_their_count(api):
    rows = [{"name": f"substance {i}", "fraction": 0.0001} for i in range(8000)]
    started = time.perf_counter()
    body = _error_shape(api.post("listings", "e1", json={**OFFER, "composition": rows}), 422)
    elapsed = time.perf_counter() - started
    assert body["errors"]["json"]["composition"] == [
        f"at most {MAX_COMPONENTS} substances, got 8,000 (条目过多：最多 {MAX_COMPONENTS} 条)"]
    print(f"8,000 rows refused in {elapsed * 1000:.0f} ms")  # measured for the report; not asserted


def test_a_long_description_is_422_and_one_at_the_limit_is_returned_whole_by_search(api):
    too_long = api.post("listings", "e1", json={**OFFER, "description": "x" * (DESCRIPTION_MAX + 1)})
    assert "description" in _error_shape(too_long, 422)["errors"]["json"]
    ok = api.post("listings", "e1", json={**OFFER, "title": "at the limit", "description": "说" * DESCRIPTION_MAX})
    assert ok.status_code == 201
    found = api.get("listings?mine=true&q=at+the+limit", "e1").json["items"]
    assert [len(x["description"]) for x in found] == [DESCRIPTION_MAX]


@pytest.mark.parametrize(("path", "user", "method", "body", "field"), [
    ("listings", "e1", "post", {**OFFER, "quantity_t": 1e308}, "quantity_t"),
    ("listings", "e1", "post", {**OFFER, "price_cny_per_t": 1e308}, "price_cny_per_t"),
    ("listings", "e1", "post", {"kind": "need", "title": "n", "forms": ["liquid"], "purpose": "recycle",
                                "quantity_t": 5, "max_distance_km": 1e308}, "max_distance_km"),
    ("enterprises/E-1/licences/TJ-HW-0001", "coord", "patch", {"annual_capacity_t": 1e308}, "annual_capacity_t"),
    ("parks/BH", "coord", "patch", {"hw_max_distance_km": 1e308}, "hw_max_distance_km"),
    ("listings?within_km=1e308", "e1", "get", None, "within_km"),
])
def test_1e308_is_refused_everywhere(api, path, user, method, body, field):
    res = api.call(method.upper(), path, user, **({"json": body} if body is not None else {}))
    errors = _error_shape(res, 422)["errors"]
    assert field in (errors.get("json") or errors.get("query") or {})


def test_licence_code_lists_and_user_parks_are_bounded(api):
    res = api.patch("enterprises/E-1/licences/TJ-HW-0001", "coord", json={"codes": ["900-041-49"] * 1001})
    assert _error_shape(res, 422)["errors"]["json"]["codes"][0].startswith("at most 1,000 codes")
    user = {"email": "many@parks.test", "password": "a long enough password 1", "role": "coordinator",
            "parks": ["BH"] * 1001}
    assert "parks" in _error_shape(api.post("users", "admin", json=user), 422)["errors"]["json"]


# --- PostgreSQL timeouts -------------------------------------------------------------------

def _postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("statement and idle-in-transaction timeouts are PostgreSQL settings")


def test_the_apps_connections_carry_the_timeouts(api_app, backend):
    _postgres_only(backend)
    with api_app.extensions["wastematch.engine"].connect() as conn:
        assert conn.scalar(text("SHOW statement_timeout")) == "30s"
        assert conn.scalar(text("SHOW idle_in_transaction_session_timeout")) == "5min"


def test_a_long_statement_is_cancelled_and_an_idle_transaction_ended(engine, backend):
    _postgres_only(backend)
    url = engine.url.render_as_string(hide_password=False)
    short = make_engine(url, timeouts=DatabaseTimeouts(statement_s=0.1, idle_in_transaction_s=0.2))
    try:
        with short.connect() as conn, pytest.raises(DBAPIError, match="statement timeout"):
            conn.execute(text("SELECT pg_sleep(5)"))
        with short.connect() as conn:
            conn.execute(text("SELECT 1"))  # the transaction is open and now idle
            time.sleep(0.5)
            with pytest.raises(DBAPIError):
                conn.execute(text("SELECT 1"))
    finally:
        short.dispose()


def test_the_cli_keeps_long_transactions(monkeypatch):
    assert DatabaseTimeouts.for_cli() == DatabaseTimeouts(statement_s=600.0, idle_in_transaction_s=0.0)
    monkeypatch.setenv("WASTEMATCH_STATEMENT_TIMEOUT_S", "5")
    monkeypatch.setenv("WASTEMATCH_IDLE_IN_TRANSACTION_TIMEOUT_S", "0")
    assert DatabaseTimeouts.for_web() == DatabaseTimeouts(statement_s=5.0, idle_in_transaction_s=0.0)
    assert DatabaseTimeouts(1.5, 0).options() == "-c statement_timeout=1500 -c idle_in_transaction_session_timeout=0"
    monkeypatch.setenv("WASTEMATCH_STATEMENT_TIMEOUT_S", "-1")
    with pytest.raises(ValueError, match="WASTEMATCH_STATEMENT_TIMEOUT_S"):
        DatabaseTimeouts.for_web()
