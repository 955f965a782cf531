"""The annual chemical survey (化学物质环境信息调查): declarations, their rows and their review.

draft → submitted → returned (reasons per field) → resubmitted → accepted. An enterprise's own
users (and admins) fill in and submit; a coordinator of its park (or an admin) returns it with
reasons or accepts it. Other enterprises' declarations are invisible (404) to enterprise users, and
those outside a coordinator's parks to that coordinator. Every transition is audited and notified:
a submission to the park's coordinators, a return or acceptance to the enterprise.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from catalog.control_lists import ControlledSubstance, controlled_by_key, resolve_controlled

from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...models import Enterprise, Notification, Park, SurveyDeclaration, SurveySubstance, User, user_parks
from ...models.base import MAX_ID, iso_utc, utcnow
from ...models.governance import DECLARATION_STATUSES, UNDER_REVIEW_STATUSES
from ...schemas.survey import MAX_YEAR, MIN_YEAR, SUBSTANCE_KEYS, load_substances
from ..accounts import audit
from ..accounts.enterprises import enterprise_rows_visible
from ..accounts.parks import coordinated_park
from ..accounts.users import Principal
from .survey_checks import run_checks

EDITABLE_STATUSES = ("draft", "returned")
REASON_MAX = 2000
STATUS_ZH = {"draft": "草稿", "submitted": "已提交", "returned": "已退回", "resubmitted": "已重新提交",
             "accepted": "已通过"}
REASON_KEY_RE = re.compile(r"^(general|substances|substances\.(\d+)(\.(" + "|".join(SUBSTANCE_KEYS) + r"))?)$")

__all__ = ["accept", "declaration_view", "declarations_query", "get_declaration", "get_or_create_draft",
           "list_declarations", "resolve_substance", "return_declaration", "save_substances", "submit", "validate_year"]


# --- who sees what ---------------------------------------------------------------------------------------------

def _visible(stmt: Select, principal: Principal) -> Select:
    return enterprise_rows_visible(stmt, principal, SurveyDeclaration.enterprise_id)


def _loaded() -> tuple[Any, ...]:
    return (selectinload(SurveyDeclaration.substances),
            selectinload(SurveyDeclaration.enterprise).selectinload(Enterprise.park))


def get_declaration(session: Session, principal: Principal, declaration_id: int) -> SurveyDeclaration:
    """One declaration the principal may see; ``NotFound`` for any other (ids reveal nothing)."""
    decl = None
    if isinstance(declaration_id, int) and 0 < declaration_id <= MAX_ID:
        stmt = select(SurveyDeclaration).join(SurveyDeclaration.enterprise) \
            .where(SurveyDeclaration.id == declaration_id).options(*_loaded())
        decl = session.scalar(_visible(stmt, principal))
    if decl is None:
        raise NotFound(f"no survey declaration {declaration_id} (无此调查申报)",
                       {"declaration_id": ["unknown declaration (无此申报)"]})
    return decl


def declarations_query(session: Session, principal: Principal, *, park: str | None = None,
                       year: int | None = None, status: str | None = None) -> Select:
    """``SELECT`` of the declarations the principal may see, newest first (filters: park code, year, status).

    A coordinator naming a park they do not coordinate is refused (403); an unknown park is 404.
    """
    if status is not None and status not in DECLARATION_STATUSES:
        raise ValidationFailed(f"unknown status {status!r} (状态无效)",
                               {"status": [(f"must be one of: {', '.join(DECLARATION_STATUSES)} "
                                            f"(须为以下之一：{'、'.join(DECLARATION_STATUSES)})")]})
    stmt = _visible(select(SurveyDeclaration).join(SurveyDeclaration.enterprise), principal)
    if park is not None:
        if principal.is_admin or principal.is_coordinator:
            the_park = coordinated_park(session, principal, park, field="park")
        else:
            the_park = session.scalar(select(Park).where(Park.code == park))
        stmt = stmt.where(Enterprise.park_id == (the_park.id if the_park else None))
    if year is not None:
        stmt = stmt.where(SurveyDeclaration.year == validate_year(year))
    if status is not None:
        stmt = stmt.where(SurveyDeclaration.status == status)
    return stmt.options(*_loaded()).order_by(SurveyDeclaration.year.desc(), SurveyDeclaration.updated_at.desc(),
                                             SurveyDeclaration.id.desc())


def list_declarations(session: Session, principal: Principal, *, park: str | None = None, year: int | None = None,
                      status: str | None = None) -> list[SurveyDeclaration]:
    """Every declaration ``declarations_query`` selects (the command line's list: no pages)."""
    return list(session.scalars(declarations_query(session, principal, park=park, year=year, status=status)))


# --- drafts and rows -----------------------------------------------------------------------------------------------

def validate_year(year: Any, *, field: str = "year") -> int:
    """A survey year (1990–2100), or ``ValidationFailed`` naming ``field``."""
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(f"{field} must be a year between {MIN_YEAR} and {MAX_YEAR} (年份无效)",
                               {field: [(f"must be a year between {MIN_YEAR} and {MAX_YEAR}, got {year!r} "
                                         f"(须为 {MIN_YEAR} 至 {MAX_YEAR} 之间的年份)")]})
    return year


def _target_enterprise(session: Session, principal: Principal, ref: str | None) -> Enterprise:
    """The enterprise a declaration is for: an enterprise user's own; one a coordinator or admin names."""
    if ref is not None and not isinstance(ref, str):
        raise ValidationFailed("enterprise is a ref (企业编号)", {"enterprise": ["must be text"]})
    ref = (ref or "").strip() or None
    if principal.role == "enterprise":
        if principal.enterprise_id is None:
            raise Forbidden("this account belongs to no enterprise (账号未关联企业)", {"role": ["no enterprise (未关联企业)"]})
        own = session.get(Enterprise, principal.enterprise_id)
        if ref is not None and ref != own.ref:
            raise Forbidden("enterprise users declare only for their own enterprise (只能填报本企业)",
                            {"enterprise": ["must be your own enterprise (须为本企业)"]})
        return own
    if not (principal.is_admin or principal.is_coordinator):
        raise Forbidden("this needs an enterprise, coordinator or admin account (权限不足)",
                        {"role": ["not allowed (无权操作)"]})
    if ref is None:
        raise ValidationFailed("enterprise is required (须指明企业)", {"enterprise": ["required"]})
    ent = session.scalar(select(Enterprise).where(Enterprise.ref == ref))
    if ent is None or not principal.coordinates(ent.park_id):
        raise NotFound(f"no enterprise {ref!r} in your parks (无此企业)",
                       {"enterprise": [f"unknown enterprise {ref!r} (您所辖园区中无此企业)"]})
    return ent


def _audit(session: Session, principal: Principal | str, decl: SurveyDeclaration, action: str,
           changes: dict[str, Any], **context: Any) -> None:
    actor = principal if isinstance(principal, str) else principal.actor
    ent = decl.enterprise
    audit.record(session, actor=actor, action=f"survey.{action}", entity_type="survey_declaration",
                 entity_key=str(decl.id), changes=changes,
                 context={"enterprise": ent.ref, "year": decl.year, **context}, park_id=ent.park_id)


def get_or_create_draft(session: Session, principal: Principal, enterprise_ref: str | None,
                        year: int) -> SurveyDeclaration:
    """The enterprise's declaration for ``year``, a new draft if it has none (a submitted or accepted one is
    returned as it is). Enterprise users: their own enterprise (``enterprise_ref`` may be None); coordinators
    name one in their parks, admins any."""
    year = validate_year(year)
    ent = _target_enterprise(session, principal, enterprise_ref)
    decl = session.scalar(select(SurveyDeclaration).where(SurveyDeclaration.enterprise_id == ent.id,
                                                          SurveyDeclaration.year == year).options(*_loaded()))
    if decl is not None:
        return decl
    decl = SurveyDeclaration(enterprise_id=ent.id, year=year, status="draft", checks=[], returned_reasons={},
                             created_by=principal.actor)
    decl.enterprise = ent
    session.add(decl)
    session.flush()
    _audit(session, principal, decl, "create", {"status": [None, "draft"]})
    return decl


def resolve_substance(cas: str | None, name: str | None) -> ControlledSubstance | None:
    """The control-list entry a row names (``catalog.control_lists.resolve_controlled``: the CAS number decides;
    without one, an exact name)."""
    return resolve_controlled(cas, name)


def _substance_rows(rows: list[dict[str, Any]]) -> list[SurveySubstance]:
    out = []
    for pos, r in enumerate(rows):
        found = resolve_substance(r.get("cas"), r.get("name"))
        out.append(SurveySubstance(position=pos, cas=r.get("cas"), name=r.get("name"),
                                   substance_key=found.key if found else None, role=r["role"],
                                   quantity_t=float(r["quantity_t"]), use=r.get("use") or "",
                                   stock_t=r.get("stock_t"), released_t=r.get("released_t")))
    return out


def replace_rows(decl: SurveyDeclaration, rows: list[dict[str, Any]]) -> None:
    """Put validated rows (``load_substances``' output) in place of the declaration's rows."""
    decl.substances = _substance_rows(rows)


def _editable_by(principal: Principal, decl: SurveyDeclaration) -> None:
    if not (principal.is_admin or principal.acts_for(decl.enterprise_id)):
        raise Forbidden("only the enterprise's own users fill in its survey (仅本企业可填报)",
                        {"role": ["requires the declaring enterprise's account or admin (须为申报企业的账号或系统管理员)"]})


def save_substances(session: Session, principal: Principal, declaration_id: int,
                    rows: list[dict[str, Any]]) -> SurveyDeclaration:
    """Replace the rows of a draft or returned declaration (its enterprise's users, admins); rows are validated
    whole, errors keyed ``substances.N.<field>``; audited."""
    decl = get_declaration(session, principal, declaration_id)
    _editable_by(principal, decl)
    if decl.status not in EDITABLE_STATUSES:
        raise Conflict(f"a {decl.status} declaration cannot be edited (当前状态不可修改：{STATUS_ZH[decl.status]})",
                       {"status": [(f"is {decl.status}; only draft or returned declarations are edited "
                                    f"(当前为{STATUS_ZH[decl.status]}，仅草稿或已退回的申报可修改)")]})
    clean, errors = load_substances(rows)
    if errors:
        raise ValidationFailed("the substance rows are not valid (申报内容有误): " + ", ".join(sorted(errors)), errors)
    before = len(decl.substances)
    replace_rows(decl, clean)
    session.flush()
    _audit(session, principal, decl, "save", {"substances": [before, len(clean)]})
    return decl


# --- transitions ---------------------------------------------------------------------------------------------------

def park_coordinators(session: Session, park_id: int | None) -> list[User]:
    """The active coordinators of a park, by id."""
    if park_id is None:
        return []
    return list(session.scalars(
        select(User).join(user_parks, user_parks.c.user_id == User.id)
        .where(User.role == "coordinator", User.active.is_(True), user_parks.c.park_id == park_id)
        .distinct().order_by(User.id)))


def _notice_data(decl: SurveyDeclaration, event: str, message: str, **extra: Any) -> dict[str, Any]:
    ent = decl.enterprise
    return {"declaration_id": decl.id, "event": event, "status": decl.status, "year": decl.year,
            "enterprise": {"ref": ent.ref, "name": ent.name}, "message": message, **extra}


def notify_coordinators(session: Session, decl: SurveyDeclaration, event: str, *, exclude_actor: str = "") -> int:
    """Tell the coordinators of the enterprise's park that its declaration was (re)submitted; returns how many."""
    ent = decl.enterprise
    verb_zh, verb_en = ("重新提交", "resubmitted") if decl.status == "resubmitted" else ("提交", "submitted")
    flagged = sum(1 for c in decl.checks or [] if c.get("severity") == "error")
    data = _notice_data(decl, event, f"{ent.name} {verb_zh}了 {decl.year} 年化学物质调查申报，请审核"
                                     f"（质量核查 {len(decl.checks or [])} 项，其中错误 {flagged} 项） / "
                                     f"{ent.name} {verb_en} its {decl.year} chemical survey declaration for review "
                                     f"({len(decl.checks or [])} findings, {flagged} errors)",
                        findings=len(decl.checks or []))
    users = [u for u in park_coordinators(session, ent.park_id) if f"coordinator:{u.email}" != exclude_actor]
    session.add_all([Notification(user_id=u.id, kind="survey_transition", data=data) for u in users])
    return len(users)


def _notify_enterprise(session: Session, decl: SurveyDeclaration, event: str, message: str, **extra: Any) -> None:
    session.add(Notification(enterprise_id=decl.enterprise_id, kind="survey_transition",
                             data=_notice_data(decl, event, message, **extra)))


def mark_submitted(session: Session, decl: SurveyDeclaration, actor: str) -> str:
    """Move a declaration to submitted (resubmitted after a return), with its checks run; returns the old status."""
    old = decl.status
    decl.status = "resubmitted" if old in ("returned", "resubmitted") else "submitted"
    decl.checks = run_checks(session, decl)
    decl.submitted_at, decl.submitted_by = utcnow(), actor
    return old


def submit(session: Session, principal: Principal, declaration_id: int) -> SurveyDeclaration:
    """draft → submitted, returned → resubmitted (the enterprise's users, admins): the quality checks run and are
    stored; a declaration without rows is refused (422); the park's coordinators are told; audited."""
    decl = get_declaration(session, principal, declaration_id)
    _editable_by(principal, decl)
    if decl.status not in EDITABLE_STATUSES:
        raise Conflict(f"a {decl.status} declaration cannot be submitted (当前状态不可提交：{STATUS_ZH[decl.status]})",
                       {"status": [(f"is {decl.status}; only draft or returned declarations are submitted "
                                    f"(当前为{STATUS_ZH[decl.status]}，仅草稿或已退回的申报可提交)")]})
    if not decl.substances:
        raise ValidationFailed("a declaration needs at least one substance row (申报至少需一行物质)",
                               {"substances": ["at least one substance row is required (至少需一行物质)"]})
    old = mark_submitted(session, decl, principal.actor)
    session.flush()
    _audit(session, principal, decl, "submit", {"status": [old, decl.status]}, findings=len(decl.checks))
    notify_coordinators(session, decl, "submit")
    session.flush()
    return decl


def _reviewable_by(principal: Principal, decl: SurveyDeclaration, what: str) -> None:
    if not principal.coordinates(decl.enterprise.park_id):
        raise Forbidden(f"only the park's coordinators {what} a declaration (仅园区管理员可审核)",
                        {"role": [("requires a coordinator of the enterprise's park or admin "
                                   "(须为本园区管理者或系统管理员)")]})
    if decl.status not in UNDER_REVIEW_STATUSES:
        raise Conflict(f"a {decl.status} declaration is not under review (当前状态不可审核：{STATUS_ZH[decl.status]})",
                       {"status": [(f"is {decl.status}; only submitted or resubmitted declarations are reviewed "
                                    f"(当前为{STATUS_ZH[decl.status]}，仅已提交或已重新提交的申报可审核)")]})


def _clean_reasons(decl: SurveyDeclaration, reasons: Any) -> dict[str, list[str]]:
    if not isinstance(reasons, dict) or not reasons:
        raise ValidationFailed("give at least one reason (须填写退回理由)",
                               {"reasons": [("at least one reason, by field (e.g. substances.0.quantity_t or general) "
                                             "(须按字段至少填写一条理由，如 substances.0.quantity_t 或 general)")]})
    errors: dict[str, list[str]] = {}
    clean: dict[str, list[str]] = {}
    for key, value in reasons.items():
        m = REASON_KEY_RE.match(str(key))
        if m is None:
            errors[f"reasons.{key}"] = [("not a field of the declaration: use general, substances or "
                                         f"substances.N.<{'|'.join(SUBSTANCE_KEYS)}> "
                                         f"(不是申报的字段，请使用 general、substances 或 "
                                         f"substances.N.<{'|'.join(SUBSTANCE_KEYS)}>)")]
            continue
        if m.group(2) is not None and int(m.group(2)) >= len(decl.substances):
            errors[f"reasons.{key}"] = [(f"the declaration has {len(decl.substances)} rows (substances.0 …) "
                                         f"(申报只有 {len(decl.substances)} 行物质，编号自 substances.0 起)")]
            continue
        texts = [value] if isinstance(value, str) else value
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t.strip() for t in texts):
            errors[f"reasons.{key}"] = ["must be a non-empty text or list of texts (须为非空文字或文字列表)"]
            continue
        if any(len(t) > REASON_MAX or "\x00" in t for t in texts):
            errors[f"reasons.{key}"] = [(f"each reason has at most {REASON_MAX} characters and no NUL "
                                         f"(每条理由最多 {REASON_MAX} 个字符，不得含 NUL 字符)")]
            continue
        clean[str(key)] = [t.strip() for t in texts]
    if errors:
        raise ValidationFailed("the reasons are not valid (退回理由有误)", errors)
    return clean


