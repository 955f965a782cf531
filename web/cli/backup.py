"""``wastematch backup FILE`` and ``wastematch restore FILE``: a whole database to one file and back.

SQLite: SQLite's online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot while
the app keeps serving; the backup is itself an SQLite database. PostgreSQL: ``pg_dump -Fc`` (custom
format, one consistent snapshot) and ``pg_restore`` from the PostgreSQL client tools, which must be on
PATH (the server's major version or newer); without them the command says what to run instead. The
password is passed to them in ``PGPASSWORD``, never on their command line (``ps`` would show it).

A restore goes only into an empty database (no schema yet) unless ``--replace`` is given, and the
restored database must be at a revision this code knows (``wastematch init`` upgrades it). How to
operate both is in ``docs/operations.md`` (Backup and restore).
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import click
from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from marketplace.db import make_engine, schema_revision
from marketplace.services.accounts.audit import event_count

from ..config import sqlite_file
from .context import Cli
from .help_text import command
from .output import say, text


class BackupError(click.ClickException):
    """A backup or restore that cannot be done as asked (one line for the operator)."""


@dataclass(frozen=True)
class Libpq:
    """How the PostgreSQL client tools reach a database: a URL without the password, and the environment."""

    url: str
    env: dict[str, str]


def libpq_target(url: str) -> Libpq:
    """``url`` (a SQLAlchemy URL, any driver) as ``pg_dump``/``pg_restore`` take it, the password in the env."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = URL.create("postgresql", username=parsed.username, host=parsed.host, port=parsed.port,
                       database=parsed.database, query=parsed.query)
    return Libpq(plain.render_as_string(hide_password=False), env)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(text(f"未找到 {name}: 请安装 PostgreSQL 客户端工具（Debian 上为 postgresql-client 软件包，"
                               f"版本不低于服务器的主版本），或按 docs/operations.md 的说明自行运行 {name}",
                               f"{name} is not on PATH: install the PostgreSQL client tools (Debian: "
                               f"postgresql-client, the server's major version or newer) or run {name} yourself as "
                               "docs/operations.md shows"))
    return path


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [text("无输出", "no message")])[-1]
        name = Path(args[0]).name
        raise BackupError(text(f"{name} 执行失败（{done.returncode}）: {last}",
                               f"{name} failed ({done.returncode}): {last}"))


def _is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def backup_database(url: str, dest: Path) -> None:
    """A consistent copy of the database at ``url`` in ``dest`` (written beside it, then renamed into place)."""
    tmp = dest.with_name(dest.name + ".partial")
    tmp.unlink(missing_ok=True)
    try:
        file = sqlite_file(url)
        if file is not None:
            if not file.exists():
                raise BackupError(text(f"数据库不存在: {file}", f"no database at {file}"))
            # Read-only on the source: a backup never changes what it copies.
            with closing(sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)) as src, \
                    closing(sqlite3.connect(tmp)) as out:
                src.backup(out)
        elif _is_postgres(url):
            target = libpq_target(url)
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={tmp}",
                  f"--dbname={target.url}"], target.env)
        else:
            backend = make_url(url).get_backend_name()
            raise BackupError(text(f"无法备份 {backend} 数据库（仅支持 SQLite 和 PostgreSQL）",
                                   f"cannot back up a {backend} database (SQLite and PostgreSQL only)"))
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)


def _has_schema(engine: Engine) -> bool:
    return schema_revision(engine) is not None


def restore_database(url: str, source: Path, *, replace: bool = False) -> None:
    """Load the backup ``source`` into the database at ``url``: an empty one, or any with ``replace``."""
    if not source.is_file():
        raise BackupError(text(f"备份文件不存在: {source}", f"no backup file at {source}"))
    file = sqlite_file(url)
    if file is not None:
        with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src:
            try:
                src.execute("SELECT version_num FROM alembic_version").fetchone()
            except sqlite3.DatabaseError:
                raise BackupError(text(f"{source} 不是 wastematch 的 SQLite 备份",
                                       f"{source} is not a wastematch SQLite backup"))
            if file.exists() and not replace:
                _refuse_if_in_use(url)
            file.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(file)) as out:
                src.backup(out)
        return
    if not _is_postgres(url):
        backend = make_url(url).get_backend_name()
        raise BackupError(text(f"无法恢复到 {backend} 数据库（仅支持 SQLite 和 PostgreSQL）",
                               f"cannot restore into a {backend} database"))
    if not replace:
        _refuse_if_in_use(url)
    target = libpq_target(url)
    args = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if replace:
        args += ["--clean", "--if-exists"]
    _run(args + [f"--dbname={target.url}", str(source)], target.env)


def _refuse_if_in_use(url: str) -> None:
    engine = make_engine(url)
    try:
        if _has_schema(engine):
            raise BackupError(text("目标数据库已有 wastematch 数据: 请恢复到空数据库，或加 --replace 覆盖",
                                   "the target database already has a wastematch schema: restore into an empty one, "
                                   "or give --replace to overwrite it"))
    finally:
        engine.dispose()


def audit_count(url: str) -> tuple[str | None, int]:
    """The schema revision and the number of audit events of the database at ``url`` (to check a restore)."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return schema_revision(engine), event_count(session)
    finally:
        engine.dispose()


@command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@click.pass_obj
def backup(cli: Cli, file: Path, force: bool) -> None:
    """Back the database up to FILE (SQLite: online backup; PostgreSQL: pg_dump -Fc)."""
    cli.announce()
    if file.exists() and not force:
        raise BackupError(text(f"{file} 已存在: 如需覆盖请加 --force", f"{file} exists: give --force to overwrite it"))
    backup_database(cli.url, file)
    revision, events = audit_count(cli.url)
    size = f"{file.stat().st_size:,}"
    say(f"已备份到 {file}（{size} 字节；数据库结构 {revision}，审计事件 {events} 条）",
        f"backed up to {file} ({size} bytes; schema {revision}, {events} audit events)")


@command()
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite a database that already has data.")
@click.pass_obj
def restore(cli: Cli, file: Path, replace: bool) -> None:
    """Restore the database from FILE, a `wastematch backup` (into an empty database unless --replace)."""
    cli.announce()
    restore_database(cli.url, file, replace=replace)
    revision, events = audit_count(cli.url)
    say(f"已从 {file} 恢复（数据库结构 {revision}，审计事件 {events} 条）；如本版本 wastematch 比备份新，"
        "请运行 `wastematch init`",
        f"restored from {file} (schema {revision}, {events} audit events); run `wastematch init` if this "
        "version of wastematch is newer than the backup")


__all__ = ["BackupError", "audit_count", "backup", "backup_database", "libpq_target", "restore", "restore_database"]
