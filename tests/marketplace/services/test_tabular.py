"""Bounded table reading: crafted workbooks (a cell at XFD60000, an edited dimension, a cell flood, a zip bomb)
and crafted CSV files (a 100 MB field, too many rows) are refused while reading, by every reader of the product."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from marketplace.errors import ValidationFailed
from marketplace.services import tabular
from marketplace.services.governance import survey_files
from marketplace.services.listings import interchange_xlsx
from marketplace.services.tabular import TableLimits, csv_rows, open_workbook, sheet_rows
from marketplace.services.traceability import ledger

CJK = re.compile(r"[\u3400-\u9fff]")
LEDGER_HEADER = ["batch_code", "direction", "entry_date", "chemical_name", "quantity_t"]


def workbook_bytes(sheets: dict[str, list[list]], far_cell: tuple[str, int, int] | None = None) -> bytes:
    """A workbook of ``sheets`` (name → rows); ``far_cell`` = (sheet, row, column) gets one real value."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    if far_cell:
        name, row, column = far_cell
        wb[name].cell(row, column, "x")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def with_dimension(data: bytes, ref: str) -> bytes:
    """The same workbook with every sheet's declared dimension replaced by ``ref`` (the XML inside the zip)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                body = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + ref.encode() + b'"', body)
            dst.writestr(info, body)
    return out.getvalue()


def with_parts(data: bytes, edit: dict[str, tuple[bytes, bytes]], add: dict[str, bytes] | None = None) -> bytes:
    """The same workbook with ``edit`` (part → (old, new) bytes) applied and ``add`` parts added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename in edit:
                old, new = edit[info.filename]
                assert old in body
                body = body.replace(old, new)
            dst.writestr(info, body)
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def shared_strings_bomb(n: int) -> bytes:
    """A workbook whose shared-strings part holds ``n`` strings (about 17 bytes of a 1,000,000:1 zip each)."""
    sst = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           + b"<si><t>abcdefgh</t></si>" * n + b"</sst>")
    content_type = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    relationship = (b'<Relationship Id="rIdS" Target="/xl/sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings"/></Relationships>')
    return with_parts(workbook_bytes({"Sheet": [LEDGER_HEADER]}), {
        "[Content_Types].xml": (b"</Types>", content_type),
        "xl/_rels/workbook.xml.rels": (b"</Relationships>", relationship)}, {"xl/sharedStrings.xml": sst})


@pytest.fixture
def never_loaded(monkeypatch):
    """Fails the test if openpyxl is asked to load the workbook: the refusal must come before."""
    monkeypatch.setattr(tabular, "load_workbook", lambda *a, **kw: pytest.fail("openpyxl was asked to load it"))


def test_a_shared_strings_bomb_is_refused_before_loading(never_loaded):
    data = shared_strings_bomb(ledger.IMPORT_LIMITS.cell_budget + 1)
    assert len(data) < 20_000
    with pytest.raises(ValidationFailed) as exc:
        ledger.parse_rows(data, "xlsx")
    assert "shared strings" in exc.value.message and "100,000" in exc.value.message
    assert CJK.search(exc.value.message)


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_flood_of_merged_ranges_or_column_widths_around_one_row_is_refused_before_loading(never_loaded, where):
    n = ledger.IMPORT_LIMITS.max_object_tags + 1
    old, new = ((b"<sheetData>", b"<cols>" + b'<x:col min="1" max="1" width="9"/>' * n + b"</cols><sheetData>")
                if where == "before" else
                (b"</sheetData>", b"</sheetData><mergeCells>" + b'<mergeCell ref="A3:B3"/>' * n + b"</mergeCells>"))
    data = with_parts(workbook_bytes({"Sheet": [LEDGER_HEADER]}), {"xl/worksheets/sheet1.xml": (old, new)})
    with pytest.raises(ValidationFailed) as exc:
        ledger.parse_rows(data, "xlsx")
    assert "20,000 objects" in exc.value.message and "sheet1.xml" in exc.value.message


