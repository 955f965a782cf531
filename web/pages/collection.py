"""Pooled collection rounds (小微企业危险废物集中收集) in the pages: a park coordinator plans a collector's day over
the small producers around it, sees it on the map beside the nearest-neighbour round, puts its stops into the
match workflow and, once approved, writes the manifests.

Every rule is ``marketplace.services.traceability.pooled_collection``'s; these pages parse, call and render.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_pgettext

from marketplace.errors import DomainError, NotFound, ValidationFailed
from marketplace.services.traceability import pooled_collection as service

from ..database import db_session, discard_changes
from ..i18n import one_language
from ..route_drawing import draw_round
from . import bp
from .auth import coordinators_only, page_principal
from .common import FormErrors, flash_done, flash_error
from .surveys import parse_tonnes

STATUS_LABELS = {"planned": lazy_pgettext("collection round", "Planned"),
                 "proposed": lazy_pgettext("collection round", "In the match workflow"),
                 "manifested": lazy_pgettext("collection round", "Manifests written"),
                 "cancelled": lazy_pgettext("collection round", "Cancelled")}
VEHICLE_ROWS = 4


def status_label(status: str) -> str:
    """The page-language label of a round's status."""
    label = STATUS_LABELS.get(status)
    return str(label) if label is not None else str(_("Unknown"))


def _form_vehicles() -> tuple[list[dict[str, str]], list[dict[str, Any]], FormErrors]:
    typed, fleet, errors = [], [], FormErrors()
    for i in range(VEHICLE_ROWS):
        ref = (request.form.get(f"vehicles.{i}.ref") or "").strip()[:40]
        cap = (request.form.get(f"vehicles.{i}.capacity_t") or "").strip()[:20]
        typed.append({"ref": ref, "capacity_t": cap})
        if not ref and not cap:
            continue
        value, reason = parse_tonnes(cap) if cap else (None, _("Required."))
        if reason:
            errors.add(f"vehicles.{i}.capacity_t", reason)
        fleet.append({"ref": ref or f"V{i + 1}", "capacity_t": value or 0.0})
    return typed, fleet, errors


def _list_page(errors: FormErrors | None = None, typed: dict[str, Any] | None = None, status: int = 200):
    principal = page_principal()
    rounds = service.list_rounds(db_session(), principal)
    typed = typed or {"day": (dt.date.today() + dt.timedelta(days=1)).isoformat(), "collector": "",
                      "vehicles": [{"ref": "", "capacity_t": ""} for _ in range(VEHICLE_ROWS)]}
    return render_template("collection_rounds.html", rounds=rounds, errors=errors or FormErrors(), typed=typed,
                           round_status=status_label), status


@bp.get("/collection-rounds")
@coordinators_only
def collection_rounds():
    """The rounds the user may see, and the form that plans a new one."""
    return _list_page()


@bp.post("/collection-rounds")
@coordinators_only
def collection_round_plan():
    """Plan a round; a refusal shows the form again with what was typed and each field's reason."""
    principal = page_principal()
    vehicles_typed, fleet, errors = _form_vehicles()
    typed = {"day": (request.form.get("day") or "")[:10], "collector": (request.form.get("collector") or "")[:64],
             "vehicles": vehicles_typed}
    collector = typed["collector"].strip()
    try:
        day = dt.date.fromisoformat(typed["day"])
    except ValueError:
        errors.add("day", _("A date, e.g. 2026-12-10."))
        day = None
    try:
        if errors:
            raise ValidationFailed("the round has errors (收集计划有误)", {})
        rnd = service.plan_round(db_session(), principal, collector, day, vehicles=fleet or None)
    except DomainError as exc:
        discard_changes()
        shown = FormErrors.of(exc)
        shown.fields.update(errors.fields)
        if shown.fields:
            shown.message = _("Please correct the fields marked below.")
        return _list_page(shown, typed, exc.status)
    flash_done(_("The round was planned: %(n)s pick-ups.", n=len(rnd.stops)))
    return redirect(url_for("pages.collection_round", round_id=rnd.id))


@bp.get("/collection-rounds/<int:round_id>")
@coordinators_only
def collection_round(round_id: int):
    """One round: totals against the nearest-neighbour round, the map, the stops by vehicle, what was left out."""
    session, principal = db_session(), page_principal()
    try:
        rnd = service.get_round(session, principal, round_id)
    except NotFound:
        abort(404)
    view = service.round_view(session, rnd)
    depot, where = service.round_positions(session, rnd)
    routes: dict[str, list[tuple[float, float, str]]] = {}
    for stop, row in zip(rnd.stops, view["stops"], strict=True):
        lat, lon = where.get(stop.producer_id, (None, None))
        if lat is not None:
            title = f"{row['sequence']}. {row['producer_name']} · {row['waste_code']} · {row['quantity_t']:g} t · {row['arrive']}"
            routes.setdefault(stop.vehicle_ref, []).append((lat, lon, title))
    drawing = draw_round(depot, rnd.collector.name, list(routes.items())) if depot[0] is not None and routes else None
    return render_template("collection_round.html", round=rnd, view=view, drawing=drawing,
                           round_status=status_label, one_language=one_language)


def _act(round_id: int, action, done: str):
    try:
        action(db_session(), page_principal(), round_id)
    except NotFound:
        abort(404)
    except DomainError as exc:
        flash_error(exc)
        return redirect(url_for("pages.collection_round", round_id=round_id))
    flash_done(done)
    return redirect(url_for("pages.collection_round", round_id=round_id))


@bp.post("/collection-rounds/<int:round_id>/propose")
@coordinators_only
def collection_round_propose(round_id: int):
    """Put the round's stops into the match workflow."""
    return _act(round_id, service.propose_round, _("Each pick-up is now a match proposed to its producer."))


@bp.post("/collection-rounds/<int:round_id>/manifests")
@coordinators_only
def collection_round_manifests(round_id: int):
    """Write the manifests of the approved pick-ups."""
    return _act(round_id, service.issue_manifests, _("Manifests written for the approved pick-ups."))
