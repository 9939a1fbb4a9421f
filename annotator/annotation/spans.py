"""Saving and deleting spans: validation and idempotent writes shared by pages and the JSON API.

A span's id is made by the client (a UUID). ``PUT`` with an id creates the span or updates it to the
given values, so a retried request leaves exactly one span; ``DELETE`` of an absent id succeeds.
A layer (an annotator's spans, the gold spans) holds each label and range once: a second one, under
another id, is refused with 409 (a unique index stands behind the check).
Deleting a span deletes its relations (the database cascades).

Span attributes (``{"source_type": "media outlet"}``) come in the payload's ``attributes``, checked
against the label's definitions. Leaving ``attributes`` out keeps the stored values (those still
defined for the span's label, if the label changes): older clients never wipe them.

The project-wide source a span names (the source registry, ``annotation.sources``) comes in
``named_source``: ``{"id": n}``, ``{"name": "…", "kind": "…"}`` (found or created by name: a save
made offline carries the name as its own idempotency key) or null for none; only for labels
whose spans name a source (``Label.links_source``). Left out, the stored source stays (and goes
when the span is relabelled to a label that names none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from annotator.adjudication import state
from annotator.annotation.definitions import check_attributes, keep_defined
from annotator.annotation.source_names import SourceChoice, parse_choice
from annotator.annotation.sources import resolve as resolve_source
from annotator.errors import Problem, Refused
from annotator.models import (
    Document,
    GoldRelation,
    GoldSpan,
    Label,
    Relation,
    RelationType,
    Source,
    Span,
    User,
    utcnow,
)


def resolve_label(labels: list[Label], name: str) -> Label | None:
    """The label called ``name`` now, or else the one most recently called so (its
    ``former_names``)."""
    current = next((item for item in labels if item.name == name), None)
    if current is not None:
        return current
    return next((item for item in labels if name in (item.former_names or ())), None)


SPAN_ID = re.compile(r"^[0-9A-Za-z_-]{8,36}$")


@dataclass(frozen=True)
class SpanValues:
    label_id: int
    start: int
    end: int
    note: str
    attributes: dict[str, Any] | None = None  # None: keep what is stored
    named_source: SourceChoice | None = None  # None: keep what is stored


def check_values(payload: Any, document: Document, labels: list[Label]) -> SpanValues:
    """Validate a span payload ``{label, start, end, text?, note?, attributes?}``.

    ``label`` is the label's name (or id); offsets are code points; ``text``, when sent, must equal
    the stored text in ``[start, end)``: the browser's view and the server's must agree;
    ``attributes`` must fit the label's definitions (see ``definitions.check_attributes``).
    """
    if not isinstance(payload, dict):
        raise Refused(400, "expected a JSON object")
    label = payload.get("label")
    by_id = {item.id: item for item in labels}
    # a page opened before a rename sends the label's old name: it still means that label
    chosen = resolve_label(labels, label) if isinstance(label, str) else None
    if chosen is None and isinstance(label, int) and not isinstance(label, bool):
        chosen = by_id.get(label)
    if chosen is None:
        raise Refused(422, f"unknown label {label!r} for this project", "label")
    for key in ("start", "end"):
        value = payload.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise Refused(422, f"{key} must be a whole number (code points)", key)
    start, end = payload["start"], payload["end"]
    if not 0 <= start < end <= document.length:
        raise Refused(
            422,
            f"offsets [{start}, {end}) outside the text (need 0 <= start < end <= "
            f"{document.length})",
            "start",
        )
    if "text" in payload and payload["text"] != document.text[start:end]:
        raise Refused(
            422,
            f"selected text {payload['text']!r} does not match the document at "
            f"[{start}, {end}): {document.text[start:end]!r}",
            "text",
        )
    note = payload.get("note", "")
    if note is None:
        note = ""
    if not isinstance(note, str) or len(note) > 10_000:
        raise Refused(422, "note must be text of at most 10,000 characters", "note")
    attributes = None
    if "attributes" in payload:
        try:
            attributes = check_attributes(payload["attributes"], chosen.attributes)
        except Problem as problem:
            raise Refused(422, str(problem), "attributes") from None
    named_source = None
    if "named_source" in payload:
        named_source = parse_choice(payload["named_source"])
        if not named_source.clears and not chosen.links_source:
            raise Refused(
                422,
                f"named_source: {chosen.name} spans do not name a source (see the label's "
                "settings)",
                "named_source",
            )
    return SpanValues(chosen.id, start, end, note, attributes, named_source)


def insert_ignoring_conflict(db: Session, model, row: dict) -> bool:
    """INSERT that does nothing when a row with the same ``id`` exists (a retried save); True
    when this statement inserted the row."""
    dialect = db.get_bind().dialect.name
    module = import_module(f"sqlalchemy.dialects.{dialect}")
    statement = module.insert(model).values(**row).on_conflict_do_nothing(index_elements=["id"])
    return db.execute(statement.returning(model.id)).first() is not None


def create_once(
    db: Session, model, row: dict, foreign, what: str, *, commit: bool = True
) -> tuple[Any, bool]:
    """Insert ``row`` under its client-made id, commit (only flush when not ``commit``: a bulk
    action commits once at its end); return (the stored row, inserted here).

    When a concurrent request stored the same id first, that row is returned with False (the
    caller applies its values as to an existing row), unless it is someone else's
    (``foreign``): then 404, revealing nothing. A row deleted between the insert and the read
    (its span deleted at that moment, and the link with it) is 409: the request was overtaken.
    """
    inserted = insert_ignoring_conflict(db, model, row)
    if commit:
        db.commit()
    else:
        db.flush()
    stored = db.get(model, row["id"], populate_existing=True)
    if stored is None:
        raise Refused(409, f"the {what} was deleted meanwhile; reload the document")
    if foreign(stored):
        raise Refused(404, f"no such {what}")
    return stored, inserted


def commit_change(db: Session, what: str, on_conflict=None, *, commit: bool = True) -> None:
    """Commit an update or delete prepared in ``db``, answering a concurrent change with 4xx.

    The row deleted by another request meanwhile (SQLAlchemy's StaleDataError) is 404; a unique
    or foreign key broken by a concurrent change (IntegrityError) is 409, or what
    ``on_conflict`` raises (it runs after the rollback, e.g. to name the twin span). Without
    ``commit`` it only flushes, and any error is the caller's: its whole transaction fails.
    """
    if not commit:
        db.flush()
        return
    try:
        db.commit()
    except StaleDataError:
        db.rollback()
        raise Refused(404, f"no such {what}: it was deleted meanwhile") from None
    except IntegrityError:
        db.rollback()
        if on_conflict is not None:
            on_conflict()
        raise Refused(409, f"the {what} changed meanwhile; reload the document") from None


def save_span(
    db: Session,
    document: Document,
    annotator: User,
    span_id: str,
    values: SpanValues,
    *,
    origin: str = "manual",
    recommender: str | None = None,
) -> tuple[Span, bool]:
    """Create or update the annotator's span ``span_id``; returns (span, created). Commits.

    ``origin`` "suggestion" (with its ``recommender``) when the span is an accepted suggestion
    (``annotator.suggestions.layer.accept``); an ordinary save of an existing span keeps its
    origin."""
    extra = {"origin": origin, "recommender": recommender} if origin != "manual" else None
    return _save(db, Span, "annotator_id", document, annotator, span_id, values, extra)


def save_gold(
    db: Session,
    document: Document,
    curator: User,
    span_id: str,
    values: SpanValues,
    source_span_id: str | None = None,
    *,
    commit: bool = True,
) -> tuple[GoldSpan, bool]:
    """Create or update a gold span of ``document`` (any manager may edit gold). Commits, unless
    ``commit`` is false: then the caller's transaction holds it (a bulk action, all or nothing)."""
    extra = {"source_span_id": source_span_id} if source_span_id else {}
    saved = _save(
        db, GoldSpan, "curator_id", document, curator, span_id, values, extra, commit=commit
    )
    state.record_work(db, document, curator)  # the document's adjudication is under way
    if commit:
        db.commit()
    return saved


def _save(db, model, owner_field, document, user, span_id, values, extra=None, *, commit=True):
    if not SPAN_ID.match(span_id):
        raise Refused(400, "span id must be 8 to 36 letters, digits, - or _", "id")
    owned = model is Span  # annotator spans belong to one user; gold to the document

    def foreign(row) -> bool:
        return row.document_id != document.id or (owned and row.annotator_id != user.id)

    existing = db.get(model, span_id)
    if existing is not None and foreign(existing):
        raise Refused(404, "no such span")  # another user's id: do not reveal it exists
    content = (values.label_id, values.start, values.end)
    if existing is None or (existing.label_id, existing.start, existing.end) != content:
        _refuse_twin(db, model, document, user, span_id, values)
    named_source_id = _named_source(db, document, user, values, existing)
    if existing is None:
        now = utcnow()
        row = {
            "id": span_id,
            "project_id": document.project_id,
            "document_id": document.id,
            "document_length": document.length,
            owner_field: user.id,
            "label_id": values.label_id,
            "start": values.start,
            "end": values.end,
            "note": values.note,
            "attributes": values.attributes or {},
            "named_source_id": named_source_id,
            "created_at": now,
            "updated_at": now,
            **(extra or {}),
        }
        try:
            existing, inserted = create_once(db, model, row, foreign, "span", commit=commit)
        except IntegrityError:  # a twin was stored meanwhile: one span per label and range
            if not commit:
                raise  # the caller's whole transaction fails: nothing half done
            db.rollback()
            _refuse_twin(db, model, document, user, span_id, values)
            raise Refused(409, "the document changed meanwhile; reload it") from None
        if inserted:
            return existing, True
        # Another request created this id at the same moment: apply ours as an update.
        named_source_id = _named_source(db, document, user, values, existing)
    if foreign(existing):
        raise Refused(404, "no such span")  # another user's id: do not reveal it exists
    attributes = values.attributes
    if existing.label_id != values.label_id:
        label = db.get(Label, values.label_id)
        _refuse_relabel_breaking_links(db, model, span_id, label.name)
        if attributes is None:
            attributes = keep_defined(existing.attributes or {}, label.attributes)
    if attributes is None:
        attributes = existing.attributes or {}
    extra = {key: value for key, value in (extra or {}).items() if getattr(existing, key) != value}
    current = (
        existing.label_id,
        existing.start,
        existing.end,
        existing.note,
        existing.attributes,
        existing.named_source_id,
    )
    wanted = (values.label_id, values.start, values.end, values.note, attributes, named_source_id)
    if extra or current != wanted:
        existing.label_id, existing.start, existing.end = values.label_id, values.start, values.end
        existing.note = values.note
        existing.attributes = dict(attributes)
        existing.named_source_id = named_source_id
        for key, value in extra.items():  # e.g. the annotator's span a gold span was accepted from
            setattr(existing, key, value)
        existing.updated_at = utcnow()
        if not owned:
            existing.curator_id = user.id
        db.add(existing)
        commit_change(
            db,
            "span",
            lambda: _refuse_twin(db, model, document, user, span_id, values),
            commit=commit,
        )
    return existing, False


def _named_source(db: Session, document: Document, user: User, values: SpanValues, existing):
    """The source the saved span is to name: the payload's choice (found or made), else the
    stored one while its label still names sources."""
    stored = existing.named_source_id if existing is not None else None
    if values.named_source is not None:
        return resolve_source(db, document.project_id, values.named_source, user, stored)
    if stored is not None and existing.label_id != values.label_id:
        label = db.get(Label, values.label_id)
        return stored if label.links_source else None
    return stored


def twin_of(
    db: Session, model, document_id: int, label_id: int, start: int, end: int, annotator_id=None
):
    """The span of a layer with this label and range in the document (a layer holds each once):
    the gold layer (``model`` GoldSpan), or ``annotator_id``'s spans (``model`` Span)."""
    query = select(model).where(
        model.document_id == document_id,
        model.label_id == label_id,
        model.start == start,
        model.end == end,
    )
    if model is Span:
        query = query.where(Span.annotator_id == annotator_id)
    return db.exec(query).first()


TWIN_REFUSED = {
    GoldSpan: "the gold layer has this span already (same label and range)",
    Span: "you have marked this already (same label and range)",
}


def _refuse_twin(db: Session, model, document: Document, user: User, span_id: str, values):
    """409 when another span of the layer has this label and range: an annotator's spans, and
    the gold layer, hold each label and range once (a second one would only repeat the first)."""
    twin = twin_of(db, model, document.id, values.label_id, values.start, values.end, user.id)
    if twin is not None and twin.id != span_id:
        raise Refused(409, TWIN_REFUSED[model])


def _refuse_relabel_breaking_links(db: Session, model, span_id: str, label: str) -> None:
    """409 when the span has a link whose type does not allow ``label`` at the span's end."""
    relation = Relation if model is Span else GoldRelation
    rows = db.execute(
        select(RelationType.name, RelationType.source_labels, RelationType.target_labels)
        .join(relation, relation.type_id == RelationType.id)
        .where((relation.source_id == span_id) | (relation.target_id == span_id))
        .add_columns(relation.source_id == span_id)
    )
    for name, sources, targets, is_source in rows:
        allowed = sources if is_source else targets
        if allowed and label not in allowed:
            end = "start" if is_source else "end"
            raise Refused(
                409,
                f"this span is linked ({name}), and a {name} link cannot {end} at a {label} "
                "span: delete the link first",
                "label",
            )


def delete_owned(
    db: Session, model, document: Document, item_id: str, owner_id: int | None, what: str
) -> bool:
    """Delete one span or link of ``document``; True if it existed, False if it never did.

    ``owner_id`` is the annotator it must belong to (None for the gold layer, which any manager
    edits). Another user's or another document's item answers 404, revealing nothing. Commits.
    """
    existing = db.get(model, item_id)
    if existing is None:
        return False
    foreign_owner = owner_id is not None and existing.annotator_id != owner_id
    if foreign_owner or existing.document_id != document.id:
        raise Refused(404, f"no such {what}")
    db.delete(existing)
    try:
        db.commit()
    except StaleDataError:  # deleted by another request meanwhile: gone, as asked
        db.rollback()
    return True


def delete_span(db: Session, document: Document, annotator: User, span_id: str) -> bool:
    return delete_owned(db, Span, document, span_id, annotator.id, "span")


def delete_gold(db: Session, document: Document, span_id: str) -> bool:
    return delete_owned(db, GoldSpan, document, span_id, None, "span")


def spans_of(db: Session, document_id: int, annotator_id: int) -> list[tuple[Span, Label]]:
    return list(
        db.exec(
            select(Span, Label)
            .join(Label, Label.id == Span.label_id)
            .where(Span.document_id == document_id, Span.annotator_id == annotator_id)
            .order_by(Span.start, Span.end.desc(), Span.id)
        )
    )


NAMED = (Source.id, Source.name, Source.kind)
"""The columns of the source a span names (outer joined: None when it names none)."""


def _highlight(make, row):
    *span, source_id, name, kind = row
    return make(*span, source=None if source_id is None else (source_id, name, kind))


def highlights_of(db: Session, document_id: int, annotator_id: int) -> list:
    """The annotator's spans as :class:`~annotator.annotation.highlight.Highlight` rows, in text
    order.

    Plain column rows, not ORM objects: the workspace renders up to thousands of them per request.
    """
    from annotator.annotation.highlight import Highlight

    rows = db.execute(
        select(
            Span.id,
            Span.label_id,
            Label.name,
            Span.start,
            Span.end,
            Span.note,
            Span.attributes,
            *NAMED,
        )
        .join(Label, Label.id == Span.label_id)
        .outerjoin(Source, Source.id == Span.named_source_id)
        .where(Span.document_id == document_id, Span.annotator_id == annotator_id)
        .order_by(Span.start, Span.end.desc(), Span.id)
    )
    return [_highlight(Highlight, row) for row in rows]


def gold_of(db: Session, document_id: int) -> list[tuple[GoldSpan, Label]]:
    return list(
        db.exec(
            select(GoldSpan, Label)
            .join(Label, Label.id == GoldSpan.label_id)
            .where(GoldSpan.document_id == document_id)
            .order_by(GoldSpan.start, GoldSpan.end.desc(), GoldSpan.id)
        )
    )


def gold_highlights_of(db: Session, document_id: int) -> list:
    from annotator.annotation.highlight import Highlight

    rows = db.execute(
        select(
            GoldSpan.id,
            GoldSpan.label_id,
            Label.name,
            GoldSpan.start,
            GoldSpan.end,
            GoldSpan.note,
            GoldSpan.attributes,
            *NAMED,
        )
        .join(Label, Label.id == GoldSpan.label_id)
        .outerjoin(Source, Source.id == GoldSpan.named_source_id)
        .where(GoldSpan.document_id == document_id)
        .order_by(GoldSpan.start, GoldSpan.end.desc(), GoldSpan.id)
    )
    return [_highlight(Highlight, row) for row in rows]


def as_json(span: Span | GoldSpan, label: Label, text: str) -> dict:
    return {
        "id": span.id,
        "label": label.name,
        "start": span.start,
        "end": span.end,
        "text": text[span.start : span.end],
        "note": span.note,
        "attributes": dict(span.attributes or {}),
        "named_source_id": span.named_source_id,
        "created_at": span.created_at.isoformat(),
        "updated_at": span.updated_at.isoformat(),
        **(
            {"origin": span.origin, "recommender": span.recommender}
            if isinstance(span, Span)
            else {}
        ),
    }
