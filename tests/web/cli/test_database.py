"""``wastematch init | import | export`` end to end, on each backend (each test has its own database)."""
from __future__ import annotations

import json

import pytest

from tests.factories import NEED, OFFER, small_document

from .runner import assert_speaks, run, run_in, run_json, write


def test_init_twice_is_fine(db_url):
    again = run_json(db_url, "init")
    assert again["schema_from"] == again["schema_to"] and again["catalog"]["codes"] == 0
    assert again["catalog"]["categories"] == 46


def test_import_then_reimport(db_url, tmp_path):
    path = write(tmp_path, small_document())
    first = run_json(db_url, "import", path)
    assert first["created"]["listings"] == 2 and first["created"]["licences"] == 1
    second = run_json(db_url, "import", path)
    assert second["unchanged"]["listings"] == 2 and sum(second["created"].values()) == 0


def test_bad_file_is_rejected_whole_naming_all_three_errors(db_url, tmp_path):
    bad = small_document(listings=[
        OFFER,
        dict(OFFER, ref="O-2", composition=[{"name": "lead", "cas": "7439-92-2", "fraction": 0.01}]),
        dict(OFFER, ref="O-3", quantity_t=-10),
        dict(NEED, ref="N-2", enterprise="E-404"),
    ])
    body = run_json(db_url, "import", write(tmp_path, bad), ok=False)
    assert body["code"] == 422 and body["status"] == "Unprocessable Entity"
    assert set(body["errors"]) == {"$.listings[1].composition[0].cas", "$.listings[2].quantity_t",
                                   "$.listings[3].enterprise"}
    human = run(db_url, "import", write(tmp_path, bad), ok=False)
    assert human.exit_code == 1 and "check digit" in human.stderr and "E-404" in human.stderr
    exported = json.loads(run(db_url, "export", "-").stdout)
    assert exported["listings"] == [] and exported["parks"] == []


def test_export_import_export_json_and_xlsx(db_url, tmp_path):
    run(db_url, "import", write(tmp_path, small_document()))
    first = tmp_path / "first.json"
    run(db_url, "export", str(first))
    run(db_url, "import", str(first))
    second = tmp_path / "second.json"
    run(db_url, "export", str(second))
    assert json.loads(first.read_text()) == json.loads(second.read_text())
    book = tmp_path / "park.xlsx"
    run(db_url, "export", str(book))
    report = run_json(db_url, "import", str(book))
    assert sum(report["created"].values()) == 0 and sum(report["updated"].values()) == 0
    run(db_url, "export", "--park", "BH", str(tmp_path / "third.json"))
    assert json.loads((tmp_path / "third.json").read_text()) == json.loads(first.read_text())


def test_xlsx_errors_name_sheet_row_and_column(db_url, tmp_path):
    from openpyxl import load_workbook

    run(db_url, "import", write(tmp_path, small_document()))
    book = tmp_path / "park.xlsx"
    run(db_url, "export", str(book))
    wb = load_workbook(book)
    ws = wb["listings"]
    col = [c.value for c in ws[1]].index("quantity_t") + 1
    ws.cell(row=2, column=col, value=-3)
    wb.save(book)
    body = run_json(db_url, "import", str(book), ok=False)
    assert "listings!2 quantity_t" in body["errors"]


def test_export_unknown_park_is_an_error(db_url, tmp_path):
    result = run(db_url, "export", "--park", "NOPE", str(tmp_path / "x.json"), ok=False)
    assert result.exit_code == 1 and "NOPE" in result.stderr


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_init_import_and_export_speak_the_language_asked(db_url, tmp_path, lang):
    path = write(tmp_path, small_document())
    bad = write(tmp_path, small_document(listings=[dict(NEED, enterprise="E-404")]), "bad.json")
    results = [run_in(lang, db_url, "init"), run_in(lang, db_url, "import", path),
               run_in(lang, db_url, "export", str(tmp_path / "out.json")),
               run_in(lang, db_url, "import", bad, ok=False)]
    assert "E-404" in results[-1].stderr  # the refusal names what is wrong in either language
    for result in results:
        assert_speaks(lang, result)
    said = "".join(r.stderr for r in results)
    assert ("已导入" in said and "新增" in said) if lang == "zh" else ("imported" in said and "created" in said)
