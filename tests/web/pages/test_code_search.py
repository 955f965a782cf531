"""The listing form's waste-code type-ahead finds a material by its everyday names (issue 17).

"废硫酸", "硫酸", "sulfuric" and "spent acid" name no HW code literally; the glossary
(``catalog.material_terms``) knows them as sulfuric acid, a kind of spent acid (HW34).
"""
from __future__ import annotations

import pytest

from web.pages.lookup import glossary_words


def codes(pages, q: str) -> list[dict]:
    res = pages.get("/lookup/codes", query_string={"q": q})
    assert res.status_code == 200 and res.is_json
    return [i for i in res.json["items"] if i["kind"] == "hw"]


def test_the_glossary_words_of_a_query():
    own, broader = glossary_words("废硫酸")
    assert "硫酸" in own and "sulfuric acid" in own
    assert "废酸" in broader and "spent acid" in broader
    assert glossary_words("sulfuric")[0] == glossary_words("硫酸")[0]  # a prefix of "sulfuric acid"
    assert glossary_words("xyz") == ([], []) and glossary_words("ac") == ([], [])


@pytest.mark.parametrize("q", ["废硫酸", "硫酸", "sulfuric", "Sulfuric", "spent acid", "废酸"])
def test_spent_sulfuric_acid_finds_the_spent_acids(pages, q):
    pages.sign_in("e2")
    found = codes(pages, q)
    assert found, q
    top = found[:5]
    # The spent acids (HW34) lead; the code that names sulfuric acid itself, if any, first of all.
    assert all(i["category"] == "HW34" for i in top), (q, [i["code"] for i in top])
    assert sum(i["category"] == "HW34" for i in found) >= 5
    assert len(found) <= 20


def test_the_code_that_names_sulfuric_acid_ranks_first(pages):
    pages.sign_in("e2")
    for q in ("废硫酸", "硫酸", "sulfuric"):
        assert codes(pages, q)[0]["code"] == "264-013-34", q  # 硫酸法生产钛白粉…的废酸


def test_direct_matches_still_come_first(pages):
    pages.sign_in("e2")
    assert codes(pages, "900-300")[0]["code"] == "900-300-34"
    oil = codes(pages, "废矿物油")
    assert oil[0]["category"] == "HW08"
