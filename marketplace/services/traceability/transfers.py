"""Transfers of approved matches: shipments with an electronic manifest (转移联单) and container codes (一物一码).

States (``models.transfers.SHIPMENT_STATUSES``)::

    planned ─dispatch─▶ dispatched ─receive─▶ received ─close─▶ closed
       │ cancel              │ reject
       ▼                     ▼
    cancelled             rejected (at the receiver's gate)

Who may act: the producer (the offer's enterprise) plans, dispatches and cancels; the
receiver (the need's enterprise) receives, rejects and closes; a coordinator of the
producer's or the receiver's park (or an admin) may do all of it. Either party may plan.

Manifest numbers are ``{park code}-{park day:%Y%m%d}-{sequence:04d}`` (park-less producers:
``WM``), the sequence drawn from ``ManifestSequence`` by one atomic
``INSERT … ON CONFLICT DO UPDATE … RETURNING``, so concurrent plans never share a number
and a number is never skipped by a lost update. Shipments lock their match ``FOR NO KEY
UPDATE`` first (the workflow's order: match before anything under it), so concurrent plans
of one match cannot exceed its quantity, and a dispatch and a plan do not deadlock.

A rejected load goes back under its own manifest, a **return** (``create_return``): the same match and
containers (new codes), ``direction = "return"``, ``returned_from_id`` naming the rejected original, and the
parties swapped so that ``producer_id`` is always the sender (the original's receiver) and ``receiver_id``
the one it goes to (the original's producer); it then runs the same steps. At most one return per rejected
load (a unique column). A return neither counts against the match's quantity nor moves or completes the match,
and is not a realised flow.

The match follows its shipments: the first dispatch moves it approved → in_transfer, and
closing the last open shipment completes it once ≥ 95 % of its quantity was received.
"""
from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased, selectinload

from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...models import (
    DRAFT_STATUS,
    OPEN_SHIPMENT_STATUSES,
    PACKAGINGS,
    AuditEvent,
    Container,
    Enterprise,
    Listing,
    ManifestSequence,
    Match,
    Park,
    Shipment,
    User,
)
from ...models.base import MAX_ID, as_utc, iso_utc, park_date, park_day_start, utcnow
from ..accounts import audit
from ..accounts.users import Principal
from ..matching import notifications, workflow
from . import alerts, ledger

QUANTITY_EPS_T = 1e-6
# Containers per shipment (labels per manifest); the API schema states the same bound.
MAX_CONTAINERS = 500
# A match completes when what was received is at least this share of what it approved (weighing tolerance).
COMPLETION_SHARE = 0.95
PARKLESS_CODE = "WM"
# The match states a shipment may be planned under.
SHIPPABLE_MATCH_STATUSES = ("approved", "in_transfer")
# Shipments that count against the match's quantity (a rejected or cancelled one frees its tonnes).
COUNTING_STATUSES = ("planned", "dispatched", "received", "closed")
REALISED_STATUSES = ("received", "closed")
ACTIONS = ("dispatch", "receive", "reject", "close", "cancel")
FROM_STATES: dict[str, tuple[str, ...]] = {
    "dispatch": ("planned",), "receive": ("dispatched",), "reject": ("dispatched",),
    "close": ("received",), "cancel": ("planned",),
}
TO_STATE = {"dispatch": "dispatched", "receive": "received", "reject": "rejected", "close": "closed",
            "cancel": "cancelled"}
STATUS_ZH = {"planned": "计划中", "dispatched": "已发运", "received": "已接收", "closed": "已办结",
             "rejected": "已拒收", "cancelled": "已取消"}
ACTION_ZH = {"dispatch": "发运", "receive": "接收", "reject": "拒收", "close": "办结", "cancel": "取消", "return": "退运"}
TEXT_LIMITS = {"carrier": 200, "carrier_licence": 64, "vehicle": 20, "driver": 100, "note": 2000,
               "reason": 2000, "remark": 2000}


def _state_zh(status: str) -> str:
    """A shipment's state in Chinese (the English half of a message names the stored state)."""
    return STATUS_ZH.get(status, status)


def _match_state_zh(status: str) -> str:
    """A match's state in Chinese."""
    return workflow.STATUS_ZH.get(status, status)


def _match_not_shippable(status: str) -> str:
    """The per-field reason refusing a match that is neither approved nor in transfer."""
    return (f"is {status}; needs approved or in_transfer "
            f"(匹配当前为「{workflow.STATUS_ZH.get(status, status)}」，须为已批准或转移中)")


# --- who sees and acts ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ShipmentStanding:
    """What the principal is to one shipment: its producer, its receiver, a coordinator of it, or neither."""

    side: str | None  # "producer" | "receiver" | None
    coordinator: bool  # admin, or coordinator of the producer's or the receiver's park

    @property
    def role(self) -> str:
        return self.side or ("coordinator" if self.coordinator else "none")

    @property
    def sees(self) -> bool:
        return self.side is not None or self.coordinator


def shipment_standing(principal: Principal, shipment: Shipment) -> ShipmentStanding:
    """The principal's standing towards ``shipment``."""
    side = ("producer" if principal.acts_for(shipment.producer_id)
            else "receiver" if principal.acts_for(shipment.receiver_id) else None)
    receiver_park = shipment.receiver.park_id if shipment.receiver is not None else None
    coordinator = principal.coordinates(shipment.park_id) or principal.coordinates(receiver_park)
    return ShipmentStanding(side=side, coordinator=coordinator)


# action -> the side (besides coordinators) that may take it
ACTING_SIDE = {"dispatch": "producer", "cancel": "producer", "return": "producer", "receive": "receiver",
               "reject": "receiver", "close": "receiver"}
SIDE_TEXT = {"producer": "the producer (the offer's enterprise) or a coordinator",
             "receiver": "the receiver (the need's enterprise) or a coordinator"}
SIDE_ZH = {"producer": "产生单位或园区管理者", "receiver": "接收单位或园区管理者"}


def _authorise(s: ShipmentStanding, action: str) -> None:
    side = ACTING_SIDE[action]
    if not (s.coordinator or s.side == side):
        raise Forbidden(f"only {SIDE_TEXT[side]} may {action} this shipment; you are {s.role} "
                        f"(无权执行此操作：仅{SIDE_ZH[side]}可{ACTION_ZH[action]})",
                        {"action": [f"{action} requires {SIDE_TEXT[side]} (仅{SIDE_ZH[side]}可{ACTION_ZH[action]})"]})


def visible_shipments(principal: Principal) -> Select:
    """``SELECT`` of the shipments ``principal`` may see (parties: their own; coordinators: their parks);
    never a draft (``list_drafts`` shows its author's)."""
    stmt = select(Shipment).where(Shipment.status != DRAFT_STATUS)
    if principal.is_admin:
        return stmt
    if principal.is_coordinator:
        parks = list(principal.park_ids)
        receiver = aliased(Enterprise)
        return stmt.join(receiver, Shipment.receiver_id == receiver.id).where(
            or_(Shipment.park_id.in_(parks), receiver.park_id.in_(parks)))
    if principal.enterprise_id is not None:
        return stmt.where(or_(Shipment.producer_id == principal.enterprise_id,
                              Shipment.receiver_id == principal.enterprise_id))
    return stmt.where(Shipment.id.is_(None))


