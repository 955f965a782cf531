"""The key-enterprise roster (重点管控新污染物企业名单): computed, confirmed or removed, with obligations and violations.

**Computed** for a park (or every park a caller coordinates) and a survey year from

- the rows of ACCEPTED survey declarations of that year (the declared role as it is: ``produce``,
  ``import``, ``use``, ``byproduct``, ``release``), and
- the ledger entries of that year of controlled substances: ``produced`` → ``produce``, ``consumed`` →
  ``use``, ``out`` → ``release`` (it left the site: sold, shipped or discharged); ``in`` batches are not a
  role (what comes in is used, sold on or stocked, and those batches say which).

A substance counts when it is on the 2023 list of key controlled new pollutants or a Stockholm POP
(``catalog.measures.ROSTER_LISTS``; priority chemicals alone do not put an enterprise on the roster). Every
role counts, imports and by-production included: being on the roster brings obligations, not a penalty.

Re-computing inserts ``proposed`` entries, updates the substances of proposed and confirmed ones, and
deletes proposed entries no longer supported (with their open obligations); a ``removed`` entry stays as the
coordinator left it. A coordinator confirms an entry, or removes it with a reason (restoring a removed one
needs a reason too); both are audited and the enterprise is notified (``roster_decision``).

**Obligations** (``catalog.measures.obligations_for``) are created for each entry not removed, once: their
due dates count from the day the entry was first computed.

**Violations** of an entry not removed: ``banned_use`` where a role of a substance is prohibited by its
measure that year (``catalog.measures.prohibited`` with the declared use), ``obligation_overdue`` for an open
obligation past its due date. Both are alerts (``traceability.alerts.sync_alerts``; keys
``banned_use:YEAR:ENTERPRISE_ID:SUBSTANCE:ROLE`` and ``obligation_overdue:YEAR:ENTERPRISE_ID:CODE``),
raised or cleared when the roster is computed, an obligation recorded, a decision taken, and by every
alert scan (a scan hook registered with the alerts module: traceability may not import governance).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from catalog.cas import normalize_cas
from catalog.control_lists import ControlledSubstance, controlled_by_cas, resolve_controlled
from catalog.measures import (
    MEASURE_ROLES,
    OBLIGATION_NAMES,
    ROLE_EN,
    ROLE_ZH,
    measure_for,
    obligations_for,
    on_roster_lists,
    prohibited,
)

from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...models import (
    OBLIGATION_STATUSES,
    Enterprise,
    LedgerEntry,
    Notification,
    Obligation,
    Park,
    RosterEntry,
    SurveyDeclaration,
    SurveySubstance,
)
from ...models.base import MAX_ID, park_date, utcnow
from ..accounts import audit
from ..accounts.parks import coordinated_park, coordinated_parks
from ..accounts.users import Principal
from ..traceability import alerts

LEDGER_ROLES = {"produced": "produce", "consumed": "use", "out": "release"}
GOVERNANCE_KINDS = ("banned_use", "obligation_overdue")
REASON_MAX = 2000
EVIDENCE_MAX = 4000
OBLIGATION_ZH = {code: zh for code, (zh, _en) in OBLIGATION_NAMES.items()}
OBLIGATION_EN = {code: en for code, (_zh, en) in OBLIGATION_NAMES.items()}
MIN_YEAR, MAX_YEAR = 2000, 2100
OBLIGATION_STATUS_ZH = {"open": "未完成", "done": "已完成", "waived": "已豁免"}
FIELD_ZH = {"reason": "理由", "evidence": "证明材料"}


@dataclass(frozen=True)
class Scope:
    """The parks a roster action covers: ``park_ids`` None means every park (an admin naming none)."""

    park_ids: tuple[int, ...] | None
    park: Park | None


# --- who and where -------------------------------------------------------------------------------

def _require_coordinator(principal: Principal) -> None:
    if not (principal.is_admin or principal.is_coordinator):
        raise Forbidden("the roster is kept by coordinators (名单由园区管理者维护)",
                        {"role": ["requires coordinator or admin (须为园区管理者或管理员)"]})


def _check_year(year: Any, field: str = "year") -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(f"the year is not valid (年份有误): {year!r}",
                               {field: [(f"a whole year in [{MIN_YEAR}, {MAX_YEAR}] "
                                         f"(须为 {MIN_YEAR} 至 {MAX_YEAR} 之间的整数年份)")]})
    return year


def roster_scope(session: Session, principal: Principal, park: str | None) -> Scope:
    """The parks a coordinator's roster action covers: the named one (404/403), else all they coordinate."""
    _require_coordinator(principal)
    if park is not None:
        p = coordinated_park(session, principal, park, field="park")
        return Scope((p.id,), p)
    if principal.is_admin:
        return Scope(None, None)
    return Scope(tuple(p.id for p in coordinated_parks(session, principal)), None)


