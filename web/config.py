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
ENV_SECRET_KEY = "WASTEMATCH_SECRET_KEY"
ENV_SECRET_KEY_FILE = "WASTEMATCH_SECRET_KEY_FILE"
# Production mode (``wastematch serve`` sets it; ``WASTEMATCH_ENV=production`` for a WSGI server of one's own).
ENV_MODE = "WASTEMATCH_ENV"
MIN_SECRET_KEY_LENGTH = 32
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


class ConfigError(RuntimeError):
    """A setting the app cannot start without is missing or wrong (the message is one line for the operator)."""


def configured_secret_key(env: dict[str, str] | None = None) -> str | None:
    """The key that signs session cookies: ``WASTEMATCH_SECRET_KEY``, else the file ``WASTEMATCH_SECRET_KEY_FILE``
    names (e.g. a container secret); None when neither is set.
    """
    env = os.environ if env is None else env
    key = env.get(ENV_SECRET_KEY, "").strip()
    if key:
        return key
    file = env.get(ENV_SECRET_KEY_FILE, "").strip()
    if not file:
        return None
    try:
        return Path(file).expanduser().read_text(encoding="utf-8").strip() or None
    except OSError as exc:
        raise ConfigError(f"cannot read {ENV_SECRET_KEY_FILE}={file}: {exc.strerror} "
                          "(无法读取会话密钥文件)") from None


_KEY_COMMAND = "python -c 'import secrets; print(secrets.token_hex(32))'"


def require_secret_key(key: str | None) -> str:
    """``key`` if it can sign sessions in production; else ``ConfigError`` saying how to set one."""
    if not key:
        # ``中文 / English``: the Chinese holds the command too, and its brackets (``english (中文)`` could not).
        raise ConfigError(f"未设置 {ENV_SECRET_KEY}：生产环境必须设置固定的会话密钥，重启后会话仍有效，各工作进程接受同样的 "
                          f"Cookie；可用 `{_KEY_COMMAND}` 生成 / {ENV_SECRET_KEY} is not set: production needs a fixed "
                          "secret key so that sessions survive restarts and all workers accept the same cookies; "
                          f"generate one with `{_KEY_COMMAND}`")
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(f"{ENV_SECRET_KEY} is too short ({len(key)} characters; at least "
                          f"{MIN_SECRET_KEY_LENGTH}) (会话密钥太短：{len(key)} 个字符，至少需要 {MIN_SECRET_KEY_LENGTH} 个)")
    return key


def demo_secret_key(folder: Path) -> str:
    """The demo's own key, kept in ``folder/secret_key`` (created once, readable by the owner only),
    so that restarting the demo signs nobody out.
    """
    file = folder / "secret_key"
    if file.exists():
        key = file.read_text(encoding="utf-8").strip()
        if len(key) >= MIN_SECRET_KEY_LENGTH:
            return key
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    file.touch(mode=0o600)
    file.write_text(key + "\n", encoding="utf-8")
    return key


@dataclass(frozen=True)
class AppConfig:
    """What the app and the CLI need to know about their surroundings.

    ``production``: the app refuses to start without a fixed secret key (see ``require_secret_key``);
    outside production a missing key is replaced by a random one, and sessions end with the process.
    """

    database_url: str
    secret_key: str | None
    instance_path: Path
    production: bool = False

    @classmethod
    def from_env(cls, **overrides: object) -> AppConfig:
        values: dict[str, object] = {
            "database_url": default_database_url(),
            "secret_key": configured_secret_key(),
            "instance_path": instance_path(),
            "production": os.environ.get(ENV_MODE, "").strip().lower() == "production",
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def session_key(self) -> tuple[str, bool]:
        """The key to sign sessions with, and whether it is a random one for this process only."""
        if self.production:
            return require_secret_key(self.secret_key), False
        if self.secret_key:
            return self.secret_key, False
        return secrets.token_hex(32), True


def ensure_sqlite_dir(url: str) -> None:
    """Create the folder of an SQLite file URL so a fresh checkout just works."""
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
