"""One rule, one answer: the API and the pages refuse (or allow) the same matching actions with the same status.

Each case is asked of both on the same data, in one rolled-back transaction: the API through a bearer token,
the page through a signed-in browser. A page answers a refusal with that status, or (where it goes back to
the match) with a redirect flashing the service's message; both are checked.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from marketplace.models import Listing, Match, MatchRun, Notification, User
from marketplace.services.accounts.users import resolve_token
from marketplace.services.matching import workflow
from tests.factories import load_api_park
from tests.marketplace.services.matching.test_workflow import World
from tests.web.api.conftest import ApiHarness, app_in_rolled_back_transaction
from tests.web.pages.conftest import PageHarness
from web.pages.runs import INLINE_KEY, REGISTRY_KEY, JobRegistry

RUN_FORM = {"park": "BH", "exact": "0", "time_limit": "30", "min_lot": "0", "max_suppliers": ""}
FLASH_ERROR = re.compile(r'<p class="flash error"[^>]*>([^<]*)</p>')
TOO_LONG = "x" * (workflow.MAX_REASON + 1)


@dataclass
class Both:
    """The API and the pages of one app, on the same data."""

    api: ApiHarness
    pages: PageHarness
    world: World

    @property
    def session(self):
        return self.api.session

    def page_as(self, key: str) -> PageHarness:
        self.pages.sign_in(key)
        return self.pages

    def flashed_error(self, path: str) -> str:
        """The red line the page shows after a refused action (read once, as a browser would)."""
        found = FLASH_ERROR.search(self.pages.text(path))
        return found.group(1) if found else ""


@pytest.fixture()
def both(pages_app, pages_engine, monkeypatch) -> Iterator[Both]:
    # Runs started from the pages happen in the request (a thread would wait on the test's transaction).
    monkeypatch.setitem(pages_app.config, INLINE_KEY, True)
    monkeypatch.setitem(pages_app.extensions, REGISTRY_KEY, JobRegistry())
    with app_in_rolled_back_transaction(pages_app, pages_engine) as session:
        tokens = load_api_park(session)
        session.commit()
        principals = {k: resolve_token(session, t) for k, t in tokens.items()}
        ids = dict(session.execute(select(Listing.ref, Listing.id)).all())
        yield Both(ApiHarness(pages_app, pages_app.test_client(), session, tokens),
                   PageHarness(pages_app, pages_app.test_client(), session), World(session, principals, ids))


def run_ids_listed_by_the_page(page: str) -> set[int]:
    return {int(i) for i in re.findall(r"<td>#(\d+)</td>", page)}


# --- park-wide runs ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "park", "status"), [
    ("coord", "NK", 403),  # another coordinator's park
    ("coord", "ZZ", 404),  # no such park
    ("coord", None, 422),  # coordinators name one of their parks
    ("e1", "BH", 403),  # enterprises run nothing
])
def test_starting_a_run_is_refused_alike(both, who, park, status):
    api = both.api.post("match-runs", who, json={"park": park} if park else {})
    page = both.page_as(who).post("/runs", {**RUN_FORM, "park": park or ""})
    assert (api.status_code, page.status_code) == (status, status), (api.json, page.get_data(as_text=True)[:500])
    said = {403: "非所辖园区", 404: "无此园区"}.get(status) if who == "coord" else None
    if said:
        assert said in api.json["message"] and said in page.get_data(as_text=True)
    assert both.session.scalars(select(MatchRun)).all() == []


def test_coordinators_see_the_same_runs_in_the_api_and_on_the_page(both):
    runs = {key: both.api.post("match-runs", who, json=body).json["id"] for key, who, body in (
        ("bh", "coord", {"park": "BH"}), ("nk", "coord_nk", {"park": "NK"}), ("all", "admin", {}))}
    expected = {"coord": {runs["bh"], runs["all"]}, "coord_nk": {runs["nk"], runs["all"]},
                "admin": set(runs.values())}
    for who, seen in expected.items():
        listed = {r["id"] for r in both.api.get("match-runs", who).json["items"]}
        assert listed == seen == run_ids_listed_by_the_page(both.page_as(who).text("/runs")), who
        for run_id in runs.values():
            assert both.api.get(f"match-runs/{run_id}", who).status_code == (200 if run_id in seen else 404)


def test_a_coordinator_starts_a_run_of_their_park_in_both(both):
    assert both.api.post("match-runs", "coord", json={"park": "BH"}).status_code == 201
    res = both.page_as("coord").post("/runs", RUN_FORM)
    assert res.status_code == 302 and "/runs/jobs/" in res.headers["Location"]
    assert [r.actor for r in both.session.scalars(select(MatchRun).order_by(MatchRun.id))] == [
        "coordinator:coord-bh@wm.test"] * 2


# --- a party's answer: accept / decline --------------------------------------------------------------------

def proposed(both: Both) -> Match:
    """O-1 (E-2's offer) to N-1 (E-1's need), proposed by the BH coordinator, nobody has answered."""
    match = both.world.propose("coord", "O-1", "N-1")
    both.session.commit()
    return match


def answer(both: Both, who: str, match_id: int, action: str, reason: str | None = None):
    """The same answer through the API and the page: ``(api response, page response)``."""
    body = {"action": action} | ({"reason": reason} if reason is not None else {})
    api = both.api.post(f"matches/{match_id}/decisions", who, json=body)
    page = both.page_as(who).post(f"/matches/{match_id}/{action}", {"reason": reason or ""})
    return api, page


@pytest.mark.parametrize(("who", "action", "reason", "status"), [
    ("e3", "accept", None, 404),  # not a party: the match is not theirs to see
    ("e3", "decline", "no", 404),
    ("coord", "accept", None, 403),  # coordinators do not answer for a party
    ("e1", "decline", None, 422),  # declining needs a reason
    ("e1", "decline", "   ", 422),
    ("e1", "decline", TOO_LONG, 422),  # the page used to cut it to 2000 characters and decline
])
def test_a_refused_answer_is_refused_alike(both, who, action, reason, status):
    m = proposed(both)
    api, page = answer(both, who, m.id, action, reason)
    assert (api.status_code, page.status_code) == (status, status), page.get_data(as_text=True)[:500]
    both.session.expire_all()
    assert both.session.get(Match, m.id).status == "proposed" and both.session.get(Match, m.id).need_accepted_at is None


def test_an_unknown_match_is_404_in_both(both):
    api, page = answer(both, "e1", 999_999, "accept")
    assert (api.status_code, page.status_code) == (404, 404)


def test_answering_twice_is_a_conflict_the_page_flashes(both):
    m = proposed(both)
    assert both.world.act("e1", m, "accept").need_accepted_at is not None
    both.session.commit()
    api, page = answer(both, "e1", m.id, "accept")
    assert api.status_code == 409 and "已接受" in api.json["message"]
    assert page.status_code == 302 and page.headers["Location"] == f"/matches/{m.id}"
    assert "已接受" in both.flashed_error(f"/matches/{m.id}")


def test_a_reasoned_decline_is_taken_in_both(both):
    first, second = proposed(both), both.world.propose("coord", "O-1", "N-2")
    both.session.commit()
    assert both.api.post(f"matches/{first.id}/decisions", "e1",
                         json={"action": "decline", "reason": "库容已满"}).status_code == 200
    assert both.page_as("e4").post(f"/matches/{second.id}/decline", {"reason": "库容已满"}).status_code == 302
    both.session.expire_all()
    assert [both.session.get(Match, m.id).status_reason for m in (first, second)] == ["库容已满"] * 2


# --- a coordinator's decision: approve / reject ------------------------------------------------------------

def accepted(both: Both, need: str = "N-1") -> Match:
    match = both.world.accepted("O-1", need)
    both.session.commit()
    return match


def decide(both: Both, who: str, match_id: int, action: str, reason: str | None = None):
    body = {"action": action} | ({"reason": reason} if reason is not None else {})
    api = both.api.post(f"matches/{match_id}/decisions", who, json=body)
    page = both.page_as(who).post(f"/approvals/{match_id}", {"action": action, "reason": reason or ""})
    return api, page


@pytest.mark.parametrize(("who", "action", "reason", "status"), [
    ("coord", "reject", None, 422),  # a rejection needs a reason
    ("coord", "reject", TOO_LONG, 422),
    ("coord", "approve", TOO_LONG, 422),
    ("coord_nk", "approve", None, 404),  # the match is BH's alone: not theirs to see
    ("coord_nk", "reject", "no", 404),
    ("e1", "approve", None, 403),  # a party does not approve its own match
])
def test_a_refused_decision_is_refused_alike(both, who, action, reason, status):
    m = accepted(both)
    api, page = decide(both, who, m.id, action, reason)
    assert (api.status_code, page.status_code) == (status, status), page.get_data(as_text=True)[:500]
    both.session.expire_all()
    assert both.session.get(Match, m.id).status == "accepted"


def test_deciding_before_both_parties_accepted_is_a_conflict_in_both(both):
    m = proposed(both)
    api, page = decide(both, "coord", m.id, "approve")
    assert (api.status_code, page.status_code) == (409, 409)
    assert "proposed" in api.json["message"]


def test_a_reasoned_rejection_and_an_approval_are_taken_in_both(both):
    first = accepted(both)
    assert both.api.post(f"matches/{first.id}/decisions", "coord",
                         json={"action": "reject", "reason": "接收方停产检修"}).status_code == 200
    second = accepted(both, "N-2")
    res = both.page_as("coord").post(f"/approvals/{second.id}", {"action": "approve", "reason": ""})
    assert res.status_code == 302
    both.session.expire_all()
    assert [both.session.get(Match, m.id).status for m in (first, second)] == ["rejected", "approved"]


# --- notifications ---------------------------------------------------------------------------------------------

def test_reading_someone_elses_notice_is_404_in_both_and_ones_own_is_read(both):
    proposed(both)  # both parties are told
    e1 = both.session.scalar(select(User.enterprise_id).where(User.email == "handler@e1.test"))
    notice = both.session.scalars(select(Notification).where(Notification.enterprise_id == e1)).first()
    for path in (f"notifications/{notice.id}/read", "notifications/999999/read"):
        api = both.api.post(path, "e3")
        page = both.page_as("e3").post(f"/{path}")
        assert (api.status_code, page.status_code) == (404, 404), path
    both.session.expire_all()
    assert both.session.get(Notification, notice.id).read_at is None
    assert both.api.post(f"notifications/{notice.id}/read", "e1").json["read"] is True
    assert both.page_as("e1").post(f"/notifications/{notice.id}/read").status_code == 302
