"""``/collection-rounds``: a coordinator plans, proposes and writes manifests; enterprises are refused or see
nothing; the body is validated by field."""
from __future__ import annotations

from marketplace.services.listings.interchange import import_document
from tests.marketplace.services.traceability.test_pooled_collection import COLLECT_NEED, COLLECTOR, _garage


def _ok(r, status=200):
    assert r.status_code == status, r.json
    return r.json


def test_plan_propose_and_scopes(api):
    garages = [_garage(i, 5 + 5 * i, 70 * i) for i in range(4)]
    import_document(api.session, {"format": "wastematch.v1", "enterprises": [COLLECTOR, *[g for g, _ in garages]],
                                  "listings": [COLLECT_NEED, *[o for _, o in garages]]}, actor="test")
    body = {"collector": "C-1", "day": "2026-12-10", "vehicles": [{"ref": "V1", "capacity_t": 3}], "time_limit_s": 1}
    doc = _ok(api.post("collection-rounds", "coord", json=body), 201)
    assert doc["status"] == "planned" and len(doc["stops"]) == 4 and doc["total_km"] <= doc["baseline"]["total_km"]
    assert {s["producer"] for s in doc["stops"]} == {"G-0", "G-1", "G-2", "G-3"}
    rid = doc["id"]
    assert api.post("collection-rounds", "e2", json=body).status_code == 403
    assert api.get(f"collection-rounds/{rid}", "e2").status_code == 404
    assert api.get(f"collection-rounds/{rid}", "coord_nk").status_code == 404
    assert _ok(api.get("collection-rounds", "e1"))["rounds"] == []
    proposed = _ok(api.post(f"collection-rounds/{rid}/propose", "coord"))
    assert proposed["status"] == "proposed" and all(s["match"] for s in proposed["stops"])
    assert api.post(f"collection-rounds/{rid}/propose", "coord").status_code == 409
    nothing = _ok(api.post(f"collection-rounds/{rid}/manifests", "coord"))  # none approved yet
    assert nothing["status"] == "proposed" and not any(s["shipment"] for s in nothing["stops"])
    bad = api.post("collection-rounds", "coord", json={**body, "vehicles": [{"ref": "", "capacity_t": 90}]})
    assert bad.status_code == 422 and "vehicles" in bad.json["errors"]["json"]
    assert api.post("collection-rounds", "coord", json={**body, "collector": "E-2"}).status_code == 422
