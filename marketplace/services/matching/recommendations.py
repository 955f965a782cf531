"""One-click matching (一键匹配): a listing's best legal partners, from a warm recommender.

A new listing also notifies the enterprises whose listings it fits best.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from matching.model_statistics import ModelStatistics, fit_statistics, statistics_key
from matching.pipeline import Consideration, Recommender
from matching.problem import Problem, Settings
from matching.scoring import explain_value

from ... import worker_cache
from ...errors import NotFound, ValidationFailed
from ...models import RESERVING_STATUSES, Component, Enterprise, Licence, Listing, Match, Park, PointToPointApprovalRow
from ...models.base import as_utc
from . import learning, notifications
from .engine_input import build_problem, check_dict, proposal_dict

EXCLUDED_SHOWN = 5  # "why not": the most similar candidates that fail a hard check, shown beside the partners


def _note(zh: str, en: str) -> str:
    """A note in both languages, ``中文 / English`` (pages show their half: ``web.i18n.one_language``)."""
    return f"{zh} / {en}"


def _empty_reason(counts: dict[str, int]) -> tuple[str, str]:
    """Why a listing in the engine's problem got no partner: (reason code, bilingual note)."""
    if counts["candidates"] == 0:
        return "no_candidates", _note(
            "附近没有可匹配的挂牌：在运输距离、物理形态和供需期间上都对得上的伙伴一个也没有",
            "no listing within reach: no partner matches on distance, physical form and period")
    if counts["failed"] == counts["candidates"]:
        return "all_fail", _note(
            f"附近 {counts['candidates']} 个候选都未通过硬性检查：原因见下方“为什么不是它们”",
            f"all {counts['candidates']} candidates within reach fail a hard check: see \"why not these\" below")
    if counts["unfit"]:
        return "no_fit", _note(
            f"附近有 {counts['candidates'] - counts['failed']} 个合规候选，但都没有物料适配依据（成分、名称或代码）",
            f"{counts['candidates'] - counts['failed']} legal candidates within reach, none with evidence that the "
            f"material fits (composition, title or code)")
    return "no_room", _note("合规且适配的候选已没有剩余数量可以匹配",
                            "the legal, fitting candidates have nothing left to match")


class _SharedRecommender(Recommender):
    """A recommender that several requests may use at once (queries are serialised; each takes ms)."""

    def __init__(self, problem: Problem, statistics: ModelStatistics | None = None) -> None:
        super().__init__(problem, statistics)
        self._lock = threading.Lock()

    def with_quantities(self, problem: Problem) -> _SharedRecommender | None:
        fresh = super().with_quantities(problem)
        if fresh is not None:
            fresh._lock = threading.Lock()
        return fresh

    # Kept for the other workers (``marketplace.worker_cache``): everything but the lock, made anew on loading.
    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_lock"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def consider(self, ref: str, top: int = 5, excluded: int = 5) -> Consideration:
        # ``recommend`` goes through here too: one lock, taken once (it is not reentrant).
        with self._lock:
            return super().consider(ref, top=top, excluded=excluded)


# Fitting the similarity model over every listing costs far more than one query (hundreds of
# ms on the demo park): requests reuse a warm recommender until the data it was built from changes.
_RECOMMENDERS: OrderedDict[tuple[str, str], _SharedRecommender] = OrderedDict()
_RECOMMENDERS_LOCK = threading.Lock()
_BUILDING: dict[tuple[str, str], threading.Lock] = {}  # key -> held by the request building it
RECOMMENDER_CACHE_SIZE = 8
# The model statistics (IDF, text space, retrieval basis, cells: most of a fit) depend on the listings' content,
# not on their quantities: an accepted match changes ``data_version`` (it reserves tonnes) but not
# ``statistics_key``, so the rebuilt recommender reuses them (about half of the refit after every accept).
_STATISTICS: OrderedDict[tuple[str, str], ModelStatistics] = OrderedDict()
# The latest recommender of each database and settings, with the time of the newest listing change it saw:
# what a one-click page is answered from while a newer one is being built (``warm_recommender``'s
# ``previous_for``). After a new listing the rebuild takes 0.05-0.3 s on the demo park, and every
# one-click request of the server arriving meanwhile used to wait for it.
_LATEST: dict[tuple[str, str], tuple[_SharedRecommender, dt.datetime | None]] = {}
# A listing changed less than this before the newest change the previous recommender saw may have committed
# after it was built (``updated_at`` is set when the change is made, not when it commits): its page waits.
PREVIOUS_SLACK = dt.timedelta(seconds=10)


