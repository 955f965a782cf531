"""catalog.resolve: what users type in a composition row resolves to a substance, or to nothing."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from catalog.resolve import Resolution, normalise_query, resolve_component

REPO = Path(__file__).resolve().parents[2]


# ---- normalisation (no database) -------------------------------------------------------------------

@pytest.mark.parametrize("typed, expected", [
    ("  98％ 硫酸 ", "硫酸"),
    ("硫酸 98%", "硫酸"),
    ("硫酸(≥98%)", "硫酸"),
    ("硫酸（≥98%）", "硫酸"),
    ("sulfuric acid 70 wt%", "sulfuric acid"),
    ("5% NaOH solution", "NaOH solution"),
    ("H₂SO₄", "H2SO4"),
    ("ＣａＳＯ４・２Ｈ２Ｏ", "CaSO4·2H2O"),
    ("iron   (III)  oxide", "iron (III) oxide"),
    ("30-35 % HCl", "HCl"),
    (None, ""),
])
def test_normalise_query(typed, expected):
    assert normalise_query(typed) == expected


def test_invalid_cas_raises_before_any_database():
    with pytest.raises(ValueError, match="check digit"):
        resolve_component("sulfuric acid", "7664-93-8")
    with pytest.raises(ValueError, match="NNNNNNN-NN-N"):
        resolve_component("sulfuric acid", "sulfuric acid")


def test_importing_the_module_does_not_load_the_chemicals_package():
    code = "import sys, catalog.resolve; print('chemicals' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_nothing_typed_is_none():
    assert resolve_component(None) is None
    assert resolve_component("") is None
    assert resolve_component("   ") is None
    assert resolve_component(None, cas="") is None


# ---- resolution (loads ChEDL once per worker) ----------------------------------------------------------

def _cas(text: str) -> str | None:
    found = resolve_component(text)
    return found.cas if found else None


@pytest.mark.slow
def test_a_valid_cas_wins_over_the_name():
    found = resolve_component("toluene", "７６６４－９３－９")
    assert found == Resolution(cas="7664-93-9", method="cas", query="7664-93-9", name_en="sulfuric acid",
                               name_zh="硫酸")
    # Numbers only the control lists know, and numbers nothing knows, still win.
    assert resolve_component(None, "85535-84-8").name_zh == "短链氯化石蜡"
    unknown = resolve_component("water", "9999-99-9")
    assert unknown.cas == "9999-99-9" and unknown.method == "cas"


@pytest.mark.slow
@pytest.mark.parametrize("typed, cas, method, query", [
    # the brief's examples
    ("H2SO4", "7664-93-9", "formula", "H2SO4"),
    ("iron", "7439-89-6", "name", "iron"),
    ("硫酸", "7664-93-9", "zh_name", "硫酸"),
    ("Fe", "7439-89-6", "formula", "Fe"),
    ("氧化钙", "1305-78-8", "zh_name", "氧化钙"),
    ("iron(III) oxide", "1309-37-1", "name", "iron(III) oxide"),
    ("sulfur trioxide (as SO3)", "7446-11-9", "name", "sulfur trioxide"),
    ("carbon (unburnt carbon / LOI)", "7440-44-0", "name", "carbon"),
    ("98% 硫酸", "7664-93-9", "zh_name", "硫酸"),
    ("Ca(OH)2", "1305-62-0", "formula", "Ca(OH)2"),
    ("C2H5OH", "64-17-5", "formula", "C2H5OH"),
    ("石膏", "10101-41-4", "zh_name", "石膏"),
    ("粉煤灰", "68131-74-8", "zh_name", "粉煤灰"),
    # concentrations and qualifiers
    ("硫酸 98%", "7664-93-9", "zh_name", "硫酸"),
    ("sulfuric acid 70 wt%", "7664-93-9", "name", "sulfuric acid"),
    ("5% NaOH solution", "1310-73-2", "formula", "NaOH"),
    ("氢氧化钠溶液", "1310-73-2", "zh_name", "氢氧化钠"),
    ("浓硫酸", "7664-93-9", "zh_name", "硫酸"),
    ("aqueous hydrogen peroxide", "7722-84-1", "name", "hydrogen peroxide"),
    ("三氧化硫（以SO3计）", "7446-11-9", "zh_name", "三氧化硫"),
    ("nitrogen (as N)", "7727-37-9", "name", "nitrogen"),
    ("phosphorus pentoxide (as P2O5)", "1314-56-3", "synonym", "phosphorus pentoxide"),
    # "spent"/"废" only where the rest names the substance; never for water
    ("spent sulfuric acid", "7664-93-9", "name", "sulfuric acid"),
    ("废硫酸", "7664-93-9", "zh_name", "硫酸"),
    ("铁屑", "7439-89-6", "zh_name", "铁"),
    ("zinc powder", "7440-66-6", "name", "zinc"),
    # trade names and synonyms
    ("quicklime", "1305-78-8", "synonym", "quicklime"),
    ("Caustic Soda", "1310-73-2", "synonym", "Caustic Soda"),
    ("gypsum", "10101-41-4", "synonym", "gypsum"),
    ("alumina", "1344-28-1", "synonym", "alumina"),
    ("polyethylene", "9002-88-4", "synonym", "polyethylene"),
    ("PET", "25038-59-9", "synonym", "PET"),
    ("ammonia solution", "1336-21-6", "synonym", "ammonia solution"),
    ("氨水", "1336-21-6", "zh_name", "氨水"),
    ("moisture", "7732-18-5", "synonym", "moisture"),
    ("cryolite (sodium hexafluoroaluminate)", "13775-53-6", "synonym", "cryolite"),
    ("xylene", "1330-20-7", "synonym", "xylene"),
    # Chinese names, synonyms and control-list names
    ("三氯甲烷", "67-66-3", "zh_name", "三氯甲烷"),
    ("氯仿", "67-66-3", "zh_name", "氯仿"),
    ("烧碱", "1310-73-2", "zh_name", "烧碱"),
    ("熟石灰", "1305-62-0", "zh_name", "熟石灰"),
    ("二氧化硅", "7631-86-9", "zh_name", "二氧化硅"),
    ("硫酸亚铁", "7720-78-7", "zh_name", "硫酸亚铁"),
    ("短链氯化石蜡", "85535-84-8", "zh_name", "短链氯化石蜡"),
    ("硫酸(H2SO4)", "7664-93-9", "zh_name", "硫酸"),
    # formulas as typed
    ("Fe2O3", "1309-37-1", "formula", "Fe2O3"),
    ("CaSO4·2H2O", "10101-41-4", "formula", "CaSO4·2H2O"),
    ("CaSO4.2H2O", "10101-41-4", "formula", "CaSO4.2H2O"),
    ("CuSO4·5H2O", "7758-99-8", "formula", "CuSO4·5H2O"),
    ("CaSO4·0.5H2O", "10034-76-1", "formula", "CaSO4·0.5H2O"),
    ("H₂SO₄", "7664-93-9", "formula", "H2SO4"),
    ("ＨＣｌ", "7647-01-0", "formula", "HCl"),
    ("CH3COOH", "64-19-7", "formula", "CH3COOH"),
    ("C2H4(OH)2", "107-21-1", "formula", "C2H4(OH)2"),
    ("CHCl3", "67-66-3", "formula", "CHCl3"),
    ("PbO", "1317-36-8", "formula", "PbO"),
    ("CO", "630-08-0", "formula", "CO"),
    ("Co", "7440-48-4", "formula", "Co"),
    ("N", "7727-37-9", "formula", "N"),
    ("H2O4S", "7664-93-9", "formula", "H2O4S"),  # Hill order, as ChEDL writes it
    ("Cl-", "16887-00-6", "formula", "Cl-"),
])
def test_resolves(typed, cas, method, query):
    found = resolve_component(typed)
    assert found is not None, typed
    assert (found.cas, found.method, found.query) == (cas, method, query)
    assert found.name_en and not found.ambiguous


@pytest.mark.slow
@pytest.mark.parametrize("typed, cas", [
    ("PFOS", "1763-23-1"), ("PFOSF", "1763-23-1"), ("PFOA", "335-67-1"), ("PFHxS", "355-46-4"),
    ("HBCD", "25637-99-4"), ("HBCDD", "25637-99-4"), ("PCB", "1336-36-3"), ("PCBs", "1336-36-3"),
    ("DDT", "50-29-3"), ("HCB", "118-74-1"), ("SCCPs", "85535-84-8"), ("decaBDE", "1163-19-5"),
    ("γ-HCH", "58-89-9"),
])
def test_a_controlled_substance_by_the_abbreviation_people_write(typed, cas):
    # Before the formula parser: "PFOS" reads as P, F, O and S.
    found = resolve_component(typed)
    assert (found.cas, found.method, found.query) == (cas, "synonym", typed)


@pytest.mark.slow
@pytest.mark.parametrize("typed, cas", [
    ("DMF", "68-12-2"), ("NMP", "872-50-4"), ("MEK", "78-93-3"), ("DMSO", "67-68-5"), ("MEG", "107-21-1"),
    ("BDO", "110-63-4"), ("PTA", "100-21-0"), ("xylol", "1330-20-7"), ("甲基吡咯烷酮", "872-50-4"),
    ("32%液碱", "1310-73-2"), ("工业酒精", "64-17-5"), ("废机油", "64742-54-7"), ("used motor oil", "64742-54-7"),
])
def test_the_abbreviations_and_trade_names_plants_use(typed, cas):
    assert resolve_component(typed).cas == cas


@pytest.mark.slow
@pytest.mark.parametrize("typed", ["CoNi", "PFHxA", "C10-13", "4-chlorophenyl"])
def test_a_formula_chedl_does_not_hold_or_a_part_of_a_name_is_none(typed):
    # chemicals answers False, not None, for a formula it does not hold: that crashed the resolver.
    assert resolve_component(typed) is None


@pytest.mark.slow
def test_names_for_display():
    assert resolve_component("98% 硫酸").name_en == "sulfuric acid"
    assert resolve_component("sulfuric acid").name_zh == "硫酸"
    # Numbers ChEDL files under another record carry our name, not the monomer's.
    pe = resolve_component("聚乙烯")
    assert (pe.name_en, pe.name_zh) == ("polyethylene", "聚乙烯")
    assert resolve_component("PP").name_en == "polypropylene"
    assert resolve_component("cellulose").name_zh == "纤维素"


@pytest.mark.slow
@pytest.mark.parametrize("typed, isomer_set", [
    ("C2H6O", {"64-17-5", "115-10-6"}),
    ("C8H10", {"95-47-6", "108-38-3", "106-42-3", "100-41-4"}),
    ("C3H8O", {"67-63-0", "71-23-8", "540-67-0"}),
])
def test_a_bare_formula_with_isomers_is_flagged_ambiguous(typed, isomer_set):
    found = resolve_component(typed)
    assert found is not None and found.method == "formula" and found.ambiguous
    assert found.cas in isomer_set


@pytest.mark.slow
@pytest.mark.parametrize("typed", [
    "sludge", "mixed organics", "其他", "organic matter", "balance", "dust", "gravel", "fat", "wood", "SS", "COD",
    "TOC", "hello world", "xyz123", "未知物质", "废水", "wastewater", "污泥", "crude protein", "12345", "%", "()",
    "crystal",
])
def test_unknown_words_are_none(typed):
    assert resolve_component(typed) is None


@pytest.mark.slow
def test_cached_and_fast_after_the_first_call():
    resolve_component("toluene")
    texts = ["H2SO4", "硫酸", "iron(III) oxide", "98% 硫酸", "sludge", "C2H6O", "quicklime"]
    for text in texts:
        resolve_component(text)
    start = time.perf_counter()
    for _ in range(1000):
        for text in texts:
            resolve_component(text)
    per_call = (time.perf_counter() - start) / (1000 * len(texts))
    assert per_call < 50e-6
    assert resolve_component("H2SO4") is resolve_component("H2SO4")


@pytest.mark.slow
def test_eval_resolution_on_a_handful_of_rows():
    sys.path.insert(0, str(REPO))
    from benchmarks import eval_resolution

    document = json.loads((REPO / "benchmarks/synergies/documented_synergies.json").read_text(encoding="utf-8"))
    result = eval_resolution.evaluate(document, limit=12)
    assert result["cases"] == 12
    for measure in ("names", "formulas", "chinese"):
        assert 0 < result[measure]["lines"] <= 12
        assert result[measure]["hits"] == result[measure]["lines"], result[measure]["misses"]
    # The command line prints one JSON document.
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "eval_resolution.py"), "--limit", "5"],
                          cwd=REPO, capture_output=True, text=True, check=True, timeout=300)
    assert json.loads(proc.stdout)["names"]["share"] == 1.0
