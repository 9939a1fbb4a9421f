"""Build native export records from the database and stream them as JSONL lines.

Documents are read in project order (position, id) in batches of ``BATCH`` (fewer when their
texts would exceed ``TEXT_BUDGET``) with keyset pagination; the spans, gold spans and
assignments of a batch come in one query each, as Core rows (no ORM objects). Only one batch is
held at a time, so memory stays flat however large the project. The whole export reads inside
one transaction (``reading``), so it sees one state of the project even while annotators keep
saving.

The filters run in SQL and mean what ``formats.filter_record`` means: annotators restrict the
annotator list and their spans, labels restrict annotator spans and gold spans alike, and
``gold_only`` drops annotators and their spans; a relation is exported when both its spans are.
Three filters choose documents: ``min_done`` keeps documents finished by at least k annotators
(counting only the chosen annotators, if any), ``gold_only`` keeps documents with at least one
gold span (of the chosen labels) or gold answer, and ``adjudicated_only`` keeps documents whose
adjudication is finished (marked adjudicated, or their gold came with an import:
`annotator.adjudication.state`).

Offsets are Unicode code points, half-open ``[start, end)``, as stored; ``formats`` converts
where a format asks for another unit (doccano).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, String, and_, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from annotator import store
from annotator.data_export.files import FILE_FORMATS, SCHEMES
from annotator.data_export.formats import FORMATS
from annotator.data_export.formats.card import dataset_card
from annotator.data_export.formats.doccano import DOCCANO_OFFSETS
from annotator.data_export.formats.record import Record, dumps_line
from annotator.data_import.parsers import EXPORT_FAILED
from annotator.errors import Invalid
from annotator.models import (
    ActiveTime,
    Adjudication,
    Answer,
    Assignment,
    Document,
    GoldAnswer,
    GoldRelation,
    GoldSpan,
    Label,
    Project,
    Question,
    Relation,
    RelationType,
    Source,
    Span,
    User,
)
from annotator.rules import parse_names

#: The last line of an export that failed after it began: the importer refuses the file.
FAILED_LINE = (
    orjson.dumps(
        {
            EXPORT_FAILED: "the export failed midway (the server log says why); "
            "this file is incomplete: export again"
        }
    )
    + b"\n"
)

BATCH = 1000
"""Documents per batch: big enough that per-query overhead vanishes, small enough to stay flat."""
EXPORT_FORMATS = (*FORMATS, *FILE_FORMATS)
"""Every export: the JSONL formats, then the whole-file ones (``files.FILE_FORMATS``)."""
TEXT_BUDGET = 5_000_000
"""Code points of document text per batch at most: a batch of long articles is cut short, so
memory stays flat whatever the documents' length (up to 20 MB of text, at 4 bytes a character)."""


@dataclass(frozen=True)
class ExportOptions:
    """What to export. ``None`` for annotators or labels means all of them."""

    format: str = "native"
    min_done: int = 0
    annotators: frozenset[str] | None = None
    labels: frozenset[str] | None = None
    gold_only: bool = False
    adjudicated_only: bool = False
    base_uri: str | None = None  # w3c only; default ``default_base_uri(slug)``
    offsets: str = "utf16"  # doccano only
    scheme: str = "bio"  # conll only: bio or bilou
    documents: frozenset[int] | None = None  # document ids (a selection of the list); None: all

    def filters(self) -> dict[str, Any]:
        """The filters in force, for the dataset card."""
        active: dict[str, Any] = {}
        if self.min_done:
            active["documents done by at least"] = f"{self.min_done} annotators"
        if self.annotators is not None:
            active["annotators"] = sorted(self.annotators)
        if self.labels is not None:
            active["labels"] = sorted(self.labels)
        if self.gold_only:
            active["gold only"] = True
        if self.adjudicated_only:
            active["adjudicated documents only"] = True
        if self.documents is not None:
            active["documents selected in the list"] = len(self.documents)
        return active


@dataclass(frozen=True)
class ProjectRef:
    id: int
    slug: str
    name: str


def name_filter(value: str | Iterable[str] | None) -> frozenset[str] | None:
    """Names typed as ``"a,b"`` or ``["a", "b,c"]`` as a filter; nothing given → ``None`` (all)."""
    return frozenset(parse_names(value)) or None


def default_base_uri(slug: str) -> str:
    return f"urn:annotator:{slug}"


