"""Shipments and their electronic manifests (转移联单, 一单全程跟踪).

Enterprise users see the shipments they produce or receive, coordinators those of their
parks (as ``transfers.visible_shipments`` decides). One shipment's page shows its manifest,
containers (一物一码), history, the printable manifest and labels, and the forms of the
steps the user's side may take now (``transfers.FROM_STATES`` / ``ACTING_SIDE``). Either
party of an approved match, or a coordinator of its parks, plans a shipment of it at
``/matches/<id>/ship`` (``transfers.plannable``, the API's rule).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from marketplace.errors import DomainError, NotFound
from marketplace.models import CORRECTABLE_FIELDS, PACKAGINGS, SHIPMENT_STATUSES, Shipment
from marketplace.models.base import CHINA_TZ
from marketplace.schemas.numbers import read_tonnes
from marketplace.services.accounts import disclosure
from marketplace.services.accounts.users import Principal
from marketplace.services.matching import workflow
from marketplace.services.traceability import corrections, devices, manifests, transfers

from ..database import db_session, discard_changes
from ..i18n import one_language, state_label
from ..track_drawing import draw_track
from . import bp
from .auth import page_principal, signed_in
from .common import FormErrors, coordinated_parks, flash_done, paginate, park_options
from .typed_numbers import number_reason

ROLES = (("producer", _l("As producer")), ("receiver", _l("As receiver")))
PACKAGING_LABELS = {"drum": _l("Drum"), "ibc": _l("IBC tote"), "bag": _l("Bag"), "box": _l("Box"),
                    "tank": _l("Tank"), "bulk": _l("Bulk"), "cylinder": _l("Cylinder")}
ACTION_LABELS = {"plan": _l("Planned the shipment"), "dispatch": _l("Dispatch"), "receive": _l("Receive"),
                 "reject": _l("Reject"), "close": _l("Close the manifest"), "cancel": _l("Cancel the shipment")}
DONE_MESSAGES = {"dispatch": _l("The shipment was dispatched."), "receive": _l("The receipt was recorded."),
                 "reject": _l("The shipment was rejected."), "close": _l("The manifest was closed."),
                 "cancel": _l("The shipment was cancelled.")}
# Shipment states whose shared label (a match's "closed", "rejected") would mislead on a manifest.
STATUS_LABELS = {"closed": _l("Manifest closed"), "rejected": _l("Rejected at the gate")}
# The manifest fields a correction may change, as the page labels them (the form's order).
CORRECTION_LABELS = {"quantity_t": _l("Dispatched (t)"), "quantity_received_t": _l("Received (t)"),
                     "waste_code": _l("Waste code"), "carrier": _l("Carrier"),
                     "carrier_licence": _l("Carrier's transport permit"), "vehicle": _l("Vehicle plate"),
                     "driver": _l("Driver"), "planned_on": _l("Planned for")}
CORRECTION_STATUS_LABELS = {"requested": _l("Awaiting a decision"), "approved": _l("Approved"),
                            "rejected": _l("Rejected")}
# The API's limits (web/api/shipments.py): texts and tonnes.
TEXT_LIMITS = transfers.TEXT_LIMITS
MAX_TONNES = 1e9
PLAN_ROWS = 3
PLAN_TEXTS = ("carrier", "carrier_licence", "vehicle", "driver", "note")


# --- helpers ----------------------------------------------------------------------------------------

def parse_tonnes(raw: str, name: str, errors: FormErrors, *, required: bool, zero_ok: bool) -> float | None:
    """A number of tonnes typed in a form; a field error (and None) when it is not one."""
    text = (raw or "").strip()
    if not text:
        if required:
            errors.add(name, _("Required."))
        return None
    # The listing form's reader: full-width digits, "20,5", "20吨" and "300 kg" read; "1e9", "20,500" refused.
    reading = read_tonnes(text)
    if reading.problem in ("ambiguous_comma", "exponent", "volume_unit"):
        errors.add(name, number_reason(reading, text))
        return None
    if not reading.ok and reading.problem != "negative":
        errors.add(name, _("Enter a number of tonnes."))
        return None
    value = reading.value if reading.ok else -1.0
    if value < 0 or (value == 0 and not zero_ok) or value > MAX_TONNES:
        errors.add(name, _("Enter a number of tonnes, 0 or more.") if zero_ok
                   else _("Enter a number of tonnes above 0."))
        return None
    return value


def parse_park_time(raw: str, name: str, errors: FormErrors) -> dt.datetime | None:
    """A ``datetime-local`` value, read as park time (UTC+8); None when blank."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        errors.add(name, _("Enter a date and time (YYYY-MM-DD HH:MM)."))
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=CHINA_TZ)


