"""Print, as ``.po`` entries to translate, the command-line help texts that have no Chinese yet.

    .venv/bin/python scripts/cli_help_missing.py [MODULE …]

One block per module of ``web/cli`` (its entries belong in ``web/translations/zh/cli/<module>.po``); with module
names, only those. The catalogue's rules are in ``web.cli.help_text``; ``tests/web/cli/test_help_text.py`` fails
while anything printed here is missing.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from web.cli import main
from web.cli.help_text import catalog, units_by_module


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run(modules: list[str]) -> int:
    known = catalog()
    missing = 0
    for module, units in units_by_module(main).items():
        if modules and module not in modules:
            continue
        todo = [u for u in units if u not in known]
        if todo:
            print(f"# {module}.po")
            for unit in todo:
                print(f"msgid {_quoted(unit)}\nmsgstr \"\"\n")
            missing += len(todo)
    print(f"# {missing} missing", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
