"""The manager's document list: full-text search, filters, sort and paging with a stable order.

Search runs on each database's own index (migration 0011_study): SQLite's FTS5 table
``document_fts``, PostgreSQL's GIN index on the ``simple`` text search vector. Each word of the
query must occur in the title or the text, as a word or the start of one (``саботир`` finds
``саботирует``). Symbols that no index tokenises (emoji, ``«``) are matched as substrings of the
text instead, so ``👩`` still finds a document with it.

Two filters look at the work itself: ``disagreement=yes`` keeps documents that at least two
annotators marked done with different spans (one has a (label, start, end) the other lacks),
read from the flag in ``document_summary`` that the database's triggers keep exact on every write
(migration 0110; ``disagreement_reference`` is the same test computed from the spans, which took
seconds on 100,000 documents); ``meta=key=value`` keeps documents whose imported ``meta`` has
that value under that key (compared as text).

A document's status: ``new`` (nobody has it), ``in_progress`` (handed out, fewer than k
annotators done), ``done`` (k annotators done). Every order ends with the document id, in the
order's direction (so an index read backwards gives a descending page), so pages never repeat or
skip a document while nothing changes. Span and gold span counts come from ``document_summary``
too: sorting by span count reads its index instead of counting the spans of every match.

Counting stops at ``COUNT_LIMIT`` matches when anything narrows the list (the page then says
"1,000+"): counting every match of a common word or a status in 100,000 documents took many times
longer than finding the page itself (bench/document_list_bench.py). The project's own total stays
exact: it is read from an index.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    column,
    exists,
    func,
    literal_column,
    not_,
    select,
    table,
)
from sqlalchemy.orm import aliased
from sqlmodel import Session

from annotator.errors import Invalid
from annotator.models import (
    Assignment,
    Document,
    DocumentSummary,
    GoldSpan,
    Label,
    Project,
    Span,
    User,
)

PER_PAGE = 100
MAX_QUERY = 200
#: Matches counted at most when the list is narrowed by search or filters.
COUNT_LIMIT = 1_000
#: Up to this many matches, a page is found by sorting the matches; above, by walking the
#: order's index and probing the set of matches (see ``_probe``).
FEW = 500
STATUSES = ("new", "in_progress", "done")
SORTS = ("position", "title", "external_id", "length", "spans", "annotators", "done")
#: PostgreSQL's stored search vector of title and text (migration 0011_study), not in the model:
#: the database computes it.
VECTOR = "document.search"


@dataclass(frozen=True)
class ListQuery:
    """What the manager asked for; the defaults list every document in project order."""

    q: str = ""
    status: str = ""
    annotator: str = ""
    gold: str = ""  # "yes", "no" or "" (either)
    label: str = ""
    min_spans: int = 1
    sort: str = "position"
    descending: bool = False
    page: int = 1
    disagreement: str = ""  # "yes" or "" (either)
    meta: str = ""  # "key=value" or ""

    def args(self, **changes: object) -> dict[str, str]:
        """The query as URL arguments (for links to other pages and sorts): defaults left out."""
        values = {
            "q": self.q,
            "status": self.status,
            "annotator": self.annotator,
            "gold": self.gold,
            "label": self.label,
            "min": str(self.min_spans) if self.label and self.min_spans != 1 else "",
            "sort": self.sort if self.sort != "position" else "",
            "order": "desc" if self.descending else "",
            "page": str(self.page) if self.page != 1 else "",
            "disagreement": self.disagreement,
            "meta": self.meta,
        }
        values.update({key: str(value) for key, value in changes.items()})
        return {key: value for key, value in values.items() if value}


def parse_query(args: Mapping[str, str], labels: list[str], annotators: list[str]) -> ListQuery:
    """The list's URL arguments checked; a bad one is refused naming the field. Pure."""
    q = (args.get("q") or "").strip()
    if len(q) > MAX_QUERY:
        raise Invalid(f"search at most {MAX_QUERY} characters", field="q")
    status = args.get("status") or ""
    if status and status not in STATUSES:
        raise Invalid(f"status must be one of {', '.join(STATUSES)}", field="status")
    annotator = args.get("annotator") or ""
    if annotator and annotator not in annotators:
        raise Invalid(f"no annotator {annotator!r} in this project", field="annotator")
    gold = args.get("gold") or ""
    if gold not in ("", "yes", "no"):
        raise Invalid("gold must be yes or no", field="gold")
    label = args.get("label") or ""
    if label and label not in labels:
        raise Invalid(f"no label {label!r} in this project", field="label")
    min_spans = _whole(args.get("min"), "min", default=1, low=1)
    sort = args.get("sort") or "position"
    if sort not in SORTS:
        raise Invalid(f"sort by one of {', '.join(SORTS)}", field="sort")
    order = args.get("order") or "asc"
    if order not in ("asc", "desc"):
        raise Invalid("order must be asc or desc", field="order")
    page = _whole(args.get("page"), "page", default=1, low=1)
    disagreement = args.get("disagreement") or ""
    if disagreement not in ("", "yes"):
        raise Invalid("disagreement must be yes (or left out)", field="disagreement")
    meta = (args.get("meta") or "").strip()
    if meta:
        meta_field(meta)
    return ListQuery(
        q,
        status,
        annotator,
        gold,
        label,
        min_spans,
        sort,
        order == "desc",
        page,
        disagreement,
        meta,
    )


