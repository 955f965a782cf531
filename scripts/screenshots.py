"""Screenshots of the main pages, in Chinese and in English, and of the demo park's report, for the README.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots/pages] [--only NAME ...]
                                            [--report-out docs/screenshots] [--no-report]
                                            [--phone-out docs/screenshots/phone] [--no-phone]

Builds the demo park in a temporary folder with ``wastematch demo --no-serve``, serves it with
``wastematch serve`` on a free port, signs in as the demo users in Debian's Chromium (headless)
and writes ``<page>.zh.png`` and ``<page>.en.png`` (reduced to 256 colours: a quarter of the size, the
text as sharp). Then opens the report ``demo`` wrote (bilingual, one file) offline and writes
``report-<section>.png`` of five of its sections, and ``phone/<page>.zh.png`` of three enterprise pages at
390 × 844 (listing form, find matches, one shipment). Prints each file as it goes and a summary.
"""
from __future__ import annotations

import argparse
import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("WASTEMATCH_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "wastematch-demo"
ENTERPRISE = "e022@wastematch.example"
RECEIVER = "e039@wastematch.example"
COORDINATOR = "coord-ch@wastematch.example"

# name → (user, path or a callable finding the path on the page, what to wait for)
PAGES: list[tuple[str, str, str]] = [
    ("signin", "", "/signin"),
    ("dashboard", ENTERPRISE, "/dashboard"),
    ("listings", ENTERPRISE, "/listings"),
    ("listing-form", ENTERPRISE, "/listings/new?kind=offer"),
    ("find-matches", ENTERPRISE, "find-matches"),
    ("matches", ENTERPRISE, "/matches"),
    ("match", ENTERPRISE, "first-match"),
    ("shipments", ENTERPRISE, "/shipments"),
    ("shipment", ENTERPRISE, "first-shipment"),
    ("ledger", ENTERPRISE, "/ledger"),
    ("notifications", RECEIVER, "/notifications"),
    ("park-overview", COORDINATOR, "/park"),
    ("park-map", COORDINATOR, "/map"),
    ("park-listings", COORDINATOR, "/park/listings"),
    ("matching-run-progress", COORDINATOR, "start-run"),
    ("matching-run", COORDINATOR, "/runs"),
    ("approvals", COORDINATOR, "/approvals"),
    ("alerts", COORDINATOR, "/alerts"),
    ("ledger-findings", COORDINATOR, "/ledger/findings"),
    ("ratings", COORDINATOR, "/ratings"),
    ("reports", COORDINATOR, "/reports"),
]

# phone/<name>.zh.png: enterprise pages at 390 × 844 (device scale 2), in Chinese, at most PHONE_MAX_HEIGHT
# CSS pixels of the page from its top (the listing form reaches its composition rows).
PHONE_PAGES: list[tuple[str, str, str]] = [
    ("listing-form", ENTERPRISE, "/listings/new?kind=offer"),
    ("find-matches", ENTERPRISE, "find-matches"),
    ("shipment", ENTERPRISE, "first-shipment"),
]
PHONE_VIEWPORT = {"width": 390, "height": 844}
PHONE_MAX_HEIGHT = 2400

# report-<name>.png: the report section with this anchor (None: the page's top, title included), at most this
# many pixels high.
REPORT_SECTIONS: list[tuple[str, str | None, int]] = [
    ("summary", None, 1300),
    ("flows", "flows", 1150),
    ("network", "network", 900),
    ("chains", "chains", 900),
    ("ratings", "ratings", 1000),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server at {url} did not come up in {timeout:.0f} s")


def save_small_png(png: bytes, out: Path) -> None:
    """The screenshot as a 256-colour PNG (Pillow comes with pdfplumber)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as img:
        img.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)


def first_link(page, base: str, pattern: str) -> str:
    """The first link on the current page whose path matches ``pattern``."""
    for href in page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))"):
        if re.fullmatch(pattern, href.split("?")[0]):
            return href
    raise SystemExit(f"no link matching {pattern} on {page.url}")


def resolve(page, base: str, target: str) -> str:
    """A page's path; the detail pages are found by following the first link of their list."""
    if target.startswith("/"):
        return target
    if target == "find-matches":  # the first listing with partners to show
        page.goto(base + "/listings?per_page=100")
        hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
        for href in dict.fromkeys(h for h in hrefs if re.fullmatch(r"/listings/\d+", h)):
            page.goto(base + href + "/matches")
            if page.locator("section.rec").count():
                return href + "/matches"
        raise SystemExit("no listing of the user has partners to show")
    if target == "start-run":  # a park-wide run, shown when it has finished
        page.goto(base + "/runs")
        page.click("main form.card button[type=submit]")
        page.wait_for_url(re.compile(r"/runs/jobs/"))
        page.wait_for_function("() => !document.querySelector('#job-bar') || "
                               "document.querySelector('#job-bar').value >= 1", timeout=120_000)
        page.wait_for_load_state("load")
        return urlsplit(page.url).path
    if target == "first-match":
        page.goto(base + "/matches")
        return first_link(page, base, r"/matches/\d+")
    if target == "first-shipment":
        page.goto(base + "/shipments")
        return first_link(page, base, r"/shipments/\d+")
    raise ValueError(target)


def report_shots(browser, report: Path, out_dir: Path) -> list[Path]:
    """Screenshots of the report's sections, the page opened from its file with the network cut."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1, offline=True)
    page = ctx.new_page()
    page.goto(report.as_uri(), wait_until="load")
    page.wait_for_function("n => document.querySelectorAll('svg.report-chart').length >= n",
                           arg=page.locator("div.fig[data-figure]").count(), timeout=60_000)
    written = []
    for name, anchor, max_height in REPORT_SECTIONS:
        if anchor is None:
            clip = {"x": 0, "y": 0, "width": 1280, "height": max_height}
        else:
            box = page.locator(f"section:has(> #{anchor})").bounding_box()
            if box is None:
                raise SystemExit(f"the report has no section #{anchor}")
            clip = {"x": 0, "y": max(box["y"] - 12, 0), "width": 1280,
                    "height": min(box["height"] + 24, max_height)}
        out = out_dir / f"report-{name}.png"
        save_small_png(page.screenshot(full_page=True, clip=clip), out)
        written.append(out)
        print(f"  {out.relative_to(REPO) if out.is_relative_to(REPO) else out}", flush=True)
    ctx.close()
    return written


def phone_shots(browser, base: str, out_dir: Path, only: list[str] | None) -> list[Path]:
    """The enterprise pages of PHONE_PAGES as a phone shows them (touch, narrow screen), in Chinese."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True,
                              locale="zh-CN")
    page = ctx.new_page()
    page.goto(f"{base}/lang/zh_CN")
    page.goto(base + "/signin")
    page.fill("#email", ENTERPRISE)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.tap("main form button[type=submit]")
    written = []
    for name, _user, target in PHONE_PAGES:
        if only and name not in only:
            continue
        path = resolve(page, base, target)
        if urlsplit(page.url).path != path:
            page.goto(base + path)
        page.wait_for_load_state("networkidle")
        height = min(page.evaluate("document.documentElement.scrollHeight"), PHONE_MAX_HEIGHT)
        out = out_dir / f"{name}.zh.png"
        save_small_png(page.screenshot(full_page=True, clip={"x": 0, "y": 0, "width": PHONE_VIEWPORT["width"],
                                                                 "height": height}), out)
        written.append(out)
        print(f"  {out.relative_to(REPO) if out.is_relative_to(REPO) else out}", flush=True)
    ctx.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots" / "pages")
    parser.add_argument("--only", nargs="*", help="page names to take (default: all)")
    parser.add_argument("--report-out", type=Path, default=REPO / "docs" / "screenshots",
                        help="where report-<section>.png go")
    parser.add_argument("--no-report", action="store_true", help="pages only, not the report's sections")
    parser.add_argument("--phone-out", type=Path, default=REPO / "docs" / "screenshots" / "phone",
                        help="where the phone screenshots (<page>.zh.png at 390 × 844) go")
    parser.add_argument("--no-phone", action="store_true", help="not the phone screenshots")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="wm-shots-") as tmp:
        env = {**os.environ, "WASTEMATCH_INSTANCE_PATH": tmp, "WASTEMATCH_SECRET_KEY": "screenshots-only-session-key-0123456789",
               "WASTEMATCH_DATABASE_URL": f"sqlite:///{tmp}/wastematch.sqlite3"}
        print("building the demo park…", flush=True)
        subprocess.run([str(BIN / "wastematch"), "demo", "--no-serve"], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([str(BIN / "wastematch"), "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        written = []
        try:
            wait_until_up(base)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                            args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
                for lang in ("zh", "en"):
                    contexts: dict[str, object] = {}
                    for name, user, target in PAGES:
                        if args.only and name not in args.only:
                            continue
                        if user not in contexts:
                            ctx = browser.new_context(viewport={"width": 1366, "height": 860}, device_scale_factor=1,
                                                      locale="zh-CN" if lang == "zh" else "en-GB")
                            page = ctx.new_page()
                            page.goto(f"{base}/lang/{'zh_CN' if lang == 'zh' else 'en'}")
                            if user:
                                page.goto(base + "/signin")
                                page.fill("#email", user)
                                page.fill("#password", PASSWORD)
                                page.click("main form button[type=submit]")
                                page.wait_for_load_state("load")
                            contexts[user] = page
                        page = contexts[user]
                        path = resolve(page, base, target)
                        if urlsplit(page.url).path != path:
                            page.goto(base + path)
                        page.wait_for_load_state("networkidle")
                        out = args.out / f"{name}.{lang}.png"
                        save_small_png(page.screenshot(full_page=False), out)
                        written.append(out)
                        print(f"  {out.relative_to(REPO) if out.is_relative_to(REPO) else out}", flush=True)
                if not args.no_phone:
                    written += phone_shots(browser, base, args.phone_out, args.only)
                if not args.no_report:
                    written += report_shots(browser, Path(tmp) / "reports" / "demo-report.html", args.report_out)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    size = sum(f.stat().st_size for f in written)
    print(f"{len(written)} screenshots ({size / 1e6:.1f} MB) in {args.out} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
