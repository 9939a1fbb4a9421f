"""Reading what a rendered page tells a test client."""

from __future__ import annotations


def csrf_token(client) -> str:
    """The CSRF token the app puts in every page's ``<meta name="csrf-token">``, for a test
    client's JSON writes (``X-CSRFToken``)."""
    page = client.get("/").get_data(as_text=True)
    return page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
