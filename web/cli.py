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

from .config import AppConfig, ensure_sqlite_dir
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

    def operator(self):
        """The principal the command line acts as: the local operator, with an admin's reach."""
        from marketplace.services.accounts.users import system_principal

        return system_principal(self.actor())


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


class _Commands(click.Group):
    """The command group; the one place a refused operation becomes its report and exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            fail(ctx.find_object(Cli), exc)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_url", envvar="WASTEMATCH_DATABASE_URL", default=None, metavar="URL",
              help="Database URL (default: SQLite file in the instance folder).")
@click.pass_context
def main(ctx: click.Context, db_url: str | None) -> None:
    """wastematch — 工业园区固废与富余化学品匹配 / industrial waste and surplus matching."""
    ctx.obj = Cli(url=db_url or AppConfig.from_env().database_url)


@main.command()
@json_option
@click.pass_obj
def init(cli: Cli) -> None:
    """Create or upgrade the schema and load the built-in catalogue (idempotent)."""
    from marketplace.services.catalog.reference import load_builtin_catalog

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
        from marketplace.services.listings.interchange_xlsx import read_workbook

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
    from marketplace.services.listings.interchange import import_document

    started = time.perf_counter()
    doc, locate = _read_document(file)
    with cli.transaction() as session:
        try:
            report = import_document(session, doc, actor=cli.actor(), source=file.name,
                                     progress=lambda stage, done, total: info(f"  {stage} {done}/{total}"))
        except ValidationFailed as exc:
            exc.errors = {locate(p): v for p, v in exc.errors.items()}
            raise
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
    from marketplace.services.listings.interchange import export_document

    with cli.transaction() as session:
        doc = export_document(session, park=park)
    if str(file) == "-":
        emit_json(doc)
        return
    file.parent.mkdir(parents=True, exist_ok=True)
    if file.suffix.lower() == ".xlsx":
        from marketplace.services.listings.interchange_xlsx import write_workbook

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
    from marketplace.services.catalog.reference import import_hw_list

    started = time.perf_counter()
    try:
        edition = parse_hw_list_pdf(pdf, progress=StderrProgress(f"parsing {pdf.name} pages"))
    except HwListParseError as exc:
        raise ValidationFailed(f"cannot read {pdf.name} as the HW list: {exc}", {"pdf": [str(exc)]}) from None
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
    from marketplace.services.catalog.reference import import_ewc

    try:
        codes = load_ewc(file)
    except ValueError as exc:
        raise ValidationFailed(f"cannot read {file.name}: {exc}", {"file": [str(exc)]}) from None
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
    from marketplace.services.catalog.reference import list_codes

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
    from marketplace.services.catalog.reference import list_categories

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
    from marketplace.services.catalog.reference import list_exemptions

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
    from marketplace.services.catalog.reference import list_ewc

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
        raise ValidationFailed(str(exc), {"query": [str(exc)]}) from None
    if found is None:
        raise NotFound(f"no chemical found for {query!r}", {"query": ["unknown CAS number or name"]})
    doc = asdict(found)
    if cli.as_json:
        emit_json(doc)
        return
    for key, value in doc.items():
        if value not in (None, [], (), ""):
            click.echo(f"{key}: {value}")


def _settings(exact: bool = False, time_limit: float | None = None, today: str | None = None):
    from matching.problem import Settings

    kwargs: dict[str, Any] = {"exact": exact}
    if time_limit is not None:
        kwargs["time_limit_s"] = time_limit
    if today:
        kwargs["today"] = click.DateTime(["%Y-%m-%d"]).convert(today, None, None).date()
    return Settings(**kwargs)


@main.command()
@click.argument("refs", nargs=-1, required=True)
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 100), help="Recommendations per listing.")
@click.option("--today", default=None, metavar="YYYY-MM-DD", help="Judge licence validity on this date.")
@json_option
@click.pass_obj
def recommend(cli: Cli, refs: tuple[str, ...], top: int, today: str | None) -> None:
    """One-click matching (一键资源匹配): ranked needs for an offer, offers for a need."""
    from marketplace.services.matching.recommendations import recommend as recommend_service

    started = time.perf_counter()
    with cli.transaction() as session:
        doc = recommend_service(session, list(refs), top=top, settings=_settings(today=today))
    if cli.as_json:
        emit_json(doc)
        return
    for result in doc["results"]:
        click.echo(f"{result['listing']} ({result.get('kind', '')}): {len(result['recommendations'])} recommendations"
                   + (f" — {result['note']}" if result.get("note") else ""))
        for i, r in enumerate(result["recommendations"], start=1):
            flags = [c["code"] for c in r["checks"] if not c["passed"]]
            click.echo(f"  {i}. {r['listing']} [{r['enterprise']}] score {r['score']:,.0f} "
                       f"({r['weight']} CNY/t × {r['quantity_t']:,.1f} t), {r['distance_km']:.1f} km"
                       + (f", flags: {', '.join(flags)}" if flags else ""))
            for reason in r["reasons"][:2]:
                click.echo(f"       {reason}")
    info(f"{len(refs)} listing(s) in {time.perf_counter() - started:.2f} s")


@main.command()
@click.option("--park", default=None, help="Only this park's listings.")
@click.option("--exact", is_flag=True, help="CP-SAT with side constraints (minimum lot, suppliers, mixes).")
@click.option("--time-limit", "time_limit", type=click.FloatRange(0.1, 3600), default=None,
              help="Seconds for the exact solver.")
@click.option("--min-lot", "min_lot", type=click.FloatRange(0), default=None, help="Exact mode: minimum tonnes per link.")
@click.option("--max-suppliers", "max_suppliers", type=click.IntRange(1), default=None,
              help="Exact mode: at most this many offers per need.")
@click.option("--today", default=None, metavar="YYYY-MM-DD", help="Judge licence validity on this date.")
@click.option("--with-candidates", is_flag=True, help="Also list every arc the optimiser could use.")
@json_option
@click.pass_obj
def match(cli: Cli, park: str | None, exact: bool, time_limit: float | None, min_lot: float | None,
          max_suppliers: int | None, today: str | None, with_candidates: bool) -> None:
    """Park-wide optimisation, saved as a match run of proposals."""
    from dataclasses import replace

    from marketplace.services.matching.runs import run_document, run_matching

    settings = _settings(exact=exact, time_limit=time_limit, today=today)
    if min_lot is not None:
        settings = replace(settings, min_lot_t=min_lot)
    if max_suppliers is not None:
        settings = replace(settings, max_suppliers_per_need=max_suppliers)
    info(f"matching {'park ' + park if park else 'all parks'} ({'exact CP-SAT' if exact else 'min-cost flow'})…")
    with cli.transaction() as session:
        run, result = run_matching(session, park=park, actor=cli.actor(), settings=settings,
                                   with_candidates=with_candidates)
        doc = run_document(run, result, with_candidates=with_candidates)
    if cli.as_json:
        emit_json(doc)
        return
    c, t = result.counts, result.timings
    for m in doc["matches"]:
        flags = [x["code"] for x in m["checks"] if not x["passed"]]
        click.echo(f"{m['offer']} → {m['need']}: {m['quantity_t']:,.1f} t × {m['weight']} CNY/t = {m['score']:,.0f}, "
                   f"{m['distance_km']:.1f} km" + (f"  flags: {', '.join(flags)}" if flags else ""))
    info(f"run {run.id}: {result.status}, objective {result.objective:,.0f} (greedy {result.greedy_objective:,.0f}); "
         f"{c['matches']} matches from {c['offers']} offers × {c['needs']} needs, {c['arcs']} candidate arcs "
         f"({c['legal_arcs']} legal), {len(result.unmatched['offers'])} offers not fully placed; "
         f"{t['total_s']:.2f} s")


@main.group()
def users() -> None:
    """Accounts: enterprise users, coordinators, admins (用户与角色)."""


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _read_password() -> str:
    """The new password: typed twice at a terminal, else the first line of stdin."""
    from marketplace.errors import ValidationFailed

    if _stdin_is_terminal():
        first = getpass.getpass("password (密码): ")
        if getpass.getpass("again (再次输入): ") != first:
            raise ValidationFailed("the two passwords differ (两次输入的密码不一致)",
                                   {"password": ["the two entries differ"]})
        password = first
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise ValidationFailed("no password given: type it, or pipe it on stdin (未提供密码)",
                               {"password": ["empty; give it on the first line of stdin"]})
    return password


@users.command("add")
@click.argument("email")
@click.option("--role", required=True, metavar="enterprise|coordinator|admin", help="The account's role.")
@click.option("--enterprise", default=None, metavar="REF", help="Enterprise ref (enterprise users).")
@click.option("--park", "parks", multiple=True, metavar="CODE", help="Park code (coordinators; repeatable).")
@click.option("--name", default="", help="Display name.")
@json_option
@click.pass_obj
def users_add(cli: Cli, email: str, role: str, enterprise: str | None, parks: tuple[str, ...], name: str) -> None:
    """Add an account; the password is read from stdin (prompted twice at a terminal)."""
    from marketplace.services.accounts.users import create_user, user_dict

    password = _read_password()
    with cli.transaction() as session:
        user = create_user(session, email=email, password=password, role=role, actor=cli.actor(),
                           enterprise=enterprise, parks=parks, name=name)
        doc = user_dict(user)
    if cli.as_json:
        emit_json(doc)
    else:
        scope = doc["enterprise"] or ", ".join(doc["parks"]) or "all parks"
        info(f"created {doc['role']} {doc['email']} ({scope}), user id {doc['id']}")


@users.command("list")
@click.option("--role", default=None, metavar="enterprise|coordinator|admin", help="Only this role.")
@json_option
@click.pass_obj
def users_list(cli: Cli, role: str | None) -> None:
    """All accounts with their role, enterprise and parks."""
    from marketplace.services.accounts.users import user_dict, users_query

    stmt = users_query(role=role)
    with cli.transaction() as session:
        rows = [user_dict(u) for u in session.scalars(stmt)]
    if cli.as_json:
        emit_json(rows)
        return
    for r in rows:
        scope = r["enterprise"] or ", ".join(r["parks"]) or "—"
        click.echo(f"{r['id']:4d}  {r['email']:36s} {r['role']:11s} {scope:12s} "
                   f"{'' if r['active'] else '(disabled) '}{r['name']}")
    info(f"{len(rows)} users")


@main.group()
def matches() -> None:
    """The match workflow's system jobs."""


