"""Limits of the interchange schemas (issue 18): list lengths counted before reading, text lengths, numeric
ranges, and a duplicate check that is one pass over the rows."""
from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from marketplace.schemas import interchange
from marketplace.schemas.interchange import (
    DESCRIPTION_MAX,
    MAX_CAPACITY_T,
    MAX_COMPONENTS,
    MAX_DISTANCE_KM,
    MAX_LICENCES,
    MAX_LISTINGS,
    DocumentSchema,
    EnterpriseSchema,
    LicenceSchema,
    ListingSchema,
    ParkSchema,
    duplicates,
)

OFFER: dict[str, Any] = {"ref": "O-1", "kind": "offer", "enterprise": "E-1", "title": "Spent solvent",
                         "waste_code": "900-402-06", "form": "liquid", "quantity_t": 40}
NEED: dict[str, Any] = {"ref": "N-1", "kind": "need", "enterprise": "E-1", "title": "Solvent", "forms": ["liquid"],
                        "purpose": "recycle", "quantity_t": 40}
LICENCE: dict[str, Any] = {"number": "L-1", "kind": "hw_comprehensive", "categories": ["HW06"],
                           "activities": ["utilise"], "annual_capacity_t": 5000, "valid_from": "2025-01-01"}
ENTERPRISE: dict[str, Any] = {"ref": "E-1", "name": "甲", "lat": 31.2, "lon": 120.6}


