"""The state of one ``wastematch`` invocation: the database, the output mode, and its unit of work.

This module and ``web/database.py`` are the two places in ``web/`` that open and end transactions;
the commands call services inside ``Cli.transaction()`` and never query or commit themselves.
"""
from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from marketplace.db import DatabaseTimeouts, make_engine, make_sessionmaker, schema_revision

from ..config import describe_database, sqlite_file


def in_language(zh: str, en: str, lang: str) -> str:
    """``zh``, ``en`` or ``zh / en``, as ``lang`` (``zh``, ``en``, ``both``) says."""
    return zh if lang == "zh" else en if lang == "en" else f"{zh} / {en}"


@dataclass
class Cli:
    """Per-invocation state: the database URL and, lazily, its engine."""

    url: str
    as_json: bool = False
    lang: str = "both"  # of people's lines: zh, en or both (``output.text``)
    _engine: Engine | None = field(default=None, repr=False)
    _sessions: sessionmaker[Session] | None = field(default=None, repr=False)
    _announced: bool = field(default=False, repr=False)

    def text(self, zh: str, en: str) -> str:
        """A text for people in this invocation's language: ``zh``, ``en`` or ``zh / en``."""
        return in_language(zh, en, self.lang)

    def announce(self) -> None:
        """Say once, on stderr, which database this invocation uses (the password masked)."""
        if not self._announced:
            self._announced = True
            click.echo(f"{self.text('数据库', 'database')}: {describe_database(self.url)}", err=True)

    @property
    def engine(self) -> Engine:
        """The engine, opened on first use; creates nothing (``wastematch init`` creates the SQLite folder)."""
        if self._engine is None:
            self.announce()
            self._engine = make_engine(self.url, timeouts=DatabaseTimeouts.for_cli())
        return self._engine

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work; refuses to run on a database that was never initialised."""
        file = sqlite_file(self.url)
        # Checked before connecting: SQLite would otherwise create an empty file (and we its folder).
        if file is not None and not file.exists():
            self.announce()
            raise click.ClickException(self.text(
                f"数据库 {file} 不存在：请先运行 `wastematch init`，或用 --db URL / WASTEMATCH_DATABASE_URL 指定数据库",
                f"no database at {file}: run `wastematch init` first, or name the database with --db URL / "
                "WASTEMATCH_DATABASE_URL"))
        if schema_revision(self.engine) is None:
            raise click.ClickException(self.text("数据库尚未初始化：请先运行 `wastematch init`",
                                                 "the database has no schema yet: run `wastematch init` first"))
        if self._sessions is None:
            self._sessions = make_sessionmaker(self.engine)
        with self._sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        """Give the database connections back: the end of the invocation (``main`` registers it). A process that
        runs several invocations (the tests, a script calling ``main``) would otherwise hold each one's pool."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine, self._sessions = None, None

    def actor(self) -> str:
        try:
            return f"cli:{getpass.getuser()}"
        except Exception:  # noqa: BLE001 - no login name in some containers
            return "cli"

    def operator(self):
        """The principal the command line acts as: the local operator, with an admin's reach."""
        from marketplace.services.accounts.users import system_principal

        return system_principal(self.actor())
