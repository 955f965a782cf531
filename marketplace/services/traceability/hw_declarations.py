"""The annual hazardous waste declaration (危险废物年度申报), drafted from the manifests and reconciled with them.

A producing enterprise declares each year, per waste code: the store at the start of the year, what it
generated, utilised or disposed of itself, transferred out under manifests, and the store at the end
(《固体废物污染环境防治法》第七十八条; items as HJ 1259-2022). The platform already holds the manifests
(``Shipment``): ``draft`` fills a new declaration from them, so that a small producer that hands every
tonne to a licensed receiver only has to check and submit (its generated and transferred tonnes are the
manifests' sum). On submission every line is reconciled: transferred tonnes against the year's manifests
of the code, the line's balance, and codes shipped under manifests but not declared. A mismatch is kept on
the declaration (``checks``) and raised as a ledger finding of the enterprise (``declaration_mismatch``, by
``ledger_review``), which the next ledger review keeps open until the figures agree and then resolves.

draft → submitted → returned (with a reason) → resubmitted → accepted, as the chemical survey: the
enterprise's users (and admins) draft, edit and submit; a coordinator of its park (or an admin) returns or
accepts; every step is audited and notified. Other enterprises' declarations are 404 to enterprise users.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from catalog.waste_codes import is_hw_code, normalize_hw_code

from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...models import Enterprise, Notification
from ...models.base import MAX_ID, iso_utc, utcnow
from ...models.hw_declarations import HW_DECLARATION_STATUSES, HW_LINE_TONNES, HwDeclaration, HwDeclarationLine
from ..accounts import audit
from ..accounts.enterprises import enterprise_rows_visible
from ..accounts.users import Principal
from . import ledger_review
from .hw_filings import (
    MAX_TONNES,
    MAX_YEAR,
    MIN_YEAR,
    filing_enterprise,
    notify_park_coordinators,
    tonnes_or_reason,
    validate_year,
)
from .hw_reconciliation import UNDER_REVIEW, manifest_totals, mismatches

EDITABLE = ("draft", "returned")
MAX_LINES = 200
REASON_MAX = 2000
STATUS_ZH = {"draft": "草稿", "submitted": "已提交", "returned": "已退回", "resubmitted": "已重新提交", "accepted": "已通过"}
TONNES_WORDS = {"stock_start_t": ("年初贮存量", "store at the start"), "generated_t": ("产生量", "generated"),
                "utilised_own_t": ("自行利用量", "utilised on site"), "disposed_own_t": ("自行处置量", "disposed of on site"),
                "transferred_t": ("委托利用处置（转移）量", "transferred out"), "stock_end_t": ("年末贮存量", "store at the end")}

__all__ = ["MAX_TONNES", "MAX_YEAR", "MIN_YEAR", "accept", "declaration_view", "draft", "get_declaration",
           "list_declarations", "return_declaration", "save_lines", "submit", "validate_year"]


# --- who sees what -------------------------------------------------------------------------------------------------

def _visible(stmt: Select, principal: Principal) -> Select:
    return enterprise_rows_visible(stmt, principal, HwDeclaration.enterprise_id)


def _loaded() -> tuple[Any, ...]:
    return (selectinload(HwDeclaration.lines), selectinload(HwDeclaration.enterprise).selectinload(Enterprise.park))


def get_declaration(session: Session, principal: Principal, declaration_id: int) -> HwDeclaration:
    """One declaration the principal may see; ``NotFound`` for any other (ids reveal nothing)."""
    decl = None
    if isinstance(declaration_id, int) and not isinstance(declaration_id, bool) and 0 < declaration_id <= MAX_ID:
        stmt = select(HwDeclaration).join(HwDeclaration.enterprise).where(HwDeclaration.id == declaration_id)
        decl = session.scalar(_visible(stmt, principal).options(*_loaded()))
    if decl is None:
        raise NotFound(f"no hazardous waste declaration {declaration_id} (无此危险废物申报)",
                       {"declaration_id": ["unknown declaration (无此申报)"]})
    return decl


def list_declarations(session: Session, principal: Principal, *, year: int | None = None,
                      status: str | None = None) -> list[HwDeclaration]:
    """The declarations the principal may see, newest year first (filters: year, status)."""
    if status is not None and status not in HW_DECLARATION_STATUSES:
        raise ValidationFailed(f"unknown status {status!r} (状态无效)",
                               {"status": [(f"must be one of: {', '.join(HW_DECLARATION_STATUSES)} "
                                            f"(须为以下之一：{'、'.join(HW_DECLARATION_STATUSES)})")]})
    stmt = _visible(select(HwDeclaration).join(HwDeclaration.enterprise), principal)
    if year is not None:
        stmt = stmt.where(HwDeclaration.year == validate_year(year))
    if status is not None:
        stmt = stmt.where(HwDeclaration.status == status)
    return list(session.scalars(stmt.options(*_loaded()).order_by(HwDeclaration.year.desc(), HwDeclaration.id)))


def _audit(session: Session, principal: Principal, decl: HwDeclaration, action: str, changes: dict[str, Any],
           **context: Any) -> None:
    audit.record(session, actor=principal.actor, action=f"hw_declaration.{action}", entity_type="hw_declaration",
                 entity_key=str(decl.id), changes=changes,
                 context={"enterprise": decl.enterprise.ref, "year": decl.year, **context},
                 park_id=decl.enterprise.park_id)


def _notice(decl: HwDeclaration, event: str, message: str) -> dict[str, Any]:
    return {"declaration_id": decl.id, "event": event, "status": decl.status, "year": decl.year,
            "enterprise": {"ref": decl.enterprise.ref, "name": decl.enterprise.name}, "message": message}


def _notify_enterprise(session: Session, decl: HwDeclaration, event: str, message: str) -> None:
    session.add(Notification(enterprise_id=decl.enterprise_id, kind="hw_declaration",
                             data=_notice(decl, event, message)))


# --- drafting and editing ------------------------------------------------------------------------------------------

def draft(session: Session, principal: Principal, enterprise_ref: str | None, year: int) -> HwDeclaration:
    """The enterprise's declaration for ``year``; a new one is drafted from the year's manifests.

    A new draft has one line per waste code shipped under the year's manifests, generated and transferred
    equal to their sum (what a small producer that stores nothing and treats nothing itself declares). An
    existing editable declaration gets the manifests' figures refreshed and lines for codes shipped since;
    the enterprise's own figures are kept. A submitted or accepted one is returned as it is.
    """
    year = validate_year(year)
    ent = filing_enterprise(session, principal, enterprise_ref,
                            own_only="enterprise users declare only for their own enterprise (只能申报本企业)")
    totals = manifest_totals(session, [ent.id], year).get(ent.id, {})
    decl = session.scalar(select(HwDeclaration).where(HwDeclaration.enterprise_id == ent.id,
                                                      HwDeclaration.year == year).options(*_loaded()))
    if decl is None:
        decl = HwDeclaration(enterprise_id=ent.id, year=year, status="draft", checks=[], created_by=principal.actor)
        decl.enterprise = ent
        session.add(decl)
        decl.lines = [_line(i, code, generated_t=t, transferred_t=t, manifests_t=t, manifest_count=n)
                      for i, (code, (t, n)) in enumerate(sorted(totals.items()))]
        session.flush()
        _audit(session, principal, decl, "draft", {"status": [None, "draft"]}, lines=len(decl.lines))
        return decl
    if decl.status in EDITABLE:
        _refresh(decl, totals)
        session.flush()
    return decl


def _line(position: int, code: str, **tonnes: float) -> HwDeclarationLine:
    values = {name: 0.0 for name in HW_LINE_TONNES} | {"manifests_t": 0.0, "manifest_count": 0} | tonnes
    return HwDeclarationLine(position=position, waste_code=code, **values)


def _refresh(decl: HwDeclaration, totals: dict[str, tuple[float, int]]) -> None:
    """The manifests' figures on every line, and a line (generated = transferred = manifests) per new code."""
    present = {line.waste_code for line in decl.lines}
    for line in decl.lines:
        line.manifests_t, line.manifest_count = totals.get(line.waste_code, (0.0, 0))
    for code, (t, n) in sorted(totals.items()):
        if code not in present:
            decl.lines.append(_line(len(decl.lines), code, generated_t=t, transferred_t=t, manifests_t=t,
                                    manifest_count=n))


