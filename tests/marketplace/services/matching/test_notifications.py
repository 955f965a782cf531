"""Push notifications: a new listing tells the enterprises it fits (never who posted it); match events
tell both parties, anonymised until both accepted, and the coordinators when approval is due."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from marketplace.errors import NotFound
from marketplace.models import Enterprise, Listing, Match, Notification, User
from marketplace.schemas.interchange import ListingSchema
from marketplace.services.listings import listings
from marketplace.services.matching import notifications, recommendations, workflow
from marketplace.services.accounts.users import get_user, principal_of
from marketplace.services.matching.runs import run_matching
from matching.problem import Settings
from tests.factories import API_USERS, NEED, OFFER, load_api_park

SETTINGS = Settings(today=dt.date(2026, 11, 23))
# What E-2 (the garage posting the new offer) must never reveal to the enterprises it is pushed to.
E2_SECRETS = ("开发区汽车维修中心", "E-2", "39.05", "117.65", "O-NEW")


@pytest.fixture()
def park(session):
    load_api_park(session)
    return session


def principal(session, key: str):
    return principal_of(get_user(session, API_USERS[key][0]))


def ent_id(session, ref: str) -> int:
    return session.scalar(select(Enterprise.id).where(Enterprise.ref == ref))


def new_offer(session, key: str = "e2", **overrides) -> Listing:
    """E-2 posts another waste-oil offer through the listings service (which pushes notifications)."""
    doc = {**OFFER, "ref": "O-NEW", "quantity_t": 200,
           "title": "Used oil from 开发区汽车维修中心 (E-2)", "title_zh": "开发区汽车维修中心废机油",
           "description": "ask for Mr Wang at 开发区汽车维修中心", **overrides}
    return listings.create_listing(session, principal(session, key), ListingSchema().load(doc))


def notices(session, **where) -> list[Notification]:
    stmt = select(Notification).order_by(Notification.id)
    for k, v in where.items():
        stmt = stmt.where(getattr(Notification, k) == v)
    return list(session.scalars(stmt))


def test_a_new_listing_notifies_the_enterprises_it_fits_and_not_its_owner(park):
    listing = new_offer(park)
    got = notices(park, kind="listing_fit", listing_id=listing.id)
    assert {n.enterprise_id for n in got} == {ent_id(park, "E-1"), ent_id(park, "E-4")}  # the two needs
    assert all(n.user_id is None for n in got)
    own = {n.enterprise_id: n.own_listing_id for n in got}
    n1, n2 = (park.scalar(select(Listing.id).where(Listing.ref == r)) for r in ("N-1", "N-2"))
    assert own == {ent_id(park, "E-1"): n1, ent_id(park, "E-4"): n2}
    assert not notices(park, enterprise_id=ent_id(park, "E-2"))  # the owner
    assert not notices(park, enterprise_id=ent_id(park, "E-3"))  # another offer: not a counterpart
    for n in got:
        d = n.data
        assert n.score == d["score"] > 0
        assert d["listing"]["waste_code"] == "900-214-08" and d["listing"]["category"] == "HW08"
        assert d["listing"]["quantity_t"] == 200 and d["listing"]["form"] == "liquid"
        assert d["distance_km"] > 0 and d["listing"]["distance_km"] == d["distance_km"]
        assert "匹配" in d["message"] and "fits your need" in d["message"]
        assert d["own_listing"]["id"] == n.own_listing_id


def test_a_new_need_notifies_the_offers_it_could_take(park):
    doc = {**NEED, "ref": "N-NEW", "title": "More waste oil", "title_zh": "再收废矿物油", "quantity_t": 500}
    listing = listings.create_listing(park, principal(park, "e1"), ListingSchema().load(doc))
    got = notices(park, kind="listing_fit", listing_id=listing.id)
    assert {n.enterprise_id for n in got} == {ent_id(park, "E-2"), ent_id(park, "E-3")}
    assert all("fits your offer" in n.data["message"] and "新需求" in n.data["message"] for n in got)
    for n in got:
        text = json.dumps(n.data, ensure_ascii=False)
        for secret in ("滨海再生资源有限公司", "E-1", "TJ-HW-0001", "N-NEW"):
            assert secret not in text, secret


def test_listing_fit_notices_leak_no_identity(park):
    listing = new_offer(park)
    got = notices(park, kind="listing_fit", listing_id=listing.id)
    assert got
    for n in got:
        text = json.dumps(n.data, ensure_ascii=False)
        for secret in E2_SECRETS + ("Mr Wang", "-800", "price", "lat", "lon"):
            assert secret not in text, (secret, text)
        assert "某企业" in n.data["listing"]["title_zh"]  # the owner's name in its own title is scrubbed


def test_renotifying_does_not_repeat_and_inactive_listings_push_nothing(park):
    listing = new_offer(park)
    before = len(notices(park))
    assert recommendations.notify_new_listing(park, listing) == 0
    assert len(notices(park)) == before
    listing.status = "paused"
    park.flush()
    assert recommendations.notify_new_listing(park, listing) == 0


def test_a_listing_nothing_fits_notifies_nobody(park):
    listing = new_offer(park, ref="O-GRAVEL", waste_code=None, ewc_code=None, form="solid",
                        title="Clean gravel", title_zh="碎石", composition=[{"name": "gravel", "fraction": 1.0}])
    assert not notices(park, kind="listing_fit", listing_id=listing.id)


def _proposals(park) -> list[Match]:
    run_matching(park, park=None, actor="test", settings=SETTINGS)
    return list(park.scalars(select(Match).where(Match.status == "proposed").order_by(Match.id)))


def test_match_proposals_notify_both_parties_anonymously(park):
    matches = _proposals(park)
    m = next(x for x in matches if x.offer.ref == "O-1")
    got = notices(park, match_id=m.id)
    assert {n.enterprise_id for n in got} == {ent_id(park, "E-1"), ent_id(park, "E-2")}
    assert {n.kind for n in got} == {"match_proposed"}
    by = {n.enterprise_id: n for n in got}
    to_garage = json.dumps(by[ent_id(park, "E-2")].data, ensure_ascii=False)
    for secret in ("滨海再生资源有限公司", "E-1", "TJ-HW-0001", "N-1", "39.0,", "117.7,"):
        assert secret not in to_garage, secret
    to_handler = json.dumps(by[ent_id(park, "E-1")].data, ensure_ascii=False)
    for secret in ("开发区汽车维修中心", "E-2", "O-1"):
        assert secret not in to_handler, secret
    assert by[ent_id(park, "E-2")].data["own_listing"]["ref"] == "O-1"  # one's own listing is shown
    assert not notices(park, user_id=get_user(park, API_USERS["coord"][0]).id)  # nothing to approve yet


def test_both_accepting_discloses_and_asks_the_coordinators(park):
    m = next(x for x in _proposals(park) if x.offer.ref == "O-1")
    workflow.decide(park, principal(park, "e2"), m.id, "accept")
    one = notices(park, match_id=m.id, kind="match_transition")
    # Only the other party is told (not the garage, which acted), and told which side accepted.
    assert [n.enterprise_id for n in one] == [ent_id(park, "E-1")]
    assert "供给方已接受，等待需求方" in one[0].data["message"]
    assert "the offer's holder accepted; waiting for the need's" in one[0].data["message"]
    assert all(not n.data["identified"] for n in one)
    workflow.decide(park, principal(park, "e1"), m.id, "accept")
    both = [n for n in notices(park, match_id=m.id, kind="match_transition") if n.data["status"] == "accepted"]
    parties = [n for n in both if n.enterprise_id is not None]
    to_garage = next(n for n in parties if n.enterprise_id == ent_id(park, "E-2"))
    assert to_garage.data["identified"] and to_garage.data["counterpart"]["enterprise"]["ref"] == "E-1"
    coords = [n for n in both if n.user_id is not None]
    coord_bh = get_user(park, API_USERS["coord"][0])
    assert [n.user_id for n in coords] == [coord_bh.id]  # BH's coordinator; NK's has no part in it
    assert coords[0].data["needs"] == "approval" and coords[0].data["licence"] == "TJ-HW-0001"
    assert coords[0].data["offer"]["enterprise"]["name"] == "开发区汽车维修中心"
    assert "请审批" in coords[0].data["message"]


def test_a_coordinator_sees_only_the_identities_of_their_parks(park):
    offer = park.scalar(select(Listing).where(Listing.ref == "O-1"))
    need = park.scalar(select(Listing).where(Listing.ref == "N-2"))  # the NK cement kiln
    m = workflow.propose(park, principal(park, "e2"), offer.id, need.id, settings=SETTINGS)
    assert {n.kind for n in notices(park, match_id=m.id)} == {"match_proposed"}
    workflow.decide(park, principal(park, "e2"), m.id, "accept")
    workflow.decide(park, principal(park, "e4"), m.id, "accept")
    coords = {n.user_id: n for n in notices(park, match_id=m.id) if n.user_id is not None}
    bh, nk = (get_user(park, API_USERS[k][0]).id for k in ("coord", "coord_nk"))
    assert set(coords) == {bh, nk}
    to_bh = json.dumps(coords[bh].data, ensure_ascii=False)
    assert "开发区汽车维修中心" in to_bh
    for secret in ("南港水泥有限公司", "E-4", "TJ-HW-0002", "N-2"):
        assert secret not in to_bh, secret
    to_nk = json.dumps(coords[nk].data, ensure_ascii=False)
    assert "南港水泥有限公司" in to_nk and "开发区汽车维修中心" not in to_nk


def test_reading_marks_only_ones_own(park):
    new_offer(park)
    e1, e3 = principal(park, "e1"), principal(park, "e3")
    mine = list(park.scalars(notifications.list_query(e1)))
    assert mine and not list(park.scalars(notifications.list_query(e3)))
    with pytest.raises(NotFound):
        notifications.mark_read(park, e3, mine[0].id)
    row = notifications.mark_read(park, e1, mine[0].id)
    assert row.read_at is not None
    first_read = row.read_at
    assert notifications.mark_read(park, e1, mine[0].id).read_at == first_read  # idempotent
    assert [n.id for n in park.scalars(notifications.list_query(e1, unread=False))] == [mine[0].id]
    assert notifications.mark_all_read(park, e1) == len(mine) - 1
    assert not list(park.scalars(notifications.list_query(e1, unread=True)))
    assert notifications.mark_all_read(park, e3) == 0
    admin = principal(park, "admin")
    assert not list(park.scalars(notifications.list_query(admin)))
    assert park.scalar(select(User).where(User.role == "admin")) is not None


def test_the_recipients_own_text_is_not_scrubbed_so_it_cannot_probe_who_is_hidden(park):
    # E-1 writes guesses of other enterprises' names and refs into its own need's title: had the notice scrubbed
    # them, the placeholder would have told E-1 which guess is the hidden poster (E-2) or counterpart (E-3).
    guess = "guess 开发区汽车维修中心 / E-2 / 滨海机动车检测维修有限公司 / E-3"
    n1 = park.scalar(select(Listing).where(Listing.ref == "N-1"))
    listings.update_listing(park, principal(park, "e1"), n1.id, {"title": guess})
    listing = new_offer(park)
    fit = notices(park, kind="listing_fit", listing_id=listing.id, enterprise_id=ent_id(park, "E-1"))
    assert len(fit) == 1
    assert fit[0].data["own_listing"]["title"] == guess and guess in fit[0].data["message"]
    assert "开发区汽车维修中心" not in json.dumps(fit[0].data["listing"], ensure_ascii=False)  # the poster stays hidden
    for m in _proposals(park):
        for n in notices(park, match_id=m.id, enterprise_id=ent_id(park, "E-1")):
            assert n.data["own_listing"]["title"] == guess and guess in n.data["message"]
            other = json.dumps(n.data["counterpart"], ensure_ascii=False)
            for secret in ("开发区汽车维修中心", "滨海机动车检测维修有限公司", m.offer.ref):
                assert secret not in other, secret


def test_a_reason_naming_the_counterpart_is_scrubbed_until_disclosed(park):
    m = next(x for x in _proposals(park) if x.offer.ref == "O-1")
    m.status_reason = "开发区汽车维修中心 (E-2) asked"
    park.flush()
    notifications.notify_match_event(park, m, "propose", actor="coordinator:c@x.test")
    to_e1 = notices(park, match_id=m.id, enterprise_id=ent_id(park, "E-1"))[-1]
    assert to_e1.data["reason"] == "某企业 (an enterprise) (某企业 (an enterprise)) asked"
