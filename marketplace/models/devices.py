"""Field devices of an enterprise (现场设备): weighbridges (地磅) and GPS trackers (车载定位), and their readings.

A device posts with its own token, scoped to one enterprise and one purpose; only the token's
SHA-256 is stored. Readings carry the device's own id (``reading_id``), unique per device, so a
device that replays a buffer after losing its connection never stores a reading twice.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

DEVICE_PURPOSES = ("weighbridge", "gps")
WEIGH_ENDS = ("dispatch", "receipt")


class Device(Base):
    """A weighbridge or a GPS tracker of one enterprise; its token is shown once, at registration."""

    __tablename__ = "devices"
    __table_args__ = (
        CheckConstraint("purpose IN ('weighbridge', 'gps')", name="purpose_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[dt.datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    last_seen_at: Mapped[dt.datetime | None]

    enterprise = relationship("Enterprise")


class WeighReading(Base):
    """One weighing of a shipment's vehicle at one end of the transfer (gross − tare = net, tonnes)."""

    __tablename__ = "weigh_readings"
    __table_args__ = (
        UniqueConstraint("device_id", "reading_id", name="uq_weigh_readings_device_reading"),
        CheckConstraint("end_point IN ('dispatch', 'receipt')", name="end_known"),
        CheckConstraint("gross_t >= 0 AND tare_t >= 0 AND net_t >= 0", name="tonnes_not_negative"),
        Index("ix_weigh_readings_shipment_measured", "shipment_id", "measured_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    end_point: Mapped[str] = mapped_column(String(8))  # dispatch | receipt ("end" is an SQL word)
    reading_id: Mapped[str] = mapped_column(String(64))
    gross_t: Mapped[float] = mapped_column(Float)
    tare_t: Mapped[float] = mapped_column(Float)
    net_t: Mapped[float] = mapped_column(Float)
    measured_at: Mapped[dt.datetime]
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    device = relationship("Device")


class TrackPoint(Base):
    """One position of a shipment's vehicle from a GPS tracker (WGS-84 degrees; speed in km/h if sent)."""

    __tablename__ = "track_points"
    __table_args__ = (
        UniqueConstraint("device_id", "reading_id", name="uq_track_points_device_reading"),
        CheckConstraint("lat >= -90 AND lat <= 90 AND lon >= -180 AND lon <= 180", name="position_valid"),
        Index("ix_track_points_shipment_measured", "shipment_id", "measured_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    reading_id: Mapped[str] = mapped_column(String(64))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    speed_kmh: Mapped[float | None] = mapped_column(Float)
    measured_at: Mapped[dt.datetime]
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    device = relationship("Device")
