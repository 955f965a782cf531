"""The demo park's chemical-governance year (化学物质环境信息调查、重点企业名单、EECM、信息披露、规划目标).

Played through the services users call, after the history and the demo accounts (so the coordinators'
notices reach the demo coordinators): for the last calendar year before ``today``

- enterprises declare the chemicals they handled: the EPS insulation-board maker E-054 declares its **use of
  HBCDD** (六溴环十二烷, banned since 2021-12-26) as the flame retardant of its boards; the pharmaceutical plant
  E-022 declares dichloromethane, acetone, ethanol and toluene, is returned by the coordinator for a tonnage
  typed ten times too large, corrects it and resubmits; the battery maker E-017 and the solvent regenerator
  E-039 declare NMP and acetone; the chlor-alkali plant E-056 (JC) its chlorine, lye and hydrochloric acid;
  the coordinators accept them. The coating maker E-019 has submitted (awaiting review) and the fine-chemicals
  maker E-021 has only saved a draft;
- the roster is computed from the accepted declarations: E-054 (HBCDD, a ``banned_use`` violation and a
  critical alert) and E-022 (dichloromethane, restricted only). Both were first listed about 13 months
  before today (they were already on the list of the earlier survey), so their obligations' year has run:
  the coordinator confirms both with a reason, the permits, monitoring and disclosures are recorded done, and
  E-022's clean-production audit is still open: **overdue** (an ``obligation_overdue`` alert);
- EECM self-assessments of four enterprises are submitted, three of them scored by the coordinator;
- the park's targets are set for that year and the current one (their progress is the report's);
- E-054 and E-022 generate their annual disclosures, review them and publish them (E-022's through the
  coordinator): the two public disclosures of ``/public/disclosures``.

Deterministic (no randomness; dates move with ``today``) and run once: a database that already holds
declarations of the year is left as it is.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AnnualDisclosure, Park, SurveyDeclaration
from ..models.base import park_date
from ..services.accounts.users import Principal
from ..services.governance import disclosures, eecm, roster, surveys
from ..services.reports import targets
from .history import Cast

ACTOR = "demo"
# The roster enterprises were listed this long before today: a year for their obligations has run.
LISTED_DAYS_AGO = 400


@dataclass(frozen=True)
class Row:
    """One substance row of a declaration (``wastematch.survey.v1``'s fields)."""

    cas: str
    name: str
    role: str
    quantity_t: float
    use: str
    stock_t: float | None = None
    released_t: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"cas": self.cas, "name": self.name, "role": self.role, "quantity_t": self.quantity_t,
                "use": self.use, "stock_t": self.stock_t, "released_t": self.released_t}


@dataclass(frozen=True)
class Declaration:
    """What one enterprise declares, and how far its declaration gets (``draft``, ``submitted``, ``accepted``)."""

    enterprise: str
    rows: tuple[Row, ...]
    ends: str = "accepted"
    # A first submission with a slip the coordinator returns: (row index, wrong tonnes, reason).
    slip: tuple[int, float, str] | None = None


DCM_REASON = ("二氯甲烷年用量360吨与台账采购量（约36吨）相差十倍，请核对单位后重新提交 / 360 t of dichloromethane is ten "
              "times the purchases in the ledger (about 36 t): please check the unit and resubmit")

