"""`wastematch transfers …`: shipments of approved matches, their manifests (转移联单) and container labels.

The CLI acts as the local operator (an admin principal named after the login), like the
other commands; each command is one transaction.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import click

from marketplace.errors import ValidationFailed
from marketplace.models import PACKAGINGS, SHIPMENT_STATUSES
from marketplace.models.base import CHINA_TZ

from .context import Cli
from .help_text import group
from .output import emit_json, json_option, say, text

# "4×drum:0.25" (or 4xdrum:0.25, 4*drum:0.25): four drums of 0.25 t each.
BATCH_RE = re.compile(r"^\s*(\d+)\s*[×xX*]\s*([a-zA-Z]+)\s*:\s*([0-9.eE+-]+)\s*$")
ONE_RE = re.compile(r"^\s*([a-zA-Z]+)\s*:\s*([0-9.eE+-]+)\s*$")
# What ``transfers manifest | labels`` wrote, in Chinese.
PAGE_WRITTEN_ZH = {"manifest": "已将联单 {number} 写入 {out}", "labels": "已将联单 {number} 的容器标签写入 {out}"}


class AtTime(click.ParamType):
    """An ISO 8601 date-time; without an offset it is the park's local time (UTC+8)."""

    name = "DATETIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        try:
            parsed = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(text(f"{value!r} 不是 ISO 日期时间，应如 2026-12-01T09:30 或 2026-12-01T01:30+00:00",
                           f"{value!r} is not an ISO date-time such as 2026-12-01T09:30 or 2026-12-01T01:30+00:00"),
                      param, ctx)
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=CHINA_TZ)


AT = AtTime()


def _containers(single: tuple[str, ...], batches: tuple[str, ...]) -> list[dict[str, Any]]:
    """Parse ``--container drum:0.2`` and ``--containers 4×drum:0.25`` into the service's container list."""
    from marketplace.services.traceability import transfers as svc

    out: list[dict[str, Any]] = []
    bad: list[str] = []
    for given in batches:
        m = BATCH_RE.match(given)
        if not m:
            bad.append(f"{given!r}: expected N×PACKAGING:TONNES, for example 4×drum:0.25 "
                       f"({given!r}：格式须为 数量×包装:吨数，如 4×drum:0.25)")
            continue
        if int(m.group(1)) > svc.MAX_CONTAINERS:  # refused before building the list, not after
            bad.append(f"{given!r}: at most {svc.MAX_CONTAINERS} containers per shipment "
                       f"({given!r}：每次转移最多 {svc.MAX_CONTAINERS} 个容器)")
            continue
        try:
            tonnes = float(m.group(3))
            out += [{"packaging": m.group(2).lower(), "quantity_t": tonnes} for _ in range(int(m.group(1)))]
        except ValueError:
            bad.append(f"{given!r}: {m.group(3)!r} is not a number ({given!r}：吨数须为数字)")
    for given in single:
        m = ONE_RE.match(given)
        if not m:
            bad.append(f"{given!r}: expected PACKAGING:TONNES, for example drum:0.2 "
                       f"({given!r}：格式须为 包装:吨数，如 drum:0.2)")
            continue
        try:
            out.append({"packaging": m.group(1).lower(), "quantity_t": float(m.group(2))})
        except ValueError:
            bad.append(f"{given!r}: {m.group(2)!r} is not a number ({given!r}：吨数须为数字)")
    if bad:
        raise ValidationFailed(f"containers not understood: packagings are {', '.join(PACKAGINGS)} "
                               f"(容器格式错误，包装可为 {'、'.join(PACKAGINGS)})",
                               {"containers": bad})
    return out


