"""Resolve what a user typed in a composition row (a name, a formula, a Chinese name) to a substance.

``resolve_component("98% 硫酸")`` → ``Resolution(cas="7664-93-9", method="zh_name", query="硫酸", …)``.
A valid CAS number given with the row always wins; without one the text is normalised and tried,
in order, against our Chinese names, our formulas and English synonyms
(:mod:`catalog.substance_names`), the control lists' names and abbreviations (PFOS, HBCD, 短链氯化石蜡: a
controlled substance typed as people write it), then ChEDL (the ``chemicals`` package), then variants of the
text (the part before a trailing bracket, the ``X`` of "(as X)" / "(以X计)", without a "spent" /
"废" prefix or a "powder" / "粉" suffix). Unknown words return None: the resolver never guesses.

Normalisation: NFKC (fullwidth → halfwidth, subscript digits → digits), trimmed, inner spaces
collapsed, concentrations removed ("98% 硫酸", "sulfuric acid 70 wt%", "5% NaOH solution",
"硫酸(≥98%)"), then qualifiers ("solution", "aqueous", "溶液", "浓", "稀", …).

Guards against guessing:

* ``GENERIC_TERMS`` (sludge, balance, 其他, SS, COD, …) are None before any lookup.
* ChEDL's name search knows every PubChem synonym, street names of drugs included ("dust" is
  phencyclidine, "gravel" a cathinone). A ChEDL name hit is taken only when the text equals the
  record's name or looks like a chemical name (an -ide/-ate/-ol/-ene… word, "acid", a digit, a
  hyphen or a bracket). Plain trade words come from our table only.
* A formula (``H2SO4``, ``Ca(OH)2``, ``CaSO4·2H2O``) is reduced to its Hill formula and looked up
  among ChEDL's records. If several records share the formula (C2H6O: ethanol and dimethyl
  ether) and ``FORMULAS`` does not say which one people mean, ChEDL's pick is returned with
  ``ambiguous=True``.

Measured over the documented synergies (``benchmarks/eval_resolution.py``: every composition,
wanted and limit line that has both a name and a CAS number, 700 lines naming 75 distinct
substances; the CAS number is hidden and the text given alone):

* names as written: 700 / 700 lines (100 %) resolve to the line's CAS number (75 / 75 distinct);
* the formula ChEDL gives for the CAS number (Hill order, "O3S"): 604 / 638 lines (94.7 %;
  62 / 68 distinct). The misses are the five polymers, whose ChEDL formula is the monomer's or
  an unrelated record's (C2H4 is ethene, not polyethylene), and fructose, whose C6H12O6 is read
  as glucose; an isomer mismatch counts as a miss;
* Chinese names (the first name of the CAS in ``ZH_NAMES``): 700 / 700 lines (100 %).

The first call loads ChEDL's databases (the large one included: two to three seconds); after that a
resolution is a few dictionary look-ups and each result is cached. Pure Python (+ ``chemicals``).
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from .cas import invalid_cas_message, normalize_cas
from .control_lists import controlled_by_cas
from .substance_names import EN_NAMES, EN_SYNONYMS, FORMULAS, GENERIC_TERMS, ZH_BY_CAS, ZH_NAMES

__all__ = ["Resolution", "clear_cache", "normalise_query", "resolve_component"]


@dataclass(frozen=True, slots=True)
class Resolution:
    """The substance a composition row names, and how we found it."""

    cas: str  # normalised CAS
    method: str  # "cas" | "zh_name" | "synonym" | "formula" | "name"
    query: str  # the text that resolved (after normalisation)
    name_en: str  # ChEDL common name or ours
    name_zh: str | None
    ambiguous: bool = False  # e.g. a bare formula with isomers that only ChEDL picked


# --- normalisation ----------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff]")
# A concentration: "98%", "70 wt%", "≥ 98 %", "5 % w/w", "30wt.%", "1000 ppm", "20 g/L".
_CONC = re.compile(
    r"(?:[<>≤≥~≈约]=?\s*)?\d+(?:\.\d+)?\s*(?:-\s*\d+(?:\.\d+)?\s*)?"
    r"(?:wt\.?\s*%|mass\s*%|vol\.?\s*%|%\s*(?:w/w|wt|by weight|by mass|v/v)?|ppm|mg/kg|mg/l|g/l)",
    re.IGNORECASE,
)
_EMPTY_BRACKETS = re.compile(r"\(\s*\)")
# Qualifiers that say how the substance comes, not which one it is.
_EN_QUALIFIERS = re.compile(
    r"\b(?:aqueous\s+solution|solution|soln\.?|aqueous|aq\.?|\(aq\)|concentrated|conc\.|dilute[d]?|"
    r"technical\s+grade|industrial\s+grade|tech\.?\s+grade|reagent\s+grade)\b",
    re.IGNORECASE,
)
_ZH_QUALIFIERS = re.compile(r"(?:水溶液|溶液|工业级|试剂级|工业品)")
_ZH_STRENGTH_PREFIX = re.compile(r"^(?:浓|稀)(?=.)")
# "Spent X" is X that has been used. Never for water: wastewater is a stream, not a substance.
_WASTE_PREFIX = re.compile(r"^(?:废旧|废|回收|spent\s+|waste\s+|used\s+|scrap\s+|recovered\s+|recycled\s+)", re.IGNORECASE)
_FORM_SUFFIX = re.compile(r"(?:粉末|粉|屑|颗粒|\s+(?:powder|filings|turnings|scrap|dust|granules|flakes|pellets))$", re.IGNORECASE)
_TRAILING_BRACKET = re.compile(r"^(?P<front>.*\S)\s*\((?P<inside>[^()]*)\)$")
_AS_X = re.compile(r"^(?:as|以)\s*(?P<x>.+?)\s*(?:计)?$", re.IGNORECASE)

# Words whose ChEDL hit we accept without an exact name match: chemical-looking.
_CHEMICAL_WORD = re.compile(
    r"(?:ide|ides|ate|ates|ite|ites|ane|ene|yne|ine|ol|one|ium|yl|ose|ile|ole|al|oxide|acid|ether|ester|"
    r"glycol|anhydride|hydrate)$"
)
_CHEMICAL_MARK = re.compile(r"[\d(),\-\[\]+]")


def normalise_query(text: str | None) -> str:
    """The text a user typed, normalised: NFKC, concentrations removed, spaces collapsed.

    ``normalise_query("  98％ 硫酸 ")`` → ``"硫酸"``; ``"sulfuric acid 70 wt%"`` → ``"sulfuric acid"``.
    Qualifiers such as "solution" stay (they are removed by the resolver only when the full text is
    unknown: "ammonia solution" is ammonium hydroxide in our table).
    """
    if text is None:
        return ""
    out = unicodedata.normalize("NFKC", str(text))
    for dot in ("•", "∙", "⋅", "・"):
        out = out.replace(dot, "·")
    out = _CONC.sub(" ", out)
    out = _EMPTY_BRACKETS.sub(" ", out)
    out = _SPACES.sub(" ", out).strip(" ,;:，、；：")
    return out


def _strip_qualifiers(text: str) -> str:
    out = _EN_QUALIFIERS.sub(" ", text)
    out = _ZH_QUALIFIERS.sub("", out)
    out = _EMPTY_BRACKETS.sub(" ", out)
    return _SPACES.sub(" ", out).strip(" ,;:，、；：")


# --- formulas ---------------------------------------------------------------------------------

_GROUP = r"(?:[A-Z][a-z]?|\((?:[A-Z][a-z]?\d*)+\))\d*"
_FORMULA_PART = re.compile(rf"^\d*(?:\.\d+)?(?:{_GROUP})+$")
_ION = re.compile(r"^(?:[A-Z][a-z]?\d*|\((?:[A-Z][a-z]?\d*)+\)\d*)+\s*\^?\d*[+-]$")
_NOT_ELEMENTS = frozenset({"D", "T"})  # isotopes: "COD", "TOC" are indicators, not formulas


def _elements():
    from chemicals.elements import periodic_table

    return periodic_table


def _formula_atoms(text: str) -> dict[str, float] | None:
    """Atoms of a formula as typed (hydrates included), or None if ``text`` is not a formula."""
    if not text or len(text) > 60 or " " in text:
        return None
    text = text.replace("½", "0.5")
    # A hydrate dot: "CaSO4·2H2O", "CuSO4.5H2O". A decimal point inside a coefficient ("0.5H2O")
    # only follows the dot, so split on a dot followed by a digit-or-letter run.
    parts = re.split(r"[·*]", text) if "·" in text or "*" in text else re.split(r"\.(?=\d*[A-Z(])", text)
    from chemicals.elements import nested_formula_parser

    table = _elements()
    atoms: Counter[str] = Counter()
    for part in parts:
        if not _FORMULA_PART.match(part):
            return None
        m = re.match(r"^(\d+(?:\.\d+)?)?(.*)$", part)
        factor = float(m.group(1)) if m.group(1) else 1.0
        body = m.group(2)
        symbols = re.findall(r"[A-Z][a-z]?", body)
        if any(s in _NOT_ELEMENTS or s not in table for s in symbols):
            return None
        try:
            parsed = nested_formula_parser(body, check=True)
        except Exception:  # noqa: BLE001 - chemicals raises several types on a malformed formula
            return None
        for symbol, count in parsed.items():
            atoms[symbol] += count * factor
    if not atoms:
        return None
    # A hemihydrate (CaSO4·0.5H2O) is filed with whole numbers of atoms (Ca2H2O9S2).
    for scale in (1, 2, 3, 4):
        if all(abs(v * scale - round(v * scale)) < 1e-9 for v in atoms.values()):
            return {k: round(v * scale) for k, v in atoms.items()}
    return None


def _looks_like_formula(text: str) -> bool:
    return _formula_atoms(text) is not None


# --- ChEDL ---------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _chedl():
    """ChEDL's identifiers module with every database loaded, and the record count per formula.

    Loading the large database up front keeps answers independent of what was asked before (the
    small database answers some names differently until the large one is loaded).
    """
    from chemicals import identifiers

    identifiers.search_chemical("water")  # loads the small database
    db = identifiers.pubchem_db
    db.autoload_main_db()
    per_formula = Counter(record.formula for record in db.CAS_index.values())
    return identifiers, db, per_formula


def _chedl_name(text: str):
    identifiers, _, _ = _chedl()
    try:
        return identifiers.search_chemical(text)
    except Exception:  # noqa: BLE001 - ValueError (and others) mean "not found"
        return None


def _chedl_formula(atoms: dict[str, int]) -> tuple[str, bool] | None:
    """(CAS, ambiguous) of ChEDL's record for a Hill formula, or None."""
    from chemicals.elements import atoms_to_Hill

    _, db, per_formula = _chedl()
    hill = atoms_to_Hill(atoms)
    record = db.search_formula(hill, autoload=False)
    if not record:  # chemicals answers False, not None, for a formula it does not hold ("PFOS" read as P, F, O, S)
        return None
    return record.CASs, per_formula[hill] > 1


