"""Candidate pairs without looking at all pairs: vector search × spatial index.

Each side (needs for the park-wide run; offers too for one-click recommendations of a
need) gets a *retrieval embedding*: a dense vector of composition, waste category and
text. K-means splits a side into cells of similar material (an inverted-file index);
each cell has a k-d tree of its members' points on the unit sphere (3-D: the straight-line
distance orders pairs as the great-circle distance does, and is cheaper to search than a
haversine BallTree). A query listing probes the few cells nearest its embedding and asks each
cell's tree for its nearest members within reach (members of one cell are alike in material,
so among them the nearer is the better), so the work per query is bounded, whatever the size
of the park. The cheap hard rules (self-match,
form, availability, distance) filter before ranking, and the exact similarity model
ranks the survivors; each query keeps its ``top_k``.
"""
from __future__ import annotations

import math
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.spatial import cKDTree
from sklearn.cluster import MiniBatchKMeans
from sklearn.preprocessing import normalize

from .arcs import Arcs
from .model_statistics import category_vectors
from .problem import EARTH_RADIUS_KM, Problem
from .similarity import SimilarityModel, rowwise_dot
from .threads import limited_threads, with_limited_threads

PROBES = 6  # cells each query looks into
EXHAUSTIVE_SIZE = 2000  # a side this small: every query looks into every cell
PER_CELL_FACTOR = 2  # nearest members taken from each probed cell, × top_k
PRERANK_FACTOR = 3  # keep this many × top_k by the dense score before the exact similarity
WIDEN_FACTOR = 8  # a query left with fewer than top_k candidates looks this many times deeper into each cell
MANY_QUERIES = 1000  # a batch this large runs under the engine's thread limit (one-click's single query does not)


@dataclass
class _Cells:
    """An inverted-file index of one side: k-means cells, each with a k-d tree of points on the unit sphere."""

    centroids: np.ndarray  # cells × dims
    members: list[np.ndarray]  # per cell: indices into the side
    trees: list[cKDTree | None]
    reach_rad: np.ndarray  # per cell: the longest reach of a member, radians
    exhaustive: bool = False  # every query looks into every cell (a small side)


