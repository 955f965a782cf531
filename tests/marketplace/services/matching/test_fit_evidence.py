"""No fit, no recommendation through the service: an unrelated buyer next door is never offered, and
a short list says why it is short (issue 16)."""
from __future__ import annotations

from marketplace.services.listings.interchange import import_document
from marketplace.services.matching.recommendations import recommend
from tests.factories import GARAGE, PARK, api_document, small_document

# An electronics plant beside the garages, paying well for a liquid it uses: nothing in the park is that liquid.
FAB = {"ref": "E-9", "name": "滨海电子材料有限公司", "park": "BH", "industry": "3985",
       "industry_name": "Electronic special materials", "province": "天津市", "lat": 39.051, "lon": 117.651}
IPA_NEED = {"ref": "N-IPA", "kind": "need", "enterprise": "E-9", "title": "Electronic-grade isopropanol",
            "title_zh": "电子级异丙醇", "quantity_t": 500, "period": "year", "available_from": "2026-01-01",
            "price_cny_per_t": 20000, "forms": ["liquid"], "purpose": "reuse", "max_distance_km": 300,
            "composition": [{"cas": "67-63-0", "fraction": 0.9999}]}


def test_an_unrelated_buyer_next_door_is_not_recommended_and_the_short_list_says_so(session):
    import_document(session, api_document(), actor="test")
    import_document(session, small_document(parks=[PARK], enterprises=[GARAGE, FAB], listings=[IPA_NEED]),
                    actor="test")
    (result,) = recommend(session, ["O-1"], top=5, learned=False)["results"]
    partners = [r["listing"] for r in result["recommendations"]]
    assert "N-IPA" not in partners
    assert partners and len(partners) < 5
    assert result["note"].startswith(f"仅 {len(partners)} 个伙伴")
    assert f" / only {len(partners)} of the 5 asked for" in result["note"]
    assert all(r["reasons"][0].startswith("适配依据：") for r in result["recommendations"])

    (alone,) = recommend(session, ["N-IPA"], top=5, learned=False)["results"]
    assert alone["recommendations"] == []
    # The real reason, in both languages: the IPA need's candidates within reach (waste oils) all fail a
    # hard check (the fab holds no HW licence), and "why not" names it for each.
    assert alone["empty_reason"] == "all_fail", alone
    assert "都未通过硬性检查" in alone["note"] and "fail a hard check" in alone["note"]
    assert alone["excluded"] and all("hw_licence" in {c["code"] for c in x["checks"]}
                                     for x in alone["excluded"])
