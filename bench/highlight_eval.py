"""Compare ways to draw 1,000 overlapping spans on a 50,000-character article in Chromium.

Issue 4 asks to pick what renders 1,000 overlapping spans fastest and keeps offsets exact. Measured,
each on a freshly loaded page, in Debian's Chromium through Playwright:

  (a) marks           server-rendered nested <mark>s (annotation.highlight.render) set as innerHTML
  (b) css             CSS Custom Highlight API: one text node, one Range per span, one Highlight
                      per label (offsets converted with static/offsets.js, one call each)
      css-table       the same, with offsets converted in one pass over the text
  (c) recogito-spans  @recogito/text-annotator, its default SPANS renderer, W3C annotations
      recogito-css    the same with its experimental CSS_HIGHLIGHTS renderer

For each: load (setting the content until the frame showing the highlights has been painted), the
longest main-thread task during load and the 300 ms after it, scrolling to the middle until
repainted, and adding ONE span until it is painted; median of --runs page loads. Then every
span's highlighted text and offsets are checked against text[start:end] in code points. The page
is served with the app's Content-Security-Policy (annotator.views.http.CSP).

(c) needs the npm package unpacked under bench/highlight_eval/vendor/ (not committed):

    mkdir -p bench/highlight_eval/vendor && cd bench/highlight_eval/vendor \
        && npm pack @recogito/text-annotator@4.1.1 && tar xzf recogito-text-annotator-4.1.1.tgz

    .venv/bin/python bench/highlight_eval.py [--runs N] [--seed S]
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import statistics
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.annotation.highlight import Highlight, render  # noqa: E402
from annotator.views.http import CSP  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
FIXTURES = Path(__file__).resolve().parent / "highlight_eval"
VENDOR = FIXTURES / "vendor" / "package" / "dist" / "text-annotator.umd.js"
FETCH = (
    "mkdir -p bench/highlight_eval/vendor && cd bench/highlight_eval/vendor "
    "&& npm pack @recogito/text-annotator@4.1.1 "
    "&& tar xzf recogito-text-annotator-4.1.1.tgz"
)
LABELS = {"claim": 1, "evidence": 2, "attribution": 3}
LENGTH = 50_000
SPANS = 1_000

ENGLISH = (
    "the minister said that inflation would fall next year according to figures published by "
    "the central bank on Tuesday while critics argued the data were incomplete and that wages "
    "had not kept pace with prices in most regions of the country"
).split()
RUSSIAN = (
    "министр заявил что инфляция снизится в следующем году по данным центрального банка "
    "опубликованным во вторник однако критики считают что зарплаты не успевают за ценами"
).split()
EMOJI = ["😀", "👍🏽", "👩‍🔬", "🇺🇦", "✅", "📈", "🔥", "€"]
ARABIC = "قال المتحدث باسم الوزارة"


def make_article(rng: random.Random) -> str:
    """LENGTH code points of English, Cyrillic, emoji (astral, ZWJ, flags) and an RTL phrase."""
    parts: list[str] = []
    size = 0
    while size < LENGTH - 40:
        roll = rng.random()
        if roll < 0.04:
            token = "\n\n"
        elif roll < 0.10:
            token = rng.choice(EMOJI) + " "
        elif roll < 0.11:
            token = ARABIC + " "
        elif roll < 0.40:
            token = rng.choice(RUSSIAN) + rng.choice([" ", " ", " ", ", ", ". "])
        else:
            token = rng.choice(ENGLISH) + rng.choice([" ", " ", " ", ", ", ". "])
        parts.append(token)
        size += len(token)
    text = "".join(parts)
    return text + "." * (LENGTH - len(text))


def make_spans(text: str, rng: random.Random) -> list[Highlight]:
    """SPANS spans on word boundaries: standalone, nested (often same label), crossing, twins."""
    starts = [
        i for i in range(len(text)) if not text[i].isspace() and (i == 0 or text[i - 1] == " ")
    ]
    ends = [
        i
        for i in range(1, len(text) + 1)
        if not text[i - 1].isspace() and (i == len(text) or text[i] == " ")
    ]

    def end_after(position: int, words: int) -> int:
        k = next((j for j, e in enumerate(ends) if e > position), len(ends) - 1)
        return ends[min(k + words, len(ends) - 1)]

    spans: list[tuple[int, int, str]] = []
    seen: set[tuple[int, int, str]] = set()
    while len(spans) < SPANS:
        roll = rng.random()
        label = rng.choice(list(LABELS))
        if roll < 0.35 or not spans:  # standalone
            start = rng.choice(starts)
            end = end_after(start, rng.randint(2, 25))
        else:
            outer_start, outer_end, outer_label = rng.choice(spans)
            inside = [s for s in starts if outer_start <= s < outer_end]
            start = rng.choice(inside)
            if roll < 0.70:  # nested inside it, a third of them with the same label
                end = min(end_after(start, rng.randint(0, 6)), outer_end)
                label = outer_label if rng.random() < 0.33 else label
            elif roll < 0.95:  # crossing its end
                end = end_after(outer_end, rng.randint(0, 10))
            else:  # the same characters, another label
                start, end = outer_start, outer_end
        if start < end and (start, end, label) not in seen:
            seen.add((start, end, label))
            spans.append((start, end, label))
    return [
        Highlight(id=f"s{i:04d}", label_id=LABELS[label], label=label, start=start, end=end)
        for i, (start, end, label) in enumerate(spans)
    ]


def extra_span(text: str, spans: list[Highlight]) -> Highlight:
    """The ONE span added: near the top (visible without scrolling), around the first emoji."""
    emoji = min(text.find(e) for e in EMOJI if e in text[:3000])
    return Highlight(
        id="s-extra", label_id=1, label="claim", start=max(0, emoji - 12), end=emoji + 8
    )


def shape(spans: list[Highlight]) -> dict[str, int]:
    """How many spans nest in or cross another one, and the deepest nesting."""
    nested = crossing = 0
    for s in spans:
        if any(o is not s and o.start <= s.start and s.end <= o.end for o in spans):
            nested += 1
        if any(
            o.start < s.start < o.end < s.end or s.start < o.start < s.end < o.end for o in spans
        ):
            crossing += 1
    depth = max(sum(1 for o in spans if o.start <= p < o.end) for p in {s.start for s in spans})
    return {"nested": nested, "crossing": crossing, "depth": depth}


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def serve() -> tuple[ThreadingHTTPServer, str]:
    """The fixture folder and static/offsets.js on 127.0.0.1, with the app's CSP header."""

    class Handler(SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            path = path.split("?", 1)[0]
            if path == "/static/offsets.js":
                return str(ROOT / "static" / "offsets.js")
            if path.startswith("/bench/highlight_eval/"):
                return super().translate_path(path)
            return str(FIXTURES / "missing")

        def end_headers(self) -> None:
            self.send_header("Content-Security-Policy", CSP)
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Handler, directory=str(ROOT))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/bench/highlight_eval/page.html"


