"""The hazardous waste management plan (危险废物管理计划): drafted from what the platform knows, tiered, checked, filed.

Every unit that produces hazardous waste draws up a plan for the year and files it by 31 March
(《固体废物污染环境防治法》第七十八条; HJ 1259-2022). What the plan must hold depends on the unit's
management tier (HJ 1259-2022):

* ``key`` (危险废物环境重点监管单位): 100 t or more a year at the site, or its own utilisation or disposal
  facility, or it holds an HW business licence. Its plan also lists its facilities (at least its storage) and
  its reduction plan and measures;
* ``simplified`` (简化管理单位): 10 t or more a year, not key;
* ``registration`` (登记管理单位): under 10 t a year, not key.

The year's tonnage is the larger of last year's generation and this plan's planned generation. Last year's
generation is its declaration when one was submitted, else what its ledger (管理台账) recorded as produced, else last
year's manifests. The plan is for this year: a unit that grows does not stay in a lighter tier because last year
was small (Shanghai's rule for new units takes the larger figure too).
HJ 1259-2022 says the lighter tiers' plans hold "correspondingly less"; we require of every tier its wastes and,
where it hands waste over, its transfers, and of key units their facilities and reduction measures as well.

``draft`` fills a new plan from the platform's records: one waste line per HW code of last year's declaration,
ledger or manifests, this year's manifests and the enterprise's active hazardous offers; planned tonnes as last year (or the
offers' yearly tonnes), all handed over; the receivers and licences of the manifests (or of approved matches) as
its transfers. The enterprise completes it and submits it. Submission stores the findings (``checks``): sections
the tier requires, lines that do not balance, transfers that do not add up to the waste handed over, receivers
whose licence (on the platform) does not cover the waste in the year, a first submission after 31 March, and
manifests beyond the plan. Findings do not block submission: the coordinator reads them and files the plan
(``accept``: a filing number) or returns it with a reason. A filed plan that must change is revised (``revise``):
the revision is a draft again and goes through the same review.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from catalog.waste_codes import category_of, is_hw_code, normalize_hw_code
from matching.quantities import annual_tonnes

from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...models import Enterprise, LedgerEntry, Licence, Listing, Match, Notification, Shipment
from ...models.base import CHINA_TZ, MAX_ID, iso_utc, utcnow
from ...models.hw_declarations import HwDeclaration
from ...models.hw_plans import (
    HW_FACILITY_KINDS,
    HW_PLAN_STATUSES,
    HW_PLAN_TIERS,
    HW_PLAN_TONNES,
    HwPlan,
    HwPlanFacility,
    HwPlanTransfer,
    HwPlanWaste,
)
from ...models.parks import HW_LICENCE_KINDS
from ..accounts import audit
from ..accounts.enterprises import enterprise_rows_visible
from ..accounts.users import Principal
from . import ledger_review
from .hw_filings import MAX_YEAR, MIN_YEAR, filing_enterprise, notify_park_coordinators, tonnes_or_reason, validate_year
from .hw_reconciliation import TOLERANCE_T, TRANSFERRED_STATUSES, UNDER_REVIEW, manifest_totals, year_bounds
from .plan_filing import is_late, plan_due

__all__ = ["CHECK_WORDS", "FACILITY_WORDS", "HW_FACILITY_KINDS", "HW_PLAN_STATUSES", "HW_PLAN_TIERS",
           "HW_PLAN_TONNES", "MAX_ROWS", "MAX_YEAR", "MIN_YEAR", "REASON_MAX", "SECTION_WORDS", "STATUS_EN",
           "STATUS_ZH", "TIER_WORDS", "TONNES_WORDS", "accept", "draft", "get_plan", "list_plans", "plan_view", "return_plan", "revise",
           "save_plan", "submit", "tier_of"]

EDITABLE = ("draft", "returned")
MAX_ROWS = 200
REASON_MAX = 2000
TEXT_MAX = 200
MEASURES_MAX = 4000
KEY_TONNES = 100.0  # HJ 1259-2022: 100 t a year or more at one site makes a key-supervision unit
SIMPLIFIED_TONNES = 10.0  # 10 t a year or more: simplified management
OWN_TREATMENT = ("utilisation", "disposal")
# Last year's declaration counts once submitted: a draft is not yet the enterprise's word.
DECLARED_STATUSES = ("submitted", "resubmitted", "accepted", "returned")

STATUS_ZH = {"draft": "草稿", "submitted": "已提交", "returned": "已退回", "resubmitted": "已重新提交", "accepted": "已备案"}
STATUS_EN = {"draft": "draft", "submitted": "submitted", "returned": "returned", "resubmitted": "resubmitted",
             "accepted": "filed"}
TIER_WORDS = {"key": ("危险废物环境重点监管单位", "key-supervision unit"),
              "simplified": ("危险废物简化管理单位", "simplified-management unit"),
              "registration": ("危险废物登记管理单位", "registration-management unit")}
FACILITY_WORDS = {"storage": ("贮存设施", "storage"), "utilisation": ("自行利用设施", "own utilisation"),
                  "disposal": ("自行处置设施", "own disposal")}
TONNES_WORDS = {"planned_t": ("计划产生量", "planned generation"), "storage_max_t": ("最大贮存量", "most held in store"),
                "utilised_own_t": ("自行利用量", "utilised on site"), "disposed_own_t": ("自行处置量", "disposed of on site"),
                "transferred_t": ("委托利用处置量", "handed over")}
SECTION_WORDS = {"wastes": ("危险废物产生情况", "wastes produced"), "transfers": ("委托利用处置（转移）", "transfers"),
                 "facilities": ("设施信息", "facilities"), "reduction": ("减量化计划和措施", "reduction plan and measures")}
CHECK_WORDS = {"section_missing": ("缺少必填内容", "section missing"), "unbalanced": ("产生与去向不平衡", "does not balance"),
               "transfers_differ": ("转移去向与委托量不符", "transfers do not add up"),
               "receiver_unlicensed": ("接收单位许可证不符", "receiver's licence does not cover it"),
               "licence_unknown": ("许可证不在平台上，需核实", "licence not on the platform: verify"),
               "late": ("逾期备案", "filed late"), "beyond_plan": ("联单超出计划", "manifests beyond the plan")}
_WASTE_TEXT = {"name": TEXT_MAX, "source": TEXT_MAX}


# --- who sees what -------------------------------------------------------------------------------------------------

def _loaded() -> tuple[Any, ...]:
    return (selectinload(HwPlan.wastes), selectinload(HwPlan.transfers), selectinload(HwPlan.facilities),
            selectinload(HwPlan.enterprise).selectinload(Enterprise.park))


def get_plan(session: Session, principal: Principal, plan_id: int) -> HwPlan:
    """One plan the principal may see; ``NotFound`` for any other (ids reveal nothing)."""
    plan = None
    if isinstance(plan_id, int) and not isinstance(plan_id, bool) and 0 < plan_id <= MAX_ID:
        stmt = select(HwPlan).join(HwPlan.enterprise).where(HwPlan.id == plan_id)
        plan = session.scalar(enterprise_rows_visible(stmt, principal, HwPlan.enterprise_id).options(*_loaded()))
    if plan is None:
        raise NotFound(f"no hazardous waste management plan {plan_id} (无此危险废物管理计划)",
                       {"plan_id": ["unknown plan (无此管理计划)"]})
    return plan


def list_plans(session: Session, principal: Principal, *, year: int | None = None, status: str | None = None,
               tier: str | None = None) -> list[HwPlan]:
    """The plans the principal may see, newest year first (filters: year, status, tier)."""
    for name, value, allowed in (("status", status, HW_PLAN_STATUSES), ("tier", tier, HW_PLAN_TIERS)):
        if value is not None and value not in allowed:
            raise ValidationFailed(f"unknown {name} {value!r} ({'状态' if name == 'status' else '管理类别'}无效)",
                                   {name: [f"must be one of: {', '.join(allowed)} (须为以下之一：{'、'.join(allowed)})"]})
    stmt: Select = enterprise_rows_visible(select(HwPlan).join(HwPlan.enterprise), principal, HwPlan.enterprise_id)
    if year is not None:
        stmt = stmt.where(HwPlan.year == validate_year(year))
    if status is not None:
        stmt = stmt.where(HwPlan.status == status)
    if tier is not None:
        stmt = stmt.where(HwPlan.tier == tier)
    return list(session.scalars(stmt.options(*_loaded()).order_by(HwPlan.year.desc(), HwPlan.id)))


def _audit(session: Session, principal: Principal, plan: HwPlan, action: str, changes: dict[str, Any],
           **context: Any) -> None:
    audit.record(session, actor=principal.actor, action=f"hw_plan.{action}", entity_type="hw_plan",
                 entity_key=str(plan.id), changes=changes,
                 context={"enterprise": plan.enterprise.ref, "year": plan.year, "revision": plan.revision, **context},
                 park_id=plan.enterprise.park_id)


def _notice(plan: HwPlan, event: str, message: str) -> dict[str, Any]:
    return {"plan_id": plan.id, "event": event, "status": plan.status, "year": plan.year, "revision": plan.revision,
            "enterprise": {"ref": plan.enterprise.ref, "name": plan.enterprise.name}, "message": message}


# --- what the platform knows ---------------------------------------------------------------------------------------

def _last_year(session: Session, ent: Enterprise, year: int) -> tuple[dict[str, float], str | None]:
    """Last year's generation per code, and its source: the declaration once submitted, else the wastes the
    enterprise's ledger recorded as produced, else the manifests."""
    decl = session.scalar(select(HwDeclaration).where(HwDeclaration.enterprise_id == ent.id,
                                                      HwDeclaration.year == year - 1,
                                                      HwDeclaration.status.in_(DECLARED_STATUSES))
                          .options(selectinload(HwDeclaration.lines)))
    if decl is not None and decl.lines:
        out: dict[str, float] = defaultdict(float)
        for line in decl.lines:
            out[line.waste_code] += line.generated_t
        return dict(out), "declaration"
    # The enterprise's own ledger (管理台账) records what it produced; the manifests only what left its site.
    produced = session.execute(
        select(LedgerEntry.waste_code, func.sum(LedgerEntry.quantity_t))
        .where(LedgerEntry.enterprise_id == ent.id, LedgerEntry.direction == "produced",
               LedgerEntry.waste_code.is_not(None), LedgerEntry.entry_date >= dt.date(year - 1, 1, 1),
               LedgerEntry.entry_date < dt.date(year, 1, 1))
        .group_by(LedgerEntry.waste_code)).all()
    if produced:
        return {code: round(float(t), 9) for code, t in produced}, "ledger"
    shipped = manifest_totals(session, [ent.id], year - 1).get(ent.id, {})
    return ({code: t for code, (t, _n) in shipped.items()}, "manifests") if shipped else ({}, None)


