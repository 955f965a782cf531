"""The curated exemption rules (matching.exemptions) against the official 2021 list.

The comparison with the published PDF is skipped when ../shared is absent.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.waste_codes import is_hw_code
from matching.exemptions import (
    EXEMPTION_RULES,
    LIFTING_RULES,
    NEUTRALISER_LIMITS,
    ONLY_CORROSIVE_LIMITS,
    TRANSPORT_RULES,
    offer_qualifies,
    receiver_qualifies,
    rules_naming,
)
from matching.problem import FORMS, PURPOSES

PDF = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "hw-list-2021" / "gjwxfwml.pdf"
STAGE_ZH = {"utilise": "利用", "dispose": "处置", "transport": "运输"}


def test_rules_are_well_formed():
    keys = [r.key for r in EXEMPTION_RULES]
    assert len(set(keys)) == len(keys)
    assert 8 <= len(EXEMPTION_RULES) <= 16
    for r in EXEMPTION_RULES:
        assert r.codes or r.categories
        assert all(is_hw_code(c) for c in r.codes)
        assert STAGE_ZH[r.stage] == r.stage_zh
        assert r.name_zh and r.name_en and r.conditions_zh and r.conditions_en
        assert r.lifts_licence == (r.stage != "transport")
        if r.lifts_licence:
            assert r.purposes and r.purposes <= set(PURPOSES) and r.receiver_industries
        assert r.forms is None or r.forms <= set(FORMS)
    assert set(LIFTING_RULES) | set(TRANSPORT_RULES) == set(range(len(EXEMPTION_RULES)))


def test_neutraliser_is_stricter_than_raw_material():
    raw = dict(ONLY_CORROSIVE_LIMITS)
    for cas, limit in NEUTRALISER_LIMITS:
        assert limit <= raw[cas] / 10 or limit < raw[cas]


def test_scalar_predicates():
    acid = EXEMPTION_RULES[rules_naming("900-300-34")[0]]
    assert offer_qualifies(acid, "900-300-34", "liquid", {"7664-93-9": 0.2}, "", 1)[0]
    ok, why = offer_qualifies(acid, "900-300-34", "liquid", {"7439-92-1": 0.01}, "", 1)
    assert not ok and "7439-92-1" in why
    assert receiver_qualifies(acid, "recycle", "2611")[0]
    assert not receiver_qualifies(acid, "recycle", None)[0]
    assert not receiver_qualifies(acid, "dispose", "2611")[0]
    transport = EXEMPTION_RULES[TRANSPORT_RULES[0]]
    assert receiver_qualifies(transport, "recycle", "3212") == (False, "transport stage only")


@pytest.fixture(scope="module")
def official():
    if not PDF.is_file():
        pytest.skip(f"{PDF} not available")
    from catalog.hw_list_pdf import parse_hw_list_pdf
    return parse_hw_list_pdf(PDF)


@pytest.mark.slow
def test_each_rule_matches_an_official_row(official):
    for r in EXEMPTION_RULES:
        rows = [e for e in official.exemptions if e.number == r.number and r.stage_zh in e.stage]
        assert rows, f"no row {r.number} with stage {r.stage_zh}"
        named = set().union(*(set(e.codes) for e in rows)), set().union(*(set(e.categories) for e in rows))
        assert r.codes == named[0] and r.categories == named[1], r.key


@pytest.mark.slow
def test_collection_codes_reading(official):
    # The collection licence's statutory scope: 机动车维修 waste oil is 900-214-08 and
    # 废镉镍电池 is 900-044-49 (the only code naming Cd-Ni batteries; it also names phosphors
    # and CRTs, hence the rules' battery-keyword test).
    codes = {c.code: c.description for c in official.codes}
    assert "维修" in codes["900-214-08"] and "废发动机油" in codes["900-214-08"]
    mentions = sorted(c for c, text in codes.items() if "镉镍电池" in text or "镍镉电池" in text)
    assert mentions == ["384-002-26", "900-044-49"]  # battery-making residues; discarded batteries
    assert "废弃的镉镍电池" in codes["900-044-49"]
    assert "阴极射线管" in codes["900-044-49"]
    # ... and the exemption list has only a transport row for it (CRT lead glass, row 27)
    rows = [e for e in official.exemptions if "900-044-49" in e.codes]
    assert [e.stage for e in rows] == ["运输"] and "阴极射线管" in rows[0].waste


def test_metal_limits_count_the_metal_in_its_salts():
    """5 % copper sulfate is 2 % copper: a spent acid carrying it is not 'only corrosive'."""
    from matching.exemptions import EXEMPTION_RULES, offer_qualifies

    rule = next(r for r in EXEMPTION_RULES if r.max_fractions and "7440-50-8" in dict(r.max_fractions))
    code = next(iter(rule.codes), None) or "900-300-34"
    clean = {"7664-93-9": 0.2, "7732-18-5": 0.8}
    with_salt = {"7664-93-9": 0.2, "7758-98-7": 0.05, "7732-18-5": 0.75}
    form = next(iter(rule.forms)) if rule.forms else "liquid"
    from catalog.reactivity import ACID
    assert offer_qualifies(rule, code, form, clean, "废酸 spent acid", ACID)[0]
    ok, why = offer_qualifies(rule, code, form, with_salt, "废酸 spent acid", ACID)
    assert not ok and "7440-50-8" in why