@matches.command("expire")
@json_option
@click.pass_obj
def matches_expire(cli: Cli) -> None:
    """Expire proposals nobody confirmed in time (proposed/accepted past their expiry): a job for cron."""
    from marketplace.services.matching.workflow import expire_stale

    with cli.transaction() as session:
        n = expire_stale(session, actor=cli.actor())
    if cli.as_json:
        emit_json({"expired": n})
    else:
        info(f"{n} match(es) expired (已过期)")


@main.group()
def approvals() -> None:
    """Point-to-point utilisation approvals (点对点定向利用)."""


@approvals.command("add")
@click.argument("number")
@click.option("--producer", required=True, help="Enterprise ref of the producer.")
@click.option("--receiver", required=True, help="Enterprise ref of the user.")
@click.option("--code", "waste_code", required=True, help="HW code, e.g. 900-300-34.")
@click.option("--valid-from", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--valid-to", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--note", default="")
@json_option
@click.pass_obj
def approvals_add(cli: Cli, number: str, producer: str, receiver: str, waste_code: str, valid_from, valid_to,
                  note: str) -> None:
    """Register an approval so the matcher can lift the licence check for that pair and code."""
    from marketplace.services.matching.point_to_point import register_approval

    with cli.transaction() as session:
        row = register_approval(session, number=number, producer=producer, receiver=receiver,
                                waste_code=waste_code, valid_from=valid_from.date(),
                                valid_to=valid_to.date() if valid_to else None, actor=cli.actor(), note=note)
        doc = {"number": row.number, "producer": producer, "receiver": receiver, "waste_code": waste_code,
               "valid_from": str(row.valid_from), "valid_to": str(row.valid_to) if row.valid_to else None}
    if cli.as_json:
        emit_json(doc)
    else:
        info(f"registered point-to-point approval {number}: {producer} → {receiver}, {waste_code}")