def _offers(session: Session, ent: Enterprise) -> dict[str, tuple[float, str]]:
    """The enterprise's active hazardous offers per code: (tonnes a year, a name, Chinese first)."""
    out: dict[str, tuple[float, str]] = {}
    for offer in session.scalars(select(Listing).where(Listing.enterprise_id == ent.id, Listing.kind == "offer",
                                                       Listing.status == "active", Listing.waste_code.is_not(None))
                                 .order_by(Listing.id)):
        tonnes, name = out.get(offer.waste_code, (0.0, ""))
        out[offer.waste_code] = (tonnes + annual_tonnes(offer.quantity_t, offer.period),
                                 name or offer.title_zh or offer.title or "")
    return out


def _receivers(session: Session, ent: Enterprise, year: int) -> dict[str, dict[tuple[str, str], float]]:
    """Per code, {(receiver ref, licence number): tonnes} of the manifests of last year and this year; where a code
    has none, of the enterprise's approved matches (who is to take it, under which licence)."""
    start, _ = year_bounds(year - 1)
    _, end = year_bounds(year)
    out: dict[str, dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
    rows = session.execute(
        select(Shipment.waste_code, Enterprise.ref, Shipment.licence_number, Shipment.quantity_t)
        .join(Enterprise, Enterprise.id == Shipment.receiver_id)
        .where(Shipment.producer_id == ent.id, Shipment.direction == "forward",
               Shipment.status.in_(TRANSFERRED_STATUSES), Shipment.dispatched_at >= start,
               Shipment.dispatched_at < end, Shipment.waste_code.is_not(None), Shipment.licence_number.is_not(None)))
    for code, receiver, licence, tonnes in rows:
        out[code][(receiver, licence)] += tonnes
    shipped = set(out)
    need = select(Listing.id, Listing.enterprise_id).subquery()
    offer = select(Listing.id, Listing.waste_code).where(Listing.enterprise_id == ent.id).subquery()
    matched = session.execute(
        select(offer.c.waste_code, Enterprise.ref, Match.licence_number, Match.quantity_t)
        .join(offer, offer.c.id == Match.offer_id).join(need, need.c.id == Match.need_id)
        .join(Enterprise, Enterprise.id == need.c.enterprise_id)
        .where(Match.status.in_(("approved", "in_transfer")), offer.c.waste_code.is_not(None),
               Match.licence_number.is_not(None)))
    for code, receiver, licence, tonnes in matched:
        if code not in shipped:
            out[code][(receiver, licence)] += tonnes
    return out


def _licences(session: Session, numbers: set[str]) -> dict[str, Licence]:
    if not numbers:
        return {}
    rows = session.scalars(select(Licence).where(Licence.number.in_(sorted(numbers)))
                           .options(selectinload(Licence.enterprise)))
    return {lic.number: lic for lic in rows}


def _holds_hw_licence(session: Session, ent: Enterprise, year: int) -> str | None:
    """The number of an HW business licence the enterprise holds in ``year``, if any."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    for lic in session.scalars(select(Licence).where(Licence.enterprise_id == ent.id,
                                                     Licence.kind.in_(HW_LICENCE_KINDS)).order_by(Licence.number)):
        if lic.valid_from <= last and (lic.valid_to is None or lic.valid_to >= first):
            return lic.number
    return None


# --- the tier ------------------------------------------------------------------------------------------------------

def tier_of(*, tonnes: float, own_treatment: bool, licence: str | None) -> tuple[str, list[dict[str, str]]]:
    """The management tier (HJ 1259-2022) of a unit producing ``tonnes`` a year, and why (``[{code, message}]``)."""
    reasons = []
    if tonnes >= KEY_TONNES:
        reasons.append({"code": "tonnes_key", "message": f"年产生量 {tonnes:g} 吨，不低于 {KEY_TONNES:g} 吨 / "
                                                         f"{tonnes:g} t a year, {KEY_TONNES:g} t or more"})
    if own_treatment:
        reasons.append({"code": "own_treatment", "message": "具有危险废物自行利用处置设施 / has its own utilisation or "
                                                            "disposal facility"})
    if licence:
        reasons.append({"code": "licence", "message": f"持有危险废物经营许可证 {licence} / holds HW business licence "
                                                      f"{licence}"})
    if reasons:
        return "key", reasons
    if tonnes >= SIMPLIFIED_TONNES:
        return "simplified", [{"code": "tonnes_simplified",
                               "message": f"年产生量 {tonnes:g} 吨，在 {SIMPLIFIED_TONNES:g} 吨至 {KEY_TONNES:g} 吨之间 / "
                                          f"{tonnes:g} t a year, from {SIMPLIFIED_TONNES:g} t to under {KEY_TONNES:g} t"}]
    return "registration", [{"code": "tonnes_registration",
                             "message": f"年产生量 {tonnes:g} 吨，低于 {SIMPLIFIED_TONNES:g} 吨 / {tonnes:g} t a year, "
                                        f"under {SIMPLIFIED_TONNES:g} t"}]


def _set_tier(session: Session, plan: HwPlan) -> None:
    planned = sum(w.planned_t for w in plan.wastes)
    own = any(f.kind in OWN_TREATMENT for f in plan.facilities)
    plan.tier, plan.tier_reasons = tier_of(tonnes=round(max(plan.last_year_t, planned), 6), own_treatment=own,
                                           licence=_holds_hw_licence(session, plan.enterprise, plan.year))


def required_sections(plan: HwPlan) -> list[str]:
    """What the plan must hold for its tier: its wastes; transfers where it hands waste over; facilities and reduction
    measures for a key unit."""
    out = ["wastes"]
    if any(w.transferred_t > TOLERANCE_T for w in plan.wastes):
        out.append("transfers")
    if plan.tier == "key":
        out += ["facilities", "reduction"]
    return out


# --- drafting ------------------------------------------------------------------------------------------------------

def draft(session: Session, principal: Principal, enterprise_ref: str | None, year: int) -> HwPlan:
    """The enterprise's plan for ``year``; a new one is drafted from what the platform knows (module docstring).

    An existing editable plan gets the platform's figures refreshed (last year, this year's manifests) and its tier
    again; the enterprise's own figures are kept. A submitted or filed one is returned as it is.
    """
    year = validate_year(year)
    ent = filing_enterprise(session, principal, enterprise_ref,
                            own_only="enterprise users plan only for their own enterprise (只能为本企业制定管理计划)")
    plan = session.scalar(select(HwPlan).where(HwPlan.enterprise_id == ent.id, HwPlan.year == year)
                          .options(*_loaded()))
    if plan is not None:
        if plan.status in EDITABLE:
            _refresh(session, plan)
            session.flush()
        return plan
    last, source = _last_year(session, ent, year)
    shipped = manifest_totals(session, [ent.id], year).get(ent.id, {})
    offers = _offers(session, ent)
    names = _shipment_names(session, ent, year)
    plan = HwPlan(enterprise_id=ent.id, year=year, status="draft", revision=1, checks=[], created_by=principal.actor,
                  last_year_t=round(sum(last.values()), 6), last_year_source=source, reduction_measures="")
    plan.enterprise = ent
    session.add(plan)
    codes = sorted(set(last) | set(shipped) | set(offers))
    wastes = []
    for i, code in enumerate(codes):
        planned = last.get(code) or offers.get(code, (0.0, ""))[0] or shipped.get(code, (0.0, 0))[0]
        planned = round(planned, 6)
        wastes.append(HwPlanWaste(position=i, waste_code=code, name=(offers.get(code, (0.0, ""))[1] or names.get(code, ""))
                                  [:TEXT_MAX], source="", planned_t=planned, storage_max_t=0.0, utilised_own_t=0.0,
                                  disposed_own_t=0.0, transferred_t=planned, last_year_t=round(last.get(code, 0.0), 6),
                                  manifests_t=shipped.get(code, (0.0, 0))[0],
                                  manifest_count=shipped.get(code, (0.0, 0))[1]))
    plan.wastes = wastes
    plan.transfers = _drafted_transfers(session, ent, year, {w.waste_code: w.transferred_t for w in wastes})
    plan.facilities = []
    _set_tier(session, plan)
    session.flush()
    _audit(session, principal, plan, "draft", {"status": [None, "draft"]}, wastes=len(wastes),
           transfers=len(plan.transfers), tier=plan.tier)
    return plan


def _shipment_names(session: Session, ent: Enterprise, year: int) -> dict[str, str]:
    """What the enterprise's manifests of last year and this year call each code (the latest name)."""
    start, _ = year_bounds(year - 1)
    rows = session.execute(select(Shipment.waste_code, Shipment.material)
                           .where(Shipment.producer_id == ent.id, Shipment.waste_code.is_not(None),
                                  Shipment.created_at >= start).order_by(Shipment.id))
    return {code: material for code, material in rows}


