"""The ``annotator`` command: set up the database, users and projects, import, export, demo.

Importing this module imports click and the commands' definitions, nothing of the web app:
Flask, SQLAlchemy and the views are imported by a command when it runs (``with_appcontext``
builds the app then), so ``annotator --version`` and ``--help`` answer at once and a small
import does not pay for modules it does not use. tests/integration/test_startup.py checks that
the database libraries stay out; bench/startup.py measures the times.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys

import click

from annotator.cli.context import enter_app, with_appcontext, with_web_app
from annotator.data_import.detect import FORMATS as IMPORT_FORMATS
from annotator.errors import ConfigError, ImportRejected, Invalid


@click.group()
@click.version_option(package_name="annotator", message="%(prog)s %(version)s")
def cli() -> None:
    """annotator: annotate claims, evidence and attributions; compare annotators; export.

    Settings come from ANNOTATOR_* environment variables (see the README).
    """


def main() -> None:
    """The console script: a malformed setting is a message, not a traceback."""
    try:
        cli.main(standalone_mode=True)
    except ConfigError as problem:
        click.echo(f"Error: {problem}", err=True)
        sys.exit(2)


def register_commands(app) -> None:
    """The same commands on the app's own group, for ``flask --app annotator`` and the tests'
    ``app.test_cli_runner()``."""
    for command in cli.commands.values():
        app.cli.add_command(command)


def _writing() -> None:
    from annotator import db

    db.writing.set(True)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database or upgrade it to the current schema (keeps existing data)."""
    from annotator import db

    engine = db.engine()
    before = db.current_revision(engine)
    db.upgrade(engine)
    after = db.current_revision(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"Database {where} is up to date (schema {after}).")
    else:
        click.echo(f"Database {where} upgraded from {before or 'empty'} to schema {after}.")


def _read_password(prompt: bool) -> str:
    if sys.stdin.isatty() and prompt:
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline().rstrip("\n")
    if not line:
        raise click.ClickException("no password given on standard input")
    return line


@click.command("create-user")
@with_appcontext
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["admin", "annotator"]),
    default="annotator",
    show_default=True,
    help="admin: site administrator.",
)
@click.option("--no-password", is_flag=True, help="Create an account that cannot log in yet.")
def create_user(name: str, role: str, no_password: bool) -> None:
    """Create a user; the password is read from a prompt or from standard input."""
    from annotator import db, store

    _writing()
    password = None if no_password else _read_password(prompt=True)
    session = db.session()
    try:
        store.create_user(session, name, password, is_admin=role == "admin")
        session.commit()
    except Invalid as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"Created {role} {name}.")


@click.command("set-password")
@with_appcontext
@click.argument("name")
def set_password(name: str) -> None:
    """Set or reset a user's password (from a prompt or standard input)."""
    from annotator import db, store

    _writing()
    session = db.session()
    user = store.user_by_name(session, name)
    if user is None:
        raise click.ClickException(f"no user named {name!r}")
    try:
        store.set_password(session, user, _read_password(prompt=True))
        session.commit()
    except Invalid as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"Password of {name} set.")


@click.command("create-project")
@with_appcontext
@click.argument("slug")
@click.option("--name", help="Display name (default: the slug).")
@click.option(
    "--labels",
    default="claim,evidence,attribution",
    show_default=True,
    help="Comma-separated labels, optionally name:#colour; keys 1, 2, 3… in order.",
)
@click.option("--manager", help="User name of the project's manager.")
@click.option(
    "--overlap",
    type=click.IntRange(1, 20),
    default=1,
    show_default=True,
    help="How many annotators annotate each document.",
)
def create_project(
    slug: str, name: str | None, labels: str, manager: str | None, overlap: int
) -> None:
    """Create a project with its label set."""
    from annotator import db, store

    _writing()
    session = db.session()
    try:
        project = store.create_project(session, slug, name, labels)
        project.overlap = overlap
        if manager:
            user = store.user_by_name(session, manager)
            if user is None:
                raise Invalid(f"no user named {manager!r}")
            store.set_member(session, project, user, "manager")
        session.commit()
    except Invalid as problem:
        session.rollback()
        raise click.ClickException(str(problem)) from None
    click.echo(f"Created project {slug} with labels {labels}.")


