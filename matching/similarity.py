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
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.preprocessing import normalize

from catalog.chemistry import element_mass_fractions

from .problem import Problem

IGNORED_ELEMENTS = frozenset({"H", "O"})
TEXT_DIMENSIONS = 64
BLOCKS = ("composition", "elements", "category", "text")


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
    """Fitted on one Problem; then scores any (offer, need) index pairs of it, vectorised."""

    def __init__(self, weights: SimilarityWeights | None = None) -> None:
        self.weights = weights or SimilarityWeights()

    # --- fitting ------------------------------------------------------------------------

    def fit(self, problem: Problem) -> SimilarityModel:
        """Fit IDF, elemental table, licence categories and the text space on every listing."""
        self.problem = problem
        offer_raw = problem.o.composition
        need_raw = _need_profiles(problem)
        presence = sparse.vstack([offer_raw, need_raw]).tocsr()
        presence.data = np.ones_like(presence.data)
        if presence.shape[1]:
            self.idf_model = TfidfTransformer(norm=None, smooth_idf=True).fit(presence)
            # sklearn adds 1 to every idf; without it a component every listing has (water)
            # weighs nothing, and a rare one weighs ln(N/df).
            idf = sparse.diags(self.idf_model.idf_ - 1.0)
        else:  # nobody stated a composition
            idf = sparse.identity(0, format="csr")
        # Presence matters more than amount: fractions enter as their square root.
        self.o_comp = _l2_rows(offer_raw.sqrt() @ idf)
        self.n_comp = _l2_rows(need_raw.sqrt() @ idf)
        self.o_has_comp = np.diff(self.o_comp.indptr) > 0
        self.n_has_comp = np.diff(self.n_comp.indptr) > 0

        self.element_names, table = _element_table(problem.substances)
        self.o_elem = normalize(np.asarray(offer_raw @ table), axis=1)
        self.n_elem = normalize(np.asarray(need_raw @ table), axis=1)
        self.o_has_elem = np.linalg.norm(self.o_elem, axis=1) > 0
        self.n_has_elem = np.linalg.norm(self.n_elem, axis=1) > 0

        self._fit_categories(problem)
        self._fit_text(problem)
        return self

    def _fit_categories(self, problem: Problem) -> None:
        # Categories a need can legally take: its enterprise's licences (valid or not — the
        # licence rule judges validity; similarity says what the receiver is *for*).
        n = problem.n
        masks = np.zeros(n.size, dtype=np.uint64)
        licensed = np.zeros(n.size, dtype=bool)
        for j, e in enumerate(n.enterprise.tolist()):
            lic = problem.licences_of_enterprise.get(e)
            if lic:
                masks[j] = np.bitwise_or.reduce(problem.lic_categories[lic])
                licensed[j] = True
        self.n_category_mask = masks
        self.n_licensed = licensed
        self.n_code = np.array([c or "" for c in n.waste_code], dtype=object)
        self.o_code = np.array([c or "" for c in problem.o.waste_code], dtype=object)

    def _fit_text(self, problem: Problem) -> None:
        texts = [_text(r) for r in problem.offers] + [_text(r) for r in problem.needs]
        self.o_has_text = np.array([bool(t) for t in texts[:problem.o.size]], dtype=bool)
        self.n_has_text = np.array([bool(t) for t in texts[problem.o.size:]], dtype=bool)
        if not any(texts):
            self.o_text = np.zeros((problem.o.size, 1), dtype=np.float32)
            self.n_text = np.zeros((problem.n.size, 1), dtype=np.float32)
            return
        # Listings repeat their titles a lot ("废机油"): vectorise each distinct text once.
        unique, inverse = np.unique(np.array(texts, dtype=object), return_inverse=True)
        # char_wb n-grams work for Chinese (no word boundaries) and English alike.
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True,
                                          min_df=1, dtype=np.float32)
        tfidf = self.vectorizer.fit_transform(unique.tolist())
        k = min(TEXT_DIMENSIONS, tfidf.shape[0] - 1, tfidf.shape[1] - 1)
        if k >= 2:
            self.svd = TruncatedSVD(n_components=k, random_state=0)
            sample = tfidf if tfidf.shape[0] <= 20000 else tfidf[np.random.default_rng(0).choice(
                tfidf.shape[0], 20000, replace=False)]
            self.svd.fit(sample)
            dense = normalize(self.svd.transform(tfidf), axis=1).astype(np.float32)
        else:  # a corpus too small to reduce: keep the exact sparse vectors densified
            dense = normalize(tfidf, axis=1).toarray().astype(np.float32)
        dense = dense[inverse]
        self.o_text = dense[:problem.o.size]
        self.n_text = dense[problem.o.size:]

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
        w = self.weights.as_array()[None, :] * present
        total = w.sum(axis=1)
        return np.where(total > 0, (values * w).sum(axis=1) / np.maximum(total, 1e-12), 0.0)

    def _category_similarity(self, oi: np.ndarray, ni: np.ndarray) -> np.ndarray:
        p = self.problem
        o_cat = p.o.category[oi]
        o_hw = o_cat > 0
        named = self.n_code[ni] != ""
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


def _l2_rows(m: sparse.spmatrix) -> sparse.csr_matrix:
    """Unit rows (zero rows stay zero), explicit zeros dropped so emptiness is visible."""
    m = sparse.csr_matrix(m)
    m.eliminate_zeros()
    return normalize(m, norm="l2", axis=1).tocsr() if m.shape[1] else m


def _need_profiles(problem: Problem) -> sparse.csr_matrix:
    """Each need's composition, or its wanted minima when it states no composition."""
    comp, wanted = problem.n.composition, problem.n.wanted
    has = np.diff(comp.indptr) > 0
    pick = sparse.diags(has.astype(np.float64))
    return (pick @ comp + sparse.diags((~has).astype(np.float64)) @ wanted).tocsr()


def _element_table(substances: list[str]) -> tuple[list[str], np.ndarray]:
    """Substance × element mass-fraction table for substances with a known formula."""
    fractions = [element_mass_fractions(s) if not s.startswith("name:") else None for s in substances]
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
                       chunk: int = 500_000) -> np.ndarray:
    """``a[ai[k]] · b[bi[k]]`` for dense rows, chunked to bound the memory of the gathers."""
    out = np.empty(ai.shape[0], dtype=np.float64)
    for start in range(0, ai.shape[0], chunk):
        sl = slice(start, start + chunk)
        out[sl] = np.einsum("ij,ij->i", a[ai[sl]], b[bi[sl]])
    return out


def _text(record) -> str:
    """Titles carry the material's name in both languages; a description only stands in
    when there is no title (descriptions are long, repetitive and slow to vectorise)."""
    titles = " ".join(t for t in (record.title, record.title_zh) if t).strip()
    return titles or (record.description or "")[:200].strip()
