"""Reference-data tables: the HW list (categories, codes, exemptions) and the EU List of Waste."""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class HwCategoryRow(Base):
    """HW01–HW50 of the National Hazardous Waste List."""

    __tablename__ = "hw_categories"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200), default="")


class HwCodeRow(Base):
    """One eight-digit HW code; ``source`` says whether it came from the built-in set or a PDF."""

    __tablename__ = "hw_codes"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    category: Mapped[str] = mapped_column(ForeignKey("hw_categories.code"), index=True)
    industry: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text, default="")
    hazards: Mapped[list[str]]
    edition: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(20))  # "builtin" | "hw-list-pdf"


class HwExemptionRow(Base):
    """One (entry, stage) row of 危险废物豁免管理清单."""

    __tablename__ = "hw_exemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition: Mapped[str] = mapped_column(String(10))
    number: Mapped[int] = mapped_column(Integer, index=True)
    waste: Mapped[str] = mapped_column(Text)
    codes: Mapped[list[str]]
    categories: Mapped[list[str]]
    label: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(50))
    conditions: Mapped[str] = mapped_column(Text)
    exempted: Mapped[str] = mapped_column(Text)


class EwcCodeRow(Base):
    """One six-digit code of the EU List of Waste."""

    __tablename__ = "ewc_codes"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    chapter: Mapped[str] = mapped_column(Text)
    sub_chapter: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    hazardous: Mapped[bool] = mapped_column(Boolean)
    entry_type: Mapped[str] = mapped_column(String(40))