def _views(session, principal: Principal, shipments: list[Shipment]) -> list[dict[str, Any]]:
    mask = transfers.actor_masker(session, principal)
    return [transfers.shipment_view(s, mask) for s in shipments]


def shipment_badge(status: str | None) -> Markup:
    """A shipment state as a coloured badge in the page's language."""
    if status is None:
        return Markup("")
    label = STATUS_LABELS.get(status)
    return Markup('<span class="badge s-{}">{}</span>').format(status, label if label is not None
                                                                else state_label(status))


def allowed_actions(principal: Principal, shipment: Shipment) -> list[str]:
    """The steps the user may take on ``shipment`` now: its state allows them and they are on the acting side."""
    standing = transfers.shipment_standing(principal, shipment)
    return [a for a in transfers.ACTIONS if shipment.status in transfers.FROM_STATES[a]
            and (standing.coordinator or standing.side == transfers.ACTING_SIDE[a])]


# --- the list -----------------------------------------------------------------------------------------

@bp.get("/shipments")
@signed_in
def shipments():
    """The shipments the user may see, newest first; filters: status, role (enterprises) or park (coordinators)."""
    principal, session = page_principal(), db_session()
    status = request.args.get("status") if request.args.get("status") in SHIPMENT_STATUSES else None
    parks = coordinated_parks(principal)
    park = request.args.get("park") if request.args.get("park") in {p.code for p in parks} else None
    role = request.args.get("role") if principal.enterprise_id is not None else None
    role = role if role in transfers.SIDES else None
    stmt = transfers.filtered_shipments(session, principal, status=status, park=park, side=role) \
        .options(*transfers.LOAD_OPTIONS)
    page = paginate(session, stmt, lambda rows: _views(session, principal, rows))
    return render_template("shipments.html", page=page, values={"status": status or "", "role": role or "",
                                                                 "park": park or ""},
                           status_options=[(s, STATUS_LABELS.get(s) or state_label(s)) for s in SHIPMENT_STATUSES],
                           roles=ROLES, park_options=park_options(parks), badge=shipment_badge)


# --- one shipment ------------------------------------------------------------------------------------

def _load(shipment_id: int) -> Shipment:
    try:
        return transfers.get_shipment(db_session(), page_principal(), shipment_id)
    except NotFound:
        abort(404)


def _corrections(session, principal: Principal, shipment: Shipment, mask) -> dict[str, Any]:
    """The corrections part of the page: the requests (newest first), which the user may decide, and whether
    the user may ask for one or send a rejected load back (the services' rules, read here only to show forms)."""
    rows = corrections.list_corrections(session, principal, shipment.id)
    views = []
    for c in reversed(rows):
        view = corrections.correction_view(c, mask)
        view["actor_text"] = one_language(view["requested_by"])
        view["decider_text"] = one_language(view["decided_by"]) if view["decided_by"] else ""
        view["may_decide"] = corrections.may_decide(principal, shipment, c)
        views.append(view)
    standing = transfers.shipment_standing(principal, shipment)
    fields = [f for f in CORRECTABLE_FIELDS
              if f != "quantity_received_t" or shipment.status in corrections.RECEIVED_STATES]
    return {"rows": views, "open": any(c.status == "requested" for c in rows),
            "may_ask": shipment.status != "cancelled" and not any(c.status == "requested" for c in rows),
            "fields": [(f, CORRECTION_LABELS[f]) for f in fields], "status_labels": CORRECTION_STATUS_LABELS,
            "labels": CORRECTION_LABELS,
            "may_return": (shipment.status == "rejected" and shipment.direction == "forward"
                           and shipment.returned_by is None
                           and (standing.coordinator or standing.side == "producer"))}