def _editable_by(principal: Principal, decl: HwDeclaration) -> None:
    own = principal.role == "enterprise" and principal.enterprise_id == decl.enterprise_id
    if not (own or principal.is_admin):
        raise Forbidden("only the enterprise's own users edit or submit its declaration (仅本企业可填报)",
                        {"role": ["requires a user of the enterprise or admin (须为本企业用户或系统管理员)"]})
    if decl.status not in EDITABLE:
        raise Conflict(f"a {decl.status} declaration cannot be changed (当前状态不可修改：{STATUS_ZH[decl.status]})",
                       {"status": [(f"is {decl.status}; only draft or returned declarations are changed "
                                    f"(当前为{STATUS_ZH[decl.status]}，仅草稿或已退回的申报可修改)")]})


def save_lines(session: Session, principal: Principal, declaration_id: int, rows: Any) -> HwDeclaration:
    """Replace the lines of an editable declaration (the enterprise's users, admins): all or nothing, every error
    named by field (``lines.N.field``). Each row: ``waste_code`` (a code of the hazardous waste list, once per
    declaration) and any of the six tonnages (absent: 0)."""
    decl = get_declaration(session, principal, declaration_id)
    _editable_by(principal, decl)
    errors: dict[str, list[str]] = {}
    if not isinstance(rows, list) or not rows or len(rows) > MAX_LINES:
        raise ValidationFailed("lines must be a list of 1 to 200 waste codes (须填写 1–200 行)",
                               {"lines": [f"a list of 1 to {MAX_LINES} lines (须为 1 至 {MAX_LINES} 行)"]})
    clean: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[f"lines.{i}"] = ["must be an object with waste_code and tonnes (每行须为含 waste_code 和吨数的对象)"]
            continue
        unknown = sorted(set(row) - {"waste_code", *HW_LINE_TONNES})
        for key in unknown:
            errors[f"lines.{i}.{key}"] = ["not a field of a declaration line (不是申报字段)"]
        code = row.get("waste_code")
        code = normalize_hw_code(code) if isinstance(code, str) else code
        if not isinstance(code, str) or not is_hw_code(code):
            errors[f"lines.{i}.waste_code"] = [f"{code!r} is not a hazardous waste code NNN-NNN-NN (危险废物代码无效)"]
        elif code in seen:
            errors[f"lines.{i}.waste_code"] = [(f"{code} is already line {seen[code]} "
                                                f"(代码重复，与第 {seen[code] + 1} 行相同)")]
        else:
            seen[code] = i
        values = {}
        for name in HW_LINE_TONNES:
            value = tonnes_or_reason(row.get(name, 0.0))
            if isinstance(value, str):
                errors[f"lines.{i}.{name}"] = [value]
            else:
                values[name] = value
        clean.append({"waste_code": code, **values})
    if errors:
        raise ValidationFailed(f"the declaration has {len(errors)} error(s); nothing was saved (申报有误，未保存)", errors)
    before = [(x.waste_code, *(getattr(x, n) for n in HW_LINE_TONNES)) for x in decl.lines]
    totals = manifest_totals(session, [decl.enterprise_id], decl.year).get(decl.enterprise_id, {})
    decl.lines = [_line(i, row["waste_code"], **{n: row[n] for n in HW_LINE_TONNES},
                        manifests_t=totals.get(row["waste_code"], (0.0, 0))[0],
                        manifest_count=totals.get(row["waste_code"], (0.0, 0))[1]) for i, row in enumerate(clean)]
    session.flush()
    _audit(session, principal, decl, "save", {"lines": [before, [(r["waste_code"], *(r[n] for n in HW_LINE_TONNES))
                                                                 for r in clean]]})
    return decl


