"""The bilingual glossary of materials: what a title names, in either language."""
from __future__ import annotations

from catalog.material_terms import GENERIC, TERM_KEYS, TERMS, concepts, expand


def test_the_same_material_in_chinese_and_in_english():
    assert "fly_ash" in concepts("燃煤电厂粉煤灰")
    assert "fly_ash" in concepts("Fly ash as cement extender")
    assert "sulfuric_acid" in concepts("烷基化废硫酸")
    assert "sulfuric_acid" in concepts("Spent sulphuric acid for regeneration")
    assert "scrap_steel" in concepts("冲压废钢边角料")
    assert "scrap_steel" in concepts("Steel turnings for the electric arc furnace")


def test_expand_writes_both_languages():
    words = expand("粉煤灰")
    assert "粉煤灰" in words and "fly ash" in words
    words = expand("Used engine oil")
    assert "废油" in words and "waste oil" in words


def test_a_longer_chinese_word_is_consumed_first():
    # 盐酸 is hydrochloric acid, not salt; 水泥 is cement, not water; 盐碱地 is a soil amendment, not alkali
    assert "salt" not in concepts("废盐酸")
    assert "hydrochloric_acid" in concepts("废盐酸")
    assert concepts("水泥缓凝剂用石膏") == ("gypsum", "cement", "set_retarder")
    assert "alkali" not in concepts("盐碱地改良")


def test_english_matches_whole_words_and_plurals():
    assert "tyre" in concepts("End-of-life car tyres")
    assert "pet" in concepts("Used PET bottles")
    assert "pet" not in concepts("Carpet offcuts")
    assert "lead" not in concepts("Leaded glass")  # "leaded" is not the word "lead"


def test_unrelated_products_name_no_material():
    for title in ("电池级碳酸锂", "药用乳糖（片剂填充剂）", "Battery-grade lithium carbonate", "太阳能级多晶硅",
                  "对乙酰氨基酚原料药", "Electronic-grade hydrogen peroxide"):
        assert not set(concepts(title)) - GENERIC - {"hydrogen_peroxide"}, title


def test_keys_are_unique_and_every_term_has_both_languages():
    assert len(set(TERM_KEYS)) == len(TERMS)
    for term in TERMS:
        assert term.zh and term.en and all(term.zh) and all(term.en), term.key
    assert GENERIC <= set(TERM_KEYS)
