"""``wastematch report``: every format to a file, JSON to stdout, the summary, and refusals."""
from __future__ import annotations

import json
import zipfile

from openpyxl import load_workbook

from tests.factories import small_document
from tests.web.test_cli import db_url, run, run_json, write  # noqa: F401 - db_url is a fixture


def test_report_in_every_format(db_url, tmp_path):  # noqa: F811
    run(db_url, "import", write(tmp_path, small_document()))
    run(db_url, "match")
    doc = json.loads(run(db_url, "report", "--format", "json", "--out", "-").stdout)
    assert doc["format"] == "wastematch.report.v1" and doc["kpis"]["park"]["proposed"]["flows"] == 1

    html = run(db_url, "report", "--park", "BH", "--out", str(tmp_path / "r.html"))
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<html" in text and "Plotly" in text
    assert "wrote 1 file(s)" in html.stderr and "r.html" in html.stderr and "[4/4] ratings" in html.stderr
    assert "transferred 已转移" in html.stderr

    summary = run_json(db_url, "report", "--out", str(tmp_path / "r.xlsx"), "--from", "2026-01-01",
                       "--to", "2026-12-31")
    assert summary["format"] == "xlsx" and summary["period"] == {"from": "2026-01-01", "to": "2026-12-31", "days": 365}
    assert summary["bytes"] > 1000 and load_workbook(tmp_path / "r.xlsx").sheetnames

    run(db_url, "report", "--out", str(tmp_path / "r.zip"))
    assert "flows.csv" in zipfile.ZipFile(tmp_path / "r.zip").namelist()
    run(db_url, "report", "--format", "csv", "--out", str(tmp_path / "tables"))
    assert (tmp_path / "tables" / "kpis.csv").exists()


def test_rating_policy_file(db_url, tmp_path):  # noqa: F811
    run(db_url, "import", write(tmp_path, small_document()))
    good = tmp_path / "policy.json"
    good.write_text(json.dumps({"grade_a": 0.95, "weights": {"compliance": 0.6}}), encoding="utf-8")
    doc = json.loads(run(db_url, "report", "--rating-policy", str(good), "--format", "json", "--out", "-").stdout)
    assert doc["rating_policy"]["grade_a"] == 0.95 and doc["rating_policy"]["weights"]["compliance"] == 0.6
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"grade_a": "high"}), encoding="utf-8")
    refused = run_json(db_url, "report", "--rating-policy", str(bad), "--out", str(tmp_path / "x.html"), ok=False)
    assert refused["code"] == 422 and "rating_policy.grade_a" in refused["errors"]
    assert not (tmp_path / "x.html").exists()


def test_refusals_name_the_field(db_url, tmp_path):  # noqa: F811
    unknown = run_json(db_url, "report", "--park", "XX", "--out", str(tmp_path / "r.html"), ok=False)
    assert unknown["code"] == 404 and "park" in unknown["errors"]
    backwards = run(db_url, "report", "--from", "2026-06-01", "--to", "2026-01-01", "--out", str(tmp_path / "r.html"),
                    ok=False)
    assert backwards.exit_code == 1 and "from:" in backwards.stderr
    assert not (tmp_path / "r.html").exists()


def test_a_parks_rating_thresholds(db_url, tmp_path):  # noqa: F811
    run(db_url, "import", write(tmp_path, small_document()))
    assert run_json(db_url, "rating-policy", "BH")["overrides"] == {}
    policy = tmp_path / "bh.json"
    policy.write_text(json.dumps({"grade_a": 0.9}), encoding="utf-8")
    stored = run_json(db_url, "rating-policy", "BH", "--set", str(policy))
    assert stored["overrides"] == {"grade_a": 0.9} and stored["effective"]["grade_b"] == 0.7
    doc = json.loads(run(db_url, "report", "--park", "BH", "--format", "json", "--out", "-").stdout)
    assert doc["rating_policy"]["grade_a"] == 0.9
    assert run_json(db_url, "rating-policy", "BH", "--reset")["overrides"] == {}
    human = run(db_url, "rating-policy", "BH")
    assert "grade_a: 0.85" in human.stdout
