"""Statistics of a whole run that the similarity model and the candidate index are fitted on.

A pair's similarity must not depend on which region of a national run scores it, so what the
model learns from *all* listings is kept apart from what it computes per listing:

* **statistics of the run** (``ModelStatistics``): substance document frequencies (the IDF of
  the composition block), the text vectoriser (character n-gram vocabulary and IDF) and the SVD
  basis of the text space, the waste-code vocabulary, and the reducers of the retrieval
  embedding (composition SVD, then the SVD of the whole embedding);
* **per-listing transforms** (``SimilarityModel.fit``, ``candidates``): each listing's vectors
  through those statistics.

The statistics are computed by map-reduce: ``partial_statistics`` over the listings one region
*owns* (each listing counted by exactly one region), ``merge_statistics`` on the driver (sums of
document frequencies, unions of distinct texts and codes, a deterministic sample of listings by
a hash of their id), which fits the bases on sorted, deterministic samples. ``fit_statistics``
is the same over one problem as a single partition: ``run_park`` and one-click use it, so a
region and the whole problem give a pair the same weight (to float rounding).
"""
from __future__ import annotations

import hashlib
import heapq
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.cluster import MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from catalog.material_terms import expand

from .problem import Problem
from .threads import with_limited_threads

TEXT_DIMENSIONS = 64
RETRIEVAL_DIMENSIONS = 32
COMPOSITION_DIMENSIONS = 32
SVD_SAMPLE = 20_000  # rows an SVD basis is fitted on (a random, seeded subset beyond)
SAMPLE_LISTINGS = 20_000  # listings kept (by the hash of their id) to fit the retrieval reducers
MAX_TEXTS = 50_000  # distinct texts the vectoriser is fitted on (the lowest hashes beyond)
CATEGORIES = 51  # column 0: not HW; 1..50: HW01..HW50
MAX_KEPT_TEXT_ROWS = 100_000  # distinct texts whose vectors the statistics keep (~26 MB at 64 dimensions)
# Up to this many columns a basis is the exact top of the SVD, from the columns' Gram matrix (a d x d eigenproblem:
# ~0.01 s at d = 150 where a randomized fit took ~0.15 s); wider matrices (the text n-grams) keep the randomized fit.
GRAM_MAX_COLUMNS = 1024

_OFFER, _NEED = 0, 1


@dataclass
class ListingSample:
    """The sampled listings of one partition, one row each (what the retrieval reducers need of them).

    Arrays rather than one object per listing: a partition samples up to ``SAMPLE_LISTINGS`` listings and the
    driver merges every partition's share, so the rows are gathered and merged in NumPy, not in a Python loop.
    """

    keys: np.ndarray  # uint64: the hash of the listing's id (its place in the sample)
    sides: np.ndarray  # int8: 0 offer, 1 need
    ids: np.ndarray  # int64: the listing's id (-1: none); listings sort by side, id, then position
    rows: np.ndarray  # int64: its position in its problem
    substances: list[str]  # the columns of ``profiles``
    profiles: sparse.csr_matrix  # raw profile: an offer's composition, a need's (``need_profiles``)
    category: np.ndarray  # int64: offer: its HW category; need: the category of the code it names (0 none)
    mask: np.ndarray  # uint64: need: the HW categories its enterprise's licences cover (bits)
    licensed: np.ndarray  # bool: need: its enterprise holds a licence
    texts: list[str]  # what is vectorised (``listing_texts``)

    def __len__(self) -> int:
        return int(self.keys.size)

    def take(self, at: np.ndarray) -> ListingSample:
        """The rows ``at``, in that order."""
        return ListingSample(keys=self.keys[at], sides=self.sides[at], ids=self.ids[at], rows=self.rows[at],
                             substances=self.substances, profiles=self.profiles[at], category=self.category[at],
                             mask=self.mask[at], licensed=self.licensed[at],
                             texts=[self.texts[i] for i in at.tolist()])

    def lowest(self, k: int) -> ListingSample:
        """The ``k`` rows of lowest (hash, side) (all when there are fewer), sorted by side, id, then position."""
        at = np.lexsort((self.sides, self.keys))[:k]
        return self.take(at[np.lexsort((self.rows[at], self.ids[at], self.sides[at]))])