def _render_shipment(shipment: Shipment, *, failed: str | None = None, form: dict[str, str] | None = None,
                     errors: FormErrors | None = None, status: int = 200):
    principal, session = page_principal(), db_session()
    mask = transfers.actor_masker(session, principal)
    doc = transfers.shipment_view(shipment, mask)
    fixes = _corrections(session, principal, shipment, mask)
    history = [transfers.event_view(e, mask) for e in transfers.shipment_history(session, shipment)]
    for event in history:
        event["actor_text"] = one_language(event["actor"])
        event["reason_text"] = one_language(event["reason"])
    standing = transfers.shipment_standing(principal, shipment)
    dev = devices.shipment_devices(session, principal, shipment.id)
    return render_template(
        "shipment.html", s=doc, history=history, actions=allowed_actions(principal, shipment),
        side=standing.side, failed=failed, form=form or {}, errors=errors, action_labels=ACTION_LABELS,
        packaging_labels=PACKAGING_LABELS, badge=shipment_badge, dev=dev, track=draw_track(dev),
        fixes=fixes), status


@bp.get("/shipments/<int:shipment_id>")
@signed_in
def shipment(shipment_id: int):
    """One shipment: manifest, containers, quantities, history, printouts and the steps the user may take."""
    return _render_shipment(_load(shipment_id))


@bp.post("/shipments/<int:shipment_id>/events")
@signed_in
def shipment_event(shipment_id: int):
    """Record one step (``action``: dispatch, receive, reject, close, cancel) as the API's event does.

    The page only reads what was typed (a number, a time); whether the step is the user's to take, the
    shipment's state allows it and a required value was given is the service's to say, so a refusal is the
    API's answer (404, 403, 409, 422), whatever else the form held.
    """
    principal, session = page_principal(), db_session()
    shipment = _load(shipment_id)
    action = request.form.get("action", "")
    form = {k: request.form.get(k, "") for k in ("at", "quantity_received_t", "reason", "remark")}
    errors = FormErrors()
    at = parse_park_time(form["at"], "at", errors) if action != "cancel" else None
    quantity, containers = None, {}
    if action == "receive":
        quantity = parse_tonnes(form["quantity_received_t"], "quantity_received_t", errors, required=False,
                                zero_ok=True)
        for c in shipment.containers:
            raw = request.form.get(f"containers.{c.code}", "")
            form[f"containers.{c.code}"] = raw
            value = parse_tonnes(raw, "containers", errors, required=False, zero_ok=True)
            if value is not None:
                containers[c.code] = value
    for name in ("reason", "remark"):
        if len(form[name]) > TEXT_LIMITS[name]:
            errors.add(name, _("At most %(n)s characters.", n=TEXT_LIMITS[name]))
    if errors:
        return _render_shipment(shipment, failed=action, form=form, errors=errors, status=422)
    try:
        transfers.apply_event(session, principal, shipment_id, action, at=at, quantity_received_t=quantity,
                              containers=containers or None,
                              reason=form["reason"] if action in ("reject", "cancel") else None,
                              remark=form["remark"] if action == "receive" else None)
    except NotFound:
        abort(404)
    except DomainError as exc:
        discard_changes()  # the shipment is shown again as it was, without what the refused step flushed
        return _render_shipment(_load(shipment_id), failed=action, form=form, errors=FormErrors.of(exc),
                                status=exc.status)
    flash_done(str(DONE_MESSAGES[action]))
    return redirect(url_for("pages.shipment", shipment_id=shipment_id))


def _refused(shipment_id: int, failed: str, form: dict[str, str], exc: DomainError, prefix: str = ""):
    """The page again with a refused correction or return form: its fields' reasons beside them."""
    discard_changes()
    errors = FormErrors.of(exc)
    named = (*CORRECTABLE_FIELDS, "reason") if prefix == "fix." else CORRECTABLE_FIELDS
    errors.fields = {(f"{prefix}{k}" if k in named else k): v for k, v in errors.fields.items()}
    return _render_shipment(_load(shipment_id), failed=failed, form=form, errors=errors, status=exc.status)