def measure(browser, url: str, payload: dict, kind: str, check: bool, shot=None) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(url)
        page.evaluate("payload => HighlightBench.setup(payload)", payload)
        result = page.evaluate(
            "([kind, check]) => HighlightBench.run(kind, {check})", [kind, check]
        )
        if shot:
            page.screenshot(path=str(shot))
    finally:
        page.close()
    if errors:
        raise RuntimeError(f"{kind}: page error: {errors[0]}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument(
        "--screenshots", type=Path, help="save each approach's first screen here (last run)"
    )
    args = parser.parse_args()

    rng = random.Random(args.seed)
    text = make_article(rng)
    spans = make_spans(text, rng)
    extra = extra_span(text, spans)
    astral = sum(1 for c in text if ord(c) > 0xFFFF)
    print(
        f"article: {len(text):,} code points, {len(text.encode('utf-16-le')) // 2:,} UTF-16 units "
        f"({astral} astral characters); {len(spans)} spans: {shape(spans)}"
    )

    html = str(render(text, spans))
    html_plus = str(render(text, [*spans, extra]))
    server_render = median_ms(lambda: render(text, spans), 21)
    server_render_plus = median_ms(lambda: render(text, [*spans, extra]), 21)
    print(
        f"(a) server: annotation.highlight.render {server_render:.1f} ms for 1,000 spans, "
        f"{server_render_plus:.1f} ms for 1,001; HTML {len(html.encode()):,} bytes"
    )

    def plain(span: Highlight) -> dict:
        return {"id": span.id, "label": span.label, "start": span.start, "end": span.end}

    payload = {
        "text": text,
        "spans": [plain(s) for s in spans],
        "extra": plain(extra),
        "html": html,
        "htmlPlus": html_plus,
        "labelIds": LABELS,
    }
    kinds = ["marks", "css", "css-table", "recogito-spans", "recogito-css"]
    if not VENDOR.exists():
        print(f"(c) skipped: {VENDOR.relative_to(ROOT)} is missing. Fetch it with:\n    {FETCH}")
        kinds = kinds[:3]

    from playwright.sync_api import sync_playwright

    server, url = serve()
    results: dict[str, list[dict]] = {kind: [] for kind in kinds}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            print(
                f"Chromium {browser.version}, {args.runs} runs each, viewport 1280x800, "
                f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
            )
            for run in range(args.runs):  # interleaved, so drift in the machine hits all alike
                for kind in kinds:
                    last = run == args.runs - 1
                    shot = args.screenshots / f"{kind}.png" if args.screenshots and last else None
                    results[kind].append(measure(browser, url, payload, kind, last, shot))
            if VENDOR.exists():
                unconverted = measure(browser, url, payload, "recogito-unconverted", True)
            browser.close()
    finally:
        server.shutdown()

    report(results, server_render_plus)
    if VENDOR.exists():
        c = unconverted["check"]
        print(
            f"\n(c) fed our code-point offsets unconverted: {c['exact']}/{c['checked']} spans "
            "highlight the right text"
        )
        offsets = results["recogito-spans"][-1]["offsets"]
        print(
            f"(c) rangeToSelector on a selection of each span gives UTF-16 offsets: "
            f"{offsets['selectionUtf16']}/{offsets['checked']}; getAnnotations() exports offsets "
            f"that convert back to ours: {offsets['exportCodePoints']}/{offsets['checked']}"
        )


