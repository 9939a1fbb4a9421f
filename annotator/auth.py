"""Log-in, log-out, CSRF, slowed-down failed log-ins and the permission checks every view uses.

Scripts authenticate with a personal access token (``annotator.api_tokens``) in an
``Authorization: Bearer`` header on ``/api/`` URLs: such a request is its token's owner, limited
to the token's scope and project, and needs no CSRF token (a browser never adds that header by
itself); every other request is checked for CSRF as before.

Authorization answers are designed so that a project's existence is not revealed to strangers:
anonymous → 302 to the log-in page, not a member → 404, a member without the needed role → 403.
An anonymous request to the JSON API (or a fetch the page's script marks with ``X-Requested-With:
fetch``) gets 401 JSON instead of the redirect: following a 302 to /login with a PUT ends in a
405 the browser's save queue cannot tell from a refusal, and it would drop the change.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import (
    LoginManager,
    current_user,
    login_required,
    login_url,
    login_user,
    logout_user,
)
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from annotator import api_tokens, db, store
from annotator.models import Project, User

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()


class LoginUser:
    """Flask-Login's view of a :class:`User` (kept apart so models stay plain tables)."""

    def __init__(self, user: User):
        self.user = user
        self.id = user.id
        self.username = user.username
        self.is_admin = user.is_admin

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{_fingerprint(self.user)}"


def _fingerprint(user: User) -> str:
    """Changes when the password does (a reset password ends every session of the account) and
    at each log-out (:func:`_end_sessions`): a cookie saved before either no longer works."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    signed = f"{user.password_hash or ''}|{user.session_epoch or 0}".encode()
    return hmac.new(key, signed, hashlib.sha256).hexdigest()[:32]


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.unauthorized_handler(_unauthorized)
    csrf.init_app(app)
    # CSRF is checked by _authenticate_or_check_csrf, which lets token requests through.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.before_request(_authenticate_or_check_csrf)
    app.after_request(_note_token_use)
    app.register_blueprint(bp)
    _throttle_failed_log_ins(app)
    app.before_request(_expire_session)


def _throttle_failed_log_ins(app: Flask) -> None:
    """Count failed log-ins per name and address, in ANNOTATOR_RATELIMIT_STORAGE.

    One limiter per app: Flask-Limiter keeps some settings of the first app it serves, so a
    shared one would mix the settings of several apps in one process (tests, embedding).
    """
    app.config.setdefault("RATELIMIT_ENABLED", True)
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("RATELIMIT_STORAGE") or "memory://"
    # A shared storage that stops answering must not lock every annotator out: count in this
    # process meanwhile (Flask-Limiter logs the outage) and go back when it answers again.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter = Limiter(key_func=get_remote_address, app=app)
    app.extensions["annotator.limiter"] = limiter  # the limit below holds it only weakly
    app.view_functions["auth.login"] = limiter.limit(
        _login_limit,
        key_func=_login_key,
        methods=["POST"],
        deduct_when=_count_only_failures,
        error_message="Too many failed log-ins; wait a minute and try again.",
    )(login)


def _wants_json() -> bool:
    """API paths, and fetches the page's script marks (they must not follow a redirect)."""
    return request.path.startswith("/api/") or request.headers.get("X-Requested-With") == "fetch"


def _unauthorized():
    """401 JSON for the API and the script's fetches; the usual redirect to /login for pages."""
    if _wants_json():
        message = "Your session has ended; log in again. Nothing was saved."
        return jsonify(error=message, field=None, status=401), 401
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def _authenticate_or_check_csrf():
    """A request with a bearer token is its token's owner (or is refused here); any other
    state-changing request must carry the CSRF token."""
    secret = api_tokens.bearer(request.headers.get("Authorization"))
    if secret is None:
        config = current_app.config
        if (
            request.endpoint
            and config.get("WTF_CSRF_ENABLED", True)
            and request.method in config.get("WTF_CSRF_METHODS", ("POST", "PUT", "PATCH", "DELETE"))
        ):
            csrf.protect()
        return None
    if not request.path.startswith("/api/"):
        return _token_refused(401, "access tokens are accepted on /api/ URLs only")
    found = api_tokens.find_valid(db.session(), secret)
    if found is None:
        return _token_refused(401, "unknown, revoked or expired access token")
    token, user = found
    if token.scope == "read" and request.method not in api_tokens.READ_METHODS:
        return _token_refused(403, "this access token may only read (scope read)")
    g.api_token = token
    g._login_user = LoginUser(user)  # Flask-Login's current user, without touching the session
    return None


def _note_token_use(response):
    """Record when a token last opened something (at most once a minute, so reads do not
    write each time). Only answered requests count: a refusal changes nothing, and the
    bookkeeping never turns an answer into an error."""
    token = g.get("api_token")
    if token is None or response.status_code >= 400 or not api_tokens.use_is_news(token):
        return response
    session = db.session()
    session.rollback()  # end the request's read transaction; its work is committed or refused
    marked = db.writing.set(True)
    try:
        api_tokens.note_use(session, token.id)
        session.commit()
    except SQLAlchemyError as error:
        session.rollback()
        current_app.logger.warning("could not record the use of token %s: %s", token.id, error)
    finally:
        db.writing.reset(marked)
    return response


