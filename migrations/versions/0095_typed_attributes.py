"""Typed span attributes: every attribute definition gets a ``kind`` and ``required``.

Until now every span attribute was a single choice, stored as ``{"name", "choices"}`` (with an
optional ``description``) in ``label.attributes``. Each such definition becomes ``kind:
"single"``, ``required: false``; span values are unchanged (a single choice's value is its
string, as before). Downgrading drops the two keys again, and is refused while a label has an
attribute of another kind (the earlier schema cannot say what it is).

Revision ID: 0095
Revises: 0090
Create Date: 2026-11-28
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0095"
down_revision = "0090"
branch_labels = None
depends_on = None

label = sa.table(
    "label", sa.column("id", sa.Integer()), sa.column("name"), sa.column("attributes", sa.JSON())
)


def _rows(connection) -> list[tuple[int, str, list]]:
    rows = connection.execute(sa.select(label.c.id, label.c.name, label.c.attributes)).all()
    return [
        (
            row.id,
            row.name,
            json.loads(row.attributes) if isinstance(row.attributes, str) else row.attributes or [],
        )
        for row in rows
    ]


def upgrade() -> None:
    connection = op.get_bind()
    for label_id, _name, definitions in _rows(connection):
        typed = [
            {**item, "kind": item.get("kind") or "single", "required": bool(item.get("required"))}
            for item in definitions
        ]
        if typed != definitions:
            connection.execute(
                label.update().where(label.c.id == label_id).values(attributes=typed)
            )


def downgrade() -> None:
    connection = op.get_bind()
    for label_id, name, definitions in _rows(connection):
        other = [item["name"] for item in definitions if item.get("kind", "single") != "single"]
        if other:
            raise RuntimeError(
                f"label {name!r} has attributes that are not single choices ({', '.join(other)}); "
                "delete them before downgrading"
            )
        plain = [
            {key: value for key, value in item.items() if key not in ("kind", "required")}
            for item in definitions
        ]
        connection.execute(label.update().where(label.c.id == label_id).values(attributes=plain))
