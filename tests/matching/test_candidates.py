"""Candidate retrieval: spatial index × vector search, never all pairs, and it finds the right ones."""
from __future__ import annotations

import numpy as np

from matching.candidates import CandidateIndex
from matching.problem import Problem, Settings
from matching.similarity import SimilarityModel
from tests.matching.records import TODAY, need, offer

SUBSTANCES = ["108-88-3", "67-64-1", "7664-93-9", "1310-73-2", "7440-50-8", "64742-54-7", "7647-01-0",
              "67-56-1", "7732-18-5", "1305-78-8"]


def random_problem(n_offers: int, n_needs: int, seed: int = 0, top_k: int = 5) -> Problem:
    rng = np.random.default_rng(seed)
    centres = rng.uniform([30.0, 118.0], [33.0, 122.0], size=(5, 2))

    def place():
        c = centres[rng.integers(len(centres))]
        return c + rng.normal(0, 0.05, 2)

    def comp():
        keys = rng.choice(SUBSTANCES, size=rng.integers(1, 4), replace=False)
        return {str(k): float(v) for k, v in zip(keys, rng.dirichlet(np.ones(len(keys))) * 0.9)}

    offers = []
    for i in range(n_offers):
        lat, lon = place()
        offers.append(offer(f"O{i}", f"P{i}", comp=comp(), lat=lat, lon=lon, form="liquid"))
    needs = []
    for j in range(n_needs):
        lat, lon = place()
        needs.append(need(f"N{j}", f"R{j}", comp=comp(), lat=lat, lon=lon, max_km=float(rng.uniform(20, 200))))
    return Problem(offers, needs, settings=Settings(today=TODAY, top_k=top_k))


def test_never_all_pairs_and_at_most_top_k_per_offer():
    p = random_problem(400, 400)
    index = CandidateIndex(p, SimilarityModel().fit(p))
    arcs = index.needs_for_offers()
    assert len(arcs) <= p.o.size * p.settings.top_k
    assert np.bincount(arcs.offer, minlength=p.o.size).max() <= p.settings.top_k


def test_cheap_hard_rules_filter_candidates():
    far = need("N-far", "R1", lat=40.0, lon=116.0, max_km=100)
    self_need = need("N-self", "P")
    wrong_form = need("N-solid", "R2", forms=("solid",))
    good = need("N-good", "R3")
    p = Problem([offer("O1", "P")], [far, self_need, wrong_form, good], settings=Settings(today=TODAY))
    arcs = CandidateIndex(p, SimilarityModel().fit(p)).needs_for_offers()
    assert [p.n.refs[j] for j in arcs.need] == ["N-good"]
    assert arcs.distance_km[0] <= 100


def test_retrieval_finds_the_most_valuable_reachable_need_like_brute_force():
    """Against all reachable pairs scored by the real scorer, the best need of most offers is retrieved."""
    from matching.arcs import Arcs
    from matching.scoring import score

    p = random_problem(300, 1500, seed=3, top_k=10)
    model = SimilarityModel().fit(p)
    arcs = CandidateIndex(p, model).needs_for_offers()
    found = {(o, n) for o, n in zip(arcs.offer.tolist(), arcs.need.tolist())}
    oi, ni = np.repeat(np.arange(p.o.size), p.n.size), np.tile(np.arange(p.n.size), p.o.size)
    dist = p.distance_km(oi, ni)
    reachable = dist <= p.n.max_distance_km[ni]
    every = Arcs(offer=oi[reachable], need=ni[reachable], distance_km=dist[reachable])
    every.similarity = model.pair_similarity(every.offer, every.need)
    score(p, every)
    hits = total = 0
    for o in range(p.o.size):
        mine = np.flatnonzero(every.offer == o)
        if mine.size == 0:
            continue
        best = every.need[mine[np.argmax(every.weight[mine])]]
        total += 1
        hits += (o, int(best)) in found
    assert total > 200 and hits / total >= 0.9


def test_offers_for_a_need():
    p = random_problem(200, 50, seed=5)
    arcs = CandidateIndex(p, SimilarityModel().fit(p)).offers_for_needs(np.array([0, 1]), top_k=7)
    assert set(arcs.need.tolist()) <= {0, 1}
    assert np.bincount(arcs.need).max() <= 7


def test_a_cell_probe_finds_the_nearest_members_within_reach_by_great_circle():
    """The 3-D k-d tree of a cell answers as the haversine distance would: the k nearest members, those within the
    cell's reach only, with their great-circle distance."""
    from matching.candidates import _build_cells, _probe

    rng = np.random.default_rng(3)
    lat = np.radians(rng.uniform(30.0, 32.0, 400))
    lon = np.radians(rng.uniform(120.0, 122.0, 400))
    reach_km = rng.uniform(5.0, 10.0, 400)  # shorter than the 15th nearest member: the bound cuts some
    embed = np.ones((400, 2), dtype=np.float32) / np.sqrt(2)
    cells = _build_cells(embed, lat, lon, reach_km)
    held = [c for c, m in enumerate(cells.members) if m.size]
    assert len(held) == 1  # alike embeddings: every listing in one cell
    reach = cells.reach_rad[held[0]]
    q_lat, q_lon = np.radians([31.0, 30.2, 34.0]), np.radians([121.0, 121.9, 121.0])  # the last: nobody in reach
    q, c, d = _probe(cells, embed[:3], q_lat, q_lon, per_cell=15)
    assert 0 < (q == 0).sum() < 15 and (q == 2).sum() == 0
    for i in range(3):
        # haversine, as sklearn's BallTree measured it before
        a = (np.sin((lat - q_lat[i]) / 2) ** 2
             + np.cos(lat) * np.cos(q_lat[i]) * np.sin((lon - q_lon[i]) / 2) ** 2)
        great = 2 * np.arcsin(np.sqrt(a))
        nearest = np.argsort(great, kind="stable")[:15]
        want = nearest[great[nearest] <= reach]
        got = c[q == i]
        assert set(got.tolist()) == set(want.tolist())
        np.testing.assert_allclose(d[q == i], great[got], rtol=1e-9, atol=1e-12)
