"""The source registry: a project's sources, the sources spans name, and the manager's edits.

A source is found or created by its name's key (``source_names.name_key``) with an
``INSERT … ON CONFLICT DO NOTHING`` on the unique ``(project_id, name_key)``, then read back: two
annotators typing one name at the same moment, or one save queue retrying, get the same source
on SQLite and PostgreSQL alike. Which span may name a source (labels with ``links_source``, the
span's owner, work not marked done) is the span write path's rule (``annotation.spans``): a
span's source travels in its ``PUT`` payload as ``named_source``.

Merging moves every span and gold span of the merged sources to the kept one and deletes them,
in the caller's transaction, with an activity log entry. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module

from sqlalchemy import func, literal, select, union_all, update
from sqlmodel import Session

from annotator import activity
from annotator.annotation.source_names import (
    SEARCH_LIMIT,
    SourceChoice,
    check_kind,
    check_url,
    check_wikidata,
    clean_name,
    like_pattern,
    name_key,
)
from annotator.errors import Refused
from annotator.models import GoldRelation, GoldSpan, Label, Project, Relation, Source, Span, User


def find_or_create(
    db: Session, project_id: int, name: str, kind: str, creator: User | None
) -> tuple[Source, bool]:
    """The project's source called ``name`` (by its key), made with ``kind`` when there is none;
    (source, created here). Flushes, never commits: the caller's change and the new source are
    stored together. ``name`` is cleaned first (see ``clean_name``)."""
    name = clean_name(name)
    kind = check_kind(kind)
    key = name_key(name)
    module = import_module(f"sqlalchemy.dialects.{db.get_bind().dialect.name}")
    statement = (
        module.insert(Source)
        .values(
            project_id=project_id,
            name=name,
            name_key=key,
            kind=kind,
            created_by_id=creator.id if creator else None,
        )
        .on_conflict_do_nothing(index_elements=["project_id", "name_key"])
        .returning(Source.id)
    )
    inserted = db.execute(statement).first()
    source = db.execute(
        select(Source).where(Source.project_id == project_id, Source.name_key == key)
    ).scalar_one()
    return source, inserted is not None


def source_in(db: Session, project_id: int, source_id: int) -> Source | None:
    source = db.get(Source, source_id)
    return source if source is not None and source.project_id == project_id else None


def resolve(
    db: Session, project_id: int, choice: SourceChoice, creator: User, stored: int | None
) -> int | None:
    """The id of the source ``choice`` asks for (None: no source): by id, else found or made by
    name. An id of another project is 404. An id that is gone (merged into another after the
    page was drawn) keeps what the span names now, which the merge moved already; its name is
    not made again (that would undo the merge). A span that named nothing gets 409, asking to
    pick the source again."""
    if choice.clears:
        return None
    if choice.id is not None:
        source = db.get(Source, choice.id)
        if source is not None and source.project_id == project_id:
            return choice.id
        if source is not None:
            raise Refused(404, f"no source {choice.id} in this project", "named_source")
        if stored is not None:
            return stored
        raise Refused(
            409,
            f"source {choice.id} was merged or deleted meanwhile; pick the source again",
            "named_source",
        )
    assert choice.name is not None
    source, _created = find_or_create(db, project_id, choice.name, choice.kind, creator)
    return source.id


@dataclass(frozen=True)
class Suggestion:
    id: int
    name: str
    kind: str


def search(db: Session, project_id: int, query: str, limit: int = SEARCH_LIMIT) -> list[Suggestion]:
    """Sources whose key starts with the query's key first, then those holding it elsewhere,
    each group by name; at most ``limit`` (an empty query: the first by name)."""
    key = name_key(query)[:200]
    pattern = like_pattern(key)
    prefix = Source.name_key.like(pattern + "%", escape="\\")
    rows = db.execute(
        select(Source.id, Source.name, Source.kind)
        .where(Source.project_id == project_id)
        .where(Source.name_key.like("%" + pattern + "%", escape="\\"))
        .order_by(prefix.desc(), Source.name_key, Source.id)
        .limit(max(1, min(limit, SEARCH_LIMIT)))
    )
    return [Suggestion(*row) for row in rows]


def edit(
    db: Session,
    project: Project,
    source_id: int,
    actor: User,
    *,
    name: str,
    kind: str,
    url: str | None,
    wikidata: str | None,
) -> str:
    """Change a source's name, kind, URL or Wikidata id; spans keep naming it (by id). A name
    whose key another source holds is refused: that is a duplicate, for a merge. Logs it."""
    source = source_in(db, project.id, source_id)
    if source is None:
        raise Refused(404, f"no source {source_id} in this project", "source")
    name = clean_name(name)
    key = name_key(name)
    if key != source.name_key:
        twin = db.execute(
            select(Source).where(Source.project_id == project.id, Source.name_key == key)
        ).scalar()
        if twin is not None:
            raise Refused(
                409,
                f"a source named {twin.name!r} exists already: merge the two instead",
                "name",
            )
    before = source.name
    source.name, source.name_key = name, key
    source.kind = check_kind(kind)
    source.url, source.wikidata = check_url(url), check_wikidata(wikidata)
    db.add(source)
    db.flush()
    detail = (
        f"edited source {before!r}: name {source.name!r}, kind {source.kind}, "
        f"url {source.url or 'none'}, wikidata {source.wikidata or 'none'}"
    )
    activity.record(db, project, actor, "source.edit", detail)
    return detail


def merge(db: Session, project: Project, into_id: int, merged_ids: list[int], actor: User) -> str:
    """Merge the sources ``merged_ids`` into ``into_id``: every span and gold span naming one of
    them names ``into_id`` instead, and they are deleted. All or nothing (in the caller's
    transaction); logged. Returns the log's sentence."""
    kept = source_in(db, project.id, into_id)
    if kept is None:
        raise Refused(404, f"no source {into_id} in this project", "into")
    others = [source_id for source_id in dict.fromkeys(merged_ids) if source_id != into_id]
    if not others:
        raise Refused(422, "pick at least two sources to merge", "sources")
    merged = []
    for source_id in others:
        source = source_in(db, project.id, source_id)
        if source is None:
            raise Refused(404, f"no source {source_id} in this project", "sources")
        merged.append(source)
    moved = 0
    for model in (Span, GoldSpan):
        result = db.execute(
            update(model)
            .where(model.project_id == project.id, model.named_source_id.in_(others))
            .values(named_source_id=into_id)
        )
        moved += result.rowcount or 0
    for source in merged:
        db.delete(source)
    db.flush()
    names = ", ".join(repr(source.name) for source in merged)
    detail = f"merged sources {names} into {kept.name!r} ({moved} span{'s' if moved != 1 else ''})"
    activity.record(db, project, actor, "source.merge", detail)
    return detail


