"""Fixtures of the traceability service tests."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.models import Listing
from marketplace.services.accounts.users import resolve_token
from tests.factories import load_api_park
from tests.marketplace.services.matching.test_workflow import World


@pytest.fixture()
def w(session) -> World:
    """The API park (two parks, a licensed handler, garages, a kiln) with each account's principal."""
    tokens = load_api_park(session)
    return World(session, {k: resolve_token(session, t) for k, t in tokens.items()},
                 dict(session.execute(select(Listing.ref, Listing.id)).all()))
