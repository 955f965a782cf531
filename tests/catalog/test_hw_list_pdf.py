"""Tests of the importer of the National Hazardous Waste List PDF (catalog.hw_list_pdf).

They read the published 2021 PDF from ../shared (never copied into the repository)
and are skipped when it is absent. The expected values below were checked by hand
against the printed pages.
"""
from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest

from catalog import hw_list_pdf
from catalog.hw_list_pdf import HwListParseError, parse_hw_list_pdf
from catalog.waste_codes import HwListEdition, is_hw_code

PDF = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "hw-list-2021" / "gjwxfwml.pdf"
PAGES = 33  # pages of the 2021 PDF (a fact of the file, not of the parser)

needs_pdf = pytest.mark.skipif(not PDF.is_file(), reason=f"{PDF} not available")


@pytest.fixture(scope="module")
def parsed() -> tuple[HwListEdition, list[tuple[int, int]]]:
    if not PDF.is_file():
        pytest.skip(f"{PDF} not available")
    calls: list[tuple[int, int]] = []
    edition = parse_hw_list_pdf(PDF, progress=lambda page, total: calls.append((page, total)))
    return edition, calls


@pytest.fixture(scope="module")
def edition(parsed) -> HwListEdition:
    return parsed[0]


@pytest.fixture(scope="module")
def by_code(edition) -> dict:
    return {c.code: c for c in edition.codes}


def exemptions_numbered(edition: HwListEdition, number: int) -> list:
    return [e for e in edition.exemptions if e.number == number]


# --- the whole edition -------------------------------------------------------------


def test_edition_from_title(edition):
    assert edition.edition == "2021"


def test_progress_called_for_every_page(parsed):
    _, calls = parsed
    assert calls == [(page, PAGES) for page in range(1, PAGES + 1)]


def test_467_unique_codes(edition):
    codes = [c.code for c in edition.codes]
    assert len(codes) == 467
    assert len(set(codes)) == 467
    assert all(is_hw_code(code) for code in codes)


def test_codes_are_those_printed_in_the_pdf(edition):
    # Independent of the layout analysis: every NNN-NNN-NN in the plain text
    # (table rows, references inside descriptions, exemption list) is a parsed code.
    with pdfplumber.open(PDF) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    assert set(re.findall(r"\d{3}-\d{3}-\d{2}", text)) == {c.code for c in edition.codes}


def test_category_matches_code_suffix(edition):
    for c in edition.codes:
        assert c.category == "HW" + c.code[-2:], c


def test_46_categories_with_printed_names(edition):
    labels = [c.code for c in edition.categories]
    expected = [f"HW{n:02d}" for n in range(1, 51) if not 41 <= n <= 44]
    assert labels == expected
    assert {c.category for c in edition.codes} == set(expected)
    names = {c.code: c.name_zh for c in edition.categories}
    assert names["HW01"] == "医疗废物"  # footnote marker ² dropped
    assert names["HW06"] == "废有机溶剂与含有机溶剂废物"  # wrapped over five lines
    assert names["HW08"] == "废矿物油与含矿物油废物"  # printed on two pages
    assert names["HW09"] == "油/水、烃/水混合物或乳化液"
    assert names["HW10"] == "多氯（溴）联苯类废物"
    assert names["HW48"] == "有色金属采选和冶炼废物"
    assert names["HW49"] == "其他废物"
    assert all(c.name_en == "" for c in edition.categories)


def test_codes_per_category(edition):
    counts: dict[str, int] = {}
    for c in edition.codes:
        counts[c.category] = counts.get(c.category, 0) + 1
    assert counts["HW01"] == 5
    assert counts["HW03"] == 1
    assert counts["HW08"] == 32  # 17 + 15 rows on two pages
    assert counts["HW50"] == 44


# --- hazards, industries, descriptions ---------------------------------------------


