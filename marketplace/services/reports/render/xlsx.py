"""The report as one XLSX workbook: a sheet per table of ``tables`` (bold bilingual header, frozen panes,
numbers as numbers), a summary sheet of the park's KPIs, a chart of the monthly tonnes, the emission factors."""
from __future__ import annotations

import io
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from matching.chains import LEVELS

from ...traceability.manifests import xlsx_cell
from ..kpi_registry import BASIS_TOTALS, KPIS, PARK_RATES, PCT, T3
from .common import BASES, fmt_value, local_time, park_label, table_of
from .tables import (
    Table,
    chain_table,
    column_label,
    compliance_table,
    enterprise_table,
    flow_table,
    loop_table,
    month_table,
    rating_table,
    stream_table,
)


def _text_width(value: Any) -> int:
    text = value if isinstance(value, str) else fmt_value(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _bold() -> Any:
    from openpyxl.styles import Font

    return Font(bold=True)


BOLD = _bold()


WIDTH_SAMPLE_ROWS = 500


class _Sheet:
    """A write-only worksheet filled row by row: bold header, frozen panes, numbers as numbers, fitted widths.

    openpyxl's write-only mode streams rows to disk (about half the time of a normal workbook on a
    14,000-flow sheet) but needs the column widths and frozen panes before the first row: the first
    ``WIDTH_SAMPLE_ROWS`` rows are held back, measured, then written with the rest.
    """

    def __init__(self, wb: Any, title: str) -> None:
        self.ws = wb.create_sheet(title)
        self.widths: dict[int, int] = defaultdict(lambda: 8)
        self.formats: dict[int, str] = {}
        self.rows = 0
        self.freeze: str | None = None
        self.held: list[list[Any]] | None = []  # None once the rows stream

    def row(self, values: Sequence[Any], *, bold: bool = False, formats: dict[int, str] | None = None,
            font: Any = None) -> int:
        from openpyxl.cell import WriteOnlyCell

        self.rows += 1
        cells: list[Any] = []
        for i, v in enumerate(values):
            value = _xlsx_value(v)
            fmt = (formats or {}).get(i) or (self.formats.get(i) if not bold else None)
            styled = bold or font is not None or (fmt and isinstance(value, (int, float))
                                                  and not isinstance(value, bool))
            if not styled or value is None:
                cells.append(value)
                continue
            cell = WriteOnlyCell(self.ws, value=value)
            if bold or font is not None:
                cell.font = font or BOLD
            if fmt and isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.number_format = fmt
            cells.append(cell)
        if self.held is None:
            self.ws.append(cells)
        else:
            for i, v in enumerate(values, start=1):
                if v is not None:
                    self.widths[i] = max(self.widths[i], min(60, _text_width(v) + 2))
            self.held.append(cells)
            if len(self.held) >= WIDTH_SAMPLE_ROWS:
                self._release()
        return self.rows

    def table(self, header: Sequence[str], rows: Iterable[Sequence[Any]], formats: dict[int, str] | None = None,
              *, freeze: bool = True) -> int:
        first = self.row(header, bold=True)
        self.formats = formats or {}
        if freeze and first == 1:
            self.freeze = "A2"
        for r in rows:
            self.row(r)
        self.formats = {}
        return first

    def _release(self) -> None:
        """Widths and panes, then the rows held back; later rows stream straight to the sheet."""
        from openpyxl.utils import get_column_letter

        if self.held is None:
            return
        for i, w in self.widths.items():
            self.ws.column_dimensions[get_column_letter(i)].width = max(8, min(60, w))
        if self.freeze:
            self.ws.freeze_panes = self.freeze
        for cells in self.held:
            self.ws.append(cells)
        self.held = None

    def finish(self) -> None:
        self._release()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, (list, tuple, set)):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return xlsx_cell(value)




def _formats(keys: Sequence[str]) -> dict[int, str]:
    out = {}
    for i, k in enumerate(keys):
        k = k.removesuffix("_per_a")            # sent_approved_tonnes_per_a is tonnes too
        if k.endswith(("_share", "_rate")) or k in ("score",):
            out[i] = PCT if k != "score" else "0.000"
        elif k.endswith(("_t", "tonnes", "_km", "tonne_km")) or k in ("offered_t",):
            out[i] = T3
        elif k.endswith("_cny"):
            out[i] = "#,##0"
    return out


def _table_sheet(wb: Any, title: str, table: Table) -> _Sheet:
    """A sheet of one table: the bilingual labels of its columns over its rows, numbers formatted by key."""
    columns, rows = table
    sh = _Sheet(wb, title)
    sh.table([column_label(c) for c in columns], rows, _formats([k for k, _, _ in columns]))
    sh.finish()
    return sh