# The fields a return reason may name, as the enterprise reads them.
FIELD_WORDS = {"cas": ("CAS 号", "CAS number"), "name": ("名称", "name"), "role": ("活动类型", "role"),
               "quantity_t": ("数量（吨）", "tonnes"), "use": ("用途", "use"), "stock_t": ("库存（吨）", "stock (t)"),
               "released_t": ("排放量（吨）", "released (t)")}


def _place(decl: SurveyDeclaration, key: str) -> tuple[str, str]:
    """Where a return reason points, in words (``substances.1.quantity_t`` → 第 2 行（丙酮）数量（吨）)."""
    parts = key.split(".")
    if parts[0] != "substances":
        return ("总体意见", "general") if key == "general" else (key, key)
    if len(parts) == 1:
        return ("物质清单", "substances")
    index = int(parts[1]) if parts[1].isdigit() else -1
    row = decl.substances[index] if 0 <= index < len(decl.substances) else None
    what = f"（{row.name or row.cas}）" if row is not None and (row.name or row.cas) else ""
    zh, en = f"第 {index + 1} 行{what}", f"row {index + 1}{what.replace('（', ' (').replace('）', ')')}"
    if len(parts) > 2:
        field_zh, field_en = FIELD_WORDS.get(parts[2], (parts[2], parts[2]))
        zh, en = f"{zh}{field_zh}", f"{en}, {field_en}"
    return zh, en


