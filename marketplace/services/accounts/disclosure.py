"""Confidentiality: what a principal may see of a listing, an enterprise or a match.

Other enterprises see a listing anonymised (material, quantity, form, place,
industry; no name, no exact coordinates, no price, no free text) until both parties
of a match between them have accepted it. Coordinators see everything in their
parks; admins everything. Whatever is built for an outsider also goes through a
``Redactor`` that scrubs the hidden enterprise's name, refs and licence numbers from
every string (titles, check details, reasons), so nothing leaks through free text.

What an anonymised party shows is decided here and nowhere else (``anonymous_profile``,
``shown_distance``; listing views, one-click, matches, notifications and the map use them), and is
coarse enough that it cannot be linked to a party one already knows (issue 18): the distance
in bands, the district only where at least ``ANONYMITY_K`` enterprises share it (else the
province), the industry class only where as many share the place and class (else its
GB/T 4754 section, else nothing), and no licence figures (validity, capacity) in check details.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, event, or_, select
from sqlalchemy.orm import Session, aliased, object_session

from catalog.industries import SECTIONS, industry, section_of
from catalog.waste_codes import category_of, is_hw_code
from matching.problem import EARTH_RADIUS_KM, Settings
from matching.quantities import annual_tonnes

from ...models import Enterprise, Listing, Match
from .users import Principal

# Once both parties accepted, each sees who the other is (and keeps seeing it afterwards).
DISCLOSING_STATUSES = ("accepted", "approved", "in_transfer", "completed")
HIDDEN_ENTERPRISE = "某企业 (an enterprise)"
HIDDEN_LICENCE = "[许可证] ([licence])"
# In a text written "中文 / English" each half gets the placeholder of its language (a Chinese page shows
# only its half: "[许可证 licence]" put English into it).
HALF_PLACEHOLDERS = {HIDDEN_LICENCE: ("[许可证]", "[licence]"), HIDDEN_ENTERPRISE: ("某企业", "an enterprise")}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
ROAD_FACTOR = Settings().road_factor
# Distance filters from an arbitrary point measure anonymised sites on this grid (about 11 km),
# so that probing radii from many points cannot triangulate an exact site.
COARSE_DEGREES = 0.1
# An anonymised party's place and industry are shown only at a level at least this many enterprises share.
ANONYMITY_K = 3
# Distances to anonymised parties are shown in these bands (upper edges, km; the last band is open).
DISTANCE_BANDS_KM = (5.0, 10.0, 25.0, 50.0, 100.0)
# Checks whose details name a licence's validity and capacity, figures that tell one licence holder from another.
LICENCE_CHECKS = ("hw_licence", "licence_capacity")
HIDDEN_FIGURES = {"date": ("[日期]", "[date]"), "tonnes": ("[规模]", "[capacity]")}
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_TONNES = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:t|吨)(?![\w-])")
_KM = re.compile(r"(\d+(?:\.\d+)?) km")
_PROFILES_KEY = "wastematch.anonymous_profiles"


def sees_identity(principal: Principal, listing: Listing, disclosed: set[int] | frozenset[int] = frozenset()) -> bool:
    """Whether ``principal`` may see who is behind ``listing`` (``disclosed``: see ``disclosed_listing_ids``)."""
    ent = listing.enterprise
    return (principal.is_admin or principal.coordinates(ent.park_id) or principal.acts_for(ent.id)
            or listing.id in disclosed)


def sees_enterprise(principal: Principal, enterprise: Enterprise) -> bool:
    """Admins, the enterprise's own users, and coordinators of its park see an enterprise's record."""
    return principal.is_admin or principal.coordinates(enterprise.park_id) or principal.acts_for(enterprise.id)


def sees_listing(principal: Principal, listing: Listing, disclosed: set[int] | frozenset[int] = frozenset()) -> bool:
    """Whether ``listing`` is visible at all: others' paused and closed listings are private to
    those who see its identity (its owner, its park's coordinators, admins, disclosed partners)."""
    return listing.status == "active" or sees_identity(principal, listing, disclosed)


def coarse_position(lat: float, lon: float) -> tuple[float, float]:
    """A site snapped to the ``COARSE_DEGREES`` grid (what distance probes may learn of an anonymised site)."""
    return (round(lat / COARSE_DEGREES) * COARSE_DEGREES, round(lon / COARSE_DEGREES) * COARSE_DEGREES)


def distance_band(km: float) -> tuple[str, float]:
    """The band of ``km`` (``DISTANCE_BANDS_KM``) as a label ("10–25 km") and the figure shown for it in a
    ``distance_km`` field: its upper edge ("within 25 km"), or the lower edge of the open last band."""
    low = 0.0
    for high in DISTANCE_BANDS_KM:
        if km < high:
            return (f"<{high:g} km" if low == 0 else f"{low:g}–{high:g} km"), high
        low = high
    return f">{low:g} km", low


def band_floor(km: float) -> float:
    """The lower edge of ``km``'s band: a radius filter must not tell more of an anonymised party than its band."""
    return max((edge for edge in DISTANCE_BANDS_KM if edge <= km), default=0.0)


def shown_distance(km: float | None, *, identified: bool) -> dict[str, Any]:
    """``distance_km`` (and, anonymised, ``distance_band``) as a view of a party shows a distance to it."""
    if km is None:
        return {"distance_km": None}
    if identified:
        return {"distance_km": km}
    label, figure = distance_band(km)
    return {"distance_km": figure, "distance_band": label}


def _industry_levels(code: str | None, name: str | None) -> tuple[tuple[str | None, str | None], ...]:
    """(code, name) of an industry from the finest level shown to the coarsest: class, section, nothing."""
    if not code:
        return ((None, None),)
    try:
        known = industry(code)
        finest = (code, known.name_en)
    except KeyError:
        # Not a built-in class: the enterprise's own wording may be unique to it, so only its code is shown.
        finest = (code, None)
    try:
        section = section_of(code)
    except (KeyError, ValueError):  # outside the sections the catalogue knows
        section = ""
    if section in SECTIONS:
        return finest, (section, SECTIONS[section][1]), (None, None)
    return finest, (None, None)


def _profiles(session: Session) -> dict[int, dict[str, Any]]:
    """What each enterprise with an active listing shows when anonymised, by enterprise id (cached per session
    until its next flush: one query for a page of views)."""
    cached = session.info.get(_PROFILES_KEY)
    if cached is not None:
        return cached
    rows = session.execute(select(Enterprise.id, Enterprise.province, Enterprise.district, Enterprise.industry,
                                  Enterprise.industry_name)
                           .where(Enterprise.id.in_(select(Listing.enterprise_id).where(Listing.status == "active"))))
    ents = {eid: (prov, dist, ind, name) for eid, prov, dist, ind, name in rows}
    session.info[_PROFILES_KEY] = profiles = anonymous_profiles(ents)
    return profiles


def anonymous_profiles(ents: dict[int, tuple[str | None, str | None, str | None, str | None]]
                       ) -> dict[int, dict[str, Any]]:
    """Per enterprise id (``(province, district, industry, industry_name)`` each), its anonymised place and
    industry: each shown at the finest level that at least ``ANONYMITY_K`` of ``ents`` share as shown."""
    district_count: dict[tuple[Any, Any], int] = {}
    for prov, dist, _ind, _name in ents.values():
        district_count[(prov, dist)] = district_count.get((prov, dist), 0) + 1
    place = {eid: (prov, dist if dist and district_count[(prov, dist)] >= ANONYMITY_K else None)
             for eid, (prov, dist, _ind, _name) in ents.items()}
    levels = {eid: _industry_levels(ind, name) for eid, (_p, _d, ind, name) in ents.items()}
    # Coarsen level by level: an enterprise stays at a level only if enough others show the same there.
    level = dict.fromkeys(ents, 0)
    for depth in range(3):
        groups: dict[tuple[Any, ...], int] = {}
        for eid in ents:
            if level[eid] == depth:
                key = (place[eid], levels[eid][min(depth, len(levels[eid]) - 1)][0])
                groups[key] = groups.get(key, 0) + 1
        for eid in ents:
            at = levels[eid][min(depth, len(levels[eid]) - 1)]
            if level[eid] == depth and at[0] is not None and groups[(place[eid], at[0])] < ANONYMITY_K:
                level[eid] = depth + 1
    shown = {eid: levels[eid][min(level[eid], len(levels[eid]) - 1)] for eid in ents}
    # Those left with no industry show their district only if enough others show just that district too.
    bare = Counter(place[eid] for eid in ents if shown[eid][0] is None)
    for eid in ents:
        if shown[eid][0] is None and bare[place[eid]] < ANONYMITY_K:
            place[eid] = (place[eid][0], None)
    out = {}
    for eid in ents:
        code, name = shown[eid]
        out[eid] = {"province": place[eid][0], "district": place[eid][1], "industry": code, "industry_name": name}
    return out


def anonymous_profile(ent: Enterprise) -> dict[str, Any]:
    """Province, district, industry and industry_name of ``ent`` as an anonymised view shows them."""
    session = object_session(ent)
    profiles = _profiles(session) if session is not None else {}
    if ent.id in profiles:
        return profiles[ent.id]
    # Not among the enterprises with active listings (a closed listing seen through a match): the coarsest.
    levels = _industry_levels(ent.industry, ent.industry_name)
    code, name = levels[1] if len(levels) > 2 else levels[-1]
    return {"province": ent.province, "district": None, "industry": code, "industry_name": name}


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_profiles(session: Session, *_args: Any) -> None:
    """A write, or a new transaction (which sees others' writes), may change who shares a district or an
    industry: the cached profiles are recomputed."""
    session.info.pop(_PROFILES_KEY, None)


@event.listens_for(Session, "after_flush")
def _forget_profiles_on_write(session: Session, *_args: Any) -> None:
    """Only a flush that wrote an enterprise or a listing can change the profiles: a run's thousands of
    notices and audit events, each flushed, must not recompute them each time (issue 19)."""
    # After a flush the session still lists what it wrote as new, dirty or deleted.
    written = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, (Enterprise, Listing)) for obj in written):
        session.info.pop(_PROFILES_KEY, None)


