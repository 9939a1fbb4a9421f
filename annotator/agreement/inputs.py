"""Data access for agreement: the inputs of `agreement.compute_agreement` read from the database,
and a small per-process cache of its results.

What counts: the spans of an annotator on a document whose assignment is ``done`` (imported
annotations are stored as done). Documents are keyed by ``str(document.id)``; their external id
and title come along in :class:`DocumentRef` for display. Offsets are code points, half-open
``[start, end)``, as stored.

The cache is keyed by project, filters, bootstrap draws and seed, and remembers the project's
:func:`version` with each result: a cheap aggregate that changes whenever a span or assignment of
the project is added, changed or removed, or a label is renamed, added or reordered. A page
therefore recomputes only after something changed.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations
from typing import Any, NamedTuple

from sqlalchemy import Connection, String, cast, func, literal, select, union_all
from sqlmodel import Session

from annotator import store
from annotator.agreement.gold_quality import vs_gold
from annotator.agreement.over_time import comparable_since, per_week
from annotator.agreement.report import (
    AgreementReport,
    Relation,
    Span,
    classify_pair,
    compute_agreement,
)
from annotator.errors import Invalid
from annotator.models import Adjudication, Assignment, Document, Label, RelationType, User
from annotator.models import GoldSpan as GoldSpanRow
from annotator.models import Relation as RelationRow
from annotator.models import Span as SpanRow

CACHE_SIZE = 16
"""Reports kept per process (one per project and filter combination), least recently used out."""
PAIR_CACHE_SIZE = 3
"""Classified span pairs kept per process (one per pair or filter asked about): about 20 MB for
a pair with 40,000 spans each."""


@dataclass(frozen=True)
class DocumentRef:
    id: int
    external_id: str
    title: str | None

    @property
    def name(self) -> str:
        return self.title or self.external_id


@dataclass(frozen=True)
class Filters:
    """Chosen labels and annotators, in project order; ``None`` means all."""

    labels: tuple[str, ...] | None = None
    annotators: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Inputs:
    """Everything `compute_agreement` needs, plus the documents' names."""

    spans: list[Span]
    lengths: dict[str, int]
    finished: dict[str, list[str]]
    labels: list[str]
    annotators: list[str] | None
    documents: dict[str, DocumentRef]
    relations: list[Relation] = field(default_factory=list)
    attributes: dict[str, list[str]] = field(default_factory=dict)  # label -> attribute names
    gold: list[Span] = field(default_factory=list)  # gold spans of adjudicated documents
    adjudicated: list[str] = field(default_factory=list)  # keys of adjudicated documents
    done_at: dict[str, list[datetime]] = field(default_factory=dict)  # when each finisher did


class ProjectReport(AgreementReport):
    """`compute_agreement`'s report with the figures against gold (`gold_quality.vs_gold`) and
    week by week (`over_time.per_week`) added, as the page, the CLI and the API give it."""

    vs_gold: dict[str, Any]
    over_time: list[dict[str, Any]]


@dataclass(frozen=True)
class Result:
    """A report of `compute_agreement` with what it was computed from and how long it took."""

    report: ProjectReport
    documents: dict[str, DocumentRef]
    version: tuple
    seconds: float


# --- names and filters -------------------------------------------------------------------------


def make_filters(
    db: Session, project_id: int, labels: Sequence[str] = (), annotators: Sequence[str] = ()
) -> Filters:
    """Filters from names a user typed; `Invalid` names the first unknown one. Empty means all."""
    chosen = {}
    for what, names, known in (
        ("label", labels, store.label_names(db, project_id)),
        ("annotator", annotators, store.annotator_names(db, project_id)),
    ):
        unknown = [name for name in names if name not in known]
        if unknown:
            raise Invalid(f"unknown {what} {unknown[0]!r}; known: {', '.join(known) or 'none yet'}")
        chosen[what] = tuple(name for name in known if name in names) or None
    return Filters(chosen["label"], chosen["annotator"])


# --- loading -----------------------------------------------------------------------------------


def _done(project_id: int):
    return (Assignment.project_id == project_id) & (Assignment.status == "done")