def _errors(schema: Any, data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        schema.load(data)
    return caught.value.messages


def _rows(n: int, role: str = "composition") -> list[dict[str, Any]]:
    amount = {"composition": "fraction", "wanted": "min_fraction", "limits": "max_fraction"}[role]
    return [{"name": f"substance {i}", amount: 0.0} for i in range(n)]


def test_duplicates_are_found_in_one_pass_keeping_the_message():
    assert duplicates(["a", "b", "a", "c", "b", "a"]) == ["a", "b"]
    assert duplicates([]) == []
    assert duplicates([f"s{i}" for i in range(8000)]) == []
    # 8,000 rows with one repeated at the end: found (the quadratic keys.count() took 1.6 s on this size).
    assert duplicates([f"s{i}" for i in range(8000)] + ["s17"]) == ["s17"]


def test_a_listing_naming_a_substance_twice_is_refused_per_role():
    rows = [{"cas": "108-88-3", "fraction": 0.2}, {"name": "x", "fraction": 0.1}, {"cas": "108-88-3", "fraction": 0.1}]
    errors = _errors(ListingSchema(), {**OFFER, "composition": rows})
    assert errors["composition"] == ["substances listed twice: ['108-88-3'] (物质重复列出：108-88-3)"]
    wanted = [{"name": "toluene", "min_fraction": 0.1}, {"name": "toluene", "min_fraction": 0.2}]
    assert _errors(ListingSchema(), {**NEED, "wanted": wanted})["wanted"][0].startswith(
        "substances listed twice: ['toluene']")


@pytest.mark.parametrize("role", ["composition", "wanted", "limits"])
def test_component_lists_are_bounded(role):
    base = NEED if role != "composition" else OFFER
    ListingSchema().load({**base, role: _rows(MAX_COMPONENTS, role)})  # the limit itself is accepted
    errors = _errors(ListingSchema(), {**base, role: _rows(MAX_COMPONENTS + 1, role)})
    told = f"at most {MAX_COMPONENTS} substances, got {MAX_COMPONENTS + 1} (条目过多：最多 {MAX_COMPONENTS} 条)"
    assert errors[role] == [told]


def test_a_huge_list_is_refused_before_its_rows_are_read():
    # 200,000 rows that are not even objects: refused by their count, so no row's own error is reported.
    errors = _errors(ListingSchema(), {**OFFER, "composition": ["not a row"] * 200_000})
    assert errors["composition"][0].startswith(f"at most {MAX_COMPONENTS} substances, got 200,000")


def test_a_long_description_is_refused():
    ListingSchema().load({**OFFER, "description": "说" * DESCRIPTION_MAX})
    errors = _errors(ListingSchema(), {**OFFER, "description": "x" * (20 * 2**20)})
    assert errors["description"] == [f"at most {DESCRIPTION_MAX:,} characters (描述最多 {DESCRIPTION_MAX:,} 字)"]


@pytest.mark.parametrize(("field", "value"), [("waste_code", "9" * 10_000), ("title", "t" * 301)])
def test_listing_texts_are_bounded(field, value):
    assert field in _errors(ListingSchema(), {**OFFER, field: value})


def test_a_cas_number_of_a_megabyte_is_refused_before_it_is_normalised():
    errors = _errors(ListingSchema(), {**OFFER, "composition": [{"cas": "１" * 2**20, "fraction": 0.5}]})
    assert errors["composition"][0]["cas"] == ["not a CAS number: longer than 40 characters (CAS 号过长)"]


@pytest.mark.parametrize(("schema", "data", "field"), [
    (ListingSchema(), {**OFFER, "quantity_t": 1e308}, "quantity_t"),
    (ListingSchema(), {**OFFER, "price_cny_per_t": 1e308}, "price_cny_per_t"),
    (ListingSchema(), {**OFFER, "price_cny_per_t": -1e308}, "price_cny_per_t"),
    (ListingSchema(), {**NEED, "max_distance_km": 1e308}, "max_distance_km"),
    (ListingSchema(), {**OFFER, "composition": [{"name": "x", "fraction": 1e308}]}, "composition"),
    (LicenceSchema(), {**LICENCE, "annual_capacity_t": 1e308}, "annual_capacity_t"),
    (LicenceSchema(), {**LICENCE, "annual_capacity_t": MAX_CAPACITY_T * 1.01}, "annual_capacity_t"),
    (ParkSchema(), {"code": "P", "name": "园区", "hw_max_distance_km": 1e308}, "hw_max_distance_km"),
    (ParkSchema(), {"code": "P", "name": "园区", "hw_max_distance_km": MAX_DISTANCE_KM + 1}, "hw_max_distance_km"),
    (EnterpriseSchema(), {**ENTERPRISE, "lat": 1e308}, "lat"),
])
def test_no_number_accepts_1e308(schema, data, field):
    assert field in _errors(schema, data)


def test_licence_lists_and_an_enterprises_licences_are_bounded():
    errors = _errors(LicenceSchema(), {**LICENCE, "codes": ["900-041-49"] * 1001, "categories": ["HW06"] * 51})
    assert errors["codes"][0].startswith("at most 1,000 codes")
    assert errors["categories"][0].startswith(f"at most {len(interchange.KNOWN_CATEGORIES)} categories")
    licences = [{**LICENCE, "number": f"L-{i}"} for i in range(MAX_LICENCES + 1)]
    assert _errors(EnterpriseSchema(), {**ENTERPRISE, "licences": licences})["licences"][0].startswith(
        f"at most {MAX_LICENCES} licences")


def test_a_document_holds_at_most_max_listings():
    doc = {"format": interchange.FORMAT, "listings": [{}] * (MAX_LISTINGS + 1)}
    assert _errors(DocumentSchema(), doc)["listings"][0].startswith(f"at most {MAX_LISTINGS:,} listings")
    assert DocumentSchema().load({"format": interchange.FORMAT, "listings": [OFFER]})["listings"][0]["ref"] == "O-1"


def test_the_bounded_list_states_its_maximum_in_the_openapi_metadata():
    assert ListingSchema().fields["composition"].metadata["maxItems"] == MAX_COMPONENTS


def test_an_hw_code_typed_with_a_chinese_input_method_or_copied_from_a_pdf_is_read():
    assert ListingSchema().load({**OFFER, "waste_code": "９００－４０２－０６"})["waste_code"] == "900-402-06"
    assert ListingSchema().load({**OFFER, "waste_code": "HW06 900 402 06"})["waste_code"] == "900-402-06"
    assert LicenceSchema().load({**LICENCE, "codes": ["900–402–06"]})["codes"] == ["900-402-06"]
    assert "waste_code" in _errors(ListingSchema(), {**OFFER, "waste_code": "HW08 900-402-06"})  # contradicts


def test_an_ewc_code_copied_from_the_list_is_read():
    assert ListingSchema().load({**OFFER, "ewc_code": "13 02 05*"})["ewc_code"] == "130205"
    assert ListingSchema().load({**OFFER, "ewc_code": "１３－０２－０５"})["ewc_code"] == "130205"
    assert _errors(ListingSchema(), {**OFFER, "ewc_code": "13 0205"})["ewc_code"][0].startswith("must be six digits")
