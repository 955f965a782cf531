"""A listing's plausible bounds in the wastematch.v1 schema: the API, the import and the form refuse the same."""
from __future__ import annotations

import math

import pytest
from marshmallow import ValidationError

from marketplace.schemas.interchange import MAX_ANNUAL_T, ListingSchema, max_quantity_t

BASE = {"ref": "O-9", "kind": "offer", "enterprise": "E-9", "title_zh": "钢渣", "form": "solid", "quantity_t": 10}


def errors(**changes) -> dict:
    try:
        ListingSchema().load({**BASE, **changes})
    except ValidationError as exc:
        return exc.messages
    return {}


def test_bounds_per_period_follow_from_the_annual_bound():
    assert max_quantity_t("year") == max_quantity_t("once") == MAX_ANNUAL_T == 100_000_000
    assert max_quantity_t("month") == pytest.approx(MAX_ANNUAL_T / 12)


@pytest.mark.parametrize(("changes", "field"), [
    ({"quantity_t": 1e9}, "quantity_t"),
    ({"quantity_t": 1e20}, "quantity_t"),
    ({"quantity_t": 1e-7}, "quantity_t"),
    ({"quantity_t": 0}, "quantity_t"),
    ({"quantity_t": math.nan}, "quantity_t"),
    ({"quantity_t": math.inf}, "quantity_t"),
    ({"quantity_t": 10_000_000, "period": "month"}, "quantity_t"),
    ({"price_cny_per_t": 1e12}, "price_cny_per_t"),
    ({"price_cny_per_t": -1e6}, "price_cny_per_t"),
    ({"kind": "need", "forms": ["solid"], "purpose": "recycle", "max_distance_km": 6000}, "max_distance_km"),
    ({"kind": "need", "forms": ["solid"], "purpose": "recycle", "max_distance_km": 0}, "max_distance_km"),
])
def test_out_of_bounds_values_are_refused_naming_the_field(changes, field):
    assert field in errors(**changes), changes


@pytest.mark.parametrize("changes", [
    {"quantity_t": 0.001}, {"quantity_t": 100_000_000}, {"quantity_t": 100_000_000, "period": "once"},
    {"quantity_t": 400_000, "period": "month"}, {"price_cny_per_t": -12000}, {"price_cny_per_t": 2_400_000},
    {"kind": "need", "forms": ["solid"], "purpose": "recycle", "max_distance_km": 300},
])
def test_values_within_bounds_are_accepted(changes):
    assert errors(**changes) == {}


def test_the_reason_is_bilingual_and_says_the_bound():
    reason = errors(quantity_t=1e9)["quantity_t"][0]
    assert "100,000,000" in reason and "请检查数字和单位" in reason
    assert "1 千克" in errors(quantity_t=1e-7)["quantity_t"][0]
