"""Site administration: accounts (create, reset password)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlmodel import select

from annotator import db, store
from annotator.auth import require_admin
from annotator.errors import Invalid
from annotator.models import User

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@login_required
def users():
    require_admin()
    rows = db.session().exec(select(User).order_by(User.username)).all()
    return render_template("admin/users.html", users=rows)


@bp.post("/users")
@login_required
def create_user():
    require_admin()
    session = db.session()
    try:
        store.create_user(
            session,
            request.form.get("username", "").strip(),
            request.form.get("password", ""),
            is_admin=request.form.get("role") == "admin",
        )
        session.commit()
        flash("User created.", "success")
    except Invalid as problem:
        session.rollback()
        flash(str(problem), "error")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/password")
@login_required
def reset_password(user_id: int):
    require_admin()
    session = db.session()
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    try:
        store.set_password(session, user, request.form.get("password", ""))
        session.commit()
        flash(f"Password of {user.username} set.", "success")
    except Invalid as problem:
        session.rollback()
        flash(str(problem), "error")
    return redirect(url_for("admin.users"))
