"""The state of one invocation (``web.cli.context``): a command refuses a database that was never initialised."""
from __future__ import annotations

from .runner import run


def test_commands_refuse_an_uninitialised_database(backend, fresh_database_url):
    result = run(fresh_database_url(backend), "catalog", "codes", ok=False)
    assert result.exit_code != 0 and "wastematch init" in result.output
