"""``wastematch alerts scan | list | ack``: the operator's view of the reconciliation alerts, with --json."""
from __future__ import annotations

import pytest

from tests.factories import small_document

from .runner import chinese_words, english_sentences, run, run_in, run_json, write


def test_scan_list_ack_and_clear(db_url, tmp_path):
    run(db_url, "import", write(tmp_path, small_document()))  # TJ-HW-0001 is valid to 2029-12-31
    quiet = run_json(db_url, "alerts", "scan", "--today", "2029-10-31")  # 61 days before
    assert quiet["raised"] == 0 and quiet["open"] == 0 and set(quiet["by_kind"]) >= {"licence_expiring"}
    doc = run_json(db_url, "alerts", "scan", "--today", "2029-11-01")  # 60 days before
    assert (doc["raised"], doc["by_kind"]["licence_expiring"], doc["open"]) == (1, 1, 1)
    assert doc["settings"]["licence_expiry_days"] == 60
    tuned = run_json(db_url, "alerts", "scan", "--today", "2029-11-01", "--corridor-km", "8", "--stop-minutes", "45",
                     "--scale-tolerance", "0.03")
    assert (tuned["settings"]["corridor_km"], tuned["settings"]["stop_minutes"],
            tuned["settings"]["scale_tolerance"]) == (8, 45, 0.03)
    again = run_json(db_url, "alerts", "scan", "--today", "2029-11-02", "--park", "BH")
    assert (again["raised"], again["still_active"], again["open"]) == (0, 1, 1)
    human = run(db_url, "alerts", "scan", "--today", "2029-11-02")
    assert "licence_expiring" in human.stderr and "open 1" in human.stderr

    (alert,) = run_json(db_url, "alerts", "list", "--status", "open")
    assert alert["kind"] == "licence_expiring" and alert["details"]["days_left"] == 59 and alert["park"] == "BH"
    assert run_json(db_url, "alerts", "list", "--kind", "weight_mismatch") == []
    acked = run_json(db_url, "alerts", "ack", str(alert["id"]), "--note", "续证中 renewal under way")
    assert acked["status"] == "acknowledged" and acked["acknowledgement"] == "续证中 renewal under way"
    assert acked["acknowledged_by"].startswith("admin:cli")
    listed = run(db_url, "alerts", "list")
    assert "renewal under way" in listed.stdout and "1 alert(s)" in listed.stderr

    # a tighter window is an override: the licence is 58 days out, beyond 30, so the alert clears
    cleared = run_json(db_url, "alerts", "scan", "--today", "2029-11-03", "--expiry-days", "30")
    assert cleared["cleared"] == 1 and cleared["open"] == 0 and cleared["acknowledged"] == 0
    (gone,) = run_json(db_url, "alerts", "list", "--status", "cleared")
    assert gone["acknowledgement"] == "续证中 renewal under way"

    refused = run_json(db_url, "alerts", "ack", str(alert["id"]), "--note", "late", ok=False)
    assert refused["code"] == 409 and refused["status"] == "Conflict"
    missing = run_json(db_url, "alerts", "ack", "999", "--note", "x", ok=False)
    assert missing["code"] == 404
    blank = run_json(db_url, "alerts", "ack", str(alert["id"]), "--note", " ", ok=False)
    assert blank["code"] == 422 and "note" in blank["errors"]
    unknown = run_json(db_url, "alerts", "list", "--park", "XX", ok=False)
    assert unknown["code"] == 404 and "park" in unknown["errors"]
    bad = run_json(db_url, "alerts", "scan", "--tolerance", "-1", ok=False)
    assert bad["code"] == 422 and "weight_tolerance" in bad["errors"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_scan_list_and_ack_speak_the_language_asked(db_url, tmp_path, lang):
    run(db_url, "import", write(tmp_path, small_document()))  # TJ-HW-0001 is valid to 2029-12-31
    results = [run_in(lang, db_url, "alerts", "scan", "--today", "2029-11-02"), run_in(lang, db_url, "alerts", "list")]
    (alert,) = run_json(db_url, "alerts", "list")
    results.append(run_in(lang, db_url, "alerts", "ack", str(alert["id"]), "--note", "续证中"))
    results.append(run_in(lang, db_url, "alerts", "list"))
    acked_by = run_json(db_url, "alerts", "list")[0]["acknowledged_by"]
    for result in results:
        if lang == "zh":  # who acknowledged (``admin:cli:<login>``) is data, not words
            said = (result.stderr + result.stdout).replace(acked_by, "")
            assert english_sentences(said) == [], said
        else:
            assert chinese_words(result.stderr) == [], result.stderr
    scanned, listed, acked = results[0].stderr, results[3].stdout, results[2].stderr
    if lang == "zh":
        assert "许可证即将到期" in scanned and "未处理 1 条" in scanned and "licence_expiring" not in scanned
        assert "已确认" in listed and "提示" in listed and "备注" in listed and "剩余 59 天" in listed
        assert f"预警 #{alert['id']} 已确认: 许可证 TJ-HW-0001 将于 2029-12-31 到期（剩余 59 天" in acked
    else:
        assert "licence_expiring" in scanned and "open 1" in scanned
        assert "acknowledged" in listed and "licence TJ-HW-0001 expires on 2029-12-31" in listed
        assert acked.rstrip().endswith("warning 60 days ahead")
