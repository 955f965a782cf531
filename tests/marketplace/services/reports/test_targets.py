"""Targets: each computation on a small park (met and not met), the trend, permissions, validation, audit, and the
report's ``targets`` section.

The roster, obligations and declarations are written straight into their tables: their services are built
concurrently (issue 15), and the targets only read the rows.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from marketplace.errors import Forbidden, NotFound, ValidationFailed
from marketplace.models import AuditEvent, Enterprise, Listing, Park
from marketplace.models.base import park_date
from marketplace.models.governance import Obligation, RosterEntry, SurveyDeclaration, Target
from marketplace.services.accounts.users import resolve_token
from marketplace.services.listings.interchange import import_document
from marketplace.services.reports import targets
from marketplace.services.reports.document import build_report
from tests.factories import OFFER, load_api_park
from tests.marketplace.services.matching.test_workflow import World
from tests.marketplace.services.traceability.test_transfers import approved, in_state

YEAR = park_date(dt.datetime.now(dt.timezone.utc)).year


@pytest.fixture()
def w(session) -> World:
    """The API park with a principal per user key and the listings' ids (as the workflow tests build it)."""
    tokens = load_api_park(session)
    return World(session, {k: resolve_token(session, t) for k, t in tokens.items()},
                 dict(session.execute(select(Listing.ref, Listing.id)).all()))


def ent(w: World, ref: str) -> Enterprise:
    return w.session.scalar(select(Enterprise).where(Enterprise.ref == ref))


def progress(w: World, who: str = "coord", year: int = YEAR) -> dict[str, dict]:
    return {t["key"]: t for t in targets.targets_progress(w.session, w.p[who], "BH", year)}


def roster(w: World, ref: str, year: int = YEAR, status: str = "confirmed", audit: str = "open") -> None:
    e = ent(w, ref)
    w.session.add(RosterEntry(enterprise_id=e.id, park_id=e.park_id, year=year, status=status, substances=[]))
    w.session.add(Obligation(enterprise_id=e.id, year=year, code="clean_production_audit",
                             due=dt.date(year, 12, 31), status=audit))
    w.session.flush()


def declare(w: World, ref: str, status: str, year: int = YEAR) -> None:
    w.session.add(SurveyDeclaration(enterprise_id=ent(w, ref).id, year=year, status=status, created_by="test"))
    w.session.flush()


def test_every_target_is_listed_with_no_value_and_no_data_on_an_empty_year(w):
    rows = targets.targets_progress(w.session, w.p["coord"], "BH", YEAR)
    assert [r["key"] for r in rows] == list(targets.TARGETS)
    by = {r["key"]: r for r in rows}
    assert by["roster_audit_rate"]["actual"] is None and by["survey_acceptance_rate"]["actual"] is None
    assert by["industrial_solid_waste_utilisation_rate"]["actual"] is None  # only HW offers in the park
    assert by["pesticide_packaging_recovery_rate"]["actual"] is None  # no such waste
    assert by["hazardous_waste_utilisation_rate"]["actual"] == 0.0  # offered, nothing received yet
    assert all(r["target"] is None and r["met"] is None for r in rows)


def test_roster_audit_rate_met_and_not_met(w):
    roster(w, "E-1", audit="done")
    roster(w, "E-2", audit="open")
    roster(w, "E-3", status="proposed", audit="open")  # not confirmed: not counted
    targets.set_target(w.session, w.p["coord"], "BH", YEAR, "roster_audit_rate", 1.0)
    row = progress(w)["roster_audit_rate"]
    assert (row["actual"], row["numerator"], row["denominator"], row["target"], row["met"]) == (0.5, 1, 2, 1.0, False)
    targets.set_target(w.session, w.p["coord"], "BH", YEAR, "roster_audit_rate", 0.5)
    assert progress(w)["roster_audit_rate"]["met"] is True


