"""Push notifications: the park platform "pushes upstream and downstream recommendations".

A new listing notifies the enterprises whose active listings it fits best; a match
event notifies both parties (and the park's coordinators when it needs them). Each
notice is written already anonymised for its recipient: an enterprise never learns
who is behind another enterprise's listing until both parties of a match accepted.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from catalog.waste_codes import category_of, is_hw_code

from ...errors import NotFound
from ...models import Enterprise, Listing, Match, Notification, User, user_parks
from ...models.base import utcnow
from ..accounts.disclosure import Redactor, listing_view, match_disclosed, sees_identity, shown_distance
from ..accounts.users import Principal, principal_of

# How many of the new listing's best counterparts are told about it.
LISTING_FIT_TOP = 5
KIND_ZH = {"offer": "供给", "need": "需求"}
KIND_EN = {"offer": "offer", "need": "need"}
STATUS_TEXT = {
    "proposed": ("新的匹配建议", "new match proposed"),
    "accepted": ("双方已接受，待园区审批", "both parties accepted; awaiting the coordinator's approval"),
    "declined": ("已被拒绝", "declined"),
    "approved": ("园区已批准", "approved by the coordinator"),
    "rejected": ("园区已驳回", "rejected by the coordinator"),
    "in_transfer": ("转移中", "in transfer"),
    "completed": ("已完成", "completed"),
    "cancelled": ("已取消", "cancelled"),
    "expired": ("已过期", "expired"),
    "superseded": ("已被新的匹配取代", "superseded by a newer match run"),
}
EVENT_TEXT = {
    # One side accepted (both is the "accepted" state): which one, and that the other is awaited.
    "accept_offer": ("供给方已接受，等待需求方", "the offer's holder accepted; waiting for the need's"),
    "accept_need": ("需求方已接受，等待供给方", "the need's holder accepted; waiting for the offer's"),
    "clear_acceptances": ("数量已变更，需双方重新确认", "the quantity changed: both parties must accept again"),
    # The reminder job (``reminders``): a proposal nobody on this side has answered.
    "remind": ("仍在等待您的答复，请接受或拒绝", "still waiting for your answer: accept or decline it"),
}
# What an anonymised summary of a listing shows (listing_view's anonymous fields, minus the bulky ones).
SUMMARY_FIELDS = ("id", "kind", "title", "title_zh", "waste_code", "hw_category", "hazardous", "ewc_code", "form",
                  "forms", "purpose", "quantity_t", "period", "annual_t", "park", "district", "industry",
                  "industry_name", "distance_km", "distance_band")
MATCH_EVENT_KINDS = {"propose": "match_proposed", "proposed": "match_proposed", "remind": "match_proposed"}




def _category(code: str | None) -> str:
    if code and is_hw_code(code):
        return category_of(code)
    return "一般工业固体废物 general solid waste"


def _summary(listing: Listing, *, origin: tuple[float, float] | None) -> dict[str, Any]:
    """The anonymised view of a listing, trimmed to what a notice needs."""
    view = listing_view(listing, identified=False, origin=origin)
    out = {k: view.get(k) for k in SUMMARY_FIELDS}
    out["category"] = _category(listing.waste_code)
    return out


def _own(listing: Listing) -> dict[str, Any]:
    """The recipient's own listing (they may see all of it)."""
    return {"id": listing.id, "ref": listing.ref, "kind": listing.kind, "title": listing.title,
            "title_zh": listing.title_zh}


def _site(ent: Enterprise) -> tuple[float, float]:
    return (ent.lat, ent.lon)


def _label(listing_doc: dict[str, Any]) -> tuple[str, str]:
    en = listing_doc.get("title") or listing_doc.get("title_zh") or f"#{listing_doc.get('id')}"
    return listing_doc.get("title_zh") or en, en


