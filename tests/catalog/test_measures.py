"""Measures of the key controlled new pollutants: a ban in force, a use before the ban, an accepted use in and
past its term, a restriction by use, roles no measure prohibits, and the roster's obligations with due dates."""
from __future__ import annotations

import datetime as dt

import pytest

from catalog.control_lists import substances_in_list
from catalog.measures import MEASURES, measure_for, obligations_for, on_roster_lists, prohibited, prohibited_on


def test_every_listed_substance_has_a_measure_with_a_source():
    for s in substances_in_list("cn_new_pollutants_2023"):
        m = measure_for(s.key)
        assert m is not None and m.source, s.key
    assert all(m.source for m in MEASURES.values())


def test_a_ban_in_force_prohibits_the_role_with_a_bilingual_reason():
    p = prohibited("hbcdd", "use", 2025)
    assert p is not None and p.kind == "ban" and p.since == dt.date(2021, 12, 26)
    assert "禁止加工使用" in p.reason_zh and "prohibited since 2021-12-26" in p.reason_en
    assert p.reason == f"{p.reason_en} ({p.reason_zh})"


def test_a_use_before_the_ban_date_is_allowed():
    assert prohibited("hbcdd", "use", 2020) is None
    assert prohibited_on("pfhxs", "produce", dt.date(2023, 2, 28)) is None
    assert prohibited_on("pfhxs", "produce", dt.date(2023, 3, 1)) is not None


def test_a_ban_in_force_on_any_day_of_the_year_counts_for_that_year():
    # HBCDD's ban began on 2021-12-26: an annual total for 2021 cannot show it stopped in time.
    assert prohibited("hbcdd", "use", 2021) is not None


def test_an_accepted_use_is_allowed_within_its_term_and_prohibited_after():
    assert prohibited("pfos", "use", 2023, "生产灭火泡沫药剂") is None
    late = prohibited("pfos", "use", 2024, "生产灭火泡沫药剂")
    assert late is not None and "2023-12-31" in late.reason_en
    # Another use of PFOS was never accepted under the 2023 list.
    assert prohibited("pfos", "use", 2023, "metal plating") is not None


def test_import_bans_can_start_later_than_production_bans():
    assert prohibited("pfos", "produce", 2023) is not None
    assert prohibited_on("pfos", "import", dt.date(2023, 6, 1)) is None
    assert prohibited("pfos", "import", 2024) is not None


@pytest.mark.parametrize("key,use", [("dichloromethane", "脱漆剂配制"), ("chloroform", "paint stripper"),
                                     ("nonylphenol", "农药助剂"), ("nonylphenol", "household detergent")])
def test_a_restriction_prohibits_the_restricted_use(key, use):
    p = prohibited(key, "use", 2025, use)
    assert p is not None and p.kind == "restriction"


@pytest.mark.parametrize("key,use", [("dichloromethane", "pharmaceutical extraction solvent"),
                                     ("nonylphenol", "")])
def test_a_restriction_allows_other_uses(key, use):
    assert prohibited(key, "use", 2025, use) is None


def test_releases_and_unknown_keys_are_never_prohibited():
    assert prohibited("hbcdd", "release", 2025) is None
    assert prohibited("hbcdd", "byproduct", 2025) is None
    assert prohibited("no_such_substance", "use", 2025) is None
    assert prohibited("antibiotics", "use", 2025) is None


def test_stockholm_only_pops_take_their_measure_from_the_control_lists():
    assert prohibited("aldrin", "produce", 2025) is not None
    assert on_roster_lists("aldrin") and on_roster_lists("hbcdd") and on_roster_lists("dichloromethane")
    # Priority chemicals alone do not put an enterprise on the new-pollutant roster.
    assert not on_roster_lists("benzene") and prohibited("benzene", "use", 2025) is None


def test_end_of_life_of_pfos_foam_is_destruction():
    assert "销毁" in measure_for("pfos").end_of_life_zh


def test_obligations_and_their_due_dates():
    rules = {r.code: r for r in obligations_for(2025, dt.date(2026, 2, 1))}
    assert set(rules) == {"clean_production_audit", "discharge_permit", "monitoring", "annual_disclosure"}
    assert rules["clean_production_audit"].due == dt.date(2027, 2, 1)
    assert rules["annual_disclosure"].due == dt.date(2026, 3, 15)
    assert all(r.source and r.name_zh and r.name_en for r in rules.values())