def test_survey_acceptance_rate_counts_accepted_declarations_over_the_parks_enterprises(w):
    declare(w, "E-1", "accepted")
    declare(w, "E-2", "returned")
    targets.set_target(w.session, w.p["coord"], "BH", YEAR, "survey_acceptance_rate", 0.3)
    row = progress(w)["survey_acceptance_rate"]
    assert (row["numerator"], row["denominator"]) == (1, 3)  # E-1, E-2, E-3 are the BH enterprises
    assert row["actual"] == pytest.approx(1 / 3) and row["met"] is True
    targets.set_target(w.session, w.p["coord"], "BH", YEAR, "survey_acceptance_rate", 0.8)
    assert progress(w)["survey_acceptance_rate"]["met"] is False


def test_hazardous_waste_utilisation_counts_tonnes_received_for_recovery(w):
    m = approved(w, quantity=10)
    in_state(w, m, "received", quantity=6.0)  # N-1 re-refines (recycle): a recovering purpose
    row = progress(w)["hazardous_waste_utilisation_rate"]
    assert (row["numerator"], row["denominator"]) == (6.0, 420.0)  # O-1 300 t/a + O-2 120 t/a
    targets.set_target(w.session, w.p["coord"], "BH", YEAR, "hazardous_waste_utilisation_rate", 0.01)
    assert progress(w)["hazardous_waste_utilisation_rate"]["met"] is True
    targets.set_target(w.session, w.p["coord"], "BH", YEAR, "hazardous_waste_utilisation_rate", 0.8)
    assert progress(w)["hazardous_waste_utilisation_rate"]["met"] is False


def test_pesticide_packaging_and_general_solid_waste_are_their_own_streams(w):
    pesticide = {**OFFER, "ref": "O-P", "enterprise": "E-3", "title": "Pesticide packaging waste",
                 "title_zh": "废弃农药包装", "waste_code": "900-003-49", "ewc_code": None, "quantity_t": 20,
                 "composition": []}
    slag = {**OFFER, "ref": "O-S", "enterprise": "E-3", "title": "Steel slag", "title_zh": "钢渣",
            "waste_code": None, "ewc_code": None, "quantity_t": 50, "composition": [], "form": "solid"}
    import_document(w.session, {"format": "wastematch.v1", "listings": [pesticide, slag]}, actor="test")
    rows = progress(w)
    p, s = rows["pesticide_packaging_recovery_rate"], rows["industrial_solid_waste_utilisation_rate"]
    assert (p["actual"], p["denominator"]) == (0.0, 20.0)
    assert (s["actual"], s["denominator"]) == (0.0, 50.0)
    assert rows["hazardous_waste_utilisation_rate"]["denominator"] == 440.0  # the pesticide packaging is HW49
    targets.set_target(w.session, w.p["coord"], "BH", YEAR, "pesticide_packaging_recovery_rate", 0.8)
    assert progress(w)["pesticide_packaging_recovery_rate"]["met"] is False


def test_the_other_streams_are_not_industrial_solid_waste_and_ag04_is_pesticide_packaging(w):
    base = {**OFFER, "enterprise": "E-3", "waste_code": None, "ewc_code": None, "composition": [], "form": "solid"}
    listings = [
        {**base, "ref": "O-C", "title": "Demolition rubble", "title_zh": "拆除垃圾", "category": "CW04",
         "quantity_t": 800},
        {**base, "ref": "O-K", "title": "Canteen kitchen waste", "title_zh": "食堂厨余垃圾", "category": "HH03",
         "form": "paste", "quantity_t": 150},
        {**base, "ref": "O-A", "title": "Used pesticide containers", "title_zh": "农药瓶", "category": "AG04",
         "quantity_t": 12},
        {**base, "ref": "O-S", "title": "Steel slag", "title_zh": "钢渣", "quantity_t": 50},
    ]
    import_document(w.session, {"format": "wastematch.v1", "listings": listings}, actor="test")
    rows = progress(w)
    # only the slag is general industrial solid waste; the agricultural AG04 offer is pesticide packaging
    assert rows["industrial_solid_waste_utilisation_rate"]["denominator"] == 50.0
    assert rows["pesticide_packaging_recovery_rate"]["denominator"] == 12.0
    assert rows["hazardous_waste_utilisation_rate"]["denominator"] == 420.0  # the park's two oil offers only