def test_tags_cut_by_a_chunk_boundary_are_counted_once():
    tag = b'<mergeCell ref="A3:B3"/>'
    body = b"<x>" + tag * 100_000 + b"</x>"  # 2.4 MB: several 1 MiB chunks, cut inside tags
    counts = list(tabular._tag_counts(io.BytesIO(body)))
    assert sum(c[2] for c in counts) == 100_000 and sum(c[0] for c in counts) == 100_001


@pytest.fixture
def rows_read(monkeypatch):
    """Counts the rows the ledger's reader hands on (the header included), to show where it stopped."""
    seen = {"rows": 0}

    def counting(ws, limits, **kw):
        for item in sheet_rows(ws, limits, **kw):
            seen["rows"] += 1
            yield item

    monkeypatch.setattr(ledger, "sheet_rows", counting)
    return seen


@pytest.mark.parametrize("last_row", [20_000, 60_000])
def test_the_crafted_workbook_is_refused_at_the_row_limit_while_reading(rows_read, last_row):
    data = workbook_bytes({"Sheet": [LEDGER_HEADER]}, far_cell=("Sheet", last_row, 16_384))
    assert len(data) < 6_000  # the 4.9 KB workbook: A1:XFD{last_row}
    with pytest.raises(ValidationFailed) as exc:
        ledger.parse_rows(data, "xlsx")
    limit = ledger.MAX_IMPORT_ROWS
    assert "'Sheet'" in exc.value.message and f"{limit:,}" in exc.value.message and CJK.search(exc.value.message)
    assert list(exc.value.errors) == [f"Sheet!{limit + 2}"]
    # The header and the limit's worth of rows, not the 20,000 or 60,000 the sheet claims.
    assert rows_read["rows"] == limit + 1


def test_a_declared_dimension_is_not_trusted(rows_read):
    data = with_dimension(workbook_bytes({"Sheet": [LEDGER_HEADER, ["B-1", "in", "2026-01-05", "丙酮", 1]]}),
                          "A1:XFD60000")
    assert ledger.parse_rows(data, "xlsx") == [{"batch_code": "B-1", "direction": "in", "entry_date": "2026-01-05",
                                                 "chemical_name": "丙酮", "quantity_t": 1}]
    assert rows_read["rows"] == 2  # the rows the XML holds, not the 60,000 declared


def test_a_value_past_the_last_column_read_is_refused_not_dropped():
    data = workbook_bytes({"Sheet": [LEDGER_HEADER, ["B-1", "in", "2026-01-05", "丙酮", 1]]},
                          far_cell=("Sheet", 2, 16_384))
    with pytest.raises(ValidationFailed) as exc:
        ledger.parse_rows(data, "xlsx")
    assert "column XFD" in exc.value.message and CJK.search(exc.value.message)
    assert list(exc.value.errors) == ["Sheet!2 XFD"]


def test_the_cell_budget_stops_a_flood_of_real_cells_in_few_rows():
    limits = TableLimits(max_rows=100, max_columns=400, max_cells=1_000)
    wb = open_workbook(workbook_bytes({"S": [list(range(400))] * 10}), TableLimits(max_rows=100))
    rows = []
    try:
        with pytest.raises(ValidationFailed) as exc:
            rows.extend(sheet_rows(wb["S"], limits))
    finally:
        wb.close()
    assert "1,000 cells" in exc.value.message and CJK.search(exc.value.message)
    assert len(rows) == 2  # the third row of 400 parsed cells crossed the budget; the rest was never parsed


def test_styled_empty_cells_past_the_last_column_are_ignored():
    wb = Workbook()
    wb.active.append(["a", "b"])
    wb.active.cell(1, 200).number_format = "0.00"  # a formatted, empty far cell, as spreadsheets write
    buf = io.BytesIO()
    wb.save(buf)
    book = open_workbook(buf.getvalue(), TableLimits(max_rows=10, max_columns=4))
    try:
        assert [values for _n, values in sheet_rows(book.active, TableLimits(max_rows=10, max_columns=4))] == [
            ("a", "b", None, None)]
    finally:
        book.close()


