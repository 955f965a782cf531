"""Match runs, the proposals they make, and registered point-to-point approvals."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

MATCH_SOURCES = ("run", "recommend")
# A proposal a newer run no longer makes is superseded; later states belong to the workflow.
MATCH_STATUSES = ("proposed", "superseded", "accepted", "declined", "approved", "rejected", "in_transfer",
                  "completed", "cancelled", "expired")
# Quantities in these states are spoken for: offers, needs and licence capacity shrink by them.
RESERVING_STATUSES = ("approved", "in_transfer", "completed")


class MatchRun(Base):
    """One park-wide optimisation: its parameters, outcome and timings."""

    __tablename__ = "match_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    actor: Mapped[str] = mapped_column(String(200))
    exact: Mapped[bool] = mapped_column(Boolean, default=False)
    parameters: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20))  # OPTIMAL, FEASIBLE, EMPTY, …
    objective: Mapped[float] = mapped_column(Float, default=0.0)
    greedy_objective: Mapped[float] = mapped_column(Float, default=0.0)
    counts: Mapped[dict[str, Any]]
    timings: Mapped[dict[str, Any]]
    solver: Mapped[dict[str, Any]]
    unmatched: Mapped[dict[str, Any]]

    park = relationship("Park")
    matches: Mapped[list[Match]] = relationship(back_populates="run")


class Match(Base):
    """A proposed pairing of an offer and a need, with the quantity and its explanation.

    At most one open proposal exists per (offer, need): re-running updates it in place.
    """

    __tablename__ = "matches"
    __table_args__ = (
        CheckConstraint("quantity_t >= 0", name="quantity_nonnegative"),
        Index("uq_matches_open_pair", "offer_id", "need_id", unique=True,
              sqlite_where=text("status = 'proposed'"), postgresql_where=text("status = 'proposed'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("match_runs.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    source: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(16), default="proposed", index=True)
    quantity_t: Mapped[float] = mapped_column(Float)
    weight: Mapped[int] = mapped_column(Integer)  # CNY per tonne, the objective coefficient
    score: Mapped[float] = mapped_column(Float)  # weight × quantity_t
    distance_km: Mapped[float] = mapped_column(Float)
    similarity: Mapped[float] = mapped_column(Float)
    licence_number: Mapped[str | None] = mapped_column(String(64))
    exemption: Mapped[str | None] = mapped_column(Text)
    checks: Mapped[list[dict[str, Any]]]
    reasons: Mapped[list[str]]
    terms: Mapped[dict[str, Any]]
    # The workflow: each party answers, then a coordinator decides (see services/workflow.py).
    offer_accepted_at: Mapped[dt.datetime | None]
    offer_accepted_by: Mapped[str | None] = mapped_column(String(254))
    need_accepted_at: Mapped[dt.datetime | None]
    need_accepted_by: Mapped[str | None] = mapped_column(String(254))
    decided_at: Mapped[dt.datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(254))
    # Why the match reached its current state (a decline, a rejection, a cancellation).
    status_reason: Mapped[str | None] = mapped_column(Text)
    # Licence capacity is counted per calendar year of approval.
    approved_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    expires_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    run: Mapped[MatchRun | None] = relationship(back_populates="matches")
    offer = relationship("Listing", foreign_keys=[offer_id])
    need = relationship("Listing", foreign_keys=[need_id])


class PointToPointApprovalRow(Base):
    """点对点定向利用: a registered approval letting one producer's HW go to one named user."""

    __tablename__ = "point_to_point_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    receiver_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    waste_code: Mapped[str] = mapped_column(String(10))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    producer = relationship("Enterprise", foreign_keys=[producer_id])
    receiver = relationship("Enterprise", foreign_keys=[receiver_id])
