"""The scheduler's claimed job runs and the notices sent outside the app (e-mail, chat-robot webhooks)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

JOB_RUN_STATUSES = ("running", "done", "failed")
DELIVERY_CHANNELS = ("email", "webhook")
DELIVERY_STATUSES = ("pending", "sent", "failed", "skipped")


class JobRun(Base):
    """One claimed run of a scheduled job for one time slot.

    The unique (job, slot) key is the at-most-once guarantee: the process whose insert commits
    first runs the slot; every other process's insert fails and it skips the slot.
    """

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "slot", name="uq_job_runs_job_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    slot: Mapped[dt.datetime]  # the start of the time slot this run stands for
    claimed_by: Mapped[str] = mapped_column(String(120))  # host:pid of the process
    claimed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(10), default="running")
    result: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)


class NoticeChannel(Base):
    """Where one user's outside notices go: the account's e-mail and, if set, a chat robot's webhook."""

    __tablename__ = "notice_channels"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NoticePreference(Base):
    """One user's choice of channels for one notice kind (no row: the kind's default)."""

    __tablename__ = "notice_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, default=False)
    webhook: Mapped[bool] = mapped_column(Boolean, default=False)


class NoticeDelivery(Base):
    """The outbox: one notice to send to one user over one channel, retried with backoff until sent or given up."""

    __tablename__ = "notice_deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "user_id", "channel", name="uq_notice_deliveries_notice_user_channel"),
        Index("ix_notice_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]

    notification = relationship("Notification")