SIDES = ("producer", "receiver")


def filtered_shipments(session: Session, principal: Principal, *, status: str | None = None,
                       match: int | None = None, park: str | None = None, since: dt.datetime | None = None,
                       until: dt.datetime | None = None, side: str | None = None) -> Select:
    """The visible shipments with the list filters applied, newest first.

    ``park`` (a park code) keeps shipments whose producer or receiver is in that park;
    ``since``/``until`` bound the creation time (inclusive, exclusive); ``side`` (``producer`` or
    ``receiver``) keeps those the principal's own enterprise takes that side of.
    """
    stmt = visible_shipments(principal)
    if side is not None:
        if side not in SIDES:
            raise ValidationFailed(f"unknown side {side!r} (角色无效 {side!r})",
                                   {"side": [f"one of {', '.join(SIDES)} (须为以下之一：{'、'.join(SIDES)})"]})
        column = Shipment.producer_id if side == "producer" else Shipment.receiver_id
        stmt = stmt.where(column == principal.enterprise_id)
    if status is not None:
        stmt = stmt.where(Shipment.status == status)
    if match is not None:
        stmt = stmt.where(Shipment.match_id == match)
    if park is not None:
        park_id = session.scalar(select(Park.id).where(Park.code == park))
        if park_id is None:
            raise NotFound(f"unknown park {park!r} (无此园区 {park!r})",
                           {"park": [f"no park with code {park!r} (无代码为 {park!r} 的园区)"]})
        in_park = select(Enterprise.id).where(Enterprise.park_id == park_id)
        stmt = stmt.where(or_(Shipment.park_id == park_id, Shipment.receiver_id.in_(in_park)))
    if since is not None:
        stmt = stmt.where(Shipment.created_at >= since)
    if until is not None:
        stmt = stmt.where(Shipment.created_at < until)
    return stmt.order_by(Shipment.id.desc())


LOAD_OPTIONS = (selectinload(Shipment.containers), selectinload(Shipment.producer),
                selectinload(Shipment.receiver), selectinload(Shipment.park),
                selectinload(Shipment.returned_from), selectinload(Shipment.returned_by),
                selectinload(Shipment.match).selectinload(Match.offer).selectinload(Listing.enterprise),
                selectinload(Shipment.match).selectinload(Match.need).selectinload(Listing.enterprise))


def _load(session: Session, shipment_id: int, *, lock: bool = False) -> Shipment | None:
    if not isinstance(shipment_id, int) or not 0 < shipment_id <= MAX_ID:
        return None  # beyond the column's range: unknown, not a database error
    stmt = select(Shipment).where(Shipment.id == shipment_id).options(*LOAD_OPTIONS)
    if lock:
        stmt = stmt.with_for_update(of=Shipment, key_share=True).execution_options(populate_existing=True)
    return session.scalar(stmt)


def _not_found(shipment_id: Any) -> NotFound:
    return NotFound(f"shipment {shipment_id} not found (无此转移联单 {shipment_id})",
                    {"shipment": [f"no shipment {shipment_id} you can see (无您可查看的转移联单 {shipment_id})"]})


def get_shipment(session: Session, principal: Principal, shipment_id: int) -> Shipment:
    """The shipment, if ``principal`` may see it (else ``NotFound``, so existence does not leak)."""
    shipment = _load(session, shipment_id)
    if shipment is None or shipment.status == DRAFT_STATUS or not shipment_standing(principal, shipment).sees:
        raise _not_found(shipment_id)
    return shipment


def get_by_manifest(session: Session, principal: Principal, manifest_number: str) -> Shipment:
    """The visible shipment with this manifest number (``NotFound`` otherwise)."""
    number = (manifest_number or "").strip()
    shipment_id = session.scalar(select(Shipment.id).where(Shipment.manifest_number == number))
    if shipment_id is None:
        raise NotFound(f"no manifest {number!r} (无此联单 {number!r})",
                       {"manifest": [f"no manifest {number!r} you can see (无您可查看的联单 {number!r})"]})
    try:
        return get_shipment(session, principal, shipment_id)
    except NotFound:
        raise NotFound(f"no manifest {number!r} (无此联单 {number!r})",
                       {"manifest": [f"no manifest {number!r} you can see (无您可查看的联单 {number!r})"]}) from None


def find_container(session: Session, code: str) -> Container | None:
    """The container with this code (一物一码), or None; no visibility check (callers check the shipment)."""
    code = (code or "").strip()
    if not code:
        return None
    return session.scalar(select(Container).join(Shipment).where(Container.code == code,
                                                                 Shipment.status != DRAFT_STATUS)
                          .options(selectinload(Container.shipment)))


# --- validation --------------------------------------------------------------------------------------

def _positive(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and value > 0)


def _nonnegative(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and value >= 0)


def _texts(errors: dict[str, list[str]], **values: str | None) -> dict[str, str | None]:
    """Strip the free-text fields; too long or containing NUL → an error naming the field."""
    out: dict[str, str | None] = {}
    for name, value in values.items():
        if value is None:
            out[name] = None
            continue
        if not isinstance(value, str):
            errors[name] = ["must be text"]
            continue
        value = value.strip()
        if "\x00" in value:
            errors[name] = ["must not contain NUL characters (不得含 NUL 字符)"]
        elif len(value) > TEXT_LIMITS[name]:
            errors[name] = [f"at most {TEXT_LIMITS[name]} characters (最多 {TEXT_LIMITS[name]} 个字符)"]
        out[name] = value or None
    return out


