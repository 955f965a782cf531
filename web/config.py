"""Configuration from the environment, with the embedded SQLite database as the default."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ENV_DATABASE_URL = "WASTEMATCH_DATABASE_URL"
ENV_INSTANCE = "WASTEMATCH_INSTANCE_PATH"


def instance_path() -> Path:
    """Where the embedded database and generated files live (``./instance`` unless configured)."""
    return Path(os.environ.get(ENV_INSTANCE) or Path.cwd() / "instance").resolve()


def default_database_url() -> str:
    """``WASTEMATCH_DATABASE_URL`` or an SQLite file in the instance folder."""
    url = os.environ.get(ENV_DATABASE_URL)
    if url:
        return url
    return f"sqlite:///{instance_path() / 'wastematch.sqlite3'}"


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
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
