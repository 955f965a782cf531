"""Authoring aid for the demonstration park ``demo_park.json`` (format ``wastematch.v1``).

Every table below is written by hand for the demo: a fictional national economic-
technological development area near Suzhou (Jiangsu) with the "4+1" clusters, its
outside receivers (cement kiln, steelworks, licensed hazardous-waste handlers, two in
Zhejiang and one in Shanghai for cross-province cases) and a small second chemical
park.  Company names, licence numbers and quantities are invented.

Waste codes are codes of the National Hazardous Waste List (2021); each one was read
against the published list when the table was written.  Metals in sludges and dilute
liquors are given as the element (mass fraction of the wet waste); concentrated salt
solutions give the salt.

The other waste streams of the zero-waste city (issue 20) carry the project's own category codes
(``catalog.waste_streams``): demolition concrete (CW04 拆除垃圾, CJJ/T 134-2019) to a recycled-aggregate
line holding the 城市建筑垃圾处置核准 (建设部令第139号), canteen kitchen waste (HH03 厨余垃圾,
GB/T 19095-2019) to an anaerobic digester holding the household-waste licence (建设部令第157号), and
baled straw (AG01 秸秆) to the CHP plant's boilers as biomass fuel.

Run ``python marketplace/demo/build_demo_park.py`` to rewrite ``demo_park.json`` next
to this file.  The output is deterministic (no clock, no randomness).
"""
from __future__ import annotations

import json
from pathlib import Path

from catalog.cas import is_valid_cas

OUT = Path(__file__).with_name("demo_park.json")

# --------------------------------------------------------------------------------------
# Chemical identities used in compositions, wanted and limits: key -> (CAS or None, name)
# --------------------------------------------------------------------------------------
CHEM: dict[str, tuple[str | None, str]] = {
    # water, solvents
    "water": ("7732-18-5", "water"),
    "acetone": ("67-64-1", "acetone"),
    "ipa": ("67-63-0", "isopropanol"),
    "ethanol": ("64-17-5", "ethanol"),
    "methanol": ("67-56-1", "methanol"),
    "toluene": ("108-88-3", "toluene"),
    "xylene": ("1330-20-7", "xylene (mixed isomers)"),
    "butyl_acetate": ("123-86-4", "n-butyl acetate"),
    "ethyl_acetate": ("141-78-6", "ethyl acetate"),
    "pgmea": ("108-65-6", "propylene glycol methyl ether acetate (PGMEA)"),
    "pgme": ("107-98-2", "1-methoxy-2-propanol (PGME)"),
    "dmf": ("68-12-2", "N,N-dimethylformamide (DMF)"),
    "dimethylamine": ("124-40-3", "dimethylamine"),
    "nmp": ("872-50-4", "N-methyl-2-pyrrolidone (NMP)"),
    "mea": ("141-43-5", "monoethanolamine"),
    "dcm": ("75-09-2", "dichloromethane"),
    "naphthalene": ("91-20-3", "naphthalene"),
    "dgbe": ("112-34-5", "diethylene glycol monobutyl ether"),
    # oils and persistent pollutants
    "base_oil": ("64742-54-7", "mineral base oil (hydrotreated heavy paraffinic distillate)"),
    "sccp": ("85535-84-8", "short-chain chlorinated paraffins (C10-13, SCCPs)"),
    "pfos_k": ("2795-39-3", "potassium perfluorooctane sulfonate (PFOS)"),
    # acids, bases, salts
    "h2so4": ("7664-93-9", "sulfuric acid"),
    "hcl": ("7647-01-0", "hydrogen chloride (hydrochloric acid)"),
    "hno3": ("7697-37-2", "nitric acid"),
    "hf": ("7664-39-3", "hydrogen fluoride (hydrofluoric acid)"),
    "h3po4": ("7664-38-2", "phosphoric acid"),
    "acetic": ("64-19-7", "acetic acid"),
    "naoh": ("1310-73-2", "sodium hydroxide"),
    "na2co3": ("497-19-8", "sodium carbonate"),
    "nacl": ("7647-14-5", "sodium chloride"),
    "na2so4": ("7757-82-6", "sodium sulfate"),
    "h2o2": ("7722-84-1", "hydrogen peroxide"),
    "nh3": ("7664-41-7", "ammonia"),
    "nh4cl": ("12125-02-9", "ammonium chloride"),
    "nh4f": ("12125-01-8", "ammonium fluoride"),
    "nacn": ("143-33-9", "sodium cyanide"),
    "cro3": ("1333-82-0", "chromium trioxide (chromic acid)"),
    "fecl2": ("7758-94-3", "iron(II) chloride"),
    "zncl2": ("7646-85-7", "zinc chloride"),
    "zno": ("1314-13-2", "zinc oxide"),
    "cucl2": ("7447-39-4", "copper(II) chloride"),
    "zn3po4": ("7779-90-0", "zinc phosphate"),
    "fepo4": ("10045-86-0", "iron(III) phosphate"),
    "h2": ("1333-74-0", "hydrogen"),
    # elements
    "cu": ("7440-50-8", "copper"),
    "ni": ("7440-02-0", "nickel"),
    "cr": ("7440-47-3", "chromium"),
    "zn": ("7440-66-6", "zinc"),
    "fe": ("7439-89-6", "iron"),
    "pb": ("7439-92-1", "lead"),
    "cd": ("7440-43-9", "cadmium"),
    "hg": ("7439-97-6", "mercury"),
    "as": ("7440-38-2", "arsenic"),
    "pd": ("7440-05-3", "palladium"),
    "pt": ("7440-06-4", "platinum"),
    "sn": ("7440-31-5", "tin"),
    "au": ("7440-57-5", "gold"),
    "ag": ("7440-22-4", "silver"),
    "al": ("7429-90-5", "aluminium"),
    "si": ("7440-21-3", "silicon"),
    "carbon": ("7440-44-0", "carbon"),
    "graphite": ("7782-42-5", "graphite"),
    # oxides and minerals
    "sio2": ("7631-86-9", "silicon dioxide"),
    "al2o3": ("1344-28-1", "aluminium oxide"),
    "fe2o3": ("1309-37-1", "iron(III) oxide"),
    "feo": ("1345-25-1", "iron(II) oxide"),
    "cao": ("1305-78-8", "calcium oxide"),
    "mgo": ("1309-48-4", "magnesium oxide"),
    "nio": ("1313-99-1", "nickel(II) oxide"),
    "v2o5": ("1314-62-1", "vanadium pentoxide"),
    "wo3": ("1314-35-8", "tungsten trioxide"),
    "tio2": ("13463-67-7", "titanium dioxide"),
    "p2o5": ("1314-56-3", "phosphorus pentoxide (P2O5)"),
    "fluoride": ("16984-48-8", "fluoride"),
    "chloride": ("16887-00-6", "chloride"),
    "caco3": ("471-34-1", "calcium carbonate"),
    "gypsum": ("10101-41-4", "calcium sulfate dihydrate (gypsum)"),
    "talc": ("14807-96-6", "talc"),
    "diatomite": ("61790-53-2", "diatomaceous earth (kieselguhr)"),
    "glass": ("65997-17-3", "glass (oxide), glass fibre"),
    "carbon_black": ("1333-86-4", "carbon black"),
    # polymers and biomass
    "pp": ("9003-07-0", "polypropylene"),
    "pe": ("9002-88-4", "polyethylene"),
    "abs": ("9003-56-9", "ABS (acrylonitrile-butadiene-styrene)"),
    "pc": ("25037-45-0", "polycarbonate (bisphenol A)"),
    "pvc": ("9002-86-2", "polyvinyl chloride"),
    "pet": ("25038-59-9", "polyethylene terephthalate"),
    "eva": ("24937-78-8", "ethylene-vinyl acetate copolymer (EVA)"),
    "ps": ("9003-53-6", "polystyrene"),
    "epoxy": ("25068-38-6", "epoxy resin (bisphenol A-epichlorohydrin)"),
    "cellulose": ("9004-34-6", "cellulose (fibre)"),
    # lithium-ion battery materials
    "nmc": ("346417-97-8", "lithium nickel manganese cobalt oxide (NMC)"),
    "lipf6": ("21324-40-3", "lithium hexafluorophosphate"),
    "ec": ("96-49-1", "ethylene carbonate"),
    "dmc": ("616-38-6", "dimethyl carbonate"),
}


def comp(*parts: tuple) -> list[dict]:
    """Composition rows from (key, fraction) or (None, name, fraction) tuples."""
    rows = []
    for p in parts:
        if p[0] is None:
            _, name, frac = p
            rows.append({"name": name, "fraction": frac})
        else:
            key, frac = p
            cas, name = CHEM[key]
            rows.append({"name": name, "cas": cas, "fraction": frac})
    return rows


def wanted(**mins: float) -> list[dict]:
    return [{"cas": CHEM[k][0], "min_fraction": v} for k, v in mins.items()]


def limits(**maxes: float) -> list[dict]:
    return [{"cas": CHEM[k][0], "max_fraction": v} for k, v in maxes.items()]


# --------------------------------------------------------------------------------------
# Parks
# --------------------------------------------------------------------------------------
PARKS = [
    {"code": "CH", "name": "澄湖经济技术开发区",
     "name_en": "Chenghu Economic and Technological Development Area",
     "province": "江苏省", "lat": 31.300, "lon": 120.880},
    {"code": "JC", "name": "江澄港化工新材料产业园",
     "name_en": "Jiangcheng Port Chemical and New Materials Industrial Park",
     "province": "江苏省", "lat": 31.620, "lon": 121.150},
]

JS, ZJ, SH = "江苏省", "浙江省", "上海市"

