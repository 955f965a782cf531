"""A park's yearly plan targets (规划目标) and their progress computed from the data.

Each target is named once in ``TARGETS`` (key, Chinese and English name, unit, direction, definition);
a park's coordinators (and admins) set a value per year (``set_target``) or clear it. Progress
(``targets_progress``) lists every defined target for a park and year: the value set (or None), the actual
figure, whether it is met, and the trend (the actual of each earlier year that has data, up to
``TREND_YEARS`` back). Definitions, all shares of 0…1 where more is better:

- ``roster_audit_rate``: of the year's confirmed roster enterprises (``RosterEntry`` status confirmed) of
  the park, the share whose ``clean_production_audit`` obligation of that year is done (a waived one is
  not done); none when nobody is confirmed on the roster.
- ``survey_acceptance_rate``: accepted declarations of the year ÷ enterprises of the park; none when no
  enterprise of the park declared anything that year (no survey was held).
- ``hazardous_waste_utilisation_rate`` and ``industrial_solid_waste_utilisation_rate``: tonnes received in the
  year (received and closed shipments, as the report's realised basis) from the park's offers of that stream to
  a recovering purpose (``kpis.RECOVERY_PURPOSES``: reuse, recycling, co-processing, energy recovery)
  ÷ tonnes offered per year of that stream (the park's offers open during the year, annual rates, as the
  report's ``offered_t``). The streams are the listings' (``Listing.stream``: an offer with a National HW List
  code is hazardous; 一般工业固体废物 is the ``industrial`` stream, so household, construction and agricultural
  waste count in neither). None when nothing of the stream was offered.
- ``pesticide_packaging_recovery_rate``: the same ratio over the offers of pesticide packaging waste (code
  HW49 ``900-003-49``, the agricultural category ``AG04``, or a title saying 农药包装 / pesticide packaging);
  none when there is no such waste.

Targets live in the reports package because their progress reads the report's definitions and the governance
models; the governance package must not import this one (it takes the progress as an argument).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from catalog.waste_streams import HAZARDOUS, INDUSTRIAL, infer_stream
from matching.quantities import annual_tonnes

from ...errors import NotFound, ValidationFailed
from ...models import Enterprise, Listing, Match, Park, Shipment
from ...models.governance import Obligation, RosterEntry, SurveyDeclaration, Target
from ..accounts import audit
from ..accounts.parks import coordinated_park
from ..accounts.users import Principal
from ..governance.survey_report import build_survey_report
from .flows import REALISED_SHIPMENTS, Period
from .kpis import RECOVERY_PURPOSES

TREND_YEARS = 5
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
NOTE_MAX = 500
PESTICIDE_PACKAGING_CODE = "900-003-49"
PESTICIDE_PACKAGING_CATEGORY = "AG04"  # catalog.waste_streams: 农药包装废弃物
PESTICIDE_WORDS = ("农药包装", "pesticide packaging", "pesticide container")
# The waste streams (catalog.waste_streams) with a utilisation target of their own.
TARGET_STREAMS = {HAZARDOUS: "hazardous", INDUSTRIAL: "solid"}


@dataclass(frozen=True)
class TargetDef:
    """One kind of target: its key, names, unit, direction and definition."""

    key: str
    name_zh: str
    name_en: str
    unit: str  # "share": a value of 0…1 shown as a percentage
    direction: str  # ">=": met at or above the target; "<=": at or below
    definition_zh: str
    definition_en: str
    low: float = 0.0
    high: float = 1.0

    def met(self, target: float | None, actual: float | None) -> bool | None:
        """Whether ``actual`` meets ``target`` (None when either is missing)."""
        if target is None or actual is None:
            return None
        return actual >= target - 1e-9 if self.direction == ">=" else actual <= target + 1e-9


TARGETS: dict[str, TargetDef] = {t.key: t for t in (
    TargetDef("roster_audit_rate", "重点企业强制性清洁生产审核完成率", "roster enterprises audited", "share", ">=",
              "当年确认名单企业中，强制性清洁生产审核义务已完成的比例",
              "share of the year's confirmed roster enterprises whose clean-production audit is done"),
    TargetDef("survey_acceptance_rate", "化学物质环境信息调查通过率", "survey declarations accepted", "share", ">=",
              "当年已通过的调查申报数 ÷ 园区企业数",
              "declarations of the year accepted ÷ enterprises of the park"),
    TargetDef("hazardous_waste_utilisation_rate", "危险废物利用率", "hazardous waste utilisation", "share", ">=",
              "当年实际接收用于资源化的危险废物量 ÷ 危险废物年供给量",
              "hazardous waste received in the year for recovery ÷ hazardous waste offered per year"),
    TargetDef("industrial_solid_waste_utilisation_rate", "一般工业固体废物综合利用率",
              "industrial solid waste utilisation", "share", ">=",
              "当年实际接收用于资源化的一般工业固体废物量 ÷ 其年供给量",
              "general industrial solid waste received in the year for recovery ÷ offered per year"),
    TargetDef("pesticide_packaging_recovery_rate", "农药包装废弃物回收率", "pesticide packaging waste recovered",
              "share", ">=",
              "当年实际接收用于资源化的农药包装废弃物（HW49 900-003-49）量 ÷ 其年供给量",
              "pesticide packaging waste (HW49 900-003-49) received in the year for recovery ÷ offered per year"),
)}


@dataclass(frozen=True)
class Actual:
    """A target's figure for a year: the share and what it divides (None: no data that year)."""

    value: float | None
    numerator: float
    denominator: float