@main.group()
def model() -> None:
    """The re-ranking model learnt from coordinators' decisions (决策学习排序模型)."""


def _model_lines(doc: dict[str, Any]) -> list[str]:
    m = doc["metric"]
    baseline = m.get("baseline_weight_auc")
    lines = [f"ranking model #{doc['id']} ({doc['kind']}), trained {doc['trained_at']}"
             + (" [active]" if doc["active"] else ""),
             f"  decisions used: {doc['decisions']} ({doc['approved']} approved, {doc['rejected']} rejected; "
             f"base rate {doc['base_rate']:.2f})",
             f"  validation: {m['name']} {m['value']:.3f} ± {(m.get('sd') or 0.0):.3f} "
             f"({len(m.get('folds') or [])}-fold stratified)"
             + (f"; the engine's weight alone: {baseline:.3f}" if baseline is not None else "")]
    top = sorted(doc["features"], key=lambda f: -abs(f["coefficient"]))[:5]
    if top:
        lines.append("  strongest features: " + ", ".join(f"{f['name']} {f['coefficient']:+.2f}" for f in top))
    return lines


@model.command("train")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 10), help="Cross-validation folds.")
@json_option
@click.pass_obj
def model_train(cli: Cli, folds: int) -> None:
    """Train on every approval and rejection and make the model active (exit 1 if too few decisions)."""
    from marketplace.services.matching.learning import model_dict, train

    with cli.transaction() as session:
        row = train(session, cli.actor(), folds=folds)
        doc = model_dict(row)
    doc["stored"] = {"table": "ranking_models", "id": doc["id"],
                     "database": cli.engine.url.render_as_string(hide_password=True)}
    if cli.as_json:
        emit_json(doc)
        return
    for line in _model_lines(doc):
        click.echo(line)
    info(f"stored as ranking model #{doc['id']} (table ranking_models) in {doc['stored']['database']}; "
         "recommendations are now re-ranked with it")