# --- the Sources page ---------------------------------------------------------------------------


@dataclass
class SourceFigures:
    """A source as the Sources page lists it. ``attributions``: annotators' spans naming it,
    ``gold_attributions``: gold spans; ``claims``: spans whose link ends at a span naming it
    (annotators' links; ``gold_claims`` gold links); ``documents``: documents where any span or
    gold span names it; ``ratings``: per numeric or scale attribute, the mean of its values on
    the annotators' spans naming it, and how many values."""

    id: int
    name: str
    kind: str
    url: str | None
    wikidata: str | None
    attributions: int = 0
    gold_attributions: int = 0
    claims: int = 0
    gold_claims: int = 0
    documents: int = 0
    ratings: dict[str, tuple[float, int]] = field(default_factory=dict)


SORTS = {
    "name": lambda row: (row.name.casefold(), row.id),
    "kind": lambda row: (row.kind, row.name.casefold()),
    "attributions": lambda row: (-row.attributions - row.gold_attributions, row.name.casefold()),
    "claims": lambda row: (-row.claims - row.gold_claims, row.name.casefold()),
    "documents": lambda row: (-row.documents, row.name.casefold()),
}


def figures(
    db: Session, project: Project, query: str = "", sort: str = "name"
) -> list[SourceFigures]:
    """Every source of the project (or those matching ``query``, as the picker matches), with
    its counts and mean ratings, sorted by ``sort`` (one of :data:`SORTS`)."""
    statement = select(Source).where(Source.project_id == project.id)
    if query.strip():
        pattern = "%" + like_pattern(name_key(query)) + "%"
        statement = statement.where(Source.name_key.like(pattern, escape="\\"))
    rows = {
        source.id: SourceFigures(source.id, source.name, source.kind, source.url, source.wikidata)
        for source in db.execute(statement).scalars()
    }
    if rows:
        _count_spans(db, project, rows)
        _count_claims(db, project, rows)
        _mean_ratings(db, project, rows)
    return sorted(rows.values(), key=SORTS.get(sort, SORTS["name"]))


