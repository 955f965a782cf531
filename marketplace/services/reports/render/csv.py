"""The report as eight CSV files (UTF-8 with BOM, formula-defused, tonnes with every digit), in a directory
or a ``.zip``: kpis.csv in long format, then one file per table of ``tables``."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ....models.base import CHINA_TZ
from .common import csv_value
from .tables import (
    Table,
    chain_table,
    compliance_table,
    enterprise_table,
    flow_table,
    kpi_rows,
    loop_table,
    month_table,
    rating_table,
)


def _csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def _csv_table(table: Table) -> bytes:
    columns, rows = table
    return _csv_bytes([k for k, _, _ in columns], rows)


def csv_files(doc: dict) -> dict[str, bytes]:
    """The CSV files of the report by name."""
    return {
        "kpis.csv": _csv_bytes(("scope", "ref", "basis", "metric", "value", "unit"), kpi_rows(doc)),
        "enterprises.csv": _csv_table(enterprise_table(doc)),
        "flows.csv": _csv_table(flow_table(doc)),
        "chains.csv": _csv_table(chain_table(doc)),
        "loop_opportunities.csv": _csv_table(loop_table(doc)),
        "ratings.csv": _csv_table(rating_table(doc)),
        "monthly.csv": _csv_table(month_table(doc)),
        "compliance.csv": _csv_table(compliance_table(doc)),
    }


def csv_zip_bytes(doc: dict) -> bytes:
    """The CSV files in one zip archive (for a download)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        stamp = _zip_stamp(doc)
        for name, data in csv_files(doc).items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def _zip_stamp(doc: dict) -> tuple[int, int, int, int, int, int]:
    """The archive's entries carry the report's generation time (the same document, the same bytes)."""
    try:
        t = dt.datetime.fromisoformat(str(doc.get("generated_at")).replace("Z", "+00:00"))
        if t.tzinfo is not None:
            t = t.astimezone(CHINA_TZ)
        if t.year >= 1980:
            return (t.year, t.month, t.day, t.hour, t.minute, t.second)
    except ValueError:
        pass
    return (1980, 1, 1, 0, 0, 0)


def write_csv(doc: dict, path: Path | str) -> list[Path]:
    """The CSV files into ``path``: a zip archive when it ends with ``.zip``, else a directory (created)."""
    path = Path(path)
    if path.suffix.lower() == ".zip":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(csv_zip_bytes(doc))
        return [path]
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in csv_files(doc).items():
        (path / name).write_bytes(data)
        written.append(path / name)
    return written
