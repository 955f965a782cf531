"""Plausible but unusual listings are asked about, not stored silently (issue 17): far above the enterprise's
own history, the material's usual range, a park's largest streams; the same listing posted twice."""
from __future__ import annotations

import datetime as dt

import pytest

from marketplace.models import Listing
from marketplace.services.listings import listings as svc
from marketplace.services.listings.plausibility import HISTORY_FACTOR, Unconfirmed, questions
from tests.factories import api_principals

OIL = {"kind": "offer", "title": "Used engine oil, workshop 3", "title_zh": "废机油（三号车间）",
       "waste_code": "900-214-08", "form": "liquid", "quantity_t": 100, "period": "year"}
SLAG = {"kind": "offer", "title_zh": "钢渣", "form": "solid", "quantity_t": 1000, "period": "year"}


@pytest.fixture()
def who(session):
    return api_principals(session)


def _load(data: dict) -> dict:
    from web.api.listings import NewListing

    return NewListing().load(data)


def _asked(session, principal, data: dict) -> list[str]:
    with pytest.raises(Unconfirmed) as exc:
        svc.create_listing(session, principal, _load(data))
    assert exc.value.status == 422 and exc.value.errors["confirm"] == [q.key for q in exc.value.questions]
    return exc.value.errors["confirm"]


def test_far_above_the_enterprises_own_history_is_asked_about(session, who):
    # E-2's waste oil so far: O-1, 300 t a year.
    before = session.query(Listing).count()
    assert _asked(session, who["e2"], {**OIL, "title_zh": "废机油（四号车间）", "quantity_t": 7000}) == ["quantity"]
    # Per month counts as twelve: 600 t a month is 7,200 t a year.
    assert _asked(session, who["e2"], {**OIL, "title_zh": "废机油（五号车间）", "quantity_t": 600,
                                       "period": "month"}) == ["quantity"]
    assert session.query(Listing).count() == before
    limit = HISTORY_FACTOR * 300  # exactly twenty times: not asked
    assert svc.create_listing(session, who["e2"], _load({**OIL, "quantity_t": limit})).quantity_t == limit
    stored = svc.create_listing(session, who["e2"], _load({**OIL, "title_zh": "废机油（四号车间）", "quantity_t": 7000,
                                                           "confirm": ["quantity"]}))
    assert stored.quantity_t == 7000


def test_the_question_names_the_field_and_how_to_confirm(session, who):
    with pytest.raises(Unconfirmed) as exc:
        svc.create_listing(session, who["e2"], _load({**OIL, "quantity_t": 7000}))
    reason = exc.value.errors["quantity_t"][0]
    assert "7,000" in reason and "300" in reason and '"confirm": ["quantity"]' in reason and "请核对" in reason


def test_far_above_the_materials_usual_range_is_asked_about(session, who):
    # Three offers of 900-214-08 (300, 120, 250 t a year); E-1 has none of its own.
    svc.create_listing(session, who["e3"], _load({**OIL, "quantity_t": 250}))
    assert _asked(session, who["e1"], {**OIL, "quantity_t": 7000}) == ["quantity"]
    assert svc.create_listing(session, who["e1"], _load({**OIL, "quantity_t": 5000})).quantity_t == 5000


def test_more_than_a_parks_largest_streams_is_asked_about_whatever_the_history(session, who):
    assert _asked(session, who["e1"], {**SLAG, "quantity_t": 1_500_000}) == ["quantity"]
    assert svc.create_listing(session, who["e1"], _load({**SLAG, "quantity_t": 900_000})).quantity_t == 900_000


def test_the_same_listing_twice_is_asked_about_unless_old_or_closed(session, who):
    first = svc.create_listing(session, who["e2"], _load(OIL))
    assert _asked(session, who["e2"], OIL) == ["duplicate"]
    # A different quantity or title is another listing.
    assert svc.create_listing(session, who["e2"], _load({**OIL, "quantity_t": 101})).quantity_t == 101
    assert svc.create_listing(session, who["e2"], _load({**OIL, "confirm": ["duplicate"]})).id != first.id
    # Posted more than 30 days ago, or closed: not a slip of the same form.
    for x in session.query(Listing).filter(Listing.title_zh == OIL["title_zh"]):
        x.created_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    session.flush()
    assert questions(session, first.enterprise_id, OIL) == []


def test_an_edit_is_asked_about_its_new_quantity_only(session, who):
    listing = svc.create_listing(session, who["e2"], _load(OIL))
    svc.update_listing(session, who["e2"], listing.id, {"title": "Used engine oil, workshop 3 (drums)"})
    with pytest.raises(Unconfirmed):
        svc.update_listing(session, who["e2"], listing.id, {"quantity_t": 9000})
    assert listing.quantity_t == 100
    svc.update_listing(session, who["e2"], listing.id, {"quantity_t": 9000, "confirm": ["quantity"]})
    assert listing.quantity_t == 9000
