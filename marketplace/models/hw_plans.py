"""The hazardous waste management plan (危险废物管理计划) of a producing enterprise, one per year.

Every unit that produces hazardous waste draws up a management plan for the year and files it with the
ecology and environment bureau where it operates (《固体废物污染环境防治法》第七十八条; content and tiers as
HJ 1259-2022《危险废物管理计划和管理台账制定技术导则》), by 31 March of the year. The plan says which wastes
the unit expects to produce and in what amounts, what it stores, utilises or disposes of itself, to whom it
hands the rest (the receiver and its licence), and, for a key-supervision unit, its facilities and its
reduction plan. The platform drafts it from what it already holds (last year's manifests and declaration,
the enterprise's hazardous offers, its approved matches); the enterprise completes and submits it; the
park's coordinators file it (accept, with a filing number) or return it with a reason. A filed plan that
must change is revised: the revision goes through the same review.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

# draft → submitted → returned (a reason) → resubmitted → accepted (filed); accepted → draft (a revision).
HW_PLAN_STATUSES = ("draft", "submitted", "returned", "resubmitted", "accepted")
# HJ 1259-2022's management tiers: 重点监管单位, 简化管理单位, 登记管理单位.
HW_PLAN_TIERS = ("key", "simplified", "registration")
# The planned tonnes of a waste, in the order the plan's form lists them.
HW_PLAN_TONNES = ("planned_t", "storage_max_t", "utilised_own_t", "disposed_own_t", "transferred_t")
# What a facility of the unit does with its hazardous waste (贮存 / 自行利用 / 自行处置).
HW_FACILITY_KINDS = ("storage", "utilisation", "disposal")


class HwPlan(Base):
    """One enterprise's hazardous waste management plan for one year (its current revision).

    ``tier`` is the management tier the platform derives (``tier_reasons`` say why); ``checks`` are the
    findings of the last submission or refresh (``[{"field", "code", "severity", "message", ...}]``);
    ``filing_number`` (备案编号) is set when a coordinator accepts the plan.
    """

    __tablename__ = "hw_plans"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "year", name="uq_hw_plans_enterprise_year"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        CheckConstraint("reduction_target_pct IS NULL OR (reduction_target_pct >= 0 AND reduction_target_pct <= 100)",
                        name="reduction_target_pct_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    tier: Mapped[str] = mapped_column(String(12), default="registration")
    tier_reasons: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    # Last year's hazardous waste generated, tonnes, and where the figure comes from ("declaration", "ledger",
    # "manifests").
    last_year_t: Mapped[float] = mapped_column(Float, default=0.0)
    last_year_source: Mapped[str | None] = mapped_column(String(12))
    reduction_measures: Mapped[str] = mapped_column(Text, default="")
    reduction_target_pct: Mapped[float | None] = mapped_column(Float)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    filing_number: Mapped[str | None] = mapped_column(String(64), unique=True)
    returned_reason: Mapped[str | None] = mapped_column(Text)
    first_submitted_at: Mapped[dt.datetime | None]
    submitted_at: Mapped[dt.datetime | None]
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[dt.datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    enterprise = relationship("Enterprise")
    wastes: Mapped[list[HwPlanWaste]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="HwPlanWaste.position")
    transfers: Mapped[list[HwPlanTransfer]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="HwPlanTransfer.position")
    facilities: Mapped[list[HwPlanFacility]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="HwPlanFacility.position")


class HwPlanWaste(Base):
    """One waste code the plan expects: where it arises, how much, and what becomes of it.

    ``last_year_t`` / ``manifests_t`` / ``manifest_count`` are the platform's figures (last year's generation
    of the code; this year's dispatched manifests so far), refreshed on every draft and submission.
    """

    __tablename__ = "hw_plan_wastes"
    __table_args__ = tuple(CheckConstraint(f"{name} >= 0", name=f"{name}_not_negative") for name in HW_PLAN_TONNES)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("hw_plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    waste_code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(200), default="")  # 产生环节（工序）
    planned_t: Mapped[float] = mapped_column(Float, default=0.0)
    storage_max_t: Mapped[float] = mapped_column(Float, default=0.0)
    utilised_own_t: Mapped[float] = mapped_column(Float, default=0.0)
    disposed_own_t: Mapped[float] = mapped_column(Float, default=0.0)
    transferred_t: Mapped[float] = mapped_column(Float, default=0.0)
    last_year_t: Mapped[float] = mapped_column(Float, default=0.0)
    manifests_t: Mapped[float] = mapped_column(Float, default=0.0)
    manifest_count: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[HwPlan] = relationship(back_populates="wastes")


class HwPlanTransfer(Base):
    """A planned hand-over (委托利用处置): which waste, to which licensed receiver, how much."""

    __tablename__ = "hw_plan_transfers"
    __table_args__ = (CheckConstraint("planned_t >= 0", name="planned_t_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("hw_plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    waste_code: Mapped[str] = mapped_column(String(10))
    receiver: Mapped[str] = mapped_column(String(200))  # an enterprise ref of the platform, or a name
    licence_number: Mapped[str] = mapped_column(String(64))
    planned_t: Mapped[float] = mapped_column(Float, default=0.0)

    plan: Mapped[HwPlan] = relationship(back_populates="transfers")


class HwPlanFacility(Base):
    """A facility of the unit for its hazardous waste: storage, own utilisation or own disposal, with its capacity."""

    __tablename__ = "hw_plan_facilities"
    __table_args__ = (
        CheckConstraint("capacity_t >= 0", name="capacity_t_not_negative"),
        CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in HW_FACILITY_KINDS) + ")", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("hw_plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(200))
    capacity_t: Mapped[float] = mapped_column(Float, default=0.0)  # storage: tonnes held; treatment: tonnes a year

    plan: Mapped[HwPlan] = relationship(back_populates="facilities")
