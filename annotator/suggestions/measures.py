"""How suggestions changed what annotators marked, per label (pure: the rows come from
``annotator.suggestions.influence``).

- *acceptance*: of the suggestions shown (a suggestion × an annotator who was shown it), how many
  the annotator accepted, rejected, or left;
- *precision* and *recall* of the suggestions against gold, on documents that have gold: exact
  label and range;
- *agreement with and without suggestions*: exact-match span F1 between two annotators of the
  same document, averaged over the pairs where both were shown suggestions, and over the pairs
  where neither was (the A/B switch; mixed pairs are left out).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

Key = tuple[int, str, int, int]  # document id, label, start, end


@dataclass(frozen=True)
class LabelMeasures:
    label: str
    shown: int  # suggestion × annotator pairs
    accepted: int
    rejected: int
    suggested: int  # suggestions on documents with gold
    gold: int  # gold spans on documents with suggestions computed
    correct: int  # suggestions equal to a gold span
    agreement_with: float | None  # mean exact F1 over pairs both shown suggestions
    pairs_with: int
    agreement_without: float | None
    pairs_without: int

    @property
    def acceptance(self) -> float | None:
        return self.accepted / self.shown if self.shown else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.suggested if self.suggested else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.gold if self.gold else None


def measure(
    *,
    labels: list[str],
    suggestions: Iterable[Key],
    shown: Mapping[int, set[int]],
    accepted: Iterable[tuple[int, Key]],
    rejected: Iterable[tuple[int, Key]],
    gold: Iterable[Key],
    spans: Iterable[tuple[int, Key]],
    exposure: Mapping[tuple[int, int], bool],
) -> list[LabelMeasures]:
    """``suggestions``: the stored suggestions (deduplicated by key); ``shown``: document id →
    annotators shown suggestions there; ``accepted``/``rejected``: (annotator, key);
    ``gold``: gold spans; ``spans``: every annotator span (annotator, key); ``exposure``:
    (document, annotator) → shown suggestions or not."""
    suggested = set(suggestions)
    gold_set = set(gold)
    documents_with_gold = {key[0] for key in gold_set}
    documents_suggested = {key[0] for key in suggested}
    shown_count: dict[str, int] = defaultdict(int)
    for key in suggested:
        shown_count[key[1]] += len(shown.get(key[0], ()))
    accepted_count = _count_shown(accepted, suggested, shown)
    rejected_count = _count_shown(rejected, suggested, shown)
    with_pairs, without_pairs = _agreement(spans, exposure)
    result = []
    for label in labels:
        on_gold = {k for k in suggested if k[1] == label and k[0] in documents_with_gold}
        gold_here = {k for k in gold_set if k[1] == label and k[0] in documents_suggested}
        with_scores = with_pairs.get(label, [])
        without_scores = without_pairs.get(label, [])
        result.append(
            LabelMeasures(
                label=label,
                shown=shown_count[label],
                accepted=accepted_count[label],
                rejected=rejected_count[label],
                suggested=len(on_gold),
                gold=len(gold_here),
                correct=len(on_gold & gold_here),
                agreement_with=_mean(with_scores),
                pairs_with=len(with_scores),
                agreement_without=_mean(without_scores),
                pairs_without=len(without_scores),
            )
        )
    return result


def _count_shown(
    rows: Iterable[tuple[int, Key]], suggested: set[Key], shown: Mapping[int, set[int]]
) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for annotator, key in set(rows):
        if key in suggested and annotator in shown.get(key[0], ()):
            counts[key[1]] += 1
    return counts


def _agreement(
    spans: Iterable[tuple[int, Key]], exposure: Mapping[tuple[int, int], bool]
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Exact F1 per label for each pair of annotators of a document in the same A/B group."""
    by_document: dict[int, dict[int, set[Key]]] = defaultdict(lambda: defaultdict(set))
    for annotator, key in spans:
        by_document[key[0]][annotator].add(key)
    for (document, annotator), _shown in exposure.items():
        by_document[document].setdefault(annotator, set())
    with_pairs: dict[str, list[float]] = defaultdict(list)
    without_pairs: dict[str, list[float]] = defaultdict(list)
    for document, layers in by_document.items():
        for first, second in combinations(sorted(layers), 2):
            group = (exposure.get((document, first)), exposure.get((document, second)))
            if group not in ((True, True), (False, False)):
                continue
            target = with_pairs if group[0] else without_pairs
            a, b = layers[first], layers[second]
            for label in {key[1] for key in a | b}:
                mine = {k for k in a if k[1] == label}
                theirs = {k for k in b if k[1] == label}
                target[label].append(2 * len(mine & theirs) / (len(mine) + len(theirs)))
    return with_pairs, without_pairs


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None
