"""Correction requests of an electronic manifest (联单更正申请), as e-manifest users ask for them.

A manifest records what was typed at planning, dispatch and receipt; when a figure or a name turns out
wrong (a mistyped weight, the wrong plate, the wrong HW code), the manifest is not edited in place: a party
of the shipment (a user of its producer or receiver) or a coordinator of either park **requests** a
correction — the fields (``CORRECTABLE_FIELDS``) with their proposed values and a reason — and a
coordinator of the producer's park (the one that numbered the manifest), or an admin, **approves** or
**rejects** it, never the one who asked. One request may be open per shipment; a cancelled shipment takes
none. Each value is checked as planning and receipt check it.

On approval the changes are applied to the shipment: a corrected ``quantity_t`` scales its containers (they
add up to it, as at planning) and may not exceed what the match has left; a corrected
``quantity_received_t`` corrects the containers' received tonnes and the receiver's ledger entry of that
shipment (``ledger.record_receipt`` books it with ``shipment_id``; a receipt of 0 t booked none, so one is
booked now); a corrected ``waste_code`` corrects that entry's code too; the shipment's alerts are
re-evaluated as after a receipt. Everything is audited with before and after, and both parties and the
coordinators are told (the ``shipment_event`` notice). A rejection changes nothing but the request.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.waste_codes import is_hw_code, normalize_hw_code

from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...models import CORRECTABLE_FIELDS, DRAFT_STATUS, LedgerEntry, ManifestCorrection, Shipment
from ...models.base import MAX_ID, iso_utc
from ..accounts import audit
from ..accounts.users import Principal
from ..listings.listings import _check_code
from ..matching import notifications
from . import ledger, transfers

REASON_LIMIT = 2000
DECISIONS = ("approve", "reject")
# Receipt fields can only be corrected once there is a receipt.
RECEIVED_STATES = ("received", "closed")
TEXT_FIELDS = ("carrier", "carrier_licence", "vehicle", "driver")
CORRECTION_STATUS_ZH = {"requested": "待审核", "approved": "已批准", "rejected": "已驳回"}


@dataclass(frozen=True)
class _Loaded:
    shipment: Shipment
    standing: transfers.ShipmentStanding


def _locked(session: Session, principal: Principal, shipment_id: Any) -> _Loaded:
    """The shipment locked (its match first, as every manifest writer does), if ``principal`` sees it."""
    probe = (session.scalar(select(Shipment).where(Shipment.id == shipment_id))
             if isinstance(shipment_id, int) and 0 < shipment_id <= MAX_ID else None)
    if probe is None or probe.status == DRAFT_STATUS or not transfers.shipment_standing(principal, probe).sees:
        raise transfers._not_found(shipment_id)
    transfers._lock_match(session, probe.match_id)
    shipment = transfers._load(session, shipment_id, lock=True)
    if shipment is None:  # pragma: no cover - deleted under us
        raise transfers._not_found(shipment_id)
    return _Loaded(shipment, transfers.shipment_standing(principal, shipment))


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _read(shipment: Shipment, field: str, value: Any, errors: dict[str, list[str]]) -> Any:
    """The proposed ``value`` of ``field`` as the shipment stores it (errors collected by field)."""
    if field == "quantity_t":
        if not transfers._positive(value):
            errors[field] = ["must be a number above 0 (须为大于 0 的数)"]
        return float(value) if transfers._positive(value) else None
    if field == "quantity_received_t":
        if shipment.status not in RECEIVED_STATES:
            errors[field] = [(f"the shipment is {shipment.status}: there is no receipt to correct "
                             f"(联单当前为「{transfers.STATUS_ZH.get(shipment.status, shipment.status)}」，"
                             f"尚未接收，无接收量可更正)")]
        elif not transfers._positive(value):
            errors[field] = [("must be a number of tonnes above 0; a load not taken is rejected, not received at 0 "
                              "(须为大于 0 的吨数)")]
        return float(value) if transfers._positive(value) else None
    if field == "waste_code":
        code = normalize_hw_code(value) if isinstance(value, str) else None
        if not code or not is_hw_code(code):
            errors[field] = ["must be an HW code NNN-NNN-NN of the 国家危险废物名录 (须为危险废物代码)"]
        return code
    if field == "planned_on":
        if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            pass
        errors[field] = ["must be a date YYYY-MM-DD (须为日期)"]
        return None
    return transfers._texts(errors, **{field: value})[field]


def _check_changes(session: Session, shipment: Shipment, changes: Any) -> dict[str, list[Any]]:
    """``{field: [current, proposed]}`` (JSON values) from ``{field: proposed}``, every value checked."""
    if not isinstance(changes, Mapping) or not changes:
        raise ValidationFailed("name at least one field to correct (请填写要更正的字段)",
                               {"changes": [(f"one or more of: {', '.join(CORRECTABLE_FIELDS)} "
                                            f"(须为以下一项或多项：{'、'.join(CORRECTABLE_FIELDS)})")]})
    errors: dict[str, list[str]] = {}
    out: dict[str, list[Any]] = {}
    for field, value in changes.items():
        if field not in CORRECTABLE_FIELDS:
            errors[str(field)] = [(f"cannot be corrected; one of: {', '.join(CORRECTABLE_FIELDS)} "
                                  f"(此字段不可更正；可更正的字段：{'、'.join(CORRECTABLE_FIELDS)})")]
            continue
        proposed = _read(shipment, field, value, errors)
        if field in errors:
            continue
        current = getattr(shipment, field)
        if proposed == current:
            errors[field] = ["is already this value (与现值相同)"]
            continue
        out[field] = [_json(current), _json(proposed)]
    if "waste_code" in out and "waste_code" not in errors:
        try:
            _check_code(session, out["waste_code"][1])
        except ValidationFailed as exc:
            errors.update(exc.errors or {})
    if "quantity_t" in out and shipment.direction == "forward" and shipment.status != "rejected":
        left = shipment.match.quantity_t - transfers._counted_t(session, shipment.match_id, excluding=shipment.id)
        if out["quantity_t"][1] > left + transfers.QUANTITY_EPS_T:
            errors["quantity_t"] = [(f"at most {max(left, 0.0):.3f} t left on match {shipment.match_id} "
                                     f"(该匹配最多还剩 {max(left, 0.0):.3f} 吨)")]
    if errors:
        raise ValidationFailed("the correction is not valid (更正内容有误): " + ", ".join(errors), errors)
    return out


def _text(value: Any, name: str, *, required: bool) -> str | None:
    errors: dict[str, list[str]] = {}
    if value is not None and not isinstance(value, str):
        errors[name] = ["must be text"]
    elif value is not None and "\x00" in value:
        errors[name] = ["must not contain NUL characters (不得含 NUL 字符)"]
    elif value is not None and len(value.strip()) > REASON_LIMIT:
        errors[name] = [f"at most {REASON_LIMIT} characters (最多 {REASON_LIMIT} 个字符)"]
    elif required and not (value or "").strip():
        errors[name] = ["required (请填写)"]
    if errors:
        label = "原因" if name == "reason" else "说明"
        zh = f"请填写{label}" if errors[name][0].startswith("required") else f"{label}有误"
        raise ValidationFailed(f"the {name} is not valid ({zh})", errors)
    return (value or "").strip() or None


def _open_request(session: Session, shipment_id: int) -> ManifestCorrection | None:
    return session.scalar(select(ManifestCorrection).where(ManifestCorrection.shipment_id == shipment_id,
                                                           ManifestCorrection.status == "requested"))


def request_correction(session: Session, principal: Principal, shipment_id: int, *, changes: Mapping[str, Any],
                       reason: str, now: dt.datetime | None = None) -> ManifestCorrection:
    """Ask for a correction of the shipment's manifest: ``changes`` maps fields to proposed values.

    NotFound for a shipment the principal cannot see; Forbidden for anybody but a user of its producer or
    receiver or a coordinator of either park; Conflict on a cancelled shipment or while another request is
    open; ValidationFailed for an unknown field, a value the planning or receipt would refuse, a value equal
    to the current one, or a missing or over-long reason.
    """
    now = transfers._clock(now)
    loaded = _locked(session, principal, shipment_id)
    # Who sees the shipment may ask: its parties' users and the coordinators of either park (anybody else
    # was told by _locked that it does not exist).
    shipment, s = loaded.shipment, loaded.standing
    if shipment.status == "cancelled":
        raise Conflict(f"shipment {shipment.manifest_number} is cancelled: nothing to correct (已取消的联单不可更正)",
                       {"status": ["is cancelled (联单已取消)"]})
    text = _text(reason, "reason", required=True)
    diff = _check_changes(session, shipment, changes)
    pending = _open_request(session, shipment.id)
    if pending is not None:
        raise Conflict(f"correction {pending.id} of {shipment.manifest_number} is still awaiting a decision "
                       f"(已有待审核的更正申请 {pending.id})",
                       {"correction": [f"request {pending.id} is open (更正申请 {pending.id} 尚待审核)"]})
    correction = ManifestCorrection(shipment_id=shipment.id, status="requested", changes=diff, reason=text,
                                    requested_by=principal.actor, requested_at=now)
    session.add(correction)
    session.flush()
    audit.record(session, actor=principal.actor, action="correction.request", entity_type="shipment",
                 entity_key=str(shipment.id), changes=diff,
                 context={"correction": correction.id, "reason": text, "role": s.role,
                          "manifest_number": shipment.manifest_number}, park_id=shipment.park_id)
    notifications.notify_shipment_event(session, shipment, "correction_requested", actor=principal.actor,
                                        actor_enterprise_id=principal.enterprise_id)
    return correction


def _scale(values: list[float], total: float) -> list[float]:
    """``values`` scaled to add up to ``total`` (the last one takes the rounding)."""
    old = sum(values)
    if old <= 0:
        return [total / len(values)] * len(values)
    out = [v * total / old for v in values[:-1]]
    return [*out, total - sum(out)]


def _apply(session: Session, principal: Principal, shipment: Shipment, diff: dict[str, list[Any]],
           now: dt.datetime) -> dict[str, list[Any]]:
    """Write the proposed values; returns what changed in the ledger (``{column: [before, after]}``)."""
    for field, (_current, proposed) in diff.items():
        value = dt.date.fromisoformat(proposed) if field == "planned_on" and proposed else proposed
        setattr(shipment, field, value)
    containers = list(shipment.containers)
    if "quantity_t" in diff and containers:
        for c, q in zip(containers, _scale([c.quantity_t for c in containers], shipment.quantity_t), strict=True):
            c.quantity_t = q
    if "quantity_received_t" in diff and containers:
        received = [c.quantity_received_t for c in containers]
        if all(q is not None for q in received) or len(containers) == 1:
            base = [q if q is not None else c.quantity_t for q, c in zip(received, containers, strict=True)]
            for c, q in zip(containers, _scale(base, shipment.quantity_received_t), strict=True):
                c.quantity_received_t = q
    shipment.updated_at = now
    session.flush()
    booked: dict[str, list[Any]] = {}
    if {"quantity_received_t", "waste_code"} & diff.keys() and shipment.status in RECEIVED_STATES:
        entry = session.scalar(select(LedgerEntry).where(LedgerEntry.shipment_id == shipment.id,
                                                         LedgerEntry.direction == "in"))
        if entry is None and "quantity_received_t" in diff:
            created = ledger.record_receipt(session, shipment, actor=principal.actor)
            if created is not None:
                booked = {"ledger_entry": [None, created.id], "quantity_t": [None, created.quantity_t]}
        elif entry is not None:
            changes = {}
            if "quantity_received_t" in diff and entry.quantity_t != shipment.quantity_received_t:
                changes["quantity_t"] = [entry.quantity_t, shipment.quantity_received_t]
                entry.quantity_t = float(shipment.quantity_received_t)
            if "waste_code" in diff and entry.waste_code != shipment.waste_code:
                changes["waste_code"] = [entry.waste_code, shipment.waste_code]
                entry.waste_code = shipment.waste_code
            if changes:
                audit.record(session, actor=principal.actor, action="ledger.correct", entity_type="ledger_entry",
                             entity_key=str(entry.id), changes=changes,
                             context={"shipment_id": shipment.id, "manifest_number": shipment.manifest_number},
                             park_id=shipment.receiver.park_id if shipment.receiver is not None else None)
                booked = {"ledger_entry": [entry.id, entry.id], **changes}
    return booked


def decide_correction(session: Session, principal: Principal, shipment_id: int, correction_id: int, *,
                      decision: str, note: str | None = None, now: dt.datetime | None = None) -> ManifestCorrection:
    """Approve (apply the changes) or reject (change nothing but the request) an open correction.

    A coordinator of the producer's park or an admin decides, never the user who asked (Forbidden);
    NotFound for a shipment or request the principal cannot see; Conflict when the request was already
    decided, or the shipment changed since it was asked (a field no longer holds the value it was asked
    against, the shipment cancelled); a rejection needs a note. The approved values are checked again.
    """
    now = transfers._clock(now)
    if decision not in DECISIONS:
        raise ValidationFailed(f"unknown decision {decision!r} (无此决定 {decision!r})",
                               {"decision": ["approve or reject (须为批准 approve 或驳回 reject)"]})
    loaded = _locked(session, principal, shipment_id)
    shipment = loaded.shipment
    correction = (session.get(ManifestCorrection, correction_id, with_for_update=True)
                  if isinstance(correction_id, int) and 0 < correction_id <= MAX_ID else None)
    if correction is None or correction.shipment_id != shipment.id:
        raise NotFound(f"no correction {correction_id} of shipment {shipment_id} (无此更正申请 {correction_id})",
                       {"correction": [(f"no correction {correction_id} of this shipment "
                                       f"(此联单无更正申请 {correction_id})")]})
    if not principal.coordinates(shipment.park_id):
        raise Forbidden("only a coordinator of the producer's park (or an admin) decides a correction "
                        "(仅产生单位所在园区的管理者可审核更正)",
                        {"decision": ["requires the producer's park coordinator (须由产生单位所在园区的管理者审核)"]})
    if correction.requested_by == principal.actor:
        raise Forbidden("a correction is decided by somebody other than who asked for it (申请人不能审核自己的更正)",
                        {"decision": ["you asked for this correction (您是此更正的申请人)"]})
    if correction.status != "requested":
        status_zh = CORRECTION_STATUS_ZH.get(correction.status, correction.status)
        raise Conflict(f"correction {correction.id} is already {correction.status} (该更正已处理：{status_zh})",
                       {"status": [f"is {correction.status} ({status_zh})"]})
    text = _text(note, "note", required=decision == "reject")
    booked: dict[str, list[Any]] = {}
    if decision == "approve":
        if shipment.status == "cancelled":
            raise Conflict(f"shipment {shipment.manifest_number} was cancelled since (联单已取消)",
                           {"status": ["is cancelled (联单已取消)"]})
        stale = [f for f, (current, _p) in correction.changes.items() if _json(getattr(shipment, f)) != current]
        if stale:
            raise Conflict(f"the manifest changed since the correction was asked: {', '.join(stale)} "
                           f"(联单已变更，请重新申请：{'、'.join(stale)})",
                           {f: ["changed since the request (申请后已变更)"] for f in stale})
        diff = _check_changes(session, shipment, {f: p for f, (_c, p) in correction.changes.items()})
        booked = _apply(session, principal, shipment, diff, now)
    correction.status = "approved" if decision == "approve" else "rejected"
    correction.decided_by, correction.decided_at, correction.decision_note = principal.actor, now, text
    session.flush()
    audit.record(session, actor=principal.actor, action=f"correction.{correction.status}", entity_type="shipment",
                 entity_key=str(shipment.id), changes=correction.changes if decision == "approve" else {},
                 context={"correction": correction.id, "note": text, "requested_by": correction.requested_by,
                          "manifest_number": shipment.manifest_number, "ledger": booked}, park_id=shipment.park_id)
    event = "correct" if decision == "approve" else "correction_rejected"
    notifications.notify_shipment_event(session, shipment, event, actor=principal.actor,
                                        actor_enterprise_id=principal.enterprise_id)
    if decision == "approve" and {"quantity_t", "quantity_received_t"} & correction.changes.keys():
        transfers._refresh_alerts(session, shipment, now)
    return correction


def list_corrections(session: Session, principal: Principal, shipment_id: int) -> list[ManifestCorrection]:
    """The shipment's correction requests, oldest first (NotFound when the shipment is not visible)."""
    shipment = transfers.get_shipment(session, principal, shipment_id)
    return list(session.scalars(select(ManifestCorrection).where(ManifestCorrection.shipment_id == shipment.id)
                                .order_by(ManifestCorrection.id)))


def may_decide(principal: Principal, shipment: Shipment, correction: ManifestCorrection) -> bool:
    """Whether ``principal`` may approve or reject ``correction`` (the page shows the buttons by it)."""
    return (correction.status == "requested" and principal.coordinates(shipment.park_id)
            and correction.requested_by != principal.actor)


def correction_view(correction: ManifestCorrection, mask=None) -> dict[str, Any]:
    """A correction request as the API, CLI and page show it; ``mask`` hides the other party's users."""
    mask = mask or (lambda actor: actor)
    return {"id": correction.id, "shipment": correction.shipment_id, "status": correction.status,
            "changes": {f: list(v) for f, v in correction.changes.items()}, "reason": correction.reason,
            "requested_by": mask(correction.requested_by), "requested_at": iso_utc(correction.requested_at),
            "decided_by": mask(correction.decided_by), "decided_at": iso_utc(correction.decided_at),
            "decision_note": correction.decision_note}


__all__ = ["DECISIONS", "correction_view", "decide_correction", "list_corrections", "may_decide",
           "request_correction"]