MAX_META = 200


def meta_field(meta: str) -> tuple[str, str]:
    """``key=value`` → (key, value), refused naming the field when it is not that. Pure."""
    key, equals, value = meta.partition("=")
    key = key.strip()
    if not equals or not key:
        raise Invalid("meta must be key=value, e.g. source=reuters", field="meta")
    if len(meta) > MAX_META:
        raise Invalid(f"meta at most {MAX_META} characters", field="meta")
    return key, value.strip()


def _whole(value: str | None, name: str, default: int, low: int) -> int:
    if value is None or value == "":
        return default
    digits = value.isascii() and value.isdigit() and len(value) <= 10
    if not digits or not low <= int(value) <= 10**9:
        raise Invalid(f"{name} must be a whole number from {low}", field=name)
    return int(value)


def split_search(q: str) -> tuple[list[str], list[str]]:
    """``q`` → (words for the index, symbols to find as substrings). Pure.

    Words are runs of letters, digits and combining marks; symbols are runs of other visible
    characters no index keeps (emoji with their joiners, ``«``); punctuation an index would ignore
    anyway (``. , ! ?``, quotes, hyphens) is dropped.
    """
    words, symbols, word, symbol = [], [], [], []
    for char in q:
        kind = unicodedata.category(char)
        if kind[0] in "LN" or kind[0] == "M" and word:
            if symbol:
                symbols.append("".join(symbol))
                symbol = []
            word.append(char)
            continue
        if word:
            words.append("".join(word))
            word = []
        if kind[0] == "S" or char in "\u200d\ufe0f" and symbol:
            symbol.append(char)
        elif symbol:
            symbols.append("".join(symbol))
            symbol = []
    if word:
        words.append("".join(word))
    if symbol:
        symbols.append("".join(symbol))
    return list(dict.fromkeys(words)), list(dict.fromkeys(symbols))


#: SQLite's search index (migration 0011_study); ``rowid`` is the document's id.
FTS = table("document_fts", column("rowid"))


def _search_conditions(dialect: str, q: str) -> tuple[list, str | None]:
    """The conditions ``q`` puts on ``document``, and on SQLite the FTS5 ``MATCH`` expression of
    its words (None when it has none), which the caller probes (see ``_probe``)."""
    words, symbols = split_search(q)
    conditions = [Document.text.contains(symbol, autoescape=True) for symbol in symbols]
    if words and dialect == "postgresql":
        terms = " & ".join(_pg_term(word) for word in words)
        conditions.append(
            literal_column(VECTOR).op("@@")(func.to_tsquery(literal_column("'simple'"), terms))
        )
        return conditions, None
    if words:
        return conditions, " ".join('"' + word.replace('"', '""') + '"*' for word in words)
    return conditions, None


def _fts_match(match: str):
    return literal_column("document_fts").op("MATCH")(match)


def _fts_matches(match: str):
    return select(FTS.c.rowid).where(_fts_match(match))


