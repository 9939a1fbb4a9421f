"""Time what every `annotator` command pays before its work: start-up, and a small import.

Runs, N times each, in fresh processes as a user would:

- ``annotator --version`` and ``annotator --help`` (target: --version under 150 ms);
- ``annotator import`` of D small documents (default 2,000 of about 300 characters) into a fresh
  SQLite database made by ``annotator init-db`` and ``create-project`` (not timed) for each run;
- ``python -c "import annotator.cli"`` and ``create_app(pages=False)`` (the app a database
  command builds), which split the import's time into start-up, building the app and the work;
- ``python -c pass``: the floor, the interpreter alone.

It prints the median, the minimum and the maximum of each, in milliseconds, and the median
processor time (user + system) each used; the machine's load average is printed with them, since
wall-clock start-up times on a shared machine vary with it.

    .venv/bin/python bench/startup.py [--runs N] [--documents D] [--annotator PATH]

``--annotator`` names another console script (an older checkout's) to compare with; the two
Python rows are then left out unless a ``python`` sits beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

BIN = Path(sys.executable).parent
SLUG = "startup"


def timed(command: Sequence[str], env: dict[str, str]) -> float:
    """Seconds from starting ``command`` to its end; a failure stops the bench with its output.

    The processor time it used (user and system, its children included) is added to ``CPU``:
    on a shared machine the wall-clock time follows the load, the processor time much less.
    """
    before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    CPU.append(_children_cpu() - before)
    if done.returncode != 0:
        sys.exit(f"$ {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


CPU: list[float] = []


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def write_corpus(path: Path, documents: int) -> None:
    sentence = "The minister said on Tuesday that the figures would be published in spring. "
    with path.open("w", encoding="utf-8") as out:
        for number in range(documents):
            text = f"Article {number}. " + sentence * 4
            record = {"id": f"doc-{number}", "title": f"Article {number}", "text": text}
            out.write(json.dumps(record) + "\n")


def environment(instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANNOTATOR_")}
    env["ANNOTATOR_INSTANCE_PATH"] = str(instance)
    return env


def import_once(annotator: str, corpus: Path, folder: Path) -> float:
    """One import into a database of its own: set-up untimed, the import timed."""
    env = environment(folder)
    timed([annotator, "init-db"], env)
    timed([annotator, "create-project", SLUG], env)
    return timed([annotator, "import", SLUG, str(corpus), "--no-progress"], env)


def summary(name: str, seconds: list[float], cpu: list[float]) -> str:
    ms = sorted(value * 1000 for value in seconds)
    return (
        f"{name:<34} median {statistics.median(ms):8.0f} ms   "
        f"min {ms[0]:8.0f}   max {ms[-1]:8.0f}   "
        f"processor time median {statistics.median(cpu) * 1000:6.0f} ms   (n={len(ms)})"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=11, help="runs of each command (default 11)")
    parser.add_argument("--documents", type=int, default=2000, help="documents imported")
    parser.add_argument("--annotator", default=str(BIN / "annotator"), help="console script")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.documents < 1:
        parser.error("--runs and --documents must be at least 1")

    results: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    python = str(Path(args.annotator).parent / "python")
    with tempfile.TemporaryDirectory(prefix="annotator-startup-") as scratch:
        root = Path(scratch)
        corpus = root / "corpus.jsonl"
        write_corpus(corpus, args.documents)
        env = environment(root / "instance")
        commands = {
            "python -c pass (the floor)": [sys.executable, "-c", "pass"],
            "annotator --version": [args.annotator, "--version"],
            "annotator --help": [args.annotator, "--help"],
        }
        if Path(python).exists():  # not beside a wrapper script of another checkout
            commands["import annotator.cli"] = [python, "-c", "import annotator.cli"]
            build = "from annotator import create_app; create_app(pages=False)"
            commands["create_app(pages=False)"] = [python, "-c", build]
        # Interleaved, so a change in the machine's load touches every figure alike.
        for run in range(args.runs):
            for name, command in commands.items():
                results.setdefault(name, []).append(timed(command, env))
                cpu.setdefault(name, []).append(CPU[-1])
            name = f"annotator import ({args.documents:,} docs)"
            results.setdefault(name, []).append(
                import_once(args.annotator, corpus, root / f"run-{run}")
            )
            cpu.setdefault(name, []).append(CPU[-1])
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} cores")
    for name, seconds in results.items():
        print(summary(name, seconds, cpu[name]))


if __name__ == "__main__":
    main()
