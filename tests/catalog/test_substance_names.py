"""The name tables of catalog.substance_names: valid numbers, ChEDL agreement, coverage of what the project uses."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from catalog.cas import is_valid_cas
from catalog.control_lists import CONTROLLED_SUBSTANCES
from catalog.substance_names import EN_NAMES, EN_SYNONYMS, FORMULAS, GENERIC_TERMS, ZH_BY_CAS, ZH_NAMES

REPO = Path(__file__).resolve().parents[2]
TABLES = {"ZH_NAMES": ZH_NAMES, "EN_SYNONYMS": EN_SYNONYMS, "FORMULAS": FORMULAS}
ALL_NUMBERS = sorted(set(ZH_NAMES.values()) | set(EN_SYNONYMS.values()) | set(FORMULAS.values()) | set(EN_NAMES))
CONTROLLED_NUMBERS = {cas for entry in CONTROLLED_SUBSTANCES for cas in entry.cas}
_CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_number_passes_the_check_digit(table):
    assert {name: cas for name, cas in TABLES[table].items() if not is_valid_cas(cas)} == {}


def test_english_names_are_keyed_by_valid_numbers():
    assert [cas for cas in EN_NAMES if not is_valid_cas(cas)] == []


def test_table_sizes():
    assert len(ZH_NAMES) >= 250
    assert len(EN_SYNONYMS) >= 100


def test_keys_are_written_the_way_the_resolver_looks_them_up():
    # English synonyms and generic terms are matched case-insensitively, Chinese names exactly.
    assert [k for k in EN_SYNONYMS if k != k.casefold().strip() or "  " in k] == []
    assert [k for k in GENERIC_TERMS if k != k.casefold().strip()] == []
    assert [k for k in ZH_NAMES if not _CJK.search(k)] == []
    assert [k for k in FORMULAS if " " in k or "." in k.replace("0.5", "")] == []


def test_generic_terms_are_in_no_table():
    assert GENERIC_TERMS.isdisjoint(EN_SYNONYMS) and GENERIC_TERMS.isdisjoint(ZH_NAMES)


def test_synonyms_named_in_the_brief():
    assert ZH_NAMES["氯仿"] == ZH_NAMES["三氯甲烷"] == "67-66-3"
    assert ZH_NAMES["醋酸"] == ZH_NAMES["乙酸"] == "64-19-7"
    assert ZH_NAMES["烧碱"] == ZH_NAMES["氢氧化钠"] == "1310-73-2"
    assert ZH_NAMES["生石灰"] == ZH_NAMES["氧化钙"] == "1305-78-8"
    assert ZH_NAMES["熟石灰"] == ZH_NAMES["氢氧化钙"] == "1305-62-0"
    assert ZH_NAMES["石膏"] == EN_SYNONYMS["gypsum"] == "10101-41-4"  # the dihydrate, not anhydrite
    assert ZH_NAMES["纯碱"] == "497-19-8" and ZH_NAMES["双氧水"] == "7722-84-1"
    assert EN_SYNONYMS["base oil"] == "64742-54-7" and EN_SYNONYMS["mineral oil"] == "8042-47-5"
    assert EN_SYNONYMS["pet"] == "25038-59-9" and EN_SYNONYMS["polyethylene"] == "9002-88-4"
    assert EN_SYNONYMS["polypropylene"] == "9003-07-0"
    assert FORMULAS["C2H5OH"] == "64-17-5" and FORMULAS["CH3COOH"] == "64-19-7"


def test_canonical_chinese_name_is_the_first_given():
    assert ZH_BY_CAS["67-66-3"] == "三氯甲烷"
    assert ZH_BY_CAS["7647-01-0"] == "盐酸"
    assert ZH_BY_CAS["1305-78-8"] == "氧化钙"
    assert all(ZH_NAMES[name] == cas for cas, name in ZH_BY_CAS.items())


def test_control_list_chinese_names_are_included():
    for entry in CONTROLLED_SUBSTANCES:
        if entry.cas:
            assert entry.name_zh in ZH_NAMES, entry.key


def _numbers_in(path: Path) -> set[str]:
    return {cas for cas in re.findall(r"\b(\d{2,7}-\d{2}-\d)\b", path.read_text(encoding="utf-8")) if is_valid_cas(cas)}


@pytest.mark.parametrize("source", [
    "marketplace/demo/demo_park.json",
    "marketplace/demo/build_demo_park.py",
    "marketplace/demo/history.py",
    "marketplace/demo/governance.py",
    "benchmarks/generate.py",
    "benchmarks/synergies/build_documented_synergies.py",
])
def test_every_substance_the_project_uses_has_a_chinese_name(source):
    missing = sorted(_numbers_in(REPO / source) - set(ZH_BY_CAS))
    assert missing == []


def test_every_documented_synergy_line_has_a_chinese_name():
    document = json.loads((REPO / "benchmarks/synergies/documented_synergies.json").read_text(encoding="utf-8"))
    numbers = {line["cas"] for listing in document["listings"] for key in ("composition", "wanted", "limits")
               for line in listing.get(key) or [] if line.get("cas")}
    assert sorted(numbers - set(ZH_BY_CAS)) == []


# ---- against ChEDL ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chedl():
    from chemicals import identifiers

    identifiers.search_chemical("water")
    identifiers.pubchem_db.autoload_main_db()

    def record(cas):
        try:
            return identifiers.search_chemical(cas)
        except Exception:  # noqa: BLE001 - "not found"
            return None

    return record


@pytest.mark.slow
def test_every_number_is_chedl_s_own_record_or_named_by_us(chedl):
    # A number ChEDL lacks, or files under another record (polymers under their monomer), must carry
    # our English name (EN_NAMES) unless a control list names it; any other number is ChEDL's record.
    unexplained = {}
    for cas in ALL_NUMBERS:
        record = chedl(cas)
        if (record is None or record.CASs != cas) and cas not in EN_NAMES and cas not in CONTROLLED_NUMBERS:
            unexplained[cas] = record.CASs if record else None
    assert unexplained == {}


# Chinese name → ChEDL's English name for its number (a sample across the sections of the table).
ZH_SAMPLE = {
    "甲苯": "toluene", "二氯甲烷": "dichloromethane", "乙酸乙酯": "ethyl acetate", "四氢呋喃": "tetrahydrofuran",
    "丁酮": "2-butanone", "乙二醇": "ethylene glycol", "甘油": "glycerol", "苯酚": "phenol", "乙腈": "acetonitrile",
    "硫酸": "sulfuric acid", "盐酸": "hydrochloric acid", "硝酸": "nitric acid", "磷酸": "phosphoric acid",
    "氢氧化钠": "sodium hydroxide", "氢氧化钙": "calcium hydroxide", "氧化钙": "lime", "碳酸钙": "calcium carbonate",
    "碳酸钠": "sodium carbonate", "氯化钠": "sodium chloride", "硫酸亚铁": "ferrous sulfate",
    "三氯化铁": "ferric chloride", "硫酸铜": "copper sulfate", "硫酸铵": "ammonium sulfate",
    "氯化铵": "ammonium chloride", "石膏": "calcium sulfate dihydrate", "硫酸钙": "calcium sulfate",
    "二氧化硅": "silica", "氧化镁": "magnesium oxide", "氧化锌": "zinc oxide", "二氧化钛": "titanium dioxide",
    "氧化铁": "iron oxide (Fe2O3)", "氧化亚铁": "ferrous oxide", "五氧化二钒": "vanadium pentoxide",
    "铁": "iron", "铜": "copper", "锌": "zinc", "铅": "lead", "镍": "nickel", "铝": "aluminium", "铬": "chromium",
    "氮气": "nitrogen", "氢气": "hydrogen", "二氧化碳": "carbon dioxide", "二氧化硫": "sulfur dioxide",
    "氨": "ammonia", "硫化氢": "hydrogen sulfide", "甲烷": "methane", "水": "water", "双氧水": "hydrogen peroxide",
    "氰化钠": "sodium cyanide", "尿素": "urea", "葡萄糖": "glucose", "蔗糖": "sucrose", "木质素": "lignin",
}


@pytest.mark.slow
@pytest.mark.parametrize("name_zh, name_en", sorted(ZH_SAMPLE.items()))
def test_chinese_names_mean_what_chedl_calls_the_number(chedl, name_zh, name_en):
    record = chedl(ZH_NAMES[name_zh])
    assert record is not None and record.CASs == ZH_NAMES[name_zh]
    assert record.common_name == name_en
