"""Generated news articles with known claim, evidence and attribution spans, for training and
measuring recommenders (tests and bench/suggest_learned_bench.py).

Each article is a few paragraphs of sentences built from templates of the kinds reporters write
("…, the ministry said.", "According to Reuters, …", "Figures published by … show that …") and of
sentences that carry nothing. The words vary from a seed; the spans are where the templates put
them, in code points. It is a stand-in for a real gold layer: figures on it say that a model
learns the patterns, not how well it does on real news.
"""

from __future__ import annotations

import random

from annotator.suggestions.learned import Example

SPEAKERS = [
    "the port authority",
    "a ministry spokesperson",
    "Maria Okafor",
    "the company",
    "Dr. Samuel Ito",
    "police",
    "the mayor's office",
    "a senior official",
    "Reuters",
    "the union",
    "Lindqvist Grain",
    "the World Health Organization",
    "Anna Petrova",
    "the central bank",
    "a spokesman for the army",
    "local residents",
    "Ahmed Hassan",
]
VERBS = ["said", "told reporters", "claimed", "stated", "announced", "warned", "insisted"]
SUBJECTS = [
    "the fire",
    "the new vaccine",
    "the budget",
    "the strike",
    "the bridge",
    "prices",
    "the election",
    "the talks",
    "the harbour",
    "the school",
    "the river",
    "the factory",
]
PREDICATES = [
    "was caused by faulty wiring",
    "would be delayed until spring",
    "had been approved last week",
    "posed no risk to residents",
    "will cost more than expected",
    "was sabotaged on purpose",
    "had passed every inspection",
    "will reopen on Monday",
    "was never discussed",
    "could lead to further job losses",
]
EVIDENCE = [
    "figures published by {who} show that {n} percent of {group} {did}",
    "records seen by the Courier show that {group} {did} {n} times last year",
    "a survey of {n} {group} found that most {did}",
]
GROUPS = ["pupils", "households", "workers", "patients", "drivers", "farmers"]
DONE = ["missed work", "paid more", "were affected", "complained", "moved away"]
FILLER = [
    "The weather was mild on Tuesday.",
    "No one was hurt.",
    "The meeting lasted two hours.",
    "Traffic was diverted for most of the afternoon.",
    "The building dates from 1962.",
    "More details are expected later this week.",
]


def _claim(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(PREDICATES)}"


class _Writer:
    def __init__(self) -> None:
        self.text = ""
        self.spans: list[tuple[str, int, int]] = []

    def put(self, piece: str, label: str | None = None) -> None:
        if label:
            self.spans.append((label, len(self.text), len(self.text) + len(piece)))
        self.text += piece


def _sentence(rng: random.Random, out: _Writer) -> None:
    kind = rng.randrange(5)
    speaker = rng.choice(SPEAKERS)
    if kind == 0:  # "<claim>, <speaker> <verb>."
        claim = _claim(rng)
        out.put(claim[0].upper() + claim[1:], "claim")
        out.put(", ")
        out.put(f"{speaker} {rng.choice(VERBS)}", "attribution")
        out.put(".")
    elif kind == 1:  # "According to <speaker>, <claim>."
        out.put(f"According to {speaker}", "attribution")
        out.put(", ")
        out.put(_claim(rng), "claim")
        out.put(".")
    elif kind == 2:  # "<Speaker> <verb> that <claim>."
        out.put(f"{speaker[0].upper()}{speaker[1:]} {rng.choice(VERBS)}", "attribution")
        out.put(" that ")
        out.put(_claim(rng), "claim")
        out.put(".")
    elif kind == 3:  # evidence
        sentence = rng.choice(EVIDENCE).format(
            who=rng.choice(SPEAKERS),
            n=rng.randrange(2, 95),
            group=rng.choice(GROUPS),
            did=rng.choice(DONE),
        )
        out.put(sentence[0].upper() + sentence[1:], "evidence")
        out.put(".")
    else:
        out.put(rng.choice(FILLER))


def article(rng: random.Random, sentences: int = 12) -> Example:
    """One article of about ``sentences`` sentences in paragraphs of two to four."""
    out = _Writer()
    written = 0
    while written < sentences:
        if written:
            out.put("\n\n")
        for index in range(rng.randint(2, 4)):
            if index:
                out.put(" ")
            _sentence(rng, out)
            written += 1
    return Example(out.text, tuple(out.spans))


def corpus(documents: int, *, seed: int = 7, sentences: int = 12) -> list[Example]:
    rng = random.Random(seed)
    return [article(rng, sentences) for _ in range(documents)]
