"""EECM assessment pages (EECM 评估): the enterprise's self-assessment, the coordinator's list and scoring.

The enterprise sees its park's indicator tree as sections (the five core elements), each leaf with its
definition, the evidence asked for, the scoring criteria in words, a score choice and an evidence field;
it saves and submits. A coordinator lists the assessments of its parks and scores one, the enterprise's
self-score and evidence beside its own score per leaf. Every rule is the service's (``governance.eecm``).
"""
from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from catalog.eecm import Tree
from marketplace.errors import DomainError, NotFound
from marketplace.models import EECM_STATUSES
from marketplace.services.accounts.enterprises import own_enterprise
from marketplace.services.governance import eecm as service

from ..database import db_session, discard_changes
from ..i18n import loc, localise_message
from . import bp
from .auth import coordinators_only, enterprises_only, page_principal
from .common import choice_filters, flash_done, paginate

STATUS_LABELS = {"draft": _l("Draft"), "submitted": _l("Submitted"), "scored": _l("EECM scored")}


def _year() -> int:
    try:
        year = int(request.values.get("year", ""))
    except ValueError:
        return service.current_year()
    return year if service.MIN_YEAR <= year <= service.MAX_YEAR else service.current_year()


def sections(tree: Tree) -> list[dict[str, Any]]:
    """The tree for a page: one section per first-level element, holding groups of leaves (a group is a node
    with leaf children, at whatever depth a park's tree puts it), each leaf with its criteria in words."""
    def leaf(n) -> dict[str, Any]:
        return {"code": n.code, "name": loc(n.name_zh, n.name_en), "weight": n.weight,
                "definition": loc(n.definition_zh, n.definition_en), "evidence": loc(n.evidence_zh, n.evidence_en),
                "choices": [(f"{c.score:g}", loc(c.zh, c.en)) for c in n.rule.choices()]}

    def groups(n, out: list[dict[str, Any]]) -> list[dict[str, Any]]:
        leaves = [leaf(c) for c in n.children if not c.children]
        if leaves:
            out.append({"name": loc(n.name_zh, n.name_en), "weight": n.weight, "leaves": leaves})
        for c in n.children:
            if c.children:
                groups(c, out)
        return out

    return [{"name": loc(n.name_zh, n.name_en), "weight": n.weight, "definition": loc(n.definition_zh, n.definition_en),
             "groups": groups(n, []) if n.children else [{"name": "", "weight": 1.0, "leaves": [leaf(n)]}]}
            for n in tree.elements]


def _leaf_errors(exc: DomainError) -> dict[str, list[str]]:
    """``scores.MH1.1.score`` → ``{"MH1.1": [reason]}`` so each reason sits beside its indicator."""
    out: dict[str, list[str]] = {}
    for path, reasons in (exc.errors or {}).items():
        code = path.removeprefix("scores.").removesuffix(".score").removesuffix(".evidence").removesuffix(".note")
        out.setdefault(code, []).extend(localise_message(r) for r in (reasons if isinstance(reasons, list)
                                                                       else [reasons]))
    return out


def _posted_scores(tree: Tree, text_key: str) -> dict[str, dict[str, Any]]:
    scores: dict[str, dict[str, Any]] = {}
    for n in tree.leaves():
        raw = request.form.get(f"score-{n.code}", "")
        text = request.form.get(f"text-{n.code}", "")
        if raw == "":
            continue
        try:
            value: Any = float(raw)
        except ValueError:
            value = raw  # the service names it
        scores[n.code] = {"score": value, text_key: text}
    return scores


def _label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


# --- the enterprise's self-assessment ------------------------------------------------------------------------

def _render_self(year: int, errors: dict[str, list[str]] | None = None, message: str = "",
                 posted: dict[str, dict[str, Any]] | None = None, status: int = 200):
    principal, session = page_principal(), db_session()
    ent = own_enterprise(session, principal)
    tree = service.tree_for_enterprise(session, ent)
    a = service.assessment_for(session, principal, ent.ref, year)
    view = service.assessment_view(session, a) if a is not None else None
    values = dict(view["self_scores"]) if view else {}
    values.update(posted or {})
    return render_template("eecm_self.html", year=year, sections=sections(tree), a=view,
                           status_label=_label(view["status"]) if view else "", editable=not view or
                           view["status"] == "draft", values=values, errors=errors or {}, message=message,
                           enterprise=ent), status


