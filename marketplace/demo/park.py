"""The demonstration park in one call, for the end-to-end tests and the benchmarks.

``wastematch demo`` does the same step by step with its progress on the command line:
import the park, run park-wide matching, play four months of history, seed the demo accounts, play the
last calendar year's chemical governance (surveys, roster, EECM, targets, disclosures), then a pooled
collection round, two weighbridges and a GPS track (``zero_waste``).
"""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session

from ..db import make_engine, upgrade_schema
from ..services.catalog.reference import load_builtin_catalog
from ..services.listings.interchange import import_document
from ..services.matching.runs import run_matching
from .accounts import seed_demo_accounts
from .governance import seed_demo_governance
from .history import seed_demo_history
from .hw_plans import seed_demo_hw_plans
from .zero_waste import seed_demo_zero_waste

DEMO_PARK_FILE = Path(__file__).with_name("demo_park.json")


def build_demo_park(session: Session, *, actor: str) -> None:
    """Import the demo park, match it, play its history, seed its accounts, play its governance year, its field
    work and this year's HW management plans (never commits)."""
    import_document(session, json.loads(DEMO_PARK_FILE.read_text(encoding="utf-8")), actor=actor)
    run_matching(session, park=None, actor=actor)
    seed_demo_history(session)
    seed_demo_accounts(session, actor=actor)
    seed_demo_governance(session)
    seed_demo_zero_waste(session)
    seed_demo_hw_plans(session)


def create_demo_database(folder: Path, *, actor: str) -> str:
    """A new SQLite database in ``folder`` holding the catalogue and the demo park; its URL.

    Unlike the services it owns its transaction (it commits): the end-to-end tests serve the file and
    the page benchmark reads it, each from a fresh folder.
    """
    url = f"sqlite:///{folder / 'wastematch.sqlite3'}"
    engine = make_engine(url)
    upgrade_schema(engine)
    with Session(engine) as session, session.begin():
        load_builtin_catalog(session)
        build_demo_park(session, actor=actor)
    engine.dispose()
    return url
