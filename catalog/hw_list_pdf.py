"""Importer of the National Hazardous Waste List (国家危险废物名录) from its published PDF.

The PDF published by the Ministry of Ecology and Environment is a Word document
printed to PDF: a few pages of articles (whose title carries the edition, e.g.
``国家危险废物名录（2021 年版）``), the table 附表 with the columns
``废物类别 | 行业来源 | 废物代码 | 危险废物 | 危险特性``, then the appendix
危险废物豁免管理清单 with ``序号 | 废物类别/代码 | 危险废物 | 豁免环节 | 豁免条件 | 豁免内容``.

Plain text extraction mangles both tables: cell texts are vertically centred, so
the lines of a description sit above *and* below its code, and the category and
industry cells are merged over many rows with their text printed once, in the
middle. The parser therefore works on character positions only:

1. On every page the header row is found by its keywords; the column boundaries
   are the empty vertical strips between the header keywords. Superscript
   footnote markers, notes under the table and page numbers are dropped.
2. Each column's characters are grouped into text lines.
3. Rows are anchored on one line per row: the code (``NNN-NNN-NN``) in the main
   table, the 豁免环节 stage in the appendix. The lines of the other one-cell-per-row
   columns are split between neighbouring anchors so that every cell's text is
   centred on its anchor (Word centres cell contents vertically).
4. Merged cells (废物类别, 行业来源; 序号, 废物类别/代码, 危险废物) are recovered by
   cutting the column into text blocks (a new block where lines are further apart
   than the line pitch inside a cell) and partitioning the rows into runs, one
   per block, each block centred on its run (dynamic programming). Rows at the
   top of a page may continue the last cell of the previous page.

Ruling lines are not needed: the 2021 PDF draws them (as thin filled rectangles),
where present they only confirm block ends, and the tests check that the result
is identical without them.

Nothing here depends on page numbers or row counts, so a later edition laid out the
same way parses with the same code. Every inconsistency (unknown hazard code, code
whose category disagrees with the 废物类别 column, duplicate code, gap in the 序号
numbering, …) raises :class:`HwListParseError` rather than producing a partial list.
Pure Python on top of pdfplumber; no I/O besides reading the PDF.
"""
from __future__ import annotations

import bisect
import math
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import pdfplumber

from .hazard import parse_hazards
from .waste_codes import Exemption, HwCategory, HwCode, HwListEdition

__all__ = ["HwListParseError", "parse_hw_list_pdf"]


class HwListParseError(ValueError):
    """Not a readable National Hazardous Waste List PDF, or its tables are inconsistent.

    ``str()`` is the English reason; ``zh`` the same in Chinese (an importer shows the user's language).
    """

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


# --- vocabulary of the document -------------------------------------------------

_CODE_RE = re.compile(r"\d{3}-\d{3}-\d{2}")
_CATEGORY_LABEL_RE = re.compile(r"^HW(\d{2})(?!\d)")
_CATEGORY_IN_TEXT_RE = re.compile(r"HW\d{2}(?![\d-])")
_TITLE_RE = re.compile(r"国家危险废物名录[（(](\d{4})年版[）)]")
# Page numbers are printed as "— 7 —" (em dashes; other dashes accepted too).
_PAGE_NUMBER_RE = re.compile(r"^[—–－\-]+\d+[—–－\-]+$")
# Notes under a table ("注：1.所列危险特性…") end the table on that page.
_NOTE_RE = re.compile(r"^注[：:]")
_NUMBER_RE = re.compile(r"^\d+$")

# Header keywords, left to right; the key is the column's name in this module.
_MAIN_HEADER = (
    ("category", "废物类别"),
    ("industry", "行业来源"),
    ("code", "废物代码"),
    ("description", "危险废物"),
    ("hazards", "危险特性"),
)
_EXEMPTION_HEADER = (
    ("number", "序号"),
    ("codes", "废物类别"),  # printed over two lines: "废物类别/" and "代码"
    ("waste", "危险废物"),
    ("stage", "豁免环节"),
    ("conditions", "豁免条件"),
    ("exempted", "豁免内容"),
)
# Keywords that identify the header line of each table (all must be on one line).
_MAIN_SIGNATURE = ("行业来源", "废物代码", "危险特性")
_EXEMPTION_SIGNATURE = ("序号", "豁免环节", "豁免内容")
# Any header line consists only of these characters (the code column of the
# appendix wraps to a second line "代码" under "废物类别/").
_HEADER_CHARS = frozenset("".join(k for _, k in _MAIN_HEADER + _EXEMPTION_HEADER) + "/代码")

