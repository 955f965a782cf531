"""Confidentiality by inference (issue 18): what an anonymised party shows is shared by several enterprises,
licence figures and exact distances are not shown, and no enterprise takes another's name in its park."""
from __future__ import annotations

import random
from collections import Counter

import pytest
from sqlalchemy import select

from marketplace.errors import Conflict, ValidationFailed
from marketplace.models import Enterprise, Listing
from marketplace.schemas.interchange import EnterpriseSchema
from marketplace.services.accounts import enterprises as svc
from marketplace.services.accounts.disclosure import (
    ANONYMITY_K,
    Redactor,
    anonymous_profile,
    anonymous_profiles,
    band_floor,
    distance_band,
    hide_licence_figures,
    listing_view,
)
from marketplace.services.listings.interchange import import_document
from tests.factories import api_document, api_principals


@pytest.fixture()
def who(session):
    return api_principals(session)


def test_distance_bands():
    assert [distance_band(km) for km in (0.0, 4.99, 5.0, 9.2, 25.0, 99.9, 100.0, 730.4)] == [
        ("<5 km", 5.0), ("<5 km", 5.0), ("5–10 km", 10.0), ("5–10 km", 10.0), ("25–50 km", 50.0),
        ("50–100 km", 100.0), (">100 km", 100.0), (">100 km", 100.0)]
    assert [band_floor(km) for km in (3.0, 9.2, 60.0, 730.4)] == [0.0, 5.0, 50.0, 100.0]


def test_every_shown_place_and_industry_is_shared_by_several_enterprises():
    rng = random.Random(18)
    classes = ["2614", "2619", "2662", "3011", "3130", "7724", "8111", "4411", "9999"]  # 9999: not a built-in class
    districts = ["昆山市", "太仓市", "常熟市", "相城区", None]
    ents = {i: ("江苏省", rng.choice(districts), rng.choice(classes), f"own words {i}") for i in range(60)}
    shown = anonymous_profiles(ents)
    groups = Counter((p["province"], p["district"], p["industry"]) for p in shown.values())
    # Each tuple that names a district or an industry is shown by at least K enterprises.
    assert all(n >= ANONYMITY_K for (_, district, industry), n in groups.items() if district or industry), groups
    for eid, p in shown.items():
        assert p["district"] in (None, ents[eid][1])
        # The enterprise's own words never: a built-in class's name, a section's, or nothing.
        assert p["industry_name"] != ents[eid][3]
    # Not everything is coarsened away: a third keep their class here, more than half at least a section.
    assert sum(p["industry"] in classes for p in shown.values()) >= 15
    assert sum(p["industry"] is not None for p in shown.values()) >= 30


def test_a_lone_enterprise_shows_its_province_only():
    shown = anonymous_profiles({1: ("天津市", "滨海新区", "7724", "Hazardous waste treatment"),
                                2: ("天津市", "滨海新区", "8111", "Vehicle repair"),
                                3: ("天津市", "西青区", "8111", "Vehicle repair")})
    assert {p["district"] for p in shown.values()} == {None}
    assert {p["industry"] for p in shown.values()} == {None}


def test_licence_figures_are_hidden_in_each_half():
    text = ("许可证 [许可证] 覆盖 900-214-08（类别 HW08），利用；有效期至 2029-12-31 / licence [licence] covers "
            "900-214-08 (category HW08), utilise; valid to 2029-12-31")
    assert hide_licence_figures(text) == (
        "许可证 [许可证] 覆盖 900-214-08（类别 HW08），利用；有效期至 [日期] / licence [licence] covers "
        "900-214-08 (category HW08), utilise; valid to [date]")
    capacity = ("许可证 X：本年度剩余经营规模 4,880.5 t，由该需求的各供给方共享 / licence X: 4,880.5 t capacity left "
                "this year, shared by this need's suppliers")
    assert "4,880.5" not in hide_licence_figures(capacity) and "[规模]" in hide_licence_figures(capacity)


