"""The demo park's real report in headless Chromium, offline: the charts draw, the NMP loop and the
acid → ferric chloride → sewage chain are on the page, nothing is fetched, nothing is logged as an error."""
from __future__ import annotations

from marketplace.services.report_render import render_html
from tests.marketplace.test_reports import demo, report  # noqa: F401 - module fixtures: the demo park and its report
from tests.web.test_report_browser import LOCAL_SCHEMES, browser  # noqa: F401 - the Chromium fixture


def test_demo_report_renders_offline(browser, report, tmp_path):  # noqa: F811
    page_file = tmp_path / "demo-report.html"
    page_file.write_text(render_html(report), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    page = context.new_page()
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.goto(page_file.as_uri(), wait_until="load")
    charts = page.locator("div.chart[data-figure]").count()
    assert charts >= 5
    page.wait_for_function(
        "n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n", arg=charts, timeout=30_000)
    assert page.locator("#chart-sankey .sankey-link").count() > 0
    text = page.inner_text("body")
    for expected in ("共生链", "闭环", "常熟澄源溶剂再生有限公司", "澄湖新能源电池(苏州)有限公司", "太仓澄净水处理剂有限公司",
                     "整改", "E-017 → E-039 → E-017"):
        assert expected in text, expected
    shot = tmp_path / "demo-report.png"
    page.screenshot(path=str(shot), full_page=True)
    context.close()
    assert [u for u in requests if not u.startswith(LOCAL_SCHEMES)] == []
    assert problems == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 200_000