@bp.post("/shipments/<int:shipment_id>/corrections")
@signed_in
def shipment_correction(shipment_id: int):
    """Ask for a correction of the manifest: the fields typed (blank: unchanged) and the reason.

    Tonnes are read as numbers here; everything else (who may ask, one open request, each value) is the
    service's to say, as for the API's ``POST /shipments/{id}/corrections``.
    """
    principal, session = page_principal(), db_session()
    _load(shipment_id)
    form = {f"fix.{f}": request.form.get(f"fix.{f}", "").strip() for f in CORRECTABLE_FIELDS}
    form["fix.reason"] = request.form.get("fix.reason", "")  # not "reason": the step forms' field on the page
    errors = FormErrors()
    changes: dict[str, Any] = {}
    for f in CORRECTABLE_FIELDS:
        raw = form[f"fix.{f}"]
        if not raw:
            continue
        if f in ("quantity_t", "quantity_received_t"):
            value = parse_tonnes(raw, f"fix.{f}", errors, required=False, zero_ok=True)
            if value is not None:
                changes[f] = value
        else:
            changes[f] = raw
    if len(form["fix.reason"]) > corrections.REASON_LIMIT:
        errors.add("fix.reason", _("At most %(n)s characters.", n=corrections.REASON_LIMIT))
    if errors:
        return _render_shipment(_load(shipment_id), failed="correct", form=form, errors=errors, status=422)
    try:
        corrections.request_correction(session, principal, shipment_id, changes=changes, reason=form["fix.reason"])
    except NotFound:
        abort(404)
    except DomainError as exc:
        return _refused(shipment_id, "correct", form, exc, prefix="fix.")
    flash_done(_("The correction was requested; a coordinator of the producer's park decides."))
    return redirect(url_for("pages.shipment", shipment_id=shipment_id) + "#corrections")


@bp.post("/shipments/<int:shipment_id>/corrections/<int:correction_id>/decision")
@signed_in
def shipment_correction_decision(shipment_id: int, correction_id: int):
    """Approve or reject a correction request (``decision``), with a note (required to reject)."""
    principal, session = page_principal(), db_session()
    _load(shipment_id)
    decision = request.form.get("decision", "")
    form = {"note": request.form.get("note", ""), "correction": str(correction_id)}
    try:
        corrections.decide_correction(session, principal, shipment_id, correction_id, decision=decision,
                                      note=form["note"])
    except NotFound:
        abort(404)
    except DomainError as exc:
        return _refused(shipment_id, "decide", form, exc)
    flash_done(_("The correction was applied.") if decision == "approve" else _("The correction was rejected."))
    return redirect(url_for("pages.shipment", shipment_id=shipment_id) + "#corrections")


@bp.post("/shipments/<int:shipment_id>/return")
@signed_in
def shipment_return(shipment_id: int):
    """Send a rejected load back under a return manifest linked to it (vehicle and driver optional)."""
    principal, session = page_principal(), db_session()
    _load(shipment_id)
    form = {f"return.{k}": request.form.get(f"return.{k}", "").strip() for k in ("vehicle", "driver")}
    try:
        back = transfers.create_return(session, principal, shipment_id, vehicle=form["return.vehicle"] or None,
                                       driver=form["return.driver"] or None)
    except NotFound:
        abort(404)
    except DomainError as exc:
        return _refused(shipment_id, "return", form, exc, prefix="return.")
    flash_done(_("Return manifest %(number)s planned.", number=back.manifest_number))
    return redirect(url_for("pages.shipment", shipment_id=back.id))


def _html(text: str) -> Response:
    return Response(text, mimetype="text/html")


@bp.get("/shipments/<int:shipment_id>/manifest")
@signed_in
def shipment_manifest(shipment_id: int):
    """The printable manifest (bilingual, one A4 page, QR codes inline)."""
    return _html(manifests.manifest_html(db_session(), _load(shipment_id)))


@bp.get("/shipments/<int:shipment_id>/labels")
@signed_in
def shipment_labels(shipment_id: int):
    """The printable container labels (一物一码): one QR label per container."""
    return _html(manifests.labels_html(db_session(), _load(shipment_id)))


# --- planning a shipment from an approved match ---------------------------------------------------

def _plannable(principal: Principal, match_id: int) -> transfers.Plannable:
    """The match to plan under and what is left of it (404 unless the user may plan: ``transfers.plannable``)."""
    try:
        return transfers.plannable(db_session(), principal, match_id)
    except NotFound:
        abort(404)


def _match_summary(principal: Principal, plan: transfers.Plannable) -> dict[str, Any]:
    session = db_session()
    view = workflow.match_view(principal, plan.match, disclosure.disclosed_listing_ids(session, principal))
    return {"view": view, "left_t": plan.left_t, "shippable": plan.shippable}


