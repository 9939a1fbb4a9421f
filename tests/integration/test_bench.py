"""The benchmark scripts named in the README still run and still check what they claim.

Each runs here on a tiny workload: the figures are not judged (benchmarks print, tests do not
time), but a script that fails, or whose audit finds a lost or duplicated span, fails the test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

#: A benchmark starts servers and processes of its own that would compete with the parallel pass
#: for the cores: each runs in the serial pass (`make slow`).
serial = pytest.mark.serial

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("ANNOTATOR_CHROMIUM", "/usr/bin/chromium"))


def bench(script: str, *arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,  # only ends a hang: on a heavily loaded machine durability.py took 10 min
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_readme_names_only_benchmarks_that_exist_and_each_is_run_here():
    readme = (ROOT / "README.md").read_text()
    named = set(re.findall(r"bench/(\w+\.py)", readme))
    run_here = set(re.findall(r'bench\(\s*"(\w+\.py)"', Path(__file__).read_text()))
    assert named and all((ROOT / "bench" / name).exists() for name in named)
    assert named <= run_here | {"highlight_eval.py"}  # that one needs an npm package (docs)


@serial
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_load_runs_and_its_audit_finds_nothing_lost_or_duplicated(database):
    # bounded by a count of actions, not by seconds: on a busy machine the same work is done
    output = bench(
        "load.py", "--database", database, "--annotators", "2", "--operations", "6",
        "--documents", "8", "--ramp", "0", "--think", "0", "--workers", "2",
    )  # fmt: skip
    if "no PostgreSQL server answered" in output:
        pytest.skip(f"PostgreSQL pass skipped: {output.strip()}")
    assert "lost: 0  duplicated: 0" in output
    assert re.search(r"create span\s+[1-9]", output), output  # each one's first action creates
    assert "errors: 0 " in output
    assert "time inside the app" in output


@serial
def test_durability_kills_the_server_and_finds_every_acknowledged_span():
    output = bench(
        "durability.py", "--annotators", "2", "--kills", "1", "--saves", "20", "--workers", "1",
        "--job-documents", "3000", "--job-spans", "600",
    )  # fmt: skip
    databases = 1 if "postgresql: skipped" in output else 2
    assert output.count("lost: 0  duplicated: 0  client failures: 0") == databases, output
    # the job runner SIGKILLed mid-import and mid-bulk-accept: nothing half done, job failed
    assert output.count("half done: 0") == 2 * databases, output
    assert output.count("job failed: Interrupted") == 2 * databases, output


@serial
def test_workspace_import_export_and_agreement_benchmarks_run():
    browser = [] if CHROMIUM.exists() else ["--no-browser"]
    assert "save" in bench(
        "workspace_bench.py",
        "--saves", "5", "--renders", "3", "--spans", "40", "--links", "20",
        "--loads", "2", "--presses", "3", "--drag-moves", "20",
        *browser,
    )  # fmt: skip
    assert "documents" in bench("import_bench.py", "--documents", "300", "--small", "100")
    exported = bench("export_bench.py", "--documents", "100", "--repeat", "1", "--postgres")
    assert "floor" in exported and "DIFFERENT" not in exported, exported
    assert "bootstrap" in bench("agreement_bench.py", "--documents", "20", "--bootstrap", "20")


@serial
def test_document_list_bench_runs_on_a_small_project():
    output = bench("document_list_bench.py", "--documents", "300", "--repeat", "2")
    assert "search Cyrillic" in output and "all requests: p95" in output


@serial
def test_document_filters_bench_runs_on_a_small_project():
    output = bench("document_filters_bench.py", "--documents", "300", "--repeat", "2")
    assert "has disagreement" in output and "search + disagreement" in output


@serial
def test_study_bench_times_the_matrix_and_label_renames_on_a_small_project():
    output = bench(
        "study_bench.py", "--documents", "30", "--spans", "300", "--repeat", "2", "--renames", "2"
    )
    assert "matrix page 1 of 1" in output and "label rename over the spans" in output


@serial
def test_startup_bench_times_each_command_and_a_small_import():
    output = bench("startup.py", "--runs", "1", "--documents", "20")
    for name in ("annotator --version", "annotator --help", "annotator import (20 docs)"):
        assert re.search(rf"{re.escape(name)}\s+median\s+\d+ ms", output), output


@serial
def test_suggest_bench_times_the_rules_and_scores_a_generated_corpus():
    output = bench("suggest_bench.py", "--repeat", "2", "--documents", "5")
    assert re.search(r"rules on 50,\d+ characters: median [\d.]+ ms", output), output
    assert re.search(r"attribution\s+precision 0\.\d+\s+recall 0\.\d+", output), output


@serial
def test_learned_bench_learns_from_a_small_generated_corpus_and_scores_it():
    output = bench("learned_bench.py", "--documents", "30", "--sentences", "6", "--held-out", "10")
    assert re.search(r"learn: [\d.]+ s wall, [\d.]+ s processor", output), output
    assert re.search(r"suggest one article: median [\d.]+ ms wall", output), output
    assert re.search(r"held out, attribution\s+precision [\d.]+ recall [\d.]+ F1", output), output
