"""A serving process leaves its long-lived objects out of the garbage collector's full passes
(issue 15: such a pass, walking ~200,000 of them, made the slowest workspace renders).

Checked in a fresh interpreter, by the count ``gc.freeze`` reports, never by timing (the times
are measured by bench/workspace_bench.py).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.serial  # subprocesses: alone, not under xdist


def frozen_after_building(tmp_path, pages: bool) -> int:
    code = (
        "import gc\nfrom annotator import create_app\n"
        f"create_app({{'DATABASE_URL': 'sqlite:///{tmp_path}/a.db', 'SECRET_KEY': 'x'}}, "
        f"pages={pages})\nprint(gc.get_freeze_count())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=tmp_path,
    )
    return int(done.stdout.split()[-1])


def test_a_serving_app_freezes_the_objects_that_live_as_long_as_its_process(tmp_path):
    assert frozen_after_building(tmp_path, pages=True) > 50_000


def test_a_commands_app_freezes_nothing(tmp_path):
    """A command's short process gains nothing by it and would not pay for the collection."""
    assert frozen_after_building(tmp_path, pages=False) == 0
