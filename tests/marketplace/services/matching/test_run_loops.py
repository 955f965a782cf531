"""Loops worth closing through the services: a run stores its loop opportunities and the loops it closed, the
park report lists the opportunities with their cost (JSON, HTML, CSV, XLSX)."""
from __future__ import annotations

import csv
import dataclasses
import io

import pytest
from openpyxl import load_workbook

from marketplace.errors import ValidationFailed
from marketplace.services.accounts.users import system_principal
from marketplace.services.listings.interchange import import_document
from marketplace.services.matching.run_history import run_loops, run_summary
from marketplace.services.matching.runs import run_document, run_matching
from marketplace.services.reports import render as report_render
from marketplace.services.reports.document import build_report
from tests.marketplace.services.matching.acid_loop import SETTINGS, acid_document


@pytest.fixture()
def acid(session):
    import_document(session, acid_document(), actor="test")
    return session


def _expected_cost(result) -> float:
    w = {(c["offer"], c["need"]): c["weight"] for c in result.candidates}
    return 1000 * (w["O-spent", "N-spent-C"] - w["O-spent", "N-spent-B"]) \
        + 600 * (w["O-acid", "N-acid-D"] - w["O-acid", "N-acid-A"])


def test_a_run_stores_the_loop_it_leaves_open_with_its_cost(acid):
    run, result = run_matching(acid, park="AC", actor="t", settings=SETTINGS, with_candidates=True)
    assert {(p.offer, p.need) for p in result.proposals} == {("O-spent", "N-spent-C"), ("O-acid", "N-acid-D")}
    cost = _expected_cost(result)
    assert cost > 0
    stored = run_loops(run)
    (opp,) = stored["opportunities"]
    assert opp["enterprises"] == ["E-A", "E-B"] and opp["cost_cny"] == pytest.approx(cost)
    assert not opp["closed_by_run"] and stored["closed"] == []
    doc = run_document(run, result, with_candidates=True)
    assert doc["loops"] == result.loops and doc["objective"] == result.objective  # an added key; the rest unchanged
    assert run_summary(acid, run)["loops"]["opportunities"][0]["cost_cny"] == pytest.approx(cost)
    assert run.parameters["loop_bonus_cny"] == 0.0


def test_a_run_favouring_loops_closes_it_when_the_bonus_beats_the_cost(acid):
    _, plain = run_matching(acid, park="AC", actor="t", settings=SETTINGS, with_candidates=True)
    cost = _expected_cost(plain)
    run, result = run_matching(acid, park="AC", actor="t",
                               settings=dataclasses.replace(SETTINGS, loop_bonus_cny=cost + 100))
    assert {(p.offer, p.need) for p in result.proposals} == {("O-spent", "N-spent-B"), ("O-acid", "N-acid-A")}
    assert run.objective == pytest.approx(plain.objective - cost)
    (closed,) = run_loops(run)["closed"]
    assert closed["enterprises"] == ["E-A", "E-B"] and closed["favoured"]
    assert run_loops(run)["objective_with_bonus"] == pytest.approx(run.objective + cost + 100)


def test_favouring_loops_is_refused_in_exact_mode(acid):
    with pytest.raises(ValidationFailed) as exc:
        run_matching(acid, park="AC", actor="t", settings=dataclasses.replace(SETTINGS, exact=True, loop_bonus_cny=1))
    assert "favour_loops" in exc.value.errors


def test_the_report_lists_the_loop_opportunity_with_its_cost_in_every_format(acid):
    _, result = run_matching(acid, park="AC", actor="t", settings=SETTINGS, with_candidates=True)
    cost = _expected_cost(result)
    doc = build_report(acid, system_principal("t"), park="AC")
    block = doc["loop_opportunities"]
    (item,) = block["items"]
    assert [n["key"] for n in item["nodes"]] == ["E-A", "E-B"] and item["nodes"][0]["label_zh"] == "甲硫酸用户"
    assert item["cost_cny"] == pytest.approx(cost) and item["cost_pct"] == pytest.approx(100 * cost / result.objective,
                                                                                         abs=1e-3)
    assert not item["closed_by_run"] and not item["closed_after_run"]
    assert [(link["offer"], link["need"], link["quantity_t"]) for link in item["links"]] == [
        ("O-spent", "N-spent-B", 1000.0), ("O-acid", "N-acid-A", 600.0)]
    # None of the actual flows forms the loop: the chain engine over flows cannot show it.
    assert not any({n["key"] for n in loop["nodes"]} == {"E-A", "E-B"} for loop in doc["loops"])

    html = report_render.render_html(doc)
    assert "闭环机会（合规候选匹配）" in html and "Loop opportunities among the legal candidates" in html
    assert f"{cost:,.0f} 元" in html and "甲硫酸用户 → 乙废酸再生 → 甲硫酸用户" in html and "未形成" in html

    rows = list(csv.DictReader(io.StringIO(report_render.csv_files(doc)["loop_opportunities.csv"].decode("utf-8-sig"))))
    assert len(rows) == 1 and float(rows[0]["cost_cny"]) == pytest.approx(cost) and rows[0]["nodes"] == "E-A > E-B"

    sheet = load_workbook(io.BytesIO(report_render.xlsx_bytes(doc)))["闭环机会 Loop opportunities"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][7] == "目标值代价（元） Cost in objective (CNY)" or "Cost in objective" in str(values[0][7])
    assert values[1][7] == pytest.approx(cost)


def test_a_report_without_a_run_says_so(acid):
    doc = build_report(acid, system_principal("t"), park="AC")
    assert doc["loop_opportunities"] is None
    assert "尚无整体匹配批次" in report_render.render_html(doc)
