"""Shared by the report services' tests: the demo park matched once, and a coordinator of one of its parks."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from marketplace.models import Park
from marketplace.services.accounts.users import Principal
from marketplace.services.listings.interchange import import_document
from marketplace.services.matching.runs import run_matching
from tests.conftest import DEMO_PARK


@pytest.fixture()
def demo(session):
    """The demo park imported and matched over every park, in the test's rolled-back transaction."""
    import_document(session, json.loads(DEMO_PARK.read_text(encoding="utf-8")), actor="test")
    run_matching(session, park=None, actor="test")
    return session


def coordinator_of(session, code: str) -> Principal:
    """A coordinator answering for park ``code`` only."""
    park_id = session.scalar(select(Park.id).where(Park.code == code))
    return Principal(user_id=None, email=f"coord-{code.lower()}", role="coordinator", park_ids=frozenset({park_id}))
