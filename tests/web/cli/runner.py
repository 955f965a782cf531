"""How the command-line tests call ``wastematch``: in process, through click's runner, on a database URL."""
from __future__ import annotations

import json
import re
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


def run_in(lang: str, url: str, *args: str, ok: bool = True):
    """``wastematch --lang LANG --db URL ARGS…`` (``zh``, ``en`` or ``both``)."""
    result = CliRunner().invoke(main, ["--lang", lang, "--db", url, *args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


# Not words of a sentence: code in backticks, paths and URLs (``sqlite:////tmp/…``), commands and their options (``wastematch catalog
# import-hw-list``, ``--db``), placeholders (``<gjwxfwml.pdf>``).
_NOT_PROSE = re.compile(r"`[^`]*`|\S*[/\\]\S*|wastematch(?: [a-z][\w-]*)*|--[\w-]+|<[^>]*>")


def english_sentences(output: str) -> list[str]:
    """The English in a command's output, two Latin words or more in a row (codes, acronyms, paths and commands
    aside): none in ``--lang zh``. Stricter than the pages' three: a terminal line is short ("schema: empty")."""
    from tests.e2e.language import EMAIL, latin_sentences

    return [s for line in output.splitlines()
            for s in latin_sentences(_NOT_PROSE.sub(" ", EMAIL.sub(" ", line)), min_words=2)]


def assert_speaks(lang: str, result) -> None:
    """A command run with ``--lang zh`` printed no English (:func:`english_sentences`), one with ``--lang en`` no
    Chinese on stderr (:func:`chinese_words`)."""
    if lang == "zh":
        assert english_sentences(result.stderr + result.stdout) == [], result.stderr + result.stdout
    else:
        assert chinese_words(result.stderr) == [], result.stderr


def chinese_words(output: str) -> list[str]:
    """The Chinese characters' runs in a command's output: none in ``--lang en``."""
    return re.findall(r"[\u3400-\u9fff]+", output)
