"""The A/B switch: which annotators or documents see suggestions, chosen by a hash.

The same project, unit and id always give the same answer, so an analysis can recompute who saw
suggestions; the workspace also records each answer (``SuggestionExposure``). Pure.
"""

from __future__ import annotations

import hashlib

UNITS = ("annotator", "document")


def bucket(project_id: int, unit: str, item_id: int) -> int:
    """A number in 0..99, uniform over ids, fixed for (project, unit, id)."""
    digest = hashlib.sha256(f"{project_id}:{unit}:{item_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def sees_suggestions(
    *, share: int, unit: str, project_id: int, annotator_id: int, document_id: int
) -> bool:
    """True when this annotator, on this document, is in the ``share`` percent shown
    suggestions; ``unit`` says whether annotators or documents are split."""
    if share >= 100:
        return True
    if share <= 0:
        return False
    item_id = annotator_id if unit == "annotator" else document_id
    return bucket(project_id, unit, item_id) < share
