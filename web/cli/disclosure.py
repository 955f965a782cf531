"""`wastematch disclosure REF --year Y`: an enterprise's annual environmental disclosure (企业环境信息依法披露).

Not the confidentiality rules (``accounts.disclosure``): this is the yearly document a roster enterprise
makes public. The command acts as the local operator: it generates the draft, or refreshes it, unless it is
published (a published disclosure never changes and is written as published), and writes it as JSON (the
contract: at least ``enterprise``, ``year``, ``substances``, ``hazardous_waste``, ``violations``) or as a
self-contained bilingual HTML page. ``--out -`` writes the JSON on stdout; where it went is said on stderr.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from .context import Cli
from .help_text import command
from .output import say, text

SUFFIX_FORMATS = {".html": "html", ".htm": "html", ".json": "json"}


@command("disclosure")
@click.argument("ref")
@click.option("--year", type=int, required=True, help="The year disclosed (e.g. 2025).")
@click.option("--format", "fmt", type=click.Choice(("html", "json")), default=None,
              help="Output format (default: from the --out suffix, else json).")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="Where to write it ('-': stdout, with json).")
@click.pass_obj
def disclosure(cli: Cli, ref: str, year: int, fmt: str | None, out: Path) -> None:
    """The annual environmental disclosure of enterprise REF for --year.

    Generates or refreshes the draft (unless published) and writes it.
    """
    from marketplace.services.governance import disclosures

    fmt = fmt or SUFFIX_FORMATS.get(out.suffix.lower(), "json")
    to_stdout = str(out) == "-"
    if to_stdout and fmt != "json":
        raise click.UsageError(text("--out: -（标准输出）仅用于 --format json", "--out: - (stdout) is only for --format json"))
    if not to_stdout and out.is_dir():
        raise click.UsageError(text(f"--out: {out} 是文件夹，请给出文件名", f"--out: {out} is a folder; give a file name"))
    with cli.transaction() as session:
        d = disclosures.refreshed_disclosure(session, cli.operator(), ref, year)
        view = disclosures.disclosure_view(d)
    document = disclosures.render_html(view) if fmt == "html" else json.dumps(view["content"], ensure_ascii=False,
                                                                                 indent=2)
    if to_stdout:
        click.echo(document)
    else:
        out.write_text(document + ("\n" if fmt == "json" else ""), encoding="utf-8")
    status = view["status"]
    status_zh = disclosures.STATUS_TEXT.get(status, (status,))[0]
    say(f"信息披露 {ref} {year}（{status_zh}）→ {'标准输出' if to_stdout else out}（{fmt}）",
        f"disclosure {ref} {year} ({status}) → {'stdout' if to_stdout else out} ({fmt})")

