"""The README's command lines work as printed, on a demo park built the way a fresh clone builds it.

Every ```sh block of README.md is read; each ``wastematch …`` line (also ``echo '…' | wastematch …``)
is run in process, in a scratch folder, on the default database of a data folder holding the demo
(no ``--db``: the examples do not name one). ``make`` and ``curl`` lines are not run here (``make``
is what builds the environment; ``curl`` needs the server, tested in tests/web/api/); any other kind
of line fails the test, so a new example cannot be skipped silently. ```text blocks are synopses:
each command they name must exist.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.conftest import DEMO_PARK, REPO
from web.cli import main

README = REPO / "README.md"
NOT_RUN_HERE = {"make", "curl"}
DATABASE_FREE = {("catalog", "chemical")}  # reads the bundled chemicals data only
STDIN = "a long passphrase\n"  # what `users add` reads when no password is piped in


@dataclass(frozen=True)
class Example:
    line: int
    args: list[str]
    stdin: str


def blocks(text: str, language: str) -> list[tuple[int, list[str]]]:
    """The fenced blocks of ``language``: (line number of the first line, lines)."""
    found, current, start, lines = [], None, 0, text.splitlines()
    for number, line in enumerate(lines, start=1):
        if line.startswith("```"):
            if current is None:
                current, start = (line[3:].strip() == language), number + 1
                body: list[str] = []
            else:
                if current:
                    found.append((start, body))
                current = None
        elif current is not None:
            body.append(line)
    return found


def commands(body: list[str], start: int) -> list[tuple[int, str]]:
    """The block's command lines, continuation lines joined, comments and blank lines dropped."""
    out, pending, first = [], "", start
    for offset, line in enumerate(body):
        if not pending:
            first = start + offset
        pending += line.rstrip("\\").rstrip() + " " if line.rstrip().endswith("\\") else line
        if line.rstrip().endswith("\\"):
            continue
        words = " ".join(shlex.split(pending, comments=True))
        if words:
            out.append((first, pending))
        pending = ""
    return out


def examples() -> tuple[list[Example], list[str]]:
    """The runnable ``wastematch`` examples, and the lines not run here (by their first word)."""
    runnable, skipped = [], []
    for start, body in blocks(README.read_text(encoding="utf-8"), "sh"):
        for number, line in commands(body, start):
            stdin = STDIN
            piped = re.match(r"^echo\s+('[^']*'|\"[^\"]*\")\s*\|\s*(.*)$", line)
            if piped:
                stdin, line = shlex.split(piped.group(1))[0] + "\n", piped.group(2)
            words = shlex.split(line, comments=True)
            if words[0] == "wastematch":
                runnable.append(Example(number, words[1:], stdin))
            else:
                assert words[0] in NOT_RUN_HERE, f"README.md:{number}: a kind of example this test cannot run: {line}"
                skipped.append(words[0])
    return runnable, skipped


def test_the_readme_has_runnable_examples():
    runnable, skipped = examples()
    named = {e.args[0] for e in runnable}
    assert {"catalog", "recommend", "report", "users"} <= named, named
    assert {"make", "curl"} == set(skipped)


def test_every_command_of_the_synopses_exists():
    ctx = click.Context(main)
    for start, body in blocks(README.read_text(encoding="utf-8"), "text"):
        for offset, line in enumerate(body):
            if not line.startswith("wastematch "):
                continue
            name = line.split()[1]
            assert main.get_command(ctx, name) is not None, f"README.md:{start + offset}: no command {name!r}"


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory) -> dict[str, str | None]:
    """A data folder holding the demo park as a fresh clone builds it (no ../shared: an empty folder)."""
    env = {"WASTEMATCH_INSTANCE_PATH": str(tmp_path_factory.mktemp("home")),
           "WASTEMATCH_SHARED_DATA": str(tmp_path_factory.mktemp("no-shared")), "WASTEMATCH_DATABASE_URL": None}
    result = CliRunner(env=env).invoke(main, ["demo", "--no-serve"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return env


@pytest.mark.slow
@pytest.mark.skipif(not DEMO_PARK.exists(), reason="demo park not written yet")
def test_the_readme_examples_work_on_the_demo(demo_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # files the examples write land here
    runnable, _ = examples()
    for example in runnable:
        result = CliRunner(env=demo_home).invoke(main, example.args, input=example.stdin, catch_exceptions=False)
        shown = f"README.md:{example.line}: wastematch {shlex.join(example.args)}\n{result.output}"
        assert result.exit_code == 0, shown
        # Said by every command that opens the database: which one (the data folder's, wherever it runs).
        if tuple(example.args[:2]) not in DATABASE_FREE:
            assert f"数据库 / database: sqlite:///{demo_home['WASTEMATCH_INSTANCE_PATH']}" in result.stderr, shown
        assert "()" not in result.stdout, shown  # an empty field printed as "O-025 ():"
        if example.args[0] == "recommend":
            # A listing's heading, "O-057（供给）：3 条推荐 / O-057 (offer): 3 recommendations" in both languages.
            listed = [line for line in result.stdout.splitlines() if re.match(r"^[ON]-\d+[ （]", line)]
            assert len(listed) == sum(1 for a in example.args[1:] if re.fullmatch(r"[ON]-\d+", a)), shown
            assert all(" 0 recommendations" not in line for line in listed), shown
    assert Path("ch.html").exists() and not Path("instance").exists()
