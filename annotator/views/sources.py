"""The source registry's pages and its one JSON route.

``GET /api/projects/<slug>/sources?q=…`` answers the workspace's picker: at most 20 sources by
name (any member: sources are project-wide names, and seeing them reveals nobody's spans). The
Sources page, its CSV, edits and merges are the managers': its counts are drawn from every
annotator's work, which blind annotation keeps from annotators. The rules are in
``annotator.annotation.sources``; this module parses, calls and renders.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy.exc import IntegrityError

from annotator import db, store
from annotator.annotation import sources
from annotator.annotation.source_names import KINDS
from annotator.auth import me, project_for
from annotator.errors import Refused

bp = Blueprint("sources", __name__)


@bp.app_context_processor
def _kinds() -> dict:
    """The kinds a new source may have, for the workspace's Source field."""
    return {"source_kinds": KINDS}


@bp.get("/api/projects/<slug>/sources")
@login_required
def search(slug: str):
    project, _role = project_for(slug)
    query = request.args.get("q", "")
    if len(query) > 200:
        raise Refused(422, "q: at most 200 characters", "q")
    found = sources.search(db.session(), project.id, query)
    return jsonify(
        sources=[{"id": item.id, "name": item.name, "kind": item.kind} for item in found]
    )


def _page(project, problem: Refused | None = None, chosen: list | None = None):
    session = db.session()
    query = request.values.get("q", "")[:200]
    sort = request.values.get("sort", "name")
    sort = sort if sort in sources.SORTS else "name"
    labels = store.labels_of(session, project.id)
    context = {
        "project": project,
        "role": "manager",
        "rows": sources.figures(session, project, query, sort),
        "ratings": sources.rating_names(labels),
        "kinds": KINDS,
        "query": query,
        "sort": sort,
        "sorts": list(sources.SORTS),
        "problem": problem,
        "chosen": chosen,
    }
    status = problem.status if problem is not None else 200
    return render_template("sources/page.html", **context), status


@bp.get("/p/<slug>/sources")
@login_required
def page(slug: str):
    """Every source of the project with its counts and mean ratings (managers)."""
    project, _role = project_for(slug, manager=True)
    return _page(project)


@bp.get("/p/<slug>/sources.csv")
@login_required
def download(slug: str):
    project, _role = project_for(slug, manager=True)
    session = db.session()
    rows = sources.csv_rows(
        sources.figures(session, project),
        sources.rating_names(store.labels_of(session, project.id)),
    )
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{project.slug}-sources.csv"'},
    )


@bp.post("/p/<slug>/sources/<int:source_id>")
@login_required
def edit(slug: str, source_id: int):
    """Change one source's name, kind, URL or Wikidata id; a refusal shows the page again with
    the reason (4xx), nothing changed."""
    project, _role = project_for(slug, manager=True)
    session = db.session()
    form = request.form
    try:
        detail = sources.edit(
            session,
            project,
            source_id,
            me(),
            name=form.get("name", ""),
            kind=form.get("kind", ""),
            url=form.get("url"),
            wikidata=form.get("wikidata"),
        )
        session.commit()
    except Refused as problem:
        session.rollback()
        return _page(project, problem)
    except IntegrityError:  # another source took the name meanwhile
        session.rollback()
        return _page(project, Refused(409, "a source with that name was made meanwhile", "name"))
    flash(f"Saved: {detail}.", "success")
    return redirect(url_for("sources.page", slug=slug))


def _ids(values: list[str], field: str) -> list[int]:
    try:
        return [int(value) for value in values]
    except ValueError:
        raise Refused(422, f"{field}: source ids are whole numbers", field) from None


@bp.post("/p/<slug>/sources/merge")
@login_required
def merge(slug: str):
    """Merge the ticked sources (``source``, two or more) into one (``into``, one of them).
    Without ``confirm=yes`` the page asks first, with each source's counts; then all the spans
    of the others move to the kept one and the others are deleted, all or nothing. A refusal
    shows the Sources page again with the reason (4xx), nothing merged."""
    project, _role = project_for(slug, manager=True)
    session = db.session()
    chosen: list[int] = []
    try:
        chosen = list(dict.fromkeys(_ids(request.form.getlist("source"), "sources")))
        if len(chosen) < 2:
            raise Refused(422, "tick two or more sources to merge", "sources")
        if request.form.get("confirm") != "yes":
            rows = {row.id: row for row in sources.figures(session, project)}
            missing = [source_id for source_id in chosen if source_id not in rows]
            if missing:
                raise Refused(404, f"no source {missing[0]} in this project", "sources")
            return render_template(
                "sources/merge.html",
                project=project,
                role="manager",
                chosen=[rows[source_id] for source_id in chosen],
            )
        into = _ids([request.form.get("into", "")], "into")[0]
        if into not in chosen:
            raise Refused(422, "into: keep one of the ticked sources", "into")
        detail = sources.merge(session, project, into, chosen, me())
        session.commit()
    except Refused as problem:
        session.rollback()
        return _page(project, problem, chosen)
    except IntegrityError:  # a span named one of them meanwhile: nothing merged, try again
        session.rollback()
        problem = Refused(
            409, "the sources changed meanwhile; nothing merged, try again", "sources"
        )
        return _page(project, problem, chosen)
    flash(f"Done: {detail}.", "success")
    return redirect(url_for("sources.page", slug=slug))