def _plan_form() -> dict[str, Any]:
    values: dict[str, Any] = {k: request.form.get(k, "") for k in ("quantity_t", "planned_on", *PLAN_TEXTS)}
    values["rows"] = [{"packaging": request.form.get(f"rows.{i}.packaging", "drum"),
                       "count": request.form.get(f"rows.{i}.count", ""),
                       "each_t": request.form.get(f"rows.{i}.each_t", "")} for i in range(PLAN_ROWS)]
    return values


def _containers(values: dict[str, Any], quantity: float | None, errors: FormErrors) -> list[dict[str, Any]]:
    """The container rows (packaging × count × tonnes each) as the service's list of containers.

    A single row without tonnes each splits the shipment's quantity equally (the last container
    takes the rounding), so the usual "n drums" needs no arithmetic.
    """
    rows = [(i, r) for i, r in enumerate(values["rows"]) if r["count"].strip() or r["each_t"].strip()]
    if not rows:
        errors.add("containers", _("Give at least one row of containers."))
        return []
    out: list[dict[str, Any]] = []
    for i, r in rows:
        if r["packaging"] not in PACKAGINGS:
            errors.add(f"rows.{i}.packaging", _("Choose a packaging."))
        try:
            count = int(r["count"].strip() or "1")
        except ValueError:
            count = 0
        if not 1 <= count <= transfers.MAX_CONTAINERS:
            errors.add(f"rows.{i}.count", _("A whole number from 1 to %(n)s.", n=transfers.MAX_CONTAINERS))
            continue
        each = parse_tonnes(r["each_t"], f"rows.{i}.each_t", errors, required=len(rows) > 1, zero_ok=False)
        if each is None and len(rows) == 1 and quantity is not None and not r["each_t"].strip():
            share = round(quantity / count, 6)
            out += [{"packaging": r["packaging"], "quantity_t": share} for _n in range(count - 1)]
            out.append({"packaging": r["packaging"], "quantity_t": round(quantity - share * (count - 1), 9)})
        elif each is not None:
            out += [{"packaging": r["packaging"], "quantity_t": each} for _n in range(count)]
    if len(out) > transfers.MAX_CONTAINERS:
        errors.add("containers", _("At most %(n)s containers per shipment.", n=transfers.MAX_CONTAINERS))
    return out


def _render_plan(plan: transfers.Plannable, values: dict[str, Any], errors: FormErrors | None = None,
                 status: int = 200):
    principal = page_principal()
    drafts = [{"id": d.id, "quantity_t": d.quantity_t, "containers": len(d.containers), "updated_at": d.updated_at}
              for d in transfers.list_drafts(db_session(), principal) if d.match_id == plan.match.id]
    return render_template("ship_form.html", match=_match_summary(principal, plan), values=values, errors=errors,
                           packagings=[(p, PACKAGING_LABELS[p]) for p in PACKAGINGS], limits=TEXT_LIMITS,
                           max_containers=transfers.MAX_CONTAINERS, drafts=drafts), status


def _draft_values(draft: Shipment) -> dict[str, Any]:
    """A draft's fields as the planning form shows them: its containers as rows of one packaging and weight."""
    groups: list[dict[str, Any]] = []
    for c in draft.containers:
        if groups and groups[-1]["packaging"] == c.packaging and groups[-1]["each"] == c.quantity_t:
            groups[-1]["n"] += 1
        else:
            groups.append({"packaging": c.packaging, "each": c.quantity_t, "n": 1})
    rows = [{"packaging": g["packaging"], "count": str(g["n"]), "each_t": f"{g['each']:g}"} for g in groups[:PLAN_ROWS]]
    rows += [{"packaging": "drum", "count": "", "each_t": ""} for _i in range(PLAN_ROWS - len(rows))]
    values: dict[str, Any] = {k: getattr(draft, k) or "" for k in PLAN_TEXTS}
    values.update(quantity_t=f"{draft.quantity_t:g}", planned_on=draft.planned_on.isoformat() if draft.planned_on
                  else "", rows=rows, draft_id=str(draft.id))
    return values


def _own_draft(principal: Principal, raw: str | None) -> Shipment | None:
    """The user's draft named by the form or the address (404 for anybody else's); None when none is named."""
    if not raw:
        return None
    try:
        return transfers.get_draft(db_session(), principal, int(raw))
    except (ValueError, NotFound):
        abort(404)