def _check_containers(containers: Any, quantity_t: float, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    problems: list[str] = []
    if not isinstance(containers, (list, tuple)) or not containers:
        errors["containers"] = ["at least one container is required (至少一个容器)"]
        return []
    if len(containers) > MAX_CONTAINERS:  # the API's limit, held for the CLI and every other caller too
        errors["containers"] = [f"at most {MAX_CONTAINERS} containers per shipment (每批最多 {MAX_CONTAINERS} 个容器)"]
        return []
    rows = []
    for i, c in enumerate(containers):
        if not isinstance(c, Mapping):
            problems.append(f"[{i}] must be an object with packaging and quantity_t "
                            f"([{i}] 须为含 packaging 与 quantity_t 的对象)")
            continue
        packaging, q = c.get("packaging"), c.get("quantity_t")
        if packaging not in PACKAGINGS:
            problems.append(f"[{i}].packaging must be one of: {', '.join(PACKAGINGS)} "
                            f"([{i}].packaging 须为以下之一：{'、'.join(PACKAGINGS)})")
        if not _positive(q):
            problems.append(f"[{i}].quantity_t must be a number above 0 ([{i}].quantity_t 须为大于 0 的数)")
        rows.append({"packaging": packaging, "quantity_t": q})
    if not problems and _positive(quantity_t):
        total = sum(float(r["quantity_t"]) for r in rows)
        if abs(total - quantity_t) > QUANTITY_EPS_T:
            problems.append(f"the containers hold {total:g} t but the shipment is {quantity_t:g} t "
                            f"(容器合计 {total:g} 吨，与运输量 {quantity_t:g} 吨不符)")
    if problems:
        errors["containers"] = problems
    return rows


def _clock(now: dt.datetime | None) -> dt.datetime:
    """The clock in UTC (naive = UTC): SQLite keeps a datetime's wall time and drops its offset, so a time
    in another zone (the CLI's and the demo's park time, UTC+8) must be converted before it is stored."""
    return (as_utc(now) or utcnow()).astimezone(dt.UTC)


def _check_at(at: dt.datetime | None, *, now: dt.datetime, previous: dt.datetime | None,
              previous_name: str) -> dt.datetime:
    """When the event happened: ``at`` (a past event recorded late) or now; never future, never out of order."""
    if at is None:
        when = now
    else:
        if not isinstance(at, dt.datetime):
            raise ValidationFailed("at must be a date and time (时间格式错误)", {"at": ["must be a date-time (须为日期时间)"]})
        try:
            when = as_utc(at).astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise ValidationFailed("at is out of range (时间超出范围)", {"at": ["out of range (时间超出范围)"]}) from None
        if when > now:
            raise ValidationFailed(f"at {when.isoformat()} is in the future (时间不能晚于当前)",
                                   {"at": [(f"must not be after now, {now.isoformat()} "
                                           f"(不能晚于当前时间 {now.isoformat()})")]})
    prev = as_utc(previous)
    if prev is not None and when < prev:
        raise ValidationFailed(f"at {when.isoformat()} is before the shipment was {previous_name} "
                               f"({prev.isoformat()}) (时间早于上一环节)",
                               {"at": [(f"must not be before {previous_name} at {prev.isoformat()} "
                                       f"(不能早于上一环节的时间 {prev.isoformat()})")]})
    return when


# --- numbering -----------------------------------------------------------------------------------

def next_manifest_number(session: Session, park_code: str, day: dt.date) -> str:
    """Allocate the next manifest number of ``park_code`` on ``day`` by one atomic upsert."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(ManifestSequence).values(park_code=park_code, day=day, last=1)
    stmt = stmt.on_conflict_do_update(index_elements=[ManifestSequence.park_code, ManifestSequence.day],
                                      set_={"last": ManifestSequence.last + 1}).returning(ManifestSequence.last)
    seq = session.execute(stmt).scalar_one()
    return f"{park_code}-{day:%Y%m%d}-{seq:04d}"


def container_code(manifest_number: str, sequence: int) -> str:
    """The code printed on one container's label (一物一码)."""
    return f"{manifest_number}-{sequence:02d}"


# --- audit and notification ------------------------------------------------------------------------

def _record(session: Session, shipment: Shipment, before: str | None, *, principal: Principal, action: str,
            role: str, reason: str | None = None, at: dt.datetime | None = None,
            changes: dict[str, Any] | None = None, **context: Any) -> None:
    audit.record(session, actor=principal.actor, action="transition", entity_type="shipment",
                 entity_key=str(shipment.id),
                 changes={"status": [before, shipment.status], **(changes or {})},
                 context={"action": action, "role": role, "reason": reason, "at": iso_utc(at),
                          "manifest_number": shipment.manifest_number, "match": shipment.match_id, **context},
                 park_id=shipment.park_id)
    notifications.notify_shipment_event(session, shipment, action, actor=principal.actor,
                                        actor_enterprise_id=principal.enterprise_id)


def _refresh_alerts(session: Session, shipment: Shipment, now: dt.datetime) -> None:
    """Bring the shipment's own alerts (weight, receipt, open manifest) up to date with its new state, so a
    coordinator sees a short-weight receipt at once rather than after the next scan."""

    session.flush()
    alerts.refresh_for_shipment(session, shipment, now=now)


def _lock_match(session: Session, match_id: int) -> Match | None:
    # FOR NO KEY UPDATE: serialises shipment writers of one match without blocking the key-share
    # locks that inserting rows referencing the match takes (notifications, shipments).
    return session.scalar(select(Match).where(Match.id == match_id).options(
        selectinload(Match.offer).selectinload(Listing.enterprise),
        selectinload(Match.need).selectinload(Listing.enterprise))
        .with_for_update(of=Match, key_share=True).execution_options(populate_existing=True))


def _counted_t(session: Session, match_id: int, *, excluding: int | None = None) -> float:
    stmt = select(func.coalesce(func.sum(Shipment.quantity_t), 0.0)).where(
        Shipment.match_id == match_id, Shipment.status.in_(COUNTING_STATUSES), Shipment.direction == "forward")
    if excluding is not None:
        stmt = stmt.where(Shipment.id != excluding)
    return float(session.scalar(stmt) or 0.0)


def _require_planner(principal: Principal, match: Match | None, match_id: Any) -> None:
    """Who may plan a shipment of a match: either party, or a coordinator of either park (admins too) —
    exactly those who see the match, so anybody else is told it does not exist (``NotFound``)."""
    if match is None or not workflow._sees(principal, match):
        raise workflow._not_found(match_id)


@dataclass(frozen=True)
class Plannable:
    """A match as the planning form shows it: the match, the tonnes still to ship, whether it may ship now."""

    match: Match
    left_t: float
    shippable: bool


def plannable(session: Session, principal: Principal, match_id: int) -> Plannable:
    """The match ``principal`` would plan a shipment of (``create_shipment``'s rule: NotFound for anybody
    but its parties and coordinators), with what is left of its quantity."""
    match = workflow.get_match(session, principal, match_id)
    _require_planner(principal, match, match_id)
    left = max(match.quantity_t - _counted_t(session, match.id), 0.0)
    return Plannable(match, left, match.status in SHIPPABLE_MATCH_STATUSES)


# --- planning ------------------------------------------------------------------------------------

def create_shipment(session: Session, principal: Principal, match_id: int, *, quantity_t: float,
                    containers: list[dict[str, Any]], carrier: str | None = None, carrier_licence: str | None = None,
                    vehicle: str | None = None, driver: str | None = None, planned_on: dt.date | None = None,
                    note: str = "", now: dt.datetime | None = None) -> Shipment:
    """Plan a shipment of an approved (or in-transfer) match; returns it ``planned``, its manifest numbered.

    NotFound when the match is not visible; Forbidden unless the principal is one of the
    parties or coordinates the producer's or receiver's park; ValidationFailed for a bad
    quantity, containers that are not ≥ 1 of ``PACKAGINGS`` with positive tonnes summing
    to ``quantity_t``, or over-long text; Conflict when the match is not approved or in
    transfer, or when the shipments would carry more than the match allows.
    """
    now = _clock(now)
    match = _lock_match(session, match_id) if isinstance(match_id, int) and 0 < match_id <= MAX_ID else None
    _require_planner(principal, match, match_id)
    s = workflow.standing(principal, match)
    errors: dict[str, list[str]] = {}
    if not _positive(quantity_t):
        errors["quantity_t"] = ["must be a number above 0 (须为大于 0 的数)"]
    rows = _check_containers(containers, quantity_t, errors)
    texts = _texts(errors, carrier=carrier, carrier_licence=carrier_licence, vehicle=vehicle, driver=driver,
                   note=note or "")
    if planned_on is not None and not isinstance(planned_on, dt.date):
        errors["planned_on"] = ["must be a date (须为日期)"]
    if errors:
        raise ValidationFailed("the shipment is not valid (转移联单信息有误): " + ", ".join(errors), errors)
    if match.status not in SHIPPABLE_MATCH_STATUSES:
        raise Conflict(f"match {match.id} is {match.status}: shipments need an approved match "
                       f"(匹配 {match.id} 当前为「{_match_state_zh(match.status)}」，仅已批准的匹配可转移)",
                       {"match": [_match_not_shippable(match.status)]})
    used = _counted_t(session, match.id)
    left = match.quantity_t - used
    if quantity_t > left + QUANTITY_EPS_T:
        raise Conflict(f"only {max(left, 0.0):.3f} t of match {match.id}'s {match.quantity_t:g} t is left to ship "
                       f"(超出匹配剩余量 {max(left, 0.0):.3f} 吨)",
                       {"quantity_t": [(f"at most {max(left, 0.0):.3f} t left on match {match.id} "
                                        f"(该匹配最多还剩 {max(left, 0.0):.3f} 吨)")]})
    offer, need = match.offer, match.need
    producer, receiver = offer.enterprise, need.enterprise
    park = session.get(Park, producer.park_id) if producer.park_id is not None else None
    number = next_manifest_number(session, park.code if park is not None else PARKLESS_CODE, park_date(now))
    shipment = Shipment(
        manifest_number=number, match_id=match.id, park_id=producer.park_id, producer_id=producer.id,
        receiver_id=receiver.id, licence_number=match.licence_number, waste_code=offer.waste_code,
        material=(offer.title_zh or offer.title or f"#{offer.id}")[:300], status="planned",
        quantity_t=float(quantity_t), carrier=texts["carrier"], carrier_licence=texts["carrier_licence"],
        vehicle=texts["vehicle"], driver=texts["driver"], planned_on=planned_on, note=texts["note"] or "",
        created_at=now, created_by=principal.actor, updated_at=now)
    shipment.containers = [Container(code=container_code(number, i), sequence=i, packaging=r["packaging"],
                                     quantity_t=float(r["quantity_t"])) for i, r in enumerate(rows, start=1)]
    session.add(shipment)
    session.flush()
    _record(session, shipment, None, principal=principal, action="plan", role=s.role, at=now,
            changes={"quantity_t": [None, shipment.quantity_t]}, containers=len(rows))
    session.flush()
    return shipment


# --- drafts --------------------------------------------------------------------------------------
# A manifest saved as a draft before it is planned: no manifest number (its containers carry provisional codes
# DRAFT-…), seen, edited, deleted and planned by its author only, and in no list, report, alert or trace (the
# lists take ``visible_shipments``, which leaves drafts out; reports and alerts read named states, never
# ``draft``). It reserves nothing of the match: ``plan_draft`` checks the quantity then, as planning does.

DRAFT_FIELDS = ("quantity_t", "containers", "carrier", "carrier_licence", "vehicle", "driver", "planned_on", "note")


def _draft_checked(values: Mapping[str, Any]) -> dict[str, Any]:
    """The draft's fields checked loosely (a draft may be incomplete: containers need not add up yet), or
    ``ValidationFailed``; a quantity is required (the table holds none of 0 t)."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(str(k) for k in values if k not in DRAFT_FIELDS)
    for k in unknown:
        errors[k] = [(f"not a field of a draft; one of {', '.join(DRAFT_FIELDS)} "
                     f"(草稿无此字段；须为以下之一：{'、'.join(DRAFT_FIELDS)})")]
    out: dict[str, Any] = {}
    if "quantity_t" in values:
        if not _positive(values["quantity_t"]):
            errors["quantity_t"] = ["must be a number above 0 (须为大于 0 的数)"]
        else:
            out["quantity_t"] = float(values["quantity_t"])
    if "containers" in values:
        rows = values["containers"] or []
        problems = []
        if not isinstance(rows, (list, tuple)) or len(rows) > MAX_CONTAINERS:
            problems.append(f"a list of at most {MAX_CONTAINERS} containers (须为最多 {MAX_CONTAINERS} 个容器的列表)")
        else:
            for i, c in enumerate(rows):
                if (not isinstance(c, Mapping) or c.get("packaging") not in PACKAGINGS
                        or not _positive(c.get("quantity_t"))):
                    problems.append(f"[{i}] needs a packaging of {', '.join(PACKAGINGS)} and tonnes above 0 "
                                    f"([{i}] 须有包装方式 {'、'.join(PACKAGINGS)} 之一，且吨数大于 0)")
        if problems:
            errors["containers"] = problems
        else:
            out["containers"] = [{"packaging": c["packaging"], "quantity_t": float(c["quantity_t"])} for c in rows]
    texts = _texts(errors, **{k: values[k] for k in ("carrier", "carrier_licence", "vehicle", "driver", "note")
                              if k in values})
    out.update(texts)
    if "note" in out:
        out["note"] = out["note"] or ""
    if "planned_on" in values:
        if values["planned_on"] is not None and not isinstance(values["planned_on"], dt.date):
            errors["planned_on"] = ["must be a date (须为日期)"]
        else:
            out["planned_on"] = values["planned_on"]
    if errors:
        raise ValidationFailed("the draft is not valid (草稿信息有误): " + ", ".join(errors), errors)
    return out


def _draft_containers(shipment: Shipment, rows: list[dict[str, Any]], session: Session | None = None) -> None:
    if session is not None and shipment.containers:
        shipment.containers = []
        session.flush()  # the old rows go first: (shipment, sequence) is unique
    token = secrets.token_hex(8)  # provisional codes: unique, never a manifest's
    shipment.containers = [Container(code=f"DRAFT-{token}-{i:02d}", sequence=i, packaging=r["packaging"],
                                     quantity_t=r["quantity_t"]) for i, r in enumerate(rows, start=1)]


def _draft_audit(session: Session, principal: Principal, draft: Shipment, action: str, **context: Any) -> None:
    audit.record(session, actor=principal.actor, action=f"draft.{action}", entity_type="shipment",
                 entity_key=str(draft.id), context={"match": draft.match_id, **context}, park_id=draft.park_id)


def save_draft(session: Session, principal: Principal, match_id: int, *, now: dt.datetime | None = None,
               **values: Any) -> Shipment:
    """Save a manifest as a draft of a match (its parties and coordinators, as for planning; NotFound for
    anybody else): ``values`` among ``DRAFT_FIELDS``, ``quantity_t`` required, containers optional and not yet
    required to add up. No number, no notice; Conflict unless the match is approved or in transfer."""
    now = _clock(now)
    match = workflow.get_match(session, principal, match_id) if isinstance(match_id, int) else None
    _require_planner(principal, match, match_id)
    if "quantity_t" not in values:
        raise ValidationFailed("a draft needs its quantity (请填写数量)", {"quantity_t": ["required"]})
    checked = _draft_checked(values)
    if match.status not in SHIPPABLE_MATCH_STATUSES:
        raise Conflict(f"match {match.id} is {match.status}: shipments need an approved match "
                       f"(匹配 {match.id} 当前为「{_match_state_zh(match.status)}」，仅已批准的匹配可转移)",
                       {"match": [_match_not_shippable(match.status)]})
    offer, need = match.offer, match.need
    shipment = Shipment(
        manifest_number=None, match_id=match.id, park_id=offer.enterprise.park_id, producer_id=offer.enterprise_id,
        receiver_id=need.enterprise_id, licence_number=match.licence_number, waste_code=offer.waste_code,
        material=(offer.title_zh or offer.title or f"#{offer.id}")[:300], status=DRAFT_STATUS,
        quantity_t=checked["quantity_t"], carrier=checked.get("carrier"),
        carrier_licence=checked.get("carrier_licence"), vehicle=checked.get("vehicle"), driver=checked.get("driver"),
        planned_on=checked.get("planned_on"), note=checked.get("note") or "", created_at=now,
        created_by=principal.actor, updated_at=now)
    _draft_containers(shipment, checked.get("containers") or [])
    session.add(shipment)
    session.flush()
    _draft_audit(session, principal, shipment, "save")
    return shipment


def get_draft(session: Session, principal: Principal, shipment_id: int, *, lock: bool = False) -> Shipment:
    """The principal's own draft (NotFound for anybody else's, or for a shipment that is no draft)."""
    shipment = _load(session, shipment_id, lock=lock) if isinstance(shipment_id, int) else None
    if shipment is None or shipment.status != DRAFT_STATUS or shipment.created_by != principal.actor:
        raise NotFound(f"no draft {shipment_id} of yours (无此草稿 {shipment_id})",
                       {"draft": [f"no draft {shipment_id} of yours (您没有草稿 {shipment_id})"]})
    return shipment


def list_drafts(session: Session, principal: Principal) -> list[Shipment]:
    """The principal's own drafts, newest first."""
    return list(session.scalars(select(Shipment).where(Shipment.status == DRAFT_STATUS,
                                                       Shipment.created_by == principal.actor)
                                .options(*LOAD_OPTIONS).order_by(Shipment.id.desc())))