def _kept_statistics(url: str, problem: Problem) -> ModelStatistics | None:
    """The statistics of ``problem``, reused while the content they are fitted on is unchanged."""
    if problem.o.size == 0 or problem.n.size == 0:
        return None
    key = (url, statistics_key(problem))
    with _RECOMMENDERS_LOCK:
        hit = _STATISTICS.get(key)
        if hit is not None:
            _STATISTICS.move_to_end(key)
            return hit
    fitted = fit_statistics(problem)
    with _RECOMMENDERS_LOCK:
        _STATISTICS[key] = fitted
        while len(_STATISTICS) > RECOMMENDER_CACHE_SIZE:
            _STATISTICS.popitem(last=False)
    return fitted


@functools.cache
def _version_statements() -> tuple[Select[Any], ...]:
    """The statements ``data_version`` runs, built once: they never change, and building them (scalar
    subqueries, their column proxies) cost ~0.5 ms of CPU on every one-click request."""
    # The aggregates in one statement (asked on every one-click request: one round trip, not four).
    aggregates = [select(func.count(Listing.id), func.max(Listing.updated_at), func.sum(Listing.quantity_t),
                         func.max(Listing.id)),
                  select(func.count(Listing.id), func.sum(Listing.id)).where(Listing.status == "active"),
                  select(func.count(Component.id), func.max(Component.id), func.sum(Component.fraction),
                         func.sum(Component.id * Component.fraction)),
                  select(func.count(Match.id), func.max(Match.updated_at), func.sum(Match.quantity_t),
                         func.max(Match.approved_at)).where(Match.status.in_(RESERVING_STATUSES))]
    return (select(*[q.with_only_columns(column).scalar_subquery() for q in aggregates
                     for column in q.selected_columns]),
            select(Enterprise.id, Enterprise.ref, Enterprise.lat, Enterprise.lon, Enterprise.park_id,
                   Enterprise.province, Enterprise.industry).order_by(Enterprise.id),
            select(Park.id, Park.code, Park.hw_max_distance_km).order_by(Park.id),
            select(Licence.number, Licence.enterprise_id, Licence.kind, Licence.categories, Licence.codes,
                   Licence.activities, Licence.annual_capacity_t, Licence.valid_from, Licence.valid_to)
            .order_by(Licence.id),
            select(PointToPointApprovalRow.number, PointToPointApprovalRow.producer_id,
                   PointToPointApprovalRow.receiver_id, PointToPointApprovalRow.waste_code,
                   PointToPointApprovalRow.valid_from, PointToPointApprovalRow.valid_to)
            .order_by(PointToPointApprovalRow.id))


def data_version(session: Session, settings: Settings, include: Sequence[str] = ()) -> str:
    """A cheap fingerprint of everything ``build_problem`` reads, as this session sees it.

    Listings, components and reserving matches are summarised by aggregates (an edit bumps
    ``updated_at``; replaced components get new ids); the small tables (enterprises, parks,
    licences, point-to-point approvals) are read whole. Any change yields a new version.
    """
    return _data_state(session, settings, include)[0]


def _data_state(session: Session, settings: Settings, include: Sequence[str]) -> tuple[str, dt.datetime | None]:
    """``data_version`` and the newest listing change it covers (``updated_at``; None: no listing)."""
    parts: list[Any] = [sorted(asdict(settings).items()), sorted(include)]
    aggregates, *tables = _version_statements()
    summary = session.execute(aggregates).one()
    parts.append(summary)
    parts.extend(session.execute(statement).all() for statement in tables)
    version = hashlib.sha256(repr([tuple(x) if not isinstance(x, list) else [tuple(r) for r in x] for x in parts])
                             .encode("utf-8")).hexdigest()
    return version, as_utc(summary[1])