@pytest.mark.parametrize(
    ("code", "hazards"),
    [
        ("900-041-49", ("T", "In")),  # "T/In"
        ("841-001-01", ("In",)),
        ("900-214-08", ("T", "I")),  # "T，I"
        ("900-402-06", ("T", "I", "R")),
        ("841-004-01", ("T", "C", "I", "R")),  # "T/C/I/R"
        ("900-042-49", ("T", "C", "I", "R", "In")),  # "T/C/I/R/In", the widest cell
        ("900-047-49", ("T", "C", "I", "R")),
        ("264-013-34", ("C", "T")),  # order as printed, not sorted
        ("321-024-48", ("R", "T")),
        ("321-026-48", ("R",)),
        ("309-001-49", ("R", "C")),
        ("193-003-35", ("C", "R")),
        ("261-059-35", ("C",)),
        ("772-006-49", ("T", "In")),
        ("336-001-07", ("T", "R")),
        ("263-001-04", ("T",)),
    ],
)
def test_hazards(by_code, code, hazards):
    assert by_code[code].hazards == hazards


def test_hazard_vocabulary(edition):
    for c in edition.codes:
        assert c.hazards and set(c.hazards) <= {"T", "C", "I", "R", "In"}, c


@pytest.mark.parametrize(
    ("code", "industry"),
    [
        # One merged cell over five rows, its text beside the third row.
        ("841-001-01", "卫生"),
        ("841-005-01", "卫生"),
        # "化学药品原料/药制造" is printed beside 271-003-02 and covers 271-001..005.
        ("271-001-02", "化学药品原料药制造"),
        ("271-005-02", "化学药品原料药制造"),
        ("272-001-02", "化学药品制剂制造"),
        # Two adjacent one-row cells whose texts touch.
        ("398-001-08", "电子元件及专用材料制造"),
        ("291-001-08", "橡胶制品业"),
        # First rows of a page (the cell is repeated on the new page).
        ("900-203-08", "非特定行业"),
        ("251-013-11", "精炼石油产品制造"),
        ("336-064-17", "金属表面处理及热处理加工"),
        # Merged cell whose text straddles a row boundary.
        ("451-001-11", "燃气生产和供应业"),
        ("451-003-11", "燃气生产和供应业"),
        ("252-017-11", "煤炭加工"),
        ("251-016-50", "精炼石油产品制造"),
        ("251-019-50", "精炼石油产品制造"),
        ("263-012-04", "农药制造"),
        ("900-003-04", "非特定行业"),
        ("772-006-49", "环境治理"),  # printed so (elsewhere "环境治理业")
        ("900-039-49", "非特定行业"),
        ("261-183-50", "基础化学原料制造"),
        ("900-049-50", "非特定行业"),
    ],
)
def test_industries(by_code, code, industry):
    assert by_code[code].industry == industry


@pytest.mark.parametrize(
    ("code", "description"),
    [
        ("841-001-01", "感染性废物"),
        (
            "900-214-08",
            "车辆、轮船及其它机械维修过程中产生的废发动机油、制动器油、自动变速器油、齿轮油等废润滑油",
        ),
        (
            "900-041-49",
            "含有或沾染毒性、感染性危险废物的废弃包装物、容器、过滤吸附介质",
        ),
        (
            "900-402-06",
            "工业生产中作为清洗剂、萃取剂、溶剂或反应介质使用后废弃的有机溶剂，包括苯、苯乙烯、"
            "丁醇、丙酮、正己烷、甲苯、邻二甲苯、间二甲苯、对二甲苯、1,2,4-三甲苯、乙苯、乙醇、"
            "异丙醇、乙醚、丙醚、乙酸甲酯、乙酸乙酯、乙酸丁酯、丙酸丁酯、苯酚，以及在使用前混合的"
            "含有一种或多种上述溶剂的混合/调和溶剂",
        ),
        (
            "900-045-49",  # a line whose final "、" hangs into the 危险特性 column
            "废电路板（包括已拆除或未拆除元器件的废弃电路板），及废电路板拆解过程产生的废弃CPU、"
            "显卡、声卡、内存、含电解液的电容器、含金等贵金属的连接件",
        ),
        (
            "900-039-49",  # a justified line printed as "772-005-18 、 261-053-29 、"
            "烟气、VOCs治理过程（不包括餐饮行业油烟治理过程）产生的废活性炭，化学原料和化学制品"
            "脱色（不包括有机合成食品添加剂脱色）、除杂、净化过程产生的废活性炭（不包括"
            "900-405-06、772-005-18、261-053-29、265-002-29、384-003-29、387-001-29类废物）",
        ),
        ("261-169-50", "异丙苯催化脱氢生产α-甲基苯乙烯过程中产生的废催化剂"),
        ("263-005-04", "2,4-二氯苯氧乙酸生产过程中苯酚氯化工段产生的含2,6-二氯苯酚精馏残渣"),
        ("900-049-50", "机动车和非道路移动机械尾气净化废催化剂"),
    ],
)
def test_descriptions(by_code, code, description):
    assert by_code[code].description == description


