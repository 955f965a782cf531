"""The demo park's own HTML report, as a coordinator downloads it, opened from a file in headless
Chromium with the network cut: every chart shows (inline SVG, the page under 1 MB), the chains, loops and ratings are there, nothing
is asked of any host, and nothing is logged as an error. The screenshot is kept beside the test's
files (``report-offline.png``).
"""
from __future__ import annotations

from tests.e2e.conftest import LiveApp

LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
ADMIN = "admin@wastematch.example"


def test_demo_park_report_opens_offline_with_its_charts_chains_loops_and_ratings(sign_in, browser, live_demo: LiveApp,
                                                                                tmp_path):
    admin = sign_in(ADMIN)
    download = admin.page.request.get(f"{live_demo.url}/reports/view?format=html")
    assert download.ok, download.status
    html = download.text()
    assert html.lstrip().lower().startswith("<!doctype html>")
    report = tmp_path / "demo-report.html"
    report.write_text(html, encoding="utf-8")

    context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    page = context.new_page()
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(report.as_uri(), wait_until="load")

    # Sankey, network and the three monthly trends, drawn in the page as inline SVG (no script at all),
    # the whole report well under a megabyte.
    assert len(html.encode()) < 1_000_000
    assert page.locator("div.fig[data-figure]").count() == 5
    assert page.locator("svg.report-chart:visible").count() == 5
    assert page.locator("script").count() == 0
    assert page.locator("#chart-sankey path.band:visible").count() >= 5
    assert page.locator("#chart-network g.edge:visible").count() > 3
    assert page.locator("#chart-network text.node-label:visible").count() > 3
    for trend in ("tonnes", "co2e", "alerts"):
        assert page.locator(f"#chart-trend-{trend} rect.bar").count() >= 1, trend

    # Chains and at least one closed loop (the demo's NMP loop between E-017 and E-039 among them).
    chains = page.locator("section:has(#chains) span.tag.chain")
    loops = page.locator("section:has(#chains) span.tag.loop")
    assert chains.count() >= 10 and loops.count() >= 1
    loop_rows = page.locator("section:has(#chains) tr:has(span.tag.loop)").all_inner_texts()
    assert any("E-017 → E-039 → E-017" in row for row in loop_rows), loop_rows
    text = page.inner_text("body")
    # The NMP loop's and the acid → ferric chloride → sewage chain's enterprises, by name.
    for name in ("常熟澄源溶剂再生有限公司", "澄湖新能源电池(苏州)有限公司", "太仓澄净水处理剂有限公司", "澄湖开发区污水处理有限公司"):
        assert name in text, name

    # Ratings: every rated enterprise has a grade and at least one reason; E-006 must rectify.
    assert "须整改" in page.locator("section:has(#ratings)").inner_text()
    rating_rows = page.locator("section:has(#ratings) tbody tr")
    assert rating_rows.count() >= 30
    for i in range(rating_rows.count()):
        row = rating_rows.nth(i)
        assert row.locator("ul.reasons li").count() >= 1, row.inner_text()

    page.screenshot(path=str(tmp_path / "report-offline.png"), full_page=True)
    context.close()

    assert [u for u in requests if not u.startswith(LOCAL_SCHEMES)] == []
    assert problems == []
    png = (tmp_path / "report-offline.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 500_000
