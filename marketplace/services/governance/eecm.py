"""EECM assessments: a park's indicator tree, an enterprise's self-assessment with evidence, the coordinator's
scoring, and the bonus the result adds to the A–D rating (``EecmAssessment.bonus`` of a ``scored`` assessment).

An assessment is ``draft`` while the enterprise fills it in, ``submitted`` once it has scored every leaf,
``scored`` when a coordinator of its park has scored it (again if they correct it). Scores are chosen from
the leaf's scoring rule, so the page, the API and the CLI accept the same values.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from catalog.eecm import Tree, TreeError, effective_tree, parse_tree, score, tree_dict

from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...models import EECM_STATUSES, EecmAssessment, Enterprise, Notification, Park, User, user_parks
from ...models.base import utcnow
from ..accounts import audit
from ..accounts.enterprises import get_enterprise
from ..accounts.parks import coordinated_park, get_park
from ..accounts.users import Principal

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_EVIDENCE = 2000
NOTICE_KIND = "eecm_transition"
STATUS_TEXT = {"submitted": ("已提交 EECM 自评，待评分", "submitted its EECM self-assessment for scoring"),
               "scored": ("EECM 评估已评分", "EECM assessment scored")}
# A status as a per-field reason: the code, with its Chinese beside it.
STATUS_REASON = {"draft": "draft (草稿)", "submitted": "submitted (已提交)", "scored": "scored (已评分)"}


# --- the park's tree ------------------------------------------------------------------------------------------

def _tree_of(park: Park | None) -> Tree:
    try:
        return effective_tree(park.eecm_tree if park is not None else None)
    except TreeError:  # a stored override was valid when stored; should the rules tighten, fall back safely
        return effective_tree(None)


def _viewable_park(session: Session, principal: Principal, code: str) -> Park:
    park = get_park(session, code, field="park")
    if principal.coordinates(park.id):
        return park
    if principal.role == "enterprise" and principal.enterprise_id is not None:
        ent = session.get(Enterprise, principal.enterprise_id)
        if ent is not None and ent.park_id == park.id:
            return park
    raise Forbidden(f"park {code!r} is not yours (非本园区)", {"park": ["not your park (非本园区)"]})


def park_tree_view(session: Session, principal: Principal, park_code: str) -> dict[str, Any]:
    """The park's EECM tree: its stored override (or None) and the tree in effect (its coordinators, admins and
    enterprises)."""
    park = _viewable_park(session, principal, park_code)
    return {"park": park.code, "custom": bool(park.eecm_tree), "override": park.eecm_tree,
            "tree": tree_dict(_tree_of(park))}


def set_park_tree(session: Session, principal: Principal, park_code: str,
                  override: dict[str, Any] | None) -> dict[str, Any]:
    """Store the park's own tree (validated: every error by JSON path; None or empty: back to the default), audited.

    Assessments already scored keep their total and bonus: they were scored against the tree of their day."""
    park = coordinated_park(session, principal, park_code, field="park")
    if override:
        try:
            parse_tree(override)
        except TreeError as exc:
            raise ValidationFailed("the EECM tree is not valid (EECM 指标体系有误)",
                                   {f"tree{path[1:]}": reasons for path, reasons in exc.errors.items()}) from None
    old, new = park.eecm_tree, (dict(override) if override else None)
    if old != new:
        park.eecm_tree = new
        audit.record(session, actor=principal.actor, action="update", entity_type="park", entity_key=park.code,
                     changes={"eecm_tree": ["custom" if old else "default", "custom" if new else "default"]},
                     park_id=park.id)
        session.flush()
    return park_tree_view(session, principal, park_code)


def tree_for_enterprise(session: Session, enterprise: Enterprise) -> Tree:
    """The tree an enterprise is assessed on: its park's."""
    return _tree_of(session.get(Park, enterprise.park_id) if enterprise.park_id else None)


# --- scores ---------------------------------------------------------------------------------------------------

def _check_year(year: Any) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed("the year is not valid (年份有误)",
                               {"year": [f"a year {MIN_YEAR}…{MAX_YEAR} (须为 {MIN_YEAR} 至 {MAX_YEAR} 之间的年份)"]})
    return year


