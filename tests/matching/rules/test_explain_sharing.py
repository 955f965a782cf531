"""Explanations made cheaper without changing a word: shared checks, details kept per input (issue 19)."""
from __future__ import annotations

from matching.exemptions import rules_naming as rules_naming_uncached
from matching.rules import explain
from matching.rules.base import Check
from matching.rules.licensing import rules_naming

from ..builders import all_arcs, build, need, offer
from .cases import HANDLER, PLANT, RECYCLER


def _arc(arcs, p, o: str, n: str) -> int:
    oi, ni = p.o.ref_index[o], p.n.ref_index[n]
    return next(k for k in range(len(arcs)) if arcs.offer[k] == oi and arcs.need[k] == ni)


def test_equal_checks_are_one_shared_object_with_the_same_words():
    p = build([offer("L1", PLANT, form="liquid"), offer("L2", PLANT, form="liquid"), offer("S", PLANT, form="solid")],
              [need("N", HANDLER, forms=["liquid", "sludge"]), need("M", RECYCLER, forms=["sludge", "liquid"])])
    arcs = all_arcs(p)
    first = {c.code: c for c in explain(p, arcs, _arc(arcs, p, "L1", "N"))}
    second = {c.code: c for c in explain(p, arcs, _arc(arcs, p, "L2", "M"))}
    solid = {c.code: c for c in explain(p, arcs, _arc(arcs, p, "S", "N"))}
    # The same offer form and the same accepted forms (another order): one Check, shared.
    assert first["form"] is second["form"]
    assert first["form"] == Check("form", True, True, "液态可接受（需求接受：液态、污泥） / liquid accepted "
                                  "(need accepts liquid, sludge)")
    assert first["self_match"] is second["self_match"]
    # Another verdict is another Check, with its own words.
    assert not solid["form"].passed and "solid not accepted" in solid["form"].detail
    assert solid["form"] is not first["form"]


def test_rules_naming_kept_per_code_is_the_exemption_lists_answer():
    for code in ("900-214-08", "900-300-34", "900-041-49", None, ""):
        assert list(rules_naming(code)) == rules_naming_uncached(code)
