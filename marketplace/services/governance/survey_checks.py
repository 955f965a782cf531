"""Quality checks of a survey declaration (填报质量核查), run on submission and listed per field.

Each finding is ``{"field", "code", "severity", "message"}`` with a bilingual message; the
coordinator sees them beside the declaration. They do not block submission (only a
declaration without rows is refused): the reviewer judges them.

* ``cas_invalid`` (error) — a CAS number whose form or check digit is wrong (rows written
  through the services are validated; this guards rows that came in any other way).
* ``incomplete`` — a row without CAS and name (error); a ``use`` row without its use, a
  ``release`` row without the tonnes released (warnings).
* ``magnitude_change`` (warning) — a substance's tonnes in a role changed ≥ 10× or ≤ 1/10
  against the enterprise's *accepted* declaration of the previous year (unit slips: kg for t).
* ``ledger_mismatch`` (warning) — per CAS, declared ``use`` tonnes against the ledger's
  consumption that year (``consumed`` entries, quantity × content ratio) differ by more
  than ``LEDGER_TOLERANCE`` of the larger; compared only where the enterprise kept a ledger that year.
* ``undeclared_controlled`` (warning) — a controlled substance (``catalog.control_lists``) in the
  composition of the enterprise's active offers, or offers listed that year, that no row declares.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from catalog.cas import cas_check_error
from catalog.control_lists import controlled_by_cas
from catalog.measures import ROLE_EN, ROLE_ZH

from ...models import Component, LedgerEntry, Listing, SurveyDeclaration, SurveySubstance
from ...models.base import park_day_start

CHECK_CODES = ("cas_invalid", "incomplete", "magnitude_change", "ledger_mismatch", "undeclared_controlled")
MAGNITUDE_FACTOR = 10.0
LEDGER_TOLERANCE = 0.20
CHUNK = 500


def _finding(field: str, code: str, severity: str, message: str) -> dict[str, Any]:
    return {"field": field, "code": code, "severity": severity, "message": message}


def _label(s: SurveySubstance) -> str:
    return f"{s.name or ''} {s.cas or ''}".strip() or "?"


def _identity(s: SurveySubstance) -> str:
    """What makes two rows (of two years) the same substance: the control key, the CAS, else the name."""
    return s.substance_key or s.cas or (s.name or "").strip().casefold()


def _row_checks(decl: SurveyDeclaration) -> list[dict[str, Any]]:
    out = []
    for i, s in enumerate(decl.substances):
        f = f"substances.{i}"
        if s.cas:
            problem = cas_check_error(s.cas)
            if problem:
                out.append(_finding(f"{f}.cas", "cas_invalid", "error",
                                    f"CAS号 {s.cas} 无效（{problem}） / invalid CAS number {s.cas}: {problem}"))
        if not s.cas and not (s.name or "").strip():
            out.append(_finding(f"{f}.cas", "incomplete", "error",
                                f"第 {i + 1} 行缺少CAS号和名称 / row {i + 1} names neither a CAS number nor a substance"))
        if s.role == "use" and not (s.use or "").strip():
            out.append(_finding(f"{f}.use", "incomplete", "warning",
                                f"{_label(s)}：用途未填写 / {_label(s)}: the use is not stated"))
        if s.role == "release" and s.released_t is None:
            out.append(_finding(f"{f}.released_t", "incomplete", "warning",
                                f"{_label(s)}：未填写排放量 / {_label(s)}: the tonnes released are not stated"))
    return out


def _magnitude_checks(decl: SurveyDeclaration, previous: SurveyDeclaration | None) -> list[dict[str, Any]]:
    if previous is None:
        return []
    before: dict[tuple[str, str], float] = defaultdict(float)
    for s in previous.substances:
        before[(_identity(s), s.role)] += s.quantity_t
    out = []
    for i, s in enumerate(decl.substances):
        old = before.get((_identity(s), s.role))
        if not old or not s.quantity_t:
            continue  # a ratio needs two non-zero amounts
        ratio = s.quantity_t / old
        if ratio >= MAGNITUDE_FACTOR or ratio <= 1 / MAGNITUDE_FACTOR:
            out.append(_finding(
                f"substances.{i}.quantity_t", "magnitude_change", "warning",
                f"{_label(s)}（{ROLE_ZH.get(s.role, s.role)}）：{s.quantity_t:g} 吨，{previous.year} 年已确认 {old:g} 吨，"
                f"相差约 {ratio:.3g} 倍，请核实单位 / {_label(s)} ({ROLE_EN.get(s.role, s.role)}): {s.quantity_t:g} t "
                f"against {old:g} t accepted for "
                f"{previous.year} (×{ratio:.3g}); check the unit"))
    return out


def _ledger_checks(decl: SurveyDeclaration, ledger: list[LedgerEntry]) -> list[dict[str, Any]]:
    if not ledger:
        return []  # no ledger kept that year: nothing to compare against
    consumed: dict[str, float] = defaultdict(float)
    for e in ledger:
        if e.direction == "consumed" and e.cas:
            consumed[e.cas] += e.quantity_t * e.content_ratio
    declared: dict[str, float] = defaultdict(float)
    first_row: dict[str, int] = {}
    for i, s in enumerate(decl.substances):
        if s.role == "use" and s.cas:
            declared[s.cas] += s.quantity_t
            first_row.setdefault(s.cas, i)
    out = []
    for cas in sorted(set(declared) | set(consumed)):
        d, c = declared.get(cas, 0.0), consumed.get(cas, 0.0)
        if abs(d - c) <= LEDGER_TOLERANCE * max(d, c):
            continue
        field = f"substances.{first_row[cas]}.quantity_t" if cas in first_row else "substances"
        out.append(_finding(
            field, "ledger_mismatch", "warning",
            f"CAS {cas}：申报使用 {d:g} 吨，台账 {decl.year} 年消耗 {c:g} 吨，差异超过 {LEDGER_TOLERANCE:.0%} / "
            f"CAS {cas}: {d:g} t declared as used, {c:g} t consumed in the {decl.year} ledger "
            f"(more than {LEDGER_TOLERANCE:.0%} apart)"))
    return out


def _listing_checks(decl: SurveyDeclaration, listings: list[Listing]) -> list[dict[str, Any]]:
    declared_keys = {s.substance_key for s in decl.substances if s.substance_key}
    declared_cas = {s.cas for s in decl.substances if s.cas}
    out, seen = [], set()
    for listing in listings:
        for comp in listing.components:
            cas = comp.substance_cas  # a name resolved to a controlled substance counts too
            if comp.role != "composition" or not cas or cas in declared_cas:
                continue
            for sub in controlled_by_cas(cas):
                if sub.key in declared_keys or sub.key in seen:
                    continue
                seen.add(sub.key)
                out.append(_finding(
                    "substances", "undeclared_controlled", "warning",
                    f"供给 {listing.ref} 的成分含管控物质 {sub.name_zh}（CAS {cas}，{sub.measure_zh}），申报中未列出 / "
                    f"offer {listing.ref} contains the controlled substance {sub.name_en} (CAS {cas}), "
                    "which the declaration does not list"))
    return out


def _order(finding: dict[str, Any]) -> tuple:
    # Per field, in row order, declaration-wide findings last.
    parts = finding["field"].split(".")
    row = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 10**9
    return row, finding["field"], CHECK_CODES.index(finding["code"])


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def run_checks_many(session: Session, declarations: list[SurveyDeclaration]) -> dict[int, list[dict[str, Any]]]:
    """The findings of many declarations at once (a handful of queries per 500 enterprises), by declaration id."""
    by_year: dict[int, list[SurveyDeclaration]] = defaultdict(list)
    for d in declarations:
        by_year[d.year].append(d)
    out: dict[int, list[dict[str, Any]]] = {}
    for year, decls in by_year.items():
        ent_ids = sorted({d.enterprise_id for d in decls})
        previous: dict[int, SurveyDeclaration] = {}
        ledger: dict[int, list[LedgerEntry]] = defaultdict(list)
        listings: dict[int, list[Listing]] = defaultdict(list)
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        # "Listed that year" by creation time; a listing still active is current whatever its age.
        year_start, year_end = park_day_start(start), park_day_start(dt.date(year + 1, 1, 1))
        for ids in _chunks(ent_ids):
            for p in session.scalars(select(SurveyDeclaration).where(
                    SurveyDeclaration.enterprise_id.in_(ids), SurveyDeclaration.year == year - 1,
                    SurveyDeclaration.status == "accepted").options(selectinload(SurveyDeclaration.substances))):
                previous[p.enterprise_id] = p
            for e in session.scalars(select(LedgerEntry).where(
                    LedgerEntry.enterprise_id.in_(ids), LedgerEntry.entry_date.between(start, end))):
                ledger[e.enterprise_id].append(e)
            for x in session.scalars(select(Listing).where(
                    Listing.enterprise_id.in_(ids), Listing.kind == "offer",
                    or_(Listing.status == "active",
                        (Listing.created_at >= year_start) & (Listing.created_at < year_end)))
                    .where(Listing.components.any(or_(Component.cas.is_not(None),
                                                      Component.resolved_cas.is_not(None))))
                    .options(selectinload(Listing.components)).order_by(Listing.id)):
                listings[x.enterprise_id].append(x)
        for d in decls:
            found = (_row_checks(d) + _magnitude_checks(d, previous.get(d.enterprise_id))
                     + _ledger_checks(d, ledger.get(d.enterprise_id, []))
                     + _listing_checks(d, listings.get(d.enterprise_id, [])))
            out[d.id] = sorted(found, key=_order)
    return out


def run_checks(session: Session, declaration: SurveyDeclaration) -> list[dict[str, Any]]:
    """The quality findings of one declaration (nothing is written), listed per field in row order."""
    session.flush()
    return run_checks_many(session, [declaration])[declaration.id]
