"""What a command prints: data on stdout (one JSON document with ``--json``), people's lines on stderr."""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from marketplace.errors import DomainError

from ..errors import error_body
from .context import Cli


def info(message: str) -> None:
    """A line for the human at the terminal (stderr, so stdout stays data)."""
    click.echo(message, err=True)


def emit_json(doc: Any) -> None:
    """Exactly one JSON document on stdout."""
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2, default=str))


def fail(cli: Cli, exc: DomainError) -> None:
    """Report a refused operation: the JSON error shape with --json, readable lines otherwise; exit 1."""
    if cli.as_json:
        emit_json(error_body(exc.status, exc.message, exc.errors))
    else:
        info(f"error: {exc.message}")
        for path, reasons in exc.errors.items():
            for reason in reasons if isinstance(reasons, list) else [reasons]:
                info(f"  {path}: {reason}")
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
    """A ``progress(done, total)`` callback drawing one updating line on stderr."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.interactive = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        line = f"{self.label}: {done}/{total}"
        if self.interactive:
            click.echo("\r" + line, err=True, nl=done >= total)
        elif done >= total or done == 1 or done % 10 == 0:
            info(line)
