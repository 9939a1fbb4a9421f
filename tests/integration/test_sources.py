"""The source registry: a span names a project-wide source through the span API (found or created
by name, idempotent and race-safe), annotators share sources but not spans, managers read the
Sources page's counts, edit sources and merge duplicates (the links follow, logged), and gold
takes an accepted span's source. On both databases."""

from __future__ import annotations

import csv
import io
import threading

import pytest
from sqlalchemy import func, select

from annotator import db, store
from annotator.annotation import sources
from annotator.models import Activity, GoldSpan, Source, Span
from tests.integration.test_relations_api import (  # noqa: F401
    ATTRIBUTION,
    CLAIM,
    RELATIONS,
    SPANS,
    body,
    link,
    setup,
)


@pytest.fixture
def news(setup):  # noqa: F811 - the fixture imported above
    """ana's attribution, claim and evidence on project news's document 1; ben works on it too."""
    return setup


PHRASE = "Reuters quoted Zakharova as writing"
BEN_ATTRIBUTION = "b0000000-0000-4000-8000-000000000001"


def named(app, model=Span, span_id=ATTRIBUTION) -> str | None:
    with app.app_context():
        session = db.session()
        span = session.get(model, span_id)
        source = session.get(Source, span.named_source_id) if span.named_source_id else None
        return source.name if source else None


def source_count(app) -> int:
    with app.app_context():
        return db.session().execute(select(func.count()).select_from(Source)).scalar_one()


def attribution(name=None, **extra) -> dict:
    named_source = {"name": name, **extra} if name is not None else None
    return body(PHRASE, "attribution", named_source=named_source)


def test_a_typed_name_creates_a_source_and_a_retry_or_a_second_annotator_gets_the_same(app, news):
    ana, ben = news
    first = ana.put(f"{SPANS}/{ATTRIBUTION}", json=attribution("Reuters", kind="outlet"))
    again = ana.put(f"{SPANS}/{ATTRIBUTION}", json=attribution("Reuters", kind="outlet"))
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json["named_source_id"] == again.json["named_source_id"] is not None
    # ben types it in other case and spacing: one source
    theirs = ben.put(f"{SPANS}/{BEN_ATTRIBUTION}", json=attribution("  reuters "))
    assert theirs.status_code == 201
    assert theirs.json["named_source_id"] == first.json["named_source_id"]
    assert source_count(app) == 1
    with app.app_context():
        source = db.session().execute(select(Source)).scalar_one()
        assert (source.name, source.name_key, source.kind) == ("Reuters", "reuters", "outlet")


def test_find_or_create_from_many_threads_at_once_makes_one_source(app, world):
    world.user("lead")
    world.project("news", manager="lead")
    with app.app_context():
        project_id = store.project_by_slug(db.session(), "news").id
    barrier = threading.Barrier(8)
    made: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            with app.app_context():
                session = db.session()
                barrier.wait()
                source, created = sources.find_or_create(
                    session,
                    project_id,
                    "The  Guardian" if index % 2 else "the guardian",
                    "outlet",
                    None,
                )
                session.commit()
                made.append((source.id, created))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len({source_id for source_id, _created in made}) == 1
    assert sum(created for _id, created in made) == 1
    assert source_count(app) == 1


def test_the_span_lists_and_the_workspace_show_the_source_and_a_pick_by_id_clears_again(app, news):
    ana, _ben = news
    made = ana.put(f"{SPANS}/{ATTRIBUTION}", json=attribution("Reuters", kind="outlet")).json
    page = ana.get("/p/news/d/1").get_data(as_text=True)
    assert "source: Reuters (outlet)" in page
    assert 'id="source-field"' in page and "data-links-source" in page
    by_id = body(PHRASE, "attribution", named_source={"id": made["named_source_id"]})
    assert (
        ana.put(f"{SPANS}/{ATTRIBUTION}", json=by_id).json["named_source_id"]
        == made["named_source_id"]
    )
    # a save without named_source (an older client) keeps it; null clears it
    assert ana.put(f"{SPANS}/{ATTRIBUTION}", json=body(PHRASE, "attribution", note="x")).json[
        "named_source_id"
    ]
    cleared = ana.put(f"{SPANS}/{ATTRIBUTION}", json=attribution(None))
    assert cleared.json["named_source_id"] is None
    assert named(app) is None


