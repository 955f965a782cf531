"""Manifest exports and printouts: CSV (UTF-8 BOM) and XLSX read back, the one-page HTML manifest and
the label sheet carry the manifest, every container code and QR code, and load nothing from outside."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from marketplace.services.traceability import manifests, transfers
from tests.marketplace.services.traceability.test_transfers import approved, plan

UTC = dt.timezone.utc
LEFT = dt.datetime(2026, 11, 30, 1, 15, tzinfo=UTC)  # 09:15 in the park
# Any reference that would make the page fetch something: URLs, protocol-relative links, @import.
EXTERNAL = re.compile(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|@import|<link\b|<script\b[^>]*\bsrc=|url\(", re.I)


@pytest.fixture()
def shipments(w):
    """A dispatched oil shipment with three containers and a planned one with a formula-like note."""
    m = approved(w, quantity=10)
    s = plan(w, m, quantity=2.5, now=LEFT - dt.timedelta(days=1), carrier="天津危运物流有限公司",
             carrier_licence="津交运管危字120000001", vehicle="津A·D1234", driver="王师傅",
             planned_on=dt.date(2026, 11, 30),
             containers=[{"packaging": "drum", "quantity_t": 0.2}] * 5 + [{"packaging": "ibc", "quantity_t": 1.5}])
    transfers.dispatch(w.session, w.p["e2"], s.id, at=LEFT)
    other = plan(w, m, quantity=1.0, carrier="=HYPERLINK(\"x\")")
    return [s, other]


def test_csv_has_a_bom_a_bilingual_header_and_reads_back(w, shipments):
    s, other = shipments
    data = manifests.to_csv(w.session, shipments)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8 Chinese
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == [c.header for c in manifests.COLUMNS]
    assert "联单编号 Manifest No." in rows[0]
    first = rows[0]
    assert first["联单编号 Manifest No."] == s.manifest_number
    assert first["状态 Status"] == "已发运 dispatched"
    assert (first["产生单位 Producer"], first["接收单位 Receiver"]) == ("开发区汽车维修中心", "滨海再生资源有限公司")
    assert first["经营许可证号 Licence No."] == "TJ-HW-0001"
    assert first["废物代码 Waste code"] == "900-214-08" and first["废物类别 Category"].startswith("HW08")
    assert first["危险废物 Hazardous"] == "是 yes"
    assert (first["容器数 Containers"], first["发运量(吨) Dispatched (t)"], first["接收量(吨) Received (t)"]) == (
        "6", "2.5", "")
    assert first["发运时间(北京时间) Dispatched (UTC+8)"] == "2026-11-30 09:15:00"
    assert first["车牌号 Vehicle"] == "津A·D1234"
    assert rows[1]["运输单位 Carrier"] == "'=HYPERLINK(\"x\")"  # never a live formula


def test_xlsx_reads_back_with_numbers_and_local_times(w, shipments):
    s, other = shipments
    wb = load_workbook(io.BytesIO(manifests.to_xlsx(w.session, shipments)))
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    assert header[0] == "联单编号 Manifest No." and len(header) == len(manifests.COLUMNS)
    first = dict(zip(header, rows[1], strict=True))
    assert first["联单编号 Manifest No."] == s.manifest_number
    assert first["发运量(吨) Dispatched (t)"] == 2.5 and first["接收量(吨) Received (t)"] is None
    assert first["发运时间(北京时间) Dispatched (UTC+8)"] == dt.datetime(2026, 11, 30, 9, 15)
    assert first["计划日期 Planned on"] == dt.datetime(2026, 11, 30)
    assert first["容器数 Containers"] == 6
    second = dict(zip(header, rows[2], strict=True))
    assert second["联单编号 Manifest No."] == other.manifest_number
    assert second["运输单位 Carrier"].startswith("'=")
    assert len(rows) == 3


def test_empty_exports_have_the_header_only(w):
    assert manifests.to_csv(w.session, []).decode("utf-8-sig").count("\r\n") == 1
    assert len(list(load_workbook(io.BytesIO(manifests.to_xlsx(w.session, []))).active.iter_rows())) == 1


def test_the_manifest_page_is_complete_bilingual_and_self_contained(w, shipments):
    s, _ = shipments
    html = manifests.manifest_html(w.session, s)
    assert s.manifest_number in html
    for c in s.containers:
        assert c.code in html
    assert html.count("<svg") == len(s.containers) + 1  # one per container and the manifest's own
    for text in ("危险废物转移联单", "Manifest No.", "开发区汽车维修中心", "滨海再生资源有限公司", "TJ-HW-0001",
                 "900-214-08", "HW08", "天津危运物流有限公司", "津交运管危字120000001", "津A·D1234", "2.500",
                 "2026-11-30 09:15", "已发运 dispatched", "@page", "A4"):
        assert text in html, text
    assert not EXTERNAL.search(html), EXTERNAL.search(html).group(0)


def test_the_label_sheet_has_one_qr_label_per_container_with_the_hw_mark(w, shipments):
    s, _ = shipments
    html = manifests.labels_html(w.session, s)
    assert len(re.findall(r'<div class="label(?: hazardous)?">', html)) == len(s.containers) == 6
    assert html.count("<svg") == 6 and html.count("危险废物") == 6
    for c in s.containers:
        assert c.code in html
    assert "0.200 吨" in html and "1.500 吨" in html and "900-214-08" in html
    assert not EXTERNAL.search(html)


def test_a_general_solid_waste_label_has_no_hw_mark(w, shipments):
    s, _ = shipments
    s.waste_code = "SW59"  # 一般工业固体废物 code: not hazardous
    html = manifests.labels_html(w.session, s)
    assert "危险废物" not in html and "SW59" in html
    assert manifests.waste_category(w.session, "SW59")[2] is False


def test_text_is_escaped(w, shipments):
    s, _ = shipments
    s.material = "<script>alert(1)</script>"
    html = manifests.manifest_html(w.session, s)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_qr_code_encodes_the_container_code():
    svg = str(manifests.qr_svg("BH-20261201-0001-01"))
    assert svg.startswith("<svg") and "xmlns" not in svg and "BH-20261201-0001-01" in svg  # <title>
