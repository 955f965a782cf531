"""The per-stream KPIs (``kpis.streams``) as the renderings show them: the HTML table 按废物种类 By waste stream,
the ``stream`` rows of kpis.csv and the 废物种类 Streams sheet, each taking its figures from the document and its
names and units from the registry."""
from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from catalog.waste_streams import STREAM_KEYS, STREAMS_BY_KEY
from marketplace.services.reports import render as report_render
from marketplace.services.reports.kpi_registry import STREAM_FIGURES
from marketplace.services.reports.render import render_html
from tests.marketplace.services.reports.report_sample import sample_report, stream


def _stream_table(html: str) -> str:
    match = re.search(r'<table class="kpi streams">(.*?)</table>', html, re.DOTALL)
    assert match, "the stream table is missing"
    return match.group(1)


def test_the_html_report_has_a_row_per_stream_with_its_figures_and_a_dash_for_no_rate():
    doc = sample_report()
    html = render_html(doc)
    assert "按废物种类" in html and "By waste stream" in html
    table = _stream_table(html)
    rows = re.findall(r'<tr data-stream="([a-z]+)">(.*?)</tr>', table, re.DOTALL)
    assert [key for key, _ in rows] == list(STREAM_KEYS)
    cells = {key: re.findall(r'<td class="n">(.*?)</td>', row) for key, row in rows}
    assert all(len(c) == len(STREAM_FIGURES) for c in cells.values())
    rate = [k.key for k in STREAM_FIGURES].index("utilisation_rate")
    offered = [k.key for k in STREAM_FIGURES].index("offered_t")
    # hazardous: 1,620 in force of 2,500 offered
    assert cells["hazardous"][rate] == "64.8%" and cells["hazardous"][offered] == "2,500.0"
    # construction is offered and nothing matched: 0 %, not a dash; household offers nothing: a dash, no division
    assert cells["construction"][rate] == "0.0%" and cells["household"][rate] == "—"
    assert cells["household"][offered] == "0"
    for key in STREAM_KEYS:
        assert STREAMS_BY_KEY[key].name_zh in dict(rows)[key] and STREAMS_BY_KEY[key].name_en in dict(rows)[key]
    # the headers are the registry's, with their units
    assert "资源化利用率" in table and "供给量 (t/a)" in table and "Transferred (t)" in table


def test_a_document_made_before_streams_renders_without_the_table():
    doc = sample_report()
    del doc["kpis"]["streams"]
    html = render_html(doc)
    assert 'class="kpi streams"' not in html and "园区关键指标" in html


def test_kpis_csv_has_every_figure_of_every_stream_with_its_unit():
    doc = sample_report()
    data = report_render.csv_files(doc)["kpis.csv"]
    rows = [r for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))) if r["scope"] == "stream"]
    assert [r["ref"] for r in rows[::len(STREAM_FIGURES)]] == list(STREAM_KEYS)
    assert len(rows) == len(STREAM_KEYS) * len(STREAM_FIGURES)
    for r in rows:
        value = doc["kpis"]["streams"][r["ref"]][r["metric"]]
        assert (float(r["value"]) if r["value"] else None) == value, r
    units = {r["metric"]: r["unit"] for r in rows}
    assert units == {"offers": "count", "offered_t": "t/a", "matched_t": "t/a", "in_force_t": "t/a",
                     "transferred_t": "t", "match_rate": "ratio", "utilisation_rate": "ratio"}


def test_the_workbook_has_a_streams_sheet_with_numbers():
    doc = sample_report()
    doc["kpis"]["streams"]["agricultural"] = stream(2, 300.0, 120.0, 100.0, 12.5)
    wb = load_workbook(io.BytesIO(report_render.xlsx_bytes(doc)))
    ws = wb["废物种类 Streams"]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["废物种类代码 Stream", "废物种类 Waste stream"]
    assert "资源化利用率 Utilisation rate" in header and "匹配量 (t/a) Matched (t/a)" in header
    rows = {r[0]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == list(STREAM_KEYS)
    agri = rows["agricultural"]
    assert agri["废物种类 Waste stream"] == "农业废弃物"
    assert agri["供给量 (t/a) Offered (t/a)"] == 300.0 and agri["实际转移 (t) Transferred (t)"] == 12.5
    assert agri["资源化利用率 Utilisation rate"] == 100.0 / 300.0
    assert rows["household"]["资源化利用率 Utilisation rate"] is None
