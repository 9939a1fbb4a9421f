"""The demo project: short news-style articles written for annotator, demo users, guidelines."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from annotator import store
from annotator.data_import.loader import import_files

ARTICLES = Path(__file__).with_name("demo_data") / "articles.jsonl"
SLUG = "demo"
#: Demo accounts only: printed by ``annotator demo`` so a newcomer can log in at once.
LOGINS = (
    ("lead", "lead-password", "admin, manager of demo"),
    ("ana", "ana-password", "annotator"),
    ("ben", "ben-password", "annotator"),
    ("cleo", "cleo-password", "annotator"),
)
GUIDELINES = """\
# Annotating claims, evidence and attribution

- **claim** (key `1`): a statement presented as true that a reader could check, e.g.
  *the fire was caused by faulty wiring*. Mark the proposition, not the reporting verb.
- **evidence** (key `2`): what is offered in support of or against a claim: documents, records,
  data, photos, named studies.
- **attribution** (key `3`): who makes the claim, with the reporting verb, e.g.
  *the port authority said*. Nested attributions are marked separately
  (*RIA quoted her as writing*).

Select the words, then press the label's key or click its button. Spans may overlap.
"""


def load_demo(db: Session) -> tuple[tuple[str, str, str], ...]:
    """Create what is missing of the demo; running it twice changes nothing."""
    users = {}
    for username, password, _role in LOGINS:
        user = store.user_by_name(db, username)
        if user is None:
            user = store.create_user(db, username, password, is_admin=username == "lead")
        users[username] = user
    project = store.project_by_slug(db, SLUG)
    if project is None:
        project = store.create_project(db, SLUG, "Demo: who claims what")
        project.overlap = 2
        project.guidelines = GUIDELINES
        db.add(project)
        store.set_member(db, project, users["lead"], "manager")
        for name in ("ana", "ben", "cleo"):
            store.set_member(db, project, users[name], "annotator")
        db.commit()
        with ARTICLES.open("rb") as handle:
            import_files(db, project, [(ARTICLES.name, handle)])
    db.commit()
    return LOGINS
