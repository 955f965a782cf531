"""Candidate arcs (offer index, need index) and what each stage learns about them."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Arcs:
    """Parallel arrays, one entry per candidate pair; stages fill their columns in place.

    ``licence`` is the index (into ``Problem.licences``) of the licence whose capacity an
    arc draws on, -1 for none; ``exemption`` the index of the exemption that lifted the
    licence requirement (into ``matching.exemptions.EXEMPTION_RULES``; -2 for a
    point-to-point approval, see ``approval``), -1 for none.
    """

    offer: np.ndarray  # int64
    need: np.ndarray  # int64
    distance_km: np.ndarray  # float64, road km
    similarity: np.ndarray | None = None  # float64 in [0, 1]
    # bool: evidence that the material fits the need (SimilarityModel.pair_evidence); None = not judged
    # (a pair a user names explicitly). A pair without it is never recommended nor allocated.
    fit: np.ndarray | None = None
    licence: np.ndarray | None = None  # int64
    exemption: np.ndarray | None = None  # int64
    approval: np.ndarray | None = None  # int64 index into Problem.approvals, -1 none
    checks: dict[str, np.ndarray] = field(default_factory=dict)  # rule code -> passed (bool per arc)
    # rule code -> unknown (bool per arc): not passed only because the declared data do not decide it
    # (``checks`` is False there too, so a consumer reading only ``checks`` blocks the arc: when in doubt, block)
    unknown: dict[str, np.ndarray] = field(default_factory=dict)
    weight: np.ndarray | None = None  # int64 objective units per tonne
    max_t: np.ndarray | None = None  # float64, most an arc may carry

    def __len__(self) -> int:
        return int(self.offer.shape[0])

    def fitting(self) -> np.ndarray:
        """True where there is evidence of fit (every arc when fit was not judged)."""
        return np.ones(len(self), dtype=bool) if self.fit is None else self.fit

    def passed_hard(self, hard_codes: tuple[str, ...]) -> np.ndarray:
        """True where every hard check in ``hard_codes`` passed."""
        ok = np.ones(len(self), dtype=bool)
        for code in hard_codes:
            if code in self.checks:
                ok &= self.checks[code]
        return ok

    def failed_hard(self, hard_codes: tuple[str, ...]) -> np.ndarray:
        """True where a hard check in ``hard_codes`` failed outright (not passed and not unknown)."""
        bad = np.zeros(len(self), dtype=bool)
        for code in hard_codes:
            if code in self.checks:
                failed = ~self.checks[code]
                if code in self.unknown:
                    failed &= ~self.unknown[code]
                bad |= failed
        return bad

    def any_unknown(self, codes: tuple[str, ...] | None = None) -> np.ndarray:
        """True where a check (of ``codes``, default every code) is unknown."""
        out = np.zeros(len(self), dtype=bool)
        for code, unknown in self.unknown.items():
            if codes is None or code in codes:
                out |= unknown
        return out

    def subset(self, mask_or_index: np.ndarray) -> Arcs:
        """A new ``Arcs`` with only the selected entries (boolean mask or index array)."""
        pick = lambda a: None if a is None else a[mask_or_index]  # noqa: E731
        return Arcs(offer=self.offer[mask_or_index], need=self.need[mask_or_index],
                    distance_km=self.distance_km[mask_or_index], similarity=pick(self.similarity), fit=pick(self.fit),
                    licence=pick(self.licence), exemption=pick(self.exemption), approval=pick(self.approval),
                    checks={k: v[mask_or_index] for k, v in self.checks.items()},
                    unknown={k: v[mask_or_index] for k, v in self.unknown.items()},
                    weight=pick(self.weight), max_t=pick(self.max_t))
