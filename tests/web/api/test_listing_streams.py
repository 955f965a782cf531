"""The API's listings carry their waste stream and category; a contradicting stream is a 422 on its field."""
from __future__ import annotations

DEMOLITION = {"kind": "offer", "title": "Demolition waste", "title_zh": "拆除垃圾", "category": "CW04",
              "form": "solid", "quantity_t": 8000, "period": "year"}


def test_posted_listings_carry_the_inferred_stream(api):
    res = api.post("listings", "e2", json=DEMOLITION)
    assert res.status_code == 201, res.json
    assert (res.json["stream"], res.json["category"], res.json["hazardous"]) == ("construction", "CW04", False)
    oil = api.post("listings", "e2", json={**DEMOLITION, "category": None, "waste_code": "900-214-08",
                                           "title": "Used oil", "title_zh": "废机油", "form": "liquid",
                                           "quantity_t": 30})
    assert oil.status_code == 201 and oil.json["stream"] == "hazardous"
    seen = api.get(f"listings/{res.json['id']}", "e1")  # another enterprise: anonymised, the stream still shown
    assert seen.status_code == 200 and seen.json["stream"] == "construction" and not seen.json["identified"]


def test_a_stream_may_be_changed_and_must_fit_the_code(api):
    res = api.post("listings", "e2", json={**DEMOLITION, "category": None, "stream": "household"})
    assert res.status_code == 201 and res.json["stream"] == "household"
    moved = api.patch(f"listings/{res.json['id']}", "e2", json={"category": "HH05"})
    assert moved.status_code == 200 and (moved.json["stream"], moved.json["category"]) == ("household", "HH05")
    wrong = api.patch(f"listings/{res.json['id']}", "e2", json={"stream": "agricultural"})
    assert wrong.status_code == 422 and "HH05" in wrong.json["errors"]["stream"][0]
    bad = api.post("listings", "e2", json={**DEMOLITION, "stream": "space"})
    assert bad.status_code == 422 and set(bad.json["errors"]["json"]) == {"stream"}


def test_listings_are_searched_by_stream(api):
    spoil = api.post("listings", "e2", json=DEMOLITION)
    assert spoil.status_code == 201
    found = api.get("listings?stream=construction", "e2").json["items"]
    assert [x["id"] for x in found] == [spoil.json["id"]]
    coded = api.get("listings?stream=hazardous", "e2").json["items"]
    assert coded and all(x["stream"] == "hazardous" and x["waste_code"] for x in coded)
    assert api.get("listings?stream=space", "e2").status_code == 422
