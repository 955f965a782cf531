"""The engine's input from the database: listings, sites, licences and reservations as plain records.

Also the way back: a proposal's fields copied onto its ``Match`` row, and the check and
proposal dictionaries the CLI contract and the API print.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from matching.pipeline import Proposal
from matching.problem import (
    HW_LICENCE_KINDS,
    LicenceRecord,
    NeedRecord,
    OfferRecord,
    PointToPointApproval,
    Problem,
    Settings,
    Site,
    substance_key,
)
from matching.quantities import annual_tonnes

from ...errors import NotFound
from ...models import RESERVING_STATUSES, Enterprise, Licence, Listing, Match, Park, PointToPointApprovalRow

# Ids per IN (…) of ``load_listings``.
LOAD_CHUNK = 5000


def _site(e: Enterprise) -> Site:
    park = e.park
    return Site(enterprise=e.ref, lat=e.lat, lon=e.lon, province=e.province, park=park.code if park else None,
                park_hw_max_km=park.hw_max_distance_km if park else None, industry=e.industry)


def _reserved(session: Session, column, within: Select | None = None) -> dict[int, float]:
    """Tonnes already spoken for per listing (approved or later); ``within``: only these listing ids."""
    q = select(column, func.sum(Match.quantity_t)).where(Match.status.in_(RESERVING_STATUSES))
    if within is not None:
        q = q.where(column.in_(within))
    return {k: float(v or 0.0) for k, v in session.execute(q.group_by(column))}


def reserved_tonnes(session: Session, within: Select | None = None) -> dict[int, float]:
    """Tonnes reserved per listing on either side of its matches (``within``: a select of listing ids)."""
    reserved: dict[int, float] = defaultdict(float)
    for d in (_reserved(session, Match.offer_id, within), _reserved(session, Match.need_id, within)):
        for k, v in d.items():
            reserved[k] += v
    return reserved


def licence_used(session: Session, year: int, within: Select | Sequence[str] | None = None) -> dict[str, float]:
    """Tonnes approved in calendar year ``year`` per licence number (counted by ``approved_at``;
    a reserving row without one, set by hand, counts by its last update). ``within``: only these numbers
    (a select of them, or a list)."""
    start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
    when = func.coalesce(Match.approved_at, Match.updated_at)
    q = select(Match.licence_number, func.sum(Match.quantity_t)).where(
        Match.status.in_(RESERVING_STATUSES), Match.licence_number.is_not(None), when >= start, when < end)
    if within is not None:
        if not isinstance(within, Select) and not within:
            return {}
        q = q.where(Match.licence_number.in_(within))
    return {k: float(v or 0.0) for k, v in session.execute(q.group_by(Match.licence_number))}


_licence_used = licence_used  # the name the workflow's tests and comments know it by


def _add(into: dict[str, float], role: str, key: str, fraction: float) -> None:
    """Two rows of one list may stand for one substance once names resolve ("硫酸" and "H2SO4"): their
    fractions add up in a composition; of two minimums or two limits the stricter holds."""
    if key not in into:
        into[key] = fraction
    elif role == "composition":
        into[key] = min(1.0, into[key] + fraction)
    else:
        into[key] = max(into[key], fraction) if role == "wanted" else min(into[key], fraction)


def listing_record(x: Listing, reserved: dict[int, float], *,
                   keep_exhausted: bool = False) -> OfferRecord | NeedRecord | None:
    """The engine's record of one listing (its components and enterprise's park loaded): annualised tonnes
    less what approved matches reserve. None when nothing is left, unless ``keep_exhausted`` (zero tonnes)."""
    qty = annual_tonnes(x.quantity_t, x.period) - reserved.get(x.id, 0.0)
    if qty <= 0:
        if not keep_exhausted:
            return None
        qty = 0.0
    comp: dict[str, float] = {}
    names: dict[str, str] = {}
    wanted: dict[str, float] = {}
    limits: dict[str, float] = {}
    for c in x.components:
        # The CAS typed, else the one the name resolved to (not a refused one); the name the user typed is shown.
        key = substance_key(c.substance_cas, c.name)
        names.setdefault(key, c.name or c.cas or key)
        _add({"composition": comp, "wanted": wanted, "limit": limits}[c.role], c.role, key, c.fraction)
    common = {"ref": x.ref, "site": _site(x.enterprise), "quantity_t": qty, "composition": comp, "names": names,
              "waste_code": x.waste_code, "title": x.title or "", "title_zh": x.title_zh or "",
              "description": x.description or "", "available_from": x.available_from,
              "available_to": x.available_to, "price_cny_per_t": x.price_cny_per_t, "id": x.id}
    if x.kind == "offer":
        return OfferRecord(form=x.form or "solid", current_route=x.current_route,
                           composition_complete=x.composition_complete, stream=x.stream, category=x.category,
                           **common)
    return NeedRecord(forms=frozenset(x.forms), purpose=x.purpose or "dispose", wanted=wanted,
                      limits=limits, max_distance_km=x.max_distance_km, stream=x.stream, category=x.category,
                      **common)


def licence_record(lic: Licence, used: dict[str, float]) -> LicenceRecord:
    """The engine's record of a licence (its enterprise loaded), capacity less this year's approvals."""
    # A licence of the construction or household stream covers no HW: its categories are the stream's own.
    hw = lic.kind in HW_LICENCE_KINDS
    return LicenceRecord(number=lic.number, enterprise=lic.enterprise.ref, kind=lic.kind,
                         categories=frozenset(lic.categories if hw else ()), codes=frozenset(lic.codes if hw else ()),
                         activities=frozenset(lic.activities), valid_from=lic.valid_from,
                         valid_to=lic.valid_to, remaining_t=lic.annual_capacity_t - used.get(lic.number, 0.0),
                         stream_categories=frozenset(() if hw else lic.categories))


def approval_record(a: PointToPointApprovalRow) -> PointToPointApproval:
    """The engine's record of a point-to-point approval (producer and receiver loaded)."""
    return PointToPointApproval(number=a.number, producer=a.producer.ref, receiver=a.receiver.ref,
                                waste_code=a.waste_code, valid_from=a.valid_from, valid_to=a.valid_to)