# Penalty (in points) for explaining rows at the top of a page as the continuation
# of the previous page's merged cell rather than as a cell of their own: small
# enough that a clearly off-centre alternative loses, large enough to break ties.
_CARRY_PENALTY = 4.0
# Cost of putting two text blocks into one merged cell (see _merge_cells): about
# half a text line, less than any real off-centring, more than estimation noise.
_SHARED_CELL_PENALTY = 5.0
# Lines further apart than the page's normal pitch plus this start a new block.
_PITCH_TOLERANCE = 0.25
# Whether ruling lines may confirm cell ends (tests switch it off to check that the
# layout alone gives the same result).
_USE_RULINGS = True
_INFEASIBLE = math.inf


# --- geometry --------------------------------------------------------------------


@dataclass(slots=True)
class _Line:
    """A line of text inside one column (or across the page, for header search)."""

    chars: list[dict]  # pdfplumber chars sorted by x, spaces included
    top: float
    bottom: float
    x0: float
    x1: float

    @property
    def mid(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def text(self) -> str:
        return _chars_to_text(self.chars)

    @property
    def compact(self) -> str:
        """The text without any whitespace (header keywords are letter-spaced: "危 险 废 物")."""
        return "".join(c["text"] for c in self.chars if not c["text"].isspace())


def _is_ascii_word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in ".%")


def _chars_to_text(chars: Sequence[dict]) -> str:
    """Join a line's characters, keeping a space only between two Latin words.

    The PDF has space characters around Latin runs inside Chinese text
    ("生产 3-氨基-1-丙醇") and in letter-spaced justified lines
    ("772-005-18 、 261-053-29"); they are layout, not text, so they are dropped,
    while "HJ/T 299" keeps its space.
    """
    out: list[str] = []
    pending_space = False
    prev: dict | None = None
    for c in chars:
        t = c["text"]
        if t.isspace():
            pending_space = True
            continue
        if out and _is_ascii_word_char(out[-1][-1]) and _is_ascii_word_char(t[0]):
            gap = c["x0"] - prev["x1"] if prev is not None else 0.0
            if pending_space or gap > 0.25 * c["size"]:
                out.append(" ")
        out.append(t)
        prev = c
        pending_space = False
    return "".join(out)


def _is_latin_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _join_lines(lines: Iterable[_Line]) -> str:
    """Join wrapped lines of one cell in reading order (Chinese wraps without spaces)."""
    text = ""
    for line in lines:
        part = line.text.strip()
        if not part:
            continue
        if text and _is_latin_letter(text[-1]) and _is_latin_letter(part[0]):
            text += " "  # an English word wrapped at a space
        text += part
    return text


def _group_lines(chars: Iterable[dict], tolerance: float) -> list[_Line]:
    """Group characters into lines by their vertical middle, top to bottom."""
    ordered = sorted(chars, key=lambda c: (c["top"] + c["bottom"]) / 2)
    groups: list[list[dict]] = []
    first_mid = -math.inf
    for c in ordered:
        mid = (c["top"] + c["bottom"]) / 2
        if not groups or mid - first_mid > tolerance:
            groups.append([])
            first_mid = mid
        groups[-1].append(c)
    lines = []
    for group in groups:
        ink = [c for c in group if not c["text"].isspace()]
        if not ink:
            continue  # a line of spaces only
        group.sort(key=lambda c: c["x0"])
        lines.append(
            _Line(
                chars=group,
                top=min(c["top"] for c in ink),
                bottom=max(c["bottom"] for c in ink),
                x0=min(c["x0"] for c in ink),
                x1=max(c["x1"] for c in ink),
            )
        )
    lines.sort(key=lambda line: line.mid)
    return lines


def _text_span(lines: Sequence[_Line]) -> tuple[float, float]:
    return min(line.top for line in lines), max(line.bottom for line in lines)


def _quietest_strip(lo: float, hi: float, spans: Iterable[tuple[float, float]]) -> float:
    """Middle of the widest x strip within (lo, hi) crossed by the fewest ``spans``.

    Normally the strip between two columns is crossed by no character at all, but
    Word lets full-width punctuation hang past the right edge of a justified cell
    ("电容器、" overflows into the 危险特性 column), so the criterion is "fewest",
    not "none".
    """
    clipped = [(max(a, lo), min(b, hi)) for a, b in spans if b > lo and a < hi]
    edges = sorted({lo, hi, *(a for a, _ in clipped), *(b for _, b in clipped)})
    delta: dict[float, int] = {}
    for a, b in clipped:
        delta[a] = delta.get(a, 0) + 1
        delta[b] = delta.get(b, 0) - 1
    # Elementary strips between consecutive edges, with how many spans cross them.
    strips: list[tuple[float, float, int]] = []
    depth = 0
    for left, right in zip(edges, edges[1:]):
        depth += delta.get(left, 0)
        strips.append((left, right, depth))
    if not strips:
        return (lo + hi) / 2
    fewest = min(d for _, _, d in strips)
    best = (lo, lo)
    run_start: float | None = None
    for left, right, d in strips:
        if d == fewest:
            run_start = left if run_start is None else run_start
            if right - run_start > best[1] - best[0]:
                best = (run_start, right)
        else:
            run_start = None
    return (best[0] + best[1]) / 2


