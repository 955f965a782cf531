"""``/hw-plans``: a small producer's plan drafted from last year's declaration and this year's manifests, tiered,
edited, submitted with findings, returned with a reason, corrected, filed and revised; who may do what; bad bodies
refused by field, changing nothing."""
from __future__ import annotations

import pytest

from tests.web.api.test_hw_declarations import _ok, _shipped

OIL = "900-214-08"


def _declared_last_year(api, year: int, generated_t: float = 4.0) -> None:
    """E-2's declaration of the year before, submitted: the plan's "last year"."""
    did = _ok(api.post("hw-declarations", "e2", json={"year": year - 1}))["id"]
    _ok(api.call("PUT", f"hw-declarations/{did}/lines", "e2",
                 json={"lines": [{"waste_code": OIL, "generated_t": generated_t, "transferred_t": generated_t}]}))
    _ok(api.post(f"hw-declarations/{did}/submit", "e2"))


def _plan(api) -> dict:
    """E-2's draft plan for this year (its two 1 t manifests dispatched, 4 t declared last year)."""
    year = _shipped(api)
    _declared_last_year(api, year)
    return _ok(api.post("hw-plans", "e2", json={"year": year}))


def _put(api, plan_id: int, as_: str = "e2", **body):
    return api.call("PUT", f"hw-plans/{plan_id}", as_, json=body)


def _kinds(api, who: str) -> list[dict]:
    return [n for n in _ok(api.get("notifications", who))["items"] if n["kind"] == "hw_plan"]


WASTE = {"waste_code": OIL, "name": "废机油", "source": "车辆维修保养", "planned_t": 5.0, "storage_max_t": 1.0,
         "transferred_t": 5.0}


def test_a_plan_from_draft_to_filed_and_revised(api):
    plan = _plan(api)
    pid, year = plan["id"], plan["year"]
    assert (plan["status"], plan["enterprise"], plan["revision"]) == ("draft", "E-2", 1)
    assert (plan["last_year_t"], plan["last_year_source"], plan["due_date"]) == (4.0, "declaration", f"{year}-03-31")
    [waste] = plan["wastes"]
    assert (waste["waste_code"], waste["last_year_t"], waste["manifests_t"], waste["manifests"]) == (OIL, 4.0, 2.0, 2)
    assert (waste["planned_t"], waste["transferred_t"]) == (4.0, 4.0)  # as last year, all handed over
    assert [(t["waste_code"], t["receiver"], t["licence_number"], t["planned_t"]) for t in plan["transfers"]] == [
        (OIL, "E-1", "TJ-HW-0001", 4.0)]
    assert plan["tier"] == "registration" and [r["code"] for r in plan["tier_reasons"]] == ["tonnes_registration"]
    assert plan["required"] == ["wastes", "transfers"] and plan["checks"] == []
    assert _ok(api.post("hw-plans", "e2", json={"year": year}))["id"] == pid  # the one there is

    # Edited: 5 t planned but only 4 t to the receiver, so the transfers do not add up.
    plan = _ok(_put(api, pid, wastes=[WASTE], transfers=[
        {"waste_code": OIL, "receiver": "E-1", "licence_number": "TJ-HW-0001", "planned_t": 4.0}],
        reduction_target_pct=10))
    assert (plan["wastes"][0]["planned_t"], plan["wastes"][0]["source"], plan["reduction_target_pct"]) == (
        5.0, "车辆维修保养", 10.0)
    assert plan["wastes"][0]["manifests_t"] == 2.0 and plan["tier"] == "registration"

    plan = _ok(api.post(f"hw-plans/{pid}/submit", "e2"))
    assert plan["status"] == "submitted" and plan["submitted_at"] and plan["late"]  # today is after 31 March
    assert [(c["code"], c["severity"], c["field"]) for c in plan["checks"]] == [
        ("transfers_differ", "error", "wastes.0.transferred_t"), ("late", "warning", "submitted_at")]
    assert " / " in plan["checks"][0]["message"] and plan["checks"][0]["waste_code"] == OIL
    [told] = _kinds(api, "coord")
    assert "开发区汽车维修中心" in told["message"]
    assert _kinds(api, "coord_nk") == []

    _ok(api.post(f"hw-plans/{pid}/return", "coord", json={"reason": "委托量应与接收单位合计一致"}))
    [told] = _kinds(api, "e2")
    assert "委托量应与接收单位合计一致" in told["message"]
    plan = _ok(api.get(f"hw-plans/{pid}", "e2"))
    assert (plan["status"], plan["returned_reason"]) == ("returned", "委托量应与接收单位合计一致")
    _ok(_put(api, pid, transfers=[{"waste_code": OIL, "receiver": "E-1", "licence_number": "TJ-HW-0001",
                                   "planned_t": 5.0}]))
    plan = _ok(api.post(f"hw-plans/{pid}/submit", "e2"))
    assert plan["status"] == "resubmitted" and [c["code"] for c in plan["checks"]] == ["late"]

    plan = _ok(api.post(f"hw-plans/{pid}/accept", "coord"))
    assert plan["status"] == "accepted" and plan["filing_number"] == f"HWMP-BH-{year}-E-2-R1" and plan["reviewed_at"]
    assert any(plan["filing_number"] in n["message"] for n in _kinds(api, "e2"))

    plan = _ok(api.post(f"hw-plans/{pid}/revise", "e2"))
    assert (plan["status"], plan["revision"], plan["filing_number"], plan["checks"]) == ("draft", 2, None, [])
    assert plan["wastes"][0]["planned_t"] == 5.0  # the revision starts from the filed plan

    def listed(who, **query):
        return [p["id"] for p in _ok(api.get("hw-plans", who, query_string=query))["plans"]]

    assert listed("coord", year=year, status="draft", tier="registration") == [pid]
    assert listed("coord", status="accepted") == [] and listed("coord", tier="key") == []
    assert listed("coord", year=year + 1) == []
    assert listed("e2") == [pid] and listed("e3") == [] and listed("coord_nk") == []
    assert api.get("hw-plans", "coord", query_string={"tier": "huge"}).status_code == 422


