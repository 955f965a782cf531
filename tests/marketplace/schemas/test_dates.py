"""Dates as people type them and as Excel writes them (``marketplace.schemas.dates``)."""
from __future__ import annotations

import datetime as dt

import pytest

from marketplace.schemas.dates import read_date

DAY = dt.date(2026, 1, 5)


@pytest.mark.parametrize("typed", [
    "2026-01-05", "2026-1-5", "2026/1/5", "2026/01/05", "2026.1.5", "2026年1月5日", "2026年1月5号", "2026 年 1 月 5 日",
    "2026年01月05", "20260105", "２０２６／１／５", "２０２６年１月５日", " 2026/1/5 ", "2026/1/5 0:00", "2026-01-05 08:30:00",
    "2026-01-05T08:30",
])
def test_a_day_written_year_first(typed):
    assert read_date(typed) == DAY


@pytest.mark.parametrize("typed", [
    "1/5/2026", "5/1/2026", "05.01.2026",  # the day-month order depends on the writer: never guessed
    "26/1/5", "26-01-05",  # nor the century
    "2026-02-30", "2026/13/1", "2026-1", "2026年1月", "202615", "2026/1-5", "yesterday", "", None, "2026-01-05x",
])
def test_what_names_no_day_for_sure_is_none(typed):
    assert read_date(typed) is None
