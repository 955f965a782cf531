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