# --- one page --------------------------------------------------------------------


@dataclass(slots=True)
class _TablePage:
    """The body of a table on one page: text lines per column."""

    index: int  # 1-based page number in the file
    kind: str  # "main" or "exemption"
    header_bottom: float
    columns: dict[str, list[_Line]]
    pitch: float  # the normal distance between two lines of one cell
    rules: list[tuple[float, float, float]]  # horizontal rulings (y, x0, x1), sorted; may be empty


@dataclass(slots=True)
class _PageScan:
    text: str  # whole-page text without whitespace, for the title search
    table: _TablePage | None
    stray_codes: int  # HW codes on a page without a table header


def _scan_page(page, index: int) -> _PageScan:
    """Split one page into header, body columns and furniture (page number, notes)."""
    chars = [c for c in page.chars if c.get("text")]
    ink = [c for c in chars if not c["text"].isspace()]
    if not ink:
        return _PageScan("", None, 0)
    body_size = Counter(round(c["size"], 1) for c in ink).most_common(1)[0][0]
    # Footnote markers ("危险特性¹", "医疗废物²") are set in a much smaller size.
    chars = [c for c in chars if c["size"] >= 0.7 * body_size]
    tolerance = 0.3 * body_size
    page_lines = _group_lines(chars, tolerance)
    page_text = "".join(line.compact for line in page_lines)

    header = _find_header(page_lines, body_size)
    if header is None:
        return _PageScan(page_text, None, len(_CODE_RE.findall(page_text)))
    kind, keyword_spans, header_bottom = header

    # The table ends at a note under it ("注：1.所列危险特性…"); page numbers
    # ("— 7 —") are dropped wherever they are.
    body_bottom = math.inf
    furniture: set[int] = set()
    for line in page_lines:
        if line.top <= header_bottom:
            continue
        compact = line.compact
        if _PAGE_NUMBER_RE.match(compact):
            furniture.update(id(c) for c in line.chars)
        elif _NOTE_RE.match(compact):
            body_bottom = min(body_bottom, line.top)
    body = [
        c
        for c in chars
        if id(c) not in furniture
        and (c["top"] + c["bottom"]) / 2 > header_bottom
        and (c["top"] + c["bottom"]) / 2 < body_bottom
    ]

    # Column boundaries: the widest strip crossed by the fewest body characters
    # between neighbouring header keywords. Keywords are centred in their columns,
    # so the boundary lies between them, and cells have side padding, so texts
    # (almost) never cross it.
    names = [name for name, _ in keyword_spans]
    spans = [span for _, span in keyword_spans]
    ink_spans = [(c["x0"], c["x1"]) for c in body if not c["text"].isspace()]
    bounds: list[float] = []
    for (_, right_of_left), (left_of_right, _) in zip(spans, spans[1:]):
        bounds.append(_quietest_strip(right_of_left, left_of_right, ink_spans))

    per_column: dict[str, list[dict]] = {name: [] for name in names}
    for c in body:
        centre = (c["x0"] + c["x1"]) / 2
        column = sum(1 for b in bounds if centre > b)
        per_column[names[column]].append(c)
    columns = {name: _group_lines(cs, tolerance) for name, cs in per_column.items()}
    pitch = _normal_pitch(columns.values(), body_size)
    # Ruling lines, where the PDF has them (drawn as lines or as thin filled
    # rectangles), only confirm where one cell ends; the layout is read without them.
    rules = sorted(
        (e["top"], e["x0"], e["x1"])
        for e in (page.horizontal_edges if _USE_RULINGS else ())
        if header_bottom < e["top"] < body_bottom
    )
    return _PageScan(page_text, _TablePage(index, kind, header_bottom, columns, pitch, rules), 0)


def _normal_pitch(columns: Iterable[Sequence[_Line]], body_size: float) -> float:
    """The most common distance between consecutive lines: the line pitch inside cells."""
    pitches = Counter(
        round(b.mid - a.mid, 1)
        for lines in columns
        for a, b in zip(lines, lines[1:])
        if body_size < b.mid - a.mid < 2 * body_size
    )
    return pitches.most_common(1)[0][0] if pitches else 1.3 * body_size


