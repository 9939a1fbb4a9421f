"""Read Label Studio's JSON export of text tasks. Pure.

The file is one JSON array of tasks (Label Studio's "JSON" export)::

    [{"id": 1, "data": {"text": "..."},
      "annotations": [{"id": 9, "completed_by": 1, "ground_truth": false, "was_cancelled": false,
                       "result": [{"id": "gew3t9fgkg", "from_name": "label", "to_name": "text",
                                   "type": "labels",
                                   "value": {"start": 0, "end": 8, "text": "...",
                                             "labels": ["attribution"]}},
                                  {"from_id": "gew3t9fgkg", "to_id": "0gpIsb7s27",
                                   "type": "relation", "direction": "right",
                                   "labels": ["attributed_to"]}]}],
      "predictions": []}]

What becomes what:

- The document text is ``data.text`` (or the only string in ``data``); its id is ``data.id`` when
  there is one (our Label Studio export puts our id there), else the task's ``id``. ``data.title``,
  ``data.url`` and ``data.meta`` (an object) are kept.
- Each annotation is one annotator's work: ``annotator`` (written by our export) or
  ``completed_by``: a user object's ``username`` or ``email``, or Label Studio's numeric user id,
  which becomes the account ``label-studio-<id>`` (the JSON export names users by id only). An
  annotation with ``ground_truth: true`` is the gold layer. Cancelled (skipped) annotations and
  predictions are not imported.
- A ``labels`` result is one span per label; its offsets are code points (Label Studio stores code
  points since 2021, label-studio-frontend #308). Older versions counted UTF-16 code units
  (label-studio #1347): when ``value.text`` matches the text only when read that way, it is.
  ``value.text`` must match the text at the span either way.
- A ``relation`` result is one link per label in its ``labels``, ``from_id`` → ``to_id`` for
  ``direction`` ``right`` (the default), reversed for ``left``; ``bi`` is refused (ours have a
  direction). Any other result type (choices, text areas, …) is refused, naming it.

Errors name the line where the task starts in the file, and the field path inside the task.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from annotator.data_import.parsers import ImportedDocument, ImportRules
from annotator.data_import.peers import (
    DocumentDraft,
    Reject,
    annotator_name,
    check_label,
    check_range,
    check_relation_type,
    rejecter,
    text_of,
    whole_number,
)
from annotator.errors import ImportRejected
from annotator.offsets import utf16_to_code_points

_DECODER = json.JSONDecoder()


def tasks(text: str, source: str) -> Iterator[tuple[int, Any]]:
    """Each element of the top-level JSON array with the line it starts on, streaming the parse.

    ``json.loads`` would say nothing about where a task is; decoding element by element does.
    """
    index = _skip(text, 0)
    if index >= len(text) or text[index] != "[":
        raise ImportRejected(source, 1, None, "expected a JSON array of Label Studio tasks")
    index = _skip(text, index + 1)
    if index < len(text) and text[index] == "]":
        return
    while True:
        line = text.count("\n", 0, index) + 1
        try:
            value, index = _DECODER.raw_decode(text, index)
        except json.JSONDecodeError as error:
            reason = f"not valid JSON ({error.msg})"
            raise ImportRejected(source, error.lineno, None, reason) from None
        except RecursionError:
            raise ImportRejected(source, line, None, "nested too deeply") from None
        yield line, value
        index = _skip(text, index)
        if index < len(text) and text[index] == ",":
            index = _skip(text, index + 1)
            continue
        if index < len(text) and text[index] == "]":
            return
        raise ImportRejected(
            source, text.count("\n", 0, index) + 1, None, "expected , or ] after a task"
        )


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def parse_label_studio(data: bytes, source: str, rules: ImportRules) -> Iterator[ImportedDocument]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            source, None, None, f"not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    for number, (line, task) in enumerate(tasks(text, source)):
        yield _task(task, number, line, source, rules).parsed(rules)


def _task(task: Any, number: int, line: int, source: str, rules: ImportRules) -> DocumentDraft:
    reject = rejecter(source, line)
    if not isinstance(task, dict):
        raise reject(f"[{number}]", "expected a task object")
    data = task.get("data")
    if not isinstance(data, dict):
        raise reject("data", "expected an object holding the task's text")
    if "text" in data:
        text = text_of(data["text"], "data.text", reject)
    else:
        strings = [key for key, item in data.items() if isinstance(item, str)]
        if len(strings) != 1:
            raise reject("data.text", "missing; which field of data holds the text is unclear")
        text = text_of(data[strings[0]], f"data.{strings[0]}", reject)
    key = data.get("id", task.get("id", number + 1))
    if isinstance(key, bool) or not isinstance(key, str | int):
        raise reject("data.id", "expected a string or a whole number")
    draft = DocumentDraft(str(key), text, source, line)
    for name in ("title", "url"):
        if isinstance(data.get(name), str):
            setattr(draft, name, data[name])
    if isinstance(data.get("meta"), dict):
        draft.meta = data["meta"]
    annotations = task.get("annotations") or []
    if not isinstance(annotations, list):
        raise reject("annotations", "expected a list")
    gold_seen = False
    for index, annotation in enumerate(annotations):
        where = f"annotations[{index}]"
        if not isinstance(annotation, dict):
            raise reject(where, "expected an object")
        if annotation.get("was_cancelled"):
            continue
        annotator = None if annotation.get("ground_truth") else _who(annotation, where, reject)
        if annotator is None:
            if gold_seen:
                raise reject(f"{where}.ground_truth", "a second ground-truth annotation")
            gold_seen = True
        elif annotator in draft.annotators:
            raise reject(where, f"a second annotation by {annotator}")
        else:
            draft.annotators[annotator] = "done"
        _results(annotation.get("result"), f"{where}.result", annotator, draft, rules, reject)
    return draft


def _who(annotation: dict[str, Any], where: str, reject: Reject) -> str:
    if "annotator" in annotation:
        return annotator_name(annotation["annotator"], f"{where}.annotator", reject)
    user = annotation.get("completed_by")
    if isinstance(user, dict):
        name = user.get("username") or user.get("email")
        if name:
            return annotator_name(name, f"{where}.completed_by", reject)
        user = user.get("id")
    if isinstance(user, int) and not isinstance(user, bool):
        return f"label-studio-{user}"
    if isinstance(user, str):
        return annotator_name(user, f"{where}.completed_by", reject)
    raise reject(f"{where}.completed_by", "missing; whose annotation this is is unknown")


def _results(
    results: Any,
    where: str,
    annotator: str | None,
    draft: DocumentDraft,
    rules: ImportRules,
    reject: Reject,
) -> None:
    if not isinstance(results, list):
        raise reject(where, "expected a list of results")
    region_ids: dict[str, list[str]] = {}
    links = []
    for index, result in enumerate(results):
        at = f"{where}[{index}]"
        if not isinstance(result, dict):
            raise reject(at, "expected an object")
        kind = result.get("type")
        if kind == "relation":
            links.append((at, result))
            continue
        if kind != "labels":
            raise reject(
                f"{at}.type",
                f"result type {kind!r} cannot be imported (only labels spans and relations)",
            )
        value = result.get("value")
        if not isinstance(value, dict):
            raise reject(f"{at}.value", "expected an object")
        start, end = _offsets(draft.text, value, f"{at}.value", reject)
        labels = value.get("labels")
        if not isinstance(labels, list) or not labels:
            raise reject(f"{at}.value.labels", "expected a list of at least one label")
        region = str(result.get("id", at))
        keys = region_ids.setdefault(region, [])
        for position, label in enumerate(labels):
            label = check_label(label, f"{at}.value.labels[{position}]", rules, reject)
            key = f"{region}#{len(keys)}"
            keys.append(key)
            draft.add_span(annotator, key, label, start, end)
    for at, result in links:
        ends = []
        for end_name in ("from_id", "to_id"):
            named = result.get(end_name)
            if str(named) not in region_ids:
                raise reject(f"{at}.{end_name}", f"{named!r} is not the id of a labels result here")
            keys = region_ids[str(named)]
            if len(keys) != 1:
                raise reject(f"{at}.{end_name}", f"region {named!r} has several labels")
            ends.append(keys[0])
        direction = result.get("direction", "right")
        if direction == "left":
            ends.reverse()
        elif direction != "right":
            raise reject(f"{at}.direction", f"{direction!r}: a link here goes one way")
        labels = result.get("labels") or []
        if not isinstance(labels, list) or not labels:
            raise reject(f"{at}.labels", "a link needs its relation type as a label")
        for position, label in enumerate(labels):
            type_name = check_relation_type(label, f"{at}.labels[{position}]", rules, reject)
            draft.add_relation(annotator, type_name, ends[0], ends[1])


def _offsets(text: str, value: dict[str, Any], where: str, reject: Reject) -> tuple[int, int]:
    start = whole_number(value.get("start"), f"{where}.start", reject)
    end = whole_number(value.get("end"), f"{where}.end", reject)
    quoted = value.get("text")
    if isinstance(quoted, str) and text[start:end] != quoted and 0 <= start:
        # Label Studio before 2021 counted UTF-16 code units; take that reading if it fits.
        try:
            units = utf16_to_code_points(text, start), utf16_to_code_points(text, end)
        except ValueError:
            units = None
        if units and text[units[0] : units[1]] == quoted:
            start, end = units
    check_range(text, start, end, where, reject)
    if isinstance(quoted, str) and text[start:end] != quoted:
        raise reject(
            f"{where}.text",
            f"{quoted!r} does not match the document text at [{start}, {end}): {text[start:end]!r}",
        )
    return start, end
