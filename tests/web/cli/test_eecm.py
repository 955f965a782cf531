"""``wastematch eecm tree|list|score``: the park's tree shown and set, assessments listed and scored."""
from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from catalog.eecm import DEFAULT_TREE, tree_dict
from marketplace.services.governance import eecm
from tests.factories import api_principals

from .conftest import init, written
from .runner import assert_speaks, run, run_in, run_json, write


def _assessments(session: Session) -> dict[str, int]:
    """E-2's submitted 2025 assessment (every leaf scored) and E-4's draft: E-2's id."""
    who = api_principals(session)
    scores = {leaf.code: {"score": 1.0, "evidence": "ok"} for leaf in DEFAULT_TREE.leaves()}
    a = eecm.self_assess(session, who["e2"], "E-2", 2025, scores)
    eecm.submit(session, who["e2"], a.id)
    eecm.self_assess(session, who["e4"], "E-4", 2025, {"MH1.1": {"score": 1}})
    return {"E-2": a.id}


@pytest.fixture()
def submitted(backend, database_copy):
    return database_copy(backend, "init+eecm-assessments", lambda url: (init(url), written(url, _assessments))[1])


def test_tree_default_and_set_and_reset(submitted, tmp_path):
    url, _ = submitted
    assert run_json(url, "eecm", "tree") == tree_dict(DEFAULT_TREE)
    text = run(url, "eecm", "tree", "--park", "BH").stdout
    assert "MH  物质健康 / Material health  ×0.25" in text and "    MH1.1  化学品台账完整性" in text
    doc = tree_dict(DEFAULT_TREE)
    doc["bonus_max"] = 0.1
    assert run_json(url, "eecm", "tree", "--park", "BH", "--set", write(tmp_path, doc))["bonus_max"] == 0.1
    assert run_json(url, "eecm", "tree", "--park", "BH")["bonus_max"] == 0.1
    assert run_json(url, "eecm", "tree", "--park", "BH", "--reset")["bonus_max"] == 0.05


def test_tree_refuses_a_bad_tree_naming_the_path(submitted, tmp_path):
    url, _ = submitted
    doc = tree_dict(DEFAULT_TREE)
    doc["elements"][4]["weight"] = 0.5
    result = run(url, "eecm", "tree", "--park", "BH", "--set", write(tmp_path, doc), "--json", ok=False)
    assert result.exit_code == 1 and "tree.elements" in result.stdout and "not 1" in result.stdout
    assert run_json(url, "eecm", "tree", "--park", "BH")["bonus_max"] == 0.05   # nothing stored
    assert run(url, "eecm", "tree", "--reset", ok=False).exit_code == 2


def test_list_and_score(submitted, tmp_path):
    url, ids = submitted
    listed = run_json(url, "eecm", "list", "--year", "2025")["assessments"]
    assert [(a["enterprise"]["ref"], a["status"]) for a in listed] == [("E-2", "submitted"), ("E-4", "draft")]
    assert [a["park"] for a in run_json(url, "eecm", "list", "--park", "NK")["assessments"]] == ["NK"]
    scores = {leaf.code: {"score": 1.0, "note": "checked"} for leaf in DEFAULT_TREE.leaves() if leaf.code.startswith("M")}
    doc = run_json(url, "eecm", "score", str(ids["E-2"]), "--file", write(tmp_path, scores, "scores.json"))
    assert doc["status"] == "scored" and doc["total"] == pytest.approx(0.5) and doc["bonus"] == pytest.approx(0.025)
    text = run(url, "eecm", "list").stdout
    assert "总分 / total 50.0  加分 / bonus 0.0250" in text


def test_score_refuses_unknown_and_bad_scores(submitted, tmp_path):
    url, ids = submitted
    result = run(url, "eecm", "score", "999999", "--file", write(tmp_path, {}, "s.json"), "--json", ok=False)
    assert result.exit_code == 1 and json.loads(result.stdout)["code"] == 404
    result = run(url, "eecm", "score", str(ids["E-2"]), "--file",
                 write(tmp_path, {"MH1.1": {"score": 0.3}}, "s.json"), ok=False)
    assert result.exit_code == 1 and "scores.MH1.1.score" in result.stderr


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_command_speaks_the_language_chosen(submitted, tmp_path, lang):
    url, ids = submitted
    scores = write(tmp_path, {"MH1.1": {"score": 1.0, "note": "核实"}}, "scores.json")
    results = [run_in(lang, url, "eecm", "tree", "--park", "BH"),
               run_in(lang, url, "eecm", "score", str(ids["E-2"]), "--file", scores),
               run_in(lang, url, "eecm", "list")]
    for result in results:
        assert_speaks(lang, result)
    scored, listed = results[1].stdout, results[2].stdout
    if lang == "zh":
        assert f"EECM 评估 {ids['E-2']}（E-2 2025）：总分 4.5，加分 0.0022" in scored and "已评分" in listed
    else:
        assert f"assessment {ids['E-2']} (E-2 2025): total 4.5, bonus 0.0022" in scored and "scored" in listed
    # click's own usage lines aside ("Usage: …", "Error: …"), the refusal is in the language chosen
    usage = run_in(lang, url, "eecm", "tree", "--reset", ok=False)
    assert {"zh": "--set 和 --reset 须与 --park 一起使用", "en": "--set and --reset need --park"}[lang] in usage.stderr