@pytest.mark.parametrize(
    ("named_source", "status", "field"),
    [
        ({"name": "Reuters", "kind": "newspaper"}, 422, "named_source"),
        ({"name": "   "}, 422, "named_source"),
        ({"name": "x" * 201}, 422, "named_source"),
        ({"id": "seven"}, 422, "named_source"),
        ({}, 422, "named_source"),
        ("Reuters", 422, "named_source"),
        ({"id": 999_999}, 409, "named_source"),
    ],
)
def test_a_bad_named_source_is_refused_naming_the_field_and_changes_nothing(
    app, news, named_source, status, field
):
    ana, _ben = news
    payload = body(PHRASE, "attribution", named_source=named_source)
    answer = ana.put(f"{SPANS}/{ATTRIBUTION}", json=payload)
    assert (answer.status_code, answer.json["field"]) == (status, field)
    assert source_count(app) == 0
    assert named(app) is None


def test_a_label_that_names_no_source_refuses_one_and_a_relabel_drops_it(app, news):
    ana, _ben = news
    refused = ana.put(
        f"{SPANS}/{CLAIM}",
        json=body("Kyiv was sabotaging the talks", "claim", named_source={"name": "Reuters"}),
    )
    assert (refused.status_code, refused.json["field"]) == (422, "named_source")
    assert "claim spans do not name a source" in refused.json["error"]
    assert ana.put(f"{SPANS}/{ATTRIBUTION}", json=attribution("Reuters")).status_code == 200
    relabelled = ana.put(f"{SPANS}/{ATTRIBUTION}", json=body(PHRASE, "evidence"))
    assert relabelled.json["named_source_id"] is None


def test_a_source_of_another_project_is_404_and_done_work_is_read_only(app, world, news):
    ana, _ben = news
    world.project("other", manager="lead")
    with app.app_context():
        session = db.session()
        other = store.project_by_slug(session, "other")
        foreign, _created = sources.find_or_create(session, other.id, "Elsewhere", "person", None)
        session.commit()
        foreign_id = foreign.id
    answer = ana.put(
        f"{SPANS}/{ATTRIBUTION}", json=body(PHRASE, "attribution", named_source={"id": foreign_id})
    )
    assert (answer.status_code, answer.json["field"]) == (404, "named_source")
    assert ana.post("/p/news/d/1/status", data={"status": "done"}).status_code == 302
    answer = ana.put(f"{SPANS}/{ATTRIBUTION}", json=attribution("Reuters"))
    assert (answer.status_code, answer.json["field"]) == (409, "status")
    assert source_count(app) == 1  # only the other project's


def test_an_annotator_cannot_name_a_source_on_someone_elses_span(app, news):
    ana, ben = news
    answer = ben.put(f"{SPANS}/{ATTRIBUTION}", json=attribution("Reuters"))
    assert answer.status_code == 404
    assert source_count(app) == 0


def test_search_matches_prefix_first_then_substring_at_most_twenty(app, news):
    ana, ben = news
    with app.app_context():
        session = db.session()
        project = store.project_by_slug(session, "news")
        for name in ["Reuters", "Thomson Reuters", "Reuters agency", "AP", "100%_sure"] + [
            f"Re source {n:02d}" for n in range(25)
        ]:
            sources.find_or_create(session, project.id, name, "outlet", None)
        session.commit()
    found = ben.get("/api/projects/news/sources?q=REUT").json["sources"]
    assert [item["name"] for item in found] == ["Reuters", "Reuters agency", "Thomson Reuters"]
    assert len(ana.get("/api/projects/news/sources?q=re").json["sources"]) == 20
    # LIKE's wildcards match themselves
    assert [i["name"] for i in ana.get("/api/projects/news/sources?q=0%_").json["sources"]] == [
        "100%_sure"
    ]
    long = ana.get("/api/projects/news/sources?q=" + "x" * 201)
    assert (long.status_code, long.json["field"]) == (422, "q")


def figures_row(page: str, name: str) -> str:
    return page.split(f'<strong class="source-name">{name}</strong>', 1)[1].split("</tr>", 1)[0]