def _in_scope(stmt: Any, scope: Scope, column: Any) -> Any:
    return stmt if scope.park_ids is None else stmt.where(column.in_(scope.park_ids))


# --- what puts an enterprise on the roster -------------------------------------------------------

def _primary(hits: list[ControlledSubstance]) -> ControlledSubstance | None:
    listed = [s for s in hits if on_roster_lists(s.key)]
    listed.sort(key=lambda s: ("cn_new_pollutants_2023" not in s.lists, s.key))
    return listed[0] if listed else None


def resolve_substance(key: str | None, cas: str | None, name: str | None) -> ControlledSubstance | None:
    """The roster substance a row names: its stored control-list key, else its CAS number, else an exact name."""
    m = measure_for(key) if key else None
    if m is not None:
        return m.substance if on_roster_lists(m.key) else None
    if cas:
        return _primary(controlled_by_cas(cas))
    found = resolve_controlled(None, name)
    return _primary([found]) if found is not None else None


def _list_of(s: ControlledSubstance) -> str:
    return "cn_new_pollutants_2023" if "cn_new_pollutants_2023" in s.lists else "stockholm"


def _gather(session: Session, scope: Scope, year: int) -> dict[int, list[dict[str, Any]]]:
    """Per enterprise, the roster substances of ``year``: one row per substance, role and source."""
    rows: dict[int, dict[tuple[str, str, str], dict[str, Any]]] = defaultdict(dict)

    def add(ent_id: int, s: ControlledSubstance, cas: str | None, role: str, tonnes: float, source: str,
            use: str) -> None:
        k = (s.key, role, source)
        row = rows[ent_id].get(k)
        if row is None:
            row = rows[ent_id][k] = {
                "cas": cas or (s.cas[0] if s.cas else None), "name": s.name_zh, "name_en": s.name_en, "key": s.key,
                "list": _list_of(s), "measure": s.measure, "measure_zh": s.measure_zh, "role": role,
                "quantity_t": 0.0, "source": source, "use": use or ""}
        row["quantity_t"] = round(row["quantity_t"] + float(tonnes or 0.0), 6)
        if use and use not in row["use"].split("; "):
            row["use"] = f"{row['use']}; {use}" if row["use"] else use

    declared = _in_scope(
        select(SurveyDeclaration.enterprise_id, SurveySubstance)
        .join(SurveySubstance, SurveySubstance.declaration_id == SurveyDeclaration.id)
        .join(Enterprise, Enterprise.id == SurveyDeclaration.enterprise_id)
        .where(SurveyDeclaration.year == year, SurveyDeclaration.status == "accepted"),
        scope, Enterprise.park_id).order_by(SurveyDeclaration.enterprise_id, SurveySubstance.position)
    for ent_id, row in session.execute(declared):
        s = resolve_substance(row.substance_key, row.cas, row.name)
        if s is not None:
            add(ent_id, s, normalize_cas(row.cas) if row.cas else None, row.role, row.quantity_t, "declaration",
                row.use or "")
    ledger = _in_scope(
        select(LedgerEntry).join(Enterprise, Enterprise.id == LedgerEntry.enterprise_id)
        .where(LedgerEntry.entry_date >= dt.date(year, 1, 1), LedgerEntry.entry_date <= dt.date(year, 12, 31),
               LedgerEntry.direction.in_(tuple(LEDGER_ROLES))),
        scope, Enterprise.park_id).order_by(LedgerEntry.id)
    for entry in session.scalars(ledger):
        s = resolve_substance(entry.catalogue_id, entry.cas, entry.chemical_name)
        if s is not None:
            add(entry.enterprise_id, s, normalize_cas(entry.cas) if entry.cas else None,
                LEDGER_ROLES[entry.direction], entry.quantity_t * (entry.content_ratio or 1.0), "ledger",
                entry.product or "")
    return {ent_id: sorted(by.values(), key=lambda r: (r["key"], r["role"], r["source"]))
            for ent_id, by in rows.items()}


