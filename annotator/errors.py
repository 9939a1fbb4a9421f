"""The one vocabulary of errors a user can cause, each with the HTTP answer it gets.

Every such error is an :class:`AnnotatorError`: its message is shown as it is (in the page, the
JSON API or the command line), ``field`` names what is wrong when one field is, and ``status`` is
the HTTP status one handler (``annotator.views.http``) answers with. Anything else raised is a bug.
Pure: no Flask.
"""

from __future__ import annotations


class AnnotatorError(ValueError):
    """A problem the user can fix; nothing was changed."""

    status: int = 422

    def __init__(self, message: str, *, field: str | None = None, status: int | None = None):
        super().__init__(message)
        self.field = field
        if status is not None:
            self.status = status


class Invalid(AnnotatorError):
    """A value that does not fit (a name, a setting, a filter)."""


class Refused(AnnotatorError):
    """A change that cannot be applied: 400 malformed, 404 not found, 409 conflict, 422 invalid."""

    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message, field=field, status=status)


class Problem(AnnotatorError):
    """A definition (relation type, attribute) or a value for one that does not fit."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message, field=field)


class ImportRejected(AnnotatorError):
    """The file cannot be imported; nothing of it is stored. The message names where and why."""

    def __init__(self, source: str, line: int | None, field: str | None, reason: str):
        self.source, self.line, self.reason = source, line, reason
        where = source if line is None else f"{source}, line {line}"
        what = f"field '{field}': " if field else ""
        super().__init__(f"{where}: {what}{reason}", field=field)


class ConfigError(AnnotatorError):
    """A setting is malformed; the message names the variable and the reason."""

    status = 500  # the server's fault, not the request's


class InvalidQuestion(Invalid):
    """A question definition that does not fit (name, kind, choices, scale ends); ``field`` names
    the form field."""


class InvalidAnswer(AnnotatorError):
    """An answer that does not fit its question; ``field`` is ``value`` (or the payload's key)."""
