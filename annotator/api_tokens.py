"""Personal access tokens: made, listed, revoked, and checked on each ``Authorization: Bearer``.

A token is ``ann_`` and 40 random URL-safe characters. The secret is shown once, when it is made;
the database keeps only its SHA-256 (the secret has 240 random bits, so a slow password hash
would add nothing) and its first 12 characters, to tell tokens apart on the account page.

What a token may do: ``read`` allows GET (and HEAD) requests only; ``read-write`` allows writes
too. A token made for one project opens only that project (any other answers 404, as for a
stranger); a token for all projects opens what its owner may open, with the owner's roles.
Tokens are taken from the ``Authorization`` header only, never from a cookie or the query string,
and only on ``/api/`` URLs.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from annotator.errors import Invalid
from annotator.models import ApiToken, Project, User, utcnow

SCOPES = ("read", "read-write")
PREFIX = "ann_"
MAX_DAYS = 366
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: ``last_used_at`` is recorded to this resolution: a token used again sooner writes nothing.
USE_RESOLUTION = timedelta(seconds=60)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once


def create(
    db: Session,
    user: User,
    *,
    name: str,
    scope: str,
    days: int,
    project: Project | None,
) -> NewToken:
    """A new token of ``user``; :class:`Invalid` naming the field for a bad value."""
    name = name.strip()
    if not name or len(name) > 100:
        raise Invalid("give the token a name of 1 to 100 characters", field="name")
    if scope not in SCOPES:
        raise Invalid(f"scope must be one of {', '.join(SCOPES)}", field="scope")
    if not 1 <= days <= MAX_DAYS:
        raise Invalid(f"a token lasts 1 to {MAX_DAYS} days", field="days")
    secret = PREFIX + secrets.token_urlsafe(30)
    token = ApiToken(
        user_id=user.id,
        project_id=None if project is None else project.id,
        name=name,
        prefix=secret[:12],
        secret_hash=digest(secret),
        scope=scope,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.add(token)
    db.flush()
    return NewToken(token, secret)


def tokens_of(db: Session, user: User) -> list[ApiToken]:
    return list(
        db.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke(db: Session, user: User, token_id: int) -> bool:
    """Revoke one of ``user``'s tokens; False when they have no such token (or it was revoked)."""
    token = db.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    return True


def bearer(header: str | None) -> str | None:
    """The secret of an ``Authorization: Bearer <secret>`` header, None without one."""
    if not header:
        return None
    kind, _, value = header.partition(" ")
    if kind.lower() != "bearer":
        return None
    return value.strip()


def find_valid(db: Session, secret: str) -> tuple[ApiToken, User] | None:
    """The live token with this secret and its owner; None when unknown, revoked or expired."""
    row = db.exec(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.secret_hash == digest(secret),
            ApiToken.revoked_at.is_(None),  # type: ignore[union-attr]
            ApiToken.expires_at > utcnow(),
        )
    ).first()
    return None if row is None else (row[0], row[1])


def _as_utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes (stored as UTC), PostgreSQL aware ones."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def use_is_news(token: ApiToken, now: datetime | None = None) -> bool:
    """Whether a use of ``token`` now should be recorded: never used, or not for a while."""
    seen = token.last_used_at
    return seen is None or _as_utc(seen) <= (now or utcnow()) - USE_RESOLUTION


def note_use(db: Session, token_id: int | None, now: datetime | None = None) -> None:
    """Set the token's ``last_used_at`` unless another request just did (the same condition in
    SQL, so concurrent requests write it once)."""
    now = now or utcnow()
    db.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            or_(
                col(ApiToken.last_used_at).is_(None),
                col(ApiToken.last_used_at) <= now - USE_RESOLUTION,
            ),
        )
        .values(last_used_at=now)
    )