# --- computing -----------------------------------------------------------------------------------

def _audit(session: Session, principal_actor: str, entry: RosterEntry, action: str, changes: dict[str, Any],
           **context: Any) -> None:
    audit.record(session, actor=principal_actor, action=action, entity_type="roster_entry",
                 entity_key=f"{entry.enterprise_id}:{entry.year}", changes=changes,
                 context={"year": entry.year, **context}, park_id=entry.park_id)


def _ensure_obligations(session: Session, entry: RosterEntry, listed_on: dt.date) -> list[Obligation]:
    have = {o.code: o for o in session.scalars(select(Obligation).where(
        Obligation.enterprise_id == entry.enterprise_id, Obligation.year == entry.year))}
    for rule in obligations_for(entry.year, listed_on):
        if rule.code not in have:
            ob = Obligation(enterprise_id=entry.enterprise_id, year=entry.year, code=rule.code, due=rule.due,
                            status="open", evidence="")
            session.add(ob)
            have[rule.code] = ob
    return list(have.values())


def compute_roster(session: Session, principal: Principal, *, park: str | None, year: int,
                   today: dt.date | None = None) -> list[RosterEntry]:
    """Bring the roster of ``year`` up to date for ``park`` (or every park the caller coordinates); its entries.

    Coordinators and admins only. ``today`` (default: the park's today) dates new entries' obligations
    and decides which are overdue. Audited; raises and clears the governance alerts of the scope.
    """
    year = _check_year(year)
    scope = roster_scope(session, principal, park)
    today = today or park_date()
    found = _gather(session, scope, year)
    existing = {e.enterprise_id: e for e in session.scalars(_in_scope(
        select(RosterEntry).where(RosterEntry.year == year), scope, RosterEntry.park_id))}
    parks = {i: pk for i, pk in session.execute(
        select(Enterprise.id, Enterprise.park_id).where(Enterprise.id.in_(sorted(found))))}
    now = utcnow()
    for ent_id, substances in found.items():
        entry = existing.get(ent_id)
        if entry is None:
            entry = RosterEntry(enterprise_id=ent_id, park_id=parks.get(ent_id), year=year, status="proposed",
                                substances=substances, computed_at=now)
            session.add(entry)
            session.flush()
            existing[ent_id] = entry
            _audit(session, principal.actor, entry, "propose", {"status": [None, "proposed"]},
                   substances=[f"{r['key']}:{r['role']}" for r in substances])
        elif entry.status != "removed" and entry.substances != substances:
            _audit(session, principal.actor, entry, "recompute",
                   {"substances": [[f"{r['key']}:{r['role']}" for r in entry.substances],
                                   [f"{r['key']}:{r['role']}" for r in substances]]})
            entry.substances, entry.computed_at = substances, now
        if entry.status != "removed":
            _ensure_obligations(session, entry, today)
    for ent_id, entry in list(existing.items()):
        if ent_id in found:
            continue
        if entry.status == "proposed":
            _audit(session, principal.actor, entry, "drop", {"status": ["proposed", None]},
                   reason="no longer supported by accepted declarations or the ledger")
            for ob in session.scalars(select(Obligation).where(
                    Obligation.enterprise_id == ent_id, Obligation.year == year, Obligation.status == "open")):
                session.delete(ob)
            session.delete(entry)
            del existing[ent_id]
        elif entry.status == "confirmed" and entry.substances:
            _audit(session, principal.actor, entry, "recompute",
                   {"substances": [[f"{r['key']}:{r['role']}" for r in entry.substances], []]})
            entry.substances, entry.computed_at = [], now
    session.flush()
    sync_governance_alerts(session, scope_park_ids=scope.park_ids, today=today, actor=principal.actor)
    return sorted(existing.values(), key=lambda e: e.enterprise_id)


