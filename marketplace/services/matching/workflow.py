"""The match workflow: who may move a match from which state to which, and what approval reserves.

States (``models.matches.MATCH_STATUSES``)::

    proposed ─accept×2─▶ accepted ─approve─▶ approved ─start_transfer─▶ in_transfer ─complete─▶ completed
       │ decline            │ reject            │
       ▼                    ▼                   │
    declined             rejected               │
    proposed / accepted / approved ──cancel──▶ cancelled;  proposed / accepted past expires_at ──▶ expired

Every transition is audited (who, when, from, to, why) with the offer's park, and notified.

Approval reserves the match's tonnes on the offer, the need and the receiver's licence
(for the calendar year of ``approved_at``). It re-checks the pair's hard rules on
current data and the quantities left, under row locks taken in one global order —
the two listings by ascending id, then the match, then the licence — so concurrent
approvals of competing matches queue instead of over-allocating, and pausing or
closing a listing (which locks the listing, then its matches) cannot deadlock with
them. Listings and matches are locked ``FOR NO KEY UPDATE`` (``key_share=True``): it
serialises these writers all the same, but does not block the key-share locks that
inserting a row referencing them takes (a run's new proposals, notifications), so a
run and a pause cannot deadlock over a foreign-key check. On SQLite the unit of work begins with ``BEGIN IMMEDIATE``
(``marketplace.db.begin_as_writer``), which serialises writers.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from matching.arcs import Arcs
from matching.pipeline import RULE_NAMES, Proposal, _proposals, bilingual, detail_halves
from matching.problem import Settings
from matching.quantities import annual_tonnes
from matching.rules import evaluate_rules, substances_to_report
from matching.scoring import score
from matching.similarity import SimilarityModel

from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...models import (
    OPEN_SHIPMENT_STATUSES,
    RESERVING_STATUSES,
    AuditEvent,
    Enterprise,
    Licence,
    Listing,
    Match,
    Park,
    Shipment,
)
from ...models.base import MAX_ID, as_utc, iso_utc, utcnow
from ..accounts import audit, disclosure
from ..accounts.users import Principal
from . import notifications
from .engine_input import build_problem, check_dict, fill_match

# Matches that still hold (or may come to hold) quantity: pausing a listing cancels them.
OPEN_STATUSES = ("proposed", "accepted", "approved")
# A pair already in one of these states gets no second proposal.
ACTIVE_STATUSES = ("proposed", "accepted", "approved", "in_transfer")
EXPIRING_STATUSES = ("proposed", "accepted")
# A proposal nobody answers lapses after this long.
PROPOSAL_TTL = dt.timedelta(days=30)
QUANTITY_EPS_T = 1e-6
# Capacity is never checked by the rules' licence_capacity here: the workflow counts it exactly.
NOT_RECHECKED = ("licence_capacity",)

ACTIONS = ("accept", "decline", "approve", "reject", "start_transfer", "complete", "cancel")
# action -> the states it may leave
FROM_STATES: dict[str, tuple[str, ...]] = {
    "accept": ("proposed",), "decline": ("proposed",), "approve": ("accepted",), "reject": ("accepted",),
    "start_transfer": ("approved",), "complete": ("in_transfer",), "cancel": ("proposed", "accepted", "approved"),
}
REASON_REQUIRED = ("decline", "reject", "cancel")
MAX_REASON = 2000  # characters of a decision's reason (the API's schema and the pages' forms allow as many)
STATUS_ZH = {"proposed": "待确认", "superseded": "已被替代", "accepted": "双方已接受", "declined": "已拒绝",
             "approved": "已批准", "rejected": "已驳回", "in_transfer": "转移中", "completed": "已完成",
             "cancelled": "已取消", "expired": "已过期"}
# The Chinese of what the messages name: listing states, actions, sides.
LISTING_STATUS_ZH = {"active": "有效", "paused": "已暂停", "closed": "已关闭"}
ACTION_ZH = {"accept": "接受", "decline": "谢绝", "approve": "批准", "reject": "驳回", "start_transfer": "开始转移",
             "complete": "完成", "cancel": "取消"}
SIDE_ZH = notifications.KIND_ZH  # a match's sides are its listings' kinds


# --- who sees and acts ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Standing:
    """What the principal is to one match: a party (which side), a coordinator of it, or neither."""

    side: str | None  # "offer" | "need" | None
    coordinator: bool  # admin, or coordinator of the offer's or the need's park

    @property
    def role(self) -> str:
        return f"{self.side}_party" if self.side else ("coordinator" if self.coordinator else "none")


def standing(principal: Principal, match: Match) -> Standing:
    """The principal's standing towards ``match``."""
    offer_ent, need_ent = match.offer.enterprise, match.need.enterprise
    side = "offer" if principal.acts_for(offer_ent.id) else "need" if principal.acts_for(need_ent.id) else None
    coordinator = principal.coordinates(offer_ent.park_id) or principal.coordinates(need_ent.park_id)
    return Standing(side=side, coordinator=coordinator)


# Who sees which match is one rule, kept with disclosure (the audit trail reads it too).
visible_matches = disclosure.visible_matches


def awaiting_answer(principal: Principal) -> ColumnElement[bool]:
    """Proposed matches in which the principal's enterprise has not answered yet (SQL condition)."""
    own = select(Listing.id).where(Listing.enterprise_id == principal.enterprise_id)
    return and_(Match.status == "proposed",
                or_(and_(Match.offer_id.in_(own), Match.offer_accepted_at.is_(None)),
                    and_(Match.need_id.in_(own), Match.need_accepted_at.is_(None))))


