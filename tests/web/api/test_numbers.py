"""The API's added numbers (issue 17): each recommendation's value explained, "why not" anonymised, an empty
answer's reason, and a run's outcome and baseline."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.models import Listing
from marketplace.services.listings.interchange import import_document
from tests.factories import PARK
from tests.marketplace.services.matching.test_why_not import ACID_15, MAKER, NEEDS_30
from tests.web.api.test_confidentiality import leaks, secrets_hidden_from


def test_a_recommendation_carries_its_value_without_the_hidden_price(api):
    o1 = api.session.scalar(select(Listing.id).where(Listing.ref == "O-1"))
    doc = api.get(f"listings/{o1}/recommendations", "e2").json
    (r, *_) = doc["recommendations"]
    v = r["value"]
    assert v["cny_per_t"] == r["weight"] and v["quantity_t"] == r["quantity_t"]
    # Not disclosed yet: the price part is left out (it would reveal the counterpart's price) and said so.
    assert v["price_hidden"] and "price" not in {p["term"] for p in v["parts"]} and "price" not in r["terms"]
    assert all(p["meaning_zh"] and p["meaning_en"] for p in v["parts"])


def test_why_not_is_anonymised_exactly_as_the_partners_are(api):
    import_document(api.session, {"format": "wastematch.v1", "parks": [PARK], "enterprises": [MAKER],
                                  "listings": [ACID_15, NEEDS_30]}, actor="test")
    api.session.flush()
    acid = api.session.scalar(select(Listing.id).where(Listing.ref == "O-ACID"))
    doc = api.get(f"listings/{acid}/recommendations", "e2").json
    assert doc["empty_reason"] in ("all_fail", "no_fit") and doc["candidates"]["failed"] >= 1
    (x,) = [x for x in doc["excluded"] if x["counterpart"]["title_zh"] == "酸洗用硫酸"]
    assert x["enterprise"] is None and not x["counterpart"]["identified"]
    (c,) = [c for c in x["checks"] if c["code"] == "required_component"]
    assert "15%" in c["detail"] and "30%" in c["detail"]
    assert leaks(doc, secrets_hidden_from(api, "E-2")) == []


def test_a_run_carries_its_outcome_and_the_baseline_of_the_same_problem(api):
    made = api.post("match-runs", "coord", json={"park": "BH"})
    assert made.status_code in (200, 201), made.json
    run = api.get(f"match-runs/{made.json['id']}", "coord").json
    assert run["outcome"]["pairs"] == run["matches"] and run["outcome"]["tonnes"] is not None
    assert all(isinstance(v, int) for v in run["counts"].values())  # tonnes and value ride in outcome
    assert run["baseline"]["same_problem"] and run["baseline"]["objective"] == run["greedy_objective"]
    assert run["greedy_objective"] <= run["objective"] + 1e-6