def _clean_scores(tree: Tree, scores: Any, field: str, text_key: str) -> dict[str, dict[str, Any]]:
    """``{leaf: {"score", text_key}}`` checked against the tree: every error named, nothing kept on one."""
    if not isinstance(scores, dict):
        raise ValidationFailed("scores must be an object by indicator (评分格式有误)",
                               {field: ["an object mapping indicator codes to {score, " + text_key + "} "
                                        "(须为以指标代码为键、含 score 与 " + text_key + " 的对象)"]})
    errors: dict[str, list[str]] = {}
    out: dict[str, dict[str, Any]] = {}
    for code, entry in scores.items():
        path = f"{field}.{code}"
        node = tree.node(code)
        if node is None or node.children:
            errors[path] = ["not a leaf indicator of the park's EECM tree (不是本园区 EECM 指标体系的末级指标)"]
            continue
        if not isinstance(entry, dict):
            errors[path] = [f"must be an object with score and {text_key} (须为含 score 与 {text_key} 的对象)"]
            continue
        value, text = entry.get("score"), entry.get(text_key, "") or ""
        allowed = [lv.score for lv in node.rule.choices()]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value) not in allowed:
            errors.setdefault(f"{path}.score", []).append(
                f"must be one of {', '.join(f'{s:g}' for s in allowed)} (the indicator's scoring rule) "
                f"(须为该指标评分规则中的分值之一：{'、'.join(f'{s:g}' for s in allowed)})")
        if not isinstance(text, str) or len(text) > MAX_EVIDENCE or "\x00" in text:
            errors.setdefault(f"{path}.{text_key}", []).append(
                f"a text of at most {MAX_EVIDENCE} characters (最多 {MAX_EVIDENCE} 个字符)")
        if f"{path}.score" not in errors and f"{path}.{text_key}" not in errors:
            out[code] = {"score": float(value), text_key: text.strip()}
    if errors:
        raise ValidationFailed("some scores are not valid (部分评分有误)", errors)
    return out


def _result(tree: Tree, scores: dict[str, Any]):
    return score(tree, {code: entry["score"] for code, entry in (scores or {}).items()})


# --- reading --------------------------------------------------------------------------------------------------

def _loaded() -> Any:
    return selectinload(EecmAssessment.enterprise).selectinload(Enterprise.park)


def visible_assessments(principal: Principal, *, park_id: int | None = None, year: int | None = None,
                        status: str | None = None) -> Select:
    """The assessments the principal may see (its own enterprise's; a coordinator's parks'; an admin all),
    newest year first, then by enterprise."""
    stmt = (select(EecmAssessment).join(Enterprise, EecmAssessment.enterprise_id == Enterprise.id)
            .options(_loaded()).order_by(EecmAssessment.year.desc(), Enterprise.ref))
    if principal.is_coordinator:
        stmt = stmt.where(Enterprise.park_id.in_(sorted(principal.park_ids)))
    elif not principal.is_admin:
        stmt = stmt.where(EecmAssessment.enterprise_id == (principal.enterprise_id or -1))
    if park_id is not None:
        stmt = stmt.where(Enterprise.park_id == park_id)
    if year is not None:
        stmt = stmt.where(EecmAssessment.year == year)
    if status is not None:
        if status not in EECM_STATUSES:
            raise ValidationFailed("unknown status (状态有误)", {"status": [
                f"one of {', '.join(EECM_STATUSES)} (须为以下之一：{'、'.join(EECM_STATUSES)})"]})
        stmt = stmt.where(EecmAssessment.status == status)
    return stmt


def list_assessments(session: Session, principal: Principal, *, park: str | None = None, year: int | None = None,
                     status: str | None = None) -> Select:
    """``visible_assessments`` filtered by a park code (which the caller must coordinate, unless it is their own)."""
    park_id = _viewable_park(session, principal, park).id if park else None
    return visible_assessments(principal, park_id=park_id, year=year, status=status)


def assessment_views(session: Session, principal: Principal, *, park: str | None = None,
                     year: int | None = None) -> list[dict[str, Any]]:
    """Every assessment ``list_assessments`` selects, as ``assessment_view`` shows it (for the CLI)."""
    return [assessment_view(session, a)
            for a in session.scalars(list_assessments(session, principal, park=park, year=year))]


def _unknown(assessment_id: int) -> NotFound:
    return NotFound(f"no EECM assessment {assessment_id} (评估不存在)",
                    {"assessment_id": ["unknown assessment (评估不存在)"]})


