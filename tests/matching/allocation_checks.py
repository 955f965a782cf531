"""What every allocation test asserts (nothing over-allocated), and random small allocation instances."""
from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import strategies as st

from matching.optimise import Allocation
from tests.matching.optimise_instances import make_arcs, make_problem

TOL = 1e-9


def exact_settings(problem, **kw):
    """The problem's settings in exact mode, with ``kw`` changed."""
    return dataclasses.replace(problem.settings, exact=True, **kw)


def assert_feasible(problem, arcs, res: Allocation, *, tol: float = TOL) -> None:
    """Nothing over-allocated, no arc beyond max_t, nothing on arcs of non-positive weight."""
    f = res.flow
    assert f.shape == (len(arcs),)
    assert np.all(f >= 0)
    assert np.all(f <= np.asarray(arcs.max_t) + tol)
    assert np.all(f[np.asarray(arcs.weight) <= 0] == 0)
    by_offer = np.bincount(arcs.offer, weights=f, minlength=problem.o.size)
    by_need = np.bincount(arcs.need, weights=f, minlength=problem.n.size)
    assert np.all(by_offer <= problem.o.quantity * (1 + 1e-12) + tol)
    assert np.all(by_need <= problem.n.quantity * (1 + 1e-12) + tol)
    lic = np.asarray(arcs.licence)
    has = lic >= 0
    by_lic = np.bincount(lic[has], weights=f[has], minlength=problem.lic_remaining.size)
    assert np.all(by_lic <= problem.lic_remaining * (1 + 1e-12) + tol)


@st.composite
def small_instances(draw):
    """Up to 5 offers, 5 needs, 2 licences and 14 arcs with any weights, limits and licences."""
    n_o = draw(st.integers(1, 5))
    n_n = draw(st.integers(1, 5))
    n_l = draw(st.integers(0, 2))
    qty = st.tuples(st.floats(0.0, 60.0, allow_nan=False), st.integers(0, 5)).map(lambda t: round(t[0], t[1]))
    offer_q = draw(st.lists(qty, min_size=n_o, max_size=n_o))
    need_q = draw(st.lists(qty, min_size=n_n, max_size=n_n))
    lic_q = draw(st.lists(qty, min_size=n_l, max_size=n_l))
    m = draw(st.integers(0, 14))
    arc = st.tuples(st.integers(0, n_o - 1), st.integers(0, n_n - 1), st.integers(-50, 120),
                    st.one_of(st.just(float("inf")), st.floats(0.0, 40.0, allow_nan=False)),
                    st.integers(-1, n_l - 1))
    arcs = draw(st.lists(arc, min_size=m, max_size=m))
    o, n, w, mx, lic = (list(c) for c in zip(*arcs)) if arcs else ([], [], [], [], [])
    return make_problem(offer_q, need_q, lic_q), make_arcs(o, n, w, mx, lic)
