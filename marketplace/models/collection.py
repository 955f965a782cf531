"""Pooled collection rounds (小微企业危险废物集中收集): a licensed collector's planned rounds and their stops.

A round is one day's plan for a collector (an enterprise holding an ``hw_collection`` licence): its vehicles'
ordered pick-ups at small producers, planned by the OR-Tools routing solver (``matching.routing``) and
measured against a nearest-neighbour round on the same pick-ups. Each stop becomes a match of the producer's
offer with the collector's collection need (the workflow and its hard checks as any match) and, once
approved, the manifest of that pick-up.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

# planned → proposed (each stop a match in the workflow) → manifested (every approved stop has its manifest);
# cancelled: dropped before its manifests.
ROUND_STATUSES = ("planned", "proposed", "manifested", "cancelled")


class CollectionRound(Base):
    """One day's pooled collection plan of one collector, with its totals and the baseline's."""

    __tablename__ = "collection_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id"), index=True)
    collector_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))  # the need asked for, or the collector's first
    licence_number: Mapped[str] = mapped_column(String(64))
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12), default="planned", index=True)
    vehicles: Mapped[list[dict[str, Any]]]  # [{"ref", "capacity_t", "shift_start_min", "shift_end_min"}]
    total_km: Mapped[float] = mapped_column(Float)
    total_hours: Mapped[float] = mapped_column(Float)
    vehicles_used: Mapped[int] = mapped_column(Integer)
    baseline_km: Mapped[float] = mapped_column(Float)  # the nearest-neighbour round on the same pick-ups
    baseline_hours: Mapped[float] = mapped_column(Float)
    baseline_served: Mapped[int] = mapped_column(Integer)
    solve_s: Mapped[float] = mapped_column(Float)
    unserved: Mapped[list[dict[str, Any]]]  # [{"offer", "producer", "code", "reason_zh", "reason_en"}]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    collector = relationship("Enterprise")
    need = relationship("Listing")
    stops: Mapped[list[CollectionStop]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="[CollectionStop.route, CollectionStop.sequence]")


class CollectionStop(Base):
    """One pick-up of a round: where in which vehicle's round, what and how much, and its match and manifest."""

    __tablename__ = "collection_stops"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("collection_rounds.id", ondelete="CASCADE"), index=True)
    route: Mapped[int] = mapped_column(Integer)  # the vehicle's position in ``CollectionRound.vehicles``
    sequence: Mapped[int] = mapped_column(Integer)  # 1, 2, … within the vehicle's round
    vehicle_ref: Mapped[str] = mapped_column(String(40))
    offer_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))  # the collector's need taking this waste
    producer_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    waste_code: Mapped[str] = mapped_column(String(10))
    quantity_t: Mapped[float] = mapped_column(Float)
    arrive_min: Mapped[float] = mapped_column(Float)  # minutes after midnight (park time)
    km_from_previous: Mapped[float] = mapped_column(Float)
    load_t: Mapped[float] = mapped_column(Float)  # on board after this stop
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id", ondelete="SET NULL"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id", ondelete="SET NULL"), index=True)
    note: Mapped[str | None] = mapped_column(String(500))  # why a stop has no match (its pair refused), bilingual

    round: Mapped[CollectionRound] = relationship(back_populates="stops")
    offer = relationship("Listing", foreign_keys=[offer_id])
    need = relationship("Listing", foreign_keys=[need_id])
    producer = relationship("Enterprise")
    match = relationship("Match")
    shipment = relationship("Shipment")