# --- violations and alerts -----------------------------------------------------------------------

def _entry_violations(entry: RosterEntry, obligations: list[Obligation], today: dt.date) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if entry.status == "removed":
        return out
    seen: set[tuple[str, str]] = set()
    for row in entry.substances or []:
        if row["role"] not in MEASURE_ROLES or (row["key"], row["role"]) in seen:
            continue
        uses = " ".join(r.get("use", "") for r in entry.substances
                        if r["key"] == row["key"] and r["role"] == row["role"])
        p = prohibited(row["key"], row["role"], entry.year, uses)
        if p is None:
            continue
        seen.add((row["key"], row["role"]))
        out.append({"code": "banned_use", "cas": row.get("cas"), "detail": p.reason, "key": row["key"],
                    "role": row["role"], "since": p.since.isoformat(), "reason_zh": p.reason_zh,
                    "reason_en": p.reason_en, "source": p.source})
    for ob in sorted(obligations, key=lambda o: (o.due, o.code)):
        if ob.status == "open" and ob.due < today:
            zh, en = OBLIGATION_ZH.get(ob.code, ob.code), OBLIGATION_EN.get(ob.code, ob.code)
            out.append({"code": "obligation_overdue", "cas": None,
                        "detail": f"{en} was due on {ob.due.isoformat()} and is still open "
                                  f"({zh}应于{ob.due.isoformat()}前完成，仍未完成)",
                        "obligation": ob.code, "obligation_id": ob.id, "due": ob.due.isoformat(),
                        "reason_zh": f"{zh}应于{ob.due.isoformat()}前完成，仍未完成",
                        "reason_en": f"{en} was due on {ob.due.isoformat()} and is still open"})
    return out


def violations(session: Session, *, enterprise_id: int, year: int, today: dt.date) -> list[dict[str, Any]]:
    """The violations of an enterprise's roster entry of ``year`` on ``today``: ``[{"code", "cas", "detail", …}]``.

    None when it is not on the roster or its entry was removed. (No principal: callers check who asks.)
    """
    entry = session.scalar(select(RosterEntry).where(RosterEntry.enterprise_id == enterprise_id,
                                                     RosterEntry.year == year))
    if entry is None:
        return []
    obligations = list(session.scalars(select(Obligation).where(Obligation.enterprise_id == enterprise_id,
                                                                Obligation.year == year)))
    return _entry_violations(entry, obligations, today)