def load_inputs(db: Session, project_id: int, filters: Filters = Filters()) -> Inputs:
    """Spans of finished (document, annotator) pairs, lengths and finishers of finished documents.

    Column queries on the session's connection (no ORM loading); spans come as plain integer
    tuples named from small dictionaries: 120,000 spans load in about half a second.
    """
    connection = db.connection()
    label_rows = connection.execute(
        select(Label.id, Label.name, Label.attributes)
        .where(Label.project_id == project_id)
        .order_by(Label.position)
    ).all()
    label_of = {
        label_id: name
        for label_id, name, _attributes in label_rows
        if filters.labels is None or name in filters.labels
    }
    defined = {
        name: [item["name"] for item in attributes or ()]
        for label_id, name, attributes in label_rows
        if label_id in label_of
    }
    query = (
        select(
            Assignment.document_id,
            Assignment.user_id,
            User.username,
            func.coalesce(Assignment.done_at, Assignment.updated_at),
        )
        .join(User, User.id == Assignment.user_id)
        .where(_done(project_id))
    )
    if filters.annotators is not None:
        query = query.where(User.username.in_(filters.annotators))
    keys: dict[int, str] = {}
    user_of: dict[int, str] = {}
    finished: dict[str, list[str]] = {}
    done_at: dict[str, list[datetime]] = {}
    for document_id, user_id, username, moment in connection.execute(query).all():
        user_of[user_id] = username
        key = keys.setdefault(document_id, str(document_id))
        finished.setdefault(key, []).append(username)
        done_at.setdefault(key, []).append(moment)

    lengths, documents = {}, {}
    rows = connection.execute(
        select(Document.id, Document.external_id, Document.title, Document.length).where(
            Document.id.in_(select(Assignment.document_id).where(_done(project_id)))
        )
    ).all()
    for document_id, external_id, title, length in rows:
        key = keys.setdefault(document_id, str(document_id))
        lengths[key] = length
        documents[key] = DocumentRef(document_id, external_id, title)

    query = (
        select(
            SpanRow.document_id,
            SpanRow.annotator_id,
            SpanRow.label_id,
            SpanRow.start,
            SpanRow.end,
            SpanRow.id,
        )
        .join(
            Assignment,
            (Assignment.document_id == SpanRow.document_id)
            & (Assignment.user_id == SpanRow.annotator_id),
        )
        .where(SpanRow.project_id == project_id, Assignment.status == "done")
        .where(SpanRow.label_id.in_(list(label_of)))
    )
    if filters.annotators is not None:
        query = query.where(SpanRow.annotator_id.in_(list(user_of)))
    # Attribute values, only of the spans that have any (most have none).
    valued = dict(
        connection.execute(
            select(SpanRow.id, SpanRow.attributes).where(
                SpanRow.project_id == project_id, cast(SpanRow.attributes, String) != "{}"
            )
        ).all()
    )
    spans = [
        Span(
            keys[document_id],
            user_of[user_id],
            label_of[label_id],
            start,
            end,
            span_id,
            valued.get(span_id) or {},
        )
        for document_id, user_id, label_id, start, end, span_id in _plain_rows(connection, query)
    ]
    query = (
        select(
            RelationRow.document_id,
            RelationRow.annotator_id,
            RelationType.name,
            RelationRow.source_id,
            RelationRow.target_id,
        )
        .join(RelationType, RelationType.id == RelationRow.type_id)
        .where(RelationRow.project_id == project_id)
    )
    relations = [
        Relation(keys[document_id], user_of[user_id], type_name, source, target)
        for document_id, user_id, type_name, source, target in connection.execute(query).all()
        if document_id in keys and user_id in user_of
    ]
    adjudicated = [
        keys[document_id]
        for (document_id,) in connection.execute(
            select(Adjudication.document_id).where(
                Adjudication.project_id == project_id, Adjudication.status == "adjudicated"
            )
        ).all()
        if document_id in keys
    ]
    gold = [
        Span(keys[document_id], "", label_of[label_id], start, end, span_id)
        for document_id, label_id, start, end, span_id in connection.execute(
            select(
                GoldSpanRow.document_id,
                GoldSpanRow.label_id,
                GoldSpanRow.start,
                GoldSpanRow.end,
                GoldSpanRow.id,
            )
            .join(Adjudication, Adjudication.document_id == GoldSpanRow.document_id)
            .where(
                GoldSpanRow.project_id == project_id,
                Adjudication.status == "adjudicated",
                GoldSpanRow.label_id.in_(list(label_of)),
            )
        ).all()
        if document_id in keys
    ]
    labels = list(label_of.values())
    return Inputs(
        spans,
        lengths,
        finished,
        labels,
        _listed(filters.annotators),
        documents,
        relations,
        defined,
        gold,
        adjudicated,
        done_at,
    )