def _find_header(
    lines: Sequence[_Line], body_size: float
) -> tuple[str, list[tuple[str, tuple[float, float]]], float] | None:
    """Locate a table header: its kind, the x span of each keyword, and its bottom."""
    for anchor in lines:
        compact = anchor.compact
        if all(k in compact for k in _MAIN_SIGNATURE):
            kind, keywords = "main", _MAIN_HEADER
        elif all(k in compact for k in _EXEMPTION_SIGNATURE):
            kind, keywords = "exemption", _EXEMPTION_HEADER
        else:
            continue
        # A header cell may wrap ("废物类别/" over "代码", half a line above and
        # below the anchor): take the lines close to it made of header characters
        # only. Not much further below, where the first row may start.
        band = [anchor] + [
            line
            for line in lines
            if line is not anchor
            and line.top >= anchor.top - 2 * body_size
            and line.bottom <= anchor.bottom + body_size
            and set(line.compact) <= _HEADER_CHARS
        ]
        spans: list[tuple[str, tuple[float, float]]] = []
        for name, keyword in keywords:
            span = None
            for line in band:
                span = _keyword_span(line, keyword)
                if span is not None:
                    break
            if span is None:
                raise HwListParseError(f"table header is missing the column {keyword!r}", f"表头缺少「{keyword}」列")
            spans.append((name, span))
        if [s for _, s in spans] != sorted((s for _, s in spans), key=lambda s: s[0]):
            raise HwListParseError("table header columns are not in the expected order", "表头各列的顺序与名录不符")
        return kind, spans, max(line.bottom for line in band)
    return None


def _keyword_span(line: _Line, keyword: str) -> tuple[float, float] | None:
    ink = [c for c in line.chars if not c["text"].isspace()]
    compact = "".join(c["text"] for c in ink)
    at = compact.find(keyword)
    if at < 0:
        return None
    # A char's text is normally one character; guard against ligatures anyway.
    lengths = [len(c["text"]) for c in ink]
    start = end = None
    pos = 0
    for i, n in enumerate(lengths):
        if start is None and pos + n > at:
            start = i
        if pos + n >= at + len(keyword):
            end = i
            break
        pos += n
    return ink[start]["x0"], ink[end]["x1"]


# --- rows and merged cells -------------------------------------------------------


def _split_among_anchors(lines: Sequence[_Line], anchors: Sequence[_Line]) -> list[list[_Line]]:
    """Give every line of a one-cell-per-row column to one anchor row.

    The lines between two anchors belong partly to the upper row, partly to the
    lower one; the split points are chosen together (dynamic programming) so that
    each row's text block is centred on its anchor as closely as possible.
    """
    n = len(anchors)
    mids = [a.mid for a in anchors]
    tol = 0.25 * (anchors[0].bottom - anchors[0].top) if anchors else 0.0
    fixed: list[list[_Line]] = [[] for _ in range(n)]
    between: list[list[_Line]] = [[] for _ in range(n + 1)]  # between[k]: above anchor k
    for line in lines:
        k = 0
        while k < n and mids[k] + tol < line.mid:
            k += 1
        if k < n and abs(mids[k] - line.mid) <= tol:
            fixed[k].append(line)
        else:
            between[k].append(line)

    def cost(k: int, above: Sequence[_Line], below: Sequence[_Line]) -> float:
        group = [*above, *fixed[k], *below]
        if not group:
            return 1000.0  # a row without text in this column: allowed, flagged later
        top, bottom = _text_span(group)
        return abs((top + bottom) / 2 - mids[k])

    if n == 0:
        return []
    # best[s] = (cost, splits) for anchors < k with s lines of between[k] given to k-1.
    best: dict[int, tuple[float, list[int]]] = {0: (0.0, [])}
    for k in range(n):
        seg_above = between[k]
        seg_below = between[k + 1]
        choices = range(len(seg_below) + 1) if k < n - 1 else [len(seg_below)]
        nxt: dict[int, tuple[float, list[int]]] = {}
        for s_prev, (acc, splits) in best.items():
            above = seg_above[s_prev:] if k > 0 else seg_above
            for s in choices:
                total = acc + cost(k, above, seg_below[:s])
                if s not in nxt or total < nxt[s][0]:
                    nxt[s] = (total, splits + [s])
        best = nxt
    _, splits = min(best.values(), key=lambda v: v[0])
    groups = []
    for k in range(n):
        above = between[k][splits[k - 1]:] if k > 0 else between[0]
        groups.append([*above, *fixed[k], *between[k + 1][: splits[k]]])
    return groups


def _row_bounds(extents: Sequence[tuple[float, float]], top_limit: float) -> list[float]:
    """Estimated cell boundaries of consecutive rows from the extents of their own text.

    Contents are centred with equal padding, so a boundary lies half-way between
    the text of two rows; the first row starts half-way from the header.
    """
    bounds = [(top_limit + extents[0][0]) / 2]
    for (_, bottom), (top, _) in zip(extents, extents[1:]):
        bounds.append((bottom + top) / 2)
    last_top, last_bottom = extents[-1]
    bounds.append(last_bottom + (last_top - bounds[-1]))
    return bounds


