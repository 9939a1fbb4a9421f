"""Agreement on document questions: Krippendorff's alpha at the question's level of measurement and
pairwise Cohen's kappa. Pure numpy: no Flask, no database.

The level follows the question's kind (``annotation.questions``): ``single`` is nominal; ``scale``
is ordinal (Krippendorff's ordinal metric on alpha, quadratic weights on kappa, over the scale's
points); ``number`` is interval (alpha only: kappa needs categories); ``multiple`` is nominal with
one binary unit per (document, choice), chosen or not; ``text`` is not compared. Alpha treats a
document as a unit whose values are the annotators' answers; documents with fewer than two answers
are not pairable. Every coefficient is None where it is undefined (nothing pairable, or no
variation) rather than NaN.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from itertools import combinations
from typing import Any, TypedDict

import numpy as np

from annotator.annotation.value_types import LEVELS


def krippendorff_alpha(
    reliability_data: Sequence[Sequence[Any]], level: str = "nominal"
) -> float | None:
    """Krippendorff's alpha of ``reliability_data`` (coders x units; None or NaN is missing) at
    ``level`` ``nominal``, ``ordinal`` or ``interval`` (Krippendorff 2011, "Computing
    Krippendorff's Alpha-Reliability"), through the coincidence matrix of the values present.

    Ordinal values must be mutually sortable; interval values numbers. The ordinal metric uses the
    coincidence marginals n_g of the values between c and k, so only their order matters.
    """
    if level not in ("nominal", "ordinal", "interval"):
        raise ValueError(f"unknown level {level!r}")
    units = list(zip(*reliability_data, strict=True)) if reliability_data else []
    pairable = _pairable(units)
    if not pairable:
        return None
    categories = sorted({value for values in pairable for value in values})
    return alpha_of(_coincidences([pairable], categories)[0], categories, level)


def _pairable(units: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """The values present (not None, not NaN) of the units with at least two of them."""
    present = [[value for value in unit if value is not None and value == value] for unit in units]
    return [values for values in present if len(values) >= 2]


def _coincidences(groups: Sequence[Sequence[Sequence[Any]]], categories: list[Any]) -> np.ndarray:
    """The coincidence matrix of each group of pairable units (groups x categories x categories):
    alpha's sufficient statistic, summed over groups (documents) and so bootstrap-resampled."""
    index = {value: i for i, value in enumerate(categories)}
    size = len(categories)
    out = np.zeros((len(groups), size, size))
    for number, units in enumerate(groups):
        for values in units:
            codes = [index[value] for value in values]
            weight = 1.0 / (len(codes) - 1)
            for i, j in combinations(range(len(codes)), 2):
                out[number, codes[i], codes[j]] += weight
                out[number, codes[j], codes[i]] += weight
    return out


def alpha_of(coincidences: np.ndarray, categories: list[Any], level: str) -> float | None:
    """Alpha from a coincidence matrix: 1 - D_o / D_e with the level's difference function."""
    marginals = coincidences.sum(1)
    n = float(marginals.sum())
    if n <= 1:
        return None
    delta = _metric(level, categories, marginals)
    observed = float((coincidences * delta).sum())
    expected = float((np.outer(marginals, marginals) * delta).sum()) / (n - 1)
    if expected <= 1e-12 * max(n * n, 1.0):
        return None
    return 1.0 - observed / expected


def alpha_interval(
    groups: Sequence[Sequence[Sequence[Any]]],
    level: str,
    draws: int,
    seed: int = 0,
    confidence: float = 0.95,
) -> list[float] | None:
    """Percentile bootstrap interval of alpha, resampling the groups (documents) with
    replacement ``draws`` times from ``numpy.random.default_rng(seed)``, over the draws where
    alpha is defined; None when no draw is (or ``draws`` is 0)."""
    groups = [units for units in groups if units]
    if draws <= 0 or not groups:
        return None
    categories = sorted({value for units in groups for values in units for value in values})
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(groups), size=(draws, len(groups)))
    if level == "nominal":
        samples = _nominal_alphas(groups, categories, picks)
    else:
        per_group = _coincidences(groups, categories)
        samples = [alpha_of(per_group[row].sum(0), categories, level) for row in picks]
    defined = np.array([value for value in samples if value is not None])
    if defined.size == 0:
        return None
    tail = (1 - confidence) / 2
    return [float(q) for q in np.quantile(defined, [tail, 1 - tail])]