def _drafted_transfers(session: Session, ent: Enterprise, year: int,
                       handed: dict[str, float]) -> list[HwPlanTransfer]:
    """Each code's tonnes handed over, shared among its known receivers as their manifests (or matches) were."""
    out = []
    for code, receivers in sorted(_receivers(session, ent, year).items()):
        total = sum(receivers.values())
        if code not in handed or total <= 0:
            continue
        for (receiver, licence), tonnes in sorted(receivers.items()):
            out.append(HwPlanTransfer(position=len(out), waste_code=code, receiver=receiver, licence_number=licence,
                                      planned_t=round(handed[code] * tonnes / total, 6)))
    return out


def _refresh(session: Session, plan: HwPlan) -> None:
    """The platform's figures on every line (last year, this year's manifests), and the tier again."""
    last, source = _last_year(session, plan.enterprise, plan.year)
    shipped = manifest_totals(session, [plan.enterprise_id], plan.year).get(plan.enterprise_id, {})
    plan.last_year_t, plan.last_year_source = round(sum(last.values()), 6), source
    for w in plan.wastes:
        w.last_year_t = round(last.get(w.waste_code, 0.0), 6)
        w.manifests_t, w.manifest_count = shipped.get(w.waste_code, (0.0, 0))
    _set_tier(session, plan)