def report(results: dict[str, list[dict]], server_render_plus: float) -> None:
    def med(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in results[kind])

    def spread(kind: str, key: str) -> str:
        values = [r[key] for r in results[kind]]
        return f"{statistics.median(values):7.1f} ({min(values):.0f}–{max(values):.0f})"

    names = {
        "marks": "(a) nested marks",
        "css": "(b) CSS highlights",
        "css-table": "(b) same, one-pass offsets",
        "recogito-spans": "(c) recogito SPANS",
        "recogito-css": "(c) recogito CSS_HIGHLIGHTS",
    }
    print(
        "\nmedian (min–max) ms          load → painted  longest task  scroll → painted"
        "    add 1 → painted  offsets exact  CSP violations"
    )
    for kind, runs in results.items():
        last = runs[-1]
        check = last["check"]
        exact = f"{check['exact']}/{check['checked']}" + ("" if check["fullText"] else " TEXT!")
        print(
            f"{names[kind]:<32}{spread(kind, 'load'):>18}{med(kind, 'longest'):>13.0f}"
            f"{spread(kind, 'scroll'):>20}{spread(kind, 'add'):>19}{exact:>15}"
            f"{len(last['violations']):>16}"
        )
    notes = [
        "longest task: median over runs of the longest main-thread task (≥ 50 ms, the browser's "
        "long-task threshold; 0 = none) from the start of load to 300 ms after it was painted"
    ]
    if "marks" in results:
        notes.append(
            f"(a) {results['marks'][-1]['fragments']} <mark> elements for 1,001 spans; adding one "
            f"span = server render {server_render_plus:.1f} ms + swap {med('marks', 'add'):.1f} ms "
            "(plus the request)"
        )
        exact = "exact" if results["marks"][-1]["pendingExact"] else "NOT EXACT"
        notes.append(
            f"(a) a pending highlight for that span drawn over the marks with the Highlight API: "
            f"{med('marks', 'pending'):.1f} ms, {exact}"
        )
    if "css" in results:
        notes.append(
            f"(b) converting 2,000 offsets: {med('css', 'conversion'):.1f} ms with offsets.js "
            f"codePointsToUtf16 (one call each), {med('css', 'conversionTable'):.1f} ms in one pass"
        )
    for kind in ("recogito-spans", "recogito-css"):
        if kind in results:
            last = results[kind][-1]
            notes.append(f"{names[kind]}: {last['drawn']} highlights drawn (viewport only)")
            if last["violations"]:
                notes.append(f"{names[kind]}: CSP: {sorted(set(last['violations']))}")
    for kind, runs in results.items():
        tasks = ", ".join(f"{d} ms at +{max(0, t)} ms" for t, d in runs[-1]["tasks"])
        notes.append(f"{names[kind]}: long tasks during load (last run): {tasks or 'none'}")
    for kind, runs in results.items():
        for wrong in runs[-1]["check"]["wrong"]:
            notes.append(f"{names[kind]}: not exact: {wrong}")
    print("\n".join(notes))


if __name__ == "__main__":
    main()
