"""annotator: mark claims, evidence and attributions in news articles, compare annotators."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from annotator import resources
from annotator.config import default_database_url, load_settings

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Mapping[str, object] | None = None, *, pages: bool = True) -> Flask:
    """Build the app. ``config`` overrides settings read from ``ANNOTATOR_*`` variables.

    ``pages=False`` leaves out what only serving needs (log-in, error pages, the blueprints and
    what they import: the agreement measures' SciPy, the job queue): the app of a command that
    only works on the database (``annotator import``, ``export``, ``create-user``…), which would
    otherwise spend most of a small job importing them.

    Flask is imported here, not with the package: ``annotator --version`` and ``--help`` import
    the package and must not pay for Flask, SQLAlchemy and the views (see ``annotator.cli``).
    """
    from flask import Flask

    app = Flask(
        __name__,
        template_folder=str(resources.folder("templates")),
        static_folder=str(resources.folder("static")),
        # a command's app serves no page: it does not read the static folder for its digest
        static_url_path=f"/static/{resources.static_version()}" if pages else None,
        # Relative to the working directory, as the README says: an installed package has no
        # repository folder to keep it in.
        instance_path=os.path.abspath(os.environ.get("ANNOTATOR_INSTANCE_PATH", "instance")),
    )
    settings = load_settings()
    settings.update(config or {})
    if not settings.get("SECRET_KEY"):
        settings["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    if not settings.get("DATABASE_URL"):
        settings["DATABASE_URL"] = default_database_url(app.instance_path)
    app.config.update(settings)
    app.config.update(
        MAX_CONTENT_LENGTH=int(app.config["MAX_UPLOAD_MB"]) * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(app.config["SECURE_COOKIES"]),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=bool(app.config["SECURE_COOKIES"]),
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as the session: long annotation days
    )

    # An id holding an encoded "/" must not be redirected to another URL (308): it is simply
    # not found.
    app.url_map.merge_slashes = False

    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind N proxies, the client's address (log-in throttling, request logs), the scheme
        # and the host are the ones the proxies were given; with none, such headers are ignored.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    from annotator import db, logs

    if pages:
        from annotator import auth, views
        from annotator.views import http
    logs.init_app(app)
    db.init_app(app)
    if pages:
        auth.init_app(app)
        http.init_app(app)
        views.register(app)

    from annotator.cli import register_commands

    register_commands(app)
    if pages:
        _freeze_long_lived_objects()
    return app


_frozen = False


def _freeze_long_lived_objects() -> None:
    """Leave what exists once the first serving app of a process is built (the imported modules,
    the app, the schema: about 200,000 objects that live as long as the process) out of the
    garbage collector's full passes, as ``gc.freeze`` is meant for.

    Unfrozen, each full pass walks them all, and one came every 15 or so renders of a long
    document's workspace, adding 100 ms or more to that request: the slowest 5 % of renders on
    PostgreSQL (issue 15). Frozen, a full pass walks only what requests made. Garbage is
    collected first so none is kept for good; a gunicorn worker builds one app, a test process
    freezes once.
    """
    global _frozen  # noqa: PLW0603 - once per process, whatever builds the app
    if _frozen:
        return
    import gc

    gc.collect()
    gc.freeze()
    _frozen = True


def _instance_secret(instance: Path) -> str:
    """A secret kept in the instance folder, so sessions survive restarts and every worker of a
    multi-process server signs cookies alike when ANNOTATOR_SECRET_KEY is not set."""
    import secrets

    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        candidate = secrets.token_hex(32)
        try:
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
                out.write(candidate)
        except FileExistsError:
            pass  # another worker wrote it first: use theirs
    return path.read_text().strip()
