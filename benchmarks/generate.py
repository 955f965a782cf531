"""Generated industrial parks for benchmarking the matching engine.

``generate_park(offers, needs, seed)`` returns engine records (``OfferRecord``,
``NeedRecord``, ``LicenceRecord``) that look like a real eastern-Chinese park network:

* enterprises clustered in ``max(offers, needs) // 1000 + 1`` parks, each about 15 km
  across, placed around real chemical / industrial park locations from Tianjin to
  Guangdong (with their provinces), further parks scattered around those anchors;
* about 30 % of offers are hazardous waste with real 2021 HW codes (from
  ``catalog.builtin_codes.BUILTIN_HW_CODES``), 70 % general industrial solid waste or
  surplus non-waste chemicals;
* compositions built from a pool of real CAS numbers that have formulas in the
  ``chemicals`` database (solvents, acids, alkalis, metals and salts, oxides, oils), so
  the elemental similarity features work; a few PCB / PFOS traces exercise the POPs rule;
* lognormal quantities (tonnes per year), availability windows, prices, current routes;
* needs with purposes, accepted forms, ``max_distance_km`` 30–300, some ``wanted`` minima
  and contaminant ``limits``; some general enterprises ask for HW they hold no licence
  for (the licence rule must block them);
* licensed handlers (~5 % of enterprises) with ``hw_comprehensive`` licences covering
  several categories (a few collection-only licences), annual capacities, validity
  windows (some expired); their needs accept the HW categories they are licensed for.

Deterministic for a given ``(offers, needs, seed)``. Pure Python (``random.Random``);
100,000 × 100,000 takes a few seconds.
"""
from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from catalog.builtin_codes import BUILTIN_HW_CODES
from matching.problem import LicenceRecord, NeedRecord, OfferRecord, Settings, Site

TODAY = dt.date(2026, 11, 23)
SETTINGS = Settings(today=TODAY)

__all__ = ["ARCHETYPES", "PARK_ANCHORS", "SETTINGS", "TODAY", "generate_park"]

# --------------------------------------------------------------------------------------
# Geography: real park locations (approximate centres) in eastern China.
# (code, name, name_en, province, province abbreviation, lat, lon)
PARK_ANCHORS: tuple[tuple[str, str, str, str, str, float, float], ...] = (
    ("BH", "天津滨海新区南港工业区", "Tianjin Nangang Industrial Zone", "天津市", "TJ", 38.76, 117.55),
    ("CZ", "沧州临港经济技术开发区", "Cangzhou Lingang ETDZ", "河北省", "HE", 38.33, 117.63),
    ("CF", "唐山曹妃甸化学工业园区", "Caofeidian Chemical Park", "河北省", "HE", 39.15, 118.48),
    ("QL", "淄博齐鲁化学工业区", "Zibo Qilu Chemical Industry Park", "山东省", "SD", 36.82, 118.05),
    ("DY", "东营港经济开发区", "Dongying Port Economic Development Zone", "山东省", "SD", 38.03, 118.93),
    ("YT", "烟台化学工业园", "Yantai Chemical Industry Park", "山东省", "SD", 37.62, 121.18),
    ("QD", "青岛董家口经济区", "Qingdao Dongjiakou Economic Zone", "山东省", "SD", 35.60, 119.78),
    ("NJ", "南京江北新材料科技园", "Nanjing Jiangbei New Materials Park", "江苏省", "JS", 32.27, 118.78),
    ("LY", "连云港徐圩新区石化产业基地", "Lianyungang Xuwei Petrochemical Base", "江苏省", "JS", 34.58, 119.55),
    ("TX", "泰兴经济开发区", "Taixing Economic Development Zone", "江苏省", "JS", 32.10, 120.00),
    ("CZJ", "常州滨江经济开发区", "Changzhou Binjiang ETDZ", "江苏省", "JS", 31.98, 119.92),
    ("SZ", "苏州工业园区", "Suzhou Industrial Park", "江苏省", "JS", 31.32, 120.72),
    ("YC", "盐城滨海港工业园区", "Yancheng Binhai Port Industrial Park", "江苏省", "JS", 34.25, 120.27),
    ("SH", "上海化学工业区", "Shanghai Chemical Industry Park", "上海市", "SH", 30.80, 121.42),
    ("ZH", "宁波石化经济技术开发区", "Ningbo Petrochemical ETDZ (Zhenhai)", "浙江省", "ZJ", 30.02, 121.65),
    ("SY", "杭州湾上虞经济技术开发区", "Hangzhou Bay Shangyu ETDZ", "浙江省", "ZJ", 30.13, 120.85),
    ("JX", "嘉兴港区", "Jiaxing Port Chemical Zone", "浙江省", "ZJ", 30.60, 121.05),
    ("ZS", "舟山绿色石化基地", "Zhoushan Green Petrochemical Base", "浙江省", "ZJ", 30.20, 122.10),
    ("TZ", "台州湾经济技术开发区", "Taizhou Bay ETDZ", "浙江省", "ZJ", 28.62, 121.50),
    ("AQ", "安庆高新区化工园", "Anqing High-tech Chemical Park", "安徽省", "AH", 30.52, 117.10),
    ("HF", "合肥循环经济示范园", "Hefei Circular Economy Park", "安徽省", "AH", 31.78, 117.45),
    ("MA", "马鞍山经济技术开发区", "Ma'anshan ETDZ", "安徽省", "AH", 31.65, 118.52),
    ("QG", "泉港石化工业园区", "Quangang Petrochemical Park", "福建省", "FJ", 25.15, 118.92),
    ("GL", "漳州古雷石化基地", "Gulei Petrochemical Base", "福建省", "FJ", 23.80, 117.58),
    ("JY", "福州江阴工业集中区", "Fuzhou Jiangyin Industrial Zone", "福建省", "FJ", 25.48, 119.35),
    ("DW", "惠州大亚湾石化区", "Huizhou Daya Bay Petrochemical Zone", "广东省", "GD", 22.73, 114.55),
    ("MM", "茂名高新区", "Maoming High-tech Zone", "广东省", "GD", 21.68, 110.90),
    ("ZJG", "湛江东海岛石化园", "Zhanjiang Donghai Island Park", "广东省", "GD", 21.05, 110.45),
    ("NS", "广州南沙经济技术开发区", "Guangzhou Nansha ETDZ", "广东省", "GD", 22.75, 113.60),
    ("JJ", "九江化工园区", "Jiujiang Chemical Park", "江西省", "JX", 29.78, 116.05),
    ("DL", "大连长兴岛石化产业基地", "Dalian Changxing Island Petrochemical Base", "辽宁省", "LN", 39.58, 121.40),
)
PARK_RADIUS_DEG = 0.045  # σ of enterprise positions around a park centre (≈ 5 km; ~15 km across)

