"""bench/peers/run.py starts and parses its arguments; the peers are not installed here.

The full run downloads about 1.7 GB and is not part of `make test`; ``--dry-run`` does all the rest
on a tiny corpus: it generates it, measures annotator, and says what it would install and start.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "peers" / "run.py"


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_help_names_the_cache_the_work_and_the_dry_run():
    done = run("--help")
    assert done.returncode == 0, done.stderr
    for option in ("--cache", "--documents", "--rounds", "--saves", "--tools", "--dry-run"):
        assert option in done.stdout


@pytest.mark.parametrize("tools", ["label-studio,annotator", "annotator,prodigy", ""])
def test_tools_must_start_with_annotator_and_name_known_peers(tools):
    done = run("--dry-run", "--tools", tools)
    assert done.returncode == 2
    assert "--tools" in done.stderr


@pytest.mark.serial  # starts gunicorn and measures it: beside the parallel pass it would compete
def test_dry_run_measures_annotator_and_installs_no_peer(tmp_path):
    cache = tmp_path / "cache"
    done = run(
        "--dry-run", "--documents", "5", "--rounds", "1", "--saves", "2", "--cache", str(cache)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "corpus: 5 documents" in out
    assert f"would install label-studio==1.23.2 into {cache}" in out
    assert f"would install doccano==1.8.4 into {cache}" in out
    for row in ("import 5 documents", "save one span", "export", "idle memory", "installed size"):
        assert f"| {row} | " in out, out
    assert not cache.exists()  # nothing installed, nothing started
