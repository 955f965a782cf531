"""``wastematch hw-declaration …``: a small producer's year drafted from its manifests, a mismatch found, the
declaration corrected, resubmitted and accepted, from the command line; errors named by field."""
from __future__ import annotations

import json

import pytest

from .runner import assert_speaks, run, run_in, run_json
from .test_transfers import approved, db_url, match_id  # noqa: F401 - the fixtures: the small park and one approved 10 t match, its database


def test_a_declaration_from_the_manifests_through_review(db_url, match_id, tmp_path):  # noqa: F811
    numbers = []
    for quantity in ("1.5", "2.25"):
        doc = run_json(db_url, "transfers", "plan", str(match_id), "--quantity", quantity, "--container",
                       f"drum:{quantity}")
        run_json(db_url, "transfers", "dispatch", doc["manifest_number"])
        numbers.append(doc["manifest_number"])
    year = int(numbers[0].split("-")[1][:4])  # the park's day the manifest was numbered on
    doc = run_json(db_url, "hw-declaration", "draft", "E-2", "--year", str(year))
    assert doc["status"] == "draft" and doc["enterprise"] == "E-2"
    [line] = doc["lines"]
    assert (line["generated_t"], line["transferred_t"], line["manifests_t"], line["manifests"]) == (3.75, 3.75, 3.75, 2)

    lines = tmp_path / "lines.json"
    lines.write_text(json.dumps([{"waste_code": line["waste_code"], "generated_t": 3.0, "transferred_t": 3.0}]))
    run_json(db_url, "hw-declaration", "lines", str(doc["id"]), str(lines))
    submitted = run_json(db_url, "hw-declaration", "submit", str(doc["id"]))
    assert submitted["status"] == "submitted" and [c["code"] for c in submitted["checks"]] == ["manifest_mismatch"]
    # (the garage may also have a plan_missing finding: it ships hazardous waste and, after 31 March, files no plan)
    found = run_json(db_url, "ledger", "findings", "--status", "open", "--code", "declaration_mismatch")
    assert [f["key"].split(":")[0] for f in found] == ["declaration_mismatch"]
    human = run(db_url, "hw-declaration", "show", str(doc["id"]))
    assert "manifest_mismatch" in human.stdout and "联单合计 3.75 吨" in human.stdout

    returned = run_json(db_url, "hw-declaration", "return", str(doc["id"]), "--reason", "请按联单核对转移量")
    assert returned["status"] == "returned" and returned["returned_reason"] == "请按联单核对转移量"
    lines.write_text(json.dumps([{"waste_code": line["waste_code"], "generated_t": 3.75, "transferred_t": 3.75}]))
    run_json(db_url, "hw-declaration", "lines", str(doc["id"]), str(lines))
    assert run_json(db_url, "hw-declaration", "submit", str(doc["id"]))["checks"] == []
    assert run_json(db_url, "ledger", "findings", "--status", "open", "--code", "declaration_mismatch") == []
    assert run_json(db_url, "hw-declaration", "accept", str(doc["id"]))["status"] == "accepted"
    listed = run_json(db_url, "hw-declaration", "list", "--year", str(year))
    assert [d["status"] for d in listed["declarations"]] == ["accepted"]


def test_bad_lines_are_named_and_nothing_changes(db_url, match_id, tmp_path):  # noqa: F811
    doc = run_json(db_url, "hw-declaration", "draft", "E-2", "--year", "2026")
    lines = tmp_path / "lines.json"
    lines.write_text(json.dumps([{"waste_code": "HW08", "generated_t": -2}]))
    error = run_json(db_url, "hw-declaration", "lines", str(doc["id"]), str(lines), ok=False)
    assert error["code"] == 422 and set(error["errors"]) == {"lines.0.waste_code", "lines.0.generated_t"}
    assert run_json(db_url, "hw-declaration", "show", str(doc["id"]))["lines"] == doc["lines"]
    assert run_json(db_url, "hw-declaration", "accept", str(doc["id"]), ok=False)["code"] == 409


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_command_speaks_the_language_chosen(db_url, match_id, tmp_path, lang):  # noqa: F811
    doc = run_json(db_url, "transfers", "plan", str(match_id), "--quantity", "1.5", "--container", "drum:1.5")
    run_json(db_url, "transfers", "dispatch", doc["manifest_number"])
    year = doc["manifest_number"].split("-")[1][:4]
    number = str(run_json(db_url, "hw-declaration", "draft", "E-2", "--year", year)["id"])
    lines = tmp_path / "lines.json"
    # 1 t declared transferred against the manifest's 1.5 t, 2 t generated: both checks
    lines.write_text(json.dumps([{"waste_code": "900-214-08", "generated_t": 2.0, "transferred_t": 1.0}]))
    results = [run_in(lang, db_url, "hw-declaration", "draft", "E-2", "--year", year),
               run_in(lang, db_url, "hw-declaration", "lines", number, str(lines)),
               run_in(lang, db_url, "hw-declaration", "submit", number),
               run_in(lang, db_url, "hw-declaration", "return", number, "--reason", "请按联单核对转移量"),
               run_in(lang, db_url, "hw-declaration", "submit", number),
               run_in(lang, db_url, "hw-declaration", "accept", number),
               run_in(lang, db_url, "hw-declaration", "show", number),
               run_in(lang, db_url, "hw-declaration", "list")]
    for result in results:
        assert_speaks(lang, result)
    shown = results[6].stdout
    if lang == "zh":
        assert "与联单不符（错误）：900-214-08：申报转移 1 吨，联单合计 1.5 吨" in shown and "（联单：1.5 t，1 份）" in shown
    else:
        assert "manifest_mismatch (error): 900-214-08: 1 t declared" in shown and "(manifests: 1.5 t, 1)" in shown