@model.command("show")
@json_option
@click.pass_obj
def model_show(cli: Cli) -> None:
    """The active model, its validation metric, and how many decisions exist now."""
    from marketplace.errors import NotFound
    from marketplace.services.matching.learning import active_model, decision_counts, model_dict

    with cli.transaction() as session:
        counts = decision_counts(session)
        row = active_model(session)
        if row is None:
            raise NotFound(f"no ranking model has been trained yet (尚未训练排序模型); {counts['decisions']} decisions "
                           f"on record ({counts['approved']} approved, {counts['rejected']} rejected), "
                           f"training needs {counts['min_decisions']} with {counts['min_per_class']} of each",
                           {"ranking_model": ["none trained"]})
        doc = model_dict(row) | {"available": counts}
    if cli.as_json:
        emit_json(doc)
        return
    for line in _model_lines(doc):
        click.echo(line)
    click.echo(f"  decisions on record now: {counts['decisions']} ({counts['approved']} approved, "
               f"{counts['rejected']} rejected)")


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


def _seed_demo_accounts(cli: Cli) -> list:
    """The demo park's accounts (created once; a re-run leaves them alone)."""
    from marketplace.demo.accounts import seed_demo_accounts

    with cli.transaction() as session:
        return seed_demo_accounts(session, actor=cli.actor())


