"""``annotator agreement`` and the agreement page, on both databases.

The study is small enough to work out by hand. Document d1, 100 code points, finished by alice
and bob:

    alice  claim [0, 10)   evidence [20, 30)  claim [40, 50)        attribution [60, 70)
    bob    claim [0, 10)   evidence [22, 30)  attribution [40, 50)  -
           exact           boundary           label                 missing (only alice)

so of 4 + 3 spans one matches exactly (exact F1 = 2·1/7) and two overlap with the same label
(overlap F1 = 2·2/7). Per label, over the 100 characters of d1 (Cohen 1960: kappa = (p_o - p_e) /
(1 - p_e); Krippendorff 2004, nominal alpha from the coincidence matrix, alpha = 1 - (n - 1) o_01
/ (n_0 n_1)):
  claim        alice covers 20, bob 10, both 10: kappa = (0.90 - 0.74) / 0.26 = 8/13,
               alpha = 1 - 199 · 10 / (170 · 30)
  evidence     alice 10, bob 8, both 8:          kappa = (0.98 - 0.836) / 0.164 = 36/41
  attribution  alice 10, bob 10, both 0:         kappa = (0.80 - 0.82) / 0.18 = -1/9
Documents d2 (alice done, bob still in progress) and d3 (only alice) are not compared.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from annotator import db, store
from annotator.agreement import inputs
from annotator.agreement.report import KINDS
from annotator.annotation.spans import check_values, save_span
from annotator.models import Assignment, Document, User
from annotator.views import agreement as agreement_page

WORDS = ["Mayor Ames", "said that", "the bridge", "is safe.", "Engineers",
         "disagreed", "in a memo", "seen by us", "last week.", "The end."]  # fmt: skip
TEXT = "".join(f"{word:<10}" for word in WORDS)  # 100 code points, a word every 10
assert len(TEXT) == 100


def _span(annotator, label, start, end):
    return {"annotator": annotator, "label": label, "start": start, "end": end}


def _done(*names, pending=()):
    return [{"annotator": n, "status": "done"} for n in names] + [
        {"annotator": n, "status": "in_progress"} for n in pending
    ]


D1 = {
    "id": "d1",
    "title": "Bridge safety",
    "text": TEXT,
    "annotators": _done("alice", "bob"),
    "annotations": [
        _span("alice", "claim", 0, 10),
        _span("alice", "evidence", 20, 30),
        _span("alice", "claim", 40, 50),
        _span("alice", "attribution", 60, 70),
        _span("bob", "claim", 0, 10),
        _span("bob", "evidence", 22, 30),
        _span("bob", "attribution", 40, 50),
    ],
}
D2 = {
    "id": "d2",
    "text": TEXT,
    "annotators": _done("alice", pending=["bob"]),
    "annotations": [_span("alice", "claim", 0, 10), _span("bob", "evidence", 50, 60)],
}
D3 = {"id": "d3", "text": TEXT, "annotations": [_span("alice", "evidence", 0, 30)]}

KAPPA = {"claim": 8 / 13, "evidence": 36 / 41, "attribution": -1 / 9}
PER_LABEL_F1 = {  # label: (exact F1, overlap F1)
    "claim": (2 / 3, 2 / 3),
    "evidence": (0.0, 1.0),
    "attribution": (0.0, 0.0),
}
BREAKDOWN = {  # label: kind -> count (a label difference counts under alice's label)
    label: counts | {"missing_a": counts["only_b"], "missing_b": counts["only_a"]}  # old names
    for label, counts in {
        "claim": {"exact": 1, "boundary": 0, "label": 1, "only_a": 0, "only_b": 0},
        "evidence": {"exact": 0, "boundary": 1, "label": 0, "only_a": 0, "only_b": 0},
        "attribution": {"exact": 0, "boundary": 0, "label": 0, "only_a": 1, "only_b": 0},
    }.items()
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    inputs.clear_cache()
    yield
    inputs.clear_cache()


@pytest.fixture
def study(world):
    for name in ("mia", "alice", "bob", "otto"):
        world.user(name)
    world.project("study", manager="mia", annotators=["alice", "bob"], overlap=2)
    world.import_jsonl("study", [D1, D2, D3])
    return world


def _document_id(app, external_id: str) -> int:
    with app.app_context():
        return (
            db.session()
            .execute(select(Document.id).where(Document.external_id == external_id))
            .scalar_one()
        )


def _save_span(app, annotator: str, external_id: str, span_id: str, payload: dict) -> int:
    """Change a span of finished work, as the API did before done work became read-only: the
    status the API would answer (201 created, 200 updated or unchanged)."""
    with app.app_context():
        session = db.session()
        document = session.execute(
            select(Document).where(Document.external_id == external_id)
        ).scalar_one()
        user = store.user_by_name(session, annotator)
        values = check_values(payload, document, store.labels_of(session, document.project_id))
        _span, created = save_span(session, document, user, span_id, values)
        return 201 if created else 200


def _agreement_json(runner, *options: str) -> dict:
    result = runner.invoke(args=["agreement", "study", "--json", "--bootstrap", "50", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# --- command line ------------------------------------------------------------------------------


def test_cli_json_gives_the_hand_computed_pairwise_figures(study, runner):
    report = _agreement_json(runner)
    assert report["documents"] == 1
    assert report["annotators"] == ["alice", "bob"]
    (pair,) = report["pairwise"]
    assert (pair["a"], pair["b"], pair["documents"]) == ("alice", "bob", 1)
    assert pair["exact_f1"] == pytest.approx(2 / 7)
    assert pair["overlap_f1"] == pytest.approx(4 / 7)
    assert pair["kappa"] == pytest.approx(sum(KAPPA.values()) / 3)
    for label, (exact, overlap) in PER_LABEL_F1.items():
        figures = pair["per_label"][label]
        assert figures["exact_f1"] == pytest.approx(exact), label
        assert figures["overlap_f1"] == pytest.approx(overlap), label
        assert figures["kappa"] == pytest.approx(KAPPA[label]), label
    assert pair["breakdown"] == BREAKDOWN


def test_cli_json_gives_alpha_per_label_and_intervals(study, runner):
    report = _agreement_json(runner)
    assert set(report["per_label"]) == {"claim", "evidence", "attribution"}
    assert report["per_label"]["claim"]["alpha"] == pytest.approx(1 - 199 * 10 / (170 * 30))
    for values in report["per_label"].values():
        assert {"alpha", "alpha_u", "alpha_ci", "alpha_u_ci"} <= values.keys()
        assert values["alpha_u"] is None or -1 <= values["alpha_u"] <= 1
    # One compared document: every bootstrap draw is that document, the interval is a point.
    assert report["pairwise"][0]["exact_f1_ci"] == pytest.approx([2 / 7, 2 / 7])
    assert report["bootstrap"] == 50


def test_cli_json_names_the_ranked_documents(study, runner):
    ranking = _agreement_json(runner)["documents_by_disagreement"]
    assert [(entry["external_id"], entry["title"]) for entry in ranking] == [
        ("d1", "Bridge safety")
    ]
    assert ranking[0]["disagreement"] == pytest.approx(1 - 4 / 7)
    assert ranking[0]["spans"] == 7


def test_documents_not_finished_by_two_annotators_count_once_both_finish(study, app, runner):
    assert _agreement_json(runner)["documents"] == 1
    with app.app_context():
        session = db.session()
        bob = session.execute(select(User.id).where(User.username == "bob")).scalar_one()
        item = session.get(Assignment, (_document_id(app, "d2"), bob))
        item.status = "done"
        session.commit()
    report = _agreement_json(runner)
    assert report["documents"] == 2
    # d2 adds alice's claim [0, 10) and bob's evidence [50, 60): no match; 1 of 5 + 4 spans.
    assert report["pairwise"][0]["exact_f1"] == pytest.approx(2 / 9)


def test_cli_label_filter_leaves_out_other_labels_and_their_matches(study, runner):
    report = _agreement_json(runner, "--labels", "claim")
    assert report["labels"] == ["claim"]
    assert list(report["per_label"]) == ["claim"]
    (pair,) = report["pairwise"]
    # Without attribution, bob's span at [40, 50) is gone: alice's claim there is hers only.
    assert pair["exact_f1"] == pytest.approx(2 / 3)
    assert pair["breakdown"]["claim"]["missing_b"] == 1


def test_cli_annotator_filter_with_one_annotator_compares_nothing(study, runner):
    report = _agreement_json(runner, "--annotators", "alice")
    assert report["documents"] == 0
    assert report["pairwise"] == []


@pytest.mark.parametrize(
    "options, message",
    [
        (["--labels", "opinion"], "unknown label 'opinion'"),
        (["--annotators", "zed"], "unknown annotator 'zed'"),
    ],
)
def test_cli_refuses_unknown_names_with_a_message(study, runner, options, message):
    result = runner.invoke(args=["agreement", "study", *options])
    assert result.exit_code != 0
    assert message in result.output


def test_cli_refuses_an_unknown_project(study, runner):
    result = runner.invoke(args=["agreement", "nope"])
    assert result.exit_code != 0
    assert "no project 'nope'" in result.output


def test_cli_table_shows_pairs_labels_breakdown_and_disputed_documents(study, runner):
    result = runner.invoke(args=["agreement", "study", "--bootstrap", "20"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Agreement in study: 1 document compared")
    # one document: its intervals say nothing, and the table says so
    pair_line = next(line for line in lines if line.startswith("alice  bob") and "needs" in line)
    assert pair_line.split()[2:4] == ["1", "0.286"]  # documents, exact F1
    assert "0.571" in pair_line
    breakdown = next(line for line in lines if line.split()[:3] == ["alice", "bob", "evidence"])
    # exact F1, overlap F1, kappa, then exact boundary label only-a only-b
    assert breakdown.split()[3:] == ["0.000", "1.000", "0.878", "0", "1", "0", "0", "0"]
    claim = next(line for line in lines if line.startswith("claim "))
    assert f"{1 - 199 * 10 / (170 * 30):.3f}" in claim
    assert "Most disputed documents" in result.output
    disputed = lines[next(i for i, line in enumerate(lines) if "Most disputed" in line) :]
    last = next(line for line in reversed(disputed) if line.endswith("d1 · Bridge safety"))
    assert last.split()[:2] == ["0.429", "7"]


# --- the page ----------------------------------------------------------------------------------


def test_page_shows_the_matrix_with_links_to_the_spans_and_to_the_comparison(study, app):
    page = study.client("mia").get("/p/study/agreement")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="matrix"' in html
    assert 'data-a="alice" data-b="bob"' in html and 'data-a="bob" data-b="alice"' in html
    assert "0.571" in html and "0.286" in html  # overlap and exact F1
    assert 'class="agree-2" data-a="alice"' in html  # 0.571: the 0.4–0.6 colour
    assert 'hx-get="/p/study/agreement/spans?a=alice&amp;b=bob"' in html
    assert f'href="/p/study/compare/{_document_id(app, "d1")}"' in html
    assert 'href="/p/study/agreement"' in html  # the Agreement tab
    assert 'href="/p/study/agreement"' not in study.client("alice").get("/p/study").get_data(
        as_text=True
    )


def test_page_lists_per_label_figures_with_intervals_and_breakdown_links(study):
    html = study.client("mia").get("/p/study/agreement").get_data(as_text=True)
    assert 'id="labels"' in html and 'class="ci needs-more"' in html  # one document compared
    assert "kind=boundary" in html and "label=evidence" in html
    assert "Bridge safety" in html  # documents by disagreement


def test_page_filters_labels_and_refuses_unknown_ones(study):
    client = study.client("mia")
    html = client.get("/p/study/agreement?labels=claim").get_data(as_text=True)
    assert 'data-label="claim"' in html and 'data-label="evidence"' not in html
    assert "labels=claim" in html  # the span links keep the filter
    refused = client.get("/p/study/agreement?labels=opinion")
    assert refused.status_code == 400
    assert "unknown label" in refused.get_data(as_text=True)


def test_page_asks_for_two_annotators_when_the_filter_leaves_one(study):
    html = study.client("mia").get("/p/study/agreement?annotators=alice").get_data(as_text=True)
    assert "Choose at least two annotators" in html
    assert 'id="matrix"' not in html


def test_page_says_so_when_no_document_is_finished_by_two(world):
    world.user("mia")
    world.project("empty", manager="mia")
    page = world.client("mia").get("/p/empty/agreement")
    assert page.status_code == 200
    assert "No document has been finished by two annotators yet" in page.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/p/study/agreement", "/p/study/agreement/spans?a=alice&b=bob"])
@pytest.mark.parametrize("user, status", [("alice", 403), ("otto", 404)])
def test_only_managers_see_agreement(study, path, user, status):
    assert study.client(user).get(path).status_code == status


# --- the spans behind a figure -----------------------------------------------------------------


def _spans(client, query: str, htmx: bool = True):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.get(f"/p/study/agreement/spans?{query}", headers=headers)


def test_spans_fragment_of_a_pair_lists_its_disagreements(study):
    response = _spans(study.client("mia"), "a=alice&b=bob")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.count('data-kind="') == 3
    for kind in ("boundary", "label", "missing_b"):
        assert f'data-kind="{kind}"' in html
    assert 'data-kind="exact"' not in html


def test_spans_fragment_shows_both_spans_of_a_label_difference(study):
    html = _spans(study.client("mia"), "a=alice&b=bob&label=claim&kind=label").get_data(
        as_text=True
    )
    assert html.count('data-kind="') == 1
    assert "Engineers" in html  # [40, 50), marked claim by alice and attribution by bob
    assert ">claim<" in html and ">attribution<" in html and "Bridge safety" in html


@pytest.mark.parametrize(
    "label, kind",
    [(label, kind) for label, counts in BREAKDOWN.items() for kind in counts if kind in KINDS],
)
def test_spans_fragment_lists_as_many_pairs_as_the_breakdown_counts(study, label, kind):
    html = _spans(study.client("mia"), f"a=alice&b=bob&label={label}&kind={kind}").get_data(
        as_text=True
    )
    assert html.count('data-kind="') == BREAKDOWN[label][kind]


def test_spans_list_comes_in_pages(study, monkeypatch):
    monkeypatch.setattr(agreement_page, "SHOWN", 2)
    client = study.client("mia")
    first = _spans(client, "a=alice&b=bob").get_data(as_text=True)
    assert first.count('data-kind="') == 2
    assert 'hx-get="/p/study/agreement/spans?a=alice&amp;b=bob&amp;page=2"' in first
    second = _spans(client, "a=alice&b=bob&page=2").get_data(as_text=True)
    assert second.count('data-kind="') == 1 and "page=3" not in second


def test_spans_without_htmx_is_a_full_page(study):
    response = _spans(study.client("mia"), "a=alice&b=bob", htmx=False)
    assert response.status_code == 200
    assert "<html" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query", ["a=alice", "a=alice&b=alice", "a=alice&b=zed", "kind=odd", "label=opinion"]
)
def test_spans_refuses_a_bad_question_with_a_message(study, query):
    response = _spans(study.client("mia"), query)
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)


# --- the cache ---------------------------------------------------------------------------------


@pytest.fixture
def computations(monkeypatch):
    """Counts calls of compute_agreement made through the page's cache."""
    calls = []
    real = inputs.compute_agreement

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(inputs, "compute_agreement", counting)
    return calls


