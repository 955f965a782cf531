"""A bilingual glossary of the materials and uses park listings name, for matching across languages.

Users title a listing in one language: a power plant writes 粉煤灰, a cement works abroad or an
English-speaking manager writes "fly ash as cement extender". Character n-grams cannot see that
these are the same material. Each :class:`Term` here is one concept with the words people use
for it in Chinese and in English; :func:`expand` returns, for a text, the canonical words of
every concept it mentions in *both* languages, which the matcher appends to the text before
vectorising, so a Chinese-only title and an English-only title of the same material share
n-grams.

The entries are ours, written from the vocabulary of 一般工业固体废物 and 国家危险废物名录
practice and the industrial-symbiosis literature; they name materials and routes, not
listings. English matching is on whole words (plural "s"/"es" allowed); Chinese matching is
by substring, longest words first and each match consumed (盐酸 is hydrochloric acid, not salt too).
Pure Python, no I/O.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["GENERIC", "TERMS", "TERMS_BY_KEY", "TERM_KEYS", "Term", "concepts", "expand"]


@dataclass(frozen=True, slots=True)
class Term:
    """One concept: its key, and the words for it in Chinese and English (canonical first)."""

    key: str
    zh: tuple[str, ...]
    en: tuple[str, ...]


def _t(key: str, zh: str, en: str) -> Term:
    return Term(key, tuple(zh.split("|")), tuple(en.split("|")))


TERMS: tuple[Term, ...] = (
    # --- ashes, slags, minerals -----------------------------------------------------------------
    _t("fly_ash", "粉煤灰|飞灰|电厂灰", "fly ash|pulverised fuel ash|pulverized fuel ash|pfa"),
    _t("bottom_ash", "炉渣|底渣|底灰|锅炉渣", "bottom ash|boiler slag|furnace bottom ash|clinker ash"),
    _t("slag", "矿渣|废渣|冶炼渣|熔渣", "slag|slags"),
    _t("bf_slag", "高炉渣|高炉水淬渣|水淬渣|粒化高炉矿渣|矿渣微粉", "blast-furnace slag|blast furnace slag|granulated slag|ggbs|ggbfs"),
    _t("steel_slag", "钢渣|转炉渣|转炉钢渣|电炉渣", "steel slag|converter slag|bof slag|ld slag|eaf slag"),
    _t("gypsum", "石膏|二水石膏|硫酸钙", "gypsum|calcium sulfate|calcium sulphate"),
    _t("fgd_gypsum", "脱硫石膏|烟气脱硫石膏", "fgd gypsum|desulfurisation gypsum|desulfurization gypsum|flue gas desulfurisation"),
    _t("phosphogypsum", "磷石膏", "phosphogypsum|phospho-gypsum"),
    _t("red_mud", "赤泥|氧化铝尾渣", "red mud|bauxite residue"),
    _t("lime_mud", "白泥|石灰泥|碱回收白泥", "lime mud|white mud"),
    _t("lime", "石灰|生石灰|熟石灰|氧化钙|氢氧化钙", "lime|quicklime|hydrated lime|slaked lime|calcium oxide|calcium hydroxide"),
    _t("limestone", "石灰石|石灰石粉|碳酸钙", "limestone|calcium carbonate"),
    _t("tailings", "尾矿|尾渣", "tailings|mine tailings"),
    _t("coal_gangue", "煤矸石", "coal gangue|colliery spoil"),
    _t("cinder", "煤渣|灰渣", "cinder|ash and slag"),
    _t("foundry_sand", "废砂|铸造废砂|型砂", "foundry sand|spent sand|casting sand"),
    _t("glass", "玻璃|碎玻璃|玻璃渣", "glass|cullet|glass cullet"),
    _t("aggregate", "骨料|集料|再生骨料", "aggregate|aggregates|secondary aggregate|recycled aggregate"),
    _t("clay", "粘土|黏土", "clay"),
    _t("silica", "二氧化硅|硅粉|微硅粉|硅灰", "silica|silicon dioxide|silica fume|microsilica"),
    _t("alumina", "氧化铝|铝土", "alumina|aluminium oxide|aluminum oxide"),
    _t("spent_pot_lining", "大修渣|废阴极|废槽衬|电解槽废内衬", "spent pot lining|spl|pot lining|cathode lining"),
    _t("spent_catalyst", "废催化剂", "spent catalyst|waste catalyst"),
    _t("activated_carbon", "活性炭|废活性炭", "activated carbon|spent carbon|active carbon"),
    _t("refractory", "耐火材料|废耐火砖", "refractory|refractories|firebrick"),
    _t("construction_waste", "建筑垃圾|建筑废料|拆除垃圾|渣土", "construction waste|demolition waste|c&d waste|excavated soil"),
    # --- building-material routes -----------------------------------------------------------------
    _t("cement", "水泥|熟料|水泥窑|生料", "cement|clinker|cement kiln|kiln|raw meal"),
    _t("concrete", "混凝土|商品混凝土|砼", "concrete|ready-mixed concrete|ready mix concrete"),
    _t("brick", "砖|砌块|蒸压砖|烧结砖|加气混凝土", "brick|bricks|building block|building blocks|aerated concrete|masonry"),
    _t("plasterboard", "石膏板|纸面石膏板", "plasterboard|gypsum board|wallboard|drywall"),
    _t("road_base", "路基|基层|道路|路面|筑路", "road base|road|sub-base|subbase|roadbase|pavement|embankment"),
    _t("admixture", "掺合料|混合材|外加剂", "admixture|extender|pozzolan|supplementary cementitious|constituent"),
    _t("set_retarder", "缓凝剂", "set retarder|retarder"),
    _t("backfill", "回填|充填|填方", "backfill|fill|filling"),
    _t("landfill", "填埋|填埋场|堆存", "landfill|landfilling|disposal site|stacking"),
    _t("soil_amendment", "土壤改良|改良剂|盐碱地", "soil amendment|soil conditioner|soil improvement|amendment"),
    # --- metals ------------------------------------------------------------------------------------
    _t("scrap_steel", "废钢|钢屑|边角料|废铁|铁屑", "steel scrap|scrap steel|ferrous scrap|offcuts|steel turnings|iron scrap|turnings"),
    _t("scrap_metal", "废金属|金属废料|废有色金属", "scrap metal|metal scrap|non-ferrous scrap"),
    _t("iron", "铁|铁质|含铁|铁粉|氧化铁", "iron|iron-bearing|ferrous|iron oxide"),
    _t("steel", "钢|钢铁|炼钢|电炉", "steel|steelmaking|steel making|electric arc furnace|eaf"),
    _t("copper", "铜|含铜|氯化铜|硫酸铜", "copper|cupric|copper-bearing"),
    _t("aluminium", "铝|铝灰|铝渣|废铝", "aluminium|aluminum|aluminium dross|aluminum dross"),
    _t("zinc", "锌|锌灰|含锌", "zinc|zinc ash"),
    _t("lead", "铅|含铅|废铅", "lead"),
    _t("nickel", "镍|含镍", "nickel"),
    _t("chromium", "铬|含铬|铬渣", "chromium|chrome"),
    _t("precious_metal", "贵金属|黄金|白银|铂|钯", "precious metal|gold|silver|platinum|palladium"),
    _t("battery", "电池|蓄电池|废电池|锂电池|铅蓄电池", "battery|batteries|accumulator|lithium-ion|lead-acid"),
    _t("electronic_waste", "电子废物|废电路板|线路板|电路板", "e-waste|electronic waste|circuit board|pcb scrap|printed circuit"),
    _t("etchant", "蚀刻液|废蚀刻液|微蚀", "etchant|etching solution|micro-etch|etching"),
    _t("pickling", "酸洗|酸洗废液|废酸洗液", "pickling|pickle liquor|spent pickling"),
    _t("electroplating", "电镀|电镀污泥|电镀废液", "electroplating|plating sludge|plating"),
    # --- acids, alkalis, salts ---------------------------------------------------------------------
    _t("acid", "酸|废酸|酸性", "acid|acids|spent acid|acidic"),
    _t("sulfuric_acid", "硫酸|废硫酸", "sulfuric acid|sulphuric acid|spent sulfuric acid|spent sulphuric acid"),
    _t("hydrochloric_acid", "盐酸|废盐酸|氯化氢", "hydrochloric acid|hcl"),
    _t("nitric_acid", "硝酸", "nitric acid"),
    _t("phosphoric_acid", "磷酸", "phosphoric acid"),
    _t("hydrofluoric_acid", "氢氟酸|含氟废酸", "hydrofluoric acid"),
    _t("alkali", "碱|废碱|碱液|烧碱|氢氧化钠|苛性钠", "alkali|alkaline|caustic|caustic soda|sodium hydroxide|lye|spent caustic"),
    _t("ammonia", "氨水|氨性|液氨|氨氮", "ammonia|ammoniacal|aqueous ammonia"),
    _t("hydrogen_peroxide", "双氧水|过氧化氢", "hydrogen peroxide|peroxide"),
    _t("salt", "盐|原盐|海盐|工业盐|氯化钠|杂盐", "salt|sodium chloride|crude salt|sea salt|industrial salt"),
    _t("brine", "卤水|浓盐水|浓海水|苦卤|盐水", "brine|bittern|concentrate brine|saline"),
    _t("bromine", "溴|提溴", "bromine|bromide"),
    _t("ammonium_sulfate", "硫酸铵|硫铵", "ammonium sulfate|ammonium sulphate"),
    _t("thiosulfate", "硫代硫酸铵|硫代硫酸", "thiosulfate|thiosulphate|ammonium thiosulfate"),
    _t("sulfur", "硫磺|硫黄|单质硫", "sulfur|sulphur|elemental sulfur"),
    _t("carbonate", "碳酸盐|碳酸", "carbonate|carbonates"),
    _t("ferric_salt", "铁盐|聚合硫酸铁|聚合氯化铝|净水剂|絮凝剂", "ferric|iron salt|coagulant|flocculant|polyferric"),
    _t("copper_sulfate", "硫酸铜", "copper sulfate|copper sulphate"),
    # --- fuels, gases, energy ------------------------------------------------------------------------
    _t("fuel", "燃料|替代燃料|燃烧", "fuel|fuels|alternative fuel|secondary fuel|combustion"),
    _t("fuel_gas", "燃料气|火炬气|煤气|尾气|可燃气", "fuel gas|flare gas|off-gas|offgas|tail gas|combustible gas"),
    _t("biogas", "沼气|厌氧|厌氧消化", "biogas|anaerobic digestion|digester|anaerobic"),
    _t("hydrogen", "氢气|氢|富氢", "hydrogen|h2|hydrogen-rich"),
    _t("co2", "二氧化碳|CO2", "carbon dioxide|co2"),
    _t("steam", "蒸汽|余热", "steam|waste heat"),
    _t("boiler", "锅炉|电厂|热电|发电|掺烧", "boiler|power plant|power station|cogeneration|co-firing|cofiring|chp"),
    _t("incineration", "焚烧|焚烧发电|焚烧处置", "incineration|incinerator|energy from waste|waste-to-energy|efw"),
    _t("co_processing", "协同处置|水泥窑协同", "co-processing|coprocessing|co-process"),
    _t("coal", "煤|燃煤|褐煤|煤粉", "coal|lignite|coal-fired"),
    _t("coke", "焦炭|焦炉|焦化", "coke|coke oven|coking"),
    _t("refinery", "炼厂|炼油|石化", "refinery|refining|petrochemical"),
    _t("rdf", "固体燃料|垃圾衍生燃料|RDF|RPF|SRF", "refuse-derived fuel|solid recovered fuel|rdf|rpf|srf"),
    # --- oils, solvents, organics ----------------------------------------------------------------------
    _t("waste_oil", "废油|废矿物油|废机油|废润滑油|废液压油|废齿轮油|废柴油", "waste oil|used oil|used oils|waste mineral oil|used engine oil|engine oil|lubricating oil|lube oil|hydraulic oil|gear oil|motor oil"),
    _t("base_oil", "基础油|润滑油|矿物油", "base oil|mineral oil|lubricant|lubricants"),
    _t("re_refining", "再生基础油|油再生|废油再生", "re-refining|rerefining|re-refine"),
    _t("solvent", "溶剂|有机溶剂|废溶剂|废有机溶剂", "solvent|solvents|spent solvent|organic solvent"),
    _t("distillation", "精馏|蒸馏", "distillation|reclaim|reclamation"),
    _t("paint", "油漆|漆渣|涂料|废漆", "paint|paint sludge|coating|coatings"),
    _t("resin", "树脂|废树脂", "resin|resins"),
    _t("tar", "焦油|沥青|焦油渣", "tar|pitch|bitumen|asphalt"),
    _t("alcohol", "乙醇|酒精|甲醇", "ethanol|alcohol|methanol"),
    # --- plastics, rubber, paper, textiles, wood -----------------------------------------------------------
    _t("plastic", "塑料|废塑料|塑胶", "plastic|plastics|waste plastic|waste plastics"),
    _t("pet", "PET|聚酯|饮料瓶|瓶片", "pet|polyester|pet bottle|pet bottles|bottle flakes|flakes"),
    _t("polyolefin", "聚乙烯|聚丙烯|PE|PP|聚烯烃", "polyethylene|polypropylene|polyolefin|polyolefins|pe|pp|hdpe|ldpe"),
    _t("pvc", "PVC|聚氯乙烯", "pvc|polyvinyl chloride"),
    _t("packaging", "包装|容器|包装物", "packaging|container|containers"),
    _t("rubber", "橡胶|胶粉|废橡胶", "rubber|crumb rubber|rubber powder"),
    _t("tyre", "轮胎|废轮胎|整胎", "tyre|tyres|tire|tires|end-of-life tyres"),
    _t("paper", "纸|废纸|纸张|办公废纸|瓦楞纸|纸板", "paper|waste paper|wastepaper|cardboard|occ|corrugated|paperboard"),
    _t("pulp", "纸浆|制浆|浆料", "pulp|pulping|pulp mill"),
    _t("textile", "纺织|废布|纤维|布料", "textile|textiles|fabric|fibre|fiber"),
    _t("wood", "木材|木屑|锯末|木片|刨花|木质|废木", "wood|sawdust|wood chips|woodchips|shavings|wood waste|timber|sawmill"),
    _t("particleboard", "刨花板|人造板|纤维板|密度板", "particleboard|particle board|chipboard|fibreboard|fiberboard|mdf|panel board"),
    _t("pellet", "颗粒燃料|生物质颗粒|木屑颗粒", "pellet|pellets|wood pellets"),
    _t("biomass", "生物质|农林废弃物|农林剩余物", "biomass|agricultural residue|agricultural residues|forestry residue"),
    _t("straw", "秸秆|稻草|麦秆", "straw|stover"),
    _t("bagasse", "蔗渣|甘蔗渣|蔗髓", "bagasse|sugarcane bagasse|pith"),
    _t("lignin", "木质素", "lignin"),
    _t("cellulose", "纤维素", "cellulose"),
    _t("black_liquor", "黑液", "black liquor"),
    # --- food, agriculture, biological -----------------------------------------------------------------------
    _t("sludge", "污泥|泥饼|滤泥|淤泥|浆液|泥浆|料浆", "sludge|sludges|filter cake|mud|slurry"),
    _t("sewage_sludge", "污水污泥|脱水污泥|市政污泥|生化污泥", "sewage sludge|dewatered sludge|municipal sludge|biosolids"),
    _t("paper_sludge", "造纸污泥", "paper sludge|paper-mill sludge|paper mill sludge|deinking sludge"),
    _t("filter_mud", "滤泥", "filter mud|press mud|filter cake"),
    _t("molasses", "糖蜜|废糖蜜", "molasses"),
    _t("sugar", "蔗糖|葡萄糖|白糖|砂糖|糖浆", "sugar|sucrose|glucose|syrup"),
    _t("vinasse", "酒精废醪|废醪液|酒糟|糟液|蒸馏残液", "vinasse|stillage|distillery|spent wash|distillers grains|spent grains"),
    _t("fermentation_residue", "发酵|菌渣|菌体|发酵残渣|酵母|菌丝", "fermentation|fermentation residue|biomass cake|yeast|mycelium|spent mycelium"),
    _t("food_waste", "餐厨|厨余|食品废物|食品加工副产|面头|下脚料", "food waste|kitchen waste|food-industry|food processing|food scraps|off-spec"),
    _t("feed", "饲料|配合饲料|猪|畜禽|养殖", "feed|animal feed|fodder|pig|pigs|livestock|compound feed"),
    _t("fertiliser", "肥|肥料|化肥|复合肥|复混肥|有机肥|施肥|还田", "fertiliser|fertilizer|fertilisers|fertilizers|npk|field spreading|land application|manure"),
    _t("compost", "堆肥|腐熟", "compost|composting"),
    _t("manure", "粪|粪便|畜禽粪污", "manure|dung|faeces|feces"),
    _t("protein", "蛋白|蛋白粉|鱼粉", "protein|protein meal|fishmeal|fish meal"),
    _t("oil_fat", "油脂|废油脂|地沟油|泔水油", "fat|fats|grease|used cooking oil|tallow"),
    _t("nitrogen_fertiliser", "氮肥|氮硫肥|硫肥", "nitrogen fertiliser|nitrogen fertilizer|nitrogen-sulfur|sulfur fertiliser"),
    _t("soil", "土壤|污染土壤|修复", "soil|soils|contaminated soil|remediation|bioremediation"),
    # --- water and wastewater -----------------------------------------------------------------------------------
    _t("wastewater", "废水|污水|废液", "wastewater|waste water|effluent|waste liquid|liquid waste|liquid wastes"),
    _t("water", "工业用水|中水|再生水|纯水|去离子水", "water|process water|reclaimed water"),
    _t("desalination", "海水淡化|淡化", "desalination|reverse osmosis"),
    # --- hazardous-waste handling ---------------------------------------------------------------------------------
    _t("hazardous", "危险废物|危废|危险", "hazardous|hazardous waste|hazardous wastes"),
    _t("medical_waste", "医疗废物|医废", "medical waste|clinical waste|healthcare waste"),
    _t("neutralisation", "中和|中和处置", "neutralisation|neutralization|neutralising|neutralizing"),
    _t("treatment", "处置|处理|无害化|物化处理", "treatment|disposal|detoxification|physico-chemical"),
    _t("stabilisation", "固化|稳定化|安全填埋", "stabilisation|stabilization|solidification|secure landfill"),
)


TERM_KEYS: tuple[str, ...] = tuple(t.key for t in TERMS)

# Words about routes and handling rather than the material: sharing one is no evidence that a
# material suits a need (an offer "for treatment" and a need "treatment of hazardous liquids").
GENERIC: frozenset[str] = frozenset({
    "treatment", "landfill", "incineration", "co_processing", "hazardous", "fuel", "boiler", "packaging",
    "distillation", "neutralisation", "stabilisation", "backfill", "water", "wastewater", "acid", "alkali",
    "coal", "refinery", "steam", "soil", "feed", "fertiliser", "carbonate",
})
# A grade names what a product is for, not what it is made of: 电池级碳酸锂 is no battery.
_GRADE = re.compile(r"[\u3400-\u9fff]{1,4}级|[a-z0-9-]+[- ]grade")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def _is_cjk(word: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in word)


@functools.lru_cache(maxsize=1)
def _matchers() -> tuple[re.Pattern[str], dict[str, int], list[tuple[str, int]]]:
    """One regex over every English word (longest first) and the Chinese words by length."""
    english: dict[str, int] = {}
    chinese: list[tuple[str, int]] = []
    for i, term in enumerate(TERMS):
        for word in term.zh + term.en:
            w = _norm(word)
            if _is_cjk(w):
                chinese.append((w, i))
            else:
                english.setdefault(w, i)
    words = sorted(english, key=len, reverse=True)
    pattern = re.compile(r"(?<![a-z0-9])(" + "|".join(re.escape(w) for w in words) + r")(?:e?s)?(?![a-z0-9])")
    chinese.sort(key=lambda x: -len(x[0]))
    return pattern, english, chinese


@functools.lru_cache(maxsize=65536)
def concepts(text: str) -> tuple[str, ...]:
    """The keys of the concepts ``text`` mentions, in glossary order."""
    norm = _GRADE.sub(" ", _norm(text))
    if not norm.strip():
        return ()
    pattern, english, chinese = _matchers()
    found = {english[m.group(1)] for m in pattern.finditer(norm)}
    # Longest Chinese words first, each match blanked out: 盐酸 is hydrochloric acid, not also salt.
    for word, i in chinese:
        if word in norm:
            found.add(i)
            norm = norm.replace(word, "\x00" * len(word))
    return tuple(TERMS[i].key for i in sorted(found))


TERMS_BY_KEY: dict[str, Term] = {t.key: t for t in TERMS}


@functools.lru_cache(maxsize=65536)
def expand(text: str) -> str:
    """The canonical Chinese and English words of every concept ``text`` mentions, space-separated."""
    return " ".join(f"{TERMS_BY_KEY[k].zh[0]} {TERMS_BY_KEY[k].en[0]}" for k in concepts(text))
