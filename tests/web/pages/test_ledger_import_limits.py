"""The ledger import page refuses a crafted workbook or an oversized CSV with a bilingual message, importing nothing."""
from __future__ import annotations

import io

import pytest

from marketplace.services.traceability import ledger
from tests.marketplace.services.test_tabular import LEDGER_HEADER, workbook_bytes
from tests.web.pages.test_ledger import count


def _upload(pages, data: bytes, name: str):
    return pages.post("/ledger/import", {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


@pytest.mark.parametrize("last_row", [20_000, 60_000])
def test_the_crafted_workbook_is_refused_naming_the_sheet_and_the_limit(pages, last_row):
    pages.sign_in("e1")
    data = workbook_bytes({"Sheet": [LEDGER_HEADER, ["L-1", "in", "2026-01-05", "丙酮", 1]]},
                          far_cell=("Sheet", last_row, 16_384))
    res = _upload(pages, data, "ledger.xlsx")
    page = res.get_data(as_text=True)
    assert res.status_code == 422 and count(pages) == 0
    assert "Sheet" in page and f"{ledger.MAX_IMPORT_ROWS:,}" in page


def test_a_csv_with_a_huge_field_is_refused(pages):
    pages.sign_in("e1")
    data = b"batch_code,direction,note\nB-1,in," + b"x" * (3 * 1024 * 1024) + b"\n"
    res = _upload(pages, data, "ledger.csv")
    assert res.status_code == 422 and count(pages) == 0
    assert f"{ledger.IMPORT_LIMITS.max_line_chars:,}" in res.get_data(as_text=True)