@bp.get("/eecm")
@enterprises_only
def eecm_self():
    """The enterprise's EECM self-assessment of a year (``?year=``)."""
    return _render_self(_year())


@bp.post("/eecm")
@enterprises_only
def eecm_self_save():
    """Save the self-scores (``action=save``) or save and submit them (``action=submit``)."""
    principal, session = page_principal(), db_session()
    year = _year()
    ent = own_enterprise(session, principal)
    scores = _posted_scores(service.tree_for_enterprise(session, ent), "evidence")
    try:
        a = service.self_assess(session, principal, ent.ref, year, scores)
        if request.form.get("action") == "submit":
            service.submit(session, principal, a.id)
    except DomainError as exc:
        discard_changes()
        return _render_self(year, _leaf_errors(exc), localise_message(exc.message), scores, exc.status)
    flash_done(_("Self-assessment submitted for scoring.") if request.form.get("action") == "submit"
               else _("Self-assessment saved."))
    return redirect(url_for("pages.eecm_self", year=year))


# --- the coordinator's list and scoring ----------------------------------------------------------------------

@bp.get("/eecm/assessments")
@coordinators_only
def eecm_assessments():
    """The EECM assessments of the coordinator's parks (filters: year, status)."""
    principal, session = page_principal(), db_session()
    values = choice_filters({"status": EECM_STATUSES})
    year = request.args.get("year", "")
    year_value = int(year) if year.isdigit() and service.MIN_YEAR <= int(year) <= service.MAX_YEAR else None
    stmt = service.list_assessments(session, principal, year=year_value, status=values["status"] or None)

    def views(rows: list[Any]) -> list[dict[str, Any]]:
        out = []
        for a in rows:
            doc = service.assessment_view(session, a)
            doc["status_label"] = _label(a.status)
            out.append(doc)
        return out

    page = paginate(session, stmt, views)
    return render_template("eecm_list.html", page=page, values=values, year=year_value or "",
                           status_options=[(s, _label(s)) for s in EECM_STATUSES])


def _render_score(assessment_id: int, errors: dict[str, list[str]] | None = None, message: str = "",
                  posted: dict[str, dict[str, Any]] | None = None, status: int = 200):
    principal, session = page_principal(), db_session()
    try:
        a = service.get_assessment(session, principal, assessment_id)
    except NotFound:
        abort(404)
    view = service.assessment_view(session, a)
    values = dict(view["scores"])
    values.update(posted or {})
    tree = service.tree_for_enterprise(session, a.enterprise)
    choice_text = {n.code: {f"{c.score:g}": loc(c.zh, c.en) for c in n.rule.choices()} for n in tree.leaves()}
    return render_template("eecm_score.html", a=view, status_label=_label(view["status"]), sections=sections(tree),
                           values=values, choice_text=choice_text, errors=errors or {}, message=message,
                           can_score=view["status"] != "draft"), status


@bp.get("/eecm/assessments/<int(max=2147483647):assessment_id>")
@coordinators_only
def eecm_assessment(assessment_id: int):
    """One assessment: the self-scores and evidence beside the coordinator's score per indicator, total, bonus."""
    return _render_score(assessment_id)


@bp.post("/eecm/assessments/<int(max=2147483647):assessment_id>/score")
@coordinators_only
def eecm_assessment_score(assessment_id: int):
    """Score the assessment (leaves left unscored count 0)."""
    principal, session = page_principal(), db_session()
    try:
        a = service.get_assessment(session, principal, assessment_id)
        scores = _posted_scores(service.tree_for_enterprise(session, a.enterprise), "note")
        service.score_assessment(session, principal, assessment_id, scores)
    except NotFound:
        abort(404)
    except DomainError as exc:
        discard_changes()
        return _render_score(assessment_id, _leaf_errors(exc), localise_message(exc.message), None, exc.status)
    flash_done(_("Assessment scored."))
    return redirect(url_for("pages.eecm_assessment", assessment_id=assessment_id))
