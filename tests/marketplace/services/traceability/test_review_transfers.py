"""Review findings on transfers and manifests: event times in other zones, exports with control characters,
escaping of user text in the printouts, and a third enterprise seeing nothing."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from marketplace.errors import NotFound
from marketplace.models import Shipment
from marketplace.models.base import CHINA_TZ, as_utc
from marketplace.services.traceability import manifests, transfers
from tests.marketplace.services.traceability.test_transfers import approved, plan

UTC = dt.timezone.utc


def _reloaded(w, s: Shipment) -> Shipment:
    """The shipment as stored (read back from the database, not from the identity map)."""
    w.session.flush()
    w.session.expire_all()
    return w.session.scalar(select(Shipment).where(Shipment.id == s.id))


def test_an_event_time_given_in_park_time_is_stored_as_the_same_instant(w):
    # The CLI hands the service park-local (UTC+8) times: the instant must survive storage on every backend.
    m = approved(w)
    now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    s = plan(w, m, now=now - dt.timedelta(hours=5))
    at = dt.datetime(2026, 12, 1, 15, 30, tzinfo=CHINA_TZ)  # 07:30 UTC
    transfers.dispatch(w.session, w.p["e2"], s.id, at=at, now=now)
    stored = _reloaded(w, s)
    assert as_utc(stored.dispatched_at) == at
    assert as_utc(stored.dispatched_at).utcoffset() == dt.timedelta(0)


def test_a_clock_given_in_park_time_is_stored_as_the_same_instant(w):
    m = approved(w)
    now = dt.datetime(2026, 12, 1, 18, 0, tzinfo=CHINA_TZ)  # 10:00 UTC
    s = plan(w, m, now=now)
    stored = _reloaded(w, s)
    assert as_utc(stored.created_at) == now


def test_a_naive_at_is_utc(w):
    m = approved(w)
    now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    s = plan(w, m, now=now - dt.timedelta(hours=5))
    transfers.dispatch(w.session, w.p["e2"], s.id, at=dt.datetime(2026, 12, 1, 7, 30), now=now)
    assert as_utc(_reloaded(w, s).dispatched_at) == dt.datetime(2026, 12, 1, 7, 30, tzinfo=UTC)


def test_xlsx_export_survives_control_characters_in_user_text(w):
    # openpyxl refuses control characters other than tab/newline; a carrier typed with one must not be a 500.
    m = approved(w)
    s = plan(w, m, carrier="天津\x01危运", driver="=HYPERLINK(\"http://x\")", note="x")
    data = manifests.to_xlsx(w.session, [s])
    ws = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in ws[1]]
    row = [c.value for c in ws[2]]
    assert row[header.index("运输单位 Carrier")] == "天津危运"
    assert row[header.index("驾驶员 Driver")].startswith("'=")


def test_user_text_is_escaped_in_the_manifest_and_labels(w):
    m = approved(w)
    s = plan(w, m, carrier="<script>alert(1)</script>", driver="<img src=x onerror=alert(1)>")
    for html in (manifests.manifest_html(w.session, s), manifests.labels_html(w.session, s)):
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in manifests.manifest_html(w.session, s)


def test_a_third_enterprise_cannot_reach_the_shipment(w):
    m = approved(w)
    s = plan(w, m)
    for who in ("e3", "e4", "coord_nk"):
        with pytest.raises(NotFound):
            transfers.get_shipment(w.session, w.p[who], s.id)
        with pytest.raises(NotFound):
            transfers.get_by_manifest(w.session, w.p[who], s.manifest_number)
        with pytest.raises(NotFound):
            transfers.apply_event(w.session, w.p[who], s.id, "dispatch")
        for park in (None, "BH", "NK"):
            assert s.id not in [x.id for x in w.session.scalars(
                transfers.filtered_shipments(w.session, w.p[who], park=park))]
    assert s.id in [x.id for x in w.session.scalars(transfers.filtered_shipments(w.session, w.p["coord"], park="BH"))]


def test_a_control_character_cannot_smuggle_a_formula_into_the_xlsx(w):
    m = approved(w)
    s = plan(w, m, vehicle="\x01=1+1")
    ws = load_workbook(io.BytesIO(manifests.to_xlsx(w.session, [s]))).active
    header = [c.value for c in ws[1]]
    assert ws[2][header.index("车牌号 Vehicle")].value == "'=1+1"
    assert ws[2][header.index("车牌号 Vehicle")].data_type == "s"


def test_the_container_limit_holds_outside_the_api_too(w):
    from marketplace.errors import ValidationFailed
    from web.cli.transfers import _containers

    m = approved(w)
    with pytest.raises(ValidationFailed) as e:
        plan(w, m, quantity=5.01, containers=[{"packaging": "bag", "quantity_t": 0.01}] * 501)
    assert "containers" in e.value.errors
    assert len(plan(w, m, quantity=5.0, containers=[{"packaging": "bag", "quantity_t": 0.01}] * 500).containers) \
        == 500
    with pytest.raises(ValidationFailed) as e:  # refused before a hundred million rows are built
        _containers((), ("100000000×drum:0.01",))
    assert "containers" in e.value.errors


def test_an_alert_scanned_at_a_park_time_is_stored_at_its_instant(w):
    from marketplace.models import Alert
    from marketplace.services.traceability import alerts

    m = approved(w)
    now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    s = plan(w, m, now=now - dt.timedelta(days=10))
    transfers.dispatch(w.session, w.p["e2"], s.id, now=now - dt.timedelta(days=9))
    scan_at = dt.datetime(2026, 12, 1, 20, 0, tzinfo=CHINA_TZ)  # 12:00 UTC
    alerts.scan(w.session, now=scan_at)
    w.session.flush()
    w.session.expire_all()
    alert = w.session.scalar(select(Alert).where(Alert.key == f"not_received:shipment:{s.id}"))
    assert as_utc(alert.raised_at) == scan_at and as_utc(alert.last_seen_at) == scan_at


def test_the_csv_keeps_every_digit_of_the_tonnes(w):
    # "%g" keeps six significant digits: 123.4567 t would be exported as 123.457 t.
    import csv

    m = approved(w, quantity=250)
    s = plan(w, m, quantity=123.4567)
    rows = list(csv.reader(io.StringIO(manifests.to_csv(w.session, [s]).decode("utf-8-sig"))))
    assert rows[1][rows[0].index("发运量(吨) Dispatched (t)")] == "123.4567"


def test_every_refusal_of_an_event_is_bilingual(w):
    import re

    from marketplace.errors import ValidationFailed

    m = approved(w)
    s = plan(w, m)
    for action, kw in (("teleport", {}), ("cancel", {"reason": "x" * 2001})):
        with pytest.raises(ValidationFailed) as e:
            transfers.apply_event(w.session, w.p["e2"], s.id, action, **kw)
        assert re.search(r"[\u4e00-\u9fff]", e.value.message), e.value.message
