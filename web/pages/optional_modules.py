"""Import the page modules that exist (the areas are written one by one)."""
from __future__ import annotations

import importlib

for _name in ("dashboard", "listings", "lookup", "matches", "park", "runs", "approvals", "ratings",
              "shipments", "ledger", "notifications", "alerts", "findings"):
    try:
        importlib.import_module(f"{__package__}.{_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.{_name}":
            raise
