"""The manager's document list: full-text search in any script (and emoji), filters, sort and
paging with a stable order; bad arguments are refused naming the field."""

from __future__ import annotations

import html
import re

import pytest

from annotator import db, document_list, store
from annotator.document_list import ListQuery, list_documents, parse_query, split_search
from annotator.errors import Invalid
from annotator.models import Assignment

ARTICLES = [
    {"id": "ru", "title": "Заявление МИД", "text": "Захарова said the talks «саботирует» Kyiv."},
    {"id": "ar", "title": "Talks", "text": "قال الوزير إن مفاوضات بلا نتيجة انتهت."},
    {"id": "emoji", "title": "Family day", "text": "A family 👩\u200d👩\u200d👧 came to the café."},
    {"id": "plain", "title": None, "text": "The mayor says the bridge is safe."},
    {"id": "école", "title": "École", "text": "Une école ferme à Paris."},
]


# --- pure -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "words", "symbols"),
    [
        ("Захарова  саботир", ["Захарова", "саботир"], []),
        ("مفاوضات, بلا!", ["مفاوضات", "بلا"], []),
        ("👩\u200d👩\u200d👧 family", ["family"], ["👩\u200d👩\u200d👧"]),
        ("«talks»", ["talks"], ["«", "»"][:0]),
        ("...", [], []),
    ],
)
def test_a_search_splits_into_indexed_words_and_symbols_found_as_text(q, words, symbols):
    assert split_search(q) == (words, symbols)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"annotator": "nobody"}, "annotator"),
        ({"gold": "maybe"}, "gold"),
        ({"label": "rumour"}, "label"),
        ({"label": "claim", "min": "-1"}, "min"),
        ({"sort": "text; DROP TABLE document"}, "sort"),
        ({"order": "up"}, "order"),
        ({"page": "0"}, "page"),
        ({"page": "٣"}, "page"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_a_bad_list_argument_is_refused_naming_its_field(args, field):
    with pytest.raises(Invalid) as refused:
        parse_query(args, ["claim"], ["ana"])
    assert refused.value.field == field


def test_list_arguments_round_trip_through_the_url():
    query = parse_query(
        {"q": "talks", "label": "claim", "min": "2", "sort": "spans", "order": "desc", "page": "3"},
        ["claim"],
        [],
    )
    assert query == ListQuery("talks", "", "", "", "claim", 2, "spans", True, 3)
    assert parse_query(query.args(), ["claim"], []) == query


# --- on both databases ----------------------------------------------------------------------------


@pytest.fixture
def listed(world):
    world.user("lead")
    for name in ("ana", "ben"):
        world.user(name)
    world.project("news", manager="lead", annotators=["ana", "ben"], overlap=2)
    world.import_jsonl("news", ARTICLES)
    return world.client("lead")


def found(app, q: str = "", **filters) -> list[str]:
    with app.app_context():
        session = db.session()
        project = store.project_by_slug(session, "news")
        page = list_documents(session, project, ListQuery(q=q, **filters))
        return [row.external_id for row in page.rows]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("захарова", ["ru"]),  # case folds in Cyrillic
        ("саботир", ["ru"]),  # the start of a word
        ("мид", ["ru"]),  # a word of the title
        ("مفاوضات", ["ar"]),
        ("نتيجة الوزير", ["ar"]),  # every word, in any order
        ("👩\u200d👩\u200d👧", ["emoji"]),
        ("family 👩", ["emoji"]),
        ("talks", ["ru", "ar"]),  # text of one, title of the other
        ("talks zzz", []),
        ('"bridge" safe*', ["plain"]),  # query syntax is text, not operators
        ("bridge OR talks", []),  # OR is a word to find, not an operator
        ("...", ["ru", "ar", "emoji", "plain", "école"]),  # nothing to look for
    ],
)
def test_search_finds_documents_by_words_of_their_title_or_text(app, listed, q, expected):
    assert found(app, q) == expected


def test_search_finds_a_document_imported_after_the_index_was_built(app, listed, world):
    world.import_jsonl("news", [{"id": "late", "text": "Кабмин утвердил бюджет."}], "more.jsonl")

    assert found(app, "бюджет") == ["late"]


def test_filters_by_status_annotator_gold_and_label_count(app, listed, world):
    ana, lead = world.client("ana"), listed
    with app.app_context():
        session = db.session()
        users = {name: store.user_by_name(session, name).id for name in ("ana", "ben")}
        project_id = store.project_by_slug(session, "news").id
        for document_id, name, status in (
            (1, "ana", "done"),
            (1, "ben", "done"),
            (2, "ana", "in_progress"),
        ):
            session.add(
                Assignment(
                    document_id=document_id,
                    user_id=users[name],
                    project_id=project_id,
                    status=status,
                )
            )
        session.commit()
    spans = "/api/projects/news/documents/2/spans/"
    text = ARTICLES[1]["text"]
    for number, word in enumerate(("الوزير", "مفاوضات")):
        start = text.index(word)
        saved = ana.put(
            f"{spans}0d7f6c1e-1111-4a4a-9e9e-00000000000{number}",
            json={"label": "claim", "start": start, "end": start + len(word)},
        )
        assert saved.status_code == 201
    gold = lead.put(
        "/api/projects/news/documents/1/gold/0d7f6c1e-1111-4a4a-9e9e-000000000009",
        json={"label": "claim", "start": 0, "end": 8},
    )
    assert gold.status_code == 201

    assert found(app, status="done") == ["ru"]
    assert found(app, status="in_progress") == ["ar"]
    assert found(app, status="new") == ["emoji", "plain", "école"]
    assert found(app, annotator="ben") == ["ru"]
    assert found(app, annotator="ana") == ["ru", "ar"]
    assert found(app, gold="yes") == ["ru"]
    assert found(app, gold="no") == ["ar", "emoji", "plain", "école"]
    assert found(app, label="claim", min_spans=2) == ["ar"]
    assert found(app, label="claim", min_spans=3) == []
    assert found(app, label="evidence") == []
    assert found(app, "talks", annotator="ana", status="in_progress") == ["ar"]


