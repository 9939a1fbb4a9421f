"""annotator.annotation.highlight.render: nested marks whose text is exactly the stored text."""

import re
from html import unescape

import pytest

from annotator.annotation.highlight import Highlight, render, render_list

TEXT = "Reuters quoted Захарова 👩\u200d👩\u200d👧 as saying <b>&</b> مفاوضات"


def plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def spans_in(html: str) -> dict[str, str]:
    """Text covered by each span id, joining its fragments."""
    covered: dict[str, str] = {}
    stack: list[str] = []
    for token in re.split(r"(<mark[^>]*>|</mark>)", html):
        if token.startswith("<mark"):
            stack.append(re.search(r'data-span="([^"]+)"', token).group(1))
        elif token == "</mark>":
            stack.pop()
        else:
            for span_id in stack:
                covered[span_id] = covered.get(span_id, "") + unescape(token)
    return covered


def make(span_id, start, end, label="claim"):
    return Highlight(span_id, 1, label, start, end)


def test_text_without_spans_is_escaped_and_unchanged():
    html = str(render(TEXT, []))
    assert "<b>" not in html
    assert plain(html) == TEXT


@pytest.mark.parametrize(
    "spans",
    [
        [make("a", 0, 7)],
        [make("outer", 0, 23), make("inner", 8, 14)],
        [make("left", 0, 14), make("right", 8, 23)],  # crossing: split into fragments
        [make("same1", 15, 23), make("same2", 15, 23)],
        [make("emoji", 24, 29), make("rtl", len(TEXT) - 7, len(TEXT))],
        [make(str(i), i, i + 5) for i in range(0, len(TEXT) - 5, 2)],
    ],
)
def test_every_span_covers_exactly_its_text_and_the_text_is_intact(spans):
    html = str(render(TEXT, spans))
    assert plain(html) == TEXT
    covered = spans_in(html)
    for span in spans:
        assert covered[span.id] == TEXT[span.start : span.end]
    assert html.count("<mark") == html.count("</mark>")


def test_nested_span_is_drawn_deeper_than_its_parent():
    html = str(render(TEXT, [make("outer", 0, 23), make("inner", 8, 14)]))
    assert 'class="span lab-1 d1" data-span="outer"' in html
    assert 'class="span lab-1 d2" data-span="inner"' in html


def test_label_and_note_are_escaped_in_the_hover_title():
    html = str(render("abc", [Highlight("x", 1, "claim", 0, 3, 'say "<script>"')]))
    assert "<script>" not in html
    assert 'title="claim: say &quot;&lt;script&gt;&quot;"' in html


def test_span_list_is_in_given_order_escaped_and_previews_long_text():
    spans = [
        Highlight("a<", 1, "claim", 0, 7, "<img src=x>"),
        Highlight("b", 2, "evidence", 8, len(TEXT)),
    ]
    html = str(render_list(TEXT, spans, preview=10))
    assert html.index('data-span="a&lt;"') < html.index('data-span="b"')
    assert "<img" not in html and "&lt;img src=x&gt;" in html
    assert "quoted Зa…" not in html and ">quoted За…<" in html


def tags_in(html: str) -> list[tuple[str, str]]:
    """(span id, tag) of every mark fragment that carries a label tag, in document order."""
    return re.findall(r'<mark[^>]*data-span="([^"]+)" data-tag="([^"]+)"', html)


def test_each_span_carries_its_label_tag_once_even_when_split_by_a_crossing_span():
    spans = [make("left", 0, 14, "claim"), make("right", 8, 23, "evidence")]
    html = str(render(TEXT, spans))
    assert (
        len(re.findall(r'data-span="left"', html)) + len(re.findall(r'data-span="right"', html)) > 2
    )
    assert tags_in(html) == [("left", "claim"), ("right", "evidence")]


def test_nested_spans_of_one_label_each_show_their_own_tag():
    html = str(render(TEXT, [make("outer", 0, 23), make("inner", 8, 14)]))
    assert tags_in(html) == [("outer", "claim"), ("inner", "claim")]
    assert 'class="span lab-1 d2"' in html  # the inner one sits deeper: a second underline


def test_a_label_tag_is_escaped():
    html = str(render(TEXT, [make("a", 0, 7, label='"><b>x')]))
    assert 'data-tag="&quot;&gt;&lt;b&gt;x"' in html
    assert plain(html) == TEXT
