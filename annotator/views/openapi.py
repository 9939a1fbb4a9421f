"""The JSON API described in OpenAPI 3.1 (``/api/openapi.json``) and a page that shows it.

The description is written here by hand next to the routes it describes; a test checks that every
``/api/`` route of the app is in it and that it names only routes that exist.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template

from annotator.api_tokens import SCOPES
from annotator.data_export.records import EXPORT_FORMATS
from annotator.data_import.detect import FORMATS as IMPORT_FORMATS

bp = Blueprint("openapi", __name__)

SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
DOCUMENT = {"name": "document_id", "in": "path", "required": True, "schema": {"type": "integer"}}
ITEM_ID = {"in": "path", "required": True, "schema": {"type": "string", "maxLength": 36}}
ANNOTATOR = {
    "name": "annotator",
    "in": "query",
    "required": False,
    "description": "managers only: whose work to read (default: your own)",
    "schema": {"type": "string"},
}
ERROR = {
    "description": "refused: the reason, and the field when one is wrong",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
SPAN_BODY = {
    "type": "object",
    "required": ["label", "start", "end"],
    "properties": {
        "label": {"type": "string"},
        "start": {"type": "integer", "description": "code points, inclusive"},
        "end": {"type": "integer", "description": "code points, exclusive"},
        "text": {"type": "string", "description": "if sent, must equal text[start:end]"},
        "note": {"type": "string"},
        "attributes": {"type": "object", "additionalProperties": {"type": "string"}},
        "named_source": {
            "type": ["object", "null"],
            "description": "the project-wide source the span names (labels that name one): "
            '{"id": n}, or {"name": "…", "kind": "person|organisation|outlet|document|other"} '
            "found or created by name; null for none; left out: kept",
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string", "maxLength": 200},
                "kind": {"type": "string"},
            },
        },
    },
}
RELATION_BODY = {
    "type": "object",
    "required": ["type", "source", "target"],
    "properties": {
        "type": {"type": "string"},
        "source": {"type": "string", "description": "span id"},
        "target": {"type": "string", "description": "span id"},
        "value": {"type": ["string", "null"]},
    },
}


def _ok(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {}}}


def _item_routes(path: str, what: str, body: dict[str, Any], key: str, tag: str) -> dict:
    """GET list, and PUT / DELETE of one item, for spans, links and their gold layers."""
    scope = [DOCUMENT | {}, SLUG]
    item = ITEM_ID | {"name": key}
    errors = {"400": ERROR, "403": ERROR, "404": ERROR, "422": ERROR}
    return {
        path: {
            "get": {
                "tags": [tag],
                "summary": f"List {what}",
                "parameters": [*scope, *([ANNOTATOR] if tag == "annotation" else [])],
                "responses": {"200": _ok(f"the {what}"), "404": ERROR},
            }
        },
        f"{path}/{{{key}}}": {
            "put": {
                "tags": [tag],
                "summary": f"Create or update one of the {what} (idempotent; the client "
                "makes the id, a UUID)",
                "parameters": [*scope, item],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": body}},
                },
                "responses": {"200": _ok("updated"), "201": _ok("created"), **errors},
            },
            "delete": {
                "tags": [tag],
                "summary": f"Delete one of the {what} (idempotent)",
                "parameters": [*scope, item],
                "responses": {"200": _ok("{deleted: true|false}"), **errors},
            },
        },
    }


def _answer_routes(path: str) -> dict:
    """The caller's answers to the project's document questions: list, and GET / PUT / DELETE
    of the answer to one question (named in the path)."""
    scope = [DOCUMENT | {}, SLUG]
    question = {"name": "question", "in": "path", "required": True, "schema": {"type": "string"}}
    errors = {"400": ERROR, "403": ERROR, "404": ERROR, "422": ERROR}
    body = {
        "type": "object",
        "required": ["value"],
        "properties": {"value": {"description": "a choice, a list of choices, a number or text"}},
    }
    return {
        path: {
            "get": {
                "tags": ["answers"],
                "summary": "List the caller's answers on this document",
                "parameters": [*scope, ANNOTATOR],
                "responses": {"200": _ok("the answers"), "404": ERROR},
            }
        },
        f"{path}/{{question}}": {
            "get": {
                "tags": ["answers"],
                "summary": "The answer to one question",
                "parameters": [*scope, question],
                "responses": {"200": _ok("the answer"), "404": ERROR},
            },
            "put": {
                "tags": ["answers"],
                "summary": "Answer one question (idempotent)",
                "parameters": [*scope, question],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": body}},
                },
                "responses": {"200": _ok("updated"), "201": _ok("created"), **errors},
            },
            "delete": {
                "tags": ["answers"],
                "summary": "Clear the answer to one question (idempotent)",
                "parameters": [*scope, question],
                "responses": {"200": _ok("{deleted: true|false}"), **errors},
            },
        },
    }


def _suggestion_routes(path: str) -> dict:
    """The document's suggestions for the caller (docs/suggestions.md): list, compute, accept as
    a span of the caller's, reject or take a rejection back."""
    scope = [DOCUMENT | {}, SLUG]
    suggestion = {
        "name": "suggestion_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer"},
    }
    span = ITEM_ID | {"name": "new_span_id"}
    errors = {"400": ERROR, "403": ERROR, "404": ERROR, "409": ERROR}
    listing = _ok("{state: off|hidden|pending|ready, problem, suggestions: [...]}")
    return {
        path: {
            "get": {
                "tags": ["suggestions"],
                "summary": "The stored suggestions the caller may see",
                "parameters": scope,
                "responses": {"200": listing, "404": ERROR},
            },
            "post": {
                "tags": ["suggestions"],
                "summary": "Ask the recommenders that have not answered yet, then list",
                "parameters": scope,
                "responses": {"200": listing, "404": ERROR},
            },
        },
        f"{path}/{{suggestion_id}}/accept/{{new_span_id}}": {
            "put": {
                "tags": ["suggestions"],
                "summary": "Accept: save it as the caller's span new_span_id, origin "
                "suggestion (idempotent)",
                "parameters": [*scope, suggestion, span],
                "responses": {"200": _ok("the span"), "201": _ok("the span"), **errors},
            }
        },
        f"{path}/{{suggestion_id}}/rejection": {
            "put": {
                "tags": ["suggestions"],
                "summary": "Reject it for the caller (idempotent)",
                "parameters": [*scope, suggestion],
                "responses": {"200": _ok("{rejected: true}"), **errors},
            },
            "delete": {
                "tags": ["suggestions"],
                "summary": "Take the caller's rejection back (undo; idempotent)",
                "parameters": [*scope, suggestion],
                "responses": {"200": _ok("{rejected: false}"), **errors},
            },
        },
    }


