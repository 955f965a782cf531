"""Declarative base shared by every table, with stable constraint names for Alembic."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints make migrations reproducible across SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of all models."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        dict[str, Any]: JSON,
        list[str]: JSON,
        list[dict[str, Any]]: JSON,
        dt.datetime: DateTime(timezone=True),
    }


# Integer primary keys are 32-bit on PostgreSQL: an id beyond this is unknown, not a database error.
MAX_ID = 2**31 - 1


def utcnow() -> dt.datetime:
    """Timezone-aware now, the one clock of the persistence layer."""
    return dt.datetime.now(dt.timezone.utc)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time as an aware UTC datetime (SQLite hands back naive ones; all were stored as UTC)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value


def iso_utc(value: dt.datetime | None) -> str | None:
    """A stored time in ISO 8601 with its UTC offset, or None."""
    value = as_utc(value)
    return value.isoformat() if value is not None else None


# Parks keep China Standard Time (UTC+8, no daylight saving): manifest dates and "days" are local days.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")


def park_date(value: dt.datetime | None = None) -> dt.date:
    """The calendar day in China of a stored time (default: now)."""
    return as_utc(value or utcnow()).astimezone(CHINA_TZ).date()


def park_day_start(day: dt.date) -> dt.datetime:
    """The first instant (in UTC) of a park calendar day: day boundaries of period filters."""
    return dt.datetime.combine(day, dt.time(), tzinfo=CHINA_TZ).astimezone(dt.timezone.utc)