def hide_licence_figures(text: str) -> str:
    """``text`` without dates and tonnages (a licence's validity and capacity), each half in its language."""
    def scrub(part: str, half: int) -> str:
        part = _DATE.sub(HIDDEN_FIGURES["date"][half], part)
        return _TONNES.sub(HIDDEN_FIGURES["tonnes"][half], part)
    zh, sep, en = text.partition(" / ")
    if sep and _CJK.search(zh):
        return scrub(zh, 0) + sep + scrub(en, 1)
    return scrub(text, 0 if _CJK.search(text) else 1)


def disclosed_listing_ids(session: Session, principal: Principal) -> set[int]:
    """Listings of other enterprises whose identity the principal's enterprise has earned by mutual acceptance."""
    if principal.enterprise_id is None:
        return set()
    own = select(Listing.id).where(Listing.enterprise_id == principal.enterprise_id)
    rows = session.execute(select(Match.offer_id, Match.need_id).where(
        Match.status.in_(DISCLOSING_STATUSES), or_(Match.offer_id.in_(own), Match.need_id.in_(own))))
    out: set[int] = set()
    for offer_id, need_id in rows:
        out.update((offer_id, need_id))
    return out - set(session.scalars(own))


def match_disclosed(match: Match) -> bool:
    """Both parties have accepted: they may see each other."""
    return match.status in DISCLOSING_STATUSES