def test_sources_page_counts_attributions_claims_documents_and_mean_ratings(app, world, news):
    ana, ben = news
    lead = world.client("lead")
    definition = "source_reliability (scale 1..5): unreliable | reliable"
    lead.post(
        "/p/news/settings",
        data={"action": "attributes", "label": "attribution", "attributes": definition},
    )
    ana.put(
        f"{SPANS}/{ATTRIBUTION}",
        json=attribution("Reuters", kind="outlet", attributes=None)
        | {"attributes": {"source_reliability": 4}},
    )
    ana.put(f"{RELATIONS}/l0000000-0000-4000-8000-000000000001", json=link())
    ben.put(
        f"{SPANS}/{BEN_ATTRIBUTION}",
        json=attribution("reuters") | {"attributes": {"source_reliability": 1}},
    )
    assert lead.post("/p/news/curate/1/accept", data={"span_id": ATTRIBUTION}).status_code == 302
    page = lead.get("/p/news/sources").get_data(as_text=True)
    row = figures_row(page, "Reuters")
    assert '<td class="num attributions">2 (1)</td>' in row
    assert '<td class="num claims">1 (0)</td>' in row
    assert '<td class="num documents">1</td>' in row
    assert "2.50" in row and "n=2" in row
    table = list(csv.reader(io.StringIO(lead.get("/p/news/sources.csv").get_data(as_text=True))))
    assert table[0][-1] == "mean_source_reliability"
    assert table[1][1:3] == ["Reuters", "outlet"] and table[1][5:] == [
        "2",
        "1",
        "1",
        "0",
        "1",
        "2.500",
    ]
    # annotators never read the counts
    assert ana.get("/p/news/sources").status_code == 403


def test_gold_takes_the_source_of_an_accepted_span(app, world, news):
    ana, _ben = news
    ana.put(f"{SPANS}/{ATTRIBUTION}", json=attribution("Reuters"))
    lead = world.client("lead")
    lead.post("/p/news/curate/1/accept", data={"span_id": ATTRIBUTION})
    with app.app_context():
        gold = db.session().execute(select(GoldSpan)).scalar_one()
        gold_id = gold.id
    assert named(app, GoldSpan, gold_id) == "Reuters"
    assert "source: Reuters" in lead.get("/p/news/curate/1").get_data(as_text=True)
    # the curator changes it in the gold workspace, through the gold API
    changed = lead.put(
        f"/api/projects/news/documents/1/gold/{gold_id}",
        json=body(PHRASE, "attribution", named_source={"name": "Reuters agency", "kind": "outlet"}),
    )
    assert changed.status_code == 200
    assert named(app, GoldSpan, gold_id) == "Reuters agency"
    assert "source: Reuters agency (outlet)" in lead.get("/p/news/d/1/gold").get_data(as_text=True)


def test_merge_asks_first_then_moves_every_span_and_gold_span_and_logs_it(app, world, news):
    ana, ben = news
    lead = world.client("lead")
    ana.put(f"{SPANS}/{ATTRIBUTION}", json=attribution("Reuters"))
    ben.put(f"{SPANS}/{BEN_ATTRIBUTION}", json=attribution("Reuters news agency"))
    lead.post("/p/news/curate/1/accept", data={"span_id": BEN_ATTRIBUTION})
    with app.app_context():
        ids = {s.name: s.id for s in db.session().execute(select(Source)).scalars()}
    chosen = [str(ids["Reuters"]), str(ids["Reuters news agency"])]
    asked = lead.post("/p/news/sources/merge", data={"source": chosen})
    assert asked.status_code == 200 and "Keep which source?" in asked.get_data(as_text=True)
    assert source_count(app) == 2
    done = lead.post(
        "/p/news/sources/merge",
        data={"source": chosen, "into": str(ids["Reuters"]), "confirm": "yes"},
    )
    assert done.status_code == 302
    assert source_count(app) == 1
    assert named(app, Span, BEN_ATTRIBUTION) == "Reuters"
    with app.app_context():
        session = db.session()
        assert {g.named_source_id for g in session.execute(select(GoldSpan)).scalars()} == {
            ids["Reuters"]
        }
        log = session.execute(
            select(Activity).where(Activity.action == "source.merge")
        ).scalar_one()
        assert "'Reuters news agency' into 'Reuters' (2 spans)" in log.detail
    # a page drawn before the merge still saves: the span keeps the source the merge moved it to
    stale = body(PHRASE, "attribution", named_source={"id": ids["Reuters news agency"]})
    assert ben.put(f"{SPANS}/{BEN_ATTRIBUTION}", json=stale | {"note": "n"}).status_code == 200
    assert named(app, Span, BEN_ATTRIBUTION) == "Reuters" and source_count(app) == 1


