"""Session-authenticated JSON for the listing form's scripts: waste-code search and CAS lookup.

The REST API (``/api/v1/catalog``) needs a bearer token; the pages have a cookie. These
two read-only endpoints serve the form's type-ahead (``web/static/listing-form.js``)
with the same catalogue functions the API uses. Signed-in users only (401 JSON otherwise).
"""
from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from catalog.chemistry import ChemicalIdentity, lookup
from catalog.solid_waste import SOLID_WASTE_CATEGORIES
from marketplace.services.catalog.reference import list_codes, list_ewc

from ..database import db_session
from . import bp
from .auth import page_principal

MAX_RESULTS = 20
MAX_QUERY = 100


def _query() -> str:
    return (request.args.get("q") or "").strip()[:MAX_QUERY]


def _unauthorised() -> tuple[Response, int]:
    return jsonify({"error": _("Please sign in first.")}), 401


def _general_categories(q: str) -> list[dict[str, Any]]:
    """General industrial solid waste categories (SWnn) whose code or names contain ``q``."""
    needle = q.casefold()
    return [{"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en, "category": "SW", "hazardous": False,
             "kind": "sw"}
            for c in SOLID_WASTE_CATEGORIES
            if needle in c.code.casefold() or needle in c.name_zh or needle in c.name_en.casefold()]


def _hw_codes(q: str) -> list[dict[str, Any]]:
    """HW codes matching every word of ``q`` ("waste oil" finds "waste mineral oil"), via ``list_codes``."""
    words = q.split()
    if len(words) <= 1:
        return list_codes(db_session(), search=q)
    rest = [w.casefold() for w in words]
    found = list_codes(db_session(), search=max(words, key=len))
    fields = ("code", "category", "industry", "description", "description_en", "category_name", "category_name_en")
    return [c for c in found if all(w in " ".join(str(c[f] or "") for f in fields).casefold() for w in rest)]


def _rank(code: dict[str, Any], q: str) -> int:
    """Codes that start with ``q`` first, then those whose own text names it, then the rest of their category.

    A category name ("废矿物油与含矿物油废物") matches every code of the category: those come last, the
    codes of no particular industry (900-…, the ones most wastes carry) first among them.
    """
    needle = q.casefold()
    if code["code"].startswith(q):
        return 0
    own = f'{code["description"] or ""} {code["description_en"] or ""}'.casefold()
    if needle in own or all(w in own for w in needle.split()):
        return 1
    return 2


def code_suggestions(q: str, limit: int = MAX_RESULTS) -> list[dict[str, Any]]:
    """Up to ``limit`` codes for ``q`` (Chinese, English or code): HW codes first, then EU LoW, then SW categories.

    ``kind`` says which form field a suggestion fills: ``hw`` the HW code, ``ewc`` the
    EU List of Waste code, ``sw`` none (general solid waste carries no HW code).
    """
    if not q:
        return []
    session = db_session()
    out: list[dict[str, Any]] = [
        {"code": c["code"], "name_zh": c["description"], "name_en": c["description_en"] or c["category_name_en"],
         "category": c["category"], "category_name_zh": c["category_name"], "category_name_en": c["category_name_en"],
         "hazardous": True, "kind": "hw"}
        for c in sorted(_hw_codes(q), key=lambda c: (_rank(c, q), not c["code"].startswith("900-")))[:limit]]
    if len(out) < limit:
        out += [{"code": e["code"], "name_zh": None, "name_en": e["description"], "category": e["chapter"],
                 "hazardous": bool(e["hazardous"]), "kind": "ewc"}
                for e in list_ewc(session, search=q)[:limit - len(out)]]
    if len(out) < limit:
        out += _general_categories(q)[:limit - len(out)]
    return out


@bp.get("/lookup/codes")
def lookup_codes():
    """``?q=``: waste codes for the form's type-ahead, at most 20 (``{"items": [...]}``)."""
    if page_principal() is None:
        return _unauthorised()
    return jsonify({"items": code_suggestions(_query())})


def chemical_dict(found: ChemicalIdentity) -> dict[str, Any]:
    """What the composition row shows of a chemical: names, CAS, formula and control-list flags."""
    controls = [{"name_zh": c.name_zh, "name_en": c.name_en, "measure": c.measure, "lists": list(c.lists),
                 "destruction_only": c.destruction_only} for c in found.control]
    return {"found": True, "cas": found.cas, "name_en": found.name, "name_zh": found.name_zh,
            "formula": found.formula, "pop": found.is_pop,
            "new_pollutant": any("cn_new_pollutants_2023" in c.lists for c in found.control),
            "destruction_only": any(c.destruction_only for c in found.control), "controls": controls}


@bp.get("/lookup/chemicals")
def lookup_chemicals():
    """``?q=`` a CAS number or a name: the chemical, or ``found: false`` (with ``error`` for a bad CAS number)."""
    if page_principal() is None:
        return _unauthorised()
    q = _query()
    if not q:
        return jsonify({"found": False})
    try:
        found = lookup(q)
    except ValueError:  # a malformed CAS number or a wrong check digit: said in the answer, not as a failure
        return jsonify({"found": False, "error": _("Not a valid CAS number: check the digits.")})
    if found is None:
        return jsonify({"found": False})
    return jsonify(chemical_dict(found))