# ref, name, park, industry, industry_name, province, district, lat, lon
# Receivers outside the park (E-038 … E-054) are members of the CH platform: the park
# coordinator matches the park's offers with them, so they carry park "CH".
ENTERPRISES = [
    # ---- 汽车及装备制造 automotive and equipment --------------------------------------
    ("E-001", "澄湖新能源汽车有限公司", "CH", "3612", "New energy vehicle manufacturing", JS, "昆山市", 31.318, 120.905),
    ("E-002", "苏州澄湖汽车零部件有限公司", "CH", "3670", "Automobile parts and accessories manufacturing", JS, "昆山市", 31.310, 120.918),
    ("E-003", "澄湖动力总成(苏州)有限公司", "CH", "3620", "Automotive engine manufacturing", JS, "昆山市", 31.296, 120.930),
    ("E-004", "苏州恒轴精密轴承有限公司", "CH", "3451", "Rolling bearing manufacturing", JS, "昆山市", 31.284, 120.912),
    ("E-005", "澄湖精工液压科技有限公司", "CH", "3444", "Hydraulic power machinery and components manufacturing", JS, "昆山市", 31.276, 120.895),
    ("E-006", "苏州澄湖数控机床有限公司", "CH", "3421", "Metal-cutting machine tool manufacturing", JS, "昆山市", 31.270, 120.873),
    ("E-007", "苏州澄湖表面处理中心有限公司", "CH", "3360", "Metal surface treatment and heat treatment", JS, "昆山市", 31.262, 120.940),
    ("E-008", "苏州澄湖热镀锌有限公司", "CH", "3360", "Metal surface treatment and heat treatment", JS, "昆山市", 31.258, 120.955),
    ("E-009", "澄湖铸造有限公司", "CH", "3391", "Ferrous metal casting", JS, "昆山市", 31.266, 120.920),
    ("E-010", "苏州澄湖汽车内饰件有限公司", "CH", "2929", "Plastic parts and other plastic products manufacturing", JS, "昆山市", 31.305, 120.935),
    # ---- 电子信息 electronics and IT ---------------------------------------------------
    ("E-011", "苏州澄湖电路科技有限公司", "CH", "3982", "Electronic circuit (PCB) manufacturing", JS, "苏州工业园区", 31.330, 120.845),
    ("E-012", "澄湖多层线路板(苏州)有限公司", "CH", "3982", "Electronic circuit (PCB) manufacturing", JS, "相城区", 31.338, 120.860),
    ("E-013", "苏州澄芯微电子有限公司", "CH", "3973", "Integrated circuit manufacturing", JS, "苏州工业园区", 31.322, 120.828),
    ("E-014", "苏州澄湖光电显示有限公司", "CH", "3974", "Display device manufacturing", JS, "相城区", 31.340, 120.818),
    ("E-015", "澄湖智能终端(苏州)有限公司", "CH", "3911", "Computer manufacturing", JS, "苏州工业园区", 31.312, 120.852),
    ("E-016", "苏州澄湖光伏科技有限公司", "CH", "3825", "Photovoltaic equipment and components manufacturing", JS, "苏州工业园区", 31.298, 120.838),
    ("E-017", "澄湖新能源电池(苏州)有限公司", "CH", "3841", "Lithium-ion battery manufacturing", JS, "苏州工业园区", 31.288, 120.858),
    # ---- 化工新材料 chemicals and new materials ----------------------------------------
    ("E-018", "苏州澄湖化工有限公司", "CH", "2614", "Organic chemical raw materials manufacturing", JS, "苏州工业园区", 31.262, 120.808),
    ("E-019", "澄湖涂料(苏州)有限公司", "CH", "2641", "Coating manufacturing", JS, "苏州工业园区", 31.270, 120.822),
    ("E-020", "苏州澄湖新材料股份有限公司", "CH", "2651", "Primary plastics and synthetic resins manufacturing", JS, "苏州工业园区", 31.278, 120.806),
    ("E-021", "苏州澄湖精细化学品有限公司", "CH", "2661", "Chemical reagents and auxiliaries manufacturing", JS, "苏州工业园区", 31.256, 120.826),
    # ---- 生物医药 pharmaceuticals and biomedicine ---------------------------------------
    ("E-022", "苏州澄湖药业有限公司", "CH", "2710", "Chemical API manufacturing", JS, "昆山市", 31.335, 120.900),
    ("E-023", "澄湖生物制药(苏州)有限公司", "CH", "2761", "Biological drug manufacturing", JS, "昆山市", 31.342, 120.915),
    ("E-024", "苏州澄康制药有限公司", "CH", "2720", "Chemical drug preparations manufacturing", JS, "昆山市", 31.332, 120.925),
    ("E-025", "苏州澄湖医疗器械有限公司", "CH", "3584", "Medical, surgical and veterinary instruments manufacturing", JS, "昆山市", 31.326, 120.940),
    # ---- 现代服务业 and park utilities ---------------------------------------------------
    ("E-026", "澄湖热电有限公司", "CH", "4412", "Cogeneration (combined heat and power)", JS, "苏州工业园区", 31.258, 120.860),
    ("E-027", "澄湖开发区污水处理有限公司", "CH", "4620", "Sewage treatment and reclamation", JS, "昆山市", 31.264, 120.885),
    ("E-028", "苏州澄湖啤酒有限公司", "CH", "1513", "Beer manufacturing", JS, "昆山市", 31.292, 120.950),
    ("E-029", "澄湖现代物流有限公司", "CH", "5431", "General freight road transport", JS, "昆山市", 31.344, 120.880),
    ("E-030", "澄湖人民医院", "CH", "8411", "General hospital", JS, "昆山市", 31.300, 120.900),
    ("E-031", "澄湖开发区综合门诊部", "CH", "8425", "Outpatient clinic", JS, "昆山市", 31.315, 120.870),
    ("E-032", "苏州澄检检测技术有限公司", "CH", "7452", "Testing services", JS, "苏州工业园区", 31.305, 120.862),
    ("E-033", "澄湖汽车维修服务有限公司", "CH", "8111", "Automobile repair and maintenance", JS, "昆山市", 31.320, 120.888),
    ("E-034", "苏州澄湖汽车销售服务有限公司", "CH", "8111", "Automobile repair and maintenance", JS, "昆山市", 31.290, 120.878),
    ("E-035", "澄湖物业服务有限公司", "CH", "7020", "Property management", JS, "昆山市", 31.302, 120.875),
    ("E-036", "苏州绿捷再生资源回收有限公司", "CH", "7724", "Hazardous waste treatment", JS, "昆山市", 31.280, 120.940),
    ("E-037", "澄湖预拌混凝土有限公司", "CH", "3021", "Cement products manufacturing", JS, "昆山市", 31.274, 120.950),
    # ---- receivers outside the park (platform members) -----------------------------------
    ("E-038", "苏州澄湖环境科技有限公司", "CH", "7724", "Hazardous waste treatment", JS, "昆山市", 31.365, 121.015),
    ("E-039", "常熟澄源溶剂再生有限公司", "CH", "7724", "Hazardous waste treatment", JS, "常熟市", 31.690, 120.880),
    ("E-040", "嘉善绿源油品再生有限公司", "CH", "2511", "Crude oil processing and petroleum products manufacturing", ZJ, "嘉善县", 30.860, 120.925),
    ("E-041", "苏州吴江恒润油品回收有限公司", "CH", "2511", "Crude oil processing and petroleum products manufacturing", JS, "吴江区", 31.020, 120.660),
    ("E-042", "太仓澄铜资源科技有限公司", "CH", "2613", "Inorganic salt manufacturing", JS, "太仓市", 31.505, 121.095),
    ("E-043", "常熟澄金再生金属有限公司", "CH", "4210", "Metal scrap processing", JS, "常熟市", 31.745, 120.705),
    ("E-044", "上海嘉定澄贵金属材料有限公司", "CH", "3229", "Other precious metal smelting", SH, "嘉定区", 31.380, 121.230),
    ("E-045", "无锡澄峰水泥有限公司", "CH", "3011", "Cement manufacturing", JS, "锡山区", 31.560, 120.460),
    ("E-046", "昆山澄建水泥粉磨有限公司", "CH", "3011", "Cement manufacturing", JS, "昆山市", 31.400, 121.000),
    ("E-047", "常熟澄钢特钢有限公司", "CH", "3120", "Steelmaking", JS, "常熟市", 31.720, 120.790),
    ("E-048", "长兴澄蓄再生铅业有限公司", "CH", "3212", "Lead and zinc smelting", ZJ, "长兴县", 31.010, 119.930),
    ("E-049", "常熟澄锂循环科技有限公司", "CH", "4210", "Metal scrap processing", JS, "常熟市", 31.650, 120.960),
    ("E-050", "昆山澄丰再生资源有限公司", "CH", "4210", "Metal scrap processing", JS, "昆山市", 31.340, 120.990),
    ("E-051", "苏州相城澄塑再生科技有限公司", "CH", "4220", "Non-metal scrap processing", JS, "相城区", 31.405, 120.630),
    ("E-052", "苏州吴中澄桶包装再生有限公司", "CH", "4220", "Non-metal scrap processing", JS, "吴中区", 31.190, 120.760),
    ("E-053", "太仓澄牧饲料有限公司", "CH", "1329", "Other feed processing", JS, "太仓市", 31.470, 121.060),
    ("E-054", "苏州澄石新型建材有限公司", "CH", "3024", "Lightweight building materials manufacturing", JS, "常熟市", 31.520, 120.820),
    # ---- second park: 江澄港化工新材料产业园 (JC) --------------------------------------------
    ("E-055", "江苏澄港石化有限公司", "JC", "2614", "Organic chemical raw materials manufacturing", JS, "太仓市", 31.630, 121.160),
    ("E-056", "太仓澄港氯碱化工有限公司", "JC", "2612", "Inorganic alkali manufacturing", JS, "太仓市", 31.615, 121.175),
    ("E-057", "太仓澄磷化工有限公司", "JC", "2622", "Phosphate fertiliser manufacturing", JS, "太仓市", 31.608, 121.140),
    ("E-058", "太仓澄港水务有限公司", "JC", "4620", "Sewage treatment and reclamation", JS, "太仓市", 31.600, 121.165),
    ("E-059", "太仓澄港环保处置有限公司", "JC", "7724", "Hazardous waste treatment", JS, "太仓市", 31.625, 121.130),
    ("E-060", "太仓澄净水处理剂有限公司", "JC", "2666", "Environmental pollution treatment chemicals manufacturing", JS, "太仓市", 31.612, 121.120),
    ("E-061", "澄港海上风电运维有限公司", "JC", "4415", "Wind power generation", JS, "太仓市", 31.640, 121.185),
    # ---- the other streams of the zero-waste city (issue 20): platform members of CH ----------------
    # A grain co-operative of the surrounding townships: farming has no class in the built-in GB/T 4754 table
    # (industrial sections only), so it carries no industry code and is named by its English industry name.
    ("E-062", "昆山市澄湖粮油专业合作社", "CH", None, "Rice and wheat farming co-operative", JS, "昆山市", 31.235, 120.985),
    ("E-063", "苏州澄湖餐厨废弃物处理有限公司", "CH", "7820", "Environmental sanitation (kitchen waste treatment)", JS,
     "昆山市", 31.330, 120.975),
]

ALL_ACT = ["collect", "store", "utilise", "dispose"]
UTIL = ["collect", "store", "utilise"]
DISP = ["collect", "store", "dispose"]

