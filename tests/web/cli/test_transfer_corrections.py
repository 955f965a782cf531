"""``wastematch transfers correct | decide-correction | return``: a correction asked and decided from the command
line (never by the operator who asked), and a rejected load sent back under a linked manifest."""
from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from marketplace.db import make_engine
from marketplace.models import Enterprise
from marketplace.services.accounts.users import Principal
from marketplace.services.traceability import corrections, transfers

from .runner import assert_speaks, run, run_in, run_json
from .test_transfers import approved, db_url, match_id  # noqa: F401 - the fixtures (db_url: the approved match's database)


def _plan(db_url, match):  # noqa: F811 - a URL here, not the fixture
    return run_json(db_url, "transfers", "plan", str(match), "--quantity", "1", "--container", "drum:1",
                    "--vehicle", "津A12345")


def test_correct_then_the_operator_may_not_decide_its_own_request(db_url, match_id):  # noqa: F811
    number = _plan(db_url, match_id)["manifest_number"]
    doc = run_json(db_url, "transfers", "correct", number, "--field", "vehicle=津A54321", "--field", "quantity_t=0.9",
                   "--reason", "plate mistyped")
    assert (doc["status"], doc["changes"]) == ("requested", {"vehicle": ["津A12345", "津A54321"],
                                                             "quantity_t": [1.0, 0.9]})
    refused = run(db_url, "transfers", "decide-correction", number, str(doc["id"]), "--approve", ok=False)
    assert refused.exit_code == 1 and "申请人不能审核" in refused.output
    bad = run(db_url, "transfers", "correct", number, "--field", "status=closed", "--reason", "x", ok=False)
    assert bad.exit_code == 1


def test_decide_a_request_asked_by_a_party(db_url, match_id):  # noqa: F811
    number = _plan(db_url, match_id)["manifest_number"]
    engine = make_engine(db_url)
    try:
        with Session(engine) as session, session.begin():
            s = transfers.get_by_manifest(session, Principal(user_id=None, email="a@x.test", role="admin"), number)
            e = session.get(Enterprise, s.producer_id)
            producer = Principal(user_id=None, email="u@p.test", role="enterprise", enterprise_id=e.id,
                                 enterprise_ref=e.ref)
            cid = corrections.request_correction(session, producer, s.id, changes={"driver": "李师傅"},
                                                 reason="name mistyped").id
    finally:
        engine.dispose()
    assert run(db_url, "transfers", "decide-correction", number, str(cid), ok=False).exit_code == 2
    doc = run_json(db_url, "transfers", "decide-correction", number, str(cid), "--approve", "--note", "ok")
    assert doc["status"] == "approved"
    assert run_json(db_url, "transfers", "list")[0]["driver"] == "李师傅"


def test_return_a_rejected_load(db_url, match_id):  # noqa: F811
    number = _plan(db_url, match_id)["manifest_number"]
    run(db_url, "transfers", "dispatch", number)
    run(db_url, "transfers", "reject", number, "--reason", "drums leaking")
    back = run_json(db_url, "transfers", "return", number, "--vehicle", "津A99999")
    assert (back["direction"], back["returned_from"]["manifest_number"], back["vehicle"]) == (
        "return", number, "津A99999")
    assert run(db_url, "transfers", "return", number, ok=False).exit_code == 1  # once
    listed = {d["manifest_number"]: d for d in run_json(db_url, "transfers", "list")}
    assert listed[number]["returned_by"]["manifest_number"] == back["manifest_number"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_correction_and_return_speak_the_language_asked(db_url, match_id, lang):  # noqa: F811
    number = _plan(db_url, match_id)["manifest_number"]
    asked = run_in(lang, db_url, "transfers", "correct", number, "--field", "vehicle=津A54321", "--field",
                   "quantity_t=0.9", "--reason", "车牌录入错误")
    run(db_url, "transfers", "dispatch", number)
    run(db_url, "transfers", "reject", number, "--reason", "渗漏")
    back = run_in(lang, db_url, "transfers", "return", number)
    for result in (asked, back):
        assert_speaks(lang, result)
    if lang == "zh":
        assert "车牌号: 津A12345 → 津A54321" in asked.stdout and f"联单 {number} 的更正申请" in asked.stderr
        assert "待审核" in asked.stderr and f"已计划 {number} 的退运，新联单" in back.stderr
    else:
        assert "vehicle: 津A12345 → 津A54321" in asked.stdout and asked.stderr.rstrip().endswith("requested")
        assert f"planned the return of {number} as" in back.stderr
