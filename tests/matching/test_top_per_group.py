"""The candidate query's top-k per group: the same answer as one lexicographic sort (issue 19)."""
from __future__ import annotations

import numpy as np
import pytest

from matching.candidates import _top_per_group


def _reference(group: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    order = np.lexsort((-score, group))
    g = group[order]
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    rank = np.arange(g.size) - np.repeat(starts, np.diff(np.r_[starts, g.size]))
    return np.sort(order[rank < k])


@pytest.mark.parametrize("groups,k", [(50, 3), (2000, 20), (70_000, 2), (5, 100)])
def test_same_as_a_lexicographic_sort_with_ties_and_nan(groups, k):
    rng = np.random.default_rng(groups)
    group = rng.integers(0, groups, 20_000)
    score = rng.integers(0, 5, 20_000).astype(np.float32)  # many ties: broken by position
    score[::97] = np.nan
    got = _top_per_group(group, score, k)
    assert np.array_equal(got, _reference(group, score, k))
    assert np.all(np.bincount(group[got]) <= k)


def test_very_uneven_groups_and_empty():
    group = np.r_[np.zeros(50_000, dtype=np.int64), np.arange(1, 200_001)]  # one huge group, many single ones
    score = np.random.default_rng(1).random(group.size)
    assert np.array_equal(_top_per_group(group, score, 3), _reference(group, score, 3))
    assert _top_per_group(np.zeros(0, dtype=np.int64), np.zeros(0), 5).size == 0
