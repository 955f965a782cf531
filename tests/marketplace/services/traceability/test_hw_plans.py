"""The hazardous waste management plan: drafted from what the platform knows, tiered as HJ 1259-2022 tiers units,
checked on submission (a feasible and an infeasible case per finding), filed, revised; every refusal named."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.models import AuditEvent, HwPlan, LedgerFinding, Notification, Shipment
from marketplace.services.traceability import hw_declarations, ledger, ledger_review
from marketplace.services.traceability import hw_plans as plans
from tests.marketplace.services.traceability.test_hw_declarations import CODE, _shipped

STORE = {"kind": "storage", "name": "危废暂存间", "capacity_t": 20}
MEASURES = "废机油全部交由持证单位再生利用；更换长寿命机油，减少更换频次"


def _codes(plan: HwPlan) -> list[str]:
    return [c["code"] for c in plan.checks]


def _small(w, year: int, planned: float = 4.0, **extra) -> HwPlan:
    """E-2's plan for ``year``: ``planned`` t of its engine oil, all handed to E-1 under its licence."""
    plan = plans.draft(w.session, w.p["e2"], None, year)
    body = {"wastes": [{"waste_code": CODE, "name": "废机油", "source": "车辆保养换油", "planned_t": planned,
                        "transferred_t": planned}],
            "transfers": [{"waste_code": CODE, "receiver": "E-1", "licence_number": "TJ-HW-0001",
                           "planned_t": planned}], **extra}
    return plans.save_plan(w.session, w.p["e2"], plan.id, body)


# --- drafting and tiers ----------------------------------------------------------------------------------------------

def test_the_draft_holds_what_the_platform_knows(w):
    _, year = _shipped(w)
    plan = plans.draft(w.session, w.p["e2"], None, year)
    [waste] = plan.wastes
    # No history before this year: the active offer's 300 t a year is the plan; this year's manifests beside it.
    assert (waste.waste_code, waste.name, waste.planned_t, waste.transferred_t) == (CODE, "废机油", 300, 300)
    assert (waste.manifests_t, waste.manifest_count, plan.last_year_source) == (pytest.approx(4.25), 3, None)
    [transfer] = plan.transfers
    assert (transfer.receiver, transfer.licence_number, transfer.planned_t) == ("E-1", "TJ-HW-0001", 300)
    assert plan.tier == "key" and [r["code"] for r in plan.tier_reasons] == ["tonnes_key"]
    assert plans.plan_view(plan)["required"] == ["wastes", "transfers", "facilities", "reduction"]
    assert plans.draft(w.session, w.p["e2"], None, year) is plan
    assert w.session.scalar(select(AuditEvent).where(AuditEvent.action == "hw_plan.draft")) is not None


def test_next_years_draft_starts_from_last_years_manifests_or_declaration(w):
    _, year = _shipped(w)
    plan = plans.draft(w.session, w.p["e2"], None, year + 1)
    assert (plan.last_year_t, plan.last_year_source) == (pytest.approx(4.25), "manifests")
    assert plan.wastes[0].planned_t == pytest.approx(4.25) and plan.tier == "registration"
    # Once last year's declaration is submitted it is the enterprise's own word on what it generated.
    decl = hw_declarations.draft(w.session, w.p["e2"], None, year)
    hw_declarations.save_lines(w.session, w.p["e2"], decl.id, [{"waste_code": CODE, "generated_t": 12.0,
                                                                "transferred_t": 4.25, "stock_end_t": 7.75}])
    hw_declarations.submit(w.session, w.p["e2"], decl.id)
    plan = plans.draft(w.session, w.p["e2"], None, year + 1)  # refreshed: the enterprise's figures are kept
    assert (plan.last_year_t, plan.last_year_source, plan.wastes[0].last_year_t) == (12.0, "declaration", 12.0)
    assert plan.wastes[0].planned_t == pytest.approx(4.25) and plan.tier == "simplified"


