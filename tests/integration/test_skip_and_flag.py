"""Skip and flag: a skipped document goes back to the pool (others bring it to k, the skipper
never gets it again), a flagged one waits for a manager, who resolves the flag on the dashboard
(on record in the activity log). The matrix shows both states."""

from __future__ import annotations

import html
import random
import re
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect
from sqlalchemy import text as sql
from sqlmodel import select

from annotator import db
from annotator.models import Activity, Assignment, Document, Flag, User
from tests.integration.test_migrations import (  # noqa: F401 (a fixture)
    FIRST_SCHEMA,
    _insert_first_schema_rows,
    empty_database_url,
)

SLUG = "news"
TEAM = ("ann", "bob", "cat")


@pytest.fixture
def team(world):
    for name in ("mia", *TEAM):
        world.user(name)
    world.project(SLUG, manager="mia", annotators=list(TEAM), overlap=2)
    world.import_jsonl(
        SLUG, [{"id": f"d{n:02}", "text": f"Mayor says bridge {n} is safe."} for n in range(9)]
    )
    return world


def next_for(client) -> int | None:
    response = client.post(f"/p/{SLUG}/next")
    found = re.search(r"/d/(\d+)$", response.headers["Location"])
    return int(found.group(1)) if found else None


def statuses(app) -> dict[int, dict[str, str]]:
    """Document id → {annotator: status}."""
    with app.app_context():
        session = db.session()
        result: dict[int, dict[str, str]] = {d: {} for d in session.exec(select(Document.id))}
        rows = session.exec(
            select(Assignment.document_id, User.username, Assignment.status).join(
                User, User.id == Assignment.user_id
            )
        )
        for document_id, name, status in rows:
            result[document_id][name] = status
        return result


def skip(client, document_id: int):
    return client.post(f"/p/{SLUG}/d/{document_id}/skip")


def finish(client, document_id: int) -> None:
    answer = client.post(f"/p/{SLUG}/d/{document_id}/status", data={"status": "done"})
    assert answer.status_code == 302


def test_a_skipped_document_goes_to_someone_else_and_never_back_to_the_skipper(app, team):
    ann, bob = team.client("ann"), team.client("bob")
    first = next_for(ann)

    answer = skip(ann, first)

    assert answer.status_code == 302
    after = next_for(ann)
    assert after is not None and after != first  # the skip answers with the next document
    assert statuses(app)[first] == {"ann": "skipped"}
    assert next_for(bob) == first  # back in the pool: the next annotator takes it
    for _ in range(20):  # ann works through her whole share: never the skipped one again
        finish(ann, next_for(ann) or after)
        if next_for(ann) is None:
            break
    assert statuses(app)[first]["ann"] == "skipped"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_hand_out_with_skips_still_reaches_k_and_never_exceeds_it(app, team, seed):
    """Annotators take documents in a random order, skip some (at most one skip per document,
    so k = 2 of 3 stays reachable) and finish the rest, asking again until nobody gets
    anything: every document ends with exactly k annotators who did not skip it, all done."""
    chance = random.Random(seed)
    clients = {name: team.client(name) for name in TEAM}
    finished = set()
    for _ in range(200):
        working = [name for name in TEAM if name not in finished]
        if not working:
            break
        name = chance.choice(working)
        document = next_for(clients[name])
        if document is None:
            finished.add(name)
            continue
        skipped_by = Counter(
            status for status in statuses(app)[document].values() if status == "skipped"
        )
        if chance.random() < 0.25 and not skipped_by:  # at most one skip per document
            assert skip(clients[name], document).status_code == 302
            finished.clear()  # a skip can give work to those who had none left
        else:
            finish(clients[name], document)
    for document, holders in statuses(app).items():
        filling = [who for who, status in holders.items() if status != "skipped"]
        assert len(filling) == 2, (document, holders)
        assert all(status == "done" for status in holders.values() if status != "skipped")


def test_skipping_is_refused_with_spans_or_when_done_and_changes_nothing(app, team):
    ann = team.client("ann")
    first = next_for(ann)
    saved = ann.put(
        f"/api/projects/{SLUG}/documents/{first}/spans/5a0b7c1e-1111-4a4a-9e9e-000000000001",
        json={"label": "claim", "start": 0, "end": 5},
    )
    assert saved.status_code == 201

    refused = skip(ann, first)

    assert refused.status_code == 409
    assert "You have 1 span on this document" in html.unescape(refused.get_data(as_text=True))
    assert statuses(app)[first] == {"ann": "in_progress"}
    second = next_for(ann)
    assert second == first  # still hers
    ann.delete(f"/api/projects/{SLUG}/documents/{first}/spans/5a0b7c1e-1111-4a4a-9e9e-000000000001")
    finish(ann, first)
    assert skip(ann, first).status_code == 409
    assert statuses(app)[first] == {"ann": "done"}


def test_a_skipped_document_is_read_only_for_the_skipper(app, team):
    ann = team.client("ann")
    first = next_for(ann)
    skip(ann, first)

    refused = ann.put(
        f"/api/projects/{SLUG}/documents/{first}/spans/5a0b7c1e-1111-4a4a-9e9e-000000000002",
        json={"label": "claim", "start": 0, "end": 5},
    )

    assert refused.status_code == 409
    assert "skipped" in refused.get_json()["error"]
    page = ann.get(f"/p/{SLUG}/d/{first}").get_data(as_text=True)
    assert 'data-read-only="true"' in page and "you gave this document back" in page


