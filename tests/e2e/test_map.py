"""The park map in Chromium on the demo park: drawn offline (no request to another host: the conftest's watch),
enterprise points and boundary paths in the SVG, pan and zoom by buttons, drag and keys, a tapped point's
listings in the detail panel, anonymised others for an enterprise, no horizontal scroll on a phone; and with a
tile layer configured, tiles asked of that host only, and loaded (the CSP lets them through)."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from werkzeug.serving import make_server

from marketplace.demo.accounts import DEMO_PASSWORD
from tests.e2e.conftest import LiveApp
from web.app import create_app
from web.map_drawing import ENV_TILES, ENV_TILES_CRS

COORDINATOR = "coord-ch@wastematch.example"
ENTERPRISE = "e022@wastematch.example"
# A 1 × 1 PNG, what the test tile server answers for every tile.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5f7a1ef0000000049454e44ae426082")


def _view_box(page) -> list[float]:
    return [float(v) for v in page.get_attribute("#parkmap svg.view", "viewBox").split()]


def test_the_coordinator_map_draws_offline_and_pans_and_zooms(sign_in, live_demo: LiveApp):
    user = sign_in(COORDINATOR)
    page = user.page
    page.goto(f"{live_demo.url}/map")
    page.wait_for_selector("#parkmap[data-zoom]")
    assert page.locator("#parkmap circle.pt").count() >= 50  # every enterprise of CH
    assert page.locator("#parkmap circle.pt[data-key='E-022']").count() == 1
    assert page.locator("#parkmap path.outline").count() >= 2  # Kunshan and Jiangsu at least
    assert page.locator("#parkmap path.flow").count() >= 1
    assert page.locator("#parkmap path.loop").count() >= 1  # the NMP loop E-017 ⇄ E-039, highlighted
    home = _view_box(page)

    page.click("#parkmap [data-zoom=in]")
    assert float(page.get_attribute("#parkmap", "data-zoom")) > 1.4
    zoomed = _view_box(page)
    assert zoomed[2] < home[2]

    box = page.locator("#parkmap svg.map-svg").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 - 120, box["y"] + box["height"] / 2 - 60, steps=6)
    page.mouse.up()
    dragged = _view_box(page)
    assert dragged[0] > zoomed[0] and dragged[1] > zoomed[1]

    page.focus("#parkmap svg.map-svg")
    page.keyboard.press("ArrowLeft")
    assert _view_box(page)[0] < dragged[0]
    page.keyboard.press("-")
    page.click("#parkmap [data-zoom=reset]")
    assert _view_box(page) == home

    # A point by keyboard: its listings show in the live panel.
    point = page.locator("#parkmap circle.pt[data-key='E-022']")
    point.focus()
    page.keyboard.press("Enter")
    detail = page.inner_text("#parkmap-detail")
    assert "苏州澄湖药业有限公司" in detail and "吨/年" in detail

    # The table of the same data is there for screen readers and keyboards.
    page.click("#parkmap details.map-table summary")
    assert "苏州澄湖药业有限公司" in page.inner_text("#parkmap details.map-table")


def test_an_enterprise_sees_the_others_anonymised_and_the_map_fits_a_phone(sign_in, live_demo: LiveApp):
    user = sign_in(ENTERPRISE, "en")
    page = user.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_demo.url}/map")
    page.wait_for_selector("#parkmap[data-zoom]")
    keys = page.eval_on_selector_all("#parkmap circle.pt", "els => els.map(e => e.dataset.key)")
    assert "E-022" in keys and any(k.startswith("cell:") for k in keys)
    # An enterprise it has no dealings with is neither placed nor named.
    assert "E-001" not in keys and "澄湖新能源汽车有限公司" not in page.content()
    assert "Other enterprises" in page.inner_text("#parkmap .legend")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    svg = page.locator("#parkmap svg.map-svg").bounding_box()
    assert svg["width"] <= 390


def test_a_configured_tile_layer_is_asked_of_its_host_only(browser, live_demo: LiveApp, tmp_path, monkeypatch):
    hits: list[str] = []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args):
            return None

    tile_server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    tile_origin = f"http://127.0.0.1:{tile_server.server_port}"
    threading.Thread(target=tile_server.serve_forever, daemon=True).start()
    monkeypatch.setenv(ENV_TILES, tile_origin + "/{z}/{x}/{y}.png")
    monkeypatch.setenv(ENV_TILES_CRS, "gcj02")
    app = create_app({"database_url": live_demo.database_url, "instance_path": tmp_path / "instance",
                      "secret_key": "e2e-secret"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_port}"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    asked: list[str] = []
    problems: list[str] = []
    try:
        context.on("request", lambda r: asked.append(r.url))
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(f"{origin}/signin")
        page.fill("#email", COORDINATOR)
        page.fill("#password", DEMO_PASSWORD)
        page.click("form.stack button[type=submit]")
        page.wait_for_load_state("load")
        page.goto(f"{origin}/map")
        page.wait_for_selector("#parkmap[data-zoom]")
        page.wait_for_load_state("networkidle")
        hrefs = page.eval_on_selector_all("#parkmap image", "els => els.map(e => e.getAttribute('href'))")
        assert hrefs and all(h.startswith(tile_origin + "/") for h in hrefs)
        others = {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in asked if u.startswith("http")}
        assert others == {origin, tile_origin}, others
        assert len(hits) >= 1  # the browser fetched tiles: the CSP let them through
        assert not [p for p in problems if "Content Security Policy" in p], problems
    finally:
        context.close()
        server.shutdown()
        tile_server.shutdown()
        app.extensions["wastematch.engine"].dispose()
