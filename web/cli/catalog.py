"""``wastematch catalog …``: the reference data (HW list and exemptions, EU List of Waste, chemicals)."""
from __future__ import annotations

import time
from pathlib import Path

import click

from .context import Cli
from .output import StderrProgress, emit_json, info, json_option


@click.group()
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
        raise ValidationFailed(f"cannot read {pdf.name} as the HW list: {exc} (无法读取该危险废物名录 PDF 文件)",
                               {"pdf": [f"{exc} (无法解析名录)"]}) from None
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
        raise ValidationFailed(f"cannot read {file.name}: {exc} (无法读取欧盟废物名录文件)",
                               {"file": [f"{exc} (文件无法读取)"]}) from None
    with cli.transaction() as session:
        n = import_ewc(session, codes, actor=cli.actor(), source=file.name)
    hazardous = sum(1 for c in codes if c.hazardous)
    if cli.as_json:
        emit_json({"codes": n, "hazardous": hazardous})
    else:
        info(f"EU List of Waste: {n} codes, {hazardous} hazardous")


def _warn_if_partial(session) -> None:
    """The note on stderr when the official HW list was never imported (stdout stays data)."""
    from marketplace.services.catalog.reference import catalog_status

    for line in catalog_status(session).lines():
        info(line)


@catalog.command("status")
@json_option
@click.pass_obj
def status_cmd(cli: Cli) -> None:
    """How many HW codes of the 2021 list are loaded, the exemption rows, and how to import the rest."""
    from marketplace.services.catalog.reference import catalog_status

    with cli.transaction() as session:
        status = catalog_status(session)
    if cli.as_json:
        emit_json(status.as_dict())
        return
    origin = "official PDF 官方名录" if status.complete else "built-in subset 内置子集"
    click.echo(f"HW codes 危险废物代码: {status.codes} of {status.edition_codes} ({origin})")
    click.echo(f"exemption rows 豁免清单条目: {status.exemptions}")
    if not status.complete:
        click.echo("official list 官方名录: 国家危险废物名录（2021年版），生态环境部等 2020 年部令第 15 号 / the National "
                   "Hazardous Waste List, 2021 edition, Ministry of Ecology and Environment order No. 15 of 2020 "
                   "(gjwxfwml.pdf)")
    for line in status.lines():
        info(line)


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
        _warn_if_partial(session)
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
        _warn_if_partial(session)
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
        problem = "校验位有误" if "check digit" in str(exc) else "格式须为 NNNNNNN-NN-N"
        why = f"{exc} (CAS 号无效：{problem})"
        raise ValidationFailed(why, {"query": [why]}) from None
    if found is None:
        raise NotFound(f"no chemical found for {query!r} (未找到该化学品)",
                       {"query": ["unknown CAS number or name (未知的 CAS 号或名称)"]})
    doc = asdict(found)
    if cli.as_json:
        emit_json(doc)
        return
    for key, value in doc.items():
        if value not in (None, [], (), ""):
            click.echo(f"{key}: {value}")