def flag(client, document_id: int, reason: str = "broken_text", note: str = ""):
    return client.post(f"/p/{SLUG}/d/{document_id}/flag", data={"reason": reason, "note": note})


def test_a_flag_takes_the_document_out_of_the_queue_and_shows_on_the_dashboard(app, team):
    ann, mia = team.client("ann"), team.client("mia")
    first = next_for(ann)

    answer = flag(ann, first, "needs_discussion", "Is a rumour a claim?")

    assert answer.status_code == 302
    assert statuses(app)[first] == {"ann": "flagged"}
    assert next_for(ann) != first  # the next document is another one
    dashboard = html.unescape(mia.get(f"/p/{SLUG}/dashboard").get_data(as_text=True))
    row = re.search(r'<tr data-document="d\d+" data-annotator="ann">.*?</tr>', dashboard, re.S)
    assert row and "needs discussion" in row.group(0) and "Is a rumour a claim?" in row.group(0)
    matrix = mia.get(f"/p/{SLUG}/assignments").get_data(as_text=True)
    assert 'class="status flagged">flagged ⚑' in matrix


def test_flagging_twice_raises_one_flag_and_bad_reasons_are_refused(app, team):
    ann = team.client("ann")
    first = next_for(ann)

    assert flag(ann, first, "other").status_code == 422  # "other" needs a note
    assert flag(ann, first, "spam").status_code == 422
    assert statuses(app)[first] == {"ann": "in_progress"}
    assert flag(ann, first, "off_topic").status_code == 302
    assert flag(ann, first, "off_topic").status_code == 302
    with app.app_context():
        assert len(db.session().exec(select(Flag)).all()) == 1


@pytest.mark.parametrize(
    ("outcome", "status_after"), [("return", "in_progress"), ("release", "skipped")]
)
def test_the_manager_resolves_a_flag_on_record(app, team, outcome, status_after):
    ann, mia = team.client("ann"), team.client("mia")
    first = next_for(ann)
    flag(ann, first, "broken_text", "half the text is missing")
    with app.app_context():
        flag_id = db.session().exec(select(Flag.id)).one()

    answer = mia.post(
        f"/p/{SLUG}/flags/{flag_id}/resolve",
        data={"outcome": outcome, "resolution": "re-imported the text"},
    )

    assert answer.status_code == 302
    assert statuses(app)[first] == {"ann": status_after}
    with app.app_context():
        session = db.session()
        stored = session.get(Flag, flag_id)
        assert stored.resolved_at is not None and stored.resolution == "re-imported the text"
        entry = session.exec(select(Activity).where(Activity.action == "flag_resolved")).one()
        assert entry.actor == "mia" and "broken text" in entry.detail
    dashboard = mia.get(f"/p/{SLUG}/dashboard").get_data(as_text=True)
    assert 'id="no-flags"' in dashboard
    again = mia.post(f"/p/{SLUG}/flags/{flag_id}/resolve", data={"outcome": "return"})
    assert again.status_code == 409


def test_an_annotator_cannot_resolve_flags(app, team):
    ann = team.client("ann")
    first = next_for(ann)
    flag(ann, first)
    with app.app_context():
        flag_id = db.session().exec(select(Flag.id)).one()
    assert ann.post(f"/p/{SLUG}/flags/{flag_id}/resolve").status_code == 403
    assert statuses(app)[first] == {"ann": "flagged"}


def test_assigning_a_skipped_cell_in_the_matrix_gives_it_back(app, team):
    ann, mia = team.client("ann"), team.client("mia")
    first = next_for(ann)
    skip(ann, first)
    matrix = mia.get(f"/p/{SLUG}/assignments").get_data(as_text=True)
    assert 'class="status skipped">skipped' in matrix
    with app.app_context():
        ann_id = db.session().exec(select(User.id).where(User.username == "ann")).one()

    answer = mia.post(
        f"/p/{SLUG}/assignments", data={"action": "assign", "cell": f"{first}:{ann_id}"}
    )

    assert answer.status_code == 302
    assert statuses(app)[first] == {"ann": "assigned"}


def test_skip_flag_revision_keeps_assignments_and_takes_the_new_states(
    empty_database_url,  # noqa: F811 (the fixture of test_migrations)
):
    """Revision 0070 on a database at 0041: assignments keep their status; skipped and flagged
    are accepted afterwards, flags and active time have tables."""
    engine = db.make_engine(empty_database_url)
    try:
        db.upgrade(engine, FIRST_SCHEMA)
        _insert_first_schema_rows(engine)
        db.upgrade(engine, "0041")
        now = datetime(2024, 5, 4, tzinfo=UTC)
        with engine.begin() as connection:
            before = connection.execute(
                sql("SELECT document_id, user_id, status FROM assignment ORDER BY 1, 2")
            ).all()
        assert before

        db.upgrade(engine, "0070")

        with engine.begin() as connection:
            after = connection.execute(
                sql("SELECT document_id, user_id, status FROM assignment ORDER BY 1, 2")
            ).all()
            connection.execute(sql("UPDATE assignment SET status = 'skipped'"))
            connection.execute(
                sql(
                    "INSERT INTO flag (project_id, document_id, annotator_id, reason, note, "
                    "created_at, resolution) SELECT project_id, document_id, user_id, "
                    "'off_topic', '', :at, '' FROM assignment"
                ),
                {"at": now},
            )
        assert [tuple(row) for row in after] == [tuple(row) for row in before]
        assert inspect(engine).has_table("active_time")
    finally:
        engine.dispose()
