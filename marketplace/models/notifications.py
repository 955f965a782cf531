"""In-app notifications: the platform "pushes upstream and downstream recommendations"."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

NOTIFICATION_KINDS = ("listing_fit", "match_proposed", "match_transition", "shipment_event", "ledger_findings",
                      "survey_transition", "roster_decision", "disclosure_transition", "eecm_transition",
                      "account_locked", "hw_declaration", "hw_plan")


class Notification(Base):
    """One message to an enterprise (all its users see it) or to one user (a coordinator).

    ``data`` holds what the message says, already anonymised for its recipient.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_enterprise_unread", "enterprise_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    own_listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    data: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[dt.datetime | None]

    listing = relationship("Listing", foreign_keys=[listing_id])
    own_listing = relationship("Listing", foreign_keys=[own_listing_id])
