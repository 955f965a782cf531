"""The shipment page shows the two weighbridges' nets, the GPS track over the planned corridor (inline SVG) and,
for coordinators, the shipment's device alerts; in Chinese by default and in English."""
from __future__ import annotations

import datetime as dt
import re

from marketplace.services.traceability import devices
from tests.web.pages.test_shipments import principals, shipment_in

T0 = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def _with_readings(session):
    """A dispatched E-2 → E-1 shipment weighed at both ends 0.5 t apart and tracked 7 km off the line."""
    p = principals(session)
    s = shipment_in(session, "dispatched")
    out = devices.register_device(session, p["e2"], purpose="weighbridge", name="出厂地磅")[0]
    inn = devices.register_device(session, p["e1"], purpose="weighbridge", name="入厂地磅")[0]
    gps = devices.register_device(session, p["e2"], purpose="gps", name="津A12345")[0]
    devices.post_weights(session, out, [{"reading_id": "w1", "shipment_id": s.id, "end": "dispatch", "gross_t": 15.0,
                                         "tare_t": 5.0, "measured_at": T0.isoformat()}])
    devices.post_weights(session, inn, [{"reading_id": "w2", "shipment_id": s.id, "end": "receipt", "gross_t": 14.5,
                                         "tare_t": 5.0, "measured_at": (T0 + 90 * MINUTE).isoformat()}])
    track = [(39.045, 117.655), (39.07, 117.62), (39.10, 117.60), (39.03, 117.67), (39.005, 117.695)]
    devices.post_track(session, gps, [{"reading_id": f"p{i}", "shipment_id": s.id, "lat": lat, "lon": lon,
                                       "measured_at": (T0 + (i + 1) * 10 * MINUTE).isoformat()}
                                      for i, (lat, lon) in enumerate(track)])
    session.commit()
    return s


def test_the_coordinator_sees_weights_track_and_alerts(pages):
    s = _with_readings(pages.session)
    pages.sign_in("coord")
    page = pages.text(f"/shipments/{s.id}")
    assert "地磅与车载定位" in page and "发运端地磅" in page and "接收端地磅" in page
    assert "10.000 t" in page and "9.500 t" in page and "-0.500 t" in page and "-5.0 %" in page
    svg = re.search(r'<svg[^>]*class="track".*?</svg>', page, re.DOTALL)
    assert svg is not None and 'class="trackline"' in svg.group(0) and 'class="corridor"' in svg.group(0)
    assert svg.group(0).count('class="off"') == 1  # (39.10, 117.60), 7 km off; (39.07, 117.62) is 3.4 km
    assert "两端地磅重量不符" in page and "偏离规划路线" in page
    pages.language("en")
    page = pages.text(f"/shipments/{s.id}")
    assert "Weighbridges and GPS" in page and "Weighbridges disagree" in page and "Off the planned route" in page
    assert "beyond the 5 km buffer" in page and "超出" not in page.split("Weighbridges and GPS", 1)[1]


def test_an_enterprise_sees_weights_and_track_but_no_alerts(pages):
    s = _with_readings(pages.session)
    pages.sign_in("e2")
    page = pages.text(f"/shipments/{s.id}")
    assert 'class="trackline"' in page and "10.000 t" in page
    assert "两端地磅重量不符" not in page  # alerts are for coordinators (services.traceability.alerts)
    # the page fits a phone: the grid wraps and the drawing scales to the width
    assert "minmax(11rem, 1fr)" in page and "svg.track { display: block; width: 100%" in page


def test_a_shipment_without_readings_says_so(pages):
    s = shipment_in(pages.session, "dispatched")
    pages.sign_in("e1")
    page = pages.text(f"/shipments/{s.id}")
    assert "尚无称重" in page and "本联单没有车载定位轨迹" in page and 'class="track"' not in page
