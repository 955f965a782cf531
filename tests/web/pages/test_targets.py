"""The plan targets card of the park overview: each target's actual, target and met, in Chinese and English."""
from __future__ import annotations

from marketplace.models.base import park_date
from marketplace.services.accounts.users import system_principal
from marketplace.services.reports import targets


def test_the_overview_shows_each_target_met_or_not(pages):
    year = park_date().year
    targets.set_target(pages.session, system_principal("test"), "BH", year, "hazardous_waste_utilisation_rate", 0.5)
    pages.sign_in("coord")
    page = pages.text("/park")
    assert f"{year} 年规划目标" in page and "危险废物利用率" in page and "未达成" in page
    assert "目标 &gt;= 50.0%" in page and "未设定目标" in page
    pages.language("en")
    page = pages.text("/park")
    assert f"Plan targets {year}" in page and "Hazardous waste utilisation" not in page  # names are as registered
    assert "hazardous waste utilisation" in page and "not met" in page and "no target set" in page