# --------------------------------------------------------------------------------------
# Substances: (CAS, English name, Chinese name). All CAS numbers pass the check digit;
# all but the oils and polymers have a formula in the chemicals database.
S = {
    "toluene": ("108-88-3", "toluene", "甲苯"), "oxylene": ("95-47-6", "o-xylene", "邻二甲苯"),
    "acetone": ("67-64-1", "acetone", "丙酮"), "methanol": ("67-56-1", "methanol", "甲醇"),
    "ethanol": ("64-17-5", "ethanol", "乙醇"), "ipa": ("67-63-0", "isopropanol", "异丙醇"),
    "etac": ("141-78-6", "ethyl acetate", "乙酸乙酯"), "buac": ("123-86-4", "butyl acetate", "乙酸丁酯"),
    "dcm": ("75-09-2", "dichloromethane", "二氯甲烷"), "tce": ("79-01-6", "trichloroethylene", "三氯乙烯"),
    "pce": ("127-18-4", "tetrachloroethylene", "四氯乙烯"), "hexane": ("110-54-3", "n-hexane", "正己烷"),
    "dmf": ("68-12-2", "N,N-dimethylformamide", "N,N-二甲基甲酰胺"), "thf": ("109-99-9", "tetrahydrofuran", "四氢呋喃"),
    "cyclohexanone": ("108-94-1", "cyclohexanone", "环己酮"), "mek": ("78-93-3", "butanone", "丁酮"),
    "acn": ("75-05-8", "acetonitrile", "乙腈"), "styrene": ("100-42-5", "styrene", "苯乙烯"),
    "phenol": ("108-95-2", "phenol", "苯酚"), "formaldehyde": ("50-00-0", "formaldehyde", "甲醛"),
    "naphthalene": ("91-20-3", "naphthalene", "萘"), "glycol": ("107-21-1", "ethylene glycol", "乙二醇"),
    "h2so4": ("7664-93-9", "sulfuric acid", "硫酸"), "hcl": ("7647-01-0", "hydrochloric acid", "盐酸"),
    "hno3": ("7697-37-2", "nitric acid", "硝酸"), "hf": ("7664-39-3", "hydrofluoric acid", "氢氟酸"),
    "h3po4": ("7664-38-2", "phosphoric acid", "磷酸"), "acetic": ("64-19-7", "acetic acid", "乙酸"),
    "naoh": ("1310-73-2", "sodium hydroxide", "氢氧化钠"), "koh": ("1310-58-3", "potassium hydroxide", "氢氧化钾"),
    "caoh2": ("1305-62-0", "calcium hydroxide", "氢氧化钙"), "na2co3": ("497-19-8", "sodium carbonate", "碳酸钠"),
    "cu": ("7440-50-8", "copper", "铜"), "ni": ("7440-02-0", "nickel", "镍"), "zn": ("7440-66-6", "zinc", "锌"),
    "cr": ("7440-47-3", "chromium", "铬"), "pb": ("7439-92-1", "lead", "铅"), "cd": ("7440-43-9", "cadmium", "镉"),
    "hg": ("7439-97-6", "mercury", "汞"), "fe": ("7439-89-6", "iron", "铁"), "al": ("7429-90-5", "aluminium", "铝"),
    "cucl2": ("7447-39-4", "copper(II) chloride", "氯化铜"), "cuso4": ("7758-98-7", "copper sulfate", "硫酸铜"),
    "niso4": ("7786-81-4", "nickel sulfate", "硫酸镍"), "fecl2": ("7758-94-3", "ferrous chloride", "氯化亚铁"),
    "fecl3": ("7705-08-0", "ferric chloride", "三氯化铁"), "feso4": ("7720-78-7", "ferrous sulfate", "硫酸亚铁"),
    "zncl2": ("7646-85-7", "zinc chloride", "氯化锌"), "alcl3": ("7446-70-0", "aluminium chloride", "三氯化铝"),
    "sio2": ("7631-86-9", "silica", "二氧化硅"), "al2o3": ("1344-28-1", "alumina", "氧化铝"),
    "fe2o3": ("1309-37-1", "iron(III) oxide", "氧化铁"), "cao": ("1305-78-8", "lime", "氧化钙"),
    "mgo": ("1309-48-4", "magnesium oxide", "氧化镁"), "tio2": ("13463-67-7", "titanium dioxide", "二氧化钛"),
    "v2o5": ("1314-62-1", "vanadium pentoxide", "五氧化二钒"), "zno": ("1314-13-2", "zinc oxide", "氧化锌"),
    "caso4": ("7778-18-9", "calcium sulfate", "硫酸钙"), "gypsum": ("10101-41-4", "calcium sulfate dihydrate", "二水硫酸钙"),
    "caco3": ("471-34-1", "calcium carbonate", "碳酸钙"), "carbon": ("7440-44-0", "carbon", "碳"),
    "water": ("7732-18-5", "water", "水"), "nacl": ("7647-14-5", "sodium chloride", "氯化钠"),
    "moo3": ("1313-27-5", "molybdenum trioxide", "三氧化钼"), "cr2o3": ("1308-38-9", "chromium(III) oxide", "三氧化二铬"),
    "pbo": ("1317-36-8", "lead monoxide", "氧化铅"), "nio": ("1313-99-1", "nickel oxide", "氧化镍"),
    "cuo": ("1317-38-0", "copper(II) oxide", "氧化铜"), "mgoh2": ("1309-42-8", "magnesium hydroxide", "氢氧化镁"),
    "mineral_oil": ("64742-54-7", "base oil (heavy paraffinic distillate)", "基础油"),
    "white_oil": ("8042-47-5", "white mineral oil", "白油"),
    "pcb": ("1336-36-3", "polychlorinated biphenyls", "多氯联苯"),
    "pfos": ("1763-23-1", "perfluorooctane sulfonic acid", "全氟辛基磺酸"),
    "nacn": ("143-33-9", "sodium cyanide", "氰化钠"), "na2so4": ("7757-82-6", "sodium sulfate", "硫酸钠"),
    "nh4oh": ("1336-21-6", "ammonia solution", "氨水"), "pt": ("7440-06-4", "platinum", "铂"),
    "pd": ("7440-05-3", "palladium", "钯"), "pe": ("9002-88-4", "polyethylene", "聚乙烯"),
    "cellulose": ("9004-34-6", "cellulose", "纤维素"), "nh4cl": ("12125-02-9", "ammonium chloride", "氯化铵"),
    "si": ("7440-21-3", "silicon", "硅"), "co_so4": ("10026-24-1", "cobalt sulfate heptahydrate", "硫酸钴"),
    "nh4so4": ("7783-20-2", "ammonium sulfate", "硫酸铵"),
}


# --------------------------------------------------------------------------------------
# Material archetypes. ``comps``: (substance, lo, hi) mass-fraction range; lo == 0 marks
# an optional trace (present in about half the listings). ``purposes``: what a taker may
# use it for; ``contaminants``: substances a taker may cap in its ``limits``.
@dataclass(frozen=True)
class Archetype:
    key: str
    codes: tuple[str, ...]  # HW codes (empty: general waste / non-waste surplus)
    title: str
    title_zh: str
    forms: tuple[str, ...]  # first is the most common
    comps: tuple[tuple[str, float, float], ...]
    purposes: tuple[str, ...]
    routes: tuple[str, ...]
    contaminants: tuple[str, ...] = ()
    sw: str | None = None  # general industrial solid waste category (description only)
    weight: float = 1.0  # relative frequency among offers of its kind
    industries: tuple[str, ...] = ()


def _a(key, codes, title, title_zh, forms, comps, purposes, routes, contaminants=(), sw=None, weight=1.0,
       industries=()):
    return Archetype(key, tuple(codes), title, title_zh, tuple(forms), tuple(comps), tuple(purposes),
                     tuple(routes), tuple(contaminants), sw, weight, tuple(industries))


