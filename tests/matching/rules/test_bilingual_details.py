"""Every rule writes its detail ``中文 / English``, passed or not: the pages show their language's half.

Each case below makes one rule pass or not pass (fail, unknown or flag) on one arc; the detail must
split (the way the pages split it, ``web.i18n.split_bilingual``) into a Chinese half without an
English sentence and an English half without Chinese.
"""
from __future__ import annotations

import re

import pytest

from matching.rules import RULES
from web.i18n import split_bilingual

from ..builders import approval, build, check, days, licence, need, offer, site
from .cases import H2SO4, HANDLER, MAKER, NACN, OIL, PB, PFOS, PLANT, WWTP, acid_offer, oil_problem

CJK = re.compile(r"[\u3400-\u9fff]")
# three Latin words in a row: a sentence left in English (codes, units and names are single words)
LATIN_RUN = re.compile(r"[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}")

PROVINCES = "江苏省|安徽省"
HW08 = licence("JS-HW-0012", "HANDLER", categories=["HW08"], activities=["utilise"])
FAR = site("FAR", lat=33.5, province="安徽省")


def _medical(purpose="dispose", **lic):
    lics = [licence("MED", "HANDLER", **lic)] if lic else []
    return build([offer("M", site("HOSP", industry="8411"), form="solid", code="841-001-01")],
                 [need("N", HANDLER, forms=["solid"], purpose=purpose)], lics)


def _pops(fraction, purpose="recycle", licences=()):
    return build([offer("P", PLANT, composition={PFOS: fraction})], [need("N", HANDLER, purpose=purpose)],
                 list(licences))


