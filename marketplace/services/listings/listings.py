"""Listings — offers (供给) and needs (需求): create, search, edit, pause/resume/close, one-click matching.

Who may do what: an enterprise user manages the listings of their own enterprise; a
coordinator those of enterprises in their parks; an admin all. Everyone signed in
sees other listings that are active, anonymised by ``disclosure.listing_view`` unless
their identity is disclosed; a listing that is neither visible nor theirs is
reported as unknown (404), one they can see but not manage as forbidden (403).
A listing is validated by the interchange ``ListingSchema`` (the one definition of a
valid listing) and waste codes must exist in the loaded HW list, as on import.
"""
from __future__ import annotations

import datetime as dt
import math
import secrets
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from catalog.waste_streams import infer_stream
from matching.quantities import annual_tonnes
from matching.scoring import explain_value

from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...models import RESERVING_STATUSES, Component, Enterprise, HwCodeRow, Listing, Match, Park
from ...models.base import MAX_ID
from ...schemas.interchange import ListingSchema, flatten_errors
from .. import after_commit
from ..accounts import audit
from ..accounts.disclosure import (
    COARSE_DEGREES,
    ROAD_FACTOR,
    Redactor,
    anonymised_terms,
    band_floor,
    coarse_position,
    disclosed_listing_ids,
    listing_view,
    road_km,
    sees_enterprise,
    sees_identity,
    sees_listing,
    shown_distance,
    viewer_origin,
)
from ..accounts.users import Principal
from ..matching import workflow
from ..matching.recommendations import notify_new_listing, recommend
from . import plausibility
from .interchange import COMPONENT_KEYS, LISTING_FIELDS, _full_hw_list_loaded
from .resolution import resolve_rows

# Allowed moves: action -> (from states, to state). Closed is final.
TRANSITIONS = {"pause": (("active",), "paused"), "resume": (("paused",), "active"),
               "close": (("active", "paused"), "closed")}
# The Chinese of the actions and states the refusals name.
ACTION_ZH = {"pause": "暂停", "resume": "恢复", "close": "关闭"}
MAX_TOP = 50
QUANTITY_EPS_T = 1e-6
KM_PER_DEGREE = 111.195

__all__ = ["TRANSITIONS", "ListingSearch", "change_status", "create_listing", "get_listing", "listing_detail",
           "manages", "recommendations", "reserved_t", "search_listings", "update_listing"]


def _loaded() -> tuple[Any, ...]:
    ent = selectinload(Listing.enterprise)
    return (selectinload(Listing.components), ent.selectinload(Enterprise.park),
            ent.selectinload(Enterprise.licences))


def _status_zh(status: str) -> str:
    return workflow.LISTING_STATUS_ZH.get(status, status)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _unknown(listing_id: int) -> NotFound:
    return NotFound(f"no listing {listing_id} (信息不存在)", {"listing_id": ["unknown listing (无此信息)"]})


# --- reading -------------------------------------------------------------------------------

def get_listing(session: Session, principal: Principal, listing_id: int, *, for_update: bool = False) -> Listing:
    """A listing the principal may see (``NotFound`` otherwise, whether or not it exists)."""
    if not 0 < listing_id <= MAX_ID:  # beyond the column's range: unknown, not a database error
        raise _unknown(listing_id)
    if for_update:
        # The order approvals use: the listing first; re-read what a concurrent writer committed.
        listing = session.scalar(select(Listing).where(Listing.id == listing_id).options(*_loaded())
                                 .with_for_update(of=Listing, key_share=True)
                                 .execution_options(populate_existing=True))
    else:
        # A page and its service often ask for the same listing: the second time it is in the session already.
        listing = session.get(Listing, listing_id, options=_loaded())
    if listing is None:
        raise _unknown(listing_id)
    # Mutual acceptance is looked up only when the cheaper rules do not already show it.
    if not (sees_listing(principal, listing)
            or sees_listing(principal, listing, disclosed_listing_ids(session, principal))):
        raise _unknown(listing_id)
    return listing


def own_listing(session: Session, principal: Principal, listing_id: int) -> Listing:
    """A listing of the principal's own enterprise (``NotFound`` for any other: the enterprise pages manage
    only one's own listings; another enterprise's listing is not theirs to open there)."""
    listing = get_listing(session, principal, listing_id)
    if principal.enterprise_id is None or listing.enterprise_id != principal.enterprise_id:
        raise _unknown(listing_id)
    return listing