LICENCES: dict[str, list[dict]] = {
    # integrated HW incineration + stabilisation/landfill + physico-chemical centre (incl. HW01)
    "E-038": [{"number": "JS-HW-3205-0012", "kind": "hw_comprehensive",
               "categories": ["HW01", "HW02", "HW03", "HW04", "HW06", "HW08", "HW09", "HW11",
                              "HW12", "HW13", "HW17", "HW18", "HW22", "HW29", "HW32", "HW33",
                              "HW34", "HW35", "HW49", "HW50"],
               "activities": DISP, "annual_capacity_t": 36000,
               "valid_from": "2024-03-01", "valid_to": "2029-02-28"}],
    # solvent regeneration (HW06 only)
    "E-039": [{"number": "JS-HW-3205-0047", "kind": "hw_comprehensive", "categories": ["HW06"],
               "activities": UTIL, "annual_capacity_t": 20000,
               "valid_from": "2023-07-01", "valid_to": "2028-06-30"}],
    # waste-oil re-refinery in Zhejiang (cross-province)
    "E-040": [{"number": "ZJ-HW-3304-0019", "kind": "hw_comprehensive", "categories": ["HW08", "HW09"],
               "activities": UTIL, "annual_capacity_t": 50000,
               "valid_from": "2025-01-01", "valid_to": "2029-12-31"}],
    # waste-oil recycler whose licence EXPIRED on 2026-06-30
    "E-041": [{"number": "JS-HW-3205-0031", "kind": "hw_comprehensive", "categories": ["HW08", "HW09"],
               "activities": UTIL, "annual_capacity_t": 15000,
               "valid_from": "2021-07-01", "valid_to": "2026-06-30"}],
    # etchant / copper sludge recovery
    "E-042": [{"number": "JS-HW-3205-0058", "kind": "hw_comprehensive", "categories": ["HW17", "HW22"],
               "activities": UTIL, "annual_capacity_t": 40000,
               "valid_from": "2024-09-01", "valid_to": "2029-08-31"}],
    # metal-bearing sludges and residues; licence EXPIRES 2027-01-31; no HW22, no HW50
    "E-043": [{"number": "JS-HW-3205-0066", "kind": "hw_comprehensive",
               "categories": ["HW17", "HW23", "HW46", "HW48"],
               "activities": UTIL, "annual_capacity_t": 25000,
               "valid_from": "2022-02-01", "valid_to": "2027-01-31"}],
    # precious-metal refiner in Shanghai (cross-province); HW49 + HW50, no HW46
    "E-044": [{"number": "SH-HW-3101-0021", "kind": "hw_comprehensive", "categories": ["HW49", "HW50"],
               "activities": ["store", "utilise"], "annual_capacity_t": 5000,
               "valid_from": "2023-05-01", "valid_to": "2028-04-30"}],
    # cement kiln co-processing (水泥窑协同处置): no HW01, HW22, HW29, HW31, HW33
    "E-045": [{"number": "JS-HW-3202-0009", "kind": "hw_comprehensive",
               "categories": ["HW02", "HW04", "HW06", "HW08", "HW09", "HW11", "HW12", "HW13",
                              "HW17", "HW18", "HW34", "HW35", "HW49", "HW50"],
               "activities": ALL_ACT, "annual_capacity_t": 50000,
               "valid_from": "2025-04-01", "valid_to": "2030-03-31"}],
    # secondary lead smelter in Zhejiang (cross-province)
    "E-048": [{"number": "ZJ-HW-3305-0004", "kind": "hw_comprehensive", "categories": ["HW31"],
               "activities": UTIL, "annual_capacity_t": 60000,
               "valid_from": "2024-01-01", "valid_to": "2028-12-31"}],
    # drum / IBC reconditioner: two listed codes only, small capacity (binds rule 2)
    "E-052": [{"number": "JS-HW-3205-0083", "kind": "hw_comprehensive", "categories": ["HW08", "HW49"],
               "codes": ["900-249-08", "900-041-49"],
               "activities": UTIL, "annual_capacity_t": 3000,
               "valid_from": "2025-06-01", "valid_to": "2030-05-31"}],
    # collection-only licence: waste mineral oil from vehicle repair + household Cd-Ni batteries
    "E-036": [{"number": "JS-HW-3205-0117", "kind": "hw_collection", "categories": ["HW08", "HW49"],
               "codes": ["900-214-08", "900-044-49"],
               "activities": ["collect", "store"], "annual_capacity_t": 2000,
               "valid_from": "2025-03-01", "valid_to": "2028-02-29"}],
    # JC park incinerator (no HW01)
    "E-059": [{"number": "JS-HW-3205-0095", "kind": "hw_comprehensive",
               "categories": ["HW02", "HW04", "HW06", "HW11", "HW12", "HW13", "HW39", "HW45",
                              "HW49", "HW50"],
               "activities": DISP, "annual_capacity_t": 20000,
               "valid_from": "2024-11-01", "valid_to": "2029-10-31"}],
    # recycled aggregate and block line for demolition and construction-site waste: 城市建筑垃圾处置核准
    # (建设部令第139号), limited to the categories it can take (no spoil or mud)
    "E-054": [{"number": "SZ-JZLJ-2025-0142", "kind": "construction_waste_disposal",
               "categories": ["CW03", "CW04", "CW05"], "activities": ["collect", "store", "utilise"],
               "annual_capacity_t": 150000, "valid_from": "2025-05-01", "valid_to": "2028-04-30"}],
    # anaerobic digestion of kitchen waste: 城市生活垃圾经营性处置许可 (建设部令第157号), kitchen waste only
    "E-063": [{"number": "SZ-SHLJ-2024-0031", "kind": "household_waste_service", "categories": ["HH03"],
               "activities": ["collect", "store", "utilise"], "annual_capacity_t": 73000,
               "valid_from": "2024-07-01", "valid_to": "2029-06-30"}],
    # ferric chloride / polyferric sulfate maker using spent acids (HW34 only)
    "E-060": [{"number": "JS-HW-3205-0102", "kind": "hw_comprehensive", "categories": ["HW34"],
               "activities": UTIL, "annual_capacity_t": 30000,
               "valid_from": "2023-10-01", "valid_to": "2028-09-30"}],
}

Y0 = "2026-01-01"   # usual start of availability
Y1 = "2027-12-31"   # usual end when a contract horizon is stated


def offer(ref, ent, title, title_zh, form, composition, qty, period, price, route, *,
          code=None, ewc=None, desc="", af=Y0, at=None, complete=True, category=None, stream=None):
    # The demo's compositions list every component the holders know of (the rest is inert matter), so they are
    # declared complete: a need's limit on a substance they do not list is met, not unknown (issue 16).
    d = {"ref": ref, "kind": "offer", "enterprise": ent, "title": title, "title_zh": title_zh,
         "description": desc}
    if code:
        d["waste_code"] = code
    if category:
        d["category"] = category
    if stream:
        d["stream"] = stream
    if ewc:
        d["ewc_code"] = ewc
    d.update({"form": form, "composition": composition, "quantity_t": qty, "period": period,
              "available_from": af, "available_to": at, "price_cny_per_t": price,
              "current_route": route})
    if complete and composition:
        d["composition_complete"] = True
    return d


def need(ref, ent, title, title_zh, forms, purpose, max_km, composition, qty, period, price, *,
         want=None, lim=None, code=None, desc="", af=Y0, at=None, category=None, stream=None):
    d = {"ref": ref, "kind": "need", "enterprise": ent, "title": title, "title_zh": title_zh,
         "description": desc}
    if code:
        d["waste_code"] = code
    if category:
        d["category"] = category
    if stream:
        d["stream"] = stream
    d.update({"composition": composition, "quantity_t": qty, "period": period,
              "available_from": af, "available_to": at, "price_cny_per_t": price,
              "forms": forms, "purpose": purpose, "max_distance_km": max_km,
              "wanted": want or [], "limits": lim or []})
    return d


OIL = "base_oil"

