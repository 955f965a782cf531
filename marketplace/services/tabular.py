"""Bounded reading of the tables people upload or hand to the CLI (XLSX and CSV), shared by every reader.

A 4.9 KB workbook can declare a sheet of ``A1:XFD60000``; read naively, each of its rows is padded to 16,384
cells before any row limit is looked at, and one upload holds a core for half a minute. Here:

- a workbook is opened read-only (streaming), after its zip parts' unpacked sizes are checked against a bound
  (``zipfile`` never inflates a part past its declared size, so the declared sizes bound the XML parsed) and
  the sheets its workbook part lists and the tags of its XML parts are counted (openpyxl opens every sheet and
  parses every shared string and style as it loads);
- its declared sheet dimension is ignored (``reset_dimensions``): rows are padded only to ``max_columns``,
  the width the reader asked for, and rows after the last real one are not invented;
- rows are counted while reading, and reading stops at the first row past ``max_rows``; the cells the XML
  parser produced are counted as each row is parsed, and reading stops past ``max_cells``; a value in a
  column past ``max_columns`` is refused rather than silently dropped;
- a CSV is decoded and split incrementally with the same row and column limits and a field-size limit; it may be
  UTF-8 or, as Excel on Chinese Windows saves "CSV", GBK (``csv_encoding``).

Every refusal is a ``ValidationFailed`` naming the sheet (or CSV line) and the limit, in English and Chinese.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

from ..errors import ValidationFailed

# The package's relationships and the workbook part (sheet list, defined names) are small in any real file.
PACKAGE_RELS = "_rels/.rels"
MAX_STRUCTURE_PART_BYTES = 1024 * 1024
SHEET_ELEMENT = re.compile(rb"<(?:[\w.-]+:)?sheet[\s/>]")
# Excel's own limit on the characters of one cell; csv's default field limit (128 KiB) is above it.
EXCEL_CELL_CHARS = 32_767


@dataclass(frozen=True)
class TableLimits:
    """How much of a table a reader accepts: data rows (the header row not counted) and columns per sheet,
    cells the parser may produce per sheet (``None``: one per row and column), unpacked bytes, sheets and
    format/structure elements (merged ranges, styles…) of a workbook, characters per CSV field."""

    max_rows: int
    max_columns: int = 64
    max_cells: int | None = None
    max_unpacked_bytes: int = 64 * 1024 * 1024
    max_field_chars: int = EXCEL_CELL_CHARS
    max_sheets: int = 255
    max_object_tags: int = 20_000

    @property
    def cell_budget(self) -> int:
        """Cells the parser may produce in one sheet before reading stops."""
        return self.max_cells if self.max_cells is not None else (self.max_rows + 1) * self.max_columns

    @property
    def max_tags(self) -> int:
        """Opening XML tags a workbook may hold in all: per allowed cell its ``c`` and ``v`` (or ``is`` and ``t``)
        and a shared string's ``si`` and ``t``; a row tag per allowed row; room for theme, styles and the rest."""
        return 4 * self.cell_budget + self.max_rows + 1 + self.max_object_tags + 10_000

    @property
    def max_line_chars(self) -> int:
        """Characters of one physical CSV line: every column's longest field, quoted, and a separator."""
        return self.max_columns * (self.max_field_chars + 3)


Source = str | Path | IO[bytes] | bytes


