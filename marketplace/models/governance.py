"""Chemical governance (新污染物治理): annual chemical surveys, the key-enterprise roster, its obligations,
EECM assessments, annual environmental disclosures and a park's yearly targets."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

# What an enterprise does with a substance in the year (化学物质环境信息调查): the survey's ``role``.
SURVEY_ROLES = ("produce", "import", "use", "byproduct", "release")
# draft → submitted → returned (reasons per field) → resubmitted → accepted; a returned declaration is
# edited and submitted again (resubmitted); only a coordinator accepts or returns.
DECLARATION_STATUSES = ("draft", "submitted", "returned", "resubmitted", "accepted")
# Declarations a coordinator has in front of them.
UNDER_REVIEW_STATUSES = ("submitted", "resubmitted")

# proposed: computed from accepted declarations and the ledger; confirmed or removed by a coordinator (reason).
ROSTER_STATUSES = ("proposed", "confirmed", "removed")
OBLIGATION_CODES = (
    "clean_production_audit",  # 强制性清洁生产审核
    "discharge_permit",        # 排污许可（载明管控物质）
    "monitoring",              # 自行监测
    "annual_disclosure",       # 企业环境信息依法披露（年度报告）
)
# An obligation is overdue when it is open past its due date (computed, not stored).
OBLIGATION_STATUSES = ("open", "done", "waived")

DISCLOSURE_STATUSES = ("draft", "reviewed", "published")
EECM_STATUSES = ("draft", "submitted", "scored")


class SurveyDeclaration(Base):
    """One enterprise's declaration of the chemicals it handled in one year (one per enterprise and year).

    ``checks`` are the quality checks of the last submission (``[{"field", "code", "severity",
    "message"}]``); ``returned_reasons`` the coordinator's reasons per field of the last return.
    """

    __tablename__ = "survey_declarations"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", name="uq_survey_declarations_enterprise_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    returned_reasons: Mapped[dict[str, Any]] = mapped_column(default=dict)
    submitted_at: Mapped[dt.datetime | None]
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[dt.datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    enterprise = relationship("Enterprise")
    substances: Mapped[list[SurveySubstance]] = relationship(
        back_populates="declaration", cascade="all, delete-orphan", order_by="SurveySubstance.position")


class SurveySubstance(Base):
    """One row of a declaration: a substance in one role, with its tonnes in the year.

    ``substance_key`` is the control-list key (``catalog.control_lists``) the CAS number or name
    resolved to, when it is a controlled substance.
    """

    __tablename__ = "survey_substances"
    __table_args__ = (
        CheckConstraint("quantity_t >= 0", name="quantity_not_negative"),
        Index("ix_survey_substances_cas", "cas"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("survey_declarations.id", ondelete="CASCADE"),
                                                index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    cas: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(200))
    substance_key: Mapped[str | None] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(12))
    quantity_t: Mapped[float] = mapped_column(Float)
    use: Mapped[str] = mapped_column(String(300), default="")
    stock_t: Mapped[float | None] = mapped_column(Float)
    released_t: Mapped[float | None] = mapped_column(Float)

    declaration: Mapped[SurveyDeclaration] = relationship(back_populates="substances")


class RosterEntry(Base):
    """An enterprise on the key-enterprise roster of controlled new pollutants (重点管控新污染物企业名单) for a year.

    ``substances`` are what put it there (``[{"cas", "name", "key", "list", "measure", "role",
    "quantity_t", "source"}]``, source ``declaration`` or ``ledger``), as last computed; a
    coordinator confirms the entry or removes it, with a reason.
    """

    __tablename__ = "roster_entries"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", name="uq_roster_entries_enterprise_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    substances: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)

    enterprise = relationship("Enterprise")
    park = relationship("Park")


class Obligation(Base):
    """Something a roster enterprise must do for a year, by a date (an audit, a permit, monitoring, disclosure)."""

    __tablename__ = "obligations"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", "code", name="uq_obligations_enterprise_year_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    code: Mapped[str] = mapped_column(String(30))
    due: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open")
    done_at: Mapped[dt.date | None] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    enterprise = relationship("Enterprise")


class AnnualDisclosure(Base):
    """A roster enterprise's annual environmental disclosure (企业环境信息依法披露): generated, reviewed, published.

    ``content`` is the document as generated (and as published: it does not change afterwards).
    """

    __tablename__ = "annual_disclosures"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", name="uq_annual_disclosures_enterprise_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    generated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reviewed_at: Mapped[dt.datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    published_at: Mapped[dt.datetime | None]
    published_by: Mapped[str | None] = mapped_column(String(200))

    enterprise = relationship("Enterprise")


class EecmAssessment(Base):
    """An enterprise's EECM assessment for a year: its self-assessment with evidence, then the coordinator's scores.

    ``self_scores`` and ``scores`` map a leaf indicator's code to ``{"score": 0…1, "evidence"|"note": …}``;
    ``total`` is the weighted result (0…1) over the park's indicator tree, ``bonus`` what it adds to the rating.
    """

    __tablename__ = "eecm_assessments"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", name="uq_eecm_assessments_enterprise_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    self_scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    total: Mapped[float | None] = mapped_column(Float)
    bonus: Mapped[float | None] = mapped_column(Float)
    submitted_at: Mapped[dt.datetime | None]
    scored_at: Mapped[dt.datetime | None]
    scored_by: Mapped[str | None] = mapped_column(String(200))

    enterprise = relationship("Enterprise")


class Target(Base):
    """A park's target for one indicator in one year (e.g. roster enterprises audited ≥ 100 %)."""

    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("park_id", "year", "key", name="uq_targets_park_year_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(60))
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    park = relationship("Park")
