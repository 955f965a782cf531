"""The park report rendered: self-contained, escaped HTML; CSV (directory or zip) and XLSX exports that
keep every digit and defuse formulas; an empty report still renders every section with "no data"."""
from __future__ import annotations

import csv
import io
import itertools
import json
import re
import zipfile
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from marketplace.services.reports import render as report_render
from marketplace.services.reports.render import SECTIONS, csv_zip_bytes, render, render_html, write_csv, write_xlsx
from tests.marketplace.services.reports.report_sample import empty_report, sample_report

CSV_FILES = {"kpis.csv", "enterprises.csv", "flows.csv", "chains.csv", "loop_opportunities.csv", "ratings.csv",
             "monthly.csv", "compliance.csv"}
SHEETS = ["概览 Summary", "废物种类 Streams", "企业 Enterprises", "流向 Flows", "共生链 Chains", "闭环 Loops", "闭环机会 Loop opportunities",
          "评级 Ratings", "月度 Monthly", "合规 Compliance", "排放因子 Factors"]
HEADINGS = [("概览", "Summary"), ("园区关键指标", "Park key indicators"), ("物料流向", "Material flows"),
            ("共生网络", "Symbiosis network"), ("共生链与闭环", "Symbiosis chains and closed loops"),
            ("月度趋势", "Monthly trends"), ("企业绩效", "Enterprise performance"), ("合规情况", "Compliance"),
            ("企业评级", "Enterprise ratings"), ("排放因子", "Emission factors"), ("方法说明", "Methods and definitions")]


