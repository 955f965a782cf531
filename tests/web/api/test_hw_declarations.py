"""``/hw-declarations``: a small producer's year drafted from its manifests (equal to their sum), a mismatch
submitted and found (a ledger finding), returned with a reason, corrected and accepted; who may do what;
lines refused by field."""
from __future__ import annotations

from tests.web.api.test_shipments import approved_match, create, step


def _ok(r, status=200):
    assert r.status_code == status, r.json
    return r.json


def _shipped(api) -> int:
    """Two 1 t manifests of E-2 dispatched this year: the park's year."""
    match_id = approved_match(api)
    numbers = []
    for _ in range(2):
        doc = _ok(create(api, match_id), 201)
        _ok(step(api, doc["id"], "e2", "dispatch"))
        numbers.append(doc["manifest_number"])
    return int(numbers[0].split("-")[1][:4])


def test_a_declaration_from_draft_to_accepted(api):
    year = _shipped(api)
    decl = _ok(api.post("hw-declarations", "e2", json={"year": year}))
    assert (decl["status"], decl["enterprise"]) == ("draft", "E-2")
    [line] = decl["lines"]
    assert (line["waste_code"], line["generated_t"], line["transferred_t"], line["manifests_t"], line["manifests"]) == (
        "900-214-08", 2.0, 2.0, 2.0, 2)
    did = decl["id"]
    _ok(api.call("PUT", f"hw-declarations/{did}/lines", "e2",
                 json={"lines": [{"waste_code": "900-214-08", "generated_t": 2.0, "transferred_t": 1.5,
                                  "stock_end_t": 0.5}]}))
    doc = _ok(api.post(f"hw-declarations/{did}/submit", "e2"))
    assert doc["status"] == "submitted" and [c["code"] for c in doc["checks"]] == ["manifest_mismatch"]
    # (E-2 may also have a plan_missing finding: it ships hazardous waste and, after 31 March, files no plan)
    findings = _ok(api.get("ledger/findings", "e2", query_string={"code": "declaration_mismatch"}))["items"]
    assert [f["key"].split(":")[0] for f in findings] == ["declaration_mismatch"]
    assert any(n["kind"] == "hw_declaration" for n in _ok(api.get("notifications", "coord"))["items"])

    _ok(api.post(f"hw-declarations/{did}/return", "coord", json={"reason": "转移量应与联单一致"}))
    told = [n for n in _ok(api.get("notifications", "e2"))["items"] if n["kind"] == "hw_declaration"]
    assert len(told) == 1 and "转移量应与联单一致" in told[0]["message"]
    _ok(api.call("PUT", f"hw-declarations/{did}/lines", "e2",
                 json={"lines": [{"waste_code": "900-214-08", "generated_t": 2.0, "transferred_t": 2.0}]}))
    assert _ok(api.post(f"hw-declarations/{did}/submit", "e2"))["checks"] == []
    assert _ok(api.get("ledger/findings", "e2", query_string={"status": "open",
                                                              "code": "declaration_mismatch"}))["items"] == []
    assert _ok(api.post(f"hw-declarations/{did}/accept", "coord"))["status"] == "accepted"
    listed = _ok(api.get("hw-declarations", "coord", query_string={"year": year, "status": "accepted"}))
    assert [d["id"] for d in listed["declarations"]] == [did]


def test_who_may_do_what_and_bad_lines(api):
    year = _shipped(api)
    did = _ok(api.post("hw-declarations", "e2", json={"year": year}))["id"]
    assert api.get(f"hw-declarations/{did}", "e3").status_code == 404
    assert api.get(f"hw-declarations/{did}", "coord_nk").status_code == 404
    assert api.post("hw-declarations", "e3", json={"enterprise": "E-2", "year": year}).status_code == 403
    assert api.post(f"hw-declarations/{did}/submit", "coord").status_code == 403
    assert api.post(f"hw-declarations/{did}/accept", "coord").status_code == 409
    r = api.call("PUT", f"hw-declarations/{did}/lines", "e2",
                 json={"lines": [{"waste_code": "HW08", "generated_t": -1, "transferred_t": "x"}]})
    assert r.status_code == 422 and set(r.json["errors"]) == {"lines.0.waste_code", "lines.0.generated_t",
                                                              "lines.0.transferred_t"}
    assert api.post("hw-declarations", "e2", json={"year": 1800}).status_code == 422
    _ok(api.post(f"hw-declarations/{did}/submit", "e2"))
    assert api.post(f"hw-declarations/{did}/accept", "e2").status_code == 403
    assert api.post(f"hw-declarations/{did}/return", "coord", json={"reason": ""}).status_code == 422
