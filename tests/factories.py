"""Test data built through the same service users call: ``import_document``."""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from marketplace.db import make_engine, upgrade_schema
from marketplace.services.catalog.reference import load_builtin_catalog
from marketplace.services.listings.interchange import ImportReport, import_document

PARK = {"code": "BH", "name": "滨海新区", "name_en": "Binhai New Area", "province": "天津市", "lat": 39.02, "lon": 117.70}
HANDLER = {
    "ref": "E-1", "name": "滨海再生资源有限公司", "park": "BH", "industry": "7724",
    "industry_name": "Hazardous waste treatment", "province": "天津市", "lat": 39.0, "lon": 117.7,
    "licences": [{"number": "TJ-HW-0001", "kind": "hw_comprehensive", "categories": ["HW08"],
                  "codes": ["900-214-08"], "activities": ["collect", "store", "utilise", "dispose"],
                  "annual_capacity_t": 5000, "valid_from": "2025-01-01", "valid_to": "2029-12-31"}],
}
GARAGE = {"ref": "E-2", "name": "开发区汽车维修中心", "park": "BH", "industry": "8111",
          "industry_name": "Vehicle repair", "province": "天津市", "lat": 39.05, "lon": 117.65}
OFFER = {
    "ref": "O-1", "kind": "offer", "enterprise": "E-2", "title": "Used engine oil", "title_zh": "废机油",
    "description": "", "waste_code": "900-214-08", "ewc_code": "130205", "form": "liquid",
    "composition": [{"name": "base oil", "cas": "64742-54-7", "fraction": 0.85}],
    "quantity_t": 300, "period": "year", "available_from": "2026-01-01", "available_to": None,
    "price_cny_per_t": -800, "current_route": "incineration",
    # every component declared: the need's lead limit is met by its absence, not unknown (issue 16)
    "composition_complete": True,
}
NEED = {
    "ref": "N-1", "kind": "need", "enterprise": "E-1", "title": "Waste oil for re-refining", "title_zh": "废矿物油再生",
    "form": None, "quantity_t": 2000, "period": "year", "available_from": "2026-01-01", "available_to": "2027-12-31",
    "price_cny_per_t": 200, "forms": ["liquid"], "purpose": "recycle", "max_distance_km": 150,
    "wanted": [{"cas": "64742-54-7", "min_fraction": 0.6}], "limits": [{"cas": "7439-92-1", "max_fraction": 0.001}],
}


def small_document(**overrides: Any) -> dict[str, Any]:
    """A valid document: one park, a licensed handler, a garage, an oil offer and a re-refining need."""
    doc = {"format": "wastematch.v1", "parks": [PARK], "enterprises": [HANDLER, GARAGE], "listings": [OFFER, NEED]}
    doc = copy.deepcopy(doc)
    doc.update(copy.deepcopy(overrides))
    return doc


def load_small_park(session: Session, **overrides: Any) -> ImportReport:
    """Import ``small_document`` as a user would."""
    return import_document(session, small_document(**overrides), actor="test")


# A second park and two more enterprises, so that confidentiality and scope have something to hide.
PARK_NK = {"code": "NK", "name": "南港工业区", "name_en": "Nangang Industrial Zone", "province": "天津市",
           "lat": 38.75, "lon": 117.55}
GARAGE_3 = {"ref": "E-3", "name": "滨海机动车检测维修有限公司", "park": "BH", "industry": "8111",
            "industry_name": "Vehicle repair", "province": "天津市", "district": "滨海新区",
            "lat": 39.08, "lon": 117.68}
CEMENT = {
    "ref": "E-4", "name": "南港水泥有限公司", "park": "NK", "industry": "3011", "industry_name": "Cement",
    "province": "天津市", "district": "滨海新区", "lat": 38.76, "lon": 117.52,
    "licences": [{"number": "TJ-HW-0002", "kind": "hw_comprehensive", "categories": ["HW08", "HW12"], "codes": [],
                  "activities": ["collect", "store", "utilise", "dispose"], "annual_capacity_t": 8000,
                  "valid_from": "2025-01-01", "valid_to": "2029-12-31"}],
}
OFFER_2 = {**OFFER, "ref": "O-2", "enterprise": "E-3", "quantity_t": 120, "title": "Waste lubricating oil",
           "title_zh": "废润滑油"}
NEED_2 = {**NEED, "ref": "N-2", "enterprise": "E-4", "title": "Waste oil as kiln fuel", "title_zh": "废油协同处置",
          "purpose": "co_process", "quantity_t": 1000, "max_distance_km": 200, "wanted": [], "price_cny_per_t": -300}
API_USERS = {
    # key: (email, role, enterprise ref, park codes)
    "admin": ("admin@wm.test", "admin", None, ()),
    "coord": ("coord-bh@wm.test", "coordinator", None, ("BH",)),
    "coord_nk": ("coord-nk@wm.test", "coordinator", None, ("NK",)),
    "e1": ("handler@e1.test", "enterprise", "E-1", ()),
    "e2": ("garage@e2.test", "enterprise", "E-2", ()),
    "e3": ("garage@e3.test", "enterprise", "E-3", ()),
    "e4": ("cement@e4.test", "enterprise", "E-4", ()),
}
API_PASSWORD = "correct horse battery"


def api_document() -> dict[str, Any]:
    """Two parks, four enterprises (a licensed handler, two garages, a cement kiln), two offers, two needs."""
    return small_document(parks=[PARK, PARK_NK], enterprises=[HANDLER, GARAGE, GARAGE_3, CEMENT],
                          listings=[OFFER, NEED, OFFER_2, NEED_2])


def load_api_park(session: Session) -> dict[str, str]:
    """Import ``api_document`` and create the ``API_USERS``; returns a bearer token per user key."""
    from marketplace.services.accounts.users import create_user, issue_token

    import_document(session, api_document(), actor="test")
    tokens = {}
    for key, (email, role, enterprise, parks) in API_USERS.items():
        user = create_user(session, email=email, password=API_PASSWORD, role=role, enterprise=enterprise,
                           parks=parks, actor="test", name=key)
        tokens[key], _ = issue_token(session, user)
    session.flush()
    return tokens


def api_principals(session: Session) -> dict[str, Any]:
    """Import ``api_document`` and return a principal per role key (as ``API_USERS``, without accounts)."""
    from sqlalchemy import select

    from marketplace.models import Enterprise, Park
    from marketplace.services.accounts.users import Principal

    import_document(session, api_document(), actor="test")
    parks = {p.code: p.id for p in session.scalars(select(Park))}
    ents = {e.ref: e.id for e in session.scalars(select(Enterprise))}
    out: dict[str, Any] = {}
    for key, (email, role, enterprise, park_codes) in API_USERS.items():
        out[key] = Principal(user_id=None, email=email, role=role, enterprise_id=ents.get(enterprise),
                             enterprise_ref=enterprise, park_ids=frozenset(parks[c] for c in park_codes))
    return out


def commit_demo_park(url: str, then: Callable[[Session], Any] | None = None) -> Any:
    """Build the schema, the built-in catalogue and the demonstration park in the database at ``url`` and
    commit them (for code that opens its own connections: other processes, the command line, backups).

    ``then(session)`` runs in the same transaction afterwards; its result is returned.
    """
    from tests.conftest import DEMO_PARK

    engine = make_engine(url)
    try:
        upgrade_schema(engine)
        with Session(engine) as session, session.begin():
            load_builtin_catalog(session)
            import_document(session, json.loads(DEMO_PARK.read_text(encoding="utf-8")), actor="test")
            return then(session) if then is not None else None
    finally:
        engine.dispose()