def test_the_redactor_hides_a_licence_holders_figures_and_the_exact_distance(session):
    import_document(session, api_document(), actor="test")
    n1 = session.scalar(select(Listing).where(Listing.ref == "N-1"))  # E-1 holds TJ-HW-0001
    redact = Redactor()
    redact.hide_listing(n1)
    checks = [{"code": "licence_capacity", "detail": "许可证 TJ-HW-0001：本年度剩余经营规模 4880.0 t / licence "
                                                     "TJ-HW-0001: 4880.0 t capacity left this year"},
              {"code": "distance", "detail": "运输距离 9.2 km ≤ 150.0 km / distance 9.2 km ≤ 150.0 km"},
              {"code": "quantity", "detail": "300 t"}]
    out = redact(checks)
    assert out[0]["detail"] == "许可证 [许可证]：本年度剩余经营规模 [规模] / licence [licence]: [capacity] capacity left this year"
    assert out[1]["detail"] == "运输距离 5–10 km ≤ 150.0 km / distance 5–10 km ≤ 150.0 km"
    assert out[2]["detail"] == "300 t"  # not a licence check: figures stay


def test_a_profile_follows_a_change_of_district(session, who):
    import_document(session, api_document(), actor="test")
    o2 = session.scalar(select(Listing).where(Listing.ref == "O-2"))
    assert listing_view(o2, identified=False)["district"] is None  # 滨海新区: E-3 and E-4 only
    for ref in ("E-1", "E-2"):
        svc.update_enterprise(session, who["admin"], ref, {"district": "滨海新区"})
    # Four enterprises with listings share it now: the district is shown (the cached profiles were dropped).
    assert listing_view(o2, identified=False)["district"] == "滨海新区"
    assert anonymous_profile(o2.enterprise)["province"] == "天津市"


# --- unique names within a park -------------------------------------------------------------------------------

def _new(ref: str, name: str, park: str = "BH"):
    return EnterpriseSchema().load({"ref": ref, "name": name, "park": park, "lat": 39.1, "lon": 117.6,
                                    "industry": "2614"})


def test_names_are_unique_within_a_park(session, who):
    import_document(session, api_document(), actor="test")
    with pytest.raises(Conflict) as exc:
        svc.create_enterprise(session, who["admin"], _new("E-9", "滨海再生资源有限公司"))
    assert "name" in exc.value.errors and "同名" in str(exc.value)
    # Another park may have an enterprise of that name.
    assert svc.create_enterprise(session, who["admin"], _new("E-9", "滨海再生资源有限公司", park="NK")).ref == "E-9"
    # Renaming: case and spacing do not make a name new.
    svc.create_enterprise(session, who["admin"], _new("E-10", "Acme Chemicals"))
    with pytest.raises(Conflict):
        svc.update_enterprise(session, who["e2"], "E-2", {"name": "  ACME   chemicals "})
    # Moving into a park where the name is taken.
    with pytest.raises(Conflict):
        svc.update_enterprise(session, who["admin"], "E-9", {"park": "BH"})
    assert session.get(Enterprise, session.scalar(select(Enterprise.id).where(Enterprise.ref == "E-9"))).park.code == "NK"
    # Saving one's own name unchanged is fine.
    assert svc.update_enterprise(session, who["e2"], "E-2", {"name": "开发区汽车维修中心"}).ref == "E-2"


def test_an_import_may_not_give_two_enterprises_of_a_park_one_name(session):
    import_document(session, api_document(), actor="test")
    doc = api_document()
    doc["enterprises"][1]["name"] = doc["enterprises"][0]["name"]  # E-2 named as E-1, in the file
    with pytest.raises(ValidationFailed) as exc:
        import_document(session, doc, actor="test")
    assert "$.enterprises[1].name" in exc.value.errors
    clash = {"ref": "E-20", "name": "滨海机动车检测维修有限公司", "park": "BH", "lat": 39.0, "lon": 117.6}
    with pytest.raises(ValidationFailed) as exc:  # named as E-3, stored
        import_document(session, {"format": "wastematch.v1", "enterprises": [clash]}, actor="test")
    assert list(exc.value.errors) == ["$.enterprises[0].name"]
    # Re-importing the stored park unchanged is no clash with itself, and swapping is judged on the new names.
    import_document(session, api_document(), actor="test")