def filtered_matches(session: Session, principal: Principal, *, status: str | None = None,
                     run: int | None = None, listing: int | None = None, park: str | None = None,
                     awaiting: bool = False) -> Select:
    """The visible matches with the list filters applied, newest first (``awaiting``: only those waiting for
    the principal's enterprise to answer)."""
    stmt = visible_matches(principal)
    if status is not None:
        stmt = stmt.where(Match.status == status)
    if awaiting:
        stmt = stmt.where(awaiting_answer(principal))
    if run is not None:
        stmt = stmt.where(Match.run_id == run)
    if listing is not None:
        stmt = stmt.where(or_(Match.offer_id == listing, Match.need_id == listing))
    if park is not None:
        park_id = session.scalar(select(Park.id).where(Park.code == park))
        if park_id is None:
            raise NotFound(f"unknown park {park!r} (无此园区)",
                           {"park": [f"no park with code {park!r} (没有代码为 {park} 的园区)"]})
        offer, need = aliased(Listing), aliased(Listing)
        offers_in = select(offer.id).join(Enterprise, offer.enterprise_id == Enterprise.id) \
            .where(Enterprise.park_id == park_id)
        needs_in = select(need.id).join(Enterprise, need.enterprise_id == Enterprise.id) \
            .where(Enterprise.park_id == park_id)
        stmt = stmt.where(or_(Match.offer_id.in_(offers_in), Match.need_id.in_(needs_in)))
    return stmt.order_by(Match.id.desc())


def _load(session: Session, match_id: int, *, lock: bool = False) -> Match | None:
    if not 0 < match_id <= MAX_ID:  # beyond the column's range: unknown, not a database error
        return None
    stmt = select(Match).where(Match.id == match_id).options(
        selectinload(Match.offer).selectinload(Listing.enterprise),
        selectinload(Match.need).selectinload(Listing.enterprise))
    if lock:
        # Re-read what a concurrent transaction may have committed while we waited for the lock.
        stmt = stmt.with_for_update(of=Match, key_share=True).execution_options(populate_existing=True)
    return session.scalar(stmt)


def _not_found(match_id: int) -> NotFound:
    return NotFound(f"match {match_id} not found (无此匹配)",
                    {"match": [f"no match {match_id} you can see (没有您可查看的匹配 {match_id})"]})


def get_match(session: Session, principal: Principal, match_id: int) -> Match:
    """The match, if ``principal`` may see it (else ``NotFound``, so existence does not leak)."""
    match = _load(session, match_id)
    if match is None or not _sees(principal, match):
        raise _not_found(match_id)
    return match


def _sees(principal: Principal, match: Match) -> bool:
    s = standing(principal, match)
    return s.side is not None or s.coordinator


# --- transitions -----------------------------------------------------------------------------------

def _offer_park_id(session: Session, match: Match) -> int | None:
    offer = match.offer if match.offer is not None else session.get(Listing, match.offer_id)
    return offer.enterprise.park_id if offer is not None and offer.enterprise is not None else None


def _record(session: Session, match: Match, before: str | None, *, actor: str, action: str, role: str,
            reason: str | None, changes: dict[str, Any] | None = None, **context: Any) -> None:
    audit.record(session, actor=actor, action="transition", entity_type="match", entity_key=str(match.id),
                 changes={"status": [before, match.status], **(changes or {})},
                 context={"reason": reason, "role": role, "action": action, **context},
                 park_id=_offer_park_id(session, match))
    notifications.notify_match_event(session, match, action, actor=actor)


def _transition(session: Session, match: Match, to: str, *, actor: str, action: str, role: str,
                reason: str | None = None, now: dt.datetime | None = None,
                changes: dict[str, Any] | None = None, **context: Any) -> None:
    """Move ``match`` to ``to``, audit and notify (the caller has checked that the move is allowed)."""
    now = now or utcnow()
    before = match.status
    match.status = to
    if reason is not None or to in ("declined", "rejected", "cancelled", "expired"):
        match.status_reason = reason
    if to in ("approved", "rejected"):
        match.decided_at, match.decided_by = now, actor
    if to == "approved":
        match.approved_at = now
    _record(session, match, before, actor=actor, action=action, role=role, reason=reason, changes=changes,
            **context)


def record_proposal(session: Session, match: Match, *, actor: str, role: str, action: str = "propose",
                    **context: Any) -> None:
    """Audit and notify a new proposal (``match`` is flushed, so it has an id)."""
    _record(session, match, None, actor=actor, action=action, role=role, reason=None,
            changes={"quantity_t": [None, match.quantity_t]}, **context)


def supersede(session: Session, match: Match, *, actor: str, run_id: int | None = None) -> None:
    """A newer run no longer makes this proposal."""
    _transition(session, match, "superseded", actor=actor, action="supersede", role="system",
                reason="a newer match run no longer proposes this pair (新一轮匹配未再推荐)", run=run_id)


def clear_acceptances(session: Session, match: Match, *, actor: str, quantity_from: float,
                      run_id: int | None = None) -> None:
    """A re-run changed the quantity: acceptances given for the old quantity no longer hold."""
    if match.offer_accepted_at is None and match.need_accepted_at is None:
        return
    changes = {"quantity_t": [quantity_from, match.quantity_t],
               "offer_accepted_by": [match.offer_accepted_by, None], "need_accepted_by": [match.need_accepted_by, None]}
    match.offer_accepted_at = match.offer_accepted_by = None
    match.need_accepted_at = match.need_accepted_by = None
    _record(session, match, match.status, actor=actor, action="clear_acceptances", role="system",
            reason="the quantity changed: both parties must accept again (数量已变更，需重新确认)",
            changes=changes, run=run_id)


def _expired(match: Match, now: dt.datetime) -> bool:
    expires = as_utc(match.expires_at)
    return match.status in EXPIRING_STATUSES and expires is not None and expires <= now


