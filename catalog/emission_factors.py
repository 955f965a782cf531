"""Screening-level GHG emission factors per material class, for avoided-CO2e estimates.

The park report estimates, for each material flow (an offer going from a producer to
a receiver), the CO2e avoided by managing the material the receiver's way instead of
the producer's current way, and the CO2e of trucking it there. This module holds the
small table that estimate rests on, written by us from published facts: every number
names its source (``SOURCES``) and, where it is derived rather than read off a table,
the note of its class shows the arithmetic.

These are **screening-level** factors for ranking and communicating opportunities,
not a certified carbon account (not ISO 14064, not a CCER methodology). They come
from global or foreign averages, not from Chinese plant data.

Units and sign convention
    ``MaterialClass.factors[pathway]`` is kg CO2e per tonne (1000 kg) of the material
    managed by that pathway. Positive = emitted; negative = a net saving (e.g.
    recycling that displaces virgin production). Avoided emissions of a flow are
    ``tonnes × (factor[baseline] − factor[new])``: positive = the exchange saves CO2e.

Rules that keep the table honest
    * A pathway absent from a class's factors means "no defensible number found";
      :func:`avoided_co2e_kg` then returns 0.0 rather than guess.
    * Where a saving term was not found (e.g. the virgin-production credit of a
      regenerated solvent), it is left out, so the estimate errs low, never high.
    * The ``other`` class has no factors: unknown material never invents savings.

Pure Python, no I/O.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from .cas import normalize_cas
from .waste_codes import category_of, is_hw_code

__all__ = [
    "Source", "SOURCES", "PATHWAYS", "MaterialClass", "MATERIAL_CLASSES",
    "ROAD_FREIGHT_KG_CO2E_PER_TKM", "ROAD_FREIGHT_SOURCE",
    "classify_material", "route_pathway", "purpose_pathway",
    "avoided_co2e_kg", "transport_co2e_kg", "factor_table", "sources_table",
]


@dataclass(frozen=True, slots=True)
class Source:
    """One published document a factor is taken or derived from."""

    key: str
    title: str
    publisher: str
    year: int | None  # None for undated web pages
    locator: str  # table / page / section the numbers come from
    url: str = ""

    def citation(self) -> str:
        """Full citation text for a report appendix."""
        year = str(self.year) if self.year else "n.d."
        text = f"{self.publisher} ({year}). {self.title}. {self.locator}."
        return f"{text} {self.url}" if self.url else text


SOURCES: dict[str, Source] = {s.key: s for s in (
    Source(
        "worldsteel_raw_materials",
        "Raw materials (steel topics): 'Maximising scrap use helps reduce CO2 emissions'",
        "World Steel Association (worldsteel)", None,
        "Section on scrap: about 650 Mt of scrap consumed per year for steelmaking avoids "
        "approximately 975 Mt of CO2 per year",
        "https://worldsteel.org/steel-topics/raw-materials/",
    ),
    Source(
        "copper_alliance_recycling",
        "Copper Recycling (fact sheet)",
        "International Copper Association / Copper Alliance", None,
        "§3 'Recycling saves CO2 and energy' (recycling saves 40 million t CO2 per year worldwide) "
        "and §5 'Copper, the recycling champion' (around 9 million t of copper per year from old and new scrap)",
        "https://copperalliance.org/",
    ),
    Source(
        "ipcc_gpg2000_cement",
        "Good Practice Guidance and Uncertainty Management in National Greenhouse Gas Inventories, "
        "background paper 'CO2 emissions from cement production' (M. J. Gibbs, P. Soyka, D. Conneely, ICF)",
        "IPCC National Greenhouse Gas Inventories Programme", 2000,
        "Clinker emission factor: IPCC default CaO fraction of clinker 64.6 % gives 0.507 t CO2 per t clinker",
        "https://www.ipcc-nggip.iges.or.jp/public/gp/english/",
    ),
    Source(
        "ipcc2006_v5_ch5",
        "2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 5 Waste, "
        "Ch. 5 Incineration and Open Burning of Waste",
        "IPCC / IGES", 2006,
        "§5.2.1 CO2 emissions, Equation 5.1 (CO2 = mass × carbon fraction × fossil carbon fraction "
        "× oxidation factor × 44/12); used here as the formula only, with carbon fractions from stoichiometry",
        "https://www.ipcc-nggip.iges.or.jp/public/2006gl/vol5.html",
    ),
    Source(
        "iupac_atomic_weights",
        "Standard atomic weights (conventional values)",
        "IUPAC Commission on Isotopic Abundances and Atomic Weights (CIAAW)", 2021,
        "Conventional atomic weights C 12.011, H 1.008, N 14.007, O 15.999, Ca 40.078",
        "https://www.ciaaw.org/atomic-weights.htm",
    ),
    Source(
        "ghgi_crude_oil_carbon",
        "UNFCCC GHG inventory training course, Energy sector, Topic 2 'Basic emission processes' (p. 8)",
        "Greenhouse Gas Management Institute for the UNFCCC secretariat", 2010,
        "Carbon content of crude oil: world average API gravity 32.5 ± 2 gives about 85 ± 1 % carbon by mass",
        "https://member.ghginstitute.org/ghgcourses/UNFCCC/updated/feb2010/energy/l01_t02_p08.html",
    ),
    Source(
        "us_40cfr98_hh1",
        "40 CFR Part 98 Subpart HH (Municipal Solid Waste Landfills), Table HH-1 "
        "'Emissions Factors, Oxidation Factors and Methods'",
        "US EPA (Code of Federal Regulations)", 2024,
        "DOC (inerts, e.g. glass, plastics, metal, concrete) = 0.00 weight fraction, wet basis",
        "https://www.ecfr.gov/current/title-40/chapter-I/subchapter-C/part-98/subpart-HH",
    ),
    Source(
        "defra_2012_annex7",
        "2012 Guidelines to Defra / DECC's GHG Conversion Factors for Company Reporting, "
        "Annex 7 Freight Transport Conversion Tables",
        "UK Defra / DECC", 2012,
        "Table 7e, Diesel HGV road freight, tonne.km basis, row 'ALL HGVs UK average' "
        "(57 % weight laden, 7.40 t average payload): total direct GHG 0.12366 kg CO2e per tonne.km "
        "(0.14993 including indirect, well-to-tank)",
        "https://www.gov.uk/government/collections/government-conversion-factors-for-company-reporting",
    ),
)}

PATHWAYS: tuple[str, ...] = ("landfill", "incineration", "recycling", "co_processing", "energy_recovery")


@dataclass(frozen=True, slots=True)
class MaterialClass:
    """A class of material with kg CO2e per tonne for each pathway we could support."""

    key: str
    name_zh: str
    name_en: str
    factors: Mapping[str, float]  # pathway -> kg CO2e per tonne; missing = unknown
    sources: tuple[str, ...]  # keys into SOURCES
    note: str  # one line: what the numbers assume


def _mc(key: str, name_zh: str, name_en: str, factors: dict[str, float],
        sources: tuple[str, ...], note: str) -> MaterialClass:
    # Read-only mapping: the table is shared module state.
    return MaterialClass(key, name_zh, name_en, MappingProxyType(dict(factors)), sources, note)


# Derived constants, kept as arithmetic so a reviewer can re-run it.
_C, _H, _N, _O, _CA = 12.011, 1.008, 14.007, 15.999, 40.078
_CO2_PER_C = (_C + 2 * _O) / _C  # 3.664 kg CO2 per kg C (the "44/12" of IPCC Eq. 5.1)
# N-methyl-2-pyrrolidone C5H9NO, the solvent of the park's battery-coating lines.
_NMP_C_FRACTION = 5 * _C / (5 * _C + 9 * _H + _N + _O)  # 0.6058
# Saturated hydrocarbon chain (CH2)n: polyolefins (PP, PE) and paraffinic base oils.
_CH2_C_FRACTION = _C / (_C + 2 * _H)  # 0.8563
_SOLVENT_INCINERATION = float(round(1000 * _NMP_C_FRACTION * _CO2_PER_C))  # 2220
_CH2_INCINERATION = float(round(1000 * _CH2_C_FRACTION * _CO2_PER_C))  # 3137
# Calcination CO2 of clinker: CaO fraction 0.646 × M(CO2)/M(CaO) = 0.507 t/t.
_CLINKER_CO2 = float(round(1000 * 0.646 * (_C + 2 * _O) / (_CA + _O)))  # 507

MATERIAL_CLASSES: dict[str, MaterialClass] = {m.key: m for m in (
    _mc("solvent", "废有机溶剂", "Spent organic solvents",
        {"incineration": _SOLVENT_INCINERATION, "recycling": 0.0},
        ("ipcc2006_v5_ch5", "iupac_atomic_weights"),
        "Incineration: pure NMP (C5H9NO), carbon 60.58 % × fossil 1 × oxidised 1 × 44.01/12.011 = 2220; "
        "aqueous mixtures emit proportionally less. Recycling 0: regeneration energy and the "
        "virgin-solvent credit are both left out (not found), so only the avoided combustion counts."),
    _mc("mineral_oil", "废矿物油", "Waste mineral oil",
        {"incineration": _CH2_INCINERATION, "recycling": 0.0},
        ("ipcc2006_v5_ch5", "iupac_atomic_weights", "ghgi_crude_oil_carbon"),
        "Incineration: base oil taken as (CH2)n, carbon 85.63 % (cf. crude oil 85 ± 1 %) × 44.01/12.011 = 3137; "
        "water and sediment lower it. Recycling 0: re-refining energy and virgin base-oil credit left out."),
    _mc("ferrous_scrap", "废钢铁", "Ferrous metal scrap",
        {"landfill": 0.0, "incineration": 0.0, "recycling": -1500.0},
        ("worldsteel_raw_materials", "us_40cfr98_hh1"),
        "Recycling: worldsteel ~975 Mt CO2 avoided / ~650 Mt scrap per year = 1.5 t CO2 per t scrap. "
        "Landfill 0: metals are inert (DOC 0). Incineration 0: no carbon to oxidise."),
    _mc("copper_scrap", "废铜（金属态）", "Metallic copper scrap",
        {"landfill": 0.0, "incineration": 0.0, "recycling": -4444.0},
        ("copper_alliance_recycling", "us_40cfr98_hh1"),
        "Recycling: Copper Alliance 40 Mt CO2 saved / ~9 Mt copper recycled per year = 4.44 t CO2 per t Cu; "
        "per tonne of copper metal, not of copper-bearing waste. Landfill and incineration 0 as for metals."),
    _mc("copper_bearing", "含铜废物（蚀刻液、污泥）", "Copper-bearing wastes (etchants, sludges)",
        {}, (),
        "No factor: the copper credit is per tonne of contained Cu and the Cu content of etchants "
        "and sludges varies too much to assume; no avoided emission is claimed."),
    _mc("nonferrous_other", "其他有色金属废物（镍、锌、铅、铝等）",
        "Other non-ferrous metal wastes (nickel, zinc, lead, aluminium, plating sludge)",
        {}, (),
        "No factor found that we could cite per tonne of waste; no avoided emission is claimed."),
    _mc("catalyst", "废催化剂（含贵金属）", "Spent catalysts (incl. precious-metal)",
        {}, (),
        "No factor: metal content and recovery route vary by catalyst; no avoided emission is claimed."),
    _mc("acid_alkali", "废酸、废碱", "Spent acids and alkalis",
        {}, (),
        "No factor: neither neutralisation nor the displaced virgin acid/alkali has a cited number here."),
    _mc("ash_slag", "粉煤灰、炉渣、冶炼渣", "Fly ash and slag (cement/concrete substitute)",
        {"landfill": 0.0, "recycling": -_CLINKER_CO2},
        ("ipcc_gpg2000_cement", "iupac_atomic_weights", "us_40cfr98_hh1"),
        "Recycling: 1 t ash/slag assumed to displace 1 t clinker; calcination CO2 only, 0.646 CaO × 44.01/56.08 "
        "= 0.507 t (kiln fuel excluded, so low). Landfill 0: mineral, inert (DOC 0)."),
    _mc("gypsum", "工业副产石膏（脱硫石膏、磷石膏）", "By-product gypsum (FGD gypsum, phosphogypsum)",
        {}, (),
        "No factor: the displaced natural gypsum has no cited number here; no avoided emission is claimed."),
    _mc("plastics", "废塑料", "Plastics",
        {"landfill": 0.0, "incineration": _CH2_INCINERATION, "recycling": 0.0},
        ("ipcc2006_v5_ch5", "iupac_atomic_weights", "us_40cfr98_hh1"),
        "Incineration: polyolefin (CH2)n, carbon 85.63 % × 44.01/12.011 = 3137 (PET, PVC lower). Landfill 0: "
        "plastics are inert (DOC 0). Recycling 0: reprocessing energy and virgin-polymer credit left out."),
    _mc("biomass", "有机生物质残渣（酒糟、酵母、污泥）", "Organic biomass residues (spent grain, yeast, sludge)",
        {}, (),
        "No factor: landfill methane depends on gas capture we cannot cite here; biogenic CO2 is not counted."),
    _mc("medical_destruction", "医疗废物及其他须销毁废物", "Medical and other wastes for destruction",
        {}, (),
        "Destruction only: no reuse pathway, so no avoided emission is claimed."),
    _mc("other", "其他", "Other / unclassified",
        {}, (),
        "Fallback: no factors, so unknown material never invents savings."),
)}

ROAD_FREIGHT_KG_CO2E_PER_TKM: float = 0.12366
ROAD_FREIGHT_SOURCE: str = "defra_2012_annex7"

# --- classification -----------------------------------------------------------------

# HW category (last two digits of the code) → class. Categories not listed fall
# through to the title keywords, e.g. HW49 "other wastes" and HW09 emulsions (mostly
# water, so the mineral-oil factor would overstate them).
_HW_CLASS: dict[str, str] = {
    "HW01": "medical_destruction", "HW03": "medical_destruction",
    "HW06": "solvent",
    "HW08": "mineral_oil",
    "HW17": "nonferrous_other", "HW23": "nonferrous_other", "HW31": "nonferrous_other",
    "HW46": "nonferrous_other", "HW48": "nonferrous_other",
    "HW22": "copper_bearing",
    "HW34": "acid_alkali", "HW35": "acid_alkali",
    "HW50": "catalyst",
}

# General industrial solid waste categories (catalog.solid_waste) → class.
_SW_CLASS: dict[str, str] = {
    "SW01": "ash_slag", "SW02": "ash_slag", "SW03": "ash_slag",
    "SW06": "gypsum", "SW10": "gypsum", "SW11": "gypsum",
    "SW07": "biomass", "SW13": "biomass",
}
_SW_RE = re.compile(r"^(?:.*-)?SW?(\d{1,2})$")

_ASCII_WORD = r"(?<![A-Za-z])(?:{})(?![A-Za-z])"

# Title keywords, checked in this order: specific before general, so 含铜污泥 is copper
# not biomass and 钢渣 is slag not steel scrap. 飞灰 (MSW-incineration fly ash, HW18)
# is deliberately absent: it is hazardous and not a cement substitute.
_KEYWORDS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("medical_destruction", ("医疗废物", "过期药品", "废药品"), ("medical waste", "clinical waste")),
    ("ash_slag", ("粉煤灰", "炉渣", "钢渣", "水渣", "矿渣", "高炉渣", "灰渣"), ("fly ash", "slag", "ggbs")),
    ("gypsum", ("石膏",), ("gypsum",)),
    ("catalyst", ("催化剂",), ("catalyst",)),
    ("copper_scrap", ("废铜", "铜屑", "铜线", "铜粉", "紫铜", "黄铜"), ("copper scrap", "copper wire")),
    ("copper_bearing", ("蚀刻", "含铜", "铜泥", "硫酸铜", "氯化铜"), ("etchant", "copper")),
    ("nonferrous_other", ("镍", "锌", "铅", "铝", "电镀污泥"), ("nickel", "zinc", "lead", "aluminium", "aluminum")),
    ("ferrous_scrap", ("废钢", "铁屑", "废铁", "钢屑", "铁桶", "钢桶", "铁皮"), ("steel scrap", "scrap steel", "iron scrap")),
    ("solvent", ("溶剂", "丙酮", "甲醇", "乙醇", "异丙醇", "甲苯", "二甲苯", "乙酸乙酯", "二氯甲烷", "四氢呋喃"),
     ("solvent", "acetone", "methanol", "ethanol", "toluene", "xylene", "nmp", "dmf")),
    ("mineral_oil", ("矿物油", "废机油", "润滑油", "液压油"), ("mineral oil", "lubricant", "waste oil", "hydraulic oil")),
    ("acid_alkali", ("盐酸", "硫酸", "硝酸", "氢氟酸", "废酸", "液碱", "烧碱", "氢氧化钠", "氢氧化钾", "废碱"),
     ("acid", "caustic", "sodium hydroxide")),
    ("plastics", ("塑料", "聚丙烯", "聚乙烯", "吨桶"), ("plastic", "pp", "pe", "hdpe", "ldpe", "pet", "ibc")),
    ("biomass", ("酒糟", "酵母", "污泥", "菌渣", "豆渣", "果渣", "食品残渣", "木屑", "秸秆"),
     ("spent grain", "yeast", "sludge", "biomass")),
)

# Short ASCII tokens need word boundaries: "pe" must not match "pipe" or "type".
_ASCII_PATTERNS = {
    key: re.compile(_ASCII_WORD.format("|".join(re.escape(w) for w in en)), re.IGNORECASE)
    for key, _zh, en in _KEYWORDS
}

_CAS_CLASS: dict[str, str] = {
    **dict.fromkeys((
        "872-50-4",  # N-methyl-2-pyrrolidone
        "67-64-1", "67-56-1", "64-17-5", "67-63-0", "108-88-3", "1330-20-7", "68-12-2",
        "141-78-6", "75-09-2", "127-19-5", "109-99-9", "123-86-4", "108-94-1",
    ), "solvent"),
    **dict.fromkeys((
        "7647-01-0", "7664-93-9", "7697-37-2", "7664-38-2", "7664-39-3",  # HCl, H2SO4, HNO3, H3PO4, HF
        "1310-73-2", "1310-58-3",  # NaOH, KOH
    ), "acid_alkali"),
}


def _classify_title(title: str) -> str | None:
    text = unicodedata.normalize("NFKC", title)
    for key, zh, _en in _KEYWORDS:
        if any(w in text for w in zh) or _ASCII_PATTERNS[key].search(text):
            return key
    return None


def classify_material(*, waste_code: str | None, title: str | None = None, cas: Sequence[str] = ()) -> str:
    """The material class key for an offer; always a key of :data:`MATERIAL_CLASSES`.

    Tries, in order: the HW category of a hazardous-waste code (``900-214-08`` → HW08 →
    ``mineral_oil``), a general solid waste category (``SW02`` or ``NNN-NNN-S02``), keywords
    of the Chinese or English title (``粉煤灰`` → ``ash_slag``), then CAS numbers of common
    solvents, acids and alkalis; ``"other"`` when nothing matches.
    """
    code = unicodedata.normalize("NFKC", (waste_code or "")).strip().upper()
    if is_hw_code(code):
        hit = _HW_CLASS.get(category_of(code))
        if hit:
            return hit
    elif m := _SW_RE.match(code):
        hit = _SW_CLASS.get(f"SW{int(m.group(1)):02d}")
        if hit:
            return hit
    if title:
        hit = _classify_title(title)
        if hit:
            return hit
    for number in cas:
        hit = _CAS_CLASS.get(normalize_cas(number))
        if hit:
            return hit
    return "other"


# --- pathways -----------------------------------------------------------------------

# An offer's current route → the baseline pathway it would otherwise follow.
_ROUTE_PATHWAY: dict[str, str | None] = {
    "landfill": "landfill",
    "incineration": "incineration",
    # Hazardous waste sent for disposal in China goes to licensed incineration or
    # secure landfill; incineration is the route for the organic wastes (solvents,
    # oils, plastics) where the choice changes the result, and for metals and
    # minerals our incineration and landfill factors agree (both 0) or incineration
    # is missing (then no avoided emission is claimed).
    "disposal": "incineration",
    # Storage only defers disposal: the eventual fate is the same as "disposal".
    "storage": "incineration",
    # Already sold for use: no baseline, so no avoided emission is claimed.
    "sale": None,
}

_PURPOSE_PATHWAY: dict[str, str] = {
    "reuse": "recycling",
    "recycle": "recycling",
    "co_process": "co_processing",
    "recover_energy": "energy_recovery",
    "dispose": "incineration",
}


def route_pathway(current_route: str | None) -> str | None:
    """Baseline pathway for an offer's current route; None when no baseline applies.

    ``landfill`` and ``incineration`` map to themselves; ``disposal`` and ``storage`` to
    ``incineration`` (see the comment above ``_ROUTE_PATHWAY``); ``sale``, None and any
    unknown route to None.
    """
    if not current_route:
        return None
    return _ROUTE_PATHWAY.get(current_route.strip().lower())


def purpose_pathway(purpose: str | None) -> str | None:
    """New pathway for a receiver's purpose (``reuse``/``recycle`` → ``recycling``, …); None if unknown."""
    if not purpose:
        return None
    return _PURPOSE_PATHWAY.get(purpose.strip().lower())