def _seed_demo_history(cli: Cli) -> None:
    """Approved matches, shipments with manifests, ledger entries, findings and alerts (once)."""
    from marketplace.demo.history import seed_demo_history

    with cli.transaction() as session:
        report = seed_demo_history(session, progress=StderrProgress("  history"))
    if report.skipped:
        info("  transfers already recorded: history left as it is; alerts re-scanned "
             f"({sum(report.alerts.values())} active)")
        return
    shipped = ", ".join(f"{n} {status}" for status, n in sorted(report.shipments.items()))
    info(f"  {report.approved} matches approved, {sum(report.shipments.values())} shipments ({shipped}), "
         f"{report.tonnes_received:.1f} t received, {report.completed_matches} match(es) completed")
    info(f"  {report.ledger_entries} ledger entries; findings: "
         + (", ".join(f"{code} {n}" for code, n in sorted(report.findings.items())) or "none"))
    info("  alerts: " + (", ".join(f"{kind} {n}" for kind, n in sorted(report.alerts.items()) if n) or "none")
         + f"  ({report.seconds:.1f} s; see `wastematch alerts list`, `wastematch transfers list`)")


def _write_demo_report(cli: Cli) -> Path:
    """The demo park's HTML report of the last year, in the instance folder."""
    from marketplace.services.reports.document import build_report

    from .cli_report import report_summary_lines, write_report

    out = AppConfig.from_env().instance_path / "reports" / "demo-report.html"
    with cli.transaction() as session:
        doc = build_report(session, cli.operator())
    write_report(doc, "html", out)
    for line in report_summary_lines(doc):
        info(line)
    return out


def _print_demo_accounts(seeded: list) -> None:
    """The sign-in table of the demo accounts, on stderr."""
    info("demo accounts (演示账户) — sign in on the pages (/signin) or the API (POST /api/v1/auth/token):")
    rows = [("email", "role", "enterprise/park", "password")]
    for s in seeded:
        d = s.as_dict()
        rows.append((d["email"], d["role"], s.account.scope, d["password"] or "(changed since seeding)"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        info("  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Set everything up, then stop instead of serving.")
@click.pass_context
def demo(ctx: click.Context, host: str, port: int, no_serve: bool) -> None:
    """Set up the demonstration park on the embedded database and serve the web app."""
    cli: Cli = ctx.obj
    started = time.perf_counter()
    info(f"[1/7] database {cli.engine.url.render_as_string(hide_password=True)}")
    ctx.invoke(init)
    hw_pdf = SHARED_DATA / "hw-list-2021" / "gjwxfwml.pdf"
    if hw_pdf.exists():
        info(f"[2/7] official HW list from {hw_pdf}")
        ctx.invoke(import_hw_list_cmd, pdf=hw_pdf)
    else:
        info("[2/7] official HW list PDF not found beside the repository; using the built-in catalogue")
    info(f"[3/7] demonstration park from {DEMO_FILE}")
    ctx.invoke(import_, file=DEMO_FILE)
    info("[4/7] park-wide matching (一键资源匹配)")
    ctx.invoke(match, park=None, exact=False, time_limit=None, min_lot=None, max_suppliers=None, today=None,
               with_candidates=False)
    info("[5/7] four months of transfers, manifests and ledger entries (转移联单与化学物质台账)")
    _seed_demo_history(cli)
    info("[6/7] demonstration accounts (演示账户)")
    seeded = _seed_demo_accounts(cli)
    info("[7/7] park report: symbiosis chains, loops, KPIs, ratings (产业共生与无废城市报告)")
    report_file = _write_demo_report(cli)
    info(f"demo ready in {time.perf_counter() - started:.1f} s; report: {report_file} "
         f"(and on the page /reports after signing in as a coordinator)")
    _print_demo_accounts(seeded)
    if not no_serve:
        info(f"open http://{host}:{port}/ in a browser: 企业用户 e022@… (enterprise), 园区管理者 coord-ch@… "
             "(coordinator); 中文 by default, English by the switch at the top right")
        _serve(cli.url, host, port)


# Traceability commands live in their own modules; importing them attaches them to ``main``.
from . import cli_alerts, cli_ledger, cli_report, cli_trace, cli_transfers    # noqa: E402,F401