def expire_stale(session: Session, now: dt.datetime | None = None, *, actor: str = "system:expiry") -> int:
    """Expire proposed and accepted matches past ``expires_at``; returns how many (the system job)."""
    now = now or utcnow()
    stale = list(session.scalars(select(Match).where(Match.status.in_(EXPIRING_STATUSES),
                                                     Match.expires_at.is_not(None), Match.expires_at <= now)
                                 .order_by(Match.id).with_for_update(key_share=True)))
    for m in stale:
        _transition(session, m, "expired", actor=actor, action="expire", role="system", now=now,
                    reason=f"not approved before {as_utc(m.expires_at).isoformat()} (逾期未完成确认)")
    if stale:
        session.flush()
    return len(stale)


def cancel_open_matches(session: Session, listing: Listing, *, actor: str, reason: str) -> int:
    """Cancel the open matches of ``listing`` (being paused or closed); returns how many.

    Proposed and accepted matches are cancelled; approved ones not yet in transfer are
    cancelled too, which releases what they reserved (reservations count only reserving
    states). Matches in transfer or finished are left alone: the waste is already moving.
    Locks the listing before its matches, the order approvals use.
    """
    session.scalar(select(Listing.id).where(Listing.id == listing.id).with_for_update(key_share=True))
    matches = list(session.scalars(
        select(Match).where(or_(Match.offer_id == listing.id, Match.need_id == listing.id),
                            Match.status.in_(OPEN_STATUSES)).order_by(Match.id).with_for_update(key_share=True)
        .execution_options(populate_existing=True)))
    now = utcnow()
    for m in matches:
        _transition(session, m, "cancelled", actor=actor, action="cancel", role="system", reason=reason, now=now,
                    listing=listing.id)
    if matches:
        session.flush()
    return len(matches)


# --- over-commitment ---------------------------------------------------------------------------------

# A listing's tonnes are committed to a partner once its side accepted (or the match went further).
COMMITTED_STATUSES = ("accepted", "approved", "in_transfer", "completed")


class OverCommitment(Conflict):
    """Accepting would commit more of the listing than it holds: the party must confirm (``confirm``)."""


@dataclass(frozen=True)
class Commitment:
    """What one side's listing has already committed to other partners, beside one match's tonnes."""

    side: str
    listing_id: int
    total_t: float  # the listing's tonnes a year
    committed_t: float  # accepted by this side or approved (or further) with other partners
    this_t: float  # the match's tonnes
    partners: list[dict[str, Any]]  # each other match: id, status, quantity_t, partner listing id

    @property
    def over(self) -> bool:
        """The match's tonnes and the others' exceed what the listing holds."""
        return self.committed_t + self.this_t > self.total_t + QUANTITY_EPS_T

    def message(self) -> str:
        """Why accepting needs a confirmation: ``english (中文)``."""
        n = len(self.partners)
        return (f"{self.committed_t:g} t of this listing's {self.total_t:g} t a year are already accepted or "
                f"approved with {n} other partner(s); accepting {self.this_t:g} t more would commit "
                f"{self.committed_t + self.this_t:g} t. Confirm to accept anyway "
                f"(本信息每年 {self.total_t:g} 吨中已有 {self.committed_t:g} 吨与其他 {n} 个伙伴确认，"
                f"再接受 {self.this_t:g} 吨将共承诺 {self.committed_t + self.this_t:g} 吨，请确认后再接受)")

    def as_dict(self) -> dict[str, Any]:
        """The API's shape."""
        return {"side": self.side, "listing": self.listing_id, "total_t": self.total_t,
                "committed_t": round(self.committed_t, 6), "this_t": self.this_t, "over": self.over,
                "partners": self.partners}


def commitment(session: Session, match: Match, side: str) -> Commitment:
    """What ``side``'s listing of ``match`` has committed with others: matches its side accepted (still
    proposed) and matches accepted by both or further, other than ``match`` itself."""
    listing = match.offer if side == "offer" else match.need
    own, other = (Match.offer_id, Match.need_id) if side == "offer" else (Match.need_id, Match.offer_id)
    accepted_at = Match.offer_accepted_at if side == "offer" else Match.need_accepted_at
    rows = session.execute(select(Match.id, Match.status, Match.quantity_t, other).where(
        own == listing.id, Match.id != match.id,
        or_(Match.status.in_(COMMITTED_STATUSES), and_(Match.status == "proposed", accepted_at.is_not(None))))
        .order_by(Match.id)).all()
    partners = [{"match": r[0], "status": r[1], "quantity_t": r[2], "partner_listing": r[3]} for r in rows]
    return Commitment(side=side, listing_id=listing.id, total_t=annual_tonnes(listing.quantity_t, listing.period),
                      committed_t=sum(p["quantity_t"] for p in partners), this_t=match.quantity_t,
                      partners=partners)


