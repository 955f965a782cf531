"""Ages and durations as people say them, in both languages: the pure wording and the pages' filters."""
from __future__ import annotations

import datetime as dt
import math

import pytest
from flask import Flask, render_template_string
from flask_babel import Babel, force_locale

from marketplace.durations import spoken_ago, spoken_duration
from web.ages import age, ago, register_ages

MIN, HOUR, DAY = 60, 3600, 86400


@pytest.mark.parametrize("seconds, zh, en", [
    (0, "刚刚", "just now"),
    (59, "刚刚", "just now"),
    (-5, "刚刚", "just now"),  # a clock a little ahead: not a negative age
    (float("nan"), "刚刚", "just now"),
    (60, "1 分钟", "1 min"),
    (25 * MIN + 59, "25 分钟", "25 min"),
    (HOUR, "1 小时", "1 h"),
    (3 * HOUR + 59 * MIN, "3 小时", "3 h"),  # floored: never more than it is
    (DAY, "1 天", "1 d"),
    (DAY + 30 * MIN, "1 天", "1 d"),
    (10.88 * DAY, "10 天 21 小时", "10 d 21 h"),  # the alert that read "10.88 天"
    (45 * DAY + 23 * HOUR + 59 * MIN, "45 天 23 小时", "45 d 23 h"),
])
def test_spoken_durations(seconds, zh, en):
    assert spoken_duration(seconds, "zh") == zh and spoken_duration(seconds, "en") == en
    assert spoken_duration(dt.timedelta(seconds=seconds) if not math.isnan(seconds) else seconds, "zh_CN") == zh


def test_spoken_ago():
    assert spoken_ago(10.88 * DAY, "zh") == "10 天 21 小时前" and spoken_ago(10.88 * DAY, "en") == "10 d 21 h ago"
    assert spoken_ago(3, "zh") == "刚刚" and spoken_ago(3, "en") == "just now"


@pytest.fixture()
def app() -> Flask:
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: "zh_CN")
    register_ages(app)
    return app


def test_the_filters_speak_the_pages_language(app):
    now = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
    raised = now - dt.timedelta(days=10, hours=21, minutes=7)
    with app.test_request_context():
        assert age(raised, now) == "10 天 21 小时" and ago(raised, now) == "10 天 21 小时前"
        assert ago(raised.isoformat(), now) == "10 天 21 小时前"
        assert ago(raised.replace(tzinfo=None), now) == "10 天 21 小时前"  # SQLite's naive UTC
        assert age(dt.timedelta(hours=3)) == "3 小时" and age(None) == "" and age("not a time") == ""
        with force_locale("en"):
            assert age(raised, now) == "10 d 21 h" and ago(raised, now) == "10 d 21 h ago"
            assert ago(now, now) == "just now"
        assert render_template_string("{{ d|age }}", d=dt.timedelta(days=2, hours=1)) == "2 天 1 小时"
