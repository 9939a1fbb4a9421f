"""Registers the blueprints of every area, and the health endpoint."""

from __future__ import annotations

from flask import Flask, jsonify
from sqlalchemy import text

from annotator import db


def register(app: Flask) -> None:
    from annotator.views import (
        account,
        admin,
        agreement,
        answers_api,
        api,
        api_projects,
        compare,
        curation,
        export,
        gold_api,
        jobs,
        openapi,
        projects,
        sources,
        suggestions,
        workspace,
    )

    for module in (
        projects,
        admin,
        workspace,
        api,
        api_projects,
        gold_api,
        export,
        compare,
        agreement,
        account,
        openapi,
        curation,
        jobs,
        suggestions,
        sources,
    ):
        app.register_blueprint(module.bp)
    app.register_blueprint(answers_api.bp)

    @app.get("/health")
    def health():
        """For load balancers and process managers: 200 when the database answers."""
        try:
            db.session().execute(text("SELECT 1"))
            problem = db.write_problem(db.engine())
        except Exception as error:  # noqa: BLE001 - any database failure means "unhealthy"
            return jsonify(status="unavailable", database=type(error).__name__), 503
        if problem is not None:  # reads work, saves would fail: not fit to serve annotators
            return jsonify(status="unavailable", database="refuses writes", reason=problem), 503
        return jsonify(status="ok", database="ok")