def test_page_recomputes_after_a_span_changes_and_not_otherwise(study, app, computations):
    manager = study.client("mia")
    assert "0.286" in manager.get("/p/study/agreement").get_data(as_text=True)
    manager.get("/p/study/agreement")
    assert len(computations) == 1

    span = {"label": "attribution", "start": 40, "end": 50}
    assert _save_span(app, "alice", "d1", "alice-new-01", span) == 201
    html = manager.get("/p/study/agreement").get_data(as_text=True)
    assert len(computations) == 2
    assert f"{2 * 2 / 8:.3f}" in html  # alice's new span matches bob's attribution exactly

    assert _save_span(app, "alice", "d1", "alice-new-01", span) == 200  # a retry changes nothing
    manager.get("/p/study/agreement")
    assert len(computations) == 2

    assert _save_span(app, "alice", "d1", "alice-new-01", span | {"end": 49}) == 200  # an edit
    manager.get("/p/study/agreement")
    assert len(computations) == 3


def test_spans_list_follows_a_changed_span(study, app):
    manager = study.client("mia")
    assert _spans(manager, "a=alice&b=bob").get_data(as_text=True).count('data-kind="') == 3
    span = {"label": "attribution", "start": 60, "end": 70}
    assert _save_span(app, "bob", "d1", "bob-new-0001", span) == 201
    html = _spans(manager, "a=alice&b=bob").get_data(as_text=True)
    assert html.count('data-kind="') == 2 and 'data-kind="missing_b"' not in html


def test_page_recomputes_after_an_annotator_finishes_a_document(study, app, computations):
    manager = study.client("mia")
    assert "1 document compared" in manager.get("/p/study/agreement").get_data(as_text=True)
    bob = study.client("bob")
    done = bob.post(f"/p/study/d/{_document_id(app, 'd2')}/status", data={"status": "done"})
    assert done.status_code in (200, 204, 302)
    assert "2 documents compared" in manager.get("/p/study/agreement").get_data(as_text=True)
    assert len(computations) == 2