def decide(session: Session, principal: Principal, match_id: int, action: str, reason: str | None = None, *,
           now: dt.datetime | None = None, settings: Settings | None = None, confirm: bool = False) -> Match:
    """Apply one workflow ``action`` to a match as ``principal``.

    NotFound when the match is not visible; Forbidden when the principal's role or side
    may not take this action; ValidationFailed when a required reason is missing;
    Conflict when the match is not in a state the action leaves (or, for approval,
    when the pair now fails a hard check or the quantity is no longer available).
    Accepting a match whose tonnes, with what the side's listing already committed to
    others, exceed the listing is an ``OverCommitment`` (409) unless ``confirm``.
    """
    now = now or utcnow()
    if action not in ACTIONS:
        raise ValidationFailed(f"unknown action {action!r} (未知操作 {action})",
                               {"action": [f"must be one of: {', '.join(ACTIONS)} (须为以下之一：{'、'.join(ACTIONS)})"]})
    _require_reason_text(reason)
    reason = (reason or "").strip() or None
    if action == "approve":
        return _approve(session, principal, match_id, reason, now=now, settings=settings)
    match = _load(session, match_id, lock=True)
    if match is None or not _sees(principal, match):
        raise _not_found(match_id)
    s = standing(principal, match)
    _authorise(principal, s, action)
    _require_reason(action, reason)
    _require_state(match, action, now)
    if action == "complete":
        _require_no_open_shipment(session, match)
    actor = principal.actor
    if action == "accept":
        if getattr(match, f"{s.side}_accepted_at") is not None:
            raise Conflict(f"your side ({s.side}) has already accepted match {match.id} (已接受)",
                           {"status": [f"already accepted by the {s.side} side ({SIDE_ZH[s.side]}方已接受)"]})
        committed = commitment(session, match, s.side)
        if committed.over and not confirm:
            raise OverCommitment(committed.message(), {"confirm": [
                (f"{committed.committed_t:g} t already committed to {len(committed.partners)} other partner(s): "
                 f"send confirm=true to accept anyway (已有 {committed.committed_t:g} 吨与其他 "
                 f"{len(committed.partners)} 个伙伴确认，如仍要接受，请发送 confirm=true)")]})
        setattr(match, f"{s.side}_accepted_at", now)
        setattr(match, f"{s.side}_accepted_by", actor)
        both = match.offer_accepted_at is not None and match.need_accepted_at is not None
        changes = {f"{s.side}_accepted_by": [None, actor]}
        if committed.over:  # confirmed: the trail says so, for the coordinator who approves
            changes["over_committed_t"] = [None, round(committed.committed_t + committed.this_t, 6)]
        if both:
            _transition(session, match, "accepted", actor=actor, action=action, role=s.role, reason=reason,
                        now=now, changes=changes, side=s.side)
        else:
            _record(session, match, match.status, actor=actor, action=action, role=s.role, reason=reason,
                    changes=changes, side=s.side)
    else:
        to = {"decline": "declined", "reject": "rejected", "start_transfer": "in_transfer",
              "complete": "completed", "cancel": "cancelled"}[action]
        _transition(session, match, to, actor=actor, action=action, role=s.role, reason=reason, now=now,
                    side=s.side)
    session.flush()
    return match


def _authorise(principal: Principal, s: Standing, action: str) -> None:
    allowed = {
        "accept": s.side is not None, "decline": s.side is not None,
        "approve": s.coordinator, "reject": s.coordinator,
        "start_transfer": s.coordinator or s.side is not None,
        "complete": s.coordinator or s.side == "need",
        "cancel": s.coordinator or s.side is not None,
    }[action]
    if not allowed:
        who = {"accept": "the parties (the offer's and the need's enterprise)",
               "decline": "the parties (the offer's and the need's enterprise)",
               "approve": "a coordinator of the offer's or the need's park",
               "reject": "a coordinator of the offer's or the need's park",
               "start_transfer": "a coordinator or either party",
               "complete": "a coordinator or the receiving party (the need's enterprise)",
               "cancel": "a coordinator or either party"}[action]
        who_zh = {"accept": "仅限匹配双方，即供给方和需求方企业", "decline": "仅限匹配双方，即供给方和需求方企业",
                  "approve": "仅限供给方或需求方所在园区的管理者", "reject": "仅限供给方或需求方所在园区的管理者",
                  "start_transfer": "仅限园区管理者或匹配任一方", "complete": "仅限园区管理者或接收方，即需求方企业",
                  "cancel": "仅限园区管理者或匹配任一方"}[action]
        raise Forbidden(f"only {who} may {action} this match; you are {s.role} (无权执行此操作)",
                        {"action": [f"{action} requires {who} ({ACTION_ZH[action]}：{who_zh})"]})


def _require_no_open_shipment(session: Session, match: Match) -> None:
    """A match cannot complete while one of its shipments is still under way."""
    open_ = list(session.scalars(select(Shipment.manifest_number).where(
        Shipment.match_id == match.id, Shipment.status.in_(OPEN_SHIPMENT_STATUSES)).order_by(Shipment.id)))
    if open_:
        raise Conflict(f"match {match.id} still has {len(open_)} open shipment(s): {', '.join(open_[:5])} "
                       f"(尚有未办结的转移联单)",
                       {"status": [f"open shipments: {', '.join(open_[:5])} (未办结的转移联单：{'、'.join(open_[:5])})"]})


def _require_reason_text(reason: str | None) -> None:
    """A reason is at most ``MAX_REASON`` characters, without NUL (PostgreSQL refuses it in text)."""
    if reason is None:
        return
    if len(reason) > MAX_REASON:
        raise ValidationFailed(f"the reason is too long: at most {MAX_REASON} characters (原因过长)",
                               {"reason": [f"at most {MAX_REASON} characters (最多 {MAX_REASON} 个字符)"]})
    if "\x00" in reason:
        raise ValidationFailed("the reason contains a NUL character (原因含有不允许的字符)",
                               {"reason": ["must not contain NUL characters (不得包含空字符)"]})


def _require_reason(action: str, reason: str | None) -> None:
    if action in REASON_REQUIRED and not reason:
        raise ValidationFailed(f"a reason is required to {action} (请填写原因)",
                               {"reason": [f"required to {action} ({ACTION_ZH.get(action, action)}须填写原因)"]})