class CandidateIndex:
    """Built once per run (or kept warm for recommendations) over one Problem."""

    def __init__(self, problem: Problem, model: SimilarityModel) -> None:
        self.problem = problem
        self.model = model
        self.o_embed, self.n_embed = _retrieval_embeddings(problem, model)
        s = problem.settings
        need_reach = np.where(np.isfinite(problem.n.max_distance_km), problem.n.max_distance_km,
                              s.default_max_distance_km) / s.road_factor
        self.need_reach_km = need_reach
        # The cells are the run's (``model.statistics``): a need is in the same cell, and a query looks into the
        # same cells, in every region of a national run, so an offer finds the candidates one process would.
        stats = model.statistics
        self.need_cells = _build_cells(self.n_embed, problem.n.lat_rad, problem.n.lon_rad, need_reach,
                                       kmeans=stats.need_kmeans, exhaustive=stats.needs <= EXHAUSTIVE_SIZE)
        self._offer_cells: _Cells | None = None

    @property
    def offer_cells(self) -> _Cells:
        """Cells over offers, built on first use (only needed to recommend offers for a need)."""
        if self._offer_cells is None:
            p = self.problem
            # An offer reaches as far as the farthest need could fetch it.
            reach = np.full(p.o.size, float(np.max(self.need_reach_km, initial=0.0)))
            self._offer_cells = _build_cells(self.o_embed, p.o.lat_rad, p.o.lon_rad, reach)
        return self._offer_cells

    # --- queries ------------------------------------------------------------------------

    def needs_for_offers(self, offers: np.ndarray | None = None, top_k: int | None = None) -> Arcs:
        """Up to ``top_k`` candidate needs for each offer (all offers by default)."""
        p = self.problem
        oi = np.arange(p.o.size) if offers is None else np.asarray(offers, dtype=np.int64)
        k = top_k or p.settings.top_k

        def query(queries: np.ndarray, per_cell: int) -> Arcs:
            q, c, gc = _probe(self.need_cells, self.o_embed[queries], p.o.lat_rad[queries], p.o.lon_rad[queries],
                              per_cell)
            return self._rank(queries[q], c, gc, by_offer=True, top_k=k)

        with limited_threads() if oi.size > MANY_QUERIES else nullcontext():
            return _widened(query, oi, k, by_offer=True)

    def offers_for_needs(self, needs: np.ndarray, top_k: int | None = None) -> Arcs:
        """Up to ``top_k`` candidate offers for each given need."""
        p = self.problem
        ni = np.asarray(needs, dtype=np.int64)
        k = top_k or p.settings.top_k

        def query(queries: np.ndarray, per_cell: int) -> Arcs:
            q, c, gc = _probe(self.offer_cells, self.n_embed[queries], p.n.lat_rad[queries], p.n.lon_rad[queries],
                              per_cell)
            return self._rank(c, queries[q], gc, by_offer=False, top_k=k)

        with limited_threads() if ni.size > MANY_QUERIES else nullcontext():
            return _widened(query, ni, k, by_offer=False)

    def _rank(self, oi: np.ndarray, ni: np.ndarray, great_circle_rad: np.ndarray, *, by_offer: bool,
              top_k: int) -> Arcs:
        p = self.problem
        # No duplicates to remove: a listing belongs to one cell and a query probes distinct cells.
        # The probe already measured each pair (great-circle, radians): scale, don't recompute.
        dist = great_circle_rad * EARTH_RADIUS_KM * p.settings.road_factor
        keep = _cheap_hard_filters(p, oi, ni, dist)
        oi, ni, dist = oi[keep], ni[keep], dist[keep]
        group = oi if by_offer else ni
        # Pre-rank by the dense embedding, then rank the short list by the exact model.
        dense = rowwise_dot(self.o_embed, self.n_embed, oi, ni)
        sel = _top_per_group(group, dense, PRERANK_FACTOR * top_k)
        oi, ni, dist, group = oi[sel], ni[sel], dist[sel], group[sel]
        values, present = self.model.pair_blocks(oi, ni)
        sim = self.model.combine(values, present)
        fit = self.model.pair_fit(oi, ni, values, present)
        # A pair without evidence of fit never becomes a recommendation: it must not take a slot either.
        sel = _top_per_group(group, sim + _specialist_bonus(p, self.model, oi, ni) + fit, top_k)
        return Arcs(offer=oi[sel], need=ni[sel], distance_km=dist[sel], similarity=sim[sel], fit=fit[sel])


def _widened(query, queries: np.ndarray, k: int, *, by_offer: bool) -> Arcs:
    """``query(queries, per_cell)``, asked again with ``WIDEN_FACTOR`` × the members per cell for the
    queries that came back with fewer than ``k`` candidates.

    A cell's nearest members may all be needs nearby that the listing cannot use (another form, another
    period): they fill the probe and crowd out a fitting partner a little farther away. The few short
    queries look deeper (about 1 % of the offers of a generated 10k park).
    """
    arcs = query(queries, PER_CELL_FACTOR * k)
    own = arcs.offer if by_offer else arcs.need
    short = queries[np.bincount(own, minlength=int(queries.max(initial=-1)) + 1)[queries] < k]
    if short.size == 0:
        return arcs
    deeper = query(short, WIDEN_FACTOR * PER_CELL_FACTOR * k)
    keep = ~np.isin(own, short)
    return Arcs(offer=np.concatenate([arcs.offer[keep], deeper.offer]),
                need=np.concatenate([arcs.need[keep], deeper.need]),
                distance_km=np.concatenate([arcs.distance_km[keep], deeper.distance_km]),
                similarity=np.concatenate([arcs.similarity[keep], deeper.similarity]),
                fit=np.concatenate([arcs.fit[keep], deeper.fit]))


