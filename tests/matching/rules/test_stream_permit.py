"""``stream_permit``: construction and household waste go only to receivers holding their stream's permit;
household hazardous waste and pesticide packaging to disposal only under an HW licence.

A feasible and an infeasible case per stream, then the details in both languages. ``builders.check``
also holds the scalar ``explain`` to the vectorised check on every arc.
"""
from __future__ import annotations

import pytest

from web.i18n import split_bilingual

from ..builders import build, check, days, licence, need, offer, site
from .cases import HANDLER, PLANT

SITE = site("SITE", industry="4790", lat=31.30)  # a building site: demolition
RECYCLER = site("AGG", industry="4220", lat=31.33)  # recycled aggregate plant
DIGESTER = site("BIO", industry="7820", lat=31.32)  # kitchen-waste digestion
FARM = site("FARM", industry="0111", lat=31.31)

CW = licence("CW-1", "AGG", kind="construction_waste_disposal", activities=["utilise", "dispose"])
HH = licence("HH-1", "BIO", kind="household_waste_service", activities=["utilise"])
HW_ALL = licence("HW-1", "HANDLER", categories=["HW29", "HW49"], activities=["utilise", "dispose"])


def _one(offer_, need_, *lics):
    return build([offer_], [need_], list(lics))


def _code(p, **kw):
    return check(p, "O", "N", "stream_permit", **kw)


# --- construction waste -------------------------------------------------------------------

def test_construction_waste_goes_to_a_receiver_with_the_disposal_approval():
    c = _code(_one(offer("O", SITE, form="solid", category="CW04"), need("N", RECYCLER, forms=["solid"]), CW))
    assert c.passed and c.hard and "CW-1" in c.detail


def test_construction_waste_without_the_approval_is_blocked():
    p = _one(offer("O", SITE, form="solid", category="CW04"), need("N", RECYCLER, forms=["solid"]))
    c = _code(p)
    assert not c.passed and "城市建筑垃圾处置核准" in c.detail and "Order No. 139" in c.detail


def test_an_expired_or_collection_only_or_narrower_approval_does_not_count():
    expired = licence("CW-0", "AGG", kind="construction_waste_disposal", valid_to=days(-1))
    collect = licence("CW-2", "AGG", kind="construction_waste_disposal", activities=["collect"])
    spoil_only = licence("CW-3", "AGG", kind="construction_waste_disposal", stream_categories=["CW01"])
    c = _code(_one(offer("O", SITE, form="solid", category="CW04"), need("N", RECYCLER, forms=["solid"]),
                   expired, collect, spoil_only))
    assert not c.passed
    assert "CW-0" in c.detail and "CW-2" in c.detail and "CW-3 covers CW01, not CW04" in c.detail
    # A stream licence is not an HW licence: it never covers HW (hw_licence still blocks the oil).
    oil = _one(offer("O", SITE, code="900-214-08"), need("N", RECYCLER), CW)
    assert check(oil, "O", "N", "stream_permit").passed
    hw = check(oil, "O", "N", "hw_licence")
    assert not hw.passed and "CW-1 is not an HW business licence" in hw.detail


# --- household waste ----------------------------------------------------------------------

def test_kitchen_waste_goes_to_a_licensed_digester():
    c = _code(_one(offer("O", SITE, form="sludge", category="HH03"),
                   need("N", DIGESTER, forms=["sludge"], purpose="recover_energy"), HH))
    assert c.passed and "HH-1" in c.detail


def test_kitchen_waste_to_an_unlicensed_plant_is_blocked():
    c = _code(_one(offer("O", SITE, form="sludge", category="HH03"),
                   need("N", DIGESTER, forms=["sludge"], purpose="recover_energy"), CW))
    assert not c.passed and "生活垃圾" in c.detail and "Order No. 157" in c.detail