@pytest.mark.parametrize(("change", "tier"), [
    ({"wastes": [{**WASTE, "planned_t": 9.9, "transferred_t": 9.9}]}, "registration"),
    ({"wastes": [{**WASTE, "planned_t": 10.0, "transferred_t": 10.0}]}, "simplified"),
    ({"wastes": [{**WASTE, "planned_t": 99.0, "transferred_t": 99.0}]}, "simplified"),
    ({"wastes": [{**WASTE, "planned_t": 100.0, "transferred_t": 100.0}]}, "key"),
    ({"facilities": [{"kind": "storage", "name": "危废暂存间", "capacity_t": 2}]}, "registration"),
    ({"facilities": [{"kind": "disposal", "name": "焚烧炉", "capacity_t": 50}]}, "key"),
])
def test_the_tier_follows_the_tonnes_and_own_treatment(api, change, tier):
    plan = _ok(_put(api, _plan(api)["id"], **change))
    assert plan["tier"] == tier
    assert ({"facilities", "reduction"} <= set(plan["required"])) == (tier == "key")


def test_a_key_unit_is_told_what_it_lacks(api):
    pid = _plan(api)["id"]
    _ok(_put(api, pid, wastes=[{**WASTE, "planned_t": 150, "transferred_t": 150}], transfers=[
        {"waste_code": OIL, "receiver": "E-1", "licence_number": "TJ-HW-0001", "planned_t": 150}]))
    checks = _ok(api.post(f"hw-plans/{pid}/submit", "e2"))["checks"]
    assert {(c["code"], c["field"]) for c in checks if c["code"] == "section_missing"} == {
        ("section_missing", "facilities"), ("section_missing", "reduction_measures")}
    _ok(api.post(f"hw-plans/{pid}/return", "coord", json={"reason": "补充设施与减量化措施"}))
    _ok(_put(api, pid, facilities=[{"kind": "storage", "name": "危废暂存间", "capacity_t": 20}],
             reduction_measures="更换长寿命机油，延长换油周期"))
    checks = _ok(api.post(f"hw-plans/{pid}/submit", "e2"))["checks"]
    assert [c["code"] for c in checks] == ["late"]


def test_who_may_do_what(api):
    plan = _plan(api)
    pid, year = plan["id"], plan["year"]
    assert api.get(f"hw-plans/{pid}", "e3").status_code == 404
    assert api.get(f"hw-plans/{pid}", "coord_nk").status_code == 404
    assert _put(api, pid, "e3", reduction_target_pct=5).status_code == 404
    assert api.post("hw-plans", "e3", json={"enterprise": "E-2", "year": year}).status_code == 403
    assert api.post("hw-plans", "coord_nk", json={"enterprise": "E-2", "year": year}).status_code == 404
    assert api.post("hw-plans", "coord", json={"enterprise": "E-2", "year": year}).json["id"] == pid
    assert api.post("hw-plans", "e2", json={"year": 1800}).status_code == 422
    assert api.post(f"hw-plans/{pid}/submit", "coord").status_code == 403
    assert _put(api, pid, "coord", reduction_target_pct=5).status_code == 403
    assert api.post(f"hw-plans/{pid}/accept", "coord").status_code == 409  # a draft is not under review
    assert api.post(f"hw-plans/{pid}/revise", "e2").status_code == 409  # only a filed plan is revised

    _ok(api.post(f"hw-plans/{pid}/submit", "e2"))
    assert api.post(f"hw-plans/{pid}/accept", "e2").status_code == 403
    assert api.post(f"hw-plans/{pid}/return", "e2", json={"reason": "x"}).status_code == 403
    assert api.post(f"hw-plans/{pid}/accept", "coord_nk").status_code == 404
    assert api.post(f"hw-plans/{pid}/submit", "e2").status_code == 409  # already under review
    assert _put(api, pid, reduction_target_pct=5).status_code == 409
    assert api.post(f"hw-plans/{pid}/return", "coord", json={"reason": ""}).status_code == 422
    assert api.post(f"hw-plans/{pid}/revise", "coord").status_code == 403
    assert _ok(api.post(f"hw-plans/{pid}/accept", "coord"))["status"] == "accepted"
    assert api.post(f"hw-plans/{pid}/return", "coord", json={"reason": "晚了"}).status_code == 409
    assert api.post(f"hw-plans/{pid}/revise", "e3").status_code == 404
    assert _ok(api.post(f"hw-plans/{pid}/revise", "admin"))["revision"] == 2


