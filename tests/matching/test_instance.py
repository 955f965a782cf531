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