def _concatenated(samples: list[ListingSample]) -> ListingSample:
    """The rows of every sample, their profiles in the union of their substance columns (sorted)."""
    substances = sorted(set().union(*(s.substances for s in samples)))
    position = {k: i for i, k in enumerate(substances)}
    profiles = [_in_columns(s.profiles, s.substances, position, len(substances)) for s in samples]
    return ListingSample(
        keys=np.concatenate([s.keys for s in samples]), sides=np.concatenate([s.sides for s in samples]),
        ids=np.concatenate([s.ids for s in samples]), rows=np.concatenate([s.rows for s in samples]),
        substances=substances, profiles=sparse.vstack(profiles, format="csr"),
        category=np.concatenate([s.category for s in samples]), mask=np.concatenate([s.mask for s in samples]),
        licensed=np.concatenate([s.licensed for s in samples]), texts=[t for s in samples for t in s.texts])


def _in_columns(m: sparse.csr_matrix, names: list[str], position: dict[str, int], width: int) -> sparse.csr_matrix:
    """``m`` (its columns named ``names``) with column ``name`` moved to ``position[name]`` of ``width``, each row's
    entries in column order."""
    cols = np.array([position[k] for k in names], dtype=np.int64)
    out = sparse.csr_matrix((m.data.astype(np.float64), cols[m.indices], m.indptr), shape=(m.shape[0], width))
    out.sort_indices()
    return out


@dataclass
class PartialStatistics:
    """One partition's share: counts over the listings it owns, its distinct texts and sampled listings."""

    documents: int = 0
    needs: int = 0
    substances: set[str] = field(default_factory=set)
    df: dict[str, int] = field(default_factory=dict)
    codes: set[str] = field(default_factory=set)
    texts: dict[int, str] = field(default_factory=dict)  # text hash -> text, the MAX_TEXTS lowest hashes
    sample: ListingSample | None = None  # the SAMPLE_LISTINGS listings of lowest (hash, side) it owns


