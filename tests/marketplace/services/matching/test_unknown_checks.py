"""Unknown is not zero through the product (issue 16): a pair whose limited substance the offer does not declare is
recommended after the pairs that pass, marked "needs an analysis report", and cannot become a match (propose and
approve refuse it, naming the substance and what to do) until the offer declares it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.errors import Conflict, ValidationFailed
from marketplace.models import Component, Listing
from marketplace.services.accounts.users import resolve_token
from marketplace.services.matching.recommendations import recommend
from tests.factories import load_api_park

from .test_workflow import World

LEAD = "7439-92-1"


@pytest.fixture()
def w(session) -> World:
    """The small two-park fixture (its oil offers declared complete), as ``test_workflow`` sets it."""
    tokens = load_api_park(session)
    ids = dict(session.execute(select(Listing.ref, Listing.id)).all())
    return World(session, {k: resolve_token(session, t) for k, t in tokens.items()}, ids)


def no_longer_complete(w: World, ref: str) -> None:
    """The offer, which does not list lead (E-1's need limits it to 0.1 %), no longer says its composition is
    complete: lead is unknown, not zero."""
    w.listing(ref).composition_complete = False
    w.session.flush()


def test_an_offer_not_declaring_a_limited_substance_cannot_be_proposed(w):
    no_longer_complete(w, "O-1")
    with pytest.raises(ValidationFailed) as exc:
        w.propose("e2", "O-1", "N-1")
    message = exc.value.message
    assert "needs an analysis report" in message and f"does not declare {LEAD}" in message
    assert f"需提供检测报告：供给未申报{LEAD}" in message and "composition complete" in message
    (check,) = exc.value.errors["checks"]
    assert "Contaminant limits: " in check and "not declared: needs an analysis report" in check


def test_approval_refuses_a_pair_whose_composition_is_no_longer_complete(w):
    m = w.accepted("O-1", "N-1")
    no_longer_complete(w, "O-1")
    with pytest.raises(Conflict, match="needs an analysis report") as exc:
        w.act("coord", m, "approve")
    assert "杂质限值：" in exc.value.errors["checks"][0]
    assert m.status == "accepted"
    w.listing("O-1").components.append(Component(role="composition", position=9, name="lead", cas=LEAD,
                                                 fraction=0.0002))
    w.session.flush()
    w.act("coord", m, "approve")
    assert m.status == "approved"


def test_recommendations_put_the_pairs_needing_a_report_last(w):
    no_longer_complete(w, "O-1")
    (result,) = recommend(w.session, ["N-1"], top=5, learned=False)["results"]
    rows = result["recommendations"]
    by_offer = {r["listing"]: r for r in rows}
    assert by_offer["O-1"]["needs_report"] and not by_offer["O-2"]["needs_report"]
    assert [r["needs_report"] for r in rows] == sorted(r["needs_report"] for r in rows)  # passing pairs first
    (unknown,) = [c for c in by_offer["O-1"]["checks"] if c["unknown"]]
    assert (unknown["code"], unknown["status"], unknown["passed"], unknown["hard"]) == (
        "contaminant_limit", "unknown", False, True)
    assert all(c["status"] in ("passed", "failed", "unknown") for r in rows for c in r["checks"])
