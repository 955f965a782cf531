"""A small built-in set of hazardous-waste codes (危险废物代码) for demos and fresh checkouts.

These are the entries of 国家危险废物名录（2021年版） most often offered and taken in
an industrial park: spent solvents, waste mineral oil, emulsions, still bottoms, paint
and resin waste, plating sludge, spent acids and alkalis, incineration residues,
metal-bearing waste, laboratory waste and spent catalysts, plus the five medical-waste
codes. For each we keep the list's industry source (行业来源), its Chinese description
and its hazard characteristics exactly as printed, and add our own English gloss.
The complete list (467 codes) is imported from the published PDF by
``catalog.hw_list_pdf``; this module is deliberately a small subset (< 100 codes) so
that the repository works without ``../shared``. Pure Python, no I/O.
"""
from __future__ import annotations

import unicodedata

from .hazard import parse_hazards
from .waste_codes import HwCode, category_of, is_hw_code

__all__ = ["BUILTIN_HW_CODES", "OFFICIAL_HW_CODES_2021", "builtin_code", "builtin_codes_in_category",
           "search_builtin_codes"]

# How many codes the published 2021 list holds (checked against the PDF by tests/catalog/): what
# the built-in subset is measured against when the official list has not been imported.
OFFICIAL_HW_CODES_2021 = 467


def _c(code: str, industry: str, hazards: str, description: str, description_en: str) -> HwCode:
    # The hazard cell is kept in the list's own spelling ("T，I", "T/In") and parsed
    # here, so a typo fails at import time instead of producing a wrong record.
    return HwCode(
        code=code,
        category=category_of(code),
        industry=industry,
        description=description,
        hazards=parse_hazards(hazards),
        description_en=description_en,
    )


