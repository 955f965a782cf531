"""Moderation of listings by the park's coordinators: open, pause (hold), resume, flag and annotate.

A coordinator answers for the listings of the enterprises in their parks; an admin for all.
They may open any of those listings in full, hold one paused (the owner cannot resume a held
listing: only a coordinator lifts the hold), flag it with a reason the owner is told about,
clear a flag, and leave notes that only coordinators read. Anyone else is refused (403) with
the same bilingual reason, whether an enterprise user or the coordinator of another park; a
listing the caller cannot even see stays unknown (404), as everywhere. Every act is audited
with the reason typed. A paused listing is out of matching: the engine reads active listings
only (``engine_input.build_problem``), and pausing cancels the listing's open matches.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, selectinload

from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...models import FLAG_REASONS, Enterprise, Listing, ListingRemark, Notification, Park
from ...models.base import MAX_ID, as_utc, iso_utc, utcnow
from ..accounts import audit
from ..accounts.users import Principal
from ..matching import workflow
from .listings import get_listing

MAX_TEXT = 2000  # characters of a reason or note
# What the owner reads about a flag's reason: (中文, English).
FLAG_REASON_TEXT = {
    "implausible_quantity": ("数量不合理", "implausible quantity"),
    "wrong_code": ("危废代码有误", "wrong waste code"),
    "wrong_composition": ("成分有误", "wrong composition"),
    "duplicate": ("重复发布", "duplicate listing"),
    "misleading": ("描述有误导", "misleading description"),
    "other": ("其他", "other"),
}
NOTICE_KIND = "listing_moderation"
# A listing's state as a refusal names it in Chinese ("held": paused and held by a coordinator).
STATE_ZH = {**workflow.LISTING_STATUS_ZH, "held": "已被园区管理者暂停"}

__all__ = ["FLAG_REASON_TEXT", "MAX_TEXT", "ModerationView", "annotate", "changed_since_flagged", "clear_flag", "flag", "flagged_count",
           "hold", "moderated_listing", "moderation_view", "open_flags_by_listing", "owner_remarks", "park_listings",
           "release", "remark_dict", "remarks_view"]


def _refused() -> Forbidden:
    return Forbidden("only a coordinator of the listing's park may moderate it (仅该信息所在园区的管理者可审核)",
                     {"listing_id": ["not a listing of a park you coordinate (不是您所管理园区的信息)"]})


def _state_zh(state: str) -> str:
    return STATE_ZH.get(state, state)


def moderated_listing(session: Session, principal: Principal, listing_id: int, *, for_update: bool = False) -> Listing:
    """A listing the principal moderates: 404 when they cannot see it, 403 when it is not of their parks."""
    listing = get_listing(session, principal, listing_id, for_update=for_update)
    if not principal.coordinates(listing.enterprise.park_id):
        raise _refused()
    return listing


def _text(value: str | None, field: str, *, required: bool) -> str | None:
    """A reason or note: stripped, at most ``MAX_TEXT`` characters, without NUL; required when asked."""
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationFailed("the text contains a NUL character (文字含有不允许的字符)",
                               {field: ["must not contain NUL characters (不得包含空字符)"]})
    if len(value) > MAX_TEXT:
        raise ValidationFailed(f"the text is too long: at most {MAX_TEXT} characters (文字过长)",
                               {field: [f"at most {MAX_TEXT} characters (最多 {MAX_TEXT} 个字符)"]})
    if required and not value:
        raise ValidationFailed("a reason is required (请填写原因)", {field: ["required (必填)"]})
    return value or None


def _audit(session: Session, principal: Principal, listing: Listing, action: str, *, reason: str | None,
           changes: dict[str, Any] | None = None, **context: Any) -> None:
    audit.record(session, actor=principal.actor, action=action, entity_type="listing", entity_key=listing.ref,
                 changes=changes or {}, context={"reason": reason, "listing_id": listing.id, **context},
                 park_id=listing.enterprise.park_id)


def _label(listing: Listing) -> tuple[str, str]:
    en = listing.title or listing.title_zh or f"#{listing.id}"
    return listing.title_zh or en, en


def _notify_owner(session: Session, listing: Listing, event: str, zh: str, en: str, **data: Any) -> Notification:
    """Tell the listing's enterprise what a coordinator did to it (``中文 / English``, as every notice)."""
    title_zh, title_en = _label(listing)
    notice = Notification(enterprise_id=listing.enterprise_id, kind=NOTICE_KIND, own_listing_id=listing.id,
                          data={"event": event, "listing": listing.id, "by": "coordinator", **data,
                                "message": f"您的信息「{title_zh}」：{zh} / Your listing \"{title_en}\": {en}"})
    session.add(notice)
    return notice