def listing_detail(session: Session, principal: Principal, listing: Listing) -> dict[str, Any]:
    """The view of one listing for this principal (identified or anonymised, with its distance)."""
    disclosed = disclosed_listing_ids(session, principal)
    return listing_view(listing, identified=sees_identity(principal, listing, disclosed),
                        origin=viewer_origin(session, principal))


def manages(principal: Principal, listing: Listing) -> bool:
    """The owner enterprise's users, the coordinators of its park, and admins manage a listing."""
    return principal.coordinates(listing.enterprise.park_id) or principal.acts_for(listing.enterprise_id)


def _managed(session: Session, principal: Principal, listing_id: int, *, for_update: bool = False) -> Listing:
    """A listing the principal manages; 403 if they can merely see it, 404 if not even that."""
    listing = get_listing(session, principal, listing_id, for_update=for_update)
    if not manages(principal, listing):
        raise Forbidden("only the listing's enterprise or its park coordinator may do this (无权操作此信息)",
                        {"listing_id": ["not one of your listings (不是您可管理的信息)"]})
    return listing


@dataclass
class ListingSearch:
    """Filters of ``GET /listings`` (all optional)."""

    kind: str | None = None
    park: str | None = None
    waste_code: str | None = None
    category: str | None = None  # HW08
    stream: str | None = None  # industrial, hazardous, household, construction, agricultural
    q: str | None = None
    near: tuple[float, float] | None = None
    within_km: float | None = None
    status: str | None = None
    enterprise: str | None = None
    mine: bool = False
    page: int = 1
    per_page: int = 20


def _visible(stmt: Select, principal: Principal, disclosed: set[int]) -> Select:
    if principal.is_admin:
        return stmt
    if principal.is_coordinator:
        return stmt.where(or_(Enterprise.park_id.in_(sorted(principal.park_ids)), Listing.status == "active"))
    return stmt.where(or_(Listing.enterprise_id == principal.enterprise_id, Listing.status == "active",
                          Listing.id.in_(sorted(disclosed))))


def _search_enterprise(session: Session, principal: Principal, ref: str) -> Enterprise:
    ent = session.scalar(select(Enterprise).where(Enterprise.ref == ref))
    if ent is not None and sees_enterprise(principal, ent):
        return ent
    if principal.is_admin:
        raise ValidationFailed(f"unknown enterprise {ref!r} (企业不存在)",
                               {"enterprise": ["unknown enterprise ref (无此企业编号)"]})
    # Filtering others' anonymised listings by a named enterprise would reveal whose they are.
    raise Forbidden("you may filter by your own enterprise (or those of your parks) only (只能按本企业筛选)",
                    {"enterprise": ["not an enterprise you may see (无权查看该企业)"]})


