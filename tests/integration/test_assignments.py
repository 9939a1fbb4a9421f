"""Handing out documents: every document reaches k annotators, work is spread evenly, annotators
see only their own work; the project page shows the queue and the dashboard everyone's progress.
"""

from __future__ import annotations

import random
import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from annotator import db, store
from annotator.assignments.planner import Group, _taken, choose, fillable, quota
from annotator.models import Assignment, Document, Project, Span, User

SLUG = "news"
TEAM = ("ann", "bob", "cat")
DOCUMENT = re.compile(rf"^/p/{SLUG}/d/(\d+)$")


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch):
    monkeypatch.setattr(store, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


def articles(count: int) -> list[dict]:
    return [
        {
            "id": f"d{index:02}",
            "title": f"Article {index}",
            "text": f"Mayor says bridge {index} is safe.",
        }
        for index in range(count)
    ]


def make_project(world, documents: int = 30, overlap: int = 2, annotators=TEAM) -> None:
    for name in ("mia", *annotators):
        world.user(name)
    world.project(SLUG, manager="mia", annotators=list(annotators), overlap=overlap)
    world.import_jsonl(SLUG, articles(documents))


def take_next(client) -> int | None:
    """Ask for the next document: its id, or None when the annotator's share is done."""
    response = client.post(f"/p/{SLUG}/next")
    assert response.status_code == 302, response.get_data(as_text=True)
    found = DOCUMENT.match(urlsplit(response.headers["Location"]).path)
    if found is None:
        assert urlsplit(response.headers["Location"]).path == f"/p/{SLUG}"
        return None
    return int(found.group(1))


def mark(client, document_id: int, status: str, **headers) -> object:
    return client.post(
        f"/p/{SLUG}/d/{document_id}/status", data={"status": status}, headers=headers
    )


def take_and_finish(client) -> int | None:
    document_id = take_next(client)
    if document_id is not None:
        assert mark(client, document_id, "done").status_code == 302
    return document_id


def holders(app) -> dict[str, list[str]]:
    """Document external id → the user names it is assigned to (every document listed)."""
    with app.app_context():
        session = db.session()
        result = {external_id: [] for external_id in session.exec(select(Document.external_id))}
        rows = session.exec(
            select(Document.external_id, User.username)
            .join(Assignment, Assignment.document_id == Document.id)
            .join(User, User.id == Assignment.user_id)
        )
        for external_id, username in rows:
            result[external_id].append(username)
    return result


def assert_spread(app, overlap: int = 2, per_annotator: int = 20, annotators=TEAM) -> None:
    by_document = holders(app)
    wrong = {doc: names for doc, names in by_document.items() if len(names) != overlap}
    assert not wrong, f"documents without exactly {overlap} annotators: {wrong}"
    load = Counter(name for names in by_document.values() for name in names)
    assert set(load) == set(annotators)
    assert all(abs(count - per_annotator) <= 1 for count in load.values()), load
    with app.app_context():
        open_items = db.session().exec(select(Assignment).where(Assignment.status != "done")).all()
    assert not open_items, "every handed-out document was marked done"


# --- choosing which document (pure) ------------------------------------------------------------


def test_choice_leaves_a_document_to_the_only_annotator_who_can_still_take_it():
    """Annotator 1 could take the document of 0 or of 2; annotator 0 is at quota, so only 1 can
    complete 2's document and 2 must take 0's: the earliest (0's) would strand one."""
    groups = [Group(frozenset({0}), 1, 1), Group(frozenset({2}), 1, 1)]
    assert choose(groups, {0: 0, 1: 1, 2: 1}, user=1, overlap=2) == frozenset({2})


def test_choice_prefers_the_document_with_fewest_annotators_when_every_choice_is_safe():
    groups = [Group(frozenset(), 3, 2), Group(frozenset({0}), 1, 1)]
    assert choose(groups, {0: 5, 1: 5, 2: 5}, user=1, overlap=2) == frozenset()


@pytest.mark.parametrize(
    ("groups", "capacity"),
    [
        ([Group(frozenset(), 3, 2)], {0: 0, 1: 4}),  # at quota
        ([Group(frozenset({0}), 2, 1)], {0: 3, 1: 3}),  # has every document still open
        ([], {0: 3, 1: 3}),  # every document has its k annotators
    ],
)
def test_choice_is_nothing_when_the_annotator_can_take_no_document(groups, capacity):
    assert choose(groups, capacity, user=0, overlap=2) is None


def scipy_fillable(groups: list[Group], capacity: dict[int, int]) -> int:
    """The same max flow computed by SciPy: an independent reference for ``fillable``."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    people = sorted(capacity)
    source, sink = 0, 1 + len(groups) + len(people)
    rows, cols, caps = [], [], []
    for index, group in enumerate(groups):
        rows.append(source), cols.append(1 + index), caps.append(group.documents * group.need)
        for position, person in enumerate(people):
            if person not in group.holders:
                rows.append(1 + index), cols.append(1 + len(groups) + position)
                caps.append(group.documents)
    for position, person in enumerate(people):
        rows.append(1 + len(groups) + position), cols.append(sink)
        caps.append(max(capacity[person], 0))
    graph = csr_matrix((np.array(caps, dtype=np.int32), (rows, cols)), shape=(sink + 1, sink + 1))
    return int(maximum_flow(graph, source, sink).flow_value)


def reference_choose(groups, capacity, user, overlap):
    """``choose`` as its docstring defines it, searching every candidate with SciPy's flow."""
    if capacity.get(user, 0) <= 0:
        return None
    candidates = [g for g in groups if g.documents and g.need and user not in g.holders]
    if not candidates:
        return None
    best = scipy_fillable(groups, capacity) - 1
    left = {**capacity, user: capacity[user] - 1}
    fallback, fallback_fill = None, -1
    for group in candidates:
        after = scipy_fillable(_taken(groups, group, user, overlap), left)
        if after >= best:
            return group.holders
        if after > fallback_fill:
            fallback, fallback_fill = group.holders, after
    return fallback


def test_fast_choice_agrees_with_a_plain_search_on_random_projects():
    """The hand-out's shortcuts (a greedy start, reusing one flow) must not change any answer."""
    rng = random.Random(2026)
    for _ in range(400):
        people = list(range(rng.randint(1, 7)))
        overlap = rng.randint(1, 3)
        groups = []
        for _group in range(rng.randint(0, 6)):
            holders = frozenset(rng.sample(people, rng.randint(0, min(overlap - 1, len(people)))))
            if all(g.holders != holders for g in groups):
                groups.append(Group(holders, rng.randint(0, 5), overlap - len(holders)))
        capacity = {person: rng.randint(-1, 6) for person in people}
        user = rng.choice(people)
        assert fillable(groups, capacity) == scipy_fillable(groups, capacity)
        assert choose(groups, capacity, user, overlap) == reference_choose(
            groups, capacity, user, overlap
        ), (groups, capacity, user, overlap)


def test_quota_spreads_places_evenly_rounding_up():
    assert [quota(60, 3), quota(61, 3), quota(54, 3), quota(5, 0)] == [20, 21, 18, 0]


# --- spreading the work ------------------------------------------------------------------------


def round_robin(unfinished, step, _rng):
    return unfinished[step % len(unfinished)]


def one_after_another(unfinished, _step, _rng):
    return unfinished[0]


def last_comes_first(unfinished, _step, _rng):
    return unfinished[-1]


def at_random(unfinished, _step, rng):
    return rng.choice(unfinished)


def in_bursts(unfinished, step, _rng):
    return unfinished[(step // 7) % len(unfinished)]


INTERLEAVINGS = [
    (round_robin, 0),
    (one_after_another, 0),
    (last_comes_first, 0),
    (in_bursts, 0),
    *[(at_random, seed) for seed in (1, 2, 3, 4)],
]


@pytest.mark.parametrize(
    ("interleaving", "seed"), INTERLEAVINGS, ids=[f"{f.__name__}-{s}" for f, s in INTERLEAVINGS]
)
def test_overlap_2_over_3_annotators_gives_every_document_2_and_each_annotator_8(
    app, world, interleaving, seed
):
    """12 documents, 24 places: each order of asking still fills every document exactly twice
    and gives each annotator a third (the concurrent test below hands out 60 places)."""
    make_project(world, documents=12)
    clients = {name: world.client(name) for name in TEAM}
    unfinished, rng, step = list(TEAM), random.Random(seed), 0
    while unfinished:
        name = interleaving(unfinished, step, rng)
        if take_and_finish(clients[name]) is None:
            unfinished.remove(name)
        step += 1
    assert_spread(app, per_annotator=8)


@pytest.mark.parametrize("tabs", [1, 2], ids=["one tab each", "two tabs each"])
@pytest.mark.parametrize("trial", [1, 2, 3])
def test_annotators_taking_documents_at_the_same_time_still_get_2_per_document(
    app, world, tabs, trial
):
    make_project(world)
    workers = [(name, world.client(name)) for name in TEAM for _ in range(tabs)]
    start = threading.Barrier(len(workers))

    def work(client) -> set[int]:
        start.wait()
        taken = set()
        while (document_id := take_and_finish(client)) is not None:
            taken.add(document_id)
        return taken

    with ThreadPoolExecutor(len(workers)) as pool:
        futures = [(name, pool.submit(work, client)) for name, client in workers]
        done = {name: set() for name in TEAM}
        for name, future in futures:
            done[name] |= future.result(timeout=120)
    assert sum(map(len, done.values())) == 60, "every place was handed out once"
    assert_spread(app)


def test_two_tabs_asking_for_the_next_document_at_once_get_the_same_one(app, world):
    make_project(world, documents=6, overlap=1, annotators=("ann",))
    tabs = [world.client("ann"), world.client("ann")]
    start = threading.Barrier(2)

    def ask(client):
        start.wait()
        return take_next(client)

    for _round in range(6):
        with ThreadPoolExecutor(2) as pool:
            first, second = pool.map(ask, tabs)
        assert first == second, "a double click handed out two documents"
        assert mark(tabs[0], first, "done").status_code == 302
    assert take_next(tabs[0]) is None


def test_saving_a_span_does_not_wait_while_documents_are_being_handed_out(app, world):
    """PostgreSQL: the project lock held by an import or by "next document" leaves the
    foreign-key checks of span saves free."""
    if app.extensions["annotator.engine"].dialect.name != "postgresql":
        pytest.skip("SQLite serialises all writes; nothing to check there")
    make_project(world, documents=1, overlap=1, annotators=("ann",))
    ann = world.client("ann")
    document_id = take_next(ann)
    with Session(app.extensions["annotator.engine"]) as holder:
        project_id = holder.exec(select(Project.id).where(Project.slug == SLUG)).one()
        db.lock_project(holder, project_id)
        with ThreadPoolExecutor(1) as pool:
            saving = pool.submit(
                ann.put,
                f"/api/projects/{SLUG}/documents/{document_id}/spans/ann-span-0001",
                json={"label": "claim", "start": 0, "end": 5},
            )
            try:
                # only a save that waits for the lock takes this long: the bound is not a speed
                assert saving.result(timeout=60).status_code == 201
            finally:
                holder.rollback()


def test_a_finished_annotator_is_told_there_is_nothing_more(app, world):
    make_project(world, documents=2, overlap=1, annotators=("ann",))
    client = world.client("ann")
    while take_and_finish(client) is not None:
        pass
    page = client.post(f"/p/{SLUG}/next", follow_redirects=True).get_data(as_text=True)
    assert "No more documents for you in this project" in page


def test_next_document_returns_the_open_one_until_it_is_done(app, world):
    make_project(world, documents=3, overlap=1, annotators=("ann",))
    client = world.client("ann")
    first = take_next(client)
    assert take_next(client) == first
    mark(client, first, "done")
    assert take_next(client) not in (None, first)


def test_a_manager_annotating_a_document_does_not_take_one_of_its_k_places(app, world):
    make_project(world, documents=3, overlap=2)
    with app.app_context():
        first = db.session().exec(select(Document).where(Document.external_id == "d00")).one()
    manager = world.client("mia")
    response = manager.put(
        f"/api/projects/{SLUG}/documents/{first.id}/spans/mia-span-0001",
        json={"label": "claim", "start": 0, "end": 5},
    )
    assert response.status_code == 201
    clients = {name: world.client(name) for name in TEAM}
    for name in TEAM:
        while take_and_finish(clients[name]) is not None:
            pass
    counted = {doc: sorted(set(names) - {"mia"}) for doc, names in holders(app).items()}
    assert all(len(names) == 2 for names in counted.values()), counted


def test_annotations_imported_for_an_account_without_password_count_and_the_rest_is_shared(
    app, world
):
    """``legacy`` (made by the import, cannot log in) annotated 6 of 30 documents: those need one
    more annotator, the others two; the 54 places left are shared by the 3 who can work."""
    make_project(world, documents=0)
    lines = articles(30)
    for line in lines[:6]:
        line["annotations"] = [{"annotator": "legacy", "label": "claim", "start": 0, "end": 5}]
    world.import_jsonl(SLUG, lines)
    clients = {name: world.client(name) for name in TEAM}
    unfinished, step = list(TEAM), 0
    while unfinished:
        name = round_robin(unfinished, step, None)
        if take_and_finish(clients[name]) is None:
            unfinished.remove(name)
        step += 1
    by_document = holders(app)
    assert all(len(names) == 2 for names in by_document.values()), by_document
    load = Counter(name for names in by_document.values() for name in names if name != "legacy")
    assert sorted(load.values()) == [18, 18, 18]


def test_a_user_not_taking_part_gets_no_document(app, world):
    make_project(world, documents=3, overlap=1, annotators=("ann",))
    assert take_next(world.client("mia")) is None
    assert holders(app) == {"d00": [], "d01": [], "d02": []}


# --- queue, progress, done and reopen ----------------------------------------------------------


def test_project_page_shows_the_annotators_queue_and_progress(app, world):
    make_project(world, documents=4, overlap=1, annotators=("ann",))
    client = world.client("ann")
    first = take_and_finish(client)
    second = take_next(client)
    page = client.get(f"/p/{SLUG}").get_data(as_text=True)
    assert "<strong>1</strong> done of 4 · 1 in progress" in page
    assert '<progress max="4" value="1">' in page
    queue = re.findall(r'<a href="/p/news/d/(\d+)">([^<]+)</a>\s*<span class="status (\w+)">', page)
    assert queue == [(str(first), "Article 0", "done"), (str(second), "Article 1", "in_progress")]


def test_annotator_marks_a_document_done_and_reopens_it(app, world):
    make_project(world, documents=2, overlap=1, annotators=("ann",))
    client = world.client("ann")
    document_id = take_next(client)

    assert mark(client, document_id, "done").status_code == 302
    with app.app_context():
        item = db.session().exec(select(Assignment)).one()
        assert (item.status, item.done_at is not None) == ("done", True)

    fragment = mark(client, document_id, "in_progress", **{"HX-Request": "true"})
    assert fragment.status_code == 200 and 'id="mark-done"' in fragment.get_data(as_text=True)
    with app.app_context():
        item = db.session().exec(select(Assignment)).one()
        assert (item.status, item.done_at) == ("in_progress", None)
    assert take_next(client) == document_id, "the reopened document is the annotator's next"


def test_mark_done_and_next_from_the_workspace_opens_the_following_document(app, world):
    make_project(world, documents=2, overlap=1, annotators=("ann",))
    client = world.client("ann")
    first = take_next(client)
    response = client.post(
        f"/p/{SLUG}/d/{first}/status",
        data={"status": "done", "then": "next"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    following = DOCUMENT.match(response.headers["HX-Redirect"])
    assert following and int(following.group(1)) != first


@pytest.mark.parametrize("status", ["", "finished", "DONE"])
def test_unknown_status_is_refused(app, world, status):
    make_project(world, documents=1, overlap=1, annotators=("ann",))
    client = world.client("ann")
    document_id = take_next(client)
    assert mark(client, document_id, status).status_code == 400


def test_annotator_cannot_mark_a_document_that_is_not_theirs(app, world):
    make_project(world, documents=2, overlap=1, annotators=("ann", "bob"))
    bobs = take_next(world.client("bob"))
    assert mark(world.client("ann"), bobs, "done").status_code == 404
    with app.app_context():
        assert db.session().exec(select(Assignment.status)).all() == ["in_progress"]


# --- blind annotation --------------------------------------------------------------------------


@pytest.fixture
def shared(app, world) -> dict:
    """ann and bob both have document d00 (k = 2); bob alone has d01; bob has a span on each."""
    make_project(world, documents=2, overlap=2, annotators=("ann", "bob"))
    bob, ann = world.client("bob"), world.client("ann")
    both = take_next(bob)
    spans = {}

    def bob_marks(document_id: int, span_id: str) -> None:
        response = bob.put(
            f"/api/projects/{SLUG}/documents/{document_id}/spans/{span_id}",
            json={"label": "claim", "start": 0, "end": 5, "note": "bob's private note"},
        )
        assert response.status_code == 201
        spans[span_id] = document_id

    bob_marks(both, "bob-span-0001")  # before marking it done: done work is read-only
    mark(bob, both, "done")
    only_bob = take_next(bob)
    assert take_next(ann) == both
    bob_marks(only_bob, "bob-span-0002")
    return {"both": both, "only_bob": only_bob, "spans": spans, "ann": ann}


def span_row(app, span_id: str) -> tuple:
    with app.app_context():
        span = db.session().get(Span, span_id)
        return (span.annotator_id, span.label_id, span.start, span.end, span.note)


BLIND_READS = [
    ("/p/news/d/{both}?annotator=bob", 404),
    ("/p/news/d/{both}/body?annotator=bob", 404),
    ("/api/projects/news/documents/{both}/spans?annotator=bob", 404),
    ("/p/news/d/{only_bob}", 404),
    ("/p/news/d/{only_bob}/body", 404),
    ("/p/news/d/{only_bob}?annotator=bob", 404),
    ("/api/projects/news/documents/{only_bob}/spans", 404),
    ("/api/projects/news/documents/{only_bob}/spans?annotator=bob", 404),
    ("/p/news/compare/{both}", 404),
    ("/p/news/compare/{only_bob}", 404),
    # Manager-only views of everyone's work:
    ("/p/news/d/{both}/gold", 403),
    ("/api/projects/news/documents/{both}/gold", 403),
    ("/p/news/agreement", 403),
    ("/p/news/agreement/spans?a=ann&b=bob", 403),
    ("/p/news/dashboard", 403),
    ("/p/news/export/download", 403),
]


@pytest.mark.parametrize(("path", "status"), BLIND_READS)
def test_annotator_cannot_read_another_annotators_spans_by_any_url(shared, path, status):
    response = shared["ann"].get(path.format(**shared))
    assert response.status_code == status
    text = response.get_data(as_text=True)
    assert "bob-span" not in text and "bob's private note" not in text


def test_comparison_stays_closed_after_finishing_until_the_manager_opens_it(app, world, shared):
    ann, both = shared["ann"], shared["both"]
    mark(ann, both, "done")
    assert ann.get(f"/p/{SLUG}/compare/{both}").status_code == 404

    world.client("mia").post(
        f"/p/{SLUG}/settings",
        data={"action": "project", "overlap": "2", "comparison_open": "on", "snap_to_words": "on"},
    )

    opened = ann.get(f"/p/{SLUG}/compare/{both}")
    assert opened.status_code == 200
    assert 'data-span="bob-span-0001"' in opened.get_data(as_text=True)
    assert ann.get(f"/p/{SLUG}/compare/{shared['only_bob']}").status_code == 404
    assert mark(ann, both, "in_progress").status_code == 409, "seen the others: frozen"
    world.client("mia").post(f"/p/{SLUG}/d/{both}/reopen", data={"annotator": "ann"})
    assert ann.get(f"/p/{SLUG}/compare/{both}").status_code == 404, "only finished documents"


@pytest.mark.parametrize(
    "path",
    [
        "/p/news/d/{both}",
        "/p/news/d/{both}/body",
        "/api/projects/news/documents/{both}/spans",
        "/p/news/d/{both}?annotator=ann",
    ],
)
def test_annotators_own_view_of_a_shared_document_shows_none_of_the_others_spans(shared, path):
    page = shared["ann"].get(path.format(**shared))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "bob-span-0001" not in text and "bob's private note" not in text


@pytest.mark.parametrize("span_id", ["bob-span-0001", "bob-span-0002"])
@pytest.mark.parametrize("document", ["both", "only_bob"])
@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_annotator_cannot_change_or_delete_another_annotators_span(
    app, shared, span_id, document, method
):
    before = span_row(app, span_id)
    response = shared["ann"].open(
        f"/api/projects/{SLUG}/documents/{shared[document]}/spans/{span_id}",
        method=method,
        json={"label": "evidence", "start": 1, "end": 4, "note": "taken over"},
    )
    assert response.status_code == 404
    assert span_row(app, span_id) == before


def test_manager_reads_each_annotators_spans_on_a_document(app, world, shared):
    manager = world.client("mia")
    listing = manager.get(
        f"/api/projects/{SLUG}/documents/{shared['both']}/spans?annotator=bob"
    ).get_json()
    assert [span["id"] for span in listing["spans"]] == ["bob-span-0001"]
    page = manager.get(f"/p/{SLUG}/d/{shared['both']}?annotator=bob").get_data(as_text=True)
    assert "bob-span-0001" in page and "read-only" in page


# --- manager's dashboard -----------------------------------------------------------------------


def dashboard_rows(client) -> dict[str, list[str]]:
    page = client.get(f"/p/{SLUG}/dashboard")
    assert page.status_code == 200
    rows = re.findall(r'<tr data-annotator="([^"]+)">(.*?)</tr>', page.get_data(as_text=True), re.S)
    return {name: re.findall(r"<td[^>]*>([^<]*)</td>", cells) for name, cells in rows}


def test_dashboard_shows_per_annotator_done_in_progress_and_spans_per_label(app, world):
    make_project(world, documents=4, overlap=2, annotators=("ann", "bob", "cat"))
    ann, bob = world.client("ann"), world.client("bob")

    def ann_marks(span_id: str, document_id: int, label: str, start: int) -> None:
        saved = ann.put(
            f"/api/projects/{SLUG}/documents/{document_id}/spans/{span_id}",
            json={"label": label, "start": start, "end": start + 4},
        )
        assert saved.status_code == 201

    first = take_next(ann)
    ann_marks("ann-span-0001", first, "claim", 0)
    ann_marks("ann-span-0002", first, "claim", 6)
    assert mark(ann, first, "done").status_code == 302  # done work is read-only from here
    second = take_next(ann)
    ann_marks("ann-span-0003", second, "evidence", 0)
    bobs = take_next(bob)
    bob.put(
        f"/api/projects/{SLUG}/documents/{bobs}/spans/bob-span-0001",
        json={"label": "attribution", "start": 6, "end": 10},
    )

    rows = dashboard_rows(world.client("mia"))

    #            name  done in progress claim evidence attribution skipped flagged last
    assert rows["ann"][:8] == ["ann", "1", "1", "2", "1", "0", "0", "0"]
    assert rows["bob"][:8] == ["bob", "0", "1", "0", "0", "1", "0", "0"]
    assert rows["cat"] == ["cat", "0", "0", "0", "0", "0", "0", "0", "—"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows["ann"][8])


def test_manager_reopens_an_annotators_finished_document(world):
    world.user("lead")
    world.user("ana")
    world.project("news", manager="lead", annotators=["ana"])
    world.import_jsonl("news", [{"id": "d1", "text": "The mayor said the water is safe."}])
    ana = world.client("ana")
    ana.post("/p/news/next")
    ana.post("/p/news/d/1/status", data={"status": "done"})
    assert "done" in ana.get("/p/news").get_data(as_text=True)
    lead = world.client("lead")
    answer = lead.post("/p/news/d/1/reopen", data={"annotator": "ana"})
    assert answer.status_code == 302
    assert "in progress" in ana.get("/p/news").get_data(as_text=True)
    assert lead.post("/p/news/d/1/reopen", data={"annotator": "nobody"}).status_code == 404
    assert ana.post("/p/news/d/1/reopen", data={"annotator": "ana"}).status_code == 403
