"""The two-way sulfuric-acid loop of issue 16 as a wastematch.v1 document (park AC), for the service, report,
CLI, API and page tests of loops worth closing (the engine's version: tests/matching/test_loops.py).

E-A uses 98 % acid and produces spent acid; E-B regenerates spent acid and has surplus 98 % acid. E-C (a second
regenerator) and E-D (a second acid user) sit a little nearer, so the weight optimum sends both offers to them.
"""
from __future__ import annotations

import datetime as dt

from matching.problem import Settings

SETTINGS = Settings(today=dt.date(2026, 11, 23))
SPENT = [{"name": "sulfuric acid", "cas": "7664-93-9", "fraction": 0.70},
         {"name": "water", "cas": "7732-18-5", "fraction": 0.28}]
ACID = [{"name": "sulfuric acid", "cas": "7664-93-9", "fraction": 0.98},
        {"name": "water", "cas": "7732-18-5", "fraction": 0.02}]
LICENCE = {"kind": "hw_comprehensive", "categories": ["HW34"], "codes": [],
           "activities": ["collect", "store", "utilise"], "annual_capacity_t": 5000, "valid_from": "2025-01-01",
           "valid_to": "2029-12-31"}


def _enterprise(ref: str, name: str, lon: float, licence: str | None = None) -> dict:
    e = {"ref": ref, "name": name, "park": "AC", "industry": "2611", "industry_name": "Inorganic acids",
         "province": "江苏省", "lat": 31.30, "lon": lon, "licences": []}
    if licence:
        e["licences"] = [{**LICENCE, "number": licence}]
    return e


def _listing(ref: str, kind: str, enterprise: str, title: str, title_zh: str, comp: list, qty: float, **kw) -> dict:
    row = {"ref": ref, "kind": kind, "enterprise": enterprise, "title": title, "title_zh": title_zh,
           "composition": comp, "quantity_t": qty, "period": "year", "available_from": "2026-01-01"}
    if kind == "offer":
        row["form"] = "liquid"
    else:
        row.update(forms=["liquid"], max_distance_km=100)
    row.update(kw)
    return row


def acid_document() -> dict:
    return {
        "format": "wastematch.v1",
        "parks": [{"code": "AC", "name": "澄酸化工园", "name_en": "Acid Park", "province": "江苏省",
                   "lat": 31.30, "lon": 120.65}],
        "enterprises": [_enterprise("E-A", "甲硫酸用户", 120.60), _enterprise("E-B", "乙废酸再生", 120.70, "AC-HW-B"),
                        _enterprise("E-C", "丙废酸再生", 120.67, "AC-HW-C"), _enterprise("E-D", "丁硫酸用户", 120.64)],
        "listings": [
            _listing("O-spent", "offer", "E-A", "Spent sulfuric acid", "废硫酸", SPENT, 1000, waste_code="900-300-34"),
            _listing("O-acid", "offer", "E-B", "Surplus sulfuric acid 98%", "98%硫酸", ACID, 600),
            _listing("N-spent-B", "need", "E-B", "Spent sulfuric acid for regeneration", "废硫酸再生", SPENT, 1000,
                     purpose="recycle"),
            _listing("N-spent-C", "need", "E-C", "Spent sulfuric acid for regeneration", "废硫酸再生", SPENT, 1000,
                     purpose="recycle"),
            _listing("N-acid-A", "need", "E-A", "Sulfuric acid 98%", "浓硫酸", ACID, 600, purpose="reuse"),
            _listing("N-acid-D", "need", "E-D", "Sulfuric acid 98%", "浓硫酸", ACID, 600, purpose="reuse"),
        ],
    }
