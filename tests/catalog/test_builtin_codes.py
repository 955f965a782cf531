"""The built-in subset of HW codes: shape, categories, lookups, and agreement with the official PDF."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog.builtin_codes import BUILTIN_HW_CODES, builtin_code, builtin_codes_in_category, search_builtin_codes
from catalog.hazard import HAZARD_CODES
from catalog.hw_categories import HW_CATEGORIES
from catalog.waste_codes import HwCode, is_hw_code

PDF = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "hw-list-2021" / "gjwxfwml.pdf"

# Codes the park demo relies on; each must be in the built-in set.
REQUIRED = [
    "900-401-06", "900-402-06", "900-404-06", "900-405-06", "900-407-06",
    "900-214-08", "900-249-08", "900-217-08", "900-218-08", "900-199-08", "900-200-08", "900-210-08",
    "900-006-09", "900-007-09", "900-013-11", "900-252-12", "264-011-12", "900-014-13", "900-015-13",
    "336-054-17", "336-055-17", "336-063-17", "336-064-17", "336-066-17", "772-002-18", "772-003-18",
    "398-004-22", "900-052-31", "384-005-46", "900-023-29", "900-300-34", "900-349-34", "900-352-35",
    "900-399-35", "261-070-39", "900-039-49", "900-041-49", "900-044-49", "900-045-49", "900-047-49",
    "772-006-49", "900-046-49", "251-016-50", "261-151-50", "900-048-50", "900-049-50",
    "841-001-01", "841-002-01", "841-003-01", "841-004-01", "841-005-01", "271-001-02",
]


def test_small_set_without_duplicates():
    codes = [c.code for c in BUILTIN_HW_CODES]
    # a small catalogue of what parks trade, never the list itself (which is imported from the PDF)
    assert 40 <= len(codes) <= 100
    assert len(set(codes)) == len(codes)


def test_every_record_has_a_valid_shape():
    categories = {c.code for c in HW_CATEGORIES}
    for c in BUILTIN_HW_CODES:
        assert isinstance(c, HwCode)
        assert is_hw_code(c.code), c.code
        assert c.category == f"HW{c.code[-2:]}", c.code  # category = last two digits
        assert c.category in categories, c.code
        assert c.hazards and set(c.hazards) <= set(HAZARD_CODES), c.code
        assert len(set(c.hazards)) == len(c.hazards), c.code
        assert c.industry and c.description and c.description_en, c.code
        assert re.search(r"[\u4e00-\u9fff]", c.description), c.code
        assert c.description_en.isascii(), c.code
        assert c.description == c.description.strip() and "  " not in c.description, c.code
        # 900-xxx-xx are the list's "not industry-specific" codes.
        assert (c.code.startswith("900-")) == (c.industry == "非特定行业"), c.code


@pytest.mark.parametrize("code", REQUIRED)
def test_required_codes_are_present(code):
    assert builtin_code(code) is not None


def test_lookup():
    oil = builtin_code("900-214-08")
    assert oil.category == "HW08" and oil.hazards == ("T", "I") and oil.industry == "非特定行业"
    assert builtin_code("９００－２１４－０８") is oil
    assert builtin_code("900-999-08") is None
    assert builtin_code("336-064-17").hazards == ("T", "C")
    assert builtin_code("900-300-34").hazards == ("C", "T")
    assert builtin_code("841-001-01").hazards == ("In",)
    with pytest.raises(ValueError, match="NNN-NNN-NN"):
        builtin_code("90021408")


def test_category_filter_and_search():
    assert {c.code for c in builtin_codes_in_category("HW01")} == {f"841-00{i}-01" for i in range(1, 6)}
    assert builtin_code("900-214-08") in search_builtin_codes("润滑油")
    assert builtin_code("900-214-08") in search_builtin_codes("ENGINE")
    assert search_builtin_codes("") == BUILTIN_HW_CODES


# --- agreement with the official PDF (skipped when ../shared is absent) ----------------------

_CODE = re.compile(r"^\d{3}-\d{3}-\d{2}$")
_HAZ = re.compile(r"^(T|C|I|R|In)([，,/](T|C|I|R|In))*$")


def _white(edge) -> bool:
    # Merged industry cells are drawn over white rectangles whose edges are not cell borders.
    color = edge.get("non_stroking_color")
    if isinstance(color, (list, tuple)):
        return bool(color) and all(v == 1 for v in color)
    return color == 1


def _read_pdf_rows(path: Path) -> dict[str, tuple[str, str]]:
    """code → (industry, hazard cell) from the list's table, using text lines and word positions."""
    import pdfplumber

    rows: dict[str, tuple[str, str]] = {}
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            words = page.extract_words()
            header = {w["text"]: w for w in words if w["text"] in ("废物类别", "行业来源", "废物代码")}
            if len(header) < 3:
                continue  # not a page of the main table
            left, right = header["废物类别"]["x1"], header["废物代码"]["x0"]
            mid = (header["行业来源"]["x0"] + header["行业来源"]["x1"]) / 2
            # Horizontal cell borders crossing the industry column.
            borders = sorted({e["top"] for e in page.edges
                              if e["orientation"] == "h" and e["x0"] <= mid <= e["x1"] and not _white(e)})
            lines = page.extract_text_lines()
            for w in words:
                if not (_CODE.match(w["text"]) and abs(w["x0"] - right) <= 10):
                    continue  # a code in the code column, not one cited inside a description
                y = (w["top"] + w["bottom"]) / 2
                top = max((b for b in borders if b <= y), default=0.0)
                bottom = min((b for b in borders if b > y), default=float("inf"))
                industry = "".join(
                    x["text"] for x in sorted(words, key=lambda x: (round(x["top"]), x["x0"]))
                    if left < (x["x0"] + x["x1"]) / 2 < right and top <= (x["top"] + x["bottom"]) / 2 < bottom
                )
                hazard = ""
                for line in lines:  # the line holding the code ends with its hazard cell
                    tokens = line["text"].split()
                    if w["text"] in tokens and _HAZ.match(tokens[-1]):
                        hazard = tokens[-1]
                rows[w["text"]] = (industry, hazard)
    return rows


@pytest.fixture(scope="module")
def official_rows() -> dict[str, tuple[str, str]]:
    if not PDF.exists():
        pytest.skip(f"{PDF} not present")
    pytest.importorskip("pdfplumber")
    return _read_pdf_rows(PDF)


@pytest.mark.slow
def test_pdf_reader_sees_the_whole_list(official_rows):
    assert len(official_rows) == 467


@pytest.mark.slow
@pytest.mark.parametrize("code", [c.code for c in BUILTIN_HW_CODES])
def test_builtin_code_agrees_with_official_pdf(code, official_rows):
    from catalog.hazard import parse_hazards

    ours = builtin_code(code)
    assert code in official_rows, f"{code} is not in the 2021 list"
    industry, hazard = official_rows[code]
    assert parse_hazards(hazard) == ours.hazards
    assert industry == ours.industry