def test_sorting_ends_with_the_id_so_pages_never_repeat_or_skip(app, world):
    world.user("lead")
    world.project("news", manager="lead")
    world.import_jsonl(
        "news", [{"id": f"d{n:02}", "title": "Same", "text": "x" * (n % 3 + 1)} for n in range(25)]
    )
    with app.app_context():
        session = db.session()
        project = store.project_by_slug(session, "news")
        for sort in ("title", "length", "spans"):
            for descending in (False, True):
                seen = []
                for page in range(1, 5):
                    query = ListQuery(sort=sort, descending=descending, page=page)
                    listing = list_documents(session, project, query, per_page=7)
                    assert listing.pages == 4 and listing.total == 25
                    seen += [row.external_id for row in listing.rows]
                assert sorted(seen) == [f"d{n:02}" for n in range(25)], (sort, descending)
        lengths = list_documents(session, project, ListQuery(sort="length", descending=True))
    assert [row.length for row in lengths.rows] == sorted(
        (row.length for row in lengths.rows), reverse=True
    )


def test_the_project_page_lists_searches_and_pages_with_the_filters_kept(app, listed):
    page = listed.get("/p/news?q=talks&sort=title&order=desc")

    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    assert re.findall(r'data-document="([^"]+)"', text) == ["ru", "ar"]  # З after T
    assert "2 matching documents, sorted by title (descending)" in text


def test_the_project_page_refuses_a_bad_filter_with_422_naming_it(app, listed):
    page = listed.get("/p/news?status=lost")

    assert page.status_code == 422
    assert "status must be one of new, in_progress, done" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("q", "filters"),
    [("talks", {}), ("саботир", {}), ("👩 family", {}), ("", {"label": "claim"})],
)
def test_a_page_is_the_same_whether_found_by_sorting_the_matches_or_probing_them(
    app, listed, world, monkeypatch, q, filters
):
    # Many matches are probed while walking the order's index, few are sorted (SQLite): the
    # threshold only changes how, never what.
    with app.app_context():
        session = db.session()
        project_id = store.project_by_slug(session, "news").id
        ana_id = store.user_by_name(session, "ana").id
        session.add(Assignment(document_id=2, user_id=ana_id, project_id=project_id))
        session.commit()
    text = ARTICLES[1]["text"]
    start = text.index("مفاوضات")
    saved = world.client("ana").put(
        "/api/projects/news/documents/2/spans/0d7f6c1e-2222-4a4a-9e9e-000000000001",
        json={"label": "claim", "start": start, "end": start + len("مفاوضات")},
    )
    assert saved.status_code == 201
    assert found(app, label="claim") == ["ar"]
    for sort in ("position", "title", "spans"):
        sorted_matches = found(app, q, sort=sort, **filters)
        monkeypatch.setattr(document_list, "FEW", 0)
        probed = found(app, q, sort=sort, **filters)
        monkeypatch.undo()
        assert probed == sorted_matches, (q, sort)


def test_counting_stops_at_the_limit_and_paging_goes_on_past_it(app, world, monkeypatch):
    monkeypatch.setattr(document_list, "COUNT_LIMIT", 10)
    world.user("lead")
    world.project("news", manager="lead")
    world.import_jsonl(
        "news", [{"id": f"d{n:02}", "title": "Budget", "text": f"budget {n}"} for n in range(25)]
    )
    seen, pages = [], []
    with app.app_context():
        session = db.session()
        project = store.project_by_slug(session, "news")
        whole = list_documents(session, project, ListQuery(), per_page=7)
        for page in range(1, 5):
            listing = list_documents(session, project, ListQuery(q="budget", page=page), per_page=7)
            assert (listing.total, listing.exact, listing.found) == (10, False, "10+")
            seen += [row.external_id for row in listing.rows]
            pages.append(listing.pages)
    assert (whole.total, whole.exact, whole.pages) == (25, True, 4)  # the project's: exact
    assert seen == [f"d{n:02}" for n in range(25)]
    assert pages == [2, 3, 4, 4]  # a lower bound that grows while a next page exists

    page = world.client("lead").get("/p/news?q=budget")
    text = html.unescape(page.get_data(as_text=True))
    assert "10+ matching documents" in text
