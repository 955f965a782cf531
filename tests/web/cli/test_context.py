"""The state of one invocation (``web.cli.context``): a command refuses a database that was never initialised."""
from __future__ import annotations

from .runner import run


def test_commands_refuse_an_uninitialised_database(backend, fresh_database_url):
    result = run(fresh_database_url(backend), "catalog", "codes", ok=False)
    assert result.exit_code != 0 and "wastematch init" in result.output


def test_an_invocation_gives_its_database_connections_back(db_url, monkeypatch):
    """A process that runs several invocations (these tests, a script calling ``main``) must not hold a pool of
    connections per invocation: PostgreSQL refused connections ("too many clients") before each was disposed."""
    from web.cli import context

    made = []

    def recording(url, **kwargs):
        engine = made_engine(url, **kwargs)
        made.append(engine)
        return engine

    made_engine = context.make_engine
    monkeypatch.setattr(context, "make_engine", recording)
    for _ in range(3):
        run(db_url, "catalog", "status")
    assert len(made) == 3
    assert all(engine.pool.checkedin() == 0 and engine.pool.checkedout() == 0 for engine in made)
