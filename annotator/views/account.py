"""The account page: personal access tokens for scripts, made and revoked by their owner.

A token's secret is shown once, in the page that answers its creation; afterwards only its
prefix is. Token requests cannot reach these pages (tokens open ``/api/`` URLs only), so a token
can neither make nor revoke tokens.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from annotator import api_tokens, db, store
from annotator.auth import me
from annotator.errors import Invalid
from annotator.models import utcnow

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(status: int = 200, secret: str | None = None, error: str | None = None):
    session = db.session()
    projects = store.projects_for(session, me())
    names = {project.id: project.slug for project, _role in projects}
    return (
        render_template(
            "account/tokens.html",
            tokens=api_tokens.tokens_of(session, me()),
            projects=[project for project, _role in projects],
            project_names=names,
            scopes=api_tokens.SCOPES,
            max_days=api_tokens.MAX_DAYS,
            secret=secret,
            error=error,
            now=utcnow().replace(tzinfo=None),
            form=request.form,
        ),
        status,
    )


@bp.get("/tokens")
@login_required
def tokens():
    return _page()


@bp.post("/tokens")
@login_required
def create_token():
    session = db.session()
    slug = request.form.get("project", "")
    project = None
    if slug:
        project = store.project_by_slug(session, slug)
        if project is None or store.role_in(session, me(), project) is None:
            return _page(400, error="project: not one of your projects")
    days = request.form.get("days", "").strip()
    try:
        if not days.isdigit():
            raise Invalid("days: a whole number of days the token lasts", field="days")
        made = api_tokens.create(
            session,
            me(),
            name=request.form.get("name", ""),
            scope=request.form.get("scope", ""),
            days=int(days),
            project=project,
        )
    except Invalid as problem:
        session.rollback()
        return _page(400, error=str(problem))
    session.commit()
    return _page(201, secret=made.secret)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    session = db.session()
    if not api_tokens.revoke(session, me(), token_id):
        abort(404)
    session.commit()
    flash("Token revoked: scripts using it are refused from now on.", "success")
    return redirect(url_for("account.tokens"))
