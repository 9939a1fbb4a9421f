"""Hostile input and security headers: clear errors, never a 500, never a partial import."""

from __future__ import annotations

import html
import io

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from annotator import db
from annotator.models import Assignment, Document, Membership, Span, User

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def counts(app) -> tuple:
    with app.app_context():
        session = db.session()
        return tuple(
            session.execute(select(func.count()).select_from(model)).scalar()
            for model in (Document, Span, User, Assignment, Membership)
        )


@pytest.fixture
def manager(world):
    world.user("lead")
    world.user("ana")
    world.project("news", manager="lead", annotators=["ana"])
    world.import_jsonl("news", [{"id": "d1", "text": "The mayor said the water is safe."}])
    return world.client("lead")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)  # orjson writes 64-bit integers; bigger ones come below
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
documents = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values | st.text(max_size=10),
        "text": st.text(max_size=60) | json_values,
        "title": json_values,
        "meta": json_values,
        "annotations": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "annotator": st.sampled_from(["ana", "new-person", "", "x" * 100])
                    | json_values,
                    "label": st.sampled_from(["claim", "evidence", "rumour"]) | json_values,
                    "start": st.integers(-3, 80) | json_values,
                    "end": st.integers(-3, 80) | json_values,
                    "text": st.text(max_size=5),
                },
            ),
            max_size=3,
        ),
    },
)
lines = st.one_of(
    st.binary(max_size=200),
    documents.map(orjson.dumps),
    st.integers(min_value=2**64, max_value=2**80).map(
        lambda n: f'{{"text": "a", "id": {n}}}'.encode()
    ),
    st.integers(1, 3000).map(lambda depth: b"[" * depth + b"]" * depth),
)


@FUZZ
@given(st.lists(lines, min_size=1, max_size=4))
def test_fuzzed_jsonl_import_ends_in_a_clean_import_or_a_clear_error(app, manager, file_lines):
    before = counts(app)
    upload = b"\n".join(file_lines)
    answer = manager.post(
        "/p/news/import",
        data={"files": (io.BytesIO(upload), "fuzz.jsonl")},
        content_type="multipart/form-data",
    )
    assert answer.status_code in (302, 400), answer.status_code
    if answer.status_code == 400:
        page = answer.get_data(as_text=True)
        assert "Nothing was imported" in page and "fuzz.jsonl" in page
        assert counts(app) == before  # all or nothing
    else:
        assert counts(app)[0] >= before[0]  # an empty file imports nothing, successfully
        with app.app_context():  # clean up so later examples start alike
            session = db.session()
            for model in (Span, Assignment):
                session.execute(model.__table__.delete().where(model.document_id != 1))
            session.execute(Document.__table__.delete().where(Document.id != 1))
            session.commit()


span_payloads = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "label": st.sampled_from(["claim", "evidence"]) | json_values,
            "start": st.integers(-5, 50) | json_values,
            "end": st.integers(-5, 50) | json_values,
            "text": st.text(max_size=10) | json_values,
            "note": st.text(max_size=10) | json_values,
        },
    ),
)


@FUZZ
@given(payload=span_payloads, span_id=st.text(min_size=1, max_size=50))
def test_fuzzed_span_api_answers_4xx_or_saves_a_valid_span(app, world, manager, payload, span_id):
    ana = world.client("ana") if not hasattr(world, "_ana") else world._ana
    world._ana = ana
    ana.post("/p/news/next")
    from urllib.parse import quote

    answer = ana.put(
        "/api/projects/news/documents/1/spans/" + quote(span_id, safe=""),
        data=orjson.dumps(payload),
        content_type="application/json",
    )
    assert answer.status_code in (200, 201, 400, 404, 405, 422), answer.status_code
    with app.app_context():
        for span in db.session().exec(select(Span)).scalars():
            assert 0 <= span.start < span.end <= span.document_length


def test_upload_over_the_size_limit_is_refused_before_it_is_read(app, manager):
    app.config["MAX_CONTENT_LENGTH"] = 1024

    class Endless(io.RawIOBase):
        """A body that would take forever to read: the server must not try."""

        read_bytes = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            self.read_bytes += len(buffer)
            buffer[:] = b"x" * len(buffer)
            return len(buffer)

    from werkzeug.test import EnvironBuilder, run_wsgi_app

    body = Endless()
    cookie = manager.get_cookie("session").value
    environ = EnvironBuilder(
        path="/p/news/import",
        method="POST",
        headers={"Cookie": f"session={cookie}", "Content-Type": "multipart/form-data; boundary=x"},
    ).get_environ()
    environ["wsgi.input"] = body
    environ["CONTENT_LENGTH"] = str(50 * 1024 * 1024)
    _iterable, status, _headers = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("413")
    assert body.read_bytes < 1024 * 1024


@pytest.mark.parametrize("path", ["/login", "/health"])
def test_every_answer_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_a_10_mb_line_is_refused_with_the_size_limit_and_nothing_changes(app, manager):
    before = counts(app)
    huge = orjson.dumps({"id": "huge", "text": "x" * (10 * 1024 * 1024)})
    answer = manager.post(
        "/p/news/import",
        data={"files": (io.BytesIO(b'{"text": "fine"}\n' + huge), "huge.jsonl")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
    page = html.unescape(answer.get_data(as_text=True))
    assert "huge.jsonl, line 2: field 'text': over the size limit" in page
    assert counts(app) == before
