"""``wastematch catalog …``: the reference data (HW list and exemptions, EU List of Waste, chemicals)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .context import Cli
from .help_text import group
from .output import StderrProgress, emit_json, json_option, say, text

if TYPE_CHECKING:
    from marketplace.services.catalog.reference import CatalogStatus

# What ``catalog chemical`` prints: the identity's fields, named in Chinese (the English line keeps the field).
CHEMICAL_FIELD_ZH = {"cas": "CAS 号", "name": "名称", "iupac_name": "IUPAC 名称", "name_zh": "中文名称",
                     "formula": "分子式", "molecular_weight": "分子量", "smiles": "SMILES", "flash_point_k": "闪点（K）",
                     "boiling_point_k": "沸点（K）", "twa": "时间加权平均容许浓度", "stel": "短时间接触容许浓度",
                     "ceiling": "最高容许浓度", "skin": "经皮吸收", "carcinogen": "致癌性分类", "control": "所在管控名录",
                     "record_cas": "数据记录的 CAS 号", "in_database": "收录于化学品数据库"}


@group()
def catalog() -> None:
    """Reference data: HW list, exemptions, EU List of Waste, chemicals."""


@catalog.command("import-hw-list")
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.pass_obj
def import_hw_list_cmd(cli: Cli, pdf: Path) -> None:
    """Load the official National Catalogue of Hazardous Wastes (codes and exemption list) from its published PDF."""
    from catalog.hw_list_pdf import HwListParseError, parse_hw_list_pdf
    from marketplace.errors import ValidationFailed
    from marketplace.services.catalog.reference import import_hw_list

    started = time.perf_counter()
    try:
        edition = parse_hw_list_pdf(pdf, progress=StderrProgress(text(f"正在解析 {pdf.name} 的页面",
                                                                      f"parsing {pdf.name} pages")))
    except HwListParseError as exc:
        raise ValidationFailed(f"cannot read {pdf.name} as the HW list: {exc.en} (无法作为危险废物名录读取：{exc.zh})",
                               {"pdf": [f"{exc.en} ({exc.zh})"]}) from None
    parsed = time.perf_counter()
    with cli.transaction() as session:
        load = import_hw_list(session, edition, actor=cli.actor(), source=pdf.name)
    result = {"edition": edition.edition, **load.as_dict(), "parse_seconds": round(parsed - started, 2),
              "seconds": round(time.perf_counter() - started, 2)}
    if cli.as_json:
        emit_json(result)
    else:
        say(f"国家危险废物名录（{edition.edition}年版）: {load.categories} 个类别共 {load.codes} 个代码，"
            f"豁免清单 {load.exemptions} 条（删除旧代码 {load.removed_codes} 个），用时 {result['seconds']} 秒",
            f"National Hazardous Waste List {edition.edition}: {load.codes} codes in {load.categories} categories, "
            f"{load.exemptions} exemption rows ({load.removed_codes} old codes removed) in {result['seconds']} s")


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
        say(f"欧盟废物名录: {n} 个代码，其中危险废物 {hazardous} 个", f"EU List of Waste: {n} codes, {hazardous} hazardous")


def say_catalog_note(status: CatalogStatus) -> None:
    """The note on stderr when the official HW list was never imported (stdout stays data)."""
    if not status.complete:
        say(*status.lines())


def _warn_if_partial(session) -> None:
    from marketplace.services.catalog.reference import catalog_status

    say_catalog_note(catalog_status(session))


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
    origin_zh, origin_en = ("官方名录", "official PDF") if status.complete else ("内置子集", "built-in subset")
    click.echo(text(f"危险废物代码: 共 {status.edition_codes} 个，已载入 {status.codes} 个（{origin_zh}）",
                    f"HW codes: {status.codes} of {status.edition_codes} ({origin_en})"))
    click.echo(text("豁免清单条目", "exemption rows") + f": {status.exemptions}")
    if not status.complete:
        click.echo(text("官方名录: 国家危险废物名录（2021年版），生态环境部等 2020 年部令第 15 号（gjwxfwml.pdf）",
                        "official list: the National Hazardous Waste List, 2021 edition, Ministry of Ecology and "
                        "Environment order No. 15 of 2020 (gjwxfwml.pdf)"))
    say_catalog_note(status)


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
    say(f"{len(rows)} 个代码", f"{len(rows)} codes")


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
        click.echo(f"{r['category']}  {r['codes']:3d}  " + text(r["name"], r["name_en"] or r["name"]))


@catalog.command("exemptions")
@click.option("--code", default=None, help="Rows that name this HW code or its whole category.")
@click.option("--search", default=None, help="Text in the waste, stage, conditions or content.")
@json_option
@click.pass_obj
def exemptions_cmd(cli: Cli, code: str | None, search: str | None) -> None:
    """The hazardous waste exemption list."""
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
    say(f"豁免清单 {len(rows)} 条", f"{len(rows)} exemption rows")


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
    say(f"{len(rows)} 个代码", f"{len(rows)} codes")


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
            click.echo(text(CHEMICAL_FIELD_ZH.get(key, key), key) + f": {value}")