def notify_listing_fit(session: Session, listing: Listing, recs: list[dict[str, Any]]) -> int:
    """Tell the enterprises behind ``recs`` (the new listing's best legal counterparts, best first) about it.

    Each enterprise gets one ``listing_fit`` notice about its best-fitting listing,
    anonymised (no name, ref, coordinates or licence of the new listing's owner). The
    owner is never notified, nor an enterprise already told about it. Returns how many were.
    """
    if not recs:
        return 0
    theirs = {x.ref: x for x in session.scalars(
        select(Listing).where(Listing.ref.in_([r["listing"] for r in recs]))
        .options(selectinload(Listing.enterprise)))}
    already = set(session.scalars(select(Notification.enterprise_id).where(
        Notification.kind == "listing_fit", Notification.listing_id == listing.id)))
    sent = 0
    for rec in recs:  # best first: the first listing of an enterprise is the one it is told about
        own = theirs.get(rec["listing"])
        if own is None or own.enterprise_id == listing.enterprise_id or own.enterprise_id in already:
            continue
        already.add(own.enterprise_id)
        summary = _summary(listing, origin=_site(own.enterprise))
        summary.update(shown_distance(float(rec["distance_km"]), identified=False))  # its band, as listings show
        new_zh, new_en = _label(summary)
        own_doc = _own(own)
        own_zh, own_en = _label(own_doc)
        message = (f"新{KIND_ZH[listing.kind]}「{new_zh}」与您的{KIND_ZH[own.kind]}「{own_zh}」匹配"
                   f"（相距 {summary['distance_band']}，评分 {rec['score']:,.0f}） / "
                   f"A new {KIND_EN[listing.kind]} \"{new_en}\" fits your {KIND_EN[own.kind]} \"{own_en}\" "
                   f"({summary['distance_band']} away, score {rec['score']:,.0f})")
        # Only what comes from the new listing is scrubbed (listing_view already did): scrubbing the recipient's
        # own text too would answer "is this the name I wrote in my title?" about the hidden owner.
        data = {"listing": summary, "own_listing": own_doc, "score": rec["score"], "weight": rec["weight"],
                "quantity_t": rec["quantity_t"], "distance_km": summary["distance_km"], "message": message}
        if rec.get("approval_probability") is not None:
            data["approval_probability"] = rec["approval_probability"]
        session.add(Notification(enterprise_id=own.enterprise_id, kind="listing_fit", listing_id=listing.id,
                                 own_listing_id=own.id, score=float(rec["score"]), data=data))
        sent += 1
    session.flush()
    return sent


def _status_text(match: Match, event: str) -> tuple[str, str]:
    if match.status == "proposed" and event == "accept":
        return EVENT_TEXT["accept_offer" if match.offer_accepted_at is not None else "accept_need"]
    if match.status == "proposed" and event in EVENT_TEXT:
        return EVENT_TEXT[event]
    return STATUS_TEXT.get(match.status, (match.status, match.status))


def _by_role(actor: str) -> str:
    """Who acted, as a role only: an actor string names a user's email."""
    role = (actor or "").split(":", 1)[0]
    return role if role in ("enterprise", "coordinator", "admin") else "system"


def _party_notice(match: Match, event: str, actor: str, own: Listing, other: Listing, side: str) -> Notification:
    disclosed = match_disclosed(match)
    counterpart = listing_view(other, identified=disclosed, origin=_site(own.enterprise))
    if not disclosed:
        counterpart = {k: counterpart.get(k) for k in SUMMARY_FIELDS} | {"category": _category(other.waste_code)}
    own_doc = _own(own)
    zh, en = _status_text(match, event)
    own_zh, own_en = _label(own_doc)
    other_zh, other_en = _label(counterpart)  # already anonymised by listing_view when not disclosed
    reason = match.status_reason
    if not disclosed:
        # The reason may name the counterpart; the recipient's own listing is not scrubbed, or its title
        # would tell whether a name written there is the hidden counterpart's.
        redact = Redactor()
        redact.hide_listing(other)
        reason = redact(reason)
    data = {"match_id": match.id, "event": event, "status": match.status, "side": side, "by": _by_role(actor),
            "quantity_t": match.quantity_t, "weight": match.weight, "score": match.score,
            **shown_distance(match.distance_km, identified=disclosed),
            "accepted": {"offer": match.offer_accepted_at is not None, "need": match.need_accepted_at is not None},
            "reason": reason, "own_listing": own_doc, "counterpart": counterpart,
            "identified": disclosed,
            "message": f"匹配 #{match.id}（您的「{own_zh}」↔「{other_zh}」）：{zh} / "
                       f"Match #{match.id} (your \"{own_en}\" ↔ \"{other_en}\"): {en}"}
    return Notification(enterprise_id=own.enterprise_id, kind=MATCH_EVENT_KINDS.get(event, "match_transition"),
                        listing_id=other.id, own_listing_id=own.id, match_id=match.id, score=match.score, data=data)


def _coordinator_notice(match: Match, event: str, user: User) -> Notification:
    principal = principal_of(user)
    views, redact = {}, Redactor()
    for side, listing in (("offer", match.offer), ("need", match.need)):
        seen = sees_identity(principal, listing)
        views[side] = listing_view(listing, identified=seen)
        if not seen:
            redact.hide_listing(listing)
    zh, en = _status_text(match, event)
    o_zh, o_en = _label(views["offer"])
    n_zh, n_en = _label(views["need"])
    data = {"match_id": match.id, "event": event, "status": match.status, "needs": "approval",
            "quantity_t": match.quantity_t, "weight": match.weight, "score": match.score,
            "distance_km": match.distance_km, "licence": match.licence_number, "exemption": match.exemption,
            "offer": views["offer"], "need": views["need"],
            "message": f"匹配 #{match.id}（「{o_zh}」→「{n_zh}」）：{zh}，请审批 / "
                       f"Match #{match.id} (\"{o_en}\" → \"{n_en}\"): {en}; please approve or reject"}
    return Notification(user_id=user.id, kind="match_transition", listing_id=match.offer_id,
                        own_listing_id=match.need_id, match_id=match.id, score=match.score, data=redact(data))