@pytest.mark.parametrize(
    ("form", "status", "field"),
    [
        ({"source": ["1"]}, 422, "sources"),
        ({"source": ["1", "x"]}, 422, "sources"),
        ({"source": ["1", "999999"]}, 404, "sources"),
        ({"source": ["1", "2"], "into": "3", "confirm": "yes"}, 422, "into"),
        ({"source": ["1", "2"], "into": "", "confirm": "yes"}, 422, "into"),
    ],
)
def test_a_bad_merge_is_refused_naming_the_field_and_merges_nothing(
    app, world, news, form, status, field
):
    lead = world.client("lead")
    with app.app_context():
        session = db.session()
        project = store.project_by_slug(session, "news")
        for name in ("One", "Two", "Three"):
            sources.find_or_create(session, project.id, name, "person", None)
        session.commit()
        first = min(s.id for s in session.execute(select(Source)).scalars())
    shifted = {
        key: [str(int(v) + first - 1) if v.isdigit() and int(v) < 10 else v for v in value]
        if isinstance(value, list)
        else (str(int(value) + first - 1) if value.isdigit() else value)
        for key, value in form.items()
    }
    answer = lead.post("/p/news/sources/merge", data=shifted)
    assert answer.status_code == status
    assert f"(field: {field})" in answer.get_data(as_text=True)
    assert source_count(app) == 3


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"url": "javascript:alert(1)"}, 422, "url"),
        ({"url": "ftp://example.org"}, 422, "url"),
        ({"wikidata": "42"}, 422, "wikidata"),
        ({"wikidata": "Q"}, 422, "wikidata"),
        ({"kind": "newspaper"}, 422, "kind"),
        ({"name": " "}, 422, "name"),
        ({"name": "reuters AGENCY"}, 409, "name"),
    ],
)
def test_a_bad_edit_is_refused_naming_the_field(app, world, news, change, status, field):
    lead = world.client("lead")
    with app.app_context():
        session = db.session()
        project = store.project_by_slug(session, "news")
        source, _ = sources.find_or_create(session, project.id, "Reuters", "outlet", None)
        sources.find_or_create(session, project.id, "Reuters agency", "outlet", None)
        session.commit()
        source_id = source.id
    form = {"name": "Reuters", "kind": "outlet", "url": "", "wikidata": ""} | change
    answer = lead.post(f"/p/news/sources/{source_id}", data=form)
    assert answer.status_code == status
    assert f"(field: {field})" in answer.get_data(as_text=True)
    with app.app_context():
        kept = db.session().get(Source, source_id)
        assert (kept.name, kept.url, kept.wikidata) == ("Reuters", None, None)


def test_an_edit_is_stored_and_logged(app, world, news):
    ana, _ben = news
    made = ana.put(f"{SPANS}/{ATTRIBUTION}", json=attribution("reuters")).json
    lead = world.client("lead")
    form = {
        "name": "Reuters",
        "kind": "outlet",
        "url": "https://www.reuters.com",
        "wikidata": "q130879",
    }
    assert lead.post(f"/p/news/sources/{made['named_source_id']}", data=form).status_code == 302
    with app.app_context():
        session = db.session()
        source = session.get(Source, made["named_source_id"])
        assert (source.name, source.kind, source.url, source.wikidata) == (
            "Reuters",
            "outlet",
            "https://www.reuters.com",
            "Q130879",
        )
        assert (
            session.execute(
                select(func.count()).select_from(Activity).where(Activity.action == "source.edit")
            ).scalar_one()
            == 1
        )


def test_the_label_setting_says_which_labels_name_a_source_and_is_logged(app, world, news):
    ana, _ben = news
    lead = world.client("lead")
    page = lead.get("/p/news/settings").get_data(as_text=True)
    assert "attribution spans name a source" in page
    lead.post(
        "/p/news/settings",
        data={"action": "label_links_source", "label": "claim", "links_source": "on"},
    )
    answer = ana.put(
        f"{SPANS}/{CLAIM}",
        json=body("Kyiv was sabotaging the talks", "claim", named_source={"name": "Kyiv"}),
    )
    assert answer.status_code == 200
    lead.post("/p/news/settings", data={"action": "label_links_source", "label": "claim"})
    with app.app_context():
        session = db.session()
        labels = {label.name: label.links_source for label in store.labels_of(session, 1)}
        assert labels == {"claim": False, "evidence": False, "attribution": True}
        details = (
            session.execute(select(Activity.detail).where(Activity.action == "label_links_source"))
            .scalars()
            .all()
        )
        assert details == ["'claim' spans name a source", "'claim' spans no longer name a source"]
