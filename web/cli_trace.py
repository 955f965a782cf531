"""`wastematch trace …`: see the group's help."""
from __future__ import annotations

from .cli import main  # noqa: F401 - commands attach to the one `wastematch` group
