"""``/audit`` through the API: admins read everything, coordinators their parks' events, enterprises nothing."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.models import Listing


def _match(api) -> int:
    i = dict(api.session.execute(select(Listing.ref, Listing.id)).all())
    mid = api.post("matches", "e2", json={"offer": i["O-1"], "need": i["N-1"]}).json["id"]
    api.post(f"matches/{mid}/decisions", "e1", json={"action": "decline", "reason": "no capacity"})
    return mid


def test_admin_reads_the_whole_trail_with_filters(api):
    mid = _match(api)
    nk_run = api.post("match-runs", "coord_nk", json={"park": "NK"}).json["id"]
    res = api.get("audit", "admin", query_string={"entity_type": "match", "entity_key": str(mid)})
    assert res.status_code == 200 and res.json["total"] == 2
    newest = res.json["items"][0]
    assert newest["action"] == "transition" and newest["changes"]["status"] == ["proposed", "declined"]
    assert newest["context"]["reason"] == "no capacity" and newest["actor"] == "enterprise:handler@e1.test"
    assert newest["at"] and newest["park_id"] is not None
    runs = api.get("audit", "admin", query_string={"action": "match-run"}).json["items"]
    assert [r["entity_key"] for r in runs] == [str(nk_run)]
    assert api.get("audit", "admin", query_string={"since": "2999-01-01T00:00:00+08:00"}).json["total"] == 0
    assert api.get("audit", "admin").json["total"] > 2


def test_coordinators_read_only_their_parks(api):
    mid = _match(api)
    nk_run = api.post("match-runs", "coord_nk", json={"park": "NK"}).json["id"]
    bh = api.get("audit", "coord").json["items"]
    assert str(mid) in {e["entity_key"] for e in bh if e["entity_type"] == "match"}
    assert str(nk_run) not in {e["entity_key"] for e in bh if e["entity_type"] == "match_run"}
    park_ids = {e["park_id"] for e in bh}
    assert len(park_ids) == 1 and None not in park_ids
    nk = api.get("audit", "coord_nk", query_string={"entity_type": "match_run"}).json["items"]
    assert [e["entity_key"] for e in nk] == [str(nk_run)]
    assert api.get("audit", "coord_nk", query_string={"entity_type": "match"}).json["total"] == 0


def test_audit_refusals(api):
    assert api.get("audit").status_code == 401
    assert api.get("audit", "e1").status_code == 403
    bad = api.get("audit", "admin", query_string={"since": "yesterday", "per_page": 0})
    assert bad.status_code == 422 and set(bad.json["errors"]["query"]) == {"since", "per_page"}


def test_a_cross_park_match_is_in_both_coordinators_trails(api):
    """O-1 (park BH) → N-2 (park NK): filed under BH, decided on by either park's coordinator."""
    i = dict(api.session.execute(select(Listing.ref, Listing.id)).all())
    made = api.post("matches", "e2", json={"offer": i["O-1"], "need": i["N-2"]})
    assert made.status_code == 201, made.json
    mid = str(made.json["id"])
    for who in ("e2", "e4"):
        assert api.post(f"matches/{mid}/decisions", who, json={"action": "accept"}).status_code == 200
    assert api.post(f"matches/{mid}/decisions", "coord_nk", json={"action": "reject",
                                                                 "reason": "kiln full"}).status_code == 200
    for coordinator in ("coord", "coord_nk"):
        trail = api.get("audit", coordinator, query_string={"entity_type": "match", "entity_key": mid}).json
        assert [e["context"]["action"] for e in trail["items"]][0] == "reject", coordinator
    # Matches wholly inside BH stay out of the NK coordinator's trail.
    bh_only = str(_match(api))
    assert api.get("audit", "coord_nk", query_string={"entity_key": bh_only,
                                                      "entity_type": "match"}).json["total"] == 0