def test_no_page_furniture_in_texts(edition):
    texts = [c.description for c in edition.codes] + [c.industry for c in edition.codes]
    texts += [c.name_zh for c in edition.categories]
    for e in edition.exemptions:
        texts += [e.waste, e.stage, e.conditions, e.exempted]
    for text in texts:
        assert "—" not in text, text  # page numbers "— 7 —"
        assert not text.startswith("注"), text  # notes under the table
        # Repeated table headers (some header words also occur in real texts).
        for header in ("行业来源", "废物代码", "豁免环节", "豁免内容"):
            assert header not in text, text
        assert text not in {"废物类别", "危险废物", "危险特性", "序号", "代码"}, text
        assert text == text.strip() and "\n" not in text
    assert not any(c.name_zh[-1].isdigit() for c in edition.categories)  # footnote ²


# --- the exemption list ------------------------------------------------------------


def test_exemption_list_numbering(edition):
    numbers = [e.number for e in edition.exemptions]
    assert numbers == sorted(numbers)
    assert sorted(set(numbers)) == list(range(1, 33))  # 32 numbered entries (序号 1–32)
    assert len(edition.exemptions) == 57  # one per (序号, 豁免环节 sub-row)


def test_exemption_codes_are_list_codes(edition, by_code):
    labels = {c.code for c in edition.categories}
    for e in edition.exemptions:
        assert set(e.codes) <= set(by_code), e
        assert set(e.categories) <= labels, e
        assert e.waste and e.stage and e.conditions and e.exempted, e


def test_exemption_lead_acid_batteries(edition):
    (row,) = [e for e in edition.exemptions if "900-052-31" in e.codes]
    assert row.number == 18
    assert row.stage == "运输"
    assert row.waste == "未破损的废铅蓄电池"
    assert row.categories == ()
    assert row.conditions == "运输工具满足防雨、防渗漏、防遗撒要求。"
    assert row.exempted == "不按危险废物进行运输。"


def test_exemption_hw34_has_two_utilisation_rows(edition):
    rows = [e for e in edition.exemptions if "HW34" in e.categories]
    assert [e.number for e in rows] == [20, 20]
    assert [e.stage for e in rows] == ["利用", "利用"]
    assert all(e.codes == () and e.categories == ("HW34",) for e in rows)
    assert all(e.waste == "仅具有腐蚀性危险特性的废酸" for e in rows)
    assert rows[0].conditions == "作为生产原料综合利用。"
    assert rows[1].conditions == (
        "作为工业污水处理厂污水处理中和剂利用，且满足以下条件：废酸中第一类污染物含量低于该"
        "污水处理厂排放标准，其他《危险废物鉴别标准浸出毒性》（GB5085.3）所列特征污染物含量"
        "低于GB5085.3限值的1/10。"
    )
    assert all(e.exempted == "利用过程不按危险废物管理。" for e in rows)
    hw35 = exemptions_numbered(edition, 21)
    assert [e.categories for e in hw35] == [("HW35",), ("HW35",)]


def test_exemption_row_across_a_page_break(edition):
    # 序号 2 (HW01) has three sub-rows on one page and a fourth on the next.
    rows = exemptions_numbered(edition, 2)
    assert [e.stage for e in rows] == ["收集", "运输", "运输", "处置"]
    assert all(e.categories == ("HW01",) and e.codes == () for e in rows)
    assert rows[0].waste == rows[1].waste == (
        "床位总数在19张以下（含19张）的医疗机构产生的医疗废物（重大传染病疫情期间产生的医疗废物除外）"
    )
    assert rows[2].waste == rows[3].waste == "重大传染病疫情期间产生的医疗废物"
    assert rows[3].conditions == "按事发地的县级以上人民政府确定的处置方案进行处置。"
    # 序号 16: the 利用 sub-row on the next page names the waste without the exclusion.
    rows = exemptions_numbered(edition, 16)
    assert [e.stage for e in rows] == ["运输", "处置", "利用"]
    assert rows[0].waste == "含铬皮革废碎料（不包括鞣制工段修边、削匀过程产生的革屑和边角料）"
    assert rows[2].waste == "含铬皮革废碎料"