ARCHETYPES: tuple[Archetype, ...] = (
    # ---- hazardous waste -------------------------------------------------------------
    _a("hal_solvent", ["900-401-06"], "Spent chlorinated solvent", "废卤化溶剂", ["liquid"],
       [("dcm", 0.3, 0.8), ("tce", 0.0, 0.3), ("pce", 0.0, 0.3), ("water", 0.02, 0.1), ("oxylene", 0.0, 0.05)],
       ["recycle", "dispose"], ["incineration", "storage"], ["water", "pb"], weight=1.0,
       industries=["2614", "2710", "3360"]),
    _a("solvent", ["900-402-06", "900-404-06"], "Spent organic solvent", "废有机溶剂", ["liquid"],
       [("toluene", 0.0, 0.7), ("oxylene", 0.0, 0.4), ("acetone", 0.0, 0.5), ("etac", 0.0, 0.5),
        ("buac", 0.0, 0.3), ("ethanol", 0.0, 0.4), ("ipa", 0.0, 0.4), ("dmf", 0.0, 0.4), ("thf", 0.0, 0.3),
        ("water", 0.02, 0.2)],
       ["recycle", "recover_energy", "dispose"], ["incineration", "storage"], ["water", "dcm"], weight=4.0,
       industries=["2614", "2641", "2710", "2651", "3982"]),
    _a("still_bottoms", ["900-407-06", "900-013-11", "271-001-02"], "Distillation still bottoms", "精馏残渣",
       ["paste", "sludge", "solid"],
       [("naphthalene", 0.05, 0.3), ("toluene", 0.02, 0.15), ("phenol", 0.0, 0.2), ("carbon", 0.1, 0.4)],
       ["recover_energy", "co_process", "dispose"], ["incineration"], ["pb", "hg"], weight=1.5,
       industries=["2614", "2710", "2619"]),
    _a("spent_oil", ["900-214-08", "900-217-08", "900-218-08", "900-249-08", "900-203-08"], "Used mineral oil",
       "废矿物油", ["liquid"],
       [("mineral_oil", 0.7, 0.97), ("water", 0.01, 0.15), ("fe", 0.0, 0.005), ("pb", 0.0, 0.001),
        ("zn", 0.0, 0.002)],
       ["recycle", "recover_energy", "dispose"], ["storage", "incineration", "sale"], ["water", "pb", "pcb"],
       weight=4.0, industries=["8111", "3670", "3130", "3120", "2511"]),
    _a("oil_sludge", ["900-199-08", "900-200-08", "900-210-08"], "Oil sludge", "含油污泥", ["sludge", "paste"],
       [("mineral_oil", 0.1, 0.4), ("water", 0.3, 0.6), ("sio2", 0.05, 0.3), ("fe2o3", 0.0, 0.1)],
       ["recycle", "co_process", "dispose"], ["incineration", "storage"], ["pb", "hg"], weight=2.0,
       industries=["2511", "3670", "3130"]),
    _a("emulsion", ["900-005-09", "900-006-09", "900-007-09"], "Oil/water emulsion, spent cutting fluid",
       "废乳化液", ["liquid"],
       [("water", 0.8, 0.95), ("mineral_oil", 0.03, 0.15), ("glycol", 0.0, 0.05)],
       ["recycle", "dispose"], ["disposal", "storage"], ["pb", "cr"], weight=2.5,
       industries=["3670", "3360", "3130"]),
    _a("pcb_oil", ["900-010-10"], "Transformer oil containing PCBs", "含多氯联苯废变压器油", ["liquid"],
       [("mineral_oil", 0.9, 0.99), ("pcb", 0.0005, 0.01)], ["dispose"], ["storage"], ["pcb"], weight=0.15,
       industries=["4411", "4412"]),
    _a("tar", ["251-013-11", "252-002-11"], "Acid tar / tar sludge", "焦油渣", ["paste", "sludge"],
       [("naphthalene", 0.1, 0.4), ("phenol", 0.02, 0.1), ("carbon", 0.2, 0.5), ("h2so4", 0.0, 0.1)],
       ["co_process", "recover_energy", "dispose"], ["incineration", "storage"], ["hg"], weight=1.0,
       industries=["2521", "2511"]),
    _a("paint_waste", ["900-252-12", "264-013-12", "264-012-12"], "Paint and ink waste", "废油漆、油墨渣",
       ["sludge", "paste", "solid"],
       [("oxylene", 0.05, 0.3), ("buac", 0.02, 0.2), ("tio2", 0.05, 0.3), ("water", 0.05, 0.4),
        ("pb", 0.0, 0.002), ("cr", 0.0, 0.002)],
       ["co_process", "recover_energy", "dispose"], ["incineration"], ["pb", "cr", "cd"], weight=2.5,
       industries=["2641", "2642", "3670", "2645"]),
    _a("resin_waste", ["265-101-13", "265-103-13", "900-014-13"], "Resin and adhesive waste", "废树脂、胶黏剂",
       ["solid", "paste"], [("styrene", 0.02, 0.2), ("phenol", 0.0, 0.1), ("formaldehyde", 0.0, 0.05),
                            ("carbon", 0.3, 0.6)],
       ["co_process", "recover_energy", "dispose"], ["incineration", "landfill"], ["formaldehyde"], weight=1.2,
       industries=["2651", "2652", "2911"]),
    _a("plating_sludge", ["336-054-17", "336-055-17", "336-063-17", "336-064-17", "336-066-17"],
       "Electroplating sludge", "电镀污泥", ["sludge", "paste"],
       [("water", 0.5, 0.75), ("ni", 0.01, 0.08), ("cu", 0.0, 0.06), ("cr", 0.0, 0.05), ("zn", 0.0, 0.06),
        ("fe2o3", 0.05, 0.2), ("caso4", 0.02, 0.15), ("pfos", 0.0, 0.0002)],
       ["recycle", "dispose"], ["landfill", "storage"], ["cd", "hg", "pfos"], weight=3.0,
       industries=["3360", "3982"]),
    _a("plating_bath", ["336-054-17", "336-063-17"], "Spent plating bath", "废电镀液", ["liquid"],
       [("water", 0.6, 0.85), ("niso4", 0.05, 0.25), ("h2so4", 0.01, 0.1), ("cuso4", 0.0, 0.1)],
       ["recycle", "dispose"], ["disposal", "storage"], ["cd", "cr"], weight=1.2, industries=["3360"]),
    _a("incin_ash", ["772-002-18", "772-003-18"], "Incineration fly ash", "焚烧飞灰", ["powder"],
       [("cao", 0.2, 0.4), ("sio2", 0.1, 0.25), ("nacl", 0.1, 0.25), ("pb", 0.0, 0.005), ("zn", 0.0, 0.01),
        ("cd", 0.0, 0.0005)],
       ["co_process", "dispose"], ["landfill"], ["pb", "cd", "hg"], weight=1.0, industries=["7820", "7723", "7724"]),
    _a("chrome_slag", ["261-041-21"], "Chromium slag", "铬渣", ["solid", "powder"],
       [("cr2o3", 0.03, 0.1), ("cao", 0.2, 0.35), ("mgo", 0.15, 0.3), ("fe2o3", 0.05, 0.15)],
       ["co_process", "dispose"], ["landfill", "storage"], ["cr"], weight=0.3, industries=["2613"]),
    _a("etchant", ["398-004-22", "398-051-22", "398-005-22"], "Spent copper etchant", "废蚀刻液", ["liquid"],
       [("cucl2", 0.1, 0.3), ("hcl", 0.05, 0.15), ("water", 0.5, 0.8), ("nh4cl", 0.0, 0.1)],
       ["recycle"], ["disposal", "sale"], ["ni", "pb"], weight=1.5, industries=["3982", "3973"]),
    _a("zinc_dust", ["312-001-23", "336-103-23"], "EAF dust / galvanising ash", "含锌粉尘、镀锌灰", ["powder"],
       [("zno", 0.15, 0.35), ("fe2o3", 0.3, 0.5), ("pbo", 0.0, 0.03), ("cd", 0.0, 0.001), ("zncl2", 0.0, 0.05)],
       ["recycle", "co_process", "dispose"], ["landfill", "storage"], ["pb", "cd"], weight=1.0,
       industries=["3120", "3360"]),
    _a("mercury", ["900-023-29", "900-024-29"], "Mercury lamps and instruments", "废含汞灯管", ["solid"],
       [("sio2", 0.8, 0.95), ("hg", 0.0001, 0.001)], ["recycle", "dispose"], ["storage"], ["hg"], weight=0.3,
       industries=["8411", "4411"]),
    _a("lead_battery", ["900-052-31", "384-004-31"], "Waste lead-acid batteries and lead paste", "废铅蓄电池",
       ["solid", "paste"], [("pb", 0.2, 0.4), ("pbo", 0.2, 0.4), ("h2so4", 0.05, 0.15), ("pe", 0.0, 0.08)],
       ["recycle"], ["storage", "sale"], ["cd"], weight=1.2, industries=["3843", "8111", "3670"]),
    _a("hf_etchant", ["900-026-32"], "Spent hydrofluoric acid etchant", "废氢氟酸", ["liquid"],
       [("hf", 0.05, 0.2), ("water", 0.7, 0.9), ("hno3", 0.0, 0.1)], ["recycle", "dispose"], ["disposal"],
       ["pb"], weight=0.6, industries=["3973"]),
    _a("cyanide", ["336-104-33", "900-027-33"], "Cyanide plating waste", "含氰废液", ["liquid", "sludge"],
       [("nacn", 0.01, 0.08), ("naoh", 0.01, 0.05), ("water", 0.8, 0.95), ("cu", 0.0, 0.02)],
       ["dispose"], ["disposal"], ["cu"], weight=0.4, industries=["3360"]),
    _a("spent_acid", ["313-001-34", "900-300-34", "398-005-34", "251-014-34", "264-013-34", "261-058-34"],
       "Spent acid / pickling liquor", "废酸", ["liquid"],
       [("h2so4", 0.0, 0.3), ("hcl", 0.0, 0.2), ("fecl2", 0.0, 0.25), ("feso4", 0.0, 0.2), ("water", 0.5, 0.85),
        ("zn", 0.0, 0.01)],
       ["reuse", "recycle", "dispose"], ["disposal", "sale"], ["pb", "cd", "hg", "cr"], weight=4.0,
       industries=["3130", "3360", "2611", "2511", "3973"]),
    _a("nitric_acid", ["900-305-34"], "Spent nitric acid", "废硝酸", ["liquid"],
       [("hno3", 0.1, 0.4), ("water", 0.5, 0.85), ("ni", 0.0, 0.02), ("cu", 0.0, 0.02)],
       ["recycle", "dispose"], ["disposal"], ["cd"], weight=0.6, industries=["3360"]),
    _a("spent_alkali", ["900-352-35", "900-356-35", "251-015-35", "261-059-35"], "Spent alkali / caustic",
       "废碱", ["liquid", "sludge"], [("naoh", 0.03, 0.2), ("na2co3", 0.0, 0.1), ("water", 0.6, 0.9),
                                     ("phenol", 0.0, 0.02)],
       ["reuse", "recycle", "dispose"], ["disposal"], ["phenol", "pb"], weight=2.0,
       industries=["2511", "2612", "3360", "2614"]),
    _a("phenol_waste", ["261-070-39"], "Phenolic mother liquor", "含酚废物", ["liquid"],
       [("phenol", 0.05, 0.3), ("water", 0.6, 0.9)], ["recycle", "dispose"], ["incineration"], ["phenol"],
       weight=0.4, industries=["2614"]),
    _a("nickel_catalyst", ["900-037-46", "384-005-46"], "Spent nickel catalyst / NiMH residue", "废镍催化剂",
       ["solid", "powder"], [("ni", 0.1, 0.3), ("nio", 0.05, 0.2), ("al2o3", 0.3, 0.6)], ["recycle"],
       ["storage", "sale"], ["cd"], weight=0.6, industries=["2614", "2619", "3841"]),
    _a("al_dross", ["321-024-48"], "Aluminium dross", "铝灰渣", ["powder", "solid"],
       [("al", 0.1, 0.3), ("al2o3", 0.4, 0.7), ("nacl", 0.02, 0.1)], ["recycle", "co_process"],
       ["landfill", "storage"], ["pb"], weight=0.8, industries=["3216"]),
    _a("activated_carbon", ["900-039-49", "900-405-06"], "Spent activated carbon", "废活性炭", ["solid", "powder"],
       [("carbon", 0.6, 0.9), ("toluene", 0.0, 0.1), ("oxylene", 0.0, 0.08), ("water", 0.02, 0.2)],
       ["recycle", "recover_energy", "dispose"], ["incineration"], ["hg"], weight=2.5,
       industries=["2641", "2614", "3670", "2710"]),
    _a("packaging", ["900-041-49"], "Contaminated packaging drums and filters", "废包装桶、沾染物",
       ["solid"], [("fe", 0.3, 0.8), ("pe", 0.0, 0.5), ("oxylene", 0.0, 0.02), ("mineral_oil", 0.0, 0.05)],
       ["recycle", "dispose"], ["incineration", "storage"], ["pb"], weight=3.0,
       industries=["2641", "2614", "3670", "2651"]),
    _a("circuit_boards", ["900-045-49"], "Waste circuit boards", "废电路板", ["solid"],
       [("cu", 0.1, 0.25), ("sio2", 0.2, 0.4), ("pb", 0.0, 0.02), ("pd", 0.0, 0.0005)], ["recycle"],
       ["storage", "sale"], ["cd", "hg"], weight=0.8, industries=["3982", "3973"]),
    _a("lab_waste", ["900-047-49"], "Laboratory chemical waste", "实验室废物", ["liquid", "solid"],
       [("acetone", 0.0, 0.3), ("methanol", 0.0, 0.3), ("acn", 0.0, 0.3), ("water", 0.1, 0.5)], ["dispose"],
       ["incineration"], [], weight=0.8, industries=["2661", "2710"]),
    _a("ww_sludge_hw", ["772-006-49", "900-046-49"], "Hazardous wastewater-treatment sludge", "危险废物污泥",
       ["sludge"], [("water", 0.6, 0.8), ("fe2o3", 0.05, 0.15), ("caso4", 0.02, 0.1), ("ni", 0.0, 0.01),
                    ("cu", 0.0, 0.01)],
       ["co_process", "dispose"], ["landfill"], ["hg", "cd"], weight=1.5, industries=["4620", "7724"]),
    _a("catalyst", ["261-156-50", "251-016-50", "261-151-50", "772-007-50", "900-049-50"], "Spent catalyst",
       "废催化剂", ["solid", "powder"],
       [("al2o3", 0.4, 0.8), ("moo3", 0.0, 0.15), ("v2o5", 0.0, 0.05), ("tio2", 0.0, 0.6), ("ni", 0.0, 0.05),
        ("pt", 0.0, 0.003), ("pd", 0.0, 0.003), ("carbon", 0.0, 0.1)],
       ["recycle", "dispose"], ["storage", "sale", "landfill"], ["pb", "hg"], weight=1.2,
       industries=["2511", "2614", "4411"]),
    _a("pharma", ["271-002-02", "272-005-02", "900-002-03"], "Pharmaceutical waste", "医药废物",
       ["solid", "liquid"], [("methanol", 0.0, 0.3), ("ethanol", 0.0, 0.3), ("water", 0.1, 0.6)],
       ["dispose"], ["incineration"], [], weight=0.8, industries=["2710", "2720"]),
    _a("pesticide", ["900-003-04"], "Expired pesticides and packaging", "废农药", ["solid", "liquid"],
       [("oxylene", 0.0, 0.2), ("water", 0.0, 0.3)], ["dispose"], ["incineration", "storage"], [], weight=0.3,
       industries=["2631"]),
    _a("medical", ["841-001-01", "841-002-01", "841-004-01"], "Medical waste", "医疗废物", ["solid"], [],
       ["dispose"], ["incineration"], [], weight=0.3, industries=["8411"]),
    # ---- general industrial solid waste and surplus chemicals (no HW code) ------------
    _a("fly_ash", [], "Coal fly ash", "粉煤灰", ["powder"],
       [("sio2", 0.4, 0.55), ("al2o3", 0.2, 0.32), ("fe2o3", 0.03, 0.1), ("cao", 0.02, 0.1), ("carbon", 0.0, 0.08)],
       ["reuse", "co_process"], ["landfill", "sale"], ["hg", "pb"], sw="SW02", weight=6.0,
       industries=["4411", "4412", "4430"]),
    _a("slag", [], "Steel / blast-furnace slag", "冶炼废渣", ["solid", "powder"],
       [("cao", 0.3, 0.45), ("sio2", 0.2, 0.35), ("fe2o3", 0.05, 0.25), ("mgo", 0.03, 0.1), ("al2o3", 0.05, 0.15)],
       ["reuse", "co_process"], ["landfill", "sale"], ["cr", "pb"], sw="SW01", weight=6.0,
       industries=["3110", "3120", "3140"]),
    _a("bottom_ash", [], "Boiler slag and bottom ash", "炉渣", ["solid"],
       [("sio2", 0.4, 0.6), ("al2o3", 0.15, 0.3), ("fe2o3", 0.03, 0.1), ("carbon", 0.02, 0.15)],
       ["reuse", "co_process"], ["landfill"], ["pb"], sw="SW03", weight=4.0, industries=["4411", "4430"]),
    _a("fgd_gypsum", [], "FGD gypsum", "脱硫石膏", ["powder", "sludge"],
       [("gypsum", 0.85, 0.96), ("caco3", 0.01, 0.05), ("water", 0.05, 0.12), ("nacl", 0.0, 0.01)],
       ["reuse", "co_process"], ["landfill", "sale"], ["nacl", "hg"], sw="SW06", weight=5.0,
       industries=["4411", "4412", "3110"]),
    _a("phosphogypsum", [], "Phosphogypsum", "磷石膏", ["powder", "sludge"],
       [("gypsum", 0.8, 0.93), ("h3po4", 0.005, 0.02), ("hf", 0.0, 0.005), ("sio2", 0.02, 0.06)],
       ["reuse", "co_process"], ["landfill", "storage"], ["hf", "h3po4"], sw="SW10", weight=2.0,
       industries=["2622"]),
    _a("red_mud", [], "Red mud", "赤泥", ["sludge", "paste"],
       [("fe2o3", 0.25, 0.45), ("al2o3", 0.15, 0.25), ("sio2", 0.1, 0.2), ("naoh", 0.02, 0.08), ("water", 0.2, 0.4)],
       ["co_process", "reuse"], ["landfill", "storage"], ["naoh", "cr"], sw="SW09", weight=1.0,
       industries=["3216"]),
    _a("carbide_slag", [], "Carbide slag", "电石渣", ["paste", "powder"],
       [("caoh2", 0.8, 0.92), ("caco3", 0.02, 0.08), ("sio2", 0.01, 0.04), ("water", 0.05, 0.3)],
       ["reuse", "co_process"], ["landfill", "sale"], ["sio2"], sw="SW16", weight=2.0,
       industries=["2619", "2651"]),
    _a("ww_sludge", [], "Industrial wastewater sludge (non-hazardous)", "一般工业污泥", ["sludge"],
       [("water", 0.6, 0.85), ("sio2", 0.03, 0.1), ("fe2o3", 0.01, 0.05), ("carbon", 0.05, 0.2)],
       ["co_process", "recover_energy", "dispose"], ["landfill", "incineration"], ["cu", "zn", "pb"], sw="SW07",
       weight=5.0, industries=["4620", "2221", "1713"]),
    _a("scrap_steel", [], "Scrap steel and iron turnings", "废钢铁", ["solid"],
       [("fe", 0.9, 0.99), ("cr", 0.0, 0.02), ("ni", 0.0, 0.01), ("mineral_oil", 0.0, 0.01)],
       ["recycle"], ["sale"], ["cu", "pb"], sw="SW17", weight=5.0, industries=["3670", "3130", "4210"]),
    _a("scrap_copper", [], "Copper scrap", "废铜", ["solid"],
       [("cu", 0.85, 0.99), ("zn", 0.0, 0.1), ("pb", 0.0, 0.01)], ["recycle"], ["sale"], ["pb"], sw="SW17",
       weight=1.5, industries=["3982", "3670", "4210"]),
    _a("scrap_al", [], "Aluminium scrap", "废铝", ["solid"],
       [("al", 0.85, 0.98), ("si", 0.0, 0.1), ("fe", 0.0, 0.02)], ["recycle"], ["sale"], ["fe"], sw="SW17",
       weight=1.5, industries=["3670", "3216"]),
    _a("plastics", [], "Waste plastics and film", "废塑料", ["solid"], [("pe", 0.7, 0.98)],
       ["recycle", "recover_energy"], ["landfill", "incineration", "sale"], [], sw="SW17", weight=3.0,
       industries=["2651", "2911", "3670"]),
    _a("paper", [], "Waste paper and board", "废纸", ["solid"], [("cellulose", 0.85, 0.98), ("water", 0.02, 0.1)],
       ["recycle", "recover_energy"], ["landfill", "sale"], [], sw="SW17", weight=2.5, industries=["2221", "3670"]),
    _a("biomass", [], "Wood and biomass residue", "生物质残渣", ["solid"],
       [("cellulose", 0.4, 0.7), ("water", 0.1, 0.4)], ["recover_energy", "co_process"],
       ["landfill", "incineration"], [], sw="SW13", weight=2.0, industries=["1713", "2221"]),
    _a("mill_scale", [], "Mill scale / iron oxide", "氧化铁皮", ["powder", "solid"],
       [("fe2o3", 0.7, 0.95), ("mineral_oil", 0.0, 0.02), ("sio2", 0.0, 0.05)], ["recycle", "reuse"],
       ["sale", "landfill"], ["mineral_oil"], sw="SW01", weight=2.0, industries=["3130", "3120"]),
    _a("waste_glass", [], "Waste glass cullet", "废玻璃", ["solid"], [("sio2", 0.7, 0.75), ("na2co3", 0.1, 0.15),
                                                                 ("cao", 0.08, 0.12)],
       ["recycle"], ["landfill", "sale"], ["pb"], sw="SW17", weight=1.0, industries=["3041"]),
    _a("methanol_surplus", [], "Off-spec methanol", "不合格甲醇", ["liquid"],
       [("methanol", 0.85, 0.99), ("water", 0.01, 0.15)], ["reuse", "recover_energy"], ["sale", "storage"],
       ["water", "ethanol"], weight=1.2, industries=["2614", "2619"]),
    _a("byproduct_hcl", [], "By-product hydrochloric acid", "副产盐酸", ["liquid"],
       [("hcl", 0.28, 0.33), ("water", 0.65, 0.72), ("fecl3", 0.0, 0.002)], ["reuse"], ["sale", "storage"],
       ["fecl3", "hg"], weight=2.0, industries=["2614", "2611", "2651"]),
    _a("byproduct_h2so4", [], "By-product sulfuric acid", "副产硫酸", ["liquid"],
       [("h2so4", 0.6, 0.98), ("water", 0.02, 0.4)], ["reuse"], ["sale"], ["pb", "hg"], weight=1.5,
       industries=["3211", "3212", "2611"]),
    _a("ammonia_water", [], "By-product ammonia water", "副产氨水", ["liquid"],
       [("nh4oh", 0.15, 0.25), ("water", 0.75, 0.85)], ["reuse"], ["sale"], ["phenol"], weight=1.0,
       industries=["2521", "2621"]),
    _a("sodium_sulfate", [], "By-product sodium sulfate (salt cake)", "副产硫酸钠", ["powder"],
       [("na2so4", 0.9, 0.99), ("nacl", 0.0, 0.05)], ["reuse"], ["landfill", "storage", "sale"], ["nacl"],
       weight=1.2, industries=["2613", "2614"]),
    _a("glycol_surplus", [], "Recovered ethylene glycol", "回收乙二醇", ["liquid"],
       [("glycol", 0.8, 0.98), ("water", 0.02, 0.2)], ["reuse"], ["sale"], ["water"], weight=0.8,
       industries=["2614", "2651"]),
    _a("acetic_surplus", [], "Dilute acetic acid", "稀乙酸", ["liquid"], [("acetic", 0.2, 0.6), ("water", 0.4, 0.8)],
       ["reuse", "recycle"], ["sale", "disposal"], ["formaldehyde"], weight=0.8, industries=["2614"]),
    _a("spent_lime", [], "Lime mud / calcium carbonate sludge", "白泥", ["sludge", "powder"],
       [("caco3", 0.7, 0.9), ("caoh2", 0.0, 0.1), ("water", 0.1, 0.3)], ["reuse", "co_process"],
       ["landfill"], ["naoh"], sw="SW15", weight=1.5, industries=["2221", "2612"]),
    _a("fecl_solution", [], "Recovered ferric chloride solution", "回收三氯化铁溶液", ["liquid"],
       [("fecl3", 0.3, 0.4), ("hcl", 0.0, 0.03), ("water", 0.55, 0.7)], ["reuse"], ["sale"], ["cu", "zn"],
       weight=0.8, industries=["3982", "2613"]),
)
_BY_KEY = {a.key: a for a in ARCHETYPES}
HW_ARCHETYPES = tuple(a for a in ARCHETYPES if a.codes)
GENERAL_ARCHETYPES = tuple(a for a in ARCHETYPES if not a.codes)
_BUILTIN = {c.code: c for c in BUILTIN_HW_CODES}
for _arch in HW_ARCHETYPES:  # every code used is a real 2021 code from the built-in list
    for _code in _arch.codes:
        assert _code in _BUILTIN, _code