def return_declaration(session: Session, principal: Principal, declaration_id: int,
                       reasons: dict[str, list[str]]) -> SurveyDeclaration:
    """Send a submitted or resubmitted declaration back with reasons per field (a coordinator of its park,
    admins); the enterprise is told the reasons; audited."""
    decl = get_declaration(session, principal, declaration_id)
    _reviewable_by(principal, decl, "return")
    clean = _clean_reasons(decl, reasons)
    old = decl.status
    decl.status, decl.returned_reasons = "returned", clean
    decl.reviewed_at, decl.reviewed_by = utcnow(), principal.actor
    session.flush()
    _audit(session, principal, decl, "return", {"status": [old, "returned"]}, reasons=clean)
    listed_zh = "；".join(f"{_place(decl, k)[0]}：{'；'.join(v)}" for k, v in clean.items())
    listed_en = "; ".join(f"{_place(decl, k)[1]}: {'; '.join(v)}" for k, v in clean.items())
    _notify_enterprise(session, decl, "return",
                       f"{decl.year} 年化学物质调查申报被退回，请修改后重新提交。理由：{listed_zh} / your {decl.year} "
                       f"chemical survey declaration was returned for correction. Reasons: {listed_en}", reasons=clean)
    session.flush()
    return decl


def accept(session: Session, principal: Principal, declaration_id: int) -> SurveyDeclaration:
    """Accept a submitted or resubmitted declaration (a coordinator of its park, admins); the enterprise is
    told; audited."""
    decl = get_declaration(session, principal, declaration_id)
    _reviewable_by(principal, decl, "accept")
    old = decl.status
    decl.status = "accepted"
    decl.reviewed_at, decl.reviewed_by = utcnow(), principal.actor
    session.flush()
    _audit(session, principal, decl, "accept", {"status": [old, "accepted"]})
    _notify_enterprise(session, decl, "accept", f"{decl.year} 年化学物质调查申报已审核通过 / your {decl.year} "
                                                "chemical survey declaration was accepted")
    session.flush()
    return decl