class Page(HTMLParser):
    """The elements of a page: attributes of every tag, the text of every script, the h2 headings."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.h2: list[str] = []
        self._script: dict | None = None
        self._h2: list[str] | None = None
        self._text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script, self._text = dict(attrs), []
        elif tag == "h2":
            self._h2 = []

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None
        elif tag == "h2" and self._h2 is not None:
            self.h2.append(" ".join("".join(self._h2).split()))
            self._h2 = None

    def handle_data(self, data):
        if self._script is not None:
            self._text.append(data)
        if self._h2 is not None:
            self._h2.append(data)


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(sample_report())


@pytest.fixture(scope="module")
def page(html) -> Page:
    return Page(html)


def _read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


# ---------------------------------------------------------------- HTML

def test_html_is_self_contained(html, page):
    for tag, attrs in page.tags:
        for name in ("src", "href", "action", "data", "poster"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), (tag, name, value)
        assert not (tag == "link" and "stylesheet" in (attrs.get("rel") or "")), attrs
    assert not re.search(r"<link[^>]+rel=[\"']?stylesheet", html, re.I)
    assert not page.scripts  # the charts are inline SVG: no script at all
    # No address but the SVG namespace: no fonts, no imports, no images.
    markup = html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "http://" not in markup and "https://" not in markup
    assert "@import" not in html and "@font-face" not in html
    # url() only for the network's own arrowheads (markers defined in the same SVG)
    assert set(re.findall(r"url\(([^)]*)\)", html)) <= {f"#arrow-{b}-{k}" for b in ("realised", "approved", "proposed")
                                                         for k in ("chain", "loop")}


def test_charts_are_inline_svg_and_the_page_is_small(html, page):
    svgs = [a for t, a in page.tags if t == "svg"]
    # sankey and network: one per basis (three each); three monthly trends
    assert len(svgs) == 9 and all("report-chart" in a["class"] and a.get("viewbox") for a in svgs)
    assert len(html.encode()) < 250_000


def test_every_section_heading_in_chinese_and_english(page):
    assert [(zh, en) for _, zh, en in SECTIONS] == HEADINGS
    for i, (zh, en) in enumerate(HEADINGS, start=1):
        assert f"{i}{zh} {en}" in page.h2, (zh, en, page.h2)


def test_summary_kpis_and_units(html):
    doc = sample_report()
    park = doc["kpis"]["park"]
    assert doc["title_zh"] in html and doc["title_en"] in html
    assert "2025-12-03" in html and "2026-12-02 13:00 (UTC+8)" in html
    assert "5,362.6 t" in html                       # realised tonnes
    assert "21,456 t/a" in html                      # approved annual rate
    assert "78.0%" in html                           # utilisation rate
    assert f"{park['realised']['net_co2e_avoided_t']:,.1f} t CO₂e" in html
    # the chain table names the path and the bottleneck with its unit
    assert "澄湖新能源汽车有限公司 → 苏南溶剂再生科技有限公司 → 澄湖精细化工有限公司" in html
    assert "澄湖精细化工有限公司 → 昆山酸再生环保有限公司 → 澄湖精细化工有限公司" in html   # a loop returns
    assert "81.4 t" in html and "355.5 t/a" in html
    # every grade with its colour and words; full citations and the exact road factor
    for words in ("优先", "鼓励", "监管", "整改", "未评级", "priority", "rectify", "not rated"):
        assert words in html
    assert "2006 IPCC Guidelines for National Greenhouse Gas Inventories" in html
    assert "<b>0.0712</b>" in html


def test_figures_sankey_by_basis_realised_first_and_network_loops(html):
    doc = sample_report()
    sankey = report_render.sankey_figure(doc)
    assert sankey["bases"] == ["realised", "approved", "proposed"]
    realised = sankey["panels"][0]
    assert "realised" in realised["title"]
    assert sum(link["tonnes"] for link in realised["links"]) == pytest.approx(
        sum(f["tonnes"] for f in doc["flows"] if f["basis"] == "realised"))
    assert "HW06 废有机溶剂与含有机溶剂废物" in realised["nodes"] and "Cement manufacturing" in realised["nodes"]
    # The page: one radio per basis, the realised one checked; a label and a hover text per node.
    assert html.count('name="sankey-basis"') == 3 and 'id="sankey-realised" aria-label="实际转移 realised" checked' in html
    assert ">HW06 废有机溶剂与含有机溶剂废物</text>" in html

    network = report_render.network_figure(doc)
    panel = network["panels"][0]
    assert panel["basis"] == "realised"
    assert {n["label"] for n in panel["nodes"]} == {
        "澄湖新能源汽车有限公司", "苏南溶剂再生科技有限公司", "澄湖精细化工有限公司", "昆山酸再生环保有限公司"}
    assert len([e for e in panel["edges"] if e["loop"]]) == 2 and panel["hidden"] == []
    assert html.count('class="edge loop"') >= 2
    # deterministic pictures
    assert report_render.network_figure(sample_report()) == network
    assert report_render.sankey_figure(sample_report()) == sankey


def test_network_labels_never_overlap_and_the_rest_are_named_below():
    from marketplace.services.reports.render.svg import Box

    doc = sample_report()
    # Twenty enterprises in one long chain: far more names than the ring has room for at full length.
    keys = [f"E-{i:03d}" for i in range(1, 21)]
    nodes = [{"key": k, "label_zh": f"苏州澄湖第{i}精细化工新材料科技股份有限公司", "label_en": ""} for i, k in enumerate(keys)]
    links = [{"source": a, "target": b, "tonnes": 10.0 * (i + 1), "materials": ["废酸"]}
             for i, (a, b) in enumerate(itertools.pairwise(keys))]
    doc["chains"] = [{"level": "enterprise", "basis": "realised", "rank": 1, "closed": False, "nodes": nodes,
                      "links": links, "tonnes": 10.0}]
    doc["loops"] = []
    panel = report_render.network_figure(doc)["panels"][0]
    shown = [n for n in panel["nodes"] if n["label"]]
    assert shown and len(shown) + len(panel["hidden"]) == 20
    assert all(n["label"].endswith("…") for n in shown)          # crowded: shortened names
    boxes = [n["box"] for n in shown]
    for i, a in enumerate(boxes):
        assert a.inside(1160, 10_000)
        assert not any(a.overlaps(b) for b in boxes[i + 1:])
        assert not any(a.overlaps(Box(n["x"] - n["r"], n["y"] - n["r"], 2 * n["r"], 2 * n["r"]))
                       for n in panel["nodes"])
    html = render_html(doc)
    assert html.count('class="node-label" data-key') == len(shown)
    for name in panel["hidden"]:
        assert name in html  # named in the note under the chart


def test_no_chains_says_so_instead_of_an_empty_network():
    html = render_html(sample_report(chains=[], loops=[]))
    assert 'id="fig-network"' not in html
    assert "No enterprise-level symbiosis chains or closed loops in this period." in html
    assert "No chains or loops on this basis." in html


def test_names_are_escaped_and_cannot_break_the_inline_json():
    evil = "<script>alert(1)</script>"
    breaker = "A</script><script>alert(2)</script><!--"
    doc = sample_report()
    for f in doc["flows"]:
        if f["source"] == "E-001":
            f["source_name"] = evil
        if f["target"] == "E-005":
            f["target_industry_name"] = breaker
    for chain in doc["chains"] + doc["loops"]:
        for n in chain["nodes"]:
            if n["key"] == "E-003":
                n["label_zh"] = breaker
            if n["key"] == "E-001":
                n["label_zh"] = evil
    doc["kpis"]["enterprises"][0]["name"] = evil
    doc["ratings"][0]["name"] = breaker
    doc["ratings"][0]["reasons_zh"] = ['<img src=x onerror="alert(3)">']
    html = render_html(doc)
    page = Page(html)
    assert "alert(1)" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert not page.scripts and not [t for t, a in page.tags if t in ("img", "script")]
    # The names are drawn, escaped, in the Sankey and the network (labels and hover texts).
    assert "A&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;&lt;!--" in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3
    assert "</script" not in html.lower() and "<!--" not in html


def test_many_enterprises_show_top_and_bottom_with_a_note():
    doc = sample_report()
    template = doc["kpis"]["enterprises"][0]
    doc["kpis"]["enterprises"] = [dict(template, ref=f"E-{i:03d}", name=f"企业{i:03d}") for i in range(1, 121)]
    html = render_html(doc)
    assert "企业001" in html and "企业025" in html and "企业026" not in html
    assert "企业095" not in html and "企业096" in html and "企业120" in html
    assert "70 enterprises omitted" in html


def test_empty_report_renders_every_section_with_no_data():
    html = render_html(empty_report())
    page = Page(html)
    for i, (zh, en) in enumerate(HEADINGS, start=1):
        assert f"{i}{zh} {en}" in page.h2
    for text in ("No material flows in this period.",
                 "No enterprise-level symbiosis chains or closed loops in this period.",
                 "No chains or loops on this basis.", "No enterprises.", "No enterprise ratings in this period.",
                 "No emission factors given.", "No sources given."):
        assert text in html, text
    assert 'id="fig-sankey"' not in html and 'id="fig-network"' not in html
    # Without months there is no chart at all.
    bare = render_html(empty_report(kpis={**empty_report()["kpis"], "monthly": []}))
    assert "No monthly data." in bare and "<svg" not in bare and len(bare) < 200_000
    assert render_html({"format": "wastematch.report.v1", "park": None})    # a bare document does not crash


# ---------------------------------------------------------------- CSV

def test_csv_directory_and_zip_hold_the_same_files_with_bom(tmp_path):
    doc = sample_report()
    written = write_csv(doc, tmp_path / "out")
    assert {p.name for p in written} == CSV_FILES
    assert all(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in written)
    assert render(doc, "csv", tmp_path / "report.zip") == [tmp_path / "report.zip"]
    with zipfile.ZipFile(tmp_path / "report.zip") as zf:
        assert set(zf.namelist()) == CSV_FILES
        for name in CSV_FILES:
            assert zf.read(name) == (tmp_path / "out" / name).read_bytes()
    assert csv_zip_bytes(doc) == (tmp_path / "report.zip").read_bytes()          # reproducible


def test_csv_defuses_formulas_and_keeps_every_digit():
    doc = sample_report()
    doc["flows"][0]["source_name"] = "=cmd|' /C calc'!A0"
    doc["flows"][0]["material"] = "+SUM(A1)"
    doc["flows"][0]["tonnes"] = 0.1 + 0.2                # 0.30000000000000004: 17 significant digits
    doc["flows"][1]["tonnes"] = 123456.789012345
    files = {n: _read_csv(b) for n, b in report_render.csv_files(doc).items()}
    flows = files["flows.csv"]
    assert flows[0]["source_name"] == "'=cmd|' /C calc'!A0"
    assert flows[0]["material"] == "'+SUM(A1)"
    assert float(flows[0]["tonnes"]) == 0.1 + 0.2
    assert flows[1]["tonnes"] == "123456.789012345"
    assert sum(float(f["tonnes"]) for f in flows) == sum(f["tonnes"] for f in doc["flows"])
    assert flows[0]["hazardous"] == "true" and flows[0]["unit"] == "t/a"
    assert len(flows) == len(doc["flows"])


def test_kpis_csv_totals_equal_the_document():
    doc = sample_report()
    rows = _read_csv(report_render.csv_files(doc)["kpis.csv"])
    assert list(rows[0]) == ["scope", "ref", "basis", "metric", "value", "unit"]
    park = {(r["basis"], r["metric"]): r for r in rows if r["scope"] == "park"}
    for basis in ("proposed", "approved", "realised"):
        for metric, value in doc["kpis"]["park"][basis].items():
            cell = park[(basis, metric)]["value"]
            assert (float(cell) if cell else None) == value, (basis, metric)
    assert park[("realised", "tonnes")]["unit"] == "t" and park[("approved", "tonnes")]["unit"] == "t/a"
    assert park[("approved", "tonne_km")]["unit"] == "t*km/a"
    assert float(park[("", "offered_t")]["value"]) == doc["kpis"]["park"]["offered_t"]
    enterprises = {r["ref"] for r in rows if r["scope"] == "enterprise"}
    assert enterprises == {e["ref"] for e in doc["kpis"]["enterprises"]}
    e = doc["kpis"]["enterprises"][0]
    cell = next(r for r in rows if r["ref"] == e["ref"] and r["basis"] == "realised" and r["metric"] == "sent_tonnes")
    assert float(cell["value"]) == e["sent"]["realised"]["tonnes"]


def test_other_csv_files():
    doc = sample_report()
    files = {n: _read_csv(b) for n, b in report_render.csv_files(doc).items()}
    chains = files["chains.csv"]
    assert len(chains) == len(doc["chains"]) + len(doc["loops"])
    assert {r["closed"] for r in chains} == {"true", "false"}
    loop = next(r for r in chains if r["closed"] == "true" and r["level"] == "enterprise" and r["basis"] == "realised")
    assert loop["nodes"] == "E-002 > E-006" and loop["path_zh"].endswith("澄湖精细化工有限公司") and loop["unit"] == "t"
    ratings = files["ratings.csv"]
    assert [r["grade"] for r in ratings] == ["A", "A", "B", "C", "D", ""]
    assert ratings[0]["utilisation_rate_value"] == "0.771"
    assert [r["month"] for r in files["monthly.csv"]] == ["2026-08", "2026-09", "2026-10", "2026-11"]
    compliance = {(r["section"], r["code"]): r["count"] for r in files["compliance.csv"]}
    assert compliance[("failed_checks", "licence_category")] == "2" and compliance[("open_manifests", "")] == "4"
    enterprises = files["enterprises.csv"]
    assert [r["ref"] for r in enterprises] == [e["ref"] for e in doc["kpis"]["enterprises"]]
    assert enterprises[0]["grade"] == "A"


def test_empty_report_csv(tmp_path):
    files = {p.name: _read_csv(p.read_bytes()) for p in write_csv(empty_report(), tmp_path)}
    assert files["flows.csv"] == [] and files["chains.csv"] == [] and files["ratings.csv"] == []
    assert len(files["kpis.csv"]) == 2 + 3 * 12 + 3 + 5 * 7  # park, its totals, its rates, every stream's figures


# ---------------------------------------------------------------- XLSX

def test_xlsx_sheets_headers_numbers_and_chart(tmp_path):
    doc = sample_report()
    doc["flows"][0]["material"] = "=HYPERLINK(\"http://x\")\x01\x07"
    path = tmp_path / "report.xlsx"
    assert render(doc, "xlsx", path) == [path]
    wb = load_workbook(path)
    assert wb.sheetnames == SHEETS
    flows = wb["流向 Flows"]
    header = [c.value for c in flows[1]]
    assert header[0] == "口径 Basis" and "数量 Tonnes" in header and all(c.font.bold for c in flows[1])
    assert flows.freeze_panes == "A2"
    col = header.index("数量 Tonnes")
    values = [row[col].value for row in flows.iter_rows(min_row=2)]
    assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    assert sum(values) == pytest.approx(sum(f["tonnes"] for f in doc["flows"]), abs=1e-9)
    material = [row[header.index("物料 Material")].value for row in flows.iter_rows(min_row=2)][0]
    assert material == "'=HYPERLINK(\"http://x\")"
    assert flows.column_dimensions["E"].width > 10
    monthly = wb["月度 Monthly"]
    assert [c.value for c in monthly["A"][1:]] == ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert len(monthly._charts) == 1
    assert wb["评级 Ratings"].max_row == 1 + len(doc["ratings"])
    assert wb["共生链 Chains"].max_row == 1 + len(doc["chains"])
    assert wb["闭环 Loops"].max_row == 1 + len(doc["loops"])
    summary = [[c.value for c in row] for row in wb["概览 Summary"].iter_rows()]
    assert summary[0][0] == doc["title_zh"]
    tonnes = next(r for r in summary if r[0] == "物料量 tonnes")
    park = doc["kpis"]["park"]
    assert tonnes[1:4] == [park["proposed"]["tonnes"], park["approved"]["tonnes"], park["realised"]["tonnes"]]
    factors = [c.value for row in wb["排放因子 Factors"].iter_rows() for c in row]
    assert 0.0712 in factors and any("IPCC" in str(v) for v in factors)


def test_xlsx_of_an_empty_report_to_a_buffer():
    buf = io.BytesIO()
    write_xlsx(empty_report(), buf)
    wb = load_workbook(io.BytesIO(buf.getvalue()))
    assert wb.sheetnames == SHEETS and wb["流向 Flows"].max_row == 1


def test_render_html_and_json(tmp_path):
    doc = sample_report()
    [page] = render(doc, "html", tmp_path / "r" / "report.html")
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    [data] = render(doc, "json", tmp_path / "report.json")
    assert json.loads(data.read_text(encoding="utf-8")) == doc
    assert "澄湖" in data.read_text(encoding="utf-8")
    with pytest.raises(ValueError):
        render(doc, "pdf", tmp_path / "x.pdf")


# ---------------------------------------------------------------- CSV and XLSX: the same tables

# (CSV file, XLSX sheets, the fields the defect left out of one of the two)
SAME_TABLES = [
    ("enterprises.csv", ["企业 Enterprises"], {"park", "score", "sent_realised_hazardous_t"}),
    ("flows.csv", ["流向 Flows"], {"net_co2e_avoided_t", "soft_flags", "source_park", "added_later"}),
    ("chains.csv", ["共生链 Chains", "闭环 Loops"], {"closed", "links"}),
    ("ratings.csv", ["评级 Ratings"], {"utilisation_rate_value", "caps"}),
    ("monthly.csv", ["月度 Monthly"], {"net_co2e_avoided_t", "alerts_raised"}),
    ("compliance.csv", ["合规 Compliance"], {"section", "code", "count"}),
]


def _doc_with_every_field() -> dict:
    """The sample with soft flags on the proposed flows, a critical alert, and one field added later."""
    doc = sample_report()
    for i, f in enumerate(doc["flows"]):
        f["net_co2e_avoided_t"] = f["co2e_avoided_t"] - f["transport_co2e_t"]
        f["soft_flags"] = ["distance_far", "low_similarity"] if f["basis"] == "proposed" else []
        f["added_later"] = i
    doc["kpis"]["compliance"]["alerts_critical"] = 2
    return doc


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _same_cell(xlsx: str, csv_text: str) -> bool:
    """XLSX keeps 15-16 significant digits of a float, the CSV every digit: equal up to that."""
    if xlsx == csv_text:
        return True
    try:
        return float(xlsx) == pytest.approx(float(csv_text), rel=1e-14)
    except ValueError:
        return False


def _csv_and_xlsx(doc: dict) -> tuple[dict[str, bytes], object]:
    """The CSV files and the XLSX workbook of one document."""
    return report_render.csv_files(doc), load_workbook(io.BytesIO(report_render.xlsx_bytes(doc)))


def test_csv_and_xlsx_carry_the_same_columns_and_values():
    files, wb = _csv_and_xlsx(_doc_with_every_field())
    for name, sheets, fields in SAME_TABLES:
        header, *rows = _csv_rows(files[name])
        assert fields <= set(header), (name, fields - set(header))
        xlsx_rows = []
        for sheet in sheets:
            ws = wb[sheet]
            xlsx_header = [c.value for c in ws[1]]
            # the same columns in the same order: each XLSX header is that column's bilingual label
            assert len(xlsx_header) == len(header), (sheet, len(xlsx_header), len(header))
            assert len(set(xlsx_header)) == len(xlsx_header), sheet
            xlsx_rows += [[report_render.csv_value(v) for v in r] for r in ws.iter_rows(min_row=2, values_only=True)]
        # ... carrying the same values (chains: the two sheets together, in their own order)
        assert len(xlsx_rows) == len(rows) > 0, name
        for x, c in zip(sorted(xlsx_rows), sorted(rows)):
            assert all(_same_cell(a, b) for a, b in zip(x, c, strict=True)), (name, x, c)
    flows = [c.value for c in wb["流向 Flows"][1]]
    assert {"净减排 (t CO2e) Net CO2e avoided (t)", "提示项 Soft flags", "added_later"} <= set(flows)
    assert "园区 Park" in [c.value for c in wb["企业 Enterprises"][1]]
    critical = ["alerts_critical", None, 2]
    assert critical in [list(r) for r in wb["合规 Compliance"].iter_rows(min_row=2, values_only=True)]
    assert ["alerts_critical", "", "2"] in _csv_rows(files["compliance.csv"])
    soft = next(r for r in _csv_rows(files["flows.csv"])[1:] if r[0] == "proposed")
    assert "distance_far; low_similarity" in soft


def test_csv_and_xlsx_of_an_empty_report_have_the_same_headers():
    files, wb = _csv_and_xlsx(empty_report())
    for name, sheets, _ in SAME_TABLES:
        header, *rows = _csv_rows(files[name])
        assert all(wb[sheet].max_column == len(header) for sheet in sheets), name
        assert sum(wb[sheet].max_row - 1 for sheet in sheets) == len(rows), name
    assert _csv_rows(files["flows.csv"])[0][:3] == ["basis", "kind", "id"]
    assert ["alerts_critical", "", "0"] in _csv_rows(files["compliance.csv"])


def test_alert_kinds_are_named_from_their_own_labels_not_the_checks():
    doc = sample_report()
    c = doc["kpis"]["compliance"]
    c["failed_checks"] = {"licence_capacity": 2}
    c["alerts_by_kind"] = {"licence_capacity": 1}
    c["labels"] = {"licence_capacity": "许可经营规模 Licence capacity"}
    c["alert_labels"] = {"licence_capacity": "许可证能力接近上限"}
    html = render_html(doc)
    section = html[html.index('id="compliance"'):html.index('id="ratings"')]
    assert section.count("许可经营规模 Licence capacity") == 1 and section.count("许可证能力接近上限") == 1
