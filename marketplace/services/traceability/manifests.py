"""Manifests on paper and in spreadsheets: CSV/XLSX exports of shipments, the one-page printable
manifest (转移联单) and the sheet of container labels (一物一码), each label a QR code.

The HTML is self-contained (inline CSS and inline SVG QR codes, no external resource at
all) so it prints the same offline, at a weighbridge, as in the office. Rendered with
Jinja2 directly: services do not depend on Flask.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.waste_codes import category_of, is_hw_code

from ...models import HwCategoryRow, Licence, Shipment
from ...models.base import CHINA_TZ, as_utc
from .transfers import STATUS_ZH

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# The package's printable pages (manifests, labels, reports), HTML-escaped.
templates = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(("html",)),
                        trim_blocks=True, lstrip_blocks=True)
PACKAGING_ZH = {"drum": "桶 drum", "ibc": "吨桶 IBC", "bag": "袋 bag", "box": "箱 box", "tank": "罐 tank",
                "bulk": "散装 bulk", "cylinder": "钢瓶 cylinder"}
GENERAL_CATEGORY = ("一般工业固体废物", "general industrial solid waste")


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str

    @property
    def header(self) -> str:
        return f"{self.zh} {self.en}"


COLUMNS = (
    Column("manifest_number", "联单编号", "Manifest No."), Column("status", "状态", "Status"),
    Column("match", "匹配编号", "Match"), Column("park", "园区", "Park"),
    Column("producer_ref", "产生单位编号", "Producer ref"), Column("producer", "产生单位", "Producer"),
    Column("receiver_ref", "接收单位编号", "Receiver ref"), Column("receiver", "接收单位", "Receiver"),
    Column("licence_number", "经营许可证号", "Licence No."), Column("waste_code", "废物代码", "Waste code"),
    Column("category", "废物类别", "Category"), Column("hazardous", "危险废物", "Hazardous"),
    Column("material", "废物名称", "Material"), Column("containers", "容器数", "Containers"),
    Column("quantity_t", "发运量(吨)", "Dispatched (t)"), Column("quantity_received_t", "接收量(吨)", "Received (t)"),
    Column("carrier", "运输单位", "Carrier"), Column("carrier_licence", "道路运输许可证", "Carrier licence"),
    Column("vehicle", "车牌号", "Vehicle"), Column("driver", "驾驶员", "Driver"),
    Column("planned_on", "计划日期", "Planned on"),
    Column("dispatched_at", "发运时间(北京时间)", "Dispatched (UTC+8)"),
    Column("received_at", "接收时间(北京时间)", "Received (UTC+8)"),
    Column("closed_at", "办结时间(北京时间)", "Closed (UTC+8)"),
    Column("rejected_at", "拒收时间(北京时间)", "Rejected (UTC+8)"),
    Column("status_reason", "原因/备注", "Reason / remark"),
    Column("created_at", "创建时间(北京时间)", "Created (UTC+8)"),
)
TIME_KEYS = ("dispatched_at", "received_at", "closed_at", "rejected_at", "created_at")
# A spreadsheet runs text that starts with these as a formula: exported text is defused with a quote.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def local_time(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time in China Standard Time (naive, as spreadsheets want it)."""
    value = as_utc(value)
    return value.astimezone(CHINA_TZ).replace(tzinfo=None) if value is not None else None


def _fmt_time(value: dt.datetime | None) -> str:
    local = local_time(value)
    return local.strftime("%Y-%m-%d %H:%M") if local is not None else ""


def waste_category(session: Session, code: str | None) -> tuple[str, str, bool]:
    """(category code and Chinese name, English name, hazardous) of a waste code."""
    if not code or not is_hw_code(code):
        return (*GENERAL_CATEGORY, False)
    cat = category_of(code)
    row = session.scalar(select(HwCategoryRow).where(HwCategoryRow.code == cat))
    if row is None:
        return cat, "", True
    return f"{cat} {row.name_zh}", row.name_en or "", True


