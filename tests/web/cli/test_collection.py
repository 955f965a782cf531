"""``wastematch collection plan | propose | show``: a collector's day from the command line, with --json."""
from __future__ import annotations

import json

import pytest

from tests.marketplace.services.traceability.test_pooled_collection import COLLECT_NEED, COLLECTOR, _garage

from .runner import assert_speaks, run, run_in, run_json, write


def test_plan_propose_show(db_url, tmp_path):
    garages = [_garage(i, 5 + 4 * i, 50 * i) for i in range(6)]
    doc = {"format": "wastematch.v1", "parks": [{"code": "BH", "name": "滨海新区", "name_en": "Binhai", "province": "天津市",
                                                 "lat": 39.02, "lon": 117.70}],
           "enterprises": [COLLECTOR, *[g for g, _ in garages]], "listings": [COLLECT_NEED, *[o for _, o in garages]]}
    path = tmp_path / "county.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    run(db_url, "import", str(path))
    planned = run_json(db_url, "collection", "plan", "C-1", "--day", "2026-12-10", "--vehicle", "津A-SJ01:2:07:30-18:00",
                       "--time-limit", "1")
    assert planned["status"] == "planned" and len(planned["stops"]) == 6
    assert planned["vehicles"][0]["shift_start_min"] == 450 and planned["total_km"] <= planned["baseline"]["total_km"]
    human = run(db_url, "collection", "show", str(planned["id"]))
    assert "nearest neighbour" in human.stdout and "津A-SJ01" in human.stdout
    proposed = run_json(db_url, "collection", "propose", str(planned["id"]))
    assert proposed["status"] == "proposed" and all(s["match"] for s in proposed["stops"])
    error = run_json(db_url, "collection", "plan", "C-1", "--day", "2026-12-10", "--vehicle", "V1:x", ok=False)
    assert error["code"] == 422 and "--vehicle" in error["errors"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_plan_propose_and_show_speak_the_language_asked(db_url, tmp_path, lang):
    garages = [_garage(i, 5 + 4 * i, 50 * i) for i in range(3)]
    doc = {"format": "wastematch.v1", "parks": [{"code": "BH", "name": "滨海新区", "name_en": "Binhai", "province": "天津市",
                                                 "lat": 39.02, "lon": 117.70}],
           "enterprises": [COLLECTOR, *[g for g, _ in garages]], "listings": [COLLECT_NEED, *[o for _, o in garages]]}
    run(db_url, "import", write(tmp_path, doc))
    planned = run_in(lang, db_url, "collection", "plan", "C-1", "--day", "2026-12-10", "--vehicle", "津A-SJ01:2",
                     "--time-limit", "1")
    round_id = run_json(db_url, "collection", "show", "1")["id"]
    results = [planned, run_in(lang, db_url, "collection", "propose", str(round_id)),
               run_in(lang, db_url, "collection", "show", str(round_id)),
               run_in(lang, db_url, "collection", "plan", "C-1", "--day", "2026-12-10", "--vehicle", "V1:x", ok=False)]
    for result in results:
        assert_speaks(lang, result)
    shown = results[2].stdout + results[2].stderr
    if lang == "zh":
        assert f"收集计划 {round_id}" in shown and "匹配流程中" in shown and "最近邻基准" in shown and "秒" in shown
    else:
        assert f"round {round_id}" in shown and "proposed" in shown and "nearest neighbour" in shown