# --- submission and review -----------------------------------------------------------------------------------------

def submit(session: Session, principal: Principal, declaration_id: int) -> HwDeclaration:
    """draft → submitted, returned → resubmitted (the enterprise's users, admins).

    The lines are reconciled with the year's manifests (``mismatches``) and the checks stored; each
    mismatch is raised at once as the enterprise's ledger finding ``declaration_mismatch`` (the enterprise
    is told). The park's coordinators are told; audited. A submission is not refused for a mismatch: the
    coordinator sees it and decides.
    """
    decl = get_declaration(session, principal, declaration_id)
    _editable_by(principal, decl)
    totals = manifest_totals(session, [decl.enterprise_id], decl.year).get(decl.enterprise_id, {})
    _refresh(decl, totals)
    if not decl.lines:
        raise ValidationFailed("a declaration needs at least one waste code (申报至少需一行)",
                               {"lines": ["at least one line is required (至少需一行)"]})
    old = decl.status
    decl.status = "resubmitted" if old == "returned" else "submitted"
    decl.checks = mismatches(decl, totals)
    decl.submitted_at, decl.submitted_by = utcnow(), principal.actor
    session.flush()
    _audit(session, principal, decl, "submit", {"status": [old, decl.status]}, checks=len(decl.checks))
    ledger_review.review_enterprise(session, decl.enterprise, actor=principal.actor)
    errors = sum(1 for c in decl.checks if c["severity"] == "error")
    notify_park_coordinators(session, decl.enterprise, "hw_declaration", _notice(decl, "submit", f"{decl.enterprise.name} 提交了 {decl.year} 年危险废物申报，请审核（与联单不符 "
                                        f"{errors} 项） / {decl.enterprise.name} submitted its {decl.year} hazardous "
                                        f"waste declaration for review ({errors} mismatch(es) with the manifests)"),
                             exclude_actor=principal.actor)
    session.flush()
    return decl