def test_a_workbook_unpacking_past_the_bound_is_not_opened():
    data = workbook_bytes({"Sheet": [LEDGER_HEADER]})
    with pytest.raises(ValidationFailed) as exc:
        open_workbook(data, TableLimits(max_rows=10, max_unpacked_bytes=1024))
    assert "unpacks to more than" in exc.value.message and CJK.search(exc.value.message)
    assert exc.value.errors["file"]


def test_a_workbook_listing_thousands_of_sheets_is_refused_before_openpyxl_opens_them(never_loaded):
    data = workbook_bytes({"Sheet": [LEDGER_HEADER]})
    out = io.BytesIO()
    extra = range(2, 5_002)
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/workbook.xml":
                body = body.replace(b"</sheets>", b"".join(
                    b'<sheet name="S%d" sheetId="%d" r:id="rIdX%d"/>' % (i, i, i) for i in extra) + b"</sheets>")
            elif info.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace(b"</Relationships>", b"".join(
                    b'<Relationship Id="rIdX%d" Target="/xl/worksheets/sheet1.xml" Type="http://schemas.openxml'
                    b'formats.org/officeDocument/2006/relationships/worksheet"/>' % i for i in extra)
                    + b"</Relationships>")
            dst.writestr(info, body)
    with pytest.raises(ValidationFailed) as exc:
        ledger.parse_rows(out.getvalue(), "xlsx")
    assert "5,001 sheets" in exc.value.message and "255" in exc.value.message and CJK.search(exc.value.message)


def test_a_sheet_broken_half_way_is_a_refusal_naming_it():
    data = workbook_bytes({"Sheet": [LEDGER_HEADER, ["B-1", "in", "2026-01-05", "丙酮", 1]]})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info, body.replace(b"</sheetData>", b"<row r='x'>") if "worksheets/" in info.filename
                         else body)
    with pytest.raises(ValidationFailed) as exc:
        ledger.parse_rows(out.getvalue(), "xlsx")
    assert "'Sheet' could not be read" in exc.value.message and CJK.search(exc.value.message)


def test_the_readers_keep_their_unreadable_file_answers():
    with pytest.raises(ValidationFailed) as exc:
        ledger.parse_rows(b"not a workbook", "xlsx")
    assert exc.value.errors["file"] and CJK.search(exc.value.message)


# --- every workbook reader -----------------------------------------------------------------------------------

def test_the_survey_workbook_refuses_the_crafted_sheet(tmp_path: Path):
    sheets = {"declarations": [list(survey_files.DECLARATION_COLUMNS), ["E-1", 2025]],
              "substances": [list(survey_files.SUBSTANCE_COLUMNS)]}
    path = tmp_path / "survey.xlsx"
    path.write_bytes(workbook_bytes(sheets, far_cell=("substances", 60_000, 16_384)))
    with pytest.raises(ValidationFailed) as exc:
        survey_files.read_template(path)
    assert "'substances'" in exc.value.message and "column XFD" in exc.value.message
    path.write_bytes(workbook_bytes(sheets, far_cell=("substances", 100_005, 1)))
    with pytest.raises(ValidationFailed) as exc:
        survey_files.read_template(path)
    assert list(exc.value.errors) == ["substances!100002"] and "100,000 rows" in exc.value.message


def test_the_interchange_workbook_refuses_the_crafted_sheet(tmp_path: Path):
    path = tmp_path / "park.xlsx"
    path.write_bytes(workbook_bytes({"components": [list(interchange_xlsx.COMPONENT_COLUMNS)]},
                                    far_cell=("components", 100_005, 1)))
    with pytest.raises(ValidationFailed) as exc:
        interchange_xlsx.read_workbook(path)
    assert list(exc.value.errors) == ["components!100002"] and CJK.search(exc.value.message)
    path.write_bytes(with_dimension(workbook_bytes({"parks": [list(interchange_xlsx.PARK_COLUMNS)]}),
                                    "A1:XFD1048576"))
    doc, _locate = interchange_xlsx.read_workbook(path)
    assert doc["parks"] == []


# --- CSV ------------------------------------------------------------------------------------------------------