def _findings(session: Session, entries: list[RosterEntry], today: dt.date) -> list[alerts.AlertFinding]:
    if not entries:
        return []
    ent_ids = sorted({e.enterprise_id for e in entries})
    obligations: dict[tuple[int, int], list[Obligation]] = defaultdict(list)
    for ob in session.scalars(select(Obligation).where(Obligation.enterprise_id.in_(ent_ids))):
        obligations[(ob.enterprise_id, ob.year)].append(ob)
    names = {i: (ref, name) for i, ref, name in session.execute(
        select(Enterprise.id, Enterprise.ref, Enterprise.name).where(Enterprise.id.in_(ent_ids)))}
    out = []
    for entry in entries:
        ref, name = names[entry.enterprise_id]
        for v in _entry_violations(entry, obligations[(entry.enterprise_id, entry.year)], today):
            common = {"enterprise": ref, "year": entry.year, "cas": v["cas"], "detail": v["detail"]}
            if v["code"] == "banned_use":
                key = f"banned_use:{entry.year}:{entry.enterprise_id}:{v['key']}:{v['role']}"
                out.append(alerts.AlertFinding(
                    kind="banned_use", key=key, severity="critical",
                    message=(f"{name}（{ref}）{entry.year}年申报{ROLE_ZH.get(v['role'], v['role'])}："
                             f"{v['reason_zh']} ({ref}, {entry.year}, declared "
                             f"{ROLE_EN.get(v['role'], v['role'])}: {v['reason_en']})"),
                    details={**common, "substance": v["key"], "role": v["role"], "since": v["since"],
                             "source": v["source"]},
                    park_id=entry.park_id, enterprise_id=entry.enterprise_id))
            else:
                key = f"obligation_overdue:{entry.year}:{entry.enterprise_id}:{v['obligation']}"
                out.append(alerts.AlertFinding(
                    kind="obligation_overdue", key=key, severity="warning",
                    message=f"{name}（{ref}）：{v['reason_zh']} ({ref}: {v['reason_en']})",
                    details={**common, "obligation": v["obligation"], "obligation_id": v["obligation_id"],
                             "due": v["due"]},
                    park_id=entry.park_id, enterprise_id=entry.enterprise_id))
    return out


def sync_governance_alerts(session: Session, *, scope_park_ids: tuple[int, ...] | None, today: dt.date,
                           actor: str = alerts.SYSTEM_ACTOR, enterprise_id: int | None = None,
                           now: dt.datetime | None = None) -> alerts.ScanResult:
    """Raise, update and clear the banned_use and obligation_overdue alerts of the parks (or one enterprise)."""
    stmt = select(RosterEntry)
    if enterprise_id is not None:
        stmt = stmt.where(RosterEntry.enterprise_id == enterprise_id)
        ent_ids: list[int] | None = [enterprise_id]
        park_id = None
    else:
        stmt = stmt if scope_park_ids is None else stmt.where(RosterEntry.park_id.in_(scope_park_ids))
        ent_ids = None if scope_park_ids is None else list(session.scalars(
            select(Enterprise.id).where(Enterprise.park_id.in_(scope_park_ids))))
        park_id = None
    findings = _findings(session, list(session.scalars(stmt.order_by(RosterEntry.id))), today)
    return alerts.sync_alerts(session, findings, kinds=GOVERNANCE_KINDS, enterprise_ids=ent_ids, park_id=park_id,
                              now=now, actor=actor)


def scan_governance(session: Session, principal: Principal, park: str | None,
                    today: dt.date | None = None) -> alerts.ScanResult:
    """Re-evaluate the governance alerts of every roster year for ``park`` (or the caller's parks), as of ``today``."""
    scope = roster_scope(session, principal, park)
    return sync_governance_alerts(session, scope_park_ids=scope.park_ids, today=today or park_date(),
                                  actor=principal.actor)


def _scan_hook(session: Session, park_id: int | None, now: dt.datetime, actor: str) -> alerts.ScanResult:
    # Every alert scan (CLI, API, pages) re-evaluates the governance alerts of its park as of its instant.
    return sync_governance_alerts(session, scope_park_ids=None if park_id is None else (park_id,),
                                  today=park_date(now), actor=actor, now=now)


alerts.register_scan_hook("governance", _scan_hook)


# --- decisions -----------------------------------------------------------------------------------

def _text(value: Any, field: str, limit: int, *, required: bool) -> str:
    zh = FIELD_ZH.get(field, field)
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(f"the {field} is not valid ({zh}格式有误)", {field: ["must be text (须为文本)"]})
    text = (value or "").strip()
    if "\x00" in text or len(text) > limit:
        raise ValidationFailed(f"the {field} is not valid ({zh}格式有误)",
                               {field: [f"text of at most {limit} characters, without NUL (最多 {limit} 个字符)"]})
    if required and not text:
        raise ValidationFailed(f"a {field} is required (请填写{zh})", {field: ["required"]})
    return text


