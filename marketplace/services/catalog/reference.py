"""Reference data in the database: loading the built-in catalogue and the official lists, and queries."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from catalog.builtin_codes import BUILTIN_HW_CODES, OFFICIAL_HW_CODES_2021
from catalog.hw_categories import HW_CATEGORIES
from catalog.waste_codes import HwListEdition, category_of, fold_code_text, is_hw_code, normalize_hw_code

from ...errors import NotFound, ValidationFailed
from ...models import EwcCodeRow, HwCategoryRow, HwCodeRow, HwExemptionRow
from ..accounts import audit

if TYPE_CHECKING:
    from catalog.ewc import EwcCode

BUILTIN_EDITION = "2021"
SOURCE_BUILTIN = "builtin"
SOURCE_PDF = "hw-list-pdf"


@dataclass(frozen=True)
class CatalogLoad:
    """Counts of what a catalogue load wrote."""

    categories: int
    codes: int
    exemptions: int = 0
    removed_codes: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"categories": self.categories, "codes": self.codes, "exemptions": self.exemptions,
                "removed_codes": self.removed_codes}


def load_builtin_catalog(session: Session) -> CatalogLoad:
    """Upsert the 46 categories and the built-in codes; never overwrites codes from an official PDF.

    Idempotent: run by every ``wastematch init``.
    """
    categories = {c.code: c for c in session.scalars(select(HwCategoryRow))}
    for cat in HW_CATEGORIES:
        row = categories.get(cat.code)
        if row is None:
            session.add(HwCategoryRow(code=cat.code, name_zh=cat.name_zh, name_en=cat.name_en))
        elif not row.name_en:
            row.name_en = cat.name_en
    session.flush()
    existing = {c.code: c for c in session.scalars(select(HwCodeRow))}
    added = 0
    for code in BUILTIN_HW_CODES:
        row = existing.get(code.code)
        if row is None:
            session.add(HwCodeRow(code=code.code, category=code.category, industry=code.industry,
                                  description=code.description, description_en=code.description_en,
                                  hazards=list(code.hazards), edition=BUILTIN_EDITION, source=SOURCE_BUILTIN))
            added += 1
        elif not row.description_en:
            row.description_en = code.description_en  # our English gloss complements the official text
    session.flush()
    return CatalogLoad(categories=len(HW_CATEGORIES), codes=added)


IMPORT_HW_LIST_COMMAND = "wastematch catalog import-hw-list <path to gjwxfwml.pdf>"


@dataclass(frozen=True)
class CatalogStatus:
    """How much of the official HW list is loaded: a fresh checkout has only the built-in subset."""

    codes: int
    official_codes: int  # codes that came from an imported PDF
    exemptions: int
    edition_codes: int = OFFICIAL_HW_CODES_2021
    import_command: str = IMPORT_HW_LIST_COMMAND

    @property
    def complete(self) -> bool:
        """The official list was imported (its codes and its exemption list)."""
        return self.official_codes > 0 and self.exemptions > 0

    def as_dict(self) -> dict[str, Any]:
        return {"codes": self.codes, "official_codes": self.official_codes, "exemptions": self.exemptions,
                "edition_codes": self.edition_codes, "complete": self.complete,
                "import_command": None if self.complete else self.import_command}

    def lines(self) -> list[str]:
        """What a terminal says about it, Chinese first then English; empty when the list is complete."""
        if self.complete:
            return []
        return [(f"注意：仅载入 {self.codes} / {self.edition_codes} 个危险废物代码（2021 年版名录），缺少豁免清单；"
                f"导入官方名录：{self.import_command}"),
                (f"note: only {self.codes} of the {self.edition_codes} HW codes of the 2021 list are loaded and the "
                f"exemption list is missing; import the official list with: {self.import_command}")]


def catalog_status(session: Session) -> CatalogStatus:
    """How many HW codes are loaded, how many from the official PDF, and how many exemption rows."""
    codes = session.scalar(select(func.count()).select_from(HwCodeRow)) or 0
    official = session.scalar(select(func.count()).select_from(HwCodeRow).where(HwCodeRow.source == SOURCE_PDF)) or 0
    exemptions = session.scalar(select(func.count()).select_from(HwExemptionRow)) or 0
    return CatalogStatus(codes=codes, official_codes=official, exemptions=exemptions)


def import_hw_list(session: Session, edition: HwListEdition, *, actor: str, source: str) -> CatalogLoad:
    """Replace the HW codes and the exemption list by one official edition, in the caller's transaction.

    Codes the edition no longer lists are removed (listings keep their code as text);
    English glosses of the built-in catalogue are kept for codes that remain.
    """
    if not edition.codes:
        raise ValidationFailed("the HW list has no codes (危险废物名录中没有代码)",
                               {"codes": ["no codes were parsed (未解析出任何代码)"]})
    categories = {c.code: c for c in session.scalars(select(HwCategoryRow))}
    for cat in edition.categories:
        row = categories.get(cat.code)
        if row is None:
            session.add(HwCategoryRow(code=cat.code, name_zh=cat.name_zh, name_en=cat.name_en))
        else:
            row.name_zh = cat.name_zh or row.name_zh
    session.flush()
    existing = {c.code: c for c in session.scalars(select(HwCodeRow))}
    builtin_en = {c.code: c.description_en for c in BUILTIN_HW_CODES}
    new_codes = {c.code for c in edition.codes}
    removed = [code for code in existing if code not in new_codes]
    if removed:
        session.execute(delete(HwCodeRow).where(HwCodeRow.code.in_(removed)))
    for code in edition.codes:
        row = existing.get(code.code)
        if row is None:
            row = HwCodeRow(code=code.code)
            session.add(row)
        row.category = code.category
        row.industry = code.industry
        row.description = code.description
        row.description_en = code.description_en or builtin_en.get(code.code, "") or (row.description_en or "")
        row.hazards = list(code.hazards)
        row.edition = edition.edition
        row.source = SOURCE_PDF
    session.execute(delete(HwExemptionRow))
    for ex in edition.exemptions:
        session.add(HwExemptionRow(edition=edition.edition, number=ex.number, waste=ex.waste, codes=list(ex.codes),
                                   categories=list(ex.categories), label=ex.label, stage=ex.stage, conditions=ex.conditions,
                                   exempted=ex.exempted))
    session.flush()
    result = CatalogLoad(categories=len(edition.categories), codes=len(edition.codes),
                         exemptions=len(edition.exemptions), removed_codes=len(removed))
    audit.record(session, actor=actor, action="import-hw-list", entity_type="hw_list", entity_key=edition.edition,
                 changes=result.as_dict(), context={"source": source})
    return result


def import_ewc(session: Session, codes: Iterable[EwcCode], *, actor: str, source: str) -> int:
    """Replace the EU List of Waste by ``codes``; returns how many were loaded."""
    session.execute(delete(EwcCodeRow))
    n = 0
    for c in codes:
        session.add(EwcCodeRow(code=c.code, chapter=c.chapter, sub_chapter=c.sub_chapter, description=c.description,
                               hazardous=c.hazardous, entry_type=c.entry_type))
        n += 1
    session.flush()
    audit.record(session, actor=actor, action="import-ewc", entity_type="ewc_list", entity_key="ewc",
                 changes={"codes": n}, context={"source": source})
    return n


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def list_codes(session: Session, *, search: str | None = None, category: str | None = None) -> list[dict[str, Any]]:
    """HW codes as ``[{"code","category","hazard","description",…}]`` (the CLI contract), code order.

    ``search`` matches the code, the category, the industry and the Chinese or English text.
    """
    q = select(HwCodeRow, HwCategoryRow).join(HwCategoryRow, HwCodeRow.category == HwCategoryRow.code)
    if category:
        q = q.where(HwCodeRow.category == category.upper())
    if search:
        pattern = _like(fold_code_text(search))  # "９００－２１４", as a Chinese input method types it
        q = q.where(or_(*(col.ilike(pattern, escape="\\") for col in (
            HwCodeRow.code, HwCodeRow.category, HwCodeRow.industry, HwCodeRow.description,
            HwCodeRow.description_en, HwCategoryRow.name_zh, HwCategoryRow.name_en))))
    rows = session.execute(q.order_by(HwCodeRow.category, HwCodeRow.code)).all()
    return [code_dict(code, cat) for code, cat in rows]


def code_dict(code: HwCodeRow, cat: HwCategoryRow) -> dict[str, Any]:
    """One HW code as the CLI and API show it; ``hazard`` is the list's notation, e.g. ``"T,I"``."""
    return {"code": code.code, "category": code.category, "hazard": ",".join(code.hazards),
            "hazards": list(code.hazards), "description": code.description, "description_en": code.description_en,
            "industry": code.industry, "category_name": cat.name_zh, "category_name_en": cat.name_en,
            "edition": code.edition, "source": code.source}