OFFERS = [
    # ---------------- E-001 new energy vehicles ----------------
    offer("O-001", "E-001", "Paint sludge from spray-booth water curtains", "喷漆房漆渣",
          "sludge", comp(("water", 0.45), (None, "paint resin solids (acrylic/polyester)", 0.30),
                         ("tio2", 0.05), ("xylene", 0.04), ("butyl_acetate", 0.03)),
          420, "year", -3200, "incineration", code="900-252-12", ewc="080113",
          desc="Solvent-borne topcoat line; coagulated sludge from wet scrubbers, drummed."),
    offer("O-002", "E-001", "Phosphating sludge from pretreatment line", "磷化渣",
          "sludge", comp(("zn3po4", 0.12), ("fepo4", 0.10), ("ni", 0.004), ("water", 0.60)),
          180, "year", -2800, "landfill", code="336-064-17", ewc="110109",
          desc="Zinc-phosphate conversion coating before e-coat; filter-press cake."),
    offer("O-003", "E-001", "Purge thinner from paint robots (with pigment)", "换色清洗废稀释剂",
          "liquid", comp(("xylene", 0.38), ("butyl_acetate", 0.32), ("pgmea", 0.12),
                         (None, "paint solids and pigments", 0.10), ("water", 0.03)),
          260, "year", -600, "incineration", code="900-252-12", ewc="080111",
          desc="Colour-change purge solvent; HW12 (not HW06) because it comes from spraying."),
    offer("O-004", "E-001", "Galvanised steel stamping offcuts", "冲压边角料(镀锌钢)",
          "solid", comp(("fe", 0.985), ("zn", 0.010), ("cu", 0.0005)),
          6500, "year", 2600, "sale", desc="Clean press-shop skeleton scrap, baled."),
    offer("O-005", "E-001", "NMC battery packs rejected at end-of-line test", "下线检测不合格动力电池包",
          "solid", comp(("nmc", 0.30), ("graphite", 0.15), ("al", 0.18), ("cu", 0.10),
                        ("lipf6", 0.015), ("ec", 0.04), ("dmc", 0.04), ("fe", 0.08)),
          85, "year", 18000, "storage",
          desc="Lithium-ion packs (not on the HW list); discharged, handled under 动力蓄电池回收 rules."),
    # ---------------- E-002 automobile parts ----------------
    offer("O-006", "E-002", "Spent cutting emulsion", "废切削液(乳化液)",
          "liquid", comp(("water", 0.92), (OIL, 0.05), (None, "emulsifiers and biocides", 0.02)),
          900, "year", -1800, "disposal", code="900-006-09", ewc="120109"),
    offer("O-007", "E-002", "Pressed oily steel turnings briquettes", "含油钢屑压块",
          "solid", comp(("fe", 0.955), (OIL, 0.012), ("water", 0.01), ("cr", 0.01)),
          1200, "year", 1900, "storage", code="900-006-09",
          desc="Turnings pressed after centrifuging, no free-dripping oil; for metal smelting "
               "(exemption list item 9)."),
    offer("O-008", "E-002", "Aluminium die-casting runners and rejects", "铝压铸浇口及废品",
          "solid", comp(("al", 0.86), ("si", 0.10), ("cu", 0.025), ("fe", 0.008)),
          1100, "year", 12500, "sale", desc="ADC12 alloy, dry, no oil."),
    # ---------------- E-003 engines ----------------
    offer("O-009", "E-003", "Drained 200 L steel oil drums, opened and pressed", "废矿物油铁桶(开口压块)",
          "solid", comp(("fe", 0.96), (OIL, 0.008)),
          360, "year", 300, "storage", code="900-249-08", ewc="150110",
          desc="Lids cut open, drained without dripping and baled (exemption list item 8 for metal smelting)."),
    offer("O-010", "E-003", "Spent engine test-bench oil", "发动机试验台架废机油",
          "liquid", comp((OIL, 0.90), ("water", 0.03), (None, "fuel dilution", 0.04)),
          240, "year", 2000, "sale", code="900-249-08", ewc="130208",
          desc="Industrial source (not vehicle repair)."),
    offer("O-011", "E-003", "Honing and grinding sludge (oily)", "珩磨油泥",
          "sludge", comp(("fe", 0.55), (OIL, 0.18), ("al2o3", 0.05), ("water", 0.15)),
          150, "year", -2600, "incineration", code="900-200-08", ewc="120118"),
    # ---------------- E-004 bearings ----------------
    offer("O-012", "E-004", "Spent quenching oil", "废淬火油",
          "liquid", comp((OIL, 0.94), ("water", 0.02)),
          80, "year", 1500, "sale", code="900-203-08", ewc="130208"),
    # ---------------- E-005 hydraulics ----------------
    offer("O-013", "E-005", "Waste hydraulic oil from test rigs", "试验台废液压油",
          "liquid", comp((OIL, 0.95), ("water", 0.02)),
          180, "year", 2000, "sale", code="900-218-08", ewc="130110"),
    # ---------------- E-006 machine tools ----------------
    offer("O-014", "E-006", "Legacy neat cutting oil containing SCCPs", "含短链氯化石蜡的库存切削油",
          "liquid", comp((OIL, 0.80), ("sccp", 0.12), (None, "other additives", 0.05)),
          36, "once", -6500, "storage", code="900-249-08", ewc="120106",
          af="2026-11-01", at="2027-03-31",
          desc="Old EP cutting-oil stock with chlorinated paraffin additive; SCCPs are a Stockholm "
               "POP and a key controlled new pollutant: destruction only."),
    offer("O-015", "E-006", "Dry cast-iron swarf", "干铸铁屑",
          "solid", comp(("fe", 0.93), ("carbon", 0.034), ("si", 0.02)),
          800, "year", 1600, "sale", ewc="120101"),
    # ---------------- E-007 electroplating centre ----------------
    offer("O-016", "E-007", "Nickel electroplating sludge", "镀镍污泥",
          "sludge", comp(("water", 0.65), ("ni", 0.035), ("cu", 0.008), ("cr", 0.003),
                         ("zn", 0.006), ("fe", 0.025), ("gypsum", 0.08)),
          600, "year", 600, "disposal", code="336-054-17", ewc="110109"),
    offer("O-017", "E-007", "Mixed electroplating wastewater sludge (Cu/Cr/Zn)", "综合电镀污泥(铜铬锌)",
          "sludge", comp(("water", 0.70), ("cu", 0.018), ("cr", 0.022), ("ni", 0.006),
                         ("zn", 0.012), ("fe", 0.04), ("gypsum", 0.06)),
          1400, "year", -900, "landfill", code="336-063-17", ewc="110109"),
    offer("O-018", "E-007", "Spent nitric acid rack-stripping solution", "退镀废硝酸",
          "liquid", comp(("hno3", 0.25), ("ni", 0.02), ("cu", 0.015), ("water", 0.70)),
          120, "year", -1500, "disposal", code="900-305-34", ewc="110105",
          desc="Oxidising acid with dissolved Ni and Cu."),
    offer("O-019", "E-007", "Spent cyanide alkaline degreasing solution", "含氰碱性除油废液",
          "liquid", comp(("nacn", 0.03), ("naoh", 0.04), ("na2co3", 0.03), ("water", 0.88)),
          45, "year", -4500, "disposal", code="900-027-33", ewc="110113",
          desc="Must never be mixed with acids (HCN release)."),
    # ---------------- E-008 hot-dip galvanizing ----------------
    offer("O-020", "E-008", "Spent hydrochloric pickling liquor from galvanizing", "热镀锌酸洗废盐酸",
          "liquid", comp(("hcl", 0.05), ("fecl2", 0.18), ("zncl2", 0.04), ("water", 0.72)),
          2400, "year", -350, "disposal", code="336-064-17", ewc="110105",
          desc="Pickling in a surface-treatment plant is HW17 (336-064-17), not HW34."),
    offer("O-021", "E-008", "Spent galvanizing flux residue and bag-filter dust", "热镀锌废助镀剂及除尘灰",
          "powder", comp(("zno", 0.55), ("zncl2", 0.12), ("nh4cl", 0.08), ("fe", 0.03), ("pb", 0.004)),
          260, "year", 3500, "storage", code="336-103-23"),
    # ---------------- E-009 foundry ----------------
    offer("O-022", "E-009", "Spent resin-bonded foundry sand", "废铸造砂",
          "solid", comp(("sio2", 0.88), ("al2o3", 0.04), ("fe2o3", 0.025), ("carbon", 0.02)),
          9000, "year", -40, "landfill", ewc="100908",
          desc="General industrial solid waste (SW59 其他工业固体废物)."),
    offer("O-023", "E-009", "Foundry bag-filter dust", "铸造除尘灰",
          "powder", comp(("sio2", 0.55), ("fe2o3", 0.15), ("al2o3", 0.06), ("carbon", 0.09), ("cao", 0.04)),
          600, "year", -60, "landfill", desc="General industrial solid waste (SW59)."),
    # ---------------- E-010 plastic interior parts ----------------
    offer("O-024", "E-010", "Talc-filled PP regrind from injection moulding", "注塑PP边角料破碎料",
          "solid", comp(("pp", 0.82), ("talc", 0.12), ("carbon_black", 0.01)),
          650, "year", 4200, "sale", ewc="120105"),
    # ---------------- E-011 PCB ----------------
    offer("O-025", "E-011", "Spent acidic copper chloride etchant", "酸性蚀刻废液(氯化铜)",
          "liquid", comp(("cucl2", 0.21), ("hcl", 0.07), ("water", 0.71)),
          3600, "year", 3200, "sale", at=Y1, code="398-004-22", ewc="110198",
          desc="About 120 g/L Cu; copper recovery as basic copper carbonate or cathode copper."),
    offer("O-026", "E-011", "Spent alkaline ammoniacal etchant", "碱性蚀刻废液",
          "liquid", comp(("cucl2", 0.19), ("nh4cl", 0.12), ("nh3", 0.05), ("water", 0.62)),
          1800, "year", 3800, "sale", code="398-004-22", ewc="110198",
          desc="Copper given as CuCl2 equivalent (tetraammine copper complex)."),
    offer("O-027", "E-011", "Copper-bearing etching wastewater sludge", "含铜蚀刻废水处理污泥",
          "sludge", comp(("cu", 0.06), ("fe", 0.05), ("cao", 0.05), ("water", 0.65)),
          900, "year", 800, "disposal", code="398-051-22", ewc="060502"),
    offer("O-028", "E-011", "Spent dry-film developer/stripper (dilute caustic with resist)", "显影去膜废碱液",
          "liquid", comp(("naoh", 0.03), ("na2co3", 0.01), (None, "dissolved photoresist (acrylic)", 0.025),
                         ("water", 0.93)),
          1100, "year", -600, "disposal", code="900-356-35", ewc="110107"),
    offer("O-029", "E-011", "PCB edge trim and scrap panels", "线路板边角料及报废板",
          "solid", comp(("cu", 0.20), ("glass", 0.32), ("epoxy", 0.25), ("sn", 0.02), ("pb", 0.004),
                        ("ag", 0.0006), ("au", 0.0001)),
          420, "year", 6500, "sale", code="900-045-49",
          desc="Transport exempt under exemption list item 28."),
    # ---------------- E-012 PCB ----------------
    offer("O-030", "E-012", "Spent acidic copper chloride etchant", "酸性蚀刻废液",
          "liquid", comp(("cucl2", 0.19), ("hcl", 0.08), ("water", 0.72)),
          2200, "year", 3000, "sale", code="398-004-22", ewc="110198"),
    offer("O-031", "E-012", "Spent micro-etch solution (sulfuric/peroxide, copper)", "微蚀废液",
          "liquid", comp(("h2so4", 0.08), ("cu", 0.024), ("h2o2", 0.01), ("water", 0.87)),
          600, "year", 600, "sale", code="398-005-22", ewc="110198"),
    offer("O-032", "E-012", "Spent acid dip (sulfuric) from plating pretreatment", "浸酸废液",
          "liquid", comp(("h2so4", 0.10), ("cu", 0.004), ("water", 0.89)),
          500, "year", -300, "disposal", code="398-005-34", ewc="110105"),
    # ---------------- E-013 integrated circuits ----------------
    offer("O-033", "E-013", "Spent isopropanol from wafer cleaning", "晶圆清洗废异丙醇",
          "liquid", comp(("ipa", 0.88), ("water", 0.11)),
          1500, "year", 1200, "sale", code="900-402-06", ewc="140603"),
    offer("O-034", "E-013", "Spent sulfuric acid from wet benches (SPM)", "湿法清洗废硫酸",
          "liquid", comp(("h2so4", 0.72), ("h2o2", 0.01), ("water", 0.27)),
          4800, "year", -150, "disposal", code="398-007-34", ewc="060101",
          desc="Corrosive only; heavy metals below detection (<0.1 mg/kg). Candidate for the HW34 "
               "exemption (item 20) as production raw material or WWTP neutraliser."),
    offer("O-035", "E-013", "Spent buffered oxide etch (HF/NH4F)", "含氟蚀刻废液",
          "liquid", comp(("hf", 0.05), ("nh4f", 0.08), ("water", 0.86)),
          900, "year", -2800, "disposal", code="900-026-32", ewc="060106"),
    offer("O-036", "E-013", "Surplus hydrogen peroxide 30% (expiring lot)", "富余过氧化氢(30%)",
          "liquid", comp(("h2o2", 0.30), ("water", 0.70)),
          80, "once", 500, "sale", af="2026-11-01", at="2027-01-31",
          desc="Not a waste: electronic-grade lot past its internal shelf life, meets industrial grade."),
    offer("O-037", "E-013", "Spent photoresist thinner (PGMEA/PGME)", "废光刻胶稀释剂",
          "liquid", comp(("pgmea", 0.68), ("pgme", 0.25), (None, "photoresist solids", 0.03)),
          420, "year", 400, "sale", code="900-404-06", ewc="140603"),
    # ---------------- E-014 display panels ----------------
    offer("O-038", "E-014", "Spent photoresist stripper (NMP/MEA)", "废剥离液",
          "liquid", comp(("nmp", 0.55), ("mea", 0.25), ("water", 0.12), (None, "dissolved resist", 0.03)),
          2400, "year", 900, "sale", code="900-404-06", ewc="140603"),
    offer("O-039", "E-014", "Spent aluminium etchant (phosphoric/nitric/acetic)", "废铝蚀刻液",
          "liquid", comp(("h3po4", 0.62), ("hno3", 0.03), ("acetic", 0.08), ("al", 0.004), ("water", 0.26)),
          1200, "year", 200, "disposal", code="398-007-34", ewc="060104",
          desc="Corrosive only; no toxic metals. Phosphoric acid recoverable."),
    # ---------------- E-015 EMS / computers ----------------
    offer("O-040", "E-015", "Rejected PCB assemblies", "报废电路板组件",
          "solid", comp(("cu", 0.16), ("glass", 0.25), ("epoxy", 0.20), ("sn", 0.03), ("fe", 0.05),
                        ("al", 0.05), ("ag", 0.001), ("au", 0.0002)),
          120, "year", 12000, "sale", code="900-045-49", ewc="160215"),
    # ---------------- E-016 photovoltaics ----------------
    offer("O-041", "E-016", "Off-spec and broken PV modules", "不合格及破损光伏组件",
          "solid", comp(("glass", 0.74), ("al", 0.10), ("eva", 0.06), ("si", 0.035), ("pet", 0.03),
                        ("cu", 0.01), ("ag", 0.0005), ("pb", 0.0003)),
          1100, "year", 250, "storage", ewc="160214"),
    # ---------------- E-017 lithium-ion batteries ----------------
    offer("O-042", "E-017", "Recovered NMP condensate from cathode coating", "正极涂布NMP回收液",
          "liquid", comp(("nmp", 0.85), ("water", 0.14)),
          6000, "year", 6500, "sale", code="900-404-06", ewc="070104",
          desc="Condensed from coater exhaust; managed as HW06 per the plant's EIA approval."),
    offer("O-043", "E-017", "Scrap cathode sheets (NMC on Al foil)", "正极废极片",
          "solid", comp(("nmc", 0.85), ("al", 0.12), (None, "PVDF binder and carbon", 0.03)),
          650, "year", 35000, "sale"),
    # ---------------- E-018 organic chemicals ----------------
    offer("O-044", "E-018", "Distillation residues (heavy ends)", "精馏残渣",
          "paste", comp((None, "high-boiling organics", 0.85), ("naphthalene", 0.04), ("toluene", 0.02)),
          800, "year", -3500, "incineration", code="900-013-11", ewc="070108"),
    offer("O-045", "E-018", "Off-spec methanol (97%)", "不合格甲醇(97%)",
          "liquid", comp(("methanol", 0.965), ("water", 0.03), ("ethanol", 0.004)),
          500, "year", 1800, "sale", desc="Not a waste: product out of specification for water content."),
    offer("O-046", "E-018", "Spent nickel hydrogenation catalyst", "废镍催化剂",
          "solid", comp(("ni", 0.40), ("nio", 0.05), ("al2o3", 0.45), (None, "organic residues", 0.05)),
          24, "once", 9000, "storage", code="900-037-46", ewc="160802",
          af="2026-12-01", at="2027-03-31",
          desc="Catalyst change-out; pyrophoric, kept under water. Nickel catalyst is HW46, not HW50."),
    offer("O-047", "E-018", "Contaminated HDPE drums (200 L, closed-head)", "沾染化学品的塑料桶",
          "solid", comp(("pe", 0.96), (None, "chemical residues", 0.02)),
          900, "year", -300, "storage", code="900-041-49", ewc="150110"),
    offer("O-048", "E-018", "PFOS-containing AFFF fire-fighting foam concentrate", "含PFOS泡沫灭火剂",
          "liquid", comp(("water", 0.70), ("dgbe", 0.15), ("pfos_k", 0.008),
                         (None, "hydrocarbon surfactants", 0.05)),
          18, "once", -12000, "storage", code="900-053-49", ewc="160508",
          af="2026-11-15", at="2027-06-30",
          desc="Legacy tank-farm stock replaced by fluorine-free foam; PFOS is a Stockholm POP: "
               "destruction only."),
    # ---------------- E-019 coatings ----------------
    offer("O-049", "E-019", "Spent cleaning solvent with pigments", "含颜料废清洗溶剂",
          "liquid", comp(("xylene", 0.45), ("butyl_acetate", 0.25), ("ethyl_acetate", 0.10),
                         (None, "pigments and resin", 0.12)),
          450, "year", -800, "incineration", code="264-013-12", ewc="080111"),
    offer("O-050", "E-019", "Paint-plant wastewater sludge", "涂料废水处理污泥",
          "sludge", comp(("water", 0.62), (None, "resin and pigment solids", 0.25), ("tio2", 0.05)),
          300, "year", -2900, "incineration", code="264-012-12", ewc="080115"),
    offer("O-051", "E-019", "Contaminated steel paint drums", "沾染涂料的废铁桶",
          "solid", comp(("fe", 0.90), (None, "paint residues", 0.05)),
          1200, "year", -500, "storage", code="900-041-49", ewc="150110"),
    # ---------------- E-020 resins ----------------
    offer("O-052", "E-020", "Resin still bottoms", "树脂精制釜残",
          "paste", comp((None, "oligomers and resin residues", 0.88), ("xylene", 0.05)),
          350, "year", -3000, "incineration", code="265-103-13", ewc="070208"),
    offer("O-053", "E-020", "Off-spec PP pellets (colour deviation)", "色差PP粒子",
          "solid", comp(("pp", 0.995)), 240, "year", 5500, "sale", desc="Not a waste: off-grade product."),
    # ---------------- E-021 fine chemicals ----------------
    offer("O-054", "E-021", "Spent DMF", "废DMF",
          "liquid", comp(("dmf", 0.78), ("water", 0.18), ("dimethylamine", 0.01)),
          1800, "year", 1000, "sale", code="900-404-06", ewc="070104"),
    offer("O-055", "E-021", "Contaminated plastic and steel drums", "沾染化学品的废包装桶",
          "solid", comp(("pe", 0.50), ("fe", 0.45), (None, "chemical residues", 0.02)),
          700, "year", -400, "storage", code="900-041-49", ewc="150110"),
    offer("O-056", "E-021", "Spent decolorising activated carbon", "脱色废活性炭",
          "solid", comp(("carbon", 0.60), ("water", 0.25), (None, "adsorbed organics", 0.12)),
          220, "year", -2800, "incineration", code="900-039-49", ewc="061302"),
    # ---------------- E-022 chemical APIs ----------------
    offer("O-057", "E-022", "Spent dichloromethane from extraction", "萃取废二氯甲烷",
          "liquid", comp(("dcm", 0.82), ("methanol", 0.06), ("water", 0.05), (None, "API-related organics", 0.05)),
          1600, "year", 200, "sale", code="900-401-06", ewc="070503",
          desc="Dichloromethane is on the 2023 list of key controlled new pollutants (重点管控新污染物)."),
    offer("O-058", "E-022", "Spent acetone", "废丙酮",
          "liquid", comp(("acetone", 0.90), ("water", 0.08)),
          2000, "year", 900, "sale", code="900-402-06", ewc="070504"),
    offer("O-059", "E-022", "Spent Pd/C hydrogenation catalyst", "废钯碳催化剂",
          "solid", comp(("pd", 0.022), ("carbon", 0.50), ("water", 0.40), (None, "organic residues", 0.05)),
          1.2, "year", 2400000, "storage", code="271-006-50", ewc="160807",
          desc="Priced on palladium content (about 2.2% Pd, wet basis)."),
    offer("O-060", "E-022", "API distillation residues", "原料药蒸馏残渣",
          "paste", comp((None, "organic residues", 0.80), ("toluene", 0.05), ("dcm", 0.01)),
          420, "year", -3800, "incineration", code="271-001-02", ewc="070508"),
    offer("O-061", "E-022", "API mother liquor", "原料药废母液",
          "liquid", comp(("water", 0.55), ("methanol", 0.15), ("nacl", 0.08), (None, "organic by-products", 0.15)),
          1500, "year", -3200, "incineration", code="271-002-02", ewc="070501"),
    offer("O-062", "E-022", "Contaminated packaging drums and liners", "沾染原料的包装物",
          "solid", comp(("pe", 0.70), ("fe", 0.25), (None, "chemical residues", 0.02)),
          600, "year", -500, "storage", code="900-041-49", ewc="150110"),
    # ---------------- E-023 biopharma ----------------
    offer("O-063", "E-023", "Spent ethanol from protein precipitation", "沉淀工序废乙醇",
          "liquid", comp(("ethanol", 0.70), ("water", 0.28)),
          1200, "year", 1100, "sale", code="900-402-06", ewc="070504"),
    # ---------------- E-024 formulations ----------------
    offer("O-064", "E-024", "Expired and off-spec drug products", "过期及不合格药品",
          "solid", comp((None, "finished dosage forms", 0.85), ("pvc", 0.08), ("al", 0.03)),
          45, "year", -5000, "incineration", code="272-005-02", ewc="070513"),
    # ---------------- E-025 medical devices ----------------
    offer("O-065", "E-025", "Clean PP/PE sprues and offcuts (medical grade)", "医用级PP/PE水口料",
          "solid", comp(("pp", 0.76), ("pe", 0.23)),
          320, "year", 6000, "sale", ewc="120105",
          desc="Production scrap, never in contact with patients."),
    # ---------------- E-026 CHP plant ----------------
    offer("O-066", "E-026", "Fly ash grade II", "粉煤灰(II级)",
          "powder", comp(("sio2", 0.50), ("al2o3", 0.28), ("fe2o3", 0.06), ("cao", 0.045), ("mgo", 0.012),
                         ("carbon", 0.045), ("chloride", 0.0002)),
          42000, "year", 60, "sale", ewc="100102",
          desc="SW02 粉煤灰; GB/T 1596 grade II, loss on ignition about 4.5%."),
    offer("O-067", "E-026", "Boiler bottom ash", "炉渣",
          "solid", comp(("sio2", 0.52), ("al2o3", 0.24), ("fe2o3", 0.07), ("cao", 0.05), ("carbon", 0.06)),
          9000, "year", 15, "sale", ewc="100101", desc="SW03 炉渣."),
    offer("O-068", "E-026", "FGD gypsum", "脱硫石膏",
          "powder", comp(("gypsum", 0.90), ("caco3", 0.02), ("chloride", 0.0006), ("water", 0.075)),
          16000, "year", 30, "sale", ewc="100105", desc="SW06 脱硫石膏, wet limestone FGD."),
    offer("O-069", "E-026", "FGD gypsum yard stockpile (one-off clearance)", "脱硫石膏堆场清库",
          "powder", comp(("gypsum", 0.88), ("caco3", 0.03), ("chloride", 0.0008), ("water", 0.085)),
          5000, "once", 10, "storage", ewc="100105", af="2026-09-01", at="2026-12-31",
          desc="Must leave the yard before 2026-12-31 (site rebuild)."),
    offer("O-070", "E-026", "Spent V2O5-WO3/TiO2 SCR catalyst modules", "废钒钛系脱硝催化剂",
          "solid", comp(("tio2", 0.80), ("wo3", 0.05), ("v2o5", 0.015), ("sio2", 0.06)),
          180, "once", -800, "storage", code="772-007-50", ewc="160802",
          af="2027-03-01", at="2027-06-30",
          desc="Boiler outage change-out; transport exempt (exemption list item 29)."),
    # ---------------- E-027 park WWTP ----------------
    offer("O-071", "E-027", "Dewatered sewage sludge (80% moisture)", "脱水污泥(含水率80%)",
          "sludge", comp(("water", 0.80), (None, "organic matter (volatile solids)", 0.12), ("sio2", 0.04),
                         ("fe", 0.01), ("zn", 0.0008), ("cu", 0.0003), ("pb", 0.00008), ("cd", 0.000005),
                         ("hg", 0.000002)),
          1500, "month", -280, "incineration", ewc="190805",
          desc="SW07 污泥; identified as non-hazardous (mixed municipal and pretreated industrial)."),
    # ---------------- E-028 brewery ----------------
    offer("O-072", "E-028", "Brewers' spent grain (wet)", "啤酒糟(湿)",
          "solid", comp(("water", 0.78), (None, "crude protein", 0.06), ("cellulose", 0.11), (None, "fat", 0.02)),
          24000, "year", 380, "sale", ewc="020704", desc="SW13 食品残渣."),
    offer("O-073", "E-028", "Spent brewer's yeast slurry", "废酵母",
          "sludge", comp(("water", 0.85), (None, "yeast biomass (dry matter)", 0.12), ("ethanol", 0.02)),
          1800, "year", 200, "sale", ewc="020704"),
    offer("O-074", "E-028", "Spent bottle-washer and CIP caustic", "洗瓶及CIP废碱液",
          "liquid", comp(("naoh", 0.05), ("na2co3", 0.01), ("water", 0.93)),
          700, "year", -100, "disposal", code="900-352-35", ewc="060204",
          desc="Corrosive only (no toxic constituents): candidate for the HW35 exemption (item 21)."),
    # ---------------- E-029 logistics ----------------
    offer("O-075", "E-029", "Baled PE stretch film", "PE缠绕膜",
          "solid", comp(("pe", 0.97)), 260, "year", 2200, "sale", ewc="150102"),
    offer("O-076", "E-029", "Waste forklift lead-acid batteries (intact)", "叉车废铅蓄电池(完整)",
          "solid", comp(("pb", 0.62), ("h2so4", 0.10), ("pp", 0.06), ("water", 0.15)),
          40, "year", 8200, "storage", code="900-052-31", ewc="160601",
          desc="Intact, not drained: transport exempt (exemption list item 18); utilisation still needs an HW31 licence."),
    # ---------------- E-030 hospital ----------------
    offer("O-077", "E-030", "Infectious medical waste", "感染性医疗废物",
          "solid", comp((None, "contaminated dressings, swabs and disposables", 0.95)),
          520, "year", -4200, "incineration", code="841-001-01", ewc="180103"),
    offer("O-078", "E-030", "Uncontaminated PP infusion bottles and bags", "未被污染的输液瓶(袋)",
          "solid", comp(("pp", 0.85), ("pe", 0.12)),
          90, "year", 1200, "sale", ewc="150102",
          desc="Not medical waste under 医疗废物分类目录 (2021); collected for recycling."),
    # ---------------- E-031 clinic ----------------
    offer("O-079", "E-031", "Infectious waste from a 15-bed clinic", "门诊部感染性医疗废物",
          "solid", comp((None, "contaminated disposables", 0.95)),
          1.5, "year", -4800, "incineration", code="841-001-01", ewc="180103",
          desc="Clinic with 19 beds or fewer: collection and transport exempt under exemption list item 2."),
    # ---------------- E-032 laboratory ----------------
    offer("O-080", "E-032", "Laboratory waste liquids (solvents, acids, heavy metals)", "实验室废液",
          "liquid", comp(("water", 0.60), ("methanol", 0.10), ("acetone", 0.05), ("hno3", 0.03),
                         (None, "analytical reagents", 0.10)),
          25, "year", -7000, "incineration", code="900-047-49", ewc="160506"),
    # ---------------- E-033 / E-034 vehicle repair ----------------
    offer("O-081", "E-033", "Used engine oil from vehicle repair", "汽修废机油",
          "liquid", comp((OIL, 0.88), ("water", 0.04), (None, "fuel and additives", 0.05)),
          85, "year", 2600, "sale", code="900-214-08", ewc="130205"),
    offer("O-082", "E-033", "Waste lead-acid starter batteries (intact)", "汽修废铅蓄电池(完整)",
          "solid", comp(("pb", 0.62), ("h2so4", 0.10), ("pp", 0.06), ("water", 0.15)),
          22, "year", 8500, "storage", code="900-052-31", ewc="160601",
          desc="Intact: transport exempt (exemption list item 18)."),
    offer("O-083", "E-033", "Used oil filters", "废机油滤清器",
          "solid", comp(("fe", 0.55), ("cellulose", 0.15), (OIL, 0.20)),
          6, "year", -2000, "storage", code="900-249-08", ewc="160107"),
    offer("O-084", "E-034", "Used engine oil from dealer workshop", "4S店废机油",
          "liquid", comp((OIL, 0.87), ("water", 0.05), (None, "fuel and additives", 0.05)),
          120, "year", 2500, "sale", code="900-214-08", ewc="130205"),
    # ---------------- E-035 property management (household HW drop-off) ----------------
    offer("O-085", "E-035", "Household nickel-cadmium batteries", "居民废镍镉电池",
          "solid", comp(("ni", 0.22), ("cd", 0.15), ("fe", 0.35)),
          2.5, "year", -1000, "storage", code="900-044-49", ewc="200133",
          desc="Collected at residential drop-off points under the 生活垃圾分类 system."),
    offer("O-086", "E-035", "Household fluorescent lamps", "居民废荧光灯管",
          "solid", comp(("glass", 0.88), ("al", 0.04), ("hg", 0.00002)),
          3, "year", -3000, "storage", code="900-023-29", ewc="200121"),
    # ---------------- recyclers' and receivers' own outputs ----------------
    offer("O-087", "E-050", "Sorted heavy melting steel scrap (HMS 1/2)", "分拣重废钢",
          "solid", comp(("fe", 0.97), ("cu", 0.002)),
          30000, "year", 2450, "sale", ewc="191202"),
    offer("O-088", "E-047", "Steelmaking (converter) slag", "钢渣",
          "solid", comp(("cao", 0.42), ("sio2", 0.14), ("feo", 0.12), ("fe2o3", 0.08), ("mgo", 0.08),
                        ("al2o3", 0.03), ("cr", 0.002)),
          180000, "year", 12, "storage", ewc="100202", desc="SW01 冶炼废渣 (钢渣), aged."),
    offer("O-089", "E-047", "Granulated blast-furnace slag", "高炉水渣",
          "solid", comp(("cao", 0.40), ("sio2", 0.34), ("al2o3", 0.15), ("mgo", 0.08)),
          600000, "year", 90, "sale", ewc="100202", desc="SW01 冶炼废渣 (水渣); raw for GGBS grinding."),
    offer("O-090", "E-047", "Spent hydrochloric pickling liquor from the cold mill", "冷轧酸洗废盐酸",
          "liquid", comp(("fecl2", 0.20), ("hcl", 0.04), ("zncl2", 0.0005), ("water", 0.75)),
          12000, "year", -200, "disposal", code="313-001-34", ewc="110105"),
    offer("O-091", "E-039", "Solvent regeneration still bottoms", "溶剂再生釜底残渣",
          "paste", comp((None, "high-boiling organics and resins", 0.75), ("nmp", 0.05), ("dmf", 0.05)),
          600, "year", -2500, "incineration", code="900-407-06", ewc="070108"),
    offer("O-092", "E-039", "Regenerated NMP 99.8%", "再生NMP(99.8%)",
          "liquid", comp(("nmp", 0.998), ("water", 0.0003)),
          4000, "year", 11000, "sale", desc="Product of licensed regeneration, meets battery-grade spec."),
    offer("O-093", "E-038", "Water-washed incineration fly ash", "水洗焚烧飞灰",
          "powder", comp(("cao", 0.30), ("sio2", 0.08), ("chloride", 0.015), ("zn", 0.008), ("pb", 0.002),
                         ("cr", 0.0004), ("cd", 0.0002), ("hg", 0.00002), ("water", 0.20)),
          2400, "year", -2200, "storage", code="772-003-18", ewc="190113"),
    # ---------------- JC park ----------------
    offer("O-094", "E-055", "Spent Pt-Sn/Al2O3 propane dehydrogenation catalyst", "丙烷脱氢废铂催化剂",
          "solid", comp(("pt", 0.003), ("sn", 0.004), ("al2o3", 0.95), ("carbon", 0.02)),
          60, "once", 480000, "storage", code="261-156-50", ewc="160807",
          af="2026-12-01", at="2027-02-28", desc="Scheduled change-out of one reactor."),
    offer("O-095", "E-055", "Heavy aromatic distillation residues", "重芳烃精馏残液",
          "liquid", comp((None, "C10+ aromatics", 0.80), ("naphthalene", 0.10), ("xylene", 0.03)),
          2500, "year", -1200, "incineration", code="900-013-11", ewc="070108"),
    offer("O-096", "E-056", "By-product hydrogen from membrane electrolysis", "电解副产氢气",
          "gas", comp(("h2", 0.999)), 1800, "year", 8000, "sale", desc="Not a waste; pipeline supply."),
    offer("O-097", "E-056", "Surplus caustic soda 32%", "富余液碱(32%)",
          "liquid", comp(("naoh", 0.32), ("nacl", 0.0001), ("water", 0.6799)),
          6000, "year", 650, "sale", desc="Not a waste: product surplus."),
    offer("O-098", "E-056", "Spent sulfuric acid from chlorine drying (~75%)", "氯气干燥废硫酸",
          "liquid", comp(("h2so4", 0.75), ("water", 0.24), ("chloride", 0.002)),
          8000, "year", -80, "disposal", code="261-058-34", ewc="060101",
          desc="Corrosive only; no heavy metals."),
    offer("O-099", "E-056", "By-product hydrochloric acid 31%", "副产盐酸(31%)",
          "liquid", comp(("hcl", 0.31), ("water", 0.69)),
          20000, "year", 30, "sale", desc="Sold as product under an approved by-product specification; not a waste."),
    offer("O-100", "E-057", "Phosphogypsum", "磷石膏",
          "solid", comp(("gypsum", 0.88), ("p2o5", 0.009), ("fluoride", 0.004), ("sio2", 0.02), ("water", 0.08)),
          350000, "year", -25, "storage", ewc="060899", desc="SW10 磷石膏, wet-process phosphoric acid."),
    offer("O-101", "E-059", "Incineration bottom slag (JC park)", "焚烧炉渣(江澄港)",
          "solid", comp(("sio2", 0.44), ("cao", 0.16), ("fe2o3", 0.11), ("al2o3", 0.10), ("chloride", 0.004)),
          2500, "year", -600, "landfill", code="772-003-18", ewc="190111"),
    offer("O-102", "E-061", "Decommissioned wind-turbine blade segments", "退役风机叶片",
          "solid", comp(("glass", 0.60), ("epoxy", 0.28), (None, "balsa and PET foam core", 0.08), ("pvc", 0.02)),
          1800, "once", -350, "storage", af="2026-10-01", at="2027-09-30",
          desc="Cut to 1 m segments; glass-fibre/epoxy composite (general industrial solid waste)."),
    # ---------------- the other streams (issue 20): construction, household, agricultural ----------------
    # The machine-tool maker pulls down its old machining hall: demolition waste (CJJ/T 134-2019 拆除垃圾), today
    # trucked to a construction-waste landfill (消纳场) for a fee. Concrete with limestone aggregate and brick.
    offer("O-103", "E-006", "Demolition concrete and brick rubble from the old machining hall", "旧厂房拆除混凝土块及砖渣",
          "solid", comp(("sio2", 0.52), ("caco3", 0.20), ("cao", 0.10), ("al2o3", 0.08), ("fe2o3", 0.04),
                        ("fe", 0.01)),
          8000, "once", -35, "landfill", category="CW04", stream="construction",
          desc="Rebar cut out on site; no asbestos (survey report of the demolition permit)."),
    # The property manager runs the park's staff canteens: kitchen waste (GB/T 19095-2019 厨余垃圾), today
    # collected with residual waste and burnt.
    offer("O-104", "E-035", "Kitchen waste from the park's staff canteens", "园区职工食堂厨余垃圾（餐厨垃圾）",
          "paste", comp(("water", 0.78), (None, "food residues (starch, protein, fibre)", 0.17),
                        (None, "oils and fats", 0.03), ("nacl", 0.01)),
          1500, "year", -260, "incineration", category="HH03", stream="household",
          desc="About 4 t a day from eight canteens, collected in sealed bins every day."),
    # A grain co-operative's rice and wheat straw, baled after harvest (秸秆; the national zero-waste indicators
    # count its utilisation), today left in field stacks.
    offer("O-105", "E-062", "Baled rice and wheat straw", "稻麦秸秆（打捆）",
          "solid", comp(("cellulose", 0.38), (None, "hemicellulose", 0.25), (None, "lignin", 0.15), ("water", 0.15),
                        ("sio2", 0.05)),
          4000, "year", 120, "storage", category="AG01", stream="agricultural",
          desc="Two harvests a year (June wheat, November rice); bales stored under cover at the co-operative."),
]