def _require_state(match: Match, action: str, now: dt.datetime) -> None:
    if match.status not in FROM_STATES[action]:
        raise Conflict(f"match {match.id} is {match.status}: cannot {action}, only from "
                       f"{' or '.join(FROM_STATES[action])} "
                       f"(匹配当前为「{STATUS_ZH.get(match.status, match.status)}」，不能执行此操作)",
                       {"status": [(f"is {match.status}; {action} needs {' or '.join(FROM_STATES[action])} "
                                    f"(当前为「{STATUS_ZH.get(match.status, match.status)}」，仅"
                                    f"{'或'.join(f'「{STATUS_ZH[x]}」' for x in FROM_STATES[action])}的匹配可"
                                    f"{ACTION_ZH[action]})")]})
    if _expired(match, now):
        expired = as_utc(match.expires_at).isoformat()
        raise Conflict(f"match {match.id} expired at {expired} (已过期): cannot {action}",
                       {"status": [f"expired at {expired} (已于 {expired} 过期)"]})


# --- approval: re-check, reserve ------------------------------------------------------------------

def _approve(session: Session, principal: Principal, match_id: int, reason: str | None, *, now: dt.datetime,
             settings: Settings | None) -> Match:
    ids = session.execute(select(Match.offer_id, Match.need_id).where(Match.id == match_id)).first() \
        if 0 < match_id <= MAX_ID else None
    if ids is None:
        raise _not_found(match_id)
    # The global lock order: listings by ascending id, then the match, then the licence.
    listings = {}
    for listing_id in sorted(set(ids)):
        listings[listing_id] = session.scalar(select(Listing).where(Listing.id == listing_id).with_for_update(key_share=True)
                                              .execution_options(populate_existing=True))
    match = _load(session, match_id, lock=True)
    if match is None or not _sees(principal, match):
        raise _not_found(match_id)
    s = standing(principal, match)
    _authorise(principal, s, "approve")
    _require_state(match, "approve", now)
    offer, need = listings[match.offer_id], listings[match.need_id]
    for label, listing in (("offer", offer), ("need", need)):
        if listing.status != "active":
            raise Conflict(f"the {label} #{listing.id} is {listing.status}: cannot approve (挂牌已暂停或关闭)",
                           {label: [(f"is {listing.status} "
                                     f"(挂牌当前为「{LISTING_STATUS_ZH.get(listing.status, listing.status)}」)")]})
    settings = settings or Settings(today=now.date())
    verdict = evaluate_pair(session, offer, need, settings=settings)
    failed = [c for c in verdict.failed if c["code"] not in NOT_RECHECKED]
    if any(not c.get("unknown") for c in failed):
        raise Conflict("the pair no longer passes the hard regulatory checks (不再满足法规硬性要求): "
                       + ", ".join(c["code"] for c in failed),
                       {"checks": [check_reason(c) for c in failed]})
    if failed:
        raise Conflict(needs_report_message(verdict), {"checks": [check_reason(c) for c in failed]})
    licence_number = verdict.licence
    licence = None
    if licence_number is not None:
        licence = session.scalar(select(Licence).where(Licence.number == licence_number).with_for_update()
                                 .execution_options(populate_existing=True))
    errors = _shortfalls(session, match, offer, need, licence, now)
    if errors:
        raise Conflict(f"approving {match.quantity_t:g} t would allocate more than is left (超出剩余量): "
                       + "; ".join(f"{k}: {v[0]}" for k, v in errors.items()), errors)
    changes: dict[str, Any] = {}
    if licence_number != match.licence_number:
        changes["licence_number"] = [match.licence_number, licence_number]
        match.licence_number = licence_number
    _transition(session, match, "approved", actor=principal.actor, action="approve", role=s.role, reason=reason,
                now=now, changes=changes, quantity_t=match.quantity_t, licence=licence_number)
    session.flush()
    return match


def _reserved_sum(session: Session, *where: Any) -> float:
    return float(session.scalar(select(func.coalesce(func.sum(Match.quantity_t), 0.0))
                                .where(Match.status.in_(RESERVING_STATUSES), *where)) or 0.0)


def _shortfalls(session: Session, match: Match, offer: Listing, need: Listing, licence: Licence | None,
                now: dt.datetime) -> dict[str, list[str]]:
    """What the match's quantity exceeds, by offer / need / licence, with the tonnes left."""
    errors: dict[str, list[str]] = {}
    q = match.quantity_t
    for label, listing, column in (("offer", offer, Match.offer_id), ("need", need, Match.need_id)):
        total = annual_tonnes(listing.quantity_t, listing.period)
        left = total - _reserved_sum(session, column == listing.id, Match.id != match.id)
        if q > left + QUANTITY_EPS_T:
            errors[label] = [(f"only {max(left, 0.0):.3f} t left of {total:.3f} t/year on {label} #{listing.id} "
                              f"(剩余 {max(left, 0.0):.3f} 吨)")]
    if licence is not None:
        start = dt.datetime(now.year, 1, 1, tzinfo=dt.UTC)
        end = dt.datetime(now.year + 1, 1, 1, tzinfo=dt.UTC)
        # Counted exactly as build_problem counts it (matching._licence_used): a reserving row
        # without approved_at counts by its last update, rather than not at all.
        when = func.coalesce(Match.approved_at, Match.updated_at)
        used = _reserved_sum(session, Match.licence_number == licence.number, Match.id != match.id,
                             when >= start, when < end)
        left = licence.annual_capacity_t - used
        if q > left + QUANTITY_EPS_T:
            errors["licence"] = [(f"only {max(left, 0.0):.3f} t of licence {licence.number}'s "
                                  f"{licence.annual_capacity_t:g} t capacity left in {now.year} "
                                  f"(许可证剩余 {max(left, 0.0):.3f} 吨)")]
    return errors


