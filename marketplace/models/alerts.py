"""Reconciliation alerts for coordinators, kept in the database so none is lost on a restart."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

ALERT_KINDS = (
    "weight_mismatch",        # received differs from dispatched beyond the tolerance
    "not_received",           # dispatched, not received within N days
    "manifest_open",          # received (or rejected), manifest not closed within N days
    "licence_expiring",       # a receiver's HW licence ends within N days
    "licence_capacity",       # a licence's year is more than 90 % allocated
    "receipts_over_licence",  # a receiver took in more in a year than its licence allows
    "banned_use",             # a roster enterprise declared a role its substance's measure forbids that year
    "obligation_overdue",     # a roster enterprise's obligation is open past its due date
    "scale_mismatch",         # the receiving weighbridge's net differs from the dispatching one's beyond the tolerance
    "route_deviation",        # a GPS track point lies outside the planned corridor
    "long_stop",              # the vehicle stood within ~0.2 km for longer than the allowed minutes
)
# open: the condition holds; acknowledged: a coordinator has seen it (note recorded), it may still hold;
# cleared: the condition no longer holds (kept for the record).
ALERT_STATUSES = ("open", "acknowledged", "cleared")
ACTIVE_ALERT_STATUSES = ("open", "acknowledged")


class Alert(Base):
    """One condition a coordinator must look at, on one subject (a shipment, a licence, a licence-year).

    ``key`` names kind and subject (``weight_mismatch:shipment:12``); a scan that finds
    the condition again updates the active alert of that key, and one that no longer
    finds it clears it. At most one active alert exists per key.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        Index("uq_alerts_active_key", "key", unique=True,
              sqlite_where=text("status IN ('open', 'acknowledged')"),
              postgresql_where=text("status IN ('open', 'acknowledged')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    key: Mapped[str] = mapped_column(String(120))
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    licence_number: Mapped[str | None] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(10))  # critical | warning
    message: Mapped[str] = mapped_column(Text)  # Chinese first, English alongside
    details: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(14), default="open", index=True)
    raised_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[dt.datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    acknowledgement: Mapped[str | None] = mapped_column(Text)  # the coordinator's note
    cleared_at: Mapped[dt.datetime | None]

    park = relationship("Park")
    enterprise = relationship("Enterprise")
    shipment = relationship("Shipment")
