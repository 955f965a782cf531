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
from .output import emit_json, info, json_option


@click.group("collection")
def collection() -> None:
    """Pooled collection rounds for small producers (小微企业危险废物集中收集)."""


def _vehicle(text: str) -> dict[str, Any]:
    """``REF:CAPACITY[:HH:MM-HH:MM]`` → a vehicle (``津A-SJ01:5:07:30-18:00``)."""
    from marketplace.errors import ValidationFailed

    ref, _, rest = text.partition(":")
    cap, _, shift = rest.partition(":")
    try:
        out: dict[str, Any] = {"ref": ref.strip(), "capacity_t": float(cap)}
        if shift:
            start, end = (shift).split("-")
            out["shift_start_min"] = int(start[:2]) * 60 + int(start[3:5])
            out["shift_end_min"] = int(end[:2]) * 60 + int(end[3:5])
    except (ValueError, IndexError):
        raise ValidationFailed("a vehicle is REF:TONNES[:HH:MM-HH:MM] (车辆格式有误)",
                               {"--vehicle": [f"cannot read {text!r} (无法识别该车辆参数)"]}) from None
    return out


def _show(cli: Cli, doc: dict[str, Any]) -> None:
    if cli.as_json:
        emit_json(doc)
        return
    base = doc["baseline"]
    click.echo(f"round {doc['id']}  {doc['collector']}  {doc['day']}  {doc['status']}  "
               f"{len(doc['stops'])} pick-ups  {doc['total_km']:.1f} km  {doc['total_hours']:.2f} h  "
               f"(nearest neighbour: {base['total_km']:.1f} km, {base['total_hours']:.2f} h, {base['served']} served)")
    for s in doc["stops"]:
        click.echo(f"  {s['vehicle']:10s} {s['sequence']:3d}  {s['arrive']}  {s['producer']:8s} {s['offer']:10s} "
                   f"{s['waste_code']}  {s['quantity_t']:g} t  +{s['km_from_previous']:.1f} km  "
                   f"match {s['match'] or '-'}  manifest {s['shipment'] or '-'}" + (f"  ! {s['note']}" if s["note"] else ""))
    for u in doc["unserved"]:
        click.echo(f"  not routed: {u['offer']} ({u['producer']}): {u['reason_zh']} / {u['reason_en']}")


def _run(cli: Cli, action: Any, done: str) -> None:
    from marketplace.services.traceability import pooled_collection as pooled

    started = time.perf_counter()
    with cli.transaction() as session:
        doc = pooled.round_view(session, action(session, cli.operator()))
    _show(cli, doc)
    info(f"{done} in {time.perf_counter() - started:.2f} s")


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
                                             time_limit_s=time_limit), "planned")


@collection.command("propose")
@click.argument("round_id", type=int)
@json_option
@click.pass_obj
def propose(cli: Cli, round_id: int) -> None:
    """Put every stop of a planned round into the match workflow (each pair's hard checks)."""
    from marketplace.services.traceability import pooled_collection as pooled

    _run(cli, lambda s, p: pooled.propose_round(s, p, round_id), f"round {round_id} proposed")


@collection.command("manifests")
@click.argument("round_id", type=int)
@json_option
@click.pass_obj
def manifests(cli: Cli, round_id: int) -> None:
    """Write one manifest per approved pick-up of a round."""
    from marketplace.services.traceability import pooled_collection as pooled

    _run(cli, lambda s, p: pooled.issue_manifests(s, p, round_id), f"round {round_id}: manifests written")


@collection.command("show")
@click.argument("round_id", type=int)
@json_option
@click.pass_obj
def show(cli: Cli, round_id: int) -> None:
    """One round: its stops by vehicle, the baseline, what was left out and why."""
    from marketplace.services.traceability import pooled_collection as pooled

    _run(cli, lambda s, p: pooled.get_round(s, p, round_id), f"round {round_id}")
