"""What a command prints: data on stdout (one JSON document with ``--json``), people's lines on stderr.

People's lines are in the invocation's language (``wastematch --lang``, ``Cli.lang``): Chinese, English, or both
as ``中文 / English`` (where the terminal's locale names no Chinese: a server's ``C`` or ``en_US`` locale says
nothing of who reads it). Commands write each line in both languages with :func:`say` or :func:`text`.
"""
from __future__ import annotations

import json
import os
import sys
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

import click

from marketplace.errors import DomainError

from ..errors import error_body
from ..i18n import message_halves
from .context import Cli

LANGUAGES = ("zh", "en", "both")


def locale_language(environ: Mapping[str, str] = os.environ) -> str:
    """``zh`` when the terminal's locale is Chinese (the first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` set),
    else ``both``."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "both"
    return "both"


def _cli() -> Cli:
    """This invocation's state (outside a command: one that speaks both languages)."""
    ctx = click.get_current_context(silent=True)
    cli = ctx.find_object(Cli) if ctx is not None else None
    return cli if cli is not None else Cli(url="")


def text(zh: str, en: str) -> str:
    """A text for people in the invocation's language: ``zh``, ``en`` or ``zh / en`` (``Cli.text``)."""
    return _cli().text(zh, en)


def localised(message: str) -> str:
    """A stored or service text written in both languages (``english (中文)``, ``中文 / English``) in the
    invocation's language; ``both`` keeps it as written."""
    lang = _cli().lang
    if lang == "both":
        return message
    zh, en = message_halves(message)
    return zh if lang == "zh" else en


def info(message: str) -> None:
    """A line for the human at the terminal (stderr, so stdout stays data): a line without words, or one already
    in the invocation's language (:func:`text`)."""
    click.echo(message, err=True)


def say(zh: str, en: str) -> None:
    """A line for the human at the terminal, in the invocation's language (:func:`text`)."""
    info(text(zh, en))


def columns(cell: str) -> int:
    """How many columns ``cell`` takes on a terminal: a Chinese character two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in cell)


def pad(cell: str, width: int) -> str:
    """``cell`` padded with spaces to ``width`` terminal columns (``str.ljust`` counts a Chinese character as one)."""
    return cell + " " * max(width - columns(cell), 0)


def emit_json(doc: Any) -> None:
    """Exactly one JSON document on stdout: indented for a terminal, compact for a pipe or a file.

    Compact is for speed: only without ``indent`` does ``json`` use its C encoder. A 10k x 10k park run's
    document (11,674 proposals with their checks) took 2.64 s indented (80 MB) and 0.61 s compact (52 MB); a
    program reading it does not need the indentation.
    """
    pretty = sys.stdout.isatty()
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2 if pretty else None,
                          separators=None if pretty else (",", ":"), default=str))


def fail(cli: Cli, exc: DomainError) -> None:
    """Report a refused operation: the JSON error shape with --json, readable lines otherwise; exit 1."""
    if cli.as_json:
        emit_json(error_body(exc.status, exc.message, exc.errors))
    else:
        info(text("错误", "error") + f": {localised(exc.message)}")
        for path, reasons in exc.errors.items():
            for reason in reasons if isinstance(reasons, list) else [reasons]:
                info(f"  {path}: {localised(str(reason))}")
    sys.exit(1)


def json_option(f: Callable) -> Callable:
    """``--json`` on a data command: sets the mode on the shared state."""
    def _set(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        if value:
            ctx.find_object(Cli).as_json = True
        return value
    return click.option("--json", "as_json", is_flag=True, expose_value=False, callback=_set,
                        help="Print exactly one JSON document on stdout.")(f)


class StderrProgress:
    """A ``progress(done, total)`` callback drawing one updating line on stderr (``label``: from :func:`text`)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.interactive = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        line = f"{self.label}: {done}/{total}"
        if self.interactive:
            click.echo("\r" + line, err=True, nl=done >= total)
        elif done >= total or done == 1 or done % 10 == 0:
            info(line)
