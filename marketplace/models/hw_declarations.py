"""The annual hazardous waste declaration (危险废物年度申报) of a producing enterprise, one per year.

An enterprise that produces hazardous waste declares each year, per waste code, what it generated,
utilised or disposed of itself, transferred out under manifests, and held in store at the start and the
end of the year (《固体废物污染环境防治法》第七十八条; the declaration's items follow HJ 1259-2022
《危险废物管理计划和管理台账制定技术导则》). The platform drafts it from the manifests it holds; the
enterprise reviews, corrects and submits it; the park's coordinators accept it or return it with a reason.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

# draft → submitted → returned (a reason) → resubmitted → accepted, as the chemical survey.
HW_DECLARATION_STATUSES = ("draft", "submitted", "returned", "resubmitted", "accepted")
# The tonnes of a line, in the order the declaration form lists them.
HW_LINE_TONNES = ("stock_start_t", "generated_t", "utilised_own_t", "disposed_own_t", "transferred_t",
                  "stock_end_t")


class HwDeclaration(Base):
    """One enterprise's hazardous waste declaration for one year.

    ``checks`` are the reconciliation of the last submission (``[{"field", "code", "severity", "message",
    ...}]``): each line's transferred tonnes against the manifests of the year, its balance, codes shipped
    under manifests but not declared.
    """

    __tablename__ = "hw_declarations"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", name="uq_hw_declarations_enterprise_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    returned_reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[dt.datetime | None]
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[dt.datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    enterprise = relationship("Enterprise")
    lines: Mapped[list[HwDeclarationLine]] = relationship(
        back_populates="declaration", cascade="all, delete-orphan", order_by="HwDeclarationLine.position")


class HwDeclarationLine(Base):
    """One waste code of a declaration: the year's tonnes, and what the manifests said when it was drafted.

    ``manifests_t`` / ``manifest_count`` are the platform's figures (the year's dispatched manifests of the
    code), refreshed on every submission; the enterprise's own figures are the other columns.
    """

    __tablename__ = "hw_declaration_lines"
    __table_args__ = tuple(CheckConstraint(f"{name} >= 0", name=f"{name}_not_negative") for name in HW_LINE_TONNES)

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("hw_declarations.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    waste_code: Mapped[str] = mapped_column(String(10))
    stock_start_t: Mapped[float] = mapped_column(Float, default=0.0)
    generated_t: Mapped[float] = mapped_column(Float, default=0.0)
    utilised_own_t: Mapped[float] = mapped_column(Float, default=0.0)
    disposed_own_t: Mapped[float] = mapped_column(Float, default=0.0)
    transferred_t: Mapped[float] = mapped_column(Float, default=0.0)
    stock_end_t: Mapped[float] = mapped_column(Float, default=0.0)
    manifests_t: Mapped[float] = mapped_column(Float, default=0.0)
    manifest_count: Mapped[int] = mapped_column(Integer, default=0)

    declaration: Mapped[HwDeclaration] = relationship(back_populates="lines")