def _ratio(part: float, whole: float) -> Actual:
    return Actual(part / whole if whole > 1e-12 else None, part, whole)


def target_definitions() -> list[dict[str, Any]]:
    """Every kind of target, as the API and the CLI list them."""
    return [asdict(t) for t in TARGETS.values()]


def _year(year: Any) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ValidationFailed(f"year must be a whole year {EARLIEST_YEAR}–{LATEST_YEAR} (年份有误)",
                               {"year": [f"must be a year between {EARLIEST_YEAR} and {LATEST_YEAR}"]})
    return year


def _definition(key: Any) -> TargetDef:
    if key not in TARGETS:
        raise ValidationFailed(f"unknown target {key!r} (无此目标)",
                               {"key": [f"must be one of {', '.join(TARGETS)} (须为以下之一：{'、'.join(TARGETS)})"]})
    return TARGETS[key]


# --- the figures ---------------------------------------------------------------------------------

def _stream(stream: str | None, code: str | None, category: str | None, *titles: str | None) -> tuple[str | None, bool]:
    """The target an offer counts in (``hazardous``, ``solid`` or None for the other streams) and whether it is
    pesticide packaging waste."""
    text = " ".join(t for t in titles if t).lower()
    pesticide = code == PESTICIDE_PACKAGING_CODE or category == PESTICIDE_PACKAGING_CATEGORY or \
        any(w in text for w in PESTICIDE_WORDS)
    return TARGET_STREAMS.get(stream or infer_stream(code, category)), pesticide


def _waste_actuals(session: Session, ids: list[int], period: Period) -> dict[str, Actual]:
    """Utilisation of the hazardous, general solid and pesticide packaging streams of the park's offers."""
    offered = {"hazardous": 0.0, "solid": 0.0, "pesticide": 0.0}
    used = dict.fromkeys(offered, 0.0)
    if ids:
        # The park's offers open during the year, as the report's offered tonnes (flows.gather) count them.
        offers = session.execute(select(Listing.stream, Listing.waste_code, Listing.category, Listing.title,
                                        Listing.title_zh, Listing.quantity_t, Listing.period).where(
            Listing.kind == "offer", Listing.enterprise_id.in_(ids), Listing.created_at < period.after_instant,
            or_(Listing.status != "closed", Listing.updated_at >= period.first_instant),
            or_(Listing.available_from.is_(None), Listing.available_from <= period.end),
            or_(Listing.available_to.is_(None), Listing.available_to >= period.start)))
        for listed, code, category, title, title_zh, qty, per in offers:
            stream, pesticide = _stream(listed, code, category, title, title_zh)
            tonnes = annual_tonnes(qty, per)
            if stream:
                offered[stream] += tonnes
            if pesticide:
                offered["pesticide"] += tonnes
        offer_l, need_l = aliased(Listing), aliased(Listing)
        received = session.execute(
            select(Shipment.quantity_received_t, offer_l.stream, offer_l.waste_code, offer_l.category, offer_l.title,
                   offer_l.title_zh)
            .join(Match, Shipment.match_id == Match.id).join(offer_l, Match.offer_id == offer_l.id)
            .join(need_l, Match.need_id == need_l.id)
            .where(Shipment.direction == "forward", Shipment.status.in_(REALISED_SHIPMENTS),
                   Shipment.received_at >= period.first_instant,
                   Shipment.received_at < period.after_instant, offer_l.enterprise_id.in_(ids),
                   need_l.purpose.in_(RECOVERY_PURPOSES)))
        for qty, listed, code, category, title, title_zh in received:
            stream, pesticide = _stream(listed, code, category, title, title_zh)
            if stream:
                used[stream] += float(qty or 0.0)
            if pesticide:
                used["pesticide"] += float(qty or 0.0)
    return {"hazardous_waste_utilisation_rate": _ratio(used["hazardous"], offered["hazardous"]),
            "industrial_solid_waste_utilisation_rate": _ratio(used["solid"], offered["solid"]),
            "pesticide_packaging_recovery_rate": _ratio(used["pesticide"], offered["pesticide"])}