@dataclass
class PairVerdict:
    """One offer–need pair evaluated by the engine on current data."""

    proposal: Proposal
    checks: list[dict[str, Any]]
    failed: list[dict[str, Any]]  # the hard checks that did not pass (failed outright, or unknown)
    max_t: float  # what the pair could take (offer, need and licence left)
    licence: str | None
    # the substances an analysis report (or a declaration on the offer) must cover when a hard check is unknown
    to_report: list[str] = field(default_factory=list)

    @property
    def needs_report(self) -> bool:
        """Every hard check that did not pass is unknown, not failed: declaring or a report decides it."""
        return bool(self.failed) and all(c.get("unknown") for c in self.failed)


def check_reason(check: dict[str, Any]) -> str:
    """A check that refuses a pair as a refusal's reason, ``中文 / English``: the rule named in each language and the
    detail's half in that language (the message lists the codes; a page shows no stored key)."""
    spec = RULE_NAMES.get(check["code"])
    name_zh, name_en = (spec.name_zh, spec.name_en) if spec is not None else (check["code"], check["code"])
    zh, en = detail_halves(check["detail"])
    return bilingual(f"{name_zh}：{zh}", f"{name_en}: {en}")


def needs_report_message(verdict: PairVerdict) -> str:
    """Why a pair with unknown hard checks cannot become a match yet, and what to do: ``english (中文)``."""
    names = verdict.to_report or [c["code"] for c in verdict.failed]
    return (f"the pair needs an analysis report first: the offer does not declare {', '.join(names)}. Declare it "
            f"on the offer with its measured fraction, or mark the offer's composition complete when it holds "
            f"nothing else, then try again (需提供检测报告：供给未申报{'、'.join(names)}，请在供给中申报其检测含量，"
            f"或在成分已全部申报时标记成分完整，然后重试)")


def evaluate_pair(session: Session, offer: Listing, need: Listing, *, settings: Settings | None = None,
                  park_wide: bool = False) -> PairVerdict:
    """Run the engine's rules and score on exactly this pair.

    ``park_wide`` fits the similarity model on every active listing (the scores
    ``recommend`` gives); otherwise on the pair alone, which is enough for the checks.
    """
    settings = settings or Settings()
    if park_wide:
        problem = build_problem(session, settings=settings, include=[offer.ref, need.ref])
        if offer.ref not in problem.o.ref_index or need.ref not in problem.n.ref_index:
            problem = build_problem(session, settings=settings, only=[offer.id, need.id])
    else:
        problem = build_problem(session, settings=settings, only=[offer.id, need.id])
    oi = np.array([problem.o.ref_index[offer.ref]], dtype=np.int64)
    ni = np.array([problem.n.ref_index[need.ref]], dtype=np.int64)
    model = SimilarityModel().fit(problem)
    arcs = Arcs(offer=oi, need=ni, distance_km=problem.distance_km(oi, ni), similarity=model.pair_similarity(oi, ni))
    evaluate_rules(problem, arcs)
    score(problem, arcs)
    max_t = float(max(arcs.max_t[0], 0.0))
    proposal = _proposals(problem, model, arcs, np.array([0]), np.array([max_t]))[0]
    checks = [check_dict(c) for c in proposal.checks]
    failed = [c for c in checks if c["hard"] and not c["passed"]]
    to_report = substances_to_report(problem.offers[int(oi[0])], problem.needs[int(ni[0])]) \
        if any(c.get("unknown") for c in failed) else []
    return PairVerdict(proposal=proposal, checks=checks, failed=failed, max_t=max_t, licence=proposal.licence,
                       to_report=to_report)


# --- one-click proposal ----------------------------------------------------------------------------

