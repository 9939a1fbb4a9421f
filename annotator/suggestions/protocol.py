"""The HTTP recommender's JSON protocol (docs/suggestions.md): the request we send and the
checks on the answer. Pure: the sending is in ``remote.py``.

Request: ``{"protocol": "annotator-suggestions/1", "document": {"id", "text"}, "labels": [...]}``.
Answer: ``{"spans": [{"label", "start", "end", "score"?}]}``, offsets in Unicode code points,
half-open, into ``document.text``. An answer with any bad span is refused whole, with a message
naming the span and the reason; nothing of it is shown.
"""

from __future__ import annotations

from typing import Any

from annotator.suggestions.rules import Suggestion

PROTOCOL = "annotator-suggestions/1"
MAX_SPANS = 5000


class BadAnswer(ValueError):
    """The recommender's answer breaks the protocol; the message says where and why."""


def request_body(document_id: str, text: str, labels: list[str]) -> dict[str, Any]:
    return {"protocol": PROTOCOL, "document": {"id": document_id, "text": text}, "labels": labels}


def read_answer(answer: Any, text: str, labels: list[str], recommender: str) -> list[Suggestion]:
    """The suggestions of a decoded JSON answer, or :class:`BadAnswer`."""
    if not isinstance(answer, dict) or not isinstance(answer.get("spans"), list):
        raise BadAnswer('the answer must be a JSON object with a list "spans"')
    spans = answer["spans"]
    if len(spans) > MAX_SPANS:
        raise BadAnswer(f"the answer has {len(spans)} spans; at most {MAX_SPANS} are taken")
    known = set(labels)
    found: list[Suggestion] = []
    for index, span in enumerate(spans):
        where = f"spans[{index}]"
        if not isinstance(span, dict):
            raise BadAnswer(f"{where} is not an object")
        label = span.get("label")
        if label not in known:
            raise BadAnswer(f"{where}: unknown label {label!r} (this project has {sorted(known)})")
        start, end = span.get("start"), span.get("end")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            raise BadAnswer(f"{where}: start and end must be whole numbers (code points)")
        assert isinstance(start, int) and isinstance(end, int)
        if not 0 <= start < end <= len(text):
            raise BadAnswer(
                f"{where}: offsets [{start}, {end}) outside the text "
                f"(need 0 <= start < end <= {len(text)})"
            )
        score = span.get("score", 1.0)
        if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
            raise BadAnswer(f"{where}: score must be a number from 0 to 1")
        found.append(Suggestion(str(label), start, end, float(score), recommender))
    return found