def actuals(session: Session, park: Park, year: int) -> dict[str, Actual]:
    """Every target's actual figure for ``park`` in ``year`` (see the module docstring)."""
    ids = sorted(session.scalars(select(Enterprise.id).where(Enterprise.park_id == park.id)))
    confirmed = set(session.scalars(select(RosterEntry.enterprise_id).where(
        RosterEntry.year == year, RosterEntry.status == "confirmed",
        or_(RosterEntry.park_id == park.id, RosterEntry.enterprise_id.in_(ids)))))
    audited = set(session.scalars(select(Obligation.enterprise_id).where(
        Obligation.year == year, Obligation.code == "clean_production_audit", Obligation.status == "done",
        Obligation.enterprise_id.in_(sorted(confirmed))))) if confirmed else set()
    statuses = list(session.scalars(select(SurveyDeclaration.status).where(
        SurveyDeclaration.year == year, SurveyDeclaration.enterprise_id.in_(ids)))) if ids else []
    survey = _ratio(sum(1 for s in statuses if s == "accepted"), len(ids)) if statuses else Actual(None, 0, len(ids))
    period = Period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    return {"roster_audit_rate": _ratio(len(audited), len(confirmed)), "survey_acceptance_rate": survey,
            **_waste_actuals(session, ids, period)}


def _first_year_with_data(session: Session, park: Park) -> int | None:
    """No year before this one can have an actual figure (None: no year can); the trend skips those years.

    Every figure needs a confirmed roster entry, a survey declaration or an offer created by the end of the
    year. The offers' bound is a year early, whatever the time zone of the period's edges. Four queries
    instead of six per empty year (the park overview asked for five years that mostly held nothing).
    """
    ids = select(Enterprise.id).where(Enterprise.park_id == park.id).scalar_subquery()
    roster = session.scalar(select(func.min(RosterEntry.year)).where(
        RosterEntry.status == "confirmed", or_(RosterEntry.park_id == park.id, RosterEntry.enterprise_id.in_(ids))))
    survey = session.scalar(select(func.min(SurveyDeclaration.year)).where(SurveyDeclaration.enterprise_id.in_(ids)))
    created = session.scalar(select(func.min(Listing.created_at)).where(Listing.kind == "offer",
                                                                         Listing.enterprise_id.in_(ids)))
    years = [y for y in (roster, survey, created.year - 1 if created else None) if y is not None]
    return min(years) if years else None


def park_targets(session: Session, park: Park, year: int, *, trend_years: int = TREND_YEARS) -> list[dict[str, Any]]:
    """Progress of every defined target of ``park`` in ``year`` (no permission check: callers hold it)."""
    set_values = {t.key: t for t in session.scalars(select(Target).where(Target.park_id == park.id,
                                                                          Target.year == year))}
    now = actuals(session, park, year)
    first = max(EARLIEST_YEAR, year - trend_years, _first_year_with_data(session, park) or year)
    earlier = {y: actuals(session, park, y) for y in range(first, year)}
    rows = []
    for key, d in TARGETS.items():
        t = set_values.get(key)
        a = now[key]
        target = t.value if t else None
        rows.append({
            "key": key, "name_zh": d.name_zh, "name_en": d.name_en, "unit": d.unit, "direction": d.direction,
            "definition_zh": d.definition_zh, "definition_en": d.definition_en,
            "target": target, "note": t.note if t else "", "set_by": t.set_by if t else None,
            "actual": a.value, "numerator": a.numerator, "denominator": a.denominator,
            "met": d.met(target, a.value),
            "trend": [{"year": y, "actual": figures[key].value} for y, figures in earlier.items()
                      if figures[key].value is not None]})
    return rows