def test_last_years_ledger_says_what_was_produced_when_there_is_no_declaration(w):
    _, year = _shipped(w)  # 4.25 t left under manifests this year
    for i, (day, tonnes) in enumerate(((f"{year}-02-10", 6.0), (f"{year}-09-30", 5.5))):
        ledger.create_entry(w.session, w.p["e2"], {
            "batch_code": f"WO-{i}", "direction": "produced", "entry_date": day, "chemical_name": "废机油",
            "waste_code": CODE, "quantity_t": tonnes}, today=dt.date(year, 12, 31))
    plan = plans.draft(w.session, w.p["e2"], None, year + 1)
    # The ledger's 11.5 t produced, not the 4.25 t that left under manifests: the rest is still in store.
    assert (plan.last_year_t, plan.last_year_source, plan.tier) == (11.5, "ledger", "simplified")
    assert plan.wastes[0].planned_t == 11.5


@pytest.mark.parametrize(("tonnes", "own", "licence", "tier", "reasons"), [
    (9.999, False, None, "registration", ["tonnes_registration"]),
    (10.0, False, None, "simplified", ["tonnes_simplified"]),
    (99.99, False, None, "simplified", ["tonnes_simplified"]),
    (100.0, False, None, "key", ["tonnes_key"]),
    (0.5, True, None, "key", ["own_treatment"]),
    (0.5, False, "TJ-HW-0001", "key", ["licence"]),
    (150.0, True, "TJ-HW-0001", "key", ["tonnes_key", "own_treatment", "licence"]),
])
def test_the_tier_follows_hj_1259(tonnes, own, licence, tier, reasons):
    got, why = plans.tier_of(tonnes=tonnes, own_treatment=own, licence=licence)
    assert (got, [r["code"] for r in why]) == (tier, reasons)
    assert all(" / " in r["message"] for r in why)


def test_a_licensed_handler_and_an_own_facility_make_a_key_unit(w):
    plan = plans.draft(w.session, w.p["e1"], None, 2027)
    assert plan.tier == "key" and "TJ-HW-0001" in plan.tier_reasons[0]["message"]
    small = _small(w, 2027, planned=2.0)
    assert small.tier == "registration"
    small = plans.save_plan(w.session, w.p["e2"], small.id, {"facilities": [
        {"kind": "utilisation", "name": "废油再生装置", "capacity_t": 5}]})
    assert small.tier == "key" and [r["code"] for r in small.tier_reasons] == ["own_treatment"]


# --- findings, one rule at a time ------------------------------------------------------------------------------------

def test_a_key_unit_lists_its_storage_and_its_reduction_measures(w):
    plan = _small(w, 2027, planned=150.0)
    plans.submit(w.session, w.p["e2"], plan.id)
    assert [(c["code"], c["field"]) for c in plan.checks] == [("section_missing", "facilities"),
                                                               ("section_missing", "reduction_measures")]
    plans.return_plan(w.session, w.p["coord"], plan.id, "请补充贮存设施和减量化措施")
    plans.save_plan(w.session, w.p["e2"], plan.id, {"facilities": [STORE], "reduction_measures": MEASURES,
                                                    "reduction_target_pct": 5})
    plans.submit(w.session, w.p["e2"], plan.id)
    assert plan.status == "resubmitted" and plan.checks == []


def test_a_registration_unit_needs_no_facilities(w):
    plan = _small(w, 2027, planned=3.0)
    plans.submit(w.session, w.p["e2"], plan.id)
    assert plan.tier == "registration" and plan.checks == []
    assert plans.plan_view(plan)["required"] == ["wastes", "transfers"]


def test_a_waste_whose_fate_does_not_add_up_is_flagged(w):
    plan = _small(w, 2027, planned=4.0)
    plans.save_plan(w.session, w.p["e2"], plan.id, {"wastes": [
        {"waste_code": CODE, "planned_t": 5.0, "utilised_own_t": 0.5, "transferred_t": 4.0}]})
    plans.submit(w.session, w.p["e2"], plan.id)
    [check] = plan.checks
    assert (check["code"], check["severity"], check["field"]) == ("unbalanced", "warning", "wastes.0")
    assert "计划产生 5 吨" in check["message"] and "4.5 t utilised" in check["message"]


