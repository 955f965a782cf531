"""Offers and needs, with their composition, wanted components and contaminant limits."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

LISTING_KINDS = ("offer", "need")
FORMS = ("solid", "powder", "liquid", "sludge", "paste", "gas")
PERIODS = ("once", "month", "year")
PURPOSES = ("reuse", "recycle", "co_process", "recover_energy", "dispose")
CURRENT_ROUTES = ("landfill", "incineration", "storage", "disposal", "sale")
LISTING_STATUSES = ("active", "paused", "closed")
COMPONENT_ROLES = ("composition", "wanted", "limit")


class Listing(Base):
    """An offer (供给) or need (需求) of one enterprise, every field of ``wastematch.v1``."""

    __tablename__ = "listings"
    __table_args__ = (
        CheckConstraint("quantity_t > 0", name="quantity_positive"),
        CheckConstraint("kind IN ('offer', 'need')", name="kind_known"),
        CheckConstraint("status IN ('active', 'paused', 'closed')", name="status_known"),
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
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    enterprise = relationship("Enterprise")
    components: Mapped[list[Component]] = relationship(
        back_populates="listing", cascade="all, delete-orphan", order_by="[Component.role, Component.position]"
    )

    def components_in(self, role: str) -> list[Component]:
        """The components of one role (composition, wanted, limit) in file order."""
        return [c for c in self.components if c.role == role]


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

    listing: Mapped[Listing] = relationship(back_populates="components")