# --- acts ---------------------------------------------------------------------------------------------------

def hold(session: Session, principal: Principal, listing_id: int, reason: str | None) -> tuple[Listing, int]:
    """Pause the listing and hold it paused (only a coordinator may resume it); returns it and how many open
    matches were cancelled. An active listing is paused; one its owner paused is held as it is."""
    why = _text(reason, "reason", required=True)
    listing = moderated_listing(session, principal, listing_id, for_update=True)
    if listing.status == "closed" or listing.held_by is not None:
        state = "held" if listing.status == "paused" else listing.status
        raise Conflict(f"the listing is {state}: it cannot be held (该信息当前状态不能暂停)",
                       {"status": [f"is {state} (该信息当前为「{_state_zh(state)}」)"]})
    before = listing.status
    listing.status, listing.held_by, listing.held_reason = "paused", principal.actor, why
    cancelled = 0
    if before == "active":
        cancelled = workflow.cancel_open_matches(
            session, listing, actor=principal.actor,
            reason=f"the listing was paused by the park coordinator: {why} (园区管理者已暂停此信息：{why})")
    _audit(session, principal, listing, "moderation_hold", reason=why, cancelled_matches=cancelled,
           changes={"status": [before, "paused"], "held_by": [None, principal.actor]})
    _notify_owner(session, listing, "hold", f"园区管理者已暂停（原因：{why}），修改后请联系园区管理者恢复",
                  f"paused by the park coordinator (reason: {why}); correct it, then ask the coordinator to resume it",
                  reason=why)
    session.flush()
    return listing, cancelled


def release(session: Session, principal: Principal, listing_id: int, reason: str | None = None) -> Listing:
    """Resume a paused listing (held or not) and lift any hold: it is matched again."""
    why = _text(reason, "reason", required=False)
    listing = moderated_listing(session, principal, listing_id, for_update=True)
    if listing.status != "paused":
        raise Conflict(f"the listing is {listing.status}: only a paused listing resumes (仅已暂停的信息可恢复)",
                       {"status": [f"is {listing.status} (该信息当前为「{_state_zh(listing.status)}」)"]})
    held = listing.held_by
    listing.status, listing.held_by, listing.held_reason = "active", None, None
    _audit(session, principal, listing, "moderation_release", reason=why,
           changes={"status": ["paused", "active"], "held_by": [held, None]})
    _notify_owner(session, listing, "release", "园区管理者已恢复，可重新参与匹配",
                  "resumed by the park coordinator: it is matched again", reason=why)
    session.flush()
    return listing


def flag(session: Session, principal: Principal, listing_id: int, reason: str, text: str | None = None) -> ListingRemark:
    """Flag the listing with a reason (``FLAG_REASONS``; "other" needs a text); its owner is told."""
    if reason not in FLAG_REASONS:
        raise ValidationFailed("unknown flag reason (未知的标记原因)",
                               {"reason": [(f"must be one of: {', '.join(FLAG_REASONS)} "
                                            f"(须为以下之一：{'、'.join(FLAG_REASONS)})")]})
    detail = _text(text, "text", required=reason == "other")
    listing = moderated_listing(session, principal, listing_id)
    remark = ListingRemark(listing_id=listing.id, kind="flag", reason=reason, text=detail or "",
                           author=principal.actor, created_at=utcnow())
    session.add(remark)
    session.flush()
    _audit(session, principal, listing, "flag", reason=reason, text=detail, remark=remark.id)
    zh, en = FLAG_REASON_TEXT[reason]
    more_zh, more_en = (f"：{detail}", f": {detail}") if detail else ("", "")
    _notify_owner(session, listing, "flag", f"园区管理者标记了问题（{zh}{more_zh}），请核实并修改",
                  f"the park coordinator flagged a problem ({en}{more_en}); please check and correct it",
                  reason=reason, text=detail, remark=remark.id)
    session.flush()
    return remark