def test_transfers_must_add_up_to_what_is_handed_over(w):
    plan = _small(w, 2027, planned=4.0)
    plans.save_plan(w.session, w.p["e2"], plan.id, {"transfers": [
        {"waste_code": CODE, "receiver": "E-1", "licence_number": "TJ-HW-0001", "planned_t": 3.0},
        {"waste_code": "900-249-08", "receiver": "E-1", "licence_number": "TJ-HW-0001", "planned_t": 1.0}]})
    plans.submit(w.session, w.p["e2"], plan.id)
    assert [(c["code"], c["field"]) for c in plan.checks] == [("transfers_differ", "wastes.0.transferred_t"),
                                                               ("transfers_differ", "transfers.1.waste_code")]


@pytest.mark.parametrize(("receiver", "licence", "code", "year", "found"), [
    ("E-1", "TJ-HW-0001", CODE, 2027, None),
    ("滨海再生资源有限公司", "TJ-HW-0001", CODE, 2027, None),  # named by its name
    ("E-3", "TJ-HW-0001", CODE, 2027, "belongs to 滨海再生资源有限公司 (E-1), not E-3"),
    ("E-1", "TJ-HW-0001", "900-041-49", 2027, "does not cover 900-041-49 (HW49)"),
    ("E-1", "TJ-HW-0001", CODE, 2030, "is not valid in 2030"),
    ("E-1", "TJ-HW-0001", CODE, 2029, None),
])
def test_a_receivers_licence_covers_the_waste_in_the_year(w, receiver, licence, code, year, found):
    plan = plans.draft(w.session, w.p["e2"], None, year)
    plans.save_plan(w.session, w.p["e2"], plan.id, {
        "wastes": [{"waste_code": code, "planned_t": 2.0, "transferred_t": 2.0}],
        "transfers": [{"waste_code": code, "receiver": receiver, "licence_number": licence, "planned_t": 2.0}]})
    plans.submit(w.session, w.p["e2"], plan.id)
    unlicensed = [c for c in plan.checks if c["code"] == "receiver_unlicensed"]
    if found is None:
        assert unlicensed == []
    else:
        [check] = unlicensed
        assert check["severity"] == "error" and check["field"] == "transfers.0.licence_number"
        assert found in check["message"] and "许可证 TJ-HW-0001" in check["message"]


def test_a_licence_the_platform_does_not_hold_is_to_be_verified(w):
    plan = _small(w, 2027, planned=2.0)
    plans.save_plan(w.session, w.p["e2"], plan.id, {"transfers": [
        {"waste_code": CODE, "receiver": "外省某再生公司", "licence_number": "HEB-HW-9999", "planned_t": 2.0}]})
    plans.submit(w.session, w.p["e2"], plan.id)
    assert [(c["code"], c["severity"]) for c in plan.checks] == [("licence_unknown", "warning")]


@pytest.mark.parametrize(("utc", "late"), [
    (dt.datetime(2027, 3, 31, 15, 59, tzinfo=dt.UTC), False),  # 23:59 on 31 March in China
    (dt.datetime(2027, 3, 31, 16, 0, tzinfo=dt.UTC), True),  # 00:00 on 1 April in China
])
def test_the_deadline_is_31_march_china_time(w, utc, late):
    plan = _small(w, 2027, planned=2.0)
    assert [c["code"] for c in plans.findings(w.session, plan, now=utc)] == (["late"] if late else [])