def update_draft(session: Session, principal: Principal, shipment_id: int, *, now: dt.datetime | None = None,
                 **values: Any) -> Shipment:
    """Change fields of the principal's draft (``DRAFT_FIELDS``; containers replace the draft's)."""
    now = _clock(now)
    shipment = get_draft(session, principal, shipment_id, lock=True)
    checked = _draft_checked(values)
    for name, value in checked.items():
        if name == "containers":
            _draft_containers(shipment, value, session)
        else:
            setattr(shipment, name, value)
    shipment.updated_at = now
    session.flush()
    _draft_audit(session, principal, shipment, "update", fields=sorted(checked))
    return shipment


def delete_draft(session: Session, principal: Principal, shipment_id: int) -> None:
    """Delete the principal's draft (its author only)."""
    shipment = get_draft(session, principal, shipment_id, lock=True)
    _draft_audit(session, principal, shipment, "delete")
    session.delete(shipment)
    session.flush()


def plan_draft(session: Session, principal: Principal, shipment_id: int, *,
               now: dt.datetime | None = None) -> Shipment:
    """Plan the principal's draft: ``create_shipment`` with its values (every check of planning, the number,
    the notices), then the draft is deleted; returns the planned shipment (a new id)."""
    draft = get_draft(session, principal, shipment_id, lock=True)
    shipment = create_shipment(
        session, principal, draft.match_id, quantity_t=draft.quantity_t,
        containers=[{"packaging": c.packaging, "quantity_t": c.quantity_t} for c in draft.containers],
        carrier=draft.carrier, carrier_licence=draft.carrier_licence, vehicle=draft.vehicle, driver=draft.driver,
        planned_on=draft.planned_on, note=draft.note, now=now)
    _draft_audit(session, principal, draft, "plan", shipment=shipment.id, manifest_number=shipment.manifest_number)
    session.delete(draft)
    session.flush()
    return shipment