def file_name(slug: str, format_name: str, day: date) -> str:
    """``demo-native-2026-11-25.jsonl``: project, format and date (and the format's extension)."""
    extension = FILE_FORMATS[format_name].extension if format_name in FILE_FORMATS else "jsonl"
    return f"{slug}-{format_name}-{day.isoformat()}.{extension}"


def mimetype(format_name: str) -> str:
    if format_name in FILE_FORMATS:
        return FILE_FORMATS[format_name].mimetype
    return "application/x-ndjson"


def find_project(db: Connection | Session, slug: str) -> ProjectRef | None:
    row = db.execute(
        select(Project.id, Project.slug, Project.name).where(Project.slug == slug)
    ).first()
    return ProjectRef(*row) if row else None


def check_options(db: Connection | Session, project: ProjectRef, options: ExportOptions) -> None:
    """Raise :class:`Invalid` with a message for the user when the options cannot be met."""
    if options.format not in EXPORT_FORMATS:
        raise Invalid(f"unknown format {options.format!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if options.format in FILE_FORMATS and FILE_FORMATS[options.format].requires:
        FILE_FORMATS[options.format].check(options.format)
    if options.scheme not in SCHEMES:
        raise Invalid(f"scheme must be one of {', '.join(SCHEMES)}")
    if options.offsets not in DOCCANO_OFFSETS:
        raise Invalid(f"offsets must be one of {', '.join(DOCCANO_OFFSETS)}")
    if options.min_done < 0:
        raise Invalid("the minimum number of annotators done cannot be negative")
    for what, chosen, known in (
        ("label", options.labels, store.label_names(db, project.id)),
        ("annotator", options.annotators, store.annotator_names(db, project.id)),
    ):
        unknown = sorted((chosen or frozenset()) - set(known))
        if unknown:
            raise Invalid(
                f"unknown {what} {unknown[0]!r} in project {project.slug}; "
                f"known: {', '.join(known) or 'none'}"
            )


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection inside one read-only transaction: a consistent view for a whole export.

    PostgreSQL gets REPEATABLE READ (one snapshot for every query); SQLite's read transaction
    under WAL is a snapshot already.
    """
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with connection.begin():
            yield connection


# --- records -----------------------------------------------------------------------------------


class utc_iso(FunctionElement):
    """A timestamp column as ISO 8601 text in UTC ending in Z, with microseconds, made by the
    database: parsing a million datetimes into Python objects only to print them again would
    double the time of an export."""

    type = String()
    inherit_cache = True


@compiles(utc_iso, "sqlite")
def _utc_iso_sqlite(element, compiler, **kw) -> str:
    # SQLAlchemy stores SQLite datetimes as naive UTC text 'YYYY-MM-DD HH:MM:SS.ffffff'.
    return f"replace({compiler.process(element.clauses, **kw)}, ' ', 'T') || 'Z'"


@compiles(utc_iso, "postgresql")
def _utc_iso_postgresql(element, compiler, **kw) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


def _document_query(project_id: int, options: ExportOptions):
    """The chosen documents' keys and lengths, in project order, one batch at most."""
    query = select(Document.id, Document.position, Document.length).where(
        Document.project_id == project_id
    )
    if options.documents is not None:
        query = query.where(Document.id.in_(sorted(options.documents)))
    if options.min_done:
        done = select(func.count()).where(
            Assignment.document_id == Document.id, Assignment.status == "done"
        )
        if options.annotators is not None:
            chosen = select(User.id).where(User.username.in_(options.annotators))
            done = done.where(Assignment.user_id.in_(chosen))
        query = query.where(done.scalar_subquery() >= options.min_done)
    if options.gold_only:
        gold = select(GoldSpan.id).where(GoldSpan.document_id == Document.id)
        if options.labels is not None:
            gold = gold.join(Label, Label.id == GoldSpan.label_id).where(
                Label.name.in_(options.labels)
            )
        answered = select(GoldAnswer.question_id).where(GoldAnswer.document_id == Document.id)
        query = query.where(or_(gold.exists(), answered.exists()))
    if options.adjudicated_only:
        query = query.where(
            select(Adjudication.document_id)
            .where(Adjudication.document_id == Document.id, Adjudication.status == "adjudicated")
            .exists()
        )
    return query.order_by(Document.position, Document.id).limit(BATCH)


def document_count(
    connection: Connection | Session, project_id: int, options: ExportOptions
) -> int:
    """How many documents the export writes (its lines per document are one chunk): the total
    a progress bar counts up to."""
    chosen = _document_query(project_id, options).order_by(None).limit(None).subquery()
    return connection.execute(select(func.count()).select_from(chosen)).scalar_one()


def _span_query(ids: list[int], options: ExportOptions):
    query = (
        select(
            Span.document_id,
            Span.id,
            User.username,
            Label.name,
            Span.start,
            Span.end,
            Span.note,
            Span.attributes,
            utc_iso(Span.created_at),
            utc_iso(Span.updated_at),
            Span.origin,
            Span.recommender,
            Span.named_source_id,
        )
        .join(User, User.id == Span.annotator_id)
        .join(Label, Label.id == Span.label_id)
        .where(Span.document_id.in_(ids))
    )
    if options.annotators is not None:
        query = query.where(User.username.in_(options.annotators))
    if options.labels is not None:
        query = query.where(Label.name.in_(options.labels))
    return query


def _gold_query(ids: list[int], options: ExportOptions):
    query = (
        select(
            GoldSpan.document_id,
            GoldSpan.id,
            Label.name,
            GoldSpan.start,
            GoldSpan.end,
            GoldSpan.note,
            GoldSpan.attributes,
            User.username,
            utc_iso(GoldSpan.created_at),
            utc_iso(GoldSpan.updated_at),
            GoldSpan.named_source_id,
        )
        .join(Label, Label.id == GoldSpan.label_id)
        .outerjoin(User, User.id == GoldSpan.curator_id)
        .where(GoldSpan.document_id.in_(ids))
    )
    if options.labels is not None:
        query = query.where(Label.name.in_(options.labels))
    return query


def _relation_query(ids: list[int], options: ExportOptions):
    """Relations of the batch; those whose spans the label filter drops go in Python."""
    query = (
        select(
            Relation.document_id,
            Relation.id,
            User.username,
            RelationType.name,
            Relation.source_id,
            Relation.target_id,
            Relation.value,
            utc_iso(Relation.created_at),
            utc_iso(Relation.updated_at),
        )
        .join(User, User.id == Relation.annotator_id)
        .join(RelationType, RelationType.id == Relation.type_id)
        .where(Relation.document_id.in_(ids))
    )
    if options.annotators is not None:
        query = query.where(User.username.in_(options.annotators))
    return query


def _gold_relation_query(ids: list[int]):
    return (
        select(
            GoldRelation.document_id,
            GoldRelation.id,
            RelationType.name,
            GoldRelation.source_id,
            GoldRelation.target_id,
            GoldRelation.value,
            User.username,
            utc_iso(GoldRelation.created_at),
            utc_iso(GoldRelation.updated_at),
        )
        .join(RelationType, RelationType.id == GoldRelation.type_id)
        .outerjoin(User, User.id == GoldRelation.curator_id)
        .where(GoldRelation.document_id.in_(ids))
    )


def _answer_query(ids: list[int], options: ExportOptions):
    query = (
        select(
            Answer.document_id,
            User.username,
            Question.name,
            Question.kind,
            Question.choices,
            Answer.value,
            utc_iso(Answer.created_at),
            utc_iso(Answer.updated_at),
        )
        .join(User, User.id == Answer.annotator_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.document_id.in_(ids))
        .order_by(Answer.document_id, User.username, Question.position, Question.id)
    )
    if options.annotators is not None:
        query = query.where(User.username.in_(options.annotators))
    return query


def _gold_answer_query(ids: list[int]):
    return (
        select(
            GoldAnswer.document_id,
            Question.name,
            Question.kind,
            Question.choices,
            GoldAnswer.value,
            User.username,
            utc_iso(GoldAnswer.created_at),
            utc_iso(GoldAnswer.updated_at),
        )
        .join(Question, Question.id == GoldAnswer.question_id)
        .outerjoin(User, User.id == GoldAnswer.curator_id)
        .where(GoldAnswer.document_id.in_(ids))
        .order_by(GoldAnswer.document_id, Question.position, Question.id)
    )


def _assignment_query(ids: list[int], options: ExportOptions):
    """Each assignment with the annotator's active time on the document (sum over their visits,
    first and last moment measured; NULL when nothing was measured)."""
    timed = (
        select(
            ActiveTime.document_id,
            ActiveTime.annotator_id,
            func.sum(ActiveTime.seconds).label("seconds"),
            utc_iso(func.min(ActiveTime.started_at)).label("first"),
            utc_iso(func.max(ActiveTime.updated_at)).label("last"),
        )
        .where(ActiveTime.document_id.in_(ids))
        .group_by(ActiveTime.document_id, ActiveTime.annotator_id)
        .subquery()
    )
    query = (
        select(
            Assignment.document_id,
            User.username,
            Assignment.status,
            utc_iso(Assignment.updated_at),
            timed.c.seconds,
            timed.c.first,
            timed.c.last,
        )
        .join(User, User.id == Assignment.user_id)
        .outerjoin(
            timed,
            and_(
                timed.c.document_id == Assignment.document_id,
                timed.c.annotator_id == Assignment.user_id,
            ),
        )
        .where(Assignment.document_id.in_(ids))
    )
    if options.annotators is not None:
        query = query.where(User.username.in_(options.annotators))
    return query


def records(connection: Connection, project_id: int, options: ExportOptions) -> Iterator[Record]:
    """Native records (``formats`` module docstring) of the project's documents, in order."""
    documents = _document_query(project_id, options)
    after: tuple[int, int] | None = None
    while True:
        query = documents
        if after is not None:
            position, last_id = after
            query = query.where(
                or_(
                    Document.position > position,
                    and_(Document.position == position, Document.id > last_id),
                )
            )
        keys = _within_budget(connection.execute(query).all())
        if not keys:
            return
        ids = [key.id for key in keys]
        rows = {row.id: row for row in connection.execute(_text_query(ids))}
        yield from _batch_records(connection, [rows[i] for i in ids], options)
        after = (keys[-1].position, keys[-1].id)


def _within_budget(keys: list) -> list:
    """The first documents of a batch whose texts fit ``TEXT_BUDGET`` (always at least one)."""
    total = 0
    for count, key in enumerate(keys):
        total += key.length
        if total > TEXT_BUDGET and count:
            return keys[:count]
    return keys


def _text_query(ids: list[int]):
    return select(
        Document.id,
        Document.external_id,
        Document.title,
        Document.url,
        Document.meta,
        Document.text,
    ).where(Document.id.in_(ids))


def _batch_records(connection: Connection, batch, options: ExportOptions) -> Iterator[Record]:
    ids = [row.id for row in batch]
    annotations: defaultdict[int, list[dict]] = defaultdict(list)
    annotators: defaultdict[int, list[dict]] = defaultdict(list)
    gold: defaultdict[int, list[dict]] = defaultdict(list)
    relations: defaultdict[int, list[dict]] = defaultdict(list)
    gold_relations: defaultdict[int, list[dict]] = defaultdict(list)
    answers: defaultdict[int, list[dict]] = defaultdict(list)
    gold_answers: defaultdict[int, list[dict]] = defaultdict(list)
    if not options.gold_only:
        for (
            document_id,
            name,
            question,
            kind,
            choices,
            value,
            created,
            updated,
        ) in connection.execute(_answer_query(ids, options)).all():
            answers[document_id].append(
                {  # kind and choices: for the formats that name the options (Prodigy)
                    "annotator": name,
                    "question": question,
                    "kind": kind,
                    "choices": choices,
                    "value": value,
                    "created_at": created,
                    "updated_at": updated,
                }
            )
        for (
            document_id,
            span_id,
            name,
            label,
            start,
            end,
            note,
            attributes,
            created,
            updated,
            origin,
            recommender,
            named_source,
        ) in connection.execute(_span_query(ids, options)).all():
            annotations[document_id].append(
                {
                    "id": span_id,
                    "annotator": name,
                    "label": label,
                    "start": start,
                    "end": end,
                    "note": note,
                    "attributes": attributes or {},
                    "created_at": created,
                    "updated_at": updated,
                    "origin": origin or "manual",
                    "recommender": recommender,
                    "source": named_source,
                }
            )
        for (
            document_id,
            relation_id,
            name,
            type_name,
            source,
            target,
            value,
            created,
            updated,
        ) in connection.execute(_relation_query(ids, options)).all():
            relations[document_id].append(
                {
                    "id": relation_id,
                    "annotator": name,
                    "type": type_name,
                    "source": source,
                    "target": target,
                    "value": value,
                    "created_at": created,
                    "updated_at": updated,
                }
            )
        for document_id, name, status, updated, seconds, first, last in connection.execute(
            _assignment_query(ids, options)
        ).all():
            entry = {"annotator": name, "status": status, "updated_at": updated}
            if seconds is not None:
                entry |= {
                    "active_seconds": int(seconds),
                    "first_active_at": first,
                    "last_active_at": last,
                }
            annotators[document_id].append(entry)
    for (
        document_id,
        span_id,
        label,
        start,
        end,
        note,
        attributes,
        curator,
        created,
        updated,
        named_source,
    ) in connection.execute(_gold_query(ids, options)).all():
        gold[document_id].append(
            {
                "id": span_id,
                "label": label,
                "start": start,
                "end": end,
                "note": note,
                "attributes": attributes or {},
                "curator": curator,
                "created_at": created,
                "updated_at": updated,
                "source": named_source,
            }
        )
    for (
        document_id,
        relation_id,
        type_name,
        source,
        target,
        value,
        curator,
        created,
        updated,
    ) in connection.execute(_gold_relation_query(ids)).all():
        gold_relations[document_id].append(
            {
                "id": relation_id,
                "type": type_name,
                "source": source,
                "target": target,
                "value": value,
                "curator": curator,
                "created_at": created,
                "updated_at": updated,
            }
        )
    for (
        document_id,
        question,
        kind,
        choices,
        value,
        curator,
        created,
        updated,
    ) in connection.execute(_gold_answer_query(ids)).all():
        gold_answers[document_id].append(
            {
                "question": question,
                "kind": kind,
                "choices": choices,
                "value": value,
                "curator": curator,
                "created_at": created,
                "updated_at": updated,
            }
        )
    sources = _name_sources([*annotations.values(), *gold.values()], connection)
    for row in batch:
        record_spans = annotations.pop(row.id, [])
        record_gold = gold.pop(row.id, [])
        yield {
            "id": row.external_id,
            "title": row.title,
            "url": row.url,
            "meta": row.meta or {},
            "text": row.text,
            "annotators": annotators.pop(row.id, []),
            "annotations": record_spans,
            "relations": _joining(relations.pop(row.id, []), record_spans),
            "answers": answers.pop(row.id, []),
            "gold": record_gold,
            "gold_relations": _joining(gold_relations.pop(row.id, []), record_gold),
            "gold_answers": gold_answers.pop(row.id, []),
            "sources": _sources_of([*record_spans, *record_gold], sources),
        }


def _name_sources(span_lists: Iterable[list[dict]], connection: Connection) -> dict[str, dict]:
    """Replace each span's ``source`` (the id of the source it names) by the source's name, and
    return the named sources by name: ``{name, kind, url, wikidata}``."""
    spans = [span for spans in span_lists for span in spans if span["source"] is not None]
    ids = sorted({span["source"] for span in spans})
    if not ids:
        return {}
    by_id = {
        row.id: {"name": row.name, "kind": row.kind, "url": row.url, "wikidata": row.wikidata}
        for row in connection.execute(
            select(Source.id, Source.name, Source.kind, Source.url, Source.wikidata).where(
                Source.id.in_(ids)
            )
        )
    }
    for span in spans:
        span["source"] = by_id[span["source"]]["name"]
    return {entry["name"]: entry for entry in by_id.values()}


def _sources_of(spans: list[dict], sources: dict[str, dict]) -> list[dict]:
    """The sources ``spans`` name, by name."""
    return [sources[name] for name in sorted({s["source"] for s in spans if s["source"]})]


def _joining(relations: list[dict], spans: list[dict]) -> list[dict]:
    """The relations whose two spans are both exported (the label filter may drop one)."""
    kept = {span["id"] for span in spans}
    return [item for item in relations if item["source"] in kept and item["target"] in kept]


# --- lines and card ----------------------------------------------------------------------------


@dataclass
class ExportStats:
    """Counts of what an export wrote, gathered on the way, for the summary and the card."""

    documents: int = 0
    annotators: set[str] = field(default_factory=set)
    spans_per_label: Counter[str] = field(default_factory=Counter)
    gold_spans: int = 0
    relations: int = 0
    gold_relations: int = 0
    #: the registry sources spans name, and how many annotator and gold spans name one
    sources: set[str] = field(default_factory=set)
    source_links: int = 0
    gold_source_links: int = 0
    #: per annotator: active seconds per document, and the first and last moment measured
    active_seconds: dict[str, list[int]] = field(default_factory=dict)
    active_span: dict[str, tuple[str, str]] = field(default_factory=dict)

    def add(self, record: Record) -> None:
        self.documents += 1
        for entry in record["annotators"]:
            if "active_seconds" not in entry:
                continue
            name = entry["annotator"]
            self.active_seconds.setdefault(name, []).append(entry["active_seconds"])
            first, last = self.active_span.get(
                name, (entry["first_active_at"], entry["last_active_at"])
            )
            self.active_span[name] = (
                min(first, entry["first_active_at"]),
                max(last, entry["last_active_at"]),
            )
        self.annotators.update(entry["annotator"] for entry in record["annotators"])
        self.annotators.update(span["annotator"] for span in record["annotations"])
        self.spans_per_label.update(span["label"] for span in record["annotations"])
        self.gold_spans += len(record["gold"])
        self.relations += len(record.get("relations", []))
        self.gold_relations += len(record.get("gold_relations", []))
        named = [span["source"] for span in record["annotations"] if span.get("source")]
        named_gold = [span["source"] for span in record["gold"] if span.get("source")]
        self.sources.update(named, named_gold)
        self.source_links += len(named)
        self.gold_source_links += len(named_gold)

    @property
    def spans(self) -> int:
        return sum(self.spans_per_label.values())

    def summary(self) -> str:
        text = f"{self.documents} documents, {self.spans} spans, {self.gold_spans} gold spans"
        if self.relations or self.gold_relations:
            text += (
                f", {_count(self.relations, 'link')}, {_count(self.gold_relations, 'gold link')}"
            )
        return text

    def card(
        self,
        project: ProjectRef,
        options: ExportOptions,
        exported_at: datetime,
        agreement: dict | None = None,
    ) -> str:
        stats = {
            "project": project.name,
            "format": options.format,
            "exported_at": exported_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "documents": self.documents,
            "annotators": sorted(self.annotators),
            "spans_per_label": dict(self.spans_per_label),
            "gold_spans": self.gold_spans,
            "relations": self.relations,
            "gold_relations": self.gold_relations,
            "sources": len(self.sources),
            "source_links": self.source_links,
            "gold_source_links": self.gold_source_links,
            "filters": options.filters(),
            "agreement": agreement,
            "active_time": {
                name: {
                    "documents": len(seconds),
                    "seconds": sum(seconds),
                    "median": statistics.median(seconds),
                    "first": self.active_span[name][0],
                    "last": self.active_span[name][1],
                }
                for name, seconds in sorted(self.active_seconds.items())
            },
        }
        if options.format == "doccano":
            stats["offsets"] = options.offsets
        return dataset_card(stats)


def _count(number: int, what: str) -> str:
    return f"{number} {what}{'' if number == 1 else 's'}"


def format_options(project: ProjectRef, options: ExportOptions) -> dict[str, Any]:
    """Keyword arguments of the chosen ``FORMATS`` function (gold is filtered in SQL)."""
    if options.format == "w3c":
        return {"base_uri": options.base_uri or default_base_uri(project.slug)}
    if options.format == "doccano":
        return {"offsets": options.offsets}
    if options.format == "conll":
        return {"scheme": options.scheme}
    return {}


def export_lines(
    connection: Connection,
    project: ProjectRef,
    options: ExportOptions,
    stats: ExportStats | None = None,
) -> Iterator[bytes]:
    """The export as JSONL, one chunk of bytes per document (all the lines of that document).

    Call :func:`check_options` first: unknown labels or annotators would only match nothing.
    """
    kwargs = format_options(project, options)
    if options.format in FILE_FORMATS:
        yield from FILE_FORMATS[options.format].write(
            _counted(records(connection, project.id, options), stats), **kwargs
        )
        return
    write = FORMATS[options.format]
    for record in records(connection, project.id, options):
        if stats is not None:
            stats.add(record)
        yield b"".join(dumps_line(line) for line in write(record, **kwargs))


def _counted(items: Iterable[Record], stats: ExportStats | None) -> Iterator[Record]:
    for record in items:
        if stats is not None:
            stats.add(record)
        yield record