def search_listings(session: Session, principal: Principal, f: ListingSearch) -> tuple[list[dict[str, Any]], int]:
    """One page of listing views matching ``f`` and the total; newest first, or nearest first with a distance.

    Distances are road km from ``near`` or, with ``within_km`` alone, from the caller's
    own site; from any other point than the caller's own site, anonymised sites are
    measured on a coarse grid so that probing cannot pin them down. An anonymised listing is in a
    radius when its distance band reaches into it and sorts by its band, so radii tell no more than the
    band its view shows.
    """
    disclosed = disclosed_listing_ids(session, principal)
    own_site = viewer_origin(session, principal)
    stmt = _visible(select(Listing).join(Listing.enterprise).options(*_loaded()), principal, disclosed)
    if f.kind:
        stmt = stmt.where(Listing.kind == f.kind)
    if f.status:
        stmt = stmt.where(Listing.status == f.status)
    if f.park:
        park = session.scalar(select(Park).where(Park.code == f.park))
        if park is None:
            raise ValidationFailed(f"unknown park {f.park!r} (园区不存在)",
                                   {"park": [f"no park with code {f.park!r} (没有代码为 {f.park} 的园区)"]})
        stmt = stmt.where(Enterprise.park_id == park.id)
    if f.waste_code:
        stmt = stmt.where(Listing.waste_code == f.waste_code)
    if f.category:
        stmt = stmt.where(Listing.waste_code.like(f"%-{f.category.upper().removeprefix('HW')}"))
    if f.stream:
        stmt = stmt.where(Listing.stream == f.stream)
    if f.enterprise:
        stmt = stmt.where(Listing.enterprise_id == _search_enterprise(session, principal, f.enterprise).id)
    if f.mine:
        if principal.enterprise_id is None:
            raise ValidationFailed("only enterprise users have listings of their own (仅企业用户可用)",
                                   {"mine": [("use enterprise=REF to see one enterprise's listings "
                                              "(查看某企业的信息请用 enterprise=企业编号)")]})
        stmt = stmt.where(Listing.enterprise_id == principal.enterprise_id)
    if f.q:
        needle = f.q.strip().lower()
        stmt = stmt.where(or_(func.lower(Listing.title).contains(needle, autoescape=True),
                              func.lower(Listing.title_zh).contains(needle, autoescape=True)))
    origin = f.near
    if f.within_km is not None and origin is None:
        if own_site is None:
            raise ValidationFailed("a distance needs a point to measure from (请提供起点坐标)",
                                   {"near": [("give near=lat,lon: you have no site of your own "
                                              "(您没有自己的厂址，请提供 near=纬度,经度)")]})
        origin = own_site
    if origin is not None and f.within_km is not None and abs(origin[0]) < 80:
        # A generous box first, in SQL; the exact road distance decides below.
        dlat = f.within_km / ROAD_FACTOR / KM_PER_DEGREE + COARSE_DEGREES
        dlon = dlat / math.cos(math.radians(abs(origin[0]) + dlat))
        stmt = stmt.where(Enterprise.lat.between(origin[0] - dlat, origin[0] + dlat),
                          Enterprise.lon.between(origin[1] - dlon, origin[1] + dlon))

    if origin is None and not f.q:
        stmt = stmt.order_by(Listing.created_at.desc(), Listing.id.desc())
        total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        rows = list(session.scalars(stmt.limit(f.per_page).offset((f.page - 1) * f.per_page)))
    else:
        rows = _refine(list(session.scalars(stmt.order_by(Listing.created_at.desc(), Listing.id.desc()))),
                       principal, disclosed, f, origin, own_site)
        total = len(rows)
        rows = rows[(f.page - 1) * f.per_page: f.page * f.per_page]
    views = [listing_view(x, identified=sees_identity(principal, x, disclosed), origin=own_site) for x in rows]
    return views, total


def _refine(rows: list[Listing], principal: Principal, disclosed: set[int], f: ListingSearch,
            origin: tuple[float, float] | None, own_site: tuple[float, float] | None) -> list[Listing]:
    """The text and distance filters that must look at each listing as this principal sees it."""
    out: list[tuple[float, int, Listing]] = []
    needle = (f.q or "").strip().lower()
    for x in rows:
        identified = sees_identity(principal, x, disclosed)
        if needle and not identified:
            # An anonymised title is shown scrubbed: match what the caller can read, not what is hidden.
            redact = Redactor()
            redact.hide_listing(x)
            if not any(needle in redact.text(t).lower() for t in (x.title or "", x.title_zh or "")):
                continue
        distance = 0.0
        if origin is not None:
            lat, lon = x.enterprise.lat, x.enterprise.lon
            if not identified and origin != own_site:
                lat, lon = coarse_position(lat, lon)
            distance = road_km(origin[0], origin[1], lat, lon)
            if not identified:
                distance = band_floor(distance)
            if f.within_km is not None and distance > f.within_km:
                continue
        out.append((distance, len(out), x))
    out.sort(key=lambda t: (t[0], t[1]))
    return [x for _, _, x in out]


# --- writing -------------------------------------------------------------------------------

def _check_code(session: Session, code: str | None) -> None:
    """Once an official HW list is loaded, a well-formed code must also exist in it (as on import)."""
    if code and _full_hw_list_loaded(session) and session.get(HwCodeRow, code) is None:
        raise ValidationFailed(f"{code!r} is not a code of the loaded 国家危险废物名录 edition "
                               f"(已加载的《国家危险废物名录》中没有代码 {code})",
                               {"waste_code": [f"{code!r} is not in the loaded HW list (名录中无此代码)"]})


