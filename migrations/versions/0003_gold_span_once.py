"""The gold layer holds each (document, label, start, end) once.

Before this revision a span drawn in the gold workspace (a client-made id) and the same span
accepted from an annotator (an id derived from its content) could both be stored. Twins found
here are merged into one, nothing dropped: the most recently edited twin stays; a twin's note
is kept when it differs, and attribute values the kept one lacks are taken from the others; the
gold links of the others move to the kept one (a link that then repeats another, or joins the
span to itself, goes). Then a unique index keeps it so.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEX = "uq_gold_span_content"


def upgrade() -> None:
    bind = op.get_bind()
    meta = sa.MetaData()
    gold = sa.Table("gold_span", meta, autoload_with=bind)
    links = sa.Table("gold_relation", meta, autoload_with=bind)

    twins: dict[tuple, list] = defaultdict(list)
    rows = bind.execute(sa.select(gold).order_by(gold.c.updated_at.desc(), gold.c.id)).mappings()
    for row in rows:
        twins[(row["document_id"], row["label_id"], row["start"], row["end"])].append(row)
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
            gold.update()
            .where(gold.c.id == kept["id"])
            .values(note="\n\n".join(n for n in notes if n), attributes=attributes)
        )
        moved.update({other["id"]: kept["id"] for other in others})

    if moved:
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
                links.update()
                .where(links.c.id == link_id)
                .values(source_id=source, target_id=target)
            )
        bind.execute(gold.delete().where(gold.c.id.in_(list(moved))))

    op.create_index(INDEX, "gold_span", ["document_id", "label_id", "start", "end"], unique=True)


def _mapping(value) -> dict:
    """A JSON column read with plain SQL: text on SQLite, decoded on PostgreSQL."""
    import json

    if isinstance(value, str):
        value = json.loads(value)
    return dict(value or {})


def downgrade() -> None:
    op.drop_index(INDEX, table_name="gold_span")