def test_a_plan_without_wastes_is_not_submitted(api):
    pid = _plan(api)["id"]
    _ok(_put(api, pid, wastes=[], transfers=[]))
    r = api.post(f"hw-plans/{pid}/submit", "e2")
    assert r.status_code == 422 and set(r.json["errors"]) == {"wastes"}
    assert _ok(api.get(f"hw-plans/{pid}", "e2"))["status"] == "draft"
    _ok(_put(api, pid, wastes=[WASTE]))
    assert _ok(api.post(f"hw-plans/{pid}/submit", "e2"))["status"] == "submitted"


TRANSFER = {"waste_code": OIL, "receiver": "E-1", "licence_number": "TJ-HW-0001", "planned_t": 5.0}


@pytest.mark.parametrize(("body", "where", "fields"), [
    ({"wastes": [{**WASTE, "planned_t": -1}]}, "service", {"wastes.0.planned_t"}),
    ({"wastes": [{**WASTE, "waste_code": "HW08"}]}, "service", {"wastes.0.waste_code"}),
    ({"wastes": [{**WASTE, "transferred_t": "5"}]}, "service", {"wastes.0.transferred_t"}),
    ({"wastes": [{**WASTE, "colour": "black"}]}, "service", {"wastes.0.colour"}),
    ({"wastes": [WASTE, WASTE]}, "service", {"wastes.1.waste_code"}),
    ({"facilities": [{"kind": "tank", "name": "罐区", "capacity_t": 5}]}, "service", {"facilities.0.kind"}),
    ({"facilities": [{"kind": "storage", "name": "", "capacity_t": 5}]}, "service", {"facilities.0.name"}),
    ({"transfers": [{**TRANSFER, "planned_t": 1e20}]}, "service", {"transfers.0.planned_t"}),
    ({"transfers": [{**TRANSFER, "licence_number": None}]}, "service", {"transfers.0.licence_number"}),
    # One bad row spoils the whole body: the good parts are not saved either.
    ({"wastes": [WASTE], "reduction_measures": "分类收集", "transfers": [{**TRANSFER, "planned_t": -5}]}, "service",
     {"transfers.0.planned_t"}),
    ({"reduction_target_pct": 150}, "schema", {"reduction_target_pct"}),
    ({"reduction_target_pct": "ten"}, "schema", {"reduction_target_pct"}),
    ({"reduction_measures": "减" * 4001}, "schema", {"reduction_measures"}),
    ({"wastes": [WASTE] * 201}, "schema", {"wastes"}),
    ({"wastes": {"waste_code": OIL}}, "schema", {"wastes"}),
    ({"owner": "E-3"}, "schema", {"owner"}),
])
def test_bad_bodies_are_refused_by_field_and_change_nothing(api, body, where, fields):
    pid = _plan(api)["id"]
    before = _ok(api.get(f"hw-plans/{pid}", "e2"))
    r = _put(api, pid, **body)
    assert r.status_code == 422, r.json
    errors = r.json["errors"]["json"] if where == "schema" else r.json["errors"]
    assert set(errors) == fields, r.json
    assert _ok(api.get(f"hw-plans/{pid}", "e2")) == before


def test_a_good_body_is_saved_whole(api):
    """The feasible counterpart of the refusals above: every part at once, and null clears the target."""
    pid = _plan(api)["id"]
    plan = _ok(_put(api, pid, wastes=[WASTE], transfers=[TRANSFER], reduction_measures="分类收集",
                    facilities=[{"kind": "storage", "name": "危废暂存间", "capacity_t": 2}], reduction_target_pct=100))
    assert (len(plan["wastes"]), len(plan["transfers"]), plan["facilities"][0]["kind"], plan["reduction_measures"],
            plan["reduction_target_pct"]) == (1, 1, "storage", "分类收集", 100.0)
    assert _ok(_put(api, pid, reduction_target_pct=None))["reduction_target_pct"] is None
    assert _ok(api.get(f"hw-plans/{pid}", "e2"))["facilities"] == [
        {"kind": "storage", "name": "危废暂存间", "capacity_t": 2.0}]
