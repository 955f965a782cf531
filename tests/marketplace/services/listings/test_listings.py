"""Listings as a service: who may post and manage, search with visibility, edits, states, recommendations."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.models import AuditEvent, Enterprise, HwCodeRow, Listing, Match
from marketplace.services.listings import listings as svc
from marketplace.services.matching import recommendations
from marketplace.services.listings.listings import ListingSearch
from tests.factories import api_principals

NEW_OFFER = {"ref": None, "kind": "offer", "enterprise": None, "title": "Spent solvent", "title_zh": "废有机溶剂",
             "waste_code": "900-402-06", "form": "liquid", "quantity_t": 40, "period": "year",
             "composition": [{"name": "toluene", "cas": "108-88-3", "fraction": 0.7}]}


@pytest.fixture()
def who(session):
    """The api fixture's park and a principal per role."""
    return api_principals(session)


def _id(session, ref: str) -> int:
    return session.scalar(select(Listing.id).where(Listing.ref == ref))


def _load(data: dict) -> dict:
    from web.api.listings import NewListing

    return NewListing().load({k: v for k, v in data.items() if v is not None})


def _match(session, offer: str, need: str, status: str, tonnes: float = 100.0) -> Match:
    m = Match(offer_id=_id(session, offer), need_id=_id(session, need), source="run", status=status,
              quantity_t=tonnes, weight=100, score=100 * tonnes, distance_km=9.0, similarity=0.8, checks=[],
              reasons=[], terms={}, approved_at=dt.datetime.now(dt.timezone.utc) if status == "approved" else None)
    session.add(m)
    session.flush()
    return m


def _search(session, principal, **kw):
    items, total = svc.search_listings(session, principal, ListingSearch(**kw))
    return items, total


def _refs(items) -> list:
    return [x.get("ref", x["id"]) for x in items]


# --- create ----------------------------------------------------------------------------------

def test_enterprise_user_posts_for_own_enterprise_with_a_generated_ref(session, who, monkeypatch):
    notified = []
    monkeypatch.setattr(svc, "notify_new_listing", lambda s, listing: notified.append(listing.id) or 0)
    listing = svc.create_listing(session, who["e2"], _load(NEW_OFFER))
    assert listing.enterprise.ref == "E-2" and listing.ref.startswith("O-") and len(listing.ref) == 10
    assert [c.cas for c in listing.components] == ["108-88-3"]
    assert notified == [listing.id]
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_key == listing.ref)).one()
    assert event.action == "create" and event.park_id == listing.enterprise.park_id
    assert event.changes["enterprise"] == [None, "E-2"]
    # The same listing again is a likely duplicate: stored only once confirmed, under a fresh ref.
    other = svc.create_listing(session, who["e2"], {**_load(NEW_OFFER), "confirm": ["duplicate"]})
    assert other.ref != listing.ref


def test_who_may_post_for_which_enterprise(session, who):
    with pytest.raises(Forbidden) as other:
        svc.create_listing(session, who["e2"], _load({**NEW_OFFER, "enterprise": "E-1"}))
    with pytest.raises(Forbidden) as unknown:
        svc.create_listing(session, who["e2"], _load({**NEW_OFFER, "enterprise": "E-404"}))
    assert other.value.errors == unknown.value.errors  # existence is not revealed
    with pytest.raises(ValidationFailed) as exc:
        svc.create_listing(session, who["coord"], _load(NEW_OFFER))
    assert "enterprise" in exc.value.errors
    with pytest.raises(Forbidden):
        svc.create_listing(session, who["coord"], _load({**NEW_OFFER, "enterprise": "E-4"}))
    with pytest.raises(ValidationFailed) as exc:
        svc.create_listing(session, who["admin"], _load({**NEW_OFFER, "enterprise": "E-404"}))
    assert "enterprise" in exc.value.errors
    assert svc.create_listing(session, who["coord"], _load({**NEW_OFFER, "enterprise": "E-3"})).enterprise.ref == "E-3"
    assert svc.create_listing(session, who["admin"], _load({**NEW_OFFER, "enterprise": "E-4"})).enterprise.ref == "E-4"
    with pytest.raises(Conflict) as exc:
        svc.create_listing(session, who["e2"], _load({**NEW_OFFER, "ref": "N-1"}))
    assert "ref" in exc.value.errors


