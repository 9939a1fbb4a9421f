"""Adjudication: copying annotators' spans and links into the gold layer.

The gold layer holds each (document, label, start, end) once, a unique index says so. Accepting
a span fills the gold span gold has at that label and range, whatever its id (drawn in the gold
workspace, say); else it makes one with an id derived from the content, so accepting the same
span twice, from two annotators or by a retried request, never duplicates it.
Accepting a span copies its note, attribute values and the source it names (the source
registry); a bulk accept gives a gold span the source its agreeing annotators all named, if they
did. Links compare by (type, source span, target span), spans taken by (label, start, end);
accepting a link whose ends gold lacks is refused, naming them, unless the curator confirmed
adding them (``add_spans``): a link never changes gold's spans behind the curator's back. The
link gets an id derived from (document, type, gold source, gold target).

Every function takes the session and the curator (the account the gold is recorded under), so
pages, the JSON API and the command line share them. The single accepts commit as they save;
``accept_agreed`` never commits: its caller commits once, so a bulk accept is all or nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from sqlmodel import Session, select

from annotator.adjudication.alignment import Mark, agreed_attributes
from annotator.annotation.definitions import keep_defined
from annotator.annotation.relations import check_relation, save_gold_relation
from annotator.annotation.source_names import CLEAR, SourceChoice
from annotator.annotation.spans import SpanValues, save_gold, twin_of
from annotator.errors import Refused
from annotator.models import Document, GoldSpan, Label, Relation, RelationType, Span, User

GOLD_NAMESPACE = uuid.UUID("6f1c8f52-5d0e-4b53-9a43-5b1f3f0f6a10")


def gold_id(document_id: int, label_id: int, start: int, end: int) -> str:
    """The id a gold span accepted at this label and range gets: the same for every annotator's
    copy and every retry."""
    return str(uuid.uuid5(GOLD_NAMESPACE, f"{document_id}:{label_id}:{start}:{end}"))


def gold_relation_id(document_id: int, type_id: int, source: str, target: str) -> str:
    return str(uuid.uuid5(GOLD_NAMESPACE, f"{document_id}:link:{type_id}:{source}:{target}"))


def gold_place(
    session: Session, document: Document, label_id: int, start: int, end: int
) -> tuple[str, bool]:
    """(id, exists) of the gold span with this label and range: the one gold has (whatever its
    id: drawn in the gold workspace, or moved there by an edit), else a new id derived from the
    content, or a random one when a gold span edited since holds the derived id."""
    twin = twin_of(session, GoldSpan, document.id, label_id, start, end)
    if twin is not None:
        return twin.id, True
    derived = gold_id(document.id, label_id, start, end)
    return (derived if session.get(GoldSpan, derived) is None else str(uuid.uuid4())), False


def accept_span(
    session: Session,
    document: Document,
    curator: User,
    span: Span,
    *,
    overwrite: bool,
    commit: bool = True,
) -> str:
    """The id of the gold span for ``span``'s (label, start, end), made from ``span`` (its note
    and attributes) when missing, or when ``overwrite``."""
    span_gold_id, exists = gold_place(session, document, span.label_id, span.start, span.end)
    if overwrite or not exists:
        values = SpanValues(
            span.label_id,
            span.start,
            span.end,
            span.note,
            dict(span.attributes or {}),
            named_source(span.named_source_id),
        )
        save_gold(
            session,
            document,
            curator,
            span_gold_id,
            values,
            source_span_id=span.id,
            commit=commit,
        )
    return span_gold_id


def named_source(source_id: int | None) -> SourceChoice:
    """The choice that makes a gold span name ``source_id`` (None: no source)."""
    return CLEAR if source_id is None else SourceChoice(id=source_id)


def agreed_source(session: Session, marks: Sequence[Mark]) -> SourceChoice:
    """The source every one of ``marks`` (annotators' spans) names, or no source when they
    differ or name none."""
    named = set(
        session.execute(select(Span.named_source_id).where(Span.id.in_([m.id for m in marks])))
        .scalars()
        .all()
    )
    return named_source(named.pop()) if len(named) == 1 else CLEAR


def accept_attributes(session: Session, document: Document, curator: User, span: Span) -> None:
    """Give the gold span at ``span`` the attribute values of ``span`` (the gold span is made
    from it if gold has none there); values the label no longer defines are left out."""
    gold_span = session.get(
        GoldSpan, accept_span(session, document, curator, span, overwrite=False)
    )
    label = session.get(Label, gold_span.label_id)
    values = SpanValues(
        gold_span.label_id,
        gold_span.start,
        gold_span.end,
        gold_span.note,
        keep_defined(span.attributes or {}, label.attributes),
    )
    save_gold(session, document, curator, gold_span.id, values)


def ends_missing_from_gold(session: Session, document: Document, relation: Relation) -> list[Span]:
    """The end spans of ``relation`` whose (label, start, end) gold lacks, source first."""
    ends = [session.get(Span, relation.source_id), session.get(Span, relation.target_id)]
    return [
        span
        for span in ends
        if twin_of(session, GoldSpan, document.id, span.label_id, span.start, span.end) is None
    ]


def describe(session: Session, document: Document, spans: Sequence[Span]) -> str:
    """``claim [72, 99) «…»; evidence …``: spans as a curator reads them in a message."""
    parts = []
    for span in spans:
        quoted = document.text[span.start : span.end]
        if len(quoted) > 60:
            quoted = quoted[:60] + "…"
        label = session.get(Label, span.label_id).name
        parts.append(f"{label} [{span.start}, {span.end}) «{quoted}»")
    return "; ".join(parts)


def accept_relation(
    session: Session,
    document: Document,
    curator: User,
    relation: Relation,
    *,
    add_spans: bool,
    commit: bool = True,
) -> None:
    """Copy one annotator's link into gold. Its end spans that gold lacks are added only when
    ``add_spans`` says the curator agreed to it; else `Refused` (409) names them."""
    missing = ends_missing_from_gold(session, document, relation)
    if missing and not add_spans:
        raise Refused(
            409,
            f"accepting this link adds {len(missing)} span{'s' if len(missing) > 1 else ''} "
            f"to gold: {describe(session, document, missing)}. Confirm to add them.",
            "add_spans",
        )
    source = accept_span(
        session,
        document,
        curator,
        session.get(Span, relation.source_id),
        overwrite=False,
        commit=commit,
    )
    target = accept_span(
        session,
        document,
        curator,
        session.get(Span, relation.target_id),
        overwrite=False,
        commit=commit,
    )
    relation_type = session.get(RelationType, relation.type_id)
    payload = {
        "type": relation_type.name,
        "source": source,
        "target": target,
        "value": relation.value,
    }
    try:
        values = check_relation(session, payload, document, [relation_type], None)
        save_gold_relation(
            session,
            document,
            curator,
            gold_relation_id(document.id, relation.type_id, source, target),
            values,
            source_relation_id=relation.id,
            commit=commit,
        )
    except Refused as problem:
        if problem.status != 409:  # 409: gold has this link already, under another id
            raise


#: Called after each item of a bulk accept with (items done, items in all); it may raise to stop
#: (a cancelled job), and then nothing of the bulk accept is stored.
Progress = Callable[[int, int], None]


def accept_agreed(
    session: Session,
    document: Document,
    curator: User,
    agreed: Sequence[tuple[tuple[int, int, int], list[Mark]]],
    agreed_links: Sequence[Relation],
    progress: Progress | None = None,
) -> int:
    """Copy into gold the agreed spans ``((label id, start, end), marks)`` that gold lacks (a
    span gold has keeps the curator's note and attributes), then the agreed links.

    Nothing is committed: the caller commits once, or rolls back, so 10,000 spans are accepted
    all together or not at all. Returns how many spans and links were looked at.
    """
    total = len(agreed) + len(agreed_links)
    done = 0
    for (label_id, start, end), marks in agreed:
        span_gold_id, exists = gold_place(session, document, label_id, start, end)
        if not exists:
            values = SpanValues(
                label_id,
                start,
                end,
                "",
                agreed_attributes(marks),
                agreed_source(session, marks),
            )
            save_gold(
                session,
                document,
                curator,
                span_gold_id,
                values,
                source_span_id=marks[0].id,
                commit=False,
            )
        done += 1
        if progress is not None:
            progress(done, total)
    for relation in agreed_links:
        # Its ends are agreed spans, accepted above.
        accept_relation(session, document, curator, relation, add_spans=True, commit=False)
        done += 1
        if progress is not None:
            progress(done, total)
    return total