def test_exemption_rows_with_several_codes_or_none(edition):
    (row9,) = exemptions_numbered(edition, 9)
    assert row9.codes == ("900-200-08", "900-006-09")
    rows10 = exemptions_numbered(edition, 10)
    assert [e.stage for e in rows10] == ["利用"] * 4
    assert all(e.codes == ("252-002-11", "252-017-11", "451-003-11") for e in rows10)
    assert rows10[2].waste == "煤炭焦化、气化及生产燃气过程中产生的中低温煤焦油"
    (row22,) = exemptions_numbered(edition, 22)
    assert row22.codes == ("321-024-48", "321-026-48")
    rows1 = exemptions_numbered(edition, 1)  # 生活垃圾中的危险废物: no code
    assert [e.stage for e in rows1] == ["全部环节", "收集"]
    assert all(e.codes == () and e.categories == () for e in rows1)
    rows25 = exemptions_numbered(edition, 25)
    assert [e.stage for e in rows25] == ["运输", "利用、处置"]
    assert all(e.codes == () for e in rows25)  # HW900-042-49 is named in the text only
    rows26 = exemptions_numbered(edition, 26)
    assert [e.stage for e in rows26] == ["运输", "利用、处置", "运输", "处置"]
    assert rows26[2].waste == "实施土壤污染风险管控、修复活动中，属于危险废物的污染土壤"
    (row32,) = exemptions_numbered(edition, 32)  # "点对点" utilisation; code column "-"
    assert row32.codes == () and row32.categories == ()
    assert row32.stage == "利用"
    assert row32.conditions.startswith("在环境风险可控的前提下，根据省级生态环境部门确定的方案")


def test_exemption_medical_waste_rows(edition):
    rows = exemptions_numbered(edition, 3)
    assert [(e.codes, e.stage) for e in rows] == [(("841-001-01",), "运输"), (("841-001-01",), "处置")]
    assert rows[0].waste == "感染性废物"
    assert rows[0].conditions.endswith("（HJ/T229）进行处理后按生活垃圾运输。")


# --- layout without ruling lines ------------------------------------------------------


@needs_pdf
def test_same_result_without_ruling_lines(edition):
    # The 2021 PDF draws its rules; editions without them must parse the same way,
    # so the parser must not need them: read again with the rulings ignored.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(hw_list_pdf, "_USE_RULINGS", False)
        assert parse_hw_list_pdf(PDF) == edition


# --- errors -------------------------------------------------------------------------


def _tiny_pdf(text: str) -> bytes:
    """A valid one-page PDF showing ``text`` in Helvetica, built by hand."""
    content = f"BT /F1 12 Tf 72 770 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_error_on_a_pdf_that_is_not_the_list(tmp_path):
    path = tmp_path / "invoice.pdf"
    path.write_bytes(_tiny_pdf("Invoice 2021-001"))
    with pdfplumber.open(path) as pdf:  # the file itself is a readable PDF
        assert "Invoice" in pdf.pages[0].extract_text()
    calls = []
    with pytest.raises(HwListParseError, match="not an HW list") as refused:
        parse_hw_list_pdf(path, progress=lambda page, total: calls.append(page))
    assert calls == [1]
    assert "不是危险废物名录" in refused.value.zh  # every reason in Chinese too, for the importer's user


def test_error_on_a_file_that_is_not_a_pdf(tmp_path):
    path = tmp_path / "list.pdf"
    path.write_bytes(b"\x89PNG not a pdf at all")
    with pytest.raises(HwListParseError, match="not a readable PDF") as refused:
        parse_hw_list_pdf(path)
    assert refused.value.zh.endswith("无法读取该 PDF 文件")


def test_error_on_a_missing_file(tmp_path):
    with pytest.raises(HwListParseError, match="no such file"):
        parse_hw_list_pdf(tmp_path / "missing.pdf")


def test_error_is_a_value_error():
    assert issubclass(HwListParseError, ValueError)
