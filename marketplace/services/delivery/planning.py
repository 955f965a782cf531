"""Plan each new in-app notice into the outbox, in the transaction that writes the notice.

A ``before_flush`` listener on every ``Session``: whoever writes a ``Notification`` (matching,
surveys, shipments …) gets its outside deliveries written with it, so a notice rolled back is
never sent and a notice committed is never forgotten. Sending happens later, in the scheduler.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ...models import NoticeChannel, NoticeDelivery, NoticePreference, Notification, User
from .preferences import KIND_TEXT, default_choice

SUBJECT_SUFFIX = "园区固废匹配 wastematch"


def subject_of(kind: str) -> str:
    """The e-mail subject of a notice kind, Chinese first."""
    zh, en = KIND_TEXT.get(kind, (kind, kind))
    return f"[{SUBJECT_SUFFIX}] {zh} / {en}"


def body_of(notice: Notification) -> str:
    """What the notice says (already anonymised for its recipient), Chinese first, English alongside."""
    message = str((notice.data or {}).get("message") or "")
    zh, sep, en = message.partition(" / ")
    return f"{zh}\n\n{en}" if sep else message


def _recipients(session: Session, notices: list[Notification]) -> dict[int, list[User]]:
    """Active users each notice reaches: its user, or every active user of its enterprise."""
    user_ids = {n.user_id for n in notices if n.user_id is not None}
    ent_ids = {n.enterprise_id for n in notices if n.user_id is None and n.enterprise_id is not None}
    if not user_ids and not ent_ids:
        return {}
    users = list(session.scalars(select(User).where(User.active.is_(True), (User.id.in_(user_ids))
                                                    | (User.enterprise_id.in_(ent_ids) & (User.role == "enterprise")))))
    by_id = {u.id: u for u in users}
    by_ent: dict[int, list[User]] = defaultdict(list)
    for u in users:
        if u.enterprise_id is not None and u.role == "enterprise":
            by_ent[u.enterprise_id].append(u)
    return {id(n): ([by_id[n.user_id]] if n.user_id in by_id else []) if n.user_id is not None
            else by_ent.get(n.enterprise_id or -1, []) for n in notices}


def plan(session: Session, notices: list[Notification]) -> int:
    """Add the outbox rows of ``notices`` per each recipient's choices; returns how many were added."""
    recipients = _recipients(session, notices)
    ids = {u.id for users in recipients.values() for u in users}
    if not ids:
        return 0
    hooks = {c.user_id: c.webhook_url for c in session.scalars(select(NoticeChannel)
                                                               .where(NoticeChannel.user_id.in_(ids)))}
    chosen = {(p.user_id, p.kind): p for p in session.scalars(select(NoticePreference)
                                                              .where(NoticePreference.user_id.in_(ids)))}
    added = 0
    for n in notices:
        for user in recipients.get(id(n), []):
            choice: Any = chosen.get((user.id, n.kind)) or default_choice(n.kind)
            targets = [("email", user.email)] if choice.email else []
            if choice.webhook and hooks.get(user.id):
                targets.append(("webhook", hooks[user.id]))
            for channel, address in targets:
                session.add(NoticeDelivery(notification=n, user_id=user.id, channel=channel, address=address,
                                           subject=subject_of(n.kind), body=body_of(n)))
                added += 1
    return added


@event.listens_for(Session, "before_flush")
def _plan_new_notices(session: Session, _context: Any, _instances: Any) -> None:
    notices = [o for o in session.new if isinstance(o, Notification)]
    if notices:
        plan(session, notices)
