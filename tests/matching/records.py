"""Small builders of engine records for matching tests."""
from __future__ import annotations

import datetime as dt

from matching.problem import LicenceRecord, NeedRecord, OfferRecord, Settings, Site

TODAY = dt.date(2026, 11, 23)
SETTINGS = Settings(today=TODAY)


def site(enterprise: str, lat: float = 31.30, lon: float = 120.60, province: str = "江苏省", **kw) -> Site:
    return Site(enterprise=enterprise, lat=lat, lon=lon, province=province, **kw)


def offer(ref: str, enterprise: str = "P", *, form: str = "liquid", qty: float = 100.0, code: str | None = None,
          comp: dict[str, float] | None = None, title: str = "", title_zh: str = "", lat: float = 31.30,
          lon: float = 120.60, **kw) -> OfferRecord:
    return OfferRecord(ref=ref, site=site(enterprise, lat, lon, **kw.pop("site_kw", {})), quantity_t=qty, form=form,
                       waste_code=code, composition=comp or {}, title=title, title_zh=title_zh, **kw)


def need(ref: str, enterprise: str = "R", *, forms=("liquid",), purpose: str = "recycle", qty: float = 100.0,
         comp: dict[str, float] | None = None, title: str = "", title_zh: str = "", lat: float = 31.35,
         lon: float = 120.65, max_km: float | None = 100.0, **kw) -> NeedRecord:
    return NeedRecord(ref=ref, site=site(enterprise, lat, lon, **kw.pop("site_kw", {})), quantity_t=qty,
                      forms=frozenset(forms), purpose=purpose, composition=comp or {}, title=title,
                      title_zh=title_zh, max_distance_km=max_km, **kw)


def licence(number: str, enterprise: str, categories=("HW08",), *, activities=("utilise",), codes=(),
            kind: str = "hw_comprehensive", remaining: float = 1000.0, valid_to: dt.date | None = None,
            valid_from: dt.date = dt.date(2024, 1, 1)) -> LicenceRecord:
    return LicenceRecord(number=number, enterprise=enterprise, kind=kind, categories=frozenset(categories),
                         codes=frozenset(codes), activities=frozenset(activities), valid_from=valid_from,
                         valid_to=valid_to, remaining_t=remaining)
