"""Rows packed by the worker that made them read as one list (``matching.packed_rows``)."""
from __future__ import annotations

import pickle
import random

import numpy as np
import pytest

from matching import packed_rows
from matching.packed_rows import PackedPart, PackedRows, sorted_by_score


def _parts(sizes: list[int], block_rows: int) -> tuple[list[PackedPart], list[list[tuple[float, str]]]]:
    rng = random.Random(7)
    rows = []
    for p, n in enumerate(sizes):
        # Few distinct scores: ties within and across parts, which a stable sort must keep in order
        part = [(float(rng.randint(0, 5)), f"p{p}-r{i}") for i in range(n)]
        part.sort(key=lambda r: -r[0])
        rows.append(part)
    return [PackedPart.of(r, block_rows) for r in rows], rows


def test_merged_parts_read_as_the_stable_sort_of_their_concatenation() -> None:
    parts, rows = _parts([7, 0, 12, 5], block_rows=3)
    merged = sorted_by_score(parts, [np.array([r[0] for r in part]) for part in rows])
    expected = sorted([r for part in rows for r in part], key=lambda r: -r[0])
    assert len(merged) == 24
    assert list(merged) == expected
    assert [merged[i] for i in range(len(merged))] == expected
    assert merged[-1] == expected[-1] and merged[2:9:3] == expected[2:9:3]
    with pytest.raises(IndexError):
        merged[24]


def test_parts_without_order_read_one_after_the_other_and_survive_pickling() -> None:
    parts, rows = _parts([4, 9], block_rows=4)
    seq = PackedRows(parts)
    assert list(seq) == rows[0] + rows[1]
    back = pickle.loads(pickle.dumps(seq))
    assert list(back) == rows[0] + rows[1] and back[5] == rows[1][1]
    assert len(pickle.dumps(seq)) < len(pickle.dumps(rows[0] + rows[1])) * 2  # blocks, not rows


def test_empty() -> None:
    assert list(PackedRows([])) == [] and len(sorted_by_score([], [])) == 0
    assert list(PackedRows([PackedPart.of([])])) == []


def test_iterating_merged_parts_unpacks_each_block_once(monkeypatch: pytest.MonkeyPatch) -> None:
    parts, rows = _parts([40, 33, 50], block_rows=8)
    merged = sorted_by_score(parts, [np.array([r[0] for r in part]) for part in rows])
    calls = []
    real = packed_rows.unpack
    monkeypatch.setattr(packed_rows, "unpack", lambda blob: calls.append(1) or real(blob))
    assert len(list(merged)) == 123
    assert len(calls) == sum(len(p.blocks) for p in parts)


def test_an_order_that_misses_a_row_is_refused() -> None:
    parts, _ = _parts([3], block_rows=2)
    with pytest.raises(ValueError, match="every row"):
        PackedRows(parts, np.array([0, 0, 2]))


def test_equal_to_the_list_it_stands_for() -> None:
    parts, rows = _parts([5, 6], block_rows=2)
    assert PackedRows(parts) == rows[0] + rows[1] == PackedRows(parts)
    assert PackedRows(parts) != rows[0] and PackedRows(parts) != list(reversed(rows[0] + rows[1]))
