"""Transfers of an approved match: shipments with their electronic manifest (转移联单) and containers (一物一码)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

# draft ─plan─▶ planned (a draft: saved before it is planned, no manifest number, editable and deletable by its
# author, in no list, report or alert; ``DRAFT_STATUS`` is deliberately not one of SHIPMENT_STATUSES, the states
# every list and filter offers).
# planned ─dispatch─▶ dispatched ─receive─▶ received ─close─▶ closed;  dispatched ─reject─▶ rejected (at the gate);
# planned ─cancel─▶ cancelled.
DRAFT_STATUS = "draft"
SHIPMENT_STATUSES = ("planned", "dispatched", "received", "closed", "rejected", "cancelled")
# Shipments still under way: the match cannot complete while one of these exists.
OPEN_SHIPMENT_STATUSES = ("planned", "dispatched", "received")
# A shipment's direction: ``forward`` (the match's producer → its receiver) or ``return`` (a rejected load
# going back under its own manifest: producer_id is then the original's receiver, the sender, and receiver_id the
# original's producer; ``returned_from_id`` names the rejected original).
DIRECTIONS = ("forward", "return")
PACKAGINGS = ("drum", "ibc", "bag", "box", "tank", "bulk", "cylinder")


class ManifestSequence(Base):
    """The last manifest sequence number used by one park on one day (联单编号 = park + date + sequence).

    Incremented with one atomic upsert, so concurrent shipments never share a number.
    """

    __tablename__ = "manifest_sequences"

    park_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Shipment(Base):
    """One shipment of an approved match, followed by its manifest from dispatch to receipt."""

    __tablename__ = "shipments"
    __table_args__ = (
        CheckConstraint("quantity_t > 0", name="quantity_positive"),
        CheckConstraint("quantity_received_t IS NULL OR quantity_received_t >= 0", name="received_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manifest_number: Mapped[str | None] = mapped_column(String(40), unique=True)  # None while a draft
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id"), index=True)
    # The producer's park: it numbers the manifest and its coordinators follow it.
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    receiver_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    licence_number: Mapped[str | None] = mapped_column(String(64), index=True)  # the receiver's, from the match
    waste_code: Mapped[str | None] = mapped_column(String(10))
    material: Mapped[str] = mapped_column(String(300))  # what the offer calls it, Chinese first
    status: Mapped[str] = mapped_column(String(12), default="planned", index=True)
    quantity_t: Mapped[float] = mapped_column(Float)  # dispatched (planned until dispatch)
    quantity_received_t: Mapped[float | None] = mapped_column(Float)
    carrier: Mapped[str | None] = mapped_column(String(200))
    carrier_licence: Mapped[str | None] = mapped_column(String(64))  # 道路危险货物运输许可证
    vehicle: Mapped[str | None] = mapped_column(String(20))  # plate number
    driver: Mapped[str | None] = mapped_column(String(100))
    planned_on: Mapped[dt.date | None] = mapped_column(Date)
    dispatched_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    dispatched_by: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    received_by: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[dt.datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(200))
    rejected_at: Mapped[dt.datetime | None]
    status_reason: Mapped[str | None] = mapped_column(Text)  # why rejected or cancelled; a receipt remark
    note: Mapped[str] = mapped_column(Text, default="")
    direction: Mapped[str] = mapped_column(String(8), default="forward", server_default="forward")
    # The rejected shipment this one returns (at most one return per rejected load: unique).
    returned_from_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    match = relationship("Match")
    park = relationship("Park")
    producer = relationship("Enterprise", foreign_keys=[producer_id])
    receiver = relationship("Enterprise", foreign_keys=[receiver_id])
    returned_from: Mapped[Shipment | None] = relationship(remote_side=[id], foreign_keys=[returned_from_id],
                                                          back_populates="returned_by")
    returned_by: Mapped[Shipment | None] = relationship(foreign_keys=[returned_from_id], back_populates="returned_from",
                                                        uselist=False)
    containers: Mapped[list[Container]] = relationship(back_populates="shipment", order_by="Container.sequence",
                                                       cascade="all, delete-orphan")


class Container(Base):
    """One container of a shipment with its own code (一物一码), printed as a QR label."""

    __tablename__ = "containers"
    __table_args__ = (
        UniqueConstraint("shipment_id", "sequence", name="uq_containers_shipment_sequence"),
        CheckConstraint("quantity_t > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(48), unique=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    packaging: Mapped[str] = mapped_column(String(10))
    quantity_t: Mapped[float] = mapped_column(Float)  # net mass at dispatch
    quantity_received_t: Mapped[float | None] = mapped_column(Float)

    shipment: Mapped[Shipment] = relationship(back_populates="containers")