# (rule, problem, offer, need, passed): passed False covers failed, unknown and flagged outcomes
CASES = [
    ("hw_licence", oil_problem(HW08), "O", "N", True),
    ("hw_licence", oil_problem(), "O", "N", False),
    ("hw_licence", oil_problem(licence("L6", "HANDLER", categories=["HW06"])), "O", "N", False),
    ("hw_licence", build([acid_offer()], [need("N", MAKER)]), "A", "N", True),
    ("hw_licence", build([acid_offer(**{PB: 1e-6})], [need("N", WWTP)]), "A", "N", False),
    ("hw_licence", build([acid_offer()], [need("N", MAKER)], approvals=[approval("P2P-1", "PLANT", "MAKER",
                                                                                   "900-300-34")]), "A", "N", True),
    ("licence_capacity", oil_problem(HW08), "O", "N", True),
    ("licence_capacity", oil_problem(licence("FULL", "HANDLER", categories=["HW08"], remaining_t=0.0)),
     "O", "N", False),
    ("licence_capacity", oil_problem(), "O", "N", False),
    ("licence_capacity", build([offer("X", PLANT)], [need("N", MAKER)]), "X", "N", True),
    ("exemption", oil_problem(HW08), "O", "N", True),
    ("exemption", build([acid_offer()], [need("N", MAKER)]), "A", "N", False),
    ("exemption", build([offer("X", PLANT)], [need("N", HANDLER)]), "X", "N", True),
    ("pops_destruction_only", _pops(49e-6), "P", "N", True),
    ("pops_destruction_only", _pops(50e-6), "P", "N", False),
    ("pops_destruction_only", _pops(120e-6, purpose="dispose"), "P", "N", False),
    ("medical_waste", _medical(categories=["HW01"], activities=["dispose"]), "M", "N", True),
    ("medical_waste", _medical(purpose="recycle", categories=["HW01"]), "M", "N", False),
    ("medical_waste", _medical(), "M", "N", False),
    ("medical_waste", oil_problem(), "O", "N", True),
    ("contaminant_limit", build([offer("O", PLANT, composition={PB: 0.003})], [need("N", HANDLER, limits={PB: 0.001})]),
     "O", "N", False),
    ("contaminant_limit", build([offer("O", PLANT, composition={PB: 0.0001})],
                                [need("N", HANDLER, limits={PB: 0.001})]), "O", "N", True),
    ("contaminant_limit", build([offer("O", PLANT)], [need("N", HANDLER, limits={PB: 0.001})]), "O", "N", False),
    ("required_component", build([offer("O", PLANT, composition={H2SO4: 0.3})],
                                 [need("N", HANDLER, wanted={H2SO4: 0.2})]), "O", "N", True),
    ("required_component", build([offer("O", PLANT, composition={H2SO4: 0.15})],
                                 [need("N", HANDLER, wanted={H2SO4: 0.3})]), "O", "N", False),
    ("required_component", build([offer("O", PLANT)], [need("N", HANDLER, wanted={H2SO4: 0.3})]), "O", "N", False),
    ("form", build([offer("O", PLANT)], [need("N", HANDLER)]), "O", "N", True),
    ("form", build([offer("O", PLANT, form="sludge")], [need("N", HANDLER, forms=["liquid", "solid"])]),
     "O", "N", False),
    ("distance", build([offer("O", PLANT)], [need("N", HANDLER)]), "O", "N", True),
    ("distance", build([offer("O", PLANT)], [need("N", HANDLER, max_km=1.0)]), "O", "N", False),
    ("distance", build([offer("O", site("PH", hw_cap=1.0), code="900-214-08")], [need("N", FAR)]), "O", "N", False),
    ("cross_province_transfer", oil_problem(HW08), "O", "N", True),
    ("cross_province_transfer", build([offer("O", PLANT, code="900-214-08")], [need("N", FAR)]), "O", "N", False),
    ("cross_province_transfer", build([offer("O", site("NOWHERE", province=None), code="900-214-08")],
                                      [need("N", HANDLER)]), "O", "N", False),
    ("availability", build([offer("O", PLANT)], [need("N", HANDLER)]), "O", "N", True),
    ("availability", build([offer("O", PLANT, available_to=days(10))], [need("N", HANDLER, available_from=days(20))]),
     "O", "N", False),
    ("self_match", build([offer("O", PLANT)], [need("N", HANDLER)]), "O", "N", True),
    ("self_match", build([offer("O", HANDLER)], [need("N", HANDLER)]), "O", "N", False),
    # checked per arc it always passes (the optimiser enforces it across a need's suppliers)
    ("incompatible_mix", build([offer("CN", PLANT, code="336-104-33", composition={NACN: 0.1})],
                               [need("N", HANDLER, purpose="dispose")]), "CN", "N", True),
    ("incompatible_mix", build([offer("O", PLANT, composition={OIL: 0.9})], [need("N", HANDLER)]), "O", "N", True),
    ("composition_declared", build([offer("O", PLANT, code="900-249-08", composition={OIL: 0.9})],
                                   [need("N", HANDLER)], [HW08]), "O", "N", True),
    ("composition_declared", build([offer("O", PLANT, code="900-249-08")], [need("N", HANDLER)], [HW08]),
     "O", "N", False),
    ("composition_declared", build([offer("O", PLANT)], [need("N", HANDLER)]), "O", "N", True),
    ("stream_permit", build([offer("O", PLANT, form="solid", category="CW04")], [need("N", HANDLER, forms=["solid"])],
                            [licence("CW-1", "HANDLER", kind="construction_waste_disposal")]), "O", "N", True),
    ("stream_permit", build([offer("O", PLANT, form="solid", category="HH03")], [need("N", HANDLER, forms=["solid"])],
                            [HW08]), "O", "N", False),
]


@pytest.mark.parametrize("code, problem, offer_ref, need_ref, passed", CASES,
                         ids=[f"{c[0]}-{'pass' if c[4] else 'not'}-{i}" for i, c in enumerate(CASES)])
def test_detail_has_a_chinese_and_an_english_half(code, problem, offer_ref, need_ref, passed):
    c = check(problem, offer_ref, need_ref, code)
    assert c.passed is passed, c.detail
    halves = split_bilingual(c.detail)
    assert halves is not None, f"not written 中文 / English: {c.detail!r}"
    zh, en = halves
    assert CJK.search(zh) and not LATIN_RUN.search(zh), f"the Chinese half is not Chinese: {zh!r}"
    # provinces are data, stored in Chinese: the English half names them as stored
    assert en and not CJK.search(re.sub(PROVINCES, "", en)), f"the English half holds Chinese: {en!r}"


def test_every_rule_has_a_passed_and_a_not_passed_case():
    covered = {(code, passed) for code, *_, passed in CASES}
    for rule in RULES:
        assert (rule.code, True) in covered, rule.code
        if rule.code != "incompatible_mix":  # never fails per arc
            assert (rule.code, False) in covered, rule.code
