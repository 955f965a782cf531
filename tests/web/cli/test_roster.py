"""`wastematch roster`: the contract's JSON (an HBCDD user on the roster with its banned_use violation, an
ethanol user not), the alert it raises, decisions with a reason, obligations recorded, and refusals."""
from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from marketplace.db import make_engine
from tests.factories import api_document
from tests.marketplace.services.governance.roster_fixtures import ETHANOL_USE, HBCDD_USE, declare_accepted

from .runner import assert_speaks, run, run_in, run_json, write


def _park_with_declarations(url: str, tmp_path) -> None:
    run(url, "import", write(tmp_path, api_document()))
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            declare_accepted(session, "E-1", 2025, [HBCDD_USE])
            declare_accepted(session, "E-2", 2025, [ETHANOL_USE])
    finally:
        engine.dispose()


def test_roster_json_follows_the_contract(db_url, tmp_path):
    _park_with_declarations(db_url, tmp_path)
    doc = run_json(db_url, "roster", "--park", "BH", "--year", "2025", "--today", "2026-01-10")
    assert set(doc) == {"year", "roster"} and doc["year"] == 2025
    (entry,) = doc["roster"]
    assert set(entry) == {"enterprise", "substances", "obligations", "violations"}
    assert entry["enterprise"] == "E-1"
    assert entry["substances"] == [{"cas": "25637-99-4", "name": "六溴环十二烷", "list": "cn_new_pollutants_2023",
                                    "measure": "ban", "role": "use", "quantity_t": 1.5}]
    assert {o["code"]: (o["due"], o["status"]) for o in entry["obligations"]}["annual_disclosure"] == (
        "2026-03-15", "open")
    (violation,) = entry["violations"]
    assert (violation["code"], violation["cas"]) == ("banned_use", "25637-99-4") and violation["detail"]
    alerts = run_json(db_url, "alerts", "list", "--kind", "banned_use")
    assert [a["enterprise"]["ref"] for a in alerts] == ["E-1"]
    # Later, the disclosure is overdue: its status says so and it is a violation too.
    later = run_json(db_url, "roster", "--park", "BH", "--year", "2025", "--today", "2026-04-01")
    (entry,) = later["roster"]
    assert {o["code"]: o["status"] for o in entry["obligations"]}["annual_disclosure"] == "overdue"
    assert {v["code"] for v in entry["violations"]} == {"banned_use", "obligation_overdue"}


def test_decisions_and_obligations(db_url, tmp_path):
    _park_with_declarations(db_url, tmp_path)
    run(db_url, "roster", "--park", "BH", "--year", "2025", "--today", "2026-01-10")
    refused = run(db_url, "roster", "remove", "E-1", "--year", "2025", "--reason", " ", ok=False)
    assert refused.exit_code == 1 and "reason" in refused.stderr
    done = run_json(db_url, "roster", "confirm", "E-1", "--year", "2025")
    assert done["status"] == "confirmed"
    gone = run_json(db_url, "roster", "remove", "E-1", "--year", "2025", "--reason", "declared in error")
    assert gone == {"enterprise": "E-1", "year": 2025, "status": "removed", "reason": "declared in error"}
    assert run_json(db_url, "roster", "--park", "BH", "--year", "2025")["roster"] == []
    assert run_json(db_url, "alerts", "list", "--kind", "banned_use", "--status", "open") == []
    ob = run_json(db_url, "roster", "obligation", "1", "--done", "--evidence", "audit report No. 7")
    assert ob["status"] == "done" and ob["evidence"] == "audit report No. 7"
    missing = run_json(db_url, "roster", "obligation", "999", "--done", "--evidence", "x", ok=False)
    assert missing["code"] == 404


def test_unknown_park_is_refused(db_url):
    doc = run_json(db_url, "roster", "--park", "XX", "--year", "2025", ok=False)
    assert doc["code"] == 404 and "park" in doc["errors"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_command_speaks_the_language_chosen(db_url, tmp_path, lang):
    _park_with_declarations(db_url, tmp_path)
    # the roster as of a day the disclosure is overdue: both kinds of violation
    results = [run_in(lang, db_url, "roster", "--park", "BH", "--year", "2025", "--today", "2026-04-01"),
               run_in(lang, db_url, "roster", "obligation", "1", "--done", "--evidence", "审核报告"),
               run_in(lang, db_url, "roster", "remove", "E-1", "--year", "2025", "--reason", "申报有误"),
               run_in(lang, db_url, "roster", "confirm", "E-1", "--year", "2025", "--reason", "核实后恢复")]
    for result in results:
        assert_speaks(lang, result)
    roster = results[0].stdout
    if lang == "zh":
        assert "截止 2026-03-15  已逾期  企业环境信息依法披露" in roster and "! 禁用物质的使用：" in roster
    else:
        assert "annual_disclosure        due 2026-03-15  overdue" in roster and "! banned_use: use of" in roster
    # click's own usage lines aside ("Usage: …", "Error: …"), the refusal is in the language chosen
    usage = run_in(lang, db_url, "roster", "obligation", "1", ok=False)
    assert {"zh": "请指定 --done、--waive 或 --reopen", "en": "give --done, --waive or --reopen"}[lang] in usage.stderr
