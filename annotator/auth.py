"""Log-in, log-out, CSRF, slowed-down failed log-ins and the permission checks every view uses.

Scripts authenticate with a personal access token (``annotator.api_tokens``) in an
``Authorization: Bearer`` header on ``/api/`` URLs: such a request is its token's owner, limited
to the token's scope and project, and needs no CSRF token (a browser never adds that header by
itself); every other request is checked for CSRF as before.

Authorization answers are designed so that a project's existence is not revealed to strangers:
anonymous → 302 to the log-in page, not a member → 404, a member without the needed role → 403.
"""

from __future__ import annotations

import hashlib
import hmac
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
    url_for,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFProtect

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
    """Changes when the password does: a reset password ends every session of the account."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, (user.password_hash or "").encode(), hashlib.sha256).hexdigest()[:32]


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    csrf.init_app(app)
    # CSRF is checked by _authenticate_or_check_csrf, which lets token requests through.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.before_request(_authenticate_or_check_csrf)
    app.register_blueprint(bp)
    _throttle_failed_log_ins(app)


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


def _login_key() -> str:
    # The name as the log-in looks it up: " ann" must not buy a fresh allowance for "ann".
    return f"{get_remote_address()}|{request.form.get('username', '').strip()}"


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
    user = store.user_by_name(db.session(), username)
    if user is None or not store.check_password(user, password):
        flash("Unknown user name or wrong password.", "error")
        return render_template("auth/login.html", username=username), 401
    login_user(LoginUser(user))
    return redirect(_safe_next(request.args.get("next")))


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never send a user to another host after log-in."""
    if target and target.startswith("/") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("projects.index")


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth.login"))


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