def road_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance × the road factor, as the matcher measures it."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a))) * ROAD_FACTOR


class Redactor:
    """Replaces hidden names, refs and licence numbers in any JSON-like value."""

    def __init__(self) -> None:
        self._secrets: dict[str, str] = {}
        self._folded: dict[str, str] = {}
        self._needles: tuple[str, ...] | None = None  # the secrets casefolded: a cheap test before the pattern
        self._pattern: re.Pattern[str] | None = None
        self._licence_figures = False
        self._distance = False

    def hide(self, secret: str | None, placeholder: str) -> None:
        if secret and secret.strip() and secret not in self._secrets:
            self._secrets[secret] = placeholder
            self._pattern = self._needles = None

    def hide_enterprise(self, ent: Enterprise) -> None:
        """Name, ref and licence numbers of ``ent``."""
        self.hide(ent.name, HIDDEN_ENTERPRISE)
        self.hide(ent.ref, HIDDEN_ENTERPRISE)
        for lic in ent.licences:
            self.hide(lic.number, HIDDEN_LICENCE)
            # Validity and capacity would tell this licence holder from another as surely as the number.
            self._licence_figures = True

    def hide_listing(self, listing: Listing) -> None:
        """The listing's ref (the owner's own key may carry their name) and its enterprise."""
        self.hide(listing.ref, f"#{listing.id}")
        self.hide_enterprise(listing.enterprise)
        self._distance = True  # the distance check's detail says the distance to this party: its band only

    def __bool__(self) -> bool:
        return bool(self._secrets) or self._licence_figures or self._distance

    def text(self, value: str) -> str:
        if not self._secrets:
            return value
        if self._needles is None:
            self._needles = tuple(k.casefold() for k in self._secrets)
        folded = value.casefold()
        if not any(needle in folded for needle in self._needles):
            # No secret in it, in any case: nothing the pattern could match. Most texts of a view hold none, and a
            # pattern compiled per listing (one Redactor each) cost ~3 s of a 10k x 10k park's first run's notices.
            return value
        if self._pattern is None:
            # Longest first. A Latin secret ("E-1") must not eat a longer token ("E-10"), but Chinese has no
            # word boundaries: a name inside "某某公司废机油" is hidden wherever it stands. Case does not
            # matter ("e-1", "ACME Chemicals" are the same secret).
            ordered = sorted(self._secrets, key=len, reverse=True)
            alternatives = "|".join(re.escape(s) if _CJK.search(s) else rf"(?<![\w-]){re.escape(s)}(?![\w-])"
                                    for s in ordered)
            self._pattern = re.compile(alternatives, re.IGNORECASE)
            self._folded = {k.casefold(): v for k, v in self._secrets.items()}
        def placeholder(m: re.Match[str], half: int | None = None) -> str:
            found = self._folded.get(m.group(0).casefold(), HIDDEN_ENTERPRISE)
            return found if half is None else HALF_PLACEHOLDERS.get(found, (found, found))[half]

        zh, sep, en = value.partition(" / ")
        if sep and _CJK.search(zh):  # "中文 / English": each half in its language
            return (self._pattern.sub(lambda m: placeholder(m, 0), zh) + sep
                    + self._pattern.sub(lambda m: placeholder(m, 1), en))
        return self._pattern.sub(placeholder, value)

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            out = {k: self(v) for k, v in value.items()}
            if self._licence_figures and out.get("code") in LICENCE_CHECKS and isinstance(out.get("detail"), str):
                out["detail"] = hide_licence_figures(out["detail"])
            if self._distance and out.get("code") == "distance" and isinstance(out.get("detail"), str):
                out["detail"] = " / ".join(_KM.sub(lambda m: distance_band(float(m.group(1)))[0], half, count=1)
                                           for half in out["detail"].split(" / "))
            return out
        if isinstance(value, (list, tuple)):
            return [self(v) for v in value]
        return value


