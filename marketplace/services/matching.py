"""Matching use cases: feed the engine from the database, persist and explain what it proposes."""
from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any, Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from catalog.waste_codes import is_hw_code
from matching.pipeline import ParkRun, Proposal, Recommender, run_park
from matching.problem import (
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

from ..errors import NotFound, ValidationFailed
from ..models import (
    RESERVING_STATUSES,
    Component,
    Enterprise,
    Licence,
    Listing,
    Match,
    MatchRun,
    Park,
    PointToPointApprovalRow,
)
from . import audit, learning


def _site(e: Enterprise) -> Site:
    park = e.park
    return Site(enterprise=e.ref, lat=e.lat, lon=e.lon, province=e.province, park=park.code if park else None,
                park_hw_max_km=park.hw_max_distance_km if park else None, industry=e.industry)


def _reserved(session: Session, column) -> dict[int, float]:
    """Tonnes already spoken for per listing (approved or later)."""
    rows = session.execute(select(column, func.sum(Match.quantity_t)).where(
        Match.status.in_(RESERVING_STATUSES)).group_by(column))
    return {k: float(v or 0.0) for k, v in rows}


def _licence_used(session: Session, year: int) -> dict[str, float]:
    """Tonnes approved in calendar year ``year`` per licence number (counted by ``approved_at``;
    a reserving row without one, set by hand, counts by its last update)."""
    start = dt.datetime(year, 1, 1, tzinfo=dt.timezone.utc)
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.timezone.utc)
    when = func.coalesce(Match.approved_at, Match.updated_at)
    rows = session.execute(select(Match.licence_number, func.sum(Match.quantity_t)).where(
        Match.status.in_(RESERVING_STATUSES), Match.licence_number.is_not(None), when >= start,
        when < end).group_by(Match.licence_number))
    return {k: float(v or 0.0) for k, v in rows}


def build_problem(session: Session, *, park: str | None = None, settings: Settings | None = None,
                  include: Sequence[str] = (), only: Sequence[int] = ()) -> Problem:
    """The engine's input from the active listings (of one park, plus any refs in ``include``).

    Quantities are annualised and reduced by what approved matches already reserve;
    licence capacity is reduced by this year's approved allocations. ``only`` (listing
    ids) builds the problem of just those listings, whatever their status, keeping
    exhausted ones at zero tonnes: the workflow re-checks one pair's rules with it.
    """
    settings = settings or Settings()
    q = select(Listing).options(
        selectinload(Listing.components), selectinload(Listing.enterprise).selectinload(Enterprise.park))
    q = q.where(Listing.id.in_(list(only))) if only else q.where(Listing.status == "active")
    if park is not None:
        the_park = session.scalar(select(Park).where(Park.code == park))
        if the_park is None:
            raise NotFound(f"unknown park {park!r}", {"park": [f"no park with code {park!r}"]})
        q = q.join(Listing.enterprise).where(Enterprise.park_id == the_park.id)
    listings = list(session.scalars(q))
    if include:
        have = {x.ref for x in listings}
        listings += [x for x in session.scalars(select(Listing).where(Listing.ref.in_(set(include) - have))
                                                .options(selectinload(Listing.components)))]
    reserved = defaultdict(float)
    for d in (_reserved(session, Match.offer_id), _reserved(session, Match.need_id)):
        for k, v in d.items():
            reserved[k] += v
    offers, needs = [], []
    for x in listings:
        qty = annual_tonnes(x.quantity_t, x.period) - reserved.get(x.id, 0.0)
        if qty <= 0:
            if not only:
                continue
            qty = 0.0
        comp, names = {}, {}
        wanted, limits = {}, {}
        for c in x.components:
            key = substance_key(c.cas, c.name)
            names[key] = c.name or c.cas or key
            {"composition": comp, "wanted": wanted, "limit": limits}[c.role][key] = c.fraction
        common = dict(ref=x.ref, site=_site(x.enterprise), quantity_t=qty, composition=comp, names=names,
                      waste_code=x.waste_code, title=x.title or "", title_zh=x.title_zh or "",
                      description=x.description or "", available_from=x.available_from,
                      available_to=x.available_to, price_cny_per_t=x.price_cny_per_t, id=x.id)
        if x.kind == "offer":
            offers.append(OfferRecord(form=x.form or "solid", current_route=x.current_route, **common))
        else:
            needs.append(NeedRecord(forms=frozenset(x.forms), purpose=x.purpose or "dispose", wanted=wanted,
                                    limits=limits, max_distance_km=x.max_distance_km, **common))
    enterprise_ids = {x.enterprise_id for x in listings}
    used = _licence_used(session, settings.today.year)
    licences = [LicenceRecord(number=lic.number, enterprise=lic.enterprise.ref, kind=lic.kind,
                              categories=frozenset(lic.categories), codes=frozenset(lic.codes),
                              activities=frozenset(lic.activities), valid_from=lic.valid_from,
                              valid_to=lic.valid_to, remaining_t=lic.annual_capacity_t - used.get(lic.number, 0.0))
                for lic in session.scalars(select(Licence).where(Licence.enterprise_id.in_(enterprise_ids))
                                           .options(selectinload(Licence.enterprise)))]
    approvals = [PointToPointApproval(number=a.number, producer=a.producer.ref, receiver=a.receiver.ref,
                                      waste_code=a.waste_code, valid_from=a.valid_from, valid_to=a.valid_to)
                 for a in session.scalars(select(PointToPointApprovalRow).options(
                     selectinload(PointToPointApprovalRow.producer), selectinload(PointToPointApprovalRow.receiver)))]
    return Problem(offers, needs, licences, approvals, settings)