# --- return of a rejected load ------------------------------------------------------------------

def create_return(session: Session, principal: Principal, shipment_id: int, *, carrier: str | None = None,
                  carrier_licence: str | None = None, vehicle: str | None = None, driver: str | None = None,
                  planned_on: dt.date | None = None, note: str = "", now: dt.datetime | None = None) -> Shipment:
    """Plan the return of a rejected load under a new manifest (退运联单) linked to the original.

    The original's producer or a coordinator of either park may (Forbidden otherwise; NotFound for anybody
    who cannot see it); Conflict unless the original is ``rejected`` and a forward shipment, and when it
    already has a return. The return carries the same match, waste and containers (same packaging
    and tonnes, new codes), from the original's receiver (now ``producer_id``, the sender) back to its
    producer, numbered in the sender's park; it starts ``planned``. Carrier, vehicle, driver and day are the
    return trip's (empty unless given).
    """
    now = _clock(now)
    original, _match, s = _begin(session, principal, shipment_id, "return")
    if original.direction != "forward" or original.status != "rejected":
        raise Conflict(f"shipment {original.manifest_number} is {original.status}: only a rejected load goes back "
                       f"under a return manifest (联单 {original.manifest_number} 当前为「{_state_zh(original.status)}」，"
                       f"仅被拒收的联单可退运)",
                       {"status": [(f"is {original.status}; a return needs a rejected forward shipment "
                                   f"(当前为「{STATUS_ZH.get(original.status, original.status)}」，"
                                   f"仅被拒收的正向联单可退运)")]})
    if original.returned_by is not None:
        back_number = original.returned_by.manifest_number
        raise Conflict(f"{original.manifest_number} already goes back under {back_number} (已有退运联单 {back_number})",
                       {"shipment": [f"already returned by {back_number} (已有退运联单 {back_number})"]})
    errors: dict[str, list[str]] = {}
    texts = _texts(errors, carrier=carrier, carrier_licence=carrier_licence, vehicle=vehicle, driver=driver,
                   note=note or "")
    if planned_on is not None and not isinstance(planned_on, dt.date):
        errors["planned_on"] = ["must be a date (须为日期)"]
    if errors:
        raise ValidationFailed("the return is not valid (退运联单信息有误): " + ", ".join(errors), errors)
    sender = session.get(Enterprise, original.receiver_id)
    park = session.get(Park, sender.park_id) if sender.park_id is not None else None
    number = next_manifest_number(session, park.code if park is not None else PARKLESS_CODE, park_date(now))
    back = Shipment(
        manifest_number=number, match_id=original.match_id, park_id=sender.park_id, producer_id=original.receiver_id,
        # No receiving licence: the producer takes its own waste back, and the receiver's licence must not count
        # the return against its capacity or its year's receipts (the licence alerts read licence_number).
        receiver_id=original.producer_id, licence_number=None, waste_code=original.waste_code,
        material=original.material, status="planned", quantity_t=original.quantity_t, carrier=texts["carrier"],
        carrier_licence=texts["carrier_licence"], vehicle=texts["vehicle"], driver=texts["driver"],
        planned_on=planned_on, note=texts["note"] or "", direction="return", returned_from_id=original.id,
        created_at=now, created_by=principal.actor, updated_at=now)
    back.containers = [Container(code=container_code(number, c.sequence), sequence=c.sequence, packaging=c.packaging,
                                 quantity_t=c.quantity_t) for c in original.containers]
    session.add(back)
    session.flush()
    _record(session, back, None, principal=principal, action="plan", role=s.role, at=now,
            changes={"quantity_t": [None, back.quantity_t]}, containers=len(back.containers),
            returned_from=original.manifest_number)
    audit.record(session, actor=principal.actor, action="return", entity_type="shipment",
                 entity_key=str(original.id), changes={"returned_by": [None, number]},
                 context={"manifest_number": original.manifest_number, "return_manifest": number},
                 park_id=original.park_id)
    session.flush()
    session.refresh(original, ["returned_by"])
    return back


