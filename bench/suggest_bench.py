"""Time the rule recommender on a 3,000- and a 50,000-character article, and measure its precision
and recall (exact label and range) on a generated corpus with known answers.

Targets (issue 18): < 20 ms for 3,000 characters, < 300 ms for 50,000. The corpus mixes sentences
the rules are written for (a speaker and a reporting verb, "according to", a quotation with its
speaker) with ones they miss on purpose (a speaker of more than six words, the passive "was
reported by", a verb-first sentence) and distractors with no attribution, so the figures are
not 1.0 by construction; they describe this corpus, not real news.

    .venv/bin/python bench/suggest_bench.py [--repeat N] [--documents N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator.suggestions.rules import default_lexicon_text, parse_lexicon, suggest  # noqa: E402

LABELS = ["claim", "evidence", "attribution"]
SPEAKERS = [
    "the minister",
    "a company spokesman",
    "Maria Okafor",
    "the port authority",
    "local residents",
    "Dr Samuel Ito",
    "Захарова",
    "the head of the regional health department in the northern province",  # > 6 words: missed
]
VERBS = ["said", "told reporters", "claimed", "warned", "insisted", "added"]
SOURCES = ["Reuters", "a study published on Monday", "official figures", "the ministry"]
CLAIMS = [
    "the fire was caused by faulty wiring",
    "prices will rise again next year",
    "the bridge is safe",
    "the talks had failed",
    "absences fell by 30 percent",
]
FILLER = [
    "The river flooded twice last spring.",
    "Crews were called to the same building twice.",
    "No one was hurt.",
    "The warehouse held about 4,000 tonnes of grain.",
]

Gold = tuple[str, int, int]


def _sentence(rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    """A sentence and its gold spans as (label, exact text)."""
    speaker, verb = rng.choice(SPEAKERS), rng.choice(VERBS)
    claim = rng.choice(CLAIMS)
    kind = rng.randrange(7)
    if kind == 0:
        attribution = f"{speaker} {verb.split()[0]}"
        return f"{claim.capitalize()}, {attribution} on Tuesday.", [("attribution", attribution)]
    if kind == 1:
        source = rng.choice(SOURCES)
        return (
            f"{claim.capitalize()}, according to {source}.",
            [("attribution", f"according to {source}")],
        )
    if kind == 2:
        return (
            f'"{claim.capitalize()}," said {speaker}.',
            [("claim", claim.capitalize()), ("attribution", f"said {speaker}")],
        )
    if kind == 3:  # passive: the rules do not know it
        source = rng.choice(SOURCES)
        return (
            f"{claim.capitalize()}, it was reported by {source}.",
            [("attribution", f"it was reported by {source}")],
        )
    if kind == 4:  # verb first at the start of a sentence: not taken (inverted needs , or ")
        return (
            f"Said {speaker}: {claim}.",
            [("attribution", f"Said {speaker}")],
        )
    return rng.choice(FILLER), []


def make_document(rng: random.Random, characters: int) -> tuple[str, set[Gold]]:
    """Sentences until ``characters`` code points; the gold spans with their offsets."""
    parts: list[str] = []
    gold: set[Gold] = set()
    length = 0
    while length < characters:
        sentence, spans = _sentence(rng)
        for label, phrase in spans:
            found = sentence.find(phrase)
            if found >= 0:
                gold.add((label, length + found, length + found + len(phrase)))
        parts.append(sentence)
        length += len(sentence) + 1
    return " ".join(parts), gold


def time_suggest(text: str, repeat: int) -> float:
    """Median milliseconds of one ``suggest`` call (the lexicon parsed once, as the app does)."""
    lexicon = parse_lexicon(default_lexicon_text())
    suggest(text, LABELS, lexicon)  # compile the patterns once
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        suggest(text, LABELS, lexicon)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def precision_recall(documents: int, seed: int) -> dict[str, tuple[float, float, int]]:
    rng = random.Random(seed)
    lexicon = parse_lexicon(default_lexicon_text())
    counts = {label: [0, 0, 0] for label in ("attribution", "claim")}  # correct, suggested, gold
    for _ in range(documents):
        text, gold = make_document(rng, 3000)
        found = {(s.label, s.start, s.end) for s in suggest(text, LABELS, lexicon)}
        for label, entry in counts.items():
            mine = {item for item in found if item[0] == label}
            theirs = {item for item in gold if item[0] == label}
            entry[0] += len(mine & theirs)
            entry[1] += len(mine)
            entry[2] += len(theirs)
    return {
        label: (correct / suggested if suggested else 0.0, correct / gold if gold else 0.0, gold)
        for label, (correct, suggested, gold) in counts.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--seed", type=int, default=18)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    for characters, target in ((3_000, 20), (50_000, 300)):
        text, _gold = make_document(rng, characters)
        median = time_suggest(text, options.repeat)
        print(
            f"rules on {len(text):,} characters: median {median:.1f} ms "
            f"(target < {target} ms, {options.repeat} runs)"
        )
    print(f"precision / recall on {options.documents} generated 3,000-character documents:")
    for label, (precision, recall, gold) in precision_recall(
        options.documents, options.seed
    ).items():
        print(f"  {label:<12} precision {precision:.3f}  recall {recall:.3f}  ({gold} gold spans)")


if __name__ == "__main__":
    main()
