"""Data access: the queries behind pages, API and CLI, written once with ``select()``.

Functions take the session explicitly so they serve requests, CLI commands and tests alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, case, func, union
from sqlmodel import Session, select

from annotator.errors import Invalid
from annotator.models import (
    DEFAULT_ATTRIBUTES,
    DEFAULT_LABELS,
    DEFAULT_RELATION_TYPES,
    ROLES,
    SOURCE_LABELS,
    Assignment,
    Document,
    Label,
    Membership,
    Project,
    RelationType,
    Span,
    User,
)
from annotator.rules import USERNAME

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
PALETTE = ("#e45756", "#4c78a8", "#54a24b", "#f58518", "#b279a2", "#72b7b2", "#eeca3b", "#9d755d")

_hasher = PasswordHasher()


# --- users ------------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_dummy: tuple[PasswordHasher, str] | None = None


def _dummy_hash() -> str:
    """A hash made with the current hasher's costs, verified when no account can match, so an
    unknown name takes as long as a wrong password (made once per hasher, when first needed)."""
    global _dummy
    if _dummy is None or _dummy[0] is not _hasher:
        _dummy = (_hasher, _hasher.hash("no account has this password"))
    return _dummy[1]


def user_for_log_in(db: Session, username: str, password: str) -> User | None:
    """The account these credentials open, or None; one hash is verified either way.

    An unknown name, an account without a password (made by an import) and a wrong password
    all cost the same verification, so the time taken does not tell which names exist.
    """
    user = user_by_name(db, username) if USERNAME.match(username) else None
    if user is None or not user.password_hash:
        try:
            _hasher.verify(_dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            pass
        return None
    return user if check_password(user, password) else None


def user_by_name(db: Session, username: str) -> User | None:
    return db.exec(select(User).where(User.username == username)).first()


def create_user(db: Session, username: str, password: str | None, is_admin: bool = False) -> User:
    if not USERNAME.match(username):
        raise Invalid(f"user name {username!r}: use 1 to 80 letters, digits or . @ + - _")
    if user_by_name(db, username):
        raise Invalid(f"user {username!r} already exists")
    if password is not None and len(password) < 8:
        raise Invalid("a password needs at least 8 characters")
    user = User(
        username=username,
        password_hash=hash_password(password) if password else None,
        is_admin=is_admin,
    )
    db.add(user)
    db.flush()
    return user


def set_password(db: Session, user: User, password: str) -> None:
    if len(password) < 8:
        raise Invalid("a password needs at least 8 characters")
    user.password_hash = hash_password(password)
    db.add(user)


# --- projects and membership -------------------------------------------------------------------


def project_by_slug(db: Session, slug: str) -> Project | None:
    return db.exec(select(Project).where(Project.slug == slug)).first()


def parse_labels(spec: str) -> list[tuple[str, str, str | None]]:
    """``claim,evidence:#4c78a8`` → ``[(name, colour, shortcut)]`` with keys 1, 2, 3… in order."""
    defaults = {name: color for name, color, _ in DEFAULT_LABELS}
    labels = []
    for index, part in enumerate(item.strip() for item in spec.split(",") if item.strip()):
        name, _, color = part.partition(":")
        name = name.strip()
        color = color.strip() or defaults.get(name) or PALETTE[index % len(PALETTE)]
        if not COLOR.match(color):
            raise Invalid(f"label {name!r}: colour {color!r} is not like #4c78a8")
        shortcut = str(index + 1) if index < 9 else None
        labels.append((name, color, shortcut))
    names = [name for name, _, _ in labels]
    if not labels:
        raise Invalid("a project needs at least one label")
    if len(set(names)) != len(names):
        raise Invalid("label names must be unique")
    return labels


def create_project(
    db: Session, slug: str, name: str | None = None, labels: str | None = None
) -> Project:
    if not SLUG.match(slug):
        raise Invalid(f"project slug {slug!r}: use lowercase letters, digits and -")
    if project_by_slug(db, slug):
        raise Invalid(f"project {slug!r} already exists")
    label_specs = parse_labels(labels) if labels else [(n, c, k) for n, c, k in DEFAULT_LABELS]
    project = Project(slug=slug, name=name or slug)
    db.add(project)
    db.flush()
    for position, (label_name, color, shortcut) in enumerate(label_specs):
        db.add(
            Label(
                project_id=project.id,
                name=label_name,
                color=color,
                shortcut=shortcut,
                position=position,
                attributes=_default_attributes(label_name),
                links_source=label_name in SOURCE_LABELS,
            )
        )
    db.flush()
    add_default_relation_types(db, project)
    return project


def _default_attributes(label_name: str) -> list[dict]:
    return [
        dict(item, choices=list(item["choices"])) for item in DEFAULT_ATTRIBUTES.get(label_name, ())
    ]


def add_default_relation_types(
    db: Session, project: Project, involving: str | None = None
) -> list[RelationType]:
    """Create the default relation types the project lacks and has labels for at both ends
    (allowing only those labels); with ``involving``, only types with that label at an end.
    Types of the same name, whatever a manager made of them, are left alone."""
    labels = {label.name for label in labels_of(db, project.id)}
    existing = list(db.exec(select(RelationType).where(RelationType.project_id == project.id)))
    names = {item.name for item in existing}
    position = max((item.position for item in existing), default=-1) + 1
    added = []
    for name, sources, targets, choices in DEFAULT_RELATION_TYPES:
        kept_sources = [label for label in sources if label in labels]
        kept_targets = [label for label in targets if label in labels]
        if name in names or not kept_sources or not kept_targets:
            continue
        if involving is not None and involving not in kept_sources + kept_targets:
            continue
        item = RelationType(
            project_id=project.id,
            name=name,
            source_labels=kept_sources,
            target_labels=kept_targets,
            choices=list(choices),
            position=position,
        )
        db.add(item)
        added.append(item)
        position += 1
    db.flush()
    return added