# What a listing record needs loaded beside the row (``listing_record``).
LISTING_LOADS = (selectinload(Listing.components), selectinload(Listing.enterprise).selectinload(Enterprise.park))


def park_id_of(session: Session, park: str) -> int:
    """The id of park ``park`` (404 naming the field when there is none)."""
    park_id = session.scalar(select(Park.id).where(Park.code == park))
    if park_id is None:
        raise NotFound(f"unknown park {park!r} (无此园区 {park})",
                       {"park": [f"no park with code {park!r} (没有代码为 {park} 的园区)"]})
    return park_id


def build_problem(session: Session, *, park: str | None = None, settings: Settings | None = None,
                  include: Sequence[str] = (), only: Sequence[int] = ()) -> Problem:
    """The engine's input from the active listings (of one park, plus any refs in ``include``).

    Quantities are annualised and reduced by what approved matches already reserve;
    licence capacity is reduced by this year's approved allocations. ``only`` (listing
    ids) builds the problem of just those listings, whatever their status, keeping
    exhausted ones at zero tonnes: the workflow re-checks one pair's rules with it.
    """
    settings = settings or Settings()
    q = select(Listing).options(*LISTING_LOADS)
    q = q.where(Listing.id.in_(list(only))) if only else q.where(Listing.status == "active")
    if park is not None:
        q = q.join(Listing.enterprise).where(Enterprise.park_id == park_id_of(session, park))
    # In id order, as ``regional_source`` reads a region: the engine breaks ties by input order.
    listings = list(session.scalars(q.order_by(Listing.id)))
    if include:
        have = {x.ref for x in listings}
        listings += [x for x in session.scalars(select(Listing).where(Listing.ref.in_(set(include) - have))
                                                .options(selectinload(Listing.components)))]
    reserved = reserved_tonnes(session)
    offers, needs = [], []
    for x in listings:
        record = listing_record(x, reserved, keep_exhausted=bool(only))
        if record is not None:
            (offers if isinstance(record, OfferRecord) else needs).append(record)
    enterprise_ids = {x.enterprise_id for x in listings}
    used = licence_used(session, settings.today.year)
    licences = [licence_record(lic, used)
                for lic in session.scalars(select(Licence).where(Licence.enterprise_id.in_(enterprise_ids))
                                           .options(selectinload(Licence.enterprise)))]
    approvals = [approval_record(a) for a in session.scalars(select(PointToPointApprovalRow).options(
        selectinload(PointToPointApprovalRow.producer), selectinload(PointToPointApprovalRow.receiver)))]
    return Problem(offers, needs, licences, approvals, settings)


def check_dict(c) -> dict[str, Any]:
    """A check as the CLI/API contract shows it, plus ``unknown`` and ``status`` (passed / failed / unknown).

    ``passed`` stays False for an unknown check, so a reader of the contract's four keys
    treats it as not passed; ``unknown`` says a declaration or an analysis report decides it.
    """
    return {"code": c.code, "passed": bool(c.passed), "hard": bool(c.hard), "detail": c.detail,
            "unknown": bool(c.unknown), "status": c.status}


def proposal_dict(p: Proposal) -> dict[str, Any]:
    """A proposal in the contract's shape (plus explanation fields)."""
    return {"offer": p.offer, "need": p.need, "offer_enterprise": p.offer_enterprise,
            "need_enterprise": p.need_enterprise, "quantity_t": p.quantity_t, "weight": p.weight,
            "score": p.score, "distance_km": p.distance_km, "similarity": p.similarity,
            "checks": [check_dict(c) for c in p.checks], "reasons": p.reasons, "terms": p.terms,
            "similarity_blocks": p.similarity_blocks, "components": p.components, "licence": p.licence,
            "exemption": p.exemption}


def load_listings(session: Session, ids: set[int]) -> list[Listing]:
    """These listings with their components, enterprises, parks and licences, in one round of queries
    per ``LOAD_CHUNK`` ids (a national run's proposals name a million listings)."""
    ordered = sorted(ids)
    out: list[Listing] = []
    for i in range(0, len(ordered), LOAD_CHUNK):
        out += session.scalars(select(Listing).where(Listing.id.in_(ordered[i:i + LOAD_CHUNK])).options(
            selectinload(Listing.components),
            selectinload(Listing.enterprise).selectinload(Enterprise.park),
            selectinload(Listing.enterprise).selectinload(Enterprise.licences)))
    return out


def match_values(p: Proposal) -> dict[str, Any]:
    """A proposal's quantity, score, checks and reasons as the match row's column values."""
    return {"quantity_t": p.quantity_t, "weight": p.weight, "score": p.score, "distance_km": p.distance_km,
            "similarity": p.similarity, "licence_number": p.licence, "exemption": p.exemption,
            "checks": [check_dict(c) for c in p.checks], "reasons": p.reasons,
            "terms": {**p.terms, "similarity_blocks": p.similarity_blocks, "components": p.components}}


def fill_match(m: Match, p: Proposal) -> None:
    """Copy a proposal's quantity, score, checks and reasons onto its match row."""
    for name, value in match_values(p).items():
        setattr(m, name, value)
