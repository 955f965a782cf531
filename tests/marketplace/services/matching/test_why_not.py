"""One-click says why (issue 17): the best excluded candidates with the check they fail, and an empty
answer's real reason (fully matched, paused, nothing within reach, every candidate failing a check)."""
from __future__ import annotations

import copy
import datetime as dt

import pytest
from sqlalchemy import select

from marketplace.models import Listing, Match
from marketplace.services.listings.interchange import import_document
from marketplace.services.matching.recommendations import recommend
from marketplace.services.matching.run_history import run_comparison
from marketplace.services.matching.runs import run_document, run_matching
from matching.problem import Settings
from tests.factories import GARAGE, PARK, small_document

SETTINGS = Settings()
MAKER = {"ref": "E-7", "name": "滨海化工原料有限公司", "park": "BH", "industry": "2611",
         "industry_name": "Inorganic acids", "province": "天津市", "lat": 39.03, "lon": 117.69}
# A surplus dilute acid (no waste code) and a need that requires at least 30 % H2SO4.
ACID_15 = {"ref": "O-ACID", "kind": "offer", "enterprise": "E-2", "title": "Dilute sulfuric acid", "title_zh": "稀硫酸",
           "form": "liquid", "quantity_t": 120, "period": "year", "available_from": "2026-01-01",
           "composition": [{"cas": "7664-93-9", "fraction": 0.15}, {"cas": "7732-18-5", "fraction": 0.85}],
           "composition_complete": True, "price_cny_per_t": 50}
NEEDS_30 = {"ref": "N-ACID", "kind": "need", "enterprise": "E-7", "title": "Sulfuric acid for pickling",
            "title_zh": "酸洗用硫酸", "quantity_t": 500, "period": "year", "available_from": "2026-01-01",
            "price_cny_per_t": 200, "forms": ["liquid"], "purpose": "reuse", "max_distance_km": 100,
            "wanted": [{"cas": "7664-93-9", "min_fraction": 0.30}]}


def acid_park(session, *listings):
    import_document(session, small_document(parks=[PARK], enterprises=[GARAGE, MAKER], listings=list(listings)),
                    actor="test")


def test_a_15_percent_offer_shows_the_30_percent_need_and_why_not(session):
    acid_park(session, ACID_15, NEEDS_30)
    for ref, other in (("O-ACID", "N-ACID"), ("N-ACID", "O-ACID")):
        (result,) = recommend(session, [ref], learned=False)["results"]
        assert result["recommendations"] == [] and result["empty_reason"] == "all_fail"
        assert result["note"].startswith("附近 1 个候选都未通过硬性检查") and " / all 1 candidates" in result["note"]
        (x,) = result["excluded"]
        assert x["listing"] == other and x["similarity"] > 0 and x["distance_km"] >= 0
        (c,) = [c for c in x["checks"] if c["code"] == "required_component"]
        assert not c["passed"] and c["hard"]
        zh, en = c["detail"].split(" / ", 1)
        assert "15%" in zh and "30%" in zh and "15%" in en and "30%" in en


def test_a_fully_matched_listing_says_so_not_that_no_partner_passes(session):
    import_document(session, small_document(), actor="test")
    run, _ = run_matching(session, park=None, actor="t", settings=SETTINGS)
    m = session.scalars(select(Match).where(Match.run_id == run.id)).one()
    assert m.quantity_t == pytest.approx(300)  # the whole offer
    m.status = "approved"
    session.flush()
    (result,) = recommend(session, ["O-1"], learned=False)["results"]
    assert result["empty_reason"] == "fully_matched" and result["recommendations"] == []
    assert result["note"].startswith("已全部匹配") and "hard check" not in result["note"]


def test_a_paused_listing_and_one_with_nothing_within_reach_say_their_reason(session):
    far = copy.deepcopy(NEEDS_30)
    far.update(ref="N-FAR", wanted=[], max_distance_km=1)
    far_maker = dict(MAKER, lat=39.6, lon=118.2)  # ~70 km away, beyond the 1 km the need accepts
    import_document(session, small_document(parks=[PARK], enterprises=[GARAGE, far_maker], listings=[ACID_15, far]),
                    actor="test")
    (result,) = recommend(session, ["N-FAR"], learned=False)["results"]
    assert result["empty_reason"] == "no_candidates" and result["excluded"] == []
    assert result["note"].startswith("附近没有可匹配的挂牌") and "no listing within reach" in result["note"]
    session.scalar(select(Listing).where(Listing.ref == "N-FAR")).status = "paused"
    session.flush()
    (result,) = recommend(session, ["N-FAR"], learned=False)["results"]
    assert result["empty_reason"] == "paused" and result["note"].startswith("挂牌已暂停")


def test_recommendations_carry_their_value_explained(session):
    import_document(session, small_document(), actor="test")
    (result,) = recommend(session, ["O-1"], learned=False)["results"]
    (r,) = result["recommendations"]
    v = r["value"]
    assert v["cny_per_t"] == r["weight"] and v["total_cny"] == pytest.approx(round(r["score"]))
    assert {p["term"] for p in v["parts"]} == {"quality", "hierarchy", "diversion", "price", "transport"}
    assert result["excluded"] == []  # the only other listing is the partner itself


def test_a_run_reports_tonnes_pairs_and_value_against_the_previous_run(session):
    import_document(session, small_document(), actor="test")
    first, result = run_matching(session, park=None, actor="t", settings=SETTINGS)
    doc = run_document(first, result)
    assert doc["totals"] == {"tonnes": pytest.approx(300), "pairs": 1, "value_cny": pytest.approx(result.objective)}
    assert doc["baseline"]["same_problem"] and doc["matches"][0]["value"]["cny_per_t"] == doc["matches"][0]["weight"]
    assert run_comparison(session, first)["previous"] is None
    second, _ = run_matching(session, park=None, actor="t", settings=SETTINGS)
    compared = run_comparison(session, second)
    assert compared["previous_run"] == first.id
    assert compared["now"] == {"tonnes": pytest.approx(300), "pairs": 1, "value_cny": pytest.approx(result.objective)}
    assert compared["change"] == {"tonnes": 0, "pairs": 0, "value_cny": 0}


def test_an_expired_listing_says_it_expired(session):
    old = dict(ACID_15, available_from="2025-01-01", available_to="2025-06-30")
    acid_park(session, old, dict(NEEDS_30, wanted=[]))
    (result,) = recommend(session, ["O-ACID"], learned=False, settings=Settings(today=dt.date(2026, 6, 1)))[
        "results"]
    assert result["recommendations"] == [] and result["empty_reason"] == "expired"
    assert "2025-06-30" in result["note"] and result["note"].startswith("挂牌已过期")
