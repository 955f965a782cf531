"""The Excel variant of ``wastematch.v1`` for park staff: one sheet per object type.

Sheets ``parks``, ``enterprises``, ``licences``, ``listings`` and ``components`` carry
the JSON keys as column headers; list fields are comma-separated; a listing's
composition, wanted components and limits are rows of ``components`` with a ``role``.
Reading maps the workbook onto the same document, so validation is the JSON import's,
and error paths are translated back to sheet, row and column.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from marshmallow import fields
from openpyxl import Workbook
from openpyxl.styles import Font

from ...errors import ValidationFailed
from ...schemas.dates import read_date
from ...schemas.interchange import FORMAT, EnterpriseSchema, LicenceSchema, ListingSchema, ParkSchema
from ..tabular import TableLimits, open_workbook, sheet_rows
from .interchange import COMPONENT_KEYS, ENTERPRISE_FIELDS, LICENCE_FIELDS, LISTING_FIELDS, PARK_FIELDS

PARK_COLUMNS = ("code", *PARK_FIELDS)
ENTERPRISE_COLUMNS = ("ref", "park", *ENTERPRISE_FIELDS)
LICENCE_COLUMNS = ("enterprise", "number", *LICENCE_FIELDS)
LISTING_COLUMNS = ("ref", "enterprise", *LISTING_FIELDS)
COMPONENT_COLUMNS = ("listing", "role", "name", "cas", "amount")
LIST_FIELDS = {"categories", "codes", "activities", "forms"}
# Columns of days (the document's date fields): a cell typed as text in Excel ("2026/1/5", "2026年1月5日") is read as
# the day it names.
DATE_FIELDS = frozenset(name for schema in (ParkSchema, EnterpriseSchema, LicenceSchema, ListingSchema)
                        for name, f in schema().fields.items() if isinstance(f, fields.Date))
AMOUNT_KEY = {key: amount for key, (_role, amount) in COMPONENT_KEYS.items()}
SHEETS = {"parks": PARK_COLUMNS, "enterprises": ENTERPRISE_COLUMNS, "licences": LICENCE_COLUMNS,
          "listings": LISTING_COLUMNS, "components": COMPONENT_COLUMNS}
# A park's or a city's data, read by the CLI: generous, yet a sheet declaring A1:XFD1048576 stops at row 100,002.
SHEET_LIMITS = TableLimits(max_rows=100_000, max_columns=64, max_cells=2_000_000,
                           max_unpacked_bytes=256 * 1024 * 1024)
README_ROWS = [
    ("工作表 Sheet", "说明 / What it holds"),
    ("parks", "园区 Parks: code, name (中文), name_en, province, lat, lon"),
    ("enterprises", "企业 Enterprises: ref, park code, name, industry (GB/T 4754), lat, lon …"),
    ("licences", ("许可证 Licences: kind = hw_comprehensive | hw_collection | construction_waste_disposal "
                  "(建筑垃圾处置核准) | household_waste_service (生活垃圾经营许可); categories/codes/activities "
                  "comma-separated")),
    ("listings", ("供给与需求 Offers and needs: kind = offer | need; forms comma-separated; "
                  "composition_complete = TRUE 成分已全部申报 (composition declared complete), empty = no; "
                  "category = SWnn | CWnn | HHnn | AGnn (无危险废物代码时的类别); stream = industrial | hazardous | "
                  "household | construction | agricultural, empty = inferred (为空时按代码推断)")),
    ("components", "成分 Components: role = composition | wanted | limits; amount = fraction / min / max"),
]


def _cell_out(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(value)
    return value


def write_workbook(doc: dict[str, Any], path: Path) -> None:
    """Write a document as an xlsx workbook."""
    wb = Workbook()
    readme = wb.active
    readme.title = "说明 README"
    for row in README_ROWS:
        readme.append(row)
    readme.append(("format", FORMAT))
    readme.column_dimensions["A"].width, readme.column_dimensions["B"].width = 16, 90
    rows: dict[str, list[list[Any]]] = {name: [] for name in SHEETS}
    rows["parks"] = [[_cell_out(p.get(c)) for c in PARK_COLUMNS] for p in doc["parks"]]
    for e in doc["enterprises"]:
        rows["enterprises"].append([_cell_out(e.get(c)) for c in ENTERPRISE_COLUMNS])
        for lic in e.get("licences", []):
            rows["licences"].append([e["ref"]] + [_cell_out(lic.get(c)) for c in LICENCE_COLUMNS[1:]])
    for x in doc["listings"]:
        rows["listings"].append([_cell_out(x.get(c)) for c in LISTING_COLUMNS])
        for key, amount in AMOUNT_KEY.items():
            for comp in x.get(key, []):
                rows["components"].append([x["ref"], key, comp.get("name"), comp.get("cas"), comp[amount]])
    add_sheets(wb, SHEETS, rows)
    wb.save(path)


def add_sheets(wb: Workbook, sheets: dict[str, tuple[str, ...]], rows: dict[str, list[list[Any]]], *,
               min_width: int = 10, padding: int = 4) -> None:
    """One sheet per ``sheets`` entry: its bold header row of column names (frozen), then its ``rows``."""
    for name, columns in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(list(columns))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows[name]:
            ws.append(row)
        ws.freeze_panes = "A2"
        for i, col in enumerate(columns, start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = max(min_width, min(40, len(col) + padding))


def _cell_in(column: str, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        value = value.strip()
        if column in DATE_FIELDS:
            day = read_date(value)  # else the text as it is: the schema refuses it, naming the cell
            return day.isoformat() if day is not None else value
        if column in LIST_FIELDS:
            return [v.strip() for v in re.split(r"[,，;；]", value) if v.strip()]
        return value
    return value


def _bare(header: str) -> str:
    """A header as the Chinese half of a reason names it: without brackets, which would end that half."""
    return re.sub(r"[()（）]", "", header)


def _sheet_rows(wb, name: str, columns: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
    """(Excel row number, {column: value}) for the non-empty rows of one sheet."""
    if name not in wb.sheetnames:
        return []
    it = sheet_rows(wb[name], SHEET_LIMITS, sheet=name)
    header = [str(h).strip() if h is not None else "" for h in next(it, (1, ()))[1]]
    unknown = [h for h in header if h and h not in columns]
    if unknown:
        raise ValidationFailed(f"sheet {name!r} has unknown columns (工作表 {name} 有无法识别的列)",
                               {f"{name}!1": [(f"unknown columns {unknown}; expected {list(columns)} "
                                               f"(无法识别的列：{'、'.join(_bare(h) for h in unknown)}；"
                                               f"应为：{'、'.join(columns)})")]})
    out = []
    for number, values in it:
        record = {h: _cell_in(h, v) for h, v in zip(header, values) if h and v not in (None, "")}
        if record:
            out.append((number, record))
    return out


def read_workbook(path: Path) -> tuple[dict[str, Any], Callable[[str], str]]:
    """Read a workbook into a ``wastematch.v1`` document and a path → "sheet!row column" translator."""
    wb = open_workbook(path, SHEET_LIMITS, what=path.name, key="$")
    try:
        return _read_document(wb)
    finally:
        wb.close()


def _read_document(wb) -> tuple[dict[str, Any], Callable[[str], str]]:
    where: dict[str, str] = {}
    doc: dict[str, Any] = {"format": FORMAT, "parks": [], "enterprises": [], "listings": []}
    for number, rec in _sheet_rows(wb, "parks", PARK_COLUMNS):
        where[f"$.parks[{len(doc['parks'])}]"] = f"parks!{number}"
        doc["parks"].append(rec)
    by_ref: dict[str, dict] = {}
    for number, rec in _sheet_rows(wb, "enterprises", ENTERPRISE_COLUMNS):
        where[f"$.enterprises[{len(doc['enterprises'])}]"] = f"enterprises!{number}"
        rec["licences"] = []
        doc["enterprises"].append(rec)
        by_ref.setdefault(str(rec.get("ref")), rec)
    for number, rec in _sheet_rows(wb, "licences", LICENCE_COLUMNS):
        owner = by_ref.get(str(rec.pop("enterprise", None)))
        if owner is None:
            raise ValidationFailed("a licence names an enterprise not in the enterprises sheet "
                                   "(许可证所列企业不在 enterprises 工作表中)",
                                   {f"licences!{number} enterprise": ["unknown enterprise ref (无此企业编号)"]})
        i = doc["enterprises"].index(owner)
        where[f"$.enterprises[{i}].licences[{len(owner['licences'])}]"] = f"licences!{number}"
        owner["licences"].append(rec)
    listings: dict[str, dict] = {}
    for number, rec in _sheet_rows(wb, "listings", LISTING_COLUMNS):
        where[f"$.listings[{len(doc['listings'])}]"] = f"listings!{number}"
        for key in COMPONENT_KEYS:
            rec[key] = []
        doc["listings"].append(rec)
        listings.setdefault(str(rec.get("ref")), rec)
    for number, rec in _sheet_rows(wb, "components", COMPONENT_COLUMNS):
        listing, role = listings.get(str(rec.get("listing"))), rec.get("role")
        if listing is None or role not in AMOUNT_KEY:
            raise ValidationFailed("a component row is not attached to a listing (成分行未对应任何信息)",
                                   {f"components!{number}": [(f"listing must be a ref of the listings sheet and role "
                                                              f"one of {list(AMOUNT_KEY)} (listing 须为 listings "
                                                              f"工作表中的编号，role 须为 {'、'.join(AMOUNT_KEY)} 之一)")]})
        comp = {k: rec[k] for k in ("name", "cas") if k in rec}
        if "amount" in rec:
            comp[AMOUNT_KEY[role]] = rec["amount"]
        i = doc["listings"].index(listing)
        where[f"$.listings[{i}].{role}[{len(listing[role])}]"] = f"components!{number}"
        listing[role].append(comp)
    return doc, locator(where)


def locator(where: dict[str, str]) -> Callable[[str], str]:
    """``locate(json_path)``: the sheet and row (``where`` maps a JSON path prefix to them) plus the column."""
    def locate(path: str) -> str:
        # The longest mapped prefix names the row; the rest is the column.
        for prefix in sorted(where, key=len, reverse=True):
            if path == prefix or path.startswith(prefix + "."):
                rest = path[len(prefix) + 1:]
                return f"{where[prefix]} {rest}".strip() if rest else where[prefix]
        return path
    return locate
