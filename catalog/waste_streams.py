"""The zero-waste city's waste streams (无废城市 固体废物类别) and the categories of three of them.

A listing belongs to one stream: ``industrial`` (一般工业固体废物 and surplus chemicals),
``hazardous`` (危险废物), ``household`` (生活垃圾), ``construction`` (建筑垃圾) or
``agricultural`` (农业废弃物). Hazardous waste is classified by the codes of the National
Hazardous Waste List (``NNN-NNN-NN``) and general industrial solid waste by ``SW01``–``SW59``
(``catalog.solid_waste``). The other three streams have no national code list; the category
codes here (``CW01``–``CW05``, ``HH01``–``HH05``, ``AG01``–``AG04``) are OUR OWN keys, written
from the categories the standards and rules define:

* construction waste: CJJ/T 134-2019《建筑垃圾处理技术标准》 divides it into 工程渣土, 工程泥浆,
  工程垃圾, 拆除垃圾 and 装修垃圾;
* household waste: GB/T 19095-2019《生活垃圾分类标志》 names the four fractions 可回收物, 有害垃圾,
  厨余垃圾 and 其他垃圾, and (as a kind of its own) 大件垃圾;
* agricultural residues: the ones the national zero-waste indicator system counts (秸秆, 畜禽粪污,
  废旧农膜) and 农药包装废弃物 under《农药包装废弃物回收处理管理办法》(2020).

The receiving-facility kinds (``receivers``) are our own short notes for matching. The permit a
receiver needs (``permit``) follows the rules: 城市建筑垃圾处置核准 under 建设部令第139号
《城市建筑垃圾管理规定》(``construction_waste_disposal``); the licence for commercial collection,
transport and disposal of municipal household waste under 建设部令第157号《城市生活垃圾管理办法》
(``household_waste_service``). Household hazardous waste collected separately is exempt from HW
management only while it is collected (国家危险废物名录 2021, exemption list): its treatment needs
the HW business licence (``hw_licence``). Pesticide packaging may be recycled under the 2020 measures
(exempt from HW management when utilised); what goes to disposal is handled as hazardous waste
(``hw_licence`` for the purpose ``dispose``). Pure Python, no I/O.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .solid_waste import is_solid_waste_category, solid_waste_category
from .waste_codes import is_hw_code

__all__ = [
    "AGRICULTURAL",
    "CONSTRUCTION",
    "CONSTRUCTION_PERMIT",
    "HAZARDOUS",
    "HOUSEHOLD",
    "HOUSEHOLD_PERMIT",
    "HW_PERMIT",
    "HW_PERMIT_FOR_DISPOSAL",
    "INDUSTRIAL",
    "PERMITS",
    "STREAMS",
    "STREAMS_BY_KEY",
    "STREAM_CATEGORIES",
    "STREAM_KEYS",
    "Permit",
    "Stream",
    "StreamCategory",
    "category_stream",
    "infer_stream",
    "is_stream_category",
    "normalise_category",
    "stream_category",
    "stream_conflict",
]

INDUSTRIAL, HAZARDOUS, HOUSEHOLD, CONSTRUCTION, AGRICULTURAL = (
    "industrial", "hazardous", "household", "construction", "agricultural")

# What a receiver must hold (``StreamCategory.permit``).
CONSTRUCTION_PERMIT = "construction_waste_disposal"
HOUSEHOLD_PERMIT = "household_waste_service"
HW_PERMIT = "hw_licence"  # the HW business licence, whatever the need's purpose
HW_PERMIT_FOR_DISPOSAL = "hw_licence_for_disposal"  # the HW business licence when the need disposes


@dataclass(frozen=True, slots=True)
class Stream:
    """One waste stream of the zero-waste city."""

    key: str
    name_zh: str
    name_en: str


STREAMS: tuple[Stream, ...] = (
    Stream(INDUSTRIAL, "一般工业固体废物及富余化学品", "General industrial solid waste and surplus chemicals"),
    Stream(HAZARDOUS, "危险废物", "Hazardous waste"),
    Stream(HOUSEHOLD, "生活垃圾", "Household waste"),
    Stream(CONSTRUCTION, "建筑垃圾", "Construction waste"),
    Stream(AGRICULTURAL, "农业废弃物", "Agricultural residues"),
)
STREAM_KEYS: tuple[str, ...] = tuple(s.key for s in STREAMS)
STREAMS_BY_KEY = {s.key: s for s in STREAMS}


@dataclass(frozen=True, slots=True)
class Permit:
    """A licence kind a receiver of a stream needs, and the rule that requires it."""

    kind: str
    name_zh: str
    name_en: str
    source: str  # the regulation, as cited
    source_en: str  # the same in English (our translation of the title)


PERMITS: dict[str, Permit] = {p.kind: p for p in (
    Permit(CONSTRUCTION_PERMIT, "城市建筑垃圾处置核准", "Urban construction waste disposal approval",
           "建设部令第139号《城市建筑垃圾管理规定》(2005)",
           "Ministry of Construction Order No. 139, Provisions on Urban Construction Waste (2005)"),
    Permit(HOUSEHOLD_PERMIT, "城市生活垃圾经营性收集、运输、处置许可",
           "Licence for commercial collection, transport and disposal of household waste",
           "建设部令第157号《城市生活垃圾管理办法》(2007)",
           "Ministry of Construction Order No. 157, Measures on Urban Household Waste (2007)"),
)}


@dataclass(frozen=True, slots=True)
class StreamCategory:
    """One category of the construction, household or agricultural stream (our own code)."""

    code: str  # "CW04"
    stream: str  # "construction"
    name_zh: str
    name_en: str
    receivers: tuple[str, ...]  # typical receiving-facility kinds (English, ours), best first
    receivers_zh: tuple[str, ...]
    permit: str | None  # CONSTRUCTION_PERMIT, HOUSEHOLD_PERMIT, HW_PERMIT, HW_PERMIT_FOR_DISPOSAL or None

    @property
    def hazardous(self) -> bool:
        """Managed as hazardous waste where it is treated (household hazardous waste)."""
        return self.permit == HW_PERMIT


STREAM_CATEGORIES: tuple[StreamCategory, ...] = (
    # Construction waste (CJJ/T 134-2019): every receiver holds the disposal approval of Order 139.
    StreamCategory("CW01", CONSTRUCTION, "工程渣土", "Engineering spoil (excavated soil and rock)",
                   ("backfill and site levelling", "land reclamation", "construction-waste landfill (xiaonachang)"),
                   ("回填与场地平整", "土地复垦", "建筑垃圾消纳场"), CONSTRUCTION_PERMIT),
    StreamCategory("CW02", CONSTRUCTION, "工程泥浆", "Engineering mud and slurry",
                   ("dewatering and solidification, then backfill", "bricks and ceramsite from dried mud"),
                   ("脱水固化后回填", "干化泥浆制砖与陶粒"), CONSTRUCTION_PERMIT),
    StreamCategory("CW03", CONSTRUCTION, "工程垃圾", "Construction-site waste (new building)",
                   ("recycled aggregate plant", "road base", "recovery of steel and timber"),
                   ("再生骨料厂", "道路基层材料", "回收钢材与木材"), CONSTRUCTION_PERMIT),
    StreamCategory("CW04", CONSTRUCTION, "拆除垃圾", "Demolition waste",
                   ("recycled aggregate plant", "recycled bricks and blocks", "road base and backfill"),
                   ("再生骨料厂", "再生砖与砌块", "道路基层与回填"), CONSTRUCTION_PERMIT),
    StreamCategory("CW05", CONSTRUCTION, "装修垃圾", "Renovation and decoration waste",
                   ("sorting plant, then recycled aggregate", "recyclers of the light fraction (wood, plastics, metal)",
                    "incineration of the residue"),
                   ("分拣厂分选后制再生骨料", "轻物质（木材、塑料、金属）再生利用", "残余物焚烧"), CONSTRUCTION_PERMIT),
    # Household waste (GB/T 19095-2019); its services are licensed under Order 157.
    StreamCategory("HH01", HOUSEHOLD, "可回收物", "Recyclables",
                   ("sorting centre", "recyclers of paper, plastics, metal and glass"),
                   ("分拣中心", "废纸、塑料、金属、玻璃再生利用企业"), HOUSEHOLD_PERMIT),
    StreamCategory("HH02", HOUSEHOLD, "有害垃圾", "Household hazardous waste",
                   ("licensed hazardous-waste treatment (batteries, lamps, medicines, paints)",),
                   ("持危险废物经营许可证的单位（电池、灯管、药品、油漆等）",), HW_PERMIT),
    StreamCategory("HH03", HOUSEHOLD, "厨余垃圾", "Kitchen and food waste",
                   ("anaerobic digestion to biogas", "composting", "insect conversion (black soldier fly)"),
                   ("厌氧消化产沼气", "好氧堆肥", "昆虫转化（黑水虻）"), HOUSEHOLD_PERMIT),
    StreamCategory("HH04", HOUSEHOLD, "其他垃圾", "Residual waste",
                   ("waste-to-energy incineration", "sanitary landfill"),
                   ("焚烧发电", "卫生填埋"), HOUSEHOLD_PERMIT),
    StreamCategory("HH05", HOUSEHOLD, "大件垃圾", "Bulky waste (furniture, mattresses)",
                   ("bulky-waste dismantling centre", "wood and metal recyclers"),
                   ("大件垃圾拆解中心", "木材与金属再生利用"), HOUSEHOLD_PERMIT),
    # Agricultural residues: no permit for the receiver, except pesticide packaging going to disposal.
    StreamCategory("AG01", AGRICULTURAL, "秸秆", "Crop straw",
                   ("biomass energy (power, pellets)", "feed", "organic fertiliser", "biogas", "mushroom substrate"),
                   ("生物质能源（发电、成型燃料）", "饲料", "有机肥", "沼气", "食用菌基料"), None),
    StreamCategory("AG02", AGRICULTURAL, "畜禽粪污", "Livestock and poultry manure",
                   ("organic fertiliser", "biogas", "composting"),
                   ("有机肥", "沼气", "堆肥"), None),
    StreamCategory("AG03", AGRICULTURAL, "废旧农膜", "Waste agricultural film",
                   ("film recycling into plastic pellets",),
                   ("农膜回收造粒",), None),
    StreamCategory("AG04", AGRICULTURAL, "农药包装废弃物", "Pesticide packaging waste",
                   ("recycling into non-food products", "licensed hazardous-waste disposal"),
                   ("资源化利用（不得用于食品等包装）", "持证危险废物处置"), HW_PERMIT_FOR_DISPOSAL),
)
_BY_CODE = {c.code: c for c in STREAM_CATEGORIES}
_PREFIX_STREAM = {"CW": CONSTRUCTION, "HH": HOUSEHOLD, "AG": AGRICULTURAL}
_CODE_RE = re.compile(r"^(CW|HH|AG)(\d{1,2})$")


def _key(code: str | None) -> str:
    # NFKC folds fullwidth letters and digits typed with Chinese input methods.
    text = unicodedata.normalize("NFKC", str(code or "")).strip().upper().replace(" ", "")
    m = _CODE_RE.match(text)
    return f"{m.group(1)}{int(m.group(2)):02d}" if m else text


def is_stream_category(code: str | None) -> bool:
    """True if ``code`` is one of our construction, household or agricultural categories (``CW04``, ``hh3``)."""
    return _key(code) in _BY_CODE


def stream_category(code: str) -> StreamCategory:
    """The category for ``code`` (``"CW04"``, ``"cw4"``); KeyError with the known codes otherwise."""
    try:
        return _BY_CODE[_key(code)]
    except KeyError:
        raise KeyError(f"no waste-stream category {code!r}; known: {', '.join(_BY_CODE)}") from None


def normalise_category(code: str) -> str:
    """The canonical spelling of a category code (``"cw4"`` → ``"CW04"``), SW codes included."""
    key = _key(code)
    if key in _BY_CODE:
        return key
    return solid_waste_category(code).code if is_solid_waste_category(code) else key


def category_stream(code: str | None) -> str | None:
    """The stream a waste code or category names: HW code → hazardous, SW → industrial, ours → theirs; else None."""
    if not code:
        return None
    if is_hw_code(code):
        return HAZARDOUS
    if is_solid_waste_category(code):
        return INDUSTRIAL
    if is_stream_category(code):
        return _BY_CODE[_key(code)].stream
    return None


def infer_stream(waste_code: str | None, category: str | None = None) -> str:
    """The stream of a listing that states none: from its HW code, else its category, else ``industrial``.

    An HW code makes it hazardous; ``SWnn`` industrial; ``CWnn`` construction, ``HHnn``
    household, ``AGnn`` agricultural; no code (a surplus chemical) industrial.
    """
    return category_stream(waste_code) or category_stream(category) or INDUSTRIAL


def stream_conflict(stream: str, waste_code: str | None, category: str | None = None) -> str | None:
    """Why ``stream`` contradicts the listing's code or category (``中文 / English``), or None.

    An HW code is hazardous waste whatever else the listing says; a category belongs to
    its own stream.
    """
    for code in (waste_code, category):
        implied = category_stream(code)
        if implied is not None and implied != stream:
            want = STREAMS_BY_KEY[implied]
            return (f"{code} 属于{want.name_zh}，与所选类别不符 / "
                    f"{code} belongs to the {implied} stream ({want.name_en}), not {stream}")
    return None