def check_dict(c) -> dict[str, Any]:
    """A check as the CLI/API contract shows it."""
    return {"code": c.code, "passed": bool(c.passed), "hard": bool(c.hard), "detail": c.detail}


def proposal_dict(p: Proposal) -> dict[str, Any]:
    """A proposal in the contract's shape (plus explanation fields)."""
    return {"offer": p.offer, "need": p.need, "offer_enterprise": p.offer_enterprise,
            "need_enterprise": p.need_enterprise, "quantity_t": p.quantity_t, "weight": p.weight,
            "score": p.score, "distance_km": p.distance_km, "similarity": p.similarity,
            "checks": [check_dict(c) for c in p.checks], "reasons": p.reasons, "terms": p.terms,
            "similarity_blocks": p.similarity_blocks, "components": p.components, "licence": p.licence,
            "exemption": p.exemption}


def run_matching(session: Session, *, park: str | None, actor: str, settings: Settings | None = None,
                 with_candidates: bool = False,
                 progress: Callable[[str], None] | None = None) -> tuple[MatchRun, ParkRun]:
    """Run the park-wide optimisation and store it as a match run with its proposals.

    ``progress`` (optional) is told each stage as it starts: ``load``, the engine's stages
    (``similarity``, ``candidates``, ``optimise``, ``explain``), then ``store``.

    Re-running never duplicates: a pair proposed again updates its open proposal (a new
    quantity clears the acceptances already given); a pair the parties already accepted
    is left to its accepted match; open proposals the new run no longer makes become
    ``superseded``. Stale proposals expire first. Every change of state is audited.
    """
    from . import workflow  # the workflow imports this module

    settings = settings or Settings()
    step = progress or (lambda _stage: None)
    now = dt.datetime.now(dt.timezone.utc)
    step("load")
    workflow.expire_stale(session, now)
    problem = build_problem(session, park=park, settings=settings)
    result = run_park(problem, with_candidates=with_candidates, progress=progress)
    step("store")
    park_row = session.scalar(select(Park).where(Park.code == park)) if park else None
    run = MatchRun(park_id=park_row.id if park_row else None, actor=actor, exact=settings.exact,
                   parameters=_parameters(settings, park), status=result.status, objective=result.objective,
                   greedy_objective=result.greedy_objective, counts=result.counts, timings=result.timings,
                   solver=result.solver, unmatched=result.unmatched,
                   finished_at=dt.datetime.now(dt.timezone.utc))
    session.add(run)
    session.flush()
    scope = [o.id for o in problem.offers]
    # Only proposals this run could have made (offer and need both in its problem) may be superseded:
    # a park run must not retire a cross-park or out-of-scope pair it never considered.
    need_scope = [n.id for n in problem.needs]
    # Locked and re-read: a party accepting one of them meanwhile must not be overwritten
    # (superseded, or re-quantified without clearing the acceptance); it waits for this run instead.
    open_matches = {(m.offer_id, m.need_id): m for m in session.scalars(
        select(Match).where(Match.status == "proposed", Match.offer_id.in_(scope), Match.need_id.in_(need_scope))
        .order_by(Match.id).with_for_update(key_share=True).execution_options(populate_existing=True))}
    agreed = {tuple(row) for row in session.execute(select(Match.offer_id, Match.need_id).where(
        Match.status == "accepted", Match.offer_id.in_(scope)))}
    created, kept = [], 0
    for p in result.proposals:
        key = (p.offer_id, p.need_id)
        if key in agreed:
            continue  # both parties already accepted this pair: its match stands, no second proposal
        m = open_matches.pop(key, None)
        if m is None:
            m = Match(offer_id=p.offer_id, need_id=p.need_id, source="run", status="proposed",
                      expires_at=now + workflow.PROPOSAL_TTL)
            session.add(m)
            created.append(m)
        else:
            before = m.quantity_t
            _fill(m, p)
            if abs(before - m.quantity_t) > 1e-9:
                workflow.clear_acceptances(session, m, actor=actor, quantity_from=before, run_id=run.id)
            if m.expires_at is None:
                m.expires_at = now + workflow.PROPOSAL_TTL
        m.run_id = run.id
        _fill(m, p)
        kept += 1
    session.flush()
    # Auditing and notifying read both listings of every match: load them all at once, not one by one
    # (and hold them: the session's identity map keeps only what someone references).
    listings = _load_listings(session, {i for m in created + list(open_matches.values())
                                        for i in (m.offer_id, m.need_id)})
    for m in created:
        workflow.record_proposal(session, m, actor=actor, role="system", action="propose", run_id=run.id)
    for m in open_matches.values():
        workflow.supersede(session, m, actor=actor, run_id=run.id)
    audit.record(session, actor=actor, action="match-run", entity_type="match_run", entity_key=str(run.id),
                 changes={"status": [None, run.status], "objective": [None, run.objective],
                          "matches": [None, kept], "superseded": [None, len(open_matches)]},
                 context={"park": park, "exact": settings.exact}, park_id=run.park_id)
    session.flush()
    del listings
    return run, result


