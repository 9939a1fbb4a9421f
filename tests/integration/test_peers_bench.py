"""bench/peers/run.py starts and parses its arguments; the peers are not installed here.

The full run downloads about 1.7 GB and is not part of `make test`; ``--dry-run`` does all the rest
on a tiny corpus: it generates it, measures annotator, and says what it would install and start.
"""

from __future__ import annotations

import re
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
    options = ("--cache", "--documents", "--rounds", "--saves", "--tools", "--long-loads")
    for option in (*options, "--dry-run"):
        assert option in done.stdout


@pytest.mark.parametrize("tools", ["label-studio,annotator", "annotator,prodigy", ""])
def test_tools_must_start_with_annotator_and_name_known_peers(tools):
    done = run("--dry-run", "--tools", tools)
    assert done.returncode == 2
    assert "--tools" in done.stderr


def test_long_loads_must_not_be_negative():
    done = run("--dry-run", "--long-loads", "-1")
    assert done.returncode == 2
    assert "--long-loads" in done.stderr


@pytest.mark.serial  # starts gunicorn and measures it: beside the parallel pass it would compete
def test_dry_run_measures_annotator_and_installs_no_peer(tmp_path):
    cache = tmp_path / "cache"
    done = run(
        "--dry-run", "--documents", "5", "--rounds", "1", "--saves", "2", "--long-loads", "1",
        "--cache", str(cache),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "corpus: 5 documents" in out
    assert f"would install label-studio==1.23.2 into {cache}" in out
    assert f"would install doccano==1.8.4 into {cache}" in out
    rows = ("import 5 documents", "save one span", "export", "idle memory", "installed size")
    for row in (*rows, "50,000-character document, 1,000 spans: navigation to last highlight"):
        assert f"| {row}" in out, out
    # annotator's paths: its command, its running server, and (import) the command sending to it
    assert re.search(
        r"annotator by path: import: command [0-9.]+ s .*, server [0-9.]+ s .*, "
        r"command --server [0-9.]+ s",
        out,
    )
    assert re.search(r"; export: command [0-9.]+ s .*, server [0-9.]+ s", out)
    assert not cache.exists()  # nothing installed, nothing started
