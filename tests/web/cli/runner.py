"""How the command-line tests call ``wastematch``: in process, through click's runner, on a database URL."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from web.cli import main


def run(url: str, *args: str, ok: bool = True):
    """``wastematch --db URL ARGS…``; with ``ok`` the exit code must be 0."""
    result = CliRunner().invoke(main, ["--db", url, *args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def run_json(url: str, *args: str, ok: bool = True):
    """The one JSON document ``wastematch … --json`` prints on stdout."""
    result = run(url, *args, "--json", ok=ok)
    return json.loads(result.stdout)


def write(tmp_path: Path, doc: dict, name: str = "park.json") -> str:
    """``doc`` written as a JSON file in ``tmp_path``; its path."""
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return str(path)
