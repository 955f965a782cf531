"""``wastematch survey``: import (JSON and the Excel template), list, show, return, accept."""
from __future__ import annotations

import json

import pytest

from tests.factories import api_document

from .runner import assert_speaks, run, run_in, run_json, write

DOC = {"format": "wastematch.survey.v1", "year": 2025, "declarations": [
    {"enterprise": "E-2", "substances": [{"cas": "25637-99-4", "name": "HBCDD", "role": "use", "quantity_t": 1.5,
                                          "use": "EPS flame retardant", "stock_t": 0.2, "released_t": 0.0}]},
    {"enterprise": "E-3", "substances": [{"cas": "64-17-5", "name": "乙醇", "role": "use", "quantity_t": 20,
                                          "use": "solvent"}]}]}


def _park(db_url, tmp_path):
    run(db_url, "import", write(tmp_path, api_document()))


def test_import_json_then_review(db_url, tmp_path):
    _park(db_url, tmp_path)
    out = run_json(db_url, "survey", "import", write(tmp_path, DOC, "survey.json"))
    assert (out["created"], out["substances"], out["by_status"]) == (2, 2, {"submitted": 2})
    listed = run_json(db_url, "survey", "list", "--park", "BH", "--status", "submitted")["declarations"]
    ids = {d["enterprise"]["ref"]: d["id"] for d in listed}
    assert set(ids) == {"E-2", "E-3"}
    shown = run_json(db_url, "survey", "show", str(ids["E-2"]))
    assert shown["substances"][0]["controlled"]["key"] == "hbcdd"
    back = run_json(db_url, "survey", "return", str(ids["E-2"]), "--reason", "substances.0.quantity_t=kg?",
                    "--reason", "general=sign")
    assert back["status"] == "returned" and back["returned_reasons"]["general"] == ["sign"]
    done = run_json(db_url, "survey", "accept", str(ids["E-3"]))
    assert done["status"] == "accepted"
    text = run(db_url, "survey", "list", "--year", "2025")
    assert "accepted" in text.stdout and "returned" in text.stdout


def test_import_refused_names_every_error(db_url, tmp_path):
    _park(db_url, tmp_path)
    doc = json.loads(json.dumps(DOC))
    doc["declarations"][0]["substances"][0]["cas"] = "25637-99-5"
    doc["declarations"][1]["substances"][0]["quantity_t"] = -1
    doc["declarations"].append({"enterprise": "E-404", "substances": [{"name": "x", "role": "use", "quantity_t": 1}]})
    result = run(db_url, "survey", "import", write(tmp_path, doc, "bad.json"), ok=False)
    assert result.exit_code == 1
    for path in ("$.declarations[0].substances[0].cas", "$.declarations[1].substances[0].quantity_t",
                 "$.declarations[2].enterprise: unknown enterprise ref 'E-404'"):
        assert path in result.stderr
    assert run_json(db_url, "survey", "list")["declarations"] == []


def test_import_xlsx_template(db_url, tmp_path):
    from openpyxl import load_workbook

    _park(db_url, tmp_path)
    path = tmp_path / "survey.xlsx"
    run(db_url, "survey", "template", str(path))
    wb = load_workbook(path)
    wb["declarations"].append(["E-2", 2025])
    wb["substances"].append(["E-2", "64-17-5", "乙醇", "use", 20, "solvent"])
    wb["substances"].append(["E-2", "64-17-6", None, "use", -3])
    wb.save(path)
    result = run(db_url, "survey", "import", str(path), ok=False)
    assert "substances!3 cas" in result.stderr and "substances!3 quantity_t" in result.stderr
    wb["substances"].delete_rows(3)
    wb.save(path)
    out = run_json(db_url, "survey", "import", str(path))
    assert out["created"] == 1 and out["declarations"][0]["enterprise"] == "E-2"


def test_refusals_exit_1(db_url, tmp_path):
    _park(db_url, tmp_path)
    assert run(db_url, "survey", "show", "99", ok=False).exit_code == 1
    assert run(db_url, "survey", "return", "1", "--reason", "nofield", ok=False).exit_code == 1
    err = run_json(db_url, "survey", "accept", "99", ok=False)
    assert err["code"] == 404


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_command_speaks_the_language_chosen(db_url, tmp_path, lang):
    _park(db_url, tmp_path)
    doc = json.loads(json.dumps(DOC))
    # what the enterprises typed stays as typed: in Chinese here, so that any English is the command's own
    doc["declarations"][0]["substances"][0]["use"] = "EPS 阻燃剂"
    doc["declarations"][1]["substances"][0]["use"] = ""  # not stated: a check with its message
    bad = json.loads(json.dumps(doc))
    bad["declarations"].append({"enterprise": "E-404", "substances": [{"name": "乙醇", "role": "use", "quantity_t": 1}]})
    results = [run_in(lang, db_url, "survey", "import", write(tmp_path, bad, "bad.json"), ok=False),
               run_in(lang, db_url, "survey", "import", write(tmp_path, doc, "survey.json")),
               run_in(lang, db_url, "survey", "template", str(tmp_path / "template.xlsx"))]
    ids = {d["enterprise"]["ref"]: d["id"] for d in run_json(db_url, "survey", "list")["declarations"]}
    results += [run_in(lang, db_url, "survey", "list"),
                run_in(lang, db_url, "survey", "show", str(ids["E-3"])),
                run_in(lang, db_url, "survey", "return", str(ids["E-3"]), "--reason", "substances.0.use=请填写用途"),
                run_in(lang, db_url, "survey", "accept", str(ids["E-2"]))]
    for result in results:
        assert_speaks(lang, result)
    shown, accepted = results[4].stdout, results[6].stdout
    if lang == "zh":
        assert "! substances.0.use 信息不完整（提示）：乙醇 64-17-5：用途未填写" in shown
        assert "已通过" in accepted and "[六溴环十二烷：禁止生产" in accepted
    else:
        assert "! substances.0.use incomplete (warning): 乙醇 64-17-5: the use is not stated" in shown
        assert "accepted" in accepted and "[ban: Hexabromocyclododecane" in accepted