DECLARATIONS: tuple[Declaration, ...] = (
    # EPS insulation boards still made with HBCDD as flame retardant: banned since 2021-12-26.
    Declaration("E-054", (
        Row("25637-99-4", "六溴环十二烷 (HBCDD)", "use", 1.2, "EPS保温板阻燃剂 flame retardant in EPS insulation boards",
            stock_t=0.3, released_t=0.0),
        Row("109-66-0", "正戊烷 pentane", "use", 38.0, "EPS发泡剂 EPS blowing agent", stock_t=2.5, released_t=1.1))),
    Declaration("E-022", (
        Row("75-09-2", "二氯甲烷 dichloromethane", "use", 36.0, "原料药萃取溶剂 API extraction solvent",
            stock_t=4.2, released_t=0.35),
        Row("67-64-1", "丙酮 acetone", "use", 120.0, "结晶溶剂 crystallisation solvent", stock_t=9.0),
        Row("64-17-5", "乙醇 ethanol", "use", 85.0, "清洗与提取溶剂 cleaning and extraction solvent"),
        Row("108-88-3", "甲苯 toluene", "use", 22.0, "反应溶剂 reaction solvent", stock_t=1.6, released_t=0.12)),
        slip=(0, 360.0, DCM_REASON)),
    Declaration("E-017", (
        Row("872-50-4", "N-甲基吡咯烷酮 NMP", "use", 310.0, "正极浆料溶剂 cathode slurry solvent", stock_t=18.0),
        Row("64-17-5", "乙醇 ethanol", "use", 6.0, "设备清洗 equipment cleaning"))),
    Declaration("E-039", (
        Row("872-50-4", "N-甲基吡咯烷酮 NMP", "produce", 180.0, "精馏再生NMP recycled NMP by distillation"),
        Row("67-64-1", "丙酮 acetone", "produce", 95.0, "精馏再生丙酮 recycled acetone"),
        Row("108-88-3", "甲苯 toluene", "use", 6.5, "设备清洗 equipment cleaning"))),
    Declaration("E-056", (
        Row("7782-50-5", "氯气 chlorine", "produce", 98000.0, "离子膜电解 membrane electrolysis"),
        Row("1310-73-2", "氢氧化钠 sodium hydroxide", "produce", 110000.0, "离子膜烧碱 membrane caustic soda"),
        Row("7647-01-0", "盐酸 hydrochloric acid", "produce", 26000.0, "合成盐酸 synthetic hydrochloric acid"))),
    Declaration("E-019", (
        Row("108-88-3", "甲苯 toluene", "use", 140.0, "涂料稀释剂 paint thinner"),
        Row("1330-20-7", "二甲苯 xylene", "use", 210.0, "涂料溶剂 coating solvent")), ends="submitted"),
    Declaration("E-021", (
        Row("68-12-2", "N,N-二甲基甲酰胺 DMF", "use", 100.0, "试剂合成溶剂 reagent synthesis solvent"),), ends="draft"),
)

ROSTER_REASONS = {
    "E-054": "申报加工使用六溴环十二烷（已淘汰类新污染物），列入名单并责令限期替代 / declared use of HBCDD (a phased-out "
             "new pollutant): listed, substitution ordered",
    "E-022": "申报使用二氯甲烷36吨（重点管控新污染物），列入名单 / declared use of 36 t of dichloromethane (a key controlled "
             "new pollutant): listed",
}
# Obligations recorded done: (enterprise, code, evidence); E-022's clean-production audit stays open (overdue).
DONE_OBLIGATIONS = (
    ("E-054", "clean_production_audit", "清洁生产审核报告已通过评估（苏环审〔演示〕12号）；阻燃剂替代方案：聚合溴系阻燃剂 / "
                                        "clean-production audit report approved; substitution by a polymeric brominated "
                                        "flame retardant"),
    ("E-054", "discharge_permit", "排污许可证已变更，载明六溴环十二烷 / discharge permit amended to name HBCDD"),
    ("E-054", "monitoring", "年度自行监测报告（废气、废水） / yearly self-monitoring report (air, water)"),
    ("E-054", "annual_disclosure", "年度报告已在平台公开 / annual report published on the platform"),
    ("E-022", "discharge_permit", "排污许可证已变更，载明二氯甲烷排放限值 / discharge permit amended with dichloromethane limits"),
    ("E-022", "monitoring", "年度自行监测报告（含二氯甲烷） / yearly self-monitoring report (dichloromethane included)"),
    ("E-022", "annual_disclosure", "年度报告已在平台公开 / annual report published on the platform"),
)
# EECM: who self-assesses (a profile 0 = strong … 2 = weaker) and whether the coordinator has scored it yet.
EECM_ENTERPRISES = (("E-039", 0, True), ("E-017", 1, True), ("E-022", 1, True), ("E-054", 2, False))
PARKS = ("CH", "JC")
# Targets per park: (offset from the survey year, key, value, note).
TARGETS = {
    "CH": ((0, "roster_audit_rate", 1.0, "新污染物治理工作方案：名单企业100%完成强制性清洁生产审核"),
           (0, "survey_acceptance_rate", 0.9, "化学物质环境信息调查：在园企业应报尽报"),
           (1, "hazardous_waste_utilisation_rate", 0.6, "无废城市建设：危险废物利用率≥60%"),
           (1, "industrial_solid_waste_utilisation_rate", 0.8, "无废城市建设：一般工业固体废物综合利用率≥80%")),
    "JC": ((0, "survey_acceptance_rate", 0.9, "化学物质环境信息调查：在园企业应报尽报"),),
}
# Published disclosures: (enterprise, who publishes it: the enterprise itself or its park's coordinator).
PUBLISHED = (("E-054", "enterprise"), ("E-022", "coordinator"))