def _coordinators(session: Session, park_ids: set[int]) -> list[User]:
    if not park_ids:
        return []
    return list(session.scalars(
        select(User).join(user_parks, user_parks.c.user_id == User.id)
        .where(User.role == "coordinator", User.active.is_(True), user_parks.c.park_id.in_(park_ids))
        .options(selectinload(User.parks), selectinload(User.enterprise)).distinct().order_by(User.id)))


def actor_enterprise_id(session: Session, actor: str) -> int | None:
    """The enterprise of an enterprise user's actor string (``enterprise:<email>``), else None."""
    role, _, email = (actor or "").partition(":")
    if role != "enterprise" or not email:
        return None
    return session.scalar(select(User.enterprise_id).where(User.email == email))


def notify_match_event(session: Session, match: Match, event: str, *, actor: str) -> int:
    """Tell the parties (and coordinators) of ``match`` that ``event`` happened; returns how many notices.

    Each party's enterprise gets a notice anonymised for it until both accepted; when
    the match awaits approval (both accepted), every coordinator of the parks involved
    gets one too (identities shown only for listings in their parks). Nobody is told of
    their own act: the acting enterprise and the acting coordinator get no notice.
    """
    offer = match.offer if match.offer is not None else session.get(Listing, match.offer_id)
    need = match.need if match.need is not None else session.get(Listing, match.need_id)
    if offer is None or need is None:
        raise NotFound(f"match {match.id} refers to a missing listing (匹配 {match.id} 所指的信息不存在)",
                       {"match": ["listing not found (信息不存在)"]})
    acting = actor_enterprise_id(session, actor)
    notices = []
    if offer.enterprise_id != acting:
        notices.append(_party_notice(match, event, actor, offer, need, "offer"))
    if need.enterprise_id not in (offer.enterprise_id, acting):
        notices.append(_party_notice(match, event, actor, need, offer, "need"))
    if match.status == "accepted":
        parks = {x.enterprise.park_id for x in (offer, need) if x.enterprise.park_id is not None}
        notices += [_coordinator_notice(match, event, u) for u in _coordinators(session, parks)
                    if actor != f"coordinator:{u.email}"]
    # Added, not flushed: the next query or the transaction's end writes them. A park run records thousands of
    # proposals in a row: a flush per proposal cost 13 s of the 35 s a 10k x 10k park's first run spent storing.
    session.add_all(notices)
    return len(notices)


def notify_match_reminder(session: Session, match: Match, *, actor: str = "system:reminder") -> int:
    """Remind each party of a proposed match that has not answered it yet; returns how many notices.

    A ``match_proposed`` notice (event ``remind``), anonymised for its recipient as every party notice.
    """
    offer, need = match.offer, match.need
    notices = []
    if match.offer_accepted_at is None:
        notices.append(_party_notice(match, "remind", actor, offer, need, "offer"))
    if match.need_accepted_at is None and need.enterprise_id != offer.enterprise_id:
        notices.append(_party_notice(match, "remind", actor, need, offer, "need"))
    session.add_all(notices)
    session.flush()
    return len(notices)


# --- reading ----------------------------------------------------------------------------------------------------

def visible_to(principal: Principal):
    """The SQL condition for the notices a principal reads: their enterprise's and their own."""
    conditions = []
    if principal.user_id is not None:
        conditions.append(Notification.user_id == principal.user_id)
    if principal.role == "enterprise" and principal.enterprise_id is not None:
        conditions.append(Notification.enterprise_id == principal.enterprise_id)
    return or_(*conditions) if conditions else Notification.id.is_(None)


def list_query(principal: Principal, *, unread: bool | None = None):
    """The principal's notices, newest first (optionally only unread or only read ones)."""
    stmt = select(Notification).where(visible_to(principal))
    if unread is True:
        stmt = stmt.where(Notification.read_at.is_(None))
    elif unread is False:
        stmt = stmt.where(Notification.read_at.is_not(None))
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc())


def mark_read(session: Session, principal: Principal, notification_id: int) -> Notification:
    """Mark one of the principal's notices read (404 for anyone else's, so ids reveal nothing)."""
    row = session.scalar(select(Notification).where(Notification.id == notification_id, visible_to(principal)))
    if row is None:
        raise NotFound(f"no notification {notification_id} (通知不存在)",
                       {"notification_id": ["unknown notification (无此通知)"]})
    if row.read_at is None:
        row.read_at = utcnow()
        session.flush()
    return row


