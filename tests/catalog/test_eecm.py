"""The default EECM tree's shape, the validator of a park's override, and the scoring arithmetic."""
from __future__ import annotations

import copy

import pytest

from catalog.eecm import DEFAULT_BONUS_MAX, DEFAULT_TREE, TreeError, effective_tree, parse_tree, score, tree_dict


def test_default_tree_has_five_elements_sixteen_indicators_and_twenty_seven_leaves():
    levels = DEFAULT_TREE.levels()
    assert [len(layer) for layer in levels] == [5, 16, 27]
    assert [n.name_zh for n in levels[0]] == ["物质健康", "物质循环", "可再生能源与碳管理", "水资源管理", "社会责任"]
    assert len(DEFAULT_TREE.leaves()) == 27
    assert DEFAULT_TREE.bonus_max == DEFAULT_BONUS_MAX == 0.05


def test_default_weights_sum_to_one_under_each_parent_and_every_leaf_is_described():
    assert sum(n.weight for n in DEFAULT_TREE.elements) == pytest.approx(1)
    for layer in DEFAULT_TREE.levels():
        for node in layer:
            assert node.name_zh and node.name_en and node.definition_zh and node.definition_en
            if node.children:
                assert sum(c.weight for c in node.children) == pytest.approx(1)
            else:
                assert node.evidence_zh and node.evidence_en and node.rule is not None
                choices = node.rule.choices()
                assert choices[0].score == 0 and choices[-1].score == 1
                assert all(c.zh and c.en for c in choices)


def test_default_tree_round_trips_through_its_json():
    assert parse_tree(tree_dict(DEFAULT_TREE)) == DEFAULT_TREE
    assert effective_tree(None) is DEFAULT_TREE


def test_a_park_may_edit_weights_texts_rules_and_bonus():
    doc = tree_dict(DEFAULT_TREE)
    doc["bonus_max"] = 0.08
    doc["elements"][0]["weight"], doc["elements"][1]["weight"] = 0.3, 0.2
    doc["elements"][0]["name_en"] = "Healthy materials"
    leaf = doc["elements"][0]["children"][0]["children"][0]
    leaf["rule"] = {"kind": "levels", "levels": [{"score": 0, "zh": "否", "en": "no"}, {"score": 1, "zh": "是", "en": "yes"}]}
    tree = effective_tree(doc)
    assert tree.bonus_max == 0.08 and tree.elements[0].name_en == "Healthy materials"
    assert [lv.score for lv in tree.node("MH1.1").rule.choices()] == [0, 1]


def _errors(doc):
    with pytest.raises(TreeError) as info:
        parse_tree(doc)
    return info.value.errors


def test_override_errors_are_each_named_by_path():
    doc = tree_dict(DEFAULT_TREE)
    doc["elements"][0]["weight"] = 0.5                                        # top level sums to 1.25
    doc["elements"][1]["children"][0]["code"] = "MH1"                         # duplicate code
    del doc["elements"][2]["children"][0]["children"][0]["rule"]              # a leaf without a rule
    doc["elements"][3]["children"][0]["children"][1]["weight"] = 0.1         # WS1 children sum to 0.7
    doc["elements"][4]["children"][0]["children"][0]["rule"]["levels"][0]["score"] = 2   # score out of range
    doc["bonus_max"] = -1
    errors = _errors(doc)
    assert errors["$.elements"][0].startswith("the weights sum to 1.25, not 1 (")
    assert "already used" in errors["$.elements[1].children[0].code"][0]
    assert "scoring rule" in errors["$.elements[2].children[0].children[0].rule"][0]
    assert "not 1" in errors["$.elements[3].children[0].children"][0]
    score = errors["$.elements[4].children[0].children[0].rule.levels[0].score"]
    assert score[0].startswith("must be between 0 and 1 (")
    assert errors["$.bonus_max"][0].startswith("must be between 0 and 1 (")


def test_override_shape_errors():
    assert _errors([]) == {"$": ["must be an object with 'elements' (须为含 elements 的对象)"]}
    assert _errors({"elements": []})["$.elements"] == ["at least one indicator (至少一个指标)"]
    errors = _errors({"elements": [{"code": "X", "name_zh": "", "name_en": "x", "weight": 1,
                                    "rule": {"kind": "ratio", "measure_zh": "比", "measure_en": "r",
                                             "thresholds": [{"at_least": 0.5, "score": 1}, {"at_least": 0.4,
                                                                                           "score": 0.5}]}}],
                      "extra": 1})
    assert errors["$.elements[0].name_zh"] == ["required: a text (必填文字)"]
    assert errors["$.elements[0].rule.thresholds"] == ["thresholds and their scores must rise (阈值及其分值须递增)"]
    assert errors["$"] == ["unknown keys: extra (未知字段：extra)"]
    errors = _errors({"elements": [{"code": "X", "name_zh": "x", "name_en": "x", "weight": 1, "rule": {"kind": "?"}}]})
    assert errors == {"$.elements[0].rule.kind": ["must be one of levels, ratio (须为以下之一：levels、ratio)"]}


def test_weights_within_tolerance_are_accepted():
    doc = tree_dict(DEFAULT_TREE)
    doc["elements"][0]["weight"] += 5e-7
    parse_tree(doc)


def test_score_weights_up_the_tree_and_lists_missing_leaves():
    leaves = [leaf.code for leaf in DEFAULT_TREE.leaves()]
    full = score(DEFAULT_TREE, dict.fromkeys(leaves, 1.0))
    assert full.total == pytest.approx(1) and full.missing == []
    # Material health only, fully: its weight 0.25.
    mh = {c: 1.0 for c in leaves if c.startswith("MH")}
    result = score(DEFAULT_TREE, mh)
    assert result.total == pytest.approx(0.25)
    assert result.by_node["MH"] == pytest.approx(1) and result.by_node["MC"] == 0
    assert set(result.missing) == set(leaves) - set(mh)
    # One leaf at 0.5: MH1.1 weighs 0.6 in MH1 (0.3) in MH (0.25) → 0.0225.
    half = score(DEFAULT_TREE, {"MH1.1": 0.5, "unknown": 1.0})
    assert half.by_node["MH1"] == pytest.approx(0.3)
    assert half.total == pytest.approx(0.5 * 0.6 * 0.3 * 0.25)


def test_ratio_rule_scores_by_threshold():
    rule = DEFAULT_TREE.node("MC2.1").rule
    assert [rule.score_for(v) for v in (0.1, 0.6, 0.79, 0.85)] == [0, 0.5, 0.5, 1.0]
    assert "≥ 80 %" in rule.choices()[-1].en


def test_default_tree_is_not_changed_by_editing_its_json():
    doc = tree_dict(DEFAULT_TREE)
    copy.deepcopy(doc)["elements"][0]["weight"] = 0
    assert DEFAULT_TREE.elements[0].weight == 0.25
