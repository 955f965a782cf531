"""The HTML park report in a real browser: headless Chromium without network access loads it from a
file, shows every chart (inline SVG, Sankey included), asks for nothing outside the file and logs no
error; no chart's title meets its legend and no two network labels meet (their boxes in Chromium).

Chromium is found at ``$WASTEMATCH_CHROMIUM``, else ``/usr/bin/chromium``, else on the PATH. Without
one the test is skipped, unless ``WASTEMATCH_REQUIRE_BROWSER`` is set (CI), where it fails.
"""
from __future__ import annotations

import itertools
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
    # sankey, network, three trend charts; one basis of each switchable chart shown at a time
    assert page.locator("div.fig[data-figure]").count() == 5
    assert page.locator("svg.report-chart:visible").count() == 5
    assert page.locator("#chart-sankey path.band:visible").count() > 3
    assert page.locator("#chart-network g.edge:visible").count() >= 3
    assert page.locator("#chart-network text.node-label:visible").count() == 4
    for trend in ("tonnes", "co2e", "alerts"):
        assert page.locator(f"#chart-trend-{trend} rect.bar").count() >= 1, trend
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)

    # Switching the Sankey and the network to another basis shows that basis's picture instead.
    for chart in ("#chart-sankey", "#chart-network"):
        page.locator(f"{chart} .switch label.basis-approved").click()
        assert page.locator(f"{chart} .panel-approved").is_visible()
        assert not page.locator(f"{chart} .panel-realised").is_visible()
    assert "approved" in page.locator("#chart-sankey .panel-approved .chart-title").text_content()
    context.close()

    foreign = [u for u in requests if not u.startswith(LOCAL_SCHEMES)]
    assert foreign == []
    assert [t for kind, t in console if kind in ("error", "warning")] == []
    assert errors == []
    png = (tmp_path / "report.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 100_000


# Every visible chart: its title's box and its legend's box; the network's label boxes (client pixels).
BOXES = """() => {
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const shown = el => el.getClientRects().length > 0;
  const charts = [];
  document.querySelectorAll('.fig .chart-title').forEach(title => {
    if (!shown(title)) return;
    const legend = title.parentElement.querySelector('ul.legend');
    charts.push({title: box(title), legend: legend ? box(legend) : null, text: title.textContent});
  });
  const labels = [...document.querySelectorAll('#chart-network .panel text.node-label')].filter(shown)
    .map(t => ({box: box(t), text: t.textContent}));
  const nodes = [...document.querySelectorAll('#chart-network .panel circle.node')].filter(shown).map(box);
  return {charts, labels, nodes};
}"""


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _crowded_report() -> dict:
    """The sample report with a realised network of 20 enterprises in one chain and a ring of six."""
    doc = sample_report()
    keys = [f"E-{i:03d}" for i in range(101, 121)]
    nodes = [{"key": k, "label_zh": f"苏州澄湖第{i}精细化工新材料科技股份有限公司", "label_en": ""} for i, k in enumerate(keys)]
    links = [{"source": a, "target": b, "tonnes": 10.0 * (i + 1), "materials": ["废酸"]}
             for i, (a, b) in enumerate(itertools.pairwise(keys))]
    doc["chains"].append({"level": "enterprise", "basis": "realised", "rank": 0, "closed": False, "nodes": nodes,
                          "links": links, "tonnes": 10.0})
    ring = [f"E-{i:03d}" for i in range(201, 207)]
    doc["loops"].append({"level": "enterprise", "basis": "realised", "rank": 0, "closed": True,
                         "nodes": [{"key": k, "label_zh": f"澄湖{k}环保有限公司", "label_en": "Chenghu Environmental Co."}
                                   for k in ring],
                         "links": [{"source": a, "target": b, "tonnes": 50.0, "materials": ["NMP"]}
                                   for a, b in zip(ring, ring[1:] + ring[:1])], "tonnes": 50.0})
    return doc


@pytest.mark.parametrize("width", [1280, 390])
def test_no_chart_title_meets_its_legend_and_no_two_network_labels_meet(browser, tmp_path, width):
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(_crowded_report()), encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(page_file.as_uri(), wait_until="load")
    for basis in ("realised", "approved", "proposed"):
        for chart in ("#chart-sankey", "#chart-network"):
            page.locator(f"{chart} .switch label.basis-{basis}").click()
        found = page.evaluate(BOXES)
        assert len(found["charts"]) == 5
        for c in found["charts"]:
            assert c["legend"] is not None and not _overlap(c["title"], c["legend"]), c
        labels = found["labels"]
        assert labels, basis
        for i, a in enumerate(labels):
            for b in labels[i + 1:]:
                assert not _overlap(a["box"], b["box"]), (basis, a, b)
            for n in found["nodes"]:
                assert not _overlap(a["box"], n), (basis, a, n)
    page.close()


def test_empty_report_loads_with_no_error(browser, tmp_path):
    from tests.marketplace.services.reports.report_sample import empty_report

    page_file = tmp_path / "empty.html"
    page_file.write_text(render_html(empty_report()), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(page_file.as_uri(), wait_until="load")
    assert page.locator("svg.report-chart").count() == 3  # the trends only: no flows, no chains
    assert page.get_by_text("No material flows in this period.").count() == 1
    assert errors == []
    page.close()