NEEDS = [
    # ---------------- E-038 integrated HW centre (collect/store/dispose only) ----------------
    need("N-001", "E-038", "Organic liquid HW for rotary-kiln incineration", "有机液态危废焚烧处置",
         ["liquid", "paste"], "dispose", 200,
         comp((None, "organic liquids", 0.8), ("water", 0.2)), 12000, "year", -3000, at=Y1,
         lim=limits(hg=0.0001)),
    need("N-002", "E-038", "Solid and sludge HW for incineration or stabilisation/landfill", "固态及污泥类危废焚烧/安全填埋",
         ["solid", "sludge", "powder", "paste"], "dispose", 200,
         comp((None, "mixed solid hazardous waste", 1.0)), 18000, "year", -2800),
    need("N-003", "E-038", "Inorganic liquid HW for physico-chemical treatment", "无机液态危废物化处理",
         ["liquid"], "dispose", 200,
         comp(("water", 0.85), (None, "acids, alkalis, cyanides, fluorides, chromium", 0.15)), 6000, "year", -2000,
         desc="Neutralisation, cyanide oxidation, chromium reduction, fluoride precipitation."),
    need("N-004", "E-038", "Medical waste for high-temperature incineration", "医疗废物高温焚烧",
         ["solid", "liquid"], "dispose", 100,
         comp((None, "medical waste", 1.0)), 1000, "year", -4000),
    need("N-005", "E-038", "High-calorific liquids for the waste-heat boiler (energy recovery)", "高热值废液余热利用",
         ["liquid"], "recover_energy", 150,
         comp(("toluene", 0.3), ("xylene", 0.3), ("methanol", 0.2)), 3000, "year", -500,
         lim=limits(water=0.30),
         desc="The centre's licence covers collect/store/dispose only."),
    # ---------------- E-039 solvent regeneration (HW06) ----------------
    need("N-006", "E-039", "Spent non-halogenated solvents for distillation", "非卤代废溶剂精馏再生",
         ["liquid"], "recycle", 150,
         comp(("acetone", 0.3), ("ipa", 0.3), ("ethanol", 0.2), ("toluene", 0.1), ("water", 0.1)),
         12000, "year", 200, lim=limits(dcm=0.01, water=0.30, cu=0.001, h2so4=0.01, hcl=0.01, hno3=0.01, h3po4=0.01, naoh=0.01)),
    need("N-007", "E-039", "Spent NMP/DMF and polar aprotic solvents for regeneration", "NMP/DMF废溶剂再生",
         ["liquid"], "recycle", 150, comp(("nmp", 0.6), ("dmf", 0.2), ("water", 0.2)),
         9000, "year", 800, lim=limits(water=0.25, dcm=0.01, h2so4=0.01, hcl=0.01, hno3=0.01, h3po4=0.01, naoh=0.01)),
    need("N-008", "E-039", "Spent dichloromethane for recovery", "废二氯甲烷回收",
         ["liquid"], "recycle", 150, comp(("dcm", 0.85), ("methanol", 0.05), ("water", 0.05)),
         2500, "year", 0, want=wanted(dcm=0.6), lim=limits(water=0.10)),
    # ---------------- E-040 re-refinery (Zhejiang) ----------------
    need("N-009", "E-040", "Waste lubricating oils for vacuum-distillation re-refining", "废润滑油减压蒸馏再生",
         ["liquid"], "recycle", 250, comp((OIL, 0.9), ("water", 0.05)),
         40000, "year", 2400, at=Y1, want=wanted(base_oil=0.6), lim=limits(water=0.10, chloride=0.001)),
    need("N-010", "E-040", "Oil/water emulsions for demulsification and oil recovery", "油水混合物/乳化液破乳回收",
         ["liquid"], "recycle", 250, comp(("water", 0.9), (OIL, 0.08)),
         8000, "year", -600, want=wanted(water=0.5), lim=limits(h2so4=0.01, hcl=0.01, hno3=0.01, h3po4=0.01, naoh=0.01, h2o2=0.01)),
    # ---------------- E-041 recycler with expired licence ----------------
    need("N-011", "E-041", "Waste mineral oils for regeneration", "废矿物油再生利用",
         ["liquid"], "recycle", 150, comp((OIL, 0.9), ("water", 0.05)),
         15000, "year", 2300, want=wanted(base_oil=0.6)),
    # ---------------- E-042 copper recovery ----------------
    need("N-012", "E-042", "Spent PCB etchants for copper recovery", "线路板蚀刻废液提铜",
         ["liquid"], "recycle", 150, comp(("cucl2", 0.2), ("hcl", 0.06), ("water", 0.7)),
         30000, "year", 2800, at=Y1, want=wanted(cucl2=0.10)),
    need("N-013", "E-042", "Copper-bearing sludges and dilute copper liquors", "含铜污泥及含铜废液",
         ["sludge", "liquid"], "recycle", 150, comp(("cu", 0.05), ("water", 0.7)),
         8000, "year", 300, want=wanted(cu=0.01), lim=limits(cr=0.01)),
    # ---------------- E-043 metal-bearing residues (licence expires 2027-01-31) ----------------
    need("N-014", "E-043", "Nickel/copper electroplating sludges for smelting", "电镀污泥火法冶炼回收镍铜",
         ["sludge", "solid"], "recycle", 120, comp(("ni", 0.03), ("cu", 0.03), ("water", 0.65)),
         20000, "year", 400, want=wanted(cu=0.005, water=0.3), lim=limits(cr=0.01)),
    need("N-015", "E-043", "Zinc-bearing residues (flux, dust, ash)", "含锌废物回收",
         ["solid", "powder"], "recycle", 150, comp(("zno", 0.6), ("zncl2", 0.1)),
         6000, "year", 2500, want=wanted(zno=0.3)),
    need("N-016", "E-043", "Spent nickel catalysts", "废镍催化剂回收",
         ["solid"], "recycle", 200, comp(("ni", 0.35), ("al2o3", 0.5)),
         500, "year", 8000, want=wanted(ni=0.15)),
    # ---------------- E-044 precious metals (Shanghai) ----------------
    need("N-017", "E-044", "Spent precious-metal catalysts (Pd, Pt, Rh)", "废贵金属催化剂",
         ["solid"], "recycle", 300, comp(("pd", 0.01), ("pt", 0.003), ("carbon", 0.4), ("al2o3", 0.4)),
         800, "year", 200000, lim=limits(v2o5=0.005, fe=0.05, cu=0.05, al=0.05, sio2=0.2, cao=0.05, pb=0.001,
                    pp=0.05, pe=0.05, glass=0.05, gypsum=0.05, cellulose=0.05),
         desc="Paid on assayed metal content."),
    need("N-018", "E-044", "Waste circuit boards and PCBA for precious-metal recovery", "废电路板贵金属回收",
         ["solid"], "recycle", 300, comp(("cu", 0.18), ("glass", 0.3), ("epoxy", 0.25), ("au", 0.0001)),
         3000, "year", 8000, want=wanted(cu=0.10), lim=limits(nmc=0.01)),
    # ---------------- E-045 cement kiln co-processing ----------------
    need("N-019", "E-045", "Alternative raw materials for clinker (silica/alumina/iron)", "替代原料(硅铝铁质校正料)",
         ["solid", "powder", "sludge"], "co_process", 120,
         comp(("sio2", 0.6), ("al2o3", 0.15), ("fe2o3", 0.05), ("cao", 0.05)),
         80000, "year", 0, want=wanted(sio2=0.02),
         lim=limits(chloride=0.003, cr=0.005, fe=0.05, al=0.01, cu=0.005, pb=0.001)),
    need("N-020", "E-045", "Hazardous solids, sludges and pastes for kiln co-processing", "危废协同处置(固态/半固态)",
         ["solid", "sludge", "paste", "powder"], "co_process", 150,
         comp((None, "mixed hazardous waste", 1.0)), 30000, "year", -1800,
         lim=limits(chloride=0.03, cr=0.005, pb=0.005, cd=0.0005, hg=0.00005)),
    need("N-021", "E-045", "Liquid hazardous waste as alternative fuel", "液态危废替代燃料",
         ["liquid"], "co_process", 150,
         comp(("xylene", 0.3), ("butyl_acetate", 0.2), ("water", 0.3)), 8000, "year", -1200,
         lim=limits(dcm=0.05, hg=0.00005, h2so4=0.05, hcl=0.02, hno3=0.01, naoh=0.02, h2o2=0.01,
                    fecl2=0.02)),
    need("N-022", "E-045", "Washed incineration fly ash and HW slag", "水洗飞灰及焚烧残渣协同处置",
         ["powder", "solid"], "co_process", 150,
         comp(("cao", 0.3), ("sio2", 0.3), ("chloride", 0.01)), 10000, "year", -1600, want=wanted(cao=0.1),
         lim=limits(chloride=0.02, pb=0.005, cd=0.0005, hg=0.00005)),
    need("N-023", "E-045", "Glass-fibre composites and wind-turbine blades", "风电叶片及玻璃钢协同处置",
         ["solid"], "co_process", 200, comp(("glass", 0.6), ("epoxy", 0.3)),
         5000, "year", -300, want=wanted(glass=0.3)),
    # ---------------- E-046 cement grinding station ----------------
    need("N-024", "E-046", "Fly ash as cement admixture", "粉煤灰(水泥混合材)",
         ["powder"], "reuse", 80, comp(("sio2", 0.5), ("al2o3", 0.28), ("fe2o3", 0.06)),
         60000, "year", 70, want=wanted(sio2=0.4, al2o3=0.15), lim=limits(carbon=0.08, chloride=0.0006)),
    need("N-025", "E-046", "Granulated blast-furnace slag and steel slag", "水渣及钢渣(混合材)",
         ["solid", "powder"], "reuse", 120, comp(("cao", 0.4), ("sio2", 0.3), ("al2o3", 0.12)),
         300000, "year", 95, want=wanted(cao=0.3)),
    need("N-026", "E-046", "Gypsum set retarder (FGD or treated phosphogypsum)", "缓凝剂石膏",
         ["powder", "solid"], "reuse", 100, comp(("gypsum", 0.88)),
         25000, "year", 40, want=wanted(gypsum=0.80),
         lim=limits(p2o5=0.01, fluoride=0.005, chloride=0.001)),
    # ---------------- E-054 plasterboard (new line from 2027-04) ----------------
    need("N-027", "E-054", "FGD gypsum for the new plasterboard line", "纸面石膏板用脱硫石膏",
         ["powder", "solid"], "reuse", 100, comp(("gypsum", 0.92)),
         60000, "year", 35, af="2027-04-01",
         want=wanted(gypsum=0.88), lim=limits(p2o5=0.005, fluoride=0.002, chloride=0.001)),
    # ---------------- E-037 ready-mix concrete ----------------
    need("N-028", "E-037", "Fly ash grade II for concrete", "混凝土用II级粉煤灰",
         ["powder"], "reuse", 40, comp(("sio2", 0.5), ("al2o3", 0.28)),
         12000, "year", 80, want=wanted(sio2=0.4, al2o3=0.15), lim=limits(carbon=0.08)),
    need("N-029", "E-037", "GGBS slag powder S95", "S95矿粉",
         ["powder"], "reuse", 40, comp(("cao", 0.4), ("sio2", 0.34), ("al2o3", 0.15)),
         15000, "year", 260, want=wanted(cao=0.3)),
    # ---------------- E-047 steelworks ----------------
    need("N-030", "E-047", "Steel scrap for EAF/BOF charge", "废钢(电炉/转炉炉料)",
         ["solid"], "recycle", 150, comp(("fe", 0.97)),
         400000, "year", 2400, want=wanted(fe=0.90), lim=limits(cu=0.004, base_oil=0.03)),
    # ---------------- E-060 ferric salts (JC) ----------------
    need("N-031", "E-060", "Spent HCl pickling liquor for ferric chloride", "废盐酸酸洗液制三氯化铁",
         ["liquid"], "recycle", 150, comp(("fecl2", 0.2), ("hcl", 0.05), ("water", 0.75)),
         25000, "year", 50, want=wanted(fecl2=0.08),
         lim=limits(zncl2=0.05, cu=0.001, ni=0.0005, cr=0.0005)),
    need("N-032", "E-060", "Spent sulfuric acid for polyferric sulfate", "废硫酸制聚合硫酸铁",
         ["liquid"], "recycle", 150, comp(("h2so4", 0.7), ("water", 0.3)),
         20000, "year", 20, want=wanted(h2so4=0.30),
         lim=limits(cu=0.005, ni=0.001, cr=0.001, pb=0.0005, **{"as": 0.0001})),
    need("N-033", "E-060", "By-product hydrochloric acid", "副产盐酸",
         ["liquid"], "reuse", 100, comp(("hcl", 0.31), ("water", 0.69)),
         15000, "year", 40, want=wanted(hcl=0.28)),
    # ---------------- E-048 secondary lead (Zhejiang) ----------------
    need("N-034", "E-048", "Waste lead-acid batteries", "废铅蓄电池",
         ["solid"], "recycle", 300, comp(("pb", 0.62), ("h2so4", 0.1), ("pp", 0.06)),
         60000, "year", 8300, code="900-052-31", want=wanted(pb=0.5)),
    # ---------------- E-049 lithium battery recycling ----------------
    need("N-035", "E-049", "Lithium-ion battery scrap, electrode sheets and black mass", "废锂电池及极片",
         ["solid", "powder"], "recycle", 200, comp(("nmc", 0.4), ("graphite", 0.15), ("al", 0.15), ("cu", 0.1)),
         10000, "year", 20000, want=wanted(nmc=0.15)),
    # ---------------- E-050 scrap metal yard (no HW licence) ----------------
    need("N-036", "E-050", "Ferrous and non-ferrous scrap, batteries and e-scrap for sorting", "废金属及电池电子废料分拣",
         ["solid"], "recycle", 60, comp(("fe", 0.6), ("al", 0.15), ("cu", 0.05), ("pb", 0.05)),
         20000, "year", 1500, lim=limits(base_oil=0.005, pp=0.10, pe=0.05, sio2=0.05, water=0.20, glass=0.05, epoxy=0.05,
                    cellulose=0.05)),
    need("N-037", "E-050", "Decommissioned PV modules for dismantling", "退役光伏组件拆解",
         ["solid"], "recycle", 100, comp(("glass", 0.74), ("al", 0.1), ("si", 0.035)),
         2000, "year", 100, want=wanted(glass=0.5, si=0.01)),
    # ---------------- E-051 plastics pelletiser ----------------
    need("N-038", "E-051", "Clean post-industrial PP/PE for pelletising", "洁净PP/PE造粒",
         ["solid"], "recycle", 80, comp(("pp", 0.6), ("pe", 0.35)),
         8000, "year", 3500, lim=limits(pvc=0.01, fe=0.02, al=0.02, sio2=0.05, water=0.05)),
    # ---------------- E-052 drum reconditioner (capacity 3,000 t) ----------------
    need("N-039", "E-052", "Contaminated drums and IBC totes for cleaning and reconditioning", "废包装桶清洗翻新",
         ["solid"], "recycle", 100, comp(("fe", 0.6), ("pe", 0.35)),
         3000, "year", -300, lim=limits(base_oil=0.05, sio2=0.05, water=0.1, cu=0.01, al=0.05, pp=0.05, gypsum=0.05,
                    glass=0.05, epoxy=0.05)),
    # ---------------- E-053 feed mill ----------------
    need("N-040", "E-053", "Brewers' spent grain and yeast for feed", "酒糟及废酵母饲料化",
         ["solid", "paste", "sludge"], "reuse", 40,
         comp(("water", 0.78), (None, "crude protein", 0.07), ("cellulose", 0.1)),
         30000, "year", 350, want=wanted(water=0.5), lim=limits(pb=0.000005, cd=0.0000005, hg=0.0000001, diatomite=0.01)),
    # ---------------- E-026 CHP ----------------
    need("N-041", "E-026", "Dewatered sludge for co-combustion in CFB boilers", "污泥掺烧",
         ["sludge"], "recover_energy", 50, comp(("water", 0.8), (None, "organic matter", 0.12)),
         25000, "year", -250, lim=limits(hg=0.00001)),
    # ---------------- E-027 park WWTP ----------------
    need("N-042", "E-027", "Carbon source for denitrification", "反硝化碳源",
         ["liquid"], "reuse", 50, comp(("methanol", 0.95), ("water", 0.05)),
         1500, "year", 1600, lim=limits(dcm=0.001, toluene=0.01, h2so4=0.01, hcl=0.01, hno3=0.01, h3po4=0.01, naoh=0.01, h2o2=0.001)),
    need("N-043", "E-027", "Sulfuric acid for Fenton pH adjustment (HW34 exemption use)", "芬顿调酸用硫酸",
         ["liquid"], "reuse", 50, comp(("h2so4", 0.7), ("water", 0.3)),
         3000, "year", 0, want=wanted(h2so4=0.5),
         lim=limits(cu=0.00001, ni=0.00001, cr=0.00001, pb=0.00001, cd=0.000001, hg=0.0000005,
                    **{"as": 0.00001})),
    need("N-044", "E-027", "Hydrogen peroxide for Fenton oxidation", "芬顿氧化用双氧水",
         ["liquid"], "reuse", 50, comp(("h2o2", 0.3), ("water", 0.7)),
         50, "month", 700, want=wanted(h2o2=0.25)),
    need("N-045", "E-027", "Alkali for neutralisation (caustic or corrosive-only spent caustic)", "中和用碱",
         ["liquid"], "reuse", 80, comp(("naoh", 0.3), ("water", 0.7)),
         2000, "year", 600, want=wanted(naoh=0.04),
         lim=limits(cu=0.00001, ni=0.00001, cr=0.00001, pb=0.00001, cd=0.000001, hg=0.0000005,
                    nacn=0.00001)),
    # ---------------- E-058 JC WWTP ----------------
    need("N-046", "E-058", "Caustic soda for pH control", "调碱用液碱",
         ["liquid"], "reuse", 30, comp(("naoh", 0.32), ("water", 0.68)),
         4000, "year", 500, want=wanted(naoh=0.2)),
    need("N-047", "E-058", "Spent sulfuric acid as neutraliser (HW34 exemption use)", "废硫酸作中和剂",
         ["liquid"], "reuse", 30, comp(("h2so4", 0.7), ("water", 0.3)),
         2000, "year", 0, want=wanted(h2so4=0.3),
         lim=limits(cu=0.00001, ni=0.00001, cr=0.00001, pb=0.00001, cd=0.000001, hg=0.0000005)),
    # ---------------- E-059 JC incinerator (no HW01) ----------------
    need("N-048", "E-059", "Organic HW for rotary-kiln incineration (JC park)", "有机危废焚烧处置(江澄港)",
         ["liquid", "paste", "solid", "sludge"], "dispose", 100,
         comp((None, "organic hazardous waste", 1.0)), 15000, "year", -2600),
    # ---------------- E-055 PDH plant ----------------
    need("N-049", "E-055", "Hydrogen for hydrogenation unit", "加氢装置用氢",
         ["gas"], "reuse", 10, comp(("h2", 0.999)), 1500, "year", 9500, want=wanted(h2=0.95)),
    # ---------------- E-057 phosphate plant ----------------
    need("N-050", "E-057", "Phosphoric-acid liquors as phosphorus source", "含磷酸废液作磷源",
         ["liquid"], "recycle", 120, comp(("h3po4", 0.6), ("water", 0.3)),
         3000, "year", 200, want=wanted(h3po4=0.3), lim=limits(cd=0.00001, pb=0.00005, **{"as": 0.00005})),
    # ---------------- E-036 collection-only licence ----------------
    need("N-051", "E-036", "Used engine oil from vehicle repair shops (collection)", "汽修废机油收集",
         ["liquid"], "recycle", 50, comp((OIL, 0.88), ("water", 0.05)),
         2000, "year", 2300, code="900-214-08", want=wanted(base_oil=0.6),
         desc="Collected for delivery to licensed re-refiners."),
    need("N-052", "E-036", "Household Cd-Ni batteries from community collection points", "社区废镍镉电池收集",
         ["solid"], "recycle", 50, comp(("ni", 0.2), ("cd", 0.15), ("fe", 0.35)),
         20, "year", -500, code="900-044-49", want=wanted(cd=0.05)),
    # ---------------- closing loops inside the park ----------------
    need("N-053", "E-010", "Recycled PP for non-visible parts", "再生PP(非外观件)",
         ["solid"], "reuse", 60, comp(("pp", 0.85), ("talc", 0.1)),
         1200, "year", 6000, want=wanted(pp=0.75)),
    need("N-054", "E-017", "Regenerated NMP for cathode slurry", "正极浆料用再生NMP",
         ["liquid"], "reuse", 100, comp(("nmp", 0.998)),
         5000, "year", 11500, want=wanted(nmp=0.995), lim=limits(water=0.0005)),
    # ---------------- the other streams (issue 20) ----------------
    # Recycled aggregate and blocks from demolition and construction-site waste (holds the disposal approval).
    need("N-055", "E-054", "Demolition and construction waste for recycled aggregate and blocks",
         "建筑垃圾（拆除垃圾）制再生骨料及再生砌块",
         ["solid"], "recycle", 60, comp(("sio2", 0.50), ("caco3", 0.20), ("cao", 0.10), ("al2o3", 0.08)),
         120000, "year", -15, category="CW04", stream="construction",
         want=wanted(caco3=0.10), lim=limits(gypsum=0.01, chloride=0.001, base_oil=0.001)),
    # Anaerobic digestion of kitchen waste to biogas (holds the household-waste licence for kitchen waste).
    need("N-056", "E-063", "Kitchen and food waste for anaerobic digestion", "厨余垃圾（餐厨垃圾）厌氧消化产沼",
         ["paste", "sludge"], "recover_energy", 60,
         comp(("water", 0.80), (None, "food residues (starch, protein, fibre)", 0.15), (None, "oils and fats", 0.03)),
         60000, "year", -200, category="HH03", stream="household",
         lim=limits(hg=0.000001, cd=0.000001, pb=0.00001)),
    # The CHP plant co-fires baled straw in its CFB boilers (biomass fuel).
    need("N-057", "E-026", "Baled crop straw as biomass fuel for the CFB boilers", "秸秆打捆生物质燃料（循环流化床掺烧）",
         ["solid"], "recover_energy", 60,
         comp(("cellulose", 0.38), (None, "hemicellulose", 0.25), (None, "lignin", 0.15), ("water", 0.15)),
         20000, "year", 180, category="AG01", stream="agricultural",
         want=wanted(cellulose=0.25), lim=limits(water=0.25, chloride=0.01)),
]