def get_assessment(session: Session, principal: Principal, assessment_id: int) -> EecmAssessment:
    """One assessment the principal may see; ``NotFound`` otherwise (whether or not it exists)."""
    row = session.scalar(select(EecmAssessment).where(EecmAssessment.id == assessment_id).options(_loaded()))
    if row is None or not (principal.acts_for(row.enterprise_id) or principal.coordinates(row.enterprise.park_id)):
        raise _unknown(assessment_id)
    return row


def assessment_for(session: Session, principal: Principal, enterprise_ref: str, year: int) -> EecmAssessment | None:
    """The enterprise's assessment of ``year``, if any (the enterprise's users, its park's coordinators)."""
    ent = get_enterprise(session, principal, enterprise_ref)
    return session.scalar(select(EecmAssessment).where(EecmAssessment.enterprise_id == ent.id,
                                                       EecmAssessment.year == _check_year(year)))


def assessment_view(session: Session, a: EecmAssessment) -> dict[str, Any]:
    """An assessment as the API shows it, with the self-assessment's and the coordinator's results by node."""
    tree = tree_for_enterprise(session, a.enterprise)
    own, coord = _result(tree, a.self_scores), _result(tree, a.scores)
    iso = lambda t: t.isoformat() if t else None  # noqa: E731
    return {"id": a.id, "enterprise": {"ref": a.enterprise.ref, "name": a.enterprise.name},
            "park": a.enterprise.park.code if a.enterprise.park else None, "year": a.year, "status": a.status,
            "self_scores": a.self_scores or {}, "scores": a.scores or {},
            "self_total": own.total, "self_missing": own.missing, "self_by_node": own.by_node,
            "total": a.total, "bonus": a.bonus, "by_node": coord.by_node if a.status == "scored" else {},
            "missing": coord.missing if a.status == "scored" else [],
            "submitted_at": iso(a.submitted_at), "scored_at": iso(a.scored_at), "scored_by": a.scored_by}


def scored_bonus(session: Session, enterprise_ids: list[int], year: int) -> dict[int, float]:
    """The rating bonus of each enterprise's scored assessment of ``year`` (those without one are absent)."""
    rows = session.execute(select(EecmAssessment.enterprise_id, EecmAssessment.bonus).where(
        EecmAssessment.enterprise_id.in_(enterprise_ids), EecmAssessment.year == year,
        EecmAssessment.status == "scored"))
    return {ent_id: float(bonus or 0.0) for ent_id, bonus in rows}


# --- notices ----------------------------------------------------------------------------------------------------

def _notify_enterprise(session: Session, a: EecmAssessment) -> None:
    zh, en = STATUS_TEXT["scored"]
    data = {"assessment_id": a.id, "year": a.year, "status": a.status, "total": a.total, "bonus": a.bonus,
            "message": f"{a.year} 年度{zh}：得分 {a.total * 100:.1f}，评级加分 {a.bonus:.3f} / "
                       f"{a.year} {en}: {a.total * 100:.1f} of 100, rating bonus {a.bonus:.3f}"}
    session.add(Notification(enterprise_id=a.enterprise_id, kind=NOTICE_KIND, data=data))


def _notify_coordinators(session: Session, a: EecmAssessment) -> None:
    if a.enterprise.park_id is None:
        return
    users = session.scalars(select(User).join(user_parks, user_parks.c.user_id == User.id).where(
        user_parks.c.park_id == a.enterprise.park_id, User.role == "coordinator"))
    zh, en = STATUS_TEXT["submitted"]
    name = a.enterprise.name
    data = {"assessment_id": a.id, "year": a.year, "status": a.status, "enterprise": a.enterprise.ref,
            "message": f"{name} {a.year} 年度{zh} / {name} {en} ({a.year})"}
    session.add_all(Notification(user_id=u.id, kind=NOTICE_KIND, data=data) for u in users)


# --- the cycle --------------------------------------------------------------------------------------------------

def _own(session: Session, principal: Principal, enterprise_ref: str) -> Enterprise:
    ent = get_enterprise(session, principal, enterprise_ref)   # 404 for an enterprise the caller may not see
    if not principal.acts_for(ent.id):
        raise Forbidden("only the enterprise's own users assess it (仅限企业本身自评)",
                        {"enterprise": ["self-assessment is for the enterprise's users (仅限本企业用户自评)"]})
    return ent