@dataclass
class ModelStatistics:
    """The fitted statistics of a run (picklable; shared with every region that scores pairs)."""

    documents: int
    substances: list[str]  # sorted keys
    idf: np.ndarray  # float64 per substance: ln((1 + N) / (1 + df)), sklearn's smooth IDF without its +1
    codes: list[str]  # sorted waste codes, numbered from 1 (0: none)
    vectorizer: TfidfVectorizer | None  # None: no listing has a text
    text_svd: TruncatedSVD | None  # None: the text corpus is too small to reduce (dense n-gram vectors)
    composition_svd: Basis | TruncatedSVD | None  # None: few substances, the composition vectors are used as they are
    retrieval_svd: Basis | TruncatedSVD | None  # None: the stacked embedding is already compact
    sampled: int = 0  # listings the retrieval reducers were fitted on
    needs: int = 0  # needs of the run
    need_kmeans: MiniBatchKMeans | None = None  # the cells of the candidate index over needs (None: one cell)

    def __post_init__(self) -> None:
        self._position = {k: i for i, k in enumerate(self.substances)}

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_position", None)
        state.pop("_text_rows", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__post_init__()

    def idf_of(self, substances: list[str]) -> np.ndarray:
        """The IDF of each substance key (one nobody owned has document frequency 0)."""
        unseen = float(np.log((self.documents + 1) / 1) + 1.0 - 1.0)
        return np.array([self.idf[self._position[k]] if k in self._position else unseen for k in substances],
                        dtype=np.float64)

    def code_numbers(self, codes: list[str | None]) -> np.ndarray:
        """Waste codes as integers (0: none); a code outside the vocabulary gets a number beyond it."""
        numbers = {c: i for i, c in enumerate(self.codes, start=1)}
        extra = sorted({c for c in codes if c and c not in numbers})
        numbers.update({c: len(self.codes) + 1 + i for i, c in enumerate(extra)})
        return np.array([numbers.get(c, 0) if c else 0 for c in codes], dtype=np.int32)

    def text_vectors(self, texts: list[str]) -> np.ndarray:
        """Unit dense vectors of the texts (zero rows for empty texts), float32."""
        if self.vectorizer is None:
            return np.zeros((len(texts), 1), dtype=np.float32)
        # Listings repeat their titles a lot ("废机油"): vectorise each distinct text once, and once per
        # statistics (the fit's sample and the model ask for the same texts). Each row depends on its own
        # text only (TF-IDF, the SVD's product and the normalisation are row by row): kept rows are the
        # rows a fresh batch would give.
        unique, inverse = np.unique(np.array(texts, dtype=object), return_inverse=True)
        kept: dict[str, np.ndarray] = self.__dict__.setdefault("_text_rows", {})
        distinct = unique.tolist()
        missing = [t for t in distinct if t not in kept]
        if missing:
            fresh = self._text_rows_of(missing)
            if len(kept) + len(missing) <= MAX_KEPT_TEXT_ROWS:
                kept.update(zip(missing, fresh))
            else:  # a national run's corpus: no memo, the rows of this batch only
                rows = dict(zip(missing, fresh))
                return np.stack([kept[t] if t in kept else rows[t] for t in distinct])[inverse.ravel()]
        dense = np.stack([kept[t] for t in distinct]) if distinct else np.zeros((0, self._text_width()),
                                                                                  dtype=np.float32)
        return dense[inverse.ravel()]

    def _text_rows_of(self, texts: list[str]) -> np.ndarray:
        """``text_vectors`` of distinct texts (a zero row for the empty text)."""
        tfidf = self.vectorizer.transform(texts)
        if self.text_svd is not None:
            dense = normalize(self.text_svd.transform(tfidf), axis=1).astype(np.float32)
        else:  # a corpus too small to reduce: the exact sparse vectors densified
            dense = normalize(tfidf, axis=1).toarray().astype(np.float32)
        dense[np.array([not t for t in texts], dtype=bool)] = 0.0
        return dense

    def _text_width(self) -> int:
        return self.text_svd.n_components if self.text_svd is not None else len(self.vectorizer.vocabulary_)

    def global_columns(self, m: sparse.csr_matrix, substances: list[str]) -> sparse.csr_matrix:
        """``m`` (columns: ``substances``, sorted) with the run's substance columns."""
        known = np.array([k in self._position for k in substances], dtype=bool)
        if not known.all():  # a substance nobody owned: it cannot add to a dot product with the basis
            m = m[:, np.flatnonzero(known)]
            substances = [k for k, ok in zip(substances, known, strict=True) if ok]
        cols = np.array([self._position[k] for k in substances], dtype=np.int64)
        m = sparse.csr_matrix(m)
        return sparse.csr_matrix((m.data, cols[m.indices], m.indptr), shape=(m.shape[0], len(self.substances)))

    @with_limited_threads
    def embed(self, o_comp: sparse.csr_matrix, n_comp: sparse.csr_matrix, o_cat: np.ndarray, n_cat: np.ndarray,
              o_text: np.ndarray, n_text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Retrieval embeddings: unit dense vectors in which a dot product approximates the similarity model.

        ``o_comp``/``n_comp`` are unit composition rows in the run's substance columns
        (``global_columns``); the category and text blocks are the listings' own.
        """
        o, n = self.stacked(o_comp, n_comp, o_cat, n_cat, o_text, n_text)
        if self.retrieval_svd is not None:  # a compact space keeps the pre-ranking of millions of pairs cheap
            o = normalize(self.retrieval_svd.transform(o), axis=1)
            n = normalize(self.retrieval_svd.transform(n), axis=1)
        return o.astype(np.float32), n.astype(np.float32)

    def stacked(self, o_comp: sparse.csr_matrix, n_comp: sparse.csr_matrix, o_cat: np.ndarray, n_cat: np.ndarray,
                o_text: np.ndarray, n_text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The unreduced retrieval rows (composition, category and text blocks), unit length, float64."""
        comp_o, comp_n = self._reduce_composition(o_comp), self._reduce_composition(n_comp)
        return (normalize(np.hstack([0.7 * comp_o, 0.6 * o_cat, 0.45 * o_text]), axis=1),
                normalize(np.hstack([0.7 * comp_n, 0.6 * n_cat, 0.45 * n_text]), axis=1))

    def _reduce_composition(self, comp: sparse.csr_matrix) -> np.ndarray:
        if self.composition_svd is None:
            return comp.toarray()
        return normalize(self.composition_svd.transform(comp), axis=1)


class Basis:
    """The top right singular vectors of a matrix, as ``TruncatedSVD`` keeps them (``components_``, ``transform``).

    Fitted exactly (``fit_basis``), so the reduced space is the best one of its size, the same on every run,
    and cheaper to find than a randomized approximation when the matrix is narrow.
    """

    def __init__(self, components: np.ndarray) -> None:
        self.components_ = components
        self.n_components = components.shape[0]

    def transform(self, m: Any) -> np.ndarray:
        """The rows of ``m`` (dense or sparse) in the reduced space (not normalised), as ``TruncatedSVD`` gives them."""
        return np.asarray(m @ self.components_.T)


def fit_basis(m: Any, k: int) -> Basis | TruncatedSVD:
    """The ``k``-dimensional SVD basis of the rows of ``m`` (``SVD_SAMPLE`` of them, seeded, beyond that).

    A matrix of at most ``GRAM_MAX_COLUMNS`` columns: the ``k`` leading eigenvectors of its Gram matrix
    ``mᵀm`` in float64 (exact; each signed so that its largest entry is positive, as sklearn's ``svd_flip``).
    Wider: sklearn's randomized ``TruncatedSVD`` (seeded).
    """
    m = _rows_sample(m)
    if m.shape[1] > GRAM_MAX_COLUMNS:
        return TruncatedSVD(n_components=k, random_state=0).fit(m)
    if sparse.issparse(m):
        m = sparse.csr_matrix(m, dtype=np.float64)
        gram = (m.T @ m).toarray()
    else:
        m = np.asarray(m, dtype=np.float64)
        gram = m.T @ m
    _values, vectors = np.linalg.eigh(gram)  # ascending eigenvalues
    top = vectors[:, ::-1][:, :k].T.copy()
    signs = np.sign(top[np.arange(top.shape[0]), np.argmax(np.abs(top), axis=1)])
    top *= np.where(signs == 0, 1.0, signs)[:, None]
    return Basis(top)


# --- per-listing raw material (shared by the statistics and the model) ------------------------------


def need_profiles(problem: Problem) -> sparse.csr_matrix:
    """Each need's composition, or its wanted minima when it states no composition."""
    comp, wanted = problem.n.composition, problem.n.wanted
    has = np.diff(comp.indptr) > 0
    pick = sparse.diags(has.astype(np.float64))
    return (pick @ comp + sparse.diags((~has).astype(np.float64)) @ wanted).tocsr()


def raw_text(record) -> str:
    """Titles carry the material's name; a description only stands in when there is no title
    (descriptions are long, repetitive and slow to vectorise)."""
    titles = " ".join(t for t in (record.title, record.title_zh) if t).strip()
    return titles or (record.description or "")[:200].strip()


_TEXTS_ATTR = "_wastematch_listing_texts"


def problem_texts(problem: Problem) -> tuple[list[str], list[str]]:
    """(``raw_text``, ``listing_texts``) of the offers then the needs of ``problem``, computed once per problem.

    Kept on the problem (built once per run and never changed, as ``rules.features`` keeps its
    features): the statistics and the model read the same texts.
    """
    cached = problem.__dict__.get(_TEXTS_ATTR)
    if cached is None:
        raw = [raw_text(r) for r in problem.offers] + [raw_text(r) for r in problem.needs]
        cached = problem.__dict__[_TEXTS_ATTR] = (raw, listing_texts(raw))
    return cached


def listing_texts(raw: list[str]) -> list[str]:
    """What is vectorised: each text plus the glossary's words for every material it names in both
    languages (``expand``), so that a Chinese-only and an English-only title of one material share n-grams."""
    return [f"{t} {expand(t)}".strip() if t else "" for t in raw]


def need_categories(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Per need: the HW categories its enterprise's licences cover (bits; valid or not: similarity says what
    the receiver is *for*, the licence rule judges validity), and whether it holds any licence."""
    n = problem.n
    masks = np.zeros(n.size, dtype=np.uint64)
    licensed = np.zeros(n.size, dtype=bool)
    for j, e in enumerate(n.enterprise.tolist()):
        lic = problem.licences_of_enterprise.get(e)
        if lic:
            masks[j] = np.bitwise_or.reduce(problem.lic_categories[lic])
            licensed[j] = True
    return masks, licensed


def category_vectors(o_category: np.ndarray, n_mask: np.ndarray, n_licensed: np.ndarray,
                     n_category: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-hot HW category of offers (column 0: not HW); the categories a need's licences cover, or names."""
    o = np.zeros((o_category.shape[0], CATEGORIES), dtype=np.float32)
    o[np.arange(o_category.shape[0]), o_category] = 1.0
    bits = np.arange(CATEGORIES, dtype=np.uint64)
    n = ((n_mask[:, None] >> bits[None, :]) & np.uint64(1)).astype(np.float32)
    n[:, 0] = (~n_licensed).astype(np.float32)  # general receivers take general offers
    named = n_category > 0
    n[np.flatnonzero(named), n_category[named]] = 1.0
    return o, normalize(n, axis=1)


def composition_rows(raw: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Unit rows of √fraction × IDF (presence matters more than amount); zero rows stay zero."""
    m = sparse.csr_matrix(raw.sqrt() @ sparse.diags(idf)) if raw.shape[1] else sparse.csr_matrix(raw)
    m.eliminate_zeros()
    return normalize(m, norm="l2", axis=1).tocsr() if m.shape[1] else m


# --- map: one partition -----------------------------------------------------------------------------


def partial_statistics(problem: Problem, offers: np.ndarray | None = None,
                       needs: np.ndarray | None = None) -> PartialStatistics:
    """The statistics of the listings of ``problem`` this partition owns (row indices; default: all)."""
    oi = np.arange(problem.o.size) if offers is None else np.asarray(offers, dtype=np.int64)
    ni = np.arange(problem.n.size) if needs is None else np.asarray(needs, dtype=np.int64)
    out = PartialStatistics(documents=int(oi.size + ni.size), needs=int(ni.size))
    o_raw, n_raw = problem.o.composition[oi], need_profiles(problem)[ni]
    # Document frequency counts stored entries, as sklearn's does (an explicit 0 fraction counts).
    counts = np.bincount(np.concatenate([o_raw.indices, n_raw.indices]), minlength=len(problem.substances))
    out.df = {problem.substances[i]: int(counts[i]) for i in np.flatnonzero(counts).tolist()}
    offers_l, needs_l = [problem.offers[i] for i in oi.tolist()], [problem.needs[j] for j in ni.tolist()]
    out.substances = {k for r in offers_l for k in r.composition} | {
        k for r in needs_l for k in (*r.composition, *r.wanted, *r.limits)}
    out.codes = {r.waste_code for r in (*offers_l, *needs_l) if r.waste_code}
    all_texts = problem_texts(problem)[1]
    o_text = [all_texts[i] for i in oi.tolist()]
    n_text = [all_texts[problem.o.size + j] for j in ni.tolist()]
    # The empty text is part of the corpus when a listing has none (as one process always fitted it).
    out.texts = _lowest({_hash_text(t): t for t in set(o_text) | set(n_text)}, MAX_TEXTS)
    masks, licensed = need_categories(problem)
    raw = sparse.vstack([o_raw, n_raw], format="csr")
    used = np.unique(raw.indices)  # the sample's columns: the substances its listings name
    raw = sparse.csr_matrix((raw.data, np.searchsorted(used, raw.indices), raw.indptr), shape=(raw.shape[0], used.size))
    o_ids = np.array([_id_or(r.id, -1) for r in offers_l], dtype=np.int64)
    n_ids = np.array([_id_or(r.id, -1) for r in needs_l], dtype=np.int64)
    listings = ListingSample(
        keys=np.concatenate([_listing_hashes([r.id for r in offers_l], oi, _OFFER),
                             _listing_hashes([r.id for r in needs_l], ni, _NEED)]),
        sides=np.concatenate([np.full(oi.size, _OFFER, dtype=np.int8), np.full(ni.size, _NEED, dtype=np.int8)]),
        ids=np.concatenate([o_ids, n_ids]), rows=np.concatenate([oi, ni]),
        substances=[problem.substances[i] for i in used.tolist()], profiles=raw,
        category=np.concatenate([problem.o.category[oi], problem.n.category[ni]]).astype(np.int64),
        mask=np.concatenate([np.zeros(oi.size, dtype=np.uint64), masks[ni]]),
        licensed=np.concatenate([np.zeros(oi.size, dtype=bool), licensed[ni]]), texts=o_text + n_text)
    out.sample = listings.lowest(SAMPLE_LISTINGS)
    return out


def _listing_hashes(ids: list[int | None], rows: np.ndarray, side: int) -> np.ndarray:
    """The hash of each listing (uint64): a listing's place in the sample depends on its id only, not on its region."""
    if any(i is None for i in ids):  # records without ids (one problem, never a regional run): by position
        values = rows.astype(np.uint64)
    else:
        values = np.array(ids, dtype=np.int64).astype(np.uint64)
    return _splitmix64(values + np.uint64(side) * np.uint64(0x9E3779B97F4A7C15))


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """A well-mixed 64-bit hash of each value (deterministic on every machine)."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _hash_text(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def _lowest(items: dict[Any, Any], k: int) -> dict[Any, Any]:
    """The ``k`` entries of lowest key (all when there are fewer): a sample the same for any partition."""
    if len(items) <= k:
        return items
    return {key: items[key] for key in heapq.nsmallest(k, items)}


def _id_or(value: int | None, default: int) -> int:
    return default if value is None else int(value)


# --- reduce: the driver -----------------------------------------------------------------------------


@with_limited_threads
def merge_statistics(parts: list[PartialStatistics]) -> ModelStatistics:
    """The run's statistics from every partition's share; the bases fitted on sorted, deterministic samples."""
    documents = sum(p.documents for p in parts)
    df: dict[str, int] = {}
    for p in parts:
        for k, c in p.df.items():
            df[k] = df.get(k, 0) + c
    substances = sorted(set().union(*(p.substances for p in parts)) | set(df))
    counts = np.array([df.get(k, 0) for k in substances], dtype=np.float64)
    # sklearn's smooth IDF, computed as it does, minus its +1: a component every listing has (water) weighs
    # nothing, a rare one ln(N/df).
    idf = (np.log((documents + 1) / (counts + 1)) + 1.0) - 1.0 if substances else np.zeros(0)
    codes = sorted(set().union(*(p.codes for p in parts)))
    texts = _lowest({h: t for p in parts for h, t in p.texts.items()}, MAX_TEXTS)
    vectorizer, text_svd = _fit_text(sorted(set(texts.values())))
    stats = ModelStatistics(documents=documents, substances=substances, idf=idf, codes=codes, vectorizer=vectorizer,
                            text_svd=text_svd, composition_svd=None, retrieval_svd=None,
                            needs=sum(p.needs for p in parts))
    samples = [p.sample for p in parts if p.sample is not None]
    if samples:
        _fit_retrieval(stats, _concatenated(samples).lowest(SAMPLE_LISTINGS))
    return stats


def statistics_key(problem: Problem) -> str:
    """A digest of everything ``fit_statistics(problem)`` reads: two problems with the same key have the same
    statistics, whatever else differs (quantities, prices, dates, places). One-click keeps its statistics
    while only quantities change (an accepted match reserves tonnes), instead of fitting them again."""
    h = hashlib.blake2b(digest_size=16)
    for records in (problem.offers, problem.needs):
        for r in records:
            h.update(repr((r.id, raw_text(r), r.waste_code, sorted(r.composition.items()),
                           sorted(getattr(r, "wanted", {}).items()), sorted(getattr(r, "limits", {}))))
                     .encode("utf-8"))
        h.update(b"|")
    masks, licensed = need_categories(problem)
    for array in (problem.o.category, problem.n.category, masks, licensed):
        h.update(np.ascontiguousarray(array).tobytes())
    return h.hexdigest()


def fit_statistics(problem: Problem) -> ModelStatistics:
    """The statistics of one problem as a single partition (``run_park``, one-click)."""
    return merge_statistics([partial_statistics(problem)])


def _fit_text(texts: list[str]) -> tuple[TfidfVectorizer | None, TruncatedSVD | None]:
    """The character n-gram vectoriser and the SVD of its space, fitted on the sorted distinct texts."""
    if not any(texts):
        return None, None
    # char_wb n-grams work for Chinese (no word boundaries) and English alike.
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True, min_df=1,
                                 dtype=np.float32)
    tfidf = vectorizer.fit_transform(texts)
    k = min(TEXT_DIMENSIONS, tfidf.shape[0] - 1, tfidf.shape[1] - 1)
    if k < 2:
        return vectorizer, None
    svd = TruncatedSVD(n_components=k, random_state=0)
    svd.fit(_rows_sample(tfidf))
    return vectorizer, svd


def _rows_sample(m: Any) -> Any:
    """At most ``SVD_SAMPLE`` rows of ``m``, chosen by a seeded generator: the same rows for the same ``m``."""
    if m.shape[0] <= SVD_SAMPLE:
        return m
    return m[np.random.default_rng(0).choice(m.shape[0], SVD_SAMPLE, replace=False)]


def _fit_retrieval(stats: ModelStatistics, sample: ListingSample) -> None:
    """The composition reducer and the retrieval reducer, fitted on the sampled listings (offers, then needs)."""
    stats.sampled = len(sample)
    offer = sample.sides == _OFFER
    profiles = _in_columns(sample.profiles, sample.substances, stats._position, len(stats.substances))
    o_comp = composition_rows(profiles[offer], stats.idf)
    n_comp = composition_rows(profiles[~offer], stats.idf)
    both = sparse.vstack([o_comp, n_comp]).tocsr()
    if both.shape[1] > COMPOSITION_DIMENSIONS:
        stats.composition_svd = fit_basis(both, COMPOSITION_DIMENSIONS)
    o_cat, n_cat = category_vectors(sample.category[offer], sample.mask[~offer], sample.licensed[~offer],
                                    sample.category[~offer])
    texts = np.array(sample.texts, dtype=object)
    o, n = stats.stacked(o_comp, n_comp, o_cat, n_cat, stats.text_vectors(texts[offer].tolist()),
                         stats.text_vectors(texts[~offer].tolist()))
    if o.shape[1] > RETRIEVAL_DIMENSIONS and o.shape[0] + n.shape[0] > RETRIEVAL_DIMENSIONS:
        stats.retrieval_svd = fit_basis(np.vstack([o, n]), RETRIEVAL_DIMENSIONS)
    _fit_need_cells(stats, n)


def _fit_need_cells(stats: ModelStatistics, n_stacked: np.ndarray) -> None:
    """The k-means cells of the candidate index over needs, fitted on the sampled needs' retrieval embeddings
    (``n_stacked``: their unreduced rows, as ``stacked`` gives them): a need falls in the same cell whichever
    region holds it (about √needs / 2 cells, as one process had)."""
    cells = max(1, round(math.sqrt(stats.needs) / 2))
    size = n_stacked.shape[0]
    if cells == 1 or size < 8 or size < cells:
        return
    # What ``embed`` gives for these needs, from the rows already stacked (no second pass over the sample).
    n_embed = n_stacked if stats.retrieval_svd is None else normalize(stats.retrieval_svd.transform(n_stacked), axis=1)
    n_embed = n_embed.astype(np.float32)
    # k-means++ on a sample: the cells only need to group like with like, not be optimal.
    stats.need_kmeans = MiniBatchKMeans(n_clusters=cells, random_state=0, n_init=1, batch_size=4096,
                                        init_size=min(size, max(3 * cells, 2000))).fit(n_embed)