def get_entry(session: Session, principal: Principal, enterprise: str, year: int, *,
              lock: bool = False) -> RosterEntry:
    """The roster entry of enterprise ``enterprise`` (its ref) and ``year``, if the caller coordinates its park."""
    _require_coordinator(principal)
    year = _check_year(year)
    stmt = select(RosterEntry).join(Enterprise, Enterprise.id == RosterEntry.enterprise_id) \
        .where(Enterprise.ref == enterprise, RosterEntry.year == year).options(selectinload(RosterEntry.enterprise))
    if lock:
        stmt = stmt.with_for_update(of=RosterEntry).execution_options(populate_existing=True)
    entry = session.scalar(stmt) if isinstance(enterprise, str) and "\x00" not in enterprise else None
    if entry is None or not principal.coordinates(entry.park_id):
        raise NotFound(f"{enterprise} is not on the {year} roster (该企业不在{year}年名单中)",
                       {"enterprise": [(f"no roster entry of {enterprise!r} for {year} you can see "
                                         f"(您可查看的 {year} 年名单中没有 {enterprise!r})")]})
    return entry


def _notify(session: Session, entry: RosterEntry, decision: str, reason: str, actor: str) -> Notification:
    zh = {"confirm": "已确认列入", "remove": "已移出", "restore": "已重新列入"}[decision]
    en = {"confirm": "confirmed on", "remove": "removed from", "restore": "restored to"}[decision]
    tail_zh, tail_en = (f"，理由：{reason}", f"; reason: {reason}") if reason else ("", "")
    data = {"year": entry.year, "decision": decision, "status": entry.status, "reason": reason, "by": actor,
            "message": f"{entry.year}年重点管控新污染物企业名单：贵企业{zh}{tail_zh} / your enterprise was {en} the "
                       f"{entry.year} roster of key new-pollutant enterprises{tail_en}"}
    notice = Notification(enterprise_id=entry.enterprise_id, kind="roster_decision", data=data)
    session.add(notice)
    return notice


def confirm(session: Session, principal: Principal, enterprise: str, year: int, reason: str | None = None,
            *, today: dt.date | None = None) -> RosterEntry:
    """Confirm a proposed entry (reason optional), or restore a removed one (reason required); audited, notified."""
    entry = get_entry(session, principal, enterprise, year, lock=True)
    restoring = entry.status == "removed"
    text = _text(reason, "reason", REASON_MAX, required=restoring)
    if entry.status == "confirmed":
        raise Conflict(f"{enterprise} is already confirmed on the {year} roster (已确认)",
                       {"status": ["is confirmed already (已确认)"]})
    before = entry.status
    entry.status, entry.decided_at, entry.decided_by, entry.reason = "confirmed", utcnow(), principal.actor, text or None
    _audit(session, principal.actor, entry, "restore" if restoring else "confirm",
           {"status": [before, "confirmed"], "reason": [None, text or None]})
    _notify(session, entry, "restore" if restoring else "confirm", text, principal.actor)
    today = today or park_date()
    _ensure_obligations(session, entry, today)
    session.flush()
    sync_governance_alerts(session, scope_park_ids=None, enterprise_id=entry.enterprise_id, today=today,
                           actor=principal.actor)
    return entry


def remove(session: Session, principal: Principal, enterprise: str, year: int, reason: str | None,
           *, today: dt.date | None = None) -> RosterEntry:
    """Remove an entry from the roster with a reason (required); audited, notified; its alerts clear."""
    entry = get_entry(session, principal, enterprise, year, lock=True)
    text = _text(reason, "reason", REASON_MAX, required=True)
    if entry.status == "removed":
        raise Conflict(f"{enterprise} is already removed from the {year} roster (已移出)",
                       {"status": ["is removed already (已移出)"]})
    before = entry.status
    entry.status, entry.decided_at, entry.decided_by, entry.reason = "removed", utcnow(), principal.actor, text
    _audit(session, principal.actor, entry, "remove", {"status": [before, "removed"], "reason": [None, text]})
    _notify(session, entry, "remove", text, principal.actor)
    session.flush()
    sync_governance_alerts(session, scope_park_ids=None, enterprise_id=entry.enterprise_id,
                           today=today or park_date(), actor=principal.actor)
    return entry


