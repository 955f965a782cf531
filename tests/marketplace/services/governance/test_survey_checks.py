"""The survey's quality checks: each with a case that passes and one that is flagged."""
from __future__ import annotations

import pytest

from marketplace.models import SurveySubstance
from marketplace.services.governance import surveys
from marketplace.services.governance.survey_checks import run_checks
from marketplace.services.listings.interchange import import_document
from marketplace.services.traceability.ledger import create_entry
from tests.factories import OFFER, api_principals

ETHANOL = {"cas": "64-17-5", "name": "乙醇", "role": "use", "quantity_t": 20, "use": "solvent"}


@pytest.fixture()
def who(session):
    return api_principals(session)


def _declare(session, who, rows, year=2025, as_="e2"):
    decl = surveys.get_or_create_draft(session, who[as_], None, year)
    return surveys.save_substances(session, who[as_], decl.id, [dict(r) for r in rows])


def _codes(checks, code):
    return [c for c in checks if c["code"] == code]


def test_clean_declaration_has_no_findings(session, who):
    assert run_checks(session, _declare(session, who, [ETHANOL])) == []


def test_cas_invalid(session, who):
    decl = _declare(session, who, [ETHANOL])
    assert _codes(run_checks(session, decl), "cas_invalid") == []
    # Rows that did not come through the services (older data) may hold a wrong check digit.
    decl.substances.append(SurveySubstance(position=1, cas="64-17-6", role="use", quantity_t=1, use="x"))
    found = _codes(run_checks(session, decl), "cas_invalid")
    assert [(c["field"], c["severity"]) for c in found] == [("substances.1.cas", "error")]
    assert "64-17-6" in found[0]["message"] and "无效" in found[0]["message"]


def test_incomplete(session, who):
    decl = _declare(session, who, [ETHANOL, {"name": "toluene", "role": "release", "quantity_t": 1}])
    assert [c["field"] for c in _codes(run_checks(session, decl), "incomplete")] == ["substances.1.released_t"]
    decl = surveys.save_substances(session, who["e2"], decl.id, [dict(ETHANOL, use=""),
                                                                 {"name": "toluene", "role": "release",
                                                                  "quantity_t": 1, "released_t": 1}])
    decl.substances.append(SurveySubstance(position=2, role="use", quantity_t=1, use="x"))
    found = {c["field"]: c["severity"] for c in _codes(run_checks(session, decl), "incomplete")}
    assert found == {"substances.0.use": "warning", "substances.2.cas": "error"}


def test_magnitude_change_against_last_accepted_year(session, who):
    last = _declare(session, who, [ETHANOL], year=2024)
    surveys.submit(session, who["e2"], last.id)
    decl = _declare(session, who, [dict(ETHANOL, quantity_t=25)])
    assert _codes(run_checks(session, decl), "magnitude_change") == []  # ×1.25
    decl = surveys.save_substances(session, who["e2"], decl.id, [dict(ETHANOL, quantity_t=20000)])
    assert _codes(run_checks(session, decl), "magnitude_change") == []  # last year's is not accepted yet
    surveys.accept(session, who["admin"], last.id)
    found = _codes(run_checks(session, decl), "magnitude_change")
    assert [c["field"] for c in found] == ["substances.0.quantity_t"] and "2024" in found[0]["message"]
    decl = surveys.save_substances(session, who["e2"], decl.id, [dict(ETHANOL, quantity_t=1.9)])
    assert len(_codes(run_checks(session, decl), "magnitude_change")) == 1  # ≤ 1/10 too


def _consume(session, who, batch, tonnes, date="2025-03-01", ratio=1.0):
    create_entry(session, who["e2"], {"batch_code": batch, "direction": "in", "entry_date": date, "cas": "64-17-5",
                                      "chemical_name": "乙醇", "quantity_t": tonnes, "content_ratio": ratio,
                                      "counterparty_name": "supplier"})
    create_entry(session, who["e2"], {"batch_code": batch + "-u", "direction": "consumed", "entry_date": date,
                                      "cas": "64-17-5", "chemical_name": "乙醇", "quantity_t": tonnes,
                                      "content_ratio": ratio, "source_batch": batch})


def test_ledger_mismatch(session, who):
    decl = _declare(session, who, [ETHANOL])
    assert _codes(run_checks(session, decl), "ledger_mismatch") == []  # no ledger kept that year
    _consume(session, who, "B1", 22)              # 20 t declared, 22 t consumed: within 20 %
    _consume(session, who, "B0", 50, date="2024-06-01")  # another year: not counted
    assert _codes(run_checks(session, decl), "ledger_mismatch") == []
    _consume(session, who, "B2", 40, ratio=0.5)   # + 20 t of ethanol: 42 t against 20 t
    found = _codes(run_checks(session, decl), "ledger_mismatch")
    assert [(c["field"], c["severity"]) for c in found] == [("substances.0.quantity_t", "warning")]
    assert "42" in found[0]["message"]


def test_undeclared_controlled(session, who):
    decl = _declare(session, who, [ETHANOL])
    assert _codes(run_checks(session, decl), "undeclared_controlled") == []  # O-1 holds base oil only
    foam = {**OFFER, "ref": "O-9", "title": "Fire-fighting foam", "title_zh": "消防泡沫", "waste_code": None,
            "ewc_code": None, "composition": [{"name": "PFOS", "cas": "1763-23-1", "fraction": 0.01}]}
    import_document(session, {"format": "wastematch.v1", "parks": [], "enterprises": [], "listings": [foam]},
                    actor="test")
    found = _codes(run_checks(session, decl), "undeclared_controlled")
    assert [(c["field"], c["severity"]) for c in found] == [("substances", "warning")]
    assert "O-9" in found[0]["message"] and "1763-23-1" in found[0]["message"]
    decl = surveys.save_substances(session, who["e2"], decl.id,
                                   [ETHANOL, {"cas": "1763-23-1", "role": "use", "quantity_t": 0.1, "use": "foam"}])
    assert _codes(run_checks(session, decl), "undeclared_controlled") == []


def test_checks_are_stored_on_submit(session, who):
    decl = _declare(session, who, [dict(ETHANOL, use="")])
    surveys.submit(session, who["e2"], decl.id)
    assert [c["code"] for c in decl.checks] == ["incomplete"]
    assert set(decl.checks[0]) == {"field", "code", "severity", "message"}
