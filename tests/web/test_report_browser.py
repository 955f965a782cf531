"""The HTML park report in a real browser: headless Chromium without network access loads it from a
file, draws every chart (Sankey included), asks for nothing outside the file and logs no error.

Chromium is found at ``$WASTEMATCH_CHROMIUM``, else ``/usr/bin/chromium``, else on the PATH. Without
one the test is skipped, unless ``WASTEMATCH_REQUIRE_BROWSER`` is set (CI), where it fails.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from marketplace.services.reports.render import render_html
from tests.marketplace.services.reports.report_sample import sample_report

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def chromium_path() -> str | None:
    """The Chromium binary: ``$WASTEMATCH_CHROMIUM``, else ``/usr/bin/chromium``, else ``chromium`` on the PATH."""
    env = os.environ.get("WASTEMATCH_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _unavailable(reason: str):
    if os.environ.get("WASTEMATCH_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (WASTEMATCH_REQUIRE_BROWSER is set)")
    pytest.skip(reason)


def launch_chromium(playwright):
    """Headless Chromium for a test (network-quiet flags); skips (or fails when a browser is required)
    when there is no Chromium."""
    path = chromium_path()
    if path is None:
        _unavailable("no Chromium: set WASTEMATCH_CHROMIUM or install /usr/bin/chromium")
    return playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)


@pytest.fixture
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright (Python) is not installed")
    with sync_playwright() as p:
        b = launch_chromium(p)
        try:
            yield b
        finally:
            b.close()


def test_report_loads_offline_draws_every_chart_and_logs_no_error(browser, tmp_path):
    doc = sample_report()
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(doc), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    page = context.new_page()
    requests: list[str] = []
    console: list[tuple[str, str]] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: console.append((m.type, m.text)))
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(page_file.as_uri(), wait_until="load")
    charts = page.locator("div.chart[data-figure]").count()
    # sankey, network, three trend charts
    assert charts == 5
    page.wait_for_function(
        "n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n", arg=charts, timeout=30_000)
    page.wait_for_selector("g.sankey", state="attached", timeout=30_000)
    assert page.locator(".js-plotly-plot").count() == charts
    # The network draws its edges and labelled nodes; the Sankey its links.
    assert page.locator("#chart-network .scatterlayer .trace").count() > 3
    assert page.locator("#chart-sankey .sankey-link").count() > 0
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)

    # Switching the Sankey and the network to another basis (plotly's updatemenus buttons) draws it.
    for chart in ("#chart-sankey", "#chart-network"):
        page.locator(f"{chart} .updatemenu-button").nth(1).click()
    page.wait_for_timeout(300)
    assert page.locator("#chart-sankey g.sankey").count() >= 1
    assert "approved" in page.locator("#chart-sankey .gtitle").text_content()
    context.close()

    foreign = [u for u in requests if not u.startswith(LOCAL_SCHEMES)]
    assert foreign == []
    assert [t for kind, t in console if kind in ("error", "warning")] == []
    assert errors == []
    png = (tmp_path / "report.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 100_000


def test_empty_report_loads_with_no_error(browser, tmp_path):
    from tests.marketplace.services.reports.report_sample import empty_report

    page_file = tmp_path / "empty.html"
    page_file.write_text(render_html(empty_report()), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(page_file.as_uri(), wait_until="load")
    assert page.locator("g.sankey").count() == 0
    assert page.get_by_text("No material flows in this period.").count() == 1
    assert errors == []
    page.close()