BUILTIN_HW_CODES: tuple[HwCode, ...] = (
    # HW01 医疗废物 — only licensed disposal (rule medical_waste)
    _c("841-001-01", "卫生", "In", "感染性废物", "Infectious waste"),
    _c("841-002-01", "卫生", "In", "损伤性废物", "Sharps (injurious waste)"),
    _c("841-003-01", "卫生", "In", "病理性废物", "Pathological waste"),
    _c("841-004-01", "卫生", "T/C/I/R", "化学性废物", "Chemical waste from healthcare"),
    _c("841-005-01", "卫生", "T", "药物性废物", "Pharmaceutical waste from healthcare"),
    # HW02 医药废物
    _c("272-005-02", "化学药品制剂制造", "T", "化学药品制剂生产过程中产生的废弃产品及原料药",
       "Discarded products and APIs from formulating chemical drug preparations"),
    _c("271-001-02", "化学药品原料药制造", "T",
       "化学合成原料药生产过程中产生的蒸馏及反应残余物",
       "Distillation and reaction residues from synthesising active pharmaceutical ingredients"),
    _c("271-002-02", "化学药品原料药制造", "T",
       "化学合成原料药生产过程中产生的废母液及反应基废物",
       "Spent mother liquors and reaction-medium waste from synthesising active pharmaceutical ingredients"),
    # HW03 废药物、药品
    _c("900-002-03", "非特定行业", "T",
       "销售及使用过程中产生的失效、变质、不合格、淘汰、伪劣的化学药品和生物制品（不包括列入《国家基本药物目录》中的维生素、矿物质类药，调节水、电解质及酸碱平衡药），以及《医疗用毒性药品管理办法》中所列的毒性中药",
       "Expired, spoiled, off-spec, withdrawn or counterfeit chemical drugs and biological products from sale "
       "and use (except vitamins, minerals and water/electrolyte/acid-base drugs of the National Essential "
       "Medicines List), and toxic traditional Chinese medicines"),
    # HW04 农药废物
    _c("900-003-04", "非特定行业", "T",
       "销售及使用过程中产生的失效、变质、不合格、淘汰、伪劣的农药产品，以及废弃的与农药直接接触或含有农药残余物的包装物",
       "Expired, spoiled, off-spec or counterfeit pesticide products from sale and use, and discarded packaging "
       "in direct contact with pesticides or holding pesticide residues"),
    # HW06 废有机溶剂与含有机溶剂废物
    _c("900-401-06", "非特定行业", "T，I",
       "工业生产中作为清洗剂、萃取剂、溶剂或反应介质使用后废弃的四氯化碳、二氯甲烷、1,1-二氯乙烷、1,2-二氯乙烷、1,1,1-三氯乙烷、1,1,2-三氯乙烷、三氯乙烯、四氯乙烯，以及在使用前混合的含有一种或多种上述卤化溶剂的混合/调和溶剂",
       "Spent halogenated solvents used for cleaning, extraction or as reaction media: carbon tetrachloride, "
       "dichloromethane, 1,1- and 1,2-dichloroethane, 1,1,1- and 1,1,2-trichloroethane, trichloroethylene, "
       "tetrachloroethylene, and blends made with them before use"),
    _c("900-402-06", "非特定行业", "T，I，R",
       "工业生产中作为清洗剂、萃取剂、溶剂或反应介质使用后废弃的有机溶剂，包括苯、苯乙烯、丁醇、丙酮、正己烷、甲苯、邻二甲苯、间二甲苯、对二甲苯、1,2,4-三甲苯、乙苯、乙醇、异丙醇、乙醚、丙醚、乙酸甲酯、乙酸乙酯、乙酸丁酯、丙酸丁酯、苯酚，以及在使用前混合的含有一种或多种上述溶剂的混合/调和溶剂",
       "Spent non-halogenated solvents (benzene, styrene, butanol, acetone, n-hexane, toluene, xylenes, "
       "1,2,4-trimethylbenzene, ethylbenzene, ethanol, isopropanol, diethyl and dipropyl ether, methyl, ethyl "
       "and butyl acetate, butyl propionate, phenol) and blends made with them before use"),
    _c("900-404-06", "非特定行业", "T，I，R",
       "工业生产中作为清洗剂、萃取剂、溶剂或反应介质使用后废弃的其他列入《危险化学品目录》的有机溶剂，以及在使用前混合的含有一种或多种上述溶剂的混合/调和溶剂",
       "Other spent organic solvents listed in the Catalogue of Hazardous Chemicals, and blends made with them"),
    _c("900-405-06", "非特定行业", "T，I，R",
       "900-401-06、900-402-06、900-404-06中所列废有机溶剂再生处理过程中产生的废活性炭及其他过滤吸附介质",
       "Spent activated carbon and other filter/adsorbent media from regenerating the solvents of "
       "900-401-06, 900-402-06 and 900-404-06"),
    _c("900-407-06", "非特定行业", "T，I，R",
       "900-401-06、900-402-06、900-404-06中所列废有机溶剂分馏再生过程中产生的高沸物和釜底残渣",
       "High boilers and still bottoms from fractional distillation of the solvents of 900-401-06, "
       "900-402-06 and 900-404-06"),
    # HW08 废矿物油与含矿物油废物
    _c("900-203-08", "非特定行业", "T", "使用淬火油进行表面硬化处理产生的废矿物油",
       "Waste mineral oil from surface hardening with quenching oil"),
    _c("900-199-08", "非特定行业", "T，I",
       "内燃机、汽车、轮船等集中拆解过程产生的废矿物油及油泥",
       "Waste mineral oil and oil sludge from dismantling engines, vehicles and ships"),
    _c("900-200-08", "非特定行业", "T，I",
       "珩磨、研磨、打磨过程产生的废矿物油及油泥",
       "Waste mineral oil and oil sludge from honing, lapping and grinding"),
    _c("900-210-08", "非特定行业", "T，I",
       "含油废水处理中隔油、气浮、沉淀等处理过程中产生的浮油、浮渣和污泥（不包括废水生化处理污泥）",
       "Skimmed oil, scum and sludge from oil separation, flotation and settling of oily wastewater "
       "(not biological treatment sludge)"),
    _c("900-214-08", "非特定行业", "T，I",
       "车辆、轮船及其它机械维修过程中产生的废发动机油、制动器油、自动变速器油、齿轮油等废润滑油",
       "Used engine, brake, automatic-transmission and gear oils from repairing vehicles, ships and machinery"),
    _c("900-217-08", "非特定行业", "T，I",
       "使用工业齿轮油进行机械设备润滑过程中产生的废润滑油",
       "Used industrial gear oil from lubricating machinery"),
    _c("900-218-08", "非特定行业", "T，I",
       "液压设备维护、更换和拆解过程中产生的废液压油",
       "Used hydraulic oil from servicing, replacing and dismantling hydraulic equipment"),
    _c("900-249-08", "非特定行业", "T，I",
       "其他生产、销售、使用过程中产生的废矿物油及沾染矿物油的废弃包装物",
       "Other waste mineral oil, and discarded packaging contaminated with mineral oil"),
    # HW09 油/水、烃/水混合物或乳化液
    _c("900-005-09", "非特定行业", "T",
       "水压机维护、更换和拆解过程中产生的油/水、烃/水混合物或乳化液",
       "Oil/water or hydrocarbon/water mixtures and emulsions from servicing hydraulic presses"),
    _c("900-006-09", "非特定行业", "T",
       "使用切削油或切削液进行机械加工过程中产生的油/水、烃/水混合物或乳化液",
       "Spent cutting fluids: oil/water mixtures and emulsions from machining"),
    _c("900-007-09", "非特定行业", "T",
       "其他工艺过程中产生的油/水、烃/水混合物或乳化液",
       "Oil/water or hydrocarbon/water mixtures and emulsions from other processes"),
    # HW10 多氯（溴）联苯类废物
    _c("900-010-10", "非特定行业", "T",
       "含有PCBs、PCTs和PBBs的电力设备中废弃的介质油、绝缘油、冷却油及导热油",
       "Dielectric, insulating, cooling and heat-transfer oils containing PCBs, PCTs or PBBs from electrical equipment"),
    # HW11 精（蒸）馏残渣
    _c("251-013-11", "精炼石油产品制造", "T",
       "石油精炼过程中产生的酸焦油和其他焦油",
       "Acid tar and other tars from petroleum refining"),
    _c("252-002-11", "煤炭加工", "T",
       "煤气净化过程氨水分离设施底部的焦油和焦油渣",
       "Tar and tar sludge from the bottom of ammonia-liquor separators in coke-oven gas cleaning"),
    _c("900-013-11", "非特定行业", "T",
       "其他化工生产过程（不包括以生物质为主要原料的加工过程）中精馏、蒸馏和热解工艺产生的高沸点釜底残余物",
       "High-boiling still bottoms from rectification, distillation and pyrolysis in other chemical processes "
       "(not biomass-based processing)"),
    # HW12 染料、涂料废物
    _c("264-012-12", "涂料、油墨、颜料及类似产品制造", "T",
       "其他油墨、染料、颜料、油漆（不包括水性漆）生产过程中产生的废水处理污泥",
       "Wastewater-treatment sludge from making other inks, dyes, pigments and (non-waterborne) paints"),
    _c("264-011-12", "涂料、油墨、颜料及类似产品制造", "T",
       "染料、颜料生产过程中产生的废母液、残渣、废吸附剂和中间体废物",
       "Mother liquors, residues, spent adsorbents and intermediate waste from dye and pigment manufacture"),
    _c("264-013-12", "涂料、油墨、颜料及类似产品制造", "T",
       "油漆、油墨生产、配制和使用过程中产生的含颜料、油墨的废有机溶剂",
       "Spent organic solvents containing pigment or ink from making, formulating and using paint and ink"),
    _c("900-252-12", "非特定行业", "T，I",
       "使用油漆（不包括水性漆）、有机溶剂进行喷漆、上漆过程中产生的废物",
       "Waste from spray painting and coating with solvent-borne paint and organic solvents (paint sludge, etc.)"),
    # HW13 有机树脂类废物
    _c("265-103-13", "合成材料制造", "T",
       "树脂（不包括水性聚氨酯乳液、水性丙烯酸乳液、水性聚氨酯丙烯酸复合乳液）、合成乳胶、增塑剂、胶水/胶合剂生产过程中精馏、分离、精制等工序产生的釜底残液、废过滤介质和残渣",
       "Still bottoms, spent filter media and residues from rectifying, separating and refining resins "
       "(except waterborne PU/acrylic emulsions), synthetic latex, plasticisers and adhesives"),
    _c("265-101-13", "合成材料制造", "T",
       "树脂、合成乳胶、增塑剂、胶水/胶合剂合成过程产生的不合格产品（不包括热塑型树脂生产过程中聚合产物经脱除单体、低聚物、溶剂及其他助剂后产生的废料，以及热固型树脂固化后的固化体）",
       "Off-spec products from synthesising resins, latex, plasticisers and adhesives (except devolatilised "
       "thermoplastic polymer and cured thermoset)"),
    _c("900-014-13", "非特定行业", "T",
       "废弃的粘合剂和密封剂（不包括水基型和热熔型粘合剂和密封剂）",
       "Discarded adhesives and sealants (except water-based and hot-melt types)"),
    _c("900-015-13", "非特定行业", "T",
       "湿法冶金、表面处理和制药行业重金属、抗生素提取、分离过程产生的废弃离子交换树脂，以及工业废水处理过程产生的废弃离子交换树脂",
       "Spent ion-exchange resins from hydrometallurgy, surface treatment and pharmaceutical metal/antibiotic "
       "recovery, and from industrial wastewater treatment"),
    # HW17 表面处理废物
    _c("336-054-17", "金属表面处理及热处理加工", "T",
       "使用镍和电镀化学品进行镀镍产生的废槽液、槽渣和废水处理污泥",
       "Spent baths, bath sludge and wastewater sludge from nickel electroplating"),
    _c("336-055-17", "金属表面处理及热处理加工", "T",
       "使用镀镍液进行镀镍产生的废槽液、槽渣和废水处理污泥",
       "Spent baths, bath sludge and wastewater sludge from nickel plating with nickel plating solution"),
    _c("336-063-17", "金属表面处理及热处理加工", "T",
       "其他电镀工艺产生的废槽液、槽渣和废水处理污泥",
       "Spent baths, bath sludge and wastewater sludge from other electroplating processes"),
    _c("336-064-17", "金属表面处理及热处理加工", "T/C",
       "金属或塑料表面酸（碱）洗、除油、除锈、洗涤、磷化、出光、化抛工艺产生的废腐蚀液、废洗涤液、废槽液、槽渣和废水处理污泥（不包括：铝、镁材（板）表面酸（碱）洗、粗化、硫酸阳极处理、磷酸化学抛光废水处理污泥，铝电解电容器用铝电极箔化学腐蚀、非硼酸系化成液化成废水处理污泥，铝材挤压加工模具碱洗（煲模）废水处理污泥，碳钢酸洗除锈废水处理污泥）",
       "Spent etchants, rinses, baths, bath sludge and wastewater sludge from acid/alkaline pickling, degreasing, "
       "derusting, phosphating, brightening and chemical polishing of metal or plastic surfaces (with the "
       "listed aluminium/magnesium, electrode-foil, die-cleaning and carbon-steel pickling sludge exceptions)"),
    _c("336-066-17", "金属表面处理及热处理加工", "T",
       "镀层剥除过程中产生的废槽液、槽渣和废水处理污泥",
       "Spent baths, bath sludge and wastewater sludge from stripping metal coatings"),
    # HW18 焚烧处置残渣
    _c("772-002-18", "环境治理业", "T", "生活垃圾焚烧飞灰", "Fly ash from municipal solid waste incineration"),
    _c("772-003-18", "环境治理业", "T",
       "危险废物焚烧、热解等处置过程产生的底渣、飞灰和废水处理污泥",
       "Bottom ash, fly ash and wastewater sludge from incinerating or pyrolysing hazardous waste"),
    # HW21 含铬废物
    _c("261-041-21", "基础化学原料制造", "T",
       "铬铁矿生产铬盐过程中产生的铬渣",
       "Chromite ore processing residue (chromium slag) from chromium salt production"),
    # HW22 含铜废物
    _c("398-005-22", "电子元件及电子专用材料制造", "T", "使用酸进行铜氧化处理产生的废液和废水处理污泥",
       "Spent liquor and wastewater-treatment sludge from acid oxidation treatment of copper"),
    _c("398-004-22", "电子元件及电子专用材料制造", "T",
       "线路板生产过程中产生的废蚀铜液",
       "Spent copper etchant from printed circuit board manufacture"),
    _c("398-051-22", "电子元件及电子专用材料制造", "T",
       "铜板蚀刻过程中产生的废蚀刻液和废水处理污泥",
       "Spent etchant and wastewater sludge from etching copper-clad boards"),
    # HW23 含锌废物
    _c("336-103-23", "金属表面处理及热处理加工", "T",
       "热镀锌过程中产生的废助镀熔（溶）剂和集（除）尘装置收集的粉尘",
       "Spent fluxes and collected dust from hot-dip galvanising"),
    _c("312-001-23", "炼钢", "T",
       "废钢电炉炼钢过程中集（除）尘装置收集的粉尘和废水处理污泥",
       "Electric-arc-furnace dust and wastewater sludge from steelmaking with scrap"),
    # HW29 含汞废物
    _c("900-023-29", "非特定行业", "T",
       "生产、销售及使用过程中产生的废含汞荧光灯管及其他废含汞电光源，及废弃含汞电光源处理处置过程中产生的废荧光粉、废活性炭和废水处理污泥",
       "Waste mercury-containing fluorescent tubes and other mercury lamps, and phosphor, activated carbon "
       "and sludge from treating them"),
    _c("900-024-29", "非特定行业", "T",
       "生产、销售及使用过程中产生的废含汞温度计、废含汞血压计、废含汞真空表、废含汞压力计、废氧化汞电池和废汞开关",
       "Waste mercury thermometers, sphygmomanometers, vacuum and pressure gauges, mercury-oxide batteries "
       "and mercury switches"),
    # HW31 含铅废物
    _c("384-004-31", "电池制造", "T",
       "铅蓄电池生产过程中产生的废渣、集（除）尘装置收集的粉尘和废水处理污泥",
       "Slag, collected dust and wastewater sludge from lead-acid battery manufacture"),
    _c("900-052-31", "非特定行业", "T，C",
       "废铅蓄电池及废铅蓄电池拆解过程中产生的废铅板、废铅膏和酸液",
       "Waste lead-acid batteries, and lead plates, lead paste and acid from dismantling them"),
    # HW32 无机氟化物废物
    _c("900-026-32", "非特定行业", "T，C",
       "使用氢氟酸进行蚀刻产生的废蚀刻液",
       "Spent hydrofluoric-acid etchant"),
    # HW33 无机氰化物废物
    _c("336-104-33", "金属表面处理及热处理加工", "T，R",
       "使用氰化物进行浸洗过程中产生的废液",
       "Spent liquors from cyanide dipping"),
    _c("900-027-33", "非特定行业", "T，R",
       "使用氰化物进行表面硬化、碱性除油、电解除油产生的废物",
       "Waste from cyanide case-hardening, alkaline degreasing and electrolytic degreasing"),
    # HW34 废酸
    _c("261-058-34", "基础化学原料制造", "C，T", "卤素和卤素化学品生产过程中产生的废酸",
       "Spent acid from producing halogens and halogen chemicals"),
    _c("313-001-34", "钢压延加工", "C，T", "钢的精加工过程中产生的废酸性洗液",
       "Spent acidic pickling liquor from finishing steel"),
    _c("398-007-34", "电子元件及电子专用材料制造", "C，T",
       "液晶显示板或集成电路板的生产过程中使用酸浸蚀剂进行氧化物浸蚀产生的废酸液",
       "Spent acid from oxide etching with acid etchants in making LCD panels or integrated circuit boards"),
    _c("900-305-34", "非特定行业", "C，T", "使用硝酸剥落不合格镀层及挂架金属镀层产生的废酸液",
       "Spent nitric acid from stripping defective platings and rack platings"),
    _c("251-014-34", "精炼石油产品制造", "C，T",
       "石油炼制过程产生的废酸及酸泥",
       "Spent acid and acid sludge from petroleum refining"),
    _c("264-013-34", "涂料、油墨、颜料及类似产品制造", "C，T",
       "硫酸法生产钛白粉（二氧化钛）过程中产生的废酸",
       "Spent acid from sulfate-process titanium dioxide production"),
    _c("398-005-34", "电子元件及电子专用材料制造", "C，T",
       "使用酸进行电解除油、酸蚀、活化前表面敏化、催化、浸亮产生的废酸液",
       "Spent acid from electrolytic degreasing, etching, sensitising, catalysing and bright dipping in "
       "electronics manufacture"),
    _c("900-300-34", "非特定行业", "C，T",
       "使用酸进行清洗产生的废酸液",
       "Spent acid from acid cleaning"),
    _c("900-349-34", "非特定行业", "C，T",
       "生产、销售及使用过程中产生的失效、变质、不合格、淘汰、伪劣的强酸性擦洗粉、清洁剂、污迹去除剂以及其他强酸性废酸液和酸渣",
       "Off-spec or expired strongly acidic scouring powders, cleaners and stain removers, and other strongly "
       "acidic spent acids and acid residues"),
    # HW35 废碱
    _c("900-356-35", "非特定行业", "C，T", "使用碱溶液进行碱性清洗、图形显影产生的废碱液",
       "Spent alkaline solution from alkaline cleaning and pattern development"),
    _c("251-015-35", "精炼石油产品制造", "C，T",
       "石油炼制过程产生的废碱液和碱渣",
       "Spent caustic and alkaline sludge from petroleum refining"),
    _c("261-059-35", "基础化学原料制造", "C",
       "氢氧化钙、氨水、氢氧化钠、氢氧化钾等的生产、配制中产生的废碱液、固态碱和碱渣",
       "Spent alkaline liquors, solid alkali and alkaline residues from making calcium hydroxide, ammonia "
       "water, sodium hydroxide, potassium hydroxide, etc."),
    _c("900-352-35", "非特定行业", "C，T",
       "使用碱进行清洗产生的废碱液",
       "Spent alkali from alkaline cleaning"),
    _c("900-399-35", "非特定行业", "C，T",
       "生产、销售及使用过程中产生的失效、变质、不合格、淘汰、伪劣的强碱性擦洗粉、清洁剂、污迹去除剂以及其他强碱性废碱液、固态碱和碱渣",
       "Off-spec or expired strongly alkaline scouring powders, cleaners and stain removers, and other strongly "
       "alkaline spent liquors, solid alkali and residues"),
    # HW39 含酚废物
    _c("261-070-39", "基础化学原料制造", "T",
       "酚及酚类化合物生产过程中产生的废母液和反应残余物",
       "Mother liquors and reaction residues from making phenol and phenolic compounds"),
    # HW46 含镍废物
    _c("384-005-46", "电池制造", "T",
       "镍氢电池生产过程中产生的废渣和废水处理污泥",
       "Residues and wastewater sludge from nickel-metal-hydride battery manufacture"),
    _c("900-037-46", "非特定行业", "T，I", "废弃的镍催化剂", "Spent nickel catalysts"),
    # HW48 有色金属采选和冶炼废物
    _c("321-024-48", "常用有色金属冶炼", "R，T",
       "电解铝铝液转移、精炼、合金化、铸造过程熔体表面产生的铝灰渣，以及回收铝过程产生的盐渣和二次铝灰",
       "Aluminium dross from primary aluminium melt handling, refining, alloying and casting, and salt slag "
       "and secondary dross from recovering aluminium from it"),
    # HW49 其他废物
    _c("309-001-49", "石墨及其他非金属矿物制品制造", "R，C",
       "多晶硅生产过程中废弃的三氯化硅及四氯化硅",
       "Discarded trichlorosilane and silicon tetrachloride from polysilicon production"),
    _c("772-006-49", "环境治理", "T/In",
       "采用物理、化学、物理化学或生物方法处理或处置毒性或感染性危险废物过程中产生的废水处理污泥、残渣（液）",
       "Wastewater sludge and residues from physical, chemical or biological treatment of toxic or "
       "infectious hazardous waste"),
    # The printed cell has justification spaces around some of the codes it
    # excludes; they are dropped here.
    _c("900-039-49", "非特定行业", "T",
       "烟气、VOCs治理过程（不包括餐饮行业油烟治理过程）产生的废活性炭，化学原料和化学制品脱色（不包括有机合成食品添加剂脱色）、除杂、净化过程产生的废活性炭（不包括900-405-06、772-005-18、261-053-29、265-002-29、384-003-29、387-001-29类废物）",
       "Spent activated carbon from flue-gas and VOC treatment (not kitchen fume treatment) and from "
       "decolourising and purifying chemicals (not food-additive synthesis), except the codes named"),
    _c("900-041-49", "非特定行业", "T/In",
       "含有或沾染毒性、感染性危险废物的废弃包装物、容器、过滤吸附介质",
       "Discarded packaging, containers and filter/adsorbent media containing or contaminated with toxic or "
       "infectious hazardous waste"),
    _c("900-044-49", "非特定行业", "T",
       "废弃的镉镍电池、荧光粉和阴极射线管",
       "Discarded nickel-cadmium batteries, phosphors and cathode-ray tubes"),
    _c("900-045-49", "非特定行业", "T",
       "废电路板（包括已拆除或未拆除元器件的废弃电路板），及废电路板拆解过程产生的废弃CPU、显卡、声卡、内存、含电解液的电容器、含金等贵金属的连接件",
       "Waste circuit boards (with or without components) and CPUs, graphics and sound cards, memory, "
       "electrolytic capacitors and gold-bearing connectors from dismantling them"),
    _c("900-046-49", "非特定行业", "T",
       "离子交换装置（不包括饮用水、工业纯水和锅炉软化水制备装置）再生过程中产生的废水处理污泥",
       "Wastewater sludge from regenerating ion-exchange units (not drinking, pure or boiler-softening water units)"),
    _c("900-047-49", "非特定行业", "T/C/I/R",
       "生产、研究、开发、教学、环境检测（监测）活动中，化学和生物实验室（不包含感染性医学实验室及医疗机构化验室）产生的含氰、氟、重金属无机废液及无机废液处理产生的残渣、残液，含矿物油、有机溶剂、甲醛有机废液，废酸、废碱，具有危险特性的残留样品，以及沾染上述物质的一次性实验用品（不包括按实验室管理要求进行清洗后的废弃的烧杯、量器、漏斗等实验室用品）、包装物（不包括按实验室管理要求进行清洗后的试剂包装物、容器）、过滤吸附介质等",
       "Laboratory waste from chemical and biological labs (not infectious medical labs): cyanide-, fluoride- "
       "and heavy-metal-bearing inorganic liquids, organic liquids with mineral oil, solvents or formaldehyde, "
       "spent acids and alkalis, hazardous residual samples, and contaminated disposables, packaging and media"),
    _c("900-053-49", "非特定行业", "T",
       "已禁止使用的《关于持久性有机污染物的斯德哥尔摩公约》受控化学物质；已禁止使用的《关于汞的水俣公约》中氯碱设施退役过程中产生的汞；所有者申报废弃的，以及有关部门依法收缴或接收且需要销毁的《关于持久性有机污染物的斯德哥尔摩公约》《关于汞的水俣公约》受控化学物质",
       "Banned chemicals controlled by the Stockholm Convention on POPs; mercury from decommissioned chlor-alkali "
       "plants under the Minamata Convention; and such controlled chemicals declared waste or seized for destruction"),
    # HW50 废催化剂
    _c("261-156-50", "基础化学原料制造", "T", "烷烃脱氢过程中产生的废催化剂",
       "Spent catalysts from alkane dehydrogenation"),
    _c("271-006-50", "化学药品原料药制造", "T", "化学合成原料药生产过程中产生的废催化剂",
       "Spent catalysts from synthesising active pharmaceutical ingredients"),
    _c("251-016-50", "精炼石油产品制造", "T",
       "石油产品加氢精制过程中产生的废催化剂",
       "Spent hydrotreating catalysts from petroleum refining"),
    _c("261-151-50", "基础化学原料制造", "T",
       "树脂、乳胶、增塑剂、胶水/胶合剂生产过程中合成、酯化、缩合等工序产生的废催化剂",
       "Spent catalysts from synthesis, esterification and condensation in making resins, latex, "
       "plasticisers and adhesives"),
    _c("772-007-50", "环境治理业", "T",
       "烟气脱硝过程中产生的废钒钛系催化剂",
       "Spent vanadium-titanium SCR catalysts from flue-gas denitrification"),
    _c("900-048-50", "非特定行业", "T", "废液体催化剂", "Spent liquid catalysts"),
    _c("900-049-50", "非特定行业", "T",
       "机动车和非道路移动机械尾气净化废催化剂",
       "Spent exhaust catalysts from motor vehicles and non-road mobile machinery"),
)