def _token_refused(status: int, message: str):
    response = jsonify(error=message, status=status)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="annotator"'
    return response


@login_manager.user_loader
def _load_user(session_id: str) -> LoginUser | None:
    user_id, _, fingerprint = session_id.partition(":")
    user = db.session().get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.password_hash:
        return None
    if not hmac.compare_digest(fingerprint, _fingerprint(user)):
        return None  # the password changed since this session logged in
    return LoginUser(user)


#: Longest user name (``store.USERNAME``): longer ones are refused before any look-up or count.
MAX_USERNAME = 80


def _login_key() -> str:
    # The name as the log-in looks it up: " ann" must not buy a fresh allowance for "ann". A
    # name over the cap is never stored as a key: all of them share one key per address.
    name = request.form.get("username", "").strip()
    if len(name) > MAX_USERNAME:
        name = "|too long|"  # "|" is never in a user name
    return f"{get_remote_address()}|{name}"


def _login_limit() -> str:
    return f"{current_app.config['LOGIN_ATTEMPTS_PER_MINUTE']} per minute"


def _count_only_failures(response) -> bool:
    # Only failed attempts (the form shown again with 401) use up the allowance.
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
@db.reads_only
def login():  # throttled per app by _throttle_failed_log_ins
    if request.method == "GET":
        return render_template("auth/login.html")
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    if len(username) > MAX_USERNAME:
        flash(f"A user name has at most {MAX_USERNAME} characters.", "error")
        return render_template("auth/login.html"), 422
    user = store.user_for_log_in(db.session(), username, password)
    if user is None:
        flash("Unknown user name or wrong password.", "error")
        return render_template("auth/login.html", username=username), 401
    _start_session(user)
    return redirect(_safe_next(request.args.get("next")))


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never send a user to another host after log-in.

    Browsers read ``//host``, ``///host``, ``/\\host`` and ``/<tab>/host`` as another host, so a
    path must start with one "/" followed by something else, and hold no backslash, space or
    control character.
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target)
        and not urlsplit(target).netloc
        and not urlsplit(target).scheme
    ):
        return target
    return url_for("projects.index")


@bp.post("/logout")
@login_required
def logout():
    _end_sessions(me())
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


# --- session lifetime: begun at log-in, ended by log-out, idleness or age ----------------------

#: Keys in the (signed) session cookie: when the log-in began and when it was last used.
STARTED, SEEN = "_annotator_started", "_annotator_seen"


def _now() -> float:
    return time.time()


def _start_session(user: User) -> None:
    """A fresh session (and so a fresh CSRF token) for each log-in, stamped with its start."""
    session.clear()
    login_user(LoginUser(user))
    session[STARTED] = session[SEEN] = _now()


def _end_sessions(user: User) -> None:
    """Raise the account's session epoch: every cookie of the account stops working, this one
    and any copy of it saved before (a signed cookie cannot be taken back otherwise)."""
    database = db.session()
    database.execute(
        update(User).where(User.id == user.id).values(session_epoch=User.session_epoch + 1)
    )
    database.commit()


def _expire_session() -> None:
    """End a log-in idle for ANNOTATOR_SESSION_IDLE_HOURS or older than _MAX_HOURS.

    A session without the stamps (made before they existed) is ended too. Runs before the
    view: the request goes on as an anonymous one (log-in page, or 401 from the API).
    """
    if "_user_id" not in session or g.get("api_token") is not None:
        return  # no log-in, or a token request: it is its token's, whatever cookie comes along
    now = _now()
    started, seen = session.get(STARTED), session.get(SEEN)
    idle = float(current_app.config["SESSION_IDLE_HOURS"]) * 3600
    oldest = float(current_app.config["SESSION_MAX_HOURS"]) * 3600
    if (
        not isinstance(started, int | float)
        or not isinstance(seen, int | float)
        or now - seen > idle
        or now - started > oldest
    ):
        logout_user()
        session.clear()
        return
    if now - seen > 60:  # refresh the cookie at most once a minute
        session[SEEN] = now


# --- permission checks used by the other blueprints -------------------------------------------


def me() -> User:
    return current_user.user


def project_for(slug: str, manager: bool = False) -> tuple[Project, str]:
    """The project and the current user's role in it, or abort 404 (not a member) / 403."""
    project = store.project_by_slug(db.session(), slug)
    if project is None:
        abort(404)
    token = g.get("api_token")
    if token is not None and token.project_id not in (None, project.id):
        abort(404)  # a token for another project: as if this one did not exist
    role = store.role_in(db.session(), me(), project)
    if role is None:
        abort(404)
    if manager and role != "manager":
        abort(403)
    return project, role


def require_admin() -> None:
    if not current_user.is_admin:
        abort(403)
