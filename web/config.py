"""Configuration from the environment, with the embedded SQLite database as the default.

Where things live does not depend on the current folder, so ``wastematch`` finds the same
database wherever it is run, and the web app and ``make demo`` use that database too:

- the database: ``WASTEMATCH_DATABASE_URL`` (or ``--db``), else ``wastematch.sqlite3`` in the
  data folder;
- the data folder (database, compiled translations, reports the demo writes):
  ``WASTEMATCH_INSTANCE_PATH``, else the per-user data folder of the XDG base directory
  convention, ``$XDG_DATA_HOME/wastematch`` or ``~/.local/share/wastematch``;
- the published sources (the HW list PDF, the EU List of Waste), read only on request:
  ``WASTEMATCH_SHARED_DATA``, else ``../shared/data`` beside the repository.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

ENV_DATABASE_URL = "WASTEMATCH_DATABASE_URL"
ENV_INSTANCE = "WASTEMATCH_INSTANCE_PATH"
ENV_SHARED_DATA = "WASTEMATCH_SHARED_DATA"
DATABASE_FILE = "wastematch.sqlite3"
REPO = Path(__file__).resolve().parents[1]


def user_data_dir() -> Path:
    """The per-user data folder: ``$XDG_DATA_HOME/wastematch``, or ``~/.local/share/wastematch``."""
    base = os.environ.get("XDG_DATA_HOME")
    # The XDG convention ignores a relative XDG_DATA_HOME: it would again depend on the current folder.
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "share"
    return root / "wastematch"


def instance_path() -> Path:
    """Where the embedded database and generated files live (``WASTEMATCH_INSTANCE_PATH``, else per user)."""
    configured = os.environ.get(ENV_INSTANCE)
    return Path(configured).expanduser().resolve() if configured else user_data_dir()


def shared_data_path() -> Path:
    """The folder of the published sources (``WASTEMATCH_SHARED_DATA``, else ``../shared/data``)."""
    configured = os.environ.get(ENV_SHARED_DATA)
    return Path(configured).expanduser().resolve() if configured else REPO.parent / "shared" / "data"


def hw_list_pdf() -> Path:
    """Where the official 2021 HW list PDF is looked for (it may not be there)."""
    return shared_data_path() / "hw-list-2021" / "gjwxfwml.pdf"


def default_database_url() -> str:
    """``WASTEMATCH_DATABASE_URL`` or an SQLite file in the instance folder."""
    url = os.environ.get(ENV_DATABASE_URL)
    if url:
        return url
    return f"sqlite:///{instance_path() / DATABASE_FILE}"


def describe_database(url: str) -> str:
    """The URL as people may see it: the password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is reported by the engine; never echo it whole
        return url.split("@")[-1]


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite file URL; None for other databases and in-memory SQLite."""
    if not url.startswith("sqlite:///") or ":memory:" in url:
        return None
    return Path(url.removeprefix("sqlite:///").split("?")[0])


@dataclass(frozen=True)
class AppConfig:
    """What the app and the CLI need to know about their surroundings."""

    database_url: str
    secret_key: str
    instance_path: Path

    @classmethod
    def from_env(cls, **overrides: object) -> AppConfig:
        values: dict[str, object] = {
            "database_url": default_database_url(),
            # A random key means sessions do not survive a restart: set one in production.
            "secret_key": os.environ.get("WASTEMATCH_SECRET_KEY") or secrets.token_hex(32),
            "instance_path": instance_path(),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def ensure_sqlite_dir(url: str) -> None:
    """Create the folder of an SQLite file URL so a fresh checkout just works."""
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
