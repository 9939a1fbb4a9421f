"""Loading what agreement on span attributes compares: the finished spans (as the span figures
load them, ``inputs.load_inputs``) and the labels' attribute definitions."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from annotator.agreement.attributes import attribute_agreement
from annotator.agreement.inputs import Filters, load_inputs
from annotator.store import labels_of


def attributes_agreement(
    db: Session,
    project_id: int,
    annotators: tuple[str, ...] | None = None,
    *,
    bootstrap: int = 0,
    seed: int = 0,
) -> dict[str, dict[str, Any]]:
    """Agreement per span attribute (``label.attribute`` -> figures, see
    ``agreement.attributes``), with ``disagreeing`` as ``{"id", "name"}`` of each document,
    most disputed first."""
    loaded = load_inputs(db, project_id, Filters(annotators=annotators))
    definitions = {label.name: label.attributes for label in labels_of(db, project_id)}
    figures = attribute_agreement(loaded.spans, definitions, bootstrap=bootstrap, seed=seed)
    out: dict[str, dict[str, Any]] = {}
    for name, item in figures.items():
        refs = [loaded.documents[key] for key in item["disagreeing"] if key in loaded.documents]
        out[name] = {**item, "disagreeing": [{"id": ref.id, "name": ref.name} for ref in refs]}
    return out