def annotate(session: Session, principal: Principal, listing_id: int, text: str | None) -> ListingRemark:
    """A note on the listing that only coordinators (and admins) read."""
    body = _text(text, "text", required=True)
    listing = moderated_listing(session, principal, listing_id)
    remark = ListingRemark(listing_id=listing.id, kind="note", text=body, author=principal.actor,
                           created_at=utcnow())
    session.add(remark)
    session.flush()
    _audit(session, principal, listing, "annotate", reason=body, remark=remark.id)
    return remark


def clear_flag(session: Session, principal: Principal, listing_id: int, remark_id: int,
               note: str | None = None) -> ListingRemark:
    """Clear an open flag (the problem is corrected or was none); its owner is told."""
    why = _text(note, "reason", required=False)
    listing = moderated_listing(session, principal, listing_id)
    remark = session.get(ListingRemark, remark_id) if 0 < remark_id <= MAX_ID else None
    if remark is None or remark.listing_id != listing.id or remark.kind != "flag":
        raise NotFound(f"no flag {remark_id} on this listing (无此标记)", {"remark": ["unknown flag (无此标记)"]})
    if remark.cleared_at is not None:
        raise Conflict("this flag is already cleared (该标记已解除)", {"remark": ["already cleared (已解除)"]})
    remark.cleared_at, remark.cleared_by = utcnow(), principal.actor
    _audit(session, principal, listing, "clear_flag", reason=why, remark=remark.id, flag_reason=remark.reason,
           changes={"cleared_by": [None, principal.actor]})
    zh, en = FLAG_REASON_TEXT.get(remark.reason or "other", FLAG_REASON_TEXT["other"])
    _notify_owner(session, listing, "clear_flag", f"园区管理者已解除标记（{zh}）",
                  f"the park coordinator cleared the flag ({en})", reason=remark.reason, remark=remark.id)
    session.flush()
    return remark


# --- reading ------------------------------------------------------------------------------------------------

def remark_dict(r: ListingRemark, *, with_author: bool = True) -> dict[str, Any]:
    """A remark as the API shows it (``with_author=False``: as its owner reads it, without coordinators' names)."""
    return {"id": r.id, "kind": r.kind, "reason": r.reason, "text": r.text,
            "author": r.author if with_author else None, "created_at": iso_utc(r.created_at),
            "cleared_at": iso_utc(r.cleared_at), "cleared_by": r.cleared_by if with_author else None,
            "open": r.cleared_at is None}


@dataclass
class ModerationView:
    """What the listing page shows of moderation: the hold and the remarks the viewer may read."""

    held: bool
    held_reason: str | None
    remarks: list[dict[str, Any]]
    moderator: bool  # the viewer may act (a coordinator of the listing's park, or an admin)

    @property
    def open_flags(self) -> list[dict[str, Any]]:
        """The flags not cleared yet."""
        return [r for r in self.remarks if r["kind"] == "flag" and r["open"]]

    def as_dict(self) -> dict[str, Any]:
        """The API's shape."""
        return {"held": self.held, "held_reason": self.held_reason, "remarks": self.remarks,
                "open_flags": len(self.open_flags)}


def _remarks(session: Session, listing: Listing) -> list[ListingRemark]:
    return list(session.scalars(select(ListingRemark).where(ListingRemark.listing_id == listing.id)
                                .order_by(ListingRemark.created_at.desc(), ListingRemark.id.desc())))


def moderation_view(session: Session, principal: Principal, listing_id: int) -> ModerationView:
    """Moderation of a listing as its coordinators see it (every remark, authors named)."""
    listing = moderated_listing(session, principal, listing_id)
    return ModerationView(held=listing.held_by is not None, held_reason=listing.held_reason, moderator=True,
                          remarks=[remark_dict(r, with_author=True) for r in _remarks(session, listing)])


def remarks_view(session: Session, principal: Principal, listing_id: int) -> ModerationView:
    """Moderation of a listing for whoever may read it: its coordinators everything, its enterprise the hold
    and the flags (as on its listing page); anyone else is refused as by every act here."""
    listing = get_listing(session, principal, listing_id)
    if not (principal.coordinates(listing.enterprise.park_id) or principal.acts_for(listing.enterprise_id)):
        raise _refused()
    return owner_remarks(session, principal, listing)


