"""Learned re-ranking models trained on coordinators' decisions (stored as plain numbers, no pickles)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class RankingModel(Base):
    """One training of the decision model: data size, validation metric and parameters.

    ``parameters`` holds everything needed to score (feature names, scaling, coefficients)
    as JSON, so a model is readable, portable and never executes code when loaded.
    """

    __tablename__ = "ranking_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    trained_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    decisions: Mapped[int] = mapped_column(Integer)
    approved: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    metric_name: Mapped[str] = mapped_column(String(40))
    metric_value: Mapped[float | None] = mapped_column(Float)
    metrics: Mapped[dict[str, Any]]
    parameters: Mapped[dict[str, Any]]
    active: Mapped[bool] = mapped_column(Boolean, default=False)
