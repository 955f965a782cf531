"""The integer instance every solver works on (``matching.instance``): resolution, usable arcs, components."""
from __future__ import annotations

import numpy as np

from matching.instance import FLOW_UNITS_PER_T, prepare, to_units
from matching.optimise import allocate
from tests.matching.optimise_instances import make_arcs, make_problem


def test_resolution_rounds_down_and_reports_typed_tonnes():
    assert to_units(np.array([0.3, 1.005, 0.0004, 2.0015, np.inf, np.nan, -1.0]), 1000).tolist() == \
        [300, 1005, 0, 2001, 10**12, 0, 0]
    p = make_problem([1.005], [5.0], [])
    res = allocate(p, make_arcs([0], [0], [7]))
    assert res.flow[0] == 1.005 and res.objective == 7 * 1.005
    tiny = allocate(make_problem([0.0004], [5.0]), make_arcs([0], [0], [7]))
    assert tiny.status == "EMPTY"  # below one kg: nothing can move


def test_prepare_drops_unusable_arcs_and_keeps_positions():
    p = make_problem([1, 1], [1, 1], [0])
    arcs = make_arcs(offer=[0, 1, 1, 0], need=[0, 1, 0, 1], weight=[1, 0, 2, 3], licence=[-1, -1, 0, -1])
    inst = prepare(p, arcs, FLOW_UNITS_PER_T)
    assert inst.index.tolist() == [0, 3]  # weight 0 and an exhausted licence drop out
    assert inst.cap.tolist() == [1000, 1000]


def test_components_count_parks_and_licence_pools():
    # offers 0,1 → needs 0,1 (park A); offer 2 → need 2 (park B); need 3 joins need 2 via licence 0.
    p = make_problem([5, 5, 5, 5], [5, 5, 5, 5], [3])
    arcs = make_arcs(offer=[0, 1, 2, 3], need=[0, 1, 2, 3], weight=[1, 1, 1, 1], licence=[-1, -1, 0, 0])
    arcs_joined = make_arcs(offer=[0, 0, 1, 2, 3], need=[0, 1, 1, 2, 3], weight=[1, 1, 1, 1, 1],
                            licence=[-1, -1, -1, 0, 0])
    assert allocate(p, arcs).components == 3
    assert allocate(p, arcs_joined).components == 2


def test_compact_arcs_give_the_same_instance_as_int64_ones():
    # The regional driver hands prepare int32 rows and weights (every arc usable): the same integers come out.
    p = make_problem([1.5, 2.0, 0.7], [1.0, 3.0], [2.5])
    wide = make_arcs(offer=[0, 1, 2, 1], need=[0, 1, 1, 0], weight=[4, 9, 2, 7], licence=[-1, 0, 0, -1],
                     max_t=[1.0, 2.5, 0.5, 0.25])
    narrow = make_arcs(offer=[0, 1, 2, 1], need=[0, 1, 1, 0], weight=[4, 9, 2, 7], licence=[-1, 0, 0, -1],
                       max_t=[1.0, 2.5, 0.5, 0.25])
    for field in ("offer", "need", "weight", "licence"):
        setattr(narrow, field, getattr(narrow, field).astype(np.int32))
    a, b = prepare(p, wide, FLOW_UNITS_PER_T), prepare(p, narrow, FLOW_UNITS_PER_T)
    assert b.index.tolist() == [0, 1, 2, 3]
    for field in ("index", "offer", "need", "licence", "weight", "cap", "component"):
        assert getattr(b, field).dtype == np.int64
        assert getattr(a, field).tolist() == getattr(b, field).tolist(), field
    assert b.cap.tolist() == [1000, 2000, 500, 250]
