"""Tiny engine problems from records, for rule tests: sites, listings, licences, all-pairs arcs.

Dates are relative to ``TODAY`` (passed as ``Settings(today=TODAY)``), so tests do not
depend on the day they run.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np

from catalog.waste_streams import infer_stream
from matching.arcs import Arcs
from matching.problem import LicenceRecord, NeedRecord, OfferRecord, PointToPointApproval, Problem, Settings, Site
from matching.rules import Check, _explain_arc, evaluate_rules

TODAY = dt.date(2026, 6, 1)
ALL_ACTIVITIES = frozenset({"collect", "store", "utilise", "dispose"})


def days(n: int) -> dt.date:
    """``TODAY`` shifted by ``n`` days."""
    return TODAY + dt.timedelta(days=n)


def site(enterprise: str, *, lat: float = 31.30, lon: float = 120.60, province: str | None = "江苏省",
         industry: str | None = None, park: str | None = "SIP", hw_cap: float | None = None) -> Site:
    """A site; by default in Suzhou, Jiangsu."""
    return Site(enterprise=enterprise, lat=lat, lon=lon, province=province, park=park, park_hw_max_km=hw_cap,
                industry=industry)


def offer(ref: str, where: Site, *, form: str = "liquid", code: str | None = None,
          composition: dict[str, float] | None = None, names: dict[str, str] | None = None,
          quantity_t: float = 100.0, title: str = "", title_zh: str = "", description: str = "",
          available_from: dt.date | None = None, available_to: dt.date | None = None,
          complete: bool = False, stream: str | None = None, category: str | None = None) -> OfferRecord:
    """An offer (供给); ``complete``: its composition is declared complete; ``stream`` as the code infers it
    unless given (``catalog.waste_streams``)."""
    return OfferRecord(ref=ref, site=where, quantity_t=quantity_t, form=form, waste_code=code,
                       composition=dict(composition or {}), names=dict(names or {}), title=title,
                       title_zh=title_zh, description=description, available_from=available_from,
                       available_to=available_to, composition_complete=complete,
                       stream=stream or infer_stream(code, category), category=category)


def need(ref: str, where: Site, *, forms: Iterable[str] = ("liquid",), purpose: str = "recycle",
         wanted: dict[str, float] | None = None, limits: dict[str, float] | None = None,
         names: dict[str, str] | None = None, max_km: float | None = None, quantity_t: float = 1000.0,
         available_from: dt.date | None = None, available_to: dt.date | None = None) -> NeedRecord:
    """A need (需求)."""
    return NeedRecord(ref=ref, site=where, quantity_t=quantity_t, forms=frozenset(forms), purpose=purpose,
                      wanted=dict(wanted or {}), limits=dict(limits or {}), names=dict(names or {}),
                      max_distance_km=max_km, available_from=available_from, available_to=available_to)


def licence(number: str, enterprise: str, *, categories: Iterable[str] = (), codes: Iterable[str] = (),
            activities: Iterable[str] = ALL_ACTIVITIES, kind: str = "hw_comprehensive",
            valid_from: dt.date | None = None, valid_to: dt.date | None = None,
            remaining_t: float = 1000.0, stream_categories: Iterable[str] = ()) -> LicenceRecord:
    """A licence valid from a year ago to a year ahead unless told otherwise."""
    return LicenceRecord(number=number, enterprise=enterprise, kind=kind, categories=frozenset(categories),
                         codes=frozenset(codes), activities=frozenset(activities),
                         valid_from=valid_from or days(-365), valid_to=valid_to or days(365), remaining_t=remaining_t,
                         stream_categories=frozenset(stream_categories))


def approval(number: str, producer: str, receiver: str, code: str, *, valid_from: dt.date | None = None,
             valid_to: dt.date | None = None) -> PointToPointApproval:
    """A point-to-point approval valid from a month ago to a year ahead unless told otherwise."""
    return PointToPointApproval(number=number, producer=producer, receiver=receiver, waste_code=code,
                                valid_from=valid_from or days(-30), valid_to=valid_to or days(365))


def build(offers: Sequence[OfferRecord], needs: Sequence[NeedRecord], licences: Sequence[LicenceRecord] = (),
          approvals: Sequence[PointToPointApproval] = (), today: dt.date = TODAY) -> Problem:
    """A Problem with ``Settings(today=today)``."""
    return Problem(offers, needs, licences, approvals, Settings(today=today))


def all_arcs(problem: Problem) -> Arcs:
    """Every offer × need pair as an arc, with road distances."""
    o, n = np.meshgrid(np.arange(len(problem.offers)), np.arange(len(problem.needs)), indexing="ij")
    o, n = o.ravel().astype(np.int64), n.ravel().astype(np.int64)
    return Arcs(offer=o, need=n, distance_km=problem.distance_km(o, n))


def evaluated(problem: Problem, arcs: Arcs | None = None) -> Arcs:
    """``arcs`` (default: all pairs) after ``evaluate_rules``."""
    arcs = arcs if arcs is not None else all_arcs(problem)
    evaluate_rules(problem, arcs)
    return arcs


def arc_index(problem: Problem, arcs: Arcs, offer_ref: str, need_ref: str) -> int:
    """Index of the (first) arc from ``offer_ref`` to ``need_ref``."""
    oi, ni = problem.o.ref_index[offer_ref], problem.n.ref_index[need_ref]
    hits = np.flatnonzero((arcs.offer == oi) & (arcs.need == ni))
    assert hits.size, f"no arc {offer_ref} → {need_ref}"
    return int(hits[0])


def checked(problem: Problem, arcs: Arcs, offer_ref: str, need_ref: str) -> dict[str, Check]:
    """The explained checks of one arc by code, asserting agreement with the vectorised result."""
    k = arc_index(problem, arcs, offer_ref, need_ref)
    for recompute in (True, False):  # the licence pool recomputed from the arcs, and as evaluated
        checks, lic, ex, ap = _explain_arc(problem, arcs, k, recompute_pool=recompute)
        for c in checks:
            assert bool(arcs.checks[c.code][k]) == c.passed, (c.code, c.detail)
            undecided = bool(arcs.unknown[c.code][k]) if c.code in arcs.unknown else False
            assert undecided == c.unknown, (c.code, c.detail)
            assert not (c.unknown and c.passed)
        assert (int(arcs.licence[k]), int(arcs.exemption[k]), int(arcs.approval[k])) == (lic, ex, ap)
    return {c.code: c for c in checks}


def check(problem: Problem, offer_ref: str, need_ref: str, code: str, arcs: Arcs | None = None) -> Check:
    """One check of one arc (evaluating all pairs unless ``arcs`` is given)."""
    arcs = arcs if arcs is not None else evaluated(problem)
    return checked(problem, arcs, offer_ref, need_ref)[code]