def _looks_chemical(text: str, record) -> bool:
    """True if a ChEDL name hit for ``text`` can be trusted (see the module docstring)."""
    low = text.casefold()
    names = {str(n).casefold() for n in (record.common_name, record.iupac_name) if n}
    names |= {n.split(" (")[0] for n in names}
    if low in names:
        return True
    if _CHEMICAL_MARK.search(low):
        return True
    return any(_CHEMICAL_WORD.search(word) for word in re.findall(r"[a-z]+", low))


# --- resolution --------------------------------------------------------------------------------


def _names_for(cas: str) -> tuple[str, str | None]:
    """(English name, Chinese name) for a CAS number: ours where ChEDL has none or another record's."""
    name_zh = ZH_BY_CAS.get(cas)
    if name_zh is None:
        entries = controlled_by_cas(cas)
        name_zh = entries[0].name_zh if entries else None
    if cas in EN_NAMES:
        return EN_NAMES[cas], name_zh
    # The identity record only: the property tables of catalog.chemistry.lookup_cas are not needed.
    record = _chedl_name(cas)
    if record is not None and record.CASs == cas and record.common_name and record.common_name != cas:
        return str(record.common_name), name_zh
    for name, number in EN_SYNONYMS.items():
        if number == cas:
            return name, name_zh
    entries = controlled_by_cas(cas)
    if entries:
        return entries[0].name_en, name_zh
    if record is not None and record.common_name and record.common_name != cas:
        return str(record.common_name), name_zh
    return cas, name_zh


