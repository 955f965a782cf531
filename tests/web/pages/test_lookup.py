"""The listing form's JSON look-ups: waste codes (Chinese, English, code) and chemicals by CAS number or name."""
from __future__ import annotations


def items(pages, q: str) -> list[dict]:
    res = pages.get("/lookup/codes", query_string={"q": q})
    assert res.status_code == 200 and res.is_json
    return res.json["items"]


def test_waste_codes_by_chinese_english_or_code(pages):
    pages.sign_in("e2")
    for q in ("废矿物油", "mineral oil", "900-214"):
        found = items(pages, q)
        assert any(i["code"] == "900-214-08" and i["hazardous"] and i["kind"] == "hw" for i in found), q
        assert len(found) <= 20
    first = next(i for i in items(pages, "900-214-08") if i["code"] == "900-214-08")
    assert first["category"] == "HW08" and first["name_zh"] and first["name_en"]
    general = items(pages, "粉煤灰")
    assert any(i["code"] == "SW02" and i["kind"] == "sw" and not i["hazardous"] for i in general)
    assert items(pages, "") == [] and len(items(pages, "0")) == 20


def test_chemicals_by_cas_or_name_with_control_flags(pages):
    pages.sign_in("e1")
    res = pages.get("/lookup/chemicals?q=75-09-2")
    assert res.status_code == 200 and res.json["found"] and res.json["name_zh"] == "二氯甲烷"
    assert res.json["new_pollutant"] is True and res.json["cas"] == "75-09-2"
    assert pages.get("/lookup/chemicals", query_string={"q": "甲苯"}).json["cas"] == "108-88-3"
    assert pages.get("/lookup/chemicals?q=1763-23-1").json["pop"] is True  # PFOS
    bad = pages.get("/lookup/chemicals?q=75-09-3")
    assert bad.status_code == 200 and bad.json["found"] is False and bad.json["error"]
    assert pages.get("/lookup/chemicals?q=no-such-substance-xyz").json == {"found": False}


def test_signed_in_users_only(pages):
    for path in ("/lookup/codes?q=oil", "/lookup/chemicals?q=75-09-2"):
        res = pages.get(path)
        assert res.status_code == 401 and res.is_json and res.json["error"]
    pages.sign_in("coord")  # any signed-in user: coordinators fill the same catalogue fields
    assert pages.get("/lookup/codes?q=oil").status_code == 200


def test_messages_in_english(pages):
    pages.language("en")
    assert pages.get("/lookup/codes?q=oil").json["error"] == "Please sign in first."
    pages.sign_in("e2")
    assert pages.get("/lookup/chemicals?q=75-09-3").json["error"] == "Not a valid CAS number: check the digits."