# --- transitions -----------------------------------------------------------------------------------

def _begin(session: Session, principal: Principal, shipment_id: int, action: str) -> tuple[Shipment, Match,
                                                                                               ShipmentStanding]:
    """Load and lock (match first, then the shipment), check visibility, role and state."""
    # The visibility probe needs only the shipment row (and its receiver's park): the relations are
    # loaded once, by the locked read below.
    probe = (session.scalar(select(Shipment).where(Shipment.id == shipment_id))
             if isinstance(shipment_id, int) and 0 < shipment_id <= MAX_ID else None)
    if probe is None or probe.status == DRAFT_STATUS or not shipment_standing(principal, probe).sees:
        raise _not_found(shipment_id)
    match = _lock_match(session, probe.match_id)
    shipment = _load(session, shipment_id, lock=True)
    if shipment is None or match is None:  # pragma: no cover - deleted under us
        raise _not_found(shipment_id)
    s = shipment_standing(principal, shipment)
    _authorise(s, action)
    return shipment, match, s


def _require_state(shipment: Shipment, action: str) -> None:
    if shipment.status not in FROM_STATES[action]:
        need = " or ".join(FROM_STATES[action])
        now_zh = STATUS_ZH.get(shipment.status, shipment.status)
        need_zh = "或".join(f"「{STATUS_ZH[x]}」" for x in FROM_STATES[action])
        raise Conflict(f"shipment {shipment.manifest_number} is {shipment.status}: cannot {action}, only from {need} "
                       f"(联单 {shipment.manifest_number} 当前为「{now_zh}」，不能{ACTION_ZH[action]})",
                       {"status": [(f"is {shipment.status}; {action} needs {need} "
                                   f"(当前为「{now_zh}」，仅{need_zh}的联单可{ACTION_ZH[action]})")]})


def _require_reason(action: str, reason: str | None) -> str:
    errors: dict[str, list[str]] = {}
    text = _texts(errors, reason=reason)["reason"]
    if errors:
        raise ValidationFailed(f"the reason is not valid ({action}) (原因格式有误)", errors)
    if not text:
        raise ValidationFailed(f"a reason is required to {action} (请填写{ACTION_ZH[action]}原因)",
                               {"reason": [f"required to {action} (请填写{ACTION_ZH[action]}原因)"]})
    return text


def dispatch(session: Session, principal: Principal, shipment_id: int, *, at: dt.datetime | None = None,
             now: dt.datetime | None = None) -> Shipment:
    """planned → dispatched (the producer or a coordinator); the match's first dispatch starts its transfer."""
    now = _clock(now)
    shipment, match, s = _begin(session, principal, shipment_id, "dispatch")
    _require_state(shipment, "dispatch")
    when = _check_at(at, now=now, previous=shipment.created_at, previous_name="planned")
    forward = shipment.direction == "forward"  # a return goes back whatever became of the match
    if forward and match.status not in SHIPPABLE_MATCH_STATUSES:
        raise Conflict(f"match {match.id} is {match.status}: cannot dispatch "
                       f"(匹配 {match.id} 当前为「{_match_state_zh(match.status)}」，不能发运)",
                       {"match": [_match_not_shippable(match.status)]})
    before = shipment.status
    shipment.status, shipment.dispatched_at, shipment.dispatched_by = "dispatched", when, principal.actor
    shipment.updated_at = now
    _record(session, shipment, before, principal=principal, action="dispatch", role=s.role, at=when)
    if forward and match.status == "approved":
        # The match's trail names the match-level role (offer_party, coordinator …), as its other transitions do.
        workflow._transition(session, match, "in_transfer", actor=principal.actor, action="start_transfer",
                             role=workflow.standing(principal, match).role, now=now,
                             reason=f"shipment {shipment.manifest_number} dispatched (已发运)", shipment=shipment.id)
    _refresh_alerts(session, shipment, now)
    return shipment


def receive(session: Session, principal: Principal, shipment_id: int, *, quantity_received_t: float,
            containers: dict[str, float] | None = None, at: dt.datetime | None = None, remark: str | None = None,
            now: dt.datetime | None = None) -> Shipment:
    """dispatched → received (the receiver or a coordinator), with the weighed tonnes; books the receiver's ledger.

    ``containers`` optionally gives the received tonnes per container code; when it names
    every container their sum must be ``quantity_received_t``, when only some, at most
    that. A receipt above or below what was dispatched is accepted (alerts flag it).
    """
    now = _clock(now)
    shipment, _match, s = _begin(session, principal, shipment_id, "receive")
    _require_state(shipment, "receive")
    when = _check_at(at, now=now, previous=shipment.dispatched_at, previous_name="dispatched")
    errors: dict[str, list[str]] = {}
    if quantity_received_t is None or not _nonnegative(quantity_received_t):
        errors["quantity_received_t"] = ["required: a number of tonnes, 0 or more (必填：吨数，不小于0)"]
    texts = _texts(errors, remark=remark)
    by_code = {c.code: c for c in shipment.containers}
    if containers is not None:
        problems = []
        if not isinstance(containers, Mapping):
            problems.append("must map container codes to received tonnes (须按容器编码填写接收吨数)")
        else:
            for code, q in containers.items():
                if code not in by_code:
                    problems.append(f"{code!r} is not a container of {shipment.manifest_number} "
                                    f"({code!r} 不是联单 {shipment.manifest_number} 的容器)")
                elif not _nonnegative(q):
                    problems.append(f"{code}: must be a number of tonnes, 0 or more ({code}：须为不小于 0 的吨数)")
            if not problems and "quantity_received_t" not in errors:
                total = sum(float(q) for q in containers.values())
                if len(containers) == len(by_code) and abs(total - quantity_received_t) > QUANTITY_EPS_T:
                    problems.append(f"the containers add up to {total:g} t, not {quantity_received_t:g} t "
                                    f"(容器合计 {total:g} 吨，与接收量 {quantity_received_t:g} 吨不符)")
                elif total > quantity_received_t + QUANTITY_EPS_T:
                    problems.append(f"the containers add up to {total:g} t, more than {quantity_received_t:g} t "
                                    f"(容器合计 {total:g} 吨，超过接收量 {quantity_received_t:g} 吨)")
        if problems:
            errors["containers"] = problems
    if errors:
        raise ValidationFailed("the receipt is not valid (接收信息有误): " + ", ".join(errors), errors)
    before = shipment.status
    shipment.status, shipment.received_at, shipment.received_by = "received", when, principal.actor
    shipment.quantity_received_t = float(quantity_received_t)
    for code, q in (containers or {}).items():
        by_code[code].quantity_received_t = float(q)
    if texts["remark"]:
        shipment.status_reason = texts["remark"]
    shipment.updated_at = now
    session.flush()

    entry = ledger.record_receipt(session, shipment, actor=principal.actor)
    _record(session, shipment, before, principal=principal, action="receive", role=s.role, at=when,
            reason=texts["remark"], changes={"quantity_received_t": [None, shipment.quantity_received_t]},
            dispatched_t=shipment.quantity_t, ledger_entry=getattr(entry, "id", None))
    _refresh_alerts(session, shipment, now)
    return shipment