@dataclass(slots=True)
class _Cell:
    first: int  # first row (index into the page's rows)
    last: int  # last row, inclusive
    lines: list[_Line]  # empty for a continuation of the previous page's cell

    @property
    def carried(self) -> bool:
        return not self.lines


def _ruled_between(rules: Sequence[tuple[float, float, float]], upper: _Line, lower: _Line) -> bool:
    """True if a horizontal ruling crosses the column between two lines."""
    x = (upper.x0 + upper.x1 + lower.x0 + lower.x1) / 4
    start = bisect.bisect_right(rules, (upper.mid, math.inf, math.inf))
    for y, x0, x1 in rules[start:]:
        if y >= lower.mid:
            return False
        if x0 <= x <= x1:
            return True
    return False


def _text_blocks(
    lines: Sequence[_Line],
    pitch: float,
    rules: Sequence[tuple[float, float, float]] = (),
    starts_block: Callable[[_Line], bool] | None = None,
) -> list[list[_Line]]:
    """Split a column's lines into blocks of evenly spaced lines.

    Inside a cell Word sets lines at a fixed pitch; between two cells the distance
    is larger by at least the rule and the cell padding, even when both cells are
    full (then by only about half a point, hence the tight tolerance). A ruling
    between two lines, where the PDF has rulings, settles it. ``starts_block``
    forces a new block (a "HW08" label opens a category).
    """
    blocks: list[list[_Line]] = []
    for line in lines:
        if (
            not blocks
            or line.mid - blocks[-1][-1].mid > pitch + _PITCH_TOLERANCE
            or (starts_block is not None and starts_block(line))
            or _ruled_between(rules, blocks[-1][-1], line)
        ):
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return blocks


def _merge_cells(
    lines: Sequence[_Line],
    bounds: Sequence[float],
    first: int,
    last: int,
    *,
    pitch: float,
    rules: Sequence[tuple[float, float, float]] = (),
    allow_carry: bool,
    accept: Callable[[list[_Line]], bool] = lambda lines: True,
    starts_block: Callable[[_Line], bool] | None = None,
) -> list[_Cell] | None:
    """Partition rows ``first..last`` of a page into the merged cells of one column.

    The column's lines are first split into text blocks (one per cell, normally);
    each block belongs to the row its centre falls in. A cell is then a run of
    rows holding one block, which Word centres vertically on the run: the runs are
    chosen by dynamic programming to minimise the distance between each block's
    centre and its run's centre. Two blocks may share a cell only at a cost (an
    unusually spaced line inside one cell), so adjacent full cells are kept apart.
    Only the leading run may hold no block: it continues the last cell of the
    previous page. ``accept`` vetoes a cell's lines. Returns None if no partition
    fits.
    """
    page_first, page_last = 0, len(bounds) - 2
    by_row: dict[int, list[list[_Line]]] = {}
    for block in _text_blocks(lines, pitch, rules, starts_block):
        top, bottom = _text_span(block)
        centre = (top + bottom) / 2
        if centre < bounds[first] and first != page_first:
            continue  # belongs to rows above this range
        if centre >= bounds[last + 1] and last != page_last:
            continue  # belongs to rows below this range
        row = first
        while row < last and centre >= bounds[row + 1]:
            row += 1
        by_row.setdefault(row, []).append(block)

    n = last - first + 1
    best: list[tuple[float, int]] = [(0.0, -1)] + [(_INFEASIBLE, -1)] * n
    for j in range(1, n + 1):
        for i in range(j):
            if best[i][0] == _INFEASIBLE:
                continue
            blocks = [b for r in range(first + i, first + j) for b in by_row.get(r, ())]
            if not blocks:
                if i == 0 and allow_carry:
                    cost = _CARRY_PENALTY
                else:
                    continue
            else:
                group = [line for b in blocks for line in b]
                if not accept(group):
                    continue
                top, bottom = _text_span(group)
                cost = abs((top + bottom) / 2 - (bounds[first + i] + bounds[first + j]) / 2)
                cost += _SHARED_CELL_PENALTY * (len(blocks) - 1)
            if best[i][0] + cost < best[j][0]:
                best[j] = (best[i][0] + cost, i)
    if best[n][0] == _INFEASIBLE:
        return None
    cells: list[_Cell] = []
    j = n
    while j > 0:
        i = best[j][1]
        group = [
            line for r in range(first + i, first + j) for b in by_row.get(r, ()) for line in b
        ]
        cells.append(_Cell(first + i, first + j - 1, group))
        j = i
    cells.reverse()
    return cells


# --- the two tables --------------------------------------------------------------


@dataclass(slots=True)
class _MainRow:
    code: str
    description: str
    hazards_text: str
    page: int
    category_label: str = ""
    industry: str = ""


