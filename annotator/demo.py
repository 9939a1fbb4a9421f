"""The demo project: short news-style articles written for annotator, demo users, guidelines."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from annotator import store
from annotator.annotation import sources
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


#: The people, organisations, outlets and documents the demo articles quote, in the project's
#: source registry from the start: an attribution's Source field offers them as soon as one types
#: a few letters (``Mar`` offers both Marias), and the Sources page has rows to show.
SOURCES = (
    ("Northgate port authority", "organisation"),
    ("Maria Okafor", "person"),
    ("Lindqvist Grain", "organisation"),
    ("Northgate Courier", "outlet"),
    ("Journal of Paediatric Health", "outlet"),
    ("Samuel Ito", "person"),
    ("Ines Duarte", "person"),
    ("Health ministry", "organisation"),
    ("City council", "organisation"),
    ("Jonas Weber", "person"),
    ("Minutes of the bridge project board", "document"),
    ("Turkish foreign ministry", "organisation"),
    ("Ukrainian agriculture minister", "person"),
    ("Maria Zakharova", "person"),
    ("RIA", "outlet"),
    ("Seaview", "organisation"),
)


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
        for name, kind in SOURCES:
            sources.find_or_create(db, project.id, name, kind, users["lead"])
    db.commit()
    return LOGINS