def _probe(matches, walk_matches: bool):
    """``document.id`` among ``matches`` (a subquery of ids). With many matches, SQLite builds
    the set once and walks the order's index, probing it until the page is full: ``id + 0``
    keeps it from walking the matches by id and sorting them all (five times slower for a
    common word); with few matches that walk and sort is the cheap way. (PostgreSQL plans
    either well from a plain ``IN``, and badly from ``id + 0``.)"""
    return (Document.id if walk_matches else Document.id + 0).in_(matches)


def _pg_term(word: str) -> str:
    # A word is letters, digits and marks only, so it cannot carry tsquery syntax; quoting keeps
    # it one lexeme all the same.
    return "'" + re.sub(r"'", "''", word) + "':*"


def _done_count():
    return (
        select(func.count())
        .where(Assignment.document_id == Document.id, Assignment.status == "done")
        .scalar_subquery()
    )


def _assigned_count():
    return select(func.count()).where(Assignment.document_id == Document.id).scalar_subquery()


def _conditions(db: Session, project: Project, query: ListQuery) -> tuple[list, list, str | None]:
    """The conditions on ``document``; the sets of ids a match must be in (see ``_probe``); the
    SQLite FTS5 match (see ``_search_conditions``)."""
    conditions = [Document.project_id == project.id]
    labelled: list = []
    match = None
    if query.q:
        found, match = _search_conditions(db.get_bind().dialect.name, query.q)
        conditions += found
    assigned = exists().where(Assignment.document_id == Document.id)
    if query.status == "new":
        conditions.append(not_(assigned))
    elif query.status == "in_progress":
        conditions += [assigned, _done_count() < project.overlap]
    elif query.status == "done":
        conditions.append(_done_count() >= project.overlap)
    if query.annotator:
        conditions.append(
            exists().where(
                Assignment.document_id == Document.id,
                Assignment.user_id
                == select(User.id).where(User.username == query.annotator).scalar_subquery(),
            )
        )
    if query.gold:
        has_gold = exists().where(GoldSpan.document_id == Document.id)
        conditions.append(has_gold if query.gold == "yes" else not_(has_gold))
    if query.label:
        label_id = db.execute(
            select(Label.id).where(Label.project_id == project.id, Label.name == query.label)
        ).scalar_one()
        # One pass over the label's spans (index ix_span_label_document), not a count per
        # document of the project.
        labelled.append(
            select(Span.document_id)
            .where(Span.label_id == label_id)
            .group_by(Span.document_id)
            .having(func.count() >= query.min_spans)
        )
    if query.disagreement:
        conditions.append(
            Document.id.in_(
                select(DocumentSummary.document_id).where(
                    DocumentSummary.project_id == project.id, DocumentSummary.disagreement
                )
            )
        )
    if query.meta:
        key, value = meta_field(query.meta)
        conditions.append(cast(Document.meta[key].as_string(), String) == value)
    return conditions, labelled, match


def disagreement_reference():
    """Condition on ``Document``: two annotators who marked it done differ in their spans (one
    has a span, same label and range, that the other has not). Computed from the spans: the
    reference that ``document_summary.disagreement`` is tested against (migration 0110 holds
    the same test in SQL for its triggers)."""
    one, other = aliased(Assignment), aliased(Assignment)
    theirs = aliased(Span)
    missing = ~(
        select(theirs.id)
        .where(
            theirs.annotator_id == other.user_id,
            theirs.document_id == Span.document_id,
            theirs.label_id == Span.label_id,
            theirs.start == Span.start,
            theirs.end == Span.end,
        )
        .exists()
    )
    return (
        select(Span.id)
        .join(one, and_(one.document_id == Span.document_id, one.user_id == Span.annotator_id))
        .join(other, and_(other.document_id == Span.document_id, other.user_id != one.user_id))
        .where(
            Span.document_id == Document.id,
            one.status == "done",
            other.status == "done",
            missing,
        )
        .exists()
    )


@dataclass(frozen=True)
class ListedDocument:
    id: int
    external_id: str
    title: str | None
    length: int
    annotators: int
    done: int
    spans: int
    gold_spans: int
    status: str