_CATEGORY_ARCHETYPES: dict[str, list[Archetype]] = {}
for _arch in HW_ARCHETYPES:
    for _cat in sorted({c[-2:] for c in _arch.codes}):
        _CATEGORY_ARCHETYPES.setdefault("HW" + _cat, []).append(_arch)

# Handler profiles: (name, zh, categories a licence may cover, activities, purpose of their needs, industry)
HANDLER_PROFILES = (
    ("incineration", "危废焚烧处置中心",
     ("HW02", "HW03", "HW04", "HW06", "HW08", "HW09", "HW11", "HW12", "HW13", "HW39", "HW49", "HW10", "HW33"),
     ("collect", "store", "dispose"), "dispose", "7724", 3.0),
    ("solvent_oil", "废溶剂废矿物油再生", ("HW06", "HW08", "HW09", "HW11", "HW12", "HW13", "HW49"),
     ("collect", "store", "utilise"), "recycle", "7724", 3.0),
    ("metals", "有色金属回收", ("HW17", "HW22", "HW23", "HW31", "HW46", "HW48", "HW50", "HW29", "HW49"),
     ("collect", "store", "utilise"), "recycle", "4210", 3.0),
    ("acid_alkali", "废酸废碱综合利用", ("HW34", "HW35", "HW32", "HW17", "HW22"),
     ("collect", "store", "utilise"), "recycle", "2613", 2.0),
    ("cement", "水泥窑协同处置", ("HW06", "HW08", "HW11", "HW12", "HW13", "HW17", "HW18", "HW21", "HW49", "HW50",
                              "HW23", "HW02", "HW04", "HW48"),
     ("store", "utilise", "dispose"), "co_process", "3011", 2.0),
    ("energy", "危废燃料化利用", ("HW06", "HW08", "HW11", "HW12", "HW13", "HW49"),
     ("collect", "store", "utilise"), "recover_energy", "7724", 1.0),
    ("landfill", "危废安全填埋场", ("HW17", "HW18", "HW21", "HW23", "HW31", "HW46", "HW48", "HW49", "HW50", "HW22"),
     ("store", "dispose"), "dispose", "7724", 1.5),
    ("medical", "医疗废物集中处置", ("HW01", "HW02", "HW03"), ("collect", "store", "dispose"), "dispose", "7724", 0.6),
)