def test_waste_code_must_exist_once_the_official_list_is_loaded(session, who):
    ok = svc.create_listing(session, who["e2"], _load({**NEW_OFFER, "waste_code": "900-999-06"}))
    assert ok.waste_code == "900-999-06"  # only the built-in list: a well-formed code cannot be refuted
    session.get(HwCodeRow, "900-214-08").source = "hw-list-pdf"  # as if the official edition were imported
    session.flush()
    with pytest.raises(ValidationFailed) as exc:
        svc.create_listing(session, who["e2"], _load({**NEW_OFFER, "waste_code": "900-999-06"}))
    assert "waste_code" in exc.value.errors
    assert svc.create_listing(session, who["e2"], _load({**NEW_OFFER, "waste_code": "900-214-08"})).id


# --- read and search -------------------------------------------------------------------------

def test_others_see_only_active_listings_and_anonymised(session, who):
    svc.change_status(session, who["e3"], _id(session, "O-2"), "pause")
    items, total = _search(session, who["e2"])
    assert total == 3 and all(x["status"] == "active" for x in items)
    mine = [x for x in items if x["identified"]]
    assert [x["ref"] for x in mine] == ["O-1"]
    assert all("ref" not in x and "enterprise" not in x for x in items if not x["identified"])
    with pytest.raises(NotFound):
        svc.get_listing(session, who["e2"], _id(session, "O-2"))
    assert svc.get_listing(session, who["e3"], _id(session, "O-2")).status == "paused"
    assert svc.get_listing(session, who["coord"], _id(session, "O-2")).status == "paused"
    with pytest.raises(NotFound):
        svc.get_listing(session, who["coord_nk"], _id(session, "O-2"))
    with pytest.raises(NotFound):
        svc.get_listing(session, who["e2"], 10**6)
    assert _search(session, who["e3"], status="paused")[1] == 1
    assert _search(session, who["e2"], status="paused")[1] == 0


def test_disclosed_partners_see_each_other(session, who):
    o1, n1 = _id(session, "O-1"), _id(session, "N-1")
    assert not svc.listing_detail(session, who["e2"], svc.get_listing(session, who["e2"], n1))["identified"]
    _match(session, "O-1", "N-1", "accepted")
    view = svc.listing_detail(session, who["e2"], svc.get_listing(session, who["e2"], n1))
    assert view["identified"] and view["enterprise"]["ref"] == "E-1"
    assert svc.listing_detail(session, who["e1"], svc.get_listing(session, who["e1"], o1))["identified"]


def test_search_filters(session, who):
    assert _search(session, who["e2"], kind="need")[1] == 2
    assert _search(session, who["e2"], park="NK")[1] == 1
    with pytest.raises(ValidationFailed) as exc:
        _search(session, who["e2"], park="ZZ")
    assert "park" in exc.value.errors
    assert _search(session, who["e2"], waste_code="900-214-08")[1] == 2
    assert _search(session, who["e2"], category="HW08")[1] == 2
    assert _search(session, who["e2"], category="HW12")[1] == 0
    assert _search(session, who["e2"], q="废机油")[1] == 1
    assert _search(session, who["e2"], q="LUBRICATING")[1] == 1
    assert _refs(_search(session, who["e2"], mine=True)[0]) == ["O-1"]
    with pytest.raises(ValidationFailed):
        _search(session, who["coord"], mine=True)
    assert _refs(_search(session, who["coord"], enterprise="E-3")[0]) == ["O-2"]
    with pytest.raises(Forbidden):
        _search(session, who["coord"], enterprise="E-4")  # would tell whose the anonymised NK listings are
    with pytest.raises(Forbidden):
        _search(session, who["e2"], enterprise="E-1")
    assert _search(session, who["admin"], enterprise="E-4")[1] == 1
    page, total = _search(session, who["admin"], per_page=3, page=2)
    assert total == 4 and len(page) == 1


def test_text_search_matches_what_an_anonymised_viewer_can_read(session, who):
    # A title naming its enterprise is shown scrubbed; searching for the name must not find it.
    svc.update_listing(session, who["e1"], _id(session, "N-1"), {"title": "滨海再生资源有限公司 waste oil"})
    assert _search(session, who["e2"], q="滨海再生")[1] == 0
    assert _search(session, who["coord"], q="滨海再生")[1] == 1


def test_distance_from_own_site_and_from_a_point(session, who):
    items, total = _search(session, who["e2"], within_km=15)
    # E-2 at (39.05, 117.65): E-1 9 km, E-3 5.5 km, E-4 (NK) 44 km away.
    assert total == 3 and [x["distance_km"] for x in items] == sorted(x["distance_km"] for x in items)
    assert items[0]["distance_km"] == 0.0 and items[0]["ref"] == "O-1"
    with pytest.raises(ValidationFailed) as exc:
        _search(session, who["coord"], within_km=15)
    assert "near" in exc.value.errors
    near = _search(session, who["coord"], near=(38.76, 117.52), within_km=10)[0]
    assert [x["park"] for x in near] == ["NK"]
    ordered = _search(session, who["admin"], near=(38.76, 117.52))[0]
    assert ordered[0]["ref"] == "N-2" and ordered[-1]["ref"] in ("O-2",)


