"""A sequence tagger learned from a project's own gold: the recommender that improves as the
project grows (issue 18, recommender 2). Pure: texts and spans in, spans out; no Flask, no database.

The model is a linear-chain CRF (CRFsuite through ``python-crfsuite``, about 5 MB, no model
download) over the tokens of :func:`annotator.data_export.tokens.tokenize` (the same tokenisation
as the CoNLL export, so a suggestion never splits a user-perceived character), tagged BIO with
the project's labels. Features are the word, its lower case, prefixes and suffixes, its shape
(``Xxxx``, ``dd``), quotation marks and the words around it: what marks "said a ministry
spokesperson" or "according to Reuters" without a pretrained model.

One tag per token means one label per place: where gold spans nest or overlap, the longest is
learned and the others are left out of training (:func:`flatten`). Scores are the CRF's marginal
probability of the span's tags, the lowest over its tokens, so a manager can set a threshold.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import pycrfsuite

from annotator.data_export.tokens import tokenize
from annotator.offsets import inside_cluster

Span = tuple[str, int, int]  # label, start, end (code points, half-open)
Token = tuple[int, int]

QUOTES = frozenset("\"'«»“”„‘’‚‹›「」『』")


@dataclass(frozen=True)
class Example:
    """One document's text and its gold spans."""

    text: str
    spans: Sequence[Span]


@dataclass(frozen=True)
class Suggestion:
    label: str
    start: int
    end: int
    score: float


class LabelScores(TypedDict):
    precision: float
    recall: float
    f1: float
    gold: int
    suggested: int
    correct: int


def flatten(spans: Iterable[Span]) -> list[Span]:
    """The spans one tag per token can hold: longest first, then earliest; an overlapping one is
    left out."""
    kept: list[Span] = []
    for span in sorted(set(spans), key=lambda s: (-(s[2] - s[1]), s[1], s[0])):
        if all(span[2] <= other[1] or other[2] <= span[1] for other in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: (s[1], s[2], s[0]))


def bio_tags(tokens: Sequence[Token], spans: Iterable[Span]) -> list[str]:
    """BIO tags of ``tokens`` for non-overlapping ``spans``; a token is inside a span when any of
    it is (a span's edge inside a token takes the whole token)."""
    tags = ["O"] * len(tokens)
    for label, start, end in spans:
        inside = [i for i, (t_start, t_end) in enumerate(tokens) if t_start < end and start < t_end]
        for position, index in enumerate(inside):
            if tags[index] == "O":
                tags[index] = ("B-" if position == 0 else "I-") + label
    return tags


def _shape(word: str) -> str:
    shape: list[str] = []
    for char in word[:8]:
        kind = "X" if char.isupper() else "x" if char.islower() else "d" if char.isdigit() else char
        if not shape or shape[-1] != kind:
            shape.append(kind)
    return "".join(shape)


def _word_features(word: str) -> tuple[str, ...]:
    """What is said of a word wherever it stands (the caller prefixes its position)."""
    lower = word.lower()
    found = [f"w={lower}", f"s3={lower[-3:]}", f"sh={_shape(word)}"]
    if word[:1].isupper():
        found.append("title")
    if word in QUOTES:
        found.append("quote")
    return tuple(found)


def features(text: str, tokens: Sequence[Token]) -> list[list[str]]:
    """The CRF features of each token (CRFsuite's ``name=value`` strings): itself and two
    tokens either side. A word's own features are worked out once per text."""
    words = [text[start:end] for start, end in tokens]
    known: dict[str, tuple[str, ...]] = {}
    own = [known.get(word) or known.setdefault(word, _word_features(word)) for word in words]
    rows: list[list[str]] = []
    last = len(words) - 1
    for index, word in enumerate(words):
        row = ["bias", f"p2={word[:2].lower()}", f"s2={word[-2:].lower()}", *own[index]]
        if word.isupper():
            row.append("upper")
        if word.isdigit():
            row.append("digit")
        if index == 0:
            row.append("first")
        if index == last:
            row.append("last")
        for offset in (-2, -1, 1, 2):
            other = index + offset
            if 0 <= other <= last:
                row.extend(f"{offset:+d}:{feature}" for feature in own[other])
        if index:
            row.append(f"-1|0={words[index - 1].lower()}|{word.lower()}")
        if index < last:
            row.append(f"0|+1={word.lower()}|{words[index + 1].lower()}")
        rows.append(row)
    return rows