def get_obligation(session: Session, principal: Principal, obligation_id: int, *, lock: bool = False) -> Obligation:
    """The obligation, if the caller coordinates its enterprise's park or acts for the enterprise (404 otherwise)."""
    if isinstance(obligation_id, bool) or not isinstance(obligation_id, int) or not 0 < obligation_id <= MAX_ID:
        ob = None
    else:
        stmt = select(Obligation).where(Obligation.id == obligation_id).options(selectinload(Obligation.enterprise))
        if lock:
            stmt = stmt.with_for_update(of=Obligation).execution_options(populate_existing=True)
        ob = session.scalar(stmt)
    if ob is None or not (principal.coordinates(ob.enterprise.park_id) or principal.acts_for(ob.enterprise_id)):
        raise NotFound(f"obligation {obligation_id} not found (无此义务)",
                       {"obligation": [(f"no obligation {obligation_id} you can see "
                                         f"(无您可查看的义务 {obligation_id})")]})
    return ob


def record_obligation(session: Session, principal: Principal, obligation_id: int, status: str, evidence: str | None,
                      *, today: dt.date | None = None) -> Obligation:
    """Record an obligation as done (evidence required), waived (coordinators; reason as evidence) or open again.

    The enterprise itself may record its own obligation done; waiving and re-opening are for its park's
    coordinators. Audited; the enterprise's overdue alert follows at once.
    """
    ob = get_obligation(session, principal, obligation_id, lock=True)
    if status not in OBLIGATION_STATUSES:
        raise ValidationFailed(f"unknown obligation status {status!r} (状态有误)",
                               {"status": [(f"one of {', '.join(OBLIGATION_STATUSES)} "
                                            f"(须为以下之一：{'、'.join(OBLIGATION_STATUSES)})")]})
    coordinator = principal.coordinates(ob.enterprise.park_id)
    if status != "done" and not coordinator:
        raise Forbidden("only the park's coordinators waive or re-open an obligation (仅园区管理者可豁免或重开)",
                        {"status": ["requires coordinator of the enterprise's park (须为企业所在园区的管理者)"]})
    text = _text(evidence, "evidence", EVIDENCE_MAX, required=status != "open")
    if status == ob.status and text == (ob.evidence or ""):
        raise Conflict(f"obligation {ob.id} is {status} already (状态未变)",
                       {"status": [f"is {status} already (已是“{OBLIGATION_STATUS_ZH.get(status, status)}”)"]})
    today = today or park_date()
    before = {"status": ob.status, "evidence": ob.evidence}
    ob.status, ob.evidence, ob.recorded_by = status, text, principal.actor
    ob.done_at = today if status == "done" else None
    audit.record(session, actor=principal.actor, action="record", entity_type="obligation", entity_key=str(ob.id),
                 changes={"status": [before["status"], status], "evidence": [before["evidence"], text]},
                 context={"code": ob.code, "year": ob.year, "enterprise": ob.enterprise.ref},
                 park_id=ob.enterprise.park_id)
    session.flush()
    sync_governance_alerts(session, scope_park_ids=None, enterprise_id=ob.enterprise_id, today=today,
                           actor=principal.actor)
    return ob


