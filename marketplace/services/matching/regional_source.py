"""The database as a region source (``matching.regions.RegionSource``): listings read region by region.

A ``DatabaseSource`` travels to dask workers (it is pickled), so it holds the database URL, never an engine:
each process that calls it opens its own engine, without a pool (a worker's connections must not outlive
its task, nor be shared across processes). The driver asks for counts only; each worker reads its region
with a server-side cursor and builds the records with the code ``engine_input.build_problem`` uses.

Workers read what is committed: a run sees the listings committed before it started, not the uncommitted
writes of the transaction that stores it.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, Float, Integer, Select, case, cast, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.pool import NullPool

from matching.problem import NeedRecord, OfferRecord, Settings
from matching.quantities import annual_tonnes
from matching.regions import Region, RegionData

from ...db import make_engine
from ...models import Enterprise, Licence, Listing, PointToPointApprovalRow
from .engine_input import (
    LISTING_LOADS,
    approval_record,
    licence_record,
    licence_used,
    listing_record,
    park_id_of,
    reserved_tonnes,
)

# Rows fetched per round trip of a region's server-side cursor.
YIELD_PER = 2000
# Ids per IN (…) when a region's licences and approvals are read by enterprise.
IN_CHUNK = 5000

# One engine per database URL and process (dask workers are processes; the driver is one too).
_ENGINES: dict[str, Engine] = {}


def _engine(url: str) -> Engine:
    engine = _ENGINES.get(url)
    if engine is None:
        engine = _ENGINES[url] = make_engine(url, poolclass=NullPool)
    return engine


def _floor(x, dialect: str):
    """``floor(x)`` as an integer on both databases (SQLite's floor() depends on how it was compiled)."""
    if dialect == "sqlite":
        truncated = cast(x, Integer)  # towards zero: one less for a negative fraction
        return truncated - case((x < truncated, 1), else_=0)
    return cast(func.floor(x), Integer)


@dataclass(frozen=True)
class DatabaseSource:
    """The active listings of the database at ``url`` (of park ``park``, else every park) as regions."""

    url: str
    settings: Settings
    park: str | None = None

    def _session(self) -> Session:
        return Session(_engine(self.url))

    def _listings(self, session: Session, kind: str) -> Select:
        """The active listings of ``kind`` in scope, joined to their enterprises (whose coordinates place them)."""
        q = select(Listing).join(Listing.enterprise).where(Listing.status == "active", Listing.kind == kind)
        if self.park is not None:
            q = q.where(Enterprise.park_id == park_id_of(session, self.park))
        return q

    def offer_counts(self, cell_deg: float) -> dict[tuple[int, int], int]:
        """Active offers per grid cell ``(floor(lat / cell_deg), floor(lon / cell_deg))``, by one GROUP BY."""
        if not (cell_deg > 0 and math.isfinite(cell_deg)):
            raise ValueError(f"cell_deg must be a positive number of degrees, not {cell_deg!r}")
        with self._session() as session:
            dialect = session.get_bind().dialect.name
            cell = cast(float(cell_deg), Float)
            inner = self._listings(session, "offer").with_only_columns(
                _floor(Enterprise.lat / cell, dialect).label("i"),
                _floor(Enterprise.lon / cell, dialect).label("j")).subquery()
            # Grouped outside: the same bound cell size twice in one GROUP BY is two expressions to PostgreSQL.
            rows = session.execute(select(inner.c.i, inner.c.j, func.count()).group_by(inner.c.i, inner.c.j))
            return {(int(i), int(j)): int(n) for i, j, n in rows}

    def max_reach_km(self) -> float:
        """The longest road distance an active need accepts (a need that names none: the default radius)."""
        with self._session() as session:
            reach = func.coalesce(Listing.max_distance_km, self.settings.default_max_distance_km)
            value = session.scalar(self._listings(session, "need").with_only_columns(func.max(reach)))
            return float(value or 0.0)

    def load(self, region: Region) -> RegionData:
        """The region's records: offers in its core box, needs in its halo box, their licences and the
        approvals of its offers' producers, exactly as ``build_problem`` would build them."""
        south, north, west, east = region.halo_box()
        with self._session() as session:
            core = self._listings(session, "offer").where(
                Enterprise.lat >= region.south, Enterprise.lat < region.north,
                Enterprise.lon >= region.west, Enterprise.lon < region.east)
            halo = self._listings(session, "need").where(
                Enterprise.lat >= south, Enterprise.lat <= north, Enterprise.lon >= west, Enterprise.lon <= east)
            ids = core.with_only_columns(Listing.id).union_all(halo.with_only_columns(Listing.id)).subquery()
            reserved = reserved_tonnes(session, select(ids.c.id))
            # Enterprises noted while streaming: a subquery repeating the region's joins costs PostgreSQL more.
            producers: set[int] = set()
            takers: set[int] = set()
            offers = list(_records(session, core, reserved, producers))
            # The halo box is the SQL prefilter; a need is kept when its own reach meets the core (Region.reaches)
            needs = list(_records(session, halo, reserved, takers, reaching=(region, self.settings)))
            # Licences of every enterprise with a listing in the region, exhausted or not (as build_problem).
            licence_rows = [lic for chunk in _chunks(sorted(producers | takers)) for lic in session.scalars(
                select(Licence).where(Licence.enterprise_id.in_(chunk)).options(selectinload(Licence.enterprise)))]
            licence_rows.sort(key=lambda lic: lic.id)
            used = licence_used(session, self.settings.today.year, [lic.number for lic in licence_rows])
            licences = [licence_record(lic, used) for lic in licence_rows]
            approval_rows = [a for chunk in _chunks(sorted(producers)) for a in session.scalars(
                select(PointToPointApprovalRow).where(PointToPointApprovalRow.producer_id.in_(chunk)).options(
                    selectinload(PointToPointApprovalRow.producer), selectinload(PointToPointApprovalRow.receiver)))]
            approvals = [approval_record(a) for a in sorted(approval_rows, key=lambda a: a.id)]
        return RegionData(offers=offers, needs=needs, licences=licences, approvals=approvals)


def _records(session: Session, q: Select, reserved: dict[int, float], enterprises: set[int],
             reaching: tuple[Region, Settings] | None = None) -> Iterator[OfferRecord | NeedRecord]:
    """The records of ``q``'s listings in id order, streamed from a server-side cursor; every listing's
    enterprise (exhausted listings too) is added to ``enterprises``. ``reaching``: needs only, keep those
    whose own reach meets the region's core (``Region.reaches``), by the listing's own site and limit."""
    rows = session.scalars(q.order_by(Listing.id).options(*LISTING_LOADS).execution_options(yield_per=YIELD_PER))
    for x in rows:
        if reaching is not None and not _reaches(x, *reaching):
            continue
        enterprises.add(x.enterprise_id)
        record = listing_record(x, reserved)
        if record is not None:
            yield record


def _reaches(x: Listing, region: Region, settings: Settings) -> bool:
    """Whether need listing ``x`` may reach an offer of ``region``'s core, by its own distance limit."""
    reach = (x.max_distance_km or settings.default_max_distance_km) / settings.road_factor
    return bool(region.reaches(np.array([x.enterprise.lat]), np.array([x.enterprise.lon]), np.array([reach]))[0])


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    """``ids`` in slices of ``IN_CHUNK``: a national region's enterprises do not fit one IN (…)."""
    for i in range(0, len(ids), IN_CHUNK):
        yield ids[i:i + IN_CHUNK]


def scope_ids(session: Session, park: str | None) -> tuple[list[int], list[int]]:
    """The ids of the offers and needs a run of ``park`` considers (active, in scope, tonnes left), in id order.

    The listings ``build_problem`` would turn into records, read as three columns: what the driver of a
    regional run needs to know which open proposals the run may supersede, without loading the listings.
    """
    q = select(Listing.id, Listing.kind, Listing.quantity_t, Listing.period).where(Listing.status == "active")
    if park is not None:
        q = q.join(Listing.enterprise).where(Enterprise.park_id == park_id_of(session, park))
    reserved = reserved_tonnes(session)
    offers: list[int] = []
    needs: list[int] = []
    for listing_id, kind, quantity_t, period in session.execute(
            q.order_by(Listing.id).execution_options(yield_per=YIELD_PER * 10)):
        if annual_tonnes(quantity_t, period) - reserved.get(listing_id, 0.0) > 0:
            (offers if kind == "offer" else needs).append(listing_id)
    return offers, needs
