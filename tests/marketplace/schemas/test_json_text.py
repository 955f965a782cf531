"""``read_json``: JSON from users read without a 500 (issue 18), the same for request bodies and import files."""
from __future__ import annotations

import pytest

from marketplace.schemas.json_text import MAX_DEPTH, JsonTextError, read_json


def test_ordinary_json_is_read_as_json_loads_reads_it():
    assert read_json(b'[{"a": 1, "b": -2.5e3, "c": "\\u4e2d", "d": null, "e": true}]') == [
        {"a": 1, "b": -2500.0, "c": "中", "d": None, "e": True}]
    assert read_json('{"emoji": "\\ud83d\\ude00"}') == {"emoji": "\U0001f600"}  # a surrogate pair is one character
    assert read_json(b"\xef\xbb\xbf" + b'{"bom": 1}') == {"bom": 1}  # Notepad's byte order mark
    assert read_json(b"-" + b"9" * 30) == -int("9" * 30)


@pytest.mark.parametrize(("data", "reason"), [
    (b"[" * 100_000 + b"]" * 100_000, f"nested more than {MAX_DEPTH} levels deep"),
    (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), f"nested more than {MAX_DEPTH} levels deep"),
    (b'{"a": "\\ud800"}', "lone surrogate"),
    (b'{"\\udfff": 1}', "lone surrogate"),
    (b"9" * 4300, "more than 30 digits"),
    (b"9" * 31, "more than 30 digits"),
    (b'"\xff"', "not valid UTF-8 at byte 1"),
    (b"NaN", "NaN is not a JSON number"),
    (b"[Infinity]", "Infinity is not a JSON number"),
    (b'{"a": 1,}', "not valid JSON"),
    (b'{\n  "a": 1,\n}', r"line 3 column 1 \(不是有效的 JSON：第 3 行第 1 列\)"),  # where, in both languages
])
def test_what_would_raise_or_fail_later_is_refused_with_a_reason(data, reason):
    with pytest.raises(JsonTextError, match=reason):
        read_json(data)


def test_object_only_refuses_other_top_levels():
    assert read_json(b"[1]") == [1]
    with pytest.raises(JsonTextError, match="must be a JSON object, not list"):
        read_json(b"[1]", object_only=True)