def mark_all_read(session: Session, principal: Principal) -> int:
    """Mark every unread notice of the principal read; returns how many."""
    result = session.execute(update(Notification).where(visible_to(principal), Notification.read_at.is_(None))
                             .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)


def notification_dict(n: Notification) -> dict[str, Any]:
    """A notice as the API shows it (its data was anonymised for the recipient when written)."""
    return {"id": n.id, "kind": n.kind, "created_at": n.created_at.isoformat() if n.created_at else None,
            "read": n.read_at is not None, "read_at": n.read_at.isoformat() if n.read_at else None,
            "listing_id": n.listing_id, "own_listing_id": n.own_listing_id, "match_id": n.match_id,
            "score": n.score, "data": n.data or {},
            "message": (n.data or {}).get("message", "")}


SHIPMENT_EVENT_TEXT = {
    "plan": ("已创建转移联单", "manifest created"), "dispatch": ("已发运", "dispatched"),
    "receive": ("已接收", "received"), "reject": ("被拒收", "rejected at the gate"),
    "close": ("已办结", "closed"), "cancel": ("已取消", "cancelled"),
    "correction_requested": ("申请更正联单", "correction requested"), "correct": ("联单已更正", "manifest corrected"),
    "correction_rejected": ("更正申请被驳回", "correction request rejected"),
}


def notify_shipment_event(session: Session, shipment: Any, event: str, *, actor: str,
                          actor_enterprise_id: int | None = None) -> int:
    """Tell the other party of a shipment (both, when a coordinator acted) and the coordinators of the
    producer's and receiver's parks that ``event`` happened; returns how many notices.

    Shipments exist only for approved matches, whose parties are disclosed to each other,
    so the notice names both enterprises. The acting enterprise and the acting
    coordinator are not told about their own action.
    """
    zh, en = SHIPMENT_EVENT_TEXT.get(event, (event, event))
    producer = session.get(Enterprise, shipment.producer_id)
    receiver = session.get(Enterprise, shipment.receiver_id)
    quantity = shipment.quantity_received_t if event == "receive" else shipment.quantity_t
    data = {"shipment_id": shipment.id, "manifest_number": shipment.manifest_number, "match_id": shipment.match_id,
            "event": event, "status": shipment.status, "by": _by_role(actor), "waste_code": shipment.waste_code,
            "material": shipment.material, "quantity_t": shipment.quantity_t,
            "quantity_received_t": shipment.quantity_received_t, "reason": shipment.status_reason,
            "producer": {"ref": producer.ref, "name": producer.name},
            "receiver": {"ref": receiver.ref, "name": receiver.name},
            "message": f"转移联单 {shipment.manifest_number}（{shipment.material}，{quantity:g} 吨，"
                       f"{producer.name} → {receiver.name}）：{zh} / Manifest {shipment.manifest_number} "
                       f"({shipment.material}, {quantity:g} t, {producer.name} → {receiver.name}): {en}"}
    parties = dict.fromkeys((shipment.producer_id, shipment.receiver_id))  # one notice if both are one enterprise
    notices = [Notification(enterprise_id=ent_id, kind="shipment_event", match_id=shipment.match_id, data=data)
               for ent_id in parties if ent_id != actor_enterprise_id]
    parks = {p for p in (shipment.park_id, receiver.park_id) if p is not None}
    notices += [Notification(user_id=u.id, kind="shipment_event", match_id=shipment.match_id, data=data)
                for u in _coordinators(session, parks) if actor != f"coordinator:{u.email}"]
    session.add_all(notices)
    session.flush()
    return len(notices)


__all__ = ["LISTING_FIT_TOP", "list_query", "mark_all_read", "mark_read", "notification_dict", "notify_listing_fit",
           "notify_match_event", "notify_match_reminder", "notify_shipment_event", "visible_to"]


def notify_ledger_findings(session: Session, enterprise: Enterprise, findings: list[Any]) -> Notification:
    """One notice to ``enterprise`` listing the ledger findings a review newly raised on its own ledger."""
    errors = sum(1 for f in findings if f.severity == "error")
    items = [{"id": f.id, "code": f.code, "severity": f.severity, "entry_id": f.entry_id, "message": f.message}
             for f in findings]
    data = {"count": len(findings), "errors": errors, "findings": items,
            "message": f"台账核查发现 {len(findings)} 个问题（{errors} 个错误），请核实整改 / the ledger review found "
                       f"{len(findings)} problems ({errors} errors) in your chemical flow ledger: please correct them"}
    notice = Notification(enterprise_id=enterprise.id, kind="ledger_findings", data=data)
    session.add(notice)
    session.flush()
    return notice
