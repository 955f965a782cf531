"""General industrial solid waste categories (一般工业固体废物类别) SW01–SW59.

Non-hazardous industrial residues (fly ash, slag, gypsum, sludge, …) are not in the
hazardous-waste list; they are classified by category codes ``SWnn``. The category
names follow the industrial part of China's general-solid-waste classification: the
brief cites GB/T 39198-2020《一般固体废物分类与代码》, and the same SW categories are
used by the MEE catalogue 《固体废物分类与代码目录》(2024), whose full codes look like
``NNN-NNN-Snn`` (industry, sequence, category) with ``S01``–``S59`` (``S08`` unused)
reserved for industrial solid waste. The English names and the typical utilisation
routes (``uses``) are our own short notes for matching, not text of either document.
Pure Python, no I/O.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["SolidWasteCategory", "SOLID_WASTE_CATEGORIES", "solid_waste_category", "is_solid_waste_category"]


@dataclass(frozen=True, slots=True)
class SolidWasteCategory:
    """One general industrial solid waste category."""

    code: str  # "SW02"
    name_zh: str  # "粉煤灰"
    name_en: str  # "Fly ash"
    uses: tuple[str, ...]  # typical utilisation routes (English, ours), best first
    uses_zh: tuple[str, ...] = ()  # the same routes in Chinese, where we wrote them


SOLID_WASTE_CATEGORIES: tuple[SolidWasteCategory, ...] = (
    SolidWasteCategory(
        "SW01", "冶炼废渣", "Smelting slag (iron, steel, ferro-alloy and non-ferrous slags)",
        ("granulated blast-furnace slag as cement or concrete admixture", "steel slag aggregate and road base",
         "recovery of residual metal"),
        ("矿渣微粉/水泥掺合料", "钢渣骨料与路基材料", "回收残余金属"),
    ),
    SolidWasteCategory(
        "SW02", "粉煤灰", "Fly ash (coal combustion)",
        ("cement raw material and concrete admixture", "fly-ash bricks and blocks", "road base and backfill"),
        ("水泥原料与混凝土掺合料", "粉煤灰砖和砌块", "路基与回填"),
    ),
    SolidWasteCategory(
        "SW03", "炉渣", "Boiler slag and bottom ash",
        ("aggregate for bricks and blocks", "road base", "cement raw material"),
        ("制砖与砌块骨料", "路基材料", "水泥原料"),
    ),
    SolidWasteCategory(
        "SW04", "煤矸石", "Coal gangue",
        ("fuel for fluidised-bed power plants", "fired bricks and cement raw material", "mine backfill and land reclamation"),
        ("循环流化床发电燃料", "烧结砖与水泥原料", "井下充填与土地复垦"),
    ),
    SolidWasteCategory(
        "SW05", "尾矿", "Mine tailings",
        ("mine backfill", "building sand and aggregate", "re-concentration of valuable minerals"),
        ("井下充填", "建筑用砂与骨料", "有价组分再选"),
    ),
    SolidWasteCategory(
        "SW06", "脱硫石膏", "Flue-gas desulfurisation (FGD) gypsum",
        ("cement set retarder", "gypsum board and plaster", "soil conditioner for saline-alkali land"),
        ("水泥缓凝剂", "石膏板与粉刷石膏", "盐碱地土壤改良"),
    ),
    SolidWasteCategory(
        "SW07", "污泥", "Sludge (non-hazardous industrial sludge)",
        ("co-processing in cement kilns", "co-incineration for energy", "brick and ceramsite making"),
        ("水泥窑协同处置", "掺烧发电", "制砖与陶粒"),
    ),
    SolidWasteCategory(
        "SW09", "赤泥", "Red mud (bauxite residue)",
        ("iron recovery", "road base and building materials after dealkalisation", "cement raw material"),
        ("回收铁", "脱碱后用作路基和建材", "水泥原料"),
    ),
    SolidWasteCategory(
        "SW10", "磷石膏", "Phosphogypsum",
        ("cement set retarder after purification", "building gypsum and board", "road base and mine backfill"),
        ("净化后作水泥缓凝剂", "建筑石膏与石膏板", "路基与矿山充填"),
    ),
    SolidWasteCategory(
        "SW11", "工业副产石膏", "Other industrial by-product gypsum (titanium, citric-acid, fluoro-gypsum, etc.)",
        ("cement set retarder", "building gypsum"),
        ("水泥缓凝剂", "建筑石膏"),
    ),
    SolidWasteCategory(
        "SW12", "钻井岩屑", "Drilling cuttings (water-based mud)",
        ("road base after treatment", "bricks and building materials"),
        ("处理后作路基材料", "制砖与建材"),
    ),
    SolidWasteCategory(
        "SW13", "食品残渣", "Food-processing residues",
        ("animal feed", "anaerobic digestion to biogas", "compost and organic fertiliser"),
        ("饲料", "厌氧消化产沼气", "堆肥与有机肥"),
    ),
    SolidWasteCategory(
        "SW14", "纺织皮革业废物", "Textile and leather industry waste",
        ("recycled fibre", "non-woven and felt products", "energy recovery"),
        ("再生纤维", "无纺布与毡类制品", "能量回收"),
    ),
    SolidWasteCategory(
        "SW15", "造纸印刷业废物", "Paper-making and printing industry waste",
        ("fibre recovery and board making", "co-firing in boilers", "building materials"),
        ("回收纤维与制板", "锅炉掺烧", "建材原料"),
    ),
    SolidWasteCategory(
        "SW16", "化工废物", "Chemical industry waste (e.g. carbide slag)",
        ("carbide slag as cement raw material or desulfurisation sorbent", "recovery of useful components"),
        ("电石渣作水泥原料或脱硫剂", "回收有用组分"),
    ),
    SolidWasteCategory(
        "SW17", "可再生类废物", "Recyclable waste (scrap metal, waste paper, plastics, glass, rubber, wood)",
        ("recycling into secondary raw materials",),
        ("再生利用为再生原料",),
    ),
    SolidWasteCategory(
        "SW59", "其他工业固体废物", "Other industrial solid waste",
        ("case by case: building materials, co-processing or landfill",),
        ("视具体情况：建材利用、协同处置或填埋",),
    ),
)

_BY_CODE = {c.code: c for c in SOLID_WASTE_CATEGORIES}
# "SW02", "sw2", "S02", or a full catalogue code ending in the category ("441-001-S02").
_CODE_RE = re.compile(r"^(?:.*-)?S[W]?(\d{1,2})$")


def _key(code: str) -> str:
    # NFKC folds fullwidth digits, letters and dashes typed with Chinese input methods.
    text = unicodedata.normalize("NFKC", str(code or "")).strip().upper().replace(" ", "")
    m = _CODE_RE.match(text)
    if m:
        return f"SW{int(m.group(1)):02d}"
    return text


def is_solid_waste_category(code: str) -> bool:
    """True if ``code`` names a general industrial solid waste category (spellings as in :func:`solid_waste_category`)."""
    return _key(code) in _BY_CODE


def solid_waste_category(code: str) -> SolidWasteCategory:
    """The category for ``code``: ``"SW02"``, ``"sw2"``, ``"S02"`` or a full code ``"NNN-NNN-S02"``.

    Raises KeyError with a message when no such category exists (e.g. ``SW08``,
    which the classification leaves unused).
    """
    key = _key(code)
    try:
        return _BY_CODE[key]
    except KeyError:
        raise KeyError(
            f"no general industrial solid waste category {code!r}; known: {', '.join(_BY_CODE)}"
        ) from None
