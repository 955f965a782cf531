"""``wastematch hw-plan …``: a garage's management plan drafted from its manifests, completed from a file, submitted,
returned, corrected, filed and revised from the command line; refusals named by field, changing nothing; each
command in the language chosen."""
from __future__ import annotations

import json

import pytest

from .runner import assert_speaks, run_in, run_json
from .test_transfers import approved, db_url, match_id  # noqa: F401 - the fixtures: the small park and one approved 10 t match, its database

# The garage's waste oil handed to the handler E-1, whose licence covers it; a storage room: every section a key
# unit needs is filled.
PLAN = {
    "wastes": [{"waste_code": "900-214-08", "name": "废机油", "source": "车辆维修换油", "planned_t": 12.0,
                "storage_max_t": 2.0, "utilised_own_t": 0, "disposed_own_t": 0, "transferred_t": 12.0}],
    "transfers": [{"waste_code": "900-214-08", "receiver": "E-1", "licence_number": "TJ-HW-0001", "planned_t": 12.0}],
    "facilities": [{"kind": "storage", "name": "危废暂存间", "capacity_t": 5}],
    "reduction_measures": "延长换油周期，减少废机油产生", "reduction_target_pct": 5,
}


def _producer(url: str, match: int) -> str:
    """Two manifests of the garage E-2's waste oil (1.5 t and 2.25 t) dispatched: the year they were numbered in."""
    numbers = []
    for quantity in ("1.5", "2.25"):
        doc = run_json(url, "transfers", "plan", str(match), "--quantity", quantity, "--container", f"drum:{quantity}")
        run_json(url, "transfers", "dispatch", doc["manifest_number"])
        numbers.append(doc["manifest_number"])
    return numbers[0].split("-")[1][:4]  # the park's day the manifest was numbered on


def _file(tmp_path, doc: object, name: str = "plan.json") -> str:
    """``doc`` (a document, or a text as typed) written in ``tmp_path``: its path."""
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_a_plan_from_draft_through_review_to_a_revision(db_url, match_id, tmp_path):  # noqa: F811
    year = _producer(db_url, match_id)
    doc = run_json(db_url, "hw-plan", "draft", "E-2", "--year", year)
    number = str(doc["id"])
    assert (doc["status"], doc["enterprise"], doc["year"], doc["revision"]) == ("draft", "E-2", int(year), 1)
    assert doc["due_date"] == f"{year}-03-31" and doc["filing_number"] is None
    [waste] = doc["wastes"]
    assert (waste["waste_code"], waste["manifests_t"], waste["manifests"]) == ("900-214-08", 3.75, 2)
    # drafting again shows the same plan
    assert run_json(db_url, "hw-plan", "draft", "E-2", "--year", year)["id"] == doc["id"]

    saved = run_json(db_url, "hw-plan", "save", number, "--file", _file(tmp_path, PLAN))
    assert [(w["planned_t"], w["transferred_t"], w["manifests_t"]) for w in saved["wastes"]] == [(12.0, 12.0, 3.75)]
    assert saved["transfers"] == PLAN["transfers"] and saved["facilities"] == PLAN["facilities"]
    assert (saved["reduction_measures"], saved["reduction_target_pct"]) == (PLAN["reduction_measures"], 5)

    submitted = run_json(db_url, "hw-plan", "submit", number)
    assert submitted["status"] == "submitted" and submitted["first_submitted_at"] is not None
    returned = run_json(db_url, "hw-plan", "return", number, "--reason", "请补充贮存设施的面积")
    assert (returned["status"], returned["returned_reason"]) == ("returned", "请补充贮存设施的面积")
    shown = run_in("zh", db_url, "hw-plan", "show", number)
    assert "请补充贮存设施的面积" in shown.stdout and "已退回" in shown.stdout and "危废暂存间" in shown.stdout
    # both languages: each line once in Chinese, then once in English
    both = run_in("both", db_url, "hw-plan", "show", number).stdout
    assert f"{year}-03-31（逾期提交） / {year}-03-31 (submitted late)" in both
    assert both.count("逾期备案") == 1 and "逾期备案（提示）：首次提交于" in both and " / filed late (warning): " in both

    # only the facilities change: what the file leaves out stays as it was
    facilities = {"facilities": [{"kind": "storage", "name": "危废暂存间（20 m²）", "capacity_t": 5}]}
    saved = run_json(db_url, "hw-plan", "save", number, "--file", _file(tmp_path, facilities))
    assert saved["facilities"][0]["name"] == "危废暂存间（20 m²）" and saved["transfers"] == PLAN["transfers"]
    assert run_json(db_url, "hw-plan", "submit", number)["status"] == "resubmitted"

    accepted = run_in("en", db_url, "hw-plan", "accept", number)
    filing = run_json(db_url, "hw-plan", "show", number)["filing_number"]
    assert filing and f"filing number {filing}" in accepted.stderr and filing in accepted.stdout
    listed = run_json(db_url, "hw-plan", "list", "--year", year, "--status", "accepted")["plans"]
    assert [(p["id"], p["filing_number"]) for p in listed] == [(doc["id"], filing)]
    assert run_json(db_url, "hw-plan", "list", "--year", year, "--status", "draft")["plans"] == []

    revised = run_json(db_url, "hw-plan", "revise", number)
    assert (revised["status"], revised["revision"], revised["facilities"]) == ("draft", 2, saved["facilities"])
    listed = run_json(db_url, "hw-plan", "list", "--year", year)["plans"]
    assert [(p["id"], p["status"], p["revision"]) for p in listed] == [(doc["id"], "draft", 2)]


