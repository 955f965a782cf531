"""The moderation API: the park's coordinator (and admins) hold, resume, flag and annotate; others get the
service's one bilingual 403; a held listing leaves matching; the owner is told; over-commitment is 409
unless confirmed."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.models import AuditEvent, Listing, Notification


def lid(api, ref: str) -> int:
    return api.session.scalar(select(Listing.id).where(Listing.ref == ref))


@pytest.mark.parametrize("who", ["coord", "admin"])
def test_the_parks_coordinator_holds_flags_annotates_and_releases(api, who):
    o1 = lid(api, "O-1")
    got = api.get(f"listings/{o1}/moderation", who)
    assert got.status_code == 200 and got.json["listing"]["enterprise"]["ref"] == "E-2"
    held = api.post(f"listings/{o1}/hold", who, json={"reason": "1e9 t a year is not plausible"})
    assert held.status_code == 200, held.json
    assert held.json["held"] and held.json["listing"]["status"] == "paused" and held.json["cancelled_matches"] == 0
    flag = api.post(f"listings/{o1}/flags", who, json={"reason": "implausible_quantity", "text": "1e9 t"})
    assert flag.status_code == 201 and flag.json["open"] and flag.json["reason"] == "implausible_quantity"
    note = api.post(f"listings/{o1}/notes", who, json={"text": "called them"})
    assert note.status_code == 201 and note.json["kind"] == "note"
    listed = api.get("listings/moderation?flagged=true", who)
    assert [r["ref"] for r in listed.json["items"]] == ["O-1"]
    assert listed.json["items"][0]["open_flags"] == ["implausible_quantity"] and listed.json["items"][0]["held"]
    # The owner cannot lift the hold; the coordinator can.
    refused = api.post(f"listings/{o1}/resume", "e2", json={})
    assert refused.status_code == 409 and "仅其可恢复" in refused.json["message"]
    cleared = api.post(f"listings/{o1}/flags/{flag.json['id']}/clear", who, json={"reason": "corrected"})
    assert cleared.status_code == 200 and not cleared.json["open"]
    released = api.post(f"listings/{o1}/release", who, json={"reason": "fixed"})
    assert released.status_code == 200 and released.json["listing"]["status"] == "active" and not released.json["held"]
    actions = api.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "listing", AuditEvent.entity_key == "O-1", AuditEvent.action != "create")
        .order_by(AuditEvent.id)).all()
    assert actions == ["moderation_hold", "flag", "annotate", "clear_flag", "moderation_release"]
    events = api.session.scalars(select(Notification).where(Notification.kind == "listing_moderation")
                                 .order_by(Notification.id)).all()
    assert [n.data["event"] for n in events] == ["hold", "flag", "clear_flag", "release"]


def test_the_owner_reads_the_hold_and_flags_but_not_the_notes(api):
    o1 = lid(api, "O-1")
    api.post(f"listings/{o1}/hold", "coord", json={"reason": "check the quantity"})
    api.post(f"listings/{o1}/flags", "coord", json={"reason": "duplicate"})
    api.post(f"listings/{o1}/notes", "coord", json={"text": "internal"})
    got = api.get(f"listings/{o1}/moderation", "e2")
    assert got.status_code == 200 and got.json["held"] and got.json["held_reason"] == "check the quantity"
    assert [(r["kind"], r["reason"], r["author"]) for r in got.json["remarks"]] == [("flag", "duplicate", None)]
    assert got.json["open_flags"] == 1


@pytest.mark.parametrize("who", ["coord_nk", "e2", "e1"])
def test_others_get_one_bilingual_403(api, who):
    o1 = lid(api, "O-1")
    reads = [] if who == "e2" else [("GET", f"listings/{o1}/moderation", None)]  # the owner reads its flags
    for method, path, body in (*reads,
                               ("POST", f"listings/{o1}/hold", {"reason": "x"}),
                               ("POST", f"listings/{o1}/flags", {"reason": "duplicate"}),
                               ("POST", f"listings/{o1}/notes", {"text": "x"})):
        r = api.call(method, path, who, json=body)
        assert r.status_code == 403, (path, r.json)
        assert "仅该信息所在园区的管理者可审核" in r.json["message"]
    assert api.get("listings/moderation", "e2").status_code == 403
    assert api.get("listings/moderation?park=BH", "coord_nk").status_code == 403


def test_bad_input_is_422(api):
    o1 = lid(api, "O-1")
    assert api.post(f"listings/{o1}/hold", "coord", json={}).status_code == 422  # a hold needs its reason
    assert api.post(f"listings/{o1}/flags", "coord", json={"reason": "ugly"}).status_code == 422
    assert api.post(f"listings/{o1}/flags", "coord", json={"reason": "other"}).status_code == 422
    assert api.post(f"listings/{o1}/notes", "coord", json={"text": "x" * 2001}).status_code == 422
    assert api.post(f"listings/{o1}/notes", "coord", json={"text": "a\x00b"}).status_code == 422


def test_a_held_listing_leaves_one_click_matching(api):
    n1 = lid(api, "N-1")
    before = api.get(f"listings/{n1}/recommendations", "e1").json["recommendations"]
    assert lid(api, "O-1") in [r["listing"] for r in before]
    api.post(f"listings/{lid(api, 'O-1')}/hold", "coord", json={"reason": "implausible"})
    after = api.get(f"listings/{n1}/recommendations", "e1").json["recommendations"]
    assert lid(api, "O-1") not in [r["listing"] for r in after]


def test_over_commitment_is_409_until_confirmed(api):
    api.session.get(Listing, lid(api, "O-1")).quantity_t = 7
    api.session.commit()
    first = api.post("matches", "e2", json={"offer": lid(api, "O-1"), "need": lid(api, "N-1"), "quantity_t": 7})
    second = api.post("matches", "e2", json={"offer": lid(api, "O-1"), "need": lid(api, "N-2"), "quantity_t": 7})
    assert first.status_code == second.status_code == 201
    assert api.post(f"matches/{first.json['id']}/decisions", "e2", json={"action": "accept"}).status_code == 200
    warned = api.post(f"matches/{second.json['id']}/decisions", "e2", json={"action": "accept"})
    assert warned.status_code == 409 and "confirm" in warned.json["errors"]
    assert "已有 7 吨与其他 1 个伙伴确认" in warned.json["message"]
    ok = api.post(f"matches/{second.json['id']}/decisions", "e2", json={"action": "accept", "confirm": True})
    assert ok.status_code == 200 and ok.json["offer_accepted"]


def test_the_history_says_which_side_accepted(api):
    m = api.post("matches", "coord", json={"offer": lid(api, "O-1"), "need": lid(api, "N-1")}).json
    api.post(f"matches/{m['id']}/decisions", "e2", json={"action": "accept"})
    rows = api.get(f"matches/{m['id']}/decisions", "coord").json["items"]
    accept = next(r for r in rows if r["action"] == "accept")
    assert (accept["side"], accept["to"]) == ("offer", "proposed")
    assert accept["summary"] == "供给方已接受，等待需求方 / the offer's holder accepted; waiting for the need's"