def targets_progress(session: Session, principal: Principal, park_code: str, year: int) -> list[dict[str, Any]]:
    """Every target of park ``park_code`` in ``year``: its names, unit, the target set, actual, met and trend.

    Coordinators of the park and admins (403 otherwise, 404 for an unknown park, 422 for a bad year).
    """
    park = coordinated_park(session, principal, park_code, field="park")
    return park_targets(session, park, _year(year))


def set_target(session: Session, principal: Principal, park_code: str, year: int, key: str, value: Any,
               note: str = "") -> Target:
    """Set (or change) the park's target ``key`` for ``year`` to ``value`` (coordinators of the park, admins).

    ``value`` must lie in the target's range (a share: 0…1); every refusal names its field and writes nothing.
    """
    park = coordinated_park(session, principal, park_code, field="park")
    errors: dict[str, list[str]] = {}
    d = None
    for name, check in (("year", lambda: _year(year)), ("key", lambda: _definition(key))):
        try:
            out = check()
            d = out if name == "key" else d
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        errors["value"] = ["must be a number"]
    elif d is not None and not d.low <= value <= d.high:
        unit_zh = {"share": "比例"}.get(d.unit, d.unit)
        errors["value"] = [(f"must lie between {d.low:g} and {d.high:g} for {d.unit} (e.g. 0.8 = 80 %) "
                            f"({unit_zh}须在 {d.low:g} 至 {d.high:g} 之间，如 0.8 即 80%)")]
    note = note or ""
    if not isinstance(note, str) or len(note) > NOTE_MAX or "\x00" in note:
        errors["note"] = [f"text of at most {NOTE_MAX} characters (最多 {NOTE_MAX} 个字符)"]
    if errors:
        raise ValidationFailed("the target is not valid (目标设置有误)", errors)
    target = session.scalar(select(Target).where(Target.park_id == park.id, Target.year == year, Target.key == key))
    before = (target.value, target.note) if target else (None, None)
    if target is None:
        target = Target(park_id=park.id, year=year, key=key, value=float(value), note=note, set_by=principal.actor)
        session.add(target)
    else:
        target.value, target.note, target.set_by = float(value), note, principal.actor
    session.flush()
    audit.record(session, actor=principal.actor, action="set_target", entity_type="target",
                 entity_key=f"{park.code}:{year}:{key}",
                 changes={"value": [before[0], float(value)], "note": [before[1], note]}, park_id=park.id)
    return target


def clear_target(session: Session, principal: Principal, park_code: str, year: int, key: str) -> None:
    """Remove the park's target ``key`` for ``year`` (coordinators of the park, admins); 404 when none is set."""
    park = coordinated_park(session, principal, park_code, field="park")
    _year(year)
    _definition(key)
    target = session.scalar(select(Target).where(Target.park_id == park.id, Target.year == year, Target.key == key))
    if target is None:
        raise NotFound(f"no target {key} set for {park.code} in {year} (未设置该目标)",
                       {"key": [f"no target set for {year} (未设置 {year} 年的该目标)"]})
    audit.record(session, actor=principal.actor, action="clear_target", entity_type="target",
                 entity_key=f"{park.code}:{year}:{key}", changes={"value": [target.value, None]}, park_id=park.id)
    session.delete(target)
    session.flush()


def target_dict(target: Target) -> dict[str, Any]:
    """A stored target as the API and the CLI show it."""
    d = TARGETS[target.key]
    return {"park": target.park.code if target.park else None, "year": target.year, "key": target.key,
            "name_zh": d.name_zh, "name_en": d.name_en, "unit": d.unit, "direction": d.direction,
            "value": target.value, "note": target.note, "set_by": target.set_by}


def survey_report(session: Session, principal: Principal, park_code: str, year: int) -> dict[str, Any]:
    """The park survey report (``governance.survey_report``) with this package's target progress in it."""
    progress = targets_progress(session, principal, park_code, year)
    return build_survey_report(session, principal, park_code, year, targets=progress)


__all__ = ["Actual", "TARGETS", "TREND_YEARS", "TargetDef", "actuals", "clear_target", "park_targets", "set_target",
           "survey_report", "target_definitions", "target_dict", "targets_progress"]