def _nominal_alphas(
    groups: Sequence[Sequence[Sequence[Any]]], categories: list[Any], picks: np.ndarray
) -> list[float | None]:
    """Nominal alpha of each bootstrap draw (a row of ``picks``: the groups drawn), as
    `alpha_of` gives it, from what nominal alpha needs of a group: its coincidence marginals n_c
    and its agreeing coincidences (the matrix's diagonal). A groups x categories x categories
    matrix would not fit in memory for hundreds of categories (a corpus's sources)."""
    index = {value: i for i, value in enumerate(categories)}
    marginals = np.zeros((len(groups), len(categories)))
    agreeing = np.zeros(len(groups))
    for number, units in enumerate(groups):
        for values in units:
            codes, counts = np.unique([index[value] for value in values], return_counts=True)
            marginals[number, codes] += counts
            agreeing[number] += float((counts * (counts - 1)).sum()) / (len(values) - 1)
    draws, size = picks.shape
    weights = np.bincount(
        (picks + size * np.arange(draws)[:, None]).ravel(), minlength=draws * size
    ).reshape(draws, size)
    drawn = weights @ marginals
    n = drawn.sum(1)
    observed = n - weights @ agreeing
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = (n * n - (drawn * drawn).sum(1)) / (n - 1)
    return [
        None if total <= 1 or exp <= 1e-12 * max(total * total, 1.0) else 1.0 - obs / exp
        for total, obs, exp in zip(n, observed, expected, strict=True)
    ]


def _metric(level: str, categories: list[Any], marginals: np.ndarray) -> np.ndarray:
    """The squared difference function delta^2(c, k) between the categories."""
    size = len(categories)
    if level == "nominal":
        return 1.0 - np.eye(size)
    if level == "interval":
        values = np.asarray(categories, float)
        squared: np.ndarray = (values[:, None] - values[None, :]) ** 2
        return squared
    cumulative = np.concatenate([[0.0], np.cumsum(marginals)])
    low = np.minimum.outer(np.arange(size), np.arange(size))
    high = np.maximum.outer(np.arange(size), np.arange(size))
    between = cumulative[high + 1] - cumulative[low]  # sum of n_g for g from c to k
    ordinal: np.ndarray = (between - (marginals[:, None] + marginals[None, :]) / 2) ** 2
    return ordinal


def weighted_kappa(
    a: Sequence[Any], b: Sequence[Any], categories: Sequence[Any], weights: str | None = None
) -> float | None:
    """Cohen's kappa of two raters over the same units, unweighted (``weights`` None), or with
    ``linear`` or ``quadratic`` disagreement weights over the positions of ``categories`` (in
    order: a scale's points). None when undefined (no units, or no expected disagreement)."""
    if len(a) != len(b):
        raise ValueError("weighted_kappa needs two equal-length sequences")
    if not a:
        return None
    position = {value: i for i, value in enumerate(categories)}
    size = len(categories)
    table = np.zeros((size, size))
    for x, y in zip(a, b, strict=True):
        table[position[x], position[y]] += 1
    steps = np.abs(np.subtract.outer(np.arange(size), np.arange(size))).astype(float)
    if weights is None:
        cost = (steps > 0).astype(float)
    elif weights == "linear":
        cost = steps
    elif weights == "quadratic":
        cost = steps**2
    else:
        raise ValueError(f"unknown weights {weights!r}")
    expected_table = np.outer(table.sum(1), table.sum(0)) / table.sum()
    expected = float((cost * expected_table).sum())
    if expected == 0:
        return None
    return 1.0 - float((cost * table).sum()) / expected


class PairKappa(TypedDict):
    annotators: list[str]
    kappa: float | None
    units: int


class QuestionAgreement(TypedDict):
    """Agreement on one question. ``units``: pairable units (documents, or documents x choices for
    several choices); ``kappa``: per pair of annotators over the units both answered."""

    kind: str
    level: str | None
    alpha: float | None
    alpha_interval: list[float] | None
    units: int
    weights: str | None
    kappa: list[PairKappa]
    mean_kappa: float | None


def _units(
    kind: str, answers: Mapping[Hashable, Mapping[str, Any]], choices: Sequence[str]
) -> dict[Hashable, dict[str, Any]]:
    """Units -> annotator -> value: a document each, or (document, choice) -> 0/1 for several
    choices (an annotator who answered the document chose or did not choose each choice)."""
    if kind != "multiple":
        return {document: dict(values) for document, values in answers.items()}
    return {
        (document, choice): {name: int(choice in value) for name, value in values.items()}
        for document, values in answers.items()
        for choice in choices
    }


