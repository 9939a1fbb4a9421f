"""annotator.annotation.highlight.render cuts a long text into blocks the browser can skip
laying out off screen (issue 19), without adding a character to the text or changing what each
span covers."""

import re

import pytest

from annotator.annotation.highlight import Highlight, block_ends, render
from tests.unit.test_highlight import plain, spans_in

LINE = "Захарова said 👩\u200d👩\u200d👧 <b>&</b> مفاوضات\n"  # 37 code points
TEXT = LINE * 10
#: With blocks of 50 characters, each block holds two lines (the first newline past 50).
ENDS = [74, 148, 222, 296, 370]


def make(span_id, start, end, label="claim"):
    return Highlight(span_id, 1, label, start, end)


def blocks_of(html: str) -> list[str]:
    return [plain(b) for b in re.findall(r'<div class="block">(.*?)</div>', html, re.S)]


def test_blocks_end_after_the_first_newline_past_their_size():
    assert len(LINE) == 37 and block_ends(TEXT, 50) == ENDS
    assert block_ends("no newline at all", 5) == [17]
    assert block_ends("", 5) == [0]


@pytest.mark.parametrize(
    "spans",
    [
        [],
        [make("a", 0, 7)],
        [make("across", 60, 90)],  # runs over the end of the first block
        [make("outer", 40, 200), make("inner", 65, 90), make("cross", 80, 160)],
        [make(str(i), i, i + 45) for i in range(0, len(TEXT) - 45, 7)],
    ],
)
def test_blocks_keep_the_text_intact_and_every_span_covers_exactly_its_text(spans):
    html = str(render(TEXT, spans, block=50))
    assert plain(html) == TEXT
    assert blocks_of(html) == [TEXT[a:b] for a, b in zip([0, *ENDS[:-1]], ENDS, strict=True)]
    covered = spans_in(html)
    for span in spans:
        assert covered[span.id] == TEXT[span.start : span.end]
    assert html.count("<mark") == html.count("</mark>")


def test_a_span_over_a_block_end_is_split_there_tagged_once_and_keeps_its_depth():
    html = str(render(TEXT, [make("outer", 40, 200), make("inner", 65, 90)], block=50))
    first, second = re.findall(r'<div class="block">(.*?)</div>', html, re.S)[:2]
    assert 'data-span="inner"' in first and 'data-span="inner"' in second
    assert re.findall(r'data-span="(\w+)" data-tag', html) == ["outer", "inner"]
    assert 'class="span lab-1 d2" data-span="inner"' in second


def test_a_short_text_is_not_cut():
    html = str(render(LINE, [make("a", 0, 8)]))
    assert "<div" not in html
    assert str(render(LINE, [])) == str(render(LINE, [], block=10_000))