def _specialist_bonus(p: Problem, model: SimilarityModel, oi: np.ndarray, ni: np.ndarray) -> np.ndarray:
    """Rank licensed handlers of an HW offer's category first, so that licence checks find them."""
    cat = p.o.category[oi]
    bit = np.left_shift(np.uint64(1), cat.astype(np.uint64))
    return np.where((cat > 0) & ((model.n_category_mask[ni] & bit) != 0), 1.0, 0.0)


def _cheap_hard_filters(p: Problem, oi: np.ndarray, ni: np.ndarray, dist: np.ndarray) -> np.ndarray:
    """Hard rules that cost nothing to check here and would only waste candidate slots."""
    not_self = p.o.enterprise[oi] != p.n.enterprise[ni]
    form_ok = (p.n.forms[ni] >> p.o.form[oi].astype(np.uint8)) & 1 == 1
    overlap = (p.o.available_from[oi] <= p.n.available_to[ni]) & (p.n.available_from[ni] <= p.o.available_to[oi])
    near = dist <= p.n.max_distance_km[ni]
    return not_self & form_ok & overlap & near


def _top_per_group(group: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` best scores within each group value (ties broken by position), in order.

    The same answer as one lexicographic sort of (group, -score), about three times faster: the pairs
    are bucketed by group (a radix sort when group values fit 16 bits), each bucket a row of a padded
    matrix, and only the short rows are sorted (a query has at most a few hundred candidates).
    """
    if group.size == 0:
        return np.zeros(0, dtype=np.int64)
    key = group.astype(np.uint16) if 0 <= group.min() and group.max() < 65536 else group
    by_group = np.argsort(key, kind="stable")
    g = group[by_group]
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    lengths = np.diff(np.r_[starts, g.size])
    width = int(lengths.max())
    if width <= k:
        return np.arange(group.size)
    if starts.size * width > 8 * group.size + 1_000_000:  # very uneven groups: the padded matrix would be huge
        order = np.lexsort((-score, group))
        rank = np.arange(g.size) - np.repeat(starts, lengths)
        return np.sort(order[rank < k])
    row = np.repeat(np.arange(starts.size), lengths)
    col = np.arange(g.size) - np.repeat(starts, lengths)
    # NaN pads the rows: it sorts after every score (a NaN score too, which comes first by position).
    neg = np.full((starts.size, width), np.nan)
    neg[row, col] = -score[by_group]
    at = np.full((starts.size, width), -1, dtype=np.int64)
    at[row, col] = by_group
    best = np.take_along_axis(at, np.argsort(neg, axis=1, kind="stable")[:, :k], axis=1).ravel()
    return np.sort(best[best >= 0])


def _retrieval_embeddings(p: Problem, model: SimilarityModel) -> tuple[np.ndarray, np.ndarray]:
    """Dense unit vectors in which a dot product approximates the similarity model.

    The reducers (composition SVD, retrieval SVD) are the run's (``model.statistics``): a listing has
    the same embedding in every region of a national run.
    """
    stats = model.statistics
    o_cat, n_cat = category_vectors(p.o.category, model.n_category_mask, model.n_licensed, p.n.category)
    return stats.embed(stats.global_columns(model.o_comp, p.substances),
                       stats.global_columns(model.n_comp, p.substances), o_cat, n_cat, model.o_text, model.n_text)


@with_limited_threads
def _build_cells(embed: np.ndarray, lat: np.ndarray, lon: np.ndarray, reach_km: np.ndarray, *,
                 kmeans: Any = None, exhaustive: bool | None = None) -> _Cells:
    """Cells of one side: k-means fitted here, or ``kmeans`` already fitted for the run (its cells predicted);
    ``exhaustive`` (default: this side is small) makes every query look into every cell."""
    size = embed.shape[0]
    cells = max(1, round(math.sqrt(size) / 2))
    if exhaustive is None:
        exhaustive = size <= EXHAUSTIVE_SIZE
    if kmeans is not None:
        cells = int(kmeans.n_clusters)
        labels = kmeans.predict(embed) if size else np.zeros(0, dtype=np.int64)
        centroids = normalize(kmeans.cluster_centers_)
    elif cells == 1 or size < 8:
        labels = np.zeros(size, dtype=np.int64)
        centroids = normalize(embed.mean(axis=0, keepdims=True)) if size else np.zeros((1, embed.shape[1]))
        cells = 1
    else:
        # k-means++ on a sample: the cells only need to group like with like, not be optimal.
        km = MiniBatchKMeans(n_clusters=cells, random_state=0, n_init=1, batch_size=4096,
                             init_size=min(size, max(3 * cells, 2000)))
        labels = km.fit_predict(embed)
        centroids = normalize(km.cluster_centers_)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(cells + 1))
    members, trees, reach = [], [], np.zeros(cells)
    points = unit_points(lat, lon)
    for c in range(cells):
        idx = order[bounds[c]:bounds[c + 1]]
        members.append(idx)
        if idx.size:
            trees.append(cKDTree(points[idx]))
            reach[c] = float(reach_km[idx].max()) / EARTH_RADIUS_KM
        else:
            trees.append(None)
    return _Cells(centroids=centroids.astype(np.float32), members=members, trees=trees, reach_rad=reach,
                  exhaustive=exhaustive)


def unit_points(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (n × 3) of latitudes and longitudes in radians."""
    cos_lat = np.cos(lat)
    return np.stack([cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)], axis=1)


def _chord(angle_rad: float) -> float:
    """The straight-line distance between two points of the unit sphere ``angle_rad`` apart."""
    return 2.0 * math.sin(min(angle_rad, math.pi) / 2.0)


def _probe(cells: _Cells, q_embed: np.ndarray, q_lat: np.ndarray, q_lon: np.ndarray,
           per_cell: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(query position, candidate index, great-circle distance in radians) of the ``per_cell``
    nearest members within reach of each of the ``PROBES`` cells best matching each query."""
    n_cells = cells.centroids.shape[0]
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    if q_embed.shape[0] == 0:
        return empty
    # A side of a few thousand listings is probed whole: k-means on so few points can put a fitting
    # listing in a cell whose centroid looks unlike the query, and looking into every cell is cheap.
    small = cells.exhaustive
    probes = n_cells if small else min(PROBES, n_cells)
    scores = q_embed @ cells.centroids.T
    best = np.argpartition(-scores, probes - 1, axis=1)[:, :probes] if probes < n_cells else \
        np.broadcast_to(np.arange(n_cells), (q_embed.shape[0], n_cells))
    # (query, cell) pairs grouped by cell: one batched tree query per cell
    flat_q = np.repeat(np.arange(q_embed.shape[0]), best.shape[1])
    flat_c = np.asarray(best).ravel()
    order = np.argsort(flat_c, kind="stable")
    bounds = np.searchsorted(flat_c[order], np.arange(n_cells + 1))
    points = unit_points(q_lat, q_lon)
    qs, cs, ds = [], [], []
    for c in range(n_cells):
        tree = cells.trees[c]
        who = flat_q[order[bounds[c]:bounds[c + 1]]]
        if tree is None or who.size == 0:
            continue
        k = min(per_cell, cells.members[c].size)
        # The k nearest within the cell's reach (straight lines through the sphere order pairs as great
        # circles do); the bound prunes the search, beyond it a slot comes back empty (index = tree size).
        chord, ind = tree.query(points[who], k=[*range(1, k + 1)],
                                distance_upper_bound=_chord(cells.reach_rad[c]) * (1 + 1e-9) + 1e-12)
        found = ind < tree.n
        angle = 2.0 * np.arcsin(np.minimum(chord[found] / 2.0, 1.0))
        within = angle <= cells.reach_rad[c]
        qs.append(np.repeat(who, k)[found.ravel()][within])
        cs.append(cells.members[c][ind[found][within]])
        ds.append(angle[within])
    if not qs:
        return empty
    return np.concatenate(qs), np.concatenate(cs), np.concatenate(ds)
