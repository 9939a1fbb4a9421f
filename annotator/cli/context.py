"""The app behind a command, built only when a command that needs it runs.

Flask's own ``with_appcontext`` and ``FlaskGroup`` import Flask when the command group is
defined; this one imports Flask, and builds the app (database engine, views, extensions), only
when the decorated command is invoked. So ``annotator --version`` and ``annotator --help`` import
click and nothing of the web app (tests/integration/test_startup.py checks it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any

import click


def with_appcontext(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``command`` inside the context of an app without pages (``create_app(pages=False)``),
    or of the caller's app when there is one (Flask's test runner, ``flask --app``): for commands
    that only work on the database."""
    return _in_app(command, pages=False)


def with_web_app(command: Callable[..., Any]) -> Callable[..., Any]:
    """Like :func:`with_appcontext`, with the whole app: for commands that serve it or run its
    background jobs."""
    return _in_app(command, pages=True)


def enter_app(ctx: click.Context, pages: bool = False) -> None:
    """Enter the app's context for the rest of the command, as :func:`with_appcontext` does, for
    a command that needs the app on only some of its paths (``import`` without ``--server``)."""
    from flask import current_app
    from flask.cli import ScriptInfo

    if not current_app:
        info = ctx.find_object(ScriptInfo)
        if info is None:
            from annotator import create_app

            app = create_app(pages=pages)
        else:
            app = info.load_app()
        ctx.with_resource(app.app_context())


def _in_app(command: Callable[..., Any], pages: bool) -> Callable[..., Any]:
    @click.pass_context
    def decorator(ctx: click.Context, /, *args: Any, **kwargs: Any) -> Any:
        enter_app(ctx, pages)
        return ctx.invoke(command, *args, **kwargs)

    return update_wrapper(decorator, command)