def question_agreement(
    kind: str,
    answers: Mapping[Hashable, Mapping[str, Any]],
    *,
    choices: Sequence[str] = (),
    minimum: int | None = None,
    maximum: int | None = None,
    bootstrap: int = 0,
    seed: int = 0,
    group_of: Callable[[Hashable], Hashable] | None = None,
) -> QuestionAgreement:
    """Alpha and pairwise kappa of one question from ``answers`` (document -> annotator -> value),
    with a 95 % bootstrap interval of alpha over ``bootstrap`` draws of documents (as the span
    figures resample documents; a document's choice units stay together).

    Free-text questions get no figures (``level`` None). ``group_of`` maps a unit of
    ``answers`` to what the bootstrap resamples (default: the unit itself, a document); span
    attributes, whose units are matched spans, resample their documents.
    """
    level = LEVELS.get(kind)
    empty: QuestionAgreement = {
        "kind": kind,
        "level": level,
        "alpha": None,
        "alpha_interval": None,
        "units": 0,
        "weights": None,
        "kappa": [],
        "mean_kappa": None,
    }
    if level is None:
        return empty
    units = _units(kind, answers, choices)
    coders = sorted({name for values in units.values() for name in values})
    keys = list(units)
    data = [[units[key].get(name) for key in keys] for name in coders]
    alpha = krippendorff_alpha(data, level) if coders else None
    pairable = sum(1 for key in keys if len(units[key]) >= 2)
    weights = "quadratic" if level == "ordinal" else None
    if kind == "scale" and minimum is not None and maximum is not None:
        categories: list[Any] = list(range(minimum, maximum + 1))
    elif kind == "multiple":
        categories = [0, 1]
    elif kind == "boolean":
        categories = [False, True]
    else:
        categories = list(choices)
    pairs: list[PairKappa] = []
    if level != "interval":
        for first, second in combinations(coders, 2):
            shared = [key for key in keys if first in units[key] and second in units[key]]
            kappa = weighted_kappa(
                [units[key][first] for key in shared],
                [units[key][second] for key in shared],
                categories,
                weights,
            )
            pairs.append({"annotators": [first, second], "kappa": kappa, "units": len(shared)})
    defined = [pair["kappa"] for pair in pairs if pair["kappa"] is not None]
    by_document: dict[Hashable, list[list[Any]]] = {}
    for key in keys:
        document = key[0] if kind == "multiple" else key  # type: ignore[index]
        if group_of is not None:
            document = group_of(document)
        by_document.setdefault(document, []).extend(_pairable([list(units[key].values())]))
    return {
        **empty,
        "alpha": alpha,
        "alpha_interval": alpha_interval(list(by_document.values()), level, bootstrap, seed),
        "units": pairable,
        "weights": weights,
        "kappa": pairs,
        "mean_kappa": float(np.mean(defined)) if defined else None,
    }


class AgainstGold(TypedDict):
    """One annotator's answers to one question against the gold answers."""

    documents: int  # documents with a gold answer that the annotator answered
    agreed: int  # of them, where the answer is the gold answer
    share: float | None  # agreed / documents
    mean_difference: float | None  # scale and number: mean |answer - gold answer|


def against_gold(
    kind: str,
    answers: Mapping[Hashable, Mapping[str, Any]],
    gold: Mapping[Hashable, Any],
) -> dict[str, AgainstGold]:
    """Each annotator's answers (document -> annotator -> value) against the ``gold`` answers
    (document -> value), on the documents that have both: how often they are the gold answer
    (a set of choices: the same set), and for scales and numbers how far off on average. Free
    text is not compared (an empty result), as it is not for agreement."""
    if LEVELS.get(kind) is None:
        return {}
    counts: dict[str, list[float]] = {}  # annotator -> [documents, agreed, total difference]
    for document, truth in gold.items():
        if truth is None:
            continue
        for name, value in answers.get(document, {}).items():
            if value is None:
                continue
            seen = counts.setdefault(name, [0, 0, 0.0])
            seen[0] += 1
            if kind == "multiple":
                seen[1] += set(value or ()) == set(truth or ())
            else:
                seen[1] += value == truth
                if kind in ("scale", "number"):
                    seen[2] += abs(float(value) - float(truth))
    return {
        name: {
            "documents": int(documents),
            "agreed": int(agreed),
            "share": agreed / documents if documents else None,
            "mean_difference": (
                difference / documents if documents and kind in ("scale", "number") else None
            ),
        }
        for name, (documents, agreed, difference) in sorted(counts.items())
    }