def _trip_options(carrier_help: str):
    """The trip's options of a planned shipment: carrier, its permit, vehicle, driver, planned date, note."""
    options = [
        click.option("--carrier", default=None, help=carrier_help),
        click.option("--carrier-licence", default=None, help="The carrier's road transport permit."),
        click.option("--vehicle", default=None, help="Plate number."),
        click.option("--driver", default=None, help="Driver."),
        click.option("--planned-on", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Planned date, YYYY-MM-DD."),
        click.option("--note", default="", help="Free note."),
    ]

    def apply(command):
        for option in reversed(options):
            command = option(command)
        return command
    return apply


def _received_containers(pairs: tuple[str, ...]) -> dict[str, float] | None:
    if not pairs:
        return None
    out, bad = {}, []
    for given in pairs:
        code, sep, tonnes = given.partition("=")
        try:
            if not sep:
                raise ValueError
            out[code.strip()] = float(tonnes)
        except ValueError:
            bad.append(f"{given!r}: expected CODE=TONNES, a container's code and its tonnes "
                       f"({given!r}：格式须为 容器编号=吨数)")
    if bad:
        raise ValidationFailed("received containers not understood (容器格式错误)", {"containers": bad})
    return out


def _line(doc: dict[str, Any]) -> str:
    """A shipment as one row: its data, with the words between in the invocation's language."""
    received = doc["quantity_received_t"]
    n = len(doc["containers"])
    return (f"{doc['manifest_number']:18s} {text(doc['status_zh'], doc['status']):10s} "
            f"{text('匹配', 'match')} #{doc['match']:<5d} "
            f"{doc['producer']['ref']} → {doc['receiver']['ref']}  {doc['waste_code'] or '—':10s} "
            f"{doc['quantity_t']:9.3f} t"
            + (" " + text(f"（已接收 {received:.3f} t）", f"(received {received:.3f} t)") if received is not None else "")
            + f"  {text(f'{n} 个容器', f'{n} container(s)')}  {doc['material']}")


def _done(doc: dict[str, Any], zh: str, en: str) -> None:
    """What became of the shipment: ``zh``/``en`` say what was done, before its manifest number and state."""
    say(f"{zh} {doc['manifest_number']}（{doc['status_zh']}）", f"{en} {doc['manifest_number']} ({doc['status']})")


def _show(cli: Cli, doc: dict[str, Any], zh: str, en: str) -> None:
    if cli.as_json:
        emit_json(doc)
        return
    click.echo(_line(doc))
    _done(doc, zh, en)


@group()
def transfers() -> None:
    """Shipments of approved matches: manifests and container codes."""


@transfers.command("plan")
@click.argument("match_id", type=int)
@click.option("--quantity", "quantity_t", type=float, required=True, help="Tonnes in this shipment.")
@click.option("--container", "single", multiple=True, metavar="PACKAGING:T",
              help=f"One container, e.g. drum:0.2 (repeatable; packagings: {', '.join(PACKAGINGS)}).")
@click.option("--containers", "batches", multiple=True, metavar="N×PACKAGING:T",
              help="N identical containers, e.g. 4×drum:0.25 (or 4xdrum:0.25; repeatable).")
@_trip_options("Carrier.")
@json_option
@click.pass_obj
def plan(cli: Cli, match_id: int, quantity_t: float, single: tuple[str, ...], batches: tuple[str, ...],
         carrier: str | None, carrier_licence: str | None, vehicle: str | None, driver: str | None,
         planned_on: dt.datetime | None, note: str) -> None:
    """Plan a shipment of an approved match; prints its manifest number and container codes."""
    from marketplace.services.traceability import transfers as svc

    containers = _containers(single, batches)
    with cli.transaction() as session:
        shipment = svc.create_shipment(session, cli.operator(), match_id, quantity_t=quantity_t,
                                       containers=containers, carrier=carrier, carrier_licence=carrier_licence,
                                       vehicle=vehicle, driver=driver,
                                       planned_on=planned_on.date() if planned_on else None, note=note)
        doc = svc.shipment_view(shipment)
    if cli.as_json:
        emit_json(doc)
        return
    from marketplace.services.traceability.trace import PACKAGING_ZH

    click.echo(_line(doc))
    for c in doc["containers"]:
        packaging = text(PACKAGING_ZH.get(c["packaging"], c["packaging"]), c["packaging"])
        click.echo(f"  {c['code']}  {packaging:8s} {c['quantity_t']:.3f} t")
    _done(doc, "已计划", "planned")


def _step(cli: Cli, manifest: str, action: str, verb: str, **kwargs: Any) -> None:
    """Apply ``action`` to the shipment of ``manifest``; ``verb``: what was done, in English."""
    from marketplace.services.traceability import transfers as svc

    principal = cli.operator()
    with cli.transaction() as session:
        shipment = svc.get_by_manifest(session, principal, manifest)
        shipment = svc.apply_event(session, principal, shipment.id, action, **kwargs)
        doc = svc.shipment_view(shipment)
    _show(cli, doc, f"已{svc.ACTION_ZH[action]}", verb)


@transfers.command("dispatch")
@click.argument("manifest")
@click.option("--at", type=AT, default=None, help="When it left (default now; no offset = UTC+8).")
@json_option
@click.pass_obj
def dispatch(cli: Cli, manifest: str, at: dt.datetime | None) -> None:
    """The shipment left the producer (planned → dispatched)."""
    _step(cli, manifest, "dispatch", "dispatched", at=at)


@transfers.command("receive")
@click.argument("manifest")
@click.option("--quantity", "quantity_t", type=float, required=True, help="Tonnes received (weighbridge).")
@click.option("--container", "pairs", multiple=True, metavar="CODE=T", help="Received tonnes of one container.")
@click.option("--at", type=AT, default=None, help="When it arrived (default now; no offset = UTC+8).")
@click.option("--remark", default=None, help="Receipt remark.")
@json_option
@click.pass_obj
def receive(cli: Cli, manifest: str, quantity_t: float, pairs: tuple[str, ...], at: dt.datetime | None,
            remark: str | None) -> None:
    """The receiver weighed and accepted it (dispatched → received); books the receiver's ledger."""
    _step(cli, manifest, "receive", "received", quantity_received_t=quantity_t,
          containers=_received_containers(pairs), at=at, remark=remark)


@transfers.command("reject")
@click.argument("manifest")
@click.option("--reason", required=True, help="Why it was refused at the gate.")
@click.option("--at", type=AT, default=None, help="When (default now; no offset = UTC+8).")
@json_option
@click.pass_obj
def reject(cli: Cli, manifest: str, reason: str, at: dt.datetime | None) -> None:
    """The receiver refused it at the gate (dispatched → rejected)."""
    _step(cli, manifest, "reject", "rejected", reason=reason, at=at)


@transfers.command("close")
@click.argument("manifest")
@click.option("--at", type=AT, default=None, help="When (default now; no offset = UTC+8).")
@json_option
@click.pass_obj
def close(cli: Cli, manifest: str, at: dt.datetime | None) -> None:
    """Close the manifest (received → closed); the match completes with its last shipment."""
    _step(cli, manifest, "close", "closed", at=at)


@transfers.command("cancel")
@click.argument("manifest")
@click.option("--reason", required=True, help="Why the plan is dropped.")
@json_option
@click.pass_obj
def cancel(cli: Cli, manifest: str, reason: str) -> None:
    """Drop a planned shipment (planned → cancelled); its tonnes are free again."""
    _step(cli, manifest, "cancel", "cancelled", reason=reason)


def _field_values(pairs: tuple[str, ...]) -> dict[str, Any]:
    """Parse ``--field quantity_t=1.2`` (repeatable) into ``{field: value}``; tonnes become numbers."""
    from marketplace.models import CORRECTABLE_FIELDS

    out: dict[str, Any] = {}
    bad: list[str] = []
    for given in pairs:
        name, sep, value = given.partition("=")
        name = name.strip()
        if not sep or name not in CORRECTABLE_FIELDS:
            bad.append(f"{given!r}: expected FIELD=VALUE with FIELD one of {', '.join(CORRECTABLE_FIELDS)} "
                       f"({given!r}：格式须为 字段=值，字段须为以下之一：{'、'.join(CORRECTABLE_FIELDS)})")
            continue
        if name in ("quantity_t", "quantity_received_t"):
            try:
                out[name] = float(value)
            except ValueError:
                bad.append(f"{given!r}: {value!r} is not a number ({given!r}：须为数字)")
            continue
        out[name] = value.strip() or None
    if bad:
        raise ValidationFailed("fields not understood (更正字段格式错误)", {"field": bad})
    return out


def _show_correction(cli: Cli, doc: dict[str, Any], number: str) -> None:
    if cli.as_json:
        emit_json(doc)
        return
    from marketplace.services.traceability.corrections import CORRECTION_STATUS_ZH
    from marketplace.services.traceability.manifests import COLUMNS

    field_zh = {c.key: c.zh for c in COLUMNS}  # the manifest's fields as the exported manifests name them
    for name, (current, proposed) in doc["changes"].items():
        click.echo(f"  {text(field_zh.get(name, name), name)}: {current if current is not None else '—'} → "
                   f"{proposed if proposed is not None else '—'}")
    status = doc["status"]
    say(f"联单 {number} 的更正申请 {doc['id']}: {CORRECTION_STATUS_ZH.get(status, status)}",
        f"correction {doc['id']} of {number}: {status}")


@transfers.command("correct")
@click.argument("manifest")
@click.option("--field", "pairs", multiple=True, required=True, metavar="FIELD=VALUE",
              help="A field to correct and its proposed value, e.g. quantity_received_t=1.2 (repeatable).")
@click.option("--reason", required=True, help="Why the manifest is wrong.")
@json_option
@click.pass_obj
def correct(cli: Cli, manifest: str, pairs: tuple[str, ...], reason: str) -> None:
    """Ask for a correction of a manifest; a coordinator of the producer's park decides."""
    from marketplace.services.traceability import corrections
    from marketplace.services.traceability import transfers as svc

    changes = _field_values(pairs)
    principal = cli.operator()
    with cli.transaction() as session:
        shipment = svc.get_by_manifest(session, principal, manifest)
        doc = corrections.correction_view(corrections.request_correction(
            session, principal, shipment.id, changes=changes, reason=reason))
    _show_correction(cli, doc, manifest)


@transfers.command("decide-correction")
@click.argument("manifest")
@click.argument("correction_id", type=int)
@click.option("--approve", "decision", flag_value="approve", help="Apply the changes.")
@click.option("--reject", "decision", flag_value="reject", help="Refuse them (needs --note).")
@click.option("--note", default=None, help="The decision's note (required to reject).")
@json_option
@click.pass_obj
def decide_correction(cli: Cli, manifest: str, correction_id: int, decision: str | None, note: str | None) -> None:
    """Approve or reject a correction request (never the operator who asked for it)."""
    from marketplace.services.traceability import corrections
    from marketplace.services.traceability import transfers as svc

    if decision is None:
        raise click.UsageError(text("请指定 --approve 或 --reject", "give --approve or --reject"))
    principal = cli.operator()
    with cli.transaction() as session:
        shipment = svc.get_by_manifest(session, principal, manifest)
        doc = corrections.correction_view(corrections.decide_correction(
            session, principal, shipment.id, correction_id, decision=decision, note=note))
    _show_correction(cli, doc, manifest)


@transfers.command("return")
@click.argument("manifest")
@_trip_options("Carrier of the return trip.")
@json_option
@click.pass_obj
def return_(cli: Cli, manifest: str, carrier: str | None, carrier_licence: str | None, vehicle: str | None,
            driver: str | None, planned_on: dt.datetime | None, note: str) -> None:
    """Send a rejected load back under a new manifest linked to it: same containers, new codes."""
    from marketplace.services.traceability import transfers as svc

    principal = cli.operator()
    with cli.transaction() as session:
        original = svc.get_by_manifest(session, principal, manifest)
        back = svc.create_return(session, principal, original.id, carrier=carrier, carrier_licence=carrier_licence,
                                 vehicle=vehicle, driver=driver, planned_on=planned_on.date() if planned_on else None,
                                 note=note)
        doc = svc.shipment_view(back)
    _show(cli, doc, f"已计划 {manifest} 的退运，新联单", f"planned the return of {manifest} as")


@transfers.command("list")
@click.option("--park", default=None, metavar="CODE", help="Producer's or receiver's park.")
@click.option("--status", type=click.Choice(SHIPMENT_STATUSES), default=None)
@click.option("--match", "match_id", type=int, default=None, help="Only this match's shipments.")
@json_option
@click.pass_obj
def list_(cli: Cli, park: str | None, status: str | None, match_id: int | None) -> None:
    """Shipments, newest first."""
    from marketplace.services.traceability import transfers as svc

    principal = cli.operator()
    with cli.transaction() as session:
        rows = [svc.shipment_view(s)
                for s in svc.list_shipments(session, principal, status=status, match=match_id, park=park)]
    if cli.as_json:
        emit_json(rows)
        return
    for doc in rows:
        click.echo(_line(doc))
    say(f"{len(rows)} 次转移", f"{len(rows)} shipment(s)")


@transfers.command("export")
@click.option("--format", "fmt", type=click.Choice(("csv", "xlsx")), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write.")
@click.option("--park", default=None, metavar="CODE", help="Producer's or receiver's park.")
@click.option("--status", type=click.Choice(SHIPMENT_STATUSES), default=None)
@json_option
@click.pass_obj
def export(cli: Cli, fmt: str, out: Path, park: str | None, status: str | None) -> None:
    """Write the shipments' manifests to CSV (UTF-8 with BOM) or XLSX."""
    from marketplace.services.traceability import manifests
    from marketplace.services.traceability import transfers as svc

    principal = cli.operator()
    with cli.transaction() as session:
        rows = svc.list_shipments(session, principal, status=status, park=park)
        data = manifests.to_xlsx(session, rows) if fmt == "xlsx" else manifests.to_csv(session, rows)
    out.write_bytes(data)
    doc = {"count": len(rows), "format": fmt, "path": str(out)}
    if cli.as_json:
        emit_json(doc)
    else:
        click.echo(text(f"已将 {len(rows)} 次转移写入 {out}", f"{len(rows)} shipment(s) written to {out}"))


def _page(cli: Cli, manifest: str, out: Path, kind: str) -> None:
    from marketplace.services.traceability import manifests
    from marketplace.services.traceability import transfers as svc

    principal = cli.operator()
    with cli.transaction() as session:
        shipment = svc.get_by_manifest(session, principal, manifest)
        render = manifests.manifest_html if kind == "manifest" else manifests.labels_html
        html = render(session, shipment)
        doc = {"manifest_number": shipment.manifest_number, "kind": kind, "path": str(out),
               "containers": len(shipment.containers)}
    out.write_text(html, encoding="utf-8")
    if cli.as_json:
        emit_json(doc)
    else:
        click.echo(text(PAGE_WRITTEN_ZH[kind].format(number=doc["manifest_number"], out=out),
                        f"{kind} of {doc['manifest_number']} written to {out}"))


@transfers.command("manifest")
@click.argument("manifest")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="HTML file to write.")
@json_option
@click.pass_obj
def manifest_(cli: Cli, manifest: str, out: Path) -> None:
    """Write the one-page printable manifest (HTML, A4)."""
    _page(cli, manifest, out, "manifest")


@transfers.command("labels")
@click.argument("manifest")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="HTML file to write.")
@json_option
@click.pass_obj
def labels(cli: Cli, manifest: str, out: Path) -> None:
    """Write the container labels (one QR label per container, HTML)."""
    _page(cli, manifest, out, "labels")
