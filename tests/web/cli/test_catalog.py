"""``wastematch catalog …``: the official HW list, the EU List of Waste, codes, exemptions and chemicals."""
from __future__ import annotations

import pytest

from tests.conftest import EWC_JSON, HW_LIST_PDF

from .runner import assert_speaks, run, run_in, run_json

needs_pdf = pytest.mark.skipif(not HW_LIST_PDF.exists(), reason="../shared/data HW list PDF not present")


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


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_status_codes_categories_and_exemptions_speak_the_language_asked(db_url, tmp_path, lang):
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"not a pdf at all")
    results = [run_in(lang, db_url, "catalog", *args) for args in (
        ["status"], ["codes", "--category", "HW08"], ["categories"], ["exemptions"])]
    results.append(run_in(lang, db_url, "catalog", "import-hw-list", str(fake), ok=False))
    for result in results:
        assert_speaks(lang, result)
    status = results[0].stdout
    assert ("危险废物代码: 共 467 个" in status) if lang == "zh" else ("HW codes: " in status and "of 467" in status)
    assert ("医疗废物" in results[2].stdout) if lang == "zh" else ("Medical waste" in results[2].stdout)
    refused = results[4].stderr
    assert ("无法读取该 PDF 文件" in refused) if lang == "zh" else ("not a readable PDF" in refused)
