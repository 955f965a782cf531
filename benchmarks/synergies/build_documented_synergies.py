"""Authoring aid for ``documented_synergies.json``: documented industrial symbioses as a
``wastematch.v1`` document plus an ``expected`` map (offer ref -> the real receivers' need refs).

Each documented case is its own park.  Offers are the by-products/wastes the case
literature describes, with the receivers the literature names (``expected``); every
receiver is a need listing.  The other needs are *distractors*: plausible receivers of
other materials, legal competitors for the same material (landfills, incinerators,
farther plants), and near-misses (wrong licence, expired licence, too far, wrong form,
composition out of specification, period that does not overlap).

Sources of the documented flows (material exchanges only; steam, heat and cooling water
are left out):

* Kalundborg — Jacobsen N.B. (2006) Industrial symbiosis in Kalundborg, Denmark: a
  quantitative assessment. J. Ind. Ecol. 10(1-2):239-255; Ehrenfeld J., Gertler N.
  (1997) J. Ind. Ecol. 1(1):67-79; Chertow M. (2000) Annu. Rev. Energy Environ. 25:313;
  Kalundborg Symbiosis (symbiosis.dk) flow descriptions (biogas, lignin, ATS).
* Guitang — Zhu Q., Lowe E.A., Wei Y., Barnes D. (2007) Industrial symbiosis in China:
  a case study of the Guitang Group. J. Ind. Ecol. 11(1):31-42; Zhu Q., Côté R.P. (2004)
  J. Clean. Prod. 12:1025-1035.
* Rizhao — the Rizhao Economic and Technological Development Area as described in the
  Chinese eco-industrial-park literature (steel slag and blast-furnace slag to cement,
  fly ash and FGD gypsum to building materials, paper-mill sludge).  The literature is
  less specific about named receivers here: receivers are descriptive, and paper sludge
  lists both destinations reported for the region (brick making, co-firing).
* Kwinana — van Beers D., Corder G., Bossilkov A., van Berkel R. (2007) Industrial
  symbiosis in the Australian minerals industry: the cases of Kwinana and Gladstone.
  J. Ind. Ecol. 11(1):55-72; Kwinana Industries Council synergy inventories.
* Gladstone — van Beers et al. (2007), as above (fly ash and spent pot lining to the
  cement works).
* TEDA — Shi H., Chertow M., Song Y. (2010) Developing country experience with
  eco-industrial parks: a case study of the Tianjin Economic-Technological Development
  Area in China. J. Clean. Prod. 18:191-199; Beijiang power–desalination–salt–building
  materials circular-economy project (SDIC Beijiang) as reported in Chinese circular-
  economy pilot literature.
* Kawasaki — van Berkel R., Fujita T., Hashimoto S., Geng Y. (2009) Industrial and urban
  symbiosis in Japan: analysis of the Eco-Town program 1997-2006. J. Environ. Manage.
  90:1544-1556; Hashimoto S. et al. (2010) on cement production in Kawasaki, J. Clean.
  Prod. 18.
* Styria — Schwarz E.J., Steininger K.W. (1997) Implementing nature's lesson: the
  industrial recycling network enhancing regional development. J. Clean. Prod.
  5(1-2):47-56.
* Lubei — the Lubei Enterprise Group (Wudi, Shandong) chains described throughout the
  Chinese circular-economy literature: phosphogypsum to the sulfuric-acid-and-cement
  co-production plant, seawater brine through bromine extraction to the salt works,
  crude salt to chlor-alkali, power-plant ash to cement.

Enterprises named in the case literature carry their published names; distractors and
enterprises the literature does not name carry descriptive names.  Quantities are
rounded orders of magnitude from the sources or typical of the process; licence numbers
are invented.  HW codes are codes of the National Hazardous Waste List (2021) and were
checked against the published PDF when this file was written (``--check-pdf``).
Source citations live here, not in listing texts, so that they cannot leak into the
text similarity of the matcher.

Run ``python benchmarks/synergies/build_documented_synergies.py`` to rewrite
``documented_synergies.json`` next to this file (deterministic output).
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

OUT = Path(__file__).with_name("documented_synergies.json")
FROM = "2026-01-01"

# --------------------------------------------------------------------------------------
# substances: key -> (CAS or None, display name)
# --------------------------------------------------------------------------------------
CHEM: dict[str, tuple[str | None, str]] = {
    "water": ("7732-18-5", "water"),
    # oxides, minerals
    "sio2": ("7631-86-9", "silicon dioxide"),
    "al2o3": ("1344-28-1", "aluminium oxide"),
    "fe2o3": ("1309-37-1", "iron(III) oxide"),
    "feo": ("1345-25-1", "iron(II) oxide"),
    "cao": ("1305-78-8", "calcium oxide"),
    "mgo": ("1309-48-4", "magnesium oxide"),
    "so3": ("7446-11-9", "sulfur trioxide (as SO3)"),
    "na2o": ("1313-59-3", "sodium oxide (as Na2O)"),
    "k2o": ("12136-45-7", "potassium oxide (as K2O)"),
    "tio2": ("13463-67-7", "titanium dioxide"),
    "p2o5": ("1314-56-3", "phosphorus pentoxide (as P2O5)"),
    "mno": ("1344-43-0", "manganese(II) oxide"),
    "caco3": ("471-34-1", "calcium carbonate"),
    "caoh2": ("1305-62-0", "calcium hydroxide"),
    "gypsum": ("10101-41-4", "calcium sulfate dihydrate (gypsum)"),
    "caso4": ("7778-18-9", "calcium sulfate"),
    "kaolin": ("1332-58-7", "kaolin"),
    "fluoride": ("16984-48-8", "fluoride"),
    "chloride": ("16887-00-6", "chloride"),
    "carbon": ("7440-44-0", "carbon (unburnt carbon / LOI)"),
    # elements
    "n": ("7727-37-9", "nitrogen (as N)"),
    "p": ("7723-14-0", "phosphorus (as P)"),
    "k": ("7440-09-7", "potassium (as K)"),
    "cd": ("7440-43-9", "cadmium"),
    "zn": ("7440-66-6", "zinc"),
    "cu": ("7440-50-8", "copper"),
    "pb": ("7439-92-1", "lead"),
    "fe": ("7439-89-6", "iron"),
    "mn": ("7439-96-5", "manganese"),
    "s": ("7704-34-9", "sulfur"),
    # acids, bases, salts
    "h2so4": ("7664-93-9", "sulfuric acid"),
    "hcl": ("7647-01-0", "hydrogen chloride (hydrochloric acid)"),
    "naoh": ("1310-73-2", "sodium hydroxide"),
    "na2co3": ("497-19-8", "sodium carbonate"),
    "na2so4": ("7757-82-6", "sodium sulfate"),
    "nacl": ("7647-14-5", "sodium chloride"),
    "mgcl2": ("7786-30-3", "magnesium chloride"),
    "mgso4": ("7487-88-9", "magnesium sulfate"),
    "kcl": ("7447-40-7", "potassium chloride"),
    "mgbr2": ("7789-48-2", "magnesium bromide"),
    "cucl2": ("7447-39-4", "copper(II) chloride"),
    "cuso4": ("7758-98-7", "copper(II) sulfate"),
    "feso4": ("7720-78-7", "iron(II) sulfate"),
    "fecl2": ("7758-94-3", "iron(II) chloride"),
    "nh4cl": ("12125-02-9", "ammonium chloride"),
    "nh3": ("7664-41-7", "ammonia"),
    "ats": ("7783-18-8", "ammonium thiosulfate"),
    "amsulf": ("7783-20-2", "ammonium sulfate"),
    "naf": ("7681-49-4", "sodium fluoride"),
    "cryolite": ("13775-53-6", "cryolite (sodium hexafluoroaluminate)"),
    "nacn": ("143-33-9", "sodium cyanide"),
    # gases
    "h2": ("1333-74-0", "hydrogen"),
    "methane": ("74-82-8", "methane"),
    "ethane": ("74-84-0", "ethane"),
    "propane": ("74-98-6", "propane"),
    "butane": ("106-97-8", "butane"),
    "co2": ("124-38-9", "carbon dioxide"),
    "h2s": ("7783-06-4", "hydrogen sulfide"),
    # oils, organics
    "base_oil": ("64742-54-7", "mineral base oil (hydrotreated heavy paraffinic distillate)"),
    "sucrose": ("57-50-1", "sucrose"),
    "glucose": ("50-99-7", "glucose"),
    "fructose": ("57-48-7", "fructose"),
    "cellulose": ("9004-34-6", "cellulose"),
    "lignin": ("9005-53-2", "lignin"),
    "xylan": ("9014-63-5", "xylan (hemicellulose)"),
    "starch": ("9005-25-8", "starch"),
    "palm_oil": ("8002-75-3", "palm oil (frying fat)"),
    "ethanol": ("64-17-5", "ethanol"),
    "organic": (None, "organic matter"),
    "protein": (None, "crude protein"),
    "biomass": (None, "microbial fermentation biomass (dry matter)"),
    "yeast": (None, "inactivated yeast cells (dry matter)"),
    "aso": (None, "acid-soluble oil (red oil)"),
    # polymers
    "pe": ("9002-88-4", "polyethylene"),
    "pp": ("9003-07-0", "polypropylene"),
    "ps": ("9003-53-6", "polystyrene"),
    "pet": ("25038-59-9", "polyethylene terephthalate (PET)"),
    "pvc": ("9002-86-2", "polyvinyl chloride (PVC)"),
    "sbr": ("9003-55-8", "styrene-butadiene rubber"),
    "carbon_black": ("1333-86-4", "carbon black"),
    "zno": ("1314-13-2", "zinc oxide"),
}


def _lines(amounts: dict[str, float] | None, key: str) -> list[dict]:
    out = []
    for k, v in (amounts or {}).items():
        cas, name = CHEM[k]
        line = {"name": name, key: v}
        if cas:
            line["cas"] = cas
        out.append(line)
    return out


# --------------------------------------------------------------------------------------
# builders
# --------------------------------------------------------------------------------------
PARKS: list[dict] = []
ENTERPRISES: list[dict] = []
LISTINGS: list[dict] = []
EXPECTED: dict[str, list[str]] = {}
_ENT: dict[str, dict] = {}


def park(code, name, name_en, province, lat, lon, hw_max_km=None):
    p = {"code": code, "name": name, "name_en": name_en, "province": province, "lat": lat, "lon": lon}
    if hw_max_km:
        p["hw_max_distance_km"] = hw_max_km
    PARKS.append(p)


def ent(ref, name, park_code, industry, industry_name, province, lat, lon, licences=(), district=None):
    e = {"ref": ref, "name": name, "park": park_code, "industry": industry, "industry_name": industry_name,
         "province": province, "lat": lat, "lon": lon, "licences": list(licences)}
    if district:
        e["district"] = district
    ENTERPRISES.append(e)
    _ENT[ref] = e


def lic(number, categories, activities, capacity, valid_from="2024-01-01", valid_to="2028-12-31",
        kind="hw_comprehensive", codes=()):
    return {"number": number, "kind": kind, "categories": list(categories), "codes": list(codes),
            "activities": list(activities), "annual_capacity_t": capacity, "valid_from": valid_from,
            "valid_to": valid_to}


UTILISE = ("collect", "store", "utilise")
DISPOSE = ("collect", "store", "dispose")
BOTH = ("collect", "store", "utilise", "dispose")


def offer(ref, enterprise, title, title_zh, form, quantity, comp, *, code=None, ewc=None, desc="", period="year",
          price=None, route=None, available_from=FROM, available_to=None, to=()):
    x = {"ref": ref, "kind": "offer", "enterprise": enterprise, "title": title, "title_zh": title_zh,
         "description": desc, "waste_code": code, "ewc_code": ewc, "form": form,
         "composition": _lines(comp, "fraction"), "quantity_t": quantity, "period": period,
         "available_from": available_from, "available_to": available_to, "price_cny_per_t": price,
         "current_route": route}
    LISTINGS.append({k: v for k, v in x.items() if v is not None})
    EXPECTED[ref] = list(to)


def need(ref, enterprise, title, title_zh, forms, purpose, quantity, *, comp=None, wanted=None, limits=None,
         max_km=None, code=None, desc="", period="year", price=None, available_from=FROM, available_to=None):
    x = {"ref": ref, "kind": "need", "enterprise": enterprise, "title": title, "title_zh": title_zh,
         "description": desc, "waste_code": code, "forms": list(forms), "purpose": purpose,
         "composition": _lines(comp, "fraction"), "wanted": _lines(wanted, "min_fraction"),
         "limits": _lines(limits, "max_fraction"), "quantity_t": quantity, "period": period,
         "max_distance_km": max_km, "available_from": available_from, "available_to": available_to,
         "price_cny_per_t": price}
    LISTINGS.append({k: v for k, v in x.items() if v is not None and v != []})


# Typical compositions reused by several parks (mass fractions as delivered).
FLY_ASH = {"sio2": 0.50, "al2o3": 0.27, "fe2o3": 0.06, "cao": 0.05, "mgo": 0.015, "so3": 0.008,
           "carbon": 0.035, "k2o": 0.01, "chloride": 0.0002, "water": 0.005}
FGD_GYPSUM = {"gypsum": 0.87, "water": 0.10, "caco3": 0.02, "sio2": 0.004, "chloride": 0.00008}
BF_SLAG = {"cao": 0.40, "sio2": 0.34, "al2o3": 0.14, "mgo": 0.08, "feo": 0.005, "mno": 0.004, "s": 0.01,
           "water": 0.01}
CEMENT_ALUMINOSILICATE = {"sio2": 0.5, "al2o3": 0.26, "fe2o3": 0.08, "cao": 0.06}
SLAG_CEMENT_PROFILE = {"cao": 0.40, "sio2": 0.34, "al2o3": 0.14, "mgo": 0.08}

# ======================================================================================
# 1. Kalundborg, Denmark
# ======================================================================================
SJ, NJ, SD = "Region Sjælland", "Region Nordjylland", "Region Syddanmark"
park("KAL", "卡伦堡工业共生体", "Kalundborg Symbiosis", SJ, 55.68, 11.09)
ent("KAL-ASN", "Asnæs Power Station (Asnæsværket, Ørsted)", "KAL", "4411", "Thermal power", SJ, 55.6627, 11.0800)
ent("KAL-REF", "Statoil (Equinor) Kalundborg refinery", "KAL", "2511", "Crude oil refining", SJ, 55.6905, 11.0890)
ent("KAL-NOVO", "Novo Nordisk Kalundborg (insulin production)", "KAL", "2761", "Biopharmaceuticals", SJ,
    55.6690, 11.1180)
ent("KAL-NZ", "Novozymes Kalundborg (enzyme fermentation)", "KAL", "2761", "Industrial enzymes", SJ, 55.6655, 11.1090)
ent("KAL-GYP", "Gyproc (Saint-Gobain) Kalundborg plasterboard plant", "KAL", "3024", "Plasterboard", SJ,
    55.6745, 11.0870)
ent("KAL-FISH", "Asnæs fish farm (warm-water aquaculture)", "KAL", "0412", "Aquaculture", SJ, 55.6610, 11.0760)
ent("KAL-WWTP", "Kalundborg Forsyning wastewater treatment plant", "KAL", "4620", "Wastewater treatment", SJ,
    55.6850, 11.1000)
ent("KAL-SOIL", "Soilrem A/S (bioremediation of contaminated soil)", "KAL", "7722", "Soil remediation", SJ,
    55.6720, 11.1350)
ent("KAL-INB", "Inbicon biomass refinery (DONG Energy demonstration plant)", "KAL", "2541", "Cellulosic ethanol", SJ,
    55.6615, 11.0830)
ent("KAL-BIO", "Kalundborg BioEnergi biogas plant", "KAL", "4512", "Biogas production", SJ, 55.6640, 11.1150)
ent("KAL-AP", "Aalborg Portland cement works (Rørdal)", "KAL", "3011", "Cement", NJ, 57.0440, 9.9940)
ent("KAL-FARM", "West Zealand arable farms (field-spreading cooperative)", "KAL", "0111", "Arable farming", SJ,
    55.6000, 11.2500)
ent("KAL-PIG", "West Zealand pig farms (liquid-feed users)", "KAL", "0313", "Pig farming", SJ, 55.5800, 11.3200)
ent("KAL-ROAD", "Kalundborg Municipality road and construction depot", "KAL", "4812", "Road construction", SJ,
    55.6900, 11.1400)
# distractor enterprises
ent("KAL-X-BALSTA", "Plasterboard plant, Bålsta (Sweden)", "KAL", "3024", "Plasterboard", "Uppsala län",
    59.5690, 17.5300)
ent("KAL-X-RMC", "Ready-mix concrete plant, Greater Copenhagen", "KAL", "3021", "Ready-mix concrete",
    "Region Hovedstaden", 55.6800, 12.4500)
ent("KAL-X-LANDFILL", "West Zealand regional landfill (mineral and inert waste)", "KAL", "7723", "Landfill", SJ,
    55.4500, 11.5500)
ent("KAL-X-EFW", "Energy-from-waste plant, Slagelse", "KAL", "4419", "Waste incineration with energy recovery", SJ,
    55.4000, 11.3700)
ent("KAL-X-FEEDMILL", "Compound feed mill, Slagelse", "KAL", "1329", "Feed manufacturing", SJ, 55.4050, 11.3400)
ent("KAL-X-ACID", "Sulfuric acid plant, Fredericia", "KAL", "2611", "Inorganic acids", SD, 55.5570, 9.7410)
ent("KAL-X-DH", "District heating plant, Holbæk", "KAL", "4430", "District heating", SJ, 55.7200, 11.7100)
ent("KAL-X-COMPOST", "Garden-waste composting site, Kalundborg", "KAL", "7723", "Composting", SJ, 55.7000, 11.2000)
ent("KAL-X-ROADTMP", "Motorway extension project (temporary aggregate need)", "KAL", "4812", "Road construction",
    SJ, 55.6300, 11.3000)
ent("KAL-X-NPK", "Granular NPK fertiliser plant, Fredericia", "KAL", "2624", "Compound fertiliser", SD,
    55.5650, 9.7300)

offer("KAL-O-FLYASH", "KAL-ASN", "Coal fly ash from electrostatic precipitators", "燃煤电厂粉煤灰", "powder", 80000,
      FLY_ASH, ewc="100102", price=30, route="landfill",
      desc="Dry fly ash from the coal-fired units, collected in silos; shipped in bulk. 一般工业固体废物 SW02。",
      to=["KAL-N-AP-ASH"])
offer("KAL-O-GYPSUM", "KAL-ASN", "FGD gypsum from wet limestone scrubber", "烟气脱硫石膏", "powder", 150000,
      FGD_GYPSUM, ewc="100105", price=10, route="sale",
      desc="Calcium sulfate dihydrate from the flue-gas desulfurisation plant, about 10 % moisture. SW06。",
      to=["KAL-N-GYP"])
offer("KAL-O-BOTASH", "KAL-ASN", "Boiler bottom ash and clinker", "锅炉底渣", "solid", 25000,
      {"sio2": 0.50, "al2o3": 0.22, "fe2o3": 0.10, "cao": 0.06, "carbon": 0.02, "water": 0.08}, ewc="100101",
      route="landfill", desc="Coarse bottom ash and slag from the coal boilers, quenched. SW03。",
      to=["KAL-N-ROAD"])
offer("KAL-O-ATS", "KAL-REF", "Ammonium thiosulfate solution from gas desulfurisation", "硫代硫酸铵溶液（炼厂脱硫副产）",
      "liquid", 20000, {"ats": 0.60, "water": 0.395, "amsulf": 0.005}, price=600, route="sale",
      desc="ATS made from the hydrogen sulfide removed from refinery gas; sold as liquid N-S fertiliser (12-0-0-26S).",
      to=["KAL-N-FARM-ATS"])
offer("KAL-O-FUELGAS", "KAL-REF", "Surplus refinery fuel gas (otherwise flared)", "炼厂富余燃料气（火炬气）", "gas", 12000,
      {"methane": 0.45, "h2": 0.20, "ethane": 0.15, "propane": 0.10, "butane": 0.05, "h2s": 0.0002}, price=0,
      route="incineration", desc="Sweetened refinery off-gas in excess of the refinery's own firing needs, by pipeline.",
      to=["KAL-N-GYP-GAS", "KAL-N-ASN-GAS"])
offer("KAL-O-NOVOGRO", "KAL-NZ", "Fermentation biomass slurry (NovoGro)", "发酵菌体残渣浆液（NovoGro）", "sludge", 400000,
      {"water": 0.95, "biomass": 0.035, "n": 0.004, "p": 0.0008, "k": 0.001}, price=0,
      desc="Heat-inactivated microbial biomass from enzyme and insulin fermentation, lime-treated, pumpable slurry.",
      to=["KAL-N-FARM-ORG", "KAL-N-BIOGAS"])
offer("KAL-O-YEAST", "KAL-NOVO", "Yeast slurry from insulin fermentation", "胰岛素发酵废酵母浆", "liquid", 60000,
      {"water": 0.88, "yeast": 0.10, "sucrose": 0.005, "n": 0.008}, price=50,
      desc="Surplus Saccharomyces yeast cream, heat-treated and acidified for storage.",
      to=["KAL-N-PIG"])
offer("KAL-O-FISHSLUDGE", "KAL-FISH", "Fish-farm sludge (faeces and feed residue)", "养殖场沉淀污泥", "sludge", 1000,
      {"water": 0.90, "organic": 0.07, "n": 0.004, "p": 0.002}, route="disposal",
      desc="Settled sludge from the trout ponds' treatment basins.",
      to=["KAL-N-FARM-ORG"])
offer("KAL-O-SEWSLUDGE", "KAL-WWTP", "Dewatered municipal sewage sludge", "城镇污水厂脱水污泥", "sludge", 6000,
      {"water": 0.75, "organic": 0.15, "n": 0.012, "p": 0.008, "zn": 0.0002, "cd": 0.0000005}, ewc="190805",
      price=-250, route="incineration", desc="Digested, centrifuged sludge, about 25 % dry matter.",
      to=["KAL-N-SOIL"])
offer("KAL-O-LIGNIN", "KAL-INB", "Lignin pellets from straw-to-ethanol", "秸秆乙醇木质素颗粒", "solid", 10000,
      {"lignin": 0.80, "cellulose": 0.06, "xylan": 0.03, "water": 0.08, "chloride": 0.001}, price=300, route="sale",
      desc="Solid lignin residue after enzymatic hydrolysis and fermentation of wheat straw, pelletised.",
      to=["KAL-N-ASN-BIOFUEL"])

need("KAL-N-AP-ASH", "KAL-AP", "Fly ash as cement raw material and pozzolan", "粉煤灰用作水泥原料及混合材",
     ["powder"], "recycle", 150000, comp=CEMENT_ALUMINOSILICATE, limits={"chloride": 0.001, "carbon": 0.06},
     max_km=400, price=40, desc="Bulk deliveries by ship or truck; silica-alumina corrective for the kiln feed.")
need("KAL-N-GYP", "KAL-GYP", "Gypsum for plasterboard production", "纸面石膏板用石膏", ["powder", "solid"], "recycle",
     170000, comp={"gypsum": 0.9, "water": 0.1}, wanted={"gypsum": 0.80}, limits={"chloride": 0.0001},
     max_km=60, price=30, desc="Replaces natural gypsum; low chloride needed for board quality.")
need("KAL-N-GYP-GAS", "KAL-GYP", "Gaseous fuel for plasterboard drying ovens", "石膏板干燥用燃料气", ["gas"],
     "recover_energy", 8000, comp={"methane": 0.6, "ethane": 0.1, "propane": 0.1, "h2": 0.1},
     limits={"h2s": 0.001}, max_km=10, price=800)
need("KAL-N-ASN-GAS", "KAL-ASN", "Gaseous fuel for boiler start-up and co-firing", "锅炉点火及掺烧用燃料气", ["gas"],
     "recover_energy", 6000, comp={"methane": 0.7, "ethane": 0.1, "h2": 0.1}, limits={"h2s": 0.001}, max_km=10,
     price=700)
need("KAL-N-ASN-BIOFUEL", "KAL-ASN", "Solid biomass fuel for co-firing", "生物质燃料掺烧", ["solid", "powder"],
     "recover_energy", 30000, comp={"lignin": 0.3, "cellulose": 0.4, "xylan": 0.2, "water": 0.1},
     limits={"chloride": 0.005}, max_km=50, price=250)
need("KAL-N-FARM-ATS", "KAL-FARM", "Liquid nitrogen-sulfur fertiliser", "液体氮硫肥", ["liquid"], "reuse", 25000,
     wanted={"ats": 0.5}, max_km=150, price=900, desc="Spring application with the nitrogen dressing.")
need("KAL-N-FARM-ORG", "KAL-FARM", "Organic slurries and sludges for field spreading", "有机浆液/污泥还田施肥",
     ["sludge", "liquid"], "recycle", 450000, comp={"water": 0.93, "organic": 0.05, "n": 0.005, "p": 0.001},
     limits={"cd": 0.0000003}, max_km=60, price=0,
     desc="Spread as nitrogen and phosphorus fertiliser under the farm's nutrient plan.")
need("KAL-N-BIOGAS", "KAL-BIO", "Organic residues for anaerobic digestion", "有机废物厌氧消化制沼气",
     ["sludge", "liquid"], "recover_energy", 300000, comp={"water": 0.9, "organic": 0.08, "n": 0.004}, max_km=30,
     price=0)
need("KAL-N-PIG", "KAL-PIG", "Liquid by-product feed for pigs", "猪用液体副产品饲料", ["liquid", "sludge"], "recycle",
     80000, comp={"water": 0.85, "protein": 0.06, "yeast": 0.05, "sucrose": 0.02}, max_km=80, price=80,
     desc="Wet feeding system; protein-rich liquid co-products replace soy meal.")
need("KAL-N-SOIL", "KAL-SOIL", "Nutrient source for bioremediation of oil-contaminated soil",
     "污染土壤生物修复用营养源（污泥）", ["sludge"], "recycle", 8000,
     comp={"water": 0.75, "organic": 0.15, "n": 0.012, "p": 0.008}, limits={"cd": 0.000002}, max_km=30, price=0)
need("KAL-N-ROAD", "KAL-ROAD", "Secondary aggregate for road sub-base", "道路基层再生骨料", ["solid"], "recycle", 40000,
     comp={"sio2": 0.6, "al2o3": 0.2, "cao": 0.1}, max_km=40, price=0)
# distractors
need("KAL-N-AP-GYP", "KAL-AP", "Gypsum as set retarder for cement grinding", "水泥缓凝剂用石膏", ["powder", "solid"],
     "recycle", 40000, wanted={"gypsum": 0.80}, max_km=400, price=35)
need("KAL-N-X-BALSTA", "KAL-X-BALSTA", "Gypsum for plasterboard production", "纸面石膏板用石膏", ["powder", "solid"],
     "recycle", 200000, comp={"gypsum": 0.9, "water": 0.1}, wanted={"gypsum": 0.85}, max_km=300, price=35)
need("KAL-N-X-RMC", "KAL-X-RMC", "Low-LOI fly ash for structural concrete", "高品质（低烧失量）粉煤灰用于混凝土",
     ["powder"], "recycle", 30000, comp={"sio2": 0.52, "al2o3": 0.27, "fe2o3": 0.07}, limits={"carbon": 0.02},
     max_km=150, price=120)
need("KAL-N-X-LANDFILL", "KAL-X-LANDFILL", "Mineral and inert wastes for landfill", "一般固废填埋",
     ["solid", "powder", "sludge", "paste"], "dispose", 500000, max_km=80, price=-300)
need("KAL-N-X-EFW", "KAL-X-EFW", "Combustible wastes and sludges for energy recovery", "可燃废物及污泥焚烧发电",
     ["solid", "sludge"], "recover_energy", 150000, comp={"organic": 0.5, "water": 0.3}, max_km=60, price=-400)
need("KAL-N-X-FEED", "KAL-X-FEEDMILL", "Dried protein meal for compound feed", "配合饲料用干蛋白粉", ["powder"],
     "recycle", 20000, comp={"protein": 0.6, "yeast": 0.2, "water": 0.1}, wanted={"protein": 0.4}, max_km=120,
     price=3000)
need("KAL-N-X-ACID", "KAL-X-ACID", "Elemental sulfur for sulfuric acid production", "制硫酸用硫磺",
     ["liquid", "solid"], "reuse", 100000, wanted={"s": 0.99}, max_km=300, price=900)
need("KAL-N-X-DH", "KAL-X-DH", "Gaseous fuel for district-heating peak boilers", "区域供热调峰锅炉燃料气", ["gas"],
     "recover_energy", 5000, comp={"methane": 0.9, "ethane": 0.05}, max_km=20, price=900)
need("KAL-N-X-COMPOST", "KAL-X-COMPOST", "Structural organic material for composting", "堆肥用结构性有机物料",
     ["solid"], "recycle", 10000, comp={"cellulose": 0.3, "lignin": 0.2, "water": 0.4}, max_km=30, price=-100)
need("KAL-N-X-ROADTMP", "KAL-X-ROADTMP", "Granular fill for embankments", "路堤填筑用颗粒材料", ["solid"], "recycle",
     60000, comp={"sio2": 0.6, "al2o3": 0.15, "cao": 0.05}, max_km=40, price=0, available_from="2025-03-01",
     available_to="2025-12-31")
need("KAL-N-X-NPK", "KAL-X-NPK", "Crystalline ammonium salts for granulation", "造粒用结晶铵盐", ["solid", "powder"],
     "reuse", 50000, comp={"amsulf": 0.95}, wanted={"amsulf": 0.90}, max_km=300, price=1000)

# ======================================================================================
# 2. Guitang Group, Guigang (Guangxi)
# ======================================================================================
GX = "广西壮族自治区"
park("GTG", "贵糖（集团）生态工业园", "Guitang Group eco-industrial complex, Guigang", GX, 23.11, 109.60)
ent("GTG-SUGAR", "广西贵糖（集团）制糖厂 (Guitang sugar refinery)", "GTG", "1340", "Cane sugar", GX, 23.1118, 109.6015,
    district="贵港市港北区")
ent("GTG-PAPER", "贵糖集团蔗渣造纸厂 (Guitang bagasse paper mill)", "GTG", "2212", "Non-wood pulp and paper", GX,
    23.1150, 109.6075, district="贵港市港北区")
ent("GTG-ALC", "贵糖集团酒精厂 (Guitang alcohol plant)", "GTG", "1511", "Fermentation ethanol", GX, 23.1085, 109.5985,
    district="贵港市港北区")
ent("GTG-FERT", "贵糖集团复合肥厂 (Guitang compound fertiliser plant)", "GTG", "2624", "Compound fertiliser", GX,
    23.1060, 109.6110, district="贵港市港北区")
ent("GTG-CEM", "贵糖集团水泥厂 (Guitang cement plant)", "GTG", "3011", "Cement", GX, 23.1205, 109.5905,
    district="贵港市港北区")
ent("GTG-ALK", "贵糖集团碱回收厂 (Guitang alkali recovery plant)", "GTG", "2612", "Caustic soda recovery", GX,
    23.1160, 109.6100, district="贵港市港北区",
    licences=[lic("GX-HW-2023-0117", ["HW35"], UTILISE, 900000, "2023-07-01", "2028-06-30")])
ent("GTG-POWER", "贵糖集团热电厂 (Guitang cogeneration plant)", "GTG", "4412", "Cogeneration", GX, 23.1130, 109.6045,
    district="贵港市港北区")
ent("GTG-X-CEMENT", "贵港某大型水泥熟料厂 (Guigang clinker works)", "GTG", "3011", "Cement", GX, 23.0600, 109.5600,
    district="贵港市港南区")
ent("GTG-X-NNPAPER", "南宁某甘蔗渣制浆厂 (Nanning bagasse pulp mill)", "GTG", "2212", "Non-wood pulp", GX,
    22.8200, 108.3700)
ent("GTG-X-BIOPOWER", "贵港某生物质发电厂 (Guigang biomass power plant)", "GTG", "4417", "Biomass power", GX,
    23.1500, 109.6800)
ent("GTG-X-YEAST", "柳州某酵母厂 (Liuzhou yeast plant)", "GTG", "1495", "Yeast", GX, 24.3300, 109.4200)
ent("GTG-X-FEED", "贵港某饲料厂 (Guigang feed mill)", "GTG", "1329", "Feed manufacturing", GX, 23.0900, 109.6400)
ent("GTG-X-HWC", "广西某危险废物集中处置中心 (Guangxi hazardous waste treatment centre)", "GTG", "7724",
    "Hazardous waste treatment", GX, 22.9000, 108.3000,
    licences=[lic("GX-HW-2022-0003", ["HW02", "HW06", "HW08", "HW12", "HW17", "HW22", "HW34", "HW35", "HW49"],
                  DISPOSE, 60000, "2022-01-01", "2026-12-31")])
ent("GTG-X-ALKLB", "来宾某纸厂碱回收车间 (Laibin mill alkali recovery)", "GTG", "2612", "Caustic soda recovery", GX,
    23.7300, 109.2200, licences=[lic("GX-HW-2020-0088", ["HW35"], UTILISE, 300000, "2020-07-01", "2025-06-30")])
ent("GTG-X-ORGFERT", "贵港某有机肥厂 (Guigang organic fertiliser plant)", "GTG", "2625", "Organic fertiliser", GX,
    23.0800, 109.5500)
ent("GTG-X-FGD", "贵港某燃煤电厂脱硫车间 (Guigang coal power FGD unit)", "GTG", "4411", "Thermal power", GX,
    23.0500, 109.6500)
ent("GTG-X-BRICK", "贵港某烧结砖厂 (Guigang sintered brick plant)", "GTG", "3031", "Bricks", GX, 23.1400, 109.5400)

offer("GTG-O-BAGASSE", "GTG-SUGAR", "Sugarcane bagasse", "甘蔗渣", "solid", 400000,
      {"cellulose": 0.22, "xylan": 0.13, "lignin": 0.10, "water": 0.50, "sucrose": 0.02, "sio2": 0.01},
      price=150, route="sale", desc="Fibrous residue of cane milling, ~50 % moisture, crushing season Nov–Apr.",
      to=["GTG-N-PAPER"])
offer("GTG-O-PITH", "GTG-PAPER", "Bagasse pith from depithing", "蔗髓（除髓工段）", "solid", 60000,
      {"cellulose": 0.20, "xylan": 0.12, "lignin": 0.12, "water": 0.50, "sio2": 0.03},
      route="landfill", desc="Fine parenchyma removed before pulping; poor fibre, good fuel.",
      to=["GTG-N-POWER"])
offer("GTG-O-MOLASSES", "GTG-SUGAR", "Cane molasses", "甘蔗废糖蜜", "liquid", 50000,
      {"sucrose": 0.35, "glucose": 0.08, "fructose": 0.08, "water": 0.22, "k2o": 0.04, "cao": 0.01},
      price=700, route="sale", desc="Final molasses after the last crystallisation stage.",
      to=["GTG-N-ALC"])
offer("GTG-O-VINASSE", "GTG-ALC", "Distillery vinasse (alcohol stillage)", "酒精废醪液", "liquid", 400000,
      {"water": 0.90, "organic": 0.07, "k2o": 0.012, "n": 0.002, "so3": 0.004}, ewc="020702",
      route="disposal", desc="Dark, acidic stillage from molasses distillation; high COD.",
      to=["GTG-N-FERT"])
offer("GTG-O-FILTERMUD", "GTG-SUGAR", "Filter mud from cane-juice clarification", "甘蔗糖厂滤泥", "paste", 40000,
      {"caco3": 0.45, "organic": 0.15, "water": 0.32, "sio2": 0.04, "p2o5": 0.01}, ewc="020402",
      route="landfill", desc="Carbonatation press mud: calcium carbonate with organic non-sugars.",
      to=["GTG-N-CEM"])
offer("GTG-O-WHITEMUD", "GTG-ALK", "Lime mud (white mud) from causticising", "碱回收白泥", "paste", 50000,
      {"caco3": 0.58, "water": 0.35, "naoh": 0.008, "sio2": 0.03, "caoh2": 0.02}, ewc="030302",
      route="landfill", desc="Calcium carbonate precipitated in the recausticising of green liquor.",
      to=["GTG-N-CEM"])
offer("GTG-O-BLACKLIQ", "GTG-PAPER", "Weak black liquor from bagasse soda pulping", "蔗渣碱法制浆黑液", "liquid", 600000,
      {"water": 0.86, "lignin": 0.06, "organic": 0.04, "naoh": 0.008, "na2co3": 0.012, "sio2": 0.006},
      code="221-002-35", route="disposal",
      desc="Spent cooking liquor from soda pulping of bagasse, about 12 % solids.",
      to=["GTG-N-ALK"])

need("GTG-N-PAPER", "GTG-PAPER", "Bagasse as pulping fibre", "蔗渣制浆原料", ["solid"], "recycle", 450000,
     comp={"cellulose": 0.25, "xylan": 0.13, "lignin": 0.10, "water": 0.50}, wanted={"cellulose": 0.15}, max_km=30,
     price=180, desc="Moist bagasse stored in bales or wet bulk piles before depithing.")
need("GTG-N-POWER", "GTG-POWER", "Biomass fuel for cogeneration boilers", "热电锅炉生物质燃料", ["solid", "powder"],
     "recover_energy", 120000, comp={"cellulose": 0.25, "xylan": 0.12, "lignin": 0.12, "water": 0.45}, max_km=20,
     price=60)
need("GTG-N-ALC", "GTG-ALC", "Molasses as fermentation feedstock", "糖蜜发酵原料", ["liquid"], "recycle", 60000,
     comp={"sucrose": 0.35, "glucose": 0.08, "fructose": 0.08, "water": 0.25}, wanted={"sucrose": 0.25}, max_km=20,
     price=750)
need("GTG-N-FERT", "GTG-FERT", "Concentrated stillage as compound-fertiliser base", "酒精废液浓缩液制复合肥",
     ["liquid", "sludge"], "recycle", 450000, comp={"water": 0.88, "organic": 0.08, "k2o": 0.015, "n": 0.003},
     max_km=10, price=0)
need("GTG-N-CEM", "GTG-CEM", "Calcareous raw material for clinker", "熟料钙质原料（替代石灰石）",
     ["solid", "paste", "sludge", "powder"], "recycle", 120000, comp={"caco3": 0.8, "sio2": 0.08, "water": 0.1},
     wanted={"caco3": 0.35}, max_km=20, price=10)
need("GTG-N-ALK", "GTG-ALK", "Black liquor for evaporation, combustion and recausticising", "黑液碱回收（蒸发燃烧苛化）",
     ["liquid"], "recycle", 700000, code="221-002-35",
     comp={"water": 0.85, "lignin": 0.07, "naoh": 0.01, "na2co3": 0.01}, max_km=5, price=0)
# distractors
need("GTG-N-X-CEMENT", "GTG-X-CEMENT", "Aluminosilicate correctives for raw meal", "生料硅铝质校正原料",
     ["powder", "solid"], "recycle", 200000, comp={"sio2": 0.55, "al2o3": 0.25, "fe2o3": 0.08}, max_km=50, price=20)
need("GTG-N-X-NNPAPER", "GTG-X-NNPAPER", "Bagasse for pulp", "蔗渣制浆原料", ["solid"], "recycle", 300000,
     comp={"cellulose": 0.25, "xylan": 0.13, "lignin": 0.10, "water": 0.50}, max_km=100, price=200)
need("GTG-N-X-BIOPOWER", "GTG-X-BIOPOWER", "Agricultural residues as boiler fuel", "农林废弃物燃料",
     ["solid"], "recover_energy", 300000, comp={"cellulose": 0.3, "lignin": 0.15, "water": 0.35}, max_km=60,
     price=120)
need("GTG-N-X-YEAST", "GTG-X-YEAST", "Molasses for yeast propagation", "酵母培养用糖蜜", ["liquid"], "recycle",
     80000, comp={"sucrose": 0.4, "glucose": 0.08, "fructose": 0.08, "water": 0.2}, wanted={"sucrose": 0.30},
     max_km=250, price=800)
need("GTG-N-X-FEED", "GTG-X-FEED", "Molasses as feed binder and energy", "饲料粘结剂及能量原料（糖蜜）", ["liquid"],
     "recycle", 5000, wanted={"sucrose": 0.30}, max_km=50, price=650)
need("GTG-N-X-HWC", "GTG-X-HWC", "Hazardous liquid wastes for treatment", "危险废液处置", ["liquid", "sludge"], "dispose",
     30000, max_km=300, price=-2500)
need("GTG-N-X-ALKLB", "GTG-X-ALKLB", "Outside black liquor for alkali recovery", "外来黑液碱回收", ["liquid"],
     "recycle", 100000, code="221-002-35", comp={"water": 0.85, "lignin": 0.07, "naoh": 0.01}, max_km=150, price=0)
need("GTG-N-X-ORGFERT", "GTG-X-ORGFERT", "Organic residues for composting into bio-fertiliser", "有机肥堆肥原料",
     ["solid", "paste", "sludge"], "recycle", 60000, comp={"organic": 0.4, "water": 0.4, "n": 0.01},
     max_km=40, price=0)
need("GTG-N-X-FGD", "GTG-X-FGD", "Limestone powder sorbent for wet FGD", "湿法脱硫用石灰石粉", ["powder"], "reuse",
     80000, wanted={"caco3": 0.90}, limits={"water": 0.02}, max_km=60, price=120)
need("GTG-N-X-BRICK", "GTG-X-BRICK", "Clay substitutes for sintered bricks", "烧结砖替代粘土原料",
     ["solid", "powder", "sludge"], "recycle", 80000, comp={"sio2": 0.6, "al2o3": 0.18, "fe2o3": 0.06}, max_km=30,
     price=0)

# ======================================================================================
# 3. Rizhao (Shandong)
# ======================================================================================
SDG = "山东省"
park("RZ", "日照经济技术开发区", "Rizhao Economic and Technological Development Area", SDG, 35.40, 119.50)
ent("RZ-STEEL", "日照钢铁控股集团有限公司 (Rizhao Steel)", "RZ", "3120", "Iron and steel", SDG, 35.3650, 119.4900)
ent("RZ-POWER", "华能日照电厂 (Huaneng Rizhao Power Plant)", "RZ", "4411", "Thermal power", SDG, 35.4300, 119.5600)
ent("RZ-PAPER", "亚太森博（山东）浆纸有限公司 (Asia Symbol Shandong Pulp & Paper)", "RZ", "2211", "Pulp and paper", SDG,
    35.3300, 119.4150)
ent("RZ-SLAGCEM", "日照某矿渣微粉及水泥粉磨厂 (Rizhao slag powder and cement grinding plant)", "RZ", "3011",
    "Cement grinding", SDG, 35.3720, 119.4700)
ent("RZ-BLOCK", "日照某新型墙体材料厂 (Rizhao aerated-concrete block plant)", "RZ", "3031", "Wall materials", SDG,
    35.4100, 119.5000)
ent("RZ-GYPBD", "日照某纸面石膏板厂 (Rizhao plasterboard plant)", "RZ", "3024", "Plasterboard", SDG, 35.3900, 119.4300)
ent("RZ-CLINKER", "日照某水泥熟料厂 (Rizhao clinker plant)", "RZ", "3011", "Cement", SDG, 35.4700, 119.3400)
ent("RZ-BRICK", "日照某烧结砖厂 (Rizhao sintered brick plant)", "RZ", "3031", "Bricks", SDG, 35.3500, 119.3600)
ent("RZ-X-QDCEM", "青岛某矿渣水泥厂 (Qingdao slag cement plant)", "RZ", "3011", "Cement", SDG, 36.1000, 120.3000)
ent("RZ-X-ROAD", "日照某道路材料公司 (Rizhao road materials company)", "RZ", "4812", "Road construction", SDG,
    35.4000, 119.4600)
ent("RZ-X-LANDFILL", "日照某一般工业固废填埋场 (Rizhao Class II industrial landfill)", "RZ", "7723", "Landfill", SDG,
    35.3000, 119.3000)
ent("RZ-X-RMC", "日照某商品混凝土站 (Rizhao ready-mix concrete station)", "RZ", "3021", "Ready-mix concrete", SDG,
    35.4200, 119.4800)
ent("RZ-X-HWINC", "日照某危险废物焚烧处置中心 (Rizhao hazardous waste incineration centre)", "RZ", "7724",
    "Hazardous waste treatment", SDG, 35.2800, 119.3800,
    licences=[lic("SD-HW-2024-0311", ["HW02", "HW04", "HW06", "HW08", "HW11", "HW12", "HW13", "HW49"], DISPOSE,
                  30000, "2024-05-01", "2029-04-30")])
ent("RZ-X-SINTER", "日照某钢铁烧结厂 (Rizhao sinter plant)", "RZ", "3110", "Ironmaking (sintering)", SDG,
    35.1000, 119.3300)
ent("RZ-X-SOILCOND", "东营某盐碱地改良剂厂 (Dongying saline-soil conditioner plant)", "RZ", "2625", "Soil conditioners",
    SDG, 37.4300, 118.6700)
ent("RZ-X-BOARD", "日照某刨花板厂 (Rizhao particleboard plant)", "RZ", "2023", "Particleboard", SDG, 35.4500, 119.4000)
ent("RZ-X-BIOMASS", "日照某秸秆发电厂 (Rizhao straw power plant)", "RZ", "4417", "Biomass power", SDG, 35.5000, 119.2500)

offer("RZ-O-BFSLAG", "RZ-STEEL", "Granulated blast-furnace slag", "高炉水淬渣", "solid", 3000000, BF_SLAG,
      ewc="100202", price=60, route="sale", desc="Water-granulated glassy slag from the blast furnaces. SW01。",
      to=["RZ-N-SLAGCEM"])
offer("RZ-O-STEELSLAG", "RZ-STEEL", "Converter (BOF) steel slag", "转炉钢渣", "solid", 1000000,
      {"cao": 0.42, "fe2o3": 0.20, "sio2": 0.13, "mgo": 0.08, "al2o3": 0.03, "mno": 0.02, "p2o5": 0.015,
       "water": 0.03}, ewc="100202", route="landfill",
      desc="Crushed and magnetically separated converter slag after metal recovery. SW01。",
      to=["RZ-N-SLAGCEM-SS"])
offer("RZ-O-FLYASH", "RZ-POWER", "Coal fly ash", "燃煤电厂粉煤灰", "powder", 500000, FLY_ASH, ewc="100102", price=20,
      route="landfill", desc="Dry-collected ash from the 4 × 680 MW units. SW02。",
      to=["RZ-N-BLOCK"])
offer("RZ-O-FGDGYP", "RZ-POWER", "FGD gypsum", "脱硫石膏", "powder", 200000,
      {"gypsum": 0.88, "water": 0.10, "caco3": 0.015, "sio2": 0.003, "chloride": 0.0003}, ewc="100105", price=15,
      route="landfill", desc="Limestone-gypsum wet FGD by-product, vacuum-belt dewatered. SW06。",
      to=["RZ-N-GYPBD", "RZ-N-CLINKER-GYP"])
offer("RZ-O-PAPERSLUDGE", "RZ-PAPER", "Paper-mill effluent sludge (fibre and filler)", "造纸污泥（纤维及填料）", "sludge",
      150000, {"water": 0.60, "cellulose": 0.20, "caco3": 0.10, "kaolin": 0.05, "organic": 0.03}, ewc="030311",
      route="landfill", desc="Primary clarifier sludge mixed with excess activated sludge, belt-pressed. SW07。",
      to=["RZ-N-BRICK", "RZ-N-POWER-COFIRE"])

need("RZ-N-SLAGCEM", "RZ-SLAGCEM", "Granulated slag for ground slag powder (GGBS)", "粒化高炉矿渣制矿渣微粉",
     ["solid", "powder"], "recycle", 3000000, comp=SLAG_CEMENT_PROFILE, max_km=30, price=70)
need("RZ-N-SLAGCEM-SS", "RZ-SLAGCEM", "Steel slag as cement admixture (steel-slag powder)", "钢渣用作水泥混合材（钢渣粉）",
     ["solid", "powder"], "recycle", 800000, comp={"cao": 0.42, "fe2o3": 0.18, "sio2": 0.14, "mgo": 0.08},
     limits={"mgo": 0.13}, max_km=30, price=10)
need("RZ-N-BLOCK", "RZ-BLOCK", "Fly ash for autoclaved aerated concrete and fly-ash bricks", "粉煤灰制加气混凝土砌块及蒸压砖",
     ["powder"], "recycle", 400000, comp={"sio2": 0.52, "al2o3": 0.26, "fe2o3": 0.06, "cao": 0.05}, max_km=40,
     price=25)
need("RZ-N-GYPBD", "RZ-GYPBD", "FGD gypsum for plasterboard", "脱硫石膏制纸面石膏板", ["powder"], "recycle", 150000,
     comp={"gypsum": 0.9, "water": 0.1}, wanted={"gypsum": 0.85}, limits={"chloride": 0.0006}, max_km=50, price=20)
need("RZ-N-CLINKER-GYP", "RZ-CLINKER", "Gypsum as cement set retarder", "水泥缓凝剂用石膏", ["powder", "solid"],
     "recycle", 60000, wanted={"gypsum": 0.75}, max_km=60, price=25)
need("RZ-N-BRICK", "RZ-BRICK", "Sludge as clay substitute and pore-former in sintered bricks", "污泥掺烧制烧结砖",
     ["sludge", "solid", "powder"], "recycle", 100000, comp={"sio2": 0.4, "al2o3": 0.15, "organic": 0.1, "water": 0.3},
     max_km=40, price=-30)
need("RZ-N-POWER-COFIRE", "RZ-POWER", "Sludge co-firing in coal boilers", "燃煤机组污泥掺烧", ["sludge"],
     "recover_energy", 100000, comp={"water": 0.6, "organic": 0.3}, max_km=50, price=-60)
# distractors
need("RZ-N-X-QDCEM", "RZ-X-QDCEM", "Granulated slag for slag cement", "矿渣水泥用粒化高炉矿渣", ["solid"], "recycle",
     1000000, comp=SLAG_CEMENT_PROFILE, max_km=100, price=80)
need("RZ-N-X-ROAD", "RZ-X-ROAD", "Steel-slag aggregate for road base", "钢渣道路基层骨料", ["solid"], "recycle", 500000,
     comp={"cao": 0.4, "fe2o3": 0.2, "sio2": 0.15}, max_km=50, price=5)
need("RZ-N-X-LANDFILL", "RZ-X-LANDFILL", "Class II general industrial solid waste landfill", "第II类一般工业固废填埋",
     ["solid", "powder", "sludge", "paste"], "dispose", 800000, max_km=80, price=-80)
need("RZ-N-X-RMC", "RZ-X-RMC", "High-calcium (Class C) fly ash for concrete", "高钙粉煤灰（C类）用于混凝土",
     ["powder"], "recycle", 100000, comp={"cao": 0.22, "sio2": 0.4, "al2o3": 0.2}, wanted={"cao": 0.10}, max_km=40,
     price=60)
need("RZ-N-X-HWINC", "RZ-X-HWINC", "Hazardous and industrial sludges for incineration", "危险废物及工业污泥焚烧",
     ["sludge", "liquid", "solid"], "dispose", 30000, max_km=100, price=-2000)
need("RZ-N-X-SINTER", "RZ-X-SINTER", "Iron-bearing fines for sinter feed", "烧结用含铁粉料", ["powder"], "recycle",
     300000, comp={"fe2o3": 0.7, "feo": 0.1, "cao": 0.05}, wanted={"fe2o3": 0.45}, max_km=60, price=200)
need("RZ-N-X-SOILCOND", "RZ-X-SOILCOND", "By-product gypsum for saline-alkali soil improvement", "盐碱地改良用副产石膏",
     ["powder"], "recycle", 100000, wanted={"gypsum": 0.75}, max_km=150, price=30)
need("RZ-N-X-BOARD", "RZ-X-BOARD", "Dry wood and fibre residues for particleboard", "刨花板用干木质纤维",
     ["solid"], "recycle", 80000, comp={"cellulose": 0.45, "lignin": 0.25, "xylan": 0.2, "water": 0.1},
     limits={"water": 0.2}, max_km=60, price=300)
need("RZ-N-X-BIOMASS", "RZ-X-BIOMASS", "Straw and agricultural residues as fuel", "秸秆等农林废弃物燃料", ["solid"],
     "recover_energy", 250000, comp={"cellulose": 0.35, "xylan": 0.25, "lignin": 0.18, "water": 0.15},
     max_km=60, price=250)

# ======================================================================================
# 4. Kwinana (Western Australia)
# ======================================================================================
WA = "Western Australia"
park("KW", "奎纳纳工业区", "Kwinana Industrial Area", WA, -32.21, 115.77)
ent("KW-ALCOA", "Alcoa Kwinana alumina refinery", "KW", "3216", "Alumina refining", WA, -32.2040, 115.7730)
ent("KW-BP", "BP Kwinana refinery", "KW", "2511", "Crude oil refining", WA, -32.2210, 115.7660)
ent("KW-CSBP", "CSBP Kwinana (ammonia, acids and fertilisers)", "KW", "2621", "Ammonia, sulfuric acid, fertilisers", WA,
    -32.2100, 115.7680,
    licences=[lic("WA-HW-CSBP-0007", ["HW34"], UTILISE, 30000, "2023-01-01", "2027-12-31")])
ent("KW-TIWEST", "Tiwest (Tronox) Kwinana pigment plant", "KW", "2643", "Titanium dioxide pigment", WA,
    -32.1830, 115.7820)
ent("KW-KNR", "BHP Nickel West Kwinana Nickel Refinery", "KW", "3213", "Nickel refining", WA, -32.2420, 115.7800)
ent("KW-COOGEE", "Coogee Chemicals Kwinana", "KW", "2619", "Industrial chemicals", WA, -32.2140, 115.7700)
ent("KW-AIRLQ", "Air Liquide Kwinana CO2 plant", "KW", "2619", "Industrial gases", WA, -32.2095, 115.7705)
ent("KW-POWER", "Kwinana power station", "KW", "4411", "Thermal power", WA, -32.1980, 115.7640)
ent("KW-COCKBURN", "Cockburn Cement Munster works", "KW", "3011", "Cement and lime", WA, -32.1440, 115.7710)
ent("KW-FARM", "Peel–Harvey catchment farms (soil amendment programme)", "KW", "0111", "Grazing and cropping", WA,
    -32.5500, 115.8600)
ent("KW-X-BUNCEM", "Cement grinding plant, Bunbury", "KW", "3011", "Cement", WA, -33.3300, 115.6400)
ent("KW-X-LANDFILL", "Class III landfill, Rockingham", "KW", "7723", "Landfill", WA, -32.3000, 115.8000)
ent("KW-X-H2FUEL", "Hydrogen refuelling station, Perth", "KW", "5265", "Fuel retail", WA, -31.9500, 115.8600)
ent("KW-X-GREENHOUSE", "Greenhouse vegetable grower, Perth Hills", "KW", "0141", "Greenhouse vegetables", WA,
    -32.0000, 116.0000)
ent("KW-X-PLASTER", "Plasterboard plant, Welshpool", "KW", "3024", "Plasterboard", WA, -31.9900, 115.9500)
ent("KW-X-GERALDTON", "Fertiliser blending depot, Geraldton", "KW", "2624", "Fertiliser blending", WA,
    -28.7700, 114.6100)
ent("KW-X-LIQTREAT", "Liquid waste treatment plant, Kwinana (neutralisation)", "KW", "7724", "Liquid waste treatment",
    WA, -32.2300, 115.7900, licences=[lic("WA-HW-LWT-0021", ["HW34", "HW35", "HW09"], DISPOSE, 40000,
                                         "2024-01-01", "2028-12-31")])
ent("KW-X-ACIDREG", "Spent-acid regeneration unit, Henderson", "KW", "2611", "Inorganic acids", WA,
    -32.1600, 115.7800, licences=[lic("WA-HW-SAR-0002", ["HW34"], UTILISE, 20000, "2019-01-01", "2025-12-31")])
ent("KW-X-AMD", "Mine-water neutralisation plant, Boddington", "KW", "0917", "Gold mining", WA, -32.8000, 116.4700)

offer("KW-O-TIGYP", "KW-TIWEST", "Co-product gypsum from acid effluent neutralisation", "钛白粉厂废酸中和副产石膏（红石膏）",
      "paste", 60000, {"gypsum": 0.68, "water": 0.20, "fe2o3": 0.08, "mno": 0.005, "tio2": 0.01, "chloride": 0.002},
      route="landfill", desc="Iron-stained gypsum from lime neutralisation of the pigment plant's acidic effluents. SW11。",
      to=["KW-N-FARM-GYP"])
offer("KW-O-REDMUD", "KW-ALCOA", "Carbonated bauxite residue fines", "碳化赤泥（氧化铝尾渣细粒）", "paste", 100000,
      {"fe2o3": 0.30, "al2o3": 0.18, "sio2": 0.20, "tio2": 0.03, "na2o": 0.04, "cao": 0.05, "water": 0.15},
      route="storage", desc="Residue mud neutralised with CO2, pH about 10.5. SW09。",
      to=["KW-N-FARM-LIME"])
offer("KW-O-FLYASH", "KW-POWER", "Coal fly ash", "燃煤电厂粉煤灰", "powder", 100000, FLY_ASH, ewc="100102", price=20,
      route="landfill", desc="Precipitator ash from the coal-fired units. SW02。",
      to=["KW-N-COCKBURN"])
offer("KW-O-H2", "KW-BP", "Surplus hydrogen-rich gas from the refinery", "炼厂富余氢气", "gas", 3000,
      {"h2": 0.95, "methane": 0.04, "ethane": 0.005}, price=8000, route="incineration",
      desc="Hydrogen from catalytic reforming not needed by the hydrotreaters, by pipeline.",
      to=["KW-N-COOGEE-H2", "KW-N-CSBP-H2"])
offer("KW-O-CO2", "KW-CSBP", "By-product CO2 from ammonia synthesis gas", "合成氨副产二氧化碳", "gas", 100000,
      {"co2": 0.985, "water": 0.01, "h2": 0.003}, price=50,
      desc="Raw CO2 stripped in the ammonia plant's CO2 removal section.",
      to=["KW-N-AIRLQ-CO2"])
offer("KW-O-AMSULF", "KW-KNR", "Ammonium sulfate crystals from nickel refining", "镍精炼副产硫酸铵", "solid", 180000,
      {"amsulf": 0.985, "water": 0.01, "mgso4": 0.002}, price=900, route="sale",
      desc="Crystallised from the ammonia leach process liquor; fertiliser grade.",
      to=["KW-N-CSBP-AS"])
offer("KW-O-SPENTACID", "KW-BP", "Spent sulfuric acid from alkylation", "烷基化废硫酸", "liquid", 10000,
      {"h2so4": 0.89, "aso": 0.05, "water": 0.06}, code="251-014-34", route="disposal",
      desc="Spent alkylation acid with acid-soluble oil, for regeneration.",
      to=["KW-N-CSBP-SAR"])

need("KW-N-FARM-GYP", "KW-FARM", "Gypsum soil amendment", "石膏类土壤改良剂", ["powder", "solid", "paste"], "recycle",
     80000, wanted={"gypsum": 0.55}, limits={"chloride": 0.01}, max_km=150, price=5,
     desc="Improves structure of sodic clays and supplies sulfur and calcium.")
need("KW-N-FARM-LIME", "KW-FARM", "Alkaline amendment for acidic sandy soils", "酸性砂质土壤碱性改良剂",
     ["solid", "paste", "powder"], "recycle", 120000, comp={"caco3": 0.3, "fe2o3": 0.2, "al2o3": 0.1, "cao": 0.1},
     max_km=100, price=0, desc="Raises pH and retains phosphorus in the catchment's sandy soils.")
need("KW-N-COCKBURN", "KW-COCKBURN", "Fly ash as cement extender", "粉煤灰用作水泥掺合料", ["powder"], "recycle", 150000,
     comp=CEMENT_ALUMINOSILICATE, limits={"carbon": 0.06}, max_km=50, price=30)
need("KW-N-COOGEE-H2", "KW-COOGEE", "Hydrogen for hydrogenation", "加氢用氢气", ["gas"], "reuse", 2000,
     wanted={"h2": 0.90}, max_km=10, price=9000)
need("KW-N-CSBP-H2", "KW-CSBP", "Hydrogen make-up for ammonia synthesis", "合成氨补充氢", ["gas"], "reuse", 5000,
     wanted={"h2": 0.90}, limits={"h2s": 0.0001}, max_km=10, price=7000)
need("KW-N-AIRLQ-CO2", "KW-AIRLQ", "Raw CO2 for purification to food grade", "原料二氧化碳（提纯为食品级）", ["gas"], "reuse",
     120000, wanted={"co2": 0.95}, max_km=10, price=80)
need("KW-N-CSBP-AS", "KW-CSBP", "Ammonium sulfate for blended fertilisers", "复混肥用硫酸铵", ["solid", "powder"], "reuse",
     200000, wanted={"amsulf": 0.95}, max_km=50, price=1000)
need("KW-N-CSBP-SAR", "KW-CSBP", "Spent sulfuric acid for regeneration in the acid plant", "废硫酸再生（硫酸装置）",
     ["liquid"], "recycle", 15000, comp={"h2so4": 0.9, "water": 0.07}, max_km=30, price=-100)
# distractors
need("KW-N-X-BUNCEM", "KW-X-BUNCEM", "Fly ash for blended cement", "粉煤灰用于复合水泥", ["powder"], "recycle", 80000,
     comp=CEMENT_ALUMINOSILICATE, max_km=100, price=40)
need("KW-N-X-LANDFILL", "KW-X-LANDFILL", "Inert and industrial solid waste landfill", "一般工业固废填埋",
     ["solid", "powder", "paste", "sludge"], "dispose", 300000, max_km=60, price=-150)
need("KW-N-X-H2FUEL", "KW-X-H2FUEL", "Fuel-cell grade hydrogen", "燃料电池级氢气", ["gas"], "reuse", 300,
     wanted={"h2": 0.999}, max_km=80, price=30000)
need("KW-N-X-GREENHOUSE", "KW-X-GREENHOUSE", "CO2 for greenhouse enrichment", "温室二氧化碳施肥", ["gas"], "reuse",
     3000, wanted={"co2": 0.9}, max_km=30, price=200)
need("KW-N-X-PLASTER", "KW-X-PLASTER", "White gypsum for plasterboard", "石膏板用白石膏", ["powder"], "recycle", 100000,
     comp={"gypsum": 0.95}, wanted={"gypsum": 0.90}, limits={"fe2o3": 0.01}, max_km=60, price=25)
need("KW-N-X-GERALDTON", "KW-X-GERALDTON", "Ammonium sulfate for fertiliser blends", "复混肥用硫酸铵", ["solid"], "reuse",
     50000, wanted={"amsulf": 0.95}, max_km=150, price=1100)
need("KW-N-X-LIQTREAT", "KW-X-LIQTREAT", "Acidic and alkaline liquid wastes for neutralisation", "酸碱废液中和处置",
     ["liquid"], "dispose", 30000, max_km=60, price=-600)
need("KW-N-X-ACIDREG", "KW-X-ACIDREG", "Spent sulfuric acid for regeneration", "废硫酸再生", ["liquid"], "recycle", 10000,
     comp={"h2so4": 0.9, "water": 0.07}, max_km=60, price=-50)
need("KW-N-X-AMD", "KW-X-AMD", "Alkaline reagent for acid mine-water neutralisation", "酸性矿井水中和碱性药剂",
     ["powder", "paste", "liquid"], "recycle", 20000, comp={"caoh2": 0.6, "caco3": 0.3}, max_km=120, price=50)

# ======================================================================================
# 5. TEDA, Tianjin
# ======================================================================================
TJ, HB = "天津市", "河北省"
park("TEDA", "天津经济技术开发区", "Tianjin Economic-Technological Development Area (TEDA)", TJ, 39.05, 117.70)
ent("TEDA-PCB1", "泰达某印制线路板企业A (TEDA PCB maker A)", "TEDA", "3982", "Printed circuit boards", TJ,
    39.0620, 117.7150, district="滨海新区")
ent("TEDA-PCB2", "泰达某电子元件企业B (TEDA electronics maker B)", "TEDA", "3982", "Printed circuit boards", TJ,
    39.0700, 117.7300, district="滨海新区")
ent("TEDA-CUREC", "天津某废蚀刻液铜回收企业 (Tianjin spent-etchant copper recovery plant)", "TEDA", "7724",
    "Hazardous waste recycling", TJ, 39.0200, 117.6500, district="滨海新区",
    licences=[lic("TJ-HW-2023-018", ["HW22", "HW34"], UTILISE, 30000, "2023-06-01", "2028-05-31")])
ent("TEDA-AUTO", "泰达某整车制造厂 (TEDA automobile assembly plant)", "TEDA", "3612", "Automobile manufacturing", TJ,
    39.0800, 117.6900, district="滨海新区")
ent("TEDA-OILREG", "天津某废矿物油再生企业 (Tianjin waste mineral oil re-refinery)", "TEDA", "2511",
    "Lubricant re-refining", TJ, 38.8500, 117.4700, district="滨海新区",
    licences=[lic("TJ-HW-2022-041", ["HW08"], UTILISE, 50000, "2022-09-01", "2027-08-31")])
ent("TEDA-NZ", "诺维信（中国）生物技术有限公司天津工厂 (Novozymes Tianjin)", "TEDA", "2761", "Industrial enzymes", TJ,
    39.0560, 117.6800, district="滨海新区")
ent("TEDA-ORGF", "天津某有机肥厂 (Tianjin organic fertiliser plant)", "TEDA", "2625", "Organic fertiliser", TJ,
    39.1500, 117.5500, district="滨海新区")
ent("TEDA-BJ", "国投津能北疆电厂 (SDIC Beijiang power and desalination plant)", "TEDA", "4411", "Thermal power", TJ,
    39.1950, 117.8400, district="滨海新区汉沽")
ent("TEDA-SALT", "长芦汉沽盐场 (Changlu Hangu salt works)", "TEDA", "1020", "Sea salt", TJ, 39.2300, 117.8300,
    district="滨海新区汉沽")
ent("TEDA-BLDG", "天津某粉煤灰建材厂 (Tianjin fly-ash building materials plant)", "TEDA", "3031", "Wall materials", TJ,
    39.2100, 117.7800, district="滨海新区")
ent("TEDA-WWTP", "泰达某污水处理厂 (TEDA wastewater treatment plant)", "TEDA", "4620", "Wastewater treatment", TJ,
    39.0400, 117.6600, district="滨海新区")
ent("TEDA-CEMKILN", "天津某水泥窑协同处置企业 (Tianjin cement kiln co-processing plant)", "TEDA", "3011", "Cement", TJ,
    39.1600, 117.3500, district="东丽区",
    licences=[lic("TJ-HW-2021-007", ["HW08", "HW09", "HW12", "HW13", "HW17", "HW49"], BOTH, 60000,
                  "2021-10-01", "2026-09-30"),
              lic("TJ-HW-2026-007", ["HW08", "HW09", "HW12", "HW13", "HW17", "HW49"], BOTH, 60000,
                  "2026-10-01", "2031-09-30")])
ent("TEDA-TPCO", "天津钢管集团 电炉炼钢 (TPCO electric-arc-furnace steelmaking)", "TEDA", "3120", "Steelmaking", TJ,
    39.0950, 117.3600, district="东丽区")
ent("TEDA-FOOD", "泰达某方便面生产企业 (TEDA instant-noodle plant)", "TEDA", "1431", "Instant noodles", TJ,
    39.0450, 117.7000, district="滨海新区")
ent("TEDA-FEED", "天津某饲料厂 (Tianjin feed mill)", "TEDA", "1329", "Feed manufacturing", TJ, 39.1200, 117.5000,
    district="东丽区")
ent("TEDA-X-HEJIA", "天津合佳威立雅环境服务有限公司 (Tianjin Hejia Veolia)", "TEDA", "7724",
    "Hazardous waste treatment and disposal", TJ, 38.9450, 117.4100, district="津南区",
    licences=[lic("TJ-HW-2020-001", ["HW02", "HW04", "HW06", "HW08", "HW09", "HW11", "HW12", "HW13", "HW17",
                                     "HW18", "HW22", "HW23", "HW31", "HW34", "HW35", "HW49", "HW50"],
                  BOTH, 100000, "2020-12-01", "2030-11-30")])
ent("TEDA-X-OILCOLL", "天津某废机油收集站 (Tianjin used-engine-oil collection point)", "TEDA", "7724",
    "Waste oil collection", TJ, 39.0700, 117.6700, district="滨海新区",
    licences=[lic("TJ-HWC-2024-112", ["HW08"], ("collect", "store"), 2000, "2024-03-01", "2029-02-28",
                  kind="hw_collection", codes=["900-214-08"])])
ent("TEDA-X-OILCZ", "沧州某废矿物油综合利用企业 (Cangzhou waste oil re-refinery)", "TEDA", "2511",
    "Lubricant re-refining", HB, 38.3000, 116.8400,
    licences=[lic("HB-HW-2023-0456", ["HW08"], UTILISE, 80000, "2023-04-01", "2028-03-31")])
ent("TEDA-X-CUEXP", "天津某含铜废液回收企业 (Tianjin copper-liquor recycler, licence lapsed)", "TEDA", "7724",
    "Hazardous waste recycling", TJ, 39.0100, 117.6000, district="滨海新区",
    licences=[lic("TJ-HW-2020-055", ["HW22"], UTILISE, 15000, "2020-01-01", "2025-12-31")])
ent("TEDA-X-CUSO4", "山东某硫酸铜生产企业 (Shandong copper sulfate producer)", "TEDA", "2613", "Inorganic salts", SDG,
    37.4500, 118.4900, licences=[lic("SD-HW-2022-0777", ["HW22"], UTILISE, 20000, "2022-06-01", "2027-05-31")])
ent("TEDA-X-PFS", "天津某铁盐净水剂厂 (Tianjin iron-salt coagulant plant)", "TEDA", "2661", "Water treatment chemicals",
    TJ, 39.0000, 117.5500, district="津南区",
    licences=[lic("TJ-HW-2024-090", ["HW34"], UTILISE, 40000, "2024-02-01", "2029-01-31")])
ent("TEDA-X-NPK", "天津某复合肥厂 (Tianjin granular compound fertiliser plant)", "TEDA", "2624", "Compound fertiliser",
    TJ, 39.1800, 117.3000, district="北辰区")
ent("TEDA-X-BIOGAS", "滨海新区某餐厨垃圾处理厂 (Binhai food-waste biogas plant)", "TEDA", "7820",
    "Food waste treatment", TJ, 39.1000, 117.6500, district="滨海新区")
ent("TEDA-X-CHLOR", "天津某氯碱企业 (Tianjin chlor-alkali plant)", "TEDA", "2612", "Chlor-alkali", TJ,
    39.0300, 117.5700, district="滨海新区")
ent("TEDA-X-LANDFILL", "滨海新区某一般工业固废处置场 (Binhai industrial solid waste landfill)", "TEDA", "7723",
    "Landfill", TJ, 39.1300, 117.6000, district="滨海新区")
ent("TEDA-X-SCRAP", "泰达某废钢回收加工中心 (TEDA scrap metal yard)", "TEDA", "4210", "Scrap metal processing", TJ,
    39.0850, 117.6600, district="滨海新区")
ent("TEDA-X-RMC", "滨海新区某商品混凝土站 (Binhai ready-mix concrete station)", "TEDA", "3021", "Ready-mix concrete",
    TJ, 39.0900, 117.7300, district="滨海新区")
ent("TEDA-X-SLUDGEINC", "天津某污泥焚烧厂 (Tianjin sludge incineration plant)", "TEDA", "7723", "Sludge incineration",
    TJ, 39.0000, 117.4500, district="津南区")
ent("TEDA-X-PIG", "天津某生猪养殖场 (Tianjin pig farm, liquid feeding)", "TEDA", "0313", "Pig farming", TJ,
    39.2500, 117.4000, district="宁河区")
ent("TEDA-X-SOLV", "天津某废有机溶剂再生企业 (Tianjin spent-solvent recycler)", "TEDA", "7724",
    "Hazardous waste recycling", TJ, 39.0300, 117.6200, district="滨海新区",
    licences=[lic("TJ-HW-2024-066", ["HW06"], UTILISE, 10000, "2024-04-01", "2029-03-31")])

offer("TEDA-O-ACIDETCH", "TEDA-PCB1", "Spent acidic cupric chloride etchant", "酸性氯化铜废蚀刻液", "liquid", 3000,
      {"cucl2": 0.25, "hcl": 0.06, "nacl": 0.02, "water": 0.66}, code="398-004-22",
      route="disposal", price=3000, desc="Spent etchant from inner-layer etching lines, about 115 g/L copper.",
      to=["TEDA-N-CUREC"])
offer("TEDA-O-ALKETCH", "TEDA-PCB2", "Spent alkaline ammoniacal etchant", "碱性氨性废蚀刻液", "liquid", 2400,
      {"cucl2": 0.28, "nh4cl": 0.12, "nh3": 0.06, "water": 0.53}, code="398-004-22",
      route="disposal", price=3500, desc="Ammoniacal copper(II) chloride etchant, about 130 g/L copper.",
      to=["TEDA-N-CUREC"])
offer("TEDA-O-MICROETCH", "TEDA-PCB1", "Spent sulfuric acid micro-etch and pickling solution", "硫酸微蚀/酸洗废液",
      "liquid", 1500, {"h2so4": 0.08, "cuso4": 0.05, "water": 0.86}, code="398-005-34", route="disposal",
      price=-500, desc="Sulfuric acid/peroxide micro-etch bath dumps loaded with copper.",
      to=["TEDA-N-CUREC-ACID"])
offer("TEDA-O-WASTEOIL", "TEDA-AUTO", "Waste hydraulic oil from press-shop maintenance", "冲压车间液压设备废液压油",
      "liquid", 400, {"base_oil": 0.90, "water": 0.05}, code="900-218-08", ewc="130110", price=1500,
      route="incineration", desc="Drained from hydraulic presses and power units; collected in IBCs.",
      to=["TEDA-N-OILREG"])
offer("TEDA-O-FERMRES", "TEDA-NZ", "Enzyme fermentation residue (biomass filter cake)", "酶制剂发酵菌渣", "paste", 30000,
      {"water": 0.70, "biomass": 0.25, "n": 0.02, "p": 0.004}, route="incineration",
      desc="Inactivated microbial biomass and filter aid from enzyme recovery. SW13。",
      to=["TEDA-N-ORGF"])
offer("TEDA-O-BRINE", "TEDA-BJ", "Concentrated seawater brine from desalination", "海水淡化浓盐水", "liquid", 20000000,
      {"nacl": 0.06, "mgcl2": 0.008, "mgso4": 0.005, "kcl": 0.0015, "water": 0.925},
      desc="Reject brine from the thermal desalination units, about twice seawater salinity.",
      to=["TEDA-N-SALT"])
offer("TEDA-O-FLYASH", "TEDA-BJ", "Coal fly ash", "燃煤电厂粉煤灰", "powder", 600000, FLY_ASH, ewc="100102", price=20,
      route="landfill", desc="Ash from the 1000 MW units. SW02。",
      to=["TEDA-N-BLDG"])
offer("TEDA-O-SEWSLUDGE", "TEDA-WWTP", "Dewatered wastewater treatment sludge", "污水处理厂脱水污泥", "sludge", 40000,
      {"water": 0.80, "organic": 0.12, "sio2": 0.03, "fe2o3": 0.01, "n": 0.006}, ewc="190805", price=-300,
      route="landfill", desc="Mixed municipal and industrial biological sludge, 80 % moisture. SW07。",
      to=["TEDA-N-CEMKILN-SLUDGE"])
offer("TEDA-O-SCRAP", "TEDA-AUTO", "Press-shop steel sheet offcuts", "冲压废钢边角料", "solid", 20000,
      {"fe": 0.985, "mn": 0.006, "zn": 0.005, "carbon": 0.002}, ewc="191202", price=2500, route="sale",
      desc="Clean galvanised and cold-rolled offcuts, baled. SW17。",
      to=["TEDA-N-TPCO"])
offer("TEDA-O-FOODWASTE", "TEDA-FOOD", "Off-spec fried noodle blocks and dough scraps", "不合格油炸面块及面头", "solid",
      3000, {"starch": 0.55, "palm_oil": 0.18, "protein": 0.10, "water": 0.08}, ewc="020304", price=500,
      route="sale", desc="Broken and off-spec noodle cakes from the frying lines. SW13。",
      to=["TEDA-N-FEED"])

need("TEDA-N-CUREC", "TEDA-CUREC", "Spent copper etchants for copper recovery", "废蚀刻液回收铜", ["liquid"], "recycle",
     20000, comp={"cucl2": 0.25, "nh4cl": 0.08, "hcl": 0.03, "nh3": 0.03, "water": 0.6}, max_km=100, price=2500,
     desc="Electrolytic / precipitation recovery of copper and regeneration of etchant.")
need("TEDA-N-CUREC-ACID", "TEDA-CUREC", "Copper-bearing spent acids for copper sulfate production",
     "含铜废酸制硫酸铜", ["liquid"], "recycle", 8000, comp={"h2so4": 0.1, "cuso4": 0.05, "water": 0.85}, max_km=100,
     price=-200)
need("TEDA-N-OILREG", "TEDA-OILREG", "Waste lubricating and hydraulic oils for re-refining", "废润滑油/液压油再生基础油",
     ["liquid"], "recycle", 40000, comp={"base_oil": 0.9, "water": 0.05}, wanted={"base_oil": 0.6},
     limits={"water": 0.15}, max_km=150, price=1800)
need("TEDA-N-ORGF", "TEDA-ORGF", "Fermentation residues for organic fertiliser", "发酵菌渣制有机肥",
     ["paste", "sludge", "solid"], "recycle", 50000, comp={"water": 0.6, "biomass": 0.3, "n": 0.02},
     max_km=80, price=0)
need("TEDA-N-SALT", "TEDA-SALT", "Concentrated brine as salt-pan feed", "浓海水进盐田制盐", ["liquid"], "recycle",
     30000000, comp={"nacl": 0.06, "mgcl2": 0.008, "mgso4": 0.005, "water": 0.92}, wanted={"nacl": 0.04},
     max_km=20, price=0)
need("TEDA-N-BLDG", "TEDA-BLDG", "Fly ash for building blocks and bricks", "粉煤灰制砌块及蒸压砖", ["powder"], "recycle",
     500000, comp={"sio2": 0.52, "al2o3": 0.26, "fe2o3": 0.06, "cao": 0.05}, max_km=40, price=15)
need("TEDA-N-CEMKILN-SLUDGE", "TEDA-CEMKILN", "Sewage sludge for cement kiln co-processing", "污泥水泥窑协同处置",
     ["sludge"], "co_process", 60000, comp={"water": 0.8, "organic": 0.12, "sio2": 0.03}, max_km=100, price=-200)
need("TEDA-N-TPCO", "TEDA-TPCO", "Steel scrap for electric arc furnace", "电炉炼钢用废钢", ["solid"], "recycle", 800000,
     comp={"fe": 0.98, "mn": 0.006, "carbon": 0.003}, wanted={"fe": 0.90}, limits={"cu": 0.003}, max_km=80,
     price=2700)
need("TEDA-N-FEED", "TEDA-FEED", "Food-industry by-products as feed energy", "食品加工副产物用作饲料能量原料",
     ["solid", "powder"], "recycle", 20000, comp={"starch": 0.55, "palm_oil": 0.1, "protein": 0.12, "water": 0.1},
     max_km=80, price=1200)
# distractors
need("TEDA-N-X-HEJIA", "TEDA-X-HEJIA", "Hazardous wastes for incineration and physico-chemical treatment",
     "危险废物焚烧及物化处置", ["liquid", "sludge", "solid", "paste"], "dispose", 80000, max_km=150, price=-3000)
need("TEDA-N-X-OILCOLL", "TEDA-X-OILCOLL", "Used engine oil collection", "废机油收集", ["liquid"], "recycle", 1500,
     comp={"base_oil": 0.85, "water": 0.05}, max_km=50, price=1200)
need("TEDA-N-X-OILCZ", "TEDA-X-OILCZ", "Waste mineral oils for re-refining", "废矿物油再生", ["liquid"], "recycle", 60000,
     comp={"base_oil": 0.85, "water": 0.08}, wanted={"base_oil": 0.6}, max_km=250, price=2000)
need("TEDA-N-X-CUEXP", "TEDA-X-CUEXP", "Copper-bearing spent liquors", "含铜废液回收", ["liquid"], "recycle", 10000,
     comp={"cucl2": 0.2, "nh4cl": 0.1, "water": 0.65}, max_km=100, price=2800)
need("TEDA-N-X-CUSO4", "TEDA-X-CUSO4", "Copper sulfate liquors as raw material", "硫酸铜溶液原料", ["liquid"], "recycle",
     8000, comp={"cuso4": 0.15, "h2so4": 0.05, "water": 0.8}, wanted={"cuso4": 0.10}, max_km=400, price=1500)
need("TEDA-N-X-PFS", "TEDA-X-PFS", "Spent acids for iron-salt coagulant production", "废酸制铁盐净水剂", ["liquid"],
     "recycle", 30000, comp={"hcl": 0.05, "fecl2": 0.2, "h2so4": 0.05, "feso4": 0.1, "water": 0.6},
     limits={"cucl2": 0.001, "cuso4": 0.001}, max_km=60, price=0)
need("TEDA-N-X-NPK", "TEDA-X-NPK", "Dry organic meal for granular fertiliser", "颗粒复合肥用干有机原料", ["powder", "solid"],
     "recycle", 20000, comp={"organic": 0.6, "n": 0.04}, limits={"water": 0.2}, max_km=80, price=200)
need("TEDA-N-X-BIOGAS", "TEDA-X-BIOGAS", "Food and organic wastes for anaerobic digestion", "餐厨及有机废物厌氧消化",
     ["solid", "paste", "sludge", "liquid"], "recover_energy", 100000,
     comp={"organic": 0.2, "water": 0.7, "starch": 0.05}, max_km=50, price=-150)
need("TEDA-N-X-CHLOR", "TEDA-X-CHLOR", "Crude salt for brine saturation", "化盐用原盐", ["solid"], "reuse", 500000,
     wanted={"nacl": 0.90}, max_km=100, price=300)
need("TEDA-N-X-LANDFILL", "TEDA-X-LANDFILL", "General industrial solid waste landfill", "一般工业固废填埋",
     ["solid", "powder", "sludge"], "dispose", 500000, max_km=60, price=-120)
need("TEDA-N-X-SCRAP", "TEDA-X-SCRAP", "Ferrous scrap for sorting, shearing and baling", "废钢回收加工", ["solid"],
     "recycle", 100000, comp={"fe": 0.95}, wanted={"fe": 0.5}, max_km=50, price=2200)
need("TEDA-N-X-RMC", "TEDA-X-RMC", "Grade I fly ash for concrete", "I级粉煤灰用于商品混凝土", ["powder"], "recycle", 80000,
     comp={"sio2": 0.52, "al2o3": 0.27, "fe2o3": 0.06}, limits={"carbon": 0.05}, max_km=60, price=80)
need("TEDA-N-X-SLUDGEINC", "TEDA-X-SLUDGEINC", "Dewatered sludge for mono-incineration", "脱水污泥焚烧处置", ["sludge"],
     "dispose", 100000, comp={"water": 0.8, "organic": 0.15}, max_km=60, price=-350)
need("TEDA-N-X-PIG", "TEDA-X-PIG", "Liquid feed ingredients for pigs", "生猪液态饲料原料", ["liquid"], "recycle", 10000,
     comp={"starch": 0.2, "protein": 0.05, "water": 0.7}, max_km=80, price=300)
need("TEDA-N-X-CEMKILN-HW", "TEDA-CEMKILN", "Hazardous wastes for cement kiln co-processing", "危险废物水泥窑协同处置",
     ["liquid", "sludge", "solid", "paste"], "co_process", 40000, max_km=150, price=-1500)
need("TEDA-N-X-SOLV", "TEDA-X-SOLV", "Spent organic solvents for distillation recovery", "废有机溶剂精馏回收", ["liquid"],
     "recycle", 8000, comp={"water": 0.1}, max_km=100, price=500,
     desc="Toluene, xylene, acetone and ester solvents from cleaning and coating.")

# ======================================================================================
# 6. Kawasaki Eco-town (Japan)
# ======================================================================================
KN = "Kanagawa"
park("KWS", "川崎生态城", "Kawasaki Eco-town", KN, 35.51, 139.72)
ent("KWS-CITY", "Kawasaki City (separate collection of plastics and PET bottles)", "KWS", "7820",
    "Municipal waste collection", KN, 35.5300, 139.7000)
ent("KWS-OFFICE", "Kawasaki office buildings (confidential and mixed office paper)", "KWS", "7212", "Offices", KN,
    35.5310, 139.6970)
ent("KWS-JFE", "JFE Steel East Japan Works (Keihin)", "KWS", "3110", "Integrated steelworks", KN, 35.4950, 139.7330)
ent("KWS-SDK", "Showa Denko Kawasaki Plastic Recycling (ammonia feedstock)", "KWS", "2621", "Ammonia", KN,
    35.5090, 139.7190)
ent("KWS-PETRE", "Petrebirth (PET bottle-to-bottle chemical recycling)", "KWS", "2651", "PET resin", KN,
    35.5040, 139.7260)
ent("KWS-CORELEX", "Corelex Shin-ei (toilet paper from mixed waste paper)", "KWS", "2221", "Tissue paper", KN,
    35.5100, 139.7420)
ent("KWS-DC", "DC Co. Kawasaki cement plant", "KWS", "3011", "Cement", KN, 35.5120, 139.7020)
ent("KWS-X-RPF", "RPF fuel manufacturer, Yokohama", "KWS", "4220", "Refuse paper and plastic fuel", KN,
    35.4400, 139.6500)
ent("KWS-X-INCIN", "Kawasaki municipal incineration plant", "KWS", "7820", "Waste incineration", KN, 35.5200, 139.7500)
ent("KWS-X-FIBRE", "Polyester staple fibre plant, Ichihara", "KWS", "2822", "Polyester fibre", "Chiba",
    35.5000, 140.0800)
ent("KWS-X-BOARDMILL", "Containerboard mill, Saitama", "KWS", "2221", "Containerboard", "Saitama", 35.8600, 139.6500)
ent("KWS-X-CHICHIBU", "Cement plant, Chichibu", "KWS", "3011", "Cement", "Saitama", 35.9900, 139.0800)
ent("KWS-X-COKE", "Steelworks coke-oven plastics recycling, Kimitsu", "KWS", "3110", "Integrated steelworks", "Chiba",
    35.3300, 139.8700)
ent("KWS-X-PVC", "PVC solvent-recycling plant, Chiba", "KWS", "2651", "PVC recycling", "Chiba", 35.6000, 140.1000)
ent("KWS-X-PALLET", "Recycled plastic pallet maker, Yokohama", "KWS", "2929", "Plastic products", KN,
    35.4700, 139.6300)

offer("KWS-O-PLASTICS", "KWS-CITY", "Container and packaging plastics (mixed)", "容器包装废塑料（混合）", "solid", 15000,
      {"pe": 0.40, "pp": 0.30, "ps": 0.15, "pet": 0.05, "pvc": 0.03, "organic": 0.04}, ewc="150102", price=-300,
      route="incineration", desc="Household packaging plastics collected separately under the Packaging Recycling Act.",
      to=["KWS-N-JFE", "KWS-N-SDK"])
offer("KWS-O-PET", "KWS-CITY", "Used PET bottles (baled)", "废PET饮料瓶（压缩打包）", "solid", 20000,
      {"pet": 0.94, "pp": 0.02, "pe": 0.02, "organic": 0.01}, ewc="150102", price=100, route="sale",
      desc="Separately collected beverage bottles with caps and labels.",
      to=["KWS-N-PETRE"])
offer("KWS-O-PAPER", "KWS-OFFICE", "Mixed office waste paper (hard to recycle)", "难再生混合办公废纸", "solid", 30000,
      {"cellulose": 0.80, "caco3": 0.08, "kaolin": 0.05, "pe": 0.02, "water": 0.05}, ewc="200101", price=-50,
      route="incineration", desc="Shredded confidential papers, coated and laminated papers, file folders.",
      to=["KWS-N-CORELEX"])
offer("KWS-O-BFSLAG", "KWS-JFE", "Granulated blast-furnace slag", "高炉水淬渣", "solid", 2000000, BF_SLAG,
      ewc="100202", price=40, route="sale", desc="Water-granulated slag from the Keihin blast furnace.",
      to=["KWS-N-DC"])

need("KWS-N-JFE", "KWS-JFE", "Waste plastics as blast-furnace reducing agent", "废塑料用作高炉还原剂", ["solid"],
     "recycle", 40000, comp={"pe": 0.45, "pp": 0.3, "ps": 0.15}, limits={"pvc": 0.05}, max_km=30, price=-200,
     desc="Agglomerated and injected at the tuyeres instead of pulverised coal.")
need("KWS-N-SDK", "KWS-SDK", "Waste plastics for gasification to ammonia synthesis gas", "废塑料气化制合成氨原料气",
     ["solid"], "recycle", 60000, comp={"pe": 0.4, "pp": 0.3, "ps": 0.1, "pet": 0.05}, max_km=30, price=-250)
need("KWS-N-PETRE", "KWS-PETRE", "Used PET bottles for depolymerisation", "废PET瓶解聚再生", ["solid"], "recycle", 25000,
     comp={"pet": 0.95}, wanted={"pet": 0.85}, max_km=100, price=150)
need("KWS-N-CORELEX", "KWS-CORELEX", "Mixed waste paper for tissue pulp", "混合废纸制卫生纸浆", ["solid"], "recycle",
     40000, comp={"cellulose": 0.85, "caco3": 0.05}, wanted={"cellulose": 0.6}, max_km=50, price=0)
need("KWS-N-DC", "KWS-DC", "Granulated slag for blast-furnace slag cement", "高炉矿渣水泥用粒化矿渣",
     ["solid", "powder"], "recycle", 1500000, comp=SLAG_CEMENT_PROFILE, max_km=20, price=50)
# distractors
need("KWS-N-X-RPF", "KWS-X-RPF", "Paper and plastic residues for solid recovered fuel", "废纸废塑料制固体燃料（RPF）",
     ["solid"], "recover_energy", 30000, comp={"pe": 0.3, "pp": 0.2, "cellulose": 0.4}, limits={"pvc": 0.005},
     max_km=40, price=-100)
need("KWS-N-X-INCIN", "KWS-X-INCIN", "Combustible municipal and commercial wastes", "可燃生活及商业垃圾焚烧",
     ["solid"], "dispose", 300000, max_km=20, price=-400)
need("KWS-N-X-FIBRE", "KWS-X-FIBRE", "Clean PET flakes for polyester fibre", "纤维级洁净PET片", ["solid"], "recycle", 20000,
     comp={"pet": 0.99}, wanted={"pet": 0.98}, max_km=80, price=400)
need("KWS-N-X-BOARDMILL", "KWS-X-BOARDMILL", "Corrugated and kraft waste paper (OCC)", "废旧瓦楞纸（OCC）", ["solid"],
     "recycle", 100000, comp={"cellulose": 0.9}, limits={"pe": 0.01}, max_km=80, price=200)
need("KWS-N-X-CHICHIBU", "KWS-X-CHICHIBU", "Granulated slag for cement", "水泥用粒化矿渣", ["solid", "powder"], "recycle",
     300000, comp=SLAG_CEMENT_PROFILE, max_km=50, price=60)
need("KWS-N-X-COKE", "KWS-X-COKE", "Waste plastics for coke-oven chemical feedstock recycling", "废塑料焦炉化学原料化",
     ["solid"], "recycle", 50000, comp={"pe": 0.4, "pp": 0.3, "ps": 0.15}, limits={"pvc": 0.1}, max_km=60,
     price=-200)
need("KWS-N-X-PVC", "KWS-X-PVC", "PVC-rich waste for solvent recycling", "高含量PVC废料溶剂法再生", ["solid"], "recycle",
     5000, wanted={"pvc": 0.80}, max_km=60, price=50)
need("KWS-N-X-PALLET", "KWS-X-PALLET", "Sorted polyolefins (PP/PE) for injection-moulded pallets", "分选聚烯烃（PP/PE）制托盘",
     ["solid"], "recycle", 8000, comp={"pp": 0.6, "pe": 0.38}, wanted={"pp": 0.5}, limits={"ps": 0.02, "pvc": 0.005},
     max_km=40, price=800)

# ======================================================================================
# 7. Styrian recycling network (Austria)
# ======================================================================================
ST = "Steiermark"
park("STY", "施蒂利亚回收网络", "Styrian industrial recycling network", ST, 47.07, 15.44)
ent("STY-ODK", "ÖDK Voitsberg coal power station", "STY", "4411", "Thermal power", ST, 47.0480, 15.1600)
ent("STY-RIGIPS", "Rigips Austria plasterboard plant, Bad Aussee", "STY", "3024", "Plasterboard", ST, 47.6100, 13.7800)
ent("STY-RETZ", "Lafarge Perlmooser cement works Retznei", "STY", "3011", "Cement", ST, 46.7420, 15.5700)
ent("STY-PEGGAU", "Cement works Peggau", "STY", "3011", "Cement", ST, 47.2130, 15.3500,
    licences=[lic("ST-HW-PEG-0012", ["HW08", "HW09"], BOTH, 25000, "2023-01-01", "2027-12-31")])
ent("STY-DON", "voestalpine Stahl Donawitz (Leoben)", "STY", "3120", "Iron and steel", ST, 47.3780, 15.0740)
ent("STY-ROAD", "Styrian road-construction aggregates firm", "STY", "4812", "Road construction", ST, 47.3600, 15.1000)
ent("STY-SAW", "Sawmill, Murtal (Judenburg)", "STY", "2011", "Sawmilling", ST, 47.1700, 14.6700)
ent("STY-PB", "Particleboard plant, St. Veit an der Glan", "STY", "2023", "Particleboard", "Kärnten", 46.7700, 14.3600)
ent("STY-GARAGE", "Graz vehicle workshops (used oil and tyres)", "STY", "8111", "Vehicle repair", ST, 47.0700, 15.4400)
ent("STY-X-PBDRY", "Particleboard plant requiring dry chips, Frantschach", "STY", "2023", "Particleboard", "Kärnten",
    46.9100, 14.8600)
ent("STY-X-PELLET", "Wood pellet plant, Murau", "STY", "2029", "Wood pellets", ST, 47.1100, 14.1700)
ent("STY-X-KNAUF", "Plasterboard plant, Iphofen (Bavaria)", "STY", "3024", "Plasterboard", "Bayern", 49.7000, 10.2600)
ent("STY-X-LANDFILL", "Residual-material landfill, Styria", "STY", "7723", "Landfill", ST, 47.0000, 15.6000)
ent("STY-X-REREF", "Used-oil re-refinery, Lower Austria", "STY", "2511", "Lubricant re-refining", "Niederösterreich",
    48.1500, 16.4500, licences=[lic("NO-HW-RR-0003", ["HW08"], UTILISE, 40000, "2022-01-01", "2027-12-31")])
ent("STY-X-OILCOLL", "Used-oil collector, Graz", "STY", "7724", "Waste oil collection", ST, 47.0500, 15.4200,
    licences=[lic("ST-HWC-0091", ["HW08"], ("collect", "store"), 3000, "2024-01-01", "2028-12-31",
                  kind="hw_collection", codes=["900-214-08"])])
ent("STY-X-LINZ", "Slag cement plant, Linz", "STY", "3011", "Cement", "Oberösterreich", 48.2800, 14.3400)
ent("STY-X-ASPHALT", "Asphalt mixing plant, Graz", "STY", "3099", "Asphalt", ST, 47.0300, 15.4700)
ent("STY-X-CRUMB", "Crumb-rubber plant, Lower Austria", "STY", "2919", "Rubber recycling", "Niederösterreich",
    48.1000, 16.0000)

offer("STY-O-FGD", "STY-ODK", "FGD gypsum", "烟气脱硫石膏", "powder", 100000, FGD_GYPSUM, ewc="100105", price=5,
      route="landfill", desc="Wet-scrubber gypsum from the lignite-fired unit.",
      to=["STY-N-RIGIPS"])
offer("STY-O-FLYASH", "STY-ODK", "Fly ash from lignite firing", "褐煤电厂粉煤灰", "powder", 60000,
      {"sio2": 0.45, "al2o3": 0.22, "fe2o3": 0.09, "cao": 0.12, "mgo": 0.02, "so3": 0.02, "carbon": 0.02,
       "water": 0.005}, ewc="100102", price=10, route="landfill", desc="Electrostatic precipitator ash.",
      to=["STY-N-RETZ"])
offer("STY-O-BFSLAG", "STY-DON", "Granulated blast-furnace slag", "高炉水淬渣", "solid", 700000, BF_SLAG, ewc="100202",
      price=40, route="sale", desc="Slag sand from the Donawitz blast furnaces.",
      to=["STY-N-PEGGAU-SLAG", "STY-N-RETZ-SLAG"])
offer("STY-O-LDSLAG", "STY-DON", "LD converter slag", "LD转炉钢渣", "solid", 250000,
      {"cao": 0.45, "fe2o3": 0.22, "sio2": 0.13, "mgo": 0.06, "mno": 0.04, "al2o3": 0.02}, ewc="100202",
      route="landfill", desc="Weathered and crushed LD slag.",
      to=["STY-N-ROAD"])
offer("STY-O-WASTEOIL", "STY-GARAGE", "Used engine and gear oil from vehicle repair", "汽车维修废机油及齿轮油", "liquid", 3000,
      {"base_oil": 0.88, "water": 0.05, "zn": 0.001, "pb": 0.00005}, code="900-214-08", ewc="130205", price=200,
      route="incineration", desc="Drained engine, gearbox and brake oils collected from workshops.",
      to=["STY-N-PEGGAU-OIL"])
offer("STY-O-TYRES", "STY-GARAGE", "End-of-life car tyres", "废轮胎", "solid", 2000,
      {"sbr": 0.45, "carbon_black": 0.28, "fe": 0.13, "zno": 0.015, "s": 0.012, "sio2": 0.05}, ewc="160103",
      price=-80, route="landfill", desc="Whole passenger-car tyres.",
      to=["STY-N-PEGGAU-TDF"])
offer("STY-O-SAWDUST", "STY-SAW", "Sawdust and wood chips", "锯末及木片", "solid", 50000,
      {"cellulose": 0.25, "lignin": 0.15, "xylan": 0.12, "water": 0.45}, ewc="030105", price=200, route="sale",
      desc="Fresh spruce sawdust and chipper residues.",
      to=["STY-N-PB"])

need("STY-N-RIGIPS", "STY-RIGIPS", "FGD gypsum for plasterboard", "脱硫石膏制石膏板", ["powder"], "recycle", 150000,
     comp={"gypsum": 0.9, "water": 0.1}, wanted={"gypsum": 0.85}, limits={"chloride": 0.0001}, max_km=250, price=15)
need("STY-N-RETZ", "STY-RETZ", "Fly ash as cement constituent", "粉煤灰用作水泥组分", ["powder"], "recycle", 80000,
     comp=CEMENT_ALUMINOSILICATE, limits={"carbon": 0.06}, max_km=150, price=15)
need("STY-N-RETZ-SLAG", "STY-RETZ", "Granulated slag for composite cement", "复合水泥用粒化矿渣", ["solid"], "recycle",
     300000, comp=SLAG_CEMENT_PROFILE, max_km=200, price=45)
need("STY-N-PEGGAU-SLAG", "STY-PEGGAU", "Granulated slag as cement constituent", "水泥组分用粒化矿渣", ["solid", "powder"],
     "recycle", 200000, comp=SLAG_CEMENT_PROFILE, max_km=150, price=45)
need("STY-N-PEGGAU-OIL", "STY-PEGGAU", "Used oils as secondary fuel for the cement kiln", "废矿物油作水泥窑替代燃料",
     ["liquid"], "co_process", 8000, comp={"base_oil": 0.85, "water": 0.08}, limits={"pb": 0.001}, max_km=100,
     price=0)
need("STY-N-PEGGAU-TDF", "STY-PEGGAU", "Whole tyres as kiln fuel and iron source", "整胎作水泥窑燃料及铁质原料",
     ["solid"], "co_process", 6000, comp={"sbr": 0.5, "carbon_black": 0.3, "fe": 0.1}, max_km=150, price=-60)
need("STY-N-ROAD", "STY-ROAD", "Steel slag aggregate for road base and surface layers", "钢渣道路骨料", ["solid"],
     "recycle", 300000, comp={"cao": 0.4, "fe2o3": 0.2, "sio2": 0.15}, max_km=100, price=5)
need("STY-N-PB", "STY-PB", "Sawmill residues for particleboard", "锯材加工剩余物制刨花板", ["solid"], "recycle", 300000,
     comp={"cellulose": 0.28, "lignin": 0.16, "xylan": 0.13, "water": 0.4}, max_km=200, price=250)
# distractors
need("STY-N-X-PBDRY", "STY-X-PBDRY", "Dry planer shavings for particleboard", "刨花板用干刨花", ["solid"], "recycle",
     60000, comp={"cellulose": 0.45, "lignin": 0.27, "xylan": 0.2}, limits={"water": 0.15}, max_km=150, price=300)
need("STY-N-X-PELLET", "STY-X-PELLET", "Sawdust for wood pellets", "木屑制生物质颗粒燃料", ["solid"], "recover_energy",
     80000, comp={"cellulose": 0.3, "lignin": 0.18, "xylan": 0.14, "water": 0.35}, max_km=100, price=220)
need("STY-N-X-KNAUF", "STY-X-KNAUF", "FGD gypsum for plasterboard", "脱硫石膏制石膏板", ["powder"], "recycle", 300000,
     comp={"gypsum": 0.9, "water": 0.1}, wanted={"gypsum": 0.85}, max_km=300, price=15)
need("STY-N-X-LANDFILL", "STY-X-LANDFILL", "Residual materials for landfill", "残余物填埋",
     ["solid", "powder", "sludge", "paste"], "dispose", 200000, max_km=100, price=-250)
need("STY-N-X-REREF", "STY-X-REREF", "Used oils for re-refining to base oil", "废油再生基础油", ["liquid"], "recycle", 40000,
     comp={"base_oil": 0.88, "water": 0.05}, wanted={"base_oil": 0.7}, max_km=300, price=300)
need("STY-N-X-OILCOLL", "STY-X-OILCOLL", "Collection of used oils from workshops", "维修点废机油收集", ["liquid"], "recycle",
     2500, comp={"base_oil": 0.85, "water": 0.05}, max_km=60, price=100)
need("STY-N-X-LINZ", "STY-X-LINZ", "Granulated slag for slag cement", "矿渣水泥用粒化矿渣", ["solid"], "recycle", 400000,
     comp=SLAG_CEMENT_PROFILE, max_km=100, price=50)
need("STY-N-X-ASPHALT", "STY-X-ASPHALT", "Volume-stable aggregates for asphalt", "沥青混合料用体积稳定骨料",
     ["solid"], "recycle", 100000, comp={"sio2": 0.6, "cao": 0.2}, limits={"cao": 0.30}, max_km=60, price=10)
need("STY-N-X-CRUMB", "STY-X-CRUMB", "End-of-life tyres for crumb rubber", "废轮胎制胶粉", ["solid"], "recycle", 20000,
     comp={"sbr": 0.5, "carbon_black": 0.3, "fe": 0.12}, max_km=250, price=-40)

# ======================================================================================
# 8. Gladstone (Queensland)
# ======================================================================================
QLD = "Queensland"
park("GLD", "格拉德斯通工业区", "Gladstone industrial area", QLD, -23.85, 151.25)
ent("GLD-GPS", "Gladstone Power Station", "GLD", "4411", "Thermal power", QLD, -23.8490, 151.2210)
ent("GLD-BOYNE", "Boyne Smelters (Boyne Island)", "GLD", "3216", "Aluminium smelting", QLD, -23.9390, 151.3330)
ent("GLD-CA", "Cement Australia Gladstone (Fisherman's Landing)", "GLD", "3011", "Cement", QLD, -23.7920, 151.1560,
    licences=[lic("QLD-HW-CA-0004", ["HW48"], UTILISE, 20000, "2024-07-01", "2029-06-30", codes=["321-023-48"])])
ent("GLD-X-LANDFILL", "Gladstone regional landfill", "GLD", "7723", "Landfill", QLD, -23.8700, 151.2000)
ent("GLD-X-SPLNSW", "Spent pot lining processing plant, Tomago (NSW)", "GLD", "7724", "Hazardous waste recycling",
    "New South Wales", -32.8200, 151.7200,
    licences=[lic("NSW-HW-SPL-0001", ["HW48"], UTILISE, 100000, "2023-01-01", "2027-12-31")])
ent("GLD-X-RMC", "Ready-mix concrete plant, Gladstone", "GLD", "3021", "Ready-mix concrete", QLD, -23.8600, 151.2600)
ent("GLD-X-HWCELL", "Licensed hazardous-waste landfill cell, Brisbane region", "GLD", "7724", "Hazardous waste disposal",
    QLD, -27.6500, 152.9000, licences=[lic("QLD-HW-LF-0019", ["HW18", "HW31", "HW36", "HW48"], DISPOSE, 80000,
                                          "2022-01-01", "2027-12-31")])

offer("GLD-O-FLYASH", "GLD-GPS", "Coal fly ash", "燃煤电厂粉煤灰", "powder", 200000, FLY_ASH, ewc="100102", price=15,
      route="landfill", desc="Dry ash from the 1680 MW black-coal station.",
      to=["GLD-N-CA-ASH"])
offer("GLD-O-SPL", "GLD-BOYNE", "Spent pot lining (first and second cut)", "电解铝大修渣（废阴极内衬）", "solid", 12000,
      {"carbon": 0.45, "al2o3": 0.18, "naf": 0.12, "cryolite": 0.10, "sio2": 0.06, "nacn": 0.002},
      code="321-023-48", ewc="161101", price=-1200, route="storage",
      desc="Cathode carbon and refractory lining removed at pot relining; fluorides and cyanide.",
      to=["GLD-N-CA-SPL"])

need("GLD-N-CA-ASH", "GLD-CA", "Fly ash as cement extender", "粉煤灰用作水泥掺合料", ["powder"], "recycle", 250000,
     comp=CEMENT_ALUMINOSILICATE, limits={"carbon": 0.06}, max_km=50, price=25)
need("GLD-N-CA-SPL", "GLD-CA", "Spent pot lining as kiln fuel and mineraliser", "大修渣作水泥窑燃料及矿化剂",
     ["solid", "powder"], "co_process", 15000, code="321-023-48", comp={"carbon": 0.4, "al2o3": 0.2, "naf": 0.15},
     limits={"nacn": 0.005}, max_km=100, price=-800)
# distractors
need("GLD-N-X-LANDFILL", "GLD-X-LANDFILL", "General waste landfill", "一般废物填埋", ["solid", "powder", "sludge"],
     "dispose", 200000, max_km=60, price=-150)
need("GLD-N-X-SPLNSW", "GLD-X-SPLNSW", "Spent pot lining for detoxification and recovery", "大修渣无害化及资源回收",
     ["solid"], "recycle", 60000, comp={"carbon": 0.4, "naf": 0.15, "cryolite": 0.1}, max_km=2000, price=-900)
need("GLD-N-X-RMC", "GLD-X-RMC", "Fly ash for concrete", "混凝土用粉煤灰", ["powder"], "recycle", 40000,
     comp={"sio2": 0.52, "al2o3": 0.27, "fe2o3": 0.06}, limits={"carbon": 0.04}, max_km=50, price=60)
need("GLD-N-X-HWCELL", "GLD-X-HWCELL", "Stabilised hazardous solids for secure landfill", "危险废物稳定化安全填埋",
     ["solid", "powder"], "dispose", 50000, max_km=800, price=-1500)

# ======================================================================================
# 9. Lubei eco-industrial park (Wudi, Shandong)
# ======================================================================================
park("LB", "鲁北生态工业园", "Lubei eco-industrial park, Wudi", SDG, 38.06, 117.78)
ent("LB-PHOS", "山东鲁北企业集团 磷铵厂 (Lubei ammonium phosphate plant)", "LB", "2622", "Phosphate fertiliser", SDG,
    38.0600, 117.7800, district="滨州市无棣县")
ent("LB-SACEM", "山东鲁北企业集团 硫酸联产水泥厂 (Lubei sulfuric acid–cement co-production plant)", "LB", "2611",
    "Sulfuric acid and cement", SDG, 38.0620, 117.7850, district="滨州市无棣县")
ent("LB-BROM", "山东鲁北企业集团 溴素厂 (Lubei bromine plant)", "LB", "2619", "Bromine", SDG, 38.0950, 117.8400,
    district="滨州市无棣县")
ent("LB-SALT", "山东鲁北企业集团 盐场 (Lubei salt works)", "LB", "1020", "Sea salt", SDG, 38.1000, 117.8500,
    district="滨州市无棣县")
ent("LB-CHLOR", "山东鲁北企业集团 氯碱厂 (Lubei chlor-alkali plant)", "LB", "2612", "Chlor-alkali", SDG, 38.0640, 117.7900,
    district="滨州市无棣县")
ent("LB-POWER", "山东鲁北企业集团 热电厂 (Lubei cogeneration plant)", "LB", "4412", "Cogeneration", SDG, 38.0580, 117.7750,
    district="滨州市无棣县")
ent("LB-X-GYPBD", "滨州某纸面石膏板厂 (Binzhou plasterboard plant)", "LB", "3024", "Plasterboard", SDG, 37.3800, 118.0000)
ent("LB-X-ROAD", "滨州某磷石膏路基材料试点 (Binzhou phosphogypsum road-base pilot)", "LB", "4812", "Road construction",
    SDG, 37.7500, 117.7000)
ent("LB-X-DEICE", "山东某融雪剂经销商 (Shandong de-icing salt distributor)", "LB", "5169", "Chemicals wholesale", SDG,
    37.4500, 117.5000)
ent("LB-X-WEIFANG", "潍坊滨海某氯碱企业 (Weifang coastal chlor-alkali plant)", "LB", "2612", "Chlor-alkali", SDG,
    37.1000, 119.1000)
ent("LB-X-PGSTACK", "鲁北磷石膏堆场 (phosphogypsum stack)", "LB", "7723", "Phosphogypsum storage yard", SDG,
    38.0500, 117.7600, district="滨州市无棣县")
ent("LB-X-MGOH", "无棣某氢氧化镁厂 (Wudi magnesium hydroxide plant)", "LB", "2613", "Magnesium compounds", SDG,
    38.0200, 117.7200, district="滨州市无棣县")
ent("LB-X-BROM2", "沾化某溴素厂 (Zhanhua bromine plant)", "LB", "2619", "Bromine", SDG, 37.7000, 118.1300)

offer("LB-O-PG", "LB-PHOS", "Phosphogypsum", "磷石膏", "powder", 600000,
      {"gypsum": 0.84, "water": 0.10, "sio2": 0.035, "p2o5": 0.01, "fluoride": 0.005}, route="storage",
      desc="Filter cake from the wet-process phosphoric acid plant. SW10。",
      to=["LB-N-SACEM"])
offer("LB-O-DEBROM", "LB-BROM", "Debrominated brine", "提溴后卤水", "liquid", 3000000,
      {"nacl": 0.08, "mgcl2": 0.012, "mgso4": 0.008, "kcl": 0.002, "water": 0.895},
      desc="Concentrated seawater after bromine stripping, returned to the evaporation ponds.",
      to=["LB-N-SALT"])
offer("LB-O-CRUDESALT", "LB-SALT", "Crude sea salt", "原盐（海盐）", "solid", 300000,
      {"nacl": 0.92, "mgcl2": 0.005, "caso4": 0.006, "water": 0.04}, price=250, route="sale",
      desc="Solar-evaporated crude salt harvested from the crystallising ponds.",
      to=["LB-N-CHLOR"])
offer("LB-O-FLYASH", "LB-POWER", "Coal fly ash", "燃煤电厂粉煤灰", "powder", 150000, FLY_ASH, ewc="100102", price=10,
      route="landfill", desc="Ash from the cogeneration boilers. SW02。",
      to=["LB-N-SACEM-ASH"])

need("LB-N-SACEM", "LB-SACEM", "Phosphogypsum for decomposition to SO2 and cement clinker", "磷石膏制硫酸联产水泥",
     ["powder", "solid"], "recycle", 700000, comp={"gypsum": 0.85, "sio2": 0.05, "water": 0.08},
     wanted={"gypsum": 0.75}, limits={"p2o5": 0.02}, max_km=20, price=0)
need("LB-N-SACEM-ASH", "LB-SACEM", "Fly ash as clinker raw material and mixed material", "粉煤灰作熟料原料及混合材",
     ["powder"], "recycle", 200000, comp=CEMENT_ALUMINOSILICATE, max_km=20, price=10)
need("LB-N-SALT", "LB-SALT", "Concentrated brine for salt pans", "制盐用浓卤水", ["liquid"], "recycle", 4000000,
     comp={"nacl": 0.08, "mgcl2": 0.01, "mgso4": 0.008, "water": 0.9}, wanted={"nacl": 0.05}, max_km=20, price=0)
need("LB-N-CHLOR", "LB-CHLOR", "Crude salt for brine preparation", "化盐用原盐", ["solid"], "reuse", 400000,
     wanted={"nacl": 0.90}, max_km=50, price=280)
# distractors
need("LB-N-X-GYPBD", "LB-X-GYPBD", "Low-impurity gypsum for plasterboard", "石膏板用低杂质石膏", ["powder"], "recycle",
     100000, comp={"gypsum": 0.9, "water": 0.1}, wanted={"gypsum": 0.85}, limits={"p2o5": 0.005, "fluoride": 0.002},
     max_km=120, price=20)
need("LB-N-X-ROAD", "LB-X-ROAD", "Phosphogypsum for stabilised road base", "磷石膏稳定路基材料", ["powder", "solid"],
     "recycle", 100000, comp={"gypsum": 0.8, "water": 0.1}, max_km=60, price=0)
need("LB-N-X-DEICE", "LB-X-DEICE", "Road de-icing salt", "道路融雪盐", ["solid"], "reuse", 50000, wanted={"nacl": 0.95},
     max_km=120, price=350)
need("LB-N-X-WEIFANG", "LB-X-WEIFANG", "Crude salt for chlor-alkali brine", "氯碱化盐用原盐", ["solid"], "reuse", 600000,
     wanted={"nacl": 0.90}, max_km=150, price=300)
need("LB-N-X-PGSTACK", "LB-X-PGSTACK", "Phosphogypsum stacking", "磷石膏堆存", ["powder", "paste", "solid"], "dispose",
     1000000, max_km=10, price=-15)
need("LB-N-X-MGOH", "LB-X-MGOH", "Magnesium-rich bittern", "高镁苦卤", ["liquid"], "recycle", 200000,
     comp={"mgcl2": 0.15, "mgso4": 0.05, "water": 0.75}, wanted={"mgcl2": 0.08}, max_km=50, price=50)
need("LB-N-X-BROM2", "LB-X-BROM2", "Bromide-bearing brine for bromine extraction", "含溴卤水提溴", ["liquid"], "recycle",
     5000000, comp={"nacl": 0.05, "mgbr2": 0.0003, "mgcl2": 0.008, "water": 0.93}, wanted={"mgbr2": 0.0001},
     max_km=80, price=0)


# ======================================================================================
# output and self-checks
# ======================================================================================
def document() -> dict:
    return {"format": "wastematch.v1", "parks": PARKS, "enterprises": ENTERPRISES, "listings": LISTINGS,
            "expected": EXPECTED}


def _haversine(a: dict, b: dict) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def self_check(doc: dict, check_pdf: bool = False) -> list[str]:
    """Consistency of the authored data (not of the engine): refs, CAS, HW codes, EWC codes, reachability."""
    from catalog.cas import is_valid_cas

    problems = []
    listings = {x["ref"]: x for x in doc["listings"]}
    for x in doc["listings"]:
        for role in ("composition", "wanted", "limits"):
            for c in x.get(role, []):
                if c.get("cas") and not is_valid_cas(c["cas"]):
                    problems.append(f"{x['ref']}: bad CAS {c['cas']}")
    for o, needs in doc["expected"].items():
        if listings.get(o, {}).get("kind") != "offer":
            problems.append(f"expected key {o} is not an offer")
        if not needs:
            problems.append(f"{o}: no expected receiver")
        for n in needs:
            nx = listings.get(n)
            if not nx or nx["kind"] != "need":
                problems.append(f"{o}: expected {n} is not a need")
                continue
            ox = listings[o]
            if ox["form"] not in nx["forms"]:
                problems.append(f"{o} -> {n}: form {ox['form']} not accepted")
            d = _haversine(_ENT[ox["enterprise"]], _ENT[nx["enterprise"]]) * 1.3
            if nx.get("max_distance_km") and d > nx["max_distance_km"]:
                problems.append(f"{o} -> {n}: {d:.0f} road km > {nx['max_distance_km']}")
    ewc_path = Path(__file__).resolve().parents[3] / "shared" / "data" / "ewc" / "ewc-codes.json"
    if ewc_path.exists():
        known = {e["code"] for e in json.loads(ewc_path.read_text(encoding="utf-8"))}
        problems += [f"{x['ref']}: unknown EWC {x['ewc_code']}" for x in doc["listings"]
                     if x.get("ewc_code") and x["ewc_code"] not in known]
    if check_pdf:
        from catalog.hw_list_pdf import parse_hw_list_pdf

        pdf = Path(__file__).resolve().parents[3] / "shared" / "data" / "hw-list-2021" / "gjwxfwml.pdf"
        codes = {c.code for c in parse_hw_list_pdf(pdf).codes}
        used = {x["waste_code"] for x in doc["listings"] if x.get("waste_code")}
        used |= {c for e in doc["enterprises"] for li in e["licences"] for c in li["codes"]}
        problems += [f"HW code {c} is not in the 2021 list" for c in sorted(used - codes)]
    return problems


def main() -> int:
    doc = document()
    problems = self_check(doc, check_pdf="--check-pdf" in sys.argv)
    for p in problems:
        print("PROBLEM:", p, file=sys.stderr)
    if problems:
        return 1
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    n_off = sum(x["kind"] == "offer" for x in doc["listings"])
    n_need = len(doc["listings"]) - n_off
    receivers = {n for v in doc["expected"].values() for n in v}
    print(f"wrote {OUT.name}: {len(doc['parks'])} parks, {len(doc['enterprises'])} enterprises, {n_off} offers, "
          f"{n_need} needs ({len(receivers)} expected receivers, {n_need - len(receivers)} distractors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
