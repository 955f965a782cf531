"""``wastematch match --favour-loops``: the loop opportunities and the loops closed in the JSON contract."""
from __future__ import annotations

import pytest

from tests.marketplace.services.matching.acid_loop import acid_document

from .conftest import init
from .runner import chinese_words, english_sentences, run, run_in, run_json


@pytest.fixture()
def acid_url(backend, database_copy):
    return database_copy(backend, "init+acid-loop", lambda url: init(url, acid_document()))[0]


def _cost(doc: dict) -> float:
    w = {(c["offer"], c["need"]): c["weight"] for c in doc["candidates"]}
    return 1000 * (w["O-spent", "N-spent-C"] - w["O-spent", "N-spent-B"]) \
        + 600 * (w["O-acid", "N-acid-D"] - w["O-acid", "N-acid-A"])


def test_match_lists_the_open_loop_and_favour_loops_closes_it(acid_url):
    plain = run_json(acid_url, "match", "--park", "AC", "--today", "2026-11-23", "--with-candidates")
    # The contract's keys are all there and mean what they meant; "loops" is added.
    assert {"run", "status", "objective", "matches", "unmatched", "candidates", "loops"} <= set(plain)
    assert plain["objective"] == pytest.approx(sum(m["score"] for m in plain["matches"]))
    assert {(m["offer"], m["need"]) for m in plain["matches"]} == {("O-spent", "N-spent-C"), ("O-acid", "N-acid-D")}
    (opp,) = plain["loops"]["opportunities"]
    cost = _cost(plain)
    assert opp["enterprises"] == ["E-A", "E-B"] and opp["cost_cny"] == pytest.approx(cost)
    assert cost < 10_000  # below the default bonus, so --favour-loops alone closes it

    favoured = run_json(acid_url, "match", "--park", "AC", "--today", "2026-11-23", "--favour-loops")
    assert {(m["offer"], m["need"]) for m in favoured["matches"]} == {("O-spent", "N-spent-B"), ("O-acid", "N-acid-A")}
    assert favoured["objective"] == pytest.approx(plain["objective"] - cost)
    (closed,) = favoured["loops"]["closed"]
    assert closed["favoured"] and closed["bonus_cny"] == 10_000.0
    assert favoured["parameters"]["loop_bonus_cny"] == 10_000.0

    below = run_json(acid_url, "match", "--park", "AC", "--today", "2026-11-23", "--loop-bonus", str(cost - 1))
    assert below["loops"]["closed"] == [] and below["objective"] == pytest.approx(plain["objective"])

    text = run(acid_url, "match", "--park", "AC", "--today", "2026-11-23")
    assert "loop opportunity: E-A → E-B → E-A" in text.stderr


def test_the_loops_in_chinese_and_in_english(acid_url):
    args = ("match", "--park", "AC", "--today", "2026-11-23")
    zh = run_in("zh", acid_url, *args)
    assert "闭环机会：E-A → E-B → E-A，" in zh.stderr and english_sentences(zh.stderr + zh.stdout) == [], zh.output
    zh = run_in("zh", acid_url, *args, "--favour-loops")
    assert "已形成闭环：E-A → E-B → E-A，" in zh.stderr and "闭环奖励 10,000 元" in zh.stderr
    assert english_sentences(zh.stderr + zh.stdout) == [], zh.output
    en = run_in("en", acid_url, *args, "--favour-loops")
    assert "loop closed: E-A → E-B → E-A" in en.stderr and chinese_words(en.stderr) == [], en.stderr


def test_favour_loops_is_refused_with_exact(acid_url):
    res = run(acid_url, "match", "--park", "AC", "--exact", "--favour-loops", ok=False)
    assert res.exit_code == 2 and "--favour-loops" in res.output
