"""``wastematch targets`` (progress, --set, --clear, --json) and ``wastematch survey-report`` (HTML and XLSX)."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.factories import load_api_park

from .conftest import init, written
from .runner import assert_speaks, run, run_in, run_json


@pytest.fixture()
def url(backend, database_copy):
    return database_copy(backend, "init+api-park", lambda url: (init(url), written(url, load_api_park)))[0]


def test_set_a_target_and_read_its_progress_as_json(url):
    doc = run_json(url, "targets", "--park", "BH", "--year", "2026", "--set", "roster_audit_rate=100%",
                   "--set", "hazardous_waste_utilisation_rate=0.5", "--note", "plan")
    assert (doc["park"], doc["year"]) == ("BH", 2026)
    by = {t["key"]: t for t in doc["targets"]}
    assert by["roster_audit_rate"]["target"] == 1.0 and by["roster_audit_rate"]["note"] == "plan"
    assert by["hazardous_waste_utilisation_rate"]["actual"] == 0.0
    assert by["hazardous_waste_utilisation_rate"]["met"] is False
    # Stored: read back, then cleared.
    again = run_json(url, "targets", "--park", "BH", "--year", "2026", "--clear", "roster_audit_rate")
    assert {t["key"]: t["target"] for t in again["targets"]}["roster_audit_rate"] is None
    every = run_json(url, "targets", "--year", "2026")
    assert [p["park"] for p in every["parks"]] == ["BH", "NK"]


def test_text_lists_each_target_chinese_first(url):
    result = run(url, "targets", "--park", "BH", "--year", "2026", "--set", "survey_acceptance_rate=80%")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("园区 BH 2026 年规划目标")
    i = next(n for n, line in enumerate(lines) if "化学物质环境信息调查通过率" in line)
    assert ">= 80.0%" in lines[i] and "survey_acceptance_rate" in lines[i + 1]


@pytest.mark.parametrize("args, field", [
    (("--park", "BH", "--set", "roster_audit_rate"), "set"),
    (("--park", "BH", "--set", "roster_audit_rate=150%"), "value"),
    (("--park", "BH", "--set", "nonsense=1"), "key"),
    (("--set", "roster_audit_rate=1"), "park"),
    (("--park", "XX",), "park"),
])
def test_bad_settings_are_refused_naming_the_field_and_change_nothing(url, args, field):
    result = run(url, "targets", "--year", "2026", *args, "--json", ok=False)
    assert result.exit_code == 1
    import json

    assert field in json.loads(result.stdout)["errors"]
    doc = run_json(url, "targets", "--park", "BH", "--year", "2026")
    assert all(t["target"] is None for t in doc["targets"])


def test_survey_report_html_and_xlsx(url, tmp_path):
    html = tmp_path / "bh.html"
    summary = run_json(url, "survey-report", "--park", "BH", "--year", "2026", "--out", str(html))
    assert (summary["format"], summary["enterprises"]) == ("html", 3)
    text = html.read_text(encoding="utf-8")
    assert "调查覆盖情况" in text and "https://" not in text
    xlsx = tmp_path / "bh.xlsx"
    run(url, "survey-report", "--park", "BH", "--year", "2026", "--out", str(xlsx))
    wb = load_workbook(io.BytesIO(xlsx.read_bytes()))
    assert "目标 Targets" in wb.sheetnames and "名单 Roster" in wb.sheetnames
    refused = run(url, "survey-report", "--park", "XX", "--year", "2026", "--out", str(tmp_path / "x.html"), ok=False)
    assert refused.exit_code == 1 and not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_command_speaks_the_language_chosen(url, tmp_path, lang):
    run(url, "targets", "--park", "BH", "--year", "2026", "--set", "survey_acceptance_rate=80%")
    report = ["survey-report", "--park", "BH", "--year", "2026", "--out"]
    results = [run_in(lang, url, "targets", "--park", "BH", "--year", "2026", "--set", "roster_audit_rate=100%",
                      "--clear", "survey_acceptance_rate"),
               run_in(lang, url, "targets", "--year", "2026"),
               run_in(lang, url, *report, str(tmp_path / "r.html")),
               run_in(lang, url, *report, str(tmp_path / "no" / "r.html"), ok=False)]  # no such folder
    for result in results:
        assert_speaks(lang, result)
    said = {"zh": "  重点企业强制性清洁生产审核完成率：目标 >= 100.0%  实际 —",
            "en": "  roster enterprises audited: target >= 100.0%  actual —"}
    assert said[lang] in results[0].stdout