def propose(session: Session, principal: Principal, offer_id: int, need_id: int, quantity_t: float | None = None,
            *, now: dt.datetime | None = None, settings: Settings | None = None) -> Match:
    """Propose one offer–need pair (一键匹配) for the workflow; returns the new ``proposed`` match.

    The caller owns one of the two listings, or coordinates the park of one of them.
    A pair failing a hard check is refused (422, the failing checks listed, redacted for
    enterprise users); so is one whose hard checks are unknown (a limited or wanted
    substance the offer does not declare: the error names it and says to declare it or
    mark the composition complete); so is a quantity beyond what the pair can take. An open match
    for the pair already in the workflow is a 409.
    """
    now = now or utcnow()
    found: dict[int, Listing] = {}
    for listing_id in sorted({offer_id, need_id}):  # the approval lock order
        if not 0 < listing_id <= MAX_ID:
            continue
        row = session.scalar(select(Listing).where(Listing.id == listing_id).with_for_update(key_share=True)
                             .options(selectinload(Listing.enterprise)).execution_options(populate_existing=True))
        if row is not None:
            found[listing_id] = row
    errors: dict[str, list[str]] = {}
    disclosed = disclosure.disclosed_listing_ids(session, principal)
    for field_name, listing_id in (("offer", offer_id), ("need", need_id)):
        # Another enterprise's paused or closed listing is as absent as a missing one: no oracle.
        if listing_id not in found or not disclosure.sees_listing(principal, found[listing_id], disclosed):
            errors[field_name] = [f"no listing {listing_id} (无此挂牌 {listing_id})"]
    if errors:
        raise NotFound("listing not found (无此挂牌)", errors)
    # Stale proposals lapse first (after the listing locks: the global order), so they block nothing.
    expire_stale(session, now)
    offer, need = found[offer_id], found[need_id]
    ent_o, ent_n = offer.enterprise, need.enterprise
    if not (principal.acts_for(ent_o.id) or principal.acts_for(ent_n.id)
            or principal.coordinates(ent_o.park_id) or principal.coordinates(ent_n.park_id)):
        raise Forbidden("you may propose only for your own listings or in your parks (只能为本企业挂牌或所辖园区发起匹配)",
                        {"offer": ["neither listing is yours or in your parks (两条挂牌都不属于本企业或您管理的园区)"]})
    for field_name, listing, kind in (("offer", offer, "offer"), ("need", need, "need")):
        if listing.kind != kind:
            errors[field_name] = [(f"listing {listing.id} is a {listing.kind}, not a {kind} "
                                   f"(挂牌 {listing.id} 是{SIDE_ZH.get(listing.kind, listing.kind)}，不是{SIDE_ZH[kind]})")]
    if errors:
        raise ValidationFailed("the pair must be an offer and a need (需为一供一需)", errors)
    for field_name, listing in (("offer", offer), ("need", need)):
        if listing.status != "active":
            errors[field_name] = [(f"is {listing.status} "
                                   f"(挂牌当前为「{LISTING_STATUS_ZH.get(listing.status, listing.status)}」)")]
    if errors:
        raise Conflict("a paused or closed listing cannot be matched (挂牌已暂停或关闭)", errors)
    existing = session.scalar(select(Match).where(Match.offer_id == offer.id, Match.need_id == need.id,
                                                  Match.status.in_(ACTIVE_STATUSES)).limit(1))
    if existing is not None:
        raise Conflict(f"this pair already has an open match #{existing.id}, {existing.status} "
                       f"(该配对已有进行中的匹配 #{existing.id}，当前为「{STATUS_ZH.get(existing.status, existing.status)}」)",
                       {"match": [(f"match {existing.id} is {existing.status} "
                                   f"(匹配 {existing.id} 当前为「{STATUS_ZH.get(existing.status, existing.status)}」)")]})
    redact = disclosure.redactor_for(principal, [offer, need], disclosed)
    verdict = evaluate_pair(session, offer, need, settings=settings or Settings(today=now.date()), park_wide=True)
    if verdict.needs_report:  # unknown is not zero: refused until the offer declares what the need bounds
        raise ValidationFailed(needs_report_message(verdict),
                               redact({"checks": [check_reason(c) for c in verdict.failed]}))
    if verdict.failed:
        raise ValidationFailed("the pair fails hard regulatory checks (不满足法规硬性要求): "
                               + ", ".join(c["code"] for c in verdict.failed),
                               redact({"checks": [check_reason(c) for c in verdict.failed]}))
    if verdict.max_t <= QUANTITY_EPS_T:
        raise Conflict("nothing is left to allocate on this pair (无剩余可匹配量)",
                       {"quantity_t": [("the offer, the need or the licence has no quantity left "
                                        "(供给、需求或许可证已无剩余量)")]})
    if quantity_t is None:
        # Never round up past what is left, or the approval would later be refused as over-allocating.
        quantity_t = min(round(verdict.max_t, 3), verdict.max_t)
    elif quantity_t <= 0 or quantity_t > verdict.max_t + QUANTITY_EPS_T:
        raise ValidationFailed(f"quantity_t must be above 0 and at most {verdict.max_t:.3f} t (超出可匹配量)",
                               {"quantity_t": [(f"must be in (0, {verdict.max_t:.3f}] t "
                                                f"(须大于 0 且不超过 {verdict.max_t:.3f} 吨)")]})
    p = verdict.proposal
    p.quantity_t = quantity_t
    p.score = round(p.weight * quantity_t, 3)
    match = Match(offer_id=offer.id, need_id=need.id, source="recommend", status="proposed",
                  expires_at=now + PROPOSAL_TTL, created_at=now)
    fill_match(match, p)
    session.add(match)
    session.flush()
    s = standing(principal, match)
    record_proposal(session, match, actor=principal.actor, role=s.role, side=s.side)
    session.flush()
    return match


# --- views -----------------------------------------------------------------------------------------

HIDDEN_ACTOR = "对方企业 (the other party)"


def match_view(principal: Principal, match: Match, disclosed: set[int] | frozenset[int],
               origin: tuple[float, float] | None = None) -> dict[str, Any]:
    """A match as ``principal`` sees it.

    Parties see the counterpart anonymised (no name, ref, licence number; checks,
    reasons and free text scrubbed) until both have accepted; coordinators and admins
    see everything.
    """
    s = standing(principal, match)
    full = s.coordinator or principal.is_admin
    mutual = disclosure.match_disclosed(match)
    offer_id_ok = full or mutual or disclosure.sees_identity(principal, match.offer, disclosed)
    need_id_ok = full or mutual or disclosure.sees_identity(principal, match.need, disclosed)
    out: dict[str, Any] = {
        "id": match.id, "status": match.status, "status_zh": STATUS_ZH.get(match.status, match.status),
        "source": match.source, "run": match.run_id,
        "offer": disclosure.listing_view(match.offer, identified=offer_id_ok, origin=origin),
        "need": disclosure.listing_view(match.need, identified=need_id_ok, origin=origin),
        "quantity_t": match.quantity_t, "weight": match.weight, "score": match.score,
        "distance_km": match.distance_km, "similarity": match.similarity,
        "licence": match.licence_number if (full or need_id_ok and offer_id_ok or s.side == "need") else None,
        "exemption": match.exemption, "checks": match.checks or [], "reasons": match.reasons or [],
        "terms": {k: v for k, v in (match.terms or {}).items() if isinstance(v, (int, float))},
        "offer_accepted": match.offer_accepted_at is not None, "need_accepted": match.need_accepted_at is not None,
        "offer_accepted_at": iso_utc(match.offer_accepted_at), "need_accepted_at": iso_utc(match.need_accepted_at),
        "offer_accepted_by": match.offer_accepted_by if full or s.side == "offer" else None,
        "need_accepted_by": match.need_accepted_by if full or s.side == "need" else None,
        "decided_at": iso_utc(match.decided_at), "decided_by": match.decided_by if full else None,
        "status_reason": match.status_reason, "approved_at": iso_utc(match.approved_at),
        "expires_at": iso_utc(match.expires_at), "created_at": iso_utc(match.created_at),
        "updated_at": iso_utc(match.updated_at), "your_side": s.side,
        "disclosed": disclosure.match_disclosed(match),
    }
    if full:
        return out
    if not (offer_id_ok and need_id_ok):  # the other side's price and distance stay theirs until disclosure
        out["terms"], out["reasons"] = disclosure.anonymised_terms(out["terms"], out["reasons"])
    if not (offer_id_ok and need_id_ok) and match.distance_km is not None:  # the band the counterpart shows
        out.update(disclosure.shown_distance(match.distance_km, identified=False))
    redact = disclosure.Redactor()
    for listing, ok in ((match.offer, offer_id_ok), (match.need, need_id_ok)):
        if not ok:
            redact.hide_listing(listing)
    return redact(out)


