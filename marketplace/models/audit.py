"""The audit trail: who changed what, when, from which value to which."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class AuditEvent(Base):
    """One change to one entity. ``changes`` maps a field to ``[old, new]``."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))  # create, update, delete, import-hw-list, …
    entity_type: Mapped[str] = mapped_column(String(40), index=True)
    entity_key: Mapped[str] = mapped_column(String(100), index=True)
    # The park the entity belongs to, so coordinators see the trail of their parks only.
    park_id: Mapped[int | None] = mapped_column(index=True)
    changes: Mapped[dict[str, Any]]
    context: Mapped[dict[str, Any]]
