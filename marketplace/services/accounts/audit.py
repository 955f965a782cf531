"""Recording changes in the audit trail."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import AuditEvent


def record(session: Session, *, actor: str, action: str, entity_type: str, entity_key: str,
           changes: dict[str, Any] | None = None, context: dict[str, Any] | None = None,
           park_id: int | None = None) -> AuditEvent:
    """Add one audit event to the session (the caller's transaction commits it with the change).

    ``park_id`` scopes the event for coordinators: they read the trail of their parks.
    """
    event = AuditEvent(actor=actor, action=action, entity_type=entity_type, entity_key=entity_key,
                       changes=changes or {}, context=context or {}, park_id=park_id)
    session.add(event)
    return event


def event_count(session: Session) -> int:
    """How many audit events the database holds (a restore must give back every one)."""
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