def _owner_for_new(session: Session, principal: Principal, ref: str | None) -> Enterprise:
    if ref is None:
        if principal.enterprise_id is None:
            raise ValidationFailed("coordinators and admins must name the enterprise (请指定企业)",
                                   {"enterprise": [("required: the ref of the enterprise the listing belongs to "
                                                    "(必填：信息所属企业的编号)")]})
        return session.get(Enterprise, principal.enterprise_id)
    ent = session.scalar(select(Enterprise).where(Enterprise.ref == ref))
    if ent is not None and (principal.coordinates(ent.park_id) or principal.acts_for(ent.id)):
        return ent
    if principal.is_admin:
        raise ValidationFailed("unknown enterprise (企业不存在)", {"enterprise": ["unknown enterprise ref (无此企业编号)"]})
    # The same answer whether or not the enterprise exists.
    raise Forbidden("you may post listings only for your own enterprise (or those of your parks) "
                    "(只能为本企业发布信息)",
                    {"enterprise": ["not an enterprise you act for (您无权为该企业发布信息)"]})


def _new_ref(session: Session, kind: str) -> str:
    prefix = "O" if kind == "offer" else "N"
    while True:
        ref = f"{prefix}-{secrets.token_hex(4).upper()}"
        if session.scalar(select(Listing.id).where(Listing.ref == ref)) is None:
            return ref


def _components(data: dict[str, Any]) -> list[Component]:
    return [Component(role=role, position=pos, name=c.get("name"), cas=c.get("cas"), fraction=float(c[amount]))
            for key, (role, amount) in COMPONENT_KEYS.items() for pos, c in enumerate(data.get(key) or [])]


def _decisions(values: dict[str, Any]) -> tuple[dict[str, Any], dict[tuple[str, int], bool | None]]:
    """``values`` without the components' ``resolve`` keys (the user's word on a name's resolution), and those
    words by (role, position): the interchange schema that re-validates a listing knows no such key."""
    words: dict[tuple[str, int], bool | None] = {}
    out = dict(values)
    for key, (role, _amount) in COMPONENT_KEYS.items():
        rows = values.get(key)
        if not isinstance(rows, list):
            continue
        out[key] = []
        for pos, row in enumerate(rows):
            if isinstance(row, dict) and "resolve" in row:
                row = dict(row)
                wish = row.pop("resolve")
                words[(role, pos)] = None if wish is None else bool(wish)
            out[key].append(row)
    return out, words


def _component_docs(listing: Listing) -> dict[str, list[dict[str, Any]]]:
    return {key: [{"name": c.name, "cas": c.cas, amount: c.fraction} for c in listing.components_in(role)]
            for key, (role, amount) in COMPONENT_KEYS.items()}


def _resolution_docs(listing: Listing) -> dict[str, list[Any]]:
    """The rows' resolutions as the audit trail keeps them: ``[name, resolved CAS or None, method]`` per row."""
    return {key: [[c.name, c.resolved_cas, c.resolved_by] for c in listing.components_in(role)]
            for key, (role, _amount) in COMPONENT_KEYS.items()}


def create_listing(session: Session, principal: Principal, data: dict[str, Any]) -> Listing:
    """Post an offer or need (``ListingSchema`` values; ``ref`` and ``enterprise`` may be None).

    Enterprise users post for their own enterprise; coordinators for enterprises of their
    parks; admins for any. A missing ref gets a fresh unique one. The enterprises the new
    listing fits best are notified: after the commit when the session's owner accepts deferred work
    (``after_commit``; the web server does), else at once. An unusual quantity or a likely duplicate is
    stored only when ``data["confirm"]`` lists its key (``plausibility.Unconfirmed``, 422, otherwise).
    """
    data, decisions = _decisions(data)
    confirmed = data.pop("confirm", None) or ()
    ent = _owner_for_new(session, principal, data.get("enterprise"))
    _check_code(session, data.get("waste_code"))
    plausibility.check(session, ent.id, data, confirmed)
    ref = data.get("ref")
    if ref is None:
        ref = _new_ref(session, data["kind"])
    elif session.scalar(select(Listing.id).where(Listing.ref == ref)) is not None:
        raise Conflict("this listing ref is already used (编号已被使用)",
                       {"ref": ["already used: choose another ref or omit it (编号已被使用：请换一个编号或留空)"]})
    listing = Listing(ref=ref, enterprise=ent, status="active", **{k: data.get(k) for k in LISTING_FIELDS})
    listing.forms = list(data.get("forms") or [])
    listing.period = data.get("period") or "year"
    listing.stream = data.get("stream") or infer_stream(data.get("waste_code"), data.get("category"))
    listing.composition_complete = bool(data.get("composition_complete"))
    listing.components = _components(data)
    resolve_rows(listing.components, decisions=decisions)
    session.add(listing)
    session.flush()
    audit.record(session, actor=principal.actor, action="create", entity_type="listing", entity_key=ref,
                 changes={"enterprise": [None, ent.ref], "status": [None, "active"],
                          **{k: [None, _iso(data.get(k))] for k in LISTING_FIELDS},
                          **{k: [None, v] for k, v in _component_docs(listing).items()},
                          "resolved": [None, _resolution_docs(listing)]},
                 context={"listing_id": listing.id}, park_id=ent.park_id)
    # The notices come from the listing's recommender (a model fit): not worth making the poster wait for.
    if not after_commit.defer(session, "notify_new_listing", _notify_committed, listing.id):
        notify_new_listing(session, listing)
    return listing


