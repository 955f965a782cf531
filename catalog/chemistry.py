"""Chemical identities and safety properties, backed by the ``chemicals`` package (ChEDL).

``lookup("75-09-2")`` or ``lookup("dichloromethane")`` or ``lookup("二氯甲烷")`` returns a
:class:`ChemicalIdentity`: CAS, names, formula, molecular weight, flash and boiling
points, Ontario occupational exposure limits (TWA/STEL/ceiling, the only exposure
source ``chemicals.safety`` ships), IARC/NTP carcinogen classifications, and the
entries of :mod:`catalog.control_lists` that cover the substance.

The ``chemicals`` package ships its databases as files inside the package and reads
them from disk; it never goes to the network. Loading them costs up to about a
second (the large PubChem-derived table is read on the first miss in the small one),
so the package is imported lazily on the first lookup and each result is cached
with :func:`functools.lru_cache`. A name is resolved to its CAS number by :mod:`catalog.resolve`, as a
listing's composition rows are (our Chinese names and synonyms, the control lists' names and abbreviations,
formulas, "98% 硫酸", then ChEDL's names with guards against its street names of drugs), and the number is
looked up.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .cas import CAS_RE, cas_check_error, invalid_cas_message, normalize_cas
from .control_lists import ControlledSubstance, controlled_by_cas

# The Chinese-name table lives with the other name tables; re-exported here for existing callers.
from .substance_names import ZH_BY_CAS, ZH_NAMES

__all__ = ["ZH_NAMES", "ChemicalIdentity", "ExposureLimit", "clear_cache", "lookup", "lookup_cas"]

_CAS_SHAPE = re.compile(r"^\d+-\d+-\d+$")


@dataclass(frozen=True, slots=True)
class ExposureLimit:
    """An occupational exposure limit as published (ppm or mg/m^3)."""

    value: float
    unit: str  # "ppm" | "mg/m^3"


@dataclass(frozen=True, slots=True)
class ChemicalIdentity:
    """What we know about one substance.

    ``cas`` is the number that was asked for when the query was a CAS number (the
    identity the user listed) and otherwise the database's number. ChEDL sometimes
    answers a CAS query with a related record (a stereoisomer, a mixture's
    congener, the current number for an obsolete one): ``record_cas`` is then the
    number of the record whose properties are given, and ``control`` holds the
    control-list entries of both numbers. ``in_database`` is False for a substance
    known only from the control lists (e.g. SCCPs), whose properties are then None.
    """

    cas: str
    name: str  # common name (ChEDL) or the control list's English name
    iupac_name: str | None
    name_zh: str | None
    formula: str | None
    molecular_weight: float | None  # g/mol
    smiles: str | None
    flash_point_k: float | None
    boiling_point_k: float | None
    twa: ExposureLimit | None  # time-weighted average (Ontario)
    stel: ExposureLimit | None  # short-term exposure limit (Ontario)
    ceiling: ExposureLimit | None  # ceiling limit (Ontario)
    skin: bool | None  # skin notation: absorbed through the skin
    carcinogen: tuple[tuple[str, str], ...]  # (source, classification), listed sources only
    control: tuple[ControlledSubstance, ...]
    record_cas: str | None = None  # ChEDL record's CAS when it differs from ``cas``
    in_database: bool = True

    @property
    def is_pop(self) -> bool:
        """True if any control entry is a Stockholm POP."""
        return any(c.is_pop for c in self.control)


@functools.lru_cache(maxsize=1)
def _chemicals():
    """Import the chemicals modules once (seconds on a cold start), on first use."""
    from chemicals import identifiers, phase_change, safety

    return identifiers, safety, phase_change


def _limit(value) -> ExposureLimit | None:
    # chemicals returns (value, unit) or None.
    if not value:
        return None
    amount, unit = value
    return ExposureLimit(float(amount), str(unit)) if amount is not None else None


def _safe(fn, *args):
    # The property functions raise on odd inputs in some versions; a missing
    # property is not an error for us.
    try:
        return fn(*args)
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return None


def _zh_name(cas: str) -> str | None:
    if cas in ZH_BY_CAS:
        return ZH_BY_CAS[cas]
    entries = controlled_by_cas(cas)
    return entries[0].name_zh if entries else None


def _merge_controls(*cas_numbers: str | None) -> tuple[ControlledSubstance, ...]:
    seen: dict[str, ControlledSubstance] = {}
    for cas in cas_numbers:
        if cas:
            for entry in controlled_by_cas(cas):
                seen.setdefault(entry.key, entry)
    return tuple(seen.values())


def _from_metadata(meta, asked_cas: str | None) -> ChemicalIdentity:
    _, safety, phase_change = _chemicals()
    record_cas = meta.CASs
    cas = asked_cas or record_cas
    carcinogen = _safe(safety.Carcinogen, record_cas) or {}
    listed = tuple(
        (str(source), str(status)) for source, status in carcinogen.items() if status and status != safety.UNLISTED
    )
    tb = _safe(phase_change.Tb, record_cas)
    tf = _safe(safety.T_flash, record_cas)
    return ChemicalIdentity(
        cas=cas,
        name=meta.common_name or meta.iupac_name or record_cas,
        iupac_name=meta.iupac_name or None,
        name_zh=_zh_name(cas) or _zh_name(record_cas),
        formula=meta.formula or None,
        molecular_weight=float(meta.MW) if meta.MW else None,
        smiles=meta.smiles or None,
        flash_point_k=float(tf) if tf is not None else None,
        boiling_point_k=float(tb) if tb is not None else None,
        twa=_limit(_safe(safety.TWA, record_cas)),
        stel=_limit(_safe(safety.STEL, record_cas)),
        ceiling=_limit(_safe(safety.Ceiling, record_cas)),
        skin=_safe(safety.Skin, record_cas),
        carcinogen=listed,
        control=_merge_controls(cas, record_cas),
        record_cas=record_cas if record_cas != cas else None,
        in_database=True,
    )


def _from_controls(cas: str) -> ChemicalIdentity | None:
    entries = controlled_by_cas(cas)
    if not entries:
        return None
    first = entries[0]
    return ChemicalIdentity(
        cas=cas, name=first.name_en, iupac_name=None, name_zh=first.name_zh, formula=None,
        molecular_weight=None, smiles=None, flash_point_k=None, boiling_point_k=None, twa=None,
        stel=None, ceiling=None, skin=None, carcinogen=(), control=tuple(entries), in_database=False,
    )


def _search(identifier: str):
    identifiers, _, _ = _chemicals()
    try:
        return identifiers.search_chemical(identifier)
    except Exception:  # noqa: BLE001 - chemicals raises ValueError (and others) for "not found"
        return None


@functools.lru_cache(maxsize=4096)
def _lookup_cas_cached(cas: str) -> ChemicalIdentity | None:
    meta = _search(cas)
    if meta is None:
        return _from_controls(cas)
    return _from_metadata(meta, asked_cas=cas)


@functools.lru_cache(maxsize=4096)
def _lookup_name_cached(name: str) -> ChemicalIdentity | None:
    # The name goes through the resolver the listings use (``catalog.resolve``: our tables, the control lists'
    # names and abbreviations, formulas, then ChEDL with its guards), never straight to ChEDL's synonym search,
    # which answers "dust" with phencyclidine, "speed" with methamphetamine and "PCBs" with fenson.
    from .resolve import resolve_component

    found = resolve_component(name)
    return _lookup_cas_cached(found.cas) if found is not None else None


def lookup_cas(cas: str) -> ChemicalIdentity | None:
    """Look up by CAS number. ValueError if it is malformed or fails the check digit; None if unknown."""
    text = normalize_cas(cas)
    error = invalid_cas_message(cas, text)
    if error:
        raise ValueError(error)
    return _lookup_cas_cached(text)


def lookup(cas_or_name: str) -> ChemicalIdentity | None:
    """Identity of a substance given a CAS number or a name (English, IUPAC, common or Chinese).

    A text shaped like a CAS number (``digits-digits-digit``, fullwidth accepted) is
    validated first: a wrong check digit raises ValueError naming the problem. A
    well-formed CAS number or a name that nothing knows returns None. Results are
    cached; the first call loads the chemicals databases.
    """
    text = normalize_cas(cas_or_name)
    if not text:
        return None
    if _CAS_SHAPE.match(text):
        if not CAS_RE.match(text) or cas_check_error(text):
            raise ValueError(invalid_cas_message(cas_or_name, text))
        return _lookup_cas_cached(text)
    # Names keep their inner spaces ("sulfuric acid"); only the ends are trimmed.
    name = str(cas_or_name).strip()
    return _lookup_name_cached(name)


def clear_cache() -> None:
    """Forget cached lookups (the loaded databases stay in memory)."""
    _lookup_cas_cached.cache_clear()
    _lookup_name_cached.cache_clear()


@functools.lru_cache(maxsize=8192)
def element_mass_fractions(cas: str) -> dict[str, float] | None:
    """Mass fraction of each element in a substance (``"7758-98-7"`` CuSO4 → {"Cu": 0.398, …}).

    From the formula in the chemicals database; None for an unknown substance or one
    without a formula (mixtures such as mineral oil). Cached: the matcher asks once
    per distinct substance.
    """
    from chemicals.elements import mass_fractions, simple_formula_parser

    text = normalize_cas(cas)
    if not _CAS_SHAPE.match(text) or cas_check_error(text):
        return None
    # Only the identity record: the formula needs neither properties nor safety tables.
    meta = _search(text)
    formula = getattr(meta, "formula", None)
    if not formula:
        return None
    try:
        return dict(mass_fractions(simple_formula_parser(formula)))
    except Exception:  # noqa: BLE001 - exotic formulas (ions, isotopes, polymers) are just unknown
        return None


@functools.lru_cache(maxsize=1024)  # the exemption checks ask for the same few elements ~10^4 times per park run
def element_symbol(cas: str) -> str | None:
    """The symbol of a chemical element given its CAS number (``7440-50-8`` → ``Cu``), else None."""
    from .element_symbols import SYMBOLS  # the periodic table shipped: no import of the chemicals package

    key = normalize_cas(cas)
    symbol = SYMBOLS.get(key)
    if symbol is not None or _CAS_SHAPE.match(key):
        return symbol
    from chemicals.elements import periodic_table  # a symbol or a name: the package's table reads those too

    try:
        return periodic_table[key].symbol
    except (KeyError, AttributeError):
        return None


def element_content(composition: dict[str, float], element_cas: str) -> float:
    """Mass fraction of an element in a mixture, counting it in its compounds too.

    5 % CuSO4 holds 2 % Cu: a limit written for the element must see the salt. Components
    without a known formula count only when they are the element itself.
    """
    symbol = element_symbol(element_cas)
    if symbol is None:
        return composition.get(element_cas, 0.0)
    total = 0.0
    for cas, fraction in composition.items():
        if cas == element_cas:
            total += fraction
            continue
        elements = _shipped_first(cas) if _CAS_SHAPE.match(cas) else None
        if elements:
            total += fraction * elements.get(symbol, 0.0)
    return total


@functools.lru_cache(maxsize=8192)
def _shipped_first(cas: str) -> dict[str, float] | None:
    """``element_mass_fractions`` from the shipped table when it has the substance: a park run's exemption checks
    ask for a few formulas, and loading the chemicals database for them cost ~0.15 s of a fresh process."""
    from .element_fraction_table import FRACTIONS  # generated by catalog.element_fractions; imports nothing

    try:
        return FRACTIONS[cas]
    except KeyError:
        return element_mass_fractions(cas)