def test_household_hazardous_waste_needs_the_hw_licence_with_the_activity():
    lamps = offer("O", SITE, form="solid", category="HH02")
    assert _code(_one(lamps, need("N", HANDLER, forms=["solid"], purpose="dispose"), HW_ALL)).passed
    # The household-waste licence does not do for hazardous household waste.
    hh_only = licence("HH-9", "HANDLER", kind="household_waste_service")
    assert not _code(_one(lamps, need("N", HANDLER, forms=["solid"], purpose="dispose"), hh_only)).passed
    util_only = licence("HW-U", "HANDLER", categories=["HW29"], activities=["utilise"])
    c = _code(_one(lamps, need("N", HANDLER, forms=["solid"], purpose="dispose"), util_only))
    assert not c.passed and "HW-U does not allow dispose" in c.detail


def test_a_hazardous_offer_without_an_hw_code_needs_an_hw_licence():
    bare = offer("O", PLANT, stream="hazardous")
    assert _code(_one(bare, need("N", HANDLER), HW_ALL)).passed
    assert not _code(_one(bare, need("N", HANDLER))).passed


# --- agricultural residues ----------------------------------------------------------------

def test_straw_needs_no_permit():
    c = _code(_one(offer("O", FARM, form="solid", category="AG01"), need("N", DIGESTER, forms=["solid"])))
    assert c.passed and "no permit" in c.detail


def test_pesticide_packaging_recycled_is_exempt_but_disposed_needs_an_hw49_licence():
    packs = offer("O", FARM, form="solid", category="AG04")
    recycled = _code(_one(packs, need("N", RECYCLER, forms=["solid"], purpose="recycle")))
    assert recycled.passed and "豁免" in recycled.detail
    assert _code(_one(packs, need("N", HANDLER, forms=["solid"], purpose="dispose"), HW_ALL)).passed
    hw08 = licence("HW-8", "HANDLER", categories=["HW08"], activities=["dispose"])
    c = _code(_one(packs, need("N", HANDLER, forms=["solid"], purpose="dispose"), hw08))
    assert not c.passed and "HW49" in c.detail


# --- the other streams --------------------------------------------------------------------

@pytest.mark.parametrize("record", [offer("O", PLANT), offer("O", PLANT, code="900-214-08"),
                                    offer("O", PLANT, category="SW02", form="powder")])
def test_industrial_and_coded_hazardous_offers_ask_nothing_of_this_rule(record):
    assert _code(_one(record, need("N", HANDLER, forms=["liquid", "powder"]))).passed


def test_only_the_arcs_to_unlicensed_receivers_are_removed():
    p = build([offer("O", SITE, form="solid", category="CW03")],
              [need("N", RECYCLER, forms=["solid"]), need("M", DIGESTER, forms=["solid"])], [CW])
    assert check(p, "O", "N", "stream_permit").passed
    assert not check(p, "O", "M", "stream_permit").passed


# --- both languages -----------------------------------------------------------------------

@pytest.mark.parametrize(("record", "receiver", "lics"), [
    (offer("O", SITE, form="solid", category="CW05"), need("N", RECYCLER, forms=["solid"]), [CW]),
    (offer("O", SITE, form="solid", category="CW05"), need("N", RECYCLER, forms=["solid"]), []),
    (offer("O", SITE, form="solid", category="HH01"), need("N", DIGESTER, forms=["solid"]), [HH]),
    (offer("O", SITE, form="solid", category="HH02"), need("N", HANDLER, forms=["solid"], purpose="dispose"), []),
    (offer("O", FARM, form="solid", category="AG04"), need("N", HANDLER, forms=["solid"], purpose="dispose"), []),
    (offer("O", FARM, form="solid", category="AG04"), need("N", RECYCLER, forms=["solid"]), []),
    (offer("O", FARM, form="solid", category="AG02"), need("N", RECYCLER, forms=["solid"]), []),
])
def test_the_detail_is_written_in_both_languages(record, receiver, lics):
    detail = _code(_one(record, receiver, *lics)).detail
    halves = split_bilingual(detail)
    assert halves is not None, detail
    zh, en = halves
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en), en


def test_hw_licence_points_a_hazardous_offer_without_a_code_to_this_rule():
    c = check(_one(offer("O", SITE, form="solid", category="HH02"), need("N", HANDLER, forms=["solid"])),
              "O", "N", "hw_licence")
    assert c.passed and "stream_permit" in c.detail and "不是危险废物" not in c.detail
