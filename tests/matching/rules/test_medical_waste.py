"""DESIGN rule 5, ``medical_waste``: HW01 only to licensed disposal."""
from __future__ import annotations

from ..builders import build, check, days, licence, need, offer, site
from .cases import HANDLER, oil_problem


def medical(purpose="dispose", **lic):
    lics = [licence("MED", "HANDLER", **lic)] if lic else []
    return build([offer("M", site("HOSP", industry="8411"), form="solid", code="841-001-01")],
                 [need("N", HANDLER, forms=["solid"], purpose=purpose)], lics)


def test_medical_waste_to_licensed_disposal():
    c = check(medical(categories=["HW01"], activities=["dispose"]), "M", "N", "medical_waste")
    assert c.passed and "MED" in c.detail


def test_medical_waste_elsewhere_fails():
    assert not check(medical(purpose="recycle", categories=["HW01"]), "M", "N", "medical_waste").passed
    assert not check(medical(categories=["HW08"], activities=["dispose"]), "M", "N", "medical_waste").passed
    assert not check(medical(categories=["HW01"], activities=["utilise"]), "M", "N", "medical_waste").passed
    assert not check(medical(), "M", "N", "medical_waste").passed
    expired = {"categories": ["HW01"], "activities": ["dispose"], "valid_from": days(-900), "valid_to": days(-10)}
    assert not check(medical(**expired), "M", "N", "medical_waste").passed


def test_not_medical_waste_passes():
    c = check(oil_problem(), "O", "N", "medical_waste")
    assert c.passed and "not medical" in c.detail
