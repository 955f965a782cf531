"""The chemical flow ledger (化学物质流向台账) and the findings a coordinator's review raises on it."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

# in: received or bought; produced: made on site; out: sold or shipped; consumed: used up on site.
LEDGER_DIRECTIONS = ("in", "out", "produced", "consumed")
# Directions that add to what an enterprise holds, and those that draw on it.
LEDGER_SOURCES = ("in", "produced")
LEDGER_SINKS = ("out", "consumed")

FINDING_CODES = (
    "out_exceeds_in",             # more of a chemical left (or was used) than came in or was made
    "source_exceeded",            # batches drawn from one source batch exceed it
    "unknown_counterparty",       # a supplier / buyer that is neither a known enterprise nor named
    "missing_cas",                # a chemical without a CAS number
    "controlled_without_permit",  # a controlled substance (POPs, key new pollutant, priority chemical) without a permit
    "declaration_mismatch",       # a hazardous waste declaration's transferred tonnes differ from the year's manifests
    "plan_missing",               # a producer of hazardous waste has submitted no management plan for the year by 31 March
)
FINDING_STATUSES = ("open", "resolved", "dismissed")


class LedgerEntry(Base):
    """One batch of a chemical entering or leaving an enterprise.

    ``quantity_t`` is the batch's mass; ``content_ratio`` the chemical's mass fraction in
    it (1 for the pure chemical), so the chemical's own mass is their product. An ``out``
    or ``consumed`` batch may name the batch it drew from (``source_entry``) and the
    ``product`` it went into; a batch received from a transfer names its ``shipment``.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "batch_code", name="uq_ledger_entries_enterprise_batch"),
        CheckConstraint("quantity_t > 0", name="quantity_positive"),
        CheckConstraint("content_ratio > 0 AND content_ratio <= 1", name="content_ratio_range"),
        Index("ix_ledger_entries_enterprise_cas", "enterprise_id", "cas"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    batch_code: Mapped[str] = mapped_column(String(64))  # the enterprise's own batch number
    direction: Mapped[str] = mapped_column(String(10))
    entry_date: Mapped[dt.date] = mapped_column(Date, index=True)
    chemical_name: Mapped[str | None] = mapped_column(String(200))
    cas: Mapped[str | None] = mapped_column(String(16), index=True)
    catalogue_id: Mapped[str | None] = mapped_column(String(64))  # control-list key, e.g. "sccps"
    waste_code: Mapped[str | None] = mapped_column(String(10))
    quantity_t: Mapped[float] = mapped_column(Float)
    content_ratio: Mapped[float] = mapped_column(Float, default=1.0)
    product: Mapped[str | None] = mapped_column(String(200))
    counterparty_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id", ondelete="SET NULL"), index=True)
    counterparty_name: Mapped[str | None] = mapped_column(String(200))  # as written, for one outside the system
    source_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id", ondelete="SET NULL"),
                                                        index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id", ondelete="SET NULL"), index=True)
    permit_number: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(200))

    enterprise = relationship("Enterprise", foreign_keys=[enterprise_id])
    counterparty = relationship("Enterprise", foreign_keys=[counterparty_id])
    source_entry: Mapped[LedgerEntry | None] = relationship(remote_side=[id])
    shipment = relationship("Shipment")


class LedgerFinding(Base):
    """A completeness or consistency problem in one enterprise's ledger, sent back to it to correct.

    ``key`` identifies the problem (code + entry or chemical) so that re-reviewing
    updates the open finding instead of adding another; a problem that is gone is
    ``resolved`` by the next review. At most one open finding exists per key.
    """

    __tablename__ = "ledger_findings"
    __table_args__ = (
        Index("uq_ledger_findings_open_key", "enterprise_id", "key", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id", ondelete="SET NULL"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(120))
    severity: Mapped[str] = mapped_column(String(10))  # error | warning
    message: Mapped[str] = mapped_column(Text)  # Chinese first, English alongside
    details: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    first_found_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_found_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]  # when the enterprise was notified
    closed_at: Mapped[dt.datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)  # why it was dismissed

    enterprise = relationship("Enterprise")
    entry = relationship("LedgerEntry")
