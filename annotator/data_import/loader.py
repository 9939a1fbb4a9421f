"""Store parsed import files in one transaction: all documents, spans and relations, or nothing."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, insert, text
from sqlmodel import Session, select

from annotator import store
from annotator.annotation.answers import questions_of
from annotator.annotation.relations import relation_types_of, rule_of
from annotator.data_import.detect import Content, parse_import
from annotator.data_import.parsers import ImportedDocument, ImportRules
from annotator.data_import.peers import PeerOptions
from annotator.db import lock_project
from annotator.models import (
    Adjudication,
    Answer,
    Assignment,
    Document,
    GoldAnswer,
    GoldRelation,
    GoldSpan,
    Membership,
    Project,
    Relation,
    Source,
    Span,
    User,
    utcnow,
)
from annotator.rules import counted

BATCH = 500


@dataclass
class ImportSummary:
    documents: int = 0
    spans: int = 0
    gold_spans: int = 0
    relations: int = 0
    gold_relations: int = 0
    sources: int = 0
    """Sources added to the project's registry (those it had already are reused)."""
    new_accounts: list[str] = field(default_factory=list)
    empty_files: list[str] = field(default_factory=list)
    """Files that held no documents (empty or only blank lines): said, so none looks lost."""

    def __str__(self) -> str:
        text = f"imported {counted(self.documents, 'document')}, {counted(self.spans, 'span')}"
        if self.gold_spans:
            text += f", {counted(self.gold_spans, 'gold span')}"
        if self.relations:
            text += f", {counted(self.relations, 'link')}"
        if self.gold_relations:
            text += f", {counted(self.gold_relations, 'gold link')}"
        if self.sources:
            text += f", {counted(self.sources, 'new source')}"
        if self.new_accounts:
            text += f"; new accounts without password: {', '.join(self.new_accounts)}"
        for name in self.empty_files:
            text += f"; {name} held no documents"
        return text


#: Called after each batch with the number of documents written so far. It may raise (a
#: cancelled job): the import is then rolled back like a rejected one.
Progress = Callable[[int], None]


def import_files(
    db: Session,
    project: Project,
    files: Iterable[tuple[str, Content]],
    max_chars: int = 1_000_000,
    progress: Progress | None = None,
    before_commit: Callable[[ImportSummary], None] | None = None,
    *,
    format: str | None = None,
    annotator: str | None = None,
) -> ImportSummary:
    """Parse and store ``files`` (name, lines-or-bytes, or a folder's ``Bundle``) into
    ``project``, then commit. ``format`` overrides the detected format (``detect.FORMATS``);
    ``annotator`` names whose spans a file is that does not say (brat, doccano, Prodigy).

    On :class:`~annotator.errors.ImportRejected`, or anything ``progress`` raises, the
    transaction is rolled back and the error propagates: the database is exactly as before. The
    project is locked for the length of the import, so two imports into one project check their
    ids one after the other. ``before_commit`` writes in the same transaction (a job's "done").
    """
    try:
        summary = _store(db, project, files, max_chars, progress, format, PeerOptions(annotator))
        if before_commit is not None:
            before_commit(summary)
        db.commit()
        return summary
    except BaseException:
        db.rollback()
        raise


def count_documents(paths: Iterable[str]) -> int:
    """How many documents ``paths`` hold, for a progress bar: a JSONL file one per non-blank
    line, any other file one. Read in pieces; nothing is parsed."""
    total = 0
    for path in paths:
        if os.path.splitext(path)[1].lower() not in (".jsonl", ".ndjson"):
            total += 1
            continue
        with open(path, "rb") as handle:
            total += sum(1 for line in handle if line.strip())
    return total


def _store(
    db: Session,
    project: Project,
    files,
    max_chars: int,
    progress: Progress | None,
    format: str | None,
    options: PeerOptions,
) -> ImportSummary:
    lock_project(db, project.id)
    label_rows = store.labels_of(db, project.id)
    labels = {label.name: label.id for label in label_rows}
    types = relation_types_of(db, project.id)
    questions = questions_of(db, project.id)
    existing = set(db.exec(select(Document.external_id).where(Document.project_id == project.id)))
    position = db.exec(
        select(func.coalesce(func.max(Document.position), -1)).where(
            Document.project_id == project.id
        )
    ).one()
    rules = ImportRules(
        labels=labels,
        existing_ids=existing,
        max_chars=max_chars,
        attributes={label.name: label.attributes for label in label_rows},
        relation_types={item.name: rule_of(item) for item in types},
        questions={item.name: item for item in questions},
        source_labels={label.name for label in label_rows if label.links_source},
    )
    writer = _Writer(db, project, labels, {item.name: item.id for item in types})
    writer.questions = {item.name: item.id for item in questions}
    batch: list[ImportedDocument] = []
    for document in parse_import(
        files, rules, format=format, options=options, empty=writer.summary.empty_files
    ):
        position += 1
        batch.append(document)
        if len(batch) >= BATCH:
            writer.write(batch, position - len(batch) + 1)
            batch = []
            if progress is not None:
                progress(writer.summary.documents)
    if batch:
        writer.write(batch, position - len(batch) + 1)
        if progress is not None:
            progress(writer.summary.documents)
    return writer.summary


