"""``/notifications``: each caller reads their enterprise's and their own notices, anonymised; read/unread."""
from __future__ import annotations

import json

from sqlalchemy import select

from marketplace.models import Enterprise, Listing, Notification
from tests.factories import OFFER
from tests.marketplace.services.matching.test_notifications import E2_SECRETS, new_offer


def _push(api) -> None:
    """E-2 posts a new waste-oil offer: E-1 and E-4 (the two needs) are notified."""
    new_offer(api.session)
    api.session.commit()


def _without_times(page: dict) -> str:
    """The page as JSON minus its timestamps, whose digits can spell a coordinate by chance (…17:39.058885)."""
    items = [{k: v for k, v in item.items() if k not in ("created_at", "read_at")} for item in page["items"]]
    return json.dumps({**page, "items": items}, ensure_ascii=False)


def _more_for_e1(api, n: int) -> None:
    e1 = api.session.scalar(select(Enterprise.id).where(Enterprise.ref == "E-1"))
    for i in range(n):
        api.session.add(Notification(enterprise_id=e1, kind="listing_fit", score=float(i),
                                     data={"message": f"第 {i} 条 / notice {i}"}))
    api.session.commit()


def test_the_caller_reads_their_enterprises_notices_newest_first(api):
    _push(api)
    res = api.get("notifications", as_="e1")
    assert res.status_code == 200, res.json
    page = res.json
    assert page["total"] == 1 and page["page"] == 1 and page["pages"] == 1
    n = page["items"][0]
    assert n["kind"] == "listing_fit" and n["read"] is False and n["read_at"] is None
    assert n["data"]["listing"]["waste_code"] == "900-214-08" and n["score"] > 0
    assert n["message"] == n["data"]["message"] and "fits your need" in n["message"]
    assert api.get("notifications", as_="e4").json["total"] == 1
    for key in ("e2", "e3", "coord", "admin"):  # the owner, an unrelated garage, users with no such notice
        assert api.get("notifications", as_=key).json["total"] == 0, key


def test_posting_a_listing_through_the_api_pushes_it(api):
    body = {k: v for k, v in OFFER.items() if k not in ("ref", "enterprise")}
    body.update(title="Spent oil, 开发区汽车维修中心 workshop", title_zh="开发区汽车维修中心废油", quantity_t=150)
    res = api.post("listings", as_="e2", json=body)
    assert res.status_code == 201, res.json
    ref = api.session.scalar(select(Listing.ref).where(Listing.id == res.json["id"]))
    for key in ("e1", "e4"):
        page = api.get("notifications", as_=key, query_string={"unread": "true"}).json
        assert page["total"] == 1 and page["items"][0]["listing_id"] == res.json["id"], key
        text = _without_times(page)
        for secret in ("开发区汽车维修中心", "E-2", ref, "39.05", "117.65"):
            assert secret not in text, (key, secret)
    assert api.get("notifications", as_="e2").json["total"] == 0


def test_notices_leak_no_identity_of_the_poster(api):
    _push(api)
    for key in ("e1", "e4"):
        res = api.get("notifications", as_=key)
        assert res.json["total"] == 1
        body = _without_times(res.json)
        for secret in E2_SECRETS + ("Mr Wang",):
            assert secret not in body, (key, secret)


def test_read_one_then_all(api):
    _push(api)
    _more_for_e1(api, 1)
    mine = api.get("notifications", as_="e1").json
    assert mine["total"] == 2
    first = mine["items"][-1]["id"]
    res = api.post(f"notifications/{first}/read", as_="e1")
    assert res.status_code == 200 and res.json["read"] is True and res.json["read_at"]
    unread = api.get("notifications", as_="e1", query_string={"unread": "true"}).json
    assert first not in [n["id"] for n in unread["items"]] and unread["total"] == mine["total"] - 1
    read = api.get("notifications", as_="e1", query_string={"unread": "false"}).json
    assert [n["id"] for n in read["items"]] == [first]
    done = api.post("notifications/read-all", as_="e1")
    assert done.status_code == 200 and done.json == {"marked": mine["total"] - 1}
    assert api.get("notifications", as_="e1", query_string={"unread": "true"}).json["total"] == 0
    assert api.post("notifications/read-all", as_="e1").json == {"marked": 0}


def test_pagination(api):
    _push(api)
    _more_for_e1(api, 4)
    key = "e1"
    page = api.get("notifications", as_=key, query_string={"per_page": 2, "page": 3}).json
    assert page["total"] == 5 and page["pages"] == 3 and len(page["items"]) == 1
    ids = [n["id"] for p in (1, 2, 3) for n in api.get("notifications", as_=key, query_string={
        "per_page": 2, "page": p}).json["items"]]
    assert ids == sorted(ids, reverse=True)  # same-second notices: newest id first


def test_someone_elses_notice_is_not_found(api):
    _push(api)
    theirs = api.get("notifications", as_="e1").json["items"][0]["id"]
    for key in ("e2", "e3", "coord"):
        res = api.post(f"notifications/{theirs}/read", as_=key)
        assert res.status_code == 404 and "notification_id" in res.json["errors"], key
    assert api.post("notifications/999999/read", as_="e1").status_code == 404
    assert api.post(f"notifications/{10**30}/read", as_="e1").status_code == 404  # not an overflow (500)
    assert api.get("notifications", as_="e1").json["items"][0]["read"] is False  # nobody else marked it


def test_validation_errors_name_the_field(api):
    res = api.get("notifications", as_="e1", query_string={"unread": "maybe"})
    assert res.status_code == 422 and "unread" in json.dumps(res.json["errors"])
    res = api.get("notifications", as_="e1", query_string={"per_page": 0})
    assert res.status_code == 422 and "per_page" in json.dumps(res.json["errors"])


def test_signing_in_is_required(api):
    assert api.get("notifications").status_code == 401
    assert api.post("notifications/1/read").status_code == 401
    assert api.post("notifications/read-all").status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert api.get("notifications", headers=bad).status_code == 401


def test_documented_in_openapi(api):
    spec = api.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    assert {"/api/v1/notifications", "/api/v1/notifications/{notification_id}/read",
            "/api/v1/notifications/read-all"} <= set(paths)
    assert "404" in paths["/api/v1/notifications/{notification_id}/read"]["post"]["responses"]