def open_workbook(source: Source, limits: TableLimits, *, what: str = "the file", key: str = "file") -> Workbook:
    """The workbook at ``source`` opened read-only, once its unpacked size is known to be within ``limits``.

    Not a workbook, or one unpacking past the bound, is a bilingual ``ValidationFailed`` under ``key``.
    The caller closes it (``wb.close()``): a read-only workbook holds its zip open."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        with zipfile.ZipFile(source) as archive:
            _check_package(archive, limits, what, key)
    except (zipfile.BadZipFile, OSError, ValueError, ET.ParseError, zlib.error) as exc:
        raise ValidationFailed(f"{what} is not a readable xlsx workbook (无法读取Excel文件)",
                               {key: [_because(exc, "无法读取Excel文件")]}) from None
    if hasattr(source, "seek"):
        source.seek(0)
    try:
        return load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise ValidationFailed(f"{what} is not a readable xlsx workbook (无法读取Excel文件)",
                               {key: [_because(exc, "无法读取Excel文件")]}) from None


def _because(exc: BaseException, zh: str) -> str:
    """The reason ``exc`` gives (in English, from the library that raised it) with ``zh`` as its Chinese half."""
    text = str(exc).strip()
    return f"{text} ({zh})" if text else zh


def _check_package(archive: zipfile.ZipFile, limits: TableLimits, what: str, key: str) -> None:
    """Refuses a workbook whose parts would cost more to parse than the limits allow, before openpyxl parses any.

    Parsing costs per XML element, wherever the elements sit, and some elements cost far more than a cell:
    1.9 million shared strings in a 116 KB file took openpyxl 35 s to load, 800,000 ``<mergeCell>`` after a
    sheet's one row 11 s. So, streaming each XML part once: all opening tags are held to what the allowed
    cells need (``max_tags``), shared strings to one per cell, and the elements openpyxl turns into objects
    (merged ranges, column widths, styles, rules, links, names) to ``max_object_tags``; no crafted file then
    costs much more to read than the largest file the limits accept."""
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > limits.max_unpacked_bytes:
        mb = limits.max_unpacked_bytes // (1024 * 1024)
        raise ValidationFailed(f"{what} unpacks to more than {mb} MB; it was not read "
                               f"(Excel文件解压后超过 {mb} MB，未读取)",
                               {key: [(f"{unpacked:,} bytes unpacked; at most {limits.max_unpacked_bytes:,} "
                                       f"(解压后 {unpacked:,} 字节，上限 {limits.max_unpacked_bytes:,} 字节)")]})
    sheets = _declared_sheets(archive)
    if sheets > limits.max_sheets:
        raise ValidationFailed(f"{what} has {sheets:,} sheets; at most {limits.max_sheets} are read "
                               f"(Excel文件有 {sheets:,} 张工作表，最多读取 {limits.max_sheets} 张)",
                               {key: [f"at most {limits.max_sheets} sheets (最多 {limits.max_sheets} 张工作表)"]})
    budgets = {"tags": limits.max_tags, "shared strings": limits.cell_budget, "objects": limits.max_object_tags}
    used = dict.fromkeys(budgets, 0)
    for info in archive.infolist():
        if not info.filename.lower().endswith((".xml", ".rels")):
            continue  # images and other binaries are never parsed
        with archive.open(info) as part:
            for tags, strings, objects in _tag_counts(part):
                used["tags"] += tags
                used["shared strings"] += strings
                used["objects"] += objects
                over = next((k for k in budgets if used[k] > budgets[k]), None)
                if over is not None:
                    zh = {"tags": "XML元素", "shared strings": "共享字符串", "objects": "格式与结构元素"}[over]
                    raise ValidationFailed(
                        f"{what} holds more than {budgets[over]:,} {over} ({info.filename}); it was not read "
                        f"(Excel文件的{zh}超过 {budgets[over]:,} 个，未读取)",
                        {key: [f"at most {budgets[over]:,} {over} (最多 {budgets[over]:,} 个{zh})"]})


# Shared strings and the elements openpyxl builds objects from, with a namespace prefix or not.
_SHARED_STRING = re.compile(rb"<(?:[\w.-]+:)?si[\s>]")
_OBJECT_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:mergeCell|cfRule|dataValidation|hyperlink|col|xf|font|fill|border|numFmt"
                         rb"|dxf|definedName|brk|cellStyle|selection|pane|protectedRange|ignoredError)[\s/>]")
_LOOKAHEAD = 64  # longer than any of the tags above, prefix included


def _tag_counts(part: IO[bytes]) -> Iterator[tuple[int, int, int]]:
    """(opening tags, shared strings, object tags) of a part, chunk by chunk. A tag is counted in the chunk it
    starts in, before the cut; the bytes after the cut (longer than any tag counted) are read again next round."""
    carry = b""
    while True:
        chunk = part.read(1024 * 1024)
        buf = carry + chunk
        cut = len(buf) if not chunk else max(0, len(buf) - _LOOKAHEAD)
        opening = buf.count(b"<", 0, cut) - sum(buf.count(other, 0, cut) for other in (b"</", b"<?", b"<!"))
        yield opening, _starting_before(_SHARED_STRING, buf, cut), _starting_before(_OBJECT_TAG, buf, cut)
        if not chunk:
            return
        carry = buf[cut:]


def _starting_before(pattern: re.Pattern[bytes], buf: bytes, cut: int) -> int:
    n = 0
    for m in pattern.finditer(buf):
        if m.start() >= cut:
            break
        n += 1
    return n


def _declared_sheets(archive: zipfile.ZipFile) -> int:
    """The sheets the workbook part lists: openpyxl opens each one as it loads (20,000 of them in a 0.2 MB file
    took 3.7 s), so they are counted in the XML first. 0 when there is no workbook part (openpyxl then says why)."""
    names = set(archive.namelist())
    if PACKAGE_RELS not in names or archive.getinfo(PACKAGE_RELS).file_size > MAX_STRUCTURE_PART_BYTES:
        return 0
    target = next((rel.get("Target", "") for rel in ET.fromstring(archive.read(PACKAGE_RELS))
                   if rel.get("Type", "").endswith("/officeDocument")), "").lstrip("/")
    if target not in names:
        return 0
    if archive.getinfo(target).file_size > MAX_STRUCTURE_PART_BYTES:
        raise ValueError(f"the workbook part {target} is larger than {MAX_STRUCTURE_PART_BYTES:,} bytes")
    return len(SHEET_ELEMENT.findall(archive.read(target)))


def _too_many_rows(sheet: str, limits: TableLimits, number: int) -> ValidationFailed:
    return ValidationFailed(
        f"sheet {sheet!r} has more than {limits.max_rows:,} rows; reading stopped at row {number:,} "
        f"(工作表 {sheet} 超过 {limits.max_rows:,} 行，已停止读取)",
        {f"{sheet}!{number}": [(f"at most {limits.max_rows:,} rows after the header row "
                                f"(表头行之后最多 {limits.max_rows:,} 行)")]})


class _RowGuard:
    """Counts the cells openpyxl parses, row by row, and refuses past the cell budget or the column limit.

    It wraps the read-only sheet's per-row assembly (``_get_row``), the one place that sees every parsed cell
    of a row, including those beyond the columns asked for; the tests of this module pin that behaviour."""

    def __init__(self, ws: Any, sheet: str, limits: TableLimits) -> None:
        self.sheet, self.limits, self.cells = sheet, limits, 0
        self._assemble: Callable[..., tuple[Any, ...]] = ws._get_row

    def __call__(self, row: list[dict[str, Any]], *args: Any, **kwargs: Any) -> tuple[Any, ...]:
        self.cells += len(row)
        limits, sheet = self.limits, self.sheet
        if self.cells > limits.cell_budget:
            number = row[-1].get("row") if row else "?"
            raise ValidationFailed(
                f"sheet {sheet!r} holds more than {limits.cell_budget:,} cells; reading stopped "
                f"(工作表 {sheet} 超过 {limits.cell_budget:,} 个单元格，已停止读取)",
                {f"{sheet}!{number}": [f"at most {limits.cell_budget:,} cells (最多 {limits.cell_budget:,} 个单元格)"]})
        for cell in reversed(row):  # cells come in column order: the far ones are at the end
            if cell["column"] <= limits.max_columns:
                break
            if cell["value"] not in (None, ""):
                column = get_column_letter(min(cell["column"], 16_384))
                raise ValidationFailed(
                    f"sheet {sheet!r} has a value in column {column} (row {cell['row']}); at most "
                    f"{limits.max_columns} columns are read (工作表 {sheet} 第 {cell['row']} 行 {column} 列有值，超出 "
                    f"{limits.max_columns} 列上限)",
                    {f"{sheet}!{cell['row']} {column}": [(f"at most {limits.max_columns} columns "
                                                          f"(最多 {limits.max_columns} 列)")]})
        return self._assemble(row, *args, **kwargs)


def sheet_rows(ws: Any, limits: TableLimits, *, sheet: str | None = None) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, the values of columns 1..``max_columns``) of each row of a read-only sheet, header first.

    Reads as it yields: the first row numbered past ``max_rows + 1`` (the header plus the data rows) stops
    the reading with a refusal, as does the cell budget or a value past the last column read."""
    sheet = sheet or ws.title
    ws.reset_dimensions()  # a declared A1:XFD60000 is a claim, not a size
    ws._get_row = _RowGuard(ws, sheet, limits)  # the instance attribute shadows the method for this sheet
    last = limits.max_rows + 1
    rows = enumerate(ws.iter_rows(min_row=1, max_col=limits.max_columns, values_only=True), start=1)
    while True:
        try:
            number, values = next(rows)
        except StopIteration:
            return
        except ValidationFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - broken XML, a part failing its CRC, a row numbered "x"…
            raise ValidationFailed(f"sheet {sheet!r} could not be read: {exc} (无法读取工作表 {sheet})",
                                   {sheet: [_because(exc, f"无法读取工作表 {sheet}")]}) from None
        if number > last:
            raise _too_many_rows(sheet, limits, number)
        yield number, values