@click.command("add-member")
@with_appcontext
@click.argument("slug")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["manager", "annotator", "remove"]),
    default="annotator",
    show_default=True,
)
def add_member(slug: str, name: str, role: str) -> None:
    """Give a user a role in a project (or remove them)."""
    from annotator import db, store

    _writing()
    session = db.session()
    project = store.project_by_slug(session, slug)
    user = store.user_by_name(session, name)
    if project is None or user is None:
        raise click.ClickException(
            f"no project {slug!r}" if project is None else f"no user {name!r}"
        )
    store.set_member(session, project, user, None if role == "remove" else role)
    session.commit()
    click.echo(f"{name} is now {role} of {slug}." if role != "remove" else f"{name} removed.")


@click.command("import")
@click.argument("slug")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--format",
    "format_name",
    type=click.Choice(IMPORT_FORMATS),
    help="The files' format [default: detected from their content].",
)
@click.option(
    "--annotator",
    help="Whose spans they are, for files that do not say (brat, doccano, Prodigy).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on standard error [default: when it is a terminal].",
)
@click.option(
    "--server",
    metavar="URL",
    help="Send the files to the annotator running at URL (its import API, with a read-write "
    "token in ANNOTATOR_TOKEN) instead of writing to this machine's database.",
)
@click.pass_context
def import_(
    ctx: click.Context,
    slug: str,
    files: tuple[str, ...],
    format_name: str | None,
    annotator: str | None,
    progress: bool | None,
    server: str | None,
) -> None:
    """Import files into a project: all of them, or nothing.

    Native JSONL, .txt and .html documents; Label Studio JSON, doccano and Prodigy JSONL; brat
    .txt + .ann pairs and our W3C export with its texts, in a zip or a folder.
    """
    shown = sys.stderr.isatty() if progress is None else progress
    bar_file = sys.stderr if shown else io.StringIO()  # no bar, not even its label, when off
    if server is not None:
        click.echo(_import_through(server, slug, files, format_name, annotator, bar_file))
        return
    enter_app(ctx)
    from flask import current_app

    from annotator import db, store
    from annotator.data_import.loader import count_documents, import_files

    _writing()
    session = db.session()
    project = store.project_by_slug(session, slug)
    if project is None:
        raise click.ClickException(f"no project {slug!r}")
    total = count_documents(files)
    with click.progressbar(length=total, label="Importing", file=bar_file, show_pos=True) as bar:
        counted = [0]

        def advance(done: int) -> None:
            bar.update(done - counted[0])
            counted[0] = done

        try:
            summary = import_files(
                session,
                project,
                _opened(files),
                max_chars=current_app.config["MAX_DOCUMENT_CHARS"],
                progress=advance,
                format=format_name,
                annotator=annotator,
            )
        except ImportRejected as problem:
            raise click.ClickException(f"nothing was imported: {problem}") from None
    click.echo(str(summary).capitalize() + ".")


def _import_through(
    url: str,
    slug: str,
    files: tuple[str, ...],
    format_name: str | None,
    annotator: str | None,
    bar_file,
) -> str:
    """``import --server``: the job's summary, or its refusal as the command's error."""
    from annotator.cli import remote

    token = os.environ.get(remote.TOKEN_VARIABLE, "").strip()
    if not token:
        raise click.ClickException(
            f"--server needs a read-write token in {remote.TOKEN_VARIABLE} "
            "(make one on your account page)"
        )
    with contextlib.ExitStack() as stack:
        bars = []

        def advance(done: int, total: int) -> None:
            if not bars:  # shown once the server has counted the documents
                bar = click.progressbar(
                    length=total, label="Importing", file=bar_file, show_pos=True
                )
                bars.append(stack.enter_context(bar))
            bars[0].update(done - bars[0].pos)

        try:
            server = remote.Server(url, token)
            return remote.send_import(
                server, slug, files, format=format_name, annotator=annotator, progress=advance
            )
        except remote.RemoteFailed as problem:
            raise click.ClickException(str(problem)) from None