def test_anonymised_sites_are_measured_on_a_coarse_grid_from_other_points(session, who):
    # E-3's exact site (39.08, 117.68); its grid point is (39.1, 117.7).
    exact = (39.08, 117.68)
    coarse_hit = _search(session, who["e2"], near=(39.1, 117.7), within_km=0.5, kind="offer")[0]
    assert [x["id"] for x in coarse_hit] == [_id(session, "O-2")]
    # From its exact site a probe learns no more than from its grid point: both are in its band (< 5 km).
    assert _search(session, who["e2"], near=exact, within_km=0.5, kind="offer")[1] == 1
    assert _search(session, who["e2"], near=(39.1, 117.72), within_km=0.5, kind="offer")[1] == 1
    # Identified viewers get the exact site.
    assert _search(session, who["coord"], near=exact, within_km=0.5, kind="offer")[1] == 1
    assert _search(session, who["coord"], near=(39.1, 117.72), within_km=0.5, kind="offer")[1] == 0


# --- edit and states -------------------------------------------------------------------------

def test_owner_and_coordinator_edit_others_may_not(session, who):
    o1 = _id(session, "O-1")
    before = session.get(Listing, o1).updated_at
    listing = svc.update_listing(session, who["e2"], o1, {"quantity_t": 350, "composition": [
        {"name": "base oil", "cas": "64742-54-7", "fraction": 0.9}]})
    assert listing.quantity_t == 350 and listing.components[0].fraction == 0.9
    assert listing.updated_at != before
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_key == "O-1",
                                                     AuditEvent.action == "update")).one()
    assert event.park_id == listing.enterprise.park_id and event.changes["quantity_t"] == [300, 350]
    assert "composition" in event.changes
    assert svc.update_listing(session, who["coord"], o1, {"title": "Waste engine oil"}).title == "Waste engine oil"
    with pytest.raises(Forbidden):
        svc.update_listing(session, who["e3"], o1, {"quantity_t": 1})  # visible, not theirs
    with pytest.raises(Forbidden):
        svc.update_listing(session, who["coord_nk"], o1, {"quantity_t": 1})
    svc.change_status(session, who["e2"], o1, "pause")
    with pytest.raises(NotFound):
        svc.update_listing(session, who["e3"], o1, {"quantity_t": 1})  # now not even visible


def test_an_edit_must_leave_a_valid_listing(session, who):
    o1 = _id(session, "O-1")
    with pytest.raises(ValidationFailed) as exc:
        svc.update_listing(session, who["e2"], o1, {"form": None})
    assert "form" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        svc.update_listing(session, who["e2"], o1, {"available_to": dt.date(2025, 1, 1)})
    assert "available_to" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        svc.update_listing(session, who["e1"], _id(session, "N-1"), {"forms": []})
    assert "forms" in exc.value.errors
    assert session.get(Listing, o1).form == "liquid"


def test_quantity_cannot_drop_below_approved_reservations(session, who):
    _match(session, "O-1", "N-1", "approved", tonnes=200)
    o1 = _id(session, "O-1")
    assert svc.reserved_t(session, o1) == 200
    with pytest.raises(Conflict) as exc:
        svc.update_listing(session, who["e2"], o1, {"quantity_t": 150})
    assert "quantity_t" in exc.value.errors
    with pytest.raises(Conflict):
        svc.update_listing(session, who["e2"], o1, {"quantity_t": 100, "period": "month"} | {"quantity_t": 10})
    assert svc.update_listing(session, who["e2"], o1, {"quantity_t": 20, "period": "month"}).period == "month"


