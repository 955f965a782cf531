"""Reactivity groups of wastes and the pairs that must not be mixed at one receiver.

The matcher's ``incompatible_mix`` rule (DESIGN, rule 13) keeps wastes of incompatible
reactivity groups away from the same need: acids with cyanides (HCN), acids with
sulfides (H2S), oxidisers with organics (fire). Each offer gets a bitmask of groups,
derived from three sources, OR-ed together:

* its HW category (``HW34`` → acid, ``HW33`` → cyanide, ``HW06`` → organic, …);
* a few individual HW codes whose list description names a reactive ingredient the
  category does not imply (``193-003-35`` liming with sodium sulfide → sulfide,
  ``900-306-34`` nitric-acid passivation → oxidiser, ``321-024-48`` aluminium dross →
  water-reactive, …);
* the CAS numbers of its declared components (any declared fraction > 0 counts: a
  trace of cyanide still makes HCN with acid, and when in doubt we block).

The groups follow the reactivity groups of the US EPA compatibility chart (EPA-600/2-80-076,
"A Method for Determining the Compatibility of Hazardous Wastes", 1980), folded into
the few that matter for park waste streams; ``epa_groups`` names the chart's group
numbers behind each. The incompatible pairs are DESIGN's three plus four that the chart
marks as generating heat, fire or toxic gas and that we judged clear enough to enforce:

* oxidiser + cyanide (chart 104 × 11: heat, fire, toxic gas);
* oxidiser + sulfide (chart 104 × 33: heat, fire, toxic gas SO2);
* water-reactive + acid, water-reactive + alkali (chart 107 "water-reactive substances":
  do not mix with any aqueous waste; spent acids and alkalis are aqueous).

Acid + alkali is deliberately *not* incompatible: neutralising a spent acid with a
spent alkali is a use the exemption list itself foresees (entries 20 and 21).
Pure Python, no I/O. Every CAS number here passes the check digit (tested).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "ReactivityGroup", "IncompatiblePair", "REACTIVITY_GROUPS", "INCOMPATIBLE_PAIRS",
    "ACID", "ALKALI", "CYANIDE", "SULFIDE", "OXIDISER", "ORGANIC", "WATER_REACTIVE",
    "CATEGORY_GROUPS", "CODE_GROUPS", "CAS_GROUPS",
    "groups_of", "group_names", "incompatible", "incompatibility_reasons", "describe_groups",
]

ACID = 1 << 0
ALKALI = 1 << 1
CYANIDE = 1 << 2
SULFIDE = 1 << 3
OXIDISER = 1 << 4
ORGANIC = 1 << 5
WATER_REACTIVE = 1 << 6


@dataclass(frozen=True, slots=True)
class ReactivityGroup:
    """One reactivity group: its bit in a mask, names and the EPA chart groups it stands for."""

    bit: int
    key: str
    name_zh: str
    name_en: str
    epa_groups: tuple[int, ...]


REACTIVITY_GROUPS: tuple[ReactivityGroup, ...] = (
    ReactivityGroup(ACID, "acid", "酸", "acid", (1, 2, 3)),
    ReactivityGroup(ALKALI, "alkali", "碱", "alkali", (10,)),
    ReactivityGroup(CYANIDE, "cyanide", "氰化物", "cyanide", (11,)),
    ReactivityGroup(SULFIDE, "sulfide", "硫化物", "sulfide", (33,)),
    ReactivityGroup(OXIDISER, "oxidiser", "氧化剂", "oxidiser", (104,)),
    # Organics: the chart's organic groups (4-31) and 101 "combustible and flammable".
    ReactivityGroup(ORGANIC, "organic", "有机物/易燃物", "organic/flammable", (4, 5, 13, 16, 17, 19, 20, 24, 29, 31, 101)),
    ReactivityGroup(WATER_REACTIVE, "water_reactive", "遇水反应物", "water-reactive", (107,)),
)
_GROUP_BY_BIT = {g.bit: g for g in REACTIVITY_GROUPS}


@dataclass(frozen=True, slots=True)
class IncompatiblePair:
    """Two groups that must not be mixed, with what happens and where the rule comes from."""

    a: int
    b: int
    hazard_zh: str
    hazard_en: str
    source: str


_DESIGN = "DESIGN rule 13"
_EPA = "EPA-600/2-80-076 compatibility chart"

INCOMPATIBLE_PAIRS: tuple[IncompatiblePair, ...] = (
    IncompatiblePair(ACID, CYANIDE, "酸与氰化物混合释放剧毒氰化氢", "acid + cyanide releases hydrogen cyanide",
                     f"{_DESIGN}; {_EPA} 1-3 × 11"),
    IncompatiblePair(ACID, SULFIDE, "酸与硫化物混合释放硫化氢", "acid + sulfide releases hydrogen sulfide",
                     f"{_DESIGN}; {_EPA} 1-3 × 33"),
    IncompatiblePair(OXIDISER, ORGANIC, "氧化剂与有机物混合可致放热、起火", "oxidiser + organic: heat, fire",
                     f"{_DESIGN}; {_EPA} 104 × 4-31, 101"),
    IncompatiblePair(OXIDISER, CYANIDE, "氧化剂与氰化物混合可致放热、起火、有毒气体",
                     "oxidiser + cyanide: heat, fire, toxic gas", f"{_EPA} 104 × 11"),
    IncompatiblePair(OXIDISER, SULFIDE, "氧化剂与硫化物混合可致放热、起火、二氧化硫",
                     "oxidiser + sulfide: heat, fire, sulfur dioxide", f"{_EPA} 104 × 33"),
    IncompatiblePair(WATER_REACTIVE, ACID, "遇水反应物与废酸（含水）剧烈反应", "water-reactive + aqueous acid: violent reaction",
                     f"{_EPA} 107 × 1-3"),
    IncompatiblePair(WATER_REACTIVE, ALKALI, "遇水反应物与废碱（含水）剧烈反应",
                     "water-reactive + aqueous alkali: violent reaction", f"{_EPA} 107 × 10"),
)

# Whole categories of the 2021 list. Organic: every category whose wastes are mainly
# organic compounds (solvents, oils, residues, paints, resins, pharmaceutical and
# pesticide wastes, organophosphorus, nitriles, phenols, ethers, organohalogens) —
# the chart makes all organic groups incompatible with strong oxidisers.
CATEGORY_GROUPS: dict[str, int] = {
    "HW02": ORGANIC, "HW04": ORGANIC, "HW06": ORGANIC, "HW08": ORGANIC, "HW09": ORGANIC,
    "HW11": ORGANIC, "HW12": ORGANIC, "HW13": ORGANIC, "HW37": ORGANIC, "HW38": ORGANIC,
    "HW39": ORGANIC, "HW40": ORGANIC, "HW45": ORGANIC,
    "HW07": CYANIDE,  # 热处理含氰废物
    "HW33": CYANIDE,  # 无机氰化物废物
    "HW34": ACID,  # 废酸
    "HW35": ALKALI,  # 废碱
}

# Individual codes whose list description names a reactive ingredient (2021 list).
CODE_GROUPS: dict[str, int] = {
    "193-003-35": SULFIDE,  # 使用氢氧化钙、硫化钠进行浸灰产生的废碱液 (hazards C, R)
    "251-015-35": SULFIDE,  # 石油炼制过程产生的废碱液和碱渣: refinery spent caustic is sulfidic
    "398-006-34": OXIDISER,  # 使用硝酸进行钻孔蚀胶处理产生的废酸液
    "900-305-34": OXIDISER,  # 使用硝酸剥落不合格镀层及挂架金属镀层产生的废酸液
    "900-306-34": OXIDISER,  # 使用硝酸进行钝化产生的废酸液
    "900-029-33": OXIDISER,  # 使用氰化物和双氧水进行化学抛光产生的废物
    "900-052-31": ACID,  # 废铅蓄电池 … 和酸液 (sulfuric acid electrolyte)
    "321-024-48": WATER_REACTIVE,  # 铝灰渣 (hazard R): releases H2, NH3 with water
    "321-026-48": WATER_REACTIVE,  # 再生铝铝灰渣和二次铝灰 (hazard R)
}

_A, _B, _CN, _S, _OX, _ORG, _W = ACID, ALKALI, CYANIDE, SULFIDE, OXIDISER, ORGANIC, WATER_REACTIVE

# Components by CAS number. A substance may belong to several groups (nitric acid is an
# acid and an oxidiser; acetic acid an acid and an organic).
CAS_GROUPS: dict[str, int] = {
    # acids
    "7664-93-9": _A,  # sulfuric acid
    "8014-95-7": _A,  # oleum
    "7647-01-0": _A,  # hydrochloric acid / hydrogen chloride
    "7664-39-3": _A,  # hydrofluoric acid
    "7664-38-2": _A,  # phosphoric acid
    "10035-10-6": _A,  # hydrobromic acid
    "16961-83-4": _A,  # fluorosilicic acid
    "7782-99-2": _A,  # sulfurous acid
    "5329-14-6": _A,  # sulfamic acid
    "7697-37-2": _A | _OX,  # nitric acid
    "7601-90-3": _A | _OX,  # perchloric acid
    "64-19-7": _A | _ORG,  # acetic acid
    "64-18-6": _A | _ORG,  # formic acid
    "75-75-2": _A | _ORG,  # methanesulfonic acid
    "76-05-1": _A | _ORG,  # trifluoroacetic acid
    "79-21-0": _A | _ORG | _OX,  # peracetic acid
    # alkalis
    "1310-73-2": _B,  # sodium hydroxide
    "1310-58-3": _B,  # potassium hydroxide
    "1305-62-0": _B,  # calcium hydroxide
    "1310-65-2": _B,  # lithium hydroxide
    "497-19-8": _B,  # sodium carbonate
    "7664-41-7": _B,  # ammonia
    "1336-21-6": _B,  # ammonium hydroxide
    # cyanides
    "57-12-5": _CN,  # cyanide ion
    "74-90-8": _CN,  # hydrogen cyanide
    "143-33-9": _CN,  # sodium cyanide
    "151-50-8": _CN,  # potassium cyanide
    "592-01-8": _CN,  # calcium cyanide
    "544-92-3": _CN,  # copper(I) cyanide
    "557-21-1": _CN,  # zinc cyanide
    "506-64-9": _CN,  # silver cyanide
    "13967-50-5": _CN,  # potassium dicyanoaurate
    "506-61-6": _CN,  # potassium dicyanoargentate
    # sulfides
    "1313-82-2": _S,  # sodium sulfide
    "1312-73-8": _S,  # potassium sulfide
    "16721-80-5": _S,  # sodium hydrosulfide
    "20548-54-3": _S,  # calcium sulfide
    "12135-76-1": _S,  # ammonium sulfide
    "1317-37-9": _S,  # iron(II) sulfide
    "1314-98-3": _S,  # zinc sulfide
    "7783-06-4": _S,  # hydrogen sulfide
    "1314-80-3": _S | _W,  # phosphorus pentasulfide
    # oxidisers
    "7722-84-1": _OX,  # hydrogen peroxide
    "7722-64-7": _OX,  # potassium permanganate
    "10101-50-5": _OX,  # sodium permanganate
    "7775-09-9": _OX,  # sodium chlorate
    "3811-04-9": _OX,  # potassium chlorate
    "7758-19-2": _OX,  # sodium chlorite
    "7681-52-9": _OX,  # sodium hypochlorite
    "7778-54-3": _OX,  # calcium hypochlorite
    "7601-89-0": _OX,  # sodium perchlorate
    "7778-74-7": _OX,  # potassium perchlorate
    "7631-99-4": _OX,  # sodium nitrate
    "7757-79-1": _OX,  # potassium nitrate
    "6484-52-2": _OX,  # ammonium nitrate
    "7775-27-1": _OX,  # sodium persulfate
    "7727-21-1": _OX,  # potassium persulfate
    "7727-54-0": _OX,  # ammonium persulfate
    "1313-60-6": _OX,  # sodium peroxide
    "7778-50-9": _OX,  # potassium dichromate
    "10588-01-9": _OX,  # sodium dichromate
    "7789-09-5": _OX,  # ammonium dichromate
    "1333-82-0": _OX,  # chromium trioxide
    "7782-50-5": _OX,  # chlorine
    "10049-04-4": _OX,  # chlorine dioxide
    # organics: solvents, oils, monomers common in park streams
    "108-88-3": _ORG,  # toluene
    "1330-20-7": _ORG,  # xylene (mixed)
    "95-47-6": _ORG,  # o-xylene
    "108-38-3": _ORG,  # m-xylene
    "106-42-3": _ORG,  # p-xylene
    "71-43-2": _ORG,  # benzene
    "100-41-4": _ORG,  # ethylbenzene
    "100-42-5": _ORG,  # styrene
    "110-54-3": _ORG,  # n-hexane
    "110-82-7": _ORG,  # cyclohexane
    "67-64-1": _ORG,  # acetone
    "78-93-3": _ORG,  # butanone
    "108-94-1": _ORG,  # cyclohexanone
    "67-56-1": _ORG,  # methanol
    "64-17-5": _ORG,  # ethanol
    "67-63-0": _ORG,  # isopropanol
    "71-36-3": _ORG,  # n-butanol
    "107-21-1": _ORG,  # ethylene glycol
    "141-78-6": _ORG,  # ethyl acetate
    "123-86-4": _ORG,  # butyl acetate
    "109-99-9": _ORG,  # tetrahydrofuran
    "68-12-2": _ORG,  # N,N-dimethylformamide
    "75-05-8": _ORG,  # acetonitrile
    "107-13-1": _ORG,  # acrylonitrile
    "62-53-3": _ORG,  # aniline
    "98-95-3": _ORG,  # nitrobenzene
    "108-95-2": _ORG,  # phenol
    "50-00-0": _ORG,  # formaldehyde
    "75-07-0": _ORG,  # acetaldehyde
    "91-20-3": _ORG,  # naphthalene
    "108-90-7": _ORG,  # chlorobenzene
    "75-09-2": _ORG,  # dichloromethane
    "67-66-3": _ORG,  # chloroform
    "56-23-5": _ORG,  # carbon tetrachloride
    "107-06-2": _ORG,  # 1,2-dichloroethane
    "79-01-6": _ORG,  # trichloroethylene
    "127-18-4": _ORG,  # tetrachloroethylene
    "64742-54-7": _ORG,  # heavy paraffinic base oil
    "8008-20-6": _ORG,  # kerosene
    "8006-61-9": _ORG,  # gasoline
    "68476-34-6": _ORG,  # diesel fuel
    "8002-05-9": _ORG,  # petroleum (crude oil)
    "8007-45-2": _ORG,  # coal tar
    "65996-93-2": _ORG,  # coal-tar pitch
    # water-reactive
    "7440-23-5": _W,  # sodium metal
    "7440-09-7": _W,  # potassium metal
    "7439-93-2": _W,  # lithium metal
    "7789-78-8": _W,  # calcium hydride
    "16853-85-3": _W,  # lithium aluminium hydride
    "75-20-7": _W,  # calcium carbide
    "7446-70-0": _W,  # aluminium chloride (anhydrous)
    "7719-09-7": _W,  # thionyl chloride
    "10025-87-3": _W,  # phosphoryl chloride
    "7550-45-0": _W,  # titanium tetrachloride
    "10026-04-7": _W,  # silicon tetrachloride
    "7646-78-8": _W,  # tin(IV) chloride
}


def groups_of(waste_code: str | None, components: Iterable[tuple[str, float]] = ()) -> int:
    """The reactivity-group mask of a waste: its HW code's category and code, and its components.

    ``components`` are ``(substance key, mass fraction)`` pairs; keys that are not CAS
    numbers of :data:`CAS_GROUPS` contribute nothing; a fraction of 0 contributes nothing.
    """
    mask = 0
    if waste_code:
        mask |= CODE_GROUPS.get(waste_code, 0)
        if len(waste_code) >= 2 and waste_code[-2:].isdigit():
            mask |= CATEGORY_GROUPS.get(f"HW{waste_code[-2:]}", 0)
    for key, fraction in components:
        if fraction > 0:
            mask |= CAS_GROUPS.get(key, 0)
    return mask


def incompatibility_reasons(groups_a: int, groups_b: int) -> list[IncompatiblePair]:
    """The incompatible pairs that two wastes with these group masks would form if mixed."""
    return [p for p in INCOMPATIBLE_PAIRS
            if (groups_a & p.a and groups_b & p.b) or (groups_a & p.b and groups_b & p.a)]


def incompatible(groups_a: int, groups_b: int) -> bool:
    """True if wastes with these group masks must not go to the same receiver."""
    a, b = int(groups_a), int(groups_b)
    for p in INCOMPATIBLE_PAIRS:
        if (a & p.a and b & p.b) or (a & p.b and b & p.a):
            return True
    return False


def group_names(mask: int) -> list[str]:
    """Keys of the groups in ``mask`` (``["acid", "oxidiser"]``), in table order."""
    return [g.key for g in REACTIVITY_GROUPS if int(mask) & g.bit]


def describe_groups(mask: int) -> str:
    """``"酸 acid, 氧化剂 oxidiser"``; ``"none"`` for an empty mask."""
    names = [f"{g.name_zh} {g.name_en}" for g in REACTIVITY_GROUPS if int(mask) & g.bit]
    return ", ".join(names) if names else "none"
