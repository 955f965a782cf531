"""The park survey report (园区化学物质环境信息调查报告) of one year: coverage, roster, violations, EECM results,
targets and recommendations; rendered as one self-contained bilingual HTML page and as XLSX.

``build_survey_report`` reads only (it writes nothing). Coordinators of the park and admins; enterprise users
are refused. The targets' progress is computed by the reports package, which may import this one but not the
other way round: its callers pass it in (``reports.targets.survey_report`` does).
"""
from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from catalog.measures import OBLIGATION_NAMES

from ...models import Alert, Enterprise
from ...models.base import as_utc, iso_utc, park_date, park_day_start, utcnow
from ...models.governance import DECLARATION_STATUSES, EecmAssessment, Obligation, RosterEntry, SurveyDeclaration
from ..accounts.parks import coordinated_park
from ..accounts.users import Principal
from ..traceability.manifests import templates, xlsx_cell

SURVEY_REPORT_FORMAT = "wastematch.survey-report.v1"
VIOLATION_KINDS = ("banned_use", "obligation_overdue")
DECLARATION_STATUS_TEXT = {"draft": ("草稿", "draft"), "submitted": ("已提交", "submitted"),
                           "returned": ("已退回", "returned"), "resubmitted": ("已重新提交", "resubmitted"),
                           "accepted": ("已通过", "accepted")}
ROSTER_STATUS_TEXT = {"proposed": ("拟列入", "proposed"), "confirmed": ("已确认", "confirmed"),
                      "removed": ("已移出", "removed")}
OBLIGATION_TEXT = OBLIGATION_NAMES
OBLIGATION_STATUS_TEXT = {"open": ("未完成", "open"), "done": ("已完成", "done"), "waived": ("已豁免", "waived"),
                          "overdue": ("已逾期", "overdue")}
VIOLATION_TEXT = {"banned_use": ("禁用物质违规使用", "banned use"),
                  "obligation_overdue": ("义务逾期未履行", "obligation overdue")}
EECM_STATUS_TEXT = {"draft": ("草稿", "draft"), "submitted": ("已自评", "self-assessed"), "scored": ("已评分", "scored")}


def _text(table: dict[str, tuple[str, str]], code: str | None) -> tuple[str, str]:
    return table.get(code or "", (code or "", code or ""))


def _coverage(session: Session, enterprises: list[Enterprise], year: int) -> dict[str, Any]:
    ids = [e.id for e in enterprises]
    declared: dict[int, str] = {}
    if ids:
        declared = {ent_id: status for ent_id, status in session.execute(
            select(SurveyDeclaration.enterprise_id, SurveyDeclaration.status).where(
                SurveyDeclaration.year == year, SurveyDeclaration.enterprise_id.in_(ids)))}
    by_status = Counter(declared.values())
    statuses = [{"status": s, "label_zh": _text(DECLARATION_STATUS_TEXT, s)[0],
                 "label_en": _text(DECLARATION_STATUS_TEXT, s)[1], "count": by_status.get(s, 0)}
                for s in DECLARATION_STATUSES]
    rows = [{"enterprise": e.ref, "name": e.name, "status": declared.get(e.id),
             "status_zh": _text(DECLARATION_STATUS_TEXT, declared[e.id])[0] if e.id in declared else "未申报",
             "status_en": _text(DECLARATION_STATUS_TEXT, declared[e.id])[1] if e.id in declared else "not declared"}
            for e in enterprises]
    n = len(enterprises)
    return {"enterprises": n, "declared": len(declared), "not_declared": n - len(declared),
            "by_status": statuses, "accepted": by_status.get("accepted", 0),
            "share_accepted": by_status.get("accepted", 0) / n if n else None, "rows": rows}