@bp.post("/shipments/drafts/<int:shipment_id>/delete")
@signed_in
def delete_draft(shipment_id: int):
    """Delete one of the user's draft manifests (its author only: 404 otherwise)."""
    principal, session = page_principal(), db_session()
    draft = _own_draft(principal, str(shipment_id))
    match_id = draft.match_id
    transfers.delete_draft(session, principal, shipment_id)
    flash_done(_("The draft was deleted."))
    return redirect(url_for("pages.plan_shipment", match_id=match_id))


@bp.route("/matches/<int:match_id>/ship", methods=["GET", "POST"])
@signed_in
def plan_shipment(match_id: int):
    """Plan a shipment of an approved match: quantity, containers, carrier, planned day.

    Either party or a coordinator of either park may plan, as through the API (``transfers.plannable``).
    """
    principal, session = page_principal(), db_session()
    plan = _plannable(principal, match_id)
    if request.method == "GET":
        draft = _own_draft(principal, request.args.get("draft"))
        if draft is not None and draft.match_id == match_id:
            return _render_plan(plan, _draft_values(draft))
        values = {k: "" for k in ("quantity_t", "planned_on", *PLAN_TEXTS)}
        values["rows"] = [{"packaging": "drum", "count": "1" if i == 0 else "", "each_t": ""}
                          for i in range(PLAN_ROWS)]
        return _render_plan(plan, values)
    values = _plan_form()
    draft = _own_draft(principal, request.form.get("draft_id"))
    values["draft_id"] = str(draft.id) if draft is not None else ""
    saving = request.form.get("save") == "draft"
    errors = FormErrors()
    quantity = parse_tonnes(values["quantity_t"], "quantity_t", errors, required=True, zero_ok=False)
    filled = any(r["count"].strip() or r["each_t"].strip() for r in values["rows"])
    containers = _containers(values, quantity, errors) if filled or not saving else []
    planned_on = None
    if values["planned_on"].strip():
        try:
            planned_on = dt.date.fromisoformat(values["planned_on"].strip())
        except ValueError:
            errors.add("planned_on", _("not a date YYYY-MM-DD: %(value)s", value=values["planned_on"]))
    for name in PLAN_TEXTS:
        if len(values[name]) > TEXT_LIMITS[name]:
            errors.add(name, _("At most %(n)s characters.", n=TEXT_LIMITS[name]))
    if errors:
        return _render_plan(plan, values, errors, 422)
    fields = {"quantity_t": quantity, "containers": containers, "carrier": values["carrier"] or None,
              "carrier_licence": values["carrier_licence"] or None, "vehicle": values["vehicle"] or None,
              "driver": values["driver"] or None, "planned_on": planned_on, "note": values["note"]}
    if saving or draft is not None:
        try:
            if draft is None:
                draft = transfers.save_draft(session, principal, match_id, **fields)
            else:
                transfers.update_draft(session, principal, draft.id, **fields)
            if saving:
                flash_done(_("Draft saved; it has no manifest number until it is planned."))
                return redirect(url_for("pages.plan_shipment", match_id=match_id, draft=draft.id))
            shipment = transfers.plan_draft(session, principal, draft.id)
        except DomainError as exc:
            discard_changes()
            return _render_plan(_plannable(principal, match_id), values, FormErrors.of(exc), exc.status)
        flash_done(_("Shipment planned: manifest %(number)s.", number=shipment.manifest_number))
        return redirect(url_for("pages.shipment", shipment_id=shipment.id))
    try:
        shipment = transfers.create_shipment(
            session, principal, match_id, quantity_t=quantity, containers=containers,
            carrier=values["carrier"] or None, carrier_licence=values["carrier_licence"] or None,
            vehicle=values["vehicle"] or None, driver=values["driver"] or None, planned_on=planned_on,
            note=values["note"])
    except DomainError as exc:
        discard_changes()  # the form is shown again; nothing of the refused plan is kept
        return _render_plan(_plannable(principal, match_id), values, FormErrors.of(exc), exc.status)
    flash_done(_("Shipment planned: manifest %(number)s.", number=shipment.manifest_number))
    return redirect(url_for("pages.shipment", shipment_id=shipment.id))
