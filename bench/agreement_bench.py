"""Time `compute_agreement` on a synthetic study and print headline figures.

2,000 documents of ~3,000 code points, 3 annotators who each finished every document and marked
~20 spans per document with 3 labels. Annotators copy a shared reference with jittered boundaries,
some label swaps, misses and extra spans. Target: under 5 s with 1,000 bootstrap draws, one core.

    .venv/bin/python bench/agreement_bench.py [--documents N] [--bootstrap B] [--seed S]
"""

from __future__ import annotations

import os

# One core: keep BLAS from spreading the bootstrap matrix products over several threads.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator.agreement.gold_quality import vs_gold  # noqa: E402
from annotator.agreement.over_time import per_week  # noqa: E402
from annotator.agreement.report import Span, compute_agreement  # noqa: E402

LABELS = ("claim", "evidence", "attribution")
ANNOTATORS = ("ana", "ben", "chloe")
SPANS_PER_DOCUMENT = 20


def make_study(documents: int, seed: int) -> tuple[list[Span], dict[str, int], dict[str, list]]:
    """Spans, document lengths and finished sets of a mostly-agreeing synthetic study."""
    rng = np.random.default_rng(seed)
    spans: list[Span] = []
    lengths: dict[str, int] = {}
    for d in range(documents):
        key = f"doc-{d:05d}"
        length = int(rng.integers(2_500, 3_500))
        lengths[key] = length
        # Reference: SPANS_PER_DOCUMENT disjoint spans, one per equal slot of the text.
        slot = length // SPANS_PER_DOCUMENT
        widths = rng.integers(20, slot - 10, SPANS_PER_DOCUMENT)
        starts = np.arange(SPANS_PER_DOCUMENT) * slot + rng.integers(0, slot - widths)
        labels = rng.integers(0, len(LABELS), SPANS_PER_DOCUMENT)
        for annotator in ANNOTATORS:
            r = rng.random((SPANS_PER_DOCUMENT, 4))
            jitter = rng.integers(-6, 7, (SPANS_PER_DOCUMENT, 2)) * (r[:, :1] < 0.35)
            for k in range(SPANS_PER_DOCUMENT):
                if r[k, 1] < 0.06:  # missed
                    continue
                label = labels[k] if r[k, 2] >= 0.08 else (labels[k] + 1) % len(LABELS)
                start = int(max(0, starts[k] + jitter[k, 0]))
                end = int(min(length, starts[k] + widths[k] + jitter[k, 1]))
                spans.append(Span(key, annotator, LABELS[label], start, end))
                extra = int(starts[k] + widths[k] + 8)  # a span of its own in the next gap
                if r[k, 3] < 0.06 and extra + 5 <= length:
                    label = LABELS[int(r[k, 3] * 50) % 3]
                    spans.append(Span(key, annotator, label, extra, extra + 5))
    finished = {key: list(ANNOTATORS) for key in lengths}
    return spans, lengths, finished


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2_000)
    parser.add_argument("--bootstrap", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    spans, lengths, finished = make_study(args.documents, args.seed)
    print(
        f"{args.documents} documents, {len(ANNOTATORS)} annotators, {len(spans)} spans, "
        f"{sum(lengths.values()):,} code points"
    )

    started = time.perf_counter()
    compute_agreement(spans, lengths, finished, LABELS, bootstrap=0)
    plain = time.perf_counter() - started
    started = time.perf_counter()
    report = compute_agreement(spans, lengths, finished, LABELS, bootstrap=args.bootstrap)
    full = time.perf_counter() - started
    print(f"compute_agreement without bootstrap: {plain:.2f} s")
    print(f"compute_agreement with bootstrap={args.bootstrap}: {full:.2f} s (target < 5 s)")

    def show(value: float | None, interval: list[float] | None = None) -> str:
        if value is None:
            return "n/a"
        return f"{value:.3f}" + (f" [{interval[0]:.3f}, {interval[1]:.3f}]" if interval else "")

    for pair in report["pairwise"]:
        print(
            f"  {pair['a']}-{pair['b']}: exact F1 {show(pair['exact_f1'], pair['exact_f1_ci'])}"
            f"  overlap F1 {show(pair['overlap_f1'], pair['overlap_f1_ci'])}"
            f"  kappa {show(pair['kappa'], pair['kappa_ci'])}"
        )
    for label, values in report["per_label"].items():
        print(
            f"  {label}: alpha {show(values['alpha'], values['alpha_ci'])}"
            f"  alpha_u {show(values['alpha_u'], values['alpha_u_ci'])}"
        )
    print(f"  alpha_u pooled {show(report['alpha_u_pooled'], report['alpha_u_pooled_ci'])}")
    top = report["documents_by_disagreement"][0]
    print(f"  most disputed: {top['document']} (disagreement {top['disagreement']:.3f})")

    # What the agreement page adds: the first annotator's spans as gold on every document, the
    # others against it; and the figures per week, the documents spread over 26 weeks.
    gold = [Span(s.document, "", s.label, s.start, s.end) for s in spans if s.annotator == "ana"]
    started = time.perf_counter()
    against = vs_gold(
        spans,
        gold,
        lengths,
        finished,
        list(lengths),
        LABELS,
        ANNOTATORS[1:],
        bootstrap=args.bootstrap,
    )
    print(f"vs_gold, every document adjudicated: {time.perf_counter() - started:.2f} s")
    for name, found in against.items():
        print(f"  {name} against gold: overlap F1 {show(found['micro']['overlap']['f1'])}")
    weeks = {doc: date(2026, 1, 5) + timedelta(weeks=k % 26) for k, doc in enumerate(lengths)}
    started = time.perf_counter()
    per_week(spans, lengths, finished, LABELS, None, weeks)
    print(f"per_week, 26 weeks: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
