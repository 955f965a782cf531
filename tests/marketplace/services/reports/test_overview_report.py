"""The park overview's report (``overview_report``): the full report's figures without its flow network,
kept per process while the data is unchanged, never stale after a write, and never past a permission check."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from marketplace.errors import Forbidden
from marketplace.models import Enterprise, Match
from marketplace.services.accounts.users import Principal
from marketplace.services.matching import workflow
from marketplace.services.reports.document import build_report
from marketplace.services.reports.overview_report import clear_overview_cache, overview_report, report_data_version
from tests.marketplace.services.reports.conftest import coordinator_of
from tests.marketplace.services.reports.test_overview import _party

NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_overview_cache()
    yield
    clear_overview_cache()


def test_the_overview_holds_the_full_reports_figures(demo):
    coord = coordinator_of(demo, "CH")
    full = build_report(demo, coord, park="CH", now=NOW)
    doc = overview_report(demo, coord, park="CH", start=None, end=None, now=NOW)
    for key in ("kpis", "ratings", "targets", "period", "park", "rating_policy"):
        assert doc[key] == full[key], key
    assert full["flows"] and full["stats"]["network"] is True
    assert doc["flows"] == doc["chains"] == doc["loops"] == doc["loop_opportunities"] == []
    assert doc["stats"]["network"] is False


def test_a_write_shows_at_once(demo):
    coord = coordinator_of(demo, "CH")
    before = overview_report(demo, coord, park="CH", start=None, end=None, now=NOW)
    version = report_data_version(demo)
    match = demo.scalars(workflow.filtered_matches(demo, coord, status="proposed", park="CH")).first()
    for listing_id in (match.offer_id, match.need_id):
        workflow.decide(demo, _party(demo, listing_id), match.id, "accept")
    workflow.decide(demo, coord, match.id, "approve")
    demo.flush()
    assert demo.get(Match, match.id).status == "approved"
    assert report_data_version(demo) != version
    after = overview_report(demo, coord, park="CH", start=None, end=None, now=NOW)
    assert after["kpis"]["park"]["approved"]["flows"] == before["kpis"]["park"]["approved"]["flows"] + 1
    assert after["kpis"] == build_report(demo, coord, park="CH", now=NOW)["kpis"]


def test_the_same_data_and_minute_reuse_the_document_and_a_copy_is_returned(demo, monkeypatch):
    coord = coordinator_of(demo, "CH")
    first = overview_report(demo, coord, park="CH", start=None, end=None, now=NOW)
    first["kpis"]["park"]["offers"] = -1  # the caller's copy: the kept document must not change
    calls = []
    monkeypatch.setattr("marketplace.services.reports.overview_report.build_report",
                        lambda *a, **k: calls.append(1) or pytest.fail("rebuilt although nothing changed"))
    again = overview_report(demo, coord, park="CH", start=None, end=None, now=NOW + dt.timedelta(seconds=20))
    assert calls == [] and again["kpis"]["park"]["offers"] != -1


def test_a_new_minute_rebuilds_time_based_figures(demo, monkeypatch):
    coord = coordinator_of(demo, "CH")
    overview_report(demo, coord, park="CH", start=None, end=None, now=NOW)
    built = []
    real = build_report
    monkeypatch.setattr("marketplace.services.reports.overview_report.build_report",
                        lambda *a, **k: built.append(k["now"]) or real(*a, **k))
    overview_report(demo, coord, park="CH", start=None, end=None, now=NOW + dt.timedelta(minutes=1))
    assert built == [NOW + dt.timedelta(minutes=1)]


def test_a_kept_document_is_never_shown_past_the_permission_check(demo):
    overview_report(demo, coordinator_of(demo, "CH"), park="CH", start=None, end=None, now=NOW)
    other = coordinator_of(demo, "JC")
    with pytest.raises(Forbidden):
        overview_report(demo, other, park="CH", start=None, end=None, now=NOW)
    enterprise = demo.scalars(select(Enterprise).order_by(Enterprise.id)).first()
    with pytest.raises(Forbidden):
        overview_report(demo, Principal(user_id=None, email="e", role="enterprise", enterprise_id=enterprise.id,
                                        enterprise_ref=enterprise.ref), park="CH", start=None, end=None, now=NOW)


def test_another_worker_of_the_server_loads_the_document_and_still_checks_permissions(demo, monkeypatch):
    from marketplace import worker_cache

    coord = coordinator_of(demo, "CH")
    with worker_cache.server_directory():
        first = overview_report(demo, coord, park="CH", start=None, end=None, now=NOW)  # one worker builds
        clear_overview_cache()  # another worker: nothing in its memory
        monkeypatch.setattr("marketplace.services.reports.overview_report.build_report",
                            lambda *a, **k: pytest.fail("built again by the second worker"))
        assert overview_report(demo, coord, park="CH", start=None, end=None, now=NOW) == first
        monkeypatch.undo()
        clear_overview_cache()
        with pytest.raises(Forbidden):  # another scope is another key: never served the kept document
            overview_report(demo, coordinator_of(demo, "JC"), park="CH", start=None, end=None, now=NOW)


def test_an_acknowledged_alert_changes_no_figure_and_keeps_the_document(demo):
    """Reports count alerts raised and not cleared; a coordinator's acknowledgement (a note) is not a change of
    what they read, so the kept document stays, and it equals a report built afresh. Clearing is a change."""
    from marketplace.models import Alert
    from marketplace.services.traceability import alerts

    coord = coordinator_of(demo, "CH")
    ent = demo.scalars(select(Enterprise).where(Enterprise.park_id.in_(coord.park_ids)).order_by(Enterprise.id)).first()
    alert = Alert(kind="licence_expiring", key=f"licence_expiring:test:{ent.ref}", park_id=ent.park_id,
                  enterprise_id=ent.id, severity="warning", message="许可证即将到期 / licence expiring", details={},
                  raised_at=NOW - dt.timedelta(days=1))
    demo.add(alert)
    demo.flush()
    kept = overview_report(demo, coord, park="CH", start=None, end=None, now=NOW)
    version = report_data_version(demo)
    alerts.acknowledge(demo, coord, alert.id, "seen, the carrier is called")
    demo.flush()
    assert report_data_version(demo) == version
    fresh = build_report(demo, coord, park="CH", now=NOW, network=False)
    for key in ("kpis", "ratings", "targets"):
        assert kept[key] == fresh[key], key
    alert.status, alert.cleared_at = "cleared", NOW
    alerts._audit(demo, alert, "clear", actor=coord.actor, changes={"status": ["acknowledged", "cleared"]})
    demo.flush()
    assert report_data_version(demo) != version


def test_another_users_change_shows_within_the_staleness_bound_and_ones_own_at_once(demo, monkeypatch):
    """Under load every write would rebuild the overview for every worker's next visitor: someone else's change
    may take up to STALE_S seconds (within the minute) to show; what the coordinator does shows at once."""
    from marketplace.services.accounts.users import system_principal
    from marketplace.services.reports import overview_report as module

    clock = [1_000_000.0]
    monkeypatch.setattr(module, "_clock", lambda: clock[0])
    coord = coordinator_of(demo, "CH")
    approved = lambda doc: doc["kpis"]["park"]["approved"]["flows"]  # noqa: E731
    before = overview_report(demo, coord, park="CH", start=None, end=None, now=NOW)
    first, second = demo.scalars(workflow.filtered_matches(demo, coord, status="proposed", park="CH")).all()[:2]
    for match, approver in ((first, system_principal("another-admin")), (second, None)):
        for listing_id in (match.offer_id, match.need_id):
            workflow.decide(demo, _party(demo, listing_id), match.id, "accept")
        if approver is not None:
            workflow.decide(demo, approver, match.id, "approve")  # someone else
    demo.flush()
    clock[0] += module.STALE_S - 1
    kept = overview_report(demo, coord, park="CH", start=None, end=None, now=NOW + dt.timedelta(seconds=40))
    assert kept == before  # the same document, its generated_at the build's
    clock[0] += 2  # past the bound: built again, with the change
    later = overview_report(demo, coord, park="CH", start=None, end=None, now=NOW + dt.timedelta(seconds=50))
    assert approved(later) == approved(before) + 1
    assert later["kpis"] == build_report(demo, coord, park="CH", now=NOW, network=False)["kpis"]
    clock[0] += 1
    workflow.decide(demo, coord, second.id, "approve")  # the viewer's own action
    demo.flush()
    mine = overview_report(demo, coord, park="CH", start=None, end=None, now=NOW + dt.timedelta(seconds=55))
    assert approved(mine) == approved(before) + 2