def test_late_filing_and_manifests_beyond_the_plan(w):
    _, year = _shipped(w)  # this year: 4.25 t already under manifests, and 31 March is past
    plan = _small(w, year, planned=2.0)
    plans.save_plan(w.session, w.p["e2"], plan.id, {"facilities": [STORE], "reduction_measures": MEASURES})
    plans.submit(w.session, w.p["e2"], plan.id)
    assert sorted(_codes(plan)) == ["beyond_plan", "late"]
    view = plans.plan_view(plan)
    assert view["late"] and view["due_date"] == f"{year}-03-31"
    # Next year's plan, submitted now, is on time; a code shipped this year but left out of this year's plan is flagged.
    nxt = _small(w, year + 1, planned=2.0)
    plans.submit(w.session, w.p["e2"], nxt.id)
    assert nxt.checks == [] and not plans.plan_view(nxt)["late"]
    plans.return_plan(w.session, w.p["coord"], plan.id, "更正")
    plans.save_plan(w.session, w.p["e2"], plan.id, {"wastes": [{"waste_code": "900-249-08", "planned_t": 1.0}],
                                                    "transfers": []})
    plans.submit(w.session, w.p["e2"], plan.id)
    assert ("beyond_plan", "wastes") in [(c["code"], c["field"]) for c in plan.checks]


@pytest.mark.parametrize(("china_day", "missing"), [("03-31", False), ("04-01", True)])
def test_a_producer_without_a_plan_after_31_march_is_a_finding_until_it_submits(w, china_day, missing):
    _, year = _shipped(w)  # E-2 shipped hazardous waste this year: in February, as the review sees it
    for s in w.session.scalars(select(Shipment).where(Shipment.dispatched_at.is_not(None))):
        s.dispatched_at = dt.datetime(year, 2, 10, tzinfo=dt.UTC)
    at = dt.datetime.fromisoformat(f"{year}-{china_day}T12:00:00+08:00")
    ledger_review.review(w.session, w.p["coord"], now=at)
    open_ = _plan_findings(w)
    assert ("E-2" in open_) is missing and "E-1" not in open_  # E-1 receives, produces none
    if missing:
        assert open_["E-2"].key == f"plan_missing:{year}" and " / " in open_["E-2"].message
        plan = _small(w, year, planned=4.25)
        plans.submit(w.session, w.p["e2"], plan.id)  # its review resolves the finding at once
        assert "E-2" not in _plan_findings(w)


def _plan_findings(w) -> dict:
    return {f.enterprise.ref: f for f in w.session.scalars(select(LedgerFinding).where(
        LedgerFinding.code == "plan_missing", LedgerFinding.status == "open"))}


# --- the workflow ----------------------------------------------------------------------------------------------------

def test_submitted_returned_filed_and_revised(w):
    plan = _small(w, 2027)
    plans.submit(w.session, w.p["e2"], plan.id)
    told = list(w.session.scalars(select(Notification).where(Notification.kind == "hw_plan")))
    assert told and all(n.user_id is not None for n in told) and " / " in told[0].data["message"]
    plans.return_plan(w.session, w.p["coord"], plan.id, "委托量请与合同一致")
    assert plan.status == "returned"
    plans.submit(w.session, w.p["e2"], plan.id)
    plans.accept(w.session, w.p["coord"], plan.id)
    assert (plan.status, plan.filing_number) == ("accepted", "HWMP-BH-2027-E-2-R1")
    to_enterprise = [n for n in w.session.scalars(select(Notification).where(Notification.kind == "hw_plan",
                                                                             Notification.enterprise_id.is_not(None)))]
    assert any("HWMP-BH-2027-E-2-R1" in n.data["message"] for n in to_enterprise)
    with pytest.raises(Conflict):
        plans.save_plan(w.session, w.p["e2"], plan.id, {"reduction_measures": "x"})
    plans.revise(w.session, w.p["e2"], plan.id)
    assert (plan.status, plan.revision, plan.filing_number, plan.checks) == ("draft", 2, None, [])
    plans.submit(w.session, w.p["e2"], plan.id)
    plans.accept(w.session, w.p["coord"], plan.id)
    assert plan.filing_number == "HWMP-BH-2027-E-2-R2"
    actions = list(w.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "hw_plan")))
    assert actions.count("hw_plan.accept") == 2 and "hw_plan.revise" in actions
    assert [p.id for p in plans.list_plans(w.session, w.p["coord"], year=2027, status="accepted", tier="registration")
            ] == [plan.id]