def fulfil_by_disclosure(session: Session, *, enterprise_id: int, year: int, disclosure_id: int, actor: str,
                         today: dt.date | None = None) -> Obligation | None:
    """Publishing the year's disclosure does the ``annual_disclosure`` obligation of that year: it is recorded
    done (evidence: the published disclosure), audited, and the enterprise's overdue alert follows at once.

    Returns the obligation, or None when the enterprise has none open for that year (not on the roster)."""
    ob = session.scalar(select(Obligation).where(Obligation.enterprise_id == enterprise_id, Obligation.year == year,
                                                 Obligation.code == "annual_disclosure", Obligation.status == "open"))
    if ob is None:
        return None
    today = today or park_date()
    text = f"年度信息披露已公开（#{disclosure_id}） / annual disclosure published (#{disclosure_id})"
    ob.status, ob.evidence, ob.recorded_by, ob.done_at = "done", text, actor, today
    audit.record(session, actor=actor, action="record", entity_type="obligation", entity_key=str(ob.id),
                 changes={"status": ["open", "done"], "evidence": [None, text]},
                 context={"code": ob.code, "year": ob.year, "disclosure_id": disclosure_id},
                 park_id=ob.enterprise.park_id)
    session.flush()
    sync_governance_alerts(session, scope_park_ids=None, enterprise_id=enterprise_id, today=today, actor=actor)
    return ob


# --- views ---------------------------------------------------------------------------------------

def obligation_view(ob: Obligation, today: dt.date) -> dict[str, Any]:
    """An obligation as shown: its status is ``overdue`` when open past its due date."""
    status = "overdue" if ob.status == "open" and ob.due < today else ob.status
    return {"id": ob.id, "code": ob.code, "name_zh": OBLIGATION_ZH.get(ob.code, ob.code),
            "name_en": OBLIGATION_EN.get(ob.code, ob.code), "due": ob.due.isoformat(), "status": status,
            "stored_status": ob.status, "evidence": ob.evidence or "",
            "done_at": ob.done_at.isoformat() if ob.done_at else None, "recorded_by": ob.recorded_by}


def roster_rows(session: Session, principal: Principal, *, park: str | None, year: int,
                today: dt.date | None = None, include_removed: bool = True) -> list[dict[str, Any]]:
    """The roster of ``year`` as shown (no recomputation): entries with substances, obligations and violations."""
    year = _check_year(year)
    scope = roster_scope(session, principal, park)
    today = today or park_date()
    stmt = _in_scope(select(RosterEntry).where(RosterEntry.year == year), scope, RosterEntry.park_id) \
        .options(selectinload(RosterEntry.enterprise), selectinload(RosterEntry.park))
    entries = [e for e in session.scalars(stmt) if include_removed or e.status != "removed"]
    ent_ids = sorted({e.enterprise_id for e in entries})
    obligations: dict[int, list[Obligation]] = defaultdict(list)
    if ent_ids:
        for ob in session.scalars(select(Obligation).where(Obligation.enterprise_id.in_(ent_ids),
                                                           Obligation.year == year)):
            obligations[ob.enterprise_id].append(ob)
    rows = []
    for e in sorted(entries, key=lambda e: e.enterprise.ref):
        obs = sorted(obligations[e.enterprise_id], key=lambda o: (o.due, o.code))
        rows.append({
            "enterprise": e.enterprise.ref, "enterprise_name": e.enterprise.name,
            "park": e.park.code if e.park is not None else None, "year": e.year, "status": e.status,
            "reason": e.reason, "decided_by": e.decided_by,
            "decided_at": e.decided_at.isoformat() if e.decided_at else None,
            "substances": [dict(r) for r in e.substances or []],
            "obligations": [obligation_view(o, today) for o in obs],
            "violations": _entry_violations(e, obs, today)})
    return rows


def measure_text(key: str) -> str:
    """The measure's source line for a substance key ("" when none)."""
    m = measure_for(key)
    return m.source if m is not None else ""


__all__ = ["GOVERNANCE_KINDS", "LEDGER_ROLES", "Scope", "compute_roster", "confirm", "get_entry", "get_obligation",
           "measure_text", "obligation_view", "record_obligation", "remove", "resolve_substance", "roster_rows",
           "roster_scope", "scan_governance", "sync_governance_alerts", "violations"]
