"""Registers the blueprints of every area, and the health endpoint."""

from __future__ import annotations

from flask import Flask, jsonify
from sqlalchemy import text

from annotator import db


def register(app: Flask) -> None:
    from annotator.views import (
        admin,
        agreement,
        api,
        compare,
        curation,
        export,
        gold_api,
        jobs,
        projects,
        workspace,
    )

    for module in (
        projects,
        admin,
        workspace,
        api,
        gold_api,
        export,
        compare,
        curation,
        agreement,
        jobs,
    ):
        app.register_blueprint(module.bp)

    @app.get("/health")
    def health():
        """For load balancers and process managers: 200 when the database answers."""
        try:
            db.session().execute(text("SELECT 1"))
        except Exception as error:  # noqa: BLE001 - any database failure means "unhealthy"
            return jsonify(status="unavailable", database=type(error).__name__), 503
        return jsonify(status="ok", database="ok")
