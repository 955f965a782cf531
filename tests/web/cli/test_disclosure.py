"""``wastematch disclosure REF --year Y [--format html|json] --out PATH``: the contract's JSON, the HTML page,
stdout, a published disclosure written as published, and refusals."""
from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from marketplace.db import make_engine
from marketplace.models.governance import AnnualDisclosure
from marketplace.services.governance import disclosures
from tests.marketplace.services.governance.test_disclosures import YEAR, disclosure_world, principals

from .conftest import init, written
from .runner import chinese_words, english_sentences, run, run_in


@pytest.fixture()
def park_url(backend, database_copy):
    return database_copy(backend, "init+disclosure-world", lambda url: (init(url), written(url, disclosure_world)))[0]


def test_json_file_holds_the_contract_keys(park_url, tmp_path):
    out = tmp_path / "e2.json"
    result = run(park_url, "disclosure", "E-2", "--year", str(YEAR), "--out", str(out))
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert {"enterprise", "year", "substances", "hazardous_waste", "violations"} <= set(doc)
    assert doc["enterprise"]["ref"] == "E-2" and doc["year"] == YEAR
    assert [v["code"] for v in doc["violations"]] == ["banned_use"]
    assert str(out) in result.stderr and result.stdout == ""


def test_json_on_stdout_and_html_to_a_file(park_url, tmp_path):
    result = run(park_url, "disclosure", "E-1", "--year", str(YEAR), "--format", "json", "--out", "-")
    assert json.loads(result.stdout)["permits"][0]["number"] == "TJ-HW-0001"
    out = tmp_path / "e2.html"
    run(park_url, "disclosure", "E-2", "--year", str(YEAR), "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "年度环境信息依法披露" in html and "HBCDD" in html
    assert "https://" not in html and "http://" not in html


def test_a_published_disclosure_is_written_as_published(park_url, tmp_path):
    engine = make_engine(park_url)
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            p = principals(session)
            d = disclosures.generate_disclosure(session, p["e2"], "E-2", YEAR)
            disclosures.review(session, p["e2"], d.id)
            disclosures.publish(session, p["e2"], d.id)
            published = dict(d.content)
    finally:
        engine.dispose()
    result = run(park_url, "disclosure", "E-2", "--year", str(YEAR), "--out", "-")
    assert json.loads(result.stdout) == json.loads(json.dumps(published))
    assert "published" in result.stderr


def test_refusals_change_nothing(park_url, tmp_path):
    result = run(park_url, "disclosure", "E-404", "--year", str(YEAR), "--out", str(tmp_path / "x.json"), ok=False)
    assert result.exit_code == 1 and "unknown enterprise" in result.stderr
    assert not (tmp_path / "x.json").exists()
    result = run(park_url, "disclosure", "E-2", "--year", "1800", "--out", str(tmp_path / "x.json"), ok=False)
    assert result.exit_code == 1 and "year" in result.stderr
    result = run(park_url, "disclosure", "E-2", "--year", str(YEAR), "--format", "html", "--out", "-", ok=False)
    assert result.exit_code == 2
    engine = make_engine(park_url)
    try:
        with Session(engine) as session:
            assert session.query(AnnualDisclosure).count() == 0
    finally:
        engine.dispose()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_command_speaks_the_language_chosen(park_url, tmp_path, lang):
    results = [run_in(lang, park_url, "disclosure", "E-2", "--year", str(YEAR), "--out", str(tmp_path / "e2.html")),
               run_in(lang, park_url, "disclosure", "E-1", "--year", str(YEAR), "--out", "-")]
    for result in results:  # stdout: the JSON document
        if lang == "zh":
            assert english_sentences(result.stderr) == [], result.stderr
        else:
            assert chinese_words(result.stderr) == [], result.stderr
    said = {"zh": f"信息披露 E-1 {YEAR}（草稿）→ 标准输出（json）", "en": f"disclosure E-1 {YEAR} (draft) → stdout (json)"}
    assert said[lang] in results[1].stderr
    # click's own usage lines aside ("Usage: …", "Error: …"), the refusal is in the language chosen
    usage = run_in(lang, park_url, "disclosure", "E-2", "--year", str(YEAR), "--out", str(tmp_path), ok=False)
    assert {"zh": "是文件夹，请给出文件名", "en": "is a folder; give a file name"}[lang] in usage.stderr
