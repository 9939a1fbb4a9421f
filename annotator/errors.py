"""Error pages and security headers.

API requests (``/api/…``) get JSON errors; htmx requests get a short fragment; pages a full page.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return _answer(
            400,
            f"The request is missing a valid CSRF token ({error.description}). "
            "Reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        return _answer(error.code or 500, error.description or error.name)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def _answer(code: int, message: str):
    if request.path.startswith("/api/"):
        return jsonify(error=message, status=code), code
    if request.headers.get("HX-Request"):
        return render_template("_error.html", code=code, message=message), code
    return render_template("error.html", code=code, message=message), code
