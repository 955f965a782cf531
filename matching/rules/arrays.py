"""NumPy helpers the vectorised checks share: sorted-key lookups, ragged expansion, per-arc reductions."""
from __future__ import annotations

import numpy as np


def member(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(found, position) of ``keys`` in ``sorted_keys``."""
    if sorted_keys.size == 0:
        return np.zeros(keys.shape, dtype=bool), np.zeros(keys.shape, dtype=np.int64)
    pos = np.searchsorted(sorted_keys, keys)
    pos_c = np.minimum(pos, sorted_keys.size - 1)
    return sorted_keys[pos_c] == keys, pos_c


def expand(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For item i with ``counts[i]`` entries from ``starts[i]``: (item of each entry, entry position)."""
    counts = counts.astype(np.int64, copy=False)
    item = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    first = np.cumsum(counts) - counts
    pos = np.repeat(starts.astype(np.int64, copy=False) - first, counts) + np.arange(item.size, dtype=np.int64)
    return item, pos


def csr_entries(csr, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stored entries (explicit zeros included) of ``csr`` rows ``rows``: (arc, column, value)."""
    indptr = np.asarray(csr.indptr, dtype=np.int64)
    arc, pos = expand(indptr[rows], indptr[rows + 1] - indptr[rows])
    return arc, np.asarray(csr.indices, dtype=np.int64)[pos], np.asarray(csr.data, dtype=np.float64)[pos]


def all_per_arc(n_arcs: int, arc: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """True for each of ``n_arcs`` arcs unless one of its entries (``arc``) is not ``ok``."""
    out = np.ones(n_arcs, dtype=bool)
    out[arc[~ok]] = False
    return out


def lowest_bit(mask: np.ndarray) -> np.ndarray:
    """Index of the lowest set bit of each positive int64, -1 for 0."""
    out = np.full(mask.shape, -1, dtype=np.int64)
    nz = mask > 0
    low = mask[nz] & -mask[nz]
    out[nz] = np.round(np.log2(low.astype(np.float64))).astype(np.int64)
    return out