def write_xlsx(doc: dict, path_or_buffer: Path | str | BinaryIO) -> None:
    """The report as one workbook: 概览 Summary, 废物种类 Streams, 企业, 流向, 共生链, 闭环, 闭环机会, 评级, 月度 (with a chart), 合规, 排放因子."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    kpis = doc.get("kpis") or {}
    park = kpis.get("park") or {}
    code, name, name_en = park_label(doc)
    period = doc.get("period") or {}

    # 概览 Summary: the report's identity, then the park's KPIs by basis.
    sh = _Sheet(wb, "概览 Summary")
    sh.row([doc.get("title_zh") or ""], font=Font(bold=True, size=14))
    sh.row([doc.get("title_en") or ""])
    sh.row(["园区 Park", f"{name} {name_en} ({code})".strip()])
    sh.row(["报告期 Period", f"{period.get('from', '')} – {period.get('to', '')}", period.get("days"), "天 days"])
    sh.row(["生成时间 Generated", local_time(doc.get("generated_at"))])
    sh.row(["共生链 Chains", len(doc.get("chains") or []), "闭环 Loops", len(doc.get("loops") or [])])
    sh.row([])
    header_row = sh.row(["指标 Metric", "拟议 proposed (t/a)", "已批准 approved (t/a)", "实际转移 realised (t)",
                         "单位 Unit (proposed/approved · realised)"], bold=True)
    for k in BASIS_TOTALS:
        fmt = k.format.xlsx_format
        sh.row([k.label, *((park.get(b) or {}).get(k.key) for b in ("proposed", "approved", "realised")),
                f"{k.unit_code('approved')} · {k.unit_code('realised')}"], formats={1: fmt, 2: fmt, 3: fmt})
    for k in (KPIS["offered_t"], KPIS["offers"], *PARK_RATES):
        # a count as written (no number format), as it always was
        sh.row([k.label, park.get(k.key), None, None, k.unit_code()],
               formats=None if k.unit == "count" else {1: k.format.xlsx_format})
    sh.freeze = f"A{header_row + 1}"
    sh.widths[1] = max(sh.widths[1], 30)
    sh.finish()

    # 废物种类 Streams: the park's own offers and what became of them, one row per waste stream (as kpis.csv).
    _table_sheet(wb, "废物种类 Streams", stream_table(doc))

    # The tables: the same columns as the CSV files (one definition each), with bilingual headers.
    _table_sheet(wb, "企业 Enterprises", enterprise_table(doc))
    _table_sheet(wb, "流向 Flows", flow_table(doc))
    for title, items in (("共生链 Chains", doc.get("chains") or []), ("闭环 Loops", doc.get("loops") or [])):
        ordered = sorted(items, key=lambda c: (BASES.index(c["basis"]) if c.get("basis") in BASES else 9,
                                               LEVELS.index(c["level"]) if c.get("level") in LEVELS else 9,
                                               c.get("rank") or 0))
        _table_sheet(wb, title, chain_table(doc, ordered))
    _table_sheet(wb, "闭环机会 Loop opportunities", loop_table(doc))
    _table_sheet(wb, "评级 Ratings", rating_table(doc))

    # 月度 Monthly, with a bar chart of the tonnes transferred
    months = kpis.get("monthly") or []
    sh = _table_sheet(wb, "月度 Monthly", month_table(doc))
    if months:
        chart = BarChart()
        chart.type = "col"
        chart.title = "月度实际转移量 Tonnes transferred per month (t)"
        chart.y_axis.title = "t"
        chart.x_axis.title = "月份 Month"
        chart.add_data(Reference(sh.ws, min_col=2, max_col=2, min_row=1, max_row=len(months) + 1),
                       titles_from_data=True)
        chart.set_categories(Reference(sh.ws, min_col=1, min_row=2, max_row=len(months) + 1))
        chart.width, chart.height = 22, 10
        sh.ws.add_chart(chart, f"A{len(months) + 4}")

    # 合规 Compliance
    _table_sheet(wb, "合规 Compliance", compliance_table(doc))

    # 排放因子 Factors: the classes, the road freight factor, the sources with full citations
    sh = _Sheet(wb, "排放因子 Factors")
    factors = doc.get("emission_factors") or {}
    classes = table_of(factors.get("classes") or [])
    raw_classes = factors.get("classes") or []
    sh.table(classes["columns"] or ["class"],
             ([c.get(k) if isinstance(c, dict) else c for k in classes["columns"]] for c in raw_classes))
    sh.row([])
    sh.row(["道路货运排放因子 Road freight factor", factors.get("road_freight_kg_co2e_per_tkm"), "kg CO2e/(t·km)"],
           bold=False)
    sh.row([])
    sources = table_of(factors.get("sources") or [])
    sh.row(sources["columns"] or ["source"], bold=True)
    for s in factors.get("sources") or []:
        sh.row([s.get(k) if isinstance(s, dict) else s for k in sources["columns"]])
    sh.finish()

    wb.save(path_or_buffer)


def xlsx_bytes(doc: dict) -> bytes:
    buf = io.BytesIO()
    write_xlsx(doc, buf)
    return buf.getvalue()
