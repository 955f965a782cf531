"""The ledger import reads its files within limits and writes nothing when a file is refused (both backends)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.errors import ValidationFailed
from marketplace.models import LedgerEntry
from marketplace.models.base import park_date
from marketplace.services.traceability import ledger
from tests.factories import api_principals
from tests.marketplace.services.test_tabular import LEDGER_HEADER, workbook_bytes

TODAY = park_date().isoformat()


def _entries(session) -> int:
    return session.scalar(select(func.count(LedgerEntry.id)))


def _import(session, principal, data: bytes, fmt: str):
    return ledger.import_entries(session, principal, ledger.parse_rows(data, fmt))


@pytest.mark.parametrize("last_row", [20_000, 60_000])
def test_a_crafted_workbook_after_good_rows_imports_nothing(session, last_row):
    p = api_principals(session)
    good = [[f"L-{i}", "in", TODAY, "丙酮 acetone", 1.5] for i in range(3)]
    before = _entries(session)
    with pytest.raises(ValidationFailed) as exc:
        _import(session, p["e1"], workbook_bytes({"Sheet": [LEDGER_HEADER, *good]},
                                                 far_cell=("Sheet", last_row, 16_384)), "xlsx")
    assert list(exc.value.errors) == [f"Sheet!{ledger.MAX_IMPORT_ROWS + 2}"]
    assert _entries(session) == before
    # The same rows without the far cell import whole.
    assert _import(session, p["e1"], workbook_bytes({"Sheet": [LEDGER_HEADER, *good]}), "xlsx").created == 3
    assert _entries(session) == before + 3


def test_a_csv_past_the_row_limit_imports_nothing_and_one_at_it_imports(session):
    p = api_principals(session)
    before = _entries(session)
    rows = "".join(f"R-{i},in,{TODAY},丙酮,1\n" for i in range(ledger.MAX_IMPORT_ROWS + 1))
    with pytest.raises(ValidationFailed):
        _import(session, p["e1"], (",".join(LEDGER_HEADER) + "\n" + rows).encode(), "csv")
    assert _entries(session) == before
    few = "".join(f"S-{i},in,{TODAY},丙酮,1\n" for i in range(4))
    assert _import(session, p["e1"], (",".join(LEDGER_HEADER) + "\n" + few).encode("utf-8-sig"), "csv").created == 4
    assert _entries(session) == before + 4
