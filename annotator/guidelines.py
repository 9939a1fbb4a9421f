"""Guidelines are Markdown written by managers; rendered without raw HTML, then sanitised."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(source: str) -> Markup:
    return Markup(nh3.clean(_markdown.render(source or "")))
