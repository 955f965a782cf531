"""``wastematch collection …``: pooled collection rounds (小微企业危险废物集中收集) from the command line.

``plan`` plans a collector's day over the small producers around it (the OR-Tools round against a
nearest-neighbour round); ``propose`` puts its stops into the match workflow; ``manifests`` writes one
manifest per approved pick-up; ``show`` and ``list`` read. The command line acts as the local operator.
"""
from __future__ import annotations

import datetime as dt
import time
from typing import Any

import click

from .context import Cli
from .help_text import group
from .output import emit_json, json_option, localised, say, text


@group("collection")
def collection() -> None:
    """Pooled hazardous waste collection rounds for small producers."""


def _vehicle(given: str) -> dict[str, Any]:
    """``REF:CAPACITY[:HH:MM-HH:MM]`` → a vehicle (``津A-SJ01:5:07:30-18:00``)."""
    from marketplace.errors import ValidationFailed

    ref, _, rest = given.partition(":")
    cap, _, shift = rest.partition(":")
    try:
        out: dict[str, Any] = {"ref": ref.strip(), "capacity_t": float(cap)}
        if shift:
            start, end = (shift).split("-")
            out["shift_start_min"] = int(start[:2]) * 60 + int(start[3:5])
            out["shift_end_min"] = int(end[:2]) * 60 + int(end[3:5])
    except (ValueError, IndexError):
        raise ValidationFailed("a vehicle is written REF:TONNES[:HH:MM-HH:MM] (车辆格式有误，应为 编号:吨数[:HH:MM-HH:MM])",
                               {"--vehicle": [f"cannot read {given!r} as a vehicle (无法识别车辆参数 {given!r})"]}) from None
    return out


def _show(cli: Cli, doc: dict[str, Any]) -> None:
    if cli.as_json:
        emit_json(doc)
        return
    from marketplace.services.traceability.pooled_collection import ROUND_STATUS_ZH

    base, n = doc["baseline"], len(doc["stops"])
    head = f"{doc['id']}  {doc['collector']}  {doc['day']}"
    totals = f"{doc['total_km']:.1f} km  {doc['total_hours']:.2f} h"
    base_km, base_h = f"{base['total_km']:.1f} km", f"{base['total_hours']:.2f} h"
    click.echo(text(f"收集计划 {head}  {ROUND_STATUS_ZH.get(doc['status'], doc['status'])}  {n} 个收集点  {totals}  "
                    f"（最近邻基准: {base_km}，{base_h}，服务 {base['served']} 家）",
                    f"round {head}  {doc['status']}  {n} pick-ups  {totals}  "
                    f"(nearest neighbour: {base_km}, {base_h}, {base['served']} served)"))
    match, manifest = text("匹配", "match"), text("联单", "manifest")
    for s in doc["stops"]:
        click.echo(f"  {s['vehicle']:10s} {s['sequence']:3d}  {s['arrive']}  {s['producer']:8s} {s['offer']:10s} "
                   f"{s['waste_code']}  {s['quantity_t']:g} t  +{s['km_from_previous']:.1f} km  "
                   f"{match} {s['match'] or '-'}  {manifest} {s['shipment'] or '-'}"
                   + (f"  ! {localised(s['note'])}" if s["note"] else ""))
    for u in doc["unserved"]:
        click.echo("  " + text(f"未排入路线: {u['offer']}（{u['producer']}）: {u['reason_zh']}",
                               f"not routed: {u['offer']} ({u['producer']}): {u['reason_en']}"))


def _run(cli: Cli, action: Any, done_zh: str, done_en: str) -> None:
    """Run ``action`` on a round and show it; ``done_zh``/``done_en`` say what was done."""
    from marketplace.services.traceability import pooled_collection as pooled

    started = time.perf_counter()
    with cli.transaction() as session:
        doc = pooled.round_view(session, action(session, cli.operator()))
    _show(cli, doc)
    seconds = f"{time.perf_counter() - started:.2f}"
    say(f"{done_zh}，用时 {seconds} 秒", f"{done_en} in {seconds} s")


@collection.command("plan")
@click.argument("collector")
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), required=True, help="The day of the round.")
@click.option("--vehicle", "vehicles", multiple=True, metavar="REF:T[:HH:MM-HH:MM]",
              help="A vehicle: its ref, capacity in tonnes and shift (repeatable; default one 5 t vehicle).")
@click.option("--radius", "radius_km", type=float, default=60.0, show_default=True, help="Km around the collector.")
@click.option("--time-limit", type=float, default=None, help="Seconds for the solver (default: by size).")
@json_option
@click.pass_obj
def plan(cli: Cli, collector: str, day: dt.datetime, vehicles: tuple[str, ...], radius_km: float,
         time_limit: float | None) -> None:
    """Plan COLLECTOR's (a ref) round of --day over the small producers around it."""
    from marketplace.services.traceability import pooled_collection as pooled

    fleet = [_vehicle(v) for v in vehicles] or None
    _run(cli, lambda s, p: pooled.plan_round(s, p, collector, day.date(), vehicles=fleet, radius_km=radius_km,
                                             time_limit_s=time_limit), "已规划", "planned")


@collection.command("propose")
@click.argument("round_id", type=int)
@json_option
@click.pass_obj
def propose(cli: Cli, round_id: int) -> None:
    """Put every stop of a planned round into the match workflow (each pair's hard checks)."""
    from marketplace.services.traceability import pooled_collection as pooled

    _run(cli, lambda s, p: pooled.propose_round(s, p, round_id), f"收集计划 {round_id} 已发起匹配",
         f"round {round_id} proposed")


@collection.command("manifests")
@click.argument("round_id", type=int)
@json_option
@click.pass_obj
def manifests(cli: Cli, round_id: int) -> None:
    """Write one manifest per approved pick-up of a round."""
    from marketplace.services.traceability import pooled_collection as pooled

    _run(cli, lambda s, p: pooled.issue_manifests(s, p, round_id), f"收集计划 {round_id}: 已开具联单",
         f"round {round_id}: manifests written")


@collection.command("show")
@click.argument("round_id", type=int)
@json_option
@click.pass_obj
def show(cli: Cli, round_id: int) -> None:
    """One round: its stops by vehicle, the baseline, what was left out and why."""
    from marketplace.services.traceability import pooled_collection as pooled

    _run(cli, lambda s, p: pooled.get_round(s, p, round_id), f"收集计划 {round_id}", f"round {round_id}")
