"""Reactivity groups and incompatible pairs (catalog.reactivity)."""
from __future__ import annotations

import itertools

import pytest

from catalog.cas import is_valid_cas
from catalog.hw_categories import is_hw_category
from catalog.reactivity import (
    ACID,
    ALKALI,
    CAS_GROUPS,
    CATEGORY_GROUPS,
    CODE_GROUPS,
    CYANIDE,
    INCOMPATIBLE_PAIRS,
    ORGANIC,
    OXIDISER,
    REACTIVITY_GROUPS,
    SULFIDE,
    WATER_REACTIVE,
    describe_groups,
    group_names,
    groups_of,
    incompatibility_reasons,
    incompatible,
)
from catalog.waste_codes import is_hw_code


def test_tables_are_well_formed():
    assert all(is_valid_cas(cas) for cas in CAS_GROUPS)
    assert all(is_hw_category(c) for c in CATEGORY_GROUPS)
    assert all(is_hw_code(c) for c in CODE_GROUPS)
    bits = [g.bit for g in REACTIVITY_GROUPS]
    assert len(set(bits)) == len(bits) and all(b & (b - 1) == 0 for b in bits)
    every = sum(bits)
    assert all(mask and not mask & ~every for mask in (*CAS_GROUPS.values(), *CATEGORY_GROUPS.values(),
                                                        *CODE_GROUPS.values()))


@pytest.mark.parametrize("code, expected", [
    ("900-300-34", ACID), ("900-352-35", ALKALI), ("336-104-33", CYANIDE), ("336-003-07", CYANIDE),
    ("900-404-06", ORGANIC), ("900-214-08", ORGANIC), ("900-306-34", ACID | OXIDISER),
    ("193-003-35", ALKALI | SULFIDE), ("321-026-48", WATER_REACTIVE), ("900-041-49", 0),
])
def test_groups_from_codes(code, expected):
    assert groups_of(code) == expected


def test_groups_from_components():
    assert groups_of(None, [("7697-37-2", 0.1)]) == ACID | OXIDISER
    assert groups_of(None, [("143-33-9", 0.01), ("108-88-3", 0.2)]) == CYANIDE | ORGANIC
    assert groups_of(None, [("143-33-9", 0.0)]) == 0  # declared at zero: not present
    assert groups_of(None, [("name:mystery", 0.5), ("7732-18-5", 0.9)]) == 0  # unknown, water
    assert groups_of("900-300-34", [("1313-82-2", 0.01)]) == ACID | SULFIDE


def test_design_pairs_are_incompatible():
    assert incompatible(ACID, CYANIDE) and incompatible(CYANIDE, ACID)
    assert incompatible(ACID, SULFIDE) and incompatible(OXIDISER, ORGANIC) and incompatible(ORGANIC, OXIDISER)


def test_compatible_pairs():
    assert not incompatible(ACID, ACID)
    assert not incompatible(ACID, ALKALI)  # neutralisation is a use
    assert not incompatible(ORGANIC, ORGANIC)
    assert not incompatible(CYANIDE, SULFIDE)
    assert not incompatible(0, ACID | CYANIDE | OXIDISER | ORGANIC)


def test_multi_group_wastes():
    nitric = groups_of(None, [("7697-37-2", 0.3)])
    solvent = groups_of("900-404-06")
    assert incompatible(nitric, solvent)  # oxidiser side
    assert [p.hazard_en for p in incompatibility_reasons(nitric, groups_of("336-104-33"))] == [
        "acid + cyanide releases hydrogen cyanide", "oxidiser + cyanide: heat, fire, toxic gas"]


def test_incompatible_is_symmetric():
    masks = [g.bit for g in REACTIVITY_GROUPS]
    for a, b in itertools.product(masks, repeat=2):
        assert incompatible(a, b) == incompatible(b, a)
    assert all(p.source and p.hazard_zh and p.hazard_en for p in INCOMPATIBLE_PAIRS)


def test_names():
    assert group_names(ACID | OXIDISER) == ["acid", "oxidiser"]
    assert describe_groups(0) == "none"
    assert describe_groups(CYANIDE) == "氰化物 cyanide"