_BY_CODE: dict[str, HwCode] = {c.code: c for c in BUILTIN_HW_CODES}
# Duplicates would make the lookup ambiguous; fail at import instead.
assert len(_BY_CODE) == len(BUILTIN_HW_CODES), "duplicate code in BUILTIN_HW_CODES"


def builtin_code(code: str) -> HwCode | None:
    """The built-in record for ``code`` (``"900-214-08"``), or ``None`` if it is not in the built-in set.

    Raises ValueError if ``code`` is not of the shape ``NNN-NNN-NN`` (fullwidth digits and
    dashes are accepted), because that is a caller error rather than a missing entry.
    """
    text = unicodedata.normalize("NFKC", str(code or "")).strip()  # fullwidth digits and dashes
    if not is_hw_code(text):
        raise ValueError(f"not an HW code of the form NNN-NNN-NN: {code!r}")
    return _BY_CODE.get(text)


def builtin_codes_in_category(category: str) -> tuple[HwCode, ...]:
    """The built-in codes of one category (``"HW08"``), in list order."""
    return tuple(c for c in BUILTIN_HW_CODES if c.category == category)


def search_builtin_codes(text: str) -> tuple[HwCode, ...]:
    """Built-in codes whose code, description (Chinese or English) or industry contains ``text`` (case-insensitive)."""
    needle = str(text or "").strip().casefold()
    if not needle:
        return BUILTIN_HW_CODES
    return tuple(
        c
        for c in BUILTIN_HW_CODES
        if needle in c.code or needle in c.description.casefold() or needle in c.description_en.casefold()
        or needle in c.industry.casefold()
    )
