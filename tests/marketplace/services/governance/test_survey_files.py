"""The wastematch.survey.v1 import (all or nothing, every error by path) and the Excel template round trip."""
from __future__ import annotations

import copy
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from marketplace.errors import Conflict, ValidationFailed
from marketplace.models import Notification, SurveyDeclaration, SurveySubstance, User
from marketplace.services.accounts.users import get_user, principal_of
from marketplace.services.governance import surveys
from marketplace.services.governance.survey_files import import_survey, read_template, write_template
from tests.factories import API_USERS, api_principals, load_api_park

DOC = {"format": "wastematch.survey.v1", "year": 2025, "declarations": [
    {"enterprise": "E-2", "substances": [
        {"cas": "25637-99-4", "name": "HBCDD", "role": "use", "quantity_t": 1.5, "use": "EPS flame retardant",
         "stock_t": 0.2, "released_t": 0.0}]},
    {"enterprise": "E-3", "substances": [
        {"cas": "64-17-5", "name": "乙醇", "role": "use", "quantity_t": 20, "use": "solvent"},
        {"name": "toluene", "role": "release", "quantity_t": 0.5, "released_t": 0.5}]}]}


@pytest.fixture()
def who(session):
    return api_principals(session)


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_import_lands_as_submitted_and_replaces(session, who):
    result = import_survey(session, who["admin"], copy.deepcopy(DOC), source="t.json")
    assert (result.created, result.replaced, result.substances) == (2, 0, 3)
    decls = {d.enterprise.ref: d for d in session.scalars(select(SurveyDeclaration))}
    assert {r: d.status for r, d in decls.items()} == {"E-2": "submitted", "E-3": "submitted"}
    assert decls["E-2"].substances[0].substance_key == "hbcdd"
    surveys.return_declaration(session, who["admin"], decls["E-3"].id, {"general": ["fix"]})
    doc = copy.deepcopy(DOC)
    doc["declarations"][1]["substances"] = doc["declarations"][1]["substances"][:1]
    # E-2's declaration is under review: a file cannot change it behind the park's back (nor anything else)
    with pytest.raises(Conflict) as exc:
        import_survey(session, who["coord"], copy.deepcopy(doc))
    assert list(exc.value.errors) == ["$.declarations[0].enterprise"] and "under review" in str(exc.value.errors)
    assert _count(session, SurveySubstance) == 3
    # the returned one is replaced and goes back for review
    result = import_survey(session, who["coord"], {**doc, "declarations": doc["declarations"][1:]})
    assert (result.created, result.replaced) == (0, 1)
    assert _count(session, SurveyDeclaration) == 2 and _count(session, SurveySubstance) == 2
    assert decls["E-3"].status == "resubmitted" and decls["E-2"].status == "submitted"


def test_import_names_every_error_and_writes_nothing(session, who):
    doc = copy.deepcopy(DOC)
    doc["declarations"][0]["substances"][0]["cas"] = "25637-99-5"
    doc["declarations"][1]["substances"][1]["quantity_t"] = -2
    doc["declarations"].append({"enterprise": "E-404", "substances": [{"name": "x", "role": "use", "quantity_t": 1}]})
    with pytest.raises(ValidationFailed) as exc:
        import_survey(session, who["admin"], doc)
    errors = exc.value.errors
    assert "invalid CAS" in errors["$.declarations[0].substances[0].cas"][0]
    assert "≥ 0" in errors["$.declarations[1].substances[1].quantity_t"][0]
    [reason] = errors["$.declarations[2].enterprise"]
    assert reason.startswith("unknown enterprise ref 'E-404' (")
    assert len(errors) == 3
    assert _count(session, SurveyDeclaration) == 0 and _count(session, SurveySubstance) == 0


def test_import_scope_and_accepted(session, who):
    with pytest.raises(ValidationFailed) as exc:  # E-2 and E-3 are in BH, not NK
        import_survey(session, who["coord_nk"], copy.deepcopy(DOC))
    assert set(exc.value.errors) == {"$.declarations[0].enterprise", "$.declarations[1].enterprise"}
    import_survey(session, who["e2"], {**copy.deepcopy(DOC), "declarations": DOC["declarations"][:1]})
    decl = session.scalar(select(SurveyDeclaration))
    surveys.accept(session, who["admin"], decl.id)
    with pytest.raises(Conflict) as exc:
        import_survey(session, who["admin"], copy.deepcopy(DOC))
    assert list(exc.value.errors) == ["$.declarations[0].enterprise"]
    assert _count(session, SurveyDeclaration) == 1


def test_import_refuses_bad_shapes(session, who):
    for doc, path in (([], "$"), ({"format": "wastematch.v1", "year": 2025, "declarations": []}, "$.format"),
                      ({"format": "wastematch.survey.v1", "declarations": []}, "$.year"),
                      ({**DOC, "declarations": [DOC["declarations"][0]] * 2}, "$.declarations[1].enterprise")):
        with pytest.raises(ValidationFailed) as exc:
            import_survey(session, who["admin"], copy.deepcopy(doc))
        assert path in exc.value.errors


def test_template_round_trip(session, who):
    buffer = io.BytesIO()
    write_template(buffer)
    empty, _ = read_template(io.BytesIO(buffer.getvalue()))
    assert empty == {"format": "wastematch.survey.v1", "declarations": []}
    buffer = io.BytesIO()
    write_template(buffer, copy.deepcopy(DOC))
    assert load_workbook(io.BytesIO(buffer.getvalue())).sheetnames == ["说明 README", "declarations", "substances"]
    doc, locate = read_template(io.BytesIO(buffer.getvalue()))
    assert doc["year"] == 2025 and [d["enterprise"] for d in doc["declarations"]] == ["E-2", "E-3"]
    assert doc["declarations"][1]["substances"][1] == {"name": "toluene", "role": "release", "quantity_t": 0.5,
                                                      "released_t": 0.5}
    assert locate("$.declarations[1].substances[1].quantity_t") == "substances!4 quantity_t"
    result = import_survey(session, who["admin"], doc)
    assert result.substances == 3


def test_template_errors_by_sheet_and_row(tmp_path):
    path = tmp_path / "bad.xlsx"
    write_template(path, {"year": 2025, "declarations": [{"enterprise": "E-2", "year": 2025, "substances": []}]})
    wb = load_workbook(path)
    wb["substances"].append(["E-9", "64-17-5", None, "use", 1])
    wb.save(path)
    with pytest.raises(ValidationFailed) as exc:
        read_template(path)
    assert list(exc.value.errors) == ["substances!2 enterprise"]


def test_the_importing_coordinator_is_not_told_of_their_own_import(session):
    load_api_park(session)
    importer = principal_of(get_user(session, API_USERS["coord"][0]))
    import_survey(session, importer, copy.deepcopy(DOC))
    told = session.scalars(select(Notification.user_id).where(Notification.kind == "survey_transition")).all()
    assert importer.user_id not in told
    admin = principal_of(get_user(session, API_USERS["admin"][0]))
    import_survey(session, admin, {**copy.deepcopy(DOC), "year": 2024})  # someone else imports: BH's coordinator is told
    told = session.scalars(select(Notification.user_id).where(Notification.kind == "survey_transition")).all()
    assert importer.user_id in told and session.get(User, importer.user_id).role == "coordinator"