def owner_remarks(session: Session, principal: Principal, listing: Listing) -> ModerationView:
    """What the owner (or, with every note, a coordinator) reads on the listing's page: the hold and the
    flags, open ones first; notes and the coordinators' names stay with the coordinators."""
    moderator = principal.coordinates(listing.enterprise.park_id)
    rows = [remark_dict(r, with_author=moderator) for r in _remarks(session, listing)
            if moderator or r.kind == "flag"]
    rows.sort(key=lambda r: not r["open"])  # stable: newest first within open and within cleared
    return ModerationView(held=listing.held_by is not None, held_reason=listing.held_reason, remarks=rows,
                          moderator=moderator)


# --- the coordinator's list -----------------------------------------------------------------------------

def _open_flag() -> Any:
    return exists().where(ListingRemark.listing_id == Listing.id, ListingRemark.kind == "flag",
                          ListingRemark.cleared_at.is_(None))


def park_listings(session: Session, principal: Principal, *, park: str | None = None, status: str | None = None,
                  kind: str | None = None, flagged: bool = False, held: bool = False) -> Select:
    """The listings of the principal's parks (one park if named), newest first, with the filters applied.

    Coordinators see their parks only (another park's code is refused, 403); admins every park.
    """
    if not (principal.is_admin or principal.is_coordinator):
        raise _refused()
    stmt = select(Listing).join(Listing.enterprise).options(
        selectinload(Listing.enterprise).selectinload(Enterprise.park))
    if park:
        park_id = session.scalar(select(Park.id).where(Park.code == park))
        if park_id is None and principal.is_admin:
            raise ValidationFailed(f"unknown park {park!r} (园区不存在)",
                                   {"park": [f"no park with code {park!r} (没有代码为 {park} 的园区)"]})
        if park_id is None or not principal.coordinates(park_id):
            raise Forbidden("you coordinate other parks (您不是该园区的管理者)", {"park": ["not one of your parks (非您管理的园区)"]})
        stmt = stmt.where(Enterprise.park_id == park_id)
    elif not principal.is_admin:
        stmt = stmt.where(Enterprise.park_id.in_(sorted(principal.park_ids)))
    if status:
        stmt = stmt.where(Listing.status == status)
    if kind:
        stmt = stmt.where(Listing.kind == kind)
    if flagged:
        stmt = stmt.where(_open_flag())
    if held:
        stmt = stmt.where(Listing.held_by.is_not(None))
    return stmt.order_by(Listing.created_at.desc(), Listing.id.desc())


def open_flags_by_listing(session: Session, listing_ids: list[int]) -> dict[int, list[str]]:
    """The reasons of the open flags of each listing (for the coordinator's list)."""
    out: dict[int, list[str]] = {}
    if listing_ids:
        for listing_id, reason in session.execute(
                select(ListingRemark.listing_id, ListingRemark.reason).where(
                    ListingRemark.listing_id.in_(listing_ids), ListingRemark.kind == "flag",
                    ListingRemark.cleared_at.is_(None)).order_by(ListingRemark.id)):
            out.setdefault(listing_id, []).append(reason or "other")
    return out


def changed_since_flagged(session: Session, listings: list[Listing]) -> set[int]:
    """The listings (of those given) edited by their owner after their latest open flag: ready for a look."""
    latest = dict(session.execute(
        select(ListingRemark.listing_id, func.max(ListingRemark.created_at)).where(
            ListingRemark.listing_id.in_([x.id for x in listings]), ListingRemark.kind == "flag",
            ListingRemark.cleared_at.is_(None)).group_by(ListingRemark.listing_id)).all()) if listings else {}
    return {x.id for x in listings if x.id in latest and as_utc(x.updated_at) > as_utc(latest[x.id])}


def flagged_count(session: Session, principal: Principal) -> int:
    """How many listings of the principal's parks carry an open flag (what waits for coordinators)."""
    if not (principal.is_admin or principal.is_coordinator):
        return 0
    stmt = park_listings(session, principal, flagged=True).with_only_columns(func.count()).order_by(None)
    return int(session.scalar(stmt) or 0)