# --- editing -------------------------------------------------------------------------------------------------------

def _own_users_only(principal: Principal, plan: HwPlan) -> None:
    """The enterprise's own users (and admins) edit, submit and revise its plan."""
    own = principal.role == "enterprise" and principal.enterprise_id == plan.enterprise_id
    if not (own or principal.is_admin):
        raise Forbidden("only the enterprise's own users edit, submit or revise its plan (仅本企业可填报管理计划)",
                        {"role": ["requires a user of the enterprise or admin (须为本企业用户或系统管理员)"]})


def _editable_by(principal: Principal, plan: HwPlan) -> None:
    _own_users_only(principal, plan)
    if plan.status not in EDITABLE:
        raise Conflict(f"a {plan.status} plan cannot be changed (当前状态不可修改：{STATUS_ZH[plan.status]})",
                       {"status": [(f"is {plan.status}; only draft or returned plans are changed; revise a filed one "
                                    f"(当前为{STATUS_ZH[plan.status]}，仅草稿或已退回的管理计划可修改；已备案的请申请变更)")]})


def _rows(body: dict[str, Any], key: str, errors: dict[str, list[str]]) -> list[dict[str, Any]] | None:
    rows = body.get(key)
    if not isinstance(rows, list) or len(rows) > MAX_ROWS or not all(isinstance(r, dict) for r in rows):
        errors[key] = [f"a list of at most {MAX_ROWS} rows, each an object (须为最多 {MAX_ROWS} 行的列表，每行为对象)"]
        return None
    return rows