@dataclass(slots=True)
class _State:
    """What is carried from page to page."""

    rows: list[_MainRow] = field(default_factory=list)
    category_names: dict[str, str] = field(default_factory=dict)
    last_category: tuple[str, str] | None = None  # (label, name)
    last_industry: str | None = None
    exemptions: list[Exemption] = field(default_factory=list)
    last_number: int | None = None
    last_codes_text: str | None = None
    last_waste: str | None = None
    edition: str | None = None


def _parse_main_page(table: _TablePage, state: _State) -> None:
    cols = table.columns
    anchors: list[_Line] = []
    codes: list[str] = []
    for line in cols["code"]:
        found = _CODE_RE.findall(line.compact)
        if len(found) != 1 or found[0] != line.compact:
            raise HwListParseError(
                f"page {table.index}: unexpected text {line.text!r} in the 废物代码 column",
                f"第 {table.index} 页：「废物代码」列中有无法识别的文字「{line.text}」",
            )
        anchors.append(line)
        codes.append(found[0])
    if not anchors:
        return
    descriptions = _split_among_anchors(cols["description"], anchors)
    hazards = _split_among_anchors(cols["hazards"], anchors)
    extents = [
        _text_span([anchor, *descriptions[k], *hazards[k]]) for k, anchor in enumerate(anchors)
    ]
    bounds = _row_bounds(extents, table.header_bottom)
    last = len(anchors) - 1
    suffixes = [code[-2:] for code in codes]

    def one_label_on_top(group: list[_Line]) -> bool:
        labels = [line for line in group if _CATEGORY_LABEL_RE.match(line.compact)]
        return len(labels) == 1 and labels[0] is group[0]

    def is_label(line: _Line) -> bool:
        return bool(_CATEGORY_LABEL_RE.match(line.compact))

    cat_cells = _merge_cells(
        cols["category"], bounds, 0, last,
        pitch=table.pitch, rules=table.rules, allow_carry=state.last_category is not None,
        accept=one_label_on_top, starts_block=is_label,
    )
    if cat_cells is None:
        raise HwListParseError(f"page {table.index}: cannot read the 废物类别 column",
                               f"第 {table.index} 页：无法读取「废物类别」列")
    for cell in cat_cells:
        if cell.carried:
            label, name = state.last_category  # type: ignore[misc]
        else:
            head = cell.lines[0].compact
            label = head[:4]  # "HW08", checked by one_label_on_top
            # The name usually starts on the next line, but may follow the label.
            name = head[4:] + _join_lines(cell.lines[1:])
            known = state.category_names.setdefault(label, name)
            if known != name:
                raise HwListParseError(
                    f"page {table.index}: category {label} is named {name!r} here, {known!r} before",
                    f"第 {table.index} 页：类别 {label} 在此名为「{name}」，此前为「{known}」",
                )
        for r in range(cell.first, cell.last + 1):
            if f"HW{suffixes[r]}" != label:
                raise HwListParseError(
                    f"page {table.index}: code {codes[r]} is printed in the rows of {label}",
                    f"第 {table.index} 页：代码 {codes[r]} 印在类别 {label} 的行中",
                )
        # Only the first rows of a page may continue the previous page's industry,
        # and only within the same category.
        same_category = cell.carried or (
            state.last_category is not None and state.last_category[0] == label
        )
        continuing = cell.first == 0 and state.last_industry is not None and same_category
        ind_cells = _merge_cells(
            cols["industry"], bounds, cell.first, cell.last,
            pitch=table.pitch, rules=table.rules, allow_carry=continuing,
        )
        if ind_cells is None:
            raise HwListParseError(
                f"page {table.index}: cannot read the 行业来源 column beside {codes[cell.first]}",
                f"第 {table.index} 页：无法读取代码 {codes[cell.first]} 旁的「行业来源」列",
            )
        for ind in ind_cells:
            industry = state.last_industry if ind.carried else _join_lines(ind.lines)
            for r in range(ind.first, ind.last + 1):
                state.rows.append(
                    _MainRow(
                        code=codes[r],
                        description=_join_lines(descriptions[r]),
                        hazards_text="".join(line.compact for line in hazards[r]),
                        page=table.index,
                        category_label=label,
                        industry=industry or "",
                    )
                )
            state.last_industry = industry
        state.last_category = (label, name)


def _merge_stage_lines(lines: Sequence[_Line]) -> list[list[_Line]]:
    """Stage cells are one line ("利用、处置"); a line ending in "、" wraps into the next."""
    cells: list[list[_Line]] = []
    for line in lines:
        if cells and cells[-1][-1].compact.endswith(("、", "，", ",")):
            cells[-1].append(line)
        else:
            cells.append([line])
    return cells


