"""Compressed pickles of listing records that load fast: what a process keeps of a region between tasks.

The records (``Site``, ``OfferRecord``, ``NeedRecord``, …) are frozen slotted dataclasses. Plain
pickle rebuilds each through the dataclass ``__setstate__``, which looks the fields up again for
every object: unpickling a 1M × 1M region's 130,000 records took most of its reload. Here each
record is reduced to its class and field values and rebuilt by ``object.__new__`` and one slot
write per field; the same objects come back (a site shared by records stays shared).
"""
from __future__ import annotations

import copyreg
import io
import pickle
import zlib
from dataclasses import fields
from typing import Any

from .collector import gc_paused
from .problem import LicenceRecord, NeedRecord, OfferRecord, PointToPointApproval, Site

_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in fields(cls)) for cls in (Site, OfferRecord, NeedRecord, LicenceRecord,
                                                         PointToPointApproval)}


def _rebuild(cls: type, values: tuple[Any, ...]) -> Any:
    """A record of ``cls`` with ``values`` in field order (frozen: written as its ``__init__`` does)."""
    obj = object.__new__(cls)
    for name, value in zip(_FIELDS[cls], values, strict=True):
        object.__setattr__(obj, name, value)
    return obj


def _reduce(obj: Any) -> tuple[Any, tuple[type, tuple[Any, ...]]]:
    cls = type(obj)
    return _rebuild, (cls, tuple(getattr(obj, name) for name in _FIELDS[cls]))


# A private table: pickling elsewhere in the process (Dask's transfers included) is unchanged.
_TABLE = copyreg.dispatch_table.copy()
_TABLE.update({cls: _reduce for cls in _FIELDS})


def pack(value: Any) -> bytes:
    """``value`` (records, lists and dataclasses of them, arrays) as a zlib-compressed pickle."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _TABLE
    pickler.dump(value)
    return zlib.compress(buf.getbuffer(), 1)  # level 1: ~3x smaller, ~1 ms a park to undo


def unpack(blob: bytes) -> Any:
    """What ``pack`` packed."""
    raw = zlib.decompress(blob)
    with gc_paused():  # records hold no cycles: a collection mid-load scans them all for nothing
        return pickle.loads(raw)
