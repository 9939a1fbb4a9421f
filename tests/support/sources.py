"""Naming sources on spans straight in the database, for tests of what reads source links
(agreement, exports) without the popover that sets them."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import select

from annotator import db, store
from annotator.models import Document, GoldSpan, Source, Span, User
from annotator.rules import source_key


def link_sources(
    app, slug: str, links: Mapping[tuple[str | None, str, int], str], kind: str = "outlet"
) -> None:
    """``links``: (annotator, or None for a gold span; document id; span start) -> the name of
    the source the span names, created in the project (of ``kind``) when new."""
    with app.app_context():
        session = db.session()
        project = store.project_by_slug(session, slug)
        for (annotator, document, start), name in links.items():
            source = session.exec(
                select(Source).where(Source.project_id == project.id, Source.name == name)
            ).first()
            if source is None:
                source = Source(
                    project_id=project.id, name=name, name_key=source_key(name), kind=kind
                )
                session.add(source)
                session.flush()
            model = GoldSpan if annotator is None else Span
            query = (
                select(model)
                .join(Document, Document.id == model.document_id)
                .where(
                    Document.project_id == project.id,
                    Document.external_id == document,
                    model.start == start,
                )
            )
            if annotator is not None:
                query = query.join(User, User.id == Span.annotator_id).where(
                    User.username == annotator
                )
            for span in session.exec(query).all():
                span.named_source_id = source.id
        session.commit()
