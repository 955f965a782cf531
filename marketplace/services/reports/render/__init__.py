"""The park report (``wastematch.report.v1``, docs/report-format.md) rendered as HTML, CSV and XLSX.

The document is built elsewhere (a plain JSON-able dict); this package only presents it:

- ``render_html(doc)`` (``html``): one self-contained, bilingual HTML page that works offline, with the
  figures of ``figures``;
- ``write_csv(doc, path)`` (``csv``): eight CSV files in a directory or a ``.zip``; ``csv_zip_bytes(doc)``
  for the API;
- ``write_xlsx(doc, path_or_buffer)`` (``xlsx``): one workbook, a sheet per table, a chart of monthly tonnes;
- ``render(doc, fmt, path)``: dispatches on ``html|json|csv|xlsx``.

The CSV files and the XLSX sheets share their tables (``tables``); number formatting and the bases are in
``common``; the KPIs' names and units in ``..kpi_registry``.
"""
from __future__ import annotations

import json
from pathlib import Path

from .common import chain_path, csv_value
from .csv import csv_files, csv_zip_bytes, write_csv
from .figures import network_figure, sankey_figure, trend_figures
from .html import SECTIONS, html_context, render_html
from .tables import kpi_rows
from .xlsx import write_xlsx, xlsx_bytes

FORMATS = ("html", "json", "csv", "xlsx")


def render(doc: dict, fmt: str, path: Path | str) -> list[Path]:
    """Writes the report in ``fmt`` (html, json, csv, xlsx) to ``path``; returns the files written."""
    path = Path(path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}: one of {', '.join(FORMATS)}")
    if fmt == "csv":
        return write_csv(doc, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        path.write_text(render_html(doc), encoding="utf-8")
    elif fmt == "json":
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        write_xlsx(doc, path)
    return [path]


__all__ = ["FORMATS", "SECTIONS", "chain_path", "csv_files", "csv_value", "csv_zip_bytes", "html_context",
           "kpi_rows", "network_figure", "render", "render_html", "sankey_figure", "trend_figures", "write_csv",
           "write_xlsx", "xlsx_bytes"]
