"""``GET /trace/<code>``: the whole path over HTTP, with the service's visibility rules and the error shape."""
from __future__ import annotations

import json

import pytest

from marketplace.models.base import park_date
from marketplace.services.traceability import ledger
from marketplace.services.traceability import trace as trace_service
from tests.marketplace.services.traceability.test_trace import FULL_PATH, PRODUCT, build_chain, principals

ERROR_KEYS = {"code", "status", "message", "errors"}


@pytest.fixture()
def chain(api):
    p = principals(api.session, api.tokens)
    c = build_chain(api.session, p)
    api.session.commit()
    return c, p


def test_a_container_code_gives_the_whole_path(api, chain):
    c, p = chain
    code = c.shipment.containers[0].code
    res = api.get(f"trace/{code}", "admin")
    assert res.status_code == 200, res.json
    doc = res.json
    assert (doc["query"], doc["kind"], doc["hidden"]) == (code, "container", 0)
    assert [n["type"] for n in doc["nodes"]] == FULL_PATH
    assert doc["summary"]["dispatched_t"] == 40.0 and doc["summary"]["received_t"] == 39.6
    assert doc == json.loads(json.dumps(trace_service.trace(api.session, p["admin"], code), ensure_ascii=False))


def test_manifest_and_batch_codes_are_traced_too(api, chain):
    c, _ = chain
    assert api.get(f"trace/{c.shipment.manifest_number}", "coord").json["kind"] == "manifest"
    res = api.get("trace/E-1:RB-001", "e1")
    assert res.status_code == 200 and res.json["kind"] == "batch"
    assert [n["type"] for n in res.json["nodes"]][:3] == ["producer", "offer", "match"]
    assert api.get(f"trace/ledger:{c.product.id}", "admin").json["nodes"][8]["queried"]


def test_the_producer_sees_the_product_without_its_buyer(api, chain):
    c, _ = chain
    res = api.get(f"trace/{c.shipment.manifest_number}", "e2")
    assert res.status_code == 200 and res.json["hidden"] == 2
    text = json.dumps(res.json, ensure_ascii=False)
    assert PRODUCT in text and "E-4" not in text and "南港水泥有限公司" not in text


@pytest.mark.parametrize("who", ["e3", "e4", "coord_nk"])
def test_bystanders_get_404_in_the_error_shape(api, chain, who):
    c, _ = chain
    res = api.get(f"trace/{c.shipment.containers[0].code}", who)
    assert res.status_code == 404 and set(res.json) == ERROR_KEYS and "code" in res.json["errors"]


def test_unknown_codes_are_404_and_signing_in_is_required(api, chain):
    c, _ = chain
    for code in ("ZZ", "E-1:NOPE", "ledger:999999", "ledger:99999999999999999999", "%00"):
        res = api.get(f"trace/{code}", "admin")
        assert res.status_code == 404 and set(res.json) == ERROR_KEYS, (code, res.json)
    assert "E-1:NOPE" in api.get("trace/E-1:NOPE", "admin").json["message"]
    assert api.get(f"trace/{c.shipment.manifest_number}").status_code == 401


def test_the_schema_documents_the_nested_document(api):
    doc = api.get("/api/v1/openapi.json").json
    op = doc["paths"]["/api/v1/trace/{code}"]["get"]
    assert {"200", "401", "404"} <= set(op["responses"])
    schemas = doc["components"]["schemas"]
    assert {"nodes", "edges", "summary", "hidden"} <= set(schemas["Trace"]["required"])
    assert schemas["TraceNode"]["properties"]["type"]["enum"] == list(trace_service.NODE_TYPES)
    assert "products" in schemas["TraceSummary"]["properties"]


def test_a_batch_code_with_a_slash_is_one_path_parameter(api, chain):
    c, p = chain
    ledger.create_entry(api.session, p["e1"], {
        "enterprise": "E-1", "batch_code": "RB/2026/7", "direction": "consumed", "entry_date": park_date(),
        "chemical_name": "再生基础油", "cas": "64742-54-7", "quantity_t": 1.0, "product": "样品 sample",
        "source_batch": c.receipt.batch_code})
    api.session.commit()
    res = api.get("trace/E-1:RB/2026/7", "e1")
    assert res.status_code == 200 and res.json["query"] == "E-1:RB/2026/7"
    assert [n["batch_code"] for n in res.json["nodes"] if n["queried"]] == ["RB/2026/7"]
