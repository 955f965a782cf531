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
from catalog.material_terms import TERMS, TERMS_BY_KEY, concepts
from catalog.solid_waste import SOLID_WASTE_CATEGORIES
from catalog.waste_streams import STREAM_CATEGORIES
from marketplace.services.catalog.reference import list_codes, list_ewc

from ..database import db_session
from . import bp
from .auth import page_principal

MAX_RESULTS = 20
MAX_QUERY = 100
MIN_PREFIX = 4  # "sulf" may start a glossary word; shorter stems ("ac") would start too many
CODE_FIELDS = ("code", "category", "industry", "description", "description_en", "category_name", "category_name_en")


def _query() -> str:
    return (request.args.get("q") or "").strip()[:MAX_QUERY]


def _unauthorised() -> tuple[Response, int]:
    return jsonify({"error": _("Please sign in first.")}), 401


def _general_categories(q: str) -> list[dict[str, Any]]:
    """Categories without an HW code whose code or names contain ``q``: general industrial solid waste (SWnn),
    then our construction, household and agricultural ones (CWnn, HHnn, AGnn; ``catalog.waste_streams``)."""
    needle = q.casefold()
    found = [(c.code, c.name_zh, c.name_en, "SW", "industrial") for c in SOLID_WASTE_CATEGORIES]
    found += [(c.code, c.name_zh, c.name_en, c.code[:2], c.stream) for c in STREAM_CATEGORIES]
    return [{"code": code, "name_zh": zh, "name_en": en, "category": prefix, "hazardous": False, "kind": "sw",
             "stream": stream}
            for code, zh, en, prefix, stream in found
            if needle in code.casefold() or needle in zh or needle in en.casefold()]


def _hw_codes(q: str) -> list[dict[str, Any]]:
    """HW codes matching every word of ``q`` ("waste oil" finds "waste mineral oil"), via ``list_codes``."""
    words = q.split()
    if len(words) <= 1:
        return list_codes(db_session(), search=q)
    rest = [w.casefold() for w in words]
    found = list_codes(db_session(), search=max(words, key=len))
    return [c for c in found if all(w in " ".join(str(c[f] or "") for f in CODE_FIELDS).casefold() for w in rest)]


def glossary_words(q: str) -> tuple[list[str], list[str]]:
    """The words the glossary (``catalog.material_terms``) knows for ``q``: its concepts' own words, and broader ones.

    "废硫酸" and "sulfuric" (a prefix of "sulfuric acid") are the concept sulfuric acid: its words
    硫酸, sulphuric acid … find the codes that name it; the head word of its English names ("acid")
    is a broader concept whose words (废酸, spent acid …) find the category of spent acids (HW34).
    """
    keys = list(concepts(q))
    needle = q.casefold().strip()
    if not keys and len(needle) >= MIN_PREFIX and needle.isascii():
        keys = [t.key for t in TERMS if any(w.casefold().startswith(needle) for w in t.en)]
    own = [w for k in keys for w in (*TERMS_BY_KEY[k].zh, *TERMS_BY_KEY[k].en)]
    broader_keys = {b for k in keys for w in TERMS_BY_KEY[k].en for part in w.split() for b in concepts(part)}
    broader = [w for k in sorted(broader_keys - set(keys)) for w in (*TERMS_BY_KEY[k].zh, *TERMS_BY_KEY[k].en)]
    return own, broader


def _contains(text: str, word: str) -> bool:
    """``word`` in ``text``: Chinese by substring; English as a whole word (acid, not "lead-acid" → yes; "acidic")."""
    word = word.casefold()
    if not word.isascii():
        return word in text
    return any(part.startswith(word) for part in text.replace("-", " ").replace("/", " ").split()) \
        if " " not in word else word in text


def _category_text(code: dict[str, Any]) -> str:
    return f'{code["category_name"] or ""} {code["category_name_en"] or ""}'.casefold()


def _glossary_codes(own: list[str], broader: list[str], seen: set[str]) -> list[tuple[int, dict[str, Any]]]:
    """HW codes found through glossary words (none of ``seen``), each with its rank (3–6): the concept's own
    words in the code's text, in its category's name; then the broader words in the category's name, the text."""
    out = []
    for c in list_codes(db_session()):
        if c["code"] in seen:
            continue
        text = f'{c["description"] or ""} {c["description_en"] or ""}'.casefold()
        category = _category_text(c)
        if any(_contains(text, w) for w in own):
            out.append((3, c))
        elif any(_contains(category, w) for w in own):
            out.append((4, c))
        elif any(_contains(category, w) for w in broader):
            out.append((5, c))
        elif any(_contains(text, w) for w in broader):
            out.append((6, c))
    return out


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
    EU List of Waste code, ``sw`` the category (a waste without an HW code: SWnn, CWnn, HHnn, AGnn). HW codes
    whose text contains ``q`` come first; then those the glossary's words for ``q`` find
    (``glossary_words``: "废硫酸" → 硫酸 → the spent acids), by how closely they name it.
    """
    if not q:
        return []
    session = db_session()
    direct = _hw_codes(q)
    own, broader = glossary_words(q)
    ranked = [(_rank(c, q), c) for c in direct]
    if len(direct) < limit and own:
        ranked += _glossary_codes(own, broader, {c["code"] for c in direct})
    # A code of a category the query names (废酸 → HW34 废酸) before a code elsewhere that merely mentions it.
    named = [q, *own, *broader]

    def key(rc: tuple[int, dict[str, Any]]) -> tuple[Any, ...]:
        rank, c = rc
        in_named = any(_contains(_category_text(c), w) for w in named)
        return (rank > 0, not in_named, rank, not c["code"].startswith("900-"), c["category"], c["code"])

    ranked.sort(key=key)
    out: list[dict[str, Any]] = [
        {"code": c["code"], "name_zh": c["description"], "name_en": c["description_en"] or c["category_name_en"],
         "category": c["category"], "category_name_zh": c["category_name"], "category_name_en": c["category_name_en"],
         "hazardous": True, "kind": "hw"}
        for _, c in ranked[:limit]]
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
