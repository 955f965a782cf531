"""The rules as a whole (DESIGN's thirteen, then the composition flag and the stream permits): every code on every
arc, and explain == evaluate_rules, unknown included.

``test_explain_agrees_with_evaluate`` draws random small problems (approvals, collection licences,
exemptions, expired licences …) and holds the scalar ``explain`` to the vectorised ``evaluate_rules``
on every check and on the licence/exemption/approval columns.
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matching.rules
from matching.problem import FORMS, PURPOSES
from matching.rules import HARD_CODES, REGISTRY, RULES, SOFT_CODES, UNKNOWN_CODES, _explain_arc, evaluate_rules, explain

from ..builders import all_arcs, approval, build, days, evaluated, licence, need, offer, site
from .cases import GARAGE, H2SO4, HANDLER, NACN, OIL, PB, PFOS, PLANT


def test_thirteen_rules_in_design_order_then_the_composition_flag_and_the_stream_permits():
    assert [r.code for r in RULES] == [
        "hw_licence", "licence_capacity", "exemption", "pops_destruction_only", "medical_waste",
        "contaminant_limit", "required_component", "form", "distance", "cross_province_transfer",
        "availability", "self_match", "incompatible_mix", "composition_declared", "stream_permit"]
    assert SOFT_CODES == ("exemption", "cross_province_transfer", "composition_declared")
    assert UNKNOWN_CODES == ("contaminant_limit", "required_component", "composition_declared")
    assert set(HARD_CODES) == {r.code for r in RULES} - set(SOFT_CODES)
    assert all(r.name_zh and r.name_en and r.description for r in RULES)


def test_every_rule_module_is_registered_under_its_own_name():
    # One module per rule, named for its code: a rule module missing from the registry would never run.
    package = Path(matching.rules.__file__).parent
    modules = {m.name for m in pkgutil.iter_modules([str(package)])
               if hasattr(importlib.import_module(f"matching.rules.{m.name}"), "RULE")}
    assert modules == {r.code for r in RULES}
    assert [importlib.import_module(f"matching.rules.{r.spec.code}").RULE for r in REGISTRY] == list(REGISTRY)


def test_the_licence_pool_counts_only_arcs_passing_the_other_per_arc_hard_checks():
    assert {r.spec.code for r in REGISTRY if r.pool_viability} == {
        "pops_destruction_only", "medical_waste", "contaminant_limit", "required_component", "form", "distance",
        "availability", "self_match", "stream_permit"}


def test_every_code_is_filled_for_every_arc():
    p = build([offer("O", GARAGE, code="900-214-08"), offer("X", PLANT)], [need("N", HANDLER), need("M", PLANT)],
              [licence("L", "HANDLER", categories=["HW08"])])
    arcs = evaluated(p)
    assert set(arcs.checks) == {r.code for r in RULES}
    assert all(v.dtype == bool and v.shape == (4,) for v in arcs.checks.values())
    assert set(arcs.unknown) == set(UNKNOWN_CODES)
    assert all(v.dtype == bool and v.shape == (4,) for v in arcs.unknown.values())
    assert arcs.licence.dtype == arcs.exemption.dtype == arcs.approval.dtype == np.int64
    for k in range(len(arcs)):
        assert [c.code for c in explain(p, arcs, k)] == [r.code for r in RULES]


CODES = ["900-214-08", "900-249-08", "900-300-34", "261-057-34", "841-001-01", "900-404-06", "900-052-31",
         "336-104-33", "900-044-49", "772-002-18", "X-NOT-A-CODE"]


SUBS = [OIL, PB, PFOS, H2SO4, NACN, "7440-43-9", "name:sludge"]


INDUSTRIES = [None, "8111", "7820", "2614", "2611", "4620", "3120", "3011", "7724"]


CATS = ["HW01", "HW06", "HW08", "HW34", "HW49", "HW18"]


DAYS = st.integers(-40, 40).map(days)
STREAM_CASES = [{}, {"category": "CW04"}, {"category": "HH02"}, {"category": "HH03"}, {"category": "AG04"},
                {"category": "AG01"}, {"stream": "hazardous"}, {"stream": "construction"}]


@st.composite
def small_problems(draw):
    n_ent = draw(st.integers(1, 4))
    sites = [site(f"E{i}", lat=31.3 + draw(st.floats(0, 1.5)), lon=120.6,
                  province=draw(st.sampled_from(["江苏省", "浙江省", None])),
                  industry=draw(st.sampled_from(INDUSTRIES)),
                  hw_cap=draw(st.sampled_from([None, 30.0, 100.0]))) for i in range(n_ent)]
    fractions = st.sampled_from([0.0, 1e-9, 49e-6, 50e-6, 1e-3, 0.05, 0.5])
    comps = st.dictionaries(st.sampled_from(SUBS), fractions, max_size=3)
    dates = st.one_of(st.none(), DAYS)
    coded = [draw(st.sampled_from([None, *CODES])) for _ in range(draw(st.integers(1, 5)))]
    # Without an HW code an offer may carry a category of another stream (stream_permit), or say hazardous.
    offers = [offer(f"O{i}", draw(st.sampled_from(sites)), form=draw(st.sampled_from(FORMS)),
                    code=code, composition=draw(comps), complete=draw(st.booleans()),
                    title=draw(st.sampled_from(["", "Ni-Cd batteries", "废铁质油桶"])),
                    available_from=draw(dates), available_to=draw(dates),
                    **({} if code else draw(st.sampled_from(STREAM_CASES))))
              for i, code in enumerate(coded)]
    needs = [need(f"N{i}", draw(st.sampled_from(sites)), forms=draw(st.sets(st.sampled_from(FORMS), max_size=3)),
                  purpose=draw(st.sampled_from(PURPOSES)), wanted=draw(comps), limits=draw(comps),
                  max_km=draw(st.sampled_from([None, 20.0, 100.0])),
                  available_from=draw(dates), available_to=draw(dates))
             for i in range(draw(st.integers(1, 4)))]
    lics = [licence(f"L{i}", f"E{draw(st.integers(0, n_ent - 1))}",
                    kind=draw(st.sampled_from(["hw_comprehensive", "hw_collection", "construction_waste_disposal",
                                               "household_waste_service"])),
                    stream_categories=draw(st.sets(st.sampled_from(["CW03", "CW04", "HH01", "HH03"]), max_size=1)),
                    categories=draw(st.sets(st.sampled_from(CATS), max_size=2)),
                    codes=draw(st.sets(st.sampled_from(CODES), max_size=2)),
                    activities=draw(st.sets(st.sampled_from(["collect", "store", "utilise", "dispose"]), max_size=3)),
                    valid_from=days(draw(st.integers(-400, 10))), valid_to=days(draw(st.integers(-10, 400))),
                    remaining_t=draw(st.sampled_from([0.0, 50.0, 500.0])))
            for i in range(draw(st.integers(0, 4)))]
    apps = [approval(f"A{i}", f"E{draw(st.integers(0, n_ent - 1))}", f"E{draw(st.integers(0, n_ent - 1))}",
                     draw(st.sampled_from(CODES)), valid_from=days(draw(st.integers(-30, 5))),
                     valid_to=draw(st.sampled_from([None, days(-1), days(0), days(30)])))
            for i in range(draw(st.integers(0, 2)))]
    p = build(offers, needs, lics, apps)
    arcs = all_arcs(p)
    keep = draw(st.lists(st.integers(0, len(arcs) - 1), min_size=1, max_size=len(arcs) + 2))
    return p, arcs.subset(np.array(keep, dtype=np.int64))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_explain_agrees_with_evaluate(case):
    p, arcs = case
    evaluate_rules(p, arcs)
    for k in range(len(arcs)):
        for recompute in (True, False):
            checks, lic, ex, ap = _explain_arc(p, arcs, k, recompute_pool=recompute)
            for c in checks:
                assert bool(arcs.checks[c.code][k]) == c.passed, (k, recompute, c)
                assert bool(arcs.unknown[c.code][k]) == c.unknown if c.code in UNKNOWN_CODES else not c.unknown
                assert not (c.passed and c.unknown)
                assert c.detail
            assert (int(arcs.licence[k]), int(arcs.exemption[k]), int(arcs.approval[k])) == (lic, ex, ap), k
    # licence pools: every arc that passed licence_capacity draws on its need's single licence
    ok = arcs.checks["licence_capacity"] & (arcs.licence >= 0)
    for need_index in np.unique(arcs.need[ok]):
        assert len(set(arcs.licence[ok & (arcs.need == need_index)].tolist())) == 1
