"""The ``wastematch`` command line (the contract is in DESIGN.md).

Data goes to stdout (exactly one JSON document with ``--json``); progress, summaries
and errors go to stderr. Each command owns its transaction: all or nothing.
"""
from __future__ import annotations

import getpass
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from marketplace.db import make_engine, make_sessionmaker, schema_revision, upgrade_schema
from marketplace.errors import DomainError

from .config import Settings, ensure_sqlite_dir
from .errors import error_body

DEMO_FILE = Path(__file__).resolve().parent.parent / "marketplace" / "demo" / "demo_park.json"
SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


@dataclass
class Cli:
    """Per-invocation state: the database URL and, lazily, its engine."""

    url: str
    as_json: bool = False
    _engine: Engine | None = field(default=None, repr=False)
    _sessions: sessionmaker[Session] | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            ensure_sqlite_dir(self.url)
            self._engine = make_engine(self.url)
        return self._engine

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work; refuses to run on a database that was never initialised."""
        if schema_revision(self.engine) is None:
            raise click.ClickException("the database has no schema yet: run `wastematch init` first "
                                       "(数据库尚未初始化，请先运行 wastematch init)")
        if self._sessions is None:
            self._sessions = make_sessionmaker(self.engine)
        with self._sessions() as session, session.begin():
            yield session

    def actor(self) -> str:
        try:
            return f"cli:{getpass.getuser()}"
        except Exception:  # noqa: BLE001 - no login name in some containers
            return "cli"


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_url", envvar="WASTEMATCH_DATABASE_URL", default=None, metavar="URL",
              help="Database URL (default: SQLite file in the instance folder).")
@click.pass_context
def main(ctx: click.Context, db_url: str | None) -> None:
    """wastematch — 工业园区固废与富余化学品匹配 / industrial waste and surplus matching."""
    ctx.obj = Cli(url=db_url or Settings.from_env().database_url)


@main.command()
@json_option
@click.pass_obj
def init(cli: Cli) -> None:
    """Create or upgrade the schema and load the built-in catalogue (idempotent)."""
    from marketplace.services.catalog import load_builtin_catalog

    started = time.perf_counter()
    ensure_sqlite_dir(cli.url)
    before = schema_revision(cli.engine)
    upgrade_schema(cli.engine)
    after = schema_revision(cli.engine)
    with cli.transaction() as session:
        load = load_builtin_catalog(session)
    result = {"database": cli.engine.url.render_as_string(hide_password=True), "schema_from": before,
              "schema_to": after, "catalog": load.as_dict(), "seconds": round(time.perf_counter() - started, 3)}
    if cli.as_json:
        emit_json(result)
    else:
        info(f"schema: {before or 'empty'} → {after} ({result['database']})")
        info(f"catalogue: {load.categories} HW categories, {load.codes} built-in codes added "
             f"({result['seconds']} s)")


def _read_document(path: Path) -> tuple[Any, Callable[[str], str]]:
    """A document from JSON or xlsx, and a function that names an error path in that file's terms."""
    if path.suffix.lower() == ".xlsx":
        from marketplace.interchange_xlsx import read_workbook

        return read_workbook(path)
    try:
        return json.loads(path.read_text(encoding="utf-8")), (lambda p: p)
    except json.JSONDecodeError as exc:
        from marketplace.errors import ValidationFailed

        raise ValidationFailed(f"{path.name} is not valid JSON",
                               {"$": [f"line {exc.lineno} column {exc.colno}: {exc.msg}"]}) from None


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.pass_obj
def import_(cli: Cli, file: Path) -> None:
    """Import a wastematch.v1 JSON document (or its xlsx variant): all or nothing."""
    from marketplace.errors import ValidationFailed
    from marketplace.services.interchange import import_document

    started = time.perf_counter()
    try:
        doc, locate = _read_document(file)
        with cli.transaction() as session:
            try:
                report = import_document(session, doc, actor=cli.actor(), source=file.name,
                                         progress=lambda stage, done, total: info(f"  {stage} {done}/{total}"))
            except ValidationFailed as exc:
                exc.errors = {locate(p): v for p, v in exc.errors.items()}
                raise
    except DomainError as exc:
        fail(cli, exc)
        return
    result = {"file": str(file), **report.as_dict(), "seconds": round(time.perf_counter() - started, 3)}
    if cli.as_json:
        emit_json(result)
    else:
        for kind in ("parks", "enterprises", "licences", "listings"):
            info(f"{kind:12s} created {report.created[kind]:4d}  updated {report.updated[kind]:4d}  "
                 f"unchanged {report.unchanged[kind]:4d}  deleted {report.deleted[kind]:4d}")
        info(f"imported {file} in {result['seconds']} s")


