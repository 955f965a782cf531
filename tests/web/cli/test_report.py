"""``wastematch report``: every format to a file, JSON to stdout, the summary, and refusals."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from tests.factories import small_document

from .runner import chinese_words, english_sentences, run, run_in, run_json, write


def test_report_in_every_format(db_url, tmp_path):
    run(db_url, "import", write(tmp_path, small_document()))
    run(db_url, "match")
    doc = json.loads(run(db_url, "report", "--format", "json", "--out", "-").stdout)
    assert doc["format"] == "wastematch.report.v1" and doc["kpis"]["park"]["proposed"]["flows"] == 1

    html = run(db_url, "report", "--park", "BH", "--out", str(tmp_path / "r.html"))
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<html" in text and 'class="report-chart' in text and "<script" not in text
    assert "wrote 1 file(s)" in html.stderr and "r.html" in html.stderr and "[4/4] ratings" in html.stderr
    assert "transferred " in html.stderr and "已转移 " in html.stderr

    summary = run_json(db_url, "report", "--out", str(tmp_path / "r.xlsx"), "--from", "2026-01-01",
                       "--to", "2026-12-31")
    assert summary["format"] == "xlsx" and summary["period"] == {"from": "2026-01-01", "to": "2026-12-31", "days": 365}
    assert summary["bytes"] > 1000 and load_workbook(tmp_path / "r.xlsx").sheetnames

    run(db_url, "report", "--out", str(tmp_path / "r.zip"))
    assert "flows.csv" in zipfile.ZipFile(tmp_path / "r.zip").namelist()
    run(db_url, "report", "--format", "csv", "--out", str(tmp_path / "tables"))
    assert (tmp_path / "tables" / "kpis.csv").exists()


def test_report_and_rating_policy_in_chinese_and_in_english(db_url, tmp_path):
    run(db_url, "import", write(tmp_path, small_document()))
    run(db_url, "match")
    zh = run_in("zh", db_url, "report", "--park", "BH", "--out", str(tmp_path / "r.html"))
    assert "园区 BH 报告 → " in zh.stderr and "[4/4] 企业评级已完成" in zh.stderr and "已写入 1 个文件" in zh.stderr
    assert "t/年" in zh.stderr and english_sentences(zh.stderr) == [], zh.stderr
    en = run_in("en", db_url, "report", "--park", "BH", "--out", str(tmp_path / "r.html"))
    assert "[4/4] ratings done" in en.stderr and chinese_words(en.stderr) == [], en.stderr
    zh = run_in("zh", db_url, "rating-policy", "BH")
    assert "园区 BH：自定义评级参数 {}" in zh.stderr and english_sentences(zh.stderr) == [], zh.stderr
    en = run_in("en", db_url, "rating-policy", "BH")
    assert "park BH: overrides {}" in en.stderr and chinese_words(en.stderr) == [], en.stderr
    # A usage error's own line in the language chosen, and click's usage lines around it too.
    zh = run_in("zh", db_url, "report", "--format", "html", "--out", "-", ok=False)
    assert "用法：" in zh.stderr and "Usage" not in zh.stderr, zh.stderr
    [error] = [line for line in zh.stderr.splitlines() if line.startswith("错误：")]
    assert "仅用于 --format json" in error and english_sentences(error) == [], error
    en = run_in("en", db_url, "rating-policy", "BH", "--set", str(tmp_path / "r.html"), "--reset", ok=False)
    assert "--set and --reset exclude each other" in en.stderr and chinese_words(en.stderr) == [], en.stderr


def test_rating_policy_file(db_url, tmp_path):
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


def test_refusals_name_the_field(db_url, tmp_path):
    unknown = run_json(db_url, "report", "--park", "XX", "--out", str(tmp_path / "r.html"), ok=False)
    assert unknown["code"] == 404 and "park" in unknown["errors"]
    backwards = run(db_url, "report", "--from", "2026-06-01", "--to", "2026-01-01", "--out", str(tmp_path / "r.html"),
                    ok=False)
    assert backwards.exit_code == 1 and "from:" in backwards.stderr
    assert not (tmp_path / "r.html").exists()


def test_a_parks_rating_thresholds(db_url, tmp_path):
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


def test_a_wrong_out_is_a_usage_error_before_the_report_is_built(db_url, tmp_path):
    existing = tmp_path / "r.json"
    existing.write_text("keep me", encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    cases = [
        (["--format", "csv", "--out", str(existing)], f"{existing} 是已存在的文件", "is an existing file; csv writes"),
        (["--format", "html", "--out", str(folder)], f"{folder} 是已存在的文件夹", "is an existing folder; html"),
        (["--out", str(folder), "--format", "json"], "已存在的文件夹", "is an existing folder; json"),
        (["--format", "xlsx", "--out", str(folder)], "已存在的文件夹", "is an existing folder; xlsx"),
        (["--out", str(existing / "r.html")], f"{existing} 是文件", "is a file, not a folder"),
        (["--format", "html", "--out", "-"], "仅用于 --format json", "(stdout) is only for --format json"),
    ]
    for args, zh, en in cases:
        result = run(db_url, "report", *args, ok=False)
        assert result.exit_code == 2, (args, result.output)
        assert "Error: --out: " in result.stderr and zh in result.stderr, (args, result.stderr)
        assert en in result.stderr, (args, result.stderr)
        assert "[1/4]" not in result.stderr and "Traceback" not in result.output    # refused before building
    assert existing.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "r.json"] and not list(folder.iterdir())
    # csv into a folder ending in .zip: a .zip file is wanted
    (tmp_path / "z.zip").mkdir()
    zipped = run(db_url, "report", "--out", str(tmp_path / "z.zip"), ok=False)
    assert zipped.exit_code == 2 and "is an existing folder; csv writes a .zip file" in zipped.stderr


def test_out_that_can_be_written_is_written(db_url, tmp_path):
    from marketplace.services.reports.render import render

    folder = tmp_path / "tables"
    folder.mkdir()
    run(db_url, "report", "--format", "csv", "--out", str(folder))          # an existing folder takes CSV
    assert (folder / "flows.csv").exists()
    old = tmp_path / "r.json"
    old.write_text("old", encoding="utf-8")
    run(db_url, "report", "--out", str(old), "--to", "2026-12-31")         # an existing file is replaced
    doc = json.loads(old.read_text(encoding="utf-8"))
    assert doc["format"] == "wastematch.report.v1"
    [same] = render(doc, "json", tmp_path / "again.json")                  # the CLI writes what render writes
    assert same.read_bytes() == old.read_bytes()


def test_from_defaults_to_the_365_days_ending_on_to(db_url):
    help_text = " ".join(run(db_url, "report", "--help").stdout.split())
    assert "default: the 365 days ending on --to" in help_text and "365 days before" not in help_text
    doc = json.loads(run(db_url, "report", "--to", "2026-12-31", "--format", "json", "--out", "-").stdout)
    assert doc["period"] == {"from": "2026-01-01", "to": "2026-12-31", "days": 365}


def test_json_report_does_not_import_the_renderer(tmp_path):
    # A fresh interpreter: the renderer (openpyxl, networkx, the matching engine, scikit-learn) stays unloaded.
    code = ("import sys, json, pathlib; from web.cli.report_output import write_report; "
            "p = pathlib.Path(sys.argv[1]); print(write_report({'format': 'x', 'name': '澄湖'}, 'json', p)); "
            "assert json.loads(p.read_text(encoding='utf-8'))['name'] == '澄湖'; "
            "print(sorted(m for m in ('marketplace.services.reports.render', 'sklearn') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "out" / "r.json")], capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parents[3], check=True)
    assert done.stdout.splitlines()[-1] == "[]", done.stdout + done.stderr
