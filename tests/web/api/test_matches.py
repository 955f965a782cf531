"""``/matches`` and ``/decisions`` through the API: propose, the workflow actions, history, confidentiality."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from marketplace.models import Licence, Listing

SECRETS_OF_E1 = ("E-1", "滨海再生资源有限公司", "TJ-HW-0001", "N-1", "handler@e1.test")


def ids(api) -> dict[str, int]:
    return dict(api.session.execute(select(Listing.ref, Listing.id)).all())


def propose(api, who, offer, need, **extra):
    i = ids(api)
    return api.post("matches", who, json={"offer": i[offer], "need": i[need], **extra})


def act(api, who, match_id, action, reason=None, **extra):
    body = {"action": action} | ({"reason": reason} if reason is not None else {}) | extra
    return api.post(f"matches/{match_id}/decisions", who, json=body)


def accepted(api, offer, need, offer_owner, need_owner, **extra) -> int:
    """Both parties accept, confirming any over-commitment (approval is what refuses to over-allocate)."""
    res = propose(api, "coord", offer, need, **extra)
    assert res.status_code == 201, res.json
    mid = res.json["id"]
    assert act(api, offer_owner, mid, "accept", confirm=True).status_code == 200
    assert act(api, need_owner, mid, "accept", confirm=True).json["status"] == "accepted"
    return mid


def leaks(response) -> list[str]:
    text = json.dumps(response.json, ensure_ascii=False)
    return [s for s in SECRETS_OF_E1 if s in text]


def test_propose_happy_path_is_anonymised_for_the_proposer(api):
    res = propose(api, "e2", "O-1", "N-1")
    assert res.status_code == 201
    m = res.json
    assert (m["status"], m["source"], m["quantity_t"], m["your_side"]) == ("proposed", "recommend", 300.0, "offer")
    assert m["offer"]["ref"] == "O-1" and m["need"]["identified"] is False and m["licence"] is None
    assert m["checks"] and all(c["passed"] for c in m["checks"] if c["hard"])
    assert leaks(res) == []
    assert propose(api, "e2", "O-1", "N-1").status_code == 409  # the pair is already in the workflow


def test_propose_errors(api):
    i = ids(api)
    assert api.post("matches", json={"offer": i["O-1"], "need": i["N-1"]}).status_code == 401
    missing = api.post("matches", "e2", json={"offer": i["O-1"], "quantity_t": -5})
    assert missing.status_code == 422 and set(missing.json["errors"]["json"]) == {"need", "quantity_t"}
    assert api.post("matches", "e2", json={"offer": i["O-1"], "need": 999_999}).status_code == 404
    swapped = api.post("matches", "e2", json={"offer": i["N-1"], "need": i["O-1"]})
    assert swapped.status_code == 422 and set(swapped.json["errors"]) == {"offer", "need"}
    assert propose(api, "e3", "O-1", "N-1").status_code == 403
    too_much = propose(api, "e2", "O-1", "N-1", quantity_t=5000)
    assert too_much.status_code == 422 and "quantity_t" in too_much.json["errors"]


def test_propose_illegal_pair_is_422_naming_checks_without_leaking(api):
    api.session.scalar(select(Licence).where(Licence.number == "TJ-HW-0001")).valid_to = dt.date(2025, 6, 30)
    api.session.commit()
    res = propose(api, "e2", "O-1", "N-1")
    assert res.status_code == 422 and "hw_licence" in res.json["message"]
    assert any("/ HW business licence: " in c for c in res.json["errors"]["checks"])
    assert leaks(res) == []


def test_workflow_through_the_api(api):
    mid = propose(api, "e2", "O-1", "N-1", quantity_t=200).json["id"]
    assert act(api, "e3", mid, "accept").status_code == 404
    assert act(api, "coord", mid, "accept").status_code == 403
    first = act(api, "e2", mid, "accept")
    assert first.status_code == 200 and first.json["offer_accepted"] and not first.json["need_accepted"]
    assert leaks(first) == []
    both = act(api, "e1", mid, "accept")
    assert both.json["status"] == "accepted" and both.json["disclosed"] is True
    disclosed = api.get(f"matches/{mid}", "e2").json
    assert disclosed["need"]["identified"] and disclosed["need"]["enterprise"]["ref"] == "E-1"
    assert disclosed["licence"] == "TJ-HW-0001"
    assert act(api, "e1", mid, "approve").status_code == 403
    assert act(api, "coord", mid, "approve", "checked").json["status"] == "approved"
    again = act(api, "coord", mid, "approve")
    assert again.status_code == 409 and "approved" in again.json["message"]
    assert act(api, "e2", mid, "start_transfer").json["status"] == "in_transfer"
    assert act(api, "e2", mid, "complete").status_code == 403
    assert act(api, "e1", mid, "complete").json["status"] == "completed"
    hist = api.get(f"matches/{mid}/decisions", "coord").json
    assert hist["total"] == 6
    assert [(h["from"], h["to"]) for h in hist["items"]][3] == ("accepted", "approved")
    assert hist["items"][3]["reason"] == "checked" and hist["items"][3]["actor"] == "coordinator:coord-bh@wm.test"
    assert all(h["at"] for h in hist["items"])


def test_decision_errors(api):
    mid = propose(api, "e2", "O-1", "N-1").json["id"]
    no_reason = act(api, "e1", mid, "decline")
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]
    bad = act(api, "e1", mid, "sign")
    assert bad.status_code == 422 and "action" in bad.json["errors"]["json"]
    assert api.post(f"matches/{mid}/decisions", json={"action": "accept"}).status_code == 401
    assert act(api, "coord", 999_999, "approve").status_code == 404
    premature = act(api, "coord", mid, "approve")
    assert premature.status_code == 409 and "proposed" in premature.json["message"]
    declined = act(api, "e1", mid, "decline", "our kiln is down for maintenance")
    assert declined.json["status"] == "declined" and declined.json["status_reason"].startswith("our kiln")
    assert act(api, "e2", mid, "accept").status_code == 409
    hist = api.get(f"matches/{mid}/decisions", "e2").json["items"]
    assert hist[-1]["reason"] == "our kiln is down for maintenance" and hist[-1]["actor"] == "对方企业 (the other party)"
    assert api.get(f"matches/{mid}/decisions", "e3").status_code == 404
    assert api.get(f"matches/{mid}/decisions").status_code == 401


def test_over_allocation_is_409_naming_what_is_short(api):
    first = accepted(api, "O-1", "N-1", "e2", "e1", quantity_t=200)
    second = accepted(api, "O-1", "N-2", "e2", "e4", quantity_t=200)
    assert act(api, "coord", first, "approve").status_code == 200
    short = act(api, "coord_nk", second, "approve")
    assert short.status_code == 409 and "100.000 t left" in short.json["errors"]["offer"][0]
    assert api.get(f"matches/{second}", "coord").json["status"] == "accepted"


def test_list_scope_filters_and_confidentiality(api):
    i = ids(api)
    m1 = propose(api, "e2", "O-1", "N-1").json["id"]
    m2 = propose(api, "e3", "O-2", "N-2").json["id"]
    got = lambda who, **q: {m["id"] for m in api.get("matches", who, query_string=q).json["items"]}  # noqa: E731
    assert got("e2") == {m1} and got("e4") == {m2} and got("coord") == {m1, m2} and got("coord_nk") == {m2}
    assert got("admin", park="NK") == {m2} and got("admin", listing=i["N-1"]) == {m1}
    assert got("admin", status="accepted") == set() and got("admin", status="proposed") == {m1, m2}
    page = api.get("matches", "admin", query_string={"per_page": 1}).json
    assert page["total"] == 2 and page["pages"] == 2 and len(page["items"]) == 1
    assert api.get("matches", "admin", query_string={"status": "pending"}).status_code == 422
    assert api.get("matches", "admin", query_string={"park": "ZZ"}).status_code == 404
    assert api.get("matches").status_code == 401
    assert leaks(api.get("matches", "e2")) == [] and leaks(api.get(f"matches/{m1}", "e2")) == []
    assert api.get(f"matches/{m2}", "e2").status_code == 404
    assert api.get(f"matches/{m1}", "coord").json["need"]["enterprise"]["name"] == "滨海再生资源有限公司"


def test_decisions_list_for_coordinators(api):
    ok = accepted(api, "O-1", "N-1", "e2", "e1", quantity_t=100)
    no = accepted(api, "O-2", "N-1", "e3", "e1", quantity_t=50)
    act(api, "coord", ok, "approve", "fits the re-refinery")
    act(api, "coord", no, "reject", "supplier paperwork incomplete")
    res = api.get("decisions", "coord")
    assert res.status_code == 200 and res.json["total"] == 2
    by_match = {d["match"]: d for d in res.json["items"]}
    assert by_match[ok]["decision"] == "approve" and by_match[ok]["reason"] == "fits the re-refinery"
    assert by_match[no]["decision"] == "reject" and by_match[no]["reason"] == "supplier paperwork incomplete"
    assert by_match[no]["weight"] and by_match[no]["park"] == "BH"
    assert [d["match"] for d in api.get("decisions", "coord", query_string={"decision": "reject"}).json["items"]] \
        == [no]
    assert api.get("decisions", "coord_nk").json["total"] == 0
    assert api.get("decisions", "admin", query_string={"since": "2999-01-01T00:00:00Z"}).json["total"] == 0
    assert api.get("decisions", "e2").status_code == 403
    assert api.get("decisions").status_code == 401
    assert api.get("decisions", "coord", query_string={"decision": "maybe"}).status_code == 422
    assert api.get("decisions", "coord", query_string={"park": "ZZ"}).status_code == 404


def test_match_endpoints_are_documented(api):
    paths = api.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/matches", "/api/v1/matches/{match_id}", "/api/v1/matches/{match_id}/decisions",
                 "/api/v1/decisions"):
        assert path in paths
    assert {"401", "404", "409", "422"} <= set(paths["/api/v1/matches/{match_id}/decisions"]["post"]["responses"])
