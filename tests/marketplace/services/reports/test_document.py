"""The park report on the demo park: chains and a closed loop, KPIs that add up, ratings with reasons.

Totals are recomputed here independently: straight from the shipments, matches and listings
in the database, and from the report's own flow rows, never from its KPI code.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections import defaultdict

import pytest
from sqlalchemy import func, select

from marketplace.demo.hw_plans import seed_demo_hw_plans
from marketplace.errors import Forbidden, NotFound, ValidationFailed
from marketplace.models import RESERVING_STATUSES, Enterprise, LedgerFinding, Listing, Match, Park, Shipment
from marketplace.models.base import as_utc, park_date
from marketplace.services.accounts.users import Principal, system_principal
from marketplace.services.reports.document import build_report
from marketplace.services.reports.flows import Period
from marketplace.services.reports.ratings import policy_from
from marketplace.services.reports.render import csv_zip_bytes, render_html
from marketplace.services.traceability import ledger_review, transfers
from tests.marketplace.services.reports.conftest import demo_with_history

NOW = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)
RECOVERY = ("reuse", "recycle", "co_process", "recover_energy")  # purposes that divert; "dispose" does not
TODAY = park_date(NOW)
ADMIN = system_principal("test")


@pytest.fixture(scope="module")
def demo(engine):
    """The demo park with its four months of history, built once per module in a transaction rolled back after."""
    with demo_with_history(engine, NOW) as session:
        yield session


@pytest.fixture(scope="module")
def report(demo):
    return build_report(demo, ADMIN, end=TODAY, now=NOW)


def _keys(chain: dict) -> list[str]:
    return [n["key"] for n in chain["nodes"]]


def test_report_shows_chains_and_closed_loops(report):
    realised_loops = [c for c in report["loops"] if c["basis"] == "realised" and c["level"] == "enterprise"]
    assert any(set(_keys(c)) == {"E-017", "E-039"} for c in realised_loops), "the NMP loop"
    nmp = next(c for c in realised_loops if set(_keys(c)) == {"E-017", "E-039"})
    assert nmp["closed"] and len(nmp["links"]) == 2 and nmp["tonnes"] > 0
    assert any("NMP" in m for m in nmp["materials"])
    chains = [c for c in report["chains"] if c["basis"] == "realised" and c["level"] == "enterprise"]
    assert any(_keys(c)[:3] == ["E-047", "E-060", "E-027"] for c in chains), "pickling acid → FeCl3 → sewage plant"
    assert all(len(c["nodes"]) >= 3 and not c["closed"] for c in report["chains"])
    # Most important first within each basis and level: the bottleneck never increases.
    groups = defaultdict(list)
    for c in report["chains"] + report["loops"]:
        groups[(c["basis"], c["level"], c["closed"])].append(c)
    for group in groups.values():
        assert [c["rank"] for c in group] == list(range(1, len(group) + 1))
        assert all(a["tonnes"] >= b["tonnes"] for a, b in zip(group, group[1:]))
    # Industry and park levels exist too.
    assert {c["level"] for c in report["loops"]} >= {"enterprise", "industry", "park"}


def test_realised_totals_add_up_from_the_shipments(demo, report):
    period = Period.ending(TODAY)
    received = [s for s in demo.scalars(select(Shipment).where(Shipment.status.in_(("received", "closed"))))
                if period.start <= park_date(as_utc(s.received_at)) <= period.end]
    expected = sum(s.quantity_received_t for s in received)
    realised = report["kpis"]["park"]["realised"]
    assert realised["tonnes"] == pytest.approx(expected)
    assert realised["tonnes"] == pytest.approx(sum(f.tonnes for f in transfers.realised_flows(demo, start=period.start,
                                                                                               end=period.end)))
    assert sum(m["transferred_t"] for m in report["kpis"]["monthly"]) == pytest.approx(expected)
    assert sum(m["shipments"] for m in report["kpis"]["monthly"]) == len(received)
    waste = [f for f in report["flows"] if f["basis"] == "realised" and f["kind"] == "waste"]
    assert sum(f["shipments"] for f in waste) == len(received)


def test_approved_and_proposed_totals_add_up_from_the_matches(demo, report):
    period = Period.ending(TODAY)
    approved = [m for m in demo.scalars(select(Match).where(Match.status.in_(RESERVING_STATUSES)))
                if m.approved_at is not None and period.holds(as_utc(m.approved_at))]
    assert report["kpis"]["park"]["approved"]["tonnes"] == pytest.approx(sum(m.quantity_t for m in approved))
    assert report["kpis"]["park"]["approved"]["flows"] == len(approved) == 14
    live = ("proposed", "accepted", "approved", "in_transfer", "completed")
    proposed = [m for m in demo.scalars(select(Match).where(Match.status.in_(live)))
                if period.holds(as_utc(m.created_at))]
    assert report["kpis"]["park"]["proposed"]["tonnes"] == pytest.approx(sum(m.quantity_t for m in proposed))
    offered = sum(o.quantity_t * (12 if o.period == "month" else 1)
                  for o in demo.scalars(select(Listing).where(Listing.kind == "offer"))
                  if (o.available_from or period.start) <= period.end
                  and (o.available_to or period.end) >= period.start)
    assert report["kpis"]["park"]["offered_t"] == pytest.approx(offered)
    k = report["kpis"]["park"]
    # Every approval of the demo lies in the period and is still in force.
    in_force = sum(m.quantity_t for m in demo.scalars(select(Match).where(Match.status.in_(RESERVING_STATUSES))))
    assert k["in_force_t"] == pytest.approx(in_force) == pytest.approx(k["approved"]["tonnes"])
    assert k["utilisation_rate"] == pytest.approx(in_force / offered)


@pytest.mark.parametrize("basis", ["proposed", "approved", "realised"])
def test_every_total_is_the_sum_of_its_flows(report, basis):
    rows = [f for f in report["flows"] if f["basis"] == basis and f["kind"] == "waste"]
    t = report["kpis"]["park"][basis]
    assert t["flows"] == len(rows)
    assert t["tonnes"] == pytest.approx(sum(f["tonnes"] for f in rows))
    assert t["hazardous_t"] == pytest.approx(sum(f["tonnes"] for f in rows if f["hazardous"]))
    recovered = [f for f in rows if f["purpose"] in RECOVERY]
    assert t["diverted_landfill_t"] == pytest.approx(
        sum(f["tonnes"] for f in recovered if f["current_route"] == "landfill"))
    assert t["diverted_incineration_t"] == pytest.approx(
        sum(f["tonnes"] for f in recovered if f["current_route"] == "incineration"))
    assert t["tonne_km"] == pytest.approx(sum(f["tonnes"] * f["distance_km"] for f in rows))
    assert t["co2e_avoided_t"] == pytest.approx(sum(f["co2e_avoided_t"] for f in rows))
    assert t["net_co2e_avoided_t"] == pytest.approx(t["co2e_avoided_t"] - t["transport_co2e_t"])
    assert t["cost_saving_cny"] == pytest.approx(sum(f["cost_saving_cny"] or 0 for f in rows))
    # The enterprises' sent tonnes add up to the park's.
    ents = report["kpis"]["enterprises"]
    assert sum(e["sent"][basis]["tonnes"] for e in ents) == pytest.approx(t["tonnes"])
    assert sum(e["received_t"][basis] for e in ents) == pytest.approx(t["tonnes"])
    if t["tonnes"]:
        assert t["hazardous_share"] == pytest.approx(t["hazardous_t"] / t["tonnes"])


def test_flow_figures_follow_their_definitions(demo, report):
    incinerated = [f for f in report["flows"] if f["current_route"] == "incineration" and f["kind"] == "waste"]
    assert incinerated, "the demo diverts something from incineration"
    for f in report["flows"]:
        if f["kind"] == "waste" and f["cost_saving_cny"] is not None:
            offer = demo.scalar(select(Listing).where(Listing.ref == f["offer"]))
            need = demo.scalar(select(Listing).where(Listing.ref == f["need"]))
            assert f["cost_saving_cny"] == pytest.approx(f["tonnes"] * (need.price_cny_per_t - offer.price_cny_per_t))
            assert offer.current_route != "sale"
        assert f["tonne_km"] == pytest.approx(f["tonnes"] * (f["distance_km"] or 0))
        assert f["unit"] == ("t" if f["basis"] == "realised" else "t/a")


def test_product_flows_link_chains_but_are_not_counted_as_transfers(report):
    products = [f for f in report["flows"] if f["kind"] == "product"]
    assert products and all(f["basis"] == "realised" for f in products)
    back = [f for f in products if f["source"] == "E-039" and f["target"] == "E-017"]
    assert back and all(f["confirmed"] for f in back), "both sides booked the recycled NMP"
    fecl3 = [f for f in products if f["source"] == "E-060" and f["target"] == "E-027"]
    assert fecl3 and not any(f["confirmed"] for f in fecl3), "only the sender booked the ferric chloride"
    realised = report["kpis"]["park"]["realised"]["tonnes"]
    assert realised == pytest.approx(sum(f["tonnes"] for f in report["flows"]
                                         if f["basis"] == "realised" and f["kind"] == "waste"))


def test_compliance_counts(demo, report):
    c = report["kpis"]["compliance"]
    assert c["run"] is not None and c["failed_checks"]["hw_licence"] > 0
    assert c["alerts_open"] == sum(c["alerts_by_kind"].values()) >= 5
    assert c["findings_open"] == sum(c["findings_by_code"].values()) >= 4
    assert c["open_manifests"] == len(list(demo.scalars(select(Shipment).where(
        Shipment.status.in_(("dispatched", "received"))))))
    assert c["soft_flags"].get("cross_province_transfer", 0) >= 1
    # The check and the alert kind named licence_capacity are told apart.
    assert c["alerts_by_kind"].get("licence_capacity") and c["alert_labels"]["licence_capacity"] == "许可证能力接近上限"
    assert "许可证能力" not in c["labels"]["licence_capacity"]


def test_ratings_have_grades_and_reasons(report):
    rated = [r for r in report["ratings"] if r["grade"]]
    # No C on the demo: its Cs were compliant enterprises whose offers had no partner yet (the fairness rule).
    assert {r["grade"] for r in rated} >= {"A", "B", "D"}
    for r in report["ratings"]:
        assert r["reasons_zh"] and r["reasons_en"] and r["grade_zh"] and r["grade_en"]
    e006 = next(r for r in report["ratings"] if r["ref"] == "E-006")
    assert e006["grade"] == "D" and any(c["code"] == "rectify" for c in e006["caps"])
    # The finding cited by its words (reason_labels), not its internal code.
    assert any("controlled without permit" in x for x in e006["reasons_en"])
    assert any("管控物质无许可" in x for x in e006["reasons_zh"])
    e017 = next(r for r in report["ratings"] if r["ref"] == "E-017")
    assert e017["grade"] == "A" and e017["indicators"]["utilisation"]["applicable"]
    # The order: A first, not rated last.
    order = ["ABCD".index(r["grade"]) if r["grade"] else 9 for r in report["ratings"]]
    assert order == sorted(order)


def test_rating_thresholds_are_configurable(demo):
    lenient = build_report(demo, ADMIN, end=TODAY, now=NOW, policy=policy_from({"grade_a": 0.0, "grade_b": 0.0,
                                                                                 "grade_c": 0.0}))
    grades = {r["ref"]: r["grade"] for r in lenient["ratings"]}
    assert grades["E-006"] == "D"  # a cap is not a score: still rectify
    assert grades["E-001"] == "A"
    assert lenient["rating_policy"]["grade_a"] == 0.0


@pytest.mark.parametrize(("values", "field"), [
    ({"grade_a": 1.5}, "rating_policy.grade_a"),
    ({"grade_a": "high"}, "rating_policy.grade_a"),
    ({"grade_a": 0.5, "grade_b": 0.8}, "rating_policy.grade_b"),
    ({"weights": {"charisma": 1}}, "rating_policy.weights.charisma"),
    ({"weights": {"compliance": -1}}, "rating_policy.weights.compliance"),
    ({"critical_alert_cap": "E"}, "rating_policy.critical_alert_cap"),
    ({"colour": "green"}, "rating_policy.colour"),
])
def test_bad_rating_policy_names_the_field(values, field):
    with pytest.raises(ValidationFailed) as exc:
        policy_from(values)
    assert field in exc.value.errors


def test_a_period_before_the_history_has_no_realised_flows(demo):
    doc = build_report(demo, ADMIN, start=TODAY - dt.timedelta(days=900), end=TODAY - dt.timedelta(days=500), now=NOW)
    assert doc["kpis"]["park"]["realised"]["tonnes"] == 0 and not [c for c in doc["loops"] if c["basis"] == "realised"]
    assert doc["period"]["days"] == 401 and len(doc["kpis"]["monthly"]) >= 13


def test_a_park_report_keeps_flows_touching_the_park(demo):
    jc = demo.scalar(select(Park).where(Park.code == "JC"))
    coordinator = Principal(user_id=None, email="c@jc", role="coordinator", park_ids=frozenset({jc.id}))
    doc = build_report(demo, coordinator, end=TODAY, now=NOW)
    assert doc["park"]["code"] == "JC"
    in_jc = {e.ref for e in demo.scalars(select(Enterprise).where(Enterprise.park_id == jc.id))}
    for f in doc["flows"]:
        assert f["source"] in in_jc or f["target"] in in_jc
    assert any(f["source"] == "E-047" and f["target"] == "E-060" for f in doc["flows"])


def test_who_may_have_a_report(demo):
    parks = {p.code: p.id for p in demo.scalars(select(Park))}
    enterprise = Principal(user_id=None, email="e@x", role="enterprise", enterprise_id=1, enterprise_ref="E-001")
    with pytest.raises(Forbidden):
        build_report(demo, enterprise)
    jc_only = Principal(user_id=None, email="c@jc", role="coordinator", park_ids=frozenset({parks["JC"]}))
    with pytest.raises(Forbidden) as exc:
        build_report(demo, jc_only, park="CH")
    assert "park" in exc.value.errors
    both = Principal(user_id=None, email="c@both", role="coordinator", park_ids=frozenset(parks.values()))
    with pytest.raises(ValidationFailed) as exc:
        build_report(demo, both)
    assert "park" in exc.value.errors
    with pytest.raises(NotFound):
        build_report(demo, ADMIN, park="XX")
    with pytest.raises(ValidationFailed) as exc:
        build_report(demo, ADMIN, start=TODAY, end=TODAY - dt.timedelta(days=1))
    assert "from" in exc.value.errors



def test_a_flow_to_disposal_is_not_diverted(report):
    # The demo sends API mother liquor, incinerated today, to a licensed disposer: no diversion claimed.
    disposal = [f for f in report["flows"] if f["kind"] == "waste" and f["current_route"] == "incineration"
                and f["purpose"] == "dispose"]
    assert disposal and {f["basis"] for f in disposal} >= {"proposed", "realised"}
    realised = report["kpis"]["park"]["realised"]
    assert realised["diverted_incineration_t"] == pytest.approx(sum(
        f["tonnes"] for f in report["flows"] if f["basis"] == "realised" and f["kind"] == "waste"
        and f["current_route"] == "incineration" and f["purpose"] in RECOVERY))
    assert sum(m["diverted_t"] for m in report["kpis"]["monthly"]) == pytest.approx(
        realised["diverted_landfill_t"] + realised["diverted_incineration_t"])


def _in_force(demo, start: dt.date, end: dt.date, sources: set[str] | None = None) -> tuple[float, float]:
    """Annual tonnes of approved matches in force in start…end and what they should have delivered, from the
    matches and shipments directly."""
    rate = expected = 0.0
    for m in demo.scalars(select(Match).where(Match.status.in_(RESERVING_STATUSES))):
        if sources is not None and m.offer.enterprise.ref not in sources:
            continue
        first = max(park_date(as_utc(m.approved_at)), start)
        last = end
        if m.status == "completed":
            moved = [park_date(as_utc(t)) for s in demo.scalars(select(Shipment).where(Shipment.match_id == m.id))
                     for t in (s.closed_at, s.received_at) if t]
            last = min(max(moved), end)
        if first <= last:
            rate += m.quantity_t
            expected += m.quantity_t * ((last - first).days + 1) / 365
    return rate, expected


def test_utilisation_counts_matches_in_force_not_only_those_approved_in_the_period(demo):
    # The last 30 days: every approval of the demo is older, yet its matches are delivering.
    start = TODAY - dt.timedelta(days=29)
    doc = build_report(demo, ADMIN, start=start, end=TODAY, now=NOW)
    k = doc["kpis"]["park"]
    assert k["approved"]["tonnes"] == 0
    rate, expected = _in_force(demo, start, TODAY)
    assert rate > 0 and k["in_force_t"] == pytest.approx(rate)
    assert k["utilisation_rate"] == pytest.approx(rate / k["offered_t"])
    assert k["realisation_rate"] == pytest.approx(k["realised"]["tonnes"] / expected)
    e047 = next(e for e in doc["kpis"]["enterprises"] if e["ref"] == "E-047")
    assert e047["utilisation_rate"] > 0 and e047["sent"]["realised"]["tonnes"] > 0
    assert next(r for r in doc["ratings"] if r["ref"] == "E-047")["indicators"]["utilisation"]["value"] > 0


def test_park_rates_count_only_the_parks_own_offers(demo):
    jc = demo.scalar(select(Park).where(Park.code == "JC"))
    own = {e.ref for e in demo.scalars(select(Enterprise).where(Enterprise.park_id == jc.id))}
    doc = build_report(demo, ADMIN, park="JC", end=TODAY, now=NOW)
    k = doc["kpis"]["park"]
    # A CH enterprise's approved offer to JC (E-047 → E-060) is a flow of the report but not JC's utilisation.
    assert any(f["source"] == "E-047" and f["target"] == "E-060" and f["basis"] == "approved" for f in doc["flows"])
    rate, _ = _in_force(demo, Period.ending(TODAY).start, TODAY, own)
    assert k["in_force_t"] == pytest.approx(rate)
    own_offers = [o for o in demo.scalars(select(Listing).where(Listing.kind == "offer"))
                  if o.enterprise.ref in own]
    assert k["offers"] == len(own_offers)
    proposed_own = sum(f["tonnes"] for f in doc["flows"] if f["basis"] == "proposed" and f["kind"] == "waste"
                       and f["source"] in own)
    assert k["match_rate"] == pytest.approx(proposed_own / k["offered_t"])


def test_only_the_parks_own_enterprises_are_rated_and_alike_in_every_report(demo):
    parks = {p.code: p.id for p in demo.scalars(select(Park))}
    by_park: dict[str, set[str]] = defaultdict(set)
    for e in demo.scalars(select(Enterprise)):
        by_park[e.park.code].add(e.ref)
    everything = {r["ref"]: r for r in build_report(demo, ADMIN, end=TODAY, now=NOW)["ratings"]}
    for code in ("CH", "JC"):
        doc = build_report(demo, ADMIN, park=code, end=TODAY, now=NOW)
        assert {r["ref"] for r in doc["ratings"]} == by_park[code]
        for r in doc["ratings"]:
            assert (r["grade"], r["score"]) == (everything[r["ref"]]["grade"], everything[r["ref"]]["score"]), r["ref"]
        outsiders = [e for e in doc["kpis"]["enterprises"] if not e["in_scope"]]
        assert outsiders and all(e["offered_t"] is None and e["alerts_open"] is None for e in outsiders)
    assert parks


def test_a_coordinator_sees_another_parks_enterprise_only_once_disclosed(demo):
    ch = demo.scalar(select(Park).where(Park.code == "CH"))
    coordinator = Principal(user_id=None, email="c@ch", role="coordinator", park_ids=frozenset({ch.id}))
    doc = build_report(demo, coordinator, end=TODAY, now=NOW)
    admin_doc = build_report(demo, ADMIN, park="CH", end=TODAY, now=NOW)
    text = json.dumps(doc, ensure_ascii=False)
    outside = {e.ref: e for e in demo.scalars(select(Enterprise).where(Enterprise.park_id != ch.id))}
    # Who the admin's report shows across the boundary, and on which flows.
    seen: dict[str, set[str]] = defaultdict(set)
    for f in admin_doc["flows"]:
        for side in ("source", "target"):
            if f[side] in outside:
                seen[f[side]].add("disclosed" if f["basis"] != "proposed" or f["kind"] == "product"
                                  or f["status"] in ("accepted", "approved", "in_transfer", "completed")
                                  else "proposed")
    hidden = {ref for ref, kinds in seen.items() if kinds == {"proposed"}}
    shown = {ref for ref, kinds in seen.items() if "disclosed" in kinds}
    assert hidden and shown, "the demo has both kinds across the CH/JC boundary"
    for ref in hidden:
        assert outside[ref].name not in text and f'"{ref}"' not in text, ref
    for ref in shown:
        assert outside[ref].name in text
    pseudonymous = [f for f in doc["flows"] if f["source"].startswith("X-") or f["target"].startswith("X-")]
    assert pseudonymous and all(f["cost_saving_cny"] is None for f in pseudonymous)
    assert all(("园区外企业" in f["source_name"]) == f["source"].startswith("X-") for f in doc["flows"])
    # The totals still count those flows' tonnes: only names and prices are withheld.
    assert doc["kpis"]["park"]["proposed"]["tonnes"] == pytest.approx(admin_doc["kpis"]["park"]["proposed"]["tonnes"])
    nodes = {n["key"] for c in doc["chains"] + doc["loops"] for n in c["nodes"] if c["level"] == "enterprise"}
    assert not nodes & hidden
    # A hidden enterprise's name inside its listing's title is scrubbed too.
    ref = sorted(hidden)[0]
    offer = next(o for o in demo.scalars(select(Listing).where(Listing.kind == "offer"))
                 if o.enterprise.ref == ref and any(f["offer"] == o.ref for f in admin_doc["flows"]))
    before = offer.title_zh
    offer.title_zh = f"{outside[ref].name}库存废料"
    demo.flush()
    try:
        text = json.dumps(build_report(demo, coordinator, end=TODAY, now=NOW), ensure_ascii=False)
        assert "库存废料" in text and outside[ref].name not in text
    finally:
        offer.title_zh = before
        demo.flush()


def test_compliance_figures_are_those_of_the_periods_end(demo):
    # The history began 120 days before NOW: a report ending just before it finds nothing open yet, and the
    # permit finding raised since does not make E-006 a D.
    end = TODAY - dt.timedelta(days=121)
    doc = build_report(demo, ADMIN, end=end, now=NOW)
    c = doc["kpis"]["compliance"]
    assert (c["alerts_open"], c["findings_open"], c["open_manifests"]) == (0, 0, 0)
    assert c["as_of"] < NOW.isoformat()
    e006 = next(r for r in doc["ratings"] if r["ref"] == "E-006")
    assert not e006["caps"] and e006["grade"] != "D"
    now_doc = build_report(demo, ADMIN, end=TODAY, now=NOW)
    assert now_doc["kpis"]["compliance"]["findings_open"] > 0


def test_failed_checks_name_the_run_they_come_from(report):
    c = report["kpis"]["compliance"]
    assert c["run"] is not None and c["run_scope"] is None  # the demo's run covered every park


def test_the_years_hw_management_plans_are_counted_as_the_ledger_review_sees_them(demo):
    nested = demo.begin_nested()  # the module's demo is shared: these plans go with the test
    try:
        seed_demo_hw_plans(demo, now=NOW)  # E-022 filed in March; E-002 submitted now, late
        doc = build_report(demo, ADMIN, end=TODAY, now=NOW)
        c = doc["kpis"]["compliance"]
        assert (c["hw_plans_year"], c["hw_plans_due"]) == (2026, "2026-03-31")
        assert (c["hw_plans_filed"], c["hw_plans_late"]) == (1, 1)
        assert c["hw_plans_by_status"] == {"submitted": 1, "accepted": 1}
        assert c["plan_status_labels"]["accepted"] == "已备案 filed"
        # The producers without a plan are those the ledger review finds (plan_missing), by the same rule.
        ledger_review.review(demo, ADMIN, now=NOW)
        missing = demo.scalar(select(func.count(LedgerFinding.id)).where(
            LedgerFinding.code == "plan_missing", LedgerFinding.status == "open"))
        assert c["hw_plans_missing"] == missing > 0 and c["hw_plan_producers"] >= missing + 1
        html = render_html(doc)
        section = html[html.index('id="compliance"'):html.index('id="ratings"')]
        assert f'1 / {c["hw_plan_producers"]}' in section and "已备案危废管理计划" in section
        assert "HW management plans by status" in section and "已重新提交" not in section
        with zipfile.ZipFile(io.BytesIO(csv_zip_bytes(doc))) as z:
            rows = z.read("compliance.csv").decode("utf-8-sig")
        assert "hw_plans_filed,,1" in rows and "hw_plans_by_status,accepted,1" in rows
        # Before 31 March nothing is missing yet: the figure says so (null), not 0.
        early = build_report(demo, ADMIN, start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 1), now=NOW)
        assert early["kpis"]["compliance"]["hw_plans_missing"] is None
        assert "前备案，未到期" in render_html(early)
    finally:
        nested.rollback()