@dataclass
class GovernanceReport:
    """What seeding the governance year did."""

    year: int = 0
    skipped: bool = False
    declarations: dict[str, int] = field(default_factory=dict)
    returned: int = 0
    roster: list[str] = field(default_factory=list)
    violations: dict[str, int] = field(default_factory=dict)
    obligations: dict[str, int] = field(default_factory=dict)
    eecm: dict[str, int] = field(default_factory=dict)
    targets: list[dict[str, Any]] = field(default_factory=list)
    published: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data."""
        return {"year": self.year, "skipped": self.skipped, "declarations": self.declarations,
                "returned": self.returned, "roster": self.roster, "violations": self.violations,
                "obligations": self.obligations, "eecm": self.eecm, "targets": self.targets,
                "published_disclosures": self.published, "seconds": round(self.seconds, 2)}


class _Cast(Cast):
    """The principals of the governance year: each enterprise for itself (as in the history), each park's own
    coordinator."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.parks = {code: pid for code, pid in session.execute(select(Park.code, Park.id))}

    def park_coordinator(self, park_code: str) -> Principal:
        return Principal(user_id=None, email=f"{ACTOR}-coordinator-{park_code.lower()}", role="coordinator",
                         park_ids=frozenset({self.parks[park_code]}))

    def coordinator_of(self, ref: str) -> Principal:
        park_id = self.enterprise(ref).park_id
        return self.park_coordinator(next(code for code, pid in self.parks.items() if pid == park_id))


def _declare(session: Session, cast: _Cast, d: Declaration, year: int, report: GovernanceReport) -> None:
    """One enterprise's declaration, as far as ``d.ends``, with its return and correction when it has a slip."""
    me, coordinator = cast.of(d.enterprise), cast.coordinator_of(d.enterprise)
    rows = [r.as_dict() for r in d.rows]
    decl = surveys.get_or_create_draft(session, me, None, year)
    first = [dict(r) for r in rows]
    if d.slip is not None:
        first[d.slip[0]]["quantity_t"] = d.slip[1]
    surveys.save_substances(session, me, decl.id, first)
    if d.ends != "draft":
        surveys.submit(session, me, decl.id)
        if d.slip is not None:
            surveys.return_declaration(session, coordinator, decl.id,
                                       {f"substances.{d.slip[0]}.quantity_t": [d.slip[2]]})
            report.returned += 1
            surveys.save_substances(session, me, decl.id, rows)
            surveys.submit(session, me, decl.id)  # returned → resubmitted
        if d.ends == "accepted":
            surveys.accept(session, coordinator, decl.id)
    report.declarations[decl.status] = report.declarations.get(decl.status, 0) + 1


def _eecm_scores(tree: Any, profile: int, year: int, *, coordinator: bool) -> dict[str, dict[str, Any]]:
    """Deterministic scores of every leaf: strong enterprises near the top; the coordinator a little stricter."""
    out = {}
    for i, leaf in enumerate(tree.leaves()):
        choices = [lv.score for lv in leaf.rule.choices()]
        pick = max(0, len(choices) - 1 - (i * 5 + profile) % (profile + 1))
        if coordinator and i % 4 == 3:
            pick = max(0, pick - 1)
        text = (f"{leaf.name_zh}：评分依据见现场核查记录 / on-site check" if coordinator else
                f"{leaf.name_zh}：见{year}年度自评材料 / see the {year} self-assessment file")
        out[leaf.code] = {"score": choices[pick], "note" if coordinator else "evidence": text}
    return out


def _eecm(session: Session, cast: _Cast, year: int, report: GovernanceReport) -> None:
    for ref, profile, scored in EECM_ENTERPRISES:
        tree = eecm.tree_for_enterprise(session, cast.enterprise(ref))
        a = eecm.self_assess(session, cast.of(ref), ref, year, _eecm_scores(tree, profile, year, coordinator=False))
        eecm.submit(session, cast.of(ref), a.id)
        if scored:
            eecm.score_assessment(session, cast.coordinator_of(ref), a.id,
                                  _eecm_scores(tree, profile, year, coordinator=True))
        report.eecm[a.status] = report.eecm.get(a.status, 0) + 1