def _unknown_keys(row: dict[str, Any], allowed: set[str], where: str, errors: dict[str, list[str]]) -> None:
    for key in sorted(set(row) - allowed, key=str):
        errors[f"{where}.{key}"] = ["not a field of this row (不是该行的字段)"]


def _code(value: Any, where: str, errors: dict[str, list[str]]) -> str | None:
    code = normalize_hw_code(value) if isinstance(value, str) else value
    if not isinstance(code, str) or not is_hw_code(code):
        errors[where] = [f"{value!r} is not a hazardous waste code NNN-NNN-NN (危险废物代码无效)"]
        return None
    return code


def _text(value: Any, limit: int, where: str, errors: dict[str, list[str]], *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or "\x00" in value or len(value.strip()) > limit or (required and not value.strip()):
        need = "required, " if required else ""
        errors[where] = [f"{need}a text of at most {limit} characters ({'必填，' if required else ''}最多 {limit} 个字符)"]
        return ""
    return value.strip()


def _amount(value: Any, where: str, errors: dict[str, list[str]]) -> float:
    got = tonnes_or_reason(0.0 if value is None else value)
    if isinstance(got, str):
        errors[where] = [got]
        return 0.0
    return got


def _wastes(rows: list[dict[str, Any]], errors: dict[str, list[str]]) -> list[HwPlanWaste]:
    out, seen = [], {}
    for i, row in enumerate(rows):
        where = f"wastes.{i}"
        _unknown_keys(row, {"waste_code", *_WASTE_TEXT, *HW_PLAN_TONNES}, where, errors)
        code = _code(row.get("waste_code"), f"{where}.waste_code", errors)
        if code is not None and code in seen:
            errors[f"{where}.waste_code"] = [f"{code} is already line {seen[code] + 1} (代码重复，与第 {seen[code] + 1} 行相同)"]
        elif code is not None:
            seen[code] = i
        texts = {k: _text(row.get(k), limit, f"{where}.{k}", errors) for k, limit in _WASTE_TEXT.items()}
        tonnes = {k: _amount(row.get(k), f"{where}.{k}", errors) for k in HW_PLAN_TONNES}
        out.append(HwPlanWaste(position=i, waste_code=code or "", **texts, **tonnes))
    return out


def _transfers(rows: list[dict[str, Any]], errors: dict[str, list[str]]) -> list[HwPlanTransfer]:
    out = []
    for i, row in enumerate(rows):
        where = f"transfers.{i}"
        _unknown_keys(row, {"waste_code", "receiver", "licence_number", "planned_t"}, where, errors)
        code = _code(row.get("waste_code"), f"{where}.waste_code", errors)
        receiver = _text(row.get("receiver"), TEXT_MAX, f"{where}.receiver", errors, required=True)
        licence = _text(row.get("licence_number"), 64, f"{where}.licence_number", errors, required=True)
        out.append(HwPlanTransfer(position=i, waste_code=code or "", receiver=receiver, licence_number=licence,
                                  planned_t=_amount(row.get("planned_t"), f"{where}.planned_t", errors)))
    return out


def _facilities(rows: list[dict[str, Any]], errors: dict[str, list[str]]) -> list[HwPlanFacility]:
    out = []
    for i, row in enumerate(rows):
        where = f"facilities.{i}"
        _unknown_keys(row, {"kind", "name", "capacity_t"}, where, errors)
        kind = row.get("kind")
        if kind not in HW_FACILITY_KINDS:
            words = "、".join(w[0] for w in FACILITY_WORDS.values())
            errors[f"{where}.kind"] = [f"{kind!r} is not one of {', '.join(HW_FACILITY_KINDS)} (须为：{words})"]
        name = _text(row.get("name"), TEXT_MAX, f"{where}.name", errors, required=True)
        out.append(HwPlanFacility(position=i, kind=kind if kind in HW_FACILITY_KINDS else "storage", name=name,
                                  capacity_t=_amount(row.get("capacity_t"), f"{where}.capacity_t", errors)))
    return out


def _target(value: Any, errors: dict[str, list[str]]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
        errors["reduction_target_pct"] = [f"a percentage from 0 to 100, or empty; got {value!r} (须为 0 至 100 的百分比或留空)"]
        return None
    return float(value)


PLAN_KEYS = ("wastes", "transfers", "facilities", "reduction_measures", "reduction_target_pct")


def save_plan(session: Session, principal: Principal, plan_id: int, body: Any) -> HwPlan:
    """Replace any of an editable plan's wastes, transfers, facilities, reduction measures and target (the
    enterprise's users, admins): all or nothing, every error named by field (``wastes.N.planned_t`` …)."""
    plan = get_plan(session, principal, plan_id)
    _editable_by(principal, plan)
    if not isinstance(body, dict):
        raise ValidationFailed("the plan must be an object (须为对象)", {"body": ["must be an object (须为对象)"]})
    errors: dict[str, list[str]] = {}
    for key in sorted(set(body) - set(PLAN_KEYS), key=str):
        errors[str(key)] = [f"not a field of a plan; fields: {', '.join(PLAN_KEYS)} (不是管理计划的字段)"]
    new: dict[str, Any] = {}
    for key, read in (("wastes", _wastes), ("transfers", _transfers), ("facilities", _facilities)):
        if key in body:
            rows = _rows(body, key, errors)
            if rows is not None:
                new[key] = read(rows, errors)
    if "reduction_measures" in body:
        new["reduction_measures"] = _text(body["reduction_measures"] or "", MEASURES_MAX, "reduction_measures", errors)
    if "reduction_target_pct" in body:
        new["reduction_target_pct"] = _target(body["reduction_target_pct"], errors)
    if errors:
        raise ValidationFailed(f"the plan has {len(errors)} error(s); nothing was saved (管理计划有误，未保存)", errors)
    before = _summary(plan)
    for key, value in new.items():
        setattr(plan, key, value)
    _refresh(session, plan)
    session.flush()
    _audit(session, principal, plan, "save", {"plan": [before, _summary(plan)]})
    return plan


def _summary(plan: HwPlan) -> dict[str, Any]:
    """What an edit changes, for the audit trail."""
    return {"wastes": [(w.waste_code, *(getattr(w, n) for n in HW_PLAN_TONNES)) for w in plan.wastes],
            "transfers": [(t.waste_code, t.receiver, t.licence_number, t.planned_t) for t in plan.transfers],
            "facilities": [(f.kind, f.name, f.capacity_t) for f in plan.facilities],
            "reduction_measures": plan.reduction_measures, "reduction_target_pct": plan.reduction_target_pct}


# --- the findings --------------------------------------------------------------------------------------------------

def _finding(field: str, code: str, severity: str, zh: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"field": field, "code": code, "severity": severity, **extra, "message": f"{zh} / {en}"}


def findings(session: Session, plan: HwPlan, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The plan's findings (module docstring), each ``{field, code, severity, message, ...}``; errors first."""
    out: list[dict[str, Any]] = []
    required = required_sections(plan)
    tier_zh = TIER_WORDS[plan.tier][0]
    if "facilities" in required and not any(f.kind == "storage" for f in plan.facilities):
        out.append(_finding("facilities", "section_missing", "error",
                            f"{tier_zh}须填写危险废物贮存设施", f"a {TIER_WORDS[plan.tier][1]} lists its storage facility"))
    if "reduction" in required and not plan.reduction_measures.strip():
        out.append(_finding("reduction_measures", "section_missing", "error",
                            f"{tier_zh}须填写减量化计划和措施",
                            f"a {TIER_WORDS[plan.tier][1]} states its reduction plan and measures"))
    handed: dict[str, float] = defaultdict(float)
    for t in plan.transfers:
        handed[t.waste_code] += t.planned_t
    lines = {w.waste_code: i for i, w in enumerate(plan.wastes)}
    for i, w in enumerate(plan.wastes):
        outflow = w.utilised_own_t + w.disposed_own_t + w.transferred_t
        if abs(outflow - w.planned_t) > TOLERANCE_T:
            out.append(_finding(f"wastes.{i}", "unbalanced", "warning",
                                f"{w.waste_code}：计划产生 {w.planned_t:g} 吨，自行利用、自行处置与委托共 {outflow:g} 吨",
                                f"{w.waste_code}: {w.planned_t:g} t planned, {outflow:g} t utilised, disposed of or "
                                f"handed over", waste_code=w.waste_code))
        if abs(handed.get(w.waste_code, 0.0) - w.transferred_t) > TOLERANCE_T:
            out.append(_finding(f"wastes.{i}.transferred_t", "transfers_differ", "error",
                                f"{w.waste_code}：委托量 {w.transferred_t:g} 吨，各接收单位合计 {handed.get(w.waste_code, 0.0):g} 吨",
                                f"{w.waste_code}: {w.transferred_t:g} t to hand over, {handed.get(w.waste_code, 0.0):g} t "
                                f"planned to receivers", waste_code=w.waste_code))
        if w.manifests_t > w.transferred_t + TOLERANCE_T:
            out.append(_finding(f"wastes.{i}.transferred_t", "beyond_plan", "warning",
                                f"{w.waste_code}：本年联单已转移 {w.manifests_t:g} 吨，超过计划委托量 {w.transferred_t:g} 吨",
                                f"{w.waste_code}: {w.manifests_t:g} t already under this year's manifests, more than the "
                                f"{w.transferred_t:g} t planned", waste_code=w.waste_code))
    out += _transfer_findings(session, plan, lines)
    shipped = manifest_totals(session, [plan.enterprise_id], plan.year).get(plan.enterprise_id, {})
    for code, (tonnes, count) in sorted(shipped.items()):
        if code not in lines:
            out.append(_finding("wastes", "beyond_plan", "warning",
                                f"{code}：本年已有 {count} 份联单（{tonnes:g} 吨），计划未列此废物",
                                f"{code}: {count} manifest(s) this year ({tonnes:g} t), not in the plan", waste_code=code))
    first = plan.first_submitted_at or now
    if is_late(plan.year, first):
        due, day = plan_due(plan.year), first.astimezone(CHINA_TZ).date()
        out.append(_finding("submitted_at", "late", "warning",
                            f"首次提交于 {day}，晚于 {due.year} 年 {due.month} 月 {due.day} 日的备案期限",
                            f"first submitted on {day}, after the {due} deadline"))
    return sorted(out, key=lambda c: c["severity"] != "error")


def _transfer_findings(session: Session, plan: HwPlan, lines: dict[str, int]) -> list[dict[str, Any]]:
    """Each transfer: its waste is in the plan, and the receiver's licence (when the platform holds it) belongs to the
    receiver, is an HW business licence valid in the year and covers the waste."""
    out = []
    known = _licences(session, {t.licence_number for t in plan.transfers})
    first, last = dt.date(plan.year, 1, 1), dt.date(plan.year, 12, 31)
    for i, t in enumerate(plan.transfers):
        where = f"transfers.{i}"
        if t.waste_code not in lines:
            out.append(_finding(f"{where}.waste_code", "transfers_differ", "error",
                                f"{t.waste_code} 不在计划的废物中", f"{t.waste_code} is not a waste of the plan",
                                waste_code=t.waste_code))
        lic = known.get(t.licence_number)
        if lic is None:
            out.append(_finding(f"{where}.licence_number", "licence_unknown", "warning",
                                f"许可证 {t.licence_number} 不在平台上：请核对许可证原件",
                                f"licence {t.licence_number} is not on the platform: check the licence itself",
                                waste_code=t.waste_code))
            continue
        problems = []
        if t.receiver not in (lic.enterprise.ref, lic.enterprise.name):
            problems.append((f"属于 {lic.enterprise.name}（{lic.enterprise.ref}），不属于 {t.receiver}",
                             f"belongs to {lic.enterprise.name} ({lic.enterprise.ref}), not {t.receiver}"))
        if lic.kind not in HW_LICENCE_KINDS:
            problems.append(("不是危险废物经营许可证", "is not an HW business licence"))
        if lic.valid_from > last or (lic.valid_to is not None and lic.valid_to < first):
            problems.append((f"在 {plan.year} 年无效", f"is not valid in {plan.year}"))
        elif lic.valid_to is not None and lic.valid_to < last:
            problems.append((f"于 {lic.valid_to} 到期，早于年底", f"expires on {lic.valid_to}, before the year ends"))
        if is_hw_code(t.waste_code) and not (t.waste_code in (lic.codes or [])
                                             or category_of(t.waste_code) in (lic.categories or [])):
            problems.append((f"不覆盖 {t.waste_code}（{category_of(t.waste_code)}）",
                             f"does not cover {t.waste_code} ({category_of(t.waste_code)})"))
        if problems:
            out.append(_finding(f"{where}.licence_number", "receiver_unlicensed", "error",
                                f"许可证 {t.licence_number}" + "；".join(zh for zh, _ in problems),
                                f"licence {t.licence_number} " + "; ".join(en for _, en in problems),
                                waste_code=t.waste_code))
    return out


# --- submission and review -----------------------------------------------------------------------------------------

def submit(session: Session, principal: Principal, plan_id: int, *, now: dt.datetime | None = None) -> HwPlan:
    """draft → submitted, returned → resubmitted (the enterprise's users, admins).

    The platform's figures and the tier are refreshed and the findings stored (``checks``); they do not block the
    submission, the coordinator reads them. A plan without a waste is refused. The park's coordinators are told;
    audited; the enterprise's ledger review runs (its ``plan_missing`` finding is resolved). ``now``: the moment of submission (default: now; the demo plays a past March).
    """
    plan = get_plan(session, principal, plan_id)
    _editable_by(principal, plan)
    if not plan.wastes:
        raise ValidationFailed("a plan needs at least one waste (管理计划至少需一种危险废物)",
                               {"wastes": ["at least one waste is required (至少需填写一种危险废物)"]})
    _refresh(session, plan)
    old = plan.status
    now = now or utcnow()
    plan.status = "resubmitted" if old == "returned" else "submitted"
    plan.first_submitted_at = plan.first_submitted_at or now
    plan.submitted_at, plan.submitted_by = now, principal.actor
    plan.checks = findings(session, plan)
    session.flush()
    _audit(session, principal, plan, "submit", {"status": [old, plan.status]}, checks=len(plan.checks), tier=plan.tier)
    # A plan submitted resolves the enterprise's ``plan_missing`` finding at once (the review runs when it happens).
    ledger_review.review_enterprise(session, plan.enterprise, actor=principal.actor)
    errors = sum(1 for c in plan.checks if c["severity"] == "error")
    ent = plan.enterprise
    notify_park_coordinators(session, ent, "hw_plan", _notice(
        plan, "submit", f"{ent.name} 提交了 {plan.year} 年危险废物管理计划（第 {plan.revision} 版），请审核（问题 {errors} 项） / "
                        f"{ent.name} submitted its {plan.year} hazardous waste management plan (revision "
                        f"{plan.revision}) for review ({errors} problem(s))"), exclude_actor=principal.actor)
    session.flush()
    return plan


def _reviewable_by(principal: Principal, plan: HwPlan) -> None:
    if not principal.coordinates(plan.enterprise.park_id):
        raise Forbidden("only the park's coordinators review a plan (仅园区管理员可审核管理计划)",
                        {"role": ["requires a coordinator of the enterprise's park or admin (须为本园区管理者或系统管理员)"]})
    if plan.status not in UNDER_REVIEW:
        raise Conflict(f"a {plan.status} plan is not under review (当前状态不可审核：{STATUS_ZH[plan.status]})",
                       {"status": [(f"is {plan.status}; only submitted or resubmitted plans are reviewed "
                                    f"(当前为{STATUS_ZH[plan.status]}，仅已提交或已重新提交的管理计划可审核)")]})


def _notify_enterprise(session: Session, plan: HwPlan, event: str, message: str) -> None:
    session.add(Notification(enterprise_id=plan.enterprise_id, kind="hw_plan", data=_notice(plan, event, message)))


def return_plan(session: Session, principal: Principal, plan_id: int, reason: Any, *,
                now: dt.datetime | None = None) -> HwPlan:
    """Send a plan under review back with a reason (a coordinator of its park, admins); the enterprise is told."""
    plan = get_plan(session, principal, plan_id)
    _reviewable_by(principal, plan)
    if not isinstance(reason, str) or not reason.strip() or len(reason) > REASON_MAX or "\x00" in reason:
        raise ValidationFailed(f"give a reason of at most {REASON_MAX} characters (须填写退回理由)",
                               {"reason": [(f"a non-empty text of at most {REASON_MAX} characters "
                                            f"(必填，最多 {REASON_MAX} 个字符)")]})
    old = plan.status
    plan.status, plan.returned_reason = "returned", reason.strip()
    plan.reviewed_at, plan.reviewed_by = now or utcnow(), principal.actor
    session.flush()
    _audit(session, principal, plan, "return", {"status": [old, "returned"]}, reason=plan.returned_reason)
    _notify_enterprise(session, plan, "return", f"{plan.year} 年危险废物管理计划被退回，请修改后重新提交。理由：{plan.returned_reason} / "
                                                f"your {plan.year} hazardous waste management plan was returned for "
                                                f"correction. Reason: {plan.returned_reason}")
    session.flush()
    return plan


def _filing_number(plan: HwPlan) -> str:
    """备案编号: park, year, enterprise and revision, so that each filed revision has its own."""
    park = plan.enterprise.park.code if plan.enterprise.park is not None else "NA"
    return f"HWMP-{park}-{plan.year}-{plan.enterprise.ref}-R{plan.revision}"


def accept(session: Session, principal: Principal, plan_id: int, *, now: dt.datetime | None = None) -> HwPlan:
    """File a plan under review (a coordinator of its park, admins): it gets its filing number; the enterprise is
    told; audited."""
    plan = get_plan(session, principal, plan_id)
    _reviewable_by(principal, plan)
    old = plan.status
    plan.status, plan.filing_number = "accepted", _filing_number(plan)
    plan.reviewed_at, plan.reviewed_by = now or utcnow(), principal.actor
    session.flush()
    _audit(session, principal, plan, "accept", {"status": [old, "accepted"]}, filing_number=plan.filing_number)
    _notify_enterprise(session, plan, "accept", f"{plan.year} 年危险废物管理计划已备案，备案编号 {plan.filing_number} / "
                                                f"your {plan.year} hazardous waste management plan is filed as "
                                                f"{plan.filing_number}")
    session.flush()
    return plan


def revise(session: Session, principal: Principal, plan_id: int) -> HwPlan:
    """A filed plan that must change becomes a draft of its next revision (the enterprise's users, admins); the filed
    revision's number stays in the audit trail. Only a filed plan is revised."""
    plan = get_plan(session, principal, plan_id)
    _own_users_only(principal, plan)
    if plan.status != "accepted":
        raise Conflict(f"only a filed plan is revised; this one is {plan.status} (仅已备案的管理计划可申请变更)",
                       {"status": [(f"is {plan.status}; edit it as it is (当前为{STATUS_ZH[plan.status]}，可直接修改)")]})
    filed = plan.filing_number
    plan.status, plan.revision, plan.filing_number = "draft", plan.revision + 1, None
    plan.returned_reason, plan.checks = None, []
    plan.reviewed_at = plan.reviewed_by = None
    _refresh(session, plan)
    session.flush()
    _audit(session, principal, plan, "revise", {"status": ["accepted", "draft"], "revision": [plan.revision - 1,
                                                                                            plan.revision]},
           filed=filed)
    return plan


# --- views ---------------------------------------------------------------------------------------------------------

def plan_view(plan: HwPlan) -> dict[str, Any]:
    """A plan as the API and the command line show it."""
    first = plan.first_submitted_at
    return {
        "id": plan.id, "enterprise": plan.enterprise.ref, "enterprise_name": plan.enterprise.name,
        "year": plan.year, "revision": plan.revision, "status": plan.status, "status_zh": STATUS_ZH[plan.status],
        "tier": plan.tier, "tier_zh": TIER_WORDS[plan.tier][0], "tier_en": TIER_WORDS[plan.tier][1],
        "tier_reasons": list(plan.tier_reasons or []), "last_year_t": plan.last_year_t,
        "last_year_source": plan.last_year_source, "reduction_measures": plan.reduction_measures,
        "reduction_target_pct": plan.reduction_target_pct,
        "wastes": [{"waste_code": w.waste_code, "name": w.name, "source": w.source,
                    **{n: getattr(w, n) for n in HW_PLAN_TONNES}, "last_year_t": w.last_year_t,
                    "manifests_t": w.manifests_t, "manifests": w.manifest_count} for w in plan.wastes],
        "transfers": [{"waste_code": t.waste_code, "receiver": t.receiver, "licence_number": t.licence_number,
                       "planned_t": t.planned_t} for t in plan.transfers],
        "facilities": [{"kind": f.kind, "name": f.name, "capacity_t": f.capacity_t} for f in plan.facilities],
        "required": required_sections(plan), "checks": list(plan.checks or []),
        "filing_number": plan.filing_number, "returned_reason": plan.returned_reason,
        "due_date": plan_due(plan.year).isoformat(), "late": is_late(plan.year, first),
        "first_submitted_at": iso_utc(first), "submitted_at": iso_utc(plan.submitted_at),
        "reviewed_at": iso_utc(plan.reviewed_at)}
