"""Annual environmental disclosures (企业环境信息依法披露): generated, reviewed by the enterprise, published.

Not to be confused with ``accounts.disclosure``, which decides who sees whose *names* (confidentiality);
this module is about the yearly report an enterprise on the key-enterprise roster must make public.

``generate_disclosure`` builds the document of one enterprise and year from what the product knows: its
identity (never its site coordinates), the controlled substances it is listed for (its roster entry, else its
accepted survey declaration), hazardous waste generated (its HW offers), transferred (its shipments received
in the year, by waste code) and utilised (what it received, by purpose), its HW business licences, its
obligations and audits, and its violations (``banned_use`` and ``obligation_overdue`` alerts). Listings,
matches, partners' names and prices stay out. The enterprise reviews it (draft → reviewed); the enterprise or
its park's coordinator publishes it (reviewed → published), after which its content never changes. Published
disclosures are public: ``published_query`` and ``get_published`` need no principal.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from catalog.control_lists import controlled_by_key, resolve_controlled
from catalog.measures import OBLIGATION_NAMES, ROLE_EN, ROLE_ZH
from catalog.waste_codes import category_of, is_hw_code
from matching.quantities import annual_tonnes

from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...models import Alert, Enterprise, Listing, Match, Notification, Park, Shipment, User, user_parks
from ...models.base import MAX_ID, iso_utc, park_date, park_day_start, utcnow
from ...models.governance import AnnualDisclosure, Obligation, RosterEntry, SurveyDeclaration
from ..accounts import audit
from ..accounts.disclosure import sees_enterprise
from ..accounts.enterprises import get_enterprise
from ..accounts.users import Principal
from ..traceability.manifests import templates
from . import roster

FORMAT = "wastematch.disclosure.v1"
MIN_YEAR, MAX_YEAR = 2000, 2100
VIOLATION_KINDS = ("banned_use", "obligation_overdue")
# A shipment counts for the year its waste arrived (received or closed since).
DONE_SHIPMENT_STATUSES = ("received", "closed")

# Codes the document stores, with their Chinese and English labels (the pages and the HTML show both).
ROLE_TEXT = {role: (ROLE_ZH[role], ROLE_EN[role]) for role in ROLE_ZH}
MEASURE_TEXT = {"ban": ("禁止", "banned"), "restrict": ("限制", "restricted"),
                "limit_emission": ("限排", "emissions limited")}
LIST_TEXT = {"stockholm": ("斯德哥尔摩公约", "Stockholm Convention"),
             "cn_new_pollutants_2023": ("重点管控新污染物清单（2023年版）", "Key controlled new pollutants (2023)"),
             "cn_priority_1": ("优先控制化学品名录（第一批）", "Priority controlled chemicals (1st batch)"),
             "cn_priority_2": ("优先控制化学品名录（第二批）", "Priority controlled chemicals (2nd batch)")}
OBLIGATION_TEXT = OBLIGATION_NAMES
OBLIGATION_STATUS_TEXT = {"open": ("未完成", "open"), "done": ("已完成", "done"), "waived": ("已豁免", "waived"),
                          "overdue": ("已逾期", "overdue")}
PURPOSE_TEXT = {"reuse": ("再利用", "reuse"), "recycle": ("再生利用", "recycling"),
                "co_process": ("协同处置", "co-processing"), "recover_energy": ("能量回收", "energy recovery"),
                "dispose": ("处置", "disposal"), None: ("未注明", "not stated")}
VIOLATION_TEXT = {"banned_use": ("禁用物质的使用", "banned use"),
                  "obligation_overdue": ("义务逾期未履行", "obligation overdue")}
STATUS_TEXT = {"draft": ("草稿", "draft"), "reviewed": ("企业已审核", "reviewed by the enterprise"),
               "published": ("已公开", "published")}

__all__ = ["FORMAT", "build_content", "disclosure_view", "generate_disclosure", "get_disclosure", "get_published",
           "labels", "public_view", "publish", "published_parks", "published_query", "published_years",
           "refreshed_disclosure", "render_html", "review", "visible_disclosures"]


# --- building the document -------------------------------------------------------------------------------------

def _check_year(year: Any, field: str = "year") -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(f"year must be a whole year between {MIN_YEAR} and {MAX_YEAR} (年份无效)",
                               {field: [(f"must be an integer {MIN_YEAR}…{MAX_YEAR}; got {year!r} "
                                         f"(须为 {MIN_YEAR} 至 {MAX_YEAR} 之间的整数；收到 {year!r})")]})
    return year


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the park year and of the next one (UTC)."""
    return park_day_start(dt.date(year, 1, 1)), park_day_start(dt.date(year + 1, 1, 1))