def get_code(session: Session, code: str) -> dict[str, Any]:
    """One HW code or ``NotFound``; the code as typed or copied (``normalize_hw_code``)."""
    code = normalize_hw_code(code)
    row = session.execute(select(HwCodeRow, HwCategoryRow).join(
        HwCategoryRow, HwCodeRow.category == HwCategoryRow.code).where(HwCodeRow.code == code)).first()
    if row is None:
        raise NotFound(f"unknown HW code {code!r} (无此危险废物代码 {code})",
                       {"code": [f"{code!r} is not in the loaded catalogue (已载入的名录中无此代码 {code})"]})
    return code_dict(*row)


def list_categories(session: Session) -> list[dict[str, Any]]:
    """The HW categories with how many codes of each are loaded."""
    counts = dict(session.execute(select(HwCodeRow.category, func.count()).group_by(HwCodeRow.category)).all())
    return [{"category": c.code, "name": c.name_zh, "name_en": c.name_en, "codes": counts.get(c.code, 0)}
            for c in session.scalars(select(HwCategoryRow).order_by(HwCategoryRow.code))]


def list_exemptions(session: Session, *, code: str | None = None, search: str | None = None) -> list[dict[str, Any]]:
    """Rows of the exemption list; ``code`` finds the rows naming that code or its whole category."""
    rows = list(session.scalars(select(HwExemptionRow).order_by(HwExemptionRow.number, HwExemptionRow.id)))
    out = []
    for r in rows:
        if code and not (code in r.codes or (is_hw_code(code) and category_of(code) in r.categories)):
            continue
        if search and not any(search in text for text in (r.waste, r.label, r.stage, r.conditions, r.exempted, *r.codes,
                                                           *r.categories)):
            continue
        out.append({"number": r.number, "waste": r.waste, "codes": r.codes, "categories": r.categories,
                    "label": r.label,
                    "stage": r.stage, "conditions": r.conditions, "exempted": r.exempted, "edition": r.edition})
    return out


def list_ewc(session: Session, *, search: str | None = None, hazardous: bool | None = None) -> list[dict[str, Any]]:
    """EU List of Waste codes, optionally filtered."""
    q = select(EwcCodeRow).order_by(EwcCodeRow.code)
    if hazardous is not None:
        q = q.where(EwcCodeRow.hazardous == hazardous)
    if search:
        pattern = _like(search.strip())
        q = q.where(or_(EwcCodeRow.code.ilike(pattern, escape="\\"), EwcCodeRow.description.ilike(pattern, escape="\\"),
                        EwcCodeRow.chapter.ilike(pattern, escape="\\")))
    return [{"code": r.code, "description": r.description, "chapter": r.chapter, "sub_chapter": r.sub_chapter,
             "hazardous": r.hazardous, "entry_type": r.entry_type} for r in session.scalars(q)]
