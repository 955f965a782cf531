"""``/match-runs`` through the API: who may run which park, parameters, summaries, scope."""
from __future__ import annotations

import pytest


def test_coordinator_runs_their_park(api):
    res = api.post("match-runs", "coord", json={"park": "BH"})
    assert res.status_code == 201
    run = res.json
    assert run["park"] == "BH" and run["status"] in ("OPTIMAL", "FEASIBLE") and run["objective"] > 0
    assert run["matches"] == run["counts"]["matches"] >= 1 and "total_s" in run["timings"]
    proposals = api.get("matches", "coord", query_string={"run": run["id"]}).json
    assert proposals["total"] == run["matches"] and all(m["status"] == "proposed" for m in proposals["items"])
    assert all(m["expires_at"] for m in proposals["items"])
    assert api.get(f"match-runs/{run['id']}", "coord").json["objective"] == run["objective"]


def test_run_permissions_and_validation(api):
    assert api.post("match-runs", json={"park": "BH"}).status_code == 401
    assert api.post("match-runs", "e2", json={"park": "BH"}).status_code == 403
    assert api.post("match-runs", "coord", json={"park": "NK"}).status_code == 403
    assert api.post("match-runs", "coord", json={"park": "ZZ"}).status_code == 404
    no_park = api.post("match-runs", "coord", json={})
    assert no_park.status_code == 422 and "park" in no_park.json["errors"]
    bad = api.post("match-runs", "admin", json={"time_limit": 61, "min_lot": -1, "max_suppliers": 0})
    assert bad.status_code == 422 and set(bad.json["errors"]["json"]) == {"time_limit", "min_lot", "max_suppliers"}
    assert api.post("match-runs", "admin", json={}).json["park"] is None  # admins may run every park at once


def test_exact_run_parameters(api):
    res = api.post("match-runs", "admin", json={"park": "BH", "exact": True, "time_limit": 5, "min_lot": 10,
                                                  "max_suppliers": 1})
    assert res.status_code == 201
    params = res.json["parameters"]
    assert (params["exact"], params["time_limit_s"], params["min_lot_t"], params["max_suppliers_per_need"]) \
        == (True, 5, 10, 1)
    assert res.json["exact"] is True


def test_run_lists_are_scoped(api):
    bh = api.post("match-runs", "coord", json={"park": "BH"}).json["id"]
    nk = api.post("match-runs", "coord_nk", json={"park": "NK"}).json["id"]
    everything = api.post("match-runs", "admin", json={}).json["id"]
    listed = lambda who, **q: [r["id"] for r in api.get("match-runs", who, query_string=q).json["items"]]  # noqa: E731
    # Coordinators see the runs over every park beside their own (such a run proposed in their parks too),
    # as the pages' /runs shows them.
    assert listed("coord") == [everything, bh] and listed("coord_nk") == [everything, nk]
    assert listed("coord", park="BH") == [bh] and listed("coord", park="NK") == []
    assert listed("admin") == [everything, nk, bh] and listed("admin", park="NK") == [nk]
    assert api.get(f"match-runs/{nk}", "coord").status_code == 404
    assert api.get(f"match-runs/{everything}", "coord").json["park"] is None
    assert api.get("match-runs/999999", "admin").status_code == 404
    assert api.get("match-runs", "e1").status_code == 403
    assert api.get("match-runs").status_code == 401
    assert api.get("match-runs", "admin", query_string={"park": "ZZ"}).status_code == 404
    assert api.get("match-runs", "admin", query_string={"per_page": 500}).status_code == 422


def test_a_run_favouring_loops_says_which_loops_it_closed(api):
    from marketplace.services.listings.interchange import import_document
    from tests.marketplace.services.matching.acid_loop import acid_document

    import_document(api.session, acid_document(), actor="test")
    api.session.commit()
    plain = api.post("match-runs", "admin", json={"park": "AC"}).json
    (opp,) = plain["loops"]["opportunities"]
    assert opp["enterprises"] == ["E-A", "E-B"] and opp["cost_cny"] > 0 and not opp["closed_by_run"]
    favoured = api.post("match-runs", "admin", json={"park": "AC", "favour_loops": True}).json
    (closed,) = favoured["loops"]["closed"]
    assert closed["favoured"] and closed["bonus_cny"] == 10_000.0
    assert favoured["objective"] == pytest.approx(plain["objective"] - opp["cost_cny"])
    assert api.get(f"match-runs/{favoured['id']}", "admin").json["loops"]["closed"] == favoured["loops"]["closed"]
    below = api.post("match-runs", "admin", json={"park": "AC", "loop_bonus": opp["cost_cny"] - 1}).json
    assert below["loops"]["closed"] == []
    refused = api.post("match-runs", "admin", json={"park": "AC", "exact": True, "favour_loops": True})
    assert refused.status_code == 422 and "favour_loops" in refused.json["errors"]
    bad = api.post("match-runs", "admin", json={"park": "AC", "loop_bonus": -1})
    assert bad.status_code == 422 and "loop_bonus" in bad.json["errors"]["json"]