# How much of a CSV file is looked at to tell its encoding (the file itself is decoded as it is read).
SNIFF_BYTES = 64 * 1024
# The decoders' names (``UnicodeDecodeError.encoding``) as a user knows the encodings.
_ENCODING_NAMES = {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "gb18030": "GBK (GB18030)"}


def csv_encoding(data: bytes) -> str:
    """The encoding of a CSV file's bytes: UTF-8 (with or without a BOM) when its start reads as UTF-8, else
    GB18030 (GBK's superset) when that reads it: Excel on Chinese Windows saves "CSV (逗号分隔)" in GBK, and a
    plant's ledger comes from there. Either way the start decides; a file that is neither is refused while read.

    A GBK file of plain ASCII reads as UTF-8 (the same bytes); a few GBK bytes may read as valid UTF-8 by chance,
    but Chinese text in GBK does not for long, and 64 KiB is looked at.
    """
    head = data[:SNIFF_BYTES]
    truncated = len(data) > len(head)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            head.decode(encoding)
            return encoding
        except UnicodeDecodeError as exc:
            if truncated and exc.start >= len(head) - 4:  # a character cut by the sniff, not a wrong encoding
                return encoding
    return "utf-8-sig"  # neither: the reader refuses it, naming the byte


def csv_rows(data: bytes | str, limits: TableLimits, *, what: str = "the CSV file",
             key: str = "file") -> Iterator[tuple[int, list[str]]]:
    """(record number, fields) of each record of a CSV file, header first, decoded (``csv_encoding``: UTF-8, BOM
    or not, or GBK) and split as it is read; past ``max_rows`` data records, ``max_columns`` fields,
    ``max_field_chars`` characters in a field or ``max_line_chars`` in a line, reading stops with a bilingual
    refusal."""
    if isinstance(data, bytes):
        text: IO[str] = io.TextIOWrapper(io.BytesIO(data), encoding=csv_encoding(data), newline="")
    else:
        text = io.StringIO(data, newline="")
    lines = _bounded_lines(text, limits, what, key)
    reader = csv.reader(lines)
    last = limits.max_rows + 1
    try:
        for number, fields in enumerate(reader, start=1):
            if number > last:
                raise ValidationFailed(
                    f"{what} has more than {limits.max_rows:,} rows; reading stopped at line {reader.line_num:,} "
                    f"(CSV文件超过 {limits.max_rows:,} 行，已停止读取)",
                    {key: [(f"at most {limits.max_rows:,} rows after the header row "
                            f"(表头行之后最多 {limits.max_rows:,} 行)")]})
            if len(fields) > limits.max_columns:
                raise ValidationFailed(
                    f"{what}: line {reader.line_num:,} has {len(fields):,} fields; at most {limits.max_columns} "
                    f"columns are read (CSV文件第 {reader.line_num:,} 行超出 {limits.max_columns} 列上限)",
                    {key: [(f"line {reader.line_num:,}: at most {limits.max_columns} columns "
                            f"(第 {reader.line_num:,} 行：最多 {limits.max_columns} 列)")]})
            if max((len(f) for f in fields), default=0) > limits.max_field_chars:
                raise _field_too_long(what, key, limits, reader.line_num)
            yield number, fields
    except UnicodeDecodeError as exc:  # neither encoding, or one that changes past the sniffed start
        raise ValidationFailed("the CSV file is neither UTF-8 nor GBK (GB18030) encoded: save it as \"CSV UTF-8\" "
                               "(CSV文件须为UTF-8或GBK编码)",
                               {key: [(f"not {_ENCODING_NAMES[exc.encoding]}: {exc.reason} "
                                       f"(不是{_ENCODING_NAMES[exc.encoding]}编码)")]}) from None
    except csv.Error as exc:
        # csv refuses by itself a field past its own limit (128 KiB by default) spread over several lines.
        if "field larger than field limit" in str(exc):
            raise _field_too_long(what, key, limits, reader.line_num) from None
        raise ValidationFailed(f"{what} is not a readable CSV file: line {reader.line_num}: {exc} "
                               "(无法读取CSV文件)",
                               {key: [_because(exc, f"第 {reader.line_num} 行无法读取")]}) from None