def reject(session: Session, principal: Principal, shipment_id: int, *, reason: str, at: dt.datetime | None = None,
           now: dt.datetime | None = None) -> Shipment:
    """dispatched → rejected at the gate (the receiver or a coordinator); a reason is required."""
    now = _clock(now)
    shipment, _match, s = _begin(session, principal, shipment_id, "reject")
    text = _require_reason("reject", reason)
    _require_state(shipment, "reject")
    when = _check_at(at, now=now, previous=shipment.dispatched_at, previous_name="dispatched")
    before = shipment.status
    shipment.status, shipment.rejected_at, shipment.status_reason = "rejected", when, text
    shipment.updated_at = now
    _record(session, shipment, before, principal=principal, action="reject", role=s.role, at=when, reason=text)
    _refresh_alerts(session, shipment, now)
    return shipment


def close(session: Session, principal: Principal, shipment_id: int, *, at: dt.datetime | None = None,
          now: dt.datetime | None = None) -> Shipment:
    """received → closed (the receiver or a coordinator); the match completes when this was its last open one
    and ≥ 95 % of its quantity was received."""
    now = _clock(now)
    shipment, match, s = _begin(session, principal, shipment_id, "close")
    _require_state(shipment, "close")
    when = _check_at(at, now=now, previous=shipment.received_at, previous_name="received")
    before = shipment.status
    shipment.status, shipment.closed_at, shipment.closed_by = "closed", when, principal.actor
    shipment.updated_at = now
    _record(session, shipment, before, principal=principal, action="close", role=s.role, at=when)
    session.flush()
    if shipment.direction == "forward":
        _maybe_complete(session, match, principal=principal, now=now, shipment=shipment)
    _refresh_alerts(session, shipment, now)
    return shipment


def _maybe_complete(session: Session, match: Match, *, principal: Principal, now: dt.datetime,
                    shipment: Shipment) -> bool:
    if match.status != "in_transfer" or open_shipment_count(session, match.id):
        return False
    received = float(session.scalar(select(func.coalesce(func.sum(Shipment.quantity_received_t), 0.0)).where(
        Shipment.match_id == match.id, Shipment.status == "closed", Shipment.direction == "forward")) or 0.0)
    if received < match.quantity_t * COMPLETION_SHARE - QUANTITY_EPS_T:
        return False
    role = workflow.standing(principal, match).role
    workflow._transition(session, match, "completed", actor=principal.actor, action="complete", role=role, now=now,
                         reason=f"{received:g} t of {match.quantity_t:g} t received; last manifest "
                                f"{shipment.manifest_number} closed (转移完成)", shipment=shipment.id)
    return True


def cancel(session: Session, principal: Principal, shipment_id: int, *, reason: str,
           now: dt.datetime | None = None) -> Shipment:
    """planned → cancelled (the producer or a coordinator); a reason is required; frees its tonnes."""
    now = _clock(now)
    shipment, _match, s = _begin(session, principal, shipment_id, "cancel")
    text = _require_reason("cancel", reason)
    _require_state(shipment, "cancel")
    before = shipment.status
    shipment.status, shipment.status_reason, shipment.updated_at = "cancelled", text, now
    _record(session, shipment, before, principal=principal, action="cancel", role=s.role, at=now, reason=text)
    _refresh_alerts(session, shipment, now)
    return shipment


def apply_event(session: Session, principal: Principal, shipment_id: int, action: str, *,
                at: dt.datetime | None = None, quantity_received_t: float | None = None,
                containers: dict[str, float] | None = None, reason: str | None = None, remark: str | None = None,
                now: dt.datetime | None = None) -> Shipment:
    """One of ``ACTIONS`` by name (the API's and the CLI's single entry point)."""
    if action == "dispatch":
        return dispatch(session, principal, shipment_id, at=at, now=now)
    if action == "receive":
        return receive(session, principal, shipment_id, quantity_received_t=quantity_received_t,
                       containers=containers, at=at, remark=remark, now=now)
    if action == "reject":
        return reject(session, principal, shipment_id, reason=reason or remark, at=at, now=now)
    if action == "close":
        return close(session, principal, shipment_id, at=at, now=now)
    if action == "cancel":
        return cancel(session, principal, shipment_id, reason=reason or remark, now=now)
    raise ValidationFailed(f"unknown action {action!r} (无此操作 {action!r})",
                           {"action": [f"must be one of: {', '.join(ACTIONS)} (须为以下之一：{'、'.join(ACTIONS)})"]})


def open_shipment_count(session: Session, match_id: int) -> int:
    """How many shipments of the match are still under way (planned, dispatched or received)."""
    return int(session.scalar(select(func.count(Shipment.id)).where(
        Shipment.match_id == match_id, Shipment.status.in_(OPEN_SHIPMENT_STATUSES),
        Shipment.direction == "forward")) or 0)


# --- views -----------------------------------------------------------------------------------------

HIDDEN_ACTOR = workflow.HIDDEN_ACTOR


def actor_masker(session: Session, principal: Principal | None):
    """A function showing an actor name as ``principal`` may see it.

    Coordinators and admins see every actor. An enterprise user sees coordinators and
    their own enterprise's users; the other party's users stay anonymous (as in a match's
    history), though the other enterprise itself is disclosed by the approved match.
    """
    if principal is None or principal.role != "enterprise":
        return lambda actor: actor

    own = {f"enterprise:{e}" for e in session.scalars(select(User.email).where(
        User.enterprise_id == principal.enterprise_id))} | {principal.actor}
    return lambda actor: HIDDEN_ACTOR if actor and actor.startswith("enterprise:") and actor not in own else actor


def _link(other: Shipment | None) -> dict[str, Any] | None:
    return None if other is None else {"id": other.id, "manifest_number": other.manifest_number,
                                       "status": other.status}


