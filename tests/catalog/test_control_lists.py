"""Stockholm POPs, China's key new pollutants (2023) and priority chemicals, with thresholds."""
from __future__ import annotations

import re

import pytest

from catalog.cas import cas_check_error
from catalog.control_lists import (
    CONTROLLED_SUBSTANCES,
    DEFAULT_THRESHOLD,
    LISTS,
    ControlledSubstance,
    controlled_by_cas,
    controlled_by_name,
    destruction_required,
    destruction_required_for_composition,
    is_pop,
    substances_in_list,
)

_CJK = re.compile(r"[\u4e00-\u9fff]")
ALL_CAS = sorted({(s.key, cas) for s in CONTROLLED_SUBSTANCES for cas in s.cas})


@pytest.mark.parametrize("key, cas", ALL_CAS)
def test_every_cas_number_passes_the_check_digit(key, cas):
    assert cas_check_error(cas) is None, f"{key}: {cas}"


def test_records_are_consistent():
    keys = [s.key for s in CONTROLLED_SUBSTANCES]
    assert len(keys) == len(set(keys))
    for s in CONTROLLED_SUBSTANCES:
        assert isinstance(s, ControlledSubstance)
        assert s.lists and set(s.lists) <= set(LISTS), s.key
        assert s.measure in {"ban", "restrict", "limit_emission"}, s.key
        assert s.name_zh and s.measure_zh and s.name_en and not _CJK.search(s.name_en), s.key
        assert len(set(s.cas)) == len(s.cas), s.key
        if s.destruction_only:
            assert s.threshold_fraction is not None and 0 < s.threshold_fraction < 0.01, s.key
            assert s.threshold_source, s.key
        if s.is_pop:
            assert s.destruction_only, s.key  # every POP goes to destruction above its limit
            assert s.stockholm_annexes and set(s.stockholm_annexes) <= {"A", "B", "C"}, s.key
            assert s.stockholm_year is not None and 2001 <= s.stockholm_year <= 2025, s.key
        else:
            assert not s.stockholm_annexes and s.stockholm_year is None, s.key
        if s.cn_item is not None:
            assert "cn_new_pollutants_2023" in s.lists, s.key
        if s.cn_priority_id is not None:
            assert "cn_priority_1" in s.lists, s.key


def test_stockholm_annexes_and_years():
    by = {s.key: s for s in CONTROLLED_SUBSTANCES}
    assert by["pfos"].stockholm_annexes == ("B",) and by["pfos"].stockholm_year == 2009
    assert by["ddt"].stockholm_annexes == ("B",)
    assert by["pcbs"].stockholm_annexes == ("A", "C") and by["hcb"].stockholm_annexes == ("A", "C")
    assert by["pcdd"].stockholm_annexes == ("C",)
    assert by["hbcdd"].stockholm_year == 2013 and by["decabde"].stockholm_year == 2017
    assert by["pfoa"].stockholm_year == 2019 and by["pfhxs"].stockholm_year == 2022
    assert {by[k].stockholm_year for k in ("dechlorane_plus", "uv328", "methoxychlor")} == {2023}
    required = {"pfos", "pfoa", "pfhxs", "hbcdd", "sccp", "decabde", "dicofol", "pcp", "hcbd", "endosulfan",
                "lindane", "alpha_hch", "beta_hch", "chlordecone", "pecb", "hcb", "pcbs", "pcdd", "pcdf", "ddt",
                "aldrin", "dieldrin", "endrin", "chlordane", "heptachlor", "mirex", "toxaphene",
                "dechlorane_plus", "uv328", "methoxychlor"}
    assert required <= {s.key for s in substances_in_list("stockholm")}


def test_china_new_pollutants_2023_has_14_entries():
    entries = substances_in_list("cn_new_pollutants_2023")
    assert {s.cn_item for s in entries} == set(range(1, 15))
    phased_out = {s.name_zh for s in entries if s.cn_item == 14}
    assert phased_out == {"六溴环十二烷", "氯丹", "灭蚁灵", "六氯苯", "滴滴涕", "α-六氯环己烷", "β-六氯环己烷",
                          "林丹", "硫丹原药及其相关异构体", "多氯联苯"}
    for s in entries:
        if s.cn_item == 14:
            assert s.destruction_only and s.measure == "ban"
    item = {s.cn_item: s for s in entries if s.cn_item != 14}
    assert item[1].key == "pfos" and item[2].key == "pfoa" and item[9].key == "dechlorane_plus"
    assert item[10].key == "dichloromethane" and item[11].key == "chloroform"
    assert item[12].key == "nonylphenol" and item[13].key == "antibiotics"
    assert not item[10].destruction_only and item[10].measure == "restrict"