# General receivers: (industry, title, zh, purpose, archetype keys they take)
RECEIVERS = (
    ("3011", "Cement plant raw-meal substitute", "水泥厂替代原料", "co_process",
     ("fly_ash", "slag", "bottom_ash", "fgd_gypsum", "phosphogypsum", "red_mud", "carbide_slag", "ww_sludge",
      "mill_scale", "spent_lime", "biomass")),
    ("3011", "Cement clinker additive", "水泥混合材", "reuse", ("fly_ash", "slag", "fgd_gypsum", "bottom_ash")),
    ("3041", "Building board and brick plant", "新型建材厂", "reuse",
     ("fgd_gypsum", "phosphogypsum", "fly_ash", "bottom_ash", "carbide_slag", "waste_glass")),
    ("3120", "Steel mill feed", "钢厂炉料", "recycle", ("scrap_steel", "mill_scale")),
    ("4210", "Metal scrap processor", "废金属加工", "recycle", ("scrap_steel", "scrap_copper", "scrap_al")),
    ("4220", "Plastic and paper recycler", "再生资源回收", "recycle", ("plastics", "paper", "waste_glass")),
    ("4411", "Power plant co-firing", "电厂掺烧", "recover_energy", ("biomass", "ww_sludge", "paper", "plastics")),
    ("4620", "Wastewater plant neutralisation", "污水处理中和", "reuse",
     ("byproduct_hcl", "byproduct_h2so4", "fecl_solution", "carbide_slag", "spent_lime", "acetic_surplus")),
    ("2614", "Chemical plant feedstock", "化工原料", "reuse",
     ("methanol_surplus", "glycol_surplus", "acetic_surplus", "byproduct_hcl", "byproduct_h2so4",
      "ammonia_water", "sodium_sulfate")),
    ("2613", "Inorganic salt works", "无机盐厂", "reuse", ("byproduct_hcl", "byproduct_h2so4", "sodium_sulfate",
                                                        "fecl_solution", "ammonia_water")),
    ("2621", "Fertiliser plant", "化肥厂", "reuse", ("ammonia_water", "byproduct_h2so4", "fgd_gypsum")),
    ("3110", "Sinter plant iron units", "烧结配料", "recycle", ("mill_scale", "red_mud", "slag")),
)
# General enterprises asking for HW without a licence (the licence rule must stop them).
UNLICENSED_HW_WISHES = (
    ("2614", "Solvent for in-house recovery", "溶剂自行回收", "recycle", ("solvent", "hal_solvent")),
    ("4620", "Spent acid for neutralisation", "废酸中和利用", "reuse", ("spent_acid", "spent_alkali")),
    ("4411", "Waste oil as fuel", "废油作燃料", "recover_energy", ("spent_oil", "emulsion")),
    ("3211", "Copper-bearing feed", "含铜原料", "recycle", ("etchant", "plating_sludge", "circuit_boards")),
)