def test_the_trend_lists_earlier_years_with_data(w):
    roster(w, "E-1", year=YEAR - 2, audit="done")
    roster(w, "E-1", year=YEAR, audit="open")
    row = progress(w)["roster_audit_rate"]
    assert row["trend"] == [{"year": YEAR - 2, "actual": 1.0}]
    assert row["actual"] == 0.0


def test_set_target_is_audited_and_updates_in_place(w):
    targets.set_target(w.session, w.p["coord"], "BH", YEAR, "roster_audit_rate", 1.0, "plan 2026")
    targets.set_target(w.session, w.p["admin"], "BH", YEAR, "roster_audit_rate", 0.9)
    stored = list(w.session.scalars(select(Target)))
    assert [(t.key, t.value, t.set_by) for t in stored] == [("roster_audit_rate", 0.9, "admin:admin@wm.test")]
    events = list(w.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "target")
                                    .order_by(AuditEvent.id)))
    assert [e.changes["value"] for e in events] == [[None, 1.0], [1.0, 0.9]]
    assert events[0].entity_key == f"BH:{YEAR}:roster_audit_rate"
    targets.clear_target(w.session, w.p["coord"], "BH", YEAR, "roster_audit_rate")
    assert w.session.scalars(select(Target)).first() is None
    with pytest.raises(NotFound):
        targets.clear_target(w.session, w.p["coord"], "BH", YEAR, "roster_audit_rate")


def test_bad_targets_name_every_field_and_write_nothing(w):
    with pytest.raises(ValidationFailed) as exc:
        targets.set_target(w.session, w.p["coord"], "BH", 1800, "recycling_rate", "high", "x" * 600)
    assert set(exc.value.errors) == {"year", "key", "value", "note"}
    with pytest.raises(ValidationFailed) as exc:
        targets.set_target(w.session, w.p["coord"], "BH", YEAR, "roster_audit_rate", 1.5)
    assert set(exc.value.errors) == {"value"}
    with pytest.raises(ValidationFailed):
        targets.set_target(w.session, w.p["coord"], "BH", YEAR, "roster_audit_rate", float("nan"))
    assert w.session.scalars(select(Target)).first() is None


@pytest.mark.parametrize("who, error", [("e1", Forbidden), ("coord_nk", Forbidden)])
def test_only_the_parks_coordinators_and_admins_set_or_read_targets(w, who, error):
    with pytest.raises(error):
        targets.set_target(w.session, w.p[who], "BH", YEAR, "roster_audit_rate", 1.0)
    with pytest.raises(error):
        targets.targets_progress(w.session, w.p[who], "BH", YEAR)
    assert targets.targets_progress(w.session, w.p["admin"], "BH", YEAR)
    with pytest.raises(NotFound):
        targets.targets_progress(w.session, w.p["admin"], "XX", YEAR)


def test_the_report_has_a_targets_section_for_its_park_and_year(w):
    roster(w, "E-1", audit="done")
    targets.set_target(w.session, w.p["coord"], "BH", YEAR, "roster_audit_rate", 1.0)
    doc = build_report(w.session, w.p["coord"], park="BH", end=dt.date(YEAR, 12, 31))
    assert doc["targets"]["year"] == YEAR
    row = {t["key"]: t for t in doc["targets"]["items"]}["roster_audit_rate"]
    assert (row["target"], row["actual"], row["met"]) == (1.0, 1.0, True)
    everything = build_report(w.session, w.p["admin"], end=dt.date(YEAR, 12, 31))
    assert everything["targets"] is None  # a report over every park has no park targets
    assert w.session.scalar(select(Park.id).where(Park.code == "BH"))


def test_the_html_report_shows_the_targets_table(w):
    from marketplace.services.reports.render import render_html

    targets.set_target(w.session, w.p["coord"], "BH", YEAR, "survey_acceptance_rate", 0.8)
    html = render_html(build_report(w.session, w.p["coord"], park="BH", end=dt.date(YEAR, 12, 31)))
    assert f"Plan targets {YEAR}" in html and "化学物质环境信息调查通过率" in html and "≥ 80.0%" not in html
    assert "&gt;= 80.0%" in html
