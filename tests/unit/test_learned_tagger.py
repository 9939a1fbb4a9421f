"""The tagger learned from a project's gold (issue 18, recommender 2): what it learns from, what
it suggests, and that a suggestion always fits the text it is for."""

from __future__ import annotations

import gc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.data_export.tokens import tokenize
from annotator.offsets import inside_cluster
from annotator.suggestions.learned import (
    Example,
    Model,
    bio_tags,
    evaluate,
    flatten,
    split,
    train,
)
from tests.support.news_corpus import corpus


@pytest.fixture(scope="module")
def model() -> Model:
    training, _ = split(corpus(120, seed=1))
    return Model(train(training))


def test_flatten_keeps_the_longest_of_overlapping_spans_and_every_separate_one():
    spans = [("claim", 0, 20), ("evidence", 5, 10), ("attribution", 22, 30), ("claim", 0, 20)]
    assert flatten(spans) == [("claim", 0, 20), ("attribution", 22, 30)]


def test_bio_tags_take_a_whole_token_when_a_span_edge_falls_inside_it():
    text = "Reuters said the talks failed"
    (tokens,) = tokenize(text)
    tags = bio_tags(tokens, [("attribution", 0, 9), ("claim", 13, 29)])
    assert tags == ["B-attribution", "I-attribution", "B-claim", "I-claim", "I-claim"]


def test_the_model_finds_the_patterns_of_held_out_articles(model: Model):
    _, held_out = split(corpus(120, seed=1))
    scores = evaluate(model, held_out)
    assert set(scores) == {"attribution", "claim", "evidence"}
    for label, row in scores.items():
        assert row["gold"] > 0, label
        assert row["f1"] >= 0.9, (label, row)


def test_suggestions_are_whole_tokens_with_scores_and_the_labels_learned(model: Model):
    text = "The bridge will reopen on Monday, the mayor's office said."
    found = model.suggest(text)
    assert {s.label for s in found} <= set(model.labels) == {"attribution", "claim", "evidence"}
    assert ("attribution", "the mayor's office said") in {
        (s.label, text[s.start : s.end]) for s in found
    }
    assert all(0.0 < s.score <= 1.0 for s in found)


def test_evaluate_counts_exact_matches_per_label(model: Model):
    text = "According to Reuters, the strike was never discussed."
    spans = (("attribution", 0, 20), ("claim", 22, 52), ("evidence", 0, 4))
    scores = evaluate(model, [Example(text, spans)])
    assert scores["attribution"]["correct"] == 1
    assert scores["evidence"] == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "gold": 1,
        "suggested": 0,
        "correct": 0,
    }


def test_training_without_any_span_says_so():
    with pytest.raises(ValueError, match="no gold spans"):
        train([Example("Nothing marked here.", ())])


def test_split_is_fixed_by_its_seed_and_holds_out_a_fifth():
    examples = corpus(10, seed=3)
    training, held_out = split(examples)
    assert (len(training), len(held_out)) == (8, 2)
    assert split(examples) == (training, held_out)


TRICKY = [
    "Мэр заявил, что мост откроется в понедельник.",
    "قال المتحدث إن المحادثات فشلت.",
    "👩‍👩‍👧 said the talks failed 🇺🇦 according to e\u0301lise\r\n.",
    "Zakharova said: «Kyiv was sabotaging the talks», according to Reuters.",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                TRICKY + ["according to Reuters", " said ", "\u0301", "\u200d", "\r\n"]
            ),
            st.text(max_size=12),
        ),
        max_size=8,
    ).map("".join)
)
def test_no_suggestion_falls_outside_the_text_or_splits_a_character(model: Model, text: str):
    for suggestion in model.suggest(text):
        assert 0 <= suggestion.start < suggestion.end <= len(text)
        assert not inside_cluster(text, suggestion.start)
        assert not inside_cluster(text, suggestion.end)


def test_a_model_keeps_working_after_the_bytes_it_was_made_from_are_gone(model: Model):
    """CRFsuite reads a model in place: a Model made from bytes nobody else holds once read
    freed memory (garbage labels, then a segmentation fault in a hypothesis run)."""
    text = "The bridge will reopen on Monday, the mayor's office said."
    expected = model.suggest(text)
    training, _ = split(corpus(120, seed=1))
    fresh = Model(bytes(bytearray(train(training))))  # the only reference is the Model's
    for _ in range(3):
        gc.collect()
        overwrite = [bytes([index % 251]) * 4096 for index in range(2000)]  # reuse freed memory
        assert fresh.suggest(text) == expected
        del overwrite