_QUALIFIERS = (("", ""), ("Surplus ", "富余"), ("By-product ", "副产"), ("Spent ", "废"), ("Off-spec ", "不合格"),
               ("Recovered ", "回收"), ("Mixed ", "混合"), ("Dewatered ", "脱水"), ("Crude ", "粗"))
_PROCESS = ("from line 2 cleaning", "from reactor wash-out", "from the wastewater station", "from maintenance shutdown",
            "from the pickling line", "from the coating workshop", "from the kiln dust collector",
            "from the distillation unit", "from the plating shop", "from the boiler house", "车间清洗产生",
            "污水站产生", "检修期间产生", "生产线连续产生", "反应釜清洗", "除尘器收集")
_PACKING = ("drummed (200 L)", "IBC totes", "bulk tanker", "ton bags", "open storage yard", "silo", "桶装", "吨袋",
            "罐车", "散装")
_MATERIAL_DESCRIPTIONS = ("stable monthly generation", "batch, drummed", "bulk, tanker", "bagged, palletised",
                          "stored on site", "continuous from production line", "稳定产生", "桶装", "罐车运输")


def _weighted(rng: random.Random, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def _lognormal(rng: random.Random, median: float, sigma: float, lo: float, hi: float) -> float:
    return round(min(hi, max(lo, median * math.exp(rng.gauss(0.0, sigma)))), 3)


def _composition(rng: random.Random, arch: Archetype) -> tuple[dict[str, float], dict[str, str]]:
    comp: dict[str, float] = {}
    optional = [c for c in arch.comps if c[1] == 0.0]
    required = [c for c in arch.comps if c[1] > 0.0]
    # A component-rich archetype (solvent blends) keeps at least one optional component.
    chosen = [c for c in optional if rng.random() < 0.45]
    if optional and not required and not chosen:
        chosen = [rng.choice(optional)]
    for key, lo, hi in required + chosen:
        if lo == 0.0:
            lo = hi * 0.05
        comp[key] = rng.uniform(lo, hi)
    total = sum(comp.values())
    if total > 1.0:
        scale = rng.uniform(0.95, 1.0) / total
        comp = {k: v * scale for k, v in comp.items()}
    out, out_names = {}, {}
    for key, value in comp.items():
        cas, name, _zh = S[key]
        out[cas] = round(value, 6)
        out_names[cas] = name
    return out, out_names


def _profile(arch: Archetype) -> tuple[dict[str, float], dict[str, str]]:
    """The archetype's middle-of-range composition: a need's target profile."""
    comp, names = {}, {}
    for key, lo, hi in arch.comps:
        mid = (lo + hi) / 2 if lo > 0 else hi * 0.3
        cas, name, _zh = S[key]
        comp[cas] = mid
        names[cas] = name
    total = sum(comp.values())
    if total > 1.0:
        comp = {k: v / total for k, v in comp.items()}
    return {k: round(v, 6) for k, v in comp.items()}, names


def _main_component(arch: Archetype) -> tuple[str, float] | None:
    required = [c for c in arch.comps if c[1] > 0.0 and c[0] != "water"]
    if not required:
        return None
    key, lo, _hi = max(required, key=lambda c: c[1])
    return key, lo


def _window(rng: random.Random) -> tuple[dt.date | None, dt.date | None]:
    start = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(0, 540))
    if rng.random() < 0.15:
        start = None
    end = None if rng.random() < 0.6 else (start or TODAY) + dt.timedelta(days=rng.randrange(60, 720))
    return start, end