def description() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the JSON API."""
    document = "/api/projects/{slug}/documents/{document_id}"
    paths: dict[str, Any] = {
        "/api/projects": {
            "get": {
                "tags": ["projects"],
                "summary": "Your projects (a token for one project: that one) and your role",
                "responses": {"200": _ok("{projects: [{slug, name, role}]}")},
            }
        },
        "/api/projects/{slug}/documents": {
            "get": {
                "tags": ["projects"],
                "summary": "A project's documents, 100 a page (managers)",
                "parameters": [
                    SLUG,
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    {
                        "name": "q",
                        "in": "query",
                        "description": "only documents whose id, title or text contains this",
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {
                    "200": _ok("{documents: [{id, external_id, title, length}], next_page}"),
                    "403": ERROR,
                    "404": ERROR,
                },
            },
            "post": {
                "tags": ["projects"],
                "summary": "Import files as a background job, all or nothing (managers; "
                "read-write tokens); poll the job's URL (Location) until it is finished",
                "parameters": [SLUG],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["files"],
                                "properties": {
                                    "files": {
                                        "type": "array",
                                        "items": {"type": "string", "format": "binary"},
                                    },
                                    "format": {"type": "string", "enum": list(IMPORT_FORMATS)},
                                    "annotator": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "202": {
                        "description": "accepted: {job, status, url}; the job's URL is also in "
                        "the Location header. A small import has run already (status done or "
                        "failed); a larger one is queued",
                        "headers": {"Location": {"schema": {"type": "string"}}},
                        "content": {"application/json": {}},
                    },
                    "400": ERROR,
                    "403": ERROR,
                    "404": ERROR,
                    "413": ERROR,
                    "415": ERROR,
                },
            },
        },
        document: {
            "get": {
                "tags": ["projects"],
                "summary": "One document: text, title, meta, and the status and spans of whose "
                "work you may read (annotators: their own, of documents handed to them)",
                "parameters": [SLUG, DOCUMENT, ANNOTATOR],
                "responses": {
                    "200": _ok(
                        "{id, external_id, title, url, text, length, meta, annotator, status, "
                        "spans}"
                    ),
                    "404": ERROR,
                },
            }
        },
        "/api/projects/{slug}/jobs/{job_id}": {
            "get": {
                "tags": ["projects"],
                "summary": "A background job of the project (managers): its state and progress",
                "parameters": [
                    SLUG,
                    {
                        "name": "job_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {
                    "200": _ok(
                        "{id, kind, status: queued|running|done|failed|cancelled, finished, "
                        "done, total, message, result (an import's counts), errors: [{file, "
                        "line, field, reason}] (why a failed job stored nothing)}"
                    ),
                    "403": ERROR,
                    "404": ERROR,
                },
            }
        },
        "/api/projects/{slug}/export": {
            "get": {
                "tags": ["projects"],
                "summary": "Download an export (managers); options as on the export page",
                "parameters": [
                    SLUG,
                    {
                        "name": "format",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(EXPORT_FORMATS)},
                    },
                    {"name": "min_done", "in": "query", "schema": {"type": "integer"}},
                    {"name": "annotators", "in": "query", "schema": {"type": "string"}},
                    {"name": "labels", "in": "query", "schema": {"type": "string"}},
                    {"name": "gold_only", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "offsets", "in": "query", "schema": {"type": "string"}},
                    {"name": "scheme", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "the file"}, "403": ERROR, "404": ERROR},
            }
        },
        "/api/projects/{slug}/agreement": {
            "get": {
                "tags": ["projects"],
                "summary": "Agreement between annotators (managers), as `annotator agreement "
                "--json` prints it",
                "parameters": [
                    SLUG,
                    {"name": "labels", "in": "query", "schema": {"type": "string"}},
                    {"name": "annotators", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {"200": _ok("the report"), "403": ERROR, "404": ERROR, "422": ERROR},
            }
        },
        "/api/openapi.json": {
            "get": {
                "tags": ["meta"],
                "summary": "This description",
                "security": [],
                "responses": {"200": _ok("OpenAPI 3.1")},
            }
        },
    }
    paths |= _item_routes(f"{document}/spans", "spans", SPAN_BODY, "span_id", "annotation")
    paths |= _item_routes(
        f"{document}/relations", "links", RELATION_BODY, "relation_id", "annotation"
    )
    paths |= _item_routes(f"{document}/gold", "gold spans", SPAN_BODY, "span_id", "gold")
    paths |= _item_routes(
        f"{document}/gold-relations", "gold links", RELATION_BODY, "relation_id", "gold"
    )
    paths["/api/projects/{slug}/sources"] = {
        "get": {
            "tags": ["annotation"],
            "summary": "The project's sources whose name starts with, then holds, q (case and "
            "spacing ignored), at most 20: {sources: [{id, name, kind}]}",
            "parameters": [
                SLUG,
                {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
            ],
            "responses": {"200": _ok("the matching sources"), "404": ERROR, "422": ERROR},
        }
    }
    paths |= _answer_routes(f"{document}/answers")
    paths |= _suggestion_routes(f"{document}/suggestions")
    paths[f"{document}/active-time/{{visit}}"] = {
        "put": {
            "tags": ["annotation"],
            "summary": "The caller's active seconds on the document in one page visit (a running "
            "total, kept only when larger: a resend never counts twice); answers their total",
            "parameters": [DOCUMENT | {}, SLUG, ITEM_ID | {"name": "visit"}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["seconds"],
                            "properties": {"seconds": {"type": "integer", "minimum": 0}},
                        }
                    }
                },
            },
            "responses": {
                "200": _ok("{document, visit, total_seconds}"),
                "400": ERROR,
                "404": ERROR,
                "422": ERROR,
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "annotator API",
            "version": "1",
            "description": "Offsets are Unicode code points, half-open [start, end). "
            "Authenticate with a personal access token (made on the account page) in "
            "'Authorization: Bearer <token>'; scopes: " + ", ".join(SCOPES) + ". "
            "A read token may only GET. Browser sessions work too (with the CSRF token).",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {"type": "string"},
                        "field": {"type": ["string", "null"]},
                        "status": {"type": "integer"},
                    },
                }
            },
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }


@bp.get("/api/openapi.json")
def spec():
    return jsonify(description())


@bp.get("/api/docs")
def page():
    return render_template("api/docs.html", spec=description())