def _make(cas: str, method: str, query: str, ambiguous: bool = False) -> Resolution:
    name_en, name_zh = _names_for(cas)
    return Resolution(cas=cas, method=method, query=query, name_en=name_en, name_zh=name_zh, ambiguous=ambiguous)


def _direct(text: str) -> Resolution | None:
    """Resolve one candidate text, without variants."""
    if not text:
        return None
    low = text.casefold()
    if low in GENERIC_TERMS:
        return None
    if text in ZH_NAMES:
        return _make(ZH_NAMES[text], "zh_name", text)
    formula_key = text.replace(".", "·") if re.search(r"\.\d*[A-Z(]", text) else text
    if formula_key in FORMULAS:
        return _make(FORMULAS[formula_key], "formula", text)
    if low in EN_SYNONYMS:
        return _make(EN_SYNONYMS[low], "synonym", text)
    if _CJK.search(text):
        return _control_listed(text, "zh_name")
    # A controlled substance by its abbreviation or listed name (PFOS, HBCD, PCBs, DDT) before the formula parser,
    # which reads "PFOS" as phosphorus, fluorine, oxygen and sulfur: a POP declared by name must be recognised.
    listed = _control_listed(text, "synonym")
    if listed is not None:
        return listed
    atoms = _formula_atoms(text)
    if atoms is not None:
        if len(atoms) == 1:
            # An element symbol: the element's standard substance (N → N2, as "nitrogen" is).
            (symbol, count), = atoms.items()
            if count == 1 and text == symbol:
                return _make(_elements()[symbol].CAS_standard, "formula", text)
        hit = _chedl_formula(atoms)
        return _make(hit[0], "formula", text, ambiguous=hit[1]) if hit else None
    if _ION.match(text):
        record = _chedl_name(text)
        return _make(record.CASs, "formula", text) if record is not None else None
    if not re.search(r"[A-Za-z]", text):
        return None
    record = _chedl_name(text)
    if record is None or not _looks_chemical(text, record):
        return None
    return _make(record.CASs, "name", text)


