"""Typed quantities through the API (issue 17): bounds refused with 422 naming the field; unusual values and
likely duplicates refused until confirmed with ``confirm``; the page asks the same questions."""
from __future__ import annotations

OIL = {"kind": "offer", "title_zh": "废机油（三号车间）", "waste_code": "900-214-08", "form": "liquid",
       "quantity_t": 100}


def test_out_of_bounds_quantities_prices_and_distances_are_refused(api):
    for body in ({**OIL, "quantity_t": 1e9}, {**OIL, "quantity_t": 1e-7}, {**OIL, "quantity_t": 99999999999999999999},
                 {**OIL, "quantity_t": 10_000_000, "period": "month"}, {**OIL, "price_cny_per_t": 1e12}):
        res = api.post("listings", "e2", json=body)
        assert res.status_code == 422, body
        assert set(res.json["errors"]["json"]) <= {"quantity_t", "price_cny_per_t"}, res.json
    need = {"kind": "need", "title_zh": "废矿物油", "forms": ["liquid"], "purpose": "recycle", "quantity_t": 100,
            "max_distance_km": 6000}
    assert "max_distance_km" in api.post("listings", "e2", json=need).json["errors"]["json"]
    res = api.post("listings", "e2", json={**OIL, "quantity_t": "1e9"})
    assert res.status_code == 422


def test_an_unusual_quantity_is_refused_until_confirmed(api):
    res = api.post("listings", "e2", json={**OIL, "quantity_t": 7000})  # E-2's largest waste oil: 300 t a year
    assert res.status_code == 422 and res.json["errors"]["confirm"] == ["quantity"]
    assert '"confirm": ["quantity"]' in res.json["errors"]["quantity_t"][0]
    res = api.post("listings", "e2", json={**OIL, "quantity_t": 7000, "confirm": ["quantity"]})
    assert res.status_code == 201 and res.json["quantity_t"] == 7000
    assert api.post("listings", "e2", json={**OIL, "confirm": ["anything"]}).status_code == 422


def test_a_likely_duplicate_is_refused_until_confirmed(api):
    assert api.post("listings", "e2", json=OIL).status_code == 201
    again = api.post("listings", "e2", json=OIL)
    assert again.status_code == 422 and again.json["errors"]["confirm"] == ["duplicate"]
    assert api.post("listings", "e2", json={**OIL, "confirm": ["duplicate"]}).status_code == 201


def test_an_edit_to_an_unusual_quantity_is_refused_until_confirmed(api):
    created = api.post("listings", "e2", json=OIL).json
    res = api.patch(f"listings/{created['id']}", "e2", json={"quantity_t": 9000})
    assert res.status_code == 422 and res.json["errors"]["confirm"] == ["quantity"]
    res = api.patch(f"listings/{created['id']}", "e2", json={"quantity_t": 9000, "confirm": ["quantity"]})
    assert res.status_code == 200 and res.json["quantity_t"] == 9000
