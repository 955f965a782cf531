"""Hazardous waste declarations against the manifests: the year's manifest totals and the mismatches.

Shared by the declarations (``hw_declarations``: checks on submission) and the ledger review
(``ledger_review``: the ``declaration_mismatch`` findings it raises, keeps and resolves).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ...models import Enterprise, Shipment
from ...models.base import CHINA_TZ
from ...models.hw_declarations import HwDeclaration

UNDER_REVIEW = ("submitted", "resubmitted")
# Manifests that moved waste out of the producer in the year: forward loads dispatched and not refused (a load the
# receiver rejected comes back under a return manifest, which is not the sender's waste; a cancelled one never
# left).
TRANSFERRED_STATUSES = ("dispatched", "received", "closed")
# Declared and manifest tonnes agree within a kilogram (manifests weigh to the kilogram).
TOLERANCE_T = 0.001


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants a declaration year starts and ends: 1 January, 00:00 China time, to the next."""
    start = dt.datetime(year, 1, 1, tzinfo=CHINA_TZ)
    return start.astimezone(dt.UTC), dt.datetime(year + 1, 1, 1, tzinfo=CHINA_TZ).astimezone(dt.UTC)


def manifest_totals(session: Session, enterprise_ids: list[int], year: int) -> dict[int, dict[str, tuple[float, int]]]:
    """{enterprise id: {waste code: (tonnes dispatched, manifests)}} of the year's outgoing manifests."""
    start, end = year_bounds(year)
    out: dict[int, dict[str, tuple[float, int]]] = defaultdict(dict)
    for chunk in range(0, len(enterprise_ids), 500):
        rows = session.execute(
            select(Shipment.producer_id, Shipment.waste_code, func.sum(Shipment.quantity_t), func.count(Shipment.id))
            .where(Shipment.producer_id.in_(enterprise_ids[chunk:chunk + 500]), Shipment.direction == "forward",
                   Shipment.status.in_(TRANSFERRED_STATUSES), Shipment.dispatched_at >= start,
                   Shipment.dispatched_at < end, Shipment.waste_code.is_not(None))
            .group_by(Shipment.producer_id, Shipment.waste_code))
        for producer, code, tonnes, count in rows:
            out[producer][code] = (round(float(tonnes), 9), int(count))
    return out


def mismatches(decl: HwDeclaration, manifests: dict[str, tuple[float, int]]) -> list[dict[str, Any]]:
    """The reconciliation of ``decl`` against the year's manifests (code → (tonnes, count)): one check per problem.

    Errors: a line's transferred tonnes differ from its manifests by more than ``TOLERANCE_T``; a code shipped
    under manifests is not declared. Warning: a line does not balance (start + generated = own use + own
    disposal + transferred + end).
    """
    checks: list[dict[str, Any]] = []
    declared = set()
    for i, line in enumerate(decl.lines):
        declared.add(line.waste_code)
        shipped, count = manifests.get(line.waste_code, (0.0, 0))
        if abs(line.transferred_t - shipped) > TOLERANCE_T:
            checks.append({"field": f"lines.{i}.transferred_t", "code": "manifest_mismatch", "severity": "error",
                           "waste_code": line.waste_code, "declared_t": line.transferred_t, "manifests_t": shipped,
                           "manifests": count,
                           "message": f"{line.waste_code}：申报转移 {line.transferred_t:g} 吨，联单合计 {shipped:g} 吨"
                                      f"（{count} 份联单） / {line.waste_code}: {line.transferred_t:g} t declared as "
                                      f"transferred, {shipped:g} t under {count} manifest(s)"})
        inflow = line.stock_start_t + line.generated_t
        outflow = line.utilised_own_t + line.disposed_own_t + line.transferred_t + line.stock_end_t
        if abs(inflow - outflow) > TOLERANCE_T:
            checks.append({"field": f"lines.{i}", "code": "unbalanced", "severity": "warning",
                           "waste_code": line.waste_code, "in_t": round(inflow, 9), "out_t": round(outflow, 9),
                           "message": f"{line.waste_code}：年初贮存与产生共 {inflow:g} 吨，利用、处置、转移与年末贮存共 "
                                      f"{outflow:g} 吨，不平衡 / {line.waste_code}: {inflow:g} t held or generated, "
                                      f"{outflow:g} t used, disposed of, transferred or held at the end: they differ"})
    for code, (shipped, count) in sorted(manifests.items()):
        if code not in declared:
            checks.append({"field": "lines", "code": "manifest_mismatch", "severity": "error", "waste_code": code,
                           "declared_t": 0.0, "manifests_t": shipped, "manifests": count,
                           "message": f"{code}：{count} 份联单转移 {shipped:g} 吨，申报中没有该代码 / {code}: {shipped:g} t "
                                      f"left under {count} manifest(s) but the code is not declared"})
    return checks


def reconciliation_problems(session: Session, enterprises: list[Enterprise]) -> list[dict[str, Any]]:
    """The manifest mismatches of the enterprises' submitted or accepted declarations, now: one dict per
    (enterprise, year, code) with ``enterprise``, ``year``, ``waste_code``, ``message`` and the figures
    (the ledger review raises, keeps and resolves its findings from these)."""
    by_id = {e.id: e for e in enterprises}
    decls = list(session.scalars(select(HwDeclaration).where(
        HwDeclaration.enterprise_id.in_(list(by_id)), HwDeclaration.status.in_((*UNDER_REVIEW, "accepted")))
        .options(selectinload(HwDeclaration.lines)).order_by(HwDeclaration.id))) if by_id else []
    out = []
    for year in sorted({d.year for d in decls}):
        of_year = [d for d in decls if d.year == year]
        totals = manifest_totals(session, [d.enterprise_id for d in of_year], year)
        for d in of_year:
            for check in mismatches(d, totals.get(d.enterprise_id, {})):
                if check["code"] == "manifest_mismatch":
                    out.append({**check, "enterprise": by_id[d.enterprise_id], "year": year, "declaration_id": d.id})
    return out
