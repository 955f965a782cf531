"""``/listings`` and names typed without a CAS number: the resolution in the answer, refusing it, correcting it,
and ``composition_complete`` (issue 16)."""
from __future__ import annotations

import pytest

from marketplace.errors import ValidationFailed
from marketplace.services.listings.interchange import validate_document

OFFER = {"kind": "offer", "title_zh": "富余硫酸", "form": "liquid", "quantity_t": 200,
         "composition": [{"name": "硫酸", "fraction": 0.7}, {"name": "Fe", "fraction": 0.01},
                         {"name": "water", "cas": "7732-18-5", "fraction": 0.29}]}
KEYS = ("name", "cas", "resolved_cas", "resolved_by", "resolved_ambiguous")


def _rows(doc: dict, key: str = "composition") -> list[tuple]:
    return [tuple(c[k] for k in KEYS) for c in doc[key]]


def test_a_posted_name_comes_back_resolved_and_a_cas_is_kept_as_typed(api):
    res = api.post("listings", "e2", json=OFFER)
    assert res.status_code == 201, res.json
    assert _rows(res.json) == [("硫酸", None, "7664-93-9", "zh_name", False), ("Fe", None, "7439-89-6", "formula", False),
                               ("water", "7732-18-5", None, None, False)]
    assert res.json["composition_complete"] is False
    # Everyone's view carries it, the anonymised one too.
    other = api.get(f"listings/{res.json['id']}", "e3")
    assert other.status_code == 200 and _rows(other.json)[0][2] == "7664-93-9" and not other.json["identified"]


def test_resolve_false_refuses_it_and_it_stays_refused_true_asks_again(api):
    rows = [dict(r) for r in OFFER["composition"]]
    rows[1]["resolve"] = False
    res = api.post("listings", "e2", json={**OFFER, "composition": rows})
    assert res.status_code == 201 and _rows(res.json)[1] == ("Fe", None, None, "rejected", False)
    path = f"listings/{res.json['id']}"
    kept = api.patch(path, "e2", json={"quantity_t": 250, "composition": OFFER["composition"]})
    assert kept.status_code == 200 and _rows(kept.json)[1][3] == "rejected"
    rows[1]["resolve"] = True
    again = api.patch(path, "e2", json={"composition": rows})
    assert again.status_code == 200 and _rows(again.json)[1][2:4] == ("7439-89-6", "formula")
    rows[0] = {"name": "硫酸", "cas": "7664-93-9", "fraction": 0.7}  # the CAS number typed: the user's word
    fixed = api.patch(path, "e2", json={"composition": rows})
    assert _rows(fixed.json)[0] == ("硫酸", "7664-93-9", None, None, False)
    bad = api.patch(path, "e2", json={"composition": [{"name": "硫酸", "fraction": 0.7, "resolve": "perhaps"}]})
    assert bad.status_code == 422


def test_composition_complete_round_trips_through_the_api(api):
    res = api.post("listings", "e2", json={**OFFER, "composition_complete": True})
    assert res.status_code == 201 and res.json["composition_complete"] is True
    path = f"listings/{res.json['id']}"
    assert api.get(path, "e2").json["composition_complete"] is True
    assert api.patch(path, "e2", json={"composition_complete": False}).json["composition_complete"] is False
    assert api.get(path, "e2").json["composition_complete"] is False


def test_the_interchange_has_no_resolve_key(api):
    doc = {"format": "wastematch.v1", "listings": [{**OFFER, "ref": "O-X", "enterprise": "E-2",
                                                    "composition": [{"name": "硫酸", "fraction": 0.7,
                                                                     "resolve": False}]}]}
    with pytest.raises(ValidationFailed) as exc:
        validate_document(api.session, doc)
    assert "$.listings[0].composition[0].resolve" in exc.value.errors
