"""Parks, the enterprises in and around them, and their HW business licences."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base

# 危险废物经营许可证 (comprehensive, collection-only); 城市建筑垃圾处置核准 (建设部令第139号); the licence for
# commercial collection, transport and disposal of household waste (建设部令第157号).
LICENCE_KINDS = ("hw_comprehensive", "hw_collection", "construction_waste_disposal", "household_waste_service")
HW_LICENCE_KINDS = ("hw_comprehensive", "hw_collection")

class Park(Base):
    """An industrial park (园区) or zero-waste-city programme area."""

    __tablename__ = "parks"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    province: Mapped[str | None] = mapped_column(String(50))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    # The park's own cap on HW haulage distance (rule `distance`); None = no cap.
    hw_max_distance_km: Mapped[float | None] = mapped_column(Float)
    # The park's own rating thresholds for its reports (overrides of services.ratings.RatingPolicy); None = defaults.
    rating_policy: Mapped[dict[str, Any] | None]
    # The park's own EECM indicator tree (overrides of catalog.eecm's default); None = the default tree.
    eecm_tree: Mapped[dict[str, Any] | None]

    enterprises: Mapped[list[Enterprise]] = relationship(back_populates="park")


class Enterprise(Base):
    """A company: producer of offers, taker of needs, possibly a licensed waste handler."""

    __tablename__ = "enterprises"
    __table_args__ = (
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id"), index=True)
    industry: Mapped[str | None] = mapped_column(String(8))  # GB/T 4754 class
    industry_name: Mapped[str | None] = mapped_column(String(200))
    province: Mapped[str | None] = mapped_column(String(50))
    district: Mapped[str | None] = mapped_column(String(100))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)

    park: Mapped[Park | None] = relationship(back_populates="enterprises")
    licences: Mapped[list[Licence]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="Licence.number"
    )


class Licence(Base):
    """A receiver's licence: what it may handle, how, how much, and until when.

    The 危险废物经营许可证 (``hw_*`` kinds: ``categories`` HWnn, ``codes`` HW codes), or a licence of the
    construction or household stream (``categories`` then names the stream's categories it is limited to,
    ``catalog.waste_streams``; none: the whole stream).
    """

    __tablename__ = "licences"
    __table_args__ = (
        CheckConstraint("annual_capacity_t >= 0", name="capacity_nonnegative"),
        CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in LICENCE_KINDS) + ")", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    categories: Mapped[list[str]]
    codes: Mapped[list[str]]
    activities: Mapped[list[str]]
    annual_capacity_t: Mapped[float] = mapped_column(Float)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)

    enterprise: Mapped[Enterprise] = relationship(back_populates="licences")