def test_state_machine_and_open_matches_cancelled(session, who):
    o1 = _id(session, "O-1")
    proposed = _match(session, "O-1", "N-1", "proposed")
    other = _match(session, "O-2", "N-1", "proposed")
    listing, cancelled = svc.change_status(session, who["e2"], o1, "pause", "plant shutdown")
    assert listing.status == "paused" and cancelled == 1
    session.refresh(proposed)
    session.refresh(other)
    assert proposed.status == "cancelled" and other.status == "proposed"
    with pytest.raises(Conflict):
        svc.change_status(session, who["e2"], o1, "pause")
    assert svc.change_status(session, who["e2"], o1, "resume")[0].status == "active"
    with pytest.raises(Conflict):
        svc.change_status(session, who["e2"], o1, "resume")
    assert svc.change_status(session, who["coord"], o1, "close")[0].status == "closed"
    for action in ("pause", "resume", "close"):
        with pytest.raises(Conflict):
            svc.change_status(session, who["e2"], o1, action)
    with pytest.raises(Conflict):
        svc.update_listing(session, who["e2"], o1, {"quantity_t": 10})
    trail = [(e.action, e.changes["status"]) for e in session.scalars(
        select(AuditEvent).where(AuditEvent.entity_key == "O-1", AuditEvent.entity_type == "listing")
        .order_by(AuditEvent.id)) if e.actor != "test"]
    assert trail == [("pause", ["active", "paused"]), ("resume", ["paused", "active"]), ("close", ["active", "closed"])]
    with pytest.raises(Forbidden):
        svc.change_status(session, who["e3"], _id(session, "N-1"), "pause")


# --- recommendations -------------------------------------------------------------------------

def test_recommendations_for_own_listing_are_redacted(session, who):
    doc = svc.recommendations(session, who["e2"], _id(session, "O-1"), top=5)
    assert doc["kind"] == "offer" and doc["recommendations"]
    first = doc["recommendations"][0]
    assert first["listing"] == _id(session, "N-1") and first["enterprise"] is None
    assert not first["counterpart"]["identified"] and first["licence"] == "[许可证] ([licence])"
    assert {"code", "passed", "hard", "detail"} <= set(first["checks"][0])
    text = repr(doc)
    for secret in ("E-1", "E-4", "TJ-HW-0001", "TJ-HW-0002", "N-1", "N-2", "滨海再生资源有限公司", "南港水泥有限公司"):
        assert secret not in text
    # The price term is a share of the price difference: with one's own price it would give theirs.
    assert all("price" not in r["terms"] and not any(x.startswith("价格 price") for x in r["reasons"])
               for r in doc["recommendations"])
    coord = svc.recommendations(session, who["coord"], _id(session, "O-1"), top=5)
    assert any("price" in r["terms"] for r in coord["recommendations"])
    by_id = {r["listing"]: r for r in coord["recommendations"]}
    assert by_id[_id(session, "N-1")]["enterprise"] == "E-1"
    assert by_id[_id(session, "N-1")]["licence"] == "TJ-HW-0001"


def test_recommendations_refusals(session, who):
    o1 = _id(session, "O-1")
    with pytest.raises(Forbidden):
        svc.recommendations(session, who["e3"], o1)
    with pytest.raises(Forbidden):
        svc.recommendations(session, who["coord_nk"], o1)
    svc.change_status(session, who["e2"], o1, "pause")
    with pytest.raises(NotFound):
        svc.recommendations(session, who["e3"], o1)
    for top in (0, 51):
        with pytest.raises(ValidationFailed) as exc:
            svc.recommendations(session, who["e2"], o1, top=top)
        assert "top" in exc.value.errors
    svc.change_status(session, who["e2"], o1, "close")
    with pytest.raises(Conflict):
        svc.recommendations(session, who["e2"], o1)


def test_warm_recommender_is_reused_until_the_data_changes(session, who):
    first = recommendations.warm_recommender(session)
    assert recommendations.warm_recommender(session) is first
    svc.create_listing(session, who["e3"], _load({**NEW_OFFER, "title": "Waste oil sludge", "title_zh": "含油污泥",
                                                  "waste_code": "900-214-08", "composition": [
                                                      {"name": "base oil", "cas": "64742-54-7", "fraction": 0.6}]}))
    fresh = recommendations.warm_recommender(session)
    assert fresh is not first and fresh.problem.o.size == first.problem.o.size + 1
    # And the new listing takes part in one-click matching at once.
    recs = svc.recommendations(session, who["coord_nk"], _id(session, "N-2"), top=10)["recommendations"]
    assert any(r["counterpart"]["title_zh"] == "含油污泥" for r in recs)
    # A change of quantity, status or licence also gives a new version.
    svc.update_listing(session, who["e2"], _id(session, "O-1"), {"quantity_t": 301})
    assert recommendations.warm_recommender(session) is not fresh
    again = recommendations.warm_recommender(session)
    session.scalars(select(Enterprise).where(Enterprise.ref == "E-1")).one().licences[0].annual_capacity_t = 10
    session.flush()
    assert recommendations.warm_recommender(session) is not again