def _variant(url: str, settings: Settings, include: Sequence[str]) -> tuple[str, str]:
    """What a recommender answers for, whatever the data: the database, the settings and the included refs."""
    return url, repr((sorted(asdict(settings).items()), sorted(include)))


def _previous(variant: tuple[str, str], listings: Mapping[str, dt.datetime | None]) -> _SharedRecommender | None:
    """The latest recommender of ``variant`` if it holds every one of ``listings`` (ref: ``updated_at``) as it
    is now (changed at least ``PREVIOUS_SLACK`` before the newest change it saw), else None."""
    with _RECOMMENDERS_LOCK:
        entry = _LATEST.get(variant)
    if entry is None:
        return None
    recommender, seen = entry
    refs = recommender.problem.o.ref_index, recommender.problem.n.ref_index
    for ref, updated in listings.items():
        if not any(ref in index for index in refs):
            return None
        updated = as_utc(updated)
        if updated is None or seen is None or updated > seen - PREVIOUS_SLACK:
            return None
    return recommender


def _remember(variant: tuple[str, str], recommender: _SharedRecommender, seen: dt.datetime | None) -> None:
    """Keep ``recommender`` as the latest of ``variant`` unless a newer one is kept already."""
    with _RECOMMENDERS_LOCK:
        kept = _LATEST.get(variant)
        if kept is None or seen is None or kept[1] is None or seen >= kept[1]:
            _LATEST[variant] = (recommender, seen)


def warm_recommender(session: Session, *, settings: Settings | None = None, include: Sequence[str] = (),
                     previous_for: Mapping[str, dt.datetime | None] | None = None) -> Recommender:
    """A recommender over the active listings (plus ``include`` refs), reused while the data is unchanged.

    The key is the database (ids repeat across databases) and ``data_version``; a miss builds
    the problem and fits the model as before.

    ``previous_for`` (the listings a one-click page asks about, ref: ``updated_at``): while another thread or
    worker is building the recommender of the current data, the previous one answers instead of waiting for
    it, provided it holds each of these listings unchanged. Its other listings may then lag by that one build
    (a listing posted in the last fraction of a second is not offered yet); the pair's hard checks run again
    on current data when it is proposed or approved (``workflow.evaluate_pair``). Without another build
    under way, the answer is always the current data's.
    """
    settings = settings or Settings()
    url = str(session.get_bind().engine.url)
    version, seen = _data_state(session, settings, include)
    key = (url, version)
    variant = _variant(url, settings, include)
    with _RECOMMENDERS_LOCK:
        hit = _RECOMMENDERS.get(key)
        if hit is not None:
            _RECOMMENDERS.move_to_end(key)
            return hit
        building_here = key in _BUILDING
    if previous_for is not None and (building_here or worker_cache.being_built("recommender", key)):
        previous = _previous(variant, previous_for)
        if previous is not None:
            return previous
    with _RECOMMENDERS_LOCK:
        # One build per key: requests that miss together (after every write, under load) wait for the
        # first one's build instead of each fitting the same model (measured: 8 at once took seconds).
        building = _BUILDING.setdefault(key, threading.Lock())
    with building:
        with _RECOMMENDERS_LOCK:
            hit = _RECOMMENDERS.get(key)
        if hit is not None:
            return hit
        try:
            fresh = _rebuilt(session, key, settings, include)
            with _RECOMMENDERS_LOCK:
                _RECOMMENDERS[key] = fresh
                while len(_RECOMMENDERS) > RECOMMENDER_CACHE_SIZE:
                    _RECOMMENDERS.popitem(last=False)
            _remember(variant, fresh, seen)
        finally:
            with _RECOMMENDERS_LOCK:
                _BUILDING.pop(key, None)
    return fresh