def test_priority_lists():
    first = {s.cn_priority_id for s in substances_in_list("cn_priority_1")}
    assert first == {f"PC{n:03d}" for n in range(1, 23)}
    second = {s.key for s in substances_in_list("cn_priority_2")}
    assert {"benzene", "pfoa", "pcdd", "pcdf", "thallium"} <= second


def test_lookup_by_cas():
    (pfos,) = controlled_by_cas("1763-23-1")
    assert pfos.key == "pfos" and set(pfos.lists) == {"stockholm", "cn_new_pollutants_2023", "cn_priority_1"}
    assert controlled_by_cas("2795-39-3") == [pfos]  # potassium salt
    assert controlled_by_cas("１７６３－２３－１") == [pfos]
    assert controlled_by_cas("7732-18-5") == []
    assert controlled_by_name("PFOS") == [pfos]
    assert controlled_by_name("二氯甲烷")[0].cas == ("75-09-2",)


def test_is_pop():
    assert is_pop("1763-23-1") and is_pop("87-68-3") and is_pop("85535-84-8")
    assert not is_pop("75-09-2")  # a key new pollutant in China, not a POP
    assert not is_pop("7732-18-5")


@pytest.mark.parametrize("cas, fraction, key", [
    ("1763-23-1", 50e-6, "pfos"),  # at the 50 mg/kg limit → destruction
    ("1763-23-1", 49e-6, None),
    ("1336-36-3", 1e-4, "pcbs"),
    ("1336-36-3", 1e-5, None),
    ("25637-99-4", 6e-4, "hbcdd"),
    ("25637-99-4", 4e-4, None),
    ("335-67-1", 2e-6, "pfoa"),
    ("85535-84-8", 2e-3, "sccp"),
    ("85535-84-8", 1e-3, None),
    ("75-09-2", 0.9, None),  # restricted, not destruction-only
    ("7732-18-5", 1.0, None),
])
def test_destruction_required(cas, fraction, key):
    found = destruction_required(cas, fraction)
    assert (found.key if found else None) == key


def test_thresholds_in_mg_per_kg():
    by = {s.key: s for s in CONTROLLED_SUBSTANCES}
    assert by["pfos"].threshold_fraction == 5e-5
    assert by["pcbs"].threshold_fraction == 5e-5
    assert by["hcbd"].threshold_fraction == 1e-4 and by["pcp"].threshold_fraction == 1e-4
    assert by["pcn"].threshold_fraction == 1e-5
    assert by["methoxychlor"].threshold_fraction == DEFAULT_THRESHOLD == 5e-5
    assert by["pcdd"].threshold_fraction == 5e-9


def test_composition_sums_salts_and_groups():
    # 30 mg/kg PFOS acid + 30 mg/kg potassium salt = 60 mg/kg ≥ 50 → destruction.
    hits = destruction_required_for_composition([("1763-23-1", 30e-6), ("2795-39-3", 30e-6), ("7732-18-5", 0.9)])
    assert [(s.key, round(f, 9)) for s, f in hits] == [("pfos", 60e-6)]
    # decaBDE 300 mg/kg + pentaBDE 300 mg/kg: each below, their PBDE sum (600) above 500 mg/kg.
    hits = destruction_required_for_composition([("1163-19-5", 3e-4), ("60348-60-9", 3e-4)])
    assert {s.key for s, _ in hits} == {"decabde", "tetra_penta_bde"}
    assert destruction_required_for_composition([("1163-19-5", 3e-4)]) == []
    assert destruction_required_for_composition([]) == []


def test_unknown_list_name():
    with pytest.raises(ValueError, match="unknown control list"):
        substances_in_list("reach")


def test_a_declared_row_resolves_by_its_cas_number_alone_or_by_an_exact_name():
    from catalog.control_lists import resolve_controlled

    assert resolve_controlled("25637-99-4", None).key == "hbcdd"
    assert resolve_controlled(None, "HBCDD").key == "hbcdd"          # the abbreviation in brackets
    assert resolve_controlled(None, "六溴环十二烷").key == "hbcdd"
    # phenol is not pentachlorophenol: a name inside another's is another substance, by CAS or by name
    assert resolve_controlled("108-95-2", "苯酚") is None
    assert resolve_controlled(None, "苯酚") is None
    # a valid CAS number on no list decides, whatever the name claims
    assert resolve_controlled("64-17-5", "六溴环十二烷") is None
