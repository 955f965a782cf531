"""Correction requests of an electronic manifest (联单更正申请): a party or a coordinator asks, a coordinator of
the producer's park decides; on approval the changes are applied to the shipment."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

# requested ─approve─▶ approved (the changes applied);  requested ─reject─▶ rejected (nothing changed).
CORRECTION_STATUSES = ("requested", "approved", "rejected")
# The manifest fields a correction may change (what was typed at planning, dispatch or receipt).
CORRECTABLE_FIELDS = ("quantity_t", "quantity_received_t", "waste_code", "carrier", "carrier_licence", "vehicle",
                      "driver", "planned_on")


class ManifestCorrection(Base):
    """One correction request of a shipment's manifest: ``changes`` maps each field to ``[current, proposed]``
    as they were when it was asked (JSON: dates as ISO strings)."""

    __tablename__ = "manifest_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="requested", index=True)
    changes: Mapped[dict[str, Any]]
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)

    shipment = relationship("Shipment")