class _Writer:
    """Bulk inserts (executemany) per batch: the import bench needs thousands of rows a second.

    Rows go to the tables through Core, not the ORM: the ORM's bulk path costs about as much as
    the database itself here.
    """

    def __init__(
        self, db: Session, project: Project, labels: dict[str, int], types: dict[str, int]
    ):
        self.db, self.project, self.labels, self.types = db, project, labels, types
        self.users: dict[str, int] = {}
        self.members: set[int] = {
            user_id
            for user_id in db.exec(
                select(Membership.user_id).where(Membership.project_id == project.id)
            )
        }
        self.questions: dict[str, int] = {}
        self.sources: dict[str, int] = {}  # name key -> id of the project's source
        self.summary = ImportSummary()
        self.batches = 0
        self.postgresql = db.get_bind().dialect.name == "postgresql"

    def user_id(self, name: str) -> int:
        if name not in self.users:
            user = store.user_by_name(self.db, name)
            if user is None:
                user = User(username=name, password_hash=None)
                self.db.add(user)
                self.db.flush()
                self.summary.new_accounts.append(name)
            if user.id not in self.members:
                self.db.add(
                    Membership(project_id=self.project.id, user_id=user.id, role="annotator")
                )
                self.db.flush()
                self.members.add(user.id)
            self.users[name] = user.id
        return self.users[name]

    def source_id(self, document: ImportedDocument, key: str | None) -> int | None:
        """The id of the project's source named ``key`` (``rules.source_key``): the one the
        project has, kept as it is, or one made from the document's listing of it."""
        if key is None:
            return None
        if key not in self.sources:
            found = self.db.exec(
                select(Source.id).where(
                    Source.project_id == self.project.id, Source.name_key == key
                )
            ).first()
            if found is None:
                listed = document.sources[key]
                source = Source(
                    project_id=self.project.id,
                    name=listed.name,
                    name_key=key,
                    kind=listed.kind,
                    url=listed.url,
                    wikidata=listed.wikidata,
                )
                self.db.add(source)
                self.db.flush()
                found = source.id
                self.summary.sources += 1
            self.sources[key] = found
        return self.sources[key]

    def write(self, documents: list[ImportedDocument], first_position: int) -> None:
        now = utcnow()
        rows = [
            {
                "project_id": self.project.id,
                "external_id": document.external_id,
                "title": document.title,
                "text": document.text,
                "length": len(document.text),
                "url": document.url,
                "meta": document.meta,
                "position": first_position + index,
                "created_at": now,
            }
            for index, document in enumerate(documents)
        ]
        ids = self._insert_documents(rows, first_position)
        self.batches += 1
        if self.batches == 2 and self.postgresql:
            # Foreign-key checks of spans use plans PostgreSQL caches per connection. Made while
            # the document table was small or never analysed, they scan the project's documents
            # for every span (the import slows down quadratically: 140 s instead of 7 s for
            # 20,000 documents). Fresh statistics, which also see this transaction's rows, make
            # it plan an index lookup again.
            self.db.execute(text("ANALYZE document"))
        spans, gold, assignments, relations, gold_relations = [], [], [], [], []
        answers: list[dict] = []
        gold_answers: list[dict] = []
        adjudications: list[dict] = []
        for document_id, document in zip(ids, documents, strict=True):
            base = {
                "project_id": self.project.id,
                "document_id": document_id,
                "document_length": len(document.text),
                "created_at": now,
                "updated_at": now,
            }
            annotators = {span.annotator for span in document.annotations} | set(document.statuses)
            annotators |= {answer.annotator for answer in document.answers}
            answers += [
                {
                    "document_id": document_id,
                    "annotator_id": self.user_id(answer.annotator),
                    "question_id": self.questions[answer.question],
                    "project_id": self.project.id,
                    "value": answer.value,
                    "created_at": now,
                    "updated_at": now,
                }
                for answer in document.answers
            ]
            for name in sorted(annotators):
                status = document.statuses.get(name, "done")
                assignments.append(
                    {
                        "document_id": document_id,
                        "user_id": self.user_id(name),
                        "project_id": self.project.id,
                        "status": status,
                        "assigned_at": now,
                        "updated_at": now,
                        "done_at": now if status == "done" else None,
                    }
                )
            span_rows = [
                base
                | {
                    "id": str(uuid.uuid4()),
                    "annotator_id": self.user_id(span.annotator),
                    "label_id": self.labels[span.label],
                    "start": span.start,
                    "end": span.end,
                    "note": span.note,
                    "attributes": span.attributes,
                    "named_source_id": self.source_id(document, span.source),
                }
                for span in document.annotations
            ]
            gold_rows = [
                base
                | {
                    "id": str(uuid.uuid4()),
                    "label_id": self.labels[span.label],
                    "start": span.start,
                    "end": span.end,
                    "note": span.note,
                    "attributes": span.attributes,
                    "named_source_id": self.source_id(document, span.source),
                }
                for span in document.gold
            ]
            spans += span_rows
            gold += gold_rows
            relations += [
                self._relation(relation, span_rows)
                | {"annotator_id": span_rows[relation.source]["annotator_id"]}
                for relation in document.relations
            ]
            gold_relations += [
                self._relation(relation, gold_rows) for relation in document.gold_relations
            ]
            gold_answers += [
                {
                    "document_id": document_id,
                    "question_id": self.questions[answer.question],
                    "project_id": self.project.id,
                    "value": answer.value,
                    "curator_id": None,
                    "created_at": now,
                    "updated_at": now,
                }
                for answer in document.gold_answers
            ]
            if gold_rows or document.gold_answers:
                # gold finished elsewhere: the document counts as adjudicated
                adjudications.append(
                    {
                        "document_id": document_id,
                        "project_id": self.project.id,
                        "status": "adjudicated",
                        "curator_id": None,
                        "imported": True,
                        "started_at": now,
                        "updated_at": now,
                        "adjudicated_at": now,
                    }
                )
        for model, values in (
            (Assignment, assignments),
            (Span, spans),
            (GoldSpan, gold),
            (Relation, relations),
            (GoldRelation, gold_relations),
            (Answer, answers),
            (GoldAnswer, gold_answers),
            (Adjudication, adjudications),
        ):
            if values:
                self.db.execute(insert(model.__table__), values)
        self.summary.documents += len(documents)
        self.summary.spans += len(spans)
        self.summary.gold_spans += len(gold)
        self.summary.relations += len(relations)
        self.summary.gold_relations += len(gold_relations)

    def _insert_documents(self, rows: list[dict], first_position: int) -> list[int]:
        """Insert the documents; their ids, in the order of ``rows``.

        PostgreSQL returns them from multi-row INSERTs. SQLite cannot say which returned id
        belongs to which row of one INSERT, so SQLAlchemy would send one INSERT per document
        (a third of a 2,000-document import): the rows go in as one batch instead and the ids are
        read back by position, which this import alone holds (it counts on from the project's
        highest, under SQLite's write lock)."""
        table = Document.__table__
        if self.postgresql:
            returning = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            return list(self.db.execute(returning, rows).scalars().all())
        self.db.execute(insert(table), rows)
        last = first_position + len(rows) - 1
        found = dict(
            self.db.execute(
                select(table.c.position, table.c.id).where(
                    table.c.project_id == self.project.id,
                    table.c.position.between(first_position, last),
                )
            ).all()
        )
        if len(found) != len(rows):  # never under the write lock; stop before misattributing
            raise RuntimeError("another writer took positions of this import")
        return [found[first_position + index] for index in range(len(rows))]

    def _relation(self, relation, rows: list[dict]) -> dict:
        """A relation row between two of ``rows`` (new ids), as the file linked their spans."""
        source = rows[relation.source]
        return {
            "id": str(uuid.uuid4()),
            "project_id": source["project_id"],
            "document_id": source["document_id"],
            "type_id": self.types[relation.type],
            "source_id": source["id"],
            "target_id": rows[relation.target]["id"],
            "value": relation.value,
            "created_at": source["created_at"],
            "updated_at": source["updated_at"],
        }