def _count_spans(db: Session, project: Project, rows: dict[int, SourceFigures]) -> None:
    named = union_all(
        *(
            select(
                model.named_source_id.label("source"),
                model.document_id.label("document"),
                literal(gold).label("gold"),
            ).where(model.project_id == project.id, model.named_source_id.is_not(None))
            for model, gold in ((Span, 0), (GoldSpan, 1))
        )
    ).subquery()
    counted = db.execute(
        select(
            named.c.source,
            func.sum(1 - named.c.gold),
            func.sum(named.c.gold),
            func.count(named.c.document.distinct()),
        ).group_by(named.c.source)
    )
    for source_id, spans, gold, documents in counted:
        if source_id in rows:
            row = rows[source_id]
            row.attributions, row.gold_attributions = int(spans), int(gold)
            row.documents = int(documents)


def _count_claims(db: Session, project: Project, rows: dict[int, SourceFigures]) -> None:
    for links, spans, attr in ((Relation, Span, "claims"), (GoldRelation, GoldSpan, "gold_claims")):
        counted = db.execute(
            select(spans.named_source_id, func.count(links.source_id.distinct()))
            .join(spans, spans.id == links.target_id)
            .where(links.project_id == project.id, spans.named_source_id.is_not(None))
            .group_by(spans.named_source_id)
        )
        for source_id, claims in counted:
            if source_id in rows:
                setattr(rows[source_id], attr, int(claims))


def rating_names(labels: list[Label]) -> list[str]:
    """The numeric and scale attributes of the labels whose spans name a source, in order."""
    return list(_rated_labels(labels))


def _rated_labels(labels: list[Label]) -> dict[str, list[int]]:
    """Numeric and scale attribute name -> the ids of the labels naming a source that define it
    so (another label may use the name for text)."""
    rated: dict[str, list[int]] = {}
    for label in labels:
        if label.links_source:
            for item in label.attributes or ():
                if item.get("kind") in ("scale", "number"):
                    rated.setdefault(item["name"], []).append(label.id)
    return rated


def _mean_ratings(db: Session, project: Project, rows: dict[int, SourceFigures]) -> None:
    """Averaged by the database (JSON extraction on SQLite and PostgreSQL alike): decoding every
    attribution's attributes in Python took most of the page's time on 20,000 spans."""
    labels = list(db.execute(select(Label).where(Label.project_id == project.id)).scalars())
    for name, label_ids in _rated_labels(labels).items():
        value = Span.attributes[name].as_float()
        averaged = db.execute(
            select(Span.named_source_id, func.avg(value), func.count(value))
            .where(
                Span.project_id == project.id,
                Span.named_source_id.is_not(None),
                Span.label_id.in_(label_ids),
            )
            .group_by(Span.named_source_id)
        )
        for source_id, mean, count in averaged:
            if source_id in rows and count:
                rows[source_id].ratings[name] = (float(mean), int(count))


def _text(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def csv_rows(found: list[SourceFigures], ratings: list[str]) -> list[list[str]]:
    """The Sources page as CSV rows, a header first. A name or address a spreadsheet would run
    as a formula (=, +, -, @ first) is quoted as text."""
    header = [
        "id",
        "name",
        "kind",
        "url",
        "wikidata",
        "attributions",
        "gold_attributions",
        "claims",
        "gold_claims",
        "documents",
        *(f"mean_{name}" for name in ratings),
    ]
    out = [header]
    for row in found:
        means = [f"{row.ratings[name][0]:.3f}" if name in row.ratings else "" for name in ratings]
        out.append(
            [
                str(row.id),
                _text(row.name),
                row.kind,
                _text(row.url or ""),
                row.wikidata or "",
                str(row.attributions),
                str(row.gold_attributions),
                str(row.claims),
                str(row.gold_claims),
                str(row.documents),
                *means,
            ]
        )
    return out
