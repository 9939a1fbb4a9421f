"""Every route, fed NUL, 100 KB strings, deep JSON and overflowing numbers, answers below 500.

As a logged-in manager (who is also the admin) and as an annotator, CSRF off, on both
databases. Routes are drawn from the app's URL map, so a new route is fuzzed without a change
here. A 200 answer must be whole: JSON that parses, a page that ends, an export without the
failure line. The example count is bounded per route group and role.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from annotator import db
from annotator.models import Document

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SKIPPED = {"static", "auth.logout"}  # logging out would only make the rest redirect

nasty = st.one_of(
    st.just("\x00"),
    st.text(max_size=12).map(lambda text: f"{text}\x00{text}"),
    st.just("x" * 100_000),
    st.integers(min_value=2**63, max_value=2**200).map(str),
    st.just("9" * 5000),
    st.sampled_from(["-1", "0", "1", "2", "", " ", "claim", "ana", "lead", "done", "native"]),
    st.text(max_size=30),
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**200), max_value=2**200)
    | st.floats(allow_nan=False, allow_infinity=False)
    | nasty,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(nasty, children, max_size=3),
    max_leaves=8,
)
FIELDS = [
    "label", "start", "end", "text", "note", "attributes", "type", "source", "target", "value",
    "status", "then", "action", "name", "slug", "labels", "username", "password", "guidelines",
    "overlap", "role", "color", "choices", "annotator", "at_least", "page", "min_done", "format",
    "annotators", "offsets", "a", "b", "kind", "next", "original", "confirm",
]  # fmt: skip


@st.composite
def json_body(draw) -> bytes:
    """A JSON body: an object of likely and unlikely fields, or nesting tens of thousands deep."""
    if draw(st.integers(0, 5)) == 0:
        depth = draw(st.integers(100, 50_000))
        return ("[" * depth + "]" * depth).encode()
    body = draw(st.dictionaries(st.sampled_from(FIELDS) | nasty, json_values, max_size=6))
    return json.dumps(body).encode()


@pytest.fixture
def people(world):
    world.user("lead", admin=True)
    world.user("ana")
    world.project("news", manager="lead", annotators=["ana"])
    world.import_jsonl("news", [{"id": "d1", "text": "The mayor said the water is safe."}])
    ana = world.client("ana")
    ana.post("/p/news/next")
    with world.app.app_context():
        document_id = db.session().execute(select(Document.id)).scalar_one()
    return {"manager": world.client("lead"), "annotator": ana, "document_id": document_id}


def routes(app, group: str) -> list[tuple[str, str, tuple[str, ...], dict]]:
    """(method, rule, argument names, converters) of one group: pages, forms or the API."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            kind = "api" if rule.rule.startswith("/api/") else "page" if method == "GET" else "form"
            if kind == group:
                converters = {name: type(conv).__name__ for name, conv in rule._converters.items()}
                found.append((method, rule.rule, tuple(rule.arguments), converters))
    return sorted(found)


@st.composite
def requests(draw, app, group: str, document_id: int) -> dict:
    method, rule, arguments, converters = draw(st.sampled_from(routes(app, group)))
    path = rule
    for name in arguments:
        if converters.get(name) == "IntegerConverter":
            value = str(draw(st.sampled_from([document_id, 0, 1, 2**63, 10**30, 2**64 + 7])))
        elif name == "slug":
            value = draw(st.sampled_from(["news"]) | nasty)
        else:
            value = draw(st.sampled_from(["0d7f6c1e-1111-4a4a-9e9e-000000000001"]) | nasty)
        path = _fill(path, name, quote(value, safe="") or "x")
    query = draw(st.dictionaries(st.sampled_from(FIELDS), nasty, max_size=3))
    request: dict = {"method": method, "path": path, "query_string": query}
    if group == "api" and method == "PUT":
        request.update(data=draw(json_body()), content_type="application/json")
    elif method == "POST":
        request["data"] = draw(st.dictionaries(st.sampled_from(FIELDS), nasty, max_size=6))
    return request


def _fill(path: str, name: str, value: str) -> str:
    start = path.find("<")
    while start != -1:
        end = path.index(">", start)
        if path[start + 1 : end].split(":")[-1] == name:
            return path[:start] + value + path[end + 1 :]
        start = path.find("<", end)
    return path


def assert_whole(answer) -> None:
    """A 200 answer is complete: a reader never takes a cut-off body for the whole."""
    if answer.status_code >= 500:
        raise AssertionError(f"{answer.status_code}: {answer.get_data(as_text=True)[:500]}")
    if answer.status_code != 200:
        return
    body = answer.get_data()
    if answer.mimetype == "application/json":
        json.loads(body)
    elif answer.mimetype == "application/x-ndjson":
        lines = body.splitlines()
        assert all(json.loads(line) for line in lines)
        assert b"export_failed" not in body
    elif answer.mimetype == "text/html" and body.lstrip().lower().startswith(b"<!doctype"):
        assert body.rstrip().endswith(b"</html>")


@pytest.mark.parametrize("role", ["manager", "annotator"])
@pytest.mark.parametrize("group", ["page", "form", "api"])
def test_every_route_answers_below_500_with_whole_bodies(app, people, role, group):
    client = people[role]

    @FUZZ
    @given(request=requests(app, group, people["document_id"]))
    def check(request):
        request = dict(request)
        answer = client.open(request.pop("path"), **request)
        assert_whole(answer)

    check()
