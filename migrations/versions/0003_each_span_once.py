"""Each layer holds a label and range once: an annotator's spans, and the gold layer.

Before this revision the same (label, start, end) could be stored twice in one layer: by an
annotator who marked a phrase again, or in gold by a span drawn in the gold workspace (a
client-made id) and the same span accepted from an annotator (an id derived from its content).
Twins found here are merged into one, nothing dropped: the most recently edited twin stays; a
twin's note is kept when it differs, and attribute values the kept one lacks are taken from the
others; the links of the others move to the kept one (a link that then repeats another, or joins
the span to itself, goes). Then a unique index per layer keeps it so.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import json
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LAYERS = (  # spans, their links, the columns a span is known by, the new index
    (
        "span",
        "relation",
        ("annotator_id", "document_id", "label_id", "start", "end"),
        "uq_span_content",
    ),
    (
        "gold_span",
        "gold_relation",
        ("document_id", "label_id", "start", "end"),
        "uq_gold_span_content",
    ),
)


def upgrade() -> None:
    bind = op.get_bind()
    for spans, links, content, index in LAYERS:
        meta = sa.MetaData()
        _merge_twins(
            bind,
            sa.Table(spans, meta, autoload_with=bind),
            sa.Table(links, meta, autoload_with=bind),
            content,
        )
        op.create_index(index, spans, list(content), unique=True)


def _merge_twins(bind, spans: sa.Table, links: sa.Table, content: tuple[str, ...]) -> None:
    twins: dict[tuple, list] = defaultdict(list)
    rows = bind.execute(sa.select(spans).order_by(spans.c.updated_at.desc(), spans.c.id))
    for row in rows.mappings():
        twins[tuple(row[column] for column in content)].append(row)
    moved: dict[str, str] = {}
    for group in twins.values():
        if len(group) < 2:
            continue
        kept, others = group[0], group[1:]
        notes = [kept["note"]] + [o["note"] for o in others if o["note"] not in ("", kept["note"])]
        attributes = {}
        for other in reversed(others):
            attributes.update(_mapping(other["attributes"]))
        attributes.update(_mapping(kept["attributes"]))
        bind.execute(
            spans.update()
            .where(spans.c.id == kept["id"])
            .values(note="\n\n".join(n for n in notes if n), attributes=attributes)
        )
        moved.update({other["id"]: kept["id"] for other in others})
    if not moved:
        return

    seen, doomed, repointed = set(), [], {}
    for link in bind.execute(sa.select(links).order_by(links.c.created_at)).mappings():
        source = moved.get(link["source_id"], link["source_id"])
        target = moved.get(link["target_id"], link["target_id"])
        key = (source, target, link["type_id"])
        if source == target or key in seen:
            doomed.append(link["id"])
            continue
        seen.add(key)
        if (source, target) != (link["source_id"], link["target_id"]):
            repointed[link["id"]] = (source, target)
    if doomed:  # first, so that no repointed link meets the one it repeats
        bind.execute(links.delete().where(links.c.id.in_(doomed)))
    for link_id, (source, target) in repointed.items():
        bind.execute(
            links.update().where(links.c.id == link_id).values(source_id=source, target_id=target)
        )
    bind.execute(spans.delete().where(spans.c.id.in_(list(moved))))


def _mapping(value) -> dict:
    """A JSON column read with plain SQL: text on SQLite, decoded on PostgreSQL."""
    if isinstance(value, str):
        value = json.loads(value)
    return dict(value or {})


def downgrade() -> None:
    for spans, _links, _content, index in LAYERS:
        op.drop_index(index, table_name=spans)