def _plain_rows(connection: Connection, query) -> list[tuple]:
    """The driver's own tuples of a query of plain integer columns: a third faster than Row
    objects for the 100,000s of spans of a big study, and no column here needs converting."""
    result = connection.execute(query)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _listed(names: tuple[str, ...] | None) -> list[str] | None:
    return None if names is None else list(names)


class PairItem(NamedTuple):
    """One item of `classify_pair` for annotators a and b (``span_a`` or ``span_b`` is None for
    the "missing" kinds). A tuple: a pair of busy annotators has tens of thousands."""

    a: str
    b: str
    kind: str
    span_a: Span | None
    span_b: Span | None

    @property
    def label(self) -> str:
        """The label a breakdown counts it under: b's span for "missing_a", else a's."""
        return (self.span_b if self.kind == "missing_a" else self.span_a).label

    @property
    def span(self) -> Span:
        return self.span_a or self.span_b

    def matches(self, label: str | None, kinds: Collection[str]) -> bool:
        """Of one of ``kinds`` and (if given) counted under ``label``."""
        return self.kind in kinds and (label is None or self.label == label)


def classified_pairs(
    db: Session,
    project_id: int,
    filters: Filters = Filters(),
    pairs: Sequence[tuple[str, str]] | None = None,
) -> list[PairItem]:
    """`classify_pair` items of each pair on the documents both finished.

    ``pairs`` defaults to every pair of the filter's annotators (else of everyone who finished
    a document), in the order of `compute_agreement`'s "pairwise". Only spans of the filter's
    labels take part, as in the report, so the items add up to its breakdown counts.
    """
    inputs = load_inputs(db, project_id, filters)
    spans: dict[str, list[Span]] = {}
    for span in inputs.spans:
        spans.setdefault(span.annotator, []).append(span)
    done: dict[str, set[str]] = {}
    for document, names in inputs.finished.items():
        for name in names:
            done.setdefault(name, set()).add(document)
    if pairs is None:
        pairs = list(combinations(inputs.annotators or sorted(done), 2))
    out = []
    for a, b in pairs:
        if a == b:
            continue
        shared = done.get(a, set()) & done.get(b, set())
        items = classify_pair(
            [s for s in spans.get(a, ()) if s.document in shared],
            [s for s in spans.get(b, ()) if s.document in shared],
        )
        out += [PairItem(a, b, item["kind"], item["a"], item["b"]) for item in items]
    return out