@dataclass
class DocumentPage:
    rows: list[ListedDocument]
    total: int
    page: int
    pages: int
    query: ListQuery = field(default_factory=ListQuery)
    #: False when counting stopped at ``COUNT_LIMIT``: ``total`` and ``pages`` are then lower
    #: bounds (shown as "1,000+").
    exact: bool = True

    @property
    def found(self) -> str:
        """``total`` as the page shows it: ``1,000+`` when counting stopped there."""
        return str(self.total) if self.exact else f"{self.total:,}+"


def list_documents(
    db: Session, project: Project, query: ListQuery, per_page: int = PER_PAGE
) -> DocumentPage:
    """One page of the project's documents that match ``query``, in its order."""
    conditions, labelled, match = _conditions(db, project, query)
    narrowed = len(conditions) > 1 or labelled or match is not None
    if not narrowed:
        total = db.execute(select(func.count()).where(*conditions)).scalar_one()
    else:
        counted = select(Document.id).where(*conditions, *(_probe(s, True) for s in labelled))
        if match is not None:
            # The set of matches probed by id. (Joined to the index instead, SQLite may walk the
            # project's documents and query the index once per document: 17 s for one word.)
            counted = counted.where(Document.id.in_(_fts_matches(match)))
        limited = counted.limit(COUNT_LIMIT + 1).subquery()
        total = db.execute(select(func.count()).select_from(limited)).scalar_one()
    few = total <= FEW or db.get_bind().dialect.name == "postgresql"
    conditions += [_probe(ids, few) for ids in labelled]
    if match is not None:
        conditions.append(_probe(_fts_matches(match), few))
    matches = select(Document.id).where(*conditions)
    if query.sort == "spans":
        matches = matches.join(DocumentSummary, DocumentSummary.document_id == Document.id).where(
            DocumentSummary.project_id == project.id
        )
    exact = total <= COUNT_LIMIT or not narrowed
    total = total if exact else COUNT_LIMIT
    keys = {
        "position": Document.position,
        "title": func.coalesce(Document.title, Document.external_id),
        "external_id": Document.external_id,
        "length": Document.length,
        "spans": DocumentSummary.spans,
        "annotators": _assigned_count(),
        "done": _done_count(),
    }
    # Sorted by spans, the tie is broken by the summary's copy of the id: the index's column.
    tie = DocumentSummary.document_id if query.sort == "spans" else Document.id
    order = [keys[query.sort], tie]
    ids = list(
        db.execute(
            matches.order_by(*(key.desc() if query.descending else key for key in order))
            .limit(per_page + 1)  # one more: is there a next page beyond the counted ones?
            .offset((query.page - 1) * per_page)
        ).scalars()
    )
    pages = max(1, math.ceil(total / per_page))
    if not exact:
        pages = max(pages, query.page + (len(ids) > per_page))
    return DocumentPage(_rows(db, project, ids[:per_page]), total, query.page, pages, query, exact)


def _rows(db: Session, project: Project, ids: list[int]) -> list[ListedDocument]:
    """The page's documents with their counts, in the order of ``ids``."""
    if not ids:
        return []
    documents = {
        row.id: row
        for row in db.execute(
            select(Document.id, Document.external_id, Document.title, Document.length).where(
                Document.id.in_(ids)
            )
        )
    }
    assigned: dict[int, tuple[int, int]] = {
        document_id: (count, done or 0)
        for document_id, count, done in db.execute(
            select(
                Assignment.document_id,
                func.count(),
                func.sum(case((Assignment.status == "done", 1), else_=0)),
            )
            .where(Assignment.document_id.in_(ids))
            .group_by(Assignment.document_id)
        )
    }
    counts: dict[int, tuple[int, int]] = {
        document_id: (spans, gold)
        for document_id, spans, gold in db.execute(
            select(
                DocumentSummary.document_id, DocumentSummary.spans, DocumentSummary.gold_spans
            ).where(DocumentSummary.document_id.in_(ids))
        )
    }
    rows = []
    for document_id in ids:
        document = documents[document_id]
        annotators, done = assigned.get(document_id, (0, 0))
        spans, gold = counts.get(document_id, (0, 0))
        status = "new" if not annotators else "done" if done >= project.overlap else "in_progress"
        rows.append(
            ListedDocument(
                document.id,
                document.external_id,
                document.title,
                document.length,
                annotators,
                done,
                spans,
                gold,
                status,
            )
        )
    return rows
