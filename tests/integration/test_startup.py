"""Commands import only what they use: the command line's start-up leaves the database out.

Checked by the modules a fresh interpreter holds after the import, never by timing (the times
are measured by bench/startup.py).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Not serial: each probe is a fresh interpreter that only imports (no server, port or database),
# as cheap as an in-process test, so they run under xdist with the rest.

HEAVY = ("sqlalchemy", "alembic", "sqlmodel", "flask", "numpy", "scipy", "trafilatura")


def modules_after(code: str) -> set[str]:
    """Top-level packages loaded by a fresh interpreter after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}


def test_importing_the_command_line_imports_neither_the_database_nor_the_web_app():
    loaded = modules_after("import annotator.cli")
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_version_and_help_answer_without_the_database_or_the_web_app(option):
    code = (
        "import sys\nfrom annotator.cli import cli\n"
        f"try:\n    cli.main([{option!r}], prog_name='annotator')\n"
        "except SystemExit as end:\n    assert end.code in (0, None), end.code\n"
    )
    loaded = modules_after(code)
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_an_import_sent_to_a_server_leaves_the_database_and_the_web_app_out(tmp_path):
    # it fails to connect (nothing listens on port 9 here), after everything but the answer
    articles = tmp_path / "articles.jsonl"
    articles.write_text('{"text": "Fine."}\n')
    code = (
        "import os, sys\nos.environ['ANNOTATOR_TOKEN'] = 'ann_x'\nfrom annotator.cli import cli\n"
        f"args = ['import', 'news', {str(articles)!r}, '--server', 'http://127.0.0.1:9']\n"
        "try:\n    cli.main(args, prog_name='annotator')\n"
        "except SystemExit as end:\n    assert end.code == 1, end.code\n"
    )
    loaded = modules_after(code)
    assert {"click", "http"} <= loaded  # it ran as far as the request
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_building_the_app_still_brings_flask_and_the_database():
    # the probe above would pass vacuously if it could not see a module that is imported
    loaded = modules_after("from annotator import create_app")
    assert "flask" not in loaded
    loaded = modules_after("import annotator.db")
    assert {"flask", "sqlalchemy", "sqlmodel"} <= loaded


def test_the_app_of_a_database_command_leaves_out_what_only_pages_need(tmp_path):
    code = (
        f"import os\nos.environ['ANNOTATOR_INSTANCE_PATH'] = {str(tmp_path)!r}\n"
        "from annotator import create_app\ncreate_app(pages=False)\n"
    )
    loaded = modules_after(code)
    assert {"flask", "sqlalchemy"} <= loaded
    # SciPy (agreement measures), Huey (job queue), log-in throttling, and Alembic (migrations)
    assert loaded.isdisjoint({"scipy", "huey", "flask_limiter", "alembic"}), loaded


def test_the_served_app_leaves_scipy_out_until_a_tangle_of_overlaps_needs_it(tmp_path):
    # SciPy adds about 50 MB to each process that imports it: each server worker and the job
    # runner build the whole app, and most of them never match overlapping spans.
    code = (
        f"import os\nos.environ['ANNOTATOR_INSTANCE_PATH'] = {str(tmp_path)!r}\n"
        "from annotator import create_app\ncreate_app()\n"
    )
    loaded = modules_after(code)
    assert {"flask", "numpy"} <= loaded  # the agreement pages' modules are imported
    assert "scipy" not in loaded  # the matching of overlaps imports it when it runs