def _components(listing: Listing, role: str, amount: str) -> list[dict[str, Any]]:
    # With what a name typed without a CAS number resolved to (``listings.resolution``), so it can be corrected.
    return [{"name": c.name, "cas": c.cas, amount: c.fraction, "resolved_cas": c.resolved_cas,
             "resolved_by": c.resolved_by, "resolved_ambiguous": bool(c.resolved_ambiguous)}
            for c in listing.components_in(role)]


# The price term is a fixed share of the two prices' difference: with one's own price it gives the
# counterpart's, which stays undisclosed until both accept. The reason line says the same number.
PRICE_REASON_PREFIX = "价格"  # both "价格 price …" (stored before issue 17) and "价格差：… / Price spread …"


def without_price(terms: dict[str, Any], reasons: list[str]) -> tuple[dict[str, Any], list[str]]:
    """``terms`` and ``reasons`` without the price term, for a viewer who may not see the counterpart's price."""
    return ({k: v for k, v in terms.items() if k != "price"},
            [r for r in reasons if not str(r).startswith(PRICE_REASON_PREFIX)])


# The engine's reason line for transport ("运输 9.2 km：… / Transport 9.2 km: …").
_TRANSPORT_REASON = re.compile(r"^运输 (\d+(?:\.\d+)?) km")


def anonymised_terms(terms: dict[str, Any], reasons: list[str]) -> tuple[dict[str, Any], list[str]]:
    """``without_price``, and no transport term: it is the distance times a known rate, so it would give the
    exact distance to a party whose views show only a band; its reason line says the band instead."""
    terms, reasons = without_price(terms, reasons)
    out = []
    for reason in reasons:
        found = _TRANSPORT_REASON.match(str(reason))
        if found:
            band = distance_band(float(found.group(1)))[0]
            reason = f"运输 {band} / Transport {band}"
        out.append(reason)
    return {k: v for k, v in terms.items() if k != "transport"}, out