def _preload_listings(session: Session, matches: list[Match]) -> list[Listing]:
    """Load the matches' listings with their components, enterprises and licences in four queries.

    A view reads all of them; loaded one match at a time they cost ~6 queries a match (a dashboard on
    PostgreSQL spent most of its time waiting on them); the matches' lazy loads then find them in the
    session without a query. Hold the returned list while viewing: the session keeps objects only as long as
    something refers to them.
    """
    ids = {m.offer_id for m in matches} | {m.need_id for m in matches}
    if not ids:
        return []
    return list(session.scalars(select(Listing).where(Listing.id.in_(ids)).options(
        selectinload(Listing.components), selectinload(Listing.enterprise).selectinload(Enterprise.licences))))


def match_views(session: Session, principal: Principal, matches: list[Match]) -> list[dict[str, Any]]:
    """``match_view`` of each match, with what the principal has had disclosed read once for all of them."""
    loaded = _preload_listings(session, matches)  # noqa: F841 - held so the session keeps them while viewing
    disclosed = disclosure.disclosed_listing_ids(session, principal)
    origin = disclosure.viewer_origin(session, principal)
    return [match_view(principal, m, disclosed, origin) for m in matches]


def history(session: Session, principal: Principal, match: Match) -> list[dict[str, Any]]:
    """The match's transitions from the audit trail, oldest first, as ``principal`` may see them."""
    events = list(session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "match", AuditEvent.entity_key == str(match.id),
        AuditEvent.action == "transition").order_by(AuditEvent.at, AuditEvent.id)))
    s = standing(principal, match)
    full = s.coordinator or principal.is_admin
    disclosed = set() if full else disclosure.disclosed_listing_ids(session, principal)
    redact = disclosure.Redactor() if full else disclosure.redactor_for(principal, [match.offer, match.need],
                                                                          disclosed)
    out = []
    for e in events:
        ctx = e.context or {}
        status = (e.changes or {}).get("status") or [None, None]
        actor = e.actor
        if not full and actor.startswith("enterprise:") and ctx.get("side") != s.side:
            actor = HIDDEN_ACTOR  # the other party's user stays anonymous
        out.append(redact({"at": iso_utc(e.at), "actor": actor, "action": ctx.get("action"), "role": ctx.get("role"),
                           "from": status[0], "to": status[1], "reason": ctx.get("reason"),
                           "side": ctx.get("side"), "summary": _summary(ctx.get("action"), ctx.get("side"), status[1])}))
    return out


# What one accept did, in both languages: one side, waiting for the other; or both.
ACCEPT_SUMMARY = {
    "offer": "供给方已接受，等待需求方 / the offer's holder accepted; waiting for the need's",
    "need": "需求方已接受，等待供给方 / the need's holder accepted; waiting for the offer's",
    "both": "双方已接受，待园区审批 / both sides accepted; awaiting the coordinator's approval",
}


def _summary(action: str | None, side: str | None, to: str | None) -> str | None:
    """An accept's plain words (``中文 / English``, as notices); other actions are named by action and state."""
    if action != "accept":
        return None
    return ACCEPT_SUMMARY["both"] if to == "accepted" else ACCEPT_SUMMARY.get(side or "")


def decisions_stmt(principal: Principal, *, decision: str | None = None,
                   since: dt.datetime | None = None) -> Select:
    """Coordinator decisions (approve / reject) on visible matches, newest first: the ranking's training data."""
    stmt = visible_matches(principal).where(Match.decided_at.is_not(None))
    if decision == "approve":
        stmt = stmt.where(Match.approved_at.is_not(None))
    elif decision == "reject":
        stmt = stmt.where(Match.approved_at.is_(None))
    if since is not None:
        stmt = stmt.where(Match.decided_at >= since)
    return stmt.order_by(Match.decided_at.desc(), Match.id.desc())


def decision_views(session: Session, matches: list[Match]) -> list[dict[str, Any]]:
    """Each decided match with its decision and the coordinator's reason (from the audit trail)."""
    reasons: dict[str, str | None] = {}
    if matches:
        for e in session.scalars(select(AuditEvent).where(
                AuditEvent.entity_type == "match", AuditEvent.action == "transition",
                AuditEvent.entity_key.in_([str(m.id) for m in matches])).order_by(AuditEvent.id)):
            if (e.context or {}).get("action") in ("approve", "reject"):
                reasons[e.entity_key] = (e.context or {}).get("reason")
    return [{"match": m.id, "decision": "approve" if m.approved_at is not None else "reject",
             "reason": reasons.get(str(m.id)), "decided_at": iso_utc(m.decided_at), "decided_by": m.decided_by,
             "status": m.status, "offer": m.offer_id, "need": m.need_id,
             "offer_ref": m.offer.ref, "need_ref": m.need.ref,
             "park": m.offer.enterprise.park.code if m.offer.enterprise.park else None,
             "quantity_t": m.quantity_t, "weight": m.weight, "score": m.score, "distance_km": m.distance_km,
             "similarity": m.similarity, "source": m.source} for m in matches]