def _load_listings(session: Session, ids: set[int]) -> list[Listing]:
    """These listings with their components, enterprises, parks and licences, in one round of queries."""
    if not ids:
        return []
    return list(session.scalars(select(Listing).where(Listing.id.in_(ids)).options(
        selectinload(Listing.components),
        selectinload(Listing.enterprise).selectinload(Enterprise.park),
        selectinload(Listing.enterprise).selectinload(Enterprise.licences))))


def _fill(m: Match, p: Proposal) -> None:
    m.quantity_t = p.quantity_t
    m.weight = p.weight
    m.score = p.score
    m.distance_km = p.distance_km
    m.similarity = p.similarity
    m.licence_number = p.licence
    m.exemption = p.exemption
    m.checks = [check_dict(c) for c in p.checks]
    m.reasons = p.reasons
    m.terms = {**p.terms, "similarity_blocks": p.similarity_blocks, "components": p.components}


def _parameters(settings: Settings, park: str | None) -> dict[str, Any]:
    out = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(settings).items()}
    out["park"] = park
    return out


def run_document(run: MatchRun, result: ParkRun, *, with_candidates: bool = False) -> dict[str, Any]:
    """The ``wastematch match --json`` document of the CLI contract."""
    doc = {"run": run.id, "status": result.status, "objective": result.objective,
           "greedy_objective": result.greedy_objective, "matches": [proposal_dict(p) for p in result.proposals],
           "unmatched": result.unmatched, "counts": result.counts, "timings": result.timings,
           "solver": result.solver, "parameters": run.parameters}
    if with_candidates:
        doc["candidates"] = result.candidates
        doc["capacities"] = result.capacities
    return doc


