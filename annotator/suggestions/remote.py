"""Asking an HTTP recommender (see ``protocol.py``), with a timeout; every failure is a
:class:`RemoteProblem` with a message for the manager, never an exception for the workspace."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from annotator.suggestions.protocol import BadAnswer, read_answer, request_body
from annotator.suggestions.rules import Suggestion

RECOMMENDER = "http"
MAX_ANSWER_BYTES = 10_000_000


class RemoteProblem(Exception):
    """The recommender could not be used; ``str()`` says why, for the settings page."""


def ask(
    url: str, *, timeout: float, document_id: str, text: str, labels: list[str]
) -> list[Suggestion]:
    body = json.dumps(request_body(document_id, text, labels)).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise RemoteProblem(f"{url} answered HTTP {error.code}") from None
    except TimeoutError:
        raise RemoteProblem(f"{url} did not answer within {timeout:g} s") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            raise RemoteProblem(f"{url} did not answer within {timeout:g} s") from None
        raise RemoteProblem(f"{url} could not be reached: {reason}") from None
    if len(raw) > MAX_ANSWER_BYTES:
        raise RemoteProblem(f"{url} answered more than {MAX_ANSWER_BYTES:,} bytes")
    try:
        answer = json.loads(raw)
    except ValueError:
        raise RemoteProblem(f"{url} answered something that is not JSON") from None
    try:
        return read_answer(answer, text, labels, RECOMMENDER)
    except BadAnswer as problem:
        raise RemoteProblem(f"{url} gave a bad answer: {problem}") from None
