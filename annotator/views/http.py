"""The one mapping from errors to HTTP answers, and the security headers of every answer.

API requests (``/api/…``) get JSON errors (``{"error", "field", "status"}``); htmx requests get a
short fragment; pages a full page. Errors a user can cause are
:class:`~annotator.errors.AnnotatorError` and carry their own status.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InternalError, OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from annotator import db
from annotator.errors import AnnotatorError, Refused
from annotator.limits import nul_at

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class DatabaseId(IntegerConverter):
    """``<int:…>`` in every route: a row id, so at most what an INTEGER column holds. A larger
    number matches no route (404) instead of overflowing the database's integer (a 500)."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    # Before any blueprint adds its routes: a rule takes its converters when it is added.
    app.url_map.converters["int"] = DatabaseId
    app.before_request(refuse_nul)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return _answer(
            400,
            f"The request is missing a valid CSRF token ({error.description}). "
            "Reload the page and try again.",
            "csrf_token",  # the save queue reads this as "session ended", not as a refusal
        )

    @app.errorhandler(AnnotatorError)
    def _user_error(error: AnnotatorError):
        return _answer(error.status, str(error), error.field)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_error: RequestEntityTooLarge):
        limit = app.config.get("MAX_CONTENT_LENGTH") or 0
        size = f"{limit / 2**20:g} MB" if limit >= 2**20 else f"{limit:,} bytes"
        # every request body has this limit; only an upload of files is worth naming a field
        field = "files" if request.mimetype == "multipart/form-data" else None
        return _answer(
            413,
            f"The upload is larger than this server accepts ({size}, set by "
            "ANNOTATOR_MAX_UPLOAD_MB); nothing was stored. Split the file, or ask the "
            "administrator to raise the limit.",
            field,
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        return _answer(error.code or 500, error.description or error.name)

    @app.errorhandler(InternalError)
    @app.errorhandler(OperationalError)
    def _database_busy(error: OperationalError | InternalError):
        # SQLite's write lock stayed taken past the wait (or the database went away): nothing
        # was saved, and the browser's save queue tries again on a 503.
        if db.refuses_writes(error):
            app.logger.error("the database refuses writes: %s", error.orig)
            return _answer(
                503,
                "The database cannot save changes right now (it is read-only or its disk is "
                "full); nothing was saved. Tell the administrator.",
            )
        locked = isinstance(error, OperationalError) and "locked" in str(error.orig)
        if not locked and not error.connection_invalidated:
            raise error
        response = make_response(
            _answer(503, "The database is busy; nothing was saved. Try again shortly.")
        )
        response.headers["Retry-After"] = "2"
        return response

    @app.after_request
    def _headers(response):
        if request.endpoint == "static" and response.status_code in (200, 304):
            keep_for_good(response, public=True)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


#: How long a browser keeps a response whose URL names its content (a year, as is usual).
ONE_YEAR = 365 * 24 * 3600


def keep_for_good(response: Response, *, public: bool) -> Response:
    """Let the browser reuse ``response`` without asking again: its URL changes when its
    content does (the static files' digest, the label colours' digest)."""
    response.cache_control.no_cache = None
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True
    if public:
        response.cache_control.public = True
    else:
        response.cache_control.private = True
    return response


def refuse_nul() -> None:
    """Refuse, once for every route, a request holding U+0000 anywhere a value can come from.

    PostgreSQL cannot store NUL, so such a value would fail on every retry (and block the
    browser's save queue); SQLite would keep it. Both databases answer 422 naming the field.
    JSON nested too deeply to parse is refused here too (400), before any view reads it.
    """
    if "\x00" in request.path:
        raise Refused(422, "the address contains a NUL character (U+0000)", "url")
    sources = [("query", request.args)]
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sources.append(("form", request.form))
    for _where, values in sources:
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                raise Refused(
                    422, f"{key!r} contains a NUL character (U+0000)", key.replace("\x00", "")
                )
    for key, upload in request.files.items(multi=True):
        if "\x00" in (upload.filename or ""):
            raise Refused(422, "the file name contains a NUL character (U+0000)", key)
    if request.is_json:
        try:
            payload = request.get_json(silent=True)
        except RecursionError:
            raise Refused(400, "the JSON body is nested too deeply") from None
        where = nul_at(payload, "")
        if where is not None:
            raise Refused(
                422, f"{where or 'the body'} contains a NUL character (U+0000)", where or None
            )


#: Highest page number a list accepts: beyond any list's length, and far from integer overflow.
MAX_PAGE = 1_000_000


def page_number() -> int:
    """The ``?page=`` of a paged list, from 1. Missing or not a number: the first page (as ever);
    a number over :data:`MAX_PAGE` is 400 (the database cannot take such an offset)."""
    raw = request.args.get("page", "").strip()
    if not raw.isascii() or not raw.isdigit():
        return 1
    if len(raw) > len(str(MAX_PAGE)) or int(raw) > MAX_PAGE:
        raise Refused(400, f"page must be a whole number from 1 to {MAX_PAGE:,}", "page")
    return max(int(raw), 1)


def _answer(code: int, message: str, field: str | None = None):
    if request.path.startswith("/api/"):
        return jsonify(error=message, field=field, status=code), code
    if request.headers.get("HX-Request"):
        return render_template("_error.html", code=code, message=message), code
    return render_template("error.html", code=code, message=message), code
