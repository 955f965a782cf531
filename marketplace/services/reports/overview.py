"""Figures for the park overview page and the CLI summary: what each park holds, and what waits for a
park's coordinators."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matching.quantities import annual_tonnes

from ...models import Enterprise, HwCodeRow, Licence, Listing, Park
from ..accounts.parks import coordinated_park
from ..accounts.users import Principal
from ..matching import workflow
from ..traceability import alerts, ledger_review


def park_overview(session: Session) -> list[dict[str, Any]]:
    """Per park (and one row for enterprises outside any park): enterprises, licences, listings, tonnes/year."""
    stats: dict[int | None, dict[str, Any]] = defaultdict(lambda: {
        "enterprises": 0, "licences": 0, "offers": 0, "needs": 0, "hw_offers": 0,
        "offered_t_per_year": 0.0, "needed_t_per_year": 0.0})
    for park_id, n in session.execute(select(Enterprise.park_id, func.count()).group_by(Enterprise.park_id)):
        stats[park_id]["enterprises"] = n
    for park_id, n in session.execute(select(Enterprise.park_id, func.count()).join(Licence.enterprise)
                                      .group_by(Enterprise.park_id)):
        stats[park_id]["licences"] = n
    rows = session.execute(select(Enterprise.park_id, Listing.kind, Listing.waste_code, Listing.quantity_t,
                                  Listing.period).join(Listing.enterprise).where(Listing.status == "active"))
    for park_id, kind, code, qty, period in rows:
        s = stats[park_id]
        s[kind + "s"] += 1
        s[f"{'offered' if kind == 'offer' else 'needed'}_t_per_year"] += annual_tonnes(qty, period)
        if kind == "offer" and code:
            s["hw_offers"] += 1
    out = []
    for park in session.scalars(select(Park).order_by(Park.code)):
        out.append({"code": park.code, "name": park.name, "name_en": park.name_en, "province": park.province,
                    **stats.get(park.id, stats[park.id])})
    if None in stats and stats[None]["enterprises"]:
        out.append({"code": None, "name": "园区外", "name_en": "Outside any park", "province": None, **stats[None]})
    return out


def waiting_work(session: Session, principal: Principal, code: str) -> dict[str, Any]:
    """What waits for a coordinator of park ``code`` now: matches to approve, active alerts by status, open
    ledger findings by code. Its coordinators and admins only (403 for another park, 404 for none)."""
    park = coordinated_park(session, principal, code, field="park")
    stmt = workflow.filtered_matches(session, principal, status="accepted", park=park.code).order_by(None)
    awaiting = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    active = alerts.active_counts(session, principal, park_id=park.id)
    findings = ledger_review.filtered_findings(session, principal, status="open", park=park.code).order_by(None)
    by_code = Counter(f.code for f in session.scalars(findings))
    return {"approvals": awaiting, "alerts": active, "alerts_total": sum(active.values()),
            "findings": dict(sorted(by_code.items())), "findings_total": sum(by_code.values())}


def catalog_counts(session: Session) -> dict[str, int]:
    """How much reference data is loaded."""
    return {"hw_codes": session.scalar(select(func.count()).select_from(HwCodeRow)) or 0}