def _parse_exemption_page(table: _TablePage, state: _State) -> None:
    cols = table.columns
    stage_cells = _merge_stage_lines(cols["stage"])
    if not stage_cells:
        return
    # One anchor per sub-row: the middle line of its stage cell.
    anchors = [cell[len(cell) // 2] for cell in stage_cells]
    stages = [_join_lines(cell) for cell in stage_cells]
    conditions = _split_among_anchors(cols["conditions"], anchors)
    exempted = _split_among_anchors(cols["exempted"], anchors)
    extents = [
        _text_span([*stage_cells[k], *conditions[k], *exempted[k]]) for k in range(len(anchors))
    ]
    bounds = _row_bounds(extents, table.header_bottom)
    last = len(anchors) - 1

    def one_number(group: list[_Line]) -> bool:
        return len(group) == 1 and bool(_NUMBER_RE.match(group[0].compact))

    # Every number is a cell of its own, hence starts_block for every line.
    number_cells = _merge_cells(
        cols["number"], bounds, 0, last,
        pitch=table.pitch, rules=table.rules, allow_carry=state.last_number is not None,
        accept=one_number, starts_block=lambda line: True,
    )
    if number_cells is None:
        raise HwListParseError(f"page {table.index}: cannot read the 序号 column",
                               f"第 {table.index} 页：无法读取「序号」列")
    for ncell in number_cells:
        number = state.last_number if ncell.carried else int(ncell.lines[0].compact)
        assert number is not None
        if state.last_number is None:
            if number != 1:
                raise HwListParseError(f"page {table.index}: exemption list starts at 序号 {number}",
                                       f"第 {table.index} 页：豁免清单从序号 {number} 开始，而非 1")
        elif number != state.last_number + 1 and (number != state.last_number or ncell.first):
            # A number may repeat only at the top of a page, continuing its row.
            raise HwListParseError(
                f"page {table.index}: exemption 序号 {number} follows {state.last_number}",
                f"第 {table.index} 页：豁免清单序号 {number} 排在 {state.last_number} 之后",
            )
        continuing = number == state.last_number
        code_cells = _merge_cells(
            cols["codes"], bounds, ncell.first, ncell.last,
            pitch=table.pitch, rules=table.rules, allow_carry=continuing,
        )
        waste_cells = _merge_cells(
            cols["waste"], bounds, ncell.first, ncell.last,
            pitch=table.pitch, rules=table.rules, allow_carry=continuing,
        )
        if code_cells is None or waste_cells is None:
            raise HwListParseError(f"page {table.index}: cannot read exemption 序号 {number}",
                                   f"第 {table.index} 页：无法读取豁免清单序号 {number}")
        codes_by_row: dict[int, str] = {}
        for cell in code_cells:
            text = state.last_codes_text if cell.carried else _join_lines(cell.lines)
            for r in range(cell.first, cell.last + 1):
                codes_by_row[r] = text or ""
        waste_by_row: dict[int, str] = {}
        for cell in waste_cells:
            text = state.last_waste if cell.carried else _join_lines(cell.lines)
            for r in range(cell.first, cell.last + 1):
                waste_by_row[r] = text or ""
        for r in range(ncell.first, ncell.last + 1):
            codes_text = codes_by_row[r]
            codes = tuple(dict.fromkeys(_CODE_RE.findall(codes_text)))
            categories = tuple(dict.fromkeys(_CATEGORY_IN_TEXT_RE.findall(codes_text)))
            # Some rows name their waste by a label instead of codes (生活垃圾中的危险废物).
            label = "" if codes or categories or codes_text.strip() in ("", "-", "—") else codes_text.strip()
            state.exemptions.append(
                Exemption(
                    number=number,
                    waste=waste_by_row[r],
                    codes=codes,
                    categories=categories,
                    label=label,
                    stage=stages[r],
                    conditions=_join_lines(conditions[r]),
                    exempted=_join_lines(exempted[r]),
                )
            )
            state.last_codes_text = codes_text
            state.last_waste = waste_by_row[r]
        state.last_number = number


# --- assembling the edition ------------------------------------------------------


def _parse_hazards(text: str, code: str) -> tuple[str, ...]:
    """"T，I" → ("T", "I"); "T/C/I/R/In" → ("T", "C", "I", "R", "In"); errors name the code."""
    try:
        return parse_hazards(text)
    except ValueError as exc:
        raise HwListParseError(f"{code}: {exc}", f"{code}：无法读取危险特性「{text}」") from None


def _finish(state: _State, path: Path) -> HwListEdition:
    if state.edition is None:
        raise HwListParseError(f"{path}: no title 国家危险废物名录（YYYY年版）; not an HW list",
                               f"{path}：没有标题《国家危险废物名录（YYYY年版）》，不是危险废物名录")
    if not state.rows:
        raise HwListParseError(f"{path}: no table of hazardous waste codes; not an HW list",
                               f"{path}：没有危险废物代码表，不是危险废物名录")
    if not state.exemptions:
        # Every edition since 2016 has the appendix; without it the file is incomplete.
        raise HwListParseError(f"{path}: the appendix 危险废物豁免管理清单 was not found",
                               f"{path}：未找到附录《危险废物豁免管理清单》")
    codes: list[HwCode] = []
    seen: set[str] = set()
    for row in state.rows:
        if row.code in seen:
            raise HwListParseError(f"code {row.code} appears twice (page {row.page})",
                                   f"代码 {row.code} 出现两次（第 {row.page} 页）")
        seen.add(row.code)
        if not row.description:
            raise HwListParseError(f"code {row.code} (page {row.page}) has no description",
                                   f"代码 {row.code}（第 {row.page} 页）没有危险废物描述")
        if not row.industry:
            raise HwListParseError(f"code {row.code} (page {row.page}) has no 行业来源",
                                   f"代码 {row.code}（第 {row.page} 页）没有行业来源")
        codes.append(
            HwCode(
                code=row.code,
                category=row.category_label,
                industry=row.industry,
                description=row.description,
                hazards=_parse_hazards(row.hazards_text, row.code),
            )
        )
    categories = [
        HwCategory(label, name, "") for label, name in sorted(state.category_names.items())
    ]
    # Labels are checked against the codes row by row; this catches a label that
    # sits beside no code at all.
    if {c.category for c in codes} != set(state.category_names):
        raise HwListParseError("the 废物类别 column and the codes name different categories",
                               "「废物类别」列与各代码所属的类别不一致")
    for ex in state.exemptions:
        unknown = [c for c in ex.codes if c not in seen] + [
            c for c in ex.categories if c not in state.category_names
        ]
        if unknown:
            raise HwListParseError(f"exemption {ex.number} names unknown codes {unknown}",
                                   f"豁免清单序号 {ex.number} 列出了名录中没有的代码 {'、'.join(unknown)}")
        if not (ex.waste and ex.stage and ex.conditions and ex.exempted):
            raise HwListParseError(f"exemption {ex.number} ({ex.stage}) has an empty column",
                                   f"豁免清单序号 {ex.number}（{ex.stage}）有空白列")
    return HwListEdition(
        edition=state.edition, codes=codes, exemptions=state.exemptions, categories=categories
    )


def parse_hw_list_pdf(
    path: str | os.PathLike, *, progress: Callable[[int, int], None] | None = None
) -> HwListEdition:
    """Parse the published PDF of the National Hazardous Waste List (国家危险废物名录).

    Returns the edition (detected from the title, e.g. ``"2021"``), every code of
    the table 附表 with its category, 行业来源, description and hazard
    characteristics, the categories with their Chinese names as printed
    (``name_en`` is left empty), and the appendix 危险废物豁免管理清单 as one
    :class:`Exemption` per (序号, 豁免环节 sub-row).

    ``progress(page, total)`` is called after each page (1-based). Raises
    :class:`HwListParseError` for a missing or unreadable file, a PDF that is not
    the list, or a table whose contents are inconsistent.
    """
    path = Path(path)
    if not path.is_file():
        raise HwListParseError(f"{path}: no such file", f"{path}：文件不存在")
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many unrelated types for a damaged file
        raise HwListParseError(f"{path}: not a readable PDF ({exc})", f"{path}：无法读取该 PDF 文件") from exc
    state = _State()
    with pdf:
        try:
            total = len(pdf.pages)
        except Exception as exc:
            raise HwListParseError(f"{path}: not a readable PDF ({exc})", f"{path}：无法读取该 PDF 文件") from exc
        for index, page in enumerate(pdf.pages, 1):
            try:
                scan = _scan_page(page, index)
            except HwListParseError as exc:
                raise HwListParseError(f"{path}, page {index}: {exc.en}", f"{path} 第 {index} 页：{exc.zh}") from exc
            except Exception as exc:  # damaged content stream, bad font, …
                raise HwListParseError(f"{path}, page {index}: unreadable ({exc})",
                                       f"{path} 第 {index} 页：无法读取") from exc
            finally:
                page.close()  # drop pdfminer's layout cache; pages are not revisited
            if state.edition is None:
                m = _TITLE_RE.search(scan.text)
                if m:
                    state.edition = m.group(1)
            if scan.table is None:
                # A page of codes without a header would be silently lost: refuse it.
                if state.rows and scan.stray_codes >= 3:
                    raise HwListParseError(f"{path}, page {index}: HW codes outside a table header",
                                           f"{path} 第 {index} 页：有不在表头之下的危险废物代码")
            elif scan.table.kind == "main":
                _parse_main_page(scan.table, state)
            else:
                _parse_exemption_page(scan.table, state)
            if progress is not None:
                progress(index, total)
    return _finish(state, path)