def generate_park(offers: int, needs: int, seed: int = 0) -> tuple[list[OfferRecord], list[NeedRecord],
                                                                     list[LicenceRecord]]:
    """A generated park network of ``offers`` offers and ``needs`` needs (deterministic for a seed)."""
    rng = random.Random(f"wastematch-bench-{seed}")
    n_parks = max(offers, needs) // 1000 + 1

    # ---- parks ------------------------------------------------------------------------
    anchors = list(PARK_ANCHORS)
    rng.shuffle(anchors)
    parks = []  # (code, province, abbrev, lat, lon, hw_cap_km)
    for p in range(n_parks):
        code, _name, _en, province, abbr, lat, lon = anchors[p % len(anchors)]
        if p >= len(anchors):  # further parks scattered around the anchor's city (≤ ~120 km)
            lat += rng.uniform(-1.0, 1.0)
            lon += rng.uniform(-1.0, 1.0)
            code = f"{code}{p // len(anchors) + 1}"
        hw_cap = rng.choice((150.0, 200.0)) if rng.random() < 0.25 else None
        parks.append((code, province, abbr, lat, lon, hw_cap))

    # ---- enterprises --------------------------------------------------------------------
    n_ent = max(20, (offers + needs) // 8)
    n_handlers = max(2, round(0.05 * n_ent)) if needs else 0
    sites: list[Site] = []
    for e in range(n_ent):
        code, province, _abbr, plat, plon, hw_cap = parks[rng.randrange(n_parks)]
        lat = plat + max(-2.5, min(2.5, rng.gauss(0, 1))) * PARK_RADIUS_DEG
        lon = plon + max(-2.5, min(2.5, rng.gauss(0, 1))) * PARK_RADIUS_DEG / math.cos(math.radians(plat))
        sites.append(Site(enterprise=f"E-{e:06d}", lat=round(lat, 5), lon=round(lon, 5), province=province,
                          park=code, park_hw_max_km=hw_cap, industry=None))
    # handlers are the first n_handlers enterprises (positions are random already)
    abbr_of_park = {p[0]: p[2] for p in parks}

    # ---- licences -------------------------------------------------------------------------
    licences: list[LicenceRecord] = []
    handler_scope: list[tuple[int, str, list[str]]] = []  # (enterprise, purpose, categories) per licence
    profile_weights = [p[6] for p in HANDLER_PROFILES]
    for h in range(n_handlers):
        site = sites[h]
        _pname, _zh, cats, activities, purpose, industry, _w = _weighted(rng, HANDLER_PROFILES, profile_weights)
        sites[h] = Site(site.enterprise, site.lat, site.lon, site.province, site.park, site.park_hw_max_km,
                        industry)
        n_cat = min(len(cats), rng.randint(3, 8))
        chosen = sorted(rng.sample(cats, n_cat))
        codes: frozenset[str] = frozenset()
        if rng.random() < 0.2:  # some licences list individual codes of further categories
            extra = rng.choice(HW_ARCHETYPES).codes
            codes = frozenset(extra[:1])
        valid_from = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(0, 6 * 365))
        if rng.random() < 0.1:  # expired
            valid_to = TODAY - dt.timedelta(days=rng.randrange(1, 400))
            valid_from = min(valid_from, valid_to - dt.timedelta(days=365))
        else:
            valid_to = valid_from + dt.timedelta(days=5 * 365)
            if valid_to <= TODAY:
                valid_to = TODAY + dt.timedelta(days=rng.randrange(30, 5 * 365))
        capacity = _lognormal(rng, 20000.0, 0.8, 2000.0, 300000.0)
        remaining = round(capacity * rng.uniform(0.2, 1.0), 1)
        abbr = abbr_of_park[site.park]
        licences.append(LicenceRecord(number=f"{abbr}-HW-{h:05d}", enterprise=site.enterprise,
                                      kind="hw_comprehensive", categories=frozenset(chosen), codes=codes,
                                      activities=frozenset(activities), valid_from=valid_from, valid_to=valid_to,
                                      remaining_t=remaining))
        handler_scope.append((h, purpose, chosen))
    # a few collection-only licences (vehicle repair oil, household Cd-Ni batteries)
    n_collect = max(0, n_handlers // 10)
    for c in range(n_collect):
        e = n_handlers + c
        if e >= n_ent:
            break
        site = sites[e]
        sites[e] = Site(site.enterprise, site.lat, site.lon, site.province, site.park, site.park_hw_max_km, "8111")
        licences.append(LicenceRecord(
            number=f"{abbr_of_park[site.park]}-HWS-{c:05d}", enterprise=site.enterprise, kind="hw_collection",
            categories=frozenset({"HW08", "HW49"}), codes=frozenset({"900-214-08", "900-044-49"}),
            activities=frozenset({"collect", "store"}), valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2028, 12, 31),
            remaining_t=_lognormal(rng, 1500.0, 0.5, 200.0, 10000.0)))
    general_ents = list(range(n_handlers + n_collect, n_ent)) or list(range(n_ent))

    # ---- offers -------------------------------------------------------------------------------
    hw_w = [a.weight for a in HW_ARCHETYPES]
    gen_w = [a.weight for a in GENERAL_ARCHETYPES]
    offer_records: list[OfferRecord] = []
    for i in range(offers):
        hw = rng.random() < 0.30
        arch = _weighted(rng, HW_ARCHETYPES, hw_w) if hw else _weighted(rng, GENERAL_ARCHETYPES, gen_w)
        e = rng.randrange(n_ent) if rng.random() < 0.05 else rng.choice(general_ents)
        site = sites[e]
        if site.industry is None and arch.industries:
            site = Site(site.enterprise, site.lat, site.lon, site.province, site.park, site.park_hw_max_km,
                        rng.choice(arch.industries))
            sites[e] = site
        code = rng.choice(arch.codes) if arch.codes else None
        form = arch.forms[0] if rng.random() < 0.7 or len(arch.forms) == 1 else rng.choice(arch.forms[1:])
        comp, names = _composition(rng, arch) if rng.random() < 0.92 else ({}, {})
        qty = _lognormal(rng, 80.0 if hw else 400.0, 1.3, 0.5, 200000.0)
        start, end = _window(rng)
        if hw:
            price = round(rng.uniform(-3500, -300), 0) if rng.random() < 0.7 else None
        else:
            price = round(rng.uniform(-80, 600), 0) if rng.random() < 0.7 else None
        if arch.key in ("lead_battery", "circuit_boards", "etchant", "catalyst", "scrap_copper"):
            price = round(rng.uniform(500, 8000), 0)  # valuable: the holder is paid
        main = ", ".join(names[k] for k in sorted(comp, key=comp.get, reverse=True)[:2])
        desc = "; ".join(x for x in (
            _BUILTIN[code].description_en[:rng.randint(30, 90)] if code else (arch.sw or ""),
            rng.choice(_PROCESS), main, f"about {qty / 12:.0f} t/month" if rng.random() < 0.5 else "",
            rng.choice(_PACKING), rng.choice(_MATERIAL_DESCRIPTIONS)) if x)
        qual, qual_zh = rng.choice(_QUALIFIERS)
        offer_records.append(OfferRecord(
            ref=f"O-{i:07d}", site=site, quantity_t=qty, form=form, waste_code=code, composition=comp,
            names=names, title=f"{qual}{arch.title.lower() if qual else arch.title}", title_zh=f"{qual_zh}{arch.title_zh}",
            description=desc,
            available_from=start, available_to=end, price_cny_per_t=price,
            current_route=rng.choice(arch.routes), id=i))

    # ---- needs --------------------------------------------------------------------------------
    need_records: list[NeedRecord] = []
    n_handler_needs = round(0.2 * needs) if handler_scope else 0
    for j in range(needs):
        if j < n_handler_needs:
            h, purpose, cats = handler_scope[rng.randrange(len(handler_scope))]
            site = sites[h]
            cat = rng.choice(cats)
            options = _CATEGORY_ARCHETYPES.get(cat)
            if not options:
                cat = rng.choice([c for c in cats if c in _CATEGORY_ARCHETYPES] or ["HW49"])
                options = _CATEGORY_ARCHETYPES[cat]
            arch = rng.choice(options)
            code = None
            if rng.random() < 0.2:
                in_cat = [c for c in arch.codes if c.endswith(cat[2:])]
                code = rng.choice(in_cat) if in_cat else None
            forms = set(arch.forms)
            for other in options:
                if rng.random() < 0.5:
                    forms |= set(other.forms)
            qty = _lognormal(rng, 2500.0, 1.0, 50.0, 200000.0)
            max_km = float(rng.choice((100, 150, 200, 250, 300)))
            price = round(rng.uniform(-4000, -400), 0) if rng.random() < 0.8 else None
            title, title_zh = f"Licensed {purpose} of {arch.title.lower()}", f"{arch.title_zh}利用处置"
            wanted_p, limits_p = 0.05, 0.25
        else:
            wish = RECEIVERS if rng.random() < 0.9 else UNLICENSED_HW_WISHES
            industry, title, title_zh, purpose, keys = rng.choice(wish)
            arch = _BY_KEY[rng.choice(keys)]
            e = rng.choice(general_ents)
            site = sites[e]
            if site.industry is None:
                site = Site(site.enterprise, site.lat, site.lon, site.province, site.park, site.park_hw_max_km,
                            industry)
                sites[e] = site
            code = None
            forms = set(arch.forms)
            if rng.random() < 0.3:
                forms.add(rng.choice(("solid", "powder", "liquid", "sludge", "paste")))
            qty = _lognormal(rng, 600.0, 1.1, 5.0, 500000.0)
            max_km = float(rng.choice((30, 50, 80, 100, 120, 150, 200, 300)))
            price = round(rng.uniform(-150, 500), 0) if rng.random() < 0.7 else None
            title, title_zh = f"{title}: {arch.title.lower()}", f"{title_zh}：{arch.title_zh}"
            wanted_p, limits_p = 0.3, 0.35
        comp, names = _profile(arch) if rng.random() < 0.85 else ({}, {})
        wanted: dict[str, float] = {}
        main = _main_component(arch)
        if main and rng.random() < wanted_p:
            cas, name, _zh = S[main[0]]
            wanted[cas] = round(main[1] * rng.uniform(0.5, 1.0), 4)
            names.setdefault(cas, name)
        limits: dict[str, float] = {}
        if arch.contaminants and rng.random() < limits_p:
            for key in rng.sample(arch.contaminants, min(len(arch.contaminants), rng.randint(1, 2))):
                cas, name, _zh = S[key]
                if cas in wanted:
                    continue
                limits[cas] = rng.choice((0.0001, 0.001, 0.005, 0.02))
                names.setdefault(cas, name)
        start, end = _window(rng)
        need_records.append(NeedRecord(
            ref=f"N-{j:07d}", site=site, quantity_t=qty, forms=frozenset(forms), purpose=purpose,
            composition=comp, wanted=wanted, limits=limits, names=names, waste_code=code,
            max_distance_km=max_km if rng.random() < 0.95 else None, title=title, title_zh=title_zh,
            description="; ".join(x for x in (
                ", ".join(names[k] for k in sorted(comp, key=comp.get, reverse=True)[:2]),
                f"up to {qty / 12:.0f} t/month" if rng.random() < 0.6 else "", rng.choice(_PACKING),
                rng.choice(_MATERIAL_DESCRIPTIONS)) if x),
            available_from=start, available_to=end,
            price_cny_per_t=price, id=j))
    return offer_records, need_records, licences


if __name__ == "__main__":  # a quick look: python -m benchmarks.generate 1000 1000
    import sys
    from collections import Counter

    o, n, lic = generate_park(int(sys.argv[1]) if len(sys.argv) > 1 else 1000,
                              int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
    print(f"{len(o)} offers ({sum(1 for x in o if x.waste_code)} HW), {len(n)} needs, {len(lic)} licences, "
          f"{len({x.site.park for x in o})} parks")
    print(Counter(x.purpose for x in n))
    print(Counter(x.form for x in o))