def test_who_may_do_what(w):
    plan = _small(w, 2027)
    for who in ("e3", "coord_nk"):
        with pytest.raises(NotFound):
            plans.get_plan(w.session, w.p[who], plan.id)
    assert plans.list_plans(w.session, w.p["e3"]) == []
    with pytest.raises(Forbidden):
        plans.draft(w.session, w.p["e3"], "E-2", 2027)
    with pytest.raises(NotFound):
        plans.draft(w.session, w.p["coord_nk"], "E-2", 2027)
    assert plans.draft(w.session, w.p["coord"], "E-2", 2027) is plan  # a coordinator opens it for the enterprise
    with pytest.raises(Forbidden):
        plans.submit(w.session, w.p["coord"], plan.id)
    with pytest.raises(Conflict):
        plans.accept(w.session, w.p["coord"], plan.id)  # a draft is not under review
    with pytest.raises(Conflict):
        plans.revise(w.session, w.p["e2"], plan.id)  # only a filed plan is revised
    plans.submit(w.session, w.p["e2"], plan.id)
    with pytest.raises(Forbidden):
        plans.accept(w.session, w.p["e2"], plan.id)
    with pytest.raises(ValidationFailed) as err:
        plans.return_plan(w.session, w.p["coord"], plan.id, "  ")
    assert "reason" in err.value.errors
    with pytest.raises(ValidationFailed):
        plans.list_plans(w.session, w.p["coord"], tier="big")


def test_a_plan_without_a_waste_is_not_submitted(w):
    plan = _small(w, 2027)
    plans.save_plan(w.session, w.p["e2"], plan.id, {"wastes": [], "transfers": []})
    assert plan.wastes == [] and plan.tier == "registration"
    with pytest.raises(ValidationFailed) as err:
        plans.submit(w.session, w.p["e2"], plan.id)
    assert list(err.value.errors) == ["wastes"] and plan.status == "draft"


@pytest.mark.parametrize(("body", "field"), [
    ({"wastes": [{"waste_code": "900-214", "planned_t": 1}]}, "wastes.0.waste_code"),
    ({"wastes": [{"waste_code": CODE, "planned_t": -1}]}, "wastes.0.planned_t"),
    ({"wastes": [{"waste_code": CODE, "planned_t": 1e20}]}, "wastes.0.planned_t"),
    ({"wastes": [{"waste_code": CODE, "planned_t": "20,5"}]}, "wastes.0.planned_t"),
    ({"wastes": [{"waste_code": CODE}, {"waste_code": CODE}]}, "wastes.1.waste_code"),
    ({"wastes": [{"waste_code": CODE, "tonnes": 1}]}, "wastes.0.tonnes"),
    ({"transfers": [{"waste_code": CODE, "receiver": "", "licence_number": "X", "planned_t": 1}]},
     "transfers.0.receiver"),
    ({"facilities": [{"kind": "warehouse", "name": "库房", "capacity_t": 1}]}, "facilities.0.kind"),
    ({"reduction_target_pct": 150}, "reduction_target_pct"),
    ({"reduction_measures": "x" * 4001}, "reduction_measures"),
    ({"wastes": "all of it"}, "wastes"),
    ({"budget": 1}, "budget"),
])
def test_bad_input_is_refused_by_field_and_changes_nothing(w, body, field):
    plan = _small(w, 2027)
    before = plans.plan_view(plan)
    with pytest.raises(ValidationFailed) as err:
        plans.save_plan(w.session, w.p["e2"], plan.id, {**body, "reduction_measures": body.get(
            "reduction_measures", "改进工艺")})
    assert field in err.value.errors and "未保存" in str(err.value)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for msgs in err.value.errors.values() for m in msgs)
    w.session.expire_all()
    assert plans.plan_view(plans.get_plan(w.session, w.p["e2"], plan.id)) == before