def _control_listed(text: str, method: str) -> Resolution | None:
    """The controlled substance ``text`` names exactly (``control_lists.resolve_controlled``), as ``method``."""
    from .control_lists import resolve_controlled

    entry = resolve_controlled(None, text)
    if entry is not None and entry.cas:
        return _make(entry.cas[0], method, text)
    return None


def _variants(text: str):
    """Texts to try after ``text`` itself failed, most specific first."""
    stripped = _strip_qualifiers(text)
    if stripped and stripped != text:
        yield stripped
    base = stripped or text
    m = _TRAILING_BRACKET.match(base)
    if m and not _looks_like_formula(base):
        yield m.group("front")
        inside = m.group("inside").strip()
        as_x = _AS_X.match(inside)
        yield as_x.group("x") if as_x else inside
        for piece in inside.split("/"):
            if piece.strip() != inside:
                yield piece.strip()
    for pattern in (_ZH_STRENGTH_PREFIX, _WASTE_PREFIX, _FORM_SUFFIX):
        shorter = pattern.sub("", base).strip()
        if shorter and shorter != base and shorter.casefold() not in ("水", "water"):
            yield shorter


@functools.lru_cache(maxsize=16384)
def _resolve_name(name: str) -> Resolution | None:
    text = normalise_query(name)
    if not text or len(text) > 200:
        return None
    hit = _direct(text)
    if hit is not None:
        return hit
    seen = {text}
    for variant in _variants(text):
        if variant in seen:
            continue
        seen.add(variant)
        hit = _direct(variant)
        if hit is None and variant != text:
            # One more level: "废硫酸溶液" → "废硫酸" → "硫酸".
            for deeper in _variants(variant):
                if deeper not in seen:
                    seen.add(deeper)
                    hit = _direct(deeper)
                    if hit is not None:
                        break
        if hit is not None:
            return hit
    return None


def resolve_component(name: str | None, cas: str | None = None) -> Resolution | None:
    """The substance a composition row names, or None if nothing knows the text.

    A valid ``cas`` always wins (method ``"cas"``); a malformed one or one with a wrong check
    digit raises ValueError, as :func:`catalog.chemistry.lookup_cas` does. Without a CAS number the
    ``name`` (English, Chinese, a formula, a trade name, with or without a concentration) is
    resolved as the module docstring describes. Cached.
    """
    if cas is not None and str(cas).strip():
        number = normalize_cas(cas)
        error = invalid_cas_message(cas, number)
        if error:
            raise ValueError(error)
        return _resolve_cas(number)
    if name is None:
        return None
    return _resolve_name(str(name))


@functools.lru_cache(maxsize=16384)
def _resolve_cas(number: str) -> Resolution:
    return _make(number, "cas", number)


def clear_cache() -> None:
    """Forget cached resolutions (the loaded databases stay in memory)."""
    _resolve_name.cache_clear()
    _resolve_cas.cache_clear()
