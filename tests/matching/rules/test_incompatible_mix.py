"""DESIGN rule 13, ``incompatible_mix``: incompatible reactivity groups never share a need (exact mode)."""
from __future__ import annotations

import numpy as np

from catalog.reactivity import ACID, CYANIDE
from matching.arcs import Arcs
from matching.rules import conflicting_offer_pairs, incompatible, reactivity_groups

from ..builders import build, check, evaluated, need, offer, site
from .cases import H2SO4, HANDLER, PLANT, WWTP


def reactive_problem():
    acid1 = offer("ACID1", PLANT, code="900-300-34")
    acid2 = offer("ACID2", site("P2", industry="3360"), composition={H2SO4: 0.3})
    cyanide = offer("CN", site("P3", industry="3360"), code="336-104-33")
    sulfide = offer("S", site("P4", industry="1910"), composition={"1313-82-2": 0.05})
    peroxide = offer("OX", site("P5"), composition={"7722-84-1": 0.3})
    solvent = offer("ORG", site("P6"), code="900-404-06")
    needs = [need("N1", HANDLER, purpose="dispose"), need("N2", WWTP, purpose="dispose")]
    return build([acid1, acid2, cyanide, sulfide, peroxide, solvent], needs)


def test_incompatible_mix_per_arc_always_passes():
    p = reactive_problem()
    c = check(p, "CN", "N1", "incompatible_mix")
    assert c.passed and " / enforced across the need's suppliers in exact mode" in c.detail
    assert "cyanide" in c.detail


def test_conflicting_offer_pairs_find_acid_and_cyanide_sharing_a_need():
    p = reactive_problem()
    r = p.o.ref_index
    arcs = evaluated(p)
    pairs = conflicting_offer_pairs(p, arcs)
    assert (r["ACID1"], r["CN"]) in pairs and (r["ACID2"], r["CN"]) in pairs
    assert (r["ACID1"], r["S"]) in pairs and (r["OX"], r["ORG"]) in pairs
    assert (r["ACID1"], r["ACID2"]) not in pairs and (r["CN"], r["S"]) not in pairs
    assert all(a < b for a, b in pairs) and pairs == sorted(set(pairs))


def test_conflicting_offer_pairs_need_a_shared_need():
    p = reactive_problem()
    r = p.o.ref_index
    o = np.array([r["ACID1"], r["CN"]], dtype=np.int64)
    n = np.array([0, 1], dtype=np.int64)  # acid to N1, cyanide to N2
    arcs = Arcs(offer=o, need=n, distance_km=p.distance_km(o, n))
    assert conflicting_offer_pairs(p, arcs) == []
    arcs = Arcs(offer=o, need=np.array([1, 1]), distance_km=p.distance_km(o, np.array([1, 1])))
    assert conflicting_offer_pairs(p, arcs) == [(r["ACID1"], r["CN"])]


def test_reactivity_groups_per_offer():
    p = reactive_problem()
    g = reactivity_groups(p)
    r = p.o.ref_index
    assert g[r["ACID1"]] == ACID and g[r["ACID2"]] == ACID and g[r["CN"]] == CYANIDE
    assert incompatible(g[r["ACID1"]], g[r["CN"]]) and not incompatible(g[r["ACID1"]], g[r["ACID2"]])
