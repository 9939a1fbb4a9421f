"""Every route of the app, asked by every kind of visitor, answers as designed.

The routes come from ``app.url_map``: a route that is not in :data:`ROUTES` below fails
``test_every_route_of_the_app_has_an_authorization_rule`` with its name, so nobody can add a page
or an endpoint without deciding who may use it.

Designed answers: anonymous visitors are sent to the log-in page (302 to ``/login``), except on the
JSON API, which answers 401 (a save queue must not follow a redirect); a user who is
not a member of the project gets 404 (the project's existence is not revealed); a member without
the needed role gets 403; everyone else gets the page (200), the created thing (201) or a redirect
(302 elsewhere). A refused request changes nothing in the database.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from flask import url_for

from annotator import api_tokens, db, store
from annotator.annotation import sources
from annotator.annotation.answers import save_answer, save_question
from annotator.annotation.questions import QuestionSpec
from annotator.annotation.relations import RelationValues, relation_types_of, save_relation
from annotator.annotation.source_names import SourceChoice
from annotator.annotation.spans import SpanValues, save_gold, save_span
from annotator.assignments import handout
from annotator.jobs import work
from annotator.models import (
    Flag,
    Job,
    LearnedModel,
    Suggestion,
    SuggestionRun,
    SuggestionSettings,
)
from tests.support.database import database_rows

PASSWORD = "password-123"
ACTORS = ("anonymous", "outsider", "annotator", "manager", "admin")
USERNAMES = {"outsider": "otto", "annotator": "ann", "manager": "mia", "admin": "ada"}
LOGIN = "302 to /login"
AWAY = "302 elsewhere"
REFUSED = {LOGIN, 400, 401, 403, 404}
IGNORED_METHODS = {"HEAD", "OPTIONS"}  # answered by Flask from GET, never by our views


@dataclass
class Realm:
    """The ids a route's URL needs, all of real rows: ``ann``'s assigned document, span and
    link (from that span to a second one of ann's)."""

    app: object
    slug: str
    document_id: int
    span_id: str
    user_id: int
    relation_id: str = "ann-link-0001"
    job_id: str = "news-export-job"
    token_id: int = 0  # ann's access token
    question: str = "credibility"
    suggestion_id: int = 0  # a rule suggestion on ann's document
    flag_id: int = 0  # ann's open flag on her document
    model_id: int = 0  # a learned model of the project, switched off
    # two sources of the project; ann's attribution names the first
    source_ids: tuple[int, int] = (0, 0)

    def url_values(self, rule) -> dict:
        known = {
            "slug": self.slug,
            "document_id": self.document_id,
            "span_id": self.span_id,
            "user_id": self.user_id,
            "relation_id": self.relation_id,
            "job_id": self.job_id,
            "token_id": self.token_id,
            "chart": "labels",
            "question": self.question,
            "suggestion_id": self.suggestion_id,
            "new_span_id": "new-span-0001",
            "flag_id": self.flag_id,
            "model_id": self.model_id,
            "visit": "visit-0001",
            "source_id": self.source_ids[0],
        }
        unknown = set(rule.arguments) - set(known)
        assert not unknown, (
            f"route {rule.rule} ({rule.endpoint}) has URL parameters {sorted(unknown)} that "
            "Realm.url_values in tests/integration/test_authorization.py cannot fill yet: "
            "add real ids for them"
        )
        return {name: known[name] for name in rule.arguments}

    def client(self, actor: str, password: str = PASSWORD):
        client = self.app.test_client()
        if actor != "anonymous":
            response = client.post(
                "/login", data={"username": USERNAMES[actor], "password": password}
            )
            assert response.status_code == 302, f"log-in of {actor} failed"
        return client


def _nothing(_realm: Realm) -> dict:
    return {}


def _form(**fields: str) -> Callable[[Realm], dict]:
    return lambda _realm: {"data": dict(fields)}


def _upload(_realm: Realm) -> dict:
    line = b'{"id": "n-new", "text": "A new article arrived."}'
    return {"data": {"files": (io.BytesIO(line), "new.jsonl")}}


def _span_payload(_realm: Realm) -> dict:
    return {"json": {"label": "evidence", "start": 0, "end": 5, "text": "Mayor"}}


def _link_payload(_realm: Realm) -> dict:
    return {"json": {"type": "attributed_to", "source": "ann-span-0001", "target": "ann-span-0002"}}


def _answer_payload(_realm: Realm) -> dict:
    return {"json": {"value": 4}}


def _active_time_payload(_realm: Realm) -> dict:
    return {"json": {"seconds": 42}}


def _gold_link_payload(_realm: Realm) -> dict:
    link = {"type": "attributed_to", "source": "gold-span-0001", "target": "gold-span-0002"}
    return {"json": link}


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    answers: tuple  # one per actor, in the order of ACTORS
    body: Callable[[Realm], dict] = _nothing

    def __str__(self) -> str:
        return f"{self.method} {self.endpoint}"

    def answer(self, actor: str):
        return self.answers[ACTORS.index(actor)]


# fmt: off
ROUTES = [
    #                                                  anonymous outsider annotator manager admin
    Route("auth.login", "GET",                        (200,      200,     200,      200,    200)),
    Route("auth.login", "POST",                       (AWAY,     AWAY,    AWAY,     AWAY,   AWAY),
          _form(username="ann", password=PASSWORD)),
    Route("auth.logout", "POST",                      (LOGIN,    LOGIN,   LOGIN,    LOGIN,  LOGIN)),
    Route("projects.index", "GET",                    (LOGIN,    200,     200,      200,    200)),
    Route("projects.create", "POST",                  (LOGIN,    403,     403,      403,    AWAY),
          _form(slug="fresh", name="Fresh")),
    Route("projects.show", "GET",                     (LOGIN,    404,     200,      200,    200)),
    Route("projects.next_document", "POST",           (LOGIN,    404,     AWAY,     AWAY,   AWAY)),
    Route("projects.reopen", "POST",                  (LOGIN,    404,     403,      AWAY,   AWAY),
          _form(annotator="ann")),
    Route("projects.import_page", "GET",              (LOGIN,    404,     403,      200,    200)),
    Route("projects.import_page", "POST",             (LOGIN,    404,     403,      AWAY,   AWAY),
          _upload),
    Route("projects.guidelines", "GET",               (LOGIN,    404,     200,      200,    200)),
    Route("projects.settings", "GET",                 (LOGIN,    404,     403,      200,    200)),
    Route("projects.settings", "POST",                (LOGIN,    404,     403,      AWAY,   AWAY),
          _form(action="project", overlap="2", guidelines="Mark every claim.")),
    Route("projects.dashboard", "GET",                (LOGIN,    404,     403,      200,    200)),
    Route("projects.activity_log", "GET",             (LOGIN,    404,     403,      200,    200)),
    Route("projects.dashboard_csv", "GET",            (LOGIN,    404,     403,      200,    200)),
    Route("projects.assignments", "GET",              (LOGIN,    404,     403,      200,    200)),
    Route("projects.assignments", "POST",             (LOGIN,    404,     403,      AWAY,   AWAY),
          lambda realm: {"data": {"action": "priority", "priority": "2",
                                  "row": str(realm.document_id)}}),
    Route("admin.users", "GET",                       (LOGIN,    403,     403,      403,    200)),
    Route("admin.create_user", "POST",                (LOGIN,    403,     403,      403,    AWAY),
          _form(username="newcomer", password="newcomer-pass", role="annotator")),
    Route("admin.reset_password", "POST",             (LOGIN,    403,     403,      403,    AWAY),
          _form(password="another-pass-1")),
    Route("workspace.document", "GET",                (LOGIN,    404,     200,      200,    200)),
    Route("workspace.body", "GET",                    (LOGIN,    404,     200,      200,    200)),
    # Managers and admins have no assignment of their own for ann's document: nothing to mark.
    Route("workspace.status", "POST",                 (LOGIN,    404,     AWAY,     400,    400),
          _form(status="done")),
    Route("workspace.label_css", "GET",               (LOGIN,    404,     200,      200,    200)),
    # ann has spans on her document, so skipping it is refused (409); managers have no
    # assignment of their own there: nothing to skip or flag (400).
    Route("workspace.skip", "POST",                   (LOGIN,    404,     409,      400,    400)),
    Route("workspace.flag", "POST",                   (LOGIN,    404,     AWAY,     400,    400),
          _form(reason="broken_text", note="half the text is missing")),
    Route("projects.resolve_flag", "POST",            (LOGIN,    404,     403,      AWAY,   AWAY),
          _form(outcome="return", resolution="fixed")),
    # The confirmation page (no confirm=yes): nothing changes yet.
    Route("projects.bulk_action", "POST",             (LOGIN,    404,     403,      200,    200),
          lambda realm: {"data": {"action": "reopen", "document": str(realm.document_id)}}),
    # Everyone who may open the document records their own active time on it.
    Route("api.put_active_time", "PUT",               (401,      404,     200,      200,    200),
          _active_time_payload),
    Route("api.list_spans", "GET",                    (401,      404,     200,      200,    200)),
    # A span belongs to its annotator: managers read it but cannot change it through its id.
    Route("api.put_span", "PUT",                      (401,      404,     200,      404,    404),
          _span_payload),
    Route("api.remove_span", "DELETE",                (401,      404,     200,      404,    404)),
    Route("suggestions.list_suggestions", "GET",      (401,      404,     200,      200,    200)),
    Route("suggestions.compute_suggestions", "POST",  (401,      404,     200,      200,    200)),
    # Accepting makes a span of the caller's own (a manager who annotates gets an assignment).
    Route("suggestions.accept", "PUT",                (401,      404,     201,      201,    201)),
    Route("suggestions.reject", "PUT",                (401,      404,     200,      200,    200)),
    Route("suggestions.unreject", "DELETE",           (401,      404,     200,      200,    200)),
    Route("suggestions.measures", "GET",              (LOGIN,    404,     403,      200,    200)),
    Route("suggestions.settings", "GET",              (LOGIN,    404,     403,      200,    200)),
    Route("suggestions.settings", "POST",             (LOGIN,    404,     403,      AWAY,   AWAY),
          _form(rules_enabled="on", lexicon="[verbs]\nsaid\n", share="50", unit="annotator",
                http_timeout="2", http_url="")),
    # Learning runs as a job (here it fails at once: too little gold), its page follows.
    Route("suggestions.learn", "POST",                (LOGIN,    404,     403,      AWAY,   AWAY),
          _form()),
    Route("suggestions.switch_model", "POST",         (LOGIN,    404,     403,      AWAY,   AWAY),
          _form(enabled="0")),
    Route("api.list_relations", "GET",                (401,      404,     200,      200,    200)),
    # A link belongs to its annotator, like a span.
    Route("api.put_relation", "PUT",                  (401,      404,     200,      404,    404),
          _link_payload),
    Route("api.remove_relation", "DELETE",            (401,      404,     200,      404,    404)),
    Route("answers_api.list_answers", "GET",          (401,      404,     200,      200,    200)),
    Route("answers_api.get_answer", "GET",            (401,      404,     200,      200,    200)),
    # An answer is the caller's own: ann's stays as it is (200), a manager answers for themself.
    Route("answers_api.put_answer", "PUT",            (401,      404,     200,      201,    201),
          _answer_payload),
    Route("answers_api.remove_answer", "DELETE",      (401,      404,     200,      200,    200)),
    Route("export.form", "GET",                       (LOGIN,    404,     403,      200,    200)),
    Route("export.download", "GET",                   (LOGIN,    404,     403,      200,    200)),
    Route("export.prepare", "POST",                   (LOGIN,    404,     403,      AWAY,   AWAY),
          _form(format="native")),
    # A finished export job of project news, its file and its dataset card (see build_realm).
    Route("jobs.page", "GET",                         (LOGIN,    404,     403,      200,    200)),
    Route("jobs.progress", "GET",                     (LOGIN,    404,     403,      200,    200)),
    Route("jobs.cancel", "POST",                      (LOGIN,    404,     403,      AWAY,   AWAY)),
    Route("jobs.download", "GET",                     (LOGIN,    404,     403,      200,    200)),
    Route("jobs.card", "GET",                         (LOGIN,    404,     403,      200,    200)),
    Route("health", "GET",                            (200,      200,     200,      200,    200)),
    Route("agreement.page", "GET",                    (LOGIN,    404,     403,      200,    200)),
    Route("agreement.figures_csv", "GET",             (LOGIN,    404,     403,      200,    200)),
    Route("agreement.spans", "GET",                   (LOGIN,    404,     403,      200,    200)),
    # Blind: ann has not finished the document and the comparison is closed to annotators.
    Route("compare.document", "GET",                  (LOGIN,    404,     404,      200,    200)),
    Route("compare.accept", "POST",                   (LOGIN,    404,     403,      AWAY,   AWAY),
          lambda realm: {"data": {"span_id": realm.span_id}}),
    Route("compare.accept_agreed", "POST",            (LOGIN,    404,     403,      AWAY,   AWAY),
          _form(at_least="2")),
    Route("compare.edit_gold", "POST",                (LOGIN,    404,     403,      AWAY,   AWAY),
          _form(label="evidence", start="0", end="5")),  # gold has a claim there
    Route("compare.gold_workspace", "GET",            (LOGIN,    404,     403,      200,    200)),
    Route("compare.gold_body", "GET",                 (LOGIN,    404,     403,      200,    200)),
    Route("gold_api.list_gold", "GET",                 (401,      404,     403,      200,    200)),
    Route("gold_api.put_gold", "PUT",                  (401,      404,     403,      201,    201),
          _span_payload),
    Route("gold_api.remove_gold", "DELETE",            (401,      404,     403,      200,    200)),
    Route("compare.accept_relation", "POST",          (LOGIN,    404,     403,      AWAY,   AWAY),
          lambda realm: {"data": {"relation_id": realm.relation_id}}),
    Route("compare.accept_attributes", "POST",        (LOGIN,    404,     403,      AWAY,   AWAY),
          lambda realm: {"data": {"span_id": realm.span_id}}),
    Route("compare.adjudication", "POST",             (LOGIN,    404,     403,      AWAY,   AWAY),
          _form(status="adjudicated")),
    Route("curation.page", "GET",                     (LOGIN,    404,     403,      200,    200)),
    Route("curation.accept", "POST",                  (LOGIN,    404,     403,      AWAY,   AWAY),
          lambda realm: {"data": {"span_id": realm.span_id}}),
    # The region [0, 5) holds only ann's unfinished claim: no majority, refused with 409.
    Route("curation.accept_majority", "POST",         (LOGIN,    404,     403,      409,    409),
          _form(start="0", end="5")),
    Route("curation.reject", "POST",                  (LOGIN,    404,     403,      AWAY,   AWAY),
          _form(start="0", end="5")),
    Route("curation.comment", "POST",                 (LOGIN,    404,     403,      AWAY,   AWAY),
          _form(annotator="ann", text="Check the boundary.")),
    Route("curation.gold_answer", "POST",             (LOGIN,    404,     403,      AWAY,   AWAY),
          _form(question="credibility", action="take", annotator="ann")),
    Route("compare.edit_gold_relation", "POST",       (LOGIN,    404,     403,      AWAY,   AWAY),
          _form(action="delete")),
    Route("gold_api.list_gold_relations", "GET",       (401,      404,     403,      200,    200)),
    Route("gold_api.put_gold_relation", "PUT",         (401,      404,     403,      201,    201),
          _gold_link_payload),
    Route("gold_api.remove_gold_relation", "DELETE",   (401,      404,     403,      200,    200)),
    # Everyone makes and sees their own access tokens; only the owner (ann) revokes hers.
    Route("account.tokens", "GET",                    (LOGIN,    200,     200,      200,    200)),
    Route("account.create_token", "POST",             (LOGIN,    201,     201,      201,    201),
          _form(name="script", scope="read", days="30", project="")),
    Route("account.revoke_token", "POST",             (LOGIN,    404,     AWAY,     404,    404)),
    Route("api_projects.list_projects", "GET",        (401,    200,     200,      200,    200)),
    Route("api_projects.list_documents", "GET",       (401,    404,     403,      200,    200)),
    # Annotators read only documents handed to them (ann's is), managers every one.
    Route("api_projects.show_document", "GET",        (401,    404,     200,      200,    200)),
    # Queued as a job (run at once in tests): 202 with the job's URL.
    Route("api_projects.import_documents", "POST",    (401,    404,     403,      202,    202),
          _upload),
    Route("api_projects.job_status", "GET",           (401,    404,     403,      200,    200)),
    Route("api_projects.export", "GET",               (401,    404,     403,      200,    200)),
    Route("api_projects.agreement", "GET",            (401,    404,     403,      200,    200)),
    # The picker's suggestions: source names are project-wide, every member reads them.
    Route("sources.search", "GET",                    (401,      404,     200,      200,    200)),
    # The Sources page's counts come from everyone's work: managers only (blind annotation).
    Route("sources.page", "GET",                      (LOGIN,    404,     403,      200,    200)),
    Route("sources.download", "GET",                  (LOGIN,    404,     403,      200,    200)),
    Route("sources.edit", "POST",                     (LOGIN,    404,     403,      AWAY,   AWAY),
          _form(name="Reuters", kind="outlet", url="https://www.reuters.com", wikidata="Q130879")),
    # Without confirm=yes: the confirmation page, nothing merged yet.
    Route("sources.merge", "POST",                    (LOGIN,    404,     403,      200,    200),
          lambda realm: {"data": {"source": [str(item) for item in realm.source_ids]}}),
    Route("openapi.spec", "GET",                      (200,      200,     200,      200,    200)),
    Route("openapi.page", "GET",                      (200,      200,     200,      200,    200)),
]
# fmt: on


def served_routes(app) -> dict[tuple[str, str], object]:
    """(endpoint, method) → rule, for every rule of the app except static files."""
    return {
        (rule.endpoint, method): rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in sorted(rule.methods - IGNORED_METHODS)
    }


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table: equal snapshots mean nothing was written."""
    return database_rows(app.extensions["annotator.engine"])


def send(realm: Realm, client, route: Route, rule):
    with realm.app.test_request_context():
        url = url_for(route.endpoint, **realm.url_values(rule))
    return url, client.open(url, method=route.method, **route.body(realm))


def check_answer(response, expected, what: str) -> None:
    location = response.headers.get("Location", "")
    got = f"{response.status_code} {location}".strip()
    if expected == LOGIN:
        assert response.status_code == 302 and urlsplit(location).path == "/login", (
            f"{what}: expected a redirect to the log-in page, got {got}"
        )
    elif expected == AWAY:
        assert response.status_code in (302, 303) and urlsplit(location).path != "/login", (
            f"{what}: expected a redirect (not to log-in), got {got}"
        )
    else:
        assert response.status_code == expected, f"{what}: expected {expected}, got {got}"


def build_realm(app, world) -> Realm:
    """Project ``news`` (manager mia, annotator ann with a document and a span), project ``other``
    (annotator otto), site admin ada who is in no project."""
    world.user("ada", admin=True)
    for name in ("mia", "ann", "otto"):
        world.user(name)
    world.project("news", manager="mia", annotators=["ann"])
    world.import_jsonl(
        "news",
        [
            {"id": "n1", "text": "Mayor says the bridge is safe, engineers disagree."},
            {"id": "n2", "text": "Port authority blames faulty wiring."},
        ],
    )
    world.project("other", annotators=["otto"])
    world.import_jsonl("other", [{"id": "o1", "text": "Elsewhere, nothing happened."}])
    with app.app_context():
        session = db.session()
        project = store.project_by_slug(session, "news")
        ann = store.user_by_name(session, "ann")
        document = handout.next_document(session, project, ann)
        claim, _evidence, attribution = store.labels_of(session, project.id)
        span, _created = save_span(
            session, document, ann, "ann-span-0001", SpanValues(claim.id, 0, 5, "")
        )
        reuters, _made = sources.find_or_create(session, project.id, "Reuters", "outlet", ann)
        agency, _made = sources.find_or_create(session, project.id, "Reuters agency", "outlet", ann)
        save_span(
            session,
            document,
            ann,
            "ann-span-0002",
            SpanValues(attribution.id, 6, 10, "", None, SourceChoice(id=reuters.id)),
        )
        attributed_to = relation_types_of(session, project.id)[0]
        link = RelationValues(
            attributed_to.id, attributed_to.name, "ann-span-0001", "ann-span-0002", None
        )
        save_relation(session, document, ann, "ann-link-0001", link)
        save_question(
            session,
            project,
            None,
            QuestionSpec(name="credibility", kind="scale", minimum=1, maximum=5, required=True),
        )
        session.commit()
        save_answer(session, document, ann, "credibility", {"value": 4})
        mia = store.user_by_name(session, "mia")
        save_gold(session, document, mia, "gold-span-0001", SpanValues(claim.id, 0, 5, ""))
        save_gold(session, document, mia, "gold-span-0002", SpanValues(attribution.id, 6, 10, ""))
        job = Job(
            id="news-export-job",
            project_id=project.id,
            user_id=mia.id,
            kind="export",
            status="done",
            result={"name": "news.jsonl", "card": True},
        )
        session.add(job)
        session.commit()
        work.export_path(job.id).parent.mkdir(parents=True, exist_ok=True)
        work.export_path(job.id).write_text('{"id": "n1"}\n')
        work.card_path(job.id).write_text("# news\n")
        token = api_tokens.create(session, ann, name="ann's", scope="read", days=30, project=None)
        session.add(SuggestionSettings(project_id=project.id, rules_enabled=True))
        suggestion = Suggestion(
            project_id=project.id,
            document_id=document.id,
            label_id=attribution.id,
            start=0,
            end=10,
            recommender="rules",
        )
        session.add(suggestion)
        session.add(
            SuggestionRun(
                document_id=document.id, recommender="rules", project_id=project.id, status="done"
            )
        )
        flag = Flag(
            project_id=project.id, document_id=document.id, annotator_id=ann.id, reason="off_topic"
        )
        session.add(flag)
        model = LearnedModel(
            project_id=project.id,
            documents=0,
            held_out=0,
            gold_documents=0,
            seconds=0.0,
            model=b"never loaded: it stays switched off",
        )
        session.add(model)
        session.commit()
        return Realm(
            app,
            "news",
            document.id,
            span.id,
            ann.id,
            "ann-link-0001",
            job_id=job.id,
            token_id=token.token.id,
            suggestion_id=suggestion.id,
            flag_id=flag.id,
            model_id=model.id,
            source_ids=(reuters.id, agency.id),
        )


@pytest.fixture
def realm(kept) -> Realm:
    """Built once per module and database; rebuilt only after a test that changed it."""
    return kept("realm", build_realm)


def test_every_route_of_the_app_has_an_authorization_rule(app):
    served = served_routes(app)
    tabled = {(route.endpoint, route.method) for route in ROUTES}
    missing = sorted(set(served) - tabled)
    assert not missing, (
        "routes without an authorization rule in ROUTES of tests/integration/test_authorization.py "
        "(add the designed answer per actor): "
        + "; ".join(
            f"{method} {served[endpoint, method].rule} ({endpoint})" for endpoint, method in missing
        )
    )
    stale = sorted(tabled - set(served))
    assert not stale, f"ROUTES names routes the app does not serve: {stale}"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_route_answers_each_actor_as_designed_and_refusals_change_nothing(realm, route, actor):
    app = realm.app
    rule = served_routes(app).get((route.endpoint, route.method))
    assert rule is not None, f"the app no longer serves {route}"
    client = realm.client(actor)
    before = snapshot(app)
    url, response = send(realm, client, route, rule)
    expected = route.answer(actor)
    check_answer(response, expected, f"{actor} {route.method} {url}")
    # Log-out answers with the log-in page too, but it is no refusal: it ends the account's
    # sessions on the server, which is a write.
    if expected in REFUSED and route.endpoint != "auth.logout":
        assert snapshot(app) == before, f"{actor} {route.method} {url} was refused but wrote"