def _notify_committed(session: Session, listing_id: int) -> int:
    """The deferred half of ``create_listing``: notify about the committed listing (gone: nobody)."""
    listing = session.get(Listing, listing_id)
    return 0 if listing is None else notify_new_listing(session, listing)


def active_totals(session: Session, principal: Principal) -> dict[str, dict[str, float]]:
    """The principal's enterprise's active offers and needs: how many, and their tonnes a year."""
    out = {kind: {"count": 0, "tonnes": 0.0} for kind in ("offer", "need")}
    if principal.enterprise_id is None:
        return out
    rows = session.execute(select(Listing.kind, Listing.quantity_t, Listing.period).where(
        Listing.enterprise_id == principal.enterprise_id, Listing.status == "active"))
    for kind, quantity, period in rows:
        out[kind]["count"] += 1
        out[kind]["tonnes"] += annual_tonnes(quantity, period)
    return out


def matches_of(session: Session, principal: Principal, listing: Listing, *,
               limit: int | None = None) -> list[Match]:
    """The listing's matches the principal may see, newest first (at most ``limit``)."""
    stmt = workflow.filtered_matches(session, principal, listing=listing.id)
    return list(session.scalars(stmt if limit is None else stmt.limit(limit)))


def open_matches_by_partner(session: Session, principal: Principal, listing: Listing) -> dict[int, Match]:
    """The listing's matches still in the workflow, by the partner listing's id (the newest per partner)."""
    out: dict[int, Match] = {}
    for m in matches_of(session, principal, listing):
        if m.status in workflow.ACTIVE_STATUSES:
            out.setdefault(m.need_id if listing.kind == "offer" else m.offer_id, m)
    return out


def reserved_t(session: Session, listing_id: int) -> float:
    """Annual tonnes of the listing that approved (or later) matches hold."""
    return float(session.scalar(select(func.coalesce(func.sum(Match.quantity_t), 0.0)).where(
        Match.status.in_(RESERVING_STATUSES), or_(Match.offer_id == listing_id, Match.need_id == listing_id)))
        or 0.0)


def _document(listing: Listing) -> dict[str, Any]:
    """The listing as an interchange item, to re-validate it whole after a partial change."""
    return {"ref": listing.ref, "kind": listing.kind, "enterprise": listing.enterprise.ref,
            **{k: _iso(getattr(listing, k)) for k in LISTING_FIELDS if k != "kind"}, **_component_docs(listing)}


def _follows_code(listing: Listing) -> bool:
    """Whether the listing's stream is the one its code or category names (not chosen apart from it)."""
    return listing.stream == infer_stream(listing.waste_code, listing.category)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: ([dict(c) for c in v] if isinstance(v, list) and v and isinstance(v[0], dict) else _iso(v))
            for k, v in data.items()}


