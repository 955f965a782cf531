"""Pooled collection pages: a coordinator plans a collector's day (its map, its totals against the nearest
neighbour), proposes the pick-ups and writes the manifests of the approved ones; refusals beside their fields;
enterprises do not reach the pages; Chinese."""
from __future__ import annotations

import re

from sqlalchemy import select

from marketplace.models import CollectionRound, Enterprise, Listing
from marketplace.services.listings.interchange import import_document
from marketplace.services.matching import workflow
from tests.marketplace.services.traceability.test_pooled_collection import COLLECT_NEED, COLLECTOR, _garage
from tests.web.pages.test_shipments import principals


def _county(pages) -> None:
    garages = [_garage(i, 4 + 4 * i, 60 * i) for i in range(5)]
    import_document(pages.session, {"format": "wastematch.v1", "enterprises": [COLLECTOR, *[g for g, _ in garages]],
                                    "listings": [COLLECT_NEED, *[o for _, o in garages]]}, actor="test")
    pages.session.commit()


def test_a_coordinator_plans_proposes_and_writes_manifests(pages):
    _county(pages)
    pages.sign_in("coord")
    res = pages.post("/collection-rounds", {"collector": "C-1", "day": "2026-12-10", "vehicles.0.ref": "津A-SJ01",
                                            "vehicles.0.capacity_t": "2,500"}, csrf_from="/collection-rounds")
    assert res.status_code == 422 and "vehicles-0-capacity_t" in res.get_data(as_text=True)
    res = pages.post("/collection-rounds", {"collector": "C-1", "day": "2026-12-10", "vehicles.0.ref": "津A-SJ01",
                                            "vehicles.0.capacity_t": "2.5"}, csrf_from="/collection-rounds")
    assert res.status_code == 302, res.get_data(as_text=True)[:600]
    rid = int(re.search(r"/collection-rounds/(\d+)$", res.headers["Location"]).group(1))
    page = pages.text(f"/collection-rounds/{rid}")
    assert page.count('class="stop"') == 5 and 'class="route"' in page and "津A-SJ01" in page
    assert 'id="baseline-km"' in page and "汽车维修站0号" in page
    assert pages.post(f"/collection-rounds/{rid}/propose", {}, csrf_from=f"/collection-rounds/{rid}").status_code == 302
    p = principals(pages.session)
    rnd = pages.session.get(CollectionRound, rid)
    pages.session.refresh(rnd)
    ids = dict(pages.session.execute(select(Enterprise.id, Enterprise.ref)).all())
    from marketplace.services.accounts.users import Principal
    for stop in rnd.stops:
        for ent_id in (stop.producer_id, rnd.collector_id):
            ref = ids[ent_id]
            workflow.decide(pages.session, Principal(user_id=None, email=f"u@{ref}.test", role="enterprise",
                                                     enterprise_id=ent_id, enterprise_ref=ref), stop.match_id, "accept")
        workflow.decide(pages.session, p["coord"], stop.match_id, "approve")
    pages.session.commit()
    assert pages.post(f"/collection-rounds/{rid}/manifests", {},
                      csrf_from=f"/collection-rounds/{rid}").status_code == 302
    pages.language("zh_CN")
    page = pages.text(f"/collection-rounds/{rid}")
    assert "已开具联单" in page and "道路里程（就近收运）" in page and page.count("/shipments/") >= 5
    assert "集中收集" in pages.text("/collection-rounds")


def test_enterprises_do_not_reach_the_rounds(pages):
    _county(pages)
    pages.sign_in("e2")
    assert pages.get("/collection-rounds").status_code in (302, 403)
    assert pages.session.scalar(select(Listing.id).where(Listing.ref == "N-C")) is not None