def test_refusals_name_the_reason_and_change_nothing(db_url, match_id, tmp_path):  # noqa: F811
    year = _producer(db_url, match_id)
    number = str(run_json(db_url, "hw-plan", "draft", "E-2", "--year", year)["id"])
    run_json(db_url, "hw-plan", "save", number, "--file", _file(tmp_path, PLAN))
    before = run_json(db_url, "hw-plan", "show", number)

    # a file that is not JSON: its line and column, in the language chosen
    broken = _file(tmp_path, '{"wastes": [\n  {"waste_code": "900-214-08",}\n]}', "broken.json")
    error = run_json(db_url, "hw-plan", "save", number, "--file", broken, ok=False)
    assert error["code"] == 422 and "line 2 column" in error["errors"]["$"][0]
    zh = run_in("zh", db_url, "hw-plan", "save", number, "--file", broken, ok=False)
    assert zh.exit_code == 1 and "第 2 行第" in zh.stderr
    assert "line 2 column" in run_in("en", db_url, "hw-plan", "save", number, "--file", broken, ok=False).stderr
    # a JSON list is not a plan
    error = run_json(db_url, "hw-plan", "save", number, "--file", _file(tmp_path, [], "list.json"), ok=False)
    assert error["code"] == 422 and "JSON object" in error["errors"]["$"][0]

    # a negative tonnage: named by its field, and the valid parts of the file are not kept either
    negative = {**PLAN, "reduction_target_pct": 9,
                "wastes": [{**PLAN["wastes"][0], "storage_max_t": -1}]}
    error = run_json(db_url, "hw-plan", "save", number, "--file", _file(tmp_path, negative), ok=False)
    assert error["code"] == 422 and set(error["errors"]) == {"wastes.0.storage_max_t"}
    human = run_in("en", db_url, "hw-plan", "save", number, "--file", _file(tmp_path, negative), ok=False)
    assert human.exit_code == 1 and "wastes.0.storage_max_t" in human.stderr
    assert run_json(db_url, "hw-plan", "show", number) == before

    # a draft is not under review: accepting it is refused, and it stays a draft
    error = run_json(db_url, "hw-plan", "accept", number, ok=False)
    assert error["code"] == 409
    human = run_in("zh", db_url, "hw-plan", "accept", number, ok=False)
    assert human.exit_code == 1 and "当前状态不可审核" in human.stderr
    after = run_json(db_url, "hw-plan", "show", number)
    assert (after["status"], after["filing_number"]) == ("draft", None)
    # a plan that does not exist
    assert run_json(db_url, "hw-plan", "show", "999999", ok=False)["code"] == 404


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_command_speaks_the_language_chosen(db_url, match_id, tmp_path, lang):  # noqa: F811
    year = _producer(db_url, match_id)
    number = str(run_json(db_url, "hw-plan", "draft", "E-2", "--year", year)["id"])
    # transfers that do not add up to the wastes' transferred tonnes: a finding to show
    plan = {**PLAN, "transfers": [{**PLAN["transfers"][0], "planned_t": 8.0}]}
    results = [run_in(lang, db_url, "hw-plan", "draft", "E-2", "--year", year),
               run_in(lang, db_url, "hw-plan", "save", number, "--file", _file(tmp_path, plan)),
               run_in(lang, db_url, "hw-plan", "submit", number),
               run_in(lang, db_url, "hw-plan", "return", number, "--reason", "请核对转移量"),
               run_in(lang, db_url, "hw-plan", "save", number, "--file", _file(tmp_path, PLAN)),
               run_in(lang, db_url, "hw-plan", "submit", number),
               run_in(lang, db_url, "hw-plan", "accept", number),
               run_in(lang, db_url, "hw-plan", "revise", number),
               run_in(lang, db_url, "hw-plan", "show", number),
               run_in(lang, db_url, "hw-plan", "list"),
               run_in(lang, db_url, "hw-plan", "save", number, "--file",
                      _file(tmp_path, {"wastes": [{**PLAN["wastes"][0], "planned_t": -1}]}), ok=False)]
    for result in results:
        assert_speaks(lang, result)
    # the findings and the facilities in words, not their stored keys
    first_submission = results[2].stdout
    assert not {"transfers_differ", "section_missing", "simplified"} & set(first_submission.split())
    if lang == "zh":
        assert not {"storage", "simplified", "submitted", "late"} & set(first_submission.split())
        assert "转移去向与委托量不符（错误）" in first_submission and "贮存设施  危废暂存间" in first_submission
        assert "第 2 版" in results[8].stdout and "共 1 份危险废物管理计划" in results[9].stderr
    else:
        assert "transfers do not add up (error)" in first_submission and "storage  危废暂存间" in first_submission
        assert "revision 2" in results[8].stdout and "1 plan\n" in results[9].stderr
