"""Model statistics of a whole run: the same whichever way the listings are partitioned, so a pair scores the same
in every region (``matching.model_statistics``)."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

from benchmarks.generate import generate_park
from matching.model_statistics import fit_statistics, merge_statistics, partial_statistics
from matching.pipeline import prepare_arcs
from matching.problem import Problem
from matching.regional import _owned_needs
from matching.regions import InMemorySource, plan_regions
from matching.similarity import SimilarityModel


@pytest.fixture(scope="module")
def network():
    offers, needs, licences = generate_park(1500, 1500, seed=4)
    return offers, needs, licences


@pytest.fixture(scope="module")
def whole(network):
    offers, needs, licences = network
    problem = Problem(offers, needs, licences)
    return problem, fit_statistics(problem)


def _regions(network, max_offers=300):
    source = InMemorySource(*network)
    plan = plan_regions(source, max_offers=max_offers)
    out = []
    for r in plan:
        data = source.load(r)
        out.append((r, Problem(data.offers, data.needs, data.licences, data.approvals)))
    return plan, out


def test_statistics_merged_over_regions_equal_those_of_the_whole(network, whole):
    problem, stats = whole
    plan, regions = _regions(network)
    assert len(plan) >= 4
    parts = [partial_statistics(p, np.arange(p.o.size), _owned_needs(p, r, tuple(plan))) for r, p in regions]
    # each listing is counted by exactly one region
    assert sum(x.documents for x in parts) == problem.o.size + problem.n.size
    merged = merge_statistics(parts)
    assert merged.substances == stats.substances and merged.codes == stats.codes
    np.testing.assert_array_equal(merged.idf, stats.idf)
    assert merged.vectorizer.vocabulary_ == stats.vectorizer.vocabulary_
    texts = ["废机油 waste oil", "含铜蚀刻液", "fly ash 粉煤灰", ""]
    np.testing.assert_allclose(merged.text_vectors(texts), stats.text_vectors(texts), atol=1e-6)
    np.testing.assert_allclose(merged.retrieval_svd.components_, stats.retrieval_svd.components_, atol=1e-9)
    # what travels to the workers is small and survives pickling
    blob = pickle.dumps(merged)
    assert len(blob) < 20_000_000
    assert pickle.loads(blob).idf_of(["7732-18-5"]) == pytest.approx(merged.idf_of(["7732-18-5"]))


def test_one_partition_is_the_whole_problem(whole):
    problem, stats = whole
    # fitting the model without statistics fits them on the problem: the same vectors
    a = SimilarityModel().fit(problem)
    b = SimilarityModel().fit(problem, stats)
    rng = np.random.default_rng(0)
    oi, ni = rng.integers(0, problem.o.size, 5000), rng.integers(0, problem.n.size, 5000)
    np.testing.assert_array_equal(a.pair_similarity(oi, ni), b.pair_similarity(oi, ni))


def test_a_pair_has_the_same_similarity_and_weight_in_every_region_that_scores_it(network, whole):
    problem, stats = whole
    offer_ids = np.array([o.id for o in problem.offers])
    need_ids = np.array([n.id for n in problem.needs])
    whole_arcs = prepare_arcs(problem, {}, statistics=stats).arcs
    reference = {(int(offer_ids[o]), int(need_ids[n])): (s, int(w)) for o, n, s, w in zip(
        whole_arcs.offer, whole_arcs.need, whole_arcs.similarity, whole_arcs.weight, strict=True)}
    # Two plans cut the network differently: a pair scored in a region of each has one weight.
    seen: dict[tuple[int, int], list[tuple[float, int]]] = {}
    for max_offers in (300, 700):
        _plan, regions = _regions(network, max_offers)
        for _r, p in regions:
            arcs = prepare_arcs(p, {}, statistics=stats).arcs
            o_ids = np.array([o.id for o in p.offers])
            n_ids = np.array([n.id for n in p.needs])
            for o, n, s, w in zip(arcs.offer, arcs.need, arcs.similarity, arcs.weight, strict=True):
                seen.setdefault((int(o_ids[o]), int(n_ids[n])), []).append((float(s), int(w)))
    compared = 0
    for pair, scores in seen.items():
        if pair in reference:
            scores = [*scores, reference[pair]]
        for s, w in scores:
            assert s == pytest.approx(scores[0][0], abs=1e-6)
            assert w == scores[0][1]
        compared += len(scores) > 1
    assert compared > 1000


def test_a_listing_without_id_is_sampled_by_its_position():
    offers, needs, licences = generate_park(200, 200, seed=1)
    import dataclasses

    bare = Problem([dataclasses.replace(o, id=None) for o in offers],
                   [dataclasses.replace(n, id=None) for n in needs], licences)
    stats = fit_statistics(bare)
    assert stats.sampled == 400 and stats.documents == 400


def test_kept_text_vectors_are_the_rows_a_fresh_batch_gives(whole):
    problem, stats = whole
    texts = [f"{r.title} {r.title_zh or ''}".strip() for r in problem.offers[:200]] + ["", "废机油 waste oil"]
    fresh = pickle.loads(pickle.dumps(stats))  # the kept rows are not pickled: this one vectorises from scratch
    assert "_text_rows" not in fresh.__dict__
    first = fresh.text_vectors(texts[::-1][:50])  # a different batch first: its rows are kept
    again = fresh.text_vectors(texts)
    alone = pickle.loads(pickle.dumps(stats)).text_vectors(texts)
    assert again.dtype == alone.dtype == np.float32
    assert np.array_equal(again, alone)  # bit for bit: each row depends on its own text only
    assert np.array_equal(first, alone[::-1][:50])
    assert not again[texts.index("")].any()


def test_an_exact_basis_spans_the_leading_singular_vectors():
    """``fit_basis`` on a narrow matrix: the top-k right singular vectors (up to sign), as ``TruncatedSVD`` keeps them."""
    from scipy import sparse

    from matching.model_statistics import Basis, fit_basis

    rng = np.random.default_rng(0)
    m = rng.normal(size=(300, 12)) @ np.diag(np.linspace(3.0, 0.1, 12))
    basis = fit_basis(m, 4)
    assert isinstance(basis, Basis) and basis.components_.shape == (4, 12) and basis.n_components == 4
    _, _, vt = np.linalg.svd(m, full_matrices=False)
    np.testing.assert_allclose(np.abs(basis.components_ @ vt[:4].T), np.eye(4), atol=1e-8)
    # each component signed so that its largest entry is positive (deterministic on every machine)
    assert (basis.components_[np.arange(4), np.abs(basis.components_).argmax(axis=1)] > 0).all()
    # sparse or dense rows, the same projection
    np.testing.assert_allclose(basis.transform(sparse.csr_matrix(m)), basis.transform(m), atol=1e-12)
    np.testing.assert_allclose(fit_basis(sparse.csr_matrix(m), 4).components_, basis.components_, atol=1e-10)
