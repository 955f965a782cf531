"""The command line contract, end to end, on each backend (each test has its own database)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import DEMO_PARK, EWC_JSON, HW_LIST_PDF
from tests.factories import NEED, OFFER, small_document
from web.cli import main

needs_pdf = pytest.mark.skipif(not HW_LIST_PDF.exists(), reason="../shared/data HW list PDF not present")


def run(url: str, *args: str, ok: bool = True):
    result = CliRunner().invoke(main, ["--db", url, *args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def run_json(url: str, *args: str, ok: bool = True):
    result = run(url, *args, "--json", ok=ok)
    return json.loads(result.stdout)


@pytest.fixture()
def db_url(backend, fresh_database_url) -> str:
    url = fresh_database_url(backend)
    run(url, "init")
    return url


def write(tmp_path: Path, doc: dict, name: str = "park.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_init_twice_is_fine(db_url):
    again = run_json(db_url, "init")
    assert again["schema_from"] == again["schema_to"] and again["catalog"]["codes"] == 0
    assert again["catalog"]["categories"] == 46


def test_commands_refuse_an_uninitialised_database(backend, fresh_database_url):
    result = run(fresh_database_url(backend), "catalog", "codes", ok=False)
    assert result.exit_code != 0 and "wastematch init" in result.output


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


@needs_pdf
def test_hw_list_import_gives_467_codes_in_46_categories(db_url):
    loaded = run_json(db_url, "catalog", "import-hw-list", str(HW_LIST_PDF))
    assert loaded["edition"] == "2021" and loaded["codes"] == 467
    codes = run_json(db_url, "catalog", "codes")
    assert len(codes) == 467 and len({c["code"] for c in codes}) == 467
    assert len({c["category"] for c in codes}) == 46
    by_code = {c["code"]: c for c in codes}
    assert by_code["900-041-49"]["hazards"] == ["T", "In"]
    assert by_code["841-001-01"]["hazards"] == ["In"]
    assert by_code["900-214-08"]["hazard"] == "T,I"
    assert by_code["900-214-08"]["category"] == "HW08" and by_code["900-214-08"]["description"]
    assert all(c["source"] == "hw-list-pdf" for c in codes)
    # the English gloss of the built-in catalogue survives the official import
    assert by_code["900-214-08"]["description_en"]
    oil = run_json(db_url, "catalog", "codes", "--search", "900-214")
    assert [c["code"] for c in oil] == ["900-214-08"]
    exemptions = run_json(db_url, "catalog", "exemptions", "--code", "900-052-31")
    assert any(r["stage"] == "运输" for r in exemptions)
    acids = run_json(db_url, "catalog", "exemptions", "--code", "900-300-34")
    assert acids and all("HW34" in r["categories"] for r in acids)
    # a second import replaces, never duplicates
    again = run_json(db_url, "catalog", "import-hw-list", str(HW_LIST_PDF))
    assert again["removed_codes"] == 0
    assert len(run_json(db_url, "catalog", "codes")) == 467
    assert len(run_json(db_url, "catalog", "exemptions")) == loaded["exemptions"]


def test_hw_list_import_refuses_a_file_that_is_not_the_list(db_url, tmp_path):
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"not a pdf at all")
    result = run(db_url, "catalog", "import-hw-list", str(fake), ok=False)
    assert result.exit_code == 1 and "fake.pdf" in result.output
    assert len(run_json(db_url, "catalog", "codes")) > 0  # the built-in catalogue is untouched


@pytest.mark.skipif(not EWC_JSON.exists(), reason="../shared/data EWC file not present")
def test_ewc_import(db_url):
    loaded = run_json(db_url, "catalog", "import-ewc", str(EWC_JSON))
    assert loaded == {"codes": 842, "hazardous": 408}
    oils = run_json(db_url, "catalog", "ewc", "--search", "130205")
    assert oils[0]["hazardous"] is True


def test_codes_of_the_builtin_catalogue(db_url):
    codes = run_json(db_url, "catalog", "codes", "--category", "HW08")
    assert codes and all(c["category"] == "HW08" for c in codes)
    human = run(db_url, "catalog", "codes", "--search", "900-214-08")
    assert "900-214-08" in human.stdout


@pytest.mark.skipif(not DEMO_PARK.exists(), reason="demo park not written yet")
def test_demo_sets_up_everything_without_serving(backend, fresh_database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("WASTEMATCH_INSTANCE_PATH", str(tmp_path))
    url = fresh_database_url(backend)
    result = run(url, "demo", "--no-serve")
    assert "demo ready" in result.stderr
    # The park report: written where the summary says, with chains and the NMP loop.
    report = tmp_path / "reports" / "demo-report.html"
    assert str(report) in result.stderr and "closed loops 闭环" in result.stderr
    assert "常熟澄源溶剂再生有限公司" in report.read_text(encoding="utf-8")
    doc = json.loads(run(url, "export", "-").stdout)
    assert len(doc["enterprises"]) >= 50 and len(doc["listings"]) >= 120
    if HW_LIST_PDF.exists():
        assert len(run_json(url, "catalog", "codes")) == 467
    # Four months of transfers with manifests, ledger entries, findings and alerts.
    assert "shipments (" in result.stderr and "ledger entries" in result.stderr
    shipments = run_json(url, "transfers", "list")
    assert len(shipments) >= 40
    kinds = {a["kind"] for a in run_json(url, "alerts", "list")}
    assert {"weight_mismatch", "not_received", "manifest_open", "licence_expiring", "licence_capacity"} <= kinds
    again = run(url, "demo", "--no-serve")  # twice is fine: refs update in place, the history is kept
    assert "history left as it is" in again.stderr
    assert len(json.loads(run(url, "export", "-").stdout)["listings"]) == len(doc["listings"])
    assert len(run_json(url, "transfers", "list")) == len(shipments)
    assert kinds <= {a["kind"] for a in run_json(url, "alerts", "list", "--status", "open")}


@pytest.mark.slow
def test_chemical_lookup(db_url):
    toluene = run_json(db_url, "catalog", "chemical", "108-88-3")
    assert toluene["formula"] == "C7H8" and toluene["cas"] == "108-88-3"
    bad = run(db_url, "catalog", "chemical", "108-88-4", ok=False)
    assert bad.exit_code == 1 and "check digit" in bad.stderr
    unknown = run(db_url, "catalog", "chemical", "no such substance xyz", ok=False)
    assert unknown.exit_code == 1


@needs_pdf
def test_exemptions_keep_the_label_printed_instead_of_codes(db_url):
    run(db_url, "catalog", "import-hw-list", str(HW_LIST_PDF))
    household = run_json(db_url, "catalog", "exemptions", "--search", "生活垃圾中的危险废物")
    assert household and household[0]["number"] == 1 and household[0]["label"] == "生活垃圾中的危险废物"


@pytest.fixture()
def demo_url(db_url):
    run(db_url, "import", str(DEMO_PARK))
    return db_url


def _lp_optimum(doc: dict) -> float:
    """An independent LP (SciPy HiGHS) over the reported candidates and capacities."""
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import lil_matrix

    cands, caps = doc["candidates"], doc["capacities"]
    rows = [("offer", r) for r in caps["offers"]] + [("need", r) for r in caps["needs"]] + \
        [("licence", r) for r in caps["licences"]]
    index = {key: i for i, key in enumerate(rows)}
    a = lil_matrix((len(rows), len(cands)))
    for k, c in enumerate(cands):
        a[index[("offer", c["offer"])], k] = 1
        a[index[("need", c["need"])], k] = 1
        if c["licence"]:
            a[index[("licence", c["licence"])], k] = 1
    b = [caps["offers"][r] for r in caps["offers"]] + [caps["needs"][r] for r in caps["needs"]] + \
        [caps["licences"][r] for r in caps["licences"]]
    res = linprog(-np.array([c["weight"] for c in cands], dtype=float), A_ub=a.tocsr(), b_ub=b,
                  bounds=[(0, c["max_t"]) for c in cands], method="highs")
    assert res.status == 0
    return -res.fun


def test_match_contract_objective_and_independent_lp(demo_url):
    doc = run_json(demo_url, "match", "--with-candidates", "--today", "2026-11-23")
    assert doc["status"] == "OPTIMAL" and isinstance(doc["run"], int)
    assert doc["objective"] == pytest.approx(sum(m["weight"] * m["quantity_t"] for m in doc["matches"]), rel=1e-9)
    assert doc["objective"] == pytest.approx(_lp_optimum(doc), rel=1e-6)
    arcs = {(c["offer"], c["need"]) for c in doc["candidates"]}
    for m in doc["matches"]:
        assert (m["offer"], m["need"]) in arcs
        assert {"code", "passed", "hard", "detail"} <= set(m["checks"][0])
    assert set(doc["unmatched"]) == {"offers", "needs"}
    again = run_json(demo_url, "match", "--today", "2026-11-23")
    assert again["run"] == doc["run"] + 1 and "candidates" not in again


def test_match_exact_mode_reports_gap(demo_url):
    doc = run_json(demo_url, "match", "--exact", "--time-limit", "5", "--min-lot", "5", "--max-suppliers", "3",
                   "--park", "JC", "--today", "2026-11-23")
    assert doc["status"] in ("OPTIMAL", "FEASIBLE") and doc["solver"]["gap"] is not None
    assert all(m["quantity_t"] >= 5 - 1e-9 for m in doc["matches"])


def test_recommend_contract_and_errors(demo_url):
    doc = run_json(demo_url, "recommend", "O-025", "N-024", "--top", "3", "--today", "2026-11-23")
    assert [r["listing"] for r in doc["results"]] == ["O-025", "N-024"]
    first = doc["results"][0]["recommendations"][0]
    assert first.keys() >= {"listing", "enterprise", "score", "distance_km", "quantity_t", "checks", "reasons"}
    human = run(demo_url, "recommend", "O-025", "--today", "2026-11-23")
    assert "O-025" in human.stdout
    missing = run_json(demo_url, "recommend", "O-999", ok=False)
    assert missing["code"] == 404 and "refs" in missing["errors"]
