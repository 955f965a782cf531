"""DESIGN rule 1, ``hw_licence``: licences by category or code, validity, activities, collection-only licences."""
from __future__ import annotations

import datetime as dt

import pytest

from ..builders import TODAY, build, check, days, evaluated, licence, need, offer, site
from .cases import HANDLER, OIL, PLANT, oil_problem


def test_non_hw_passes():
    p = build([offer("O", PLANT, composition={OIL: 0.9})], [need("N", HANDLER)])
    c = check(p, "O", "N", "hw_licence")
    assert c.passed and "not hazardous waste" in c.detail


def test_licence_by_category_passes_and_names_licence():
    p = oil_problem(licence("JS-HW-0012", "HANDLER", categories=["HW08"], activities=["utilise"],
                            valid_to=dt.date(2029, 12, 31)))
    c = check(p, "O", "N", "hw_licence")
    assert c.passed
    assert "JS-HW-0012" in c.detail and "HW08" in c.detail and "utilise" in c.detail and "2029-12-31" in c.detail


def test_no_licence_fails():
    c = check(oil_problem(), "O", "N", "hw_licence")
    assert not c.passed and "no HW business licence" in c.detail


def test_expired_and_future_licences_fail():
    expired = licence("OLD", "HANDLER", categories=["HW08"], valid_from=days(-800), valid_to=days(-1))
    c = check(oil_problem(expired), "O", "N", "hw_licence")
    assert not c.passed and "OLD expired" in c.detail
    future = licence("NEW", "HANDLER", categories=["HW08"], valid_from=days(1), valid_to=days(900))
    c = check(oil_problem(future), "O", "N", "hw_licence")
    assert not c.passed and "valid only from" in c.detail
    # valid on its last day, inclusive
    assert check(oil_problem(licence("EDGE", "HANDLER", categories=["HW08"], valid_to=TODAY)), "O", "N",
                 "hw_licence").passed


def test_licence_of_wrong_category_fails():
    c = check(oil_problem(licence("L6", "HANDLER", categories=["HW06"])), "O", "N", "hw_licence")
    assert not c.passed and "covers HW06, not 900-214-08" in c.detail


@pytest.mark.parametrize("activities, purpose, ok", [
    (["utilise"], "recycle", True), (["utilise"], "reuse", True), (["utilise"], "co_process", True),
    (["utilise"], "recover_energy", True), (["utilise"], "dispose", False),
    (["dispose"], "dispose", True), (["dispose"], "recycle", False),
    (["collect", "store"], "recycle", False), (["collect", "store"], "dispose", False),
])
def test_activity_must_fit_purpose(activities, purpose, ok):
    p = oil_problem(licence("L", "HANDLER", categories=["HW08"], activities=activities), purpose=purpose)
    c = check(p, "O", "N", "hw_licence")
    assert c.passed is ok, c.detail


def test_codes_only_licence_covers_just_its_codes():
    lic = licence("CODES", "HANDLER", codes=["900-214-08"])
    assert check(oil_problem(lic), "O", "N", "hw_licence").passed
    c = check(oil_problem(lic, offer_site=PLANT, code="900-249-08"), "O", "N", "hw_licence")
    assert not c.passed and "covers 900-214-08, not 900-249-08" in c.detail


def collection(**kw):
    return licence("COL-1", "HANDLER", kind="hw_collection", categories=["HW08", "HW49"],
                   activities=["collect", "store"], **kw)


def test_collection_licence_takes_vehicle_repair_oil():
    c = check(oil_problem(collection()), "O", "N", "hw_licence")
    assert c.passed and "collection" in c.detail


def test_collection_licence_refuses_industrial_oil_other_sources_and_disposal():
    # industrial waste oil, even from a garage
    c = check(oil_problem(collection(), code="900-249-08"), "O", "N", "hw_licence")
    assert not c.passed and "collection licence" in c.detail
    # vehicle oil code, but the producer is not a vehicle repairer
    assert not check(oil_problem(collection(), offer_site=PLANT), "O", "N", "hw_licence").passed
    # disposal is never within a collection licence, whatever its activities say
    lic = licence("COL-2", "HANDLER", kind="hw_collection", categories=["HW08"], activities=["collect", "dispose"])
    c = check(oil_problem(lic, purpose="dispose"), "O", "N", "hw_licence")
    assert not c.passed and "no disposal" in c.detail
    # a collection licence without the collect activity
    lic = licence("COL-3", "HANDLER", kind="hw_collection", categories=["HW08"], activities=["store"])
    assert not check(oil_problem(lic), "O", "N", "hw_licence").passed


def test_collection_licence_household_cd_ni_batteries():
    sanitation = site("SAN", industry="7820")
    batteries = offer("B", sanitation, form="solid", code="900-044-49", title_zh="居民废镍镉电池")
    crt = offer("C", sanitation, form="solid", code="900-044-49", title="CRT glass")
    factory_batt = offer("F", PLANT, form="solid", code="900-044-49", title="Ni-Cd batteries")
    p = build([batteries, crt, factory_batt], [need("N", HANDLER, forms=["solid"])], [collection()])
    arcs = evaluated(p)
    assert check(p, "B", "N", "hw_licence", arcs).passed
    assert not check(p, "C", "N", "hw_licence", arcs).passed
    assert not check(p, "F", "N", "hw_licence", arcs).passed


def test_licence_covering_by_category_or_code():
    lic = licence("BOTH", "HANDLER", categories=["HW06"], codes=["900-214-08"])
    assert check(oil_problem(lic), "O", "N", "hw_licence").passed