def avoided_co2e_kg(material_class: str, tonnes: float, current_route: str | None, purpose: str | None) -> float:
    """kg CO2e avoided by sending ``tonnes`` of the class to the receiver's purpose instead of its current route.

    ``tonnes × (factor[baseline] − factor[new])``; positive = saving. Returns 0.0 when the
    class is unknown, either pathway is None, or the class lacks a factor for either
    pathway: the table never guesses.
    """
    mc = MATERIAL_CLASSES.get(material_class)
    baseline, new = route_pathway(current_route), purpose_pathway(purpose)
    if mc is None or baseline is None or new is None:
        return 0.0
    if baseline not in mc.factors or new not in mc.factors:
        return 0.0
    return float(tonnes) * (mc.factors[baseline] - mc.factors[new])


def transport_co2e_kg(tonne_km: float) -> float:
    """kg CO2e of road freight for ``tonne_km`` (tonnes × km), average laden HGV."""
    return float(tonne_km) * ROAD_FREIGHT_KG_CO2E_PER_TKM


# --- report tables ------------------------------------------------------------------

def sources_table() -> list[dict]:
    """Every source as plain data, with its full citation text."""
    return [
        {"key": s.key, "title": s.title, "publisher": s.publisher, "year": s.year,
         "locator": s.locator, "url": s.url, "citation": s.citation()}
        for s in SOURCES.values()
    ]


def factor_table() -> list[dict]:
    """The factor table as plain data for a report appendix, one row per class plus road freight.

    Each class row has ``kind="material"``, names, ``factors`` (pathway → kg CO2e/t, only the
    pathways we could support), ``unit``, ``note`` and ``sources`` (full citation texts).
    """
    rows: list[dict] = [
        {"kind": "material", "key": m.key, "name_zh": m.name_zh, "name_en": m.name_en,
         "factors": {p: m.factors[p] for p in PATHWAYS if p in m.factors},
         "unit": "kg CO2e per tonne", "note": m.note,
         "sources": [SOURCES[k].citation() for k in m.sources]}
        for m in MATERIAL_CLASSES.values()
    ]
    rows.append(
        {"kind": "transport", "key": "road_freight", "name_zh": "公路货运（重型货车平均载重）",
         "name_en": "Road freight (average laden HGV)",
         "factors": {"road_freight": ROAD_FREIGHT_KG_CO2E_PER_TKM},
         "unit": "kg CO2e per tonne.km",
         "note": "UK all-HGV average, direct (tank-to-wheel) emissions; Chinese trucks and loads differ.",
         "sources": [SOURCES[ROAD_FREIGHT_SOURCE].citation()]}
    )
    return rows
