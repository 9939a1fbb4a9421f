"""An example HTTP recommender for annotator: the JSON protocol of docs/suggestions.md, answered
with annotator's own rule recommender (reporting verbs, "according to", quotations).

Run it beside annotator, then enter its address on the project's Suggestions page:

    python docs/example_recommender.py --port 8800
    # address: http://127.0.0.1:8800/suggest

Replace ``suggest_spans`` with a call to your model (a transformer, an LLM) to plug that in;
the protocol stays the same. Standard library only, besides annotator itself.
"""

from __future__ import annotations

import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from annotator.suggestions.rules import default_lexicon_text, parse_lexicon, suggest

LEXICON = parse_lexicon(default_lexicon_text())


def suggest_spans(text: str, labels: list[str]) -> list[dict]:
    """Spans for ``text`` among ``labels``: offsets in code points, half-open, a score in 0..1."""
    return [
        {"label": item.label, "start": item.start, "end": item.end, "score": item.score}
        for item in suggest(text, labels, LEXICON)
    ]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        try:
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(length))
            text = request["document"]["text"]
            labels = [label for label in request["labels"] if isinstance(label, str)]
        except (ValueError, KeyError, TypeError):
            self._answer(400, {"error": "expected {document: {id, text}, labels: [...]}"})
            return
        self._answer(200, {"spans": suggest_spans(text, labels)})

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's name
        pass  # quiet; a real server would log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8800)
    options = parser.parse_args()
    server = ThreadingHTTPServer((options.host, options.port), Handler)
    print(f"example recommender on http://{options.host}:{options.port}/suggest", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