def _reviewable_by(principal: Principal, decl: HwDeclaration) -> None:
    if not principal.coordinates(decl.enterprise.park_id):
        raise Forbidden("only the park's coordinators review a declaration (仅园区管理员可审核)",
                        {"role": ["requires a coordinator of the enterprise's park or admin (须为本园区管理者或系统管理员)"]})
    if decl.status not in UNDER_REVIEW:
        raise Conflict(f"a {decl.status} declaration is not under review (当前状态不可审核：{STATUS_ZH[decl.status]})",
                       {"status": [(f"is {decl.status}; only submitted or resubmitted declarations are reviewed "
                                    f"(当前为{STATUS_ZH[decl.status]}，仅已提交或已重新提交的申报可审核)")]})


def return_declaration(session: Session, principal: Principal, declaration_id: int, reason: Any) -> HwDeclaration:
    """Send a declaration under review back with a reason (a coordinator of its park, admins); the enterprise is
    told the reason; audited."""
    decl = get_declaration(session, principal, declaration_id)
    _reviewable_by(principal, decl)
    if not isinstance(reason, str) or not reason.strip() or len(reason) > REASON_MAX or "\x00" in reason:
        raise ValidationFailed("give a reason of at most 2000 characters (须填写退回理由)",
                               {"reason": [(f"a non-empty text of at most {REASON_MAX} characters "
                                            f"(必填，最多 {REASON_MAX} 个字符)")]})
    old = decl.status
    decl.status, decl.returned_reason = "returned", reason.strip()
    decl.reviewed_at, decl.reviewed_by = utcnow(), principal.actor
    session.flush()
    _audit(session, principal, decl, "return", {"status": [old, "returned"]}, reason=decl.returned_reason)
    _notify_enterprise(session, decl, "return", f"{decl.year} 年危险废物申报被退回，请修改后重新提交。理由：{decl.returned_reason} / "
                                                f"your {decl.year} hazardous waste declaration was returned for "
                                                f"correction. Reason: {decl.returned_reason}")
    session.flush()
    return decl


def accept(session: Session, principal: Principal, declaration_id: int) -> HwDeclaration:
    """Accept a declaration under review (a coordinator of its park, admins); the enterprise is told; audited.
    Its mismatches stay ledger findings until the figures agree or a coordinator dismisses them."""
    decl = get_declaration(session, principal, declaration_id)
    _reviewable_by(principal, decl)
    old = decl.status
    decl.status = "accepted"
    decl.reviewed_at, decl.reviewed_by = utcnow(), principal.actor
    session.flush()
    _audit(session, principal, decl, "accept", {"status": [old, "accepted"]})
    _notify_enterprise(session, decl, "accept", f"{decl.year} 年危险废物申报已审核通过 / your {decl.year} hazardous "
                                                "waste declaration was accepted")
    session.flush()
    return decl


# --- views ---------------------------------------------------------------------------------------------------------

def declaration_view(decl: HwDeclaration) -> dict[str, Any]:
    """A declaration as the API and the command line show it."""
    return {"id": decl.id, "enterprise": decl.enterprise.ref, "enterprise_name": decl.enterprise.name,
            "year": decl.year, "status": decl.status, "status_zh": STATUS_ZH[decl.status],
            "lines": [{"waste_code": x.waste_code, **{n: getattr(x, n) for n in HW_LINE_TONNES},
                       "manifests_t": x.manifests_t, "manifests": x.manifest_count} for x in decl.lines],
            "checks": list(decl.checks or []), "returned_reason": decl.returned_reason,
            "submitted_at": iso_utc(decl.submitted_at), "reviewed_at": iso_utc(decl.reviewed_at)}