def update_listing(session: Session, principal: Principal, listing_id: int, values: dict[str, Any]) -> Listing:
    """Change the given fields (not kind, ref or enterprise); the result must still be a valid listing.

    Closed listings cannot change (409), nor may the quantity drop below what approved
    matches already reserve (409). A component given with ``resolve: false`` keeps its name
    unresolved (and stays so on later saves); ``resolve: true`` resolves a refused name again.
    A new quantity far from the usual must be confirmed (``values["confirm"]``, as on create).
    """
    values, decisions = _decisions(values)
    confirmed = values.pop("confirm", None) or ()
    listing = _managed(session, principal, listing_id, for_update=True)
    if listing.status == "closed":
        raise Conflict("a closed listing cannot be edited (已关闭的信息不能修改)", {"status": ["closed (已关闭)"]})
    before = _document(listing)
    merged = {**before, **_jsonable(values)}
    if _follows_code(listing) and "stream" not in values and ({"waste_code", "category"} & values.keys()):
        # The stream was the one the old code named: a new code names the new one (a stream chosen apart is kept).
        merged.pop("stream", None)
    try:
        data = ListingSchema().load(merged)
    except ValidationError as exc:
        errors = {path.removeprefix("$."): msgs for path, msgs in flatten_errors(exc.messages).items()}
        raise ValidationFailed("the listing is not valid after this change (修改后信息有误)", errors) from None
    if data["waste_code"] != listing.waste_code:
        _check_code(session, data["waste_code"])
    if (data["quantity_t"], data["period"]) != (listing.quantity_t, listing.period):
        plausibility.check(session, listing.enterprise_id, data, confirmed, exclude=listing.id)
    held = reserved_t(session, listing.id)
    if annual_tonnes(data["quantity_t"], data["period"]) + QUANTITY_EPS_T < held:
        raise Conflict(f"approved matches already reserve {held:g} t a year of this listing (已批准匹配占用 {held:g} 吨)",
                       {"quantity_t": [f"must be at least {held:g} t a year (每年至少 {held:g} 吨)"]})
    changes: dict[str, list[Any]] = {}
    for k in LISTING_FIELDS:
        if k != "kind" and data[k] != getattr(listing, k):
            changes[k] = [_iso(getattr(listing, k)), _iso(data[k])]
            setattr(listing, k, data[k])
    after = {key: [{"name": c.get("name"), "cas": c.get("cas"), amount: c[amount]} for c in data[key]]
             for key, (_role, amount) in COMPONENT_KEYS.items()}
    old_components = _component_docs(listing)
    old_resolved = _resolution_docs(listing)
    previous = list(listing.components)
    if after != old_components:
        listing.components = _components(data)
        changes.update({k: [old_components[k], after[k]] for k in after if after[k] != old_components[k]})
    # Same rows: only the user's word on a resolution may change them, in place.
    resolve_rows(listing.components, decisions=decisions, previous=previous)
    new_resolved = _resolution_docs(listing)
    if new_resolved != old_resolved:
        changes["resolved"] = [old_resolved, new_resolved]
    if changes:
        # Bumped by hand: a change of components alone does not update the listing row.
        listing.updated_at = dt.datetime.now(dt.UTC)
        audit.record(session, actor=principal.actor, action="update", entity_type="listing", entity_key=listing.ref,
                     changes=changes, context={"listing_id": listing.id}, park_id=listing.enterprise.park_id)
    session.flush()
    return listing


def change_status(session: Session, principal: Principal, listing_id: int, action: str,
                  reason: str | None = None) -> tuple[Listing, int]:
    """``pause`` (active→paused), ``resume`` (paused→active) or ``close`` (active|paused→closed).

    Pausing or closing cancels the listing's open matches; returns the listing and how many were cancelled.
    """
    allowed, to = TRANSITIONS[action]
    listing = _managed(session, principal, listing_id, for_update=True)
    before = listing.status
    if before not in allowed:
        raise Conflict(f"cannot {action} a listing that is {before} (当前状态 {before} 不允许此操作)",
                       {"status": [(f"is {before}; {action} needs {' or '.join(allowed)} "
                                    f"(当前为「{_status_zh(before)}」，仅"
                                    f"{'或'.join(f'「{_status_zh(x)}」' for x in allowed)}的信息可{ACTION_ZH[action]})")]})
    if to == "active" and listing.held_by is not None:  # a coordinator's hold (moderation.hold)
        if not principal.coordinates(listing.enterprise.park_id):
            raise Conflict("the park coordinator paused this listing: only they may resume it "
                           "(园区管理者已暂停此信息，仅其可恢复)",
                           {"status": ["held by the park coordinator (已被园区管理者暂停)"]})
        listing.held_by = listing.held_reason = None
    listing.status = to
    cancelled = 0
    if to in ("paused", "closed"):
        why = reason or f"listing {to} by its owner (信息已{'暂停' if to == 'paused' else '关闭'})"
        cancelled = workflow.cancel_open_matches(session, listing, actor=principal.actor, reason=why)
    audit.record(session, actor=principal.actor, action=action, entity_type="listing", entity_key=listing.ref,
                 changes={"status": [before, to]}, context={"reason": reason, "cancelled_matches": cancelled,
                                                            "listing_id": listing.id},
                 park_id=listing.enterprise.park_id)
    session.flush()
    return listing, cancelled


