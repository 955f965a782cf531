"""Durations as people say them: "10 天 21 小时" / "10 d 21 h", "3 小时" / "3 h", "刚刚" / "just now".

Pure (no web, no database): alert messages written by the services and the pages' ``age``
filter (``web/ages.py``) say an age the same way. Units are floored, never rounded up: an
alert 10.88 days old is "10 d 21 h" old, not 11 days.
"""
from __future__ import annotations

import datetime as dt

MINUTE, HOUR, DAY = 60, 3600, 86400
# (Chinese, English) spellings of each unit; English uses the short units of the pages' tables.
UNITS = {"d": ("天", "d"), "h": ("小时", "h"), "min": ("分钟", "min")}
JUST_NOW = ("刚刚", "just now")


def spoken_duration(value: dt.timedelta | float, lang: str = "zh") -> str:
    """``value`` (a timedelta, or seconds) in ``lang`` ("zh" or "en"): days and hours from a day on, hours
    from an hour on, minutes from a minute on, else "just now". Negative durations read as "just now"."""
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
    i = 0 if lang.startswith("zh") else 1
    if not seconds >= MINUTE:  # written so that NaN reads as "just now" too
        return JUST_NOW[i]
    whole = int(seconds)
    days, rest = divmod(whole, DAY)
    hours, rest = divmod(rest, HOUR)
    minutes = rest // MINUTE
    if days:
        parts = [(days, "d")] + ([(hours, "h")] if hours else [])
    elif hours:
        parts = [(hours, "h")]
    else:
        parts = [(minutes, "min")]
    return " ".join(f"{n} {UNITS[unit][i]}" for n, unit in parts)


def spoken_ago(value: dt.timedelta | float, lang: str = "zh") -> str:
    """How long ago: "10 天 21 小时前" / "10 d 21 h ago", and "刚刚" / "just now" under a minute."""
    said = spoken_duration(value, lang)
    if said in JUST_NOW:
        return said
    return f"{said}前" if lang.startswith("zh") else f"{said} ago"


def spoken_both(value: dt.timedelta | float) -> tuple[str, str]:
    """``spoken_duration`` in Chinese and in English, for texts stored in both languages."""
    return spoken_duration(value, "zh"), spoken_duration(value, "en")