def labels_of(db: Session, project_id: int) -> list[Label]:
    return list(
        db.exec(select(Label).where(Label.project_id == project_id).order_by(Label.position))
    )


def add_label(db: Session, project: Project, name: str, color: str | None = None) -> Label:
    name = name.strip()
    existing = labels_of(db, project.id)
    if not name or len(name) > 64:
        raise Invalid("a label name needs 1 to 64 characters")
    if any(label.name == name for label in existing):
        raise Invalid(f"label {name!r} already exists")
    color = color or PALETTE[len(existing) % len(PALETTE)]
    if not COLOR.match(color):
        raise Invalid(f"colour {color!r} is not like #4c78a8")
    used = {label.shortcut for label in existing}
    shortcut = next((str(k) for k in range(1, 10) if str(k) not in used), None)
    label = Label(
        project_id=project.id,
        name=name,
        color=color,
        shortcut=shortcut,
        position=len(existing),
        attributes=_default_attributes(name),
    )
    db.add(label)
    db.flush()
    add_default_relation_types(db, project, involving=name)
    return label


def label_names(db: Connection | Session, project_id: int) -> list[str]:
    """The project's label names in their order."""
    query = select(Label.name).where(Label.project_id == project_id).order_by(Label.position)
    return list(db.execute(query).scalars())


def annotator_names(db: Connection | Session, project_id: int) -> list[str]:
    """Annotators a filter may name: members and anyone with an assignment (removed members
    keep their work), by name."""
    users = union(
        select(Membership.user_id).where(Membership.project_id == project_id),
        select(Assignment.user_id).where(Assignment.project_id == project_id),
    ).subquery()
    query = select(User.username).where(User.id.in_(select(users.c.user_id)))
    return list(db.execute(query.order_by(User.username)).scalars())


def role_in(db: Session, user: User, project: Project) -> str | None:
    """'manager', 'annotator' or None. Site admins act as managers of every project."""
    membership = db.get(Membership, (project.id, user.id))
    if membership:
        return "manager" if user.is_admin else membership.role
    return "manager" if user.is_admin else None


def set_member(db: Session, project: Project, user: User, role: str | None) -> None:
    """Give ``user`` a role in ``project``; ``None`` removes them (their work is kept)."""
    if role is not None and role not in ROLES:
        raise Invalid(f"role {role!r}: expected one of {', '.join(ROLES)}")
    membership = db.get(Membership, (project.id, user.id))
    if role is None:
        if membership:
            db.delete(membership)
        return
    if membership:
        membership.role = role
    else:
        membership = Membership(project_id=project.id, user_id=user.id, role=role)
    db.add(membership)
    db.flush()


def members(db: Session, project_id: int, role: str | None = None) -> list[tuple[User, str]]:
    query = (
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.project_id == project_id)
        .order_by(User.username)
    )
    if role:
        query = query.where(Membership.role == role)
    return list(db.exec(query))


def projects_for(db: Session, user: User) -> list[tuple[Project, str]]:
    if user.is_admin:
        return [(p, "manager") for p in db.exec(select(Project).order_by(Project.slug))]
    query = (
        select(Project, Membership.role)
        .join(Membership, Membership.project_id == Project.id)
        .where(Membership.user_id == user.id)
        .order_by(Project.slug)
    )
    return list(db.exec(query))


# --- documents ---------------------------------------------------------------------------------


@dataclass
class DocumentRow:
    id: int
    external_id: str
    title: str | None
    length: int
    annotators: int
    done: int
    spans: int


def document_rows(
    db: Session, project: Project, limit: int = 500, offset: int = 0
) -> list[DocumentRow]:
    """Documents of a project in order, with how many annotators have them and have finished."""
    assigned = (
        select(
            Assignment.document_id,
            func.count().label("annotators"),
            func.sum(case((Assignment.status == "done", 1), else_=0)).label("done"),
        )
        .where(Assignment.project_id == project.id)
        .group_by(Assignment.document_id)
        .subquery()
    )
    spans = (
        select(Span.document_id, func.count().label("spans"))
        .where(Span.project_id == project.id)
        .group_by(Span.document_id)
        .subquery()
    )
    query = (
        select(
            Document.id,
            Document.external_id,
            Document.title,
            Document.length,
            func.coalesce(assigned.c.annotators, 0),
            func.coalesce(assigned.c.done, 0),
            func.coalesce(spans.c.spans, 0),
        )
        .outerjoin(assigned, assigned.c.document_id == Document.id)
        .outerjoin(spans, spans.c.document_id == Document.id)
        .where(Document.project_id == project.id)
        .order_by(Document.position, Document.id)
        .limit(limit)
        .offset(offset)
    )
    return [DocumentRow(*row) for row in db.exec(query)]


def count_documents(db: Session, project_id: int) -> int:
    return db.exec(
        select(func.count()).select_from(Document).where(Document.project_id == project_id)
    ).one()


def document_in(db: Session, project: Project, document_id: int) -> Document | None:
    document = db.get(Document, document_id)
    return document if document and document.project_id == project.id else None
