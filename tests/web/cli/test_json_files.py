"""JSON files given to the command line are read as the API reads a body (issue 18): a file nested 100,000
deep or holding a lone surrogate is refused with its reason (422, exit 1), never a traceback."""
from __future__ import annotations

import pytest

from .runner import run_json

FILES = {
    "nested 100,000 deep": (b'{"format": "wastematch.v1", "parks": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
                            "nested more than 32 levels deep"),
    "a lone surrogate": (b'{"format": "wastematch.v1", "parks": [{"code": "P", "name": "\\ud800"}]}', "lone surrogate"),
    "an integer of 5,000 digits": (b'{"format": "wastematch.v1", "x": ' + b"9" * 5000 + b"}", "more than 30 digits"),
}


@pytest.mark.parametrize("name", list(FILES))
@pytest.mark.parametrize("command", ["import", "survey"])
def test_an_unreadable_json_file_is_a_422_naming_the_reason(db_url, tmp_path, name, command):
    data, reason = FILES[name]
    path = tmp_path / "doc.json"
    path.write_bytes(data)
    args = ["import", str(path)] if command == "import" else ["survey", "import", str(path)]
    body = run_json(db_url, *args, ok=False)
    assert body["code"] == 422 and reason in body["errors"]["$"][0], body