def documents_by_id(db: Session, ids: Iterable[int]) -> dict[int, tuple[DocumentRef, str]]:
    """Names and texts of the given documents (of any project: callers pass their own ids)."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    rows = db.execute(
        select(Document.id, Document.external_id, Document.title, Document.text).where(
            Document.id.in_(ids)
        )
    )
    return {row[0]: (DocumentRef(row[0], row[1], row[2]), row[3]) for row in rows}


# --- version and cache -------------------------------------------------------------------------


def version(db: Session, project_id: int) -> tuple:
    """A token that changes when the project's spans, assignments, links, gold, adjudication
    states or labels change.

    Count and latest ``updated_at`` of each in one query (an insert or a delete moves the count,
    an edit moves the latest time: every write sets it), plus the label names in order.
    """
    rows = (
        db.connection()
        .execute(
            union_all(
                select(literal(0).label("part"), func.count(), func.max(SpanRow.updated_at)).where(
                    SpanRow.project_id == project_id
                ),
                select(
                    literal(1).label("part"), func.count(), func.max(Assignment.updated_at)
                ).where(Assignment.project_id == project_id),
                select(
                    literal(2).label("part"), func.count(), func.max(RelationRow.updated_at)
                ).where(RelationRow.project_id == project_id),
                select(
                    literal(3).label("part"), func.count(), func.max(GoldSpanRow.updated_at)
                ).where(GoldSpanRow.project_id == project_id),
                select(
                    literal(4).label("part"), func.count(), func.max(Adjudication.updated_at)
                ).where(Adjudication.project_id == project_id),
            )
        )
        .all()
    )
    parts = tuple((count, str(latest)) for _part, count, latest in sorted(rows))
    definitions = db.connection().execute(
        select(Label.name, cast(Label.attributes, String))
        .where(Label.project_id == project_id)
        .order_by(Label.position)
    )
    return (*parts, tuple(tuple(row) for row in definitions))


class _Cache:
    """Least-recently-used values, each valid for one :func:`version` of its project."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict[tuple, tuple[tuple, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple, current: tuple) -> Any | None:
        with self.lock:
            hit = self.entries.get(key)
            if hit is None or hit[0] != current:
                return None
            self.entries.move_to_end(key)
            return hit[1]

    def put(self, key: tuple, current: tuple, value: Any) -> None:
        with self.lock:
            self.entries[key] = (current, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_reports = _Cache(CACHE_SIZE)
_items = _Cache(PAIR_CACHE_SIZE)


def _key(db: Session, project_id: int, *rest: object) -> tuple:
    # Ids repeat across databases (tests run one process on SQLite and PostgreSQL).
    return (db.get_bind().url.render_as_string(hide_password=True), project_id, *rest)


def agreement(
    db: Session,
    project_id: int,
    filters: Filters = Filters(),
    bootstrap: int = 1000,
    seed: int = 0,
    use_cache: bool = True,
) -> Result:
    """The project's agreement report, with ``vs_gold`` (`gold_quality.vs_gold`: annotators
    against the gold of adjudicated documents) and ``over_time`` (`over_time.per_week`); from
    the cache when nothing changed since it
    was made. The agreement page, its CSV download and ``annotator agreement`` all show this.

    Two requests that miss at once both compute (the cache never blocks a page on another's
    computation); the last one stored wins, and both are right.
    """
    current = version(db, project_id)
    key = _key(db, project_id, filters, bootstrap, seed)
    hit = _reports.get(key, current) if use_cache else None
    if hit is not None:
        return hit
    started = time.perf_counter()
    inputs = load_inputs(db, project_id, filters)
    figures = compute_agreement(
        inputs.spans,
        inputs.lengths,
        inputs.finished,
        inputs.labels,
        annotators=inputs.annotators,
        bootstrap=bootstrap,
        seed=seed,
        relations=inputs.relations,
        attributes=inputs.attributes,
    )
    gold_figures = vs_gold(
        inputs.spans,
        inputs.gold,
        inputs.lengths,
        inputs.finished,
        inputs.adjudicated,
        inputs.labels,
        figures["annotators"],
        bootstrap=bootstrap,
        seed=seed,
    )
    weekly = per_week(
        inputs.spans,
        inputs.lengths,
        inputs.finished,
        inputs.labels,
        inputs.annotators,
        comparable_since(inputs.done_at),
    )
    report: ProjectReport = {**figures, "vs_gold": gold_figures, "over_time": weekly}
    result = Result(report, inputs.documents, current, time.perf_counter() - started)
    if use_cache:
        _reports.put(key, current, result)
    return result


def cached_pairs(
    db: Session,
    project_id: int,
    filters: Filters = Filters(),
    pairs: Sequence[tuple[str, str]] | None = None,
) -> list[PairItem]:
    """:func:`classified_pairs`, kept until the project changes: a manager clicking through
    the figures of one pair classifies its spans once."""
    current = version(db, project_id)
    key = _key(db, project_id, filters, None if pairs is None else tuple(pairs))
    hit = _items.get(key, current)
    if hit is None:
        hit = classified_pairs(db, project_id, filters, pairs)
        _items.put(key, current, hit)
    return hit


def clear_cache() -> None:
    _reports.clear()
    _items.clear()


def summary(
    db: Session, project_id: int, labels: Sequence[str] = (), annotators: Sequence[str] = ()
) -> dict | None:
    """The agreement figures a dataset card shows (no intervals: a card is read, not studied).

    None when fewer than two annotators finished the same document.
    """
    filters = make_filters(db, project_id, labels, annotators)
    report = agreement(db, project_id, filters, bootstrap=0).report
    if not report["documents"] or not report["pairwise"]:
        return None

    def mean(key: str) -> float | None:
        values = [pair[key] for pair in report["pairwise"] if pair[key] is not None]
        return round(sum(values) / len(values), 3) if values else None

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 3)

    return {
        "documents compared": report["documents"],
        "annotators": ", ".join(report["annotators"]),
        "mean pairwise exact span F1": mean("exact_f1"),
        "mean pairwise overlap span F1": mean("overlap_f1"),
        "Krippendorff's alpha per label (characters)": {
            label: rounded(figures["alpha"]) for label, figures in report["per_label"].items()
        },
        "unitizing alpha per label": {
            label: rounded(figures["alpha_u"]) for label, figures in report["per_label"].items()
        },
        "unitizing alpha, all labels": rounded(report["alpha_u_pooled"]),
    }