def shipment_view(shipment: Shipment, mask=None) -> dict[str, Any]:
    """A shipment as the API and CLI show it (parties of an approved match are disclosed to each other);
    ``mask`` (from ``actor_masker``) hides the other party's user names."""
    mask = mask or (lambda actor: actor)
    producer, receiver = shipment.producer, shipment.receiver
    return {
        "id": shipment.id, "manifest_number": shipment.manifest_number, "match": shipment.match_id,
        "status": shipment.status, "status_zh": STATUS_ZH.get(shipment.status, shipment.status),
        "park": shipment.park.code if shipment.park is not None else None,
        "producer": {"id": producer.id, "ref": producer.ref, "name": producer.name},
        "receiver": {"id": receiver.id, "ref": receiver.ref, "name": receiver.name},
        "licence_number": shipment.licence_number, "waste_code": shipment.waste_code, "material": shipment.material,
        "quantity_t": shipment.quantity_t, "quantity_received_t": shipment.quantity_received_t,
        "carrier": shipment.carrier, "carrier_licence": shipment.carrier_licence, "vehicle": shipment.vehicle,
        "driver": shipment.driver, "planned_on": shipment.planned_on.isoformat() if shipment.planned_on else None,
        "dispatched_at": iso_utc(shipment.dispatched_at), "dispatched_by": mask(shipment.dispatched_by),
        "received_at": iso_utc(shipment.received_at), "received_by": mask(shipment.received_by),
        "closed_at": iso_utc(shipment.closed_at), "closed_by": mask(shipment.closed_by),
        "rejected_at": iso_utc(shipment.rejected_at), "status_reason": shipment.status_reason,
        "note": shipment.note or "", "direction": shipment.direction,
        "returned_from": _link(shipment.returned_from), "returned_by": _link(shipment.returned_by),
        "created_at": iso_utc(shipment.created_at),
        "created_by": mask(shipment.created_by),
        "updated_at": iso_utc(shipment.updated_at),
        "containers": [{"code": c.code, "sequence": c.sequence, "packaging": c.packaging,
                        "quantity_t": c.quantity_t, "quantity_received_t": c.quantity_received_t}
                       for c in shipment.containers],
    }


def history_query(shipment: Shipment) -> Select:
    """The shipment's transitions in the audit trail, oldest first."""

    return select(AuditEvent).where(AuditEvent.entity_type == "shipment", AuditEvent.entity_key == str(shipment.id),
                                    AuditEvent.action == "transition").order_by(AuditEvent.at, AuditEvent.id)


def shipment_history(session: Session, shipment: Shipment) -> list[AuditEvent]:
    """The shipment's transitions, oldest first (``history_query`` read whole: a manifest has a handful)."""
    return list(session.scalars(history_query(shipment)))


def event_view(event: Any, mask=None) -> dict[str, Any]:
    """One audited transition of a shipment; ``mask`` (from ``actor_masker``) hides the other party's users."""
    mask = mask or (lambda actor: actor)
    ctx = event.context or {}
    status = (event.changes or {}).get("status") or [None, None]
    return {"at": ctx.get("at") or iso_utc(event.at), "recorded_at": iso_utc(event.at), "actor": mask(event.actor),
            "action": ctx.get("action"), "role": ctx.get("role"), "from": status[0], "to": status[1],
            "reason": ctx.get("reason")}


# --- realised flows --------------------------------------------------------------------------------

@dataclass
class RealisedFlow:
    """What one match actually moved: received (and closed) shipments in a period."""

    match_id: int
    offer_id: int
    need_id: int
    producer_id: int
    receiver_id: int
    waste_code: str | None
    material: str
    tonnes: float
    shipments: int
    first_received: dt.date
    last_received: dt.date


def realised_flows(session: Session, *, park_id: int | None = None, start: dt.date | None = None,
                   end: dt.date | None = None) -> list[RealisedFlow]:
    """Tonnes received per match from received and closed shipments whose park day of receipt is in
    [``start``, ``end``] (both inclusive, either open); ``park_id`` keeps flows whose producer or receiver
    is in that park. Ordered by match id."""
    receiver = aliased(Enterprise)
    stmt = (select(Shipment, Match.offer_id, Match.need_id).join(Match, Shipment.match_id == Match.id)
            .join(receiver, Shipment.receiver_id == receiver.id)
            .where(Shipment.status.in_(REALISED_STATUSES), Shipment.received_at.is_not(None),
                   Shipment.direction == "forward"))  # a load sent back was not used
    if park_id is not None:
        stmt = stmt.where(or_(Shipment.park_id == park_id, receiver.park_id == park_id))
    if start is not None:
        stmt = stmt.where(Shipment.received_at >= park_day_start(start))
    if end is not None:
        stmt = stmt.where(Shipment.received_at < park_day_start(end + dt.timedelta(days=1)))
    flows: dict[int, RealisedFlow] = {}
    for shipment, offer_id, need_id in session.execute(stmt.order_by(Shipment.match_id, Shipment.received_at)):
        day = park_date(shipment.received_at)
        f = flows.get(shipment.match_id)
        if f is None:
            flows[shipment.match_id] = RealisedFlow(
                match_id=shipment.match_id, offer_id=offer_id, need_id=need_id, producer_id=shipment.producer_id,
                receiver_id=shipment.receiver_id, waste_code=shipment.waste_code, material=shipment.material,
                tonnes=float(shipment.quantity_received_t or 0.0), shipments=1, first_received=day, last_received=day)
        else:
            f.tonnes += float(shipment.quantity_received_t or 0.0)
            f.shipments += 1
            f.first_received, f.last_received = min(f.first_received, day), max(f.last_received, day)
    return [flows[k] for k in sorted(flows)]


__all__ = ["ACTIONS", "COMPLETION_SHARE", "Plannable", "RealisedFlow", "actor_masker", "apply_event", "cancel",
           "close", "container_code", "create_return", "create_shipment", "dispatch", "event_view",
           "filtered_shipments", "find_container", "get_by_manifest", "get_shipment", "history_query",
           "next_manifest_number", "open_shipment_count", "open_shipments", "plannable", "realised_flows", "receive",
           "reject", "shipment_history", "shipment_view", "visible_shipments"]


def open_shipments(session: Session, principal: Principal) -> Select:
    """The visible shipments not yet closed (planned, dispatched or received), newest first."""
    return filtered_shipments(session, principal).where(Shipment.status.in_(OPEN_SHIPMENT_STATUSES))


def list_shipments(session: Session, principal: Principal, *, limit: int | None = None,
                   **filters: Any) -> list[Shipment]:
    """The shipments ``principal`` may see, filtered as ``filtered_shipments`` filters them, newest first
    (the first ``limit`` of them when given).

    Loaded with their containers, parties and match (``LOAD_OPTIONS``), ready for ``shipment_view`` and the
    manifest exports."""
    stmt = filtered_shipments(session, principal, **filters).options(*LOAD_OPTIONS)
    return list(session.scalars(stmt if limit is None else stmt.limit(limit)))
