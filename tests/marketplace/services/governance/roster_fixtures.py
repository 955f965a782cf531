"""Accepted survey declarations written straight into the models (the survey services are built alongside)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.models import Enterprise, SurveyDeclaration, SurveySubstance


def declare_accepted(session: Session, ref: str, year: int, substances: list[dict[str, Any]],
                     status: str = "accepted") -> SurveyDeclaration:
    """A declaration of enterprise ``ref`` for ``year`` in ``status`` with ``substances`` rows
    (``{"cas", "name", "role", "quantity_t", "use"}``); its control-list keys left to the roster to resolve."""
    ent = session.scalar(select(Enterprise).where(Enterprise.ref == ref))
    decl = SurveyDeclaration(enterprise_id=ent.id, year=year, status=status, created_by="test")
    decl.substances = [SurveySubstance(position=i, cas=s.get("cas"), name=s.get("name"), role=s["role"],
                                       quantity_t=s.get("quantity_t", 1.0), use=s.get("use", ""))
                       for i, s in enumerate(substances)]
    session.add(decl)
    session.flush()
    return decl


HBCDD_USE = {"cas": "25637-99-4", "name": "HBCDD", "role": "use", "quantity_t": 1.5, "use": "EPS flame retardant"}
ETHANOL_USE = {"cas": "64-17-5", "name": "乙醇", "role": "use", "quantity_t": 20.0, "use": "solvent"}
DCM_SOLVENT = {"cas": "75-09-2", "name": "二氯甲烷", "role": "use", "quantity_t": 3.0, "use": "extraction solvent"}
