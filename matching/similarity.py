"""How well an offer fits a need: a scikit-learn model fitted once per run over all listings.

The similarity of a pair is a weighted mean of four blocks, each in [0, 1]:

* ``composition`` — cosine of component vectors keyed by CAS (or name): the square root
  of each mass fraction times an IDF weight fitted on every listing, so that rare,
  specific components count more than water (which nearly every listing has and so
  weighs almost nothing). A need's composition is its target profile; without one, its
  ``wanted`` minima.
* ``elements`` — cosine of elemental mass fractions derived from formulas (chemicals
  database): copper chloride etchant fits a need that wants Cu. H and O are left out so
  that water and oxides do not make everything alike.
* ``category`` — the waste code: the need's own code, or for an HW offer the categories
  its receiver's licences cover; a general (non-HW) offer suits any need naming no code.
* ``text`` — character n-gram TF-IDF of the Chinese and English titles (the description
  when there is no title), reduced by truncated SVD to a small dense space.

A block that one side does not have (no composition, no text) is left out and the
weights of the rest are renormalised, so a sparse listing is not punished for silence.

**No fit, no recommendation.** Similarity ranks; it does not by itself show that a material
suits a need (a general offer scores 1.0 on the category block against every need that names
no code, and the elemental block finds silicon in both fly ash and polysilicon). ``pair_fit``
says whether there is *evidence* of fit, any of:

* ``composition``: the composition block without water reaches ``COMPOSITION_EVIDENCE`` (the
  two share a specific substance, not just the water nearly every listing holds);
* ``text``: the titles name a material in common (``catalog.material_terms``, in either
  language), or their text similarity reaches ``TEXT_EVIDENCE``;
* ``code``: the need names the offer's waste code (or, for HW, its category), or the receiver
  is licensed for the HW offer's category: the receiver exists for this waste.

A need's ``wanted`` minima are part of its profile when it states no composition, so a
declared wanted substance shows as composition evidence. Candidate pairs without evidence
are never recommended nor allocated, whatever the hierarchy, diversion and price terms would
add (``Arcs.fit``). The thresholds were set on the documented-synergy evaluation
(``benchmarks/eval_messy.py``): every documented receiver clears one of them, and no
unrelated need nearby clears any.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.preprocessing import normalize

from catalog.element_fractions import element_fractions
from catalog.material_terms import GENERIC, TERM_KEYS, concepts

from .model_statistics import (
    ModelStatistics,
    composition_rows,
    fit_statistics,
    need_categories,
    need_profiles,
    problem_texts,
)
from .problem import Problem
from .threads import with_limited_threads

IGNORED_ELEMENTS = frozenset({"H", "O"})
BLOCKS = ("composition", "elements", "category", "text")
WATER = "7732-18-5"
COMPOSITION_EVIDENCE = 0.08  # composition block without water's share
TEXT_EVIDENCE = 0.65  # near-identical titles; unrelated pairs of the evaluation reach 0.59
EVIDENCE = ("composition", "text", "code")


@dataclass(frozen=True)
class SimilarityWeights:
    """Relative weight of each block (renormalised over the blocks both sides have)."""

    composition: float = 0.45
    elements: float = 0.15
    category: float = 0.20
    text: float = 0.20

    def as_array(self) -> np.ndarray:
        return np.array([self.composition, self.elements, self.category, self.text], dtype=np.float64)


class SimilarityModel:
    """Fitted on one Problem (with the run's statistics); then scores any (offer, need) index pairs of it."""

    def __init__(self, weights: SimilarityWeights | None = None) -> None:
        self.weights = weights or SimilarityWeights()

    # --- fitting ------------------------------------------------------------------------

    @with_limited_threads
    def fit(self, problem: Problem, statistics: ModelStatistics | None = None) -> SimilarityModel:
        """Each listing's vectors through the run's ``statistics`` (default: fitted on ``problem`` alone).

        ``statistics`` (``matching.model_statistics``) are the IDF of substances, the text space, the code
        vocabulary and the retrieval reducers of the whole run: a region of a national run scores a pair
        exactly as one process over everything would.
        """
        self.statistics = fit_statistics(problem) if statistics is None else statistics
        self.problem = problem
        offer_raw = problem.o.composition
        need_raw = need_profiles(problem)
        idf = self.statistics.idf_of(problem.substances)
        self.o_comp = composition_rows(offer_raw, idf)
        self.n_comp = composition_rows(need_raw, idf)
        self.o_has_comp = np.diff(self.o_comp.indptr) > 0
        self.n_has_comp = np.diff(self.n_comp.indptr) > 0
        # Water's entry of each unit row: its share of a pair's composition fit is not evidence.
        water = problem.substance_index.get(WATER)
        if water is None:
            self.o_water = np.zeros(problem.o.size)
            self.n_water = np.zeros(problem.n.size)
        else:
            self.o_water = self.o_comp[:, water].toarray().ravel()
            self.n_water = self.n_comp[:, water].toarray().ravel()

        self.element_names, table = _element_table(problem.substances)
        self.o_elem = normalize(np.asarray(offer_raw @ table), axis=1)
        self.n_elem = normalize(np.asarray(need_raw @ table), axis=1)
        self.o_has_elem = np.linalg.norm(self.o_elem, axis=1) > 0
        self.n_has_elem = np.linalg.norm(self.n_elem, axis=1) > 0

        self._fit_categories(problem)
        self._fit_text(problem)
        return self

    def _fit_categories(self, problem: Problem) -> None:
        self.n_category_mask, self.n_licensed = need_categories(problem)
        # Codes as integers (0: none) so that pairs compare without Python string comparisons.
        self.n_code = self.statistics.code_numbers(list(problem.n.waste_code))
        self.o_code = self.statistics.code_numbers(list(problem.o.waste_code))

    def _fit_text(self, problem: Problem) -> None:
        raw, texts = problem_texts(problem)
        self._fit_concepts(problem, raw)
        self.o_has_text = np.array([bool(t) for t in texts[:problem.o.size]], dtype=bool)
        self.n_has_text = np.array([bool(t) for t in texts[problem.o.size:]], dtype=bool)
        dense = self.statistics.text_vectors(texts)
        self.o_text = dense[:problem.o.size]
        self.n_text = dense[problem.o.size:]

    def _fit_concepts(self, problem: Problem, raw: list[str]) -> None:
        # The glossary's materials each title names, as bits: a pair naming the same material
        # (粉煤灰 / fly ash) has evidence of fit whatever language each side wrote in.
        keys = [k for k in TERM_KEYS if k not in GENERIC]
        column = {k: i for i, k in enumerate(keys)}
        bits = np.zeros((len(raw), len(keys)), dtype=bool)
        for row, text in enumerate(raw):
            for key in concepts(text) if text else ():
                if key in column:
                    bits[row, column[key]] = True
        # 64 concepts per word: a pair's test is a few integer ANDs, not a gather of a byte array.
        words = np.zeros((len(raw), max(1, math.ceil(len(keys) / 64))), dtype=np.uint64)
        for i in range(len(keys)):
            words[bits[:, i], i // 64] |= np.uint64(1) << np.uint64(i % 64)
        self.concept_keys = keys
        self.o_concepts = words[:problem.o.size]
        self.n_concepts = words[problem.o.size:]

    def shared_concepts(self, oi: np.ndarray, ni: np.ndarray, chunk: int = 500_000) -> np.ndarray:
        """True for each pair whose titles name a material in common (the glossary's, generic words aside)."""
        out = np.zeros(oi.shape[0], dtype=bool)
        for w in range(self.o_concepts.shape[1]):
            o_word, n_word = self.o_concepts[:, w], self.n_concepts[:, w]
            for start in range(0, oi.shape[0], chunk):
                sl = slice(start, start + chunk)
                out[sl] |= (o_word[oi[sl]] & n_word[ni[sl]]) != 0
        return out

    def concept_names(self, oi: np.ndarray, ni: np.ndarray) -> list[list[str]]:
        """Per pair, the glossary keys of the materials both titles name (one vectorised pass)."""
        both = self.o_concepts[oi] & self.n_concepts[ni]
        out: list[list[str]] = [[] for _ in range(both.shape[0])]
        for row, word in zip(*np.nonzero(both)):
            bits = int(both[row, word])
            while bits:
                low = bits & -bits
                out[row].append(self.concept_keys[word * 64 + low.bit_length() - 1])
                bits ^= low
        return out

    # --- scoring pairs --------------------------------------------------------------------

    def pair_blocks(self, oi: np.ndarray, ni: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per pair: the four block similarities (k × 4) and which blocks both sides have (k × 4)."""
        k = oi.shape[0]
        values = np.zeros((k, 4), dtype=np.float64)
        present = np.zeros((k, 4), dtype=bool)
        values[:, 0] = _rowwise_sparse_dot(self.o_comp, self.n_comp, oi, ni)
        present[:, 0] = self.o_has_comp[oi] & self.n_has_comp[ni]
        values[:, 1] = rowwise_dot(self.o_elem, self.n_elem, oi, ni)
        present[:, 1] = self.o_has_elem[oi] & self.n_has_elem[ni]
        values[:, 2] = self._category_similarity(oi, ni)
        present[:, 2] = True
        values[:, 3] = np.clip(rowwise_dot(self.o_text, self.n_text, oi, ni), 0.0, 1.0)
        present[:, 3] = self.o_has_text[oi] & self.n_has_text[ni]
        return np.clip(values, 0.0, 1.0), present

    def pair_similarity(self, oi: np.ndarray, ni: np.ndarray) -> np.ndarray:
        """Similarity in [0, 1] of each (offer index, need index) pair."""
        values, present = self.pair_blocks(oi, ni)
        return self.combine(values, present)

    def combine(self, values: np.ndarray, present: np.ndarray) -> np.ndarray:
        """The similarity of pairs from their blocks (``pair_blocks``): the weighted mean of those present."""
        w = self.weights.as_array()[None, :] * present
        total = w.sum(axis=1)
        return np.where(total > 0, (values * w).sum(axis=1) / np.maximum(total, 1e-12), 0.0)

    def pair_evidence(self, oi: np.ndarray, ni: np.ndarray, values: np.ndarray | None = None,
                      present: np.ndarray | None = None) -> np.ndarray:
        """Per pair, which evidence of fit it has: (k × 3) bool over ``EVIDENCE`` (see the module docstring).

        ``values``/``present`` are the pairs' ``pair_blocks`` when the caller has them already.
        """
        if values is None or present is None:
            values, present = self.pair_blocks(oi, ni)
        out = np.zeros((oi.shape[0], len(EVIDENCE)), dtype=bool)
        specific = values[:, 0] - self.o_water[oi] * self.n_water[ni]
        out[:, 0] = present[:, 0] & (specific >= COMPOSITION_EVIDENCE)
        out[:, 1] = (present[:, 3] & (values[:, 3] >= TEXT_EVIDENCE)) | self.shared_concepts(oi, ni)
        out[:, 2] = self._code_evidence(oi, ni)
        return out

    def pair_fit(self, oi: np.ndarray, ni: np.ndarray, values: np.ndarray | None = None,
                 present: np.ndarray | None = None) -> np.ndarray:
        """True for each pair with some evidence that the material fits the need (``pair_evidence``)."""
        return self.pair_evidence(oi, ni, values, present).any(axis=1)

    def _code_evidence(self, oi: np.ndarray, ni: np.ndarray) -> np.ndarray:
        """The need names the offer's code (or its HW category), or the receiver is licensed for it."""
        p = self.problem
        o_cat = p.o.category[oi]
        o_hw = o_cat > 0
        o_code = self.o_code[oi]
        named = self.n_code[ni] != 0
        same_code = named & (o_code == self.n_code[ni])
        same_cat = named & o_hw & (p.n.category[ni] == o_cat)
        bit = np.left_shift(np.uint64(1), o_cat.astype(np.uint64))
        licensed = o_hw & ((self.n_category_mask[ni] & bit) != 0)
        return same_code | same_cat | licensed

    def _category_similarity(self, oi: np.ndarray, ni: np.ndarray) -> np.ndarray:
        p = self.problem
        o_cat = p.o.category[oi]
        o_hw = o_cat > 0
        named = self.n_code[ni] != 0
        same_code = self.o_code[oi] == self.n_code[ni]
        same_named_cat = p.n.category[ni] == o_cat
        bit = np.left_shift(np.uint64(1), o_cat.astype(np.uint64))
        licensed_cat = (self.n_category_mask[ni] & bit) != 0
        # A general offer suits any need that does not name an HW code: holding a licence
        # for other wastes does not make a cement works a worse home for fly ash.
        return np.select(
            [named & same_code, named & same_named_cat & o_hw, named, o_hw & licensed_cat, o_hw],
            [1.0, 0.6, 0.0, 1.0, 0.0],
            default=1.0,
        )

    def top_components(self, oi: np.ndarray, ni: np.ndarray, k: int = 3) -> list[list[tuple[str, float]]]:
        """Per pair, the substances that contribute most to its composition similarity."""
        prod = self.o_comp[oi].multiply(self.n_comp[ni]).tocoo()
        out: list[list[tuple[str, float]]] = [[] for _ in range(len(oi))]
        keep = prod.data > 0
        rows, cols, vals = prod.row[keep], prod.col[keep], prod.data[keep]
        for i in np.lexsort((-vals, rows)):
            row = out[rows[i]]
            if len(row) < k:
                row.append((self.problem.substances[cols[i]], float(vals[i])))
        return out


def _element_table(substances: list[str]) -> tuple[list[str], np.ndarray]:
    """Substance × element mass-fraction table for substances with a known formula."""
    # The shipped table first: the chemicals database costs seconds to load in a fresh process.
    fractions = [element_fractions(s) if not s.startswith("name:") else None for s in substances]
    names = sorted({e for f in fractions if f for e in f} - IGNORED_ELEMENTS)
    index = {e: i for i, e in enumerate(names)}
    table = np.zeros((len(substances), max(1, len(names))), dtype=np.float64)
    for i, f in enumerate(fractions):
        for element, value in (f or {}).items():
            if element in index:
                table[i, index[element]] = value
    return names, table


def _rowwise_sparse_dot(a: sparse.csr_matrix, b: sparse.csr_matrix, ai: np.ndarray, bi: np.ndarray,
                        chunk: int = 500_000) -> np.ndarray:
    """``a[ai[k]] · b[bi[k]]`` for every k without materialising all pairs."""
    out = np.empty(ai.shape[0], dtype=np.float64)
    for start in range(0, ai.shape[0], chunk):
        sl = slice(start, start + chunk)
        out[sl] = np.asarray(a[ai[sl]].multiply(b[bi[sl]]).sum(axis=1)).ravel()
    return out


def rowwise_dot(a: np.ndarray, b: np.ndarray, ai: np.ndarray, bi: np.ndarray,
                chunk: int = 32_768) -> np.ndarray:
    """``a[ai[k]] · b[bi[k]]`` for dense rows, chunked so that the gathered rows stay in the CPU cache.

    (Chunks of 500,000 rows made the 10k park's 2.4 M pre-ranked pairs 4–5× slower: each gather left the cache.)
    """
    out = np.empty(ai.shape[0], dtype=np.float64)
    for start in range(0, ai.shape[0], chunk):
        sl = slice(start, start + chunk)
        out[sl] = np.einsum("ij,ij->i", a[ai[sl]], b[bi[sl]])
    return out