def _rebuilt(session: Session, key: tuple[str, str], settings: Settings, include: Sequence[str]) -> _SharedRecommender:
    """The recommender of ``key`` when this process has none: the one another worker of the server built
    (``worker_cache``), else the latest one here with the tonnes changed (no refit: an accepted match),
    else a new fit (on the kept statistics where the content is unchanged). A build is kept for the others."""
    kept = worker_cache.load("recommender", key)
    if isinstance(kept, _SharedRecommender):
        return kept
    with worker_cache.one_builder("recommender", key):  # another worker building it: wait, then load it
        kept = worker_cache.load("recommender", key)
        if isinstance(kept, _SharedRecommender):
            return kept
        problem = build_problem(session, settings=settings, include=include)
        with _RECOMMENDERS_LOCK:
            latest = next((r for (url, _), r in reversed(_RECOMMENDERS.items()) if url == key[0]), None)
        fresh = latest.with_quantities(problem) if latest is not None else None
        if fresh is None:
            fresh = _SharedRecommender(problem, _kept_statistics(key[0], problem))
        worker_cache.store("recommender", key, fresh)
    return fresh


def recommend(session: Session, refs: Sequence[str], *, top: int = 5,
              settings: Settings | None = None, learned: bool = True, previous_ok: bool = False) -> dict[str, Any]:
    """One-click matching for listings: ``{"results": [{"listing", "recommendations": [...]}]}``.

    With an active ranking model (and ``learned``), the engine's legal recommendations are
    reordered by it and carry ``approval_probability`` and ``rank_score``; the model never
    adds a candidate the engine left out, and never lifts a pair with an unknown check
    (``needs_report``: an analysis report is needed) above one that passes everything. A
    result with fewer than ``top`` recommendations carries a ``note`` saying so (the engine
    recommends only pairs with evidence of fit), ``中文 / English``.

    Added by issue 17: each recommendation's ``value`` (``scoring.explain_value``: value created
    per tonne with its signed parts); ``excluded``, "why not": the most similar candidates that
    fail a hard check, each with those checks; ``candidates`` (how many were within reach and
    why they were left out); and an empty answer's ``empty_reason``: ``fully_matched``,
    ``paused``, ``closed``, ``expired``, ``no_candidates``, ``all_fail``, ``no_fit``, ``no_room``.

    ``previous_ok`` (one-click pages): while a newer model is being built elsewhere, answer from the previous
    one if it holds the asked listings unchanged (``warm_recommender``'s ``previous_for``).
    """
    if top < 1:
        raise ValidationFailed("top must be at least 1 (推荐数量至少为 1)", {"top": ["must be at least 1"]})
    rows = session.execute(select(Listing.ref, Listing.status, Listing.updated_at).where(Listing.ref.in_(refs))).all()
    found = {ref: status for ref, status, _ in rows}
    missing = [r for r in refs if r not in found]
    if missing:
        raise NotFound(f"unknown listing refs {missing} (无此挂牌编号：{'、'.join(missing)})",
                       {"refs": [f"{r!r} is not a listing (没有编号为 {r} 的挂牌)" for r in missing]})
    include = [r for r in refs if found[r] != "active"]
    previous_for = {ref: updated for ref, _, updated in rows} if previous_ok and not include else None
    recommender = warm_recommender(session, settings=settings, include=include, previous_for=previous_for)
    problem = recommender.problem
    # A model learnt from coordinators' decisions reorders a wider pool of the engine's legal candidates.
    model = learning.active_decision_model(session) if learned else None
    pool = top * learning.POOL_FACTOR if model is not None else top
    results = []
    today = recommender.problem.settings.today
    for ref in refs:
        if ref not in problem.o.ref_index and ref not in problem.n.ref_index:
            if found[ref] == "active":
                reason, note = "fully_matched", _note("已全部匹配：这条挂牌的每一吨都已在匹配中，没有剩余可匹配",
                                                      "fully matched: every tonne of the listing is already in a "
                                                      "match, nothing is left to match")
            elif found[ref] == "paused":
                reason, note = "paused", _note("挂牌已暂停：恢复后才会匹配", "the listing is paused: it is matched "
                                                                         "again once resumed")
            else:
                reason, note = found[ref], _note("挂牌已关闭：不再匹配", f"the listing is {found[ref]}: nothing to match")
            results.append({"listing": ref, "recommendations": [], "excluded": [], "note": note,
                            "empty_reason": reason})
            continue
        seen = recommender.consider(ref, top=pool, excluded=EXCLUDED_SHOWN)
        recs = seen.proposals
        is_offer = ref in problem.o.ref_index
        rows = [{"listing": p.need if is_offer else p.offer,
                 "enterprise": p.need_enterprise if is_offer else p.offer_enterprise,
                 **{k: v for k, v in proposal_dict(p).items() if k not in ("offer_enterprise", "need_enterprise")},
                 "value": explain_value(p.terms, p.weight, p.quantity_t)}
                for p in recs]
        for row in rows:
            row["needs_report"] = any(c["unknown"] for c in row["checks"])
        # Unknown is not zero: pairs with an unknown check stay after those that pass, reordered among themselves.
        rows = (learning.rerank(model, [r for r in rows if not r["needs_report"]], problem)
                + learning.rerank(model, [r for r in rows if r["needs_report"]], problem))
        ranked = rows[:top]  # reranked above, within the passing and the needs-report pairs
        sites = problem.o if is_offer else problem.n
        others = problem.needs if is_offer else problem.offers
        by_ref = {x.ref: x for x in others}
        excluded = [{"listing": x.listing, "enterprise": by_ref[x.listing].site.enterprise,
                     "similarity": x.similarity, "distance_km": x.distance_km,
                     "checks": [check_dict(c) for c in x.checks]} for x in seen.excluded]
        result = {"listing": ref, "kind": "offer" if is_offer else "need", "recommendations": ranked,
                  "excluded": excluded, "candidates": seen.counts}
        mine = (problem.offers if is_offer else problem.needs)[sites.ref_index[ref]]
        if not ranked:
            ends = getattr(mine, "available_to", None)
            if found[ref] == "paused":  # looked at on request, but park runs skip it until it is resumed
                result["empty_reason"], result["note"] = "paused", _note(
                    "挂牌已暂停：恢复后才会匹配", "the listing is paused: it is matched again once resumed")
            elif ends is not None and today is not None and ends < today:
                result["empty_reason"], result["note"] = "expired", _note(
                    f"挂牌已过期（供需期间截至 {ends.isoformat()}）：请更新期间", f"the listing has expired (its period "
                    f"ended on {ends.isoformat()}): update its period")
            else:
                result["empty_reason"], result["note"] = _empty_reason(seen.counts)
        elif len(ranked) < top:
            # No fit, no recommendation: say why the list is short rather than pad it.
            result["note"] = _note(f"仅 {len(ranked)} 个伙伴通过全部硬性检查且有物料适配依据（共请求 {top} 个）",
                                   f"only {len(ranked)} of the {top} asked for: no other partner within reach passes "
                                   f"every hard check with evidence that the material fits")
        results.append(result)
    return {"results": results}


def notify_new_listing(session: Session, listing: Listing) -> int:
    """Notify the enterprises whose active listings ``listing`` fits best; returns how many were notified.

    The new listing's best legal counterparts (``recommend``, top 5) are what
    ``notifications.notify_listing_fit`` tells their enterprises about; a pair with an
    unknown hard check (it cannot be proposed until the offer declares the substance) is
    not announced.
    """
    if listing.status != "active":
        return 0
    session.flush()
    doc = recommend(session, [listing.ref], top=notifications.LISTING_FIT_TOP)
    recs = doc["results"][0]["recommendations"] if doc["results"] else []
    recs = [r for r in recs if not any(c["unknown"] and c["hard"] for c in r["checks"])]
    return notifications.notify_listing_fit(session, listing, recs)