def listing_view(listing: Listing, *, identified: bool, origin: tuple[float, float] | None = None) -> dict[str, Any]:
    """A listing as an API client sees it.

    ``identified`` adds who and where exactly (ref, enterprise, coordinates, price,
    description); without it the view is the anonymised one and its strings are
    scrubbed of the owner's name. ``origin`` (the viewer's site) adds ``distance_km``.
    """
    ent = listing.enterprise
    code = listing.waste_code
    out: dict[str, Any] = {
        "id": listing.id, "kind": listing.kind, "status": listing.status, "title": listing.title,
        "title_zh": listing.title_zh, "waste_code": code,
        "hw_category": category_of(code) if code and is_hw_code(code) else None,
        "hazardous": bool(code and is_hw_code(code)), "ewc_code": listing.ewc_code,
        "category": listing.category, "stream": listing.stream,
        "form": listing.form, "forms": list(listing.forms or []), "purpose": listing.purpose,
        "quantity_t": listing.quantity_t, "period": listing.period,
        "annual_t": round(annual_tonnes(listing.quantity_t, listing.period), 6),
        "available_from": listing.available_from.isoformat() if listing.available_from else None,
        "available_to": listing.available_to.isoformat() if listing.available_to else None,
        "current_route": listing.current_route, "max_distance_km": listing.max_distance_km,
        "composition": _components(listing, "composition", "fraction"),
        "wanted": _components(listing, "wanted", "min_fraction"),
        "limits": _components(listing, "limit", "max_fraction"),
        "composition_complete": bool(listing.composition_complete),
        "park": ent.park.code if ent.park else None,
        **({"province": ent.province, "district": ent.district, "industry": ent.industry,
            "industry_name": ent.industry_name} if identified else anonymous_profile(ent)),
        "created_at": listing.created_at.isoformat() if listing.created_at else None,
        "identified": identified,
    }
    if origin is not None:
        out.update(shown_distance(round(road_km(origin[0], origin[1], ent.lat, ent.lon), 1), identified=identified))
    if identified:
        out.update({"ref": listing.ref, "description": listing.description,
                    "price_cny_per_t": listing.price_cny_per_t,
                    "enterprise": {"ref": ent.ref, "name": ent.name, "lat": ent.lat, "lon": ent.lon}})
        return out
    redact = Redactor()
    redact.hide_listing(listing)
    return redact(out)


def viewer_origin(session: Session, principal: Principal) -> tuple[float, float] | None:
    """The site of the principal's enterprise (distances in anonymised views are measured from it)."""
    if principal.enterprise_id is None:
        return None
    ent = session.get(Enterprise, principal.enterprise_id)
    return (ent.lat, ent.lon) if ent is not None else None


def redactor_for(principal: Principal, listings: Iterable[Listing], disclosed: set[int] | frozenset[int]) -> Redactor:
    """A redactor hiding every listing in ``listings`` whose identity the principal may not see."""
    redact = Redactor()
    for listing in listings:
        if not sees_identity(principal, listing, disclosed):
            redact.hide_listing(listing)
    return redact


__all__ = ["ANONYMITY_K", "DISCLOSING_STATUSES", "Redactor", "anonymised_terms", "anonymous_profile",
           "anonymous_profiles",
           "band_floor", "coarse_position", "disclosed_listing_ids", "distance_band", "hide_licence_figures",
           "listing_view", "match_disclosed", "redactor_for", "road_km", "sees_enterprise", "sees_identity",
           "sees_listing", "shown_distance", "viewer_origin", "without_price"]


def visible_matches(principal: Principal) -> Select:
    """``SELECT`` of the matches ``principal`` may see (parties: their listings; coordinators: their parks)."""
    offer, need = aliased(Listing), aliased(Listing)
    eo, en = aliased(Enterprise), aliased(Enterprise)
    stmt = (select(Match).join(offer, Match.offer_id == offer.id).join(need, Match.need_id == need.id)
            .join(eo, offer.enterprise_id == eo.id).join(en, need.enterprise_id == en.id))
    if principal.is_admin:
        return stmt
    if principal.is_coordinator:
        parks = list(principal.park_ids)
        return stmt.where(or_(eo.park_id.in_(parks), en.park_id.in_(parks)))
    if principal.enterprise_id is not None:
        return stmt.where(or_(offer.enterprise_id == principal.enterprise_id,
                              need.enterprise_id == principal.enterprise_id))
    return stmt.where(Match.id.is_(None))