def export_row(session: Session, shipment: Shipment) -> dict[str, Any]:
    """One shipment as an export row keyed by ``COLUMNS`` (times naive in UTC+8)."""
    cat_zh, cat_en, hazardous = waste_category(session, shipment.waste_code)
    return {
        "manifest_number": shipment.manifest_number,
        "status": f"{STATUS_ZH.get(shipment.status, shipment.status)} {shipment.status}",
        "match": shipment.match_id, "park": shipment.park.code if shipment.park is not None else "",
        "producer_ref": shipment.producer.ref, "producer": shipment.producer.name,
        "receiver_ref": shipment.receiver.ref, "receiver": shipment.receiver.name,
        "licence_number": shipment.licence_number or "", "waste_code": shipment.waste_code or "",
        "category": f"{cat_zh} {cat_en}".strip(), "hazardous": "是 yes" if hazardous else "否 no",
        "material": shipment.material, "containers": len(shipment.containers),
        "quantity_t": shipment.quantity_t, "quantity_received_t": shipment.quantity_received_t,
        "carrier": shipment.carrier or "", "carrier_licence": shipment.carrier_licence or "",
        "vehicle": shipment.vehicle or "", "driver": shipment.driver or "",
        "planned_on": shipment.planned_on, "status_reason": shipment.status_reason or "",
        **{k: local_time(getattr(shipment, k)) for k in TIME_KEYS},
    }


def defuse_formula(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` …) behind a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def xlsx_cell(value: Any) -> Any:
    """A defused value without the control characters openpyxl refuses (they would fail the whole export)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # Stripped before defusing, so that "\x01=…" cannot turn into a formula once the \x01 is gone.
    return defuse_formula(ILLEGAL_CHARACTERS_RE.sub("", value)) if isinstance(value, str) else value


def csv_cell(value: Any) -> str:
    """One CSV cell: times in ISO form, floats with every digit, text defused."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.15g}" if abs(value) < 1e15 else repr(value)
    return str(defuse_formula(value))


def to_csv(session: Session, shipments: list[Shipment]) -> bytes:
    """The shipments as CSV, UTF-8 with a byte-order mark (Excel then reads the Chinese correctly)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    for s in shipments:
        row = export_row(session, s)
        writer.writerow([csv_cell(row[c.key]) for c in COLUMNS])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(session: Session, shipments: list[Shipment]) -> bytes:
    """The shipments as one XLSX sheet with a bilingual header row, numbers as numbers, times in UTC+8."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "转移联单 Manifests"
    ws.append([c.header for c in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for s in shipments:
        row = export_row(session, s)
        ws.append([xlsx_cell(row[c.key]) for c in COLUMNS])
    for i, c in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(12, min(40, len(c.header) + 2))
        if c.key in TIME_KEYS:
            for cell in ws[letter][1:]:
                cell.number_format = "yyyy-mm-dd hh:mm"
        elif c.key == "planned_on":
            for cell in ws[letter][1:]:
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def qr_svg(text: str) -> Markup:
    """An inline SVG QR code of ``text`` (no XML declaration, no namespace URL: it sits inside HTML).

    Sized by a viewBox only, so the page's CSS sets its printed size in millimetres.
    """
    return Markup(segno.make(text, error="m").svg_inline(omitsize=True, border=2, title=text))


def _context(session: Session, shipment: Shipment) -> dict[str, Any]:
    cat_zh, cat_en, hazardous = waste_category(session, shipment.waste_code)
    licence = (session.scalar(select(Licence).where(Licence.number == shipment.licence_number))
               if shipment.licence_number else None)
    return {
        "s": shipment, "status": f"{STATUS_ZH.get(shipment.status, shipment.status)} {shipment.status}",
        "park": shipment.park, "producer": shipment.producer, "receiver": shipment.receiver, "licence": licence,
        "category_zh": cat_zh, "category_en": cat_en, "hazardous": hazardous,
        "times": {k: _fmt_time(getattr(shipment, k)) for k in TIME_KEYS},
        "containers": [{"c": c, "packaging": PACKAGING_ZH.get(c.packaging, c.packaging), "qr": qr_svg(c.code)}
                       for c in shipment.containers],
        "manifest_qr": qr_svg(shipment.manifest_number),
        "fmt_t": lambda v: "" if v is None else f"{v:,.3f}",
    }


def manifest_html(session: Session, shipment: Shipment) -> str:
    """The one-page printable manifest (A4, bilingual), self-contained HTML."""
    return templates.get_template("manifest.html").render(**_context(session, shipment))


def labels_html(session: Session, shipment: Shipment) -> str:
    """One QR label per container (code, manifest, waste code, 危险废物 mark when hazardous, quantity)."""
    return templates.get_template("labels.html").render(**_context(session, shipment))


__all__ = ["COLUMNS", "export_row", "labels_html", "manifest_html", "qr_svg", "to_csv", "to_xlsx", "waste_category"]
