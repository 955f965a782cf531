"""The pages' ``age`` filter: how long ago something happened (or how long it lasted), as people say it.

``{{ a.raised_at|age }}`` → "10 天 21 小时" on a Chinese page, "10 d 21 h" on an English one;
a timedelta or a number of seconds reads as the duration itself. The wording is
``marketplace.durations.spoken_duration``'s, which the services' alert messages use too.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask

from marketplace.durations import spoken_ago, spoken_duration
from marketplace.models.base import as_utc, utcnow

from .i18n import is_chinese, per_render


def _duration(value: Any, now: dt.datetime | None) -> dt.timedelta | float | None:
    """A datetime or ISO string as the time since it; a timedelta or seconds as is; None for anything else."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        return (now or utcnow()) - as_utc(value)
    if isinstance(value, (dt.timedelta, int, float)) and not isinstance(value, bool):
        return value
    return None


def _lang() -> str:
    return "zh" if is_chinese() else "en"


def age(value: Any, now: dt.datetime | None = None) -> str:
    """``value`` (a datetime or ISO string: the time since; a timedelta or seconds: the duration) in the page's
    language: "10 天 21 小时" / "10 d 21 h"; "" for None or a text that is not a time."""
    duration = _duration(value, now)
    return "" if duration is None else spoken_duration(duration, _lang())


def ago(value: Any, now: dt.datetime | None = None) -> str:
    """How long ago ``value`` was: "10 天 21 小时前" / "10 d 21 h ago", "刚刚" / "just now"."""
    duration = _duration(value, now)
    return "" if duration is None else spoken_ago(duration, _lang())


def register_ages(app: Flask) -> None:
    """Register ``age`` and ``ago`` as Jinja filters (evaluated at each rendering, in that page's language)."""
    app.jinja_env.filters.update(age=per_render(age), ago=per_render(ago))
