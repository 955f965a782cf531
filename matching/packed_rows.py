"""Rows kept compressed until they are read: a national run's proposals and unserved listings.

A 1M × 1M run makes about a million proposals. As objects (each with its fourteen checks, reasons
and similarity terms) they take ~3.7 KB each: the driver of a two-worker run ran out of memory
gathering them. Packed by the worker that explained them, in blocks of ``BLOCK_ROWS`` compressed
pickles, they take ~0.3 KB each and are never all unpacked at once: ``PackedRows`` is a read-only
sequence that unpacks a block when a row of it is read and forgets it when its last row has been read
(iteration) or when newer blocks push it out (indexing).
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

from .packing import pack, unpack

# ~1,000 rows a block: compression is nearly as good as for whole regions (~275 vs ~260 bytes a proposal),
# and iterating rows merged from 32 regions holds at most 32 blocks unpacked (~120 MB of proposals).
BLOCK_ROWS = 1024
# Blocks kept unpacked for reads by index (``rows[i]``); iteration keeps what its order still needs.
_KEPT_FOR_INDEXING = 4


@dataclass
class PackedPart:
    """One producer's rows (a region's proposals, say), in order, as compressed blocks."""

    blocks: list[bytes]
    sizes: list[int]  # rows per block

    @classmethod
    def of(cls, rows: Sequence[Any], block_rows: int = BLOCK_ROWS) -> PackedPart:
        """``rows`` packed in blocks of ``block_rows``."""
        starts = range(0, len(rows), block_rows)
        return cls([pack(list(rows[i:i + block_rows])) for i in starts],
                   [min(block_rows, len(rows) - i) for i in starts])


class PackedRows(Sequence[Any]):
    """The rows of several packed parts, one after the other or in a given ``order``.

    ``order`` (optional) lists flat row numbers (part by part, in part order) in the order the
    sequence gives them; it is how proposals packed region by region read as one list sorted by score.
    """

    def __init__(self, parts: Sequence[PackedPart], order: np.ndarray | None = None) -> None:
        self._blocks: list[bytes] = [b for part in parts for b in part.blocks]
        sizes = [n for part in parts for n in part.sizes]
        self._starts = np.concatenate([[0], np.cumsum(np.asarray(sizes, dtype=np.int64))]).astype(np.int64)
        total = int(self._starts[-1])
        if order is not None:
            order = np.asarray(order, dtype=np.int64)
            if order.shape != (total,) or (total and not np.array_equal(np.sort(order), np.arange(total))):
                raise ValueError("order must list every row exactly once")
        self._order = order
        self._kept: OrderedDict[int, list[Any]] = OrderedDict()

    def __len__(self) -> int:
        return int(self._starts[-1])

    def _flat(self, ranks: np.ndarray) -> np.ndarray:
        return ranks if self._order is None else self._order[ranks]

    def _block(self, b: int) -> list[Any]:
        rows = self._kept.get(b)
        if rows is None:
            rows = unpack(self._blocks[b])
            self._kept[b] = rows
            while len(self._kept) > _KEPT_FOR_INDEXING:
                self._kept.popitem(last=False)
        else:
            self._kept.move_to_end(b)
        return rows

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("row index out of range")
        flat = int(self._flat(np.array([index]))[0])
        b = int(np.searchsorted(self._starts, flat, side="right")) - 1
        return self._block(b)[flat - int(self._starts[b])]

    def __iter__(self) -> Iterator[Any]:
        n = len(self)
        if n == 0:
            return
        flat = self._flat(np.arange(n, dtype=np.int64))
        block = np.searchsorted(self._starts, flat, side="right") - 1
        offset = flat - self._starts[block]
        left = np.bincount(block, minlength=len(self._blocks))
        # A block is unpacked at its first row in this order and dropped after its last: merged parts
        # each sorted the same way hold one open block per part.
        open_blocks: dict[int, list[Any]] = {}
        for b, i in zip(block.tolist(), offset.tolist(), strict=True):
            rows = open_blocks.get(b)
            if rows is None:
                rows = open_blocks[b] = unpack(self._blocks[b])
            left[b] -= 1
            if not left[b]:
                del open_blocks[b]
            yield rows[i]

    def __eq__(self, other: object) -> bool:
        # Equal to any sequence of the same rows (a list included), as the list it stands for would be
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)) or len(other) != len(self):
            return NotImplemented if not isinstance(other, Sequence) else False
        return all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, like the list it stands for

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as blocks, never as rows
        return (PackedRows, ([PackedPart(self._blocks, np.diff(self._starts).tolist())], self._order))


def sorted_by_score(parts: Sequence[PackedPart], scores: Sequence[np.ndarray]) -> PackedRows:
    """Parts of proposals (each already sorted by score, highest first) as one list sorted by score.

    The sort is stable over the parts in order, as ``sorted(key=-score)`` of the concatenation is.
    """
    flat = np.concatenate([np.asarray(s, dtype=np.float64) for s in scores]) if scores else np.zeros(0)
    return PackedRows(parts, np.argsort(-flat, kind="stable"))
