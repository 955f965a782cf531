"""Offers and needs, with their composition, wanted components and contaminant limits."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.waste_streams import STREAM_KEYS, infer_stream

from .base import Base, utcnow

LISTING_KINDS = ("offer", "need")
FORMS = ("solid", "powder", "liquid", "sludge", "paste", "gas")
PERIODS = ("once", "month", "year")
PURPOSES = ("reuse", "recycle", "co_process", "recover_energy", "dispose")
CURRENT_ROUTES = ("landfill", "incineration", "storage", "disposal", "sale")
LISTING_STATUSES = ("active", "paused", "closed")
COMPONENT_ROLES = ("composition", "wanted", "limit")
# Component.resolved_by when the user said the name's resolution is not their substance: not resolved again.
REJECTED = "rejected"
# A coordinator's remark on a listing: a flag (shown to the owner, until cleared) or an internal note.
REMARK_KINDS = ("flag", "note")
# Why a listing is flagged (the owner reads it in their language).
FLAG_REASONS = ("implausible_quantity", "wrong_code", "wrong_composition", "duplicate", "misleading", "other")
# The zero-waste city's streams (``catalog.waste_streams``): industrial, hazardous, household, construction, agricultural.
STREAMS = STREAM_KEYS


def _inferred_stream(context: Any) -> str:
    """A row inserted without a stream gets the one its code or category names (as the interchange infers it)."""
    params = context.get_current_parameters()
    return infer_stream(params.get("waste_code"), params.get("category"))


class Listing(Base):
    """An offer (供给) or need (需求) of one enterprise, every field of ``wastematch.v1``."""

    __tablename__ = "listings"
    __table_args__ = (
        CheckConstraint("quantity_t > 0", name="quantity_positive"),
        CheckConstraint("kind IN ('offer', 'need')", name="kind_known"),
        CheckConstraint("status IN ('active', 'paused', 'closed')", name="status_known"),
        CheckConstraint("stream IN (" + ", ".join(f"'{s}'" for s in STREAMS) + ")", name="stream_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(8), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(300))
    title_zh: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    waste_code: Mapped[str | None] = mapped_column(String(10), index=True)
    ewc_code: Mapped[str | None] = mapped_column(String(6))
    # The category of a listing without an HW code: SWnn (general industrial solid waste) or one of our
    # construction, household and agricultural categories (CWnn, HHnn, AGnn; ``catalog.waste_streams``).
    category: Mapped[str | None] = mapped_column(String(8))
    # Which stream the listing belongs to; inferred from the code or category when the poster names none.
    stream: Mapped[str] = mapped_column(String(16), default=_inferred_stream,
                                        server_default="industrial")
    form: Mapped[str | None] = mapped_column(String(10))
    quantity_t: Mapped[float] = mapped_column(Float)
    period: Mapped[str] = mapped_column(String(8))
    available_from: Mapped[dt.date | None] = mapped_column(Date)
    available_to: Mapped[dt.date | None] = mapped_column(Date)
    price_cny_per_t: Mapped[float | None] = mapped_column(Float)
    current_route: Mapped[str | None] = mapped_column(String(16))
    forms: Mapped[list[str]]
    purpose: Mapped[str | None] = mapped_column(String(16))
    max_distance_km: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(10), default="active")
    # The holder's word that every component is declared: an undeclared substance is then absent, not unknown.
    composition_complete: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Set while a coordinator holds the listing paused (moderation): only a coordinator may resume it.
    held_by: Mapped[str | None] = mapped_column(String(200))
    held_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    enterprise = relationship("Enterprise")
    components: Mapped[list[Component]] = relationship(
        back_populates="listing", cascade="all, delete-orphan", order_by="[Component.role, Component.position]"
    )

    def components_in(self, role: str) -> list[Component]:
        """The components of one role (composition, wanted, limit) in file order."""
        return [c for c in self.components if c.role == role]


class ListingRemark(Base):
    """A coordinator's flag (with its reason, shown to the owner until cleared) or note on a listing."""

    __tablename__ = "listing_remarks"
    __table_args__ = (
        CheckConstraint("kind IN ('flag', 'note')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(24))  # FLAG_REASONS, flags only
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    cleared_at: Mapped[dt.datetime | None]
    cleared_by: Mapped[str | None] = mapped_column(String(200))

    listing: Mapped[Listing] = relationship()


class Component(Base):
    """One substance line of a listing: a composition fraction, a wanted minimum or a limit."""

    __tablename__ = "components"
    __table_args__ = (
        CheckConstraint("fraction >= 0 AND fraction <= 1", name="fraction_range"),
        CheckConstraint("role IN ('composition', 'wanted', 'limit')", name="role_known"),
        CheckConstraint("cas IS NOT NULL OR name IS NOT NULL", name="identified"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(12))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(200))
    cas: Mapped[str | None] = mapped_column(String(16), index=True)
    # composition: mass fraction; wanted: min_fraction; limit: max_fraction
    fraction: Mapped[float] = mapped_column(Float)
    # What a name typed without a CAS number was resolved to (``catalog.resolve``), and how; a row with a CAS
    # number carries none (the CAS is the user's word). resolved_by is REJECTED when the user refused it.
    resolved_cas: Mapped[str | None] = mapped_column(String(16))
    resolved_by: Mapped[str | None] = mapped_column(String(12))
    resolved_ambiguous: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    listing: Mapped[Listing] = relationship(back_populates="components")

    @property
    def substance_cas(self) -> str | None:
        """The CAS number the row stands for: the one typed, else the one its name resolved to (None if rejected)."""
        return self.cas or (self.resolved_cas if self.resolved_by != REJECTED else None)