def _bounded_lines(text: IO[str], limits: TableLimits, what: str, key: str) -> Iterator[str]:
    """The physical lines of ``text``, each read with a bound: csv would otherwise take a 100 MB line whole."""
    bound = limits.max_line_chars
    number = 0
    while line := text.readline(bound):
        number += 1
        if len(line) == bound and not line.endswith(("\n", "\r")):
            raise ValidationFailed(
                f"{what}: line {number:,} is longer than {bound:,} characters; reading stopped "
                f"(CSV文件第 {number:,} 行超过 {bound:,} 个字符，已停止读取)",
                {key: [(f"line {number:,}: at most {bound:,} characters in a line "
                        f"(第 {number:,} 行：每行最多 {bound:,} 个字符)")]})
        yield line


def _field_too_long(what: str, key: str, limits: TableLimits, line: int) -> ValidationFailed:
    return ValidationFailed(
        f"{what}: line {line:,} has a field longer than {limits.max_field_chars:,} characters "
        f"(CSV文件第 {line:,} 行有字段超过 {limits.max_field_chars:,} 个字符)",
        {key: [(f"line {line:,}: at most {limits.max_field_chars:,} characters in a field "
                f"(第 {line:,} 行：每个字段最多 {limits.max_field_chars:,} 个字符)")]})


__all__ = ["EXCEL_CELL_CHARS", "TableLimits", "csv_encoding", "csv_rows", "open_workbook", "sheet_rows"]