# --- one-click matching --------------------------------------------------------------------

PASSED_THROUGH = ("score", "distance_km", "quantity_t", "weight", "similarity", "terms", "value")
OPTIONAL = ("approval_probability", "rank_score")


def recommendations(session: Session, principal: Principal, listing_id: int, *, top: int = 5) -> dict[str, Any]:
    """One-click matching (一键资源匹配) for a listing the principal manages.

    Each recommendation keeps the DESIGN contract keys; the counterpart is shown as its
    listing view, and every string is scrubbed of the counterpart's enterprise, listing
    ref and licence numbers unless its identity is visible to the principal.
    """
    if not 1 <= top <= MAX_TOP:
        raise ValidationFailed(f"top must be between 1 and {MAX_TOP} (推荐数量超出范围)",
                               {"top": [f"must be between 1 and {MAX_TOP}"]})
    listing = _managed(session, principal, listing_id)
    if listing.status == "closed":
        raise Conflict("a closed listing has no recommendations (已关闭的信息无法匹配)",
                       {"status": ["closed (已关闭)"]})
    # A page may be answered by the previous model while a newer one is built (never for a changed listing).
    result = recommend(session, [listing.ref], top=top, previous_ok=True)["results"][0]
    recs = result["recommendations"]
    excluded = result.get("excluded") or []  # "why not" (issue 17), anonymised exactly as the partners
    counterparts = {x.ref: x for x in session.scalars(select(Listing).where(
        Listing.ref.in_([r["listing"] for r in recs + excluded])).options(*_loaded()))}
    disclosed = disclosed_listing_ids(session, principal)
    origin = viewer_origin(session, principal)

    def party(ref: str) -> tuple[bool, Redactor, dict[str, Any]]:
        """Whether the viewer may know who holds listing ``ref``, the redactor that hides them if not, and
        the listing as the viewer may see it."""
        other = counterparts[ref]
        visible = sees_identity(principal, other, disclosed)
        redact = Redactor()
        if not visible:
            redact.hide_listing(other)
        return visible, redact, {"listing": other.id, "enterprise": other.enterprise.ref if visible else None,
                                 "counterpart": listing_view(other, identified=visible, origin=origin)}

    out = []
    for r in recs:
        visible, redact, shown = party(r["listing"])
        item = {**shown,
                **{k: r[k] for k in PASSED_THROUGH},
                **{k: redact(r[k]) for k in ("checks", "reasons", "licence", "exemption", "components")},
                **{k: r[k] for k in OPTIONAL if k in r}}
        if not visible:
            item.update(shown_distance(r["distance_km"], identified=False))  # the band the counterpart shows
            item["terms"], item["reasons"] = anonymised_terms(item["terms"], item["reasons"])
            # The price and the transport unsaid (they would give the counterpart's price and distance).
            item["value"] = explain_value(item["terms"], item["weight"], item["quantity_t"])
        out.append(item)
    doc: dict[str, Any] = {"listing": listing.id, "kind": listing.kind, "recommendations": out}
    doc["excluded"] = []
    for r in excluded:
        visible, redact, shown = party(r["listing"])
        doc["excluded"].append({**shown, "similarity": r["similarity"],
                                **shown_distance(r["distance_km"], identified=visible),
                                "checks": redact(r["checks"])})
    for key in ("empty_reason", "candidates"):
        if key in result:
            doc[key] = result[key]
    if result.get("note"):
        doc["note"] = result["note"].replace(listing.ref, f"#{listing.id}")
    return doc