LEDGER_CSV = "batch_code,chemical_name,cas,quantity_kg\nB-1,丙酮,67-64-1,120\nB-2,二氯甲烷（回收）,75-09-2,35.5\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_a_csv_from_excel_on_chinese_windows_reads_as_its_utf8_twin(encoding):
    # Excel on Chinese Windows saves "CSV (逗号分隔)" in GBK; "CSV UTF-8" with a BOM.
    assert ledger.parse_rows(LEDGER_CSV.encode(encoding), "csv") == ledger.parse_rows(LEDGER_CSV, "csv")


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_the_encoding_is_told_from_the_start_even_when_it_cuts_a_character(encoding):
    # Long enough that the sniffed start ends inside a two- or three-byte character, whichever the encoding.
    for pad in range(4):
        name = "丙酮溶液" * 10
        text = "batch_code,chemical_name\n" + "x" * pad + "".join(f"B-{i},{name}\n" for i in range(2000))
        data = text.encode(encoding)
        assert len(data) > tabular.SNIFF_BYTES
        assert tabular.csv_encoding(data) == {"utf-8": "utf-8-sig", "gbk": "gb18030"}[encoding]
        assert [f for _n, f in csv_rows(data, ledger.IMPORT_LIMITS)][-1] == ["B-1999", name]


def test_a_csv_neither_utf8_nor_gbk_is_refused_in_both_languages():
    with pytest.raises(ValidationFailed) as exc:
        ledger.parse_rows("batch_code\nB-1\n".encode("utf-16"), "csv")
    assert "neither UTF-8 nor GBK" in exc.value.message and re.search(r"[\u3400-\u9fff]", exc.value.message)
    assert exc.value.errors["file"][0].startswith("not UTF-8: invalid start byte (")


def test_a_csv_with_a_100_mb_field_is_refused_without_reading_it_whole():
    # Invalid UTF-8 after the field: had the reader decoded the whole file, the answer would be "not UTF-8".
    data = b"batch_code,note\nB-1," + b"x" * (100 * 1024 * 1024) + b"\n\xff\xfe\n"
    with pytest.raises(ValidationFailed) as exc:
        ledger.parse_rows(data, "csv")
    bound = ledger.IMPORT_LIMITS.max_line_chars
    assert "line 2" in exc.value.message and f"{bound:,} characters" in exc.value.message
    assert CJK.search(exc.value.message) and exc.value.errors["file"]


def test_a_field_past_the_cell_limit_but_under_csvs_own_is_refused_too():
    data = ("batch_code,note\nB-1," + "x" * (tabular.EXCEL_CELL_CHARS + 1) + "\n").encode()
    with pytest.raises(ValidationFailed) as exc:
        ledger.parse_rows(data, "csv")
    assert "line 2" in exc.value.message


def test_a_csv_with_too_many_rows_is_refused_at_the_limit():
    limit = ledger.MAX_IMPORT_ROWS
    body = "".join(f"B-{i},in\n" for i in range(limit + 2_000))
    data = ("batch_code,direction\n" + body).encode() + b"\xff" * 10  # bad bytes after the limit: never decoded
    with pytest.raises(ValidationFailed) as exc:
        ledger.parse_rows(data, "csv")
    assert f"line {limit + 2:,}" in exc.value.message and CJK.search(exc.value.message)
    exactly = "".join(f"B-{i},in\n" for i in range(limit))
    assert len(ledger.parse_rows(("batch_code,direction\n" + exactly).encode(), "csv")) == limit


def test_a_csv_row_with_too_many_columns_is_refused():
    limits = TableLimits(max_rows=10, max_columns=3)
    with pytest.raises(ValidationFailed) as exc:
        list(csv_rows("a,b,c\n1,2,3,4\n", limits))
    assert "line 2" in exc.value.message and "3 columns" in exc.value.message


def test_csv_records_keep_quoted_newlines_and_skip_nothing_else():
    assert list(csv_rows('a,b\n"x\ny",2\n\n3,4\n'.encode("utf-8-sig"), TableLimits(max_rows=10))) == [
        (1, ["a", "b"]), (2, ["x\ny", "2"]), (3, []), (4, ["3", "4"])]
