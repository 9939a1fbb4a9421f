"""The suggestion model learned from gold (issue 18): time to learn from 2,000 gold documents of
about 3,000 characters, time to suggest for one article, and held-out precision/recall/F1.

    .venv/bin/python bench/learned_bench.py [--documents 2000] [--sentences 45]

Targets (reference 2-core machine): learning < 60 s, suggesting < 50 ms per article. The corpus
is generated (tests/support/news_corpus.py): its figures say the model learns the patterns, not
how well it does on real news. Prints wall-clock and processor time, since a shared machine's
wall clock says more about the other work on it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator.suggestions.learned import Model, evaluate, split, train  # noqa: E402
from tests.support.news_corpus import corpus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--sentences", type=int, default=45, help="per article (45 ≈ 3,000 chars)")
    parser.add_argument("--held-out", type=int, default=200, help="articles to measure on")
    args = parser.parse_args()

    training = corpus(args.documents, seed=11, sentences=args.sentences)
    _, held_out = split(corpus(args.held_out * 5, seed=12, sentences=args.sentences))
    characters = statistics.mean(len(example.text) for example in training)
    print(
        f"load average {os.getloadavg()[0]:.1f}; {len(training)} gold documents, "
        f"mean {characters:,.0f} characters, {sum(len(e.spans) for e in training):,} spans"
    )

    wall, cpu = time.perf_counter(), time.process_time()
    model_bytes = train(training)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"learn: {wall:.1f} s wall, {cpu:.1f} s processor; model {len(model_bytes) / 1e6:.1f} MB"
        "  (target < 60 s)"
    )

    model = Model(model_bytes)
    times, cpu_times = [], []
    for example in held_out:
        began, cpu = time.perf_counter(), time.process_time()
        model.suggest(example.text)
        times.append((time.perf_counter() - began) * 1000)
        cpu_times.append((time.process_time() - cpu) * 1000)
    times.sort()
    print(
        f"suggest one article: median {statistics.median(times):.1f} ms wall "
        f"({statistics.median(cpu_times):.1f} ms processor), p95 "
        f"{times[int(len(times) * 0.95) - 1]:.1f} ms over {len(times)}  (target < 50 ms)"
    )

    for label, row in evaluate(model, held_out).items():
        print(
            f"held out, {label:12} precision {row['precision']:.3f} recall {row['recall']:.3f} "
            f"F1 {row['f1']:.3f} ({row['gold']} gold spans)"
        )


if __name__ == "__main__":
    main()