def self_assess(session: Session, principal: Principal, enterprise_ref: str, year: int,
                scores: dict[str, Any]) -> EecmAssessment:
    """Save the enterprise's self-scores of ``year`` (``{leaf: {"score", "evidence"}}``, merged over what it saved
    before) on a draft, created on first use; a submitted or scored assessment is a 409."""
    ent = _own(session, principal, enterprise_ref)
    year = _check_year(year)
    clean = _clean_scores(tree_for_enterprise(session, ent), scores, "scores", "evidence")
    a = session.scalar(select(EecmAssessment).where(EecmAssessment.enterprise_id == ent.id,
                                                    EecmAssessment.year == year))
    if a is None:
        a = EecmAssessment(enterprise_id=ent.id, year=year, status="draft", self_scores={}, scores={})
        a.enterprise = ent
        session.add(a)
    elif a.status != "draft":
        raise Conflict(f"the {year} assessment is {a.status}: it can no longer be edited (评估已提交，不能修改)",
                       {"status": [STATUS_REASON.get(a.status, a.status)]})
    a.self_scores = {**(a.self_scores or {}), **clean}  # a new dict: the JSON column sees the change
    session.flush()
    audit.record(session, actor=principal.actor, action="update", entity_type="eecm_assessment",
                 entity_key=str(a.id), changes={"self_scores": sorted(clean)}, park_id=ent.park_id)
    session.flush()
    return a


def submit(session: Session, principal: Principal, assessment_id: int) -> EecmAssessment:
    """Submit the enterprise's draft for scoring once every leaf has a self-score; its coordinators are told."""
    a = get_assessment(session, principal, assessment_id)
    if not principal.acts_for(a.enterprise_id):
        raise Forbidden("only the enterprise submits its self-assessment (仅限企业本身提交)",
                        {"assessment_id": ["for the enterprise's users (仅限本企业用户)"]})
    if a.status != "draft":
        raise Conflict(f"the assessment is already {a.status} (评估已提交)",
                       {"status": [STATUS_REASON.get(a.status, a.status)]})
    missing = _result(tree_for_enterprise(session, a.enterprise), a.self_scores).missing
    if missing:
        raise ValidationFailed("every indicator needs a self-score before submitting (尚有指标未自评)",
                               {f"scores.{code}": ["not assessed yet (尚未自评)"] for code in missing})
    a.status, a.submitted_at = "submitted", utcnow()
    audit.record(session, actor=principal.actor, action="submit", entity_type="eecm_assessment",
                 entity_key=str(a.id), changes={"status": ["draft", "submitted"]}, park_id=a.enterprise.park_id)
    _notify_coordinators(session, a)
    session.flush()
    return a


def score_assessment(session: Session, principal: Principal, assessment_id: int,
                     scores: dict[str, Any]) -> EecmAssessment:
    """A coordinator of the enterprise's park (or an admin) scores a submitted assessment
    (``{leaf: {"score", "note"}}``; leaves left out count 0): ``total`` over the park's tree, ``bonus`` = total ×
    the tree's ``bonus_max``. A scored assessment may be scored again; a draft is a 409. The enterprise is told."""
    a = get_assessment(session, principal, assessment_id)
    if not principal.coordinates(a.enterprise.park_id):
        raise Forbidden("only the park's coordinators score assessments (仅限园区管理者评分)",
                        {"assessment_id": ["for the park's coordinators (仅限园区管理者)"]})
    if a.status == "draft":
        raise Conflict("the enterprise has not submitted this assessment yet (企业尚未提交自评)",
                       {"status": [STATUS_REASON["draft"]]})
    tree = tree_for_enterprise(session, a.enterprise)
    clean = _clean_scores(tree, scores, "scores", "note")
    result = _result(tree, clean)
    old = {"status": a.status, "total": a.total, "bonus": a.bonus}
    a.scores, a.total, a.bonus = clean, result.total, round(result.total * tree.bonus_max, 6)
    a.status, a.scored_at, a.scored_by = "scored", utcnow(), principal.actor
    audit.record(session, actor=principal.actor, action="score", entity_type="eecm_assessment",
                 entity_key=str(a.id), park_id=a.enterprise.park_id,
                 changes={k: [old[k], getattr(a, k)] for k in old if old[k] != getattr(a, k)})
    _notify_enterprise(session, a)
    session.flush()
    return a


def current_year() -> int:
    """The assessment year a page opens on: the year before the current one until the end of March
    (assessments look back at a whole year), else the current year."""
    today = dt.date.today()
    return today.year - 1 if today.month <= 3 else today.year
