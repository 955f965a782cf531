"""The HTML park report of the demo park: its size and how fast headless Chromium opens it.

    .venv/bin/python benchmarks/report_size.py --out benchmarks/results/report_size.json

Builds the demo park as ``make demo`` does (import, park-wide matching, the four months of history
played up to now) in an in-memory SQLite database, builds the report of park ``--park`` (default CH)
and renders it with ``render_html``. Then, ``--repeats`` times (default 5), a fresh headless Chromium
page with the network cut opens the file and we read ``performance.now()`` once the ``load`` event has
fired and every chart is drawn (``--charts`` of them: plotly's ``.main-svg`` or our ``svg.report-chart``),
so the figure holds for either renderer. Prints (or writes) one JSON document: the bytes, the median
and every repeat, the requests that left the file (must be none) and the machine.

``--html FILE`` times an existing report file instead of building one (e.g. one rendered before a change).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DRAWN = ("n => document.readyState === 'complete' && "
         "document.querySelectorAll('.js-plotly-plot .main-svg, svg.report-chart').length >= n")


def demo_report_html(park: str) -> tuple[str, float]:
    """The demo park's report page and the seconds spent rendering it (after building the document)."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from marketplace.demo.history import seed_demo_history
    from marketplace.models import Base
    from marketplace.models.base import utcnow
    from marketplace.services.accounts.users import system_principal
    from marketplace.services.listings.interchange import import_document
    from marketplace.services.matching.runs import run_matching
    from marketplace.services.reports.document import build_report
    from marketplace.services.reports.render import render_html

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    demo = REPO / "marketplace" / "demo" / "demo_park.json"
    with Session(engine) as session:
        import_document(session, json.loads(demo.read_text(encoding="utf-8")), actor="bench")
        run_matching(session, park=None, actor="bench")
        seed_demo_history(session, now=utcnow())
        session.flush()
        doc = build_report(session, system_principal("bench"), park=park)
    t0 = time.perf_counter()
    html = render_html(doc)
    return html, time.perf_counter() - t0


def time_open(path: Path, charts: int, repeats: int) -> tuple[list[float], list[str]]:
    """Milliseconds from navigation to ``load`` with every chart drawn, per repeat; requests leaving the file."""
    from playwright.sync_api import sync_playwright

    from tests.web.test_report_browser import CHROMIUM_ARGS, chromium_path

    chromium = chromium_path()
    if chromium is None:
        raise SystemExit("no Chromium: set WASTEMATCH_CHROMIUM or install /usr/bin/chromium")
    times, foreign = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            for _ in range(repeats):
                context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
                page = context.new_page()
                page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(
                    ("file:", "data:", "blob:", "about:")) else None)
                page.goto(path.as_uri(), wait_until="load")
                page.wait_for_function(DRAWN, arg=charts, timeout=60_000, polling="raf")
                times.append(round(page.evaluate("performance.now()"), 1))
                context.close()
        finally:
            browser.close()
    return times, foreign


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--park", default="CH")
    ap.add_argument("--html", type=Path, help="time this report file instead of building the demo's")
    ap.add_argument("--charts", type=int, default=5, help="charts the page draws (sankey, network, three trends)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    render_s = None
    with tempfile.TemporaryDirectory() as tmp:
        if args.html:
            path = args.html.resolve()
        else:
            html, render_s = demo_report_html(args.park)
            path = Path(tmp) / "report.html"
            path.write_text(html, encoding="utf-8")
        size = path.stat().st_size
        times, foreign = time_open(path, args.charts, args.repeats)
    result = {
        "report": str(args.html) if args.html else f"demo park {args.park}",
        "bytes": size, "render_html_s": None if render_s is None else round(render_s, 3),
        "open_ms_median": statistics.median(times), "open_ms": times,
        "measured": "performance.now() once load has fired and every chart is drawn (headless Chromium, offline)",
        "foreign_requests": sorted(set(foreign)),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
