"""annotator.annotation.highlight.render_list / render_links: the side panel's span and link
lists, compact enough that a document with 1,000 spans and 500 links stays quick to lay out
(issue 19), with the data attributes the workspace script reads."""

from html.parser import HTMLParser

from annotator.annotation.highlight import Highlight, Link, render_links, render_list

TEXT = "Reuters quoted Захарова 👩\u200d👩\u200d👧 as saying <b>&</b> مفاوضات"


class Nodes(HTMLParser):
    """The DOM nodes the browser would make, per top-level item: (tag or "#text", attributes)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[list[tuple[str, dict[str, str | None]]]] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            self.items.append([])
        self.items[-1].append((tag, dict(attrs)))
        self.depth += 1

    def handle_endtag(self, tag):
        self.depth -= 1

    def handle_data(self, data):
        self.items[-1].append(("#text", {"data": data}))


def nodes(html: object) -> list[list[tuple[str, dict[str, str | None]]]]:
    parser = Nodes()
    parser.feed(str(html))
    parser.close()
    return parser.items


def test_a_span_list_item_is_three_nodes_with_label_and_colour_on_its_button():
    spans = [Highlight("a", 3, "claim", 0, 7), Highlight("b", 4, "evidence", 8, 14)]
    items = nodes(render_list(TEXT, spans))
    assert [[tag for tag, _ in item] for item in items] == [["li", "button", "#text"]] * 2
    (_, li), (_, button), (_, text) = items[1]
    assert li["data-span"] == "b" and li["data-label"] == "evidence"
    assert (li["data-start"], li["data-end"]) == ("8", "14")
    assert button["data-label"] == "evidence" and "lab-4" in (button["class"] or "").split()
    assert text["data"] == "quoted"


def test_a_span_list_item_shows_its_note_and_attribute_values():
    span = Highlight("a", 1, "claim", 0, 7, "<i>sure", {"stance": "pro"})
    (item,) = nodes(render_list(TEXT, [span]))
    texts = [attrs["data"] for tag, attrs in item if tag == "#text"]
    assert texts == ["Reuters", "<i>sure", "stance: pro"]
    assert item[0][1]["data-attributes"] == '{"stance": "pro"}'


def test_a_span_list_label_is_escaped_in_its_data_attributes():
    html = str(render_list(TEXT, [Highlight("a", 1, '"><b>x', 0, 7)]))
    assert "<b>x" not in html
    (item,) = nodes(html)
    assert item[1][1]["data-label"] == '"><b>x'


def test_a_link_item_has_no_whitespace_nodes_and_colours_its_ends_by_label():
    spans = [Highlight("s", 3, "claim", 0, 7), Highlight("t", 4, "attribution", 8, 14)]
    links = [Link("l1", "attributed_to", "s", "t", "strong")]
    (item,) = nodes(render_links(TEXT, spans, links))
    assert not [attrs for tag, attrs in item if tag == "#text" and not attrs["data"].strip()]
    ends = [attrs for tag, attrs in item if "link-end" in (attrs.get("class") or "")]
    assert [(end["data-span"], end["class"]) for end in ends] == [
        ("s", "link-end lab-3"),
        ("t", "link-end lab-4"),
    ]
    texts = [attrs["data"] for tag, attrs in item if tag == "#text"]
    # the arrows are the item's ::before and ::after (relations.css), not nodes
    assert texts == ["«Reuters»", "attributed_to", "strong", "«quoted»", "×"]
    assert len(item) == 11


def test_a_link_to_a_span_not_listed_shows_a_question_mark_without_colour():
    spans = [Highlight("s", 3, "claim", 0, 7)]
    html = str(render_links(TEXT, spans, [Link("l1", "supports", "s", "gone")], editable=False))
    (item,) = nodes(html)
    ends = [attrs for tag, attrs in item if "link-end" in (attrs.get("class") or "")]
    assert ends[1]["class"] == "link-end" and ends[1]["data-span"] == "gone"
    assert "link-delete" not in html


def test_a_thousand_spans_and_five_hundred_links_stay_under_ten_thousand_nodes():
    spans = [Highlight(str(i), 1 + i % 3, "claim", i % 40, i % 40 + 10) for i in range(1000)]
    links = [Link(f"l{i}", "supports", str(i), str(i + 1)) for i in range(500)]
    listed = sum(len(item) for item in nodes(render_list(TEXT, spans)))
    linked = sum(len(item) for item in nodes(render_links(TEXT, spans, links)))
    assert listed == 3_000
    assert linked == 500 * 9  # li, two ends, type, button: elements and their text