def _violations(session: Session, ids: list[int], year: int, refs: dict[int, Enterprise]) -> list[dict[str, Any]]:
    """Alerts of the violation kinds held by the park's enterprises for the year (its ``details.year``, or raised
    in it when the alert does not say)."""
    if not ids:
        return []
    first, after = park_day_start(dt.date(year, 1, 1)), park_day_start(dt.date(year + 1, 1, 1))
    out = []
    for a in session.scalars(select(Alert).where(Alert.kind.in_(VIOLATION_KINDS), Alert.enterprise_id.in_(ids))
                             .order_by(Alert.id)):
        stated = (a.details or {}).get("year")
        raised = park_date(a.raised_at)
        if stated is not None and stated != year:
            continue
        if stated is None and not first <= as_utc(a.raised_at) < after:
            continue
        e = refs[a.enterprise_id]
        zh, en = _text(VIOLATION_TEXT, a.kind)
        out.append({"enterprise": e.ref, "name": e.name, "kind": a.kind, "kind_zh": zh, "kind_en": en,
                    "status": a.status, "severity": a.severity, "message": a.message,
                    "cas": (a.details or {}).get("cas"), "raised": raised.isoformat()})
    return out


def _roster(session: Session, park_id: int, ids: list[int], year: int, today: dt.date,
            refs: dict[int, Enterprise], violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    entries = list(session.scalars(select(RosterEntry).where(
        RosterEntry.year == year, or_(RosterEntry.park_id == park_id, RosterEntry.enterprise_id.in_(ids)))
        .order_by(RosterEntry.id)))
    ent_ids = sorted({r.enterprise_id for r in entries})
    obligations: dict[int, list[Obligation]] = defaultdict(list)
    if ent_ids:
        for o in session.scalars(select(Obligation).where(Obligation.year == year,
                                                          Obligation.enterprise_id.in_(ent_ids))
                                 .order_by(Obligation.enterprise_id, Obligation.code)):
            obligations[o.enterprise_id].append(o)
    held = defaultdict(list)
    for v in violations:
        held[v["enterprise"]].append(v)
    rows = []
    for r in entries:
        e = refs.get(r.enterprise_id) or session.get(Enterprise, r.enterprise_id)
        obs = []
        for o in obligations.get(r.enterprise_id, []):
            state = "overdue" if o.status == "open" and o.due < today else o.status
            obs.append({"code": o.code, "label_zh": _text(OBLIGATION_TEXT, o.code)[0],
                        "label_en": _text(OBLIGATION_TEXT, o.code)[1], "due": o.due.isoformat(), "status": o.status,
                        "overdue": state == "overdue", "state_zh": _text(OBLIGATION_STATUS_TEXT, state)[0],
                        "state_en": _text(OBLIGATION_STATUS_TEXT, state)[1]})
        zh, en = _text(ROSTER_STATUS_TEXT, r.status)
        rows.append({"enterprise": e.ref, "name": e.name, "status": r.status, "status_zh": zh, "status_en": en,
                     "substances": [{k: s.get(k) for k in ("cas", "name", "list", "measure", "role", "quantity_t")}
                                    for s in r.substances or []],
                     "obligations": obs, "violations": held.get(e.ref, []), "reason": r.reason or ""})
    return rows


def _indicators(session: Session, ids: list[int], year: int, refs: dict[int, Enterprise]) -> dict[str, Any]:
    rows = []
    if ids:
        for a in session.scalars(select(EecmAssessment).where(EecmAssessment.year == year,
                                                              EecmAssessment.enterprise_id.in_(ids))
                                 .order_by(EecmAssessment.enterprise_id)):
            e = refs[a.enterprise_id]
            zh, en = _text(EECM_STATUS_TEXT, a.status)
            rows.append({"enterprise": e.ref, "name": e.name, "status": a.status, "status_zh": zh, "status_en": en,
                         "total": a.total, "bonus": a.bonus})
    totals = [r["total"] for r in rows if r["status"] == "scored" and r["total"] is not None]
    return {"assessed": len(rows), "scored": len(totals), "mean_total": sum(totals) / len(totals) if totals else None,
            "rows": rows}


def _recommend(coverage: dict[str, Any], roster: list[dict[str, Any]], violations: list[dict[str, Any]],
               indicators: dict[str, Any], targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the data asks the coordinators to do, most pressing first, each in Chinese and English."""
    by = {s["status"]: s["count"] for s in coverage["by_status"]}
    active = [r for r in roster if r["status"] != "removed"]
    overdue_audit = sum(1 for r in active for o in r["obligations"]
                        if o["code"] == "clean_production_audit" and o["overdue"])
    overdue_other = sum(1 for r in active for o in r["obligations"]
                        if o["code"] != "clean_production_audit" and o["overdue"])
    banned = len({v["enterprise"] for v in violations if v["kind"] == "banned_use"})
    items = [
        ("banned_use", banned, f"{banned} 家企业存在禁用物质违规使用，应责令停止并核查替代方案",
         f"{banned} enterprise(s) use a banned substance: order them to stop and check the substitutes"),
        ("audit_overdue", overdue_audit, f"{overdue_audit} 家名单企业强制性清洁生产审核已逾期，应督促完成",
         f"{overdue_audit} roster enterprise(s) with an overdue clean-production audit: follow them up"),
        ("obligation_overdue", overdue_other, f"{overdue_other} 项名单企业的其他义务已逾期",
         f"{overdue_other} other roster obligation(s) overdue"),
        ("returned", by.get("returned", 0), f"{by.get('returned', 0)} 份申报已退回但尚未重新提交，应提醒企业修改",
         f"{by.get('returned', 0)} declaration(s) returned and not resubmitted: remind the enterprises"),
        ("to_review", by.get("submitted", 0) + by.get("resubmitted", 0),
         f"{by.get('submitted', 0) + by.get('resubmitted', 0)} 份申报待审核",
         f"{by.get('submitted', 0) + by.get('resubmitted', 0)} declaration(s) waiting for review"),
        ("not_declared", coverage["not_declared"] + by.get("draft", 0),
         f"{coverage['not_declared'] + by.get('draft', 0)} 家企业尚未提交申报（含草稿）",
         (f"{coverage['not_declared'] + by.get('draft', 0)} enterprise(s) have not submitted a declaration "
          "(drafts included)")),
        ("roster_unconfirmed", sum(1 for r in roster if r["status"] == "proposed"),
         f"{sum(1 for r in roster if r['status'] == 'proposed')} 家拟列入名单企业待确认",
         f"{sum(1 for r in roster if r['status'] == 'proposed')} proposed roster entr(ies) to confirm or remove"),
        ("eecm_unscored", indicators["assessed"] - indicators["scored"],
         f"{indicators['assessed'] - indicators['scored']} 份EECM评估尚未评分",
         f"{indicators['assessed'] - indicators['scored']} EECM assessment(s) not scored yet"),
    ]
    out = [{"code": code, "count": n, "text_zh": zh, "text_en": en} for code, n, zh, en in items if n]
    for t in targets:
        if t.get("met") is False:
            actual, target = t["actual"] * 100, t["target"] * 100
            out.append({"code": f"target:{t['key']}", "count": 1,
                        "text_zh": f"目标未达成：{t['name_zh']} 实际 {actual:.1f}%，目标 {target:.1f}%",
                        "text_en": f"target missed: {t['name_en']} at {actual:.1f} % against {target:.1f} %"})
    return out


def build_survey_report(session: Session, principal: Principal, park_code: str, year: int, *,
                        targets: list[dict[str, Any]] | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """The survey report of park ``park_code`` for ``year`` (coordinators of the park and admins).

    ``targets`` is the targets' progress to include (``reports.targets.targets_progress``); ``now`` decides
    which open obligations are overdue (default: the current time).
    """
    park = coordinated_park(session, principal, park_code, field="park")
    now = now or utcnow()
    today = park_date(now)
    enterprises = list(session.scalars(select(Enterprise).where(Enterprise.park_id == park.id)
                                       .order_by(Enterprise.ref)))
    refs = {e.id: e for e in enterprises}
    ids = sorted(refs)
    coverage = _coverage(session, enterprises, year)
    violations = _violations(session, ids, year, refs)
    roster = _roster(session, park.id, ids, year, today, refs, violations)
    indicators = _indicators(session, ids, year, refs)
    targets = list(targets or [])
    return {
        "format": SURVEY_REPORT_FORMAT, "year": year, "generated_at": iso_utc(now),
        "park": {"code": park.code, "name": park.name, "name_en": park.name_en},
        "title_zh": f"{park.name} {year} 年化学物质环境信息调查报告",
        "title_en": f"{park.name_en or park.code}: chemical survey report {year}",
        "coverage": coverage, "roster": roster, "violations": violations, "indicators": indicators,
        "targets": targets, "recommendations": _recommend(coverage, roster, violations, indicators, targets),
    }


def _pct(value: Any) -> str:
    return "—" if value is None else f"{100 * float(value):.1f}%"


def render_survey_html(doc: dict[str, Any]) -> str:
    """The report as one self-contained bilingual HTML page (inline CSS, no external resource)."""
    return templates.get_template("survey_report.html").render(doc=doc, pct=_pct)


# One sheet per table: (title, columns as (header, key)), rows from the document.
def _sheets(doc: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    c = doc["coverage"]
    summary = [["园区 Park", f"{doc['park']['name']} ({doc['park']['code']})"], ["年度 Year", doc["year"]],
               ["企业数 Enterprises", c["enterprises"]], ["已申报 Declared", c["declared"]],
               ["已通过 Accepted", c["accepted"]], ["通过率 Share accepted", c["share_accepted"]]]
    summary += [[f"{s['label_zh']} {s['label_en']}", s["count"]] for s in c["by_status"]]
    return [
        ("概况 Coverage", ["项目 Item", "数值 Value"], summary),
        ("申报 Declarations", ["企业 Enterprise", "名称 Name", "状态 Status"],
         [[r["enterprise"], r["name"], f"{r['status_zh']} {r['status_en']}"] for r in c["rows"]]),
        ("名单 Roster", ["企业 Enterprise", "名称 Name", "状态 Status", "物质 Substances", "义务 Obligations",
                        "违规 Violations"],
         [[r["enterprise"], r["name"], f"{r['status_zh']} {r['status_en']}",
           "; ".join(f"{s.get('name') or ''} {s.get('cas') or ''} {s.get('role') or ''}".strip()
                     for s in r["substances"]),
           "; ".join(f"{o['label_zh']} {o['due']} {o['state_zh']} {o['state_en']}" for o in r["obligations"]),
           len(r["violations"])] for r in doc["roster"]]),
        ("违规 Violations", ["企业 Enterprise", "名称 Name", "类型 Kind", "CAS", "说明 Message", "日期 Raised"],
         [[v["enterprise"], v["name"], f"{v['kind_zh']} {v['kind_en']}", v["cas"], v["message"], v["raised"]]
          for v in doc["violations"]]),
        ("EECM评估 EECM", ["企业 Enterprise", "名称 Name", "状态 Status", "总分 Total", "加分 Bonus"],
         [[r["enterprise"], r["name"], f"{r['status_zh']} {r['status_en']}", r["total"], r["bonus"]]
          for r in doc["indicators"]["rows"]]),
        ("目标 Targets", ["目标 Target", "Target", "目标值 Target value", "实际 Actual", "达成 Met"],
         [[t["name_zh"], t["name_en"], t["target"], t["actual"],
           {True: "是 yes", False: "否 no"}.get(t["met"], "—")] for t in doc["targets"]]),
        ("建议 Recommendations", ["建议", "Recommendation"],
         [[r["text_zh"], r["text_en"]] for r in doc["recommendations"]]),
    ]


def render_survey_xlsx(doc: dict[str, Any]) -> bytes:
    """The report as an XLSX workbook, one sheet per table, every text cell formula-safe."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in _sheets(doc):
        ws = wb.create_sheet(title)
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([xlsx_cell(v) for v in row])
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


__all__ = ["SURVEY_REPORT_FORMAT", "build_survey_report", "render_survey_html", "render_survey_xlsx"]
