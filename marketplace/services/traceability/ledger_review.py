"""The coordinator's review of the chemical flow ledgers (台账核查) and the findings it sends back.

``review`` checks every entry of the enterprises in scope against the rules below and
brings the stored findings up to date: a problem found for the first time is a new
open finding (and its enterprise is told, once, in one notice listing all its new
findings); a problem still there refreshes its open finding (``last_found_at``); an open
finding whose problem is gone is resolved. A finding a coordinator dismissed is not
raised again for the same key: the coordinator has judged it.

Rules (``FINDING_CODES``), on the chemical's own mass ``quantity_t × content_ratio``:

* ``out_exceeds_in`` — per enterprise and CAS, the running balance in date order
  (sources ``in`` + ``produced``, sinks ``out`` + ``consumed``; on one day sources first)
  falls below zero by more than 1e-6 t; the finding points at the entry where it first does.
* ``source_exceeded`` — the sinks naming one source batch draw more than it held.
* ``unknown_counterparty`` — an ``in`` / ``out`` entry naming nobody (error), or naming
  by free text somebody who is not on the platform and so cannot be traced (warning; a
  free-text name that is exactly a registered enterprise's name is not flagged).
* ``missing_cas`` — a chemical without a CAS number (error; warning for a mixture, i.e.
  an entry with a waste code).
* ``controlled_without_permit`` — a CAS on a control list without a permit number.
* ``declaration_mismatch`` — a submitted or accepted hazardous waste declaration
  (``hw_declarations``) whose transferred tonnes of a code differ from the year's
  manifests by more than a kilogram, or a code shipped under manifests but not declared
  (``hw_reconciliation``); raised at once when the declaration is submitted
  (``review_enterprise``) and kept or resolved by every later review.
* ``plan_missing`` — once 31 March (China time) is past, an enterprise that produces hazardous waste this year (it
  shipped some under the year's manifests, or its ledger recorded some produced) and has submitted no management
  plan for the year (``hw_plans``); resolved by the review its plan's submission runs.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from catalog.control_lists import controlled_by_cas

from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...models import Enterprise, LedgerEntry, LedgerFinding, Park
from ...models.base import CHINA_TZ, MAX_ID, iso_utc, utcnow
from ...models.ledger import FINDING_CODES, FINDING_STATUSES, LEDGER_SINKS, LEDGER_SOURCES
from ..accounts import audit
from ..accounts.parks import coordinated_park
from ..accounts.users import Principal
from ..matching import notifications
from .hw_reconciliation import reconciliation_problems
from .plan_filing import hw_producers, plan_due, plans_of

BALANCE_EPS_T = 1e-6
NOTE_MAX = 2000
CODE_ZH = {"out_exceeds_in": "出大于进", "source_exceeded": "超出来源批次", "unknown_counterparty": "去向/来源不明",
           "missing_cas": "缺少CAS号", "controlled_without_permit": "管控物质无许可",
           "declaration_mismatch": "危废申报与联单不符", "plan_missing": "未提交危废管理计划"}
STATUS_ZH = {"open": "待整改", "resolved": "已整改", "dismissed": "已核销"}
MEASURE_EN = {"ban": "banned", "restrict": "restricted", "limit_emission": "emissions limited"}
LIST_ZH = {"stockholm": "斯德哥尔摩公约", "cn_new_pollutants_2023": "重点管控新污染物清单（2023年版）",
           "cn_priority_1": "优先控制化学品名录（第一批）", "cn_priority_2": "优先控制化学品名录（第二批）"}


@dataclass
class ReviewResult:
    """What one review did: findings newly raised, still open, resolved; enterprises told; open per code."""

    raised: int = 0
    still_open: int = 0
    resolved: int = 0
    enterprises_notified: int = 0
    by_code: dict[str, int] = field(default_factory=dict)
    park: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"raised": self.raised, "still_open": self.still_open, "resolved": self.resolved,
                "enterprises_notified": self.enterprises_notified, "by_code": dict(self.by_code), "park": self.park}


@dataclass(frozen=True)
class _Problem:
    enterprise_id: int
    park_id: int | None
    entry_id: int | None
    code: str
    key: str
    severity: str
    message: str
    details: dict[str, Any]


def _mass(e: LedgerEntry) -> float:
    return e.quantity_t * e.content_ratio


def _label(e: LedgerEntry) -> str:
    return f"{e.batch_code}（{e.chemical_name or e.cas or '?'}）"


def _balance_problems(ent: Enterprise, entries: list[LedgerEntry]) -> list[_Problem]:
    by_cas: dict[str, list[LedgerEntry]] = defaultdict(list)
    for e in entries:
        if e.cas:
            by_cas[e.cas].append(e)
    out = []
    for cas, rows in sorted(by_cas.items()):
        rows.sort(key=lambda e: (e.entry_date, 0 if e.direction in LEDGER_SOURCES else 1, e.id))
        balance = sources = sinks = 0.0
        for e in rows:
            if e.direction in LEDGER_SOURCES:
                balance += _mass(e)
                sources += _mass(e)
            else:
                balance -= _mass(e)
                sinks += _mass(e)
                if balance < -BALANCE_EPS_T:
                    out.append(_Problem(
                        ent.id, ent.park_id, e.id, "out_exceeds_in", f"out_exceeds_in:{cas}", "error",
                        f"CAS {cas}：截至 {e.entry_date} 批次 {_label(e)}，转出/消耗 {sinks:.6g} 吨超过购入/生产 "
                        f"{sources:.6g} 吨（差 {-balance:.6g} 吨） / CAS {cas}: by {e.entry_date} (batch "
                        f"{e.batch_code}) {sinks:.6g} t went out or was used but only {sources:.6g} t came in or "
                        f"was made ({-balance:.6g} t short)",
                        {"cas": cas, "entry_date": e.entry_date.isoformat(), "batch_code": e.batch_code,
                         "in_t": round(sources, 9), "out_t": round(sinks, 9), "short_t": round(-balance, 9)}))
                    break
    return out


def _source_problems(ent: Enterprise, entries: list[LedgerEntry]) -> list[_Problem]:
    by_id = {e.id: e for e in entries}
    drawn: dict[int, list[LedgerEntry]] = defaultdict(list)
    for e in entries:
        if e.direction in LEDGER_SINKS and e.source_entry_id in by_id:
            drawn[e.source_entry_id].append(e)
    out = []
    for src_id, sinks in sorted(drawn.items()):
        src = by_id[src_id]
        used, held = sum(_mass(s) for s in sinks), _mass(src)
        if used > held + BALANCE_EPS_T:
            out.append(_Problem(
                ent.id, ent.park_id, src.id, "source_exceeded", f"source_exceeded:{src.id}", "error",
                f"来源批次 {_label(src)} 仅 {held:.6g} 吨，{len(sinks)} 个批次从中取用 {used:.6g} 吨 / source batch "
                f"{src.batch_code} held {held:.6g} t but {len(sinks)} batches drew {used:.6g} t from it",
                {"batch_code": src.batch_code, "held_t": round(held, 9), "drawn_t": round(used, 9),
                 "batches": sorted(s.batch_code for s in sinks)}))
    return out


def _entry_problems(ent: Enterprise, entries: list[LedgerEntry], registered_names: set[str]) -> list[_Problem]:
    out = []
    for e in entries:
        if e.direction in ("in", "out") and e.counterparty_id is None:
            side_zh, side_en = ("来源", "supplier") if e.direction == "in" else ("去向", "recipient")
            if not e.counterparty_name:
                out.append(_Problem(
                    ent.id, ent.park_id, e.id, "unknown_counterparty", f"unknown_counterparty:{e.id}", "error",
                    f"批次 {_label(e)} 未填写{side_zh}单位 / batch {e.batch_code} names no {side_en}",
                    {"batch_code": e.batch_code, "direction": e.direction}))
            elif e.counterparty_name.strip() not in registered_names:
                out.append(_Problem(
                    ent.id, ent.park_id, e.id, "unknown_counterparty", f"unknown_counterparty:{e.id}", "warning",
                    f"批次 {_label(e)} 的{side_zh}单位「{e.counterparty_name}」不在平台上，无法追溯 / batch "
                    f"{e.batch_code}: {side_en} {e.counterparty_name!r} is not on the platform, cannot be traced",
                    {"batch_code": e.batch_code, "direction": e.direction, "counterparty_name": e.counterparty_name}))
        if not e.cas:
            mixture = bool(e.waste_code)
            out.append(_Problem(
                ent.id, ent.park_id, e.id, "missing_cas", f"missing_cas:{e.id}", "warning" if mixture else "error",
                (f"批次 {_label(e)} 缺少CAS号（废物 {e.waste_code} 为混合物，请尽量注明主要成分） / batch "
                 f"{e.batch_code} has no CAS number (waste {e.waste_code} is a mixture: name its main component "
                 "if you can)") if mixture else
                f"批次 {_label(e)} 缺少CAS号 / batch {e.batch_code} has no CAS number",
                {"batch_code": e.batch_code, "chemical_name": e.chemical_name, "waste_code": e.waste_code}))
        elif not e.permit_number:
            listed = controlled_by_cas(e.cas)
            if listed:
                s = listed[0]
                lists_zh = "、".join(LIST_ZH.get(x, x) for x in s.lists)
                out.append(_Problem(
                    ent.id, ent.park_id, e.id, "controlled_without_permit", f"controlled_without_permit:{e.id}",
                    "error",
                    f"批次 {_label(e)}：{s.name_zh}（CAS {e.cas}）列入{lists_zh}，管控措施：{s.measure_zh}；未填写许可证号 / "
                    f"batch {e.batch_code}: {s.name_en} (CAS {e.cas}) is on {', '.join(s.lists)} "
                    f"({MEASURE_EN.get(s.measure, s.measure)}), and no permit number is given",
                    {"batch_code": e.batch_code, "cas": e.cas, "catalogue_id": s.key, "lists": list(s.lists),
                     "measure": s.measure, "measure_zh": s.measure_zh}))
    return out


def _require_reviewer(principal: Principal) -> None:
    if not (principal.is_admin or principal.is_coordinator):
        raise Forbidden("only coordinators and admins review ledgers (仅园区管理员可核查台账)",
                        {"role": ["requires coordinator or admin (须为园区管理者或管理员)"]})


def _scope(session: Session, principal: Principal, park_id: int | None) -> list[Enterprise]:
    _require_reviewer(principal)
    stmt = select(Enterprise).order_by(Enterprise.id)
    if park_id is not None:
        if not principal.coordinates(park_id):
            raise Forbidden(f"you do not coordinate park {park_id} (非所辖园区)",
                            {"park": ["not one of your parks (非您所辖园区)"]})
        stmt = stmt.where(Enterprise.park_id == park_id)
    elif not principal.is_admin:
        stmt = stmt.where(Enterprise.park_id.in_(list(principal.park_ids)))
    return list(session.scalars(stmt))


def find_problems(session: Session, enterprises: list[Enterprise], now: dt.datetime | None = None) -> list[_Problem]:
    """Every problem the rules find in the ledgers of ``enterprises`` at ``now`` (nothing is written)."""
    ids = [e.id for e in enterprises]
    entries: dict[int, list[LedgerEntry]] = defaultdict(list)
    for chunk in range(0, len(ids), 500):
        for e in session.scalars(select(LedgerEntry).where(LedgerEntry.enterprise_id.in_(ids[chunk:chunk + 500]))
                                 .order_by(LedgerEntry.id)):
            entries[e.enterprise_id].append(e)
    registered = {n.strip() for n in session.scalars(select(Enterprise.name))}
    problems: list[_Problem] = []
    for ent in enterprises:
        rows = entries.get(ent.id, [])
        if rows:
            problems += _balance_problems(ent, rows) + _source_problems(ent, rows) + \
                _entry_problems(ent, rows, registered)
    for m in reconciliation_problems(session, enterprises):
        ent = m["enterprise"]
        problems.append(_Problem(
            ent.id, ent.park_id, None, "declaration_mismatch", f"declaration_mismatch:{m['year']}:{m['waste_code']}",
            "error", f"{m['year']} 年危险废物申报与转移联单不符：{m['message']}",
            {"year": m["year"], "waste_code": m["waste_code"], "declared_t": m["declared_t"],
             "manifests_t": m["manifests_t"], "manifests": m["manifests"], "declaration_id": m["declaration_id"]}))
    return problems + _plan_problems(session, enterprises, now or utcnow())


def _plan_problems(session: Session, enterprises: list[Enterprise], now: dt.datetime) -> list[_Problem]:
    """Producers of hazardous waste this year without a management plan submitted, once its due date (31 March, China
    time) is past (``plan_filing``: who is a producer, when a plan is due)."""
    today = now.astimezone(CHINA_TZ).date()
    year = today.year
    if today <= plan_due(year):
        return []
    ids = [e.id for e in enterprises]
    producers = hw_producers(session, ids, year, today)
    submitted = {p.enterprise_id for p in plans_of(session, producers, year) if p.first_submitted_at is not None}
    return [_Problem(ent.id, ent.park_id, None, "plan_missing", f"plan_missing:{year}", "error",
                     f"未提交 {year} 年危险废物管理计划（应于 {plan_due(year)} 前备案） / no {year} hazardous waste "
                     f"management plan submitted (due by {plan_due(year)})", {"year": year})
            for ent in enterprises if ent.id in producers and ent.id not in submitted]


def review(session: Session, principal: Principal, *, park_id: int | None = None,
           now: dt.datetime | None = None) -> ReviewResult:
    """Review the ledgers of the caller's parks (one park with ``park_id``; admins: all) and update findings.

    Coordinators and admins only (``Forbidden`` otherwise). Never commits; every change is audited.
    """
    enterprises = _scope(session, principal, park_id)
    return _apply(session, principal.actor, enterprises, park_id=park_id, now=now or utcnow())


def review_enterprise(session: Session, enterprise: Enterprise, *, actor: str,
                      now: dt.datetime | None = None) -> ReviewResult:
    """The review of one enterprise's ledger and declarations, as a step of another action (a hazardous waste
    declaration submitted): the same rules and findings as a coordinator's review, no permission of its own
    (the caller's action has been authorised). Never commits; audited under ``actor``."""
    return _apply(session, actor, [enterprise], park_id=None, now=now or utcnow())


def _apply(session: Session, actor: str, enterprises: list[Enterprise], *, park_id: int | None,
           now: dt.datetime) -> ReviewResult:
    """Bring the findings of ``enterprises`` up to date with ``find_problems``: raise, refresh, resolve, notify."""
    ent_by_id = {e.id: e for e in enterprises}
    problems = {(p.enterprise_id, p.key): p for p in find_problems(session, enterprises, now)}
    ids = sorted(ent_by_id)
    # Concurrent reviews of the same enterprises queue here (the enterprise rows, in id order), so the
    # second reads the findings the first committed instead of inserting a second open one per key.
    # FOR NO KEY UPDATE: ledger writers' foreign-key (key-share) locks on these rows are not blocked.
    for chunk in range(0, len(ids), 500):
        session.execute(select(Enterprise.id).where(Enterprise.id.in_(ids[chunk:chunk + 500]))
                        .order_by(Enterprise.id).with_for_update(key_share=True))
    existing: dict[tuple[int, str], LedgerFinding] = {}
    dismissed: set[tuple[int, str]] = set()
    for chunk in range(0, len(ids), 500):
        for f in session.scalars(select(LedgerFinding).where(LedgerFinding.enterprise_id.in_(ids[chunk:chunk + 500]),
                                                             LedgerFinding.status.in_(("open", "dismissed")))):
            if f.status == "open":
                existing[(f.enterprise_id, f.key)] = f
            else:
                dismissed.add((f.enterprise_id, f.key))
    result = ReviewResult()
    if park_id is not None:
        result.park = session.get(Park, park_id).code
    new_by_ent: dict[int, list[LedgerFinding]] = defaultdict(list)
    for k, p in problems.items():
        f = existing.get(k)
        if f is not None:
            f.last_found_at, f.message, f.details, f.severity, f.entry_id = now, p.message, p.details, p.severity, \
                p.entry_id
            result.still_open += 1
        elif k in dismissed:
            continue
        else:
            f = LedgerFinding(enterprise_id=p.enterprise_id, park_id=p.park_id, entry_id=p.entry_id, code=p.code,
                              key=p.key, severity=p.severity, message=p.message, details=p.details, status="open",
                              first_found_at=now, last_found_at=now)
            session.add(f)
            new_by_ent[p.enterprise_id].append(f)
            result.raised += 1
        result.by_code[p.code] = result.by_code.get(p.code, 0) + 1
    session.flush()
    for f in (x for bucket in new_by_ent.values() for x in bucket):
        audit.record(session, actor=actor, action="ledger_finding.raise", entity_type="ledger_finding",
                     entity_key=str(f.id), changes={"status": [None, "open"]},
                     context={"code": f.code, "key": f.key, "entry_id": f.entry_id,
                              "enterprise": ent_by_id[f.enterprise_id].ref}, park_id=f.park_id)
    for k, f in existing.items():
        if k not in problems:
            f.status, f.closed_at, f.closed_by = "resolved", now, actor
            result.resolved += 1
            audit.record(session, actor=actor, action="ledger_finding.resolve",
                         entity_type="ledger_finding", entity_key=str(f.id), changes={"status": ["open", "resolved"]},
                         context={"code": f.code, "key": f.key, "enterprise": ent_by_id[f.enterprise_id].ref},
                         park_id=f.park_id)
    for ent_id, found in new_by_ent.items():
        notifications.notify_ledger_findings(session, ent_by_id[ent_id], found)
        for f in found:
            f.sent_at = now
        result.enterprises_notified += 1
    # One summary per park reviewed, so that each park's coordinators find it in their trail.
    codes = {e.park_id: e.park.code if e.park_id is not None else None for e in enterprises}
    for pid, code in sorted(codes.items(), key=lambda kv: kv[0] or 0):
        audit.record(session, actor=actor, action="ledger.review", entity_type="park",
                     entity_key=code or "-", changes={}, context=result.as_dict(), park_id=pid)
    session.flush()
    return result


def review_for(session: Session, principal: Principal, park_code: str | None, *,
               now: dt.datetime | None = None) -> ReviewResult:
    """The review a coordinator or admin asks for, with the one rule for its park (API and pages alike).

    Enterprise users are refused (403); a named park must exist (404) and be one the caller
    coordinates (403); none named reviews every park of the caller (admins: all). Never commits.
    """
    _require_reviewer(principal)
    park = coordinated_park(session, principal, park_code, field="park") if park_code is not None else None
    return review(session, principal, park_id=park.id if park is not None else None, now=now)


# --- reading and dismissing ----------------------------------------------------------------------

def visible_findings(principal: Principal) -> Select:
    """``SELECT`` of the findings ``principal`` may see (own enterprise's; coordinators: their parks; admin all)."""
    stmt = select(LedgerFinding).options(selectinload(LedgerFinding.enterprise), selectinload(LedgerFinding.entry))
    if principal.is_admin:
        return stmt
    if principal.is_coordinator:
        return stmt.where(LedgerFinding.park_id.in_(list(principal.park_ids)))
    if principal.enterprise_id is not None:
        return stmt.where(LedgerFinding.enterprise_id == principal.enterprise_id)
    return stmt.where(LedgerFinding.id.is_(None))


def filtered_findings(session: Session, principal: Principal, *, status: str | None = None,
                      code: str | None = None, enterprise: str | None = None, park: str | None = None) -> Select:
    """The visible findings with the list filters applied, newest first."""
    stmt = visible_findings(principal)
    if status is not None:
        if status not in FINDING_STATUSES:
            raise ValidationFailed(f"unknown status {status!r} (状态无效)",
                                   {"status": [(f"one of {', '.join(FINDING_STATUSES)} "
                                                f"(须为以下之一：{'、'.join(FINDING_STATUSES)})")]})
        stmt = stmt.where(LedgerFinding.status == status)
    if code is not None:
        if code not in FINDING_CODES:
            raise ValidationFailed(f"unknown code {code!r} (问题类型无效)",
                                   {"code": [(f"one of {', '.join(FINDING_CODES)} "
                                              f"(须为以下之一：{'、'.join(FINDING_CODES)})")]})
        stmt = stmt.where(LedgerFinding.code == code)
    if enterprise is not None:
        ent_id = session.scalar(select(Enterprise.id).where(Enterprise.ref == enterprise))
        stmt = stmt.where(LedgerFinding.enterprise_id == (ent_id if ent_id is not None else -1))
    if park is not None:
        park_id = session.scalar(select(Park.id).where(Park.code == park))
        if park_id is None:
            raise NotFound(f"unknown park {park!r} (无此园区)",
                           {"park": [f"no park with code {park!r} (无代码为 {park!r} 的园区)"]})
        stmt = stmt.where(LedgerFinding.park_id == park_id)
    return stmt.order_by(LedgerFinding.last_found_at.desc(), LedgerFinding.id.desc())


def open_findings(session: Session, principal: Principal, *, limit: int) -> list[LedgerFinding]:
    """The newest ``limit`` open findings ``principal`` may see (an enterprise: its own, to correct)."""
    return list(session.scalars(filtered_findings(session, principal, status="open").limit(limit)))


def get_finding(session: Session, principal: Principal, finding_id: int) -> LedgerFinding:
    """One finding the caller may see (``NotFound`` otherwise)."""
    f = session.get(LedgerFinding, finding_id) if isinstance(finding_id, int) and 0 < finding_id <= MAX_ID else None
    if f is None or not (principal.acts_for(f.enterprise_id) or principal.coordinates(f.park_id)):
        raise NotFound(f"no finding {finding_id} (无此核查问题)", {"finding_id": [f"not found (无此核查问题 {finding_id})"]})
    return f


def dismiss(session: Session, principal: Principal, finding_id: int, note: str, *,
            now: dt.datetime | None = None) -> LedgerFinding:
    """A coordinator (admin) judges an open finding acceptable, with a note; audited."""
    if not (principal.is_admin or principal.is_coordinator):
        raise Forbidden("only coordinators and admins dismiss findings (仅园区管理员可核销)",
                        {"role": ["requires coordinator or admin (须为园区管理者或管理员)"]})
    f = get_finding(session, principal, finding_id)
    text = note.strip() if isinstance(note, str) else ""
    if not text or "\x00" in text or len(text) > NOTE_MAX:
        raise ValidationFailed("a dismissal needs a note (须填写核销说明)",
                               {"note": [(f"required, 1 to {NOTE_MAX} characters, no NUL "
                                          f"(必填，1 至 {NOTE_MAX} 个字符，不得含空字符)")]})
    if f.status != "open":
        raise Conflict(f"finding {f.id} is {f.status}, not open (该问题已{STATUS_ZH.get(f.status, f.status)})",
                       {"status": [f"is {f.status} (当前状态：{STATUS_ZH.get(f.status, f.status)})"]})
    f.status, f.closed_at, f.closed_by, f.note = "dismissed", now or utcnow(), principal.actor, text
    audit.record(session, actor=principal.actor, action="ledger_finding.dismiss", entity_type="ledger_finding",
                 entity_key=str(f.id), changes={"status": ["open", "dismissed"], "note": [None, text]},
                 context={"code": f.code, "key": f.key, "enterprise": f.enterprise.ref}, park_id=f.park_id)
    session.flush()
    return f


def finding_view(f: LedgerFinding) -> dict[str, Any]:
    """A finding as the API and CLI show it (its enterprise's own data: no third party in it)."""
    entry = f.entry
    return {"id": f.id, "enterprise": f.enterprise.ref, "enterprise_name": f.enterprise.name, "code": f.code,
            "code_zh": CODE_ZH.get(f.code, f.code), "key": f.key, "severity": f.severity, "message": f.message,
            "details": f.details or {}, "status": f.status, "status_zh": STATUS_ZH.get(f.status, f.status),
            "entry_id": f.entry_id, "batch_code": entry.batch_code if entry is not None else None,
            "first_found_at": iso_utc(f.first_found_at), "last_found_at": iso_utc(f.last_found_at),
            "sent_at": iso_utc(f.sent_at) if f.sent_at else None,
            "closed_at": iso_utc(f.closed_at) if f.closed_at else None, "closed_by": f.closed_by, "note": f.note}


def open_counts(session: Session, principal: Principal) -> dict[str, int]:
    """Open findings per code among those the caller may see."""
    sub = visible_findings(principal).where(LedgerFinding.status == "open").subquery()
    return dict(session.execute(select(sub.c.code, func.count()).group_by(sub.c.code)).all())


__all__ = ["ReviewResult", "dismiss", "filtered_findings", "find_problems", "finding_view", "get_finding",
           "open_counts", "open_findings", "review", "review_for", "visible_findings"]


def list_findings(session: Session, principal: Principal, **filters: Any) -> list[LedgerFinding]:
    """The findings ``principal`` may see, filtered as ``filtered_findings`` filters them, newest first."""
    return list(session.scalars(filtered_findings(session, principal, **filters)))
