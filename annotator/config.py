"""Settings from ``ANNOTATOR_*`` environment variables, validated once at start-up.

A malformed value stops the app with a message naming the variable, instead of failing later
inside a request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import ConfigError

PREFIX = "ANNOTATOR_"


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    kind: type
    help: str
    minimum: int = 1  # whole-number settings only


SETTINGS = [
    Setting(
        "DATABASE_URL",
        None,
        str,
        "SQLAlchemy URL; default sqlite:///instance/annotator.db. "
        "PostgreSQL: postgresql+psycopg://user@host/db",
    ),
    Setting(
        "SECRET_KEY",
        None,
        str,
        "Signs session cookies and CSRF tokens. Set it in production; "
        "a random one is made per process otherwise.",
    ),
    Setting("MAX_UPLOAD_MB", 50, int, "Largest accepted upload (import file), in MB."),
    Setting("MAX_DOCUMENT_CHARS", 1_000_000, int, "Largest document text, in code points."),
    Setting("SECURE_COOKIES", False, bool, "Mark cookies Secure (set when served over HTTPS)."),
    Setting(
        "LOGIN_ATTEMPTS_PER_MINUTE",
        5,
        int,
        "Failed log-ins allowed per user name and address per minute before slowing down.",
    ),
    Setting(
        "RATELIMIT_STORAGE",
        "memory://",
        str,
        "Where failed log-ins are counted: memory:// counts per process; redis://host:port/db "
        "shares the count between the workers and servers using that Redis.",
    ),
    Setting(
        "TRUSTED_PROXIES",
        0,
        int,
        "How many reverse proxies stand in front of the app; their X-Forwarded-For/-Proto/-Host "
        "headers are then believed (0: none are, so a client cannot fake its address).",
        minimum=0,
    ),
    Setting("LOG_REQUESTS", True, bool, "One JSON line per request on standard error."),
    Setting(
        "JOBS_URL",
        None,
        str,
        "Queue of background jobs (imports, exports, bulk accepts); default: a SQLite file, "
        "instance/jobs.db. redis://host:port/db shares it between machines.",
    ),
    Setting(
        "IMPORT_IN_REQUEST_KB",
        8192,
        int,
        "An import of at most this many KB runs in the request that uploads it (under a "
        "second), not in the job runner; larger ones are jobs with a progress bar. 0: every "
        "import is a job.",
        minimum=0,
    ),
    Setting(
        "SESSION_IDLE_HOURS",
        12,
        int,
        "A log-in ends after this many hours without a request.",
    ),
    Setting(
        "SESSION_MAX_HOURS",
        72,
        int,
        "A log-in ends this many hours after it began, however busy.",
    ),
]

#: Flask-Limiter storages this install can use (redis-py is a dependency).
RATELIMIT_SCHEMES = ("memory://", "redis://", "rediss://", "redis+unix://")

#: Job queues: a SQLite file (the default), Redis, or memory:// (one process only: tests).
JOBS_SCHEMES = ("sqlite:///", "redis://", "rediss://", "memory://")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _parse(setting: Setting, raw: str) -> object:
    if setting.kind is bool:
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ConfigError(f"{PREFIX}{setting.name}={raw!r}: expected one of true/false/1/0")
    if setting.kind is int:
        try:
            number = int(raw)
        except ValueError:
            raise ConfigError(f"{PREFIX}{setting.name}={raw!r}: expected a whole number") from None
        if number < setting.minimum:
            least = "greater than 0" if setting.minimum == 1 else f"at least {setting.minimum}"
            raise ConfigError(f"{PREFIX}{setting.name}={raw!r}: must be {least}")
        return number
    if setting.name == "DATABASE_URL":
        return _check_database_url(raw)
    if setting.name == "RATELIMIT_STORAGE" and not raw.startswith(RATELIMIT_SCHEMES):
        raise ConfigError(
            f"{PREFIX}RATELIMIT_STORAGE={raw!r}: expected memory:// or redis://host:port/db"
        )
    if setting.name == "JOBS_URL" and not raw.startswith(JOBS_SCHEMES):
        raise ConfigError(
            f"{PREFIX}JOBS_URL={raw!r}: expected sqlite:///path, redis://host:port/db or memory://"
        )
    return raw


def _check_database_url(url: str) -> str:
    if url.startswith("postgres://") or url.startswith("postgresql://"):
        raise ConfigError(
            f"{PREFIX}DATABASE_URL={url!r}: name the driver, e.g. postgresql+psycopg://…"
        )
    if not (url.startswith("sqlite:") or url.startswith("postgresql+psycopg:")):
        raise ConfigError(
            f"{PREFIX}DATABASE_URL={url!r}: expected sqlite:///path or postgresql+psycopg://…"
        )
    return url


def default_database_url(instance_path: str | Path) -> str:
    return f"sqlite:///{Path(instance_path) / 'annotator.db'}"


def load_settings(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """Read every known ``ANNOTATOR_*`` variable; unknown ones are ignored."""
    environ = os.environ if environ is None else environ
    settings: dict[str, object] = {}
    for setting in SETTINGS:
        raw = environ.get(PREFIX + setting.name)
        settings[setting.name] = setting.default if raw is None else _parse(setting, raw)
    return settings