def _opened(paths):
    """Open each file only when its turn comes: thousands of .txt files stay within the limit
    of open files."""
    from annotator.data_import.detect import folder

    for path in paths:
        if os.path.isdir(path):
            yield path, folder(path)
            continue
        with open(path, "rb") as handle:
            yield path, handle


@click.command("demo")
@with_web_app
@click.option("--serve/--no-serve", default=True, help="Serve the app after loading the demo.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def demo(serve: bool, host: str, port: int) -> None:
    """Create the database, the demo project and demo users (if missing), then serve."""
    from flask import current_app

    from annotator import db
    from annotator.demo import load_demo

    _writing()
    db.upgrade(db.engine())
    logins = load_demo(db.session())
    click.echo("Demo project 'demo' is ready. Log in with:")
    for username, password, role in logins:
        click.echo(f"  {username:<8} password {password:<14} ({role})")
    if serve:
        click.echo(f"Serving on http://{host}:{port}  (Ctrl+C stops)")
        from werkzeug.serving import WSGIRequestHandler, run_simple

        class _QuietRequests(WSGIRequestHandler):
            def log_request(self, *_args) -> None:
                pass

        app = current_app._get_current_object()
        # The app's request logs already print a line per request; Werkzeug's would double it.
        quiet = _QuietRequests if app.config.get("LOG_REQUESTS") else None
        # Flask refuses app.run() inside its own CLI; serve the same app with Werkzeug directly.
        _start_job_runner_thread(app)
        run_simple(host, port, app, threaded=True, request_handler=quiet)


def _start_job_runner_thread(app) -> None:
    """Background jobs for the demo server: Huey's consumer as threads of this process.

    Huey's start() installs its signal handlers; Werkzeug's (Ctrl+C) are put back, and the
    worker threads are daemons, so they end with the server."""
    from annotator import db
    from annotator.jobs import queue, work

    work.interrupted(db.session())
    saved = {number: signal.getsignal(number) for number in JOB_SIGNALS}
    consumer = queue.consumer(queue.huey_of(app), workers=1)
    consumer.start()
    for number, handler in saved.items():
        signal.signal(number, handler)


#: Signals Huey's consumer takes over on start.
JOB_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@click.command("jobs")
@with_web_app
@click.option("--workers", default=2, show_default=True, help="Jobs run at the same time.")
def jobs(workers: int) -> None:
    """Run background jobs (imports, exports, bulk accepts) until stopped (Ctrl+C, SIGTERM).

    `make serve` starts it beside gunicorn; `annotator demo` runs one in its own process."""
    import logging

    from flask import current_app

    from annotator import db
    from annotator.jobs import queue, work

    _writing()
    stale = work.interrupted(db.session())
    if stale:
        click.echo(f"{stale} job(s) left running by a stopped runner marked failed.", err=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s jobs %(levelname)s %(message)s")
    click.echo("Job runner started.", err=True)
    huey = queue.huey_of(current_app._get_current_object())
    queue.consumer(huey, workers).run()


def _add_commands() -> None:
    from annotator.cli.agreement import agreement_command
    from annotator.cli.export import export_command
    from annotator.cli.train import train_command

    for command in (
        init_db,
        create_user,
        set_password,
        create_project,
        add_member,
        import_,
        export_command,
        agreement_command,
        train_command,
        demo,
        jobs,
    ):
        cli.add_command(command)


_add_commands()
