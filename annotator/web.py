"""Registers the blueprints of every area."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from annotator import admin, api, projects, workspace

    for module in (projects, admin, workspace, api):
        app.register_blueprint(module.bp)
