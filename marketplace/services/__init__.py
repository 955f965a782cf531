"""The use cases, grouped by the domain each package owns.

Every service takes a ``Session`` and, where someone acts, the caller's ``Principal``; it checks
what that principal may do, flushes, and never commits: the caller (one web request, one CLI
command) owns the transaction. Packages import downwards only::

    reports ─┬─► traceability ─► matching ─► accounts
             └──────────────────────────────► accounts
    listings ─► matching, accounts           catalog ─► accounts
"""

# Every session plans outside deliveries of the notices it writes (a flush listener; see delivery.planning).
from .delivery import planning as _delivery_planning  # noqa: F401