def _identity(ent: Enterprise) -> dict[str, Any]:
    # The district, never the site's coordinates: a public document must not locate the plant to the metre.
    park = ent.park
    return {"ref": ent.ref, "name": ent.name, "uscc": getattr(ent, "uscc", None),
            "park": {"code": park.code, "name": park.name, "name_en": park.name_en} if park else None,
            "industry": ent.industry, "industry_name": ent.industry_name, "province": ent.province,
            "district": ent.district}


def _substance_doc(row: dict[str, Any]) -> dict[str, Any]:
    """One listed substance with its labels (the roster's row, or a declaration's)."""
    role, measure = row.get("role"), row.get("measure")
    known = controlled_by_key(row.get("key"))  # its names in both languages, whatever the declaration typed
    return {"cas": row.get("cas"), "name": row.get("name"), "key": row.get("key"), "list": row.get("list"),
            "name_zh": known.name_zh if known else row.get("name"),
            "name_en": known.name_en if known else row.get("name"),
            "measure": measure, "role": role, "quantity_t": row.get("quantity_t"), "source": row.get("source"),
            "role_zh": ROLE_TEXT.get(role, (role, role))[0], "measure_zh": MEASURE_TEXT.get(measure, (measure,))[0]}


def _substances(session: Session, ent: Enterprise, year: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The substances the enterprise is listed for, and where they come from (roster entry or declaration)."""
    entry = session.scalar(select(RosterEntry).where(RosterEntry.enterprise_id == ent.id, RosterEntry.year == year))
    if entry is not None and entry.status != "removed":
        return ([_substance_doc(r) for r in entry.substances or []],
                {"source": "roster", "status": entry.status})
    decl = session.scalar(select(SurveyDeclaration).where(
        SurveyDeclaration.enterprise_id == ent.id, SurveyDeclaration.year == year,
        SurveyDeclaration.status == "accepted").options(selectinload(SurveyDeclaration.substances)))
    rows = []
    for s in decl.substances if decl is not None else []:
        known = resolve_controlled(s.cas, s.name)
        if known is None:  # the disclosure lists controlled substances only, not every chemical declared
            continue
        rows.append(_substance_doc({
            "cas": s.cas or (known.cas[0] if known.cas else None), "name": s.name or known.name_zh,
            "key": known.key, "list": known.lists[0] if known.lists else None, "measure": known.measure,
            "role": s.role, "quantity_t": s.quantity_t, "source": "declaration"}))
    return rows, {"source": "declaration" if decl is not None else None,
                  "status": "removed" if entry is not None else None}


def _generated(session: Session, ent: Enterprise, year: int) -> list[dict[str, Any]]:
    """HW offered in the year, by waste code (tonnes per year of the offers whose availability meets the year)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    totals: dict[str, dict[str, Any]] = {}
    for lst in session.scalars(select(Listing).where(Listing.enterprise_id == ent.id, Listing.kind == "offer")):
        if not is_hw_code(lst.waste_code or ""):
            continue
        begins = lst.available_from or park_date(lst.created_at)
        if begins > end or (lst.available_to is not None and lst.available_to < start):
            continue
        row = totals.setdefault(lst.waste_code, {"waste_code": lst.waste_code, "category": category_of(lst.waste_code),
                                                 "tonnes": 0.0, "offers": 0})
        row["tonnes"] += annual_tonnes(lst.quantity_t, lst.period)
        row["offers"] += 1
    return [{**r, "tonnes": round(r["tonnes"], 3)} for _, r in sorted(totals.items())]


def _done_shipments(session: Session, column: Any, ent: Enterprise, year: int) -> list[Shipment]:
    start, end = _year_bounds(year)
    return list(session.scalars(select(Shipment).where(
        column == ent.id, Shipment.status.in_(DONE_SHIPMENT_STATUSES), Shipment.direction == "forward",
        Shipment.received_at >= start, Shipment.received_at < end).order_by(Shipment.id)))


def _tonnes(s: Shipment) -> float:
    return s.quantity_received_t if s.quantity_received_t is not None else s.quantity_t


def _transferred(session: Session, ent: Enterprise, year: int) -> list[dict[str, Any]]:
    """What left the enterprise under a manifest and arrived in the year, by waste code (no receiver named)."""
    rows: dict[str, dict[str, Any]] = {}
    for s in _done_shipments(session, Shipment.producer_id, ent, year):
        code = s.waste_code or ""
        row = rows.setdefault(code, {"waste_code": s.waste_code, "hazardous": is_hw_code(code),
                                     "tonnes": 0.0, "manifests": 0})
        row["tonnes"] += _tonnes(s)
        row["manifests"] += 1
    return [{**r, "tonnes": round(r["tonnes"], 3)} for _, r in sorted(rows.items())]


def _utilised(session: Session, ent: Enterprise, year: int) -> list[dict[str, Any]]:
    """What the enterprise took in during the year as a receiver, by the purpose of its need (no supplier named)."""
    shipments = _done_shipments(session, Shipment.receiver_id, ent, year)
    purposes = dict(session.execute(select(Match.id, Listing.purpose).join(Listing, Listing.id == Match.need_id)
                                    .where(Match.id.in_({s.match_id for s in shipments}))).all()) if shipments else {}
    rows: dict[str, dict[str, Any]] = {}
    for s in shipments:
        purpose = purposes.get(s.match_id)
        row = rows.setdefault(purpose or "", {"purpose": purpose, "purpose_zh": PURPOSE_TEXT.get(purpose, (purpose,))[0],
                                              "tonnes": 0.0, "hazardous_t": 0.0, "manifests": 0})
        row["tonnes"] += _tonnes(s)
        row["hazardous_t"] += _tonnes(s) if is_hw_code(s.waste_code or "") else 0.0
        row["manifests"] += 1
    return [{**r, "tonnes": round(r["tonnes"], 3), "hazardous_t": round(r["hazardous_t"], 3)}
            for _, r in sorted(rows.items())]


def _permits(ent: Enterprise) -> list[dict[str, Any]]:
    return [{"number": lic.number, "kind": lic.kind, "categories": list(lic.categories or []),
             "activities": list(lic.activities or []), "annual_capacity_t": lic.annual_capacity_t,
             "valid_from": lic.valid_from.isoformat() if lic.valid_from else None,
             "valid_to": lic.valid_to.isoformat() if lic.valid_to else None} for lic in ent.licences]


def _obligations(session: Session, ent: Enterprise, year: int, today: dt.date) -> list[dict[str, Any]]:
    out = []
    for o in session.scalars(select(Obligation).where(Obligation.enterprise_id == ent.id, Obligation.year == year)
                             .order_by(Obligation.due, Obligation.code)):
        overdue = o.status == "open" and o.due < today
        zh, en = OBLIGATION_TEXT.get(o.code, (o.code, o.code))
        out.append({"code": o.code, "name_zh": zh, "name_en": en, "due": o.due.isoformat(), "status": o.status,
                    "overdue": overdue, "done_at": o.done_at.isoformat() if o.done_at else None})
    return out


def _violations(session: Session, ent: Enterprise, year: int) -> list[dict[str, Any]]:
    """The enterprise's ``banned_use`` and ``obligation_overdue`` alerts for the year (any status: it happened),
    one per condition: an alert cleared and raised again later is the same violation."""
    start, end = _year_bounds(year)
    out: dict[str, dict[str, Any]] = {}
    for a in session.scalars(select(Alert).where(Alert.enterprise_id == ent.id, Alert.kind.in_(VIOLATION_KINDS))
                             .order_by(Alert.raised_at, Alert.id)):
        details = a.details or {}
        for_year = details.get("year")
        raised = a.raised_at if a.raised_at.tzinfo else a.raised_at.replace(tzinfo=dt.timezone.utc)
        if (for_year != year) if isinstance(for_year, int) else not (start <= raised < end):
            continue
        zh, en = VIOLATION_TEXT.get(a.kind, (a.kind, a.kind))
        out.setdefault(a.key, {"code": a.kind, "cas": details.get("cas"), "detail": a.message, "name_zh": zh,
                               "name_en": en, "raised_at": iso_utc(a.raised_at)})  # the first raising
    return list(out.values())


def build_content(session: Session, ent: Enterprise, year: int, *, today: dt.date | None = None) -> dict[str, Any]:
    """The disclosure document of ``ent`` for ``year`` (no permission check: callers have made it)."""
    today = today or park_date()
    substances, basis = _substances(session, ent, year)
    generated = _generated(session, ent, year)
    transferred = _transferred(session, ent, year)
    utilised = _utilised(session, ent, year)
    obligations = _obligations(session, ent, year, today)
    total = lambda rows, key="tonnes": round(sum(r[key] for r in rows), 3)  # noqa: E731
    return {
        "format": FORMAT, "year": year, "enterprise": _identity(ent), "substances": substances,
        "substance_basis": basis,
        "hazardous_waste": {
            "generated": generated, "generated_t": total(generated),
            "transferred": transferred, "transferred_t": total([r for r in transferred if r["hazardous"]]),
            "manifests": sum(r["manifests"] for r in transferred),
            "utilised": utilised, "utilised_t": total(utilised), "utilised_hazardous_t": total(utilised, "hazardous_t"),
        },
        "permits": _permits(ent),
        "audits": [o for o in obligations if o["code"] == "clean_production_audit"],
        "obligations": obligations,
        "violations": _violations(session, ent, year),
        "generated_on": today.isoformat(),
    }


# --- who may do what -------------------------------------------------------------------------------------------

def _unknown(disclosure_id: Any) -> NotFound:
    return NotFound(f"no disclosure {disclosure_id} (信息披露不存在)",
                    {"disclosure_id": ["unknown disclosure (信息披露不存在)"]})


def _status_reason(status: str) -> str:
    """A status as a per-field reason: the code, with its Chinese beside it."""
    return f"{status} ({STATUS_TEXT[status][0]})" if status in STATUS_TEXT else status


def _load(session: Session, disclosure_id: int) -> AnnualDisclosure | None:
    if not isinstance(disclosure_id, int) or not 0 < disclosure_id <= MAX_ID:
        return None
    return session.scalar(select(AnnualDisclosure).where(AnnualDisclosure.id == disclosure_id).options(
        selectinload(AnnualDisclosure.enterprise).selectinload(Enterprise.park)))


def get_disclosure(session: Session, principal: Principal, disclosure_id: int) -> AnnualDisclosure:
    """One disclosure the principal may see (its enterprise's users, its park's coordinators, admins; anyone
    for a published one); ``NotFound`` otherwise, whether or not it exists."""
    d = _load(session, disclosure_id)
    if d is None or not (d.status == "published" or sees_enterprise(principal, d.enterprise)):
        raise _unknown(disclosure_id)
    return d


def visible_disclosures(principal: Principal, *, year: int | None = None, status: str | None = None) -> Select:
    """``SELECT`` of the disclosures the principal may see (own enterprise, coordinated parks, all for admins),
    newest year first."""
    stmt = (select(AnnualDisclosure).join(Enterprise, Enterprise.id == AnnualDisclosure.enterprise_id)
            .options(selectinload(AnnualDisclosure.enterprise).selectinload(Enterprise.park))
            .order_by(AnnualDisclosure.year.desc(), Enterprise.ref))
    if principal.is_coordinator:
        stmt = stmt.where(Enterprise.park_id.in_(sorted(principal.park_ids)))
    elif not principal.is_admin:
        stmt = stmt.where(Enterprise.id == (principal.enterprise_id or 0))
    if year is not None:
        stmt = stmt.where(AnnualDisclosure.year == _check_year(year))
    if status is not None:
        stmt = stmt.where(AnnualDisclosure.status == status)
    return stmt


def _coordinators(session: Session, park_id: int | None) -> list[User]:
    if park_id is None:
        return []
    return list(session.scalars(select(User).join(user_parks, user_parks.c.user_id == User.id).where(
        User.role == "coordinator", User.active.is_(True), user_parks.c.park_id == park_id).order_by(User.id)))


def _notify(session: Session, d: AnnualDisclosure, event: str, principal: Principal) -> int:
    """Tell the park's coordinators (and, when someone else acted, the enterprise) that ``event`` happened."""
    ent = d.enterprise
    zh, en = {"review": ("已由企业审核，待公开", "reviewed by the enterprise, ready to publish"),
              "publish": ("已公开", "published")}[event]
    data = {"disclosure_id": d.id, "year": d.year, "event": event, "status": d.status,
            "enterprise": {"ref": ent.ref, "name": ent.name},
            "message": f"{ent.name} {d.year} 年度环境信息依法披露：{zh} / {ent.name}'s {d.year} annual environmental "
                       f"disclosure: {en}"}
    notices = [Notification(user_id=u.id, kind="disclosure_transition", data=data)
               for u in _coordinators(session, ent.park_id) if u.id != principal.user_id]
    if not principal.acts_for(ent.id):
        notices.append(Notification(enterprise_id=ent.id, kind="disclosure_transition", data=data))
    session.add_all(notices)
    session.flush()
    return len(notices)


def _audit(session: Session, d: AnnualDisclosure, principal: Principal, action: str, before: str | None,
           **context: Any) -> None:
    audit.record(session, actor=principal.actor, action=action, entity_type="annual_disclosure",
                 entity_key=f"{d.enterprise.ref}:{d.year}", changes={"status": [before, d.status]},
                 context={"disclosure_id": d.id, **context}, park_id=d.enterprise.park_id)


# --- the state changes -----------------------------------------------------------------------------------------

def generate_disclosure(session: Session, principal: Principal, enterprise_ref: str, year: int, *,
                        today: dt.date | None = None) -> AnnualDisclosure:
    """Build (or rebuild, back to draft) the annual environmental disclosure of ``enterprise_ref`` for ``year``.

    The enterprise's users, its park's coordinators and admins may; anyone else is told the enterprise is
    unknown. A published disclosure never changes (``Conflict``).
    """
    year = _check_year(year)
    ent = get_enterprise(session, principal, enterprise_ref)
    d = session.scalar(select(AnnualDisclosure).where(AnnualDisclosure.enterprise_id == ent.id,
                                                      AnnualDisclosure.year == year))
    if d is not None and d.status == "published":
        raise Conflict(f"the {year} disclosure of {ent.ref} is published and cannot change (已公开的信息披露不可修改)",
                       {"status": [_status_reason("published")]})
    content = build_content(session, ent, year, today=today)
    before = d.status if d is not None else None
    if d is None:
        d = AnnualDisclosure(enterprise_id=ent.id, year=year, enterprise=ent)
        session.add(d)
    # A rebuilt document must be reviewed again: what was reviewed is not what is there now.
    d.status, d.content, d.generated_at = "draft", content, utcnow()
    d.reviewed_at = d.reviewed_by = None
    session.flush()
    _audit(session, d, principal, "generate" if before is None else "regenerate", before)
    return d


def refreshed_disclosure(session: Session, principal: Principal, enterprise_ref: str, year: int) -> AnnualDisclosure:
    """The reviewed or published disclosure of ``enterprise_ref`` for ``year`` as it stands, else a freshly
    (re)generated draft (what ``wastematch disclosure`` writes)."""
    year = _check_year(year)
    ent = get_enterprise(session, principal, enterprise_ref)
    d = session.scalar(select(AnnualDisclosure).where(AnnualDisclosure.enterprise_id == ent.id,
                                                      AnnualDisclosure.year == year))
    if d is not None and d.status in ("reviewed", "published"):
        return d  # writing it out must not undo the enterprise's review (regenerating does: ask for that)
    return generate_disclosure(session, principal, enterprise_ref, year)


def review(session: Session, principal: Principal, disclosure_id: int) -> AnnualDisclosure:
    """The enterprise confirms its draft (draft → reviewed); only its own users may."""
    d = get_disclosure(session, principal, disclosure_id)
    if not sees_enterprise(principal, d.enterprise):
        raise _unknown(disclosure_id)
    if not principal.acts_for(d.enterprise_id):
        raise Forbidden("only the enterprise's own users review its disclosure (仅企业本身可审核其信息披露)",
                        {"role": ["requires a user of the enterprise (须为本企业用户)"]})
    if d.status != "draft":
        raise Conflict(f"the disclosure is {d.status}, not a draft (当前状态不可审核)",
                       {"status": [_status_reason(d.status)]})
    d.status, d.reviewed_at, d.reviewed_by = "reviewed", utcnow(), principal.actor
    session.flush()
    _audit(session, d, principal, "review", "draft")
    _notify(session, d, "review", principal)
    return d


def publish(session: Session, principal: Principal, disclosure_id: int) -> AnnualDisclosure:
    """Make a reviewed disclosure public (reviewed → published): the enterprise or its park's coordinator (admins).

    From then on its content is frozen and it appears on the public pages.
    """
    d = get_disclosure(session, principal, disclosure_id)
    if not sees_enterprise(principal, d.enterprise):  # a stranger reads a published one, never acts on it
        raise Forbidden("you may not publish this disclosure (无权公开此信息披露)",
                        {"role": ["not your enterprise (非您的企业)"]})
    if d.status != "reviewed":
        why, why_zh = (("it is already published", "已经公开") if d.status == "published"
                       else ("the enterprise must review it first", "须先经企业审核"))
        raise Conflict(f"the disclosure cannot be published: {why} (信息披露不能公开：{why_zh})",
                       {"status": [_status_reason(d.status)]})
    d.status, d.published_at, d.published_by = "published", utcnow(), principal.actor
    session.flush()
    _audit(session, d, principal, "publish", "reviewed")
    _notify(session, d, "publish", principal)
    roster.fulfil_by_disclosure(session, enterprise_id=d.enterprise_id, year=d.year, disclosure_id=d.id,
                                actor=principal.actor)
    return d


# --- public reading --------------------------------------------------------------------------------------------

def published_query(session: Session, *, park: str | None = None, year: int | None = None) -> Select:
    """``SELECT`` of the published disclosures (public: no principal), newest year first, by park and name.

    ``park`` is a park code; an unknown one simply matches nothing.
    """
    stmt = (select(AnnualDisclosure).join(Enterprise, Enterprise.id == AnnualDisclosure.enterprise_id)
            .outerjoin(Park, Park.id == Enterprise.park_id)
            .where(AnnualDisclosure.status == "published")
            .options(selectinload(AnnualDisclosure.enterprise).selectinload(Enterprise.park))
            .order_by(AnnualDisclosure.year.desc(), Park.code, Enterprise.name, AnnualDisclosure.id))
    if park:
        stmt = stmt.where(Park.code == park)
    if year is not None:
        stmt = stmt.where(AnnualDisclosure.year == _check_year(year))
    return stmt


def published_years(session: Session) -> list[int]:
    """The years that have at least one published disclosure, newest first (the public filter's choices)."""
    return list(session.scalars(select(AnnualDisclosure.year).where(AnnualDisclosure.status == "published")
                                .distinct().order_by(AnnualDisclosure.year.desc())))


def published_parks(session: Session) -> list[Park]:
    """The parks that have at least one published disclosure, by code."""
    ids = select(Enterprise.park_id).join(AnnualDisclosure, AnnualDisclosure.enterprise_id == Enterprise.id).where(
        AnnualDisclosure.status == "published")
    return list(session.scalars(select(Park).where(Park.id.in_(ids)).order_by(Park.code)))


def get_published(session: Session, disclosure_id: int) -> AnnualDisclosure:
    """One published disclosure (public); anything else, or nothing, is ``NotFound``."""
    d = _load(session, disclosure_id)
    if d is None or d.status != "published":
        raise _unknown(disclosure_id)
    return d


# --- views -----------------------------------------------------------------------------------------------------

def public_view(d: AnnualDisclosure) -> dict[str, Any]:
    """What the public sees of a published disclosure: its frozen document and when it was published."""
    content = d.content or {}
    ent = content.get("enterprise") or {}
    return {"id": d.id, "year": d.year, "published_at": iso_utc(d.published_at), "enterprise": ent.get("name"),
            "park": (ent.get("park") or {}).get("code"), "content": content}


def disclosure_view(d: AnnualDisclosure) -> dict[str, Any]:
    """A disclosure as its enterprise and coordinators see it: state, who reviewed and published it, document."""
    return {"id": d.id, "enterprise": d.enterprise.ref, "enterprise_name": d.enterprise.name, "year": d.year,
            "status": d.status, "generated_at": iso_utc(d.generated_at), "reviewed_at": iso_utc(d.reviewed_at),
            "reviewed_by": d.reviewed_by, "published_at": iso_utc(d.published_at), "published_by": d.published_by,
            "content": d.content or {}}


def labels() -> dict[str, Any]:
    """The Chinese and English labels of the codes a document holds (for renderings)."""
    return {"role": ROLE_TEXT, "measure": MEASURE_TEXT, "list": LIST_TEXT, "obligation": OBLIGATION_TEXT,
            "obligation_status": OBLIGATION_STATUS_TEXT, "purpose": PURPOSE_TEXT, "violation": VIOLATION_TEXT,
            "status": STATUS_TEXT}


def render_html(view: dict[str, Any]) -> str:
    """The disclosure as one self-contained bilingual HTML page (Chinese with English alongside; works offline)."""
    return templates.get_template("disclosure.html").render(d=view, c=view["content"], t=labels(),
                                                            status=STATUS_TEXT.get(view["status"]))

