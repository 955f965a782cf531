"""The park survey report: coverage, roster with obligations and violations, EECM results, targets and
recommendations; its HTML opens offline, its XLSX has one sheet per table with formula-safe cells.

Declarations, roster rows, obligations, assessments and alerts are written straight into their tables: their
services are built concurrently (issue 15), and the report only reads them.
"""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from marketplace.errors import Forbidden
from marketplace.models import Alert, Enterprise, Listing
from marketplace.models.governance import EecmAssessment, Obligation, RosterEntry, SurveyDeclaration
from marketplace.services.accounts.users import resolve_token
from marketplace.services.governance.survey_report import build_survey_report, render_survey_html, render_survey_xlsx
from marketplace.services.reports import targets
from tests.factories import load_api_park
from tests.marketplace.services.matching.test_workflow import World

YEAR = 2025
NOW = dt.datetime(2026, 3, 1, 4, 0, tzinfo=dt.timezone.utc)


@pytest.fixture()
def w(session) -> World:
    """The API park with a principal per user key and the listings' ids (as the workflow tests build it)."""
    tokens = load_api_park(session)
    return World(session, {k: resolve_token(session, t) for k, t in tokens.items()},
                 dict(session.execute(select(Listing.ref, Listing.id)).all()))


def ent(w: World, ref: str) -> Enterprise:
    return w.session.scalar(select(Enterprise).where(Enterprise.ref == ref))


@pytest.fixture()
def park(w):
    """E-1 accepted and on the roster with a banned use and an overdue audit; E-2 returned; E-3 not declared."""
    s = w.session
    e1, e2 = ent(w, "E-1"), ent(w, "E-2")
    s.add_all([SurveyDeclaration(enterprise_id=e1.id, year=YEAR, status="accepted", created_by="test"),
               SurveyDeclaration(enterprise_id=e2.id, year=YEAR, status="returned", created_by="test")])
    s.add(RosterEntry(enterprise_id=e1.id, park_id=e1.park_id, year=YEAR, status="confirmed", substances=[
        {"cas": "25637-99-4", "name": "=HBCDD", "key": "hbcdd", "list": "2023", "measure": "ban", "role": "use",
         "quantity_t": 1.5, "source": "declaration"}]))
    s.add_all([Obligation(enterprise_id=e1.id, year=YEAR, code="clean_production_audit", due=dt.date(2025, 12, 31),
                          status="open"),
               Obligation(enterprise_id=e1.id, year=YEAR, code="discharge_permit", due=dt.date(2026, 6, 30),
                          status="open")])
    s.add(Alert(kind="banned_use", key=f"banned_use:E-1:{YEAR}:25637-99-4", park_id=e1.park_id, enterprise_id=e1.id,
                severity="critical", message="禁用物质 HBCDD 用途违规 (banned use of HBCDD)",
                details={"year": YEAR, "cas": "25637-99-4"}))
    s.add(EecmAssessment(enterprise_id=e1.id, year=YEAR, status="scored", total=0.72, bonus=2.0))
    s.add(EecmAssessment(enterprise_id=e2.id, year=YEAR, status="submitted"))
    s.flush()
    return w


def test_coverage_roster_violations_and_indicators(park):
    doc = build_survey_report(park.session, park.p["coord"], "BH", YEAR, now=NOW)
    c = doc["coverage"]
    assert (c["enterprises"], c["declared"], c["not_declared"], c["accepted"]) == (3, 2, 1, 1)
    assert c["share_accepted"] == pytest.approx(1 / 3)
    assert {s["status"]: s["count"] for s in c["by_status"]} == {
        "draft": 0, "submitted": 0, "returned": 1, "resubmitted": 0, "accepted": 1}
    [entry] = doc["roster"]
    assert entry["enterprise"] == "E-1" and entry["substances"][0]["cas"] == "25637-99-4"
    obligations = {o["code"]: o["overdue"] for o in entry["obligations"]}
    assert obligations == {"clean_production_audit": True, "discharge_permit": False}
    assert [v["kind"] for v in entry["violations"]] == ["banned_use"] == [v["kind"] for v in doc["violations"]]
    assert (doc["indicators"]["assessed"], doc["indicators"]["scored"]) == (2, 1)
    assert doc["indicators"]["mean_total"] == pytest.approx(0.72)


def test_recommendations_follow_the_data(park):
    doc = build_survey_report(park.session, park.p["coord"], "BH", YEAR, now=NOW)
    codes = {r["code"]: r for r in doc["recommendations"]}
    assert set(codes) == {"banned_use", "audit_overdue", "returned", "not_declared", "eecm_unscored"}
    assert "1 declaration(s) returned and not resubmitted" in codes["returned"]["text_en"]
    assert "强制性清洁生产审核已逾期" in codes["audit_overdue"]["text_zh"]


def test_a_clean_year_asks_for_nothing(w):
    doc = build_survey_report(w.session, w.p["coord"], "BH", 2030, now=NOW)
    # Nobody declared: that is the one thing to follow up.
    assert [r["code"] for r in doc["recommendations"]] == ["not_declared"]
    assert doc["roster"] == [] and doc["violations"] == []


def test_a_missed_target_is_recommended_and_reported(park):
    targets.set_target(park.session, park.p["coord"], "BH", YEAR, "survey_acceptance_rate", 0.9)
    doc = targets.survey_report(park.session, park.p["coord"], "BH", YEAR)
    row = {t["key"]: t for t in doc["targets"]}["survey_acceptance_rate"]
    assert row["met"] is False
    assert "target:survey_acceptance_rate" in {r["code"] for r in doc["recommendations"]}


@pytest.mark.parametrize("who", ["e1", "coord_nk"])
def test_only_the_parks_coordinators_and_admins_have_it(park, who):
    with pytest.raises(Forbidden):
        build_survey_report(park.session, park.p[who], "BH", YEAR)
    assert build_survey_report(park.session, park.p["admin"], "BH", YEAR)["park"]["code"] == "BH"


def test_the_html_is_bilingual_and_works_offline(park):
    html = render_survey_html(targets.survey_report(park.session, park.p["coord"], "BH", YEAR))
    assert "调查覆盖情况" in html and "Coverage" in html and "Key-enterprise roster" in html
    assert "禁用物质违规使用" in html and "EECM" in html and "Recommendations" in html
    # Nothing fetched from elsewhere: no URL in a src/href, no @import, no http(s) at all.
    assert not re.search(r"(src|href)=\"(?!data:|#)", html)
    assert "http://" not in html and "https://" not in html and "@import" not in html


def test_the_xlsx_has_one_sheet_per_table_and_defused_cells(park):
    doc = targets.survey_report(park.session, park.p["coord"], "BH", YEAR)
    wb = load_workbook(io.BytesIO(render_survey_xlsx(doc)))
    assert wb.sheetnames == ["概况 Coverage", "申报 Declarations", "名单 Roster", "违规 Violations", "EECM评估 EECM",
                             "目标 Targets", "建议 Recommendations"]
    cov = {r[0]: r[1] for r in wb["概况 Coverage"].iter_rows(min_row=2, values_only=True)}
    assert cov["企业数 Enterprises"] == 3 and cov["已通过 Accepted"] == 1
    roster = list(wb["名单 Roster"].iter_rows(min_row=2, values_only=True))
    assert roster[0][0] == "E-1" and roster[0][5] == 1
    assert roster[0][3].startswith("'=HBCDD")  # a name starting with = is not a formula
    assert wb["目标 Targets"].max_row == 1 + len(targets.TARGETS)