def seed_demo_governance(session: Session, *, today: dt.date | None = None) -> GovernanceReport:
    """Play the demo park's governance year (see the module docstring) as of ``today``; never commits."""
    started = time.perf_counter()
    today = today or park_date()
    year = today.year - 1
    report = GovernanceReport(year=year)
    cast = _Cast(session)
    if any(cast.enterprise(d.enterprise) is None for d in DECLARATIONS) or session.scalar(
            select(func.count()).select_from(SurveyDeclaration).where(SurveyDeclaration.year == year)):
        report.skipped = True
        report.seconds = time.perf_counter() - started
        return report
    on = lambda day: min(day, today)  # noqa: E731 - a date of the story, never after today
    for d in DECLARATIONS:
        _declare(session, cast, d, year, report)

    # The roster, as first computed when these enterprises were listed; the coordinator confirms it.
    listed_on = today - dt.timedelta(days=LISTED_DAYS_AGO)
    for code in PARKS:
        roster.compute_roster(session, cast.park_coordinator(code), park=code, year=year, today=listed_on)
    for ref, reason in ROSTER_REASONS.items():
        roster.confirm(session, cast.coordinator_of(ref), ref, year, reason, today=listed_on + dt.timedelta(days=20))
    done_on = {"clean_production_audit": listed_on + dt.timedelta(days=300),
               "discharge_permit": listed_on + dt.timedelta(days=180),
               "monitoring": on(dt.date(year + 1, 6, 30)), "annual_disclosure": on(dt.date(year + 1, 3, 10))}
    for ref, row in _roster_rows(session, cast, year, today).items():
        for ob in row["obligations"]:
            evidence = next((e for r, c, e in DONE_OBLIGATIONS if r == ref and c == ob["code"]), None)
            if evidence is not None:
                roster.record_obligation(session, cast.coordinator_of(ref), ob["id"], "done", evidence,
                                         today=done_on[ob["code"]])
    for code in PARKS:
        roster.scan_governance(session, cast.park_coordinator(code), code, today=today)
    for ref, row in _roster_rows(session, cast, year, today).items():
        report.roster.append(ref)
        for v in row["violations"]:
            report.violations[v["code"]] = report.violations.get(v["code"], 0) + 1
        for ob in row["obligations"]:
            report.obligations[ob["status"]] = report.obligations.get(ob["status"], 0) + 1

    _eecm(session, cast, year, report)

    for code, rows in sorted(TARGETS.items()):
        for offset, key, value, note in rows:
            targets.set_target(session, cast.park_coordinator(code), code, year + offset, key, value, note)
    for code, rows in sorted(TARGETS.items()):
        for y in sorted({year + offset for offset, *_ in rows}):
            for row in targets.targets_progress(session, cast.park_coordinator(code), code, y):
                if row["target"] is not None:
                    report.targets.append({"park": code, "year": y, "key": row["key"], "target": row["target"],
                                           "actual": row["actual"], "met": row["met"]})

    for ref, publisher in PUBLISHED:
        d = disclosures.generate_disclosure(session, cast.of(ref), ref, year, today=today)
        disclosures.review(session, cast.of(ref), d.id)
        disclosures.publish(session, cast.of(ref) if publisher == "enterprise" else cast.coordinator_of(ref), d.id)
        report.published.append(d.id)
    report.seconds = time.perf_counter() - started
    return report


def _roster_rows(session: Session, cast: _Cast, year: int, today: dt.date) -> dict[str, dict[str, Any]]:
    """The roster of ``year`` of every park, by enterprise ref, as the coordinators see it."""
    out = {}
    for code in PARKS:
        for row in roster.roster_rows(session, cast.park_coordinator(code), park=code, year=year, today=today):
            out[row["enterprise"]] = row
    return out


def published_disclosures(session: Session) -> list[AnnualDisclosure]:
    """The published disclosures, oldest first (what the summary and the tests count)."""
    return list(session.scalars(select(AnnualDisclosure).where(AnnualDisclosure.status == "published")
                                .order_by(AnnualDisclosure.id)))
