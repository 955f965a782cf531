"""The ``wastematch.survey.v1`` file (DESIGN's contract) and its Excel template: import, all or nothing.

``import_survey`` validates the whole document (schema, then enterprises, who may declare for them and
the state of their declarations) and raises listing every error by JSON path; only a clean document
is written. Each declaration lands as submitted for review (resubmitted when it had been returned),
its rows replacing those of the enterprise's declaration of that year (never a second one), with its
quality checks run; an accepted declaration is not replaced (409 naming it).

The workbook has one sheet per list: ``declarations`` (enterprise, year) and ``substances``
(enterprise, cas, name, role, quantity_t, use, stock_t, released_t); reading maps it onto the same
document, and error paths are translated back to sheet, row and column.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from marshmallow import ValidationError
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...errors import Conflict, ValidationFailed
from ...models import UNDER_REVIEW_STATUSES, Enterprise, Notification, SurveyDeclaration
from ...models.base import utcnow
from ...schemas.interchange import flatten_errors
from ...schemas.survey import FORMAT, SUBSTANCE_KEYS, SurveyDocumentSchema
from ..accounts import audit
from ..accounts.users import Principal
from ..listings.interchange_xlsx import add_sheets, locator
from ..tabular import TableLimits, open_workbook, sheet_rows
from . import surveys
from .survey_checks import run_checks_many

DECLARATION_COLUMNS = ("enterprise", "year")
SUBSTANCE_COLUMNS = ("enterprise", *SUBSTANCE_KEYS)
SHEETS = {"declarations": DECLARATION_COLUMNS, "substances": SUBSTANCE_COLUMNS}
README_ROWS = [
    ("工作表 Sheet", "说明 / What it holds"),
    ("declarations", "申报 Declarations: enterprise = 企业编号 enterprise ref; year = 调查年度 survey year"),
    ("substances", ("物质 Substances, one row per substance and role: enterprise (as in declarations), cas (CAS号) "
                   "and/or name (名称), role, quantity_t (吨/年 tonnes in the year), use (用途), stock_t (年末库存 "
                   "tonnes in stock), released_t (排放量 tonnes released)")),
    ("role", "produce 生产 | import 进口 | use 使用 | byproduct 副产 | release 排放"),
    ("例 example", "E-1 | 25637-99-4 | 六溴环十二烷 HBCDD | use | 1.5 | EPS阻燃剂 EPS flame retardant | 0.2 | 0"),
]
CHUNK = 500
# A city-wide survey read by the CLI: generous, yet a sheet declaring A1:XFD1048576 stops at row 100,002.
SHEET_LIMITS = TableLimits(max_rows=100_000, max_columns=32, max_cells=1_000_000,
                           max_unpacked_bytes=256 * 1024 * 1024)


@dataclass
class ImportResult:
    """What an import did: declarations created or whose rows were replaced, rows written, findings, by status."""

    created: int = 0
    replaced: int = 0
    substances: int = 0
    findings: int = 0
    by_status: Counter = field(default_factory=Counter)
    declarations: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "created": self.created, "replaced": self.replaced, "substances": self.substances,
                "findings": self.findings, "by_status": dict(self.by_status), "declarations": list(self.declarations)}


def _items(doc: dict, key: str) -> list[tuple[int, dict]]:
    value = doc.get(key)
    return [(i, x) for i, x in enumerate(value) if isinstance(x, dict)] if isinstance(value, list) else []


def _reference_errors(session: Session, principal: Principal, doc: dict[str, Any]
                      ) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, Enterprise]]:
    """Errors that need the database (unknown or foreign enterprises, twice in a file) and conflicts
    (accepted declarations); also the enterprises found, by ref."""
    errors: dict[str, list[str]] = defaultdict(list)
    conflicts: dict[str, list[str]] = {}
    decls = _items(doc, "declarations")
    refs = {d.get("enterprise") for _, d in decls if isinstance(d.get("enterprise"), str)}
    found: dict[str, Enterprise] = {}
    ref_list = sorted(r.strip() for r in refs)
    for i in range(0, len(ref_list), CHUNK):
        found.update({e.ref: e for e in session.scalars(select(Enterprise).where(
            Enterprise.ref.in_(ref_list[i:i + CHUNK])))})
    # Only enterprises the principal may declare for exist, as far as the file is concerned.
    allowed = {ref: e for ref, e in found.items()
               if principal.is_admin or principal.acts_for(e.id)
               or (principal.is_coordinator and principal.coordinates(e.park_id))}
    year = doc.get("year")
    seen: dict[tuple[str, Any], int] = {}
    wanted: dict[tuple[int, int], str] = {}
    for i, d in decls:
        ref, path = d.get("enterprise"), f"$.declarations[{i}]"
        if not isinstance(ref, str):
            continue
        ref = ref.strip()
        y = d.get("year") if d.get("year") is not None else year
        if (ref, y) in seen:
            errors[f"{path}.enterprise"].append(f"{ref!r} is declared twice for {y} (also at "
                                                f"$.declarations[{seen[(ref, y)]}]) (企业 {ref!r} 的 {y} 年申报重复，"
                                                f"另见 $.declarations[{seen[(ref, y)]}])")
            continue
        seen[(ref, y)] = i
        if ref not in allowed:
            errors[f"{path}.enterprise"].append(
                f"unknown enterprise ref {ref!r} (无此企业编号 {ref!r})" if ref not in found
                else f"unknown enterprise ref {ref!r}: not one you may declare for (您无权为企业 {ref!r} 申报)")
        elif isinstance(y, int):
            wanted[(allowed[ref].id, y)] = path
    if wanted:
        ids = sorted({e for e, _ in wanted})
        for i in range(0, len(ids), CHUNK):
            for ent_id, y, status in session.execute(select(
                    SurveyDeclaration.enterprise_id, SurveyDeclaration.year, SurveyDeclaration.status)
                    .where(SurveyDeclaration.enterprise_id.in_(ids[i:i + CHUNK]))):
                path = wanted.get((ent_id, y))
                if path is not None and status == "accepted":
                    conflicts[f"{path}.enterprise"] = [(f"the {y} declaration of this enterprise is already accepted "
                                                        "(已审核通过，不可覆盖)")]
                elif path is not None and status in UNDER_REVIEW_STATUSES:
                    # As save_substances: what the park is reviewing changes only once it is returned.
                    conflicts[f"{path}.enterprise"] = [(f"the {y} declaration of this enterprise is under review: it "
                                                        "can change once the park returns it (审核中，退回后方可修改)")]
    return dict(errors), conflicts, allowed


def validate_survey(session: Session, principal: Principal, doc: Any) -> tuple[dict[str, Any], dict[str, Enterprise]]:
    """The loaded document and its enterprises, or ``ValidationFailed`` (``Conflict`` when the only problem is a
    declaration accepted or under review) naming every error by JSON path."""
    if not isinstance(doc, dict):
        raise ValidationFailed("the document must be a JSON object (文件须为 JSON 对象)",
                               {"$": ["must be a JSON object (须为 JSON 对象)"]})
    errors: dict[str, list[str]] = {}
    data = None
    try:
        data = SurveyDocumentSchema().load(doc)
    except ValidationError as exc:
        errors.update(flatten_errors(exc.messages))
    ref_errors, conflicts, enterprises = _reference_errors(session, principal, doc)
    for path, msgs in ref_errors.items():
        errors.setdefault(path, []).extend(msgs)
    if errors:
        for path, msgs in conflicts.items():
            errors.setdefault(path, []).extend(msgs)
        n = sum(len(v) for v in errors.values())
        raise ValidationFailed(f"the {FORMAT} document has {n} error(s); nothing was imported (文件有误，未导入)", errors)
    if conflicts:
        raise Conflict(f"{len(conflicts)} declaration(s) of the file are accepted or under review; nothing was "
                       "imported (已审核通过或审核中的申报不可覆盖，未导入)", conflicts)
    assert data is not None
    return data, enterprises


def import_survey(session: Session, principal: Principal, doc: Any, *, source: str = "") -> ImportResult:
    """Validate and apply a ``wastematch.survey.v1`` document (all or nothing); never commits.

    Admins import for any enterprise, coordinators for their parks', an enterprise user for its own.
    """
    data, enterprises = validate_survey(session, principal, doc)
    result = ImportResult()
    by_key: dict[tuple[int, int], SurveyDeclaration] = {}
    ent_ids = sorted({e.id for e in enterprises.values()})
    for i in range(0, len(ent_ids), CHUNK):
        for d in session.scalars(select(SurveyDeclaration).where(SurveyDeclaration.enterprise_id.in_(
                ent_ids[i:i + CHUNK])).options(selectinload(SurveyDeclaration.substances))):
            by_key[(d.enterprise_id, d.year)] = d
    touched: list[tuple[SurveyDeclaration, str | None]] = []
    for item in data["declarations"]:
        ent = enterprises[item["enterprise"].strip()]
        year = item["year"] or data["year"]
        decl = by_key.get((ent.id, year))
        old = None if decl is None else decl.status
        if decl is None:
            decl = SurveyDeclaration(enterprise_id=ent.id, year=year, status="draft", checks=[], returned_reasons={},
                                     created_by=principal.actor)
            session.add(decl)
            result.created += 1
        else:
            result.replaced += 1
        decl.enterprise = ent
        surveys.replace_rows(decl, item["substances"])
        result.substances += len(item["substances"])
        touched.append((decl, old))
    session.flush()
    checks = run_checks_many(session, [d for d, _ in touched])
    now, ctx = utcnow(), {"import": source} if source else {}
    notify_parks: dict[int, int] = Counter()
    for decl, old in touched:
        decl.status = "resubmitted" if old in ("returned", "resubmitted") else "submitted"
        decl.checks = checks[decl.id]
        decl.submitted_at, decl.submitted_by = now, principal.actor
        result.findings += len(decl.checks)
        result.by_status[decl.status] += 1
        result.declarations.append({"id": decl.id, "enterprise": decl.enterprise.ref, "year": decl.year,
                                    "status": decl.status, "substances": len(decl.substances),
                                    "findings": len(decl.checks), "was": old})
        audit.record(session, actor=principal.actor, action="survey.import", entity_type="survey_declaration",
                     entity_key=str(decl.id), changes={"status": [old, decl.status]},
                     context={"enterprise": decl.enterprise.ref, "year": decl.year,
                              "substances": len(decl.substances), "findings": len(decl.checks), **ctx},
                     park_id=decl.enterprise.park_id)
        if decl.enterprise.park_id is not None:
            notify_parks[decl.enterprise.park_id] += 1
    # One notice per coordinator and park, not one per declaration: a city-wide import holds thousands.
    # The coordinator who imported is not told of their own import.
    for park_id, count in notify_parks.items():
        for user in surveys.park_coordinators(session, park_id):
            if user.id == principal.user_id:
                continue
            session.add(Notification(user_id=user.id, kind="survey_transition", data={
                "event": "import", "count": count, "source": source,
                "message": f"已导入 {count} 份化学物质调查申报，待审核 / {count} chemical survey declarations were "
                           "imported and await your review"}))
    session.flush()
    return result


# --- the workbook --------------------------------------------------------------------------------------------------

def write_template(target: str | Path | IO[bytes], doc: dict[str, Any] | None = None) -> None:
    """Write the Excel template (empty, or holding ``doc``'s declarations) to a path or a binary stream."""
    wb = Workbook()
    readme = wb.active
    readme.title = "说明 README"
    for row in README_ROWS:
        readme.append(row)
    readme.append(("format", FORMAT))
    readme.column_dimensions["A"].width, readme.column_dimensions["B"].width = 16, 110
    rows: dict[str, list[list[Any]]] = {"declarations": [], "substances": []}
    for d in (doc or {}).get("declarations", []):
        rows["declarations"].append([d["enterprise"], d.get("year") or doc.get("year")])
        for s in d.get("substances", []):
            rows["substances"].append([d["enterprise"], *(s.get(k) for k in SUBSTANCE_KEYS)])
    add_sheets(wb, SHEETS, rows, min_width=12, padding=6)
    wb.save(target)


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer() and abs(value) < 10**6:
        return int(value)  # Excel stores 2025 as 2025.0
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def read_template(source: str | Path | IO[bytes]) -> tuple[dict[str, Any], Callable[[str], str]]:
    """A workbook as a ``wastematch.survey.v1`` document, and a translator of a JSON path to "sheet!row column".

    Layout problems (unknown columns, a substance of an enterprise not in ``declarations``) are all reported
    at once, by sheet and row."""
    wb = open_workbook(source, SHEET_LIMITS, what="the workbook", key="$")
    errors: dict[str, list[str]] = {}
    sheets: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    try:
        for name, columns in SHEETS.items():
            sheets[name] = []
            if name not in wb.sheetnames:
                errors[name] = [f"the workbook has no sheet {name!r} (工作簿中没有工作表 {name})"]
                continue
            it = sheet_rows(wb[name], SHEET_LIMITS, sheet=name)
            header = [str(h).strip() if h is not None else "" for h in next(it, (1, ()))[1]]
            unknown = [h for h in header if h and h not in columns]
            if unknown:
                errors[f"{name}!1"] = [(f"unknown columns {unknown}; expected {list(columns)} "
                                        f"(无法识别的列：{'、'.join(unknown)}；应为：{'、'.join(columns)})")]
                continue
            for number, values in it:
                rec = {h: _cell(v) for h, v in zip(header, values) if h and v not in (None, "")}
                if rec:
                    sheets[name].append((number, rec))
    finally:
        wb.close()
    where: dict[str, str] = {}
    doc: dict[str, Any] = {"format": FORMAT, "declarations": []}
    by_ref: dict[str, dict[str, Any]] = {}
    for number, rec in sheets["declarations"]:
        i = len(doc["declarations"])
        where[f"$.declarations[{i}]"] = f"declarations!{number}"
        rec["substances"] = []
        doc["declarations"].append(rec)
        by_ref.setdefault(str(rec.get("enterprise")), rec)
        if "year" in rec and "year" not in doc:
            doc["year"] = rec["year"]
    for number, rec in sheets["substances"]:
        owner = by_ref.get(str(rec.pop("enterprise", None)))
        if owner is None:
            errors[f"substances!{number} enterprise"] = [("not an enterprise of the declarations sheet "
                                                          "(不是 declarations 工作表中的企业)")]
            continue
        i = doc["declarations"].index(owner)
        where[f"$.declarations[{i}].substances[{len(owner['substances'])}]"] = f"substances!{number}"
        owner["substances"].append(rec)
    if errors:
        raise ValidationFailed("the workbook does not follow the template (模板格式有误)", errors)
    where["$.year"] = "declarations!2 year"
    return doc, locator(where)