class _SharedRecommender(Recommender):
    """A recommender that several requests may use at once (queries are serialised; each takes ms)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem)
        self._lock = threading.Lock()

    def recommend(self, ref: str, top: int = 5) -> list[Proposal]:
        with self._lock:
            return super().recommend(ref, top=top)


# Fitting the similarity model over every listing costs far more than one query (hundreds of
# ms on the demo park): requests reuse a warm recommender until the data it was built from changes.
_RECOMMENDERS: OrderedDict[tuple[str, str], _SharedRecommender] = OrderedDict()
_RECOMMENDERS_LOCK = threading.Lock()
RECOMMENDER_CACHE_SIZE = 8


def data_version(session: Session, settings: Settings, include: Sequence[str] = ()) -> str:
    """A cheap fingerprint of everything ``build_problem`` reads, as this session sees it.

    Listings, components and reserving matches are summarised by aggregates (an edit bumps
    ``updated_at``; replaced components get new ids); the small tables (enterprises, parks,
    licences, point-to-point approvals) are read whole. Any change yields a new version.
    """
    parts: list[Any] = [sorted(asdict(settings).items()), sorted(include)]
    parts.append(session.execute(select(func.count(Listing.id), func.max(Listing.updated_at),
                                        func.sum(Listing.quantity_t), func.max(Listing.id))).one())
    parts.append(session.execute(select(func.count(Listing.id), func.sum(Listing.id))
                                 .where(Listing.status == "active")).one())
    parts.append(session.execute(select(func.count(Component.id), func.max(Component.id),
                                        func.sum(Component.fraction),
                                        func.sum(Component.id * Component.fraction))).one())
    parts.append(session.execute(select(func.count(Match.id), func.max(Match.updated_at), func.sum(Match.quantity_t),
                                        func.max(Match.approved_at))
                                 .where(Match.status.in_(RESERVING_STATUSES))).one())
    parts.append(session.execute(select(Enterprise.id, Enterprise.ref, Enterprise.lat, Enterprise.lon,
                                        Enterprise.park_id, Enterprise.province, Enterprise.industry)
                                 .order_by(Enterprise.id)).all())
    parts.append(session.execute(select(Park.id, Park.code, Park.hw_max_distance_km).order_by(Park.id)).all())
    parts.append(session.execute(select(Licence.number, Licence.enterprise_id, Licence.kind, Licence.categories,
                                        Licence.codes, Licence.activities, Licence.annual_capacity_t,
                                        Licence.valid_from, Licence.valid_to).order_by(Licence.id)).all())
    parts.append(session.execute(select(PointToPointApprovalRow.number, PointToPointApprovalRow.producer_id,
                                        PointToPointApprovalRow.receiver_id, PointToPointApprovalRow.waste_code,
                                        PointToPointApprovalRow.valid_from, PointToPointApprovalRow.valid_to)
                                 .order_by(PointToPointApprovalRow.id)).all())
    return hashlib.sha256(repr([tuple(x) if not isinstance(x, list) else [tuple(r) for r in x] for x in parts])
                          .encode("utf-8")).hexdigest()


def warm_recommender(session: Session, *, settings: Settings | None = None,
                     include: Sequence[str] = ()) -> Recommender:
    """A recommender over the active listings (plus ``include`` refs), reused while the data is unchanged.

    The key is the database (ids repeat across databases) and ``data_version``; a miss builds
    the problem and fits the model as before.
    """
    settings = settings or Settings()
    key = (str(session.get_bind().engine.url), data_version(session, settings, include))
    with _RECOMMENDERS_LOCK:
        hit = _RECOMMENDERS.get(key)
        if hit is not None:
            _RECOMMENDERS.move_to_end(key)
            return hit
    fresh = _SharedRecommender(build_problem(session, settings=settings, include=include))
    with _RECOMMENDERS_LOCK:
        _RECOMMENDERS[key] = fresh
        while len(_RECOMMENDERS) > RECOMMENDER_CACHE_SIZE:
            _RECOMMENDERS.popitem(last=False)
    return fresh


def recommend(session: Session, refs: Sequence[str], *, top: int = 5,
              settings: Settings | None = None, learned: bool = True) -> dict[str, Any]:
    """One-click matching for listings: ``{"results": [{"listing", "recommendations": [...]}]}``.

    With an active ranking model (and ``learned``), the engine's legal recommendations are
    reordered by it and carry ``approval_probability`` and ``rank_score``; the model never
    adds a candidate the engine left out.
    """
    if top < 1:
        raise ValidationFailed("top must be at least 1", {"top": ["must be at least 1"]})
    found = dict(session.execute(select(Listing.ref, Listing.status).where(Listing.ref.in_(refs))).all())
    missing = [r for r in refs if r not in found]
    if missing:
        raise NotFound(f"unknown listing refs {missing}", {"refs": [f"{r!r} is not a listing" for r in missing]})
    recommender = warm_recommender(session, settings=settings,
                                   include=[r for r in refs if found[r] != "active"])
    problem = recommender.problem
    # A model learnt from coordinators' decisions reorders a wider pool of the engine's legal candidates.
    model = learning.active_decision_model(session) if learned else None
    pool = top * learning.POOL_FACTOR if model is not None else top
    results = []
    for ref in refs:
        if ref not in problem.o.ref_index and ref not in problem.n.ref_index:
            note = ("every tonne of the listing is already in a match: nothing left to match (已全部匹配)"
                    if found[ref] == "active" else
                    f"the listing is {found[ref]}: nothing to match (挂牌已{'暂停' if found[ref] == 'paused' else '关闭'})")
            results.append({"listing": ref, "recommendations": [], "note": note})
            continue
        recs = recommender.recommend(ref, top=pool)
        is_offer = ref in problem.o.ref_index
        rows = [{"listing": p.need if is_offer else p.offer,
                 "enterprise": p.need_enterprise if is_offer else p.offer_enterprise,
                 **{k: v for k, v in proposal_dict(p).items() if k not in ("offer_enterprise", "need_enterprise")}}
                for p in recs]
        results.append({"listing": ref, "kind": "offer" if is_offer else "need",
                        "recommendations": learning.rerank(model, rows, problem)[:top]})
    return {"results": results}


def register_approval(session: Session, *, number: str, producer: str, receiver: str, waste_code: str,
                      valid_from: dt.date, valid_to: dt.date | None, actor: str, note: str = "") -> PointToPointApprovalRow:
    """Register a point-to-point utilisation approval (点对点定向利用) for the matcher."""
    errors: dict[str, list[str]] = {}
    ents = {e.ref: e for e in session.scalars(select(Enterprise).where(Enterprise.ref.in_([producer, receiver])))}
    for field_name, ref in (("producer", producer), ("receiver", receiver)):
        if ref not in ents:
            errors[field_name] = [f"unknown enterprise ref {ref!r}"]
    if producer == receiver:
        errors.setdefault("receiver", []).append("must differ from the producer")
    if not is_hw_code(waste_code):
        errors["waste_code"] = [f"{waste_code!r} is not an HW code of the form NNN-NNN-NN"]
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = ["must not be before valid_from"]
    if session.scalar(select(PointToPointApprovalRow.id).where(PointToPointApprovalRow.number == number)):
        errors["number"] = [f"approval {number!r} is already registered"]
    if errors:
        raise ValidationFailed("the approval cannot be registered", errors)
    row = PointToPointApprovalRow(number=number, producer_id=ents[producer].id, receiver_id=ents[receiver].id,
                                  waste_code=waste_code, valid_from=valid_from, valid_to=valid_to, note=note)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="create", entity_type="point_to_point_approval", entity_key=number,
                 changes={"producer": [None, producer], "receiver": [None, receiver],
                          "waste_code": [None, waste_code]})
    return row
