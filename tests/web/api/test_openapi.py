"""The OpenAPI document is the API: every operation is in it, documents its errors, needs a token
(but signing in), answers in the one error shape, pages every list and 404s unknown ids."""
from __future__ import annotations

import re

import pytest

ERROR_KEYS = {"code", "status", "message", "errors"}
PAGE_KEYS = {"items", "page", "per_page", "total", "pages"}
PUBLIC = {("post", "/api/v1/auth/token"), ("get", "/api/v1/public/disclosures"),
          ("get", "/api/v1/public/disclosures/{disclosure_id}")}  # published disclosures: no token
PARAM = re.compile(r"\{(\w+)\}")
# Values that exist in the fixture (so only the last path part is unknown) or are plainly unknown.
UNKNOWN = {"listing_id": "999999", "match_id": "999999", "run_id": "999999", "notification_id": "999999",
           "user_id": "999999", "ref": "E-404", "number": "XX-404", "code": "ZZ", "query": "no-such-chemical-xyz"}


def operations(api):
    doc = api.get("/api/v1/openapi.json").json
    return [(method, path, op) for path, ops in doc["paths"].items() for method, op in ops.items()
            if method in ("get", "post", "put", "patch", "delete")]


def test_every_operation_is_documented_with_its_errors(api):
    ops = operations(api)
    assert len(ops) >= 45
    for method, path, op in ops:
        codes = set(op["responses"])
        assert op.get("summary"), f"{method} {path} has no summary"
        if (method, path) not in PUBLIC:
            assert "401" in codes, f"{method} {path} does not document 401"
        if PARAM.search(path) and method == "get":
            assert "404" in codes, f"{method} {path} does not document 404"


def test_every_operation_but_sign_in_needs_a_token(api):
    for method, path, _ in operations(api):
        if (method, path) in PUBLIC:
            continue
        url = PARAM.sub(lambda m: UNKNOWN.get(m.group(1), "1"), path)
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            res = api.call(method.upper(), url, headers=headers, json={})
            assert res.status_code == 401, f"{method} {url}: {res.status_code}"
            assert set(res.json) == ERROR_KEYS


def test_every_list_is_a_page(api):
    for method, path, op in operations(api):
        schema = op["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        if method != "get" or PARAM.search(path) or not schema.get("$ref", "").endswith("Page"):
            continue
        res = api.get(path, "admin", query_string={"per_page": 1})
        assert res.status_code == 200, f"{path}: {res.json}"
        assert set(res.json) >= PAGE_KEYS and len(res.json["items"]) <= 1, path
        assert api.get(path, "admin", query_string={"per_page": 101}).status_code == 422, path
        assert api.get(path, "admin", query_string={"page": 0}).status_code == 422, path


@pytest.mark.parametrize("who", ["admin", "e2"])
def test_unknown_ids_are_404_in_the_error_shape(api, who):
    for method, path, op in operations(api):
        if method != "get" or not PARAM.search(path):
            continue
        url = PARAM.sub(lambda m: UNKNOWN.get(m.group(1), "1"), path)
        res = api.get(url, who)
        # A role-restricted resource refuses an enterprise user before looking anything up.
        expected = {404, 403} if who != "admin" and "403" in op["responses"] else {404}
        assert res.status_code in expected, f"{url} as {who}: {res.status_code} {res.json}"
        assert set(res.json) == ERROR_KEYS
    # Beyond the id range is no route at all, still 404 and never a database error.
    assert api.get("listings/99999999999999999999", who).status_code == 404


WRONG = {"string": 12345, "integer": "not-a-number", "number": "not-a-number", "boolean": "not-a-boolean",
         "array": "not-a-list", "object": "not-an-object"}


def _schema(doc, ref_or_schema):
    ref = ref_or_schema.get("$ref")
    return doc["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else ref_or_schema


def test_every_body_and_query_field_is_validated_by_name(api):
    """A wrong type in any field of any request body or query is a 422 naming that field."""
    doc = api.get("/api/v1/openapi.json").json
    checked = 0
    for method, path, op in operations(api):
        url = PARAM.sub(lambda m: {"code": "BH", "ref": "E-1"}.get(m.group(1), "1"), path)
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        if body is not None:
            for name, prop in _schema(doc, body).get("properties", {}).items():
                if prop.get("readOnly") or prop.get("type") not in WRONG:
                    continue
                res = api.call(method.upper(), url, "admin", json={name: WRONG[prop["type"]]})
                assert res.status_code == 422, f"{method} {url} {name}: {res.status_code} {res.json}"
                assert name in res.json["errors"].get("json", {}), f"{method} {url} {name}: {res.json}"
                checked += 1
        for param in op.get("parameters", []):
            kind = param.get("schema", {}).get("type")
            if param["in"] != "query" or kind not in ("integer", "number", "boolean"):
                continue
            res = api.call(method.upper(), url, "admin", query_string={param["name"]: "not-a-value"})
            assert res.status_code == 422, f"{method} {url} ?{param['name']}: {res.status_code} {res.json}"
            assert param["name"] in res.json["errors"].get("query", {}), f"{method} {url}: {res.json}"
            checked += 1
    assert checked > 100, checked


def test_every_role_restricted_operation_refuses_an_enterprise_user_before_anything_else(api):
    """Operations for coordinators or admins only answer an enterprise user 403, whatever the input."""
    refused = 0
    for method, path, op in operations(api):
        if op["responses"].get("403", {}).get("description") != "Role not allowed":
            continue
        url = PARAM.sub(lambda m: UNKNOWN.get(m.group(1), "1"), path)  # unknown ids: 403 comes before 404
        res = api.call(method.upper(), url, "e2", json={"junk": True})
        assert res.status_code == 403, f"{method} {url}: {res.status_code} {res.json}"
        assert set(res.json) == ERROR_KEYS and "role" in res.json["errors"]
        refused += 1
    assert refused >= 10