def build() -> dict:
    enterprises = []
    for ref, name, park, ind, ind_name, prov, district, lat, lon in ENTERPRISES:
        enterprises.append({
            "ref": ref, "name": name, "park": park, "industry": ind, "industry_name": ind_name,
            "province": prov, "district": district, "lat": lat, "lon": lon,
            "licences": LICENCES.get(ref, []),
        })
    return {"format": "wastematch.v1", "parks": PARKS, "enterprises": enterprises,
            "listings": OFFERS + NEEDS}


def check(doc: dict) -> None:
    """Cheap self-checks run on every build (the full validation lives outside the repo)."""
    refs = [e["ref"] for e in doc["enterprises"]] + [x["ref"] for x in doc["listings"]]
    assert len(refs) == len(set(refs)), "duplicate refs"
    for cas, _ in CHEM.values():
        assert cas is None or is_valid_cas(cas), cas
    ents = {e["ref"] for e in doc["enterprises"]}
    for x in doc["listings"]:
        assert x["enterprise"] in ents, x["ref"]
        fr = [c["fraction"] for c in x["composition"]]
        assert all(0 <= f <= 1 for f in fr) and sum(fr) <= 1 + 1e-9, x["ref"]


def main() -> None:
    doc = build()
    check(doc)
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(doc['enterprises'])} enterprises, {len(OFFERS)} offers, {len(NEEDS)} needs")


if __name__ == "__main__":
    main()
