"""The demo park's field work (issue 20): a pooled collection round of the licensed collector with its manifests
(shorter than the nearest-neighbour round), two weighbridges that disagree and a track that leaves its corridor,
each raising its alert; a second run changes nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from marketplace.demo.zero_waste import COLLECTOR, SHOPS, seed_demo_zero_waste
from marketplace.models import Alert, CollectionRound, Shipment, TrackPoint, WeighReading
from tests.marketplace.demo.test_governance import NOW, TODAY, _demo


def test_a_round_its_manifests_two_scales_that_disagree_and_a_deviating_track(session):
    _demo(session, TODAY)
    report = seed_demo_zero_waste(session, now=NOW)
    rnd = session.get(CollectionRound, report.round_id)
    assert rnd.collector.ref == COLLECTOR and rnd.status == "manifested"
    assert {s.producer.ref for s in rnd.stops} == {ref for ref, *_ in SHOPS}, (rnd.unserved, rnd.solve_s)
    assert rnd.total_km < rnd.baseline_km and report.manifests == len(SHOPS)
    manifests = [session.get(Shipment, s.shipment_id) for s in rnd.stops]
    assert all(m.status == "planned" and m.vehicle == rnd.vehicles[0]["ref"] and m.planned_on == rnd.day
               for m in manifests)
    # Producers the collector's licence may not serve (other trades) are not on the round, and say why.
    assert all(u["code"] in ("hard_checks", "licence_scope") and u["reason_zh"] and u["reason_en"]
               for u in rnd.unserved)

    assert session.scalar(select(func.count(WeighReading.id))) == 2 and report.track_points >= 5
    alerts = {a.kind: a for a in session.scalars(select(Alert).where(
        Alert.kind.in_(("scale_mismatch", "route_deviation")), Alert.status == "open"))}
    assert set(alerts) == {"scale_mismatch", "route_deviation"}
    assert "16.04" in alerts["scale_mismatch"].message and "15.12" in alerts["scale_mismatch"].message
    # Both on the load still on the road to Zhejiang.
    on_road = session.get(Shipment, alerts["scale_mismatch"].shipment_id)
    assert on_road.status == "dispatched" and alerts["route_deviation"].shipment_id == on_road.id
    assert session.scalar(select(func.count(TrackPoint.id))) == report.track_points

    again = seed_demo_zero_waste(session, now=NOW)
    assert again.skipped and session.scalar(select(func.count(CollectionRound.id))) == 1
