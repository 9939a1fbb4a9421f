"""The backup and restore commands the README gives work as written."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.support.postgres import postgres_or_skip
from tests.support.server import Gunicorn

# serial: the README's lines run by the shell (annotator, sqlite3, pg_dump as processes), kept out
# of the CPU-bound parallel pass
pytestmark = pytest.mark.serial

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text("utf-8")
BIN = Path(sys.executable).parent
SECTION = README.split("## Backup and restore", 1)[1].split("\n## ", 1)[0]


def commands(block_number: int) -> list[str]:
    block = re.findall(r"```sh\n(.*?)```", SECTION, re.S)[block_number]
    return [line for line in block.splitlines() if line and not line.startswith("#")]


def run(command: str, cwd: Path, env: dict) -> str:
    done = subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"$ {command}\n{done.stdout}{done.stderr}"
    return done.stdout


def environment(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANNOTATOR_")}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env['PATH']}",
        ANNOTATOR_INSTANCE_PATH=str(tmp_path / "instance"),
        **extra,
    )
    return env


def load_example(env: dict) -> None:
    """The example project, set up by the commands run in this process (only the README's
    backup and restore lines are under test, as the shell runs them)."""
    commands = Gunicorn(
        Path(env["ANNOTATOR_INSTANCE_PATH"]), env.get("ANNOTATOR_DATABASE_URL"), cli_in_process=True
    )
    try:
        commands.cli("init-db")
        commands.cli("create-user", "maria", "--role", "admin", input="a-long-password\n")
        commands.cli("create-project", "elections", "--manager", "maria")
        commands.cli("import", "elections", f"{ROOT}/docs/examples/articles.jsonl")
    finally:
        commands.stop()  # no server was started: this closes the commands' database connections


def test_native_export_and_import_restore_a_project(tmp_path):
    env = environment(tmp_path)
    load_example(env)
    for command in commands(0):
        run(command, tmp_path, env)
    again = "annotator export elections-restored --format native -o restored.jsonl"
    run(again, tmp_path, env)
    original = (tmp_path / "elections-backup.jsonl").read_text("utf-8").splitlines()
    restored = (tmp_path / "restored.jsonl").read_text("utf-8").splitlines()
    strip = re.compile(r'"(id|created_at|updated_at)":"[^"]*",?')
    assert [strip.sub("", line) for line in restored] == [strip.sub("", line) for line in original]


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="the sqlite3 command is not installed")
def test_sqlite_backup_and_restore_commands(tmp_path):
    env = environment(tmp_path)
    load_example(env)
    backup, restore = [c for c in commands(1) if "sqlite3" in c or c.startswith("cp ")]
    run(backup, tmp_path, env)
    database = tmp_path / "instance" / "annotator.db"
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM span"))
    engine.dispose()
    run(restore, tmp_path, env)
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM span")).scalar() == 2
    engine.dispose()


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_postgresql_backup_and_restore_commands(tmp_path):
    with postgres_or_skip() as url:
        env = environment(
            tmp_path,
            ANNOTATOR_DATABASE_URL=url,
            DATABASE=url.replace("postgresql+psycopg://", "postgresql://"),
        )
        load_example(env)
        dump, restore = [c for c in commands(1) if c.startswith("pg_")]
        run(dump, tmp_path, env)
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM span"))
            connection.execute(text("DELETE FROM document"))
        run(restore, tmp_path, env)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT COUNT(*) FROM span")).scalar() == 2
            assert connection.execute(text("SELECT COUNT(*) FROM document")).scalar() == 2
        engine.dispose()
