"""The command-line tests' database: one per test and backend, initialised by ``wastematch init``.

``wastematch init`` (and what a module's tests start from: an import, data written through the services)
runs once per backend and test process; each test gets a copy of the result (``tests.conftest.database_copy``).
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy.orm import Session

from marketplace.db import make_engine

from .runner import run, write

T = TypeVar("T")


def init(url: str, *documents: str | dict) -> None:
    """``wastematch init`` on ``url``, then ``wastematch import`` of each of ``documents`` (a path, or a document
    written to a file first)."""
    run(url, "init")
    for document in documents:
        if isinstance(document, dict):
            with tempfile.TemporaryDirectory() as folder:
                run(url, "import", write(Path(folder), document))
        else:
            run(url, "import", document)


def written(url: str, build: Callable[[Session], T]) -> T:
    """``build(session)`` on the database at ``url``, committed; what it returned."""
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            return build(session)
    finally:
        engine.dispose()


@pytest.fixture()
def db_url(backend, database_copy) -> str:
    return database_copy(backend, "init", init)[0]
