"""Where ``wastematch`` finds its database: the same place wherever it runs, and it says which."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from web.cli import main
from web.config import AppConfig, default_database_url, describe_database, instance_path


@pytest.fixture()
def home(tmp_path, monkeypatch) -> Path:
    """A per-user data folder in tmp, and no configured database or instance folder."""
    monkeypatch.delenv("WASTEMATCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("WASTEMATCH_INSTANCE_PATH", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "wastematch"


def wastematch(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_the_default_is_the_per_user_data_folder_whatever_the_current_folder(home, tmp_path, monkeypatch):
    urls = set()
    for folder in ("a", "b/c"):
        (tmp_path / folder).mkdir(parents=True)
        monkeypatch.chdir(tmp_path / folder)
        urls.add(default_database_url())
        assert AppConfig.from_env().instance_path == home == instance_path()
    assert urls == {f"sqlite:///{home / 'wastematch.sqlite3'}"}


def test_without_xdg_data_home_it_is_under_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("WASTEMATCH_INSTANCE_PATH", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert instance_path() == tmp_path / ".local" / "share" / "wastematch"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")  # ignored, as the XDG convention says
    assert instance_path() == tmp_path / ".local" / "share" / "wastematch"


def test_the_instance_variable_and_the_database_url_override_it(home, tmp_path, monkeypatch):
    monkeypatch.setenv("WASTEMATCH_INSTANCE_PATH", str(tmp_path / "mine"))
    assert default_database_url() == f"sqlite:///{tmp_path / 'mine' / 'wastematch.sqlite3'}"
    monkeypatch.setenv("WASTEMATCH_DATABASE_URL", "postgresql+psycopg://u@db/wm")
    assert default_database_url() == "postgresql+psycopg://u@db/wm"


def test_init_in_one_folder_is_found_from_another_and_nothing_is_left_behind(home, tmp_path, monkeypatch):
    first, second = tmp_path / "clone", tmp_path / "elsewhere"
    first.mkdir()
    second.mkdir()
    monkeypatch.chdir(second)
    refused = wastematch("catalog", "codes")
    assert refused.exit_code != 0 and "wastematch init" in refused.output
    assert f"数据库 / database: sqlite:///{home / 'wastematch.sqlite3'}" in refused.stderr
    # A refused command creates neither the database nor an ./instance folder.
    assert not home.exists() and list(second.iterdir()) == []
    monkeypatch.chdir(first)
    assert wastematch("init").exit_code == 0
    monkeypatch.chdir(second)
    listed = wastematch("catalog", "codes", "--json")
    assert listed.exit_code == 0 and "900-041-49" in listed.stdout
    assert list(first.iterdir()) == [] and list(second.iterdir()) == []


def test_the_database_line_masks_the_password(home):
    url = "postgresql+psycopg://wm:s3cret-pw@127.0.0.1:1/wm?connect_timeout=2"
    assert "s3cret" not in describe_database(url) and "***" in describe_database(url)
    result = CliRunner().invoke(main, ["--db", url, "catalog", "status"])
    assert result.exit_code != 0  # nothing listens on port 1
    assert "数据库 / database: postgresql+psycopg://wm:***@127.0.0.1:1/wm" in result.stderr
    assert "s3cret" not in result.stderr


def test_serve_refuses_a_database_that_was_never_initialised(home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WASTEMATCH_SECRET_KEY", "k" * 32)  # past the key check: the database is what is missing
    result = wastematch("serve", "--port", "1")
    assert result.exit_code != 0 and "wastematch init" in result.output
    assert not home.exists() and not (tmp_path / "instance").exists()