# --- views ---------------------------------------------------------------------------------------------------------

def _control_view(key: str | None) -> dict[str, Any] | None:
    found = controlled_by_key(key)
    if found is None:
        return None
    return {"key": found.key, "name_zh": found.name_zh, "name_en": found.name_en, "lists": list(found.lists),
            "list": found.lists[0] if found.lists else None, "measure": found.measure,
            "measure_zh": found.measure_zh, "allowed": found.allowed}


def substance_view(s: SurveySubstance) -> dict[str, Any]:
    """One row as the API shows it, with its control-list entry (``controlled``: null when not listed)."""
    return {"cas": s.cas, "name": s.name, "role": s.role, "quantity_t": s.quantity_t, "use": s.use or "",
            "stock_t": s.stock_t, "released_t": s.released_t, "substance_key": s.substance_key,
            "controlled": _control_view(s.substance_key)}


def declaration_view(declaration: SurveyDeclaration) -> dict[str, Any]:
    """The API's (and ``--json``'s) document of one declaration."""
    d, ent = declaration, declaration.enterprise
    return {"id": d.id, "enterprise": {"ref": ent.ref, "name": ent.name, "park": ent.park.code if ent.park else None},
            "year": d.year, "status": d.status, "status_zh": STATUS_ZH.get(d.status, d.status),
            "substances": [substance_view(s) for s in d.substances], "checks": list(d.checks or []),
            "returned_reasons": dict(d.returned_reasons or {}),
            "created_at": iso_utc(d.created_at), "created_by": d.created_by, "updated_at": iso_utc(d.updated_at),
            "submitted_at": iso_utc(d.submitted_at), "submitted_by": d.submitted_by,
            "reviewed_at": iso_utc(d.reviewed_at), "reviewed_by": d.reviewed_by}
