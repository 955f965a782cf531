"""The emission-factor table: cited, bilingual, and arithmetic that never invents savings."""
from __future__ import annotations

import pytest

from catalog.emission_factors import (
    MATERIAL_CLASSES, PATHWAYS, ROAD_FREIGHT_KG_CO2E_PER_TKM, ROAD_FREIGHT_SOURCE, SOURCES,
    avoided_co2e_kg, classify_material, factor_table, purpose_pathway, route_pathway,
    sources_table, transport_co2e_kg,
)


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("mc", MATERIAL_CLASSES.values(), ids=lambda m: m.key)
def test_every_class_is_bilingual_cited_and_uses_known_pathways(mc):
    assert mc.key in MATERIAL_CLASSES and MATERIAL_CLASSES[mc.key] is mc
    assert _has_cjk(mc.name_zh) and mc.name_en.isascii() and mc.name_en
    assert mc.note and "\n" not in mc.note
    assert set(mc.factors) <= set(PATHWAYS)
    assert all(k in SOURCES for k in mc.sources)
    # A number needs a source; a class without numbers needs none.
    assert bool(mc.factors) == bool(mc.sources)


def test_sources_have_locators_and_road_freight_source_exists():
    assert ROAD_FREIGHT_SOURCE in SOURCES
    for s in SOURCES.values():
        assert s.title and s.publisher and s.locator
    rows = sources_table()
    assert {r["key"] for r in rows} == set(SOURCES)
    assert all(r["citation"] for r in rows)


def test_other_has_no_factors_and_factors_table_is_read_only():
    assert dict(MATERIAL_CLASSES["other"].factors) == {}
    with pytest.raises(TypeError):
        MATERIAL_CLASSES["ferrous_scrap"].factors["recycling"] = -99.0  # type: ignore[index]


@pytest.mark.parametrize(("code", "title", "expected"), [
    ("900-404-06", "正极涂布NMP回收液", "solvent"),
    ("900-214-08", None, "mineral_oil"),
    ("398-004-22", "酸性蚀刻废液", "copper_bearing"),
    (None, "粉煤灰(II级)", "ash_slag"),
    (None, "脱硫石膏", "gypsum"),
    (None, "注塑PP边角料", "plastics"),
    ("841-001-01", None, "medical_destruction"),
    ("900-349-34", None, "acid_alkali"),
    ("900-048-50", "废催化剂", "catalyst"),
    ("SW02", None, "ash_slag"),
    ("441-001-S06", None, "gypsum"),
    (None, "钢渣", "ash_slag"),  # slag, not steel scrap
    (None, "含铜污泥", "copper_bearing"),  # copper, not biomass
    (None, "啤酒酒糟", "biomass"),
    (None, "废钢边角料", "ferrous_scrap"),
    (None, "Spent acetone", "solvent"),
    (None, "废油漆", "other"),  # paint is not mineral oil
    (None, "pipe type fittings", "other"),  # "pe" only as a whole token
    (None, "未知物料", "other"),
    (None, None, "other"),
])
def test_classify_typical_inputs(code, title, expected):
    assert classify_material(waste_code=code, title=title) == expected


def test_classify_falls_back_to_cas_and_always_returns_a_known_class():
    assert classify_material(waste_code=None, title="回收液", cas=("CAS 872-50-4",)) == "solvent"
    assert classify_material(waste_code=None, cas=("７６６４－９３－９",)) == "acid_alkali"
    assert classify_material(waste_code="900-999-49", title=None, cas=("50-00-0",)) == "other"
    assert classify_material(waste_code="not a code", title="???") in MATERIAL_CLASSES


@pytest.mark.parametrize(("route", "expected"), [
    ("landfill", "landfill"), ("incineration", "incineration"),
    ("disposal", "incineration"), ("storage", "incineration"),
    ("sale", None), (None, None), ("", None), ("teleport", None),
])
def test_route_pathway(route, expected):
    assert route_pathway(route) == expected


@pytest.mark.parametrize(("purpose", "expected"), [
    ("reuse", "recycling"), ("recycle", "recycling"), ("co_process", "co_processing"),
    ("recover_energy", "energy_recovery"), ("dispose", "incineration"), (None, None), ("other", None),
])
def test_purpose_pathway(purpose, expected):
    assert purpose_pathway(purpose) == expected


def test_avoided_co2e_matches_the_table_by_hand():
    f = MATERIAL_CLASSES["ferrous_scrap"].factors
    assert avoided_co2e_kg("ferrous_scrap", 12.5, "landfill", "recycle") == pytest.approx(
        12.5 * (f["landfill"] - f["recycling"]))
    assert avoided_co2e_kg("ferrous_scrap", 12.5, "landfill", "recycle") == pytest.approx(18750.0)
    s = MATERIAL_CLASSES["solvent"].factors
    assert avoided_co2e_kg("solvent", 3.0, "disposal", "reuse") == pytest.approx(3.0 * (s["incineration"] - s["recycling"]))


def test_derived_factors_follow_the_stated_arithmetic():
    assert MATERIAL_CLASSES["solvent"].factors["incineration"] == 2220.0  # NMP C 60.58 % × 44.01/12.011
    assert MATERIAL_CLASSES["mineral_oil"].factors["incineration"] == 3137.0  # (CH2)n
    assert MATERIAL_CLASSES["plastics"].factors["incineration"] == 3137.0
    assert MATERIAL_CLASSES["ash_slag"].factors["recycling"] == -507.0  # 0.646 × 44.01/56.08
    assert MATERIAL_CLASSES["ferrous_scrap"].factors["recycling"] == -1500.0  # 975 / 650 Mt


@pytest.mark.parametrize(("material", "route", "purpose"), [
    ("ferrous_scrap", "sale", "recycle"),  # already sold: no baseline
    ("ferrous_scrap", None, "recycle"),
    ("ferrous_scrap", "landfill", None),
    ("other", "landfill", "recycle"),  # unknown material never invents savings
    ("copper_bearing", "disposal", "recycle"),  # no factor: no claim
    ("ash_slag", "disposal", "reuse"),  # incineration factor missing for ash
    ("solvent", "disposal", "co_process"),  # co-processing factor missing
    ("no_such_class", "landfill", "recycle"),
])
def test_avoided_is_zero_without_a_baseline_or_factor(material, route, purpose):
    assert avoided_co2e_kg(material, 10.0, route, purpose) == 0.0


def test_transport_arithmetic():
    assert transport_co2e_kg(0) == 0.0
    assert transport_co2e_kg(20 * 35) == pytest.approx(700 * ROAD_FREIGHT_KG_CO2E_PER_TKM)
    assert transport_co2e_kg(1000) == pytest.approx(123.66)


def test_factor_table_is_plain_data_for_every_class_plus_freight():
    rows = factor_table()
    assert [r["key"] for r in rows if r["kind"] == "material"] == list(MATERIAL_CLASSES)
    freight = [r for r in rows if r["kind"] == "transport"]
    assert len(freight) == 1 and freight[0]["factors"] == {"road_freight": ROAD_FREIGHT_KG_CO2E_PER_TKM}
    steel = next(r for r in rows if r["key"] == "ferrous_scrap")
    assert steel["factors"]["recycling"] == -1500.0 and isinstance(steel["factors"], dict)
    assert any("worldsteel" in c for c in steel["sources"])
    for r in rows:
        assert r["name_zh"] and r["name_en"] and r["note"] and isinstance(r["sources"], list)