@main.command()
@click.option("--park", default=None, help="Only this park's enterprises and listings.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def export(cli: Cli, park: str | None, file: Path) -> None:
    """Export to FILE (.json, or .xlsx for park staff; '-' for stdout)."""
    from marketplace.services.interchange import export_document

    try:
        with cli.transaction() as session:
            doc = export_document(session, park=park)
    except DomainError as exc:
        fail(cli, exc)
        return
    if str(file) == "-":
        emit_json(doc)
        return
    file.parent.mkdir(parents=True, exist_ok=True)
    if file.suffix.lower() == ".xlsx":
        from marketplace.interchange_xlsx import write_workbook

        write_workbook(doc, file)
    else:
        file.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    info(f"exported {len(doc['parks'])} parks, {len(doc['enterprises'])} enterprises, "
         f"{len(doc['listings'])} listings to {file}")


@main.group()
def catalog() -> None:
    """Reference data: HW list, exemptions, EU List of Waste, chemicals."""


@catalog.command("import-hw-list")
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.pass_obj
def import_hw_list_cmd(cli: Cli, pdf: Path) -> None:
    """Load the official 国家危险废物名录 (codes and exemption list) from its published PDF."""
    from catalog.hw_list_pdf import HwListParseError, parse_hw_list_pdf
    from marketplace.errors import ValidationFailed
    from marketplace.services.catalog import import_hw_list

    started = time.perf_counter()
    try:
        edition = parse_hw_list_pdf(pdf, progress=StderrProgress(f"parsing {pdf.name} pages"))
    except HwListParseError as exc:
        fail(cli, ValidationFailed(f"cannot read {pdf.name} as the HW list: {exc}", {"pdf": [str(exc)]}))
        return
    parsed = time.perf_counter()
    with cli.transaction() as session:
        load = import_hw_list(session, edition, actor=cli.actor(), source=pdf.name)
    result = {"edition": edition.edition, **load.as_dict(), "parse_seconds": round(parsed - started, 2),
              "seconds": round(time.perf_counter() - started, 2)}
    if cli.as_json:
        emit_json(result)
    else:
        info(f"国家危险废物名录 {edition.edition}: {load.codes} codes in {load.categories} categories, "
             f"{load.exemptions} exemption rows ({load.removed_codes} old codes removed) "
             f"in {result['seconds']} s")


@catalog.command("import-ewc")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.pass_obj
def import_ewc_cmd(cli: Cli, file: Path) -> None:
    """Load the EU List of Waste from its JSON file."""
    from catalog.ewc import load_ewc
    from marketplace.errors import ValidationFailed
    from marketplace.services.catalog import import_ewc

    try:
        codes = load_ewc(file)
    except ValueError as exc:
        fail(cli, ValidationFailed(f"cannot read {file.name}: {exc}", {"file": [str(exc)]}))
        return
    with cli.transaction() as session:
        n = import_ewc(session, codes, actor=cli.actor(), source=file.name)
    hazardous = sum(1 for c in codes if c.hazardous)
    if cli.as_json:
        emit_json({"codes": n, "hazardous": hazardous})
    else:
        info(f"EU List of Waste: {n} codes, {hazardous} hazardous")


@catalog.command("codes")
@click.option("--search", default=None, help="Text in the code, category, industry or description.")
@click.option("--category", default=None, help="Only one category, e.g. HW08.")
@json_option
@click.pass_obj
def codes_cmd(cli: Cli, search: str | None, category: str | None) -> None:
    """HW codes of the loaded list."""
    from marketplace.services.catalog import list_codes

    with cli.transaction() as session:
        rows = list_codes(session, search=search, category=category)
    if cli.as_json:
        emit_json(rows)
        return
    for r in rows:
        click.echo(f"{r['code']}  {r['category']}  {r['hazard']:7s} {r['description']}")
    info(f"{len(rows)} codes")


@catalog.command("categories")
@json_option
@click.pass_obj
def categories_cmd(cli: Cli) -> None:
    """HW categories with their names and how many codes are loaded."""
    from marketplace.services.catalog import list_categories

    with cli.transaction() as session:
        rows = list_categories(session)
    if cli.as_json:
        emit_json(rows)
        return
    for r in rows:
        click.echo(f"{r['category']}  {r['codes']:3d}  {r['name']}  / {r['name_en']}")


@catalog.command("exemptions")
@click.option("--code", default=None, help="Rows that name this HW code or its whole category.")
@click.option("--search", default=None, help="Text in the waste, stage, conditions or content.")
@json_option
@click.pass_obj
def exemptions_cmd(cli: Cli, code: str | None, search: str | None) -> None:
    """The exemption list 危险废物豁免管理清单."""
    from marketplace.services.catalog import list_exemptions

    with cli.transaction() as session:
        rows = list_exemptions(session, code=code, search=search)
    if cli.as_json:
        emit_json(rows)
        return
    for r in rows:
        named = ", ".join(r["codes"] + r["categories"]) or "—"
        click.echo(f"{r['number']:2d}  {r['waste']}  [{named}]  {r['stage']}: {r['conditions']} → {r['exempted']}")
    info(f"{len(rows)} exemption rows")


@catalog.command("ewc")
@click.option("--search", default=None)
@click.option("--hazardous/--non-hazardous", default=None)
@json_option
@click.pass_obj
def ewc_cmd(cli: Cli, search: str | None, hazardous: bool | None) -> None:
    """EU List of Waste codes."""
    from marketplace.services.catalog import list_ewc

    with cli.transaction() as session:
        rows = list_ewc(session, search=search, hazardous=hazardous)
    if cli.as_json:
        emit_json(rows)
        return
    for r in rows:
        click.echo(f"{r['code']}{'*' if r['hazardous'] else ' '} {r['description']}")
    info(f"{len(rows)} codes")


@catalog.command("chemical")
@click.argument("query")
@json_option
@click.pass_obj
def chemical_cmd(cli: Cli, query: str) -> None:
    """Identity, properties and control-list membership of a chemical by CAS or name."""
    from dataclasses import asdict

    from catalog.chemistry import lookup
    from marketplace.errors import NotFound, ValidationFailed

    try:
        found = lookup(query)
    except ValueError as exc:  # a malformed CAS number: say why
        fail(cli, ValidationFailed(str(exc), {"query": [str(exc)]}))
        return
    if found is None:
        fail(cli, NotFound(f"no chemical found for {query!r}", {"query": ["unknown CAS number or name"]}))
        return
    doc = asdict(found)
    if cli.as_json:
        emit_json(doc)
        return
    for key, value in doc.items():
        if value not in (None, [], (), ""):
            click.echo(f"{key}: {value}")


def _serve(url: str, host: str, port: int) -> None:
    from waitress import serve as waitress_serve

    from .app import create_app

    app = create_app({"database_url": url})
    info(f"serving on http://{host}:{port}/  (Ctrl-C to stop)")
    try:
        waitress_serve(app, host=host, port=port, threads=8)
    except OSError as exc:  # most often: the port is taken by another server
        raise click.ClickException(f"cannot serve on {host}:{port}: {exc.strerror}; choose another --port "
                                   f"(端口不可用，请用 --port 指定其他端口)") from None


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.pass_obj
def serve(cli: Cli, host: str, port: int) -> None:
    """Serve the web app and the API."""
    _serve(cli.url, host, port)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Set everything up, then stop instead of serving.")
@click.pass_context
def demo(ctx: click.Context, host: str, port: int, no_serve: bool) -> None:
    """Set up the demonstration park on the embedded database and serve the web app."""
    cli: Cli = ctx.obj
    started = time.perf_counter()
    info(f"[1/3] database {cli.engine.url.render_as_string(hide_password=True)}")
    ctx.invoke(init)
    hw_pdf = SHARED_DATA / "hw-list-2021" / "gjwxfwml.pdf"
    if hw_pdf.exists():
        info(f"[2/3] official HW list from {hw_pdf}")
        ctx.invoke(import_hw_list_cmd, pdf=hw_pdf)
    else:
        info("[2/3] official HW list PDF not found beside the repository; using the built-in catalogue")
    info(f"[3/3] demonstration park from {DEMO_FILE}")
    ctx.invoke(import_, file=DEMO_FILE)
    info(f"demo ready in {time.perf_counter() - started:.1f} s")
    if not no_serve:
        _serve(cli.url, host, port)
