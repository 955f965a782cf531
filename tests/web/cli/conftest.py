"""The command-line tests' database: a fresh one per test and backend, initialised by ``wastematch init``."""
from __future__ import annotations

import pytest

from .runner import run


@pytest.fixture()
def db_url(backend, fresh_database_url) -> str:
    url = fresh_database_url(backend)
    run(url, "init")
    return url