def _sequences(example: Example) -> Iterable[tuple[list[Token], list[str]]]:
    spans = flatten(example.spans)
    for block in tokenize(example.text):
        yield block, bio_tags(block, spans)


def train(examples: Iterable[Example], *, iterations: int = 10) -> bytes:
    """A model (CRFsuite's file, as bytes) learned from ``examples``; :class:`ValueError` when
    they hold no span to learn from.

    CRFsuite's averaged perceptron: measured on the generated corpus it reaches the same held-out
    F1 as L-BFGS in a quarter of the time, which keeps 2,000 gold documents within a minute."""
    trainer = pycrfsuite.Trainer(algorithm="ap", verbose=False)
    spans_seen = 0
    for example in examples:
        for block, tags in _sequences(example):
            spans_seen += sum(tag.startswith("B-") for tag in tags)
            trainer.append(features(example.text, block), tags)
    if not spans_seen:
        raise ValueError("there are no gold spans to learn from")
    trainer.set_params({"max_iterations": iterations, "feature.possible_transitions": True})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.crfsuite"
        trainer.train(str(path))
        return path.read_bytes()


class Model:
    """A trained model, ready to suggest spans."""

    def __init__(self, model: bytes) -> None:
        # CRFsuite reads the model in place, without a copy: the bytes must live as long as the
        # tagger, or it reads freed memory (wrong labels, then a crash of the whole process).
        self._model = model
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(self._model)
        self.labels = sorted({tag[2:] for tag in self._tagger.labels() if tag != "O"})

    def suggest(self, text: str) -> list[Suggestion]:
        """Spans for ``text``, in text order, each with its score (0–1)."""
        found: list[Suggestion] = []
        for block in tokenize(text):
            tags = self._tagger.tag(features(text, block))
            for suggestion in self._spans(block, tags):
                start, end = _whole_characters(text, suggestion.start, suggestion.end)
                if start < end:
                    found.append(Suggestion(suggestion.label, start, end, suggestion.score))
        return found

    def _spans(self, block: Sequence[Token], tags: Sequence[str]) -> Iterable[Suggestion]:
        index = 0
        while index < len(tags):
            tag = tags[index]
            if tag == "O":
                index += 1
                continue
            label = tag[2:]
            end = index + 1
            while end < len(tags) and tags[end] == f"I-{label}":
                end += 1
            score = min(self._tagger.marginal(tags[i], i) for i in range(index, end))
            yield Suggestion(label, block[index][0], block[end - 1][1], round(score, 4))
            index = end


def _whole_characters(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` with neither end inside a user-perceived character (by the rule the span
    API checks): a mark that begins a line after a line break belongs to the break, so a token
    starting with it starts after it."""
    while start < end and inside_cluster(text, start):
        start += 1
    while end < len(text) and inside_cluster(text, end):
        end += 1
    return start, end


def split(
    examples: Sequence[Example], heldout: float = 0.2, seed: int = 0
) -> tuple[list[Example], list[Example]]:
    """``(training, held out)``: a fixed shuffle, so a model's figures can be reproduced."""
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    cut = len(order) - max(1, round(len(order) * heldout)) if len(order) > 1 else len(order)
    return [examples[i] for i in order[:cut]], [examples[i] for i in order[cut:]]


def evaluate(model: Model, examples: Iterable[Example]) -> dict[str, LabelScores]:
    """Exact-match precision, recall and F1 per label of the model's spans against the gold of
    ``examples`` (all gold spans count, nested ones too: what an annotator would have to add)."""
    counts: dict[str, list[int]] = {}
    for example in examples:
        gold = {(label, start, end) for label, start, end in example.spans}
        suggested = {(s.label, s.start, s.end) for s in model.suggest(example.text)}
        for label in {span[0] for span in gold | suggested}:
            row = counts.setdefault(label, [0, 0, 0])
            row[0] += sum(1 for span in gold if span[0] == label)
            row[1] += sum(1 for span in suggested if span[0] == label)
            row[2] += len({s for s in gold & suggested if s[0] == label})
    scores: dict[str, LabelScores] = {}
    for label, (gold_n, suggested_n, correct) in sorted(counts.items()):
        precision = correct / suggested_n if suggested_n else 0.0
        recall = correct / gold_n if gold_n else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = LabelScores(
            precision=round(precision, 4),
            recall=round(recall, 4),
            f1=round(f1, 4),
            gold=gold_n,
            suggested=suggested_n,
            correct=correct,
        )
    return scores
